//! `GET /mfa/authenticators` and `DELETE /mfa/authenticators/{id}`.

use super::Operation;
use super::config::Config;
use super::response::{classify_error, parse_json};
use super::types::{Authenticator, AuthenticatorKind};
use super::wire::{path_segment, request, with_bearer};
use crate::error::Error;
use crate::http::{HttpRequest, HttpResponse, Method};
use serde::Deserialize;

pub const PATH: &str = "/mfa/authenticators";

/// Lists the user's authenticators. `bearer` is the `mfa_token` during login, or an MFA-API access token with
/// `read:authenticators`.
pub fn list_request(config: &Config, bearer: &str) -> HttpRequest {
    with_bearer(request(config, Method::Get, PATH), bearer)
}

/// Deletes an authenticator. `bearer` must be an MFA-API access token with `remove:authenticators` (an `mfa_token`
/// is not enough). The id is percent-encoded (`totp|dev_x` → `totp%7Cdev_x`).
pub fn delete_request(config: &Config, bearer: &str, authenticator_id: &str) -> HttpRequest {
    let path = format!("{PATH}/{}", path_segment(authenticator_id));
    with_bearer(request(config, Method::Delete, &path), bearer)
}

#[derive(Deserialize)]
struct RawAuthenticator {
    id: String,
    authenticator_type: String,
    #[serde(default)]
    active: Option<bool>,
    #[serde(default)]
    oob_channel: Option<String>,
    /// Legacy name, a string or an array of strings.
    #[serde(default)]
    oob_channels: Option<serde_json::Value>,
    #[serde(default)]
    name: Option<String>,
}

/// Every authenticator, inactive ones included (the flow exposes the active ones separately).
pub fn parse_list(response: &HttpResponse) -> Result<Vec<Authenticator>, Error> {
    if !response.is_success() {
        return Err(classify_error(response, Operation::ListAuthenticators));
    }
    let raw: Vec<RawAuthenticator> = parse_json(response, "a list of authenticators")?;
    Ok(raw
        .into_iter()
        .map(|raw| {
            let legacy = raw.oob_channels.as_ref().and_then(|value| match value {
                serde_json::Value::String(channel) => Some(channel.clone()),
                serde_json::Value::Array(items) => items.first().and_then(|c| c.as_str()).map(str::to_owned),
                _ => None,
            });
            let oob_channel = raw.oob_channel.or(legacy);
            let kind = AuthenticatorKind::classify(&raw.authenticator_type, oob_channel.as_deref(), &raw.id);
            Authenticator {
                id: raw.id,
                authenticator_type: raw.authenticator_type,
                // Auth0 always sends `active`; if it ever does not, listing the authenticator beats hiding it.
                active: raw.active.unwrap_or(true),
                oob_channel,
                name: raw.name,
                kind,
            }
        })
        .collect())
}

/// `204` (or any 2xx) is success.
pub fn parse_delete(response: &HttpResponse) -> Result<(), Error> {
    if response.is_success() { Ok(()) } else { Err(classify_error(response, Operation::DeleteAuthenticator)) }
}

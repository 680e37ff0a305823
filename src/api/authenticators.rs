//! `GET /mfa/authenticators` and `DELETE /mfa/authenticators/{id}`.

use super::Operation;
use super::config::Config;
use super::json::{Shaped, Value, WrongShape, answer};
use super::response::{classify_error, parse_json};
use super::types::{Authenticator, AuthenticatorKind};
use super::wire::{path_segment, request, with_bearer};
use crate::error::Error;
use crate::http::{HttpRequest, HttpResponse, Method};

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

answer! {
    struct RawAuthenticator {
        id: String = required,
        authenticator_type: String = required,
        active: Option<bool> = bool,
        oob_channel: Option<String> = loose_string,
        /// Legacy name, a string or an array of strings.
        oob_channels: Option<Value> = value,
        name: Option<String> = loose_string,
    }
}

impl RawAuthenticator {
    fn list(value: Value) -> Shaped<Vec<Self>> {
        match value {
            Value::Array(items) => items.into_iter().map(Self::from_answer).collect(),
            _ => Err(WrongShape),
        }
    }
}

/// Every authenticator, inactive ones included (the flow exposes the active ones separately), of a list made with
/// the `mfa_token`.
pub fn parse_list(response: &HttpResponse) -> Result<Vec<Authenticator>, Error> {
    parse_list_for(response, Operation::ListAuthenticators)
}

/// As [`parse_list`], for a list made as `operation` (`ListAuthenticators` with the `mfa_token`, or
/// `ListAuthenticatorsWithAccessToken`), which decides how an error is read.
pub fn parse_list_for(response: &HttpResponse, operation: Operation) -> Result<Vec<Authenticator>, Error> {
    if !response.is_success() {
        return Err(classify_error(response, operation));
    }
    let raw = parse_json(response, "a list of authenticators", b'[', RawAuthenticator::list)?;
    Ok(raw
        .into_iter()
        .map(|raw| {
            let legacy = raw.oob_channels.as_ref().and_then(Value::first_str);
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

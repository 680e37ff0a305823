//! `POST /oauth/token` (form-encoded): the password and password-realm grants, the refresh-token grant, and the three
//! MFA grants.

use super::Operation;
use super::config::Config;
use super::json;
use super::response::json_text;
use super::response::{classify_error, consumed, is_error_body, parse_json};
use super::secret::{MfaToken, OneTimeCode, OobCode, Password, RecoveryCode, RefreshToken};
use super::types::Tokens;
use super::wire::{FORM, client_fields, form, request, with_body};
use crate::error::Error;
use crate::http::{HttpRequest, HttpResponse, Method};

pub const PATH: &str = "/oauth/token";
pub const GRANT_PASSWORD: &str = "password";
pub const GRANT_PASSWORD_REALM: &str = "http://auth0.com/oauth/grant-type/password-realm";
pub const GRANT_MFA_OTP: &str = "http://auth0.com/oauth/grant-type/mfa-otp";
pub const GRANT_MFA_OOB: &str = "http://auth0.com/oauth/grant-type/mfa-oob";
pub const GRANT_MFA_RECOVERY_CODE: &str = "http://auth0.com/oauth/grant-type/mfa-recovery-code";
pub const GRANT_REFRESH_TOKEN: &str = "refresh_token";

/// The first factor. Body fields, in order: `grant_type` (`password`, or password-realm when a realm is
/// configured), `client_id`, `client_secret`?, `username`, `password`, `realm`?, `audience`?, `scope`?.
pub fn password_request(config: &Config, username: &str, password: &Password) -> HttpRequest {
    let grant = if config.realm().is_some() { GRANT_PASSWORD_REALM } else { GRANT_PASSWORD };
    let mut fields = vec![("grant_type", grant)];
    fields.extend(client_fields(config));
    fields.push(("username", username));
    fields.push(("password", password.expose()));
    for (name, value) in [("realm", config.realm()), ("audience", config.audience()), ("scope", config.scope())] {
        if let Some(value) = value {
            fields.push((name, value));
        }
    }
    token_request(config, &fields)
}

/// The refresh-token grant: `grant_type`, `client_id`, `client_secret`?, `refresh_token`. No `scope`: Auth0 grants
/// the original scopes when it is left out.
pub fn refresh_request(config: &Config, refresh_token: &RefreshToken) -> HttpRequest {
    let mut fields = vec![("grant_type", GRANT_REFRESH_TOKEN)];
    fields.extend(client_fields(config));
    fields.push(("refresh_token", refresh_token.expose()));
    token_request(config, &fields)
}

/// mfa-otp: `grant_type`, `client_id`, `client_secret`?, `mfa_token`, `otp`.
pub fn otp_request(config: &Config, mfa_token: &MfaToken, otp: &OneTimeCode) -> HttpRequest {
    mfa_request(config, GRANT_MFA_OTP, mfa_token, &[("otp", otp.expose())])
}

/// mfa-oob: `grant_type`, `client_id`, `client_secret`?, `mfa_token`, `oob_code`, `binding_code`? (none when
/// polling for push).
pub fn oob_request(
    config: &Config,
    mfa_token: &MfaToken,
    oob_code: &OobCode,
    binding: Option<&OneTimeCode>,
) -> HttpRequest {
    let mut extra = vec![("oob_code", oob_code.expose())];
    if let Some(binding) = binding {
        extra.push(("binding_code", binding.expose()));
    }
    mfa_request(config, GRANT_MFA_OOB, mfa_token, &extra)
}

/// mfa-recovery-code: `grant_type`, `client_id`, `client_secret`?, `mfa_token`, `recovery_code`.
pub fn recovery_code_request(config: &Config, mfa_token: &MfaToken, code: &RecoveryCode) -> HttpRequest {
    mfa_request(config, GRANT_MFA_RECOVERY_CODE, mfa_token, &[("recovery_code", code.expose())])
}

fn mfa_request(config: &Config, grant: &str, mfa_token: &MfaToken, extra: &[(&str, &str)]) -> HttpRequest {
    let mut fields = vec![("grant_type", grant)];
    fields.extend(client_fields(config));
    fields.push(("mfa_token", mfa_token.expose()));
    fields.extend_from_slice(extra);
    token_request(config, &fields)
}

fn token_request(config: &Config, fields: &[(&str, &str)]) -> HttpRequest {
    with_body(request(config, Method::Post, PATH), FORM, form(fields))
}

/// Tokens on success; otherwise the classified error (`mfa_required` included, as [`Error::MfaRequired`]). A 2xx
/// body with an `error` and no `access_token` is classified as an error too. An unreadable 2xx answer to a grant
/// that spends what it sends (a one-time code, or a refresh token the tenant rotates) is not retryable: sending it
/// again would be a reuse, which for a refresh token revokes its whole family.
pub fn parse_tokens(response: &HttpResponse, operation: Operation) -> Result<Tokens, Error> {
    if !response.is_success() || is_error_body(response) {
        return Err(classify_error(response, operation));
    }
    parse_json(response, "a token response", b'{', Tokens::from_answer)
        .map_err(|error| if operation.spends_what_it_sends() { consumed(error) } else { error })
}

/// One poll of a push (mfa-oob without binding code).
#[derive(Debug)]
pub enum PushPoll {
    /// Not answered yet (`authorization_pending`): poll again after the interval.
    Pending,
    /// Polling too fast (`slow_down`): add to the interval.
    SlowDown,
    /// Approved: the login is complete.
    Approved(Tokens),
}

/// `authorization_pending` and `slow_down` are states of a poll, not failures; everything else is as
/// [`parse_tokens`].
pub fn parse_push_poll(response: &HttpResponse) -> Result<PushPoll, Error> {
    match parse_tokens(response, Operation::OobGrant { binding: false }) {
        Ok(tokens) => Ok(PushPoll::Approved(tokens)),
        Err(Error::AuthorizationPending(_)) => Ok(PushPoll::Pending),
        Err(Error::SlowDown(_)) => Ok(PushPoll::SlowDown),
        Err(error) => Err(error),
    }
}

/// An answer asking for a DPoP proof with the server's nonce (RFC 9449 §8): `use_dpop_nonce` in the body, or in the
/// `www-authenticate` challenge (`use_dpop_nonce`, or `invalid_dpop_nonce` for a stale one). The nonce itself comes in
/// the `dpop-nonce` header.
pub fn asks_for_dpop_nonce(response: &HttpResponse) -> bool {
    let in_body = json::parse(json_text(&response.body))
        .is_ok_and(|value| value.get("error").and_then(json::Value::as_str) == Some("use_dpop_nonce"));
    in_body
        || response.header("www-authenticate").is_some_and(|challenge| super::find(challenge, "_dpop_nonce").is_some())
}

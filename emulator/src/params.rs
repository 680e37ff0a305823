//! Request bodies (form or JSON), client authentication and the optional per-client rate limit.

use crate::errors::{self, ApiResult};
use crate::state::{Client, ClientAuth, State};
use crate::{App, assertion};
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, ORIGIN};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Parameters of a form-encoded or JSON body.
#[derive(Debug, Default)]
pub struct Params(pub Map<String, Value>);

pub fn content_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
}

impl Params {
    pub fn parse(headers: &HeaderMap, body: &[u8]) -> ApiResult<Self> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::default());
        }
        match content_type(headers).as_deref() {
            Some("application/json") => match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(map)) => Ok(Self(map)),
                Ok(_) => Err(errors::invalid_request("The request body must be a JSON object")),
                Err(_) => Err(errors::invalid_request("The request body is not valid JSON")),
            },
            Some("application/x-www-form-urlencoded") => {
                let pairs = decode_form(body)
                    .ok_or_else(|| errors::invalid_request("The request body is not valid form data"))?;
                Ok(Self(pairs.into_iter().map(|(k, v)| (k, Value::String(v))).collect()))
            }
            _ => Err(errors::unsupported_content_type()),
        }
    }

    /// A string parameter; absent, null and empty all count as missing.
    pub fn optional(&self, name: &str) -> ApiResult<Option<&str>> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(errors::wrong_type(name, "a string")),
        }
    }

    pub fn required(&self, name: &str) -> ApiResult<&str> {
        self.optional(name)?.ok_or_else(|| errors::missing_parameter(name))
    }

    /// An array of strings; a bare string is taken as a one-element array, as older clients send it.
    pub fn list(&self, name: &str) -> ApiResult<Option<Vec<String>>> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(vec![s.clone()])),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_owned).ok_or_else(|| errors::wrong_type(name, "an array of strings")))
                .collect::<ApiResult<Vec<_>>>()
                .map(Some),
            Some(_) => Err(errors::wrong_type(name, "an array of strings")),
        }
    }
}

fn basic_credentials(headers: &HeaderMap) -> ApiResult<Option<(String, String)>> {
    let Some(value) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) else { return Ok(None) };
    let Some((scheme, rest)) = value.trim().split_once(' ') else { return Ok(None) };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Ok(None);
    }
    let bad = || errors::invalid_request("Malformed Basic authorization header");
    let decoded = STANDARD.decode(rest.trim()).map_err(|_| bad())?;
    let text = String::from_utf8(decoded).map_err(|_| bad())?;
    let (id, secret) = text.split_once(':').ok_or_else(bad)?;
    // RFC 6749 §2.3.1: both parts are form-urlencoded before being joined.
    let decode = |s: &str| form_decode(s).ok_or_else(bad);
    Ok(Some((decode(id)?, decode(secret)?)))
}

/// Identifies and authenticates the client by HTTP Basic, body parameters or a client assertion, and checks
/// the caller's origin. Returns the client and whether it proved who it is (a secret or an assertion).
pub fn authenticate_client(
    app: &App,
    state: &mut State,
    params: &Params,
    headers: &HeaderMap,
) -> ApiResult<(Client, bool)> {
    let basic = basic_credentials(headers)?;
    let body_id = params.optional("client_id")?;
    let body_secret = params.optional("client_secret")?;
    let assertion = client_assertion(params, basic.is_some() || body_secret.is_some())?;
    let client_id = match (&basic, body_id, assertion) {
        (Some((id, _)), body_id, _) => {
            if body_id.is_some_and(|b| b != id) {
                return Err(errors::invalid_request("client_id in the body does not match the Authorization header"));
            }
            id.clone()
        }
        (None, Some(id), _) => id.to_owned(),
        // RFC 7523 §3: the assertion's `sub` names the client when the body does not.
        (None, None, Some(jwt)) => assertion::subject(jwt)?,
        (None, None, None) => return Err(errors::missing_parameter("client_id")),
    };
    let secret = basic.as_ref().map(|(_, secret)| secret.as_str()).or(body_secret);
    let client = state.client(&client_id).ok_or_else(errors::unauthorized_client)?.clone();
    let authenticated = match (&client.auth, assertion) {
        (ClientAuth::PrivateKeyJwt(keys), Some(jwt)) => {
            assertion::verify(app, state, &client.client_id, keys, jwt)?;
            true
        }
        (_, Some(_)) => return Err(errors::assertion_not_enabled()),
        // A secret does not stand in for the assertion: the same answer as no credentials at all.
        (ClientAuth::PrivateKeyJwt(_), None) => return Err(errors::unauthorized_client()),
        (ClientAuth::Secret(expected), None) => {
            let given = secret.ok_or_else(errors::unauthorized_client)?;
            if !crate::crypto::constant_time_eq(given.as_bytes(), expected.as_bytes()) {
                return Err(errors::unauthorized_client());
            }
            true
        }
        (ClientAuth::None, None) => false,
    };
    check_origin(state, &client, headers)?;
    count_request(state, &client.client_id)?;
    Ok((client, authenticated))
}

/// The `client_assertion` of a request that sends one, checked for its companion `client_assertion_type` and
/// for a second method alongside.
pub fn client_assertion(params: &Params, has_secret: bool) -> ApiResult<Option<&str>> {
    let kind = params.optional("client_assertion_type")?;
    let jwt = params.optional("client_assertion")?;
    if kind.is_none() && jwt.is_none() {
        return Ok(None);
    }
    if has_secret {
        return Err(errors::multiple_auth_methods());
    }
    match (kind, jwt) {
        (Some(kind), Some(jwt)) if kind == assertion::JWT_BEARER => Ok(Some(jwt)),
        (Some(_), Some(_)) => Err(errors::assertion_type_unsupported()),
        (_, None) => Err(errors::missing_parameter("client_assertion")),
        (None, _) => Err(errors::missing_parameter("client_assertion_type")),
    }
}

pub fn origin(headers: &HeaderMap) -> Option<String> {
    headers.get(ORIGIN).and_then(|v| v.to_str().ok()).map(|o| o.trim_end_matches('/').to_owned())
}

/// A browser call from an origin the client does not list is refused, as Auth0 does.
pub fn check_origin(state: &State, client: &Client, headers: &HeaderMap) -> ApiResult<()> {
    match origin(headers) {
        Some(origin) if !state.settings.permissive_cors && !client.allowed_origins.contains(&origin) => {
            Err(errors::origin_not_allowed(&origin))
        }
        _ => Ok(()),
    }
}

/// The generic per-client rate limit (off unless switched on): a fixed window of `limit` requests.
pub fn count_request(state: &mut State, client_id: &str) -> ApiResult<()> {
    if !state.rate_limit.enabled {
        return Ok(());
    }
    let now = state.now_ms();
    let window_ms = (state.rate_limit.window_secs.clamp(1, crate::state::MAX_SETTING_SECS) * 1000) as i64;
    let limit = state.rate_limit.limit;
    let entry = state.rate_windows.entry(client_id.to_owned()).or_insert((now, 0));
    if now - entry.0 >= window_ms || now < entry.0 {
        *entry = (now, 0);
    }
    let reset = (entry.0 + window_ms).div_euclid(1000);
    if entry.1 >= limit {
        return Err(errors::rate_limited(limit, reset));
    }
    entry.1 += 1;
    Ok(())
}

/// The bearer token of `Authorization: Bearer …`.
pub fn bearer(headers: &HeaderMap) -> ApiResult<String> {
    let value = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or_else(errors::missing_bearer)?;
    match value.trim().split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
            Ok(token.trim().to_owned())
        }
        _ => Err(errors::missing_bearer()),
    }
}

/// Strict `application/x-www-form-urlencoded`: invalid UTF-8 or a broken escape is an error, not a U+FFFD.
pub fn decode_form(body: &[u8]) -> Option<Vec<(String, String)>> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            Some((form_decode(key)?, form_decode(value)?))
        })
        .collect()
}

/// One form-encoded name or value, where `+` is a space.
fn form_decode(text: &str) -> Option<String> {
    percent_decode(&text.replace('+', " "))
}

/// Strict percent-decoding: `percent_decode_str` passes a broken escape (`%G1`, `%4`) through as it is, so
/// each `%` must start two hex digits first; and the bytes must be UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    let starts_with_hex_pair =
        |rest: &str| rest.as_bytes().get(..2).is_some_and(|pair| pair.iter().all(u8::is_ascii_hexdigit));
    if !text.split('%').skip(1).all(starts_with_hex_pair) {
        return None;
    }
    percent_decode_str(text).decode_utf8().ok().map(Cow::into_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decode_refuses_broken_escapes_and_invalid_utf8() {
        assert_eq!(percent_decode("a%20b%e2%82%AC").as_deref(), Some("a b\u{20ac}"));
        for broken in ["%G1", "%4", "%", "a%+F", "%FF%FE"] {
            assert_eq!(percent_decode(broken), None, "{broken}");
        }
    }

    #[test]
    fn form_pairs() {
        let pairs = decode_form(b"a=1+2&&b&c=%3D").expect("valid form");
        let expected = [("a", "1 2"), ("b", ""), ("c", "=")].map(|(k, v)| (k.to_owned(), v.to_owned()));
        assert_eq!(pairs, expected);
        assert_eq!(decode_form(b"a=%4"), None);
    }
}

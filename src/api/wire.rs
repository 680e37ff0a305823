//! Request encoding shared by the endpoints: form and JSON bodies, path segments, common headers.

use super::config::Config;
use crate::http::{HttpRequest, Method};
use crate::otp::UNRESERVED;
use percent_encoding::utf8_percent_encode;

pub(crate) const FORM: &str = "application/x-www-form-urlencoded";
pub(crate) const JSON: &str = "application/json";

/// `application/x-www-form-urlencoded`, fields in the given order. Everything but RFC 3986's unreserved characters is
/// percent-encoded, a space as `%20`: every form decoder reads that, and it is the encoder the module already has.
pub(crate) fn form(fields: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.extend(utf8_percent_encode(name, UNRESERVED));
        out.push('=');
        out.extend(utf8_percent_encode(value, UNRESERVED));
    }
    out
}

/// Percent-encodes one URL path segment (authenticator ids contain `|`).
pub(crate) fn path_segment(segment: &str) -> String {
    utf8_percent_encode(segment, UNRESERVED).collect()
}

/// A request with the headers every call carries: `accept`, and `auth0-forwarded-for` when configured.
pub(crate) fn request(config: &Config, method: Method, path: &str) -> HttpRequest {
    let mut headers = vec![("accept".to_owned(), JSON.to_owned())];
    if let Some(ip) = config.forwarded_for() {
        headers.push(("auth0-forwarded-for".to_owned(), ip.to_owned()));
    }
    HttpRequest { method, url: config.url(path), headers, body: None, timeout_ms: config.timeout_ms() }
}

pub(crate) fn with_body(mut request: HttpRequest, content_type: &str, body: String) -> HttpRequest {
    request.headers.push(("content-type".to_owned(), content_type.to_owned()));
    request.body = Some(body);
    request
}

pub(crate) fn with_bearer(mut request: HttpRequest, token: &str) -> HttpRequest {
    request.headers.push(("authorization".to_owned(), format!("Bearer {token}")));
    request
}

/// `client_assertion_type` and `client_assertion` (RFC 7523), added to a form or JSON body that [`client_fields`]
/// began. `None` when the assertion is not a compact JWS, which needs no escaping in either body.
pub(crate) fn with_client_assertion(mut request: HttpRequest, assertion: &str) -> Option<HttpRequest> {
    const TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    if assertion.is_empty() || !assertion.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)) {
        return None;
    }
    let json = request.header("content-type") == Some(JSON);
    let body = request.body.as_mut()?;
    let mut added = zeroize::Zeroizing::new(String::new());
    if json {
        body.pop().filter(|&close| close == '}')?;
        for part in [r#","client_assertion_type":""#, TYPE, r#"","client_assertion":""#, assertion, r#""}"#] {
            added.push_str(part);
        }
    } else {
        added.push_str("&client_assertion_type=");
        added.extend(utf8_percent_encode(TYPE, UNRESERVED));
        added.push_str("&client_assertion=");
        added.push_str(assertion);
    }
    // A new body sized once, and the old one wiped: growing it in place could leave a copy of the password behind.
    let mut grown = String::with_capacity(body.len() + added.len());
    grown.push_str(body);
    grown.push_str(&added);
    zeroize::Zeroize::zeroize(body);
    *body = grown;
    Some(request)
}

/// `client_id`, then `client_secret` when configured: the client authentication of every call.
pub(crate) fn client_fields(config: &Config) -> Vec<(&str, &str)> {
    let mut fields = vec![("client_id", config.client_id())];
    if let Some(secret) = config.client_secret() {
        fields.push(("client_secret", secret.expose()));
    }
    fields
}

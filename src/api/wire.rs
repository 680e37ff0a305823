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

/// `client_id`, then `client_secret` when configured: the client authentication of every call.
pub(crate) fn client_fields(config: &Config) -> Vec<(&str, &str)> {
    let mut fields = vec![("client_id", config.client_id())];
    if let Some(secret) = config.client_secret() {
        fields.push(("client_secret", secret.expose()));
    }
    fields
}

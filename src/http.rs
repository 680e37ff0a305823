//! The transport: one small trait that sends an [`HttpRequest`] and answers an [`HttpResponse`].
//!
//! Everything above it (the `api` wire layer and the `flow` state machine) is sans-IO and runs natively in tests
//! with a scripted client. The WebAssembly build plugs in the global `fetch`; a request carries only a method,
//! headers and a body (Cloudflare Workers reject `mode` and `credentials`), plus a timeout the transport enforces.
//!
//! There is no `Send` bound: WebAssembly is single-threaded and `fetch` futures are not `Send`.

use core::fmt;
use core::future::Future;
use zeroize::Zeroize;

/// The HTTP methods the Auth0 endpoints use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Delete,
}

impl Method {
    /// The method as it goes on the wire: `GET`, `POST`, `DELETE`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Delete => "DELETE",
        }
    }
}

/// A request to send. Header names are lower case. The body and the `authorization` and `dpop` headers can hold
/// secrets (passwords, codes, tokens, client assertions, proofs), so `Debug` hides them.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: Method,
    /// Absolute URL, e.g. `https://tenant.auth0.com/oauth/token`.
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    /// Milliseconds after which the transport gives up with [`TransportError::Timeout`]; `None` means no limit.
    pub timeout_ms: Option<u32>,
}

/// A request body holds the password, client secret and codes, and the `authorization` header a token: wiped once
/// the request is sent.
impl Drop for HttpRequest {
    fn drop(&mut self) {
        self.wipe();
    }
}

/// A response body holds tokens: wiped once it is read.
impl Drop for HttpResponse {
    fn drop(&mut self) {
        self.body.zeroize();
    }
}

impl HttpRequest {
    fn wipe(&mut self) {
        self.body.zeroize();
        for (_, value) in &mut self.headers {
            value.zeroize();
        }
    }

    /// The value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL never carries a secret (no query strings are built), but a body, a bearer token or a DPoP proof does.
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                let secret = name.eq_ignore_ascii_case("authorization") || name.eq_ignore_ascii_case("dpop");
                let shown = if secret { "[redacted]" } else { value.as_str() };
                (name.as_str(), shown)
            })
            .collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body", &self.body.as_ref().map(|_| "[redacted]"))
            .field("timeout_ms", &self.timeout_ms)
            .finish()
    }
}

/// A response as received. Header names must be lower case (`fetch` already gives them so).
#[derive(Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    /// A response with no headers.
    pub fn new(status: u16, body: impl Into<String>) -> Self {
        Self { status, headers: Vec::new(), body: body.into() }
    }

    /// Adds a header, lower-casing its name.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.into()));
        self
    }

    /// The value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Token responses carry tokens; only the length of the body is shown. Headers can carry session cookies
        // and whatever a proxy adds, so only those that explain a failure are shown.
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .filter(|(name, _)| {
                let name = name.to_ascii_lowercase();
                matches!(name.as_str(), "content-type" | "retry-after") || name.starts_with("x-ratelimit-")
            })
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// Why no response arrived. Messages never include the URL's query, the body or any header value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportError {
    /// The request could not be sent or the connection failed (DNS, TLS, CORS refusal, offline, …). The text is a
    /// short, secret-free explanation from the transport.
    Network(String),
    /// No response within the request's `timeout_ms`.
    Timeout,
    /// The caller aborted the request.
    Aborted,
    /// The server answered with a redirect that was not followed, and the runtime shows nothing of it (a browser's
    /// `opaqueredirect`). A redirect with a visible status is an [`HttpResponse`] like any other.
    Redirected,
    /// A key the transport signs with cannot be used (it did not import, or does not fit its algorithm). `option`
    /// names it in Rust; `reason` says why without quoting it.
    UnusableKey { option: &'static str, reason: &'static str },
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Network(reason) => write!(f, "network error: {reason}"),
            Self::Timeout => f.write_str("the request timed out"),
            Self::Aborted => f.write_str("the request was aborted"),
            Self::Redirected => f.write_str("the server answered with a redirect, which is not followed"),
            Self::UnusableKey { option, reason } => write!(f, "option {option} {reason}"),
        }
    }
}

/// Sends HTTP requests. Implemented over the global `fetch` in the WebAssembly build, and by scripted clients in
/// tests. Implementations must not send cookies or credentials, must not follow redirects (the body would go on
/// to wherever the redirect points; a 3xx is refused as an invalid response anyway) and must enforce
/// [`HttpRequest::timeout_ms`].
///
/// A transport may also hold the client's private keys, which the flow never sees: it then signs a fresh client
/// assertion for each request that authenticates the client, and a fresh DPoP proof for each token request.
pub trait HttpClient {
    fn send(&self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, TransportError>>;

    /// A client assertion (RFC 7523, `private_key_jwt`) for `audience`, new for every request, when the client
    /// authenticates with a private key; `None` when it uses its secret or nothing.
    fn client_assertion(&self, audience: &str) -> impl Future<Output = Result<Option<String>, TransportError>> {
        let _ = audience;
        core::future::ready(Ok(None))
    }

    /// A DPoP proof (RFC 9449) for `method` and `url`, new for every request, with the server's `nonce` when one is
    /// known; `None` when the client does not use DPoP.
    fn dpop_proof(
        &self,
        method: Method,
        url: &str,
        nonce: Option<&str>,
    ) -> impl Future<Output = Result<Option<String>, TransportError>> {
        let _ = (method, url, nonce);
        core::future::ready(Ok(None))
    }
}

/// Forwards every method, so a borrowed or shared transport signs as the transport itself does.
macro_rules! forward_http_client {
    ($($wrapper:ty),+) => {$(
        impl<T: HttpClient + ?Sized> HttpClient for $wrapper {
            fn send(&self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, TransportError>> {
                (**self).send(request)
            }

            fn client_assertion(
                &self,
                audience: &str,
            ) -> impl Future<Output = Result<Option<String>, TransportError>> {
                (**self).client_assertion(audience)
            }

            fn dpop_proof(
                &self,
                method: Method,
                url: &str,
                nonce: Option<&str>,
            ) -> impl Future<Output = Result<Option<String>, TransportError>> {
                (**self).dpop_proof(method, url, nonce)
            }
        }
    )+};
}

forward_http_client!(&T, std::rc::Rc<T>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_wipes_its_body_and_header_values() {
        let mut request = HttpRequest {
            method: Method::Post,
            url: "https://tenant.auth0.com/oauth/token".into(),
            headers: vec![("authorization".into(), "Bearer token-value".into())],
            body: Some("password=Pa55word".into()),
            timeout_ms: None,
        };
        request.wipe();
        assert_eq!(request.body, None);
        assert_eq!(request.headers, vec![("authorization".to_owned(), String::new())]);
        assert_eq!(request.url, "https://tenant.auth0.com/oauth/token", "the URL holds no secret");
    }
}

//! Shared by the native flow and api tests: a scripted transport that records every request, and a tiny executor.
#![allow(dead_code)]

use auth0_mfa_wasm::api::{Config, ConfigOptions};
use auth0_mfa_wasm::http::{HttpClient, HttpRequest, HttpResponse, TransportError};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

pub const DOMAIN: &str = "tenant.auth0.com";
pub const CLIENT_ID: &str = "CLIENT123";
pub const CLIENT_SECRET: &str = "client-secret-VALUE-42";
pub const PASSWORD: &str = "hunter2-Password!";
pub const MFA_TOKEN: &str = "Fe26.2*mfa-token-SECRET-value";
pub const OOB_CODE: &str = "Fe26.2*oob-code-SECRET-value";
pub const ACCESS_TOKEN: &str = "eyJ-access-token-SECRET";
pub const ID_TOKEN: &str = "eyJ-id-token-SECRET";
pub const REFRESH_TOKEN: &str = "refresh-token-SECRET";

/// Answers scripted responses in order and records every request. Panics on a request nobody scripted.
#[derive(Default)]
pub struct MockHttp {
    script: RefCell<VecDeque<Result<HttpResponse, TransportError>>>,
    requests: RefCell<Vec<HttpRequest>>,
}

impl MockHttp {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn reply(&self, status: u16, body: &str) -> &Self {
        self.reply_with(HttpResponse::new(status, body))
    }

    pub fn reply_with(&self, response: HttpResponse) -> &Self {
        self.script.borrow_mut().push_back(Ok(response));
        self
    }

    pub fn fail(&self, error: TransportError) -> &Self {
        self.script.borrow_mut().push_back(Err(error));
        self
    }

    pub fn requests(&self) -> Vec<HttpRequest> {
        self.requests.borrow().clone()
    }

    pub fn request(&self, index: usize) -> HttpRequest {
        self.requests.borrow()[index].clone()
    }

    pub fn count(&self) -> usize {
        self.requests.borrow().len()
    }

    pub fn last(&self) -> HttpRequest {
        self.requests.borrow().last().cloned().expect("no request was sent")
    }

    pub fn unused(&self) -> usize {
        self.script.borrow().len()
    }
}

impl HttpClient for MockHttp {
    fn send(&self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, TransportError>> {
        let answer = self.script.borrow_mut().pop_front();
        let answer = answer.unwrap_or_else(|| panic!("unscripted request: {request:?}"));
        self.requests.borrow_mut().push(request);
        std::future::ready(answer)
    }
}

/// Runs a future that never waits on anything real (the mock answers at once).
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1_000_000 {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
    }
    panic!("future never completed");
}

pub fn options() -> ConfigOptions {
    ConfigOptions { domain: DOMAIN.into(), client_id: CLIENT_ID.into(), ..ConfigOptions::default() }
}

pub fn config() -> Config {
    Config::new(options()).unwrap()
}

pub fn mfa_required_body() -> String {
    format!(
        r#"{{"error":"mfa_required","error_description":"Multifactor authentication required","mfa_token":"{MFA_TOKEN}"}}"#
    )
}

pub fn tokens_body() -> String {
    format!(
        r#"{{"access_token":"{ACCESS_TOKEN}","id_token":"{ID_TOKEN}","scope":"openid profile email","expires_in":86400,"token_type":"Bearer"}}"#
    )
}

pub fn form_body(request: &HttpRequest) -> &str {
    request.body.as_deref().expect("request has a body")
}

/// Percent-encodes all but RFC 3986's unreserved characters, for expected form bodies and paths: written out here as
/// a check on the library, whose encoder comes from the `percent-encoding` crate.
pub fn enc(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
}

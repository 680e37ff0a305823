//! Every response parser and `classify_error` on any body: a value or a typed error, never a panic. The first
//! bytes choose the status, the operation and the rate-limit headers; the rest is the body.
#![no_main]

use auth0_mfa_wasm::api::associate::{self, EnrollTarget};
use auth0_mfa_wasm::api::{Operation, authenticators, challenge, classify_error, token};
use auth0_mfa_wasm::error::Error;
use auth0_mfa_wasm::http::HttpResponse;
use libfuzzer_sys::fuzz_target;

const STATUSES: [u16; 16] = [200, 201, 204, 400, 401, 403, 404, 409, 429, 500, 502, 503, 0, 299, 300, 600];

fuzz_target!(|data: &[u8]| {
    let [status, operation, headers, body @ ..] = data else { return };
    let mut response = HttpResponse::new(STATUSES[usize::from(status & 15)], String::from_utf8_lossy(body));
    if headers & 1 != 0 {
        response = response.with_header("retry-after", format!("{}", headers >> 2));
    }
    if headers & 2 != 0 {
        response = response.with_header("x-ratelimit-reset", "1700000000");
    }
    let operation = Operation::ALL[usize::from(*operation) % Operation::ALL.len()];
    check(&classify_error(&response, operation));
    let errors = [
        token::parse_tokens(&response, operation).err(),
        token::parse_push_poll(&response).err(),
        authenticators::parse_list_for(&response, operation).err(),
        authenticators::parse_delete(&response).err(),
        challenge::parse(&response).err(),
    ];
    errors.iter().flatten().for_each(check);
    let target = match operation {
        Operation::OtpGrant => EnrollTarget::Otp,
        Operation::OobGrant { binding: true } => EnrollTarget::Sms { phone_number: "+15551234567".into() },
        Operation::OobGrant { binding: false } => EnrollTarget::Push,
        Operation::Challenge => EnrollTarget::Email { email: "a@example.com".into() },
        _ => EnrollTarget::Voice { phone_number: "+15551234567".into() },
    };
    if let Err(error) = associate::parse(&response, &target) {
        check(&error);
    }
});

/// A typed error carries a code and a message.
fn check(error: &Error) {
    assert!(!error.code().is_empty());
    assert!(!error.to_string().is_empty());
    let _ = (error.is_retryable(), error.requires_restart(), error.status(), error.retry_after());
}

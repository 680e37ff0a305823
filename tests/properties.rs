//! Property tests of the wire parsers: every body, however broken, is answered with a value or a typed error.
#![cfg(not(target_arch = "wasm32"))]

use auth0_mfa_wasm::api::associate::{self, EnrollTarget};
use auth0_mfa_wasm::api::{Operation, authenticators, challenge, classify_error, token};
use auth0_mfa_wasm::code::ErrorCode;
use auth0_mfa_wasm::error::{Error, ResponseProblem};
use auth0_mfa_wasm::http::HttpResponse;
use proptest::prelude::*;

/// Enough cases to find edge cases over repeated runs while `cargo test` stays quick.
fn config() -> ProptestConfig {
    // Failures are reported with their minimal input; no regression files are written into the source tree.
    ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() }
}

// ---------------------------------------------------------------------------------------------------------------
// Wire parsers

const FIELD_NAMES: &[&str] = &[
    "access_token",
    "id_token",
    "refresh_token",
    "token_type",
    "expires_in",
    "scope",
    "recovery_code",
    "error",
    "error_description",
    "message",
    "statusCode",
    "mfa_token",
    "mfa_requirements",
    "challenge",
    "enroll",
    "type",
    "id",
    "authenticator_type",
    "active",
    "oob_channel",
    "oob_channels",
    "name",
    "secret",
    "barcode_uri",
    "oob_code",
    "binding_method",
    "recovery_codes",
    "challenge_type",
];

const WORDS: &[&str] = &[
    "",
    "mfa_required",
    "invalid_grant",
    "expired_token",
    "invalid_request",
    "invalid_token",
    "authorization_pending",
    "slow_down",
    "access_denied",
    "unauthorized",
    "too_many_attempts",
    "too_many_requests",
    "blocked_user",
    "server_error",
    "unsupported_challenge_type",
    "association_required",
    "otp",
    "oob",
    "sms",
    "voice",
    "email",
    "auth0",
    "push-notification",
    "recovery-code",
    "phone",
    "prompt",
    "Bearer",
    "Wrong email or password.",
    "MFA Authorization rejected.",
    "The oob_code has expired.",
    "Malformed mfa_token",
    "mfa_token is expired",
    "Invalid otp_code.",
    "User is blocked",
    "User is already enrolled.",
    "totp|dev_abc",
    "sms|dev_1",
    "otpauth://totp/T:u?secret=JBSWY3DPEHPK3PXP",
];

/// A JSON string literal with the escapes JSON requires.
fn quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c < ' ' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// String literals; with `broken`, also invalid escapes and lone surrogates.
fn json_string(broken: bool) -> impl Strategy<Value = String> {
    let escapes = if broken {
        "\"([a-z]|\\\\[\"\\\\/bfnrtx]|\\\\u[0-9a-fA-F]{4}|\\\\u[dD][89abAB][0-9a-f]{2}\\\\u[dD][c-fC-F][0-9a-f]{2}){0,6}\""
    } else {
        "\"([a-z]|\\\\[\"\\\\/bfnrt]|\\\\u00[0-9a-fA-F]{2}|\\\\u[dD][89abAB][0-9a-f]{2}\\\\u[dD][c-fC-F][0-9a-f]{2}){0,6}\""
    };
    prop_oneof![prop::sample::select(WORDS).prop_map(quote), "\\PC{0,12}".prop_map(|s| quote(&s)), escapes]
}

fn json_value() -> impl Strategy<Value = String> {
    json_value_of(true)
}

/// Any JSON value; with `broken`, its strings may be invalid.
fn json_value_of(broken: bool) -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("false".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        "-?(0|[1-9][0-9]{0,24})(\\.[0-9]{1,3})?([eE][+-]?[0-9]{1,3})?",
        json_string(broken),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(|items| format!("[{}]", items.join(","))),
            object_of(inner, broken),
        ]
    })
}

/// An object of known and unknown field names, repeated fields included.
fn object_of(values: impl Strategy<Value = String>, broken: bool) -> impl Strategy<Value = String> {
    let key = prop_oneof![4 => prop::sample::select(FIELD_NAMES).prop_map(quote), 1 => json_string(broken)];
    prop::collection::vec((key, values), 0..10).prop_map(|fields| {
        let fields: Vec<String> = fields.into_iter().map(|(k, v)| format!("{k}:{v}")).collect();
        format!("{{{}}}", fields.join(","))
    })
}

/// Bodies: Auth0-like objects, any JSON, JSON cut short or damaged, HTML pages, arbitrary text, with and without
/// the prefixes proxies add.
fn body() -> impl Strategy<Value = String> {
    let json = prop_oneof![3 => object_of(json_value(), true), 1 => json_value()];
    let damaged = (json_value(), any::<prop::sample::Index>(), "\\PC{0,2}").prop_map(|(text, at, insert)| {
        let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
        let cut = boundaries[at.index(boundaries.len())];
        format!("{}{insert}", &text[..cut])
    });
    let html = "<html><head><title>[ a-zA-Z0-9=&\"<>é-]{0,100}</title></head><body>\\PC{0,20}</body></html>";
    let prefix = prop::sample::select(vec!["", "", "", "\u{feff}", ")]}'", ")]}',\n", "while(1);", "for(;;);", " \n"]);
    (prefix, prop_oneof![4 => json, 2 => damaged, 1 => html, 1 => "\\PC{0,40}", 1 => ".{0,40}"])
        .prop_map(|(prefix, body)| format!("{prefix}{body}"))
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        3 => prop::sample::select(vec![200, 201, 204, 299, 300, 400, 401, 403, 404, 429, 500, 502, 503]),
        1 => any::<u16>(),
    ]
}

fn response() -> impl Strategy<Value = HttpResponse> {
    let header_value = prop_oneof!["[0-9]{1,22}", " ?[0-9]{1,5} ?", "\\PC{0,8}"];
    (status(), body(), prop::option::of(header_value.clone()), prop::option::of(header_value)).prop_map(
        |(status, body, retry_after, reset)| {
            let mut response = HttpResponse::new(status, body);
            if let Some(value) = retry_after {
                response = response.with_header("Retry-After", value);
            }
            if let Some(value) = reset {
                response = response.with_header("X-RateLimit-Reset", value);
            }
            response
        },
    )
}

fn targets() -> [EnrollTarget; 5] {
    [
        EnrollTarget::Otp,
        EnrollTarget::Sms { phone_number: "+15551234567".into() },
        EnrollTarget::Voice { phone_number: "+15551234567".into() },
        EnrollTarget::Email { email: "a@example.com".into() },
        EnrollTarget::Push,
    ]
}

/// A typed error is one the caller can switch on: its code is one of the stable codes, one an Auth0 answer can
/// give (never an argument, state or OTP code), and a redirect is always an invalid response.
fn check(error: &Error, response: &HttpResponse) -> Result<(), TestCaseError> {
    let code = error.error_code();
    prop_assert!(ErrorCode::ALL.contains(&code), "{:?}", code);
    let never_from_a_response =
        [ErrorCode::InvalidArgument, ErrorCode::InvalidState, ErrorCode::InvalidSecret, ErrorCode::InvalidBase32];
    prop_assert!(!never_from_a_response.contains(&code), "{:?} for HTTP {}", code, response.status);
    if (300..400).contains(&response.status) {
        prop_assert_eq!(code, ErrorCode::InvalidResponse);
    }
    Ok(())
}

/// Responses whose error code is fixed by their class, whatever their text: each with the code it must get.
fn classified_response() -> impl Strategy<Value = (HttpResponse, &'static str)> {
    // Digits only: no description can hold a word the classifier looks for ("expired", "blocked", …).
    let description = "[0-9 ]{0,20}";
    let non_json = prop_oneof![
        Just(String::new()),
        "<html><head><title>[a-zA-Z ]{0,20}</title></head><body>[a-z ]{0,20}</body></html>",
        "[a-zA-Z ]{1,20}",
    ];
    let table = prop::sample::select(vec![
        ("unsupported_challenge_type", "enrollment_required"),
        ("association_required", "enrollment_required"),
        ("invalid_user_password", "invalid_credentials"),
        ("too_many_attempts", "too_many_attempts"),
        ("too_many_logins", "too_many_attempts"),
        ("too_many_requests", "rate_limited"),
        ("password_leaked", "password_leaked"),
        ("requires_verification", "verification_required"),
        ("unauthorized_client", "unauthorized_client"),
        ("authorization_pending", "authorization_pending"),
        ("slow_down", "slow_down"),
        ("blocked_user", "user_blocked"),
        ("server_error", "server_error"),
        ("temporarily_unavailable", "server_error"),
    ]);
    prop_oneof![
        // A redirect, whatever it carries.
        ((300u16..400), body()).prop_map(|(status, body)| (HttpResponse::new(status, body), "invalid_response")),
        // Not JSON: a rate limit on 429, else unreadable (400 and 5xx: no endpoint bears the mfa_token on those).
        (prop::sample::select(vec![400u16, 403, 404, 500, 502, 503, 504]), non_json.clone())
            .prop_map(|(status, body)| (HttpResponse::new(status, body), "invalid_response")),
        non_json.prop_map(|body| (HttpResponse::new(429, body), "rate_limited")),
        // Auth0 error codes that mean one thing on every endpoint.
        (prop::sample::select(vec![400u16, 401, 403, 429, 500]), table, description).prop_map(
            |(status, (error, code), description)| {
                let body = format!(r#"{{"error":"{error}","error_description":"{description}"}}"#);
                (HttpResponse::new(status, body), code)
            }
        ),
        // mfa_required with a token, on any status Auth0 uses for it.
        prop::sample::select(vec![401u16, 403]).prop_map(|status| {
            let body = r#"{"error":"mfa_required","error_description":"Multifactor authentication required","mfa_token":"tok"}"#;
            (HttpResponse::new(status, body), "mfa_required")
        }),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_parser_answers_every_response(response in response()) {
        for operation in Operation::ALL {
            check(&classify_error(&response, operation), &response)?;
            if let Err(error) = token::parse_tokens(&response, operation) {
                check(&error, &response)?;
            }
            if let Err(error) = authenticators::parse_list_for(&response, operation) {
                check(&error, &response)?;
            }
        }
        for target in targets() {
            if let Err(error) = associate::parse(&response, &target) {
                check(&error, &response)?;
            }
        }
        let results = [
            token::parse_push_poll(&response).err(),
            authenticators::parse_list(&response).err(),
            authenticators::parse_delete(&response).err(),
            challenge::parse(&response).err(),
        ];
        for error in results.iter().flatten() {
            check(error, &response)?;
        }
    }

    #[test]
    fn each_class_of_error_answer_gets_its_code_on_every_endpoint((response, code) in classified_response()) {
        for operation in Operation::ALL {
            let error = classify_error(&response, operation);
            prop_assert_eq!(error.code(), code, "{:?} for {:?}", operation, response);
        }
    }

    #[test]
    fn a_success_body_cut_short_is_truncated_or_empty(body in object_of(json_value_of(false), false), at in any::<prop::sample::Index>()) {
        let boundaries: Vec<usize> = body.char_indices().map(|(i, _)| i).collect();
        let cut = &body[..boundaries[at.index(boundaries.len())]];
        let error = token::parse_tokens(&HttpResponse::new(200, cut), Operation::PasswordGrant).unwrap_err();
        let problem = if cut.is_empty() { ResponseProblem::Empty } else { ResponseProblem::Truncated };
        prop_assert!(
            matches!(&error, Error::InvalidResponse { problem: p, .. } if *p == problem),
            "{:?} for {:?}", error, cut
        );
    }
}

//! Property tests: base32 and Key URI round trips, HOTP/TOTP against an independent reference, and the wire
//! parsers' promise to answer every body, however broken, with a value or a typed error.
#![cfg(not(target_arch = "wasm32"))]

use auth0_mfa_wasm::api::associate::{self, EnrollTarget};
use auth0_mfa_wasm::api::{Operation, authenticators, challenge, classify_error, token};
use auth0_mfa_wasm::code::ErrorCode;
use auth0_mfa_wasm::error::{Error, ResponseProblem};
use auth0_mfa_wasm::http::HttpResponse;
use auth0_mfa_wasm::otp::{Algorithm, Digits, Hotp, Key, KeyUri, Match, OtpKind, Secret, Totp, base32};
use core::num::NonZeroU64;
use hmac::{Hmac, KeyInit, Mac};
use proptest::prelude::*;

/// Enough cases to find edge cases over repeated runs while `cargo test` stays quick.
fn config() -> ProptestConfig {
    // Failures are reported with their minimal input; no regression files are written into the source tree.
    ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() }
}

// ---------------------------------------------------------------------------------------------------------------
// Base32

/// How a person might retype an encoded secret: any letter in lower case, separators between symbols, and
/// padding that is complete, partial or absent.
fn retyped(encoded: &str, lower: &[bool], separators: &[Option<char>], padding: usize) -> String {
    let mut text = String::new();
    for (i, c) in encoded.chars().enumerate() {
        text.push(if lower.get(i).copied().unwrap_or(false) { c.to_ascii_lowercase() } else { c });
        if let Some(Some(separator)) = separators.get(i) {
            text.push(*separator);
        }
    }
    let full = (8 - encoded.len() % 8) % 8;
    text.extend(std::iter::repeat_n('=', padding.min(full)));
    text
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn base32_round_trips(bytes in prop::collection::vec(any::<u8>(), 0..80)) {
        let encoded = base32::encode(&bytes);
        prop_assert_eq!(encoded.len(), (bytes.len() * 8).div_ceil(5));
        prop_assert!(encoded.bytes().all(|b| matches!(b, b'A'..=b'Z' | b'2'..=b'7')), "{}", encoded);
        prop_assert_eq!(base32::decode(&encoded).unwrap(), bytes);
    }

    #[test]
    fn base32_decodes_lenient_forms(
        bytes in prop::collection::vec(any::<u8>(), 0..80),
        lower in prop::collection::vec(any::<bool>(), 0..128),
        separators in prop::collection::vec(prop::option::weighted(0.2, prop::sample::select(vec![' ', '-', '\t', '\n', '\r'])), 0..128),
        padding in 0usize..8,
    ) {
        let text = retyped(&base32::encode(&bytes), &lower, &separators, padding);
        prop_assert_eq!(base32::decode(&text).unwrap(), bytes, "{:?}", text);
    }

    #[test]
    fn base32_decoding_any_text_is_typed_and_canonical(text in "[A-Za-z0-9=\\- \t+/é]{0,40}|\\PC{0,20}") {
        // Whatever decodes re-encodes to a form that decodes to the same bytes.
        if let Ok(bytes) = base32::decode(&text) {
            prop_assert_eq!(base32::decode(&base32::encode(&bytes)).unwrap(), bytes);
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Key URIs

fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop::sample::select(vec![Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512])
}

fn digits() -> impl Strategy<Value = Digits> {
    (6u32..=8).prop_map(|d| Digits::new(d).unwrap())
}

fn secret() -> impl Strategy<Value = Secret> {
    prop_oneof![
        4 => prop::collection::vec(any::<u8>(), 10..=64),
        1 => prop::collection::vec(any::<u8>(), 10..=1024),
    ]
    .prop_map(|bytes| Secret::from_bytes(bytes).unwrap())
}

fn kind() -> impl Strategy<Value = OtpKind> {
    prop_oneof![
        prop_oneof![1u64..=120, any::<u64>().prop_filter("non-zero", |p| *p > 0)]
            .prop_map(|p| OtpKind::Totp { period: NonZeroU64::new(p).unwrap() }),
        prop_oneof![0u64..1000, any::<u64>()].prop_map(|counter| OtpKind::Hotp { counter }),
    ]
}

/// Names as people write them: Unicode, and the characters URIs give a meaning to.
fn name() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 :+&%=?#/@.,;'\"<>\\\\é日本😀\u{a0}-]{0,16}"
}

fn key_uri() -> impl Strategy<Value = KeyUri> {
    (kind(), secret(), algorithm(), digits(), name(), prop::option::of(name()), prop::option::of(name())).prop_map(
        |(kind, secret, algorithm, digits, account, issuer, label_issuer)| KeyUri {
            kind,
            key: Key { secret, algorithm, digits, account, issuer, label_issuer },
        },
    )
}

/// What parsing a built URI gives back: the builder writes the issuer parameter into the label when there is no
/// label issuer, and an empty or blank issuer is no issuer.
fn as_reparsed(uri: &KeyUri) -> KeyUri {
    let key = &uri.key;
    let label_issuer = key.label_issuer.as_deref().or(key.issuer.as_deref()).map(str::trim).filter(|i| !i.is_empty());
    // The builder writes an issuer prefix, empty if need be, whenever there is an issuer or the account has a colon.
    let prefixed = key.label_issuer.is_some() || key.issuer.is_some() || key.account.contains(':');
    let key = Key {
        label_issuer: label_issuer.map(str::to_owned),
        issuer: key.issuer.clone().filter(|i| !i.is_empty()),
        // Spaces after `Issuer:` are optional and not part of the account.
        account: if prefixed { key.account.trim_start().to_owned() } else { key.account.clone() },
        ..key.clone()
    };
    KeyUri { key, ..uri.clone() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn key_uri_round_trips(key in key_uri()) {
        let uri = key.to_uri();
        let parsed = KeyUri::parse(&uri);
        prop_assert_eq!(parsed, Ok(as_reparsed(&key)), "{}", uri);
    }

    #[test]
    fn key_uri_round_trips_through_hotp_and_totp(key in key_uri()) {
        let uri = key.to_uri();
        match key.kind {
            OtpKind::Totp { .. } => {
                let totp = Totp::from_uri(&uri).unwrap();
                prop_assert_eq!(Totp::from_uri(&totp.to_uri()).unwrap().key_uri(), as_reparsed(&totp.key_uri()));
                prop_assert!(Hotp::from_uri(&uri).is_err());
            }
            OtpKind::Hotp { .. } => {
                let hotp = Hotp::from_uri(&uri).unwrap();
                prop_assert_eq!(Hotp::from_uri(&hotp.to_uri()).unwrap().key_uri(), as_reparsed(&hotp.key_uri()));
                prop_assert!(Totp::from_uri(&uri).is_err());
            }
        }
    }

    #[test]
    fn key_uri_parsing_any_text_is_typed(
        text in prop_oneof![
            "\\PC{0,60}",
            "(otpauth|OTPAUTH)://(totp|hotp|x)/[a-zA-Z:%0-9é ]{0,10}\\?((secret|issuer|algorithm|digits|period|counter|SECRET)=[A-Za-z0-9%+=: -]{0,12}&?){0,6}",
        ],
    ) {
        if let Err(error) = KeyUri::parse(&text) {
            prop_assert!(!error.to_string().is_empty());
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// HOTP and TOTP against a reference written from RFC 4226 §5.3 and RFC 6238 §4

fn reference_mac(algorithm: Algorithm, key: &[u8], message: &[u8]) -> Vec<u8> {
    match algorithm {
        Algorithm::Sha1 => {
            let mut mac = Hmac::<sha1::Sha1>::new_from_slice(key).unwrap();
            mac.update(message);
            mac.finalize().into_bytes().to_vec()
        }
        Algorithm::Sha256 => {
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
            mac.update(message);
            mac.finalize().into_bytes().to_vec()
        }
        Algorithm::Sha512 => {
            let mut mac = Hmac::<sha2::Sha512>::new_from_slice(key).unwrap();
            mac.update(message);
            mac.finalize().into_bytes().to_vec()
        }
    }
}

fn reference_hotp(key: &[u8], counter: u64, algorithm: Algorithm, digits: u32) -> String {
    let hash = reference_mac(algorithm, key, &counter.to_be_bytes());
    let offset = usize::from(hash[hash.len() - 1] & 0x0f);
    let binary = (u32::from(hash[offset]) & 0x7f) << 24
        | u32::from(hash[offset + 1]) << 16
        | u32::from(hash[offset + 2]) << 8
        | u32::from(hash[offset + 3]);
    let code = binary % 10u32.pow(digits);
    format!("{code:0width$}", width = digits as usize)
}

/// The match `verify` should answer: of the steps in `center - behind ..= center + ahead` (and after the replay
/// guard) whose code matches, the nearest, the earlier one on a tie.
fn reference_verify(
    key: &[u8],
    algorithm: Algorithm,
    digits: u32,
    code: &str,
    center: u64,
    (behind, ahead): (u32, u32),
    after: Option<u64>,
) -> Option<Match> {
    let matches = (-i64::from(behind)..=i64::from(ahead)).filter_map(|delta| {
        let counter = center.checked_add_signed(delta)?;
        let hit = after.is_none_or(|after| counter > after) && reference_hotp(key, counter, algorithm, digits) == code;
        hit.then_some(Match { delta, counter })
    });
    matches.fold(None, |best: Option<Match>, found| match best {
        Some(b) if b.delta.abs() <= found.delta.abs() => Some(b),
        _ => Some(found),
    })
}

fn counter() -> impl Strategy<Value = u64> {
    prop_oneof![0u64..200, any::<u64>(), (u64::MAX - 200)..=u64::MAX]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn hotp_matches_the_reference(secret in secret(), counter in counter(), algorithm in algorithm(), digits in digits()) {
        let hotp = Hotp::from(Key { algorithm, digits, ..Key::new(secret.clone()) });
        prop_assert_eq!(hotp.generate(counter), reference_hotp(secret.as_bytes(), counter, algorithm, digits.get()));
    }

    #[test]
    fn totp_matches_the_reference(
        secret in secret(),
        time in prop_oneof![0u64..4_000_000_000, any::<u64>()],
        period in prop_oneof![1u64..=120, any::<u64>().prop_filter("non-zero", |p| *p > 0)],
        algorithm in algorithm(),
        digits in digits(),
    ) {
        let period = NonZeroU64::new(period).unwrap();
        let totp = Totp { period, ..Key { algorithm, digits, ..Key::new(secret.clone()) }.into() };
        let step = time / period.get();
        prop_assert_eq!(totp.counter(time), step);
        prop_assert_eq!(totp.generate(time), reference_hotp(secret.as_bytes(), step, algorithm, digits.get()));
        prop_assert!((1..=period.get()).contains(&totp.remaining(time)));
    }

    #[test]
    fn hotp_verify_finds_the_offsets_the_reference_finds(
        secret in secret(),
        center in counter(),
        window in prop_oneof![0u32..=3, 0u32..=10],
        look_behind in prop_oneof![Just(0u32), 0u32..=3, 0u32..=10],
        distance in -12i64..=12,
        after in prop::option::of(prop_oneof![counter(), Just(0u64)]),
        algorithm in algorithm(),
        digits in digits(),
        spaced in any::<bool>(),
    ) {
        let hotp = Hotp::from(Key { algorithm, digits, ..Key::new(secret.clone()) });
        let target = center.saturating_add_signed(distance);
        let code = reference_hotp(secret.as_bytes(), target, algorithm, digits.get());
        let typed = if spaced { format!(" {}-{} ", &code[..3], &code[3..]) } else { code.clone() };
        let expected =
            reference_verify(secret.as_bytes(), algorithm, digits.get(), &code, center, (look_behind, window), after);
        prop_assert_eq!(hotp.verify(&typed, center, window, look_behind, after), Ok(expected));
    }

    #[test]
    fn totp_verify_finds_the_offsets_the_reference_finds(
        secret in secret(),
        time in 0u64..4_000_000_000,
        period in 1u64..=90,
        window in 0u32..=4,
        distance in -6i64..=6,
        after_back in prop::option::of(0u64..8),
        algorithm in algorithm(),
        digits in digits(),
    ) {
        let key = Key { algorithm, digits, ..Key::new(secret.clone()) };
        let totp = Totp { period: NonZeroU64::new(period).unwrap(), ..key.into() };
        let step = time / period;
        let after = after_back.map(|back| step.saturating_sub(back));
        let code = reference_hotp(secret.as_bytes(), step.saturating_add_signed(distance), algorithm, digits.get());
        let expected = reference_verify(secret.as_bytes(), algorithm, digits.get(), &code, step, (window, window), after);
        prop_assert_eq!(totp.verify(&code, time, window, after), Ok(expected));
    }

    #[test]
    fn secrets_under_80_bits_are_refused_and_80_to_127_are_weak(bytes in prop::collection::vec(any::<u8>(), 0..=20)) {
        match Secret::from_bytes(bytes.clone()) {
            Err(error) => {
                prop_assert!(bytes.len() < 10, "{} bytes refused", bytes.len());
                prop_assert_eq!(error.code(), "invalid_secret");
            }
            Ok(secret) => {
                prop_assert!(bytes.len() >= 10, "{} bytes accepted", bytes.len());
                prop_assert_eq!(secret.is_weak(), bytes.len() < 16);
            }
        }
    }

    #[test]
    fn verify_refuses_malformed_codes_and_wide_windows(
        secret in secret(),
        code in "[0-9 a-z-]{0,12}|\\PC{0,10}",
        window in 0u32..=20,
    ) {
        let hotp = Hotp::new(secret);
        let result = hotp.verify(&code, 10, window, 0, None);
        if window > 10 {
            prop_assert!(result.is_err());
        } else if code.chars().filter(|c| !c.is_whitespace() && *c != '-').any(|c| !c.is_ascii_digit()) {
            prop_assert_eq!(result, Ok(None));
        }
    }
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

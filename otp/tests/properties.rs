//! Property tests: base32 and Key URI round trips, and HOTP/TOTP against an independent reference.
#![cfg(not(target_arch = "wasm32"))]

use auth0_mfa_otp::{Algorithm, Digits, Hotp, Key, KeyUri, Match, OtpKind, Secret, Totp, base32};
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

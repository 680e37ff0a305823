//! Parsing any text never panics; a parsed key rebuilds into a URI that parses to the same codes.
#![no_main]

use auth0_mfa_wasm::otp::{Hotp, KeyUri, MAX_WINDOW, OtpKind, Totp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let key = match KeyUri::parse(text) {
        Ok(key) => key,
        Err(error) => {
            assert!(!error.to_string().is_empty());
            return;
        }
    };
    let again = KeyUri::parse(&key.to_uri()).expect("a built URI parses");
    assert_eq!((again.kind, again.key.algorithm, again.key.digits), (key.kind, key.key.algorithm, key.key.digits));
    assert_eq!(again.key.secret, key.key.secret);
    assert_eq!(again.key.issuer, key.key.issuer);
    match key.kind {
        OtpKind::Totp { .. } => {
            let totp = Totp::try_from(key).unwrap();
            let _ = (totp.generate(u64::MAX), totp.verify("000000", u64::MAX, MAX_WINDOW, None));
        }
        OtpKind::Hotp { .. } => {
            let hotp = Hotp::try_from(key).unwrap();
            let _ = (hotp.generate(u64::MAX), hotp.verify("000000", u64::MAX, MAX_WINDOW, MAX_WINDOW, Some(u64::MAX)));
        }
    }
});

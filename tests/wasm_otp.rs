//! The OTP core and its JavaScript facade, compiled to wasm and run by wasm-bindgen-test in Chromium, Firefox, a
//! dedicated worker and Node (`cargo xtask test` runs all four).
#![cfg(target_arch = "wasm32")]

use auth0_mfa_wasm::js::{self, Hotp as JsHotp, Totp as JsTotp};
use auth0_mfa_wasm::otp::{Algorithm, Digits, Hotp, Key, Secret, Totp};
use js_sys::{Array, Date, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (name, value) in fields {
        Reflect::set(&object, &JsValue::from_str(name), value).unwrap();
    }
    object.into()
}

fn code_of(error: JsValue) -> String {
    assert!(error.is_instance_of::<js_sys::Error>(), "not an Error: {error:?}");
    assert_eq!(Reflect::get(&error, &"name".into()).unwrap().as_string().as_deref(), Some("Auth0MfaError"));
    Reflect::get(&error, &"code".into()).unwrap().as_string().expect("error has a string code")
}

fn rfc6238_key(algorithm: Algorithm) -> Totp {
    let seed: &[u8] = match algorithm {
        Algorithm::Sha1 => b"12345678901234567890",
        Algorithm::Sha256 => b"12345678901234567890123456789012",
        Algorithm::Sha512 => b"1234567890123456789012345678901234567890123456789012345678901234",
    };
    Key { algorithm, digits: Digits::new(8).unwrap(), ..Key::new(Secret::from_bytes(seed.to_vec()).unwrap()) }.into()
}

#[wasm_bindgen_test]
fn rfc6238_appendix_b_in_wasm() {
    let vectors: [(u64, [&str; 3]); 6] = [
        (59, ["94287082", "46119246", "90693936"]),
        (1_111_111_109, ["07081804", "68084774", "25091201"]),
        (1_111_111_111, ["14050471", "67062674", "99943326"]),
        (1_234_567_890, ["89005924", "91819424", "93441116"]),
        (2_000_000_000, ["69279037", "90698825", "38618901"]),
        (20_000_000_000, ["65353130", "77737706", "47863826"]),
    ];
    for (time, codes) in vectors {
        for (algorithm, code) in [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512].into_iter().zip(codes) {
            assert_eq!(rfc6238_key(algorithm).generate(time), code, "{algorithm} at {time}");
        }
    }
}

#[wasm_bindgen_test]
fn rfc4226_appendix_d_in_wasm() {
    let hotp = Hotp::new(Secret::from_bytes(b"12345678901234567890".to_vec()).unwrap());
    let expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];
    for (counter, code) in expected.iter().enumerate() {
        assert_eq!(hotp.generate(counter as u64), *code);
    }
}

#[wasm_bindgen_test]
fn facade_generates_rfc_codes_from_an_options_object_and_milliseconds() {
    let seed = Uint8Array::from(&b"12345678901234567890123456789012"[..]);
    let totp =
        JsTotp::new(object(&[("secret", seed.into()), ("algorithm", "SHA256".into()), ("digits", 8.into())])).unwrap();
    assert_eq!(totp.generate(Some(JsValue::from_f64(59_000.0))).unwrap(), "46119246");
    let date = Date::new(&JsValue::from_f64(1_111_111_109_000.0));
    assert_eq!(totp.generate(Some(date.into())).unwrap(), "68084774");
    assert_eq!(totp.remaining(Some(JsValue::from_f64(59_000.0))).unwrap(), 1.0);
    assert_eq!(totp.counter(Some(JsValue::from_f64(60_000.0))).unwrap(), 2.0);
}

fn field(value: &JsValue, name: &str) -> Option<f64> {
    Reflect::get(value, &name.into()).unwrap().as_f64()
}

#[wasm_bindgen_test]
fn facade_verify_returns_the_step_or_null_and_guards_replays() {
    let totp = JsTotp::new(object(&[("secret", "jbsw y3dp ehpk 3pxp".into())])).unwrap();
    assert!(totp.weak(), "an 80-bit secret is accepted and reported weak");
    let now = 1_700_000_000_000.0;
    let previous = totp.generate(Some(JsValue::from_f64(now - 30_000.0))).unwrap();
    let at_now = |extra: &[(&str, JsValue)]| {
        let mut fields = vec![("time", JsValue::from_f64(now))];
        fields.extend(extra.iter().cloned());
        Some(object(&fields))
    };
    let step = totp.counter(Some(JsValue::from_f64(now))).unwrap();
    let found = totp.verify(previous.clone().into(), at_now(&[])).unwrap();
    assert_eq!((field(&found, "delta"), field(&found, "step")), (Some(-1.0), Some(step - 1.0)));
    let spaced = format!("{} {}", &previous[..3], &previous[3..]);
    assert_eq!(field(&totp.verify(spaced.into(), at_now(&[])).unwrap(), "delta"), Some(-1.0));
    assert!(totp.verify(previous.clone().into(), at_now(&[("window", 0.into())])).unwrap().is_null());
    let wide = at_now(&[("window", 11.into())]);
    assert_eq!(code_of(totp.verify(previous.clone().into(), wide).unwrap_err()), "invalid_option");
    let guarded = at_now(&[("afterStep", JsValue::from_f64(step - 1.0))]);
    assert!(totp.verify(previous.into(), guarded).unwrap().is_null(), "a code at or before afterStep is refused");
}

#[wasm_bindgen_test]
fn facade_hotp_verify_looks_ahead_only_by_default() {
    let seed = Uint8Array::from(&b"12345678901234567890"[..]);
    let hotp = JsHotp::new(object(&[("secret", seed.into()), ("counter", 4.into())])).unwrap();
    // "969429" is counter 3's code: accepted before, so the key now expects 4.
    assert!(hotp.verify("969429".into(), None).unwrap().is_null(), "the last accepted code is refused");
    let behind = hotp.verify("969429".into(), Some(object(&[("lookBehind", 1.into())]))).unwrap();
    assert_eq!((field(&behind, "delta"), field(&behind, "counter")), (Some(-1.0), Some(3.0)));
    let ahead = hotp.verify("254676".into(), None).unwrap();
    assert_eq!((field(&ahead, "delta"), field(&ahead, "counter")), (Some(1.0), Some(5.0)));
    let wide = Some(object(&[("lookBehind", 11.into())]));
    let error = hotp.verify("969429".into(), wide).unwrap_err();
    assert_eq!(code_of(error.clone()), "invalid_option");
    let message = Reflect::get(&error, &"message".into()).unwrap().as_string();
    assert_eq!(message.as_deref(), Some("option lookBehind must be a whole number from 0 to 10"));
}

#[wasm_bindgen_test]
fn facade_throws_typed_errors_and_keeps_working() {
    let cases: Vec<(Result<JsTotp, JsValue>, &str)> = vec![
        (JsTotp::new(JsValue::from(42)), "invalid_argument"),
        (JsTotp::new(JsValue::UNDEFINED), "invalid_argument"),
        (JsTotp::new(object(&[])), "invalid_secret"),
        (JsTotp::new(object(&[("secret", "JBSWY3DP!".into())])), "invalid_secret"),
        (JsTotp::new(object(&[("secret", "JBSWY3DPEHPK3PX".into())])), "invalid_secret"),
        (JsTotp::new(object(&[("secret", "JBSWY3DPEHPK3PXP".into()), ("digits", 9.into())])), "invalid_option"),
        (JsTotp::new(object(&[("secret", "JBSWY3DPEHPK3PXP".into()), ("period", (-30).into())])), "invalid_option"),
        (JsTotp::new(object(&[("secret", "JBSWY3DPEHPK3PXP".into()), ("algorithm", "MD5".into())])), "invalid_option"),
        (JsTotp::from_uri("https://example.com".into()), "invalid_uri"),
        (JsTotp::from_uri(JsValue::NULL), "invalid_argument"),
    ];
    for (result, code) in cases {
        assert_eq!(code_of(result.err().expect("bad input is refused")), code);
    }
    let totp = JsTotp::new(object(&[("secret", "JBSWY3DPEHPK3PXP".into())])).unwrap();
    assert_eq!(code_of(totp.generate(Some(JsValue::from_f64(f64::NAN))).unwrap_err()), "invalid_time");
    assert_eq!(code_of(totp.generate(Some(JsValue::from_f64(-1.0))).unwrap_err()), "invalid_time");
    assert_eq!(code_of(totp.generate(Some("yesterday".into())).unwrap_err()), "invalid_time");
    assert_eq!(code_of(totp.verify(123456.into(), None).unwrap_err()), "invalid_code");
    let huge = "A".repeat(10 * 1024 * 1024);
    assert_eq!(code_of(js::base32_decode(huge.into()).unwrap_err()), "invalid_argument");
    assert_eq!(code_of(js::base32_decode("MZXW 1YTB".into()).unwrap_err()), "invalid_base32");
    assert_eq!(code_of(js::generate_secret(Some(8.into())).unwrap_err()), "invalid_argument");
    // After all of that the module still answers correctly.
    let hotp = JsHotp::new(object(&[("secret", Uint8Array::from(&b"12345678901234567890"[..]).into())])).unwrap();
    assert_eq!(hotp.generate(Some(9.into())).unwrap(), "520489");
}

#[wasm_bindgen_test]
fn facade_secrets_and_uris_round_trip() {
    let secret = js::generate_secret(None).unwrap();
    assert_eq!(secret.len(), 32);
    assert_eq!(js::base32_decode(secret.clone().into()).unwrap().length(), 20);
    let totp = JsTotp::new(object(&[
        ("secret", secret.clone().into()),
        ("account", "user@example.com".into()),
        ("issuer", "My Test Tenant".into()),
    ]))
    .unwrap();
    let uri = totp.to_uri();
    assert!(uri.starts_with("otpauth://totp/My%20Test%20Tenant:user%40example.com?secret="), "{uri}");
    let info = js::parse_key_uri(uri.into()).unwrap();
    let field = |name: &str| Reflect::get(&info, &name.into()).unwrap();
    assert_eq!(field("type").as_string().as_deref(), Some("totp"));
    assert_eq!(field("secret").as_string(), Some(secret));
    assert_eq!(field("issuer").as_string().as_deref(), Some("My Test Tenant"));
    assert_eq!(field("period").as_f64(), Some(30.0));
    assert_eq!(field("weak").as_bool(), Some(false));
    let bytes = Uint8Array::from(&b"foobar"[..]);
    assert_eq!(js::base32_encode(bytes.into()).unwrap(), "MZXW6YTBOI");
    assert_eq!(code_of(js::base32_encode(Array::new().into()).unwrap_err()), "invalid_argument");
}

/// The test command builds this suite once per host and says which; the checks below prove each run really
/// happened there. In the dedicated worker there is no `window`, so nothing the library does may reach for it.
#[wasm_bindgen_test]
fn runs_in_the_host_it_was_built_for() {
    let global = js_sys::global();
    let has = |name: &str| Reflect::has(&global, &name.into()).unwrap();
    match option_env!("AUTH0_MFA_WASM_TEST_HOST") {
        Some("worker") => {
            assert!(!has("window") && !has("document"), "a dedicated worker has no window");
            assert!(has("importScripts") && has("postMessage"), "not a worker global scope");
        }
        Some("browser") => assert!(has("window") && has("document")),
        Some("node") => {
            let process = Reflect::get(&global, &"process".into()).unwrap();
            assert!(process.is_object() && !has("window"), "not Node");
        }
        other => panic!("AUTH0_MFA_WASM_TEST_HOST is {other:?}: build this suite for worker, browser or node"),
    }
    // Secure randomness comes from the global `crypto` in every host.
    assert_eq!(js::generate_secret(None).unwrap().len(), 32);
    let _ = global.dyn_into::<Object>().unwrap();
}

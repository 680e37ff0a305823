//! The OTP module's boundary (`src/wasm.rs`), compiled to wasm and run by wasm-bindgen-test in headless Chromium and
//! Firefox (`cargo xtask test` runs both): the functions the TypeScript facade calls, with the values it passes.
#![cfg(target_arch = "wasm32")]

use auth0_mfa_otp::wasm::{NO_MATCH, key_code, key_find, key_free, key_new};
use auth0_mfa_otp::{Algorithm, Digits, Key, Secret, Totp};
use wasm_bindgen_test::wasm_bindgen_test;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const RFC4226: &[u8] = b"12345678901234567890";
const RFC4226_CODES: [u32; 10] = [755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489];

/// The facade's number of each algorithm: its place in `Algorithm::ALL`.
fn number(algorithm: Algorithm) -> u32 {
    Algorithm::ALL.iter().position(|known| *known == algorithm).unwrap() as u32
}

#[wasm_bindgen_test]
fn rfc6238_appendix_b_in_wasm_through_the_core_and_the_boundary() {
    let vectors: [(u64, [&str; 3]); 6] = [
        (59, ["94287082", "46119246", "90693936"]),
        (1_111_111_109, ["07081804", "68084774", "25091201"]),
        (1_111_111_111, ["14050471", "67062674", "99943326"]),
        (1_234_567_890, ["89005924", "91819424", "93441116"]),
        (2_000_000_000, ["69279037", "90698825", "38618901"]),
        (20_000_000_000, ["65353130", "77737706", "47863826"]),
    ];
    for algorithm in Algorithm::ALL {
        let seed: &[u8] = match algorithm {
            Algorithm::Sha1 => b"12345678901234567890",
            Algorithm::Sha256 => b"12345678901234567890123456789012",
            Algorithm::Sha512 => b"1234567890123456789012345678901234567890123456789012345678901234",
        };
        let digits = Digits::new(8).unwrap();
        let core = Totp::from(Key { algorithm, digits, ..Key::new(Secret::from_bytes(seed.to_vec()).unwrap()) });
        let handle = key_new(seed.to_vec(), number(algorithm), 8);
        for (time, codes) in vectors {
            let expected = codes[number(algorithm) as usize];
            assert_eq!(core.generate(time), expected, "{algorithm} at {time}");
            // The boundary answers the code as a number, which the facade pads to the key's digits.
            assert_eq!(format!("{:08}", key_code(handle, (time / 30) as f64)), expected, "{algorithm} at {time}");
        }
        key_free(handle);
    }
}

#[wasm_bindgen_test]
fn rfc4226_appendix_d_and_find_in_wasm() {
    let handle = key_new(RFC4226.to_vec(), 0, 6);
    for (counter, code) in RFC4226_CODES.iter().enumerate() {
        assert_eq!(key_code(handle, counter as f64), *code);
    }
    // Counter 3's code, looked for around 4: found one behind only when asked to look behind.
    assert_eq!(key_find(handle, RFC4226_CODES[3], 4.0, 0, 1, -1.0), NO_MATCH);
    assert_eq!(key_find(handle, RFC4226_CODES[3], 4.0, 1, 1, -1.0), -1);
    // The replay guard: nothing at or before `after`.
    assert_eq!(key_find(handle, RFC4226_CODES[3], 4.0, 1, 1, 3.0), NO_MATCH);
    assert_eq!(key_find(handle, RFC4226_CODES[6], 4.0, 0, 2, 3.0), 2);
    assert_eq!(key_find(handle, RFC4226_CODES[9], 0.0, 0, 10, -1.0), 9);
    assert_eq!(key_find(handle, 123_456, 4.0, 10, 10, -1.0), NO_MATCH);
    key_free(handle);
}

#[wasm_bindgen_test]
fn a_freed_handle_is_taken_by_the_next_key_and_freeing_twice_changes_nothing() {
    let first = key_new(RFC4226.to_vec(), 0, 6);
    let second = key_new(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ".to_vec(), 1, 7);
    assert_ne!(first, second);
    assert_ne!(first, 0, "0 is no handle");
    key_free(first);
    key_free(first);
    let reused = key_new(RFC4226.to_vec(), 2, 8);
    assert_eq!(reused, first, "the freed slot is reused, not a new one grown");
    let another = key_new(RFC4226.to_vec(), 0, 6);
    assert_ne!(another, reused, "a slot freed twice is handed out once");
    assert_eq!(key_code(another, 0.0), RFC4226_CODES[0]);
    assert_eq!(key_code(second, 0.0), key_code(key_new(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ".to_vec(), 1, 7), 0.0));
    for handle in [second, reused, another] {
        key_free(handle);
    }
}

/// The test command runs this suite in a browser page; the module needs nothing of the page but its memory.
#[wasm_bindgen_test]
fn runs_in_a_browser() {
    let global = js_sys::global();
    let has = |name: &str| js_sys::Reflect::has(&global, &name.into()).unwrap();
    assert!(has("window") && has("document"), "not a browser page");
}

//! Decoding any text never panics; what decodes re-encodes canonically, and encoding any bytes round-trips.
#![no_main]

use auth0_mfa_wasm::otp::base32;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(bytes) = base32::decode(&text) {
        let encoded = base32::encode(&bytes);
        assert_eq!(base32::decode(&encoded).as_deref(), Ok(bytes.as_slice()));
    } else if let Err(error) = base32::decode(&text) {
        assert!(!error.to_string().is_empty());
    }
    assert_eq!(base32::decode(&base32::encode(data)).as_deref(), Ok(data));
});

//! `Totp`, `Hotp` and the base32, secret and Key URI functions, as JavaScript sees them.

use super::error::{invalid_option, js_error, otp_error};
use super::input::{self, MAX_SAFE_INTEGER, MAX_TEXT_CHARS, Options};
use super::shapes::{hotp_match, key_uri_info, totp_match};
use crate::code::ErrorCode;
use crate::otp::{self, Algorithm, DEFAULT_SECRET_BYTES, DEFAULT_WINDOW, Digits, KeyUri, MAX_WINDOW, Secret};
use core::num::NonZeroU64;
use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

/// Longest base32 text `base32Decode` takes: what encodes `MAX_BYTES`.
const MAX_BASE32_CHARS: u32 = input::MAX_BYTES / 5 * 8 + 8;
/// A TOTP period is at most a year of seconds; anything longer is a mistake, not a policy.
const MAX_PERIOD: u64 = 31_536_000;

/// The key of `TotpOptions` or `HotpOptions`: the fields they share.
fn key_options(options: &Options) -> Result<otp::Key, JsValue> {
    let secret = match options.get("secret")? {
        None => return Err(js_error(ErrorCode::InvalidSecret, "option secret is required")),
        Some(value) if value.is_string() => {
            let text = input::text(&value, "option secret", MAX_BASE32_CHARS)?;
            Secret::from_base32(&text).map_err(otp_error)?
        }
        Some(value) if input::is_uint8_array(&value) => {
            Secret::from_bytes(input::bytes(&value, "option secret")?).map_err(otp_error)?
        }
        Some(_) => {
            return Err(js_error(ErrorCode::InvalidSecret, "option secret must be a base32 string or a Uint8Array"));
        }
    };
    let algorithm = match options.text("algorithm")? {
        None => Algorithm::default(),
        Some(name) => {
            Algorithm::parse(&name).ok_or_else(|| invalid_option("algorithm", "must be SHA1, SHA256 or SHA512"))?
        }
    };
    let digits = match options.count("digits", 6, 8)? {
        None => Digits::default(),
        Some(digits) => Digits::new(digits as u32).map_err(otp_error)?,
    };
    Ok(otp::Key {
        secret,
        algorithm,
        digits,
        account: options.text("account")?.unwrap_or_default(),
        issuer: options.text("issuer")?.filter(|issuer| !issuer.is_empty()),
        label_issuer: None,
    })
}

fn window_option(options: &Options, key: &'static str, default: u32) -> Result<u32, JsValue> {
    Ok(options.count(key, 0, u64::from(MAX_WINDOW))?.map_or(default, |w| w as u32))
}

/// The code, options and `window` of `verify`. A code that is not a string is a wrong code, as a wrong string is.
fn verify_arguments<'a>(code: &JsValue, options: Option<&'a JsValue>) -> Result<(String, Options<'a>, u32), JsValue> {
    let code = input::text(code, "code", MAX_TEXT_CHARS)
        .map_err(|_| js_error(ErrorCode::InvalidCode, "code must be a string"))?;
    let options = Options::new(options, "options")?;
    let window = window_option(&options, "window", DEFAULT_WINDOW)?;
    Ok((code, options, window))
}

fn uri_argument(uri: &JsValue) -> Result<KeyUri, JsValue> {
    let text = input::text(uri, "uri", MAX_TEXT_CHARS)?;
    KeyUri::parse(&text).map_err(otp_error)
}

/// The class `Totp` or `Hotp` over its `otp::Key` and one parameter (`period`, `counter`): constructor, `fromUri`
/// and the members both have.
macro_rules! key_members {
    (
        $doc:literal,
        $class:ident($options:literal) { $field:ident: $read:expr },
        $from_uri_doc:literal,
        $to_uri_doc:literal
    ) => {
        #[doc = $doc]
        #[wasm_bindgen]
        pub struct $class {
            inner: otp::$class,
        }

        #[wasm_bindgen]
        impl $class {
            /// Creates a key from options; throws `invalid_secret` or `invalid_option` on bad input.
            #[wasm_bindgen(constructor)]
            pub fn new(#[wasm_bindgen(unchecked_param_type = $options)] options: JsValue) -> Result<$class, JsValue> {
                let options = Options::required(&options, "options")?;
                let key = key_options(&options)?;
                let read: fn(&Options) -> Result<_, JsValue> = $read;
                Ok($class { inner: otp::$class { $field: read(&options)?, key } })
            }

            #[doc = $from_uri_doc]
            #[wasm_bindgen(js_name = fromUri)]
            pub fn from_uri(#[wasm_bindgen(unchecked_param_type = "string")] uri: JsValue) -> Result<$class, JsValue> {
                let key = uri_argument(&uri)?;
                Ok($class { inner: otp::$class::try_from(key).map_err(otp_error)? })
            }

            #[doc = $to_uri_doc]
            #[wasm_bindgen(js_name = toUri)]
            pub fn to_uri(&self) -> String {
                self.inner.to_uri()
            }

            /// The secret as upper-case base32 without padding.
            #[wasm_bindgen(getter)]
            pub fn secret(&self) -> String {
                self.inner.key.secret.to_base32()
            }

            #[wasm_bindgen(getter, unchecked_return_type = "OtpAlgorithm")]
            pub fn algorithm(&self) -> String {
                self.inner.key.algorithm.name().to_owned()
            }

            #[wasm_bindgen(getter)]
            pub fn digits(&self) -> u32 {
                self.inner.key.digits.get()
            }

            #[wasm_bindgen(getter)]
            pub fn account(&self) -> String {
                self.inner.key.account.clone()
            }

            /// The `issuer` parameter, else the issuer prefix of the label.
            #[wasm_bindgen(getter)]
            pub fn issuer(&self) -> Option<String> {
                self.inner.key.shown_issuer().map(str::to_owned)
            }

            /// True when the secret has fewer than 128 bits: it works, but deserves a warning.
            #[wasm_bindgen(getter)]
            pub fn weak(&self) -> bool {
                self.inner.key.secret.is_weak()
            }
        }
    };
}

key_members!(
    "A time-based one-time-password key (RFC 6238).",
    Totp("TotpOptions") {
        period: |options| match options.count("period", 1, MAX_PERIOD)? {
            None => Ok(otp::DEFAULT_PERIOD),
            Some(period) => NonZeroU64::new(period).ok_or_else(|| invalid_option("period", "must be at least 1")),
        }
    },
    "Reads an `otpauth://totp/…` URI, such as the `barcode_uri` Auth0 returns on enrollment.",
    "The `otpauth://totp/…` URI of this key, for a QR code."
);

#[wasm_bindgen]
impl Totp {
    /// The code at `time` (default: now).
    pub fn generate(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "Timestamp")] time: Option<JsValue>,
    ) -> Result<String, JsValue> {
        Ok(self.inner.generate(input::unix_seconds(time.as_ref())?))
    }

    /// Checks a code (spaces and hyphens ignored). Returns `{ delta, step }`: the step the code belongs to and its
    /// offset from the current one (`0`, `-1`, `1`, …), or `null`. Keep `step` and pass it as `afterStep` next time,
    /// so the same code cannot be used twice.
    #[wasm_bindgen(unchecked_return_type = "TotpMatch | null")]
    pub fn verify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "TotpVerifyOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let (code, options, window) = verify_arguments(&code, options.as_ref())?;
        let time = options.unix_seconds("time")?;
        let after_step = options.count("afterStep", 0, MAX_SAFE_INTEGER)?;
        self.inner.verify(&code, time, window, after_step).map(totp_match).map_err(otp_error)
    }

    /// Seconds until the code at `time` (default: now) is replaced, from `period` down to 1.
    pub fn remaining(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "Timestamp")] time: Option<JsValue>,
    ) -> Result<f64, JsValue> {
        Ok(self.inner.remaining(input::unix_seconds(time.as_ref())?) as f64)
    }

    /// The step counter at `time` (default: now): Unix seconds divided by the period.
    pub fn counter(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "Timestamp")] time: Option<JsValue>,
    ) -> Result<f64, JsValue> {
        Ok(self.inner.counter(input::unix_seconds(time.as_ref())?) as f64)
    }

    /// Step length in seconds.
    #[wasm_bindgen(getter)]
    pub fn period(&self) -> f64 {
        self.inner.period.get() as f64
    }
}

key_members!(
    "A counter-based one-time-password key (RFC 4226).",
    Hotp("HotpOptions") { counter: |options| Ok(options.count("counter", 0, MAX_SAFE_INTEGER)?.unwrap_or(0)) },
    "Reads an `otpauth://hotp/…` URI.",
    "The `otpauth://hotp/…` URI of this key, for a QR code."
);

#[wasm_bindgen]
impl Hotp {
    /// The code for `counter` (default: the key's `counter`).
    pub fn generate(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] counter: Option<JsValue>,
    ) -> Result<String, JsValue> {
        let counter =
            input::optional_count(counter.as_ref(), "counter", 0, MAX_SAFE_INTEGER)?.unwrap_or(self.inner.counter);
        Ok(self.inner.generate(counter))
    }

    /// Checks a code (spaces and hyphens ignored) against `counter` and the `window` counters after it (never the
    /// ones before, unless `lookBehind` says so: those codes were used). Returns `{ delta, counter }`: the counter
    /// the code belongs to and its offset from `counter`, or `null`. Keep `counter + 1` as the key's next counter.
    #[wasm_bindgen(unchecked_return_type = "HotpMatch | null")]
    pub fn verify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "HotpVerifyOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let (code, options, window) = verify_arguments(&code, options.as_ref())?;
        let counter = options.count("counter", 0, MAX_SAFE_INTEGER)?.unwrap_or(self.inner.counter);
        let look_behind = window_option(&options, "lookBehind", 0)?;
        let after = options.count("afterCounter", 0, MAX_SAFE_INTEGER)?;
        self.inner.verify(&code, counter, window, look_behind, after).map(hotp_match).map_err(otp_error)
    }

    /// The counter the key expects next.
    #[wasm_bindgen(getter)]
    pub fn counter(&self) -> f64 {
        self.inner.counter as f64
    }
}

/// Encodes bytes as upper-case base32 without padding.
#[wasm_bindgen(js_name = base32Encode)]
pub fn base32_encode(#[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue) -> Result<String, JsValue> {
    Ok(otp::base32::encode(&input::bytes(&bytes, "bytes")?))
}

/// Decodes base32 leniently (lower case, spaces, hyphens, missing padding). Throws `invalid_base32` naming the
/// position of the first bad character.
#[wasm_bindgen(js_name = base32Decode)]
pub fn base32_decode(#[wasm_bindgen(unchecked_param_type = "string")] text: JsValue) -> Result<Uint8Array, JsValue> {
    let text = input::text(&text, "text", MAX_BASE32_CHARS)?;
    let bytes = otp::base32::decode(&text).map_err(|e| otp_error(otp::OtpError::InvalidBase32(e)))?;
    Ok(Uint8Array::from(bytes.as_slice()))
}

/// A new random secret as base32: 20 bytes (160 bits, 32 characters) unless `bytes` (16 to 64) says otherwise.
#[wasm_bindgen(js_name = generateSecret)]
pub fn generate_secret(
    #[wasm_bindgen(unchecked_optional_param_type = "number")] bytes: Option<JsValue>,
) -> Result<String, JsValue> {
    let bytes = input::optional_count(bytes.as_ref(), "bytes", 16, 64)?.map_or(DEFAULT_SECRET_BYTES, |b| b as usize);
    Ok(Secret::generate(bytes).map_err(otp_error)?.to_base32())
}

/// Parses an `otpauth://` URI into its parts without choosing TOTP or HOTP first.
#[wasm_bindgen(js_name = parseKeyUri, unchecked_return_type = "KeyUriInfo")]
pub fn parse_key_uri(#[wasm_bindgen(unchecked_param_type = "string")] uri: JsValue) -> Result<JsValue, JsValue> {
    Ok(key_uri_info(&uri_argument(&uri)?))
}

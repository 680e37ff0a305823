//! JavaScript errors: a real `Error` (with its stack) carrying a stable `code`.

use crate::otp::OtpError;
use js_sys::{Error, Reflect};
use wasm_bindgen::JsValue;

/// Builds `Error` named `Auth0MfaError` with `code`. Messages never contain secrets, codes or tokens.
pub(crate) fn js_error(code: &str, message: &str) -> JsValue {
    let error = Error::new(message);
    error.set_name("Auth0MfaError");
    // Setting a property on a fresh Error cannot fail; if it somehow did, the message still explains.
    let _ = Reflect::set(&error, &JsValue::from_str("code"), &JsValue::from_str(code));
    error.into()
}

pub(crate) fn otp_error(error: OtpError) -> JsValue {
    js_error(error.code(), &error.to_string())
}

pub(crate) fn invalid_argument(message: &str) -> JsValue {
    js_error("invalid_argument", message)
}

pub(crate) fn invalid_option(option: &str, reason: &str) -> JsValue {
    js_error("invalid_option", &format!("option {option} {reason}"))
}

//! `Auth0MfaError`: a real `Error` (with its stack) carrying a stable `code`. Every error this library throws is
//! built here, by [`auth0_mfa_error`].

use crate::code::ErrorCode;
use crate::error::Error as FlowError;
use js_sys::{Date, Error, Object, Reflect};
use std::borrow::Cow;
use wasm_bindgen::{JsCast, JsValue};

const NAME: &str = "Auth0MfaError";

/// What an error carries beyond its code and message.
#[derive(Default)]
struct Fields<'a> {
    status: Option<u16>,
    error: Option<&'a str>,
    description: Option<&'a str>,
    retry_after_secs: Option<u64>,
    mfa: Option<&'a crate::error::MfaRequired>,
    retryable: Option<bool>,
    restart_required: Option<bool>,
}

/// Builds the `Error` named `Auth0MfaError`. Messages never contain secrets, codes or tokens.
fn auth0_mfa_error(code: ErrorCode, message: &str, fields: Fields<'_>) -> JsValue {
    let js = Error::new(message);
    js.set_name(NAME);
    // Setting a property on a fresh Error cannot fail; if it somehow did, the message still explains.
    let set = |name: &str, value: JsValue| {
        let _ = Reflect::set(&js, &JsValue::from_str(name), &value);
    };
    set("code", code.as_str().into());
    if let Some(status) = fields.status {
        set("status", status.into());
    }
    if let Some(error) = fields.error {
        set("error", error.into());
    }
    if let Some(description) = fields.description {
        set("description", description.into());
    }
    if let Some(seconds) = fields.retry_after_secs {
        set("retryAfter", JsValue::from_f64(seconds as f64));
    }
    if let Some(mfa) = fields.mfa {
        // The caller may need it to continue by hand, but it must not show up in logs: not part of the message, and
        // not enumerable, so console.log, JSON.stringify and error reporters leave it out.
        // A descriptor of null prototype: `defineProperty` reads `get`, `set`, `enumerable`… through the chain, and a
        // polluted `Object.prototype.get` would make it throw, or `enumerable: true` list the token.
        let descriptor = Object::create(JsValue::NULL.unchecked_ref());
        let _ = Reflect::set(&descriptor, &"value".into(), &mfa.mfa_token.expose().into());
        Object::define_property(js.unchecked_ref::<Object>(), &"mfaToken".into(), &descriptor);
        set("mfaRequirements", super::shapes::requirements(mfa.requirements.as_ref()));
    }
    if let Some(retryable) = fields.retryable {
        set("retryable", retryable.into());
    }
    if let Some(restart_required) = fields.restart_required {
        set("restartRequired", restart_required.into());
    }
    js.into()
}

/// An error with a code and a message only: bad input from JavaScript.
pub(crate) fn js_error(code: ErrorCode, message: &str) -> JsValue {
    auth0_mfa_error(code, message, Fields::default())
}

/// The error of a login step, with what Auth0 answered.
pub(crate) fn flow_error(error: &FlowError) -> JsValue {
    auth0_mfa_error(
        error.error_code(),
        &error.message(js_name),
        Fields {
            status: error.status(),
            error: error.auth0_error(),
            description: error.description(),
            retry_after_secs: error
                .retry_after()
                .map(|retry_after| retry_after.seconds_from((Date::now() / 1000.0) as u64)),
            mfa: error.mfa_required(),
            retryable: Some(error.is_retryable()),
            restart_required: Some(error.requires_restart()),
        },
    )
}

/// A Rust name as JavaScript spells it: `binding_code` becomes `bindingCode`.
fn js_name(name: &'static str) -> Cow<'static, str> {
    if !name.contains('_') {
        return Cow::Borrowed(name);
    }
    let mut spelt = String::with_capacity(name.len());
    let mut words = name.split('_');
    spelt.extend(words.next());
    for word in words {
        let mut chars = word.chars();
        spelt.extend(chars.next().map(|c| c.to_ascii_uppercase()));
        spelt.push_str(chars.as_str());
    }
    Cow::Owned(spelt)
}

/// A panic: the message is left out, as it may quote data; `place` is where in the source it happened.
pub(crate) fn internal_error(place: &str) -> JsValue {
    let message = format!(
        "internal error in auth0-mfa-wasm{place}; the module was restarted: every MfaClient made before is void, so \
         restore the login from its saved state or start again"
    );
    auth0_mfa_error(ErrorCode::InternalError, &message, Fields { restart_required: Some(true), ..Fields::default() })
}

pub(crate) fn invalid_argument(message: &str) -> JsValue {
    js_error(ErrorCode::InvalidArgument, message)
}

pub(crate) fn invalid_option(option: &str, reason: &str) -> JsValue {
    js_error(ErrorCode::InvalidOption, &format!("option {option} {reason}"))
}

//! Reading values that come from JavaScript. Every check happens before anything is copied into wasm memory, so a
//! 10 MB string or a hostile getter is refused cheaply and with a typed error.

use super::error::{invalid_argument, invalid_option};
use js_sys::{JsString, Object};
use wasm_bindgen::prelude::*;

/// Longest string accepted where a secret, code, name or URI is expected: far above any real value.
pub(crate) const MAX_TEXT_CHARS: u32 = 16 * 1024;
/// Largest integer a JavaScript number holds exactly.
pub(crate) const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// A string argument of at most `max_chars` UTF-16 units; `what` names it in the error.
pub(crate) fn text(value: &JsValue, what: &str, max_chars: u32) -> Result<String, JsValue> {
    let Some(js) = value.dyn_ref::<JsString>() else {
        return Err(invalid_argument(&format!("{what} must be a string")));
    };
    if js.length() > max_chars {
        return Err(invalid_argument(&format!("{what} is longer than {max_chars} characters")));
    }
    // Lone surrogates become U+FFFD, which no secret, code or URI accepts, so they are refused further on.
    Ok(String::from(js))
}

/// `read.js` answers with plain numbers: this one for undefined or null, this one for a getter that threw; what it
/// cannot read (-2) fails every range check below, as no value read is negative.
const ABSENT: f64 = -1.0;
const THREW: f64 = -3.0;

#[wasm_bindgen(module = "/src/js/read.js")]
extern "C" {
    #[wasm_bindgen(js_name = wholeOption)]
    fn whole_option(object: &Object, key: &JsValue) -> f64;
    #[wasm_bindgen(js_name = optionsKind)]
    fn options_kind(value: &JsValue) -> u32;
    #[wasm_bindgen(js_name = ownOption, catch)]
    fn own_option(object: &Object, key: &JsValue) -> Result<JsValue, JsValue>;
}

/// A whole number in `min..=max` (at most 2^53 - 1). Bounds are integers so that messages need no float
/// formatting, which would add 15 KB of wasm.
fn whole_number(number: f64, min: u64, max: u64) -> Option<u64> {
    let in_range = number >= min as f64 && number <= max.min(MAX_SAFE_INTEGER) as f64;
    (number.fract() == 0.0 && in_range).then_some(number as u64)
}

thread_local! {
    static PROPERTY_NAMES: std::cell::RefCell<Vec<(&'static str, JsValue)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `read(object, key)`, with `key` made into a JavaScript string once: passing a string into JavaScript decodes it
/// there, which costs more than the property lookup itself (a `Totp.verify` with options reads three).
fn with_key<T>(key: &'static str, read: impl Fn(&JsValue) -> T) -> T {
    // Only shared borrows while JavaScript runs: a getter may call back into this module and read options too, and a
    // name first needed there is used without being kept.
    let cached = PROPERTY_NAMES.with(|names| {
        let names = names.try_borrow().ok()?;
        let (_, name) = names.iter().find(|(known, _)| *known == key)?;
        Some(read(name))
    });
    if let Some(value) = cached {
        return value;
    }
    let name = JsValue::from_str(key);
    PROPERTY_NAMES.with(|names| names.try_borrow_mut().map(|mut names| names.push((key, name.clone()))).ok());
    read(&name)
}

/// An options object; `undefined` and `null` mean "all defaults".
pub(crate) struct Options<'a>(Option<&'a Object>);

impl<'a> Options<'a> {
    pub(crate) fn new(value: Option<&'a JsValue>, what: &str) -> Result<Self, JsValue> {
        match value.map_or(0, options_kind) {
            0 => Ok(Self(None)),
            1 => Ok(Self(value.map(JsValue::unchecked_ref))),
            _ => Err(invalid_argument(&format!("{what} must be an object"))),
        }
    }

    pub(crate) fn required(value: &'a JsValue, what: &str) -> Result<Self, JsValue> {
        let options = Self::new(Some(value), what)?;
        if options.0.is_none() {
            return Err(invalid_argument(&format!("{what} is required")));
        }
        Ok(options)
    }

    /// The own property `key`; `None` when absent (or only inherited), `undefined` or `null`. A getter that throws is
    /// an invalid option, not a crash.
    pub(crate) fn get(&self, key: &'static str) -> Result<Option<JsValue>, JsValue> {
        let Some(object) = self.0 else { return Ok(None) };
        let value = with_key(key, |name| own_option(object, name)).map_err(|_| unreadable(key))?;
        Ok((!value.is_null_or_undefined()).then_some(value))
    }

    pub(crate) fn text(&self, key: &'static str) -> Result<Option<String>, JsValue> {
        match self.get(key)? {
            None => Ok(None),
            Some(value) if value.is_string() => text(&value, &format!("option {key}"), MAX_TEXT_CHARS).map(Some),
            Some(_) => Err(invalid_option(key, "must be a string")),
        }
    }

    /// A whole number in `min..=max`; `None` when absent, `undefined` or `null`.
    pub(crate) fn count(&self, key: &'static str, min: u64, max: u64) -> Result<Option<u64>, JsValue> {
        let Some(object) = self.0 else { return Ok(None) };
        let number = with_key(key, |name| whole_option(object, name));
        if number == ABSENT {
            return Ok(None);
        }
        if number == THREW {
            return Err(unreadable(key));
        }
        whole_number(number, min, max)
            .map(Some)
            .ok_or_else(|| invalid_option(key, &format!("must be a whole number from {min} to {max}")))
    }
}

fn unreadable(key: &str) -> JsValue {
    invalid_option(key, "could not be read")
}

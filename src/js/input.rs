//! Reading values that come from JavaScript. Every check happens before anything is copied into wasm memory, so a
//! 10 MB string or a hostile getter is refused cheaply and with a typed error.

use super::error::{invalid_argument, invalid_option, js_error};
use crate::code::ErrorCode;
use js_sys::{Date, Function, JsString, Object, Reflect, Symbol, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

/// Longest string accepted where a secret, code, name or URI is expected: far above any real value.
pub(crate) const MAX_TEXT_CHARS: u32 = 16 * 1024;
/// Largest byte array accepted for a secret or for base32 encoding.
pub(crate) const MAX_BYTES: u32 = 1024 * 1024;
/// Latest time a `Date` can hold, in milliseconds (ECMAScript §21.4.1.1).
const MAX_TIME_MS: f64 = 8.64e15;
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

/// Built-in functions that read a value's internal slots. Unlike `instanceof` and property reads, they accept a value
/// of another realm (an iframe, a Node `vm` context, a test runner's sandbox), and no own property or changed
/// prototype can make them lie or throw.
struct Intrinsics {
    /// `%TypedArray%.prototype[Symbol.toStringTag]`'s getter: the kind of typed array, or `undefined`.
    typed_array_kind: Function,
    /// `%TypedArray%.prototype.length`'s getter.
    typed_array_length: Function,
    /// `Date.prototype.getTime`, which throws for anything but a `Date`.
    date_get_time: Function,
}

impl Intrinsics {
    fn find() -> Option<Self> {
        let typed_array = Object::get_prototype_of(&Object::get_prototype_of(&Uint8Array::new_with_length(0)));
        let getter = |key: &JsValue| {
            let descriptor = Object::get_own_property_descriptor(&typed_array, key);
            Reflect::get(&descriptor, &"get".into()).ok()?.dyn_into::<Function>().ok()
        };
        let date = Object::get_prototype_of(&Date::new_0());
        Some(Self {
            typed_array_kind: getter(&Symbol::to_string_tag())?,
            typed_array_length: getter(&"length".into())?,
            date_get_time: Reflect::get(&date, &"getTime".into()).ok()?.dyn_into::<Function>().ok()?,
        })
    }
}

thread_local! {
    static INTRINSICS: Option<Intrinsics> = Intrinsics::find();
}

/// The length of `value` if it is a Uint8Array, of whatever realm.
fn uint8_array_length(value: &JsValue) -> Option<u32> {
    INTRINSICS.with(|intrinsics| {
        let intrinsics = intrinsics.as_ref()?;
        if intrinsics.typed_array_kind.call0(value).ok()? != "Uint8Array" {
            return None;
        }
        Some(intrinsics.typed_array_length.call0(value).ok()?.as_f64()? as u32)
    })
}

pub(crate) fn is_uint8_array(value: &JsValue) -> bool {
    uint8_array_length(value).is_some()
}

/// A byte array argument, copied out of JavaScript.
pub(crate) fn bytes(value: &JsValue, what: &str) -> Result<Vec<u8>, JsValue> {
    let Some(length) = uint8_array_length(value) else {
        return Err(invalid_argument(&format!("{what} must be a Uint8Array")));
    };
    if length > MAX_BYTES {
        return Err(invalid_argument(&format!("{what} is larger than {MAX_BYTES} bytes")));
    }
    // A detached array has length 0, and copying it would throw.
    if length == 0 {
        return Ok(Vec::new());
    }
    // The copy is made from the array's contents, not its properties, and is of this realm.
    Ok(Uint8Array::new(value).to_vec())
}

/// A Unix time in whole seconds from a `Timestamp` (milliseconds or a `Date`); absent means now.
pub(crate) fn unix_seconds(value: Option<&JsValue>) -> Result<u64, JsValue> {
    let millis =
        if let Some(value) = value.filter(|v| !v.is_null_or_undefined()) { time_millis(value)? } else { Date::now() };
    if !millis.is_finite() || !(0.0..=MAX_TIME_MS).contains(&millis) {
        return Err(js_error(ErrorCode::InvalidTime, "time must be a valid date at or after 1970-01-01"));
    }
    Ok((millis / 1000.0).floor() as u64)
}

/// Numbers first: they are the common case, and a `typeof` test is cheaper than a call.
fn time_millis(value: &JsValue) -> Result<f64, JsValue> {
    let date_millis = || INTRINSICS.with(|intrinsics| intrinsics.as_ref()?.date_get_time.call0(value).ok()?.as_f64());
    Ok(if let Some(number) = value.as_f64() {
        number
    } else if let Some(millis) = date_millis() {
        millis
    } else {
        return Err(js_error(ErrorCode::InvalidTime, "time must be milliseconds since the Unix epoch or a Date"));
    })
}

/// A whole number in `min..=max` (at most 2^53 - 1). Bounds are integers so that messages need no float
/// formatting, which would add 15 KB of wasm.
fn whole_number(value: &JsValue, min: u64, max: u64) -> Option<u64> {
    let number = value.as_f64()?;
    let in_range = number >= min as f64 && number <= max.min(MAX_SAFE_INTEGER) as f64;
    (number.fract() == 0.0 && in_range).then_some(number as u64)
}

/// A positional whole-number argument; `None` when absent.
pub(crate) fn optional_count(value: Option<&JsValue>, what: &str, min: u64, max: u64) -> Result<Option<u64>, JsValue> {
    let Some(value) = value.filter(|v| !v.is_null_or_undefined()) else { return Ok(None) };
    whole_number(value, min, max)
        .map(Some)
        .ok_or_else(|| invalid_argument(&format!("{what} must be a whole number from {min} to {max}")))
}

thread_local! {
    static PROPERTY_NAMES: std::cell::RefCell<Vec<(&'static str, JsValue)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `object[key]`, with `key` made into a JavaScript string once: passing a string into JavaScript decodes it there,
/// which costs more than the property lookup itself (a `Totp.verify` with options reads three).
fn property(object: &Object, key: &'static str) -> Result<JsValue, JsValue> {
    // Only shared borrows while JavaScript runs: a getter may call back into this module and read options too, and a
    // name first needed there is used without being kept.
    let cached = PROPERTY_NAMES.with(|names| {
        let names = names.try_borrow().ok()?;
        let (_, name) = names.iter().find(|(known, _)| *known == key)?;
        Some(Reflect::get(object, name))
    });
    if let Some(value) = cached {
        return value;
    }
    let name = JsValue::from_str(key);
    PROPERTY_NAMES.with(|names| names.try_borrow_mut().map(|mut names| names.push((key, name.clone()))).ok());
    Reflect::get(object, &name)
}

/// An options object; `undefined` and `null` mean "all defaults".
pub(crate) struct Options(Option<Object>);

impl Options {
    pub(crate) fn new(value: Option<&JsValue>, what: &str) -> Result<Self, JsValue> {
        let Some(value) = value.filter(|v| !v.is_null_or_undefined()) else { return Ok(Self(None)) };
        // `is_object` is false for functions (`typeof` says "function").
        if !value.is_object() || js_sys::Array::is_array(value) {
            return Err(invalid_argument(&format!("{what} must be an object")));
        }
        Ok(Self(Some(value.clone().unchecked_into())))
    }

    pub(crate) fn required(value: &JsValue, what: &str) -> Result<Self, JsValue> {
        let options = Self::new(Some(value), what)?;
        if options.0.is_none() {
            return Err(invalid_argument(&format!("{what} is required")));
        }
        Ok(options)
    }

    /// The property `key`; `None` when absent, `undefined` or `null`. A getter that throws is an invalid option, not a crash.
    pub(crate) fn get(&self, key: &'static str) -> Result<Option<JsValue>, JsValue> {
        let Some(object) = &self.0 else { return Ok(None) };
        let value = property(object, key).map_err(|_| invalid_option(key, "could not be read"))?;
        Ok((!value.is_null_or_undefined()).then_some(value))
    }
    pub(crate) fn text(&self, key: &'static str) -> Result<Option<String>, JsValue> {
        match self.get(key)? {
            None => Ok(None),
            Some(value) if value.is_string() => text(&value, &format!("option {key}"), MAX_TEXT_CHARS).map(Some),
            Some(_) => Err(invalid_option(key, "must be a string")),
        }
    }
    pub(crate) fn count(&self, key: &'static str, min: u64, max: u64) -> Result<Option<u64>, JsValue> {
        match self.get(key)? {
            None => Ok(None),
            Some(value) => whole_number(&value, min, max)
                .map(Some)
                .ok_or_else(|| invalid_option(key, &format!("must be a whole number from {min} to {max}"))),
        }
    }
}

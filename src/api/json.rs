//! A small JSON reader and writer, limited to what the Auth0 responses and the saved flow state need.
//!
//! Hand-written rather than serde_json (about 70 KB of the wasm module with serde) or miniserde (whose single opaque
//! error cannot tell truncated JSON from text that is not JSON, and which parses every number as a float). Numbers
//! are kept as their text and read as integers only, so no float parsing or formatting is linked in. It follows
//! serde_json's rules where they matter: strict RFC 8259 syntax, at most 127 nested levels, escapes as serde_json
//! writes them, and a known field given twice makes the shape wrong.

/// A parsed JSON value. Objects keep their fields in order, duplicates included.
#[derive(Debug)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number as written; see [`Fields::u64`].
    Number(String),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

/// Why a text is not JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyntaxError {
    /// The text ends before the value does: JSON cut short.
    Eof,
    /// Anything else: not JSON.
    Invalid,
}

/// The JSON is valid but not of the expected shape.
#[derive(Debug)]
pub struct WrongShape;

pub type Shaped<T> = Result<T, WrongShape>;

/// As serde_json: deeper nesting is refused rather than risking the stack.
const MAX_DEPTH: u32 = 127;

/// Parses one JSON value, with only whitespace around it.
pub fn parse(text: &str) -> Result<Value, SyntaxError> {
    let mut parser = Parser { text, pos: 0, depth: 0 };
    let value = parser.value()?;
    parser.skip_whitespace();
    if parser.pos == text.len() { Ok(value) } else { Err(SyntaxError::Invalid) }
}

/// Parses a body that should be an object (`open` is `{`) or an array (`[`), classifying a broken body as serde_json's
/// typed reading did: a body that starts with a complete value of another type, or with the other bracket, has the
/// wrong shape (`Err(None)`) whatever broken text follows; otherwise the syntax error stands.
pub fn parse_expecting(text: &str, open: u8) -> Result<Value, Option<SyntaxError>> {
    let error = match parse(text) {
        Ok(value) => return Ok(value),
        Err(error) => error,
    };
    let mut parser = Parser { text, pos: 0, depth: 0 };
    parser.skip_whitespace();
    Err(match parser.peek() {
        Ok(first) if first == open => Some(error),
        Ok(b'{' | b'[') => None,
        // A scalar: read that first value alone.
        Ok(_) => parser.value().err(),
        Err(_) => Some(error),
    })
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    depth: u32,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Result<u8, SyntaxError> {
        self.text.as_bytes().get(self.pos).copied().ok_or(SyntaxError::Eof)
    }

    fn next(&mut self) -> Result<u8, SyntaxError> {
        let byte = self.peek()?;
        self.pos += 1;
        Ok(byte)
    }

    fn expect(&mut self, byte: u8) -> Result<(), SyntaxError> {
        if self.next()? == byte { Ok(()) } else { Err(SyntaxError::Invalid) }
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.text.as_bytes().get(self.pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn value(&mut self) -> Result<Value, SyntaxError> {
        self.skip_whitespace();
        Ok(match self.peek()? {
            b'"' => Value::String(self.string()?),
            b'{' | b'[' => self.container()?,
            b't' => self.literal("true", Value::Bool(true))?,
            b'f' => self.literal("false", Value::Bool(false))?,
            b'n' => self.literal("null", Value::Null)?,
            b'-' | b'0'..=b'9' => self.number()?,
            _ => return Err(SyntaxError::Invalid),
        })
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, SyntaxError> {
        for &byte in word.as_bytes() {
            self.expect(byte)?;
        }
        Ok(value)
    }

    /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`, kept as text.
    fn number(&mut self) -> Result<Value, SyntaxError> {
        let start = self.pos;
        if self.peek()? == b'-' {
            self.pos += 1;
        }
        if self.peek()? == b'0' {
            self.pos += 1;
        } else {
            self.digits()?;
        }
        if self.text.as_bytes().get(self.pos) == Some(&b'.') {
            self.pos += 1;
            self.digits()?;
        }
        if matches!(self.text.as_bytes().get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek()?, b'+' | b'-') {
                self.pos += 1;
            }
            self.digits()?;
        }
        Ok(Value::Number(self.slice(start)?.into()))
    }

    /// The text from `start` to here. The parser stops only at ASCII bytes, so this never fails; a checked slice
    /// keeps the panic path, and the formatting it links, out of the wasm.
    fn slice(&self, start: usize) -> Result<&'a str, SyntaxError> {
        self.text.get(start..self.pos).ok_or(SyntaxError::Invalid)
    }

    /// One or more digits.
    fn digits(&mut self) -> Result<(), SyntaxError> {
        if !self.next()?.is_ascii_digit() {
            return Err(SyntaxError::Invalid);
        }
        while self.text.as_bytes().get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        Ok(())
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while self.text.as_bytes().get(self.pos).is_some_and(|&b| b != b'"' && b != b'\\' && b >= 0x20) {
                self.pos += 1;
            }
            out.push_str(self.slice(start)?);
            match self.next()? {
                b'"' => return Ok(out),
                b'\\' => out.push(match self.next()? {
                    b'"' => '"',
                    b'\\' => '\\',
                    b'/' => '/',
                    b'b' => '\u{8}',
                    b'f' => '\u{c}',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    b'u' => self.unicode_escape()?,
                    _ => return Err(SyntaxError::Invalid),
                }),
                // A raw control character.
                _ => return Err(SyntaxError::Invalid),
            }
        }
    }

    /// After `\u`: four hex digits, and a second escape for a surrogate pair. Lone surrogates are refused.
    fn unicode_escape(&mut self) -> Result<char, SyntaxError> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                self.expect(b'\\')?;
                self.expect(b'u')?;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(SyntaxError::Invalid);
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            code => code,
        };
        char::from_u32(code).ok_or(SyntaxError::Invalid)
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = char::from(self.next()?).to_digit(16).ok_or(SyntaxError::Invalid)?;
            code = code * 16 + digit;
        }
        Ok(code)
    }

    /// An object or an array; the opening bracket is next.
    fn container(&mut self) -> Result<Value, SyntaxError> {
        let object = self.next()? == b'{';
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(SyntaxError::Invalid);
        }
        let close = if object { b'}' } else { b']' };
        let mut fields = Vec::new();
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek()? == close {
            self.pos += 1;
        } else {
            loop {
                if object {
                    self.skip_whitespace();
                    if self.peek()? != b'"' {
                        return Err(SyntaxError::Invalid);
                    }
                    let key = self.string()?;
                    self.skip_whitespace();
                    self.expect(b':')?;
                    fields.push((key, self.value()?));
                } else {
                    items.push(self.value()?);
                }
                self.skip_whitespace();
                match self.next()? {
                    b',' => {}
                    byte if byte == close => break,
                    _ => return Err(SyntaxError::Invalid),
                }
            }
        }
        self.depth -= 1;
        Ok(if object { Value::Object(fields) } else { Value::Array(items) })
    }
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Self::Array(items) => Some(items),
            _ => None,
        }
    }

    /// A field of an object, the last one when repeated (as a JSON map reads); `None` for anything else.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Self::Object(fields) => fields.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The first string of an array, or the string itself: the legacy `oob_channels`.
    pub fn first_str(&self) -> Option<String> {
        match self {
            Self::Array(items) => items.first().and_then(Value::as_str),
            other => other.as_str(),
        }
        .map(str::to_owned)
    }

    fn into_string(self) -> Shaped<String> {
        match self {
            Self::String(s) => Ok(s),
            _ => Err(WrongShape),
        }
    }
}

/// A struct of an Auth0 answer and its reader, `from_answer`, in one place. Each field is read from the JSON field of
/// the same name by the [`Fields`] method written beside it:
///
/// ```text
/// answer! { struct RawChallenge { challenge_type: String = required, oob_code: Option<OobCode> = string } }
/// ```
macro_rules! answer {
    ($(#[$meta:meta])* $vis:vis struct $name:ident {
        $($(#[$field_meta:meta])* $field_vis:vis $field:ident: $ty:ty = $read:ident),* $(,)?
    }) => {
        $(#[$meta])*
        $vis struct $name {
            $($(#[$field_meta])* $field_vis $field: $ty,)*
        }

        impl $name {
            pub fn from_answer(value: $crate::api::json::Value) -> $crate::api::json::Shaped<Self> {
                let mut fields = $crate::api::json::Fields::of(value)?;
                Ok(Self { $($field: fields.$read(stringify!($field))?,)* })
            }
        }
    };
}
pub(crate) use answer;

/// The fields of an object, read strictly: absent and `null` read as `None`, a wrong type or a repeated field is
/// [`WrongShape`], unknown fields are ignored. Values are moved out, so secrets are not copied.
pub struct Fields(Vec<(String, Value)>);

impl Fields {
    pub fn of(value: Value) -> Shaped<Self> {
        match value {
            Value::Object(fields) => Ok(Self(fields)),
            _ => Err(WrongShape),
        }
    }

    pub fn value(&mut self, name: &str) -> Shaped<Option<Value>> {
        let mut found = None;
        for (key, value) in &mut self.0 {
            if key == name {
                if found.is_some() {
                    return Err(WrongShape);
                }
                found = Some(core::mem::replace(value, Value::Null));
            }
        }
        Ok(found.filter(|v| !matches!(v, Value::Null)))
    }

    /// Generic only in a thin shell around [`Fields::text`], so each secret type costs no copy of the reading code.
    pub fn string<T: From<String>>(&mut self, name: &str) -> Shaped<Option<T>> {
        Ok(self.text(name)?.map(T::from))
    }

    fn text(&mut self, name: &str) -> Shaped<Option<String>> {
        self.value(name)?.map(Value::into_string).transpose()
    }

    pub fn required<T: From<String>>(&mut self, name: &str) -> Shaped<T> {
        self.string(name)?.ok_or(WrongShape)
    }

    pub fn bool(&mut self, name: &str) -> Shaped<Option<bool>> {
        match self.value(name)? {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(_) => Err(WrongShape),
        }
    }

    /// A non-negative integer written without fraction or exponent (`36000`, not `36000.0`), as serde_json reads
    /// a `u64`.
    pub fn u64(&mut self, name: &str) -> Shaped<Option<u64>> {
        match self.value(name)? {
            None => Ok(None),
            Some(Value::Number(n)) if n.bytes().all(|b| b.is_ascii_digit()) => {
                n.parse().map(Some).map_err(|_| WrongShape)
            }
            Some(_) => Err(WrongShape),
        }
    }

    /// An optional string of a server answer: a value of another type is ignored (`None`) rather than failing the
    /// whole answer over a field the caller may not even use.
    pub fn loose_string<T: From<String>>(&mut self, name: &str) -> Shaped<Option<T>> {
        Ok(match self.value(name)? {
            Some(Value::String(text)) => Some(T::from(text)),
            _ => None,
        })
    }

    /// Whole seconds of a server answer, read leniently: `86400`, `86400.0` (floored) or `"86400"`. Anything else
    /// (negative, exponent, another type) is ignored (`None`).
    pub fn loose_seconds(&mut self, name: &str) -> Shaped<Option<u64>> {
        Ok(match self.value(name)? {
            Some(Value::Number(text) | Value::String(text)) => floor_decimal(text.trim()),
            _ => None,
        })
    }

    pub fn u32(&mut self, name: &str) -> Shaped<Option<u32>> {
        self.u64(name)?.map(|n| u32::try_from(n).map_err(|_| WrongShape)).transpose()
    }

    pub fn strings<T: From<String>>(&mut self, name: &str) -> Shaped<Option<Vec<T>>> {
        self.list(name, |v| v.into_string().map(T::from))
    }

    pub fn list<T>(&mut self, name: &str, read: impl FnMut(Value) -> Shaped<T>) -> Shaped<Option<Vec<T>>> {
        match self.value(name)? {
            None => Ok(None),
            Some(Value::Array(items)) => items.into_iter().map(read).collect::<Shaped<Vec<T>>>().map(Some),
            Some(_) => Err(WrongShape),
        }
    }
}

/// The integer part of `digits[.digits]`, by integer parsing only (no float code is linked in).
fn floor_decimal(text: &str) -> Option<u64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !(digits(whole) && digits(fraction)) {
        return None;
    }
    whole.parse().ok()
}

/// Writes JSON objects as serde_json does: fields in the given order, `null` for `None`, no spaces.
pub struct Writer {
    out: String,
    /// Whether the current object or array has no member yet.
    first: bool,
}

impl Default for Writer {
    fn default() -> Self {
        Self::new()
    }
}

impl Writer {
    pub fn new() -> Self {
        Self { out: String::new(), first: true }
    }

    pub fn finish(self) -> String {
        self.out
    }

    /// Starts an object, as a value or (with `Some(name)`) as a field.
    pub fn begin(&mut self, name: Option<&str>) {
        if let Some(name) = name {
            self.key(name);
        }
        self.out.push('{');
        self.first = true;
    }

    pub fn end(&mut self) {
        self.out.push('}');
        self.first = false;
    }

    fn separate(&mut self) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
    }

    fn key(&mut self, name: &str) {
        self.separate();
        self.write_str(name);
        self.out.push(':');
    }

    pub fn str(&mut self, name: &str, value: &str) {
        self.key(name);
        self.write_str(value);
    }

    pub fn opt_str(&mut self, name: &str, value: Option<&str>) {
        match value {
            Some(value) => self.str(name, value),
            None => self.raw(name, "null"),
        }
    }

    pub fn bool(&mut self, name: &str, value: bool) {
        self.raw(name, if value { "true" } else { "false" });
    }

    pub fn u64(&mut self, name: &str, value: Option<u64>) {
        match value {
            // Integer formatting only: no float code is linked in.
            Some(value) => self.raw(name, &value.to_string()),
            None => self.raw(name, "null"),
        }
    }

    /// An array of strings, or `null`.
    pub fn strs<S: AsRef<str>>(&mut self, name: &str, values: Option<&[S]>) {
        let Some(values) = values else { return self.raw(name, "null") };
        self.key(name);
        self.out.push('[');
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.write_str(value.as_ref());
        }
        self.out.push(']');
    }

    /// An array of objects, each written by `write`.
    pub fn objects<T>(&mut self, name: &str, values: &[T], mut write: impl FnMut(&mut Self, &T)) {
        self.key(name);
        self.out.push('[');
        self.first = true;
        for value in values {
            if !self.first {
                self.out.push(',');
            }
            write(self, value);
        }
        self.out.push(']');
        self.first = false;
    }

    pub fn raw(&mut self, name: &str, json: &str) {
        self.key(name);
        self.out.push_str(json);
    }

    /// A string with serde_json's escapes: the short ones, `\u00XX` (lower-case hex) for other control characters.
    fn write_str(&mut self, value: &str) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        self.out.push('"');
        for c in value.chars() {
            match c {
                '"' => self.out.push_str("\\\""),
                '\\' => self.out.push_str("\\\\"),
                '\n' => self.out.push_str("\\n"),
                '\r' => self.out.push_str("\\r"),
                '\t' => self.out.push_str("\\t"),
                '\u{8}' => self.out.push_str("\\b"),
                '\u{c}' => self.out.push_str("\\f"),
                c if c < ' ' => {
                    self.out.push_str("\\u00");
                    self.out.push(char::from(HEX[c as usize >> 4]));
                    self.out.push(char::from(HEX[c as usize & 15]));
                }
                c => self.out.push(c),
            }
        }
        self.out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_tell_truncated_from_invalid() {
        for cut in [r#"{"a":"#, r#"{"a":tru"#, r#"{"a":1."#, r#"["x\u12"#, "-", r#"{"a":[1,"#] {
            assert_eq!(parse(cut).unwrap_err(), SyntaxError::Eof, "{cut}");
        }
        for bad in ["01", "[1,]", r#"{"a" 1}"#, "nul1", "{} x", r#""\ud800x""#, "\"\u{1}\"", "'a'", "1.e3"] {
            assert_eq!(parse(bad).unwrap_err(), SyntaxError::Invalid, "{bad}");
        }
        assert!(parse(&"[".repeat(127)).is_err_and(|e| e == SyntaxError::Eof));
        assert!(parse(&"[".repeat(128)).is_err_and(|e| e == SyntaxError::Invalid));
    }

    #[test]
    fn strings_unescape_and_write_back_as_serde_json_did() {
        let text = r#""q\"b\\s\/\b\f\n\r\t\u0001\u00e9\ud83d\ude00\u2028""#;
        let Value::String(s) = parse(text).unwrap() else { panic!() };
        assert_eq!(s, "q\"b\\s/\u{8}\u{c}\n\r\t\u{1}\u{e9}\u{1f600}\u{2028}");
        let mut w = Writer::new();
        w.begin(None);
        w.str("s", &s);
        w.end();
        // `/` is not escaped on output, control characters are, and everything else is written as it is.
        assert_eq!(w.finish(), "{\"s\":\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\u{e9}\u{1f600}\u{2028}\"}");
    }

    #[test]
    fn fields_are_strict_about_types_and_repeats() {
        let mut fields = Fields::of(
            parse(r#"{"n":36000,"f":1.0,"neg":-1,"big":18446744073709551616,"z":null,"d":1,"d":2}"#).unwrap(),
        )
        .unwrap();
        assert_eq!(fields.u64("n").unwrap(), Some(36000));
        assert!(fields.u64("f").is_err() && fields.u64("neg").is_err() && fields.u64("big").is_err());
        assert_eq!(fields.string::<String>("z").unwrap(), None);
        assert_eq!(fields.string::<String>("absent").unwrap(), None);
        assert!(fields.u64("d").is_err(), "a repeated field");
        assert!(Fields::of(parse("[]").unwrap()).is_err());
    }

    #[test]
    fn loose_fields_floor_seconds_and_ignore_wrong_types() {
        let mut fields = Fields::of(
            parse(r#"{"a":86400.0,"b":"86400","c":59.99,"d":-1,"e":1e3,"f":true,"g":" 7 ","h":"1.","s":5,"t":"x"}"#)
                .unwrap(),
        )
        .unwrap();
        let seconds = ["a", "b", "c", "d", "e", "f", "g", "h"].map(|n| fields.loose_seconds(n).unwrap());
        assert_eq!(seconds, [Some(86400), Some(86400), Some(59), None, None, None, Some(7), None]);
        assert_eq!(fields.loose_string::<String>("s").unwrap(), None);
        assert_eq!(fields.loose_string::<String>("t").unwrap().as_deref(), Some("x"));
    }
}

//! The JSON reader on any text: never panics, classifies a broken body the same way whichever shape is expected,
//! and every string it reads survives the writer's escapes.
#![no_main]

use auth0_mfa_wasm::api::json::{self, Fields, Value, Writer};
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 6] = ["error", "access_token", "expires_in", "active", "recovery_codes", "mfa_requirements"];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parsed = json::parse(text);
    for open in [b'{', b'['] {
        match (&parsed, json::parse_expecting(text, open)) {
            (Ok(_), Ok(_)) => {}
            (Err(error), Err(Some(again))) => assert_eq!(*error, again),
            (Err(_), Err(None)) => {}
            (parsed, expecting) => panic!("parse {parsed:?} but parse_expecting {expecting:?}"),
        }
    }
    if let Ok(value) = parsed {
        json::parse(&rewrite(&value)).expect("written JSON reads back");
        strings_round_trip(&value);
        read_fields(value);
    }
});

/// Every string read comes back unchanged through the writer's escapes.
fn strings_round_trip(value: &Value) {
    match value {
        Value::String(s) => {
            let mut writer = Writer::new();
            writer.begin(None);
            writer.str("s", s);
            writer.end();
            let written = writer.finish();
            let reread = json::parse(&written).expect("a written string reads back");
            assert_eq!(reread.get("s").and_then(Value::as_str), Some(s.as_str()));
        }
        Value::Array(items) => items.iter().for_each(strings_round_trip),
        Value::Object(fields) => fields.iter().for_each(|(key, value)| {
            strings_round_trip(&Value::String(key.clone()));
            strings_round_trip(value);
        }),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Writes a value back with the writer (as one field of an object, since the writer writes objects).
fn rewrite(value: &Value) -> String {
    let mut writer = Writer::new();
    writer.begin(None);
    write(&mut writer, "v", value);
    writer.end();
    writer.finish()
}

fn write(writer: &mut Writer, name: &str, value: &Value) {
    match value {
        Value::Null => writer.raw(name, "null"),
        Value::Bool(b) => writer.bool(name, *b),
        Value::Number(n) => writer.raw(name, n),
        Value::String(s) => writer.str(name, s),
        Value::Array(items) => writer.objects(name, items, |writer, item| {
            writer.begin(None);
            write(writer, "i", item);
            writer.end();
        }),
        Value::Object(fields) => {
            writer.begin(Some(name));
            for (key, value) in fields {
                write(writer, key, value);
            }
            writer.end();
        }
    }
}

/// Every typed reading of the fields the wire layer asks for answers a value or `WrongShape`.
fn read_fields(value: Value) {
    let _ = value.first_str();
    let _ = value.as_array().map(<[Value]>::len);
    let Ok(mut fields) = Fields::of(value) else { return };
    let _ = fields.u64(NAMES[0]);
    let _ = fields.u32(NAMES[1]);
    let _ = fields.loose_seconds(NAMES[2]);
    let _ = fields.bool(NAMES[3]);
    let _ = fields.strings::<String>(NAMES[4]);
    let _ = fields.loose_string::<String>(NAMES[5]);
    let _ = fields.list("v", |v| Fields::of(v).map(|_| ()));
    let _ = fields.required::<String>("error_description");
}

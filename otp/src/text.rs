//! Text built from pieces and whole numbers without `core::fmt`: the shipped OTP module carries no formatter, so
//! messages and URIs are written with these.

use alloc::string::String;

/// Appends `number` in decimal.
pub(crate) fn push_number(text: &mut String, number: u64) {
    text.push_str(itoa::Buffer::new().format(number));
}

/// `pieces` one after the other.
pub(crate) fn concat(pieces: &[&str]) -> String {
    let mut text = String::with_capacity(pieces.iter().map(|piece| piece.len()).sum());
    for piece in pieces {
        text.push_str(piece);
    }
    text
}

/// `before`, `number` in decimal, then `after`.
pub(crate) fn with_number(before: &str, number: u64, after: &str) -> String {
    let mut text = String::from(before);
    push_number(&mut text, number);
    text.push_str(after);
    text
}

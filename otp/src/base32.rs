//! Base32 (RFC 4648 §6), lenient where people type secrets and strict where a typo would change the key.
//!
//! Decoding accepts lower case, spaces, tabs, line breaks and hyphens anywhere (secrets are shown in groups of four),
//! and padding that is missing, partial or complete. It rejects any other character and names its position, and
//! a symbol count that cannot encode whole bytes. Bits past the last whole byte are ignored, as authenticator apps
//! do. Encoding is upper case without padding, the form `otpauth://` URIs use.

use super::Base32Error;
use alloc::string::String;
use alloc::vec::Vec;

/// RFC 4648 upper case without padding. The `base32` crate is chosen over larger general-purpose encoders for the
/// bundle: it costs about 1 KB of wasm where a configurable one cost 34 KB.
const ALPHABET: base32::Alphabet = base32::Alphabet::Rfc4648 { padding: false };

/// Encodes bytes as upper-case base32 without padding.
pub fn encode(bytes: &[u8]) -> String {
    base32::encode(ALPHABET, bytes)
}

/// Decodes base32 text leniently (see the module documentation).
pub fn decode(text: &str) -> Result<Vec<u8>, Base32Error> {
    let symbols = symbols(text)?;
    match symbols.len() % 8 {
        1 | 3 | 6 => return Err(Base32Error::InvalidLength { symbols: symbols.len() }),
        _ => {}
    }
    // Every symbol is now in the alphabet, so the decoder has nothing left to refuse; bits past the last whole byte
    // are dropped, as authenticator apps do. The error path stays typed all the same.
    let symbols = String::from_utf8(symbols).map_err(|_| Base32Error::InvalidLength { symbols: text.len() })?;
    base32::decode(ALPHABET, &symbols).ok_or(Base32Error::InvalidLength { symbols: symbols.len() })
}

/// Upper-cases the alphabet, drops separators and padding, and finds the first character that does not belong.
fn symbols(text: &str) -> Result<Vec<u8>, Base32Error> {
    let mut symbols = Vec::with_capacity(text.len());
    let mut padding_at = None;
    for (position, c) in text.chars().enumerate() {
        match c {
            ' ' | '\t' | '\n' | '\r' | '-' => continue,
            '=' => {
                padding_at.get_or_insert(position);
                continue;
            }
            _ => {}
        }
        let symbol = match c {
            'A'..='Z' | '2'..='7' => c as u8,
            'a'..='z' => c.to_ascii_uppercase() as u8,
            _ => return Err(Base32Error::InvalidCharacter { position }),
        };
        if let Some(position) = padding_at {
            return Err(Base32Error::MisplacedPadding { position });
        }
        symbols.push(symbol);
    }
    Ok(symbols)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_test_vectors_round_trip() {
        let vectors: [(&str, &str); 7] = [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(encode(plain.as_bytes()), encoded);
            assert_eq!(decode(encoded).unwrap(), plain.as_bytes());
        }
    }

    #[test]
    fn accepts_padding_lower_case_spaces_and_hyphens() {
        for (text, plain) in [
            ("MZXW6YQ=", "foob"),
            ("MZXW6===", "foo"),
            ("MZXW6=", "foo"),
            ("mzxw 6ytb oi", "foobar"),
            ("MZXW-6YTB-OI\n", "foobar"),
            ("  mZxW6  ", "foo"),
        ] {
            assert_eq!(decode(text).as_deref(), Ok(plain.as_bytes()), "{text:?}");
        }
    }

    #[test]
    fn refusals_name_what_is_wrong_and_where() {
        use Base32Error::*;
        for (text, error) in [
            // '1', '0', '8' and '9' are not in the alphabet; position counts the spaces too.
            ("MZXW 1YTB", InvalidCharacter { position: 5 }),
            ("0", InvalidCharacter { position: 0 }),
            ("MZXW6YT8", InvalidCharacter { position: 7 }),
            ("MZé", InvalidCharacter { position: 2 }),
            ("MZXW6YTB+", InvalidCharacter { position: 8 }),
            ("MZ==XW", MisplacedPadding { position: 2 }),
            ("M", InvalidLength { symbols: 1 }),
            ("MZX", InvalidLength { symbols: 3 }),
            ("MZXW6Y", InvalidLength { symbols: 6 }),
        ] {
            assert_eq!(decode(text), Err(error), "{text:?}");
        }
    }

    #[test]
    fn ignores_set_trailing_bits() {
        // "MZ" encodes 'f' with two zero trailing bits; "M3" sets them.
        assert_eq!(decode("M3").unwrap(), b"f");
        // 26 symbols = 16 bytes + 2 bits, as some services issue.
        let text = "JBSWY3DPEHPK3PXPJBSWY3DPE7";
        assert_eq!(decode(text).unwrap().len(), 16);
    }

    #[test]
    fn errors_never_repeat_the_secret() {
        let err = decode("SECRETVALUE1").unwrap_err().message();
        assert_eq!(err, "invalid base32 character at position 11");
        assert!(!err.contains("SECRET"), "{err}");
    }
}

//! The parts of JOSE that client assertions (RFC 7523) and DPoP proofs (RFC 9449) share: splitting a compact
//! JWS, reading its JSON, RFC 7638 thumbprints and NumericDate claims. Verification itself is left to the `rsa`
//! and `p256` crates.

use data_encoding::BASE64URL_NOPAD;
use rsa::RsaPublicKey;
use rsa::traits::PublicKeyParts;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// A compact JWS taken apart, not yet verified.
pub struct Jws<'a> {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    /// `base64url(header).base64url(claims)`: the bytes the signature covers.
    pub signing_input: &'a str,
    pub signature: Vec<u8>,
}

/// Strict base64url without padding (RFC 7515 §2); stray trailing bits are refused too.
pub fn b64url_decode(text: &str) -> Option<Vec<u8>> {
    BASE64URL_NOPAD.decode(text.as_bytes()).ok()
}

pub fn b64url(bytes: &[u8]) -> String {
    BASE64URL_NOPAD.encode(bytes)
}

/// `None` unless `text` is three base64url parts whose first two are JSON objects.
pub fn parse(text: &str) -> Option<Jws<'_>> {
    let mut parts = text.split('.');
    let (header, claims, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let object = |part: &str| match serde_json::from_slice(&b64url_decode(part)?) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    };
    Some(Jws {
        header: object(header)?,
        claims: object(claims)?,
        signing_input: &text[..header.len() + 1 + claims.len()],
        signature: b64url_decode(signature)?,
    })
}

/// A NumericDate claim (seconds, possibly fractional) in milliseconds; `None` if absent or not a finite number
/// between 1970 and 9999.
pub fn date_ms(claims: &Map<String, Value>, name: &str) -> Option<i64> {
    let secs = claims.get(name)?.as_f64()?;
    (secs.is_finite() && (0.0..=crate::state::MAX_CLOCK_MS as f64 / 1000.0).contains(&secs))
        .then_some((secs * 1000.0) as i64)
}

pub fn string<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    map.get(name).and_then(Value::as_str)
}

/// RFC 7638: base64url(SHA-256) of the required members, in lexicographic order, without whitespace.
fn thumbprint(canonical: &str) -> String {
    b64url(&Sha256::digest(canonical.as_bytes()))
}

pub fn rsa_thumbprint(key: &RsaPublicKey) -> String {
    let (e, n) = (b64url(&key.e().to_bytes_be()), b64url(&key.n().to_bytes_be()));
    thumbprint(&format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#))
}

/// The thumbprint of a P-256 key from its two 32-byte coordinates.
pub fn ec_thumbprint(x: &[u8], y: &[u8]) -> String {
    let (x, y) = (b64url(x), b64url(y));
    thumbprint(&format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7638_example_thumbprint() {
        // RFC 7638 §3.1.
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        let key = RsaPublicKey::new(
            rsa::BigUint::from_bytes_be(&b64url_decode(n).expect("n")),
            rsa::BigUint::from_bytes_be(&[1, 0, 1]),
        )
        .expect("key");
        assert_eq!(rsa_thumbprint(&key), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    }

    #[test]
    fn parse_refuses_what_is_not_a_compact_jws() {
        for bad in ["", "a.b", "a.b.c.d", "e30.e30.%%%", "W10.e30.", "e30.bnVsbA.", "e30=.e30."] {
            assert!(parse(bad).is_none(), "{bad}");
        }
        let jws = parse("e30.eyJhIjoxfQ.AQ").expect("valid");
        assert_eq!(
            (jws.signing_input, jws.signature.as_slice(), jws.claims["a"].as_i64()),
            ("e30.eyJhIjoxfQ", &[1u8][..], Some(1))
        );
    }
}

//! DPoP proofs (RFC 9449) at `/oauth/token`: ES256 with the embedded public key, `htm`/`htu`, an `iat`
//! window, one-time `jti`s, and server nonces that rotate with the emulator's clock. The `/mfa/*` endpoints
//! never look at a proof, as on Auth0.

use crate::errors::{self, ApiResult};
use crate::state::{Client, DpopMode, MAX_SETTING_SECS, State};
use crate::{App, crypto, jose};
use axum::http::HeaderMap;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::{EncodedPoint, FieldBytes};
use serde_json::Value;

pub const NONCE_HEADER: &str = "dpop-nonce";
/// A proof is a header of a few hundred bytes; anything much larger is not one.
const MAX_PROOF_BYTES: usize = 4096;
const MAX_JTI_CHARS: usize = 256;
/// The window auth0-api-js accepts (⚠ Auth0's authorization server does not publish its own): 300 s old, 30 s
/// ahead.
const IAT_MAX_AGE_MS: i64 = 300_000;
const IAT_MAX_AHEAD_MS: i64 = 30_000;

/// The nonce to send now. It changes every `dpop_nonce_secs` of emulator time, and the one before stays
/// accepted for one more period, so that a client racing a rotation is not refused.
pub fn current_nonce(state: &mut State) -> String {
    let now = state.now_ms();
    let period = (state.settings.dpop_nonce_secs.clamp(1, MAX_SETTING_SECS) * 1000) as i64;
    let random = state.random;
    let nonce = &mut state.dpop_nonce;
    let age = now - nonce.since_ms;
    if !(0..period).contains(&age) {
        let current = std::mem::replace(&mut nonce.current, random.token(24));
        nonce.previous = (0..2 * period).contains(&age).then_some(current);
        nonce.since_ms = now;
    }
    nonce.current.clone()
}

fn nonce_accepted(state: &mut State, given: Option<&str>) -> bool {
    current_nonce(state);
    let nonce = &state.dpop_nonce;
    given.is_some_and(|given| {
        crypto::constant_time_eq(given.as_bytes(), nonce.current.as_bytes())
            || nonce.previous.as_deref().is_some_and(|p| crypto::constant_time_eq(given.as_bytes(), p.as_bytes()))
    })
}

/// What the client's DPoP setting makes of the request: the key thumbprint (`jkt`) of a valid proof, `None`
/// for Bearer tokens, or the refusal.
pub fn for_request(app: &App, state: &mut State, client: &Client, headers: &HeaderMap) -> ApiResult<Option<String>> {
    match client.dpop {
        DpopMode::Off => Ok(None),
        mode => match proof_jkt(app, state, client, headers)? {
            None if mode == DpopMode::Required => Err(errors::dpop_proof_required()),
            jkt => Ok(jkt),
        },
    }
}

/// The thumbprint of the key behind the request's valid `DPoP` proof, or `None` without one; whatever the
/// client's setting (a bound token needs its proof even after DPoP was switched off).
pub fn proof_jkt(app: &App, state: &mut State, client: &Client, headers: &HeaderMap) -> ApiResult<Option<String>> {
    let mut values = headers.get_all("dpop").iter();
    let Some(value) = values.next() else { return Ok(None) };
    if values.next().is_some() {
        return Err(errors::dpop_multiple());
    }
    let proof = value.to_str().map_err(|_| errors::dpop_malformed())?.trim();
    verify(app, state, client, proof).map(Some)
}

fn verify(app: &App, state: &mut State, client: &Client, proof: &str) -> ApiResult<String> {
    if proof.len() > MAX_PROOF_BYTES {
        return Err(errors::dpop_malformed());
    }
    let jws = jose::parse(proof).ok_or_else(errors::dpop_malformed)?;
    if !jose::string(&jws.header, "typ").is_some_and(|t| t.eq_ignore_ascii_case("dpop+jwt")) {
        return Err(errors::dpop_typ());
    }
    if jose::string(&jws.header, "alg") != Some("ES256") {
        return Err(errors::dpop_alg());
    }
    let Some(Value::Object(jwk)) = jws.header.get("jwk") else { return Err(errors::dpop_jwk()) };
    if jwk.contains_key("d") {
        return Err(errors::dpop_private_jwk());
    }
    if jose::string(jwk, "kty") != Some("EC") || jose::string(jwk, "crv") != Some("P-256") {
        return Err(errors::dpop_jwk());
    }
    let coordinate = |name: &str| jose::string(jwk, name).and_then(jose::b64url_decode).filter(|c| c.len() == 32);
    let (Some(x), Some(y)) = (coordinate("x"), coordinate("y")) else { return Err(errors::dpop_jwk()) };
    // Both are 32 bytes, checked above, as `FieldBytes::from_slice` requires.
    let point = EncodedPoint::from_affine_coordinates(FieldBytes::from_slice(&x), FieldBytes::from_slice(&y), false);
    let key = VerifyingKey::from_encoded_point(&point).map_err(|_| errors::dpop_jwk())?;
    let signature = Signature::from_slice(&jws.signature).map_err(|_| errors::dpop_signature())?;
    key.verify(jws.signing_input.as_bytes(), &signature).map_err(|_| errors::dpop_signature())?;

    let claims = &jws.claims;
    if jose::string(claims, "htm") != Some("POST") {
        return Err(errors::dpop_htm());
    }
    let token_endpoint = format!("{}/oauth/token", app.base());
    if !jose::string(claims, "htu").is_some_and(|htu| same_uri(htu, &token_endpoint)) {
        return Err(errors::dpop_htu());
    }
    let now = state.now_ms();
    let iat = jose::date_ms(claims, "iat").ok_or_else(errors::dpop_iat)?;
    if now - iat > IAT_MAX_AGE_MS || iat - now > IAT_MAX_AHEAD_MS {
        return Err(errors::dpop_iat());
    }
    let jti = jose::string(claims, "jti").filter(|j| !j.is_empty() && j.chars().count() <= MAX_JTI_CHARS);
    let jti = jti.ok_or_else(errors::dpop_jti)?;
    let jkt = jose::ec_thumbprint(&x, &y);
    let seen = (jkt.clone(), jti.to_owned());
    if state.dpop_jtis.get(&seen).is_some_and(|until| now < *until) {
        return Err(errors::dpop_replayed());
    }
    if client.dpop_nonce && !nonce_accepted(state, jose::string(claims, "nonce")) {
        let nonce = current_nonce(state);
        return Err(errors::use_dpop_nonce(nonce));
    }
    // After this the proof's iat is out of the window, so its jti can be forgotten.
    state.dpop_jtis.insert(seen, iat + IAT_MAX_AGE_MS);
    Ok(jkt)
}

/// RFC 9449 §4.3: the same scheme, host, port and path, ignoring the query and fragment.
fn same_uri(htu: &str, expected: &str) -> bool {
    fn parts(uri: &str) -> Option<(String, String, u16, String)> {
        let uri = uri.split(['?', '#']).next().unwrap_or("");
        let (scheme, rest) = uri.split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        let (authority, path) = rest.find('/').map_or((rest, "/"), |i| rest.split_at(i));
        if authority.contains('@') {
            return None;
        }
        let (host, port) = crate::split_authority(authority)?;
        let default_port = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => return None,
        };
        Some((scheme, host.to_ascii_lowercase(), port.unwrap_or(default_port), path.to_owned()))
    }
    parts(htu).is_some_and(|given| parts(expected).is_some_and(|expected| given == expected))
}

#[cfg(test)]
mod tests {
    use super::same_uri;

    #[test]
    fn htu_comparison() {
        let endpoint = "http://127.0.0.1:8080/oauth/token";
        for same in [endpoint, "HTTP://127.0.0.1:8080/oauth/token?x=1", "http://127.0.0.1:8080/oauth/token#f"] {
            assert!(same_uri(same, endpoint), "{same}");
        }
        assert!(same_uri("https://emu.test:443/oauth/token", "https://emu.test/oauth/token"));
        assert!(same_uri("https://EMU.test/oauth/token", "https://emu.test/oauth/token"));
        for other in [
            "https://127.0.0.1:8080/oauth/token",
            "http://127.0.0.1:8081/oauth/token",
            "http://localhost:8080/oauth/token",
            "http://127.0.0.1:8080/oauth/token/",
            "http://127.0.0.1:8080/OAUTH/token",
            "http://user@127.0.0.1:8080/oauth/token",
            "127.0.0.1:8080/oauth/token",
            "",
        ] {
            assert!(!same_uri(other, endpoint), "{other}");
        }
    }
}

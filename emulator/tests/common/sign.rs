//! What a client signs: RS256/RS384/PS256 client assertions and ES256 DPoP proofs, made with the `rsa` and
//! `p256` crates the way a client library would, independently of the emulator's own code.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::SigningKey;
use rand::RngCore;
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey, LineEnding};
use rsa::signature::{RandomizedSigner, SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, pkcs1v15, pss};
use serde_json::{Value, json};
use sha2::{Digest, Sha256, Sha384};
use std::sync::OnceLock;

/// The seeded `private_key_jwt` client and its committed test key.
pub const JWT_CLIENT: &str = "jwt-client";
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const TEST_PRIVATE_KEY: &str = include_str!("../../keys/TEST-ONLY-client-assertion.private.pem");

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    b64(&bytes)
}

pub fn test_client_key() -> &'static RsaPrivateKey {
    static KEY: OnceLock<RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| RsaPrivateKey::from_pkcs8_pem(TEST_PRIVATE_KEY).expect("the committed test key"))
}

/// A second RSA 2048 key, made once per test binary.
pub fn other_client_key() -> &'static RsaPrivateKey {
    static KEY: OnceLock<RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).expect("an RSA key"))
}

pub fn public_pem(key: &RsaPrivateKey) -> String {
    key.to_public_key().to_public_key_pem(LineEnding::LF).expect("PEM")
}

/// RFC 7638 thumbprint of an RSA key, computed here rather than by the emulator.
pub fn rsa_thumbprint(key: &RsaPrivateKey) -> String {
    let public = key.to_public_key();
    let jwk =
        format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, b64(&public.e().to_bytes_be()), b64(&public.n().to_bytes_be()));
    b64(&Sha256::digest(jwk.as_bytes()))
}

/// A compact JWS of `header` and `claims` signed with `alg` (RS256, RS384 or PS256; any other name is signed
/// with RS256, to test that the emulator refuses the name).
pub fn sign_rsa(key: &RsaPrivateKey, alg: &str, header: &Value, claims: &Value) -> String {
    let input = format!("{}.{}", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()));
    let signature = match alg {
        "RS384" => pkcs1v15::SigningKey::<Sha384>::new(key.clone()).sign(input.as_bytes()).to_vec(),
        "PS256" => {
            pss::SigningKey::<Sha256>::new(key.clone()).sign_with_rng(&mut rand::rngs::OsRng, input.as_bytes()).to_vec()
        }
        _ => pkcs1v15::SigningKey::<Sha256>::new(key.clone()).sign(input.as_bytes()).to_vec(),
    };
    format!("{input}.{}", b64(&signature))
}

/// The claims an SDK sends: `aud` the tenant's URL with a slash, one minute, a fresh `jti`.
pub fn assertion_claims(base_url: &str, client_id: &str, now: i64) -> Value {
    json!({
        "iss": client_id, "sub": client_id, "aud": format!("{base_url}/"), "iat": now, "exp": now + 60,
        "jti": random_id(),
    })
}

/// An RS256 assertion for the seeded client, signed with the committed test key.
pub fn assertion(base_url: &str, now: i64) -> String {
    let claims = assertion_claims(base_url, JWT_CLIENT, now);
    sign_rsa(test_client_key(), "RS256", &json!({"alg": "RS256", "typ": "JWT"}), &claims)
}

/// Merges `patch` into a JSON object; `null` removes a member.
pub fn merged(mut base: Value, patch: Value) -> Value {
    if let (Some(map), Value::Object(patch)) = (base.as_object_mut(), patch) {
        for (key, value) in patch {
            if value.is_null() {
                map.remove(&key);
            } else {
                map.insert(key, value);
            }
        }
    }
    base
}

/// A DPoP key pair, as spa-js keeps one per session.
pub struct DpopKey(SigningKey);

impl DpopKey {
    pub fn new() -> Self {
        Self(SigningKey::random(&mut rand::rngs::OsRng))
    }

    fn coordinates(&self) -> (String, String) {
        let point = self.0.verifying_key().to_encoded_point(false);
        (b64(point.x().expect("x")), b64(point.y().expect("y")))
    }

    pub fn jwk(&self) -> Value {
        let (x, y) = self.coordinates();
        json!({"kty": "EC", "crv": "P-256", "x": x, "y": y})
    }

    /// RFC 7638, computed here.
    pub fn jkt(&self) -> String {
        let (x, y) = self.coordinates();
        b64(&Sha256::digest(format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#).as_bytes()))
    }

    pub fn header(&self) -> Value {
        json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": self.jwk()})
    }

    pub fn claims(base_url: &str, now: i64, nonce: Option<&str>) -> Value {
        let mut claims =
            json!({"htm": "POST", "htu": format!("{base_url}/oauth/token"), "iat": now, "jti": random_id()});
        if let Some(nonce) = nonce {
            claims["nonce"] = json!(nonce);
        }
        claims
    }

    /// A proof for `POST {base_url}/oauth/token`.
    pub fn proof(&self, base_url: &str, now: i64, nonce: Option<&str>) -> String {
        self.sign(&self.header(), &Self::claims(base_url, now, nonce))
    }

    pub fn sign(&self, header: &Value, claims: &Value) -> String {
        let input = format!("{}.{}", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()));
        let signature: p256::ecdsa::Signature = self.0.sign(input.as_bytes());
        format!("{input}.{}", b64(&signature.to_bytes()))
    }

    /// The private scalar, for a jwk that wrongly carries it.
    pub fn d(&self) -> String {
        b64(&self.0.to_bytes())
    }
}

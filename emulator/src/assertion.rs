//! `private_key_jwt` client authentication (RFC 7523) with Auth0's rules: the client's registered RSA keys,
//! the credential's algorithm, `iss`/`sub`/`aud`, a lifetime of at most five minutes, a one-time `jti`, and
//! the size limits.

use crate::errors::{self, ApiResult};
use crate::jose;
use crate::seed::JwtKeySeed;
use crate::state::State;
use crate::{App, state};
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use rsa::traits::PublicKeyParts;
use rsa::{RsaPublicKey, pkcs1v15, pss};
use serde_json::{Value, json};
use sha2::{Sha256, Sha384};

pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Auth0 keeps two credentials per application, so that one can replace the other.
const MAX_KEYS: usize = 2;
const MAX_ASSERTION_BYTES: usize = 2048;
const MAX_ALG_CHARS: usize = 16;
const MAX_CLAIM_CHARS: usize = 64;
const MAX_LIFETIME_MS: i64 = 300_000;
const CLOCK_SKEW_MS: i64 = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alg {
    Rs256,
    Rs384,
    Ps256,
}

impl Alg {
    fn parse(name: &str) -> Option<Self> {
        match name {
            "RS256" => Some(Self::Rs256),
            "RS384" => Some(Self::Rs384),
            "PS256" => Some(Self::Ps256),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Rs384 => "RS384",
            Self::Ps256 => "PS256",
        }
    }
}

/// One registered credential.
#[derive(Clone, Debug)]
pub struct ClientKey {
    pub kid: String,
    pub alg: Alg,
    pub expires_ms: Option<i64>,
    pub public: RsaPublicKey,
}

impl ClientKey {
    fn verifies(&self, input: &[u8], signature: &[u8]) -> bool {
        let key = self.public.clone();
        match self.alg {
            Alg::Rs256 => pkcs1v15::Signature::try_from(signature)
                .is_ok_and(|s| pkcs1v15::VerifyingKey::<Sha256>::new(key).verify(input, &s).is_ok()),
            Alg::Rs384 => pkcs1v15::Signature::try_from(signature)
                .is_ok_and(|s| pkcs1v15::VerifyingKey::<Sha384>::new(key).verify(input, &s).is_ok()),
            // The salt is as long as the digest (32 bytes), as RFC 7518 §3.5 requires.
            Alg::Ps256 => pss::Signature::try_from(signature)
                .is_ok_and(|s| pss::VerifyingKey::<Sha256>::new(key).verify(input, &s).is_ok()),
        }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "kid": self.kid, "alg": self.alg.name(), "bits": self.public.n().bits(),
            "expires_at": self.expires_ms.map(|ms| ms / 1000),
        })
    }
}

/// The keys of a seed, checked: one or two RSA keys of 2048-4096 bits with distinct ids.
pub fn parse_keys(seeds: &[JwtKeySeed]) -> Result<Vec<ClientKey>, String> {
    if seeds.is_empty() || seeds.len() > MAX_KEYS {
        return Err(format!("a private_key_jwt client needs 1-{MAX_KEYS} jwt_keys"));
    }
    let mut keys: Vec<ClientKey> = Vec::new();
    for seed in seeds {
        let pem = seed.pem.trim();
        let public = RsaPublicKey::from_public_key_pem(pem)
            .or_else(|_| RsaPublicKey::from_pkcs1_pem(pem))
            .map_err(|_| "jwt_keys[].pem must be an RSA public key in PEM (BEGIN PUBLIC KEY)".to_owned())?;
        let bits = public.n().bits();
        if !(2048..=4096).contains(&bits) {
            return Err(format!("jwt_keys[].pem must be an RSA key of 2048-4096 bits, not {bits}"));
        }
        let alg = match seed.alg.as_deref() {
            None => Alg::Rs256,
            Some(name) => {
                Alg::parse(name).ok_or_else(|| format!("jwt_keys[].alg must be RS256, RS384 or PS256, not {name}"))?
            }
        };
        let kid = match &seed.kid {
            Some(kid) if kid.is_empty() || kid.len() > 256 => {
                return Err("jwt_keys[].kid must be 1-256 characters".into());
            }
            Some(kid) => kid.clone(),
            None => jose::rsa_thumbprint(&public),
        };
        if keys.iter().any(|k| k.kid == kid) {
            return Err(format!("jwt_keys has two keys with the kid {kid}"));
        }
        let expires_ms = seed.expires_at.map(|secs| secs.clamp(0, state::MAX_CLOCK_MS / 1000) * 1000);
        keys.push(ClientKey { kid, alg, expires_ms, public });
    }
    Ok(keys)
}

/// The `sub` of an assertion, unverified: it names the client when the body has no `client_id`.
pub fn subject(assertion: &str) -> ApiResult<String> {
    let jws = jose::parse(assertion).ok_or_else(errors::assertion_malformed)?;
    jose::string(&jws.claims, "sub").map(str::to_owned).ok_or_else(errors::assertion_issuer)
}

/// Verifies `assertion` for the client `client_id` and spends its `jti`.
pub fn verify(app: &App, state: &mut State, client_id: &str, keys: &[ClientKey], assertion: &str) -> ApiResult<()> {
    if assertion.len() > MAX_ASSERTION_BYTES {
        return Err(errors::assertion_too_large());
    }
    let jws = jose::parse(assertion).ok_or_else(errors::assertion_malformed)?;
    let alg = jose::string(&jws.header, "alg").ok_or_else(errors::assertion_malformed)?;
    if alg.chars().count() > MAX_ALG_CHARS {
        return Err(errors::assertion_too_large());
    }
    let alg = Alg::parse(alg).ok_or_else(errors::assertion_alg)?;
    let now = state.now_ms();
    let live = keys.iter().filter(|k| k.expires_ms.is_none_or(|expires| now < expires));
    let named: Vec<&ClientKey> = match jws.header.get("kid") {
        None => live.collect(),
        Some(Value::String(kid)) => live.filter(|k| &k.kid == kid).collect(),
        Some(_) => return Err(errors::assertion_malformed()),
    };
    if named.is_empty() {
        return Err(errors::assertion_unknown_key());
    }
    // The credential fixes the algorithm: a signature by another one is refused even if it would verify.
    let usable: Vec<&ClientKey> = named.into_iter().filter(|k| k.alg == alg).collect();
    if usable.is_empty() {
        return Err(errors::assertion_alg());
    }
    if !usable.iter().any(|k| k.verifies(jws.signing_input.as_bytes(), &jws.signature)) {
        return Err(errors::assertion_signature());
    }

    let claims = &jws.claims;
    let (iss, sub) = (jose::string(claims, "iss"), jose::string(claims, "sub"));
    if [iss, sub].iter().flatten().any(|v| v.chars().count() > MAX_CLAIM_CHARS) {
        return Err(errors::assertion_too_large());
    }
    if iss != Some(client_id) || sub != Some(client_id) {
        return Err(errors::assertion_issuer());
    }
    // Auth0 documents `https://{domain}/`; the slash-less form and the token endpoint are accepted too.
    let base = &app.base();
    let accepted = [format!("{base}/"), base.clone(), format!("{base}/oauth/token")];
    let aud_ok = match claims.get("aud") {
        Some(Value::String(aud)) => accepted.contains(aud),
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).any(|aud| accepted.iter().any(|a| a == aud)),
        _ => false,
    };
    if !aud_ok {
        return Err(errors::assertion_audience());
    }
    let (Some(exp), Some(jti)) = (jose::date_ms(claims, "exp"), jose::string(claims, "jti")) else {
        return Err(errors::assertion_claims_missing());
    };
    if jti.is_empty() {
        return Err(errors::assertion_claims_missing());
    }
    if jti.chars().count() > MAX_CLAIM_CHARS {
        return Err(errors::assertion_too_large());
    }
    let date = |name: &str| match claims.get(name) {
        None => Ok(None),
        Some(_) => jose::date_ms(claims, name).map(Some).ok_or_else(errors::assertion_malformed),
    };
    let (iat, nbf) = (date("iat")?, date("nbf")?);
    if now >= exp {
        return Err(errors::assertion_expired());
    }
    if exp - iat.unwrap_or(now) > MAX_LIFETIME_MS {
        return Err(errors::assertion_lifetime());
    }
    if [iat, nbf].iter().flatten().any(|t| *t > now + CLOCK_SKEW_MS) {
        return Err(errors::assertion_not_yet_valid());
    }
    let key = (client_id.to_owned(), jti.to_owned());
    if state.assertion_jtis.get(&key).is_some_and(|seen_exp| now < *seen_exp) {
        return Err(errors::assertion_replayed());
    }
    state.assertion_jtis.insert(key, exp);
    Ok(())
}

//! Randomness, password hashing, the TOTP verifier and RS256 token signing.
//!
//! The TOTP verifier is deliberately independent of the product's OTP module, so a bug there cannot hide
//! behind the same bug here.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use data_encoding::{BASE32_NOPAD, Encoding};
use hmac::{Hmac, Mac};
use rand::{Rng, RngCore};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;
use subtle::ConstantTimeEq;

/// A key for tests and demos only: it is committed to the repository, so tokens it signs prove nothing.
const TEST_ONLY_SIGNING_KEY_PEM: &str = include_str!("../keys/TEST-ONLY-signing-key.pem");

const PBKDF2_ROUNDS: u32 = 10_000;
const RECOVERY_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// The platform's source of random bytes ([`crate::Env::random`]): every token, code, id, secret and salt the
/// tenant makes comes from it.
#[derive(Clone, Copy, Debug)]
pub struct Random(pub fn(&mut [u8]));

impl Random {
    pub fn hex(mut self, bytes: usize) -> String {
        let mut buf = vec![0u8; bytes];
        self.fill_bytes(&mut buf);
        buf.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn token(mut self, bytes: usize) -> String {
        let mut buf = vec![0u8; bytes];
        self.fill_bytes(&mut buf);
        URL_SAFE_NO_PAD.encode(buf)
    }

    pub fn digits(mut self, count: usize) -> String {
        (0..count).map(|_| char::from(b'0' + self.gen_range(0..10u8))).collect()
    }

    pub fn recovery_code(mut self) -> String {
        (0..24).map(|_| char::from(RECOVERY_ALPHABET[self.gen_range(0..RECOVERY_ALPHABET.len())])).collect()
    }

    pub fn totp_secret(mut self) -> String {
        let mut key = [0u8; 20];
        self.fill_bytes(&mut key);
        BASE32_NOPAD.encode(&key)
    }
}

impl RngCore for Random {
    fn next_u32(&mut self) -> u32 {
        let mut bytes = [0; 4];
        self.fill_bytes(&mut bytes);
        u32::from_le_bytes(bytes)
    }

    fn next_u64(&mut self) -> u64 {
        let mut bytes = [0; 8];
        self.fill_bytes(&mut bytes);
        u64::from_le_bytes(bytes)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        (self.0)(dest);
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

/// A stable short id derived from text, so authenticators from the seed keep their ids across resets.
pub fn stable_id(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

// ---- passwords ----------------------------------------------------------------------------------------------

/// `pbkdf2-sha256$<rounds>$<salt b64>$<hash b64>`
pub fn hash_password(mut random: Random, password: &str) -> String {
    let mut salt = [0u8; 16];
    random.fill_bytes(&mut salt);
    let hash = pbkdf2_sha256(password.as_bytes(), &salt, PBKDF2_ROUNDS);
    format!("pbkdf2-sha256${PBKDF2_ROUNDS}${}${}", STANDARD.encode(salt), STANDARD.encode(hash))
}

pub fn is_password_hash(text: &str) -> bool {
    parse_password_hash(text).is_some()
}

pub fn verify_password(password: &str, stored: &str) -> bool {
    let Some((rounds, salt, expected)) = parse_password_hash(stored) else { return false };
    let actual = pbkdf2_sha256(password.as_bytes(), &salt, rounds);
    constant_time_eq(&actual, &expected)
}

fn parse_password_hash(text: &str) -> Option<(u32, Vec<u8>, Vec<u8>)> {
    let mut parts = text.split('$');
    if parts.next()? != "pbkdf2-sha256" {
        return None;
    }
    let rounds: u32 = parts.next()?.parse().ok().filter(|r| (1..=1_000_000).contains(r))?;
    let salt = STANDARD.decode(parts.next()?).ok()?;
    let hash = STANDARD.decode(parts.next()?).ok()?;
    (parts.next().is_none() && hash.len() == 32).then_some((rounds, salt, hash))
}

fn pbkdf2_sha256(password: &[u8], salt: &[u8], rounds: u32) -> [u8; 32] {
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, rounds, &mut out);
    out
}

/// Constant-time in the contents; a length mismatch answers at once (the lengths are not secret).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

// ---- base32 and TOTP ----------------------------------------------------------------------------------------

/// Unpadded base32 read as authenticator apps read a secret: any case, spaces, dashes and padding ignored, and
/// stray bits in the last symbol too.
static LENIENT_BASE32: LazyLock<Encoding> = LazyLock::new(|| {
    let mut spec = BASE32_NOPAD.specification();
    spec.translate.from = "abcdefghijklmnopqrstuvwxyz".into();
    spec.translate.to = "ABCDEFGHIJKLMNOPQRSTUVWXYZ".into();
    spec.ignore = " \t\r\n\x0b\x0c=-".into();
    spec.check_trailing_bits = false;
    spec.encoding().expect("a valid base32 specification")
});

/// `None` for an empty key, a character outside the alphabet, or a length that cannot encode whole bytes.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    LENIENT_BASE32.decode(text.as_bytes()).ok().filter(|key| !key.is_empty())
}

/// RFC 6238 with SHA-1, 6 digits and a 30-second step.
pub fn totp_code(key: &[u8], step: u64) -> String {
    let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(key) else { return String::new() };
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let binary = (u32::from(digest[offset]) & 0x7f) << 24
        | u32::from(digest[offset + 1]) << 16
        | u32::from(digest[offset + 2]) << 8
        | u32::from(digest[offset + 3]);
    format!("{:06}", binary % 1_000_000)
}

/// The step the code matches: the current one or the one before it. Comparison is constant-time.
pub fn totp_matching_step(key: &[u8], code: &str, unix_secs: i64) -> Option<u64> {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) || unix_secs < 0 {
        return None;
    }
    let current = unix_secs as u64 / 30;
    [current, current.saturating_sub(1)]
        .into_iter()
        .find(|step| constant_time_eq(totp_code(key, *step).as_bytes(), code.as_bytes()))
}

// ---- RS256 tokens -------------------------------------------------------------------------------------------

pub struct Signer256 {
    key: SigningKey<Sha256>,
    public: RsaPublicKey,
    kid: String,
}

impl Signer256 {
    pub fn test_only() -> Result<Self, String> {
        let pem = TEST_ONLY_SIGNING_KEY_PEM;
        let private = RsaPrivateKey::from_pkcs8_pem(pem).map_err(|e| format!("signing key: {e}"))?;
        let public = private.to_public_key();
        let kid = stable_id(&URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()));
        Ok(Self { key: SigningKey::<Sha256>::new(private), public, kid })
    }

    pub fn sign(&self, claims: &Value) -> String {
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": self.kid});
        let input =
            format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
        let signature = self.key.sign(input.as_bytes()).to_bytes();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    pub fn jwks(&self) -> Value {
        json!({"keys": [{
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(self.public.n().to_bytes_be()),
            "e": URL_SAFE_NO_PAD.encode(self.public.e().to_bytes_be()),
        }]})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totp_matches_rfc6238_vector() {
        // RFC 6238 appendix B, SHA-1, T = 59 s, truncated to 6 digits.
        let key = b"12345678901234567890";
        assert_eq!(totp_code(key, 59 / 30), "287082");
        assert_eq!(totp_matching_step(key, "287082", 59), Some(1));
        assert_eq!(totp_matching_step(key, "287082", 89), Some(1));
        assert_eq!(totp_matching_step(key, "287082", 90), None);
    }

    #[test]
    fn base32_round_trips() {
        let secret = Random(crate::env::system_random).totp_secret();
        assert_eq!(secret.len(), 32);
        assert_eq!(BASE32_NOPAD.encode(&base32_decode(&secret).unwrap_or_default()), secret);
        assert_eq!(base32_decode("JBSWY3DPEHPK3PXP").unwrap_or_default(), b"Hello!\xde\xad\xbe\xef");
    }

    #[test]
    fn base32_decoding_is_lenient() {
        let hello = Some(b"Hello!\xde\xad\xbe\xef".to_vec());
        assert_eq!(base32_decode("jbsw y3dp-ehpk 3pxp"), hello);
        assert_eq!(base32_decode("JBSWY3DPEHPK3PXP======"), hello);
        // "foo" is MZXW6; 7 sets the unused last bit that 6 leaves clear.
        assert_eq!(base32_decode("mzxw7"), Some(b"foo".to_vec()));
        assert_eq!(base32_decode(""), None);
        assert_eq!(base32_decode("JBSWY3DP1"), None);
        assert_eq!(base32_decode("JBSWY3DPE"), None, "9 symbols cannot encode whole bytes");
    }

    #[test]
    fn passwords_verify() {
        let hash = hash_password(Random(crate::env::system_random), "Passw0rd!");
        assert!(verify_password("Passw0rd!", &hash));
        assert!(!verify_password("passw0rd!", &hash));
        assert!(!verify_password("Passw0rd!", "plain"));
    }
}

//! The shared secret of an OTP key: bytes that never show in `Debug` and are wiped when dropped.

use super::code::KeyedMac;
use super::error::SecretProblem;
use super::{Algorithm, OtpError, base32};
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::OnceCell;
use core::fmt;
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// Bytes in a generated secret unless asked otherwise: 160 bits, the length RFC 4226 recommends and Auth0 issues
/// (32 base32 characters).
pub const DEFAULT_SECRET_BYTES: usize = 20;
/// Secrets shorter than this many bits are accepted but reported as weak (RFC 4226 §4 asks for at least 128).
/// Real services still issue 80-bit secrets, so refusing them would lock users out.
pub const WEAK_SECRET_BITS: usize = 128;
/// Secrets shorter than this are refused: 80 bits is what the shortest real-world keys have, and anything shorter
/// falls to an offline search from a few observed codes.
pub const MIN_SECRET_BITS: usize = 80;
/// Upper bound on a secret's length, far above any real key, so that hostile input cannot make every HMAC costly.
pub const MAX_SECRET_BYTES: usize = 1024;
/// Generated secrets are never weak, and never longer than the largest HMAC block that helps (SHA-512's 64 bytes).
pub const GENERATED_BYTES: core::ops::RangeInclusive<usize> = 16..=64;

/// An OTP shared secret.
#[derive(Clone)]
pub struct Secret {
    bytes: Vec<u8>,
    /// HMAC keyed with these bytes, per algorithm, made on first use: each code then costs half the hashing.
    keyed: [OnceCell<KeyedMac>; 3],
}

impl Secret {
    /// Takes raw key bytes; refuses an empty, short (under 80 bits) or oversized key.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, OtpError> {
        let secret = Self { bytes, keyed: Default::default() };
        match Self::length_problem(secret.bytes.len()) {
            None => Ok(secret),
            Some(problem) => Err(OtpError::InvalidSecret(problem)),
        }
    }

    /// What is wrong with a secret of `bytes` bytes, if anything.
    pub fn length_problem(bytes: usize) -> Option<SecretProblem> {
        if bytes == 0 {
            Some(SecretProblem::Empty)
        } else if bytes * 8 < MIN_SECRET_BITS {
            Some(SecretProblem::TooShort { min_bits: MIN_SECRET_BITS })
        } else if bytes > MAX_SECRET_BYTES {
            Some(SecretProblem::TooLong { max_bytes: MAX_SECRET_BYTES })
        } else {
            None
        }
    }

    pub(super) fn keyed(&self, algorithm: Algorithm) -> &KeyedMac {
        let slot = match algorithm {
            Algorithm::Sha1 => 0,
            Algorithm::Sha256 => 1,
            Algorithm::Sha512 => 2,
        };
        self.keyed[slot].get_or_init(|| KeyedMac::new(algorithm, &self.bytes))
    }

    /// Decodes a base32 secret as people and services write it (lenient; see [`base32::decode`]).
    pub fn from_base32(text: &str) -> Result<Self, OtpError> {
        let bytes = base32::decode(text).map_err(|e| OtpError::InvalidSecret(SecretProblem::Base32(e)))?;
        Self::from_bytes(bytes)
    }

    /// A new secret from `random`: bytes the caller drew from a secure random source (this crate reads none), 16
    /// to 64 of them.
    pub fn generate(random: Vec<u8>) -> Result<Self, OtpError> {
        if !GENERATED_BYTES.contains(&random.len()) {
            return Err(OtpError::InvalidOption { option: "bytes", reason: "must be a whole number from 16 to 64" });
        }
        Self::from_bytes(random)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Upper-case base32 without padding, as `otpauth://` URIs carry it.
    pub fn to_base32(&self) -> String {
        base32::encode(&self.bytes)
    }

    pub fn bits(&self) -> usize {
        self.bytes.len() * 8
    }

    /// True under 128 bits: still usable, but worth a warning to whoever chose it.
    pub fn is_weak(&self) -> bool {
        self.bits() < WEAK_SECRET_BITS
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.bytes.ct_eq(&other.bytes).into()
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// The keyed HMAC states wipe themselves (hmac's `zeroize` feature).
impl Drop for Secret {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_default_to_160_bits() {
        let secret = Secret::generate(vec![0x5a; DEFAULT_SECRET_BYTES]).unwrap();
        assert_eq!(secret.bits(), 160);
        assert_eq!(secret.to_base32().len(), 32, "Auth0-style 32-character secret");
        assert!(!secret.is_weak());
    }

    #[test]
    fn generation_refuses_weak_or_pointless_lengths() {
        for bytes in [0, 10, 15, 65, 1000] {
            assert_eq!(Secret::generate(vec![1; bytes]).unwrap_err().code(), "invalid_option", "{bytes}");
        }
        assert_eq!(Secret::generate(vec![1; 16]).unwrap().bits(), 128);
        assert_eq!(Secret::generate(vec![1; 64]).unwrap().bits(), 512);
    }

    #[test]
    fn eighty_bit_secrets_are_accepted_and_reported_weak() {
        let secret = Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap();
        assert_eq!(secret.bits(), 80);
        assert!(secret.is_weak());
    }

    #[test]
    fn secrets_under_80_bits_are_refused() {
        let short = Secret::from_base32("JBSWY3DPEHPK3PX").unwrap_err();
        assert_eq!(short, OtpError::InvalidSecret(SecretProblem::TooShort { min_bits: 80 }));
        assert_eq!(short.message(), "secret is shorter than 80 bits");
        assert_eq!(Secret::from_bytes(vec![7; 9]).unwrap_err().code(), "invalid_secret");
        assert_eq!(Secret::from_bytes(vec![7; 10]).unwrap().bits(), 80);
    }

    #[test]
    fn empty_oversized_and_malformed_secrets_are_refused() {
        assert_eq!(Secret::from_base32("").unwrap_err(), OtpError::InvalidSecret(SecretProblem::Empty));
        assert_eq!(Secret::from_base32(" - ").unwrap_err(), OtpError::InvalidSecret(SecretProblem::Empty));
        assert_eq!(Secret::from_bytes(vec![1; MAX_SECRET_BYTES + 1]).unwrap_err().code(), "invalid_secret");
        let err = Secret::from_base32("JBSWY3DP!HPK3PXP").unwrap_err();
        assert_eq!(err.code(), "invalid_secret");
        assert_eq!(err.message(), "secret is not valid base32: invalid base32 character at position 8");
    }

    #[test]
    fn debug_never_shows_the_key() {
        let secret = Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap();
        let debug = format!("{secret:?}");
        assert_eq!(debug, "Secret([redacted])");
    }
}

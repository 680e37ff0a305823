//! What every OTP key has, time- or counter-based: the secret, how codes are made from it, and whom it is for.

use super::code::{hotp, verify_counter};
use super::{Algorithm, Digits, Match, Secret};
use alloc::string::String;

/// The parts of a key that TOTP, HOTP and `otpauth://` URIs share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub secret: Secret,
    pub algorithm: Algorithm,
    pub digits: Digits,
    /// The account part of the label, e.g. `user@example.com`.
    pub account: String,
    /// The `issuer` parameter.
    pub issuer: Option<String>,
    /// The issuer prefix of the label (`Issuer:account`), which older URIs carry instead of the parameter; kept
    /// when it differs from `issuer`, so that a URI survives a round trip.
    pub label_issuer: Option<String>,
}

impl Key {
    /// The usual parameters: SHA-1, 6 digits, no account or issuer.
    pub fn new(secret: Secret) -> Self {
        Self {
            secret,
            algorithm: Algorithm::default(),
            digits: Digits::default(),
            account: String::new(),
            issuer: None,
            label_issuer: None,
        }
    }

    /// The issuer an authenticator app shows: the parameter, else the label's prefix.
    pub fn shown_issuer(&self) -> Option<&str> {
        self.issuer.as_deref().or(self.label_issuer.as_deref())
    }

    /// The HOTP code for `counter`.
    pub(crate) fn code(&self, counter: u64) -> String {
        hotp(&self.secret, counter, self.algorithm, self.digits)
    }

    /// `code` checked against `center - behind ..= center + ahead`, after `after` (see `verify_counter`).
    pub(crate) fn find(&self, code: &str, center: u64, window: (u32, u32), after: Option<u64>) -> Option<Match> {
        verify_counter(&self.secret, self.algorithm, self.digits, code, center, window, after)
    }
}

/// What `Totp` and `Hotp` share: each is a [`Key`] plus the one parameter of its kind (`period`, `counter`), which is
/// what an `otpauth://` URI of that kind carries besides the key.
macro_rules! kind_of_key {
    ($type:ident, OtpKind::$kind:ident { $field:ident: $default:expr }, $default_doc:literal, $wrong_kind:literal) => {
        impl $type {
            #[doc = concat!("A key with the usual parameters: SHA-1, 6 digits, ", $default_doc, ".")]
            pub fn new(secret: super::Secret) -> Self {
                super::Key::new(secret).into()
            }

            /// Reads an `otpauth://` URI of this kind.
            pub fn from_uri(uri: &str) -> Result<Self, super::OtpError> {
                Self::try_from(super::KeyUri::parse(uri)?)
            }

            pub fn key_uri(&self) -> super::KeyUri {
                super::KeyUri { kind: super::OtpKind::$kind { $field: self.$field }, key: self.key.clone() }
            }

            pub fn to_uri(&self) -> alloc::string::String {
                self.key_uri().to_uri()
            }
        }

        impl TryFrom<super::KeyUri> for $type {
            type Error = super::OtpError;

            fn try_from(uri: super::KeyUri) -> Result<Self, super::OtpError> {
                let super::OtpKind::$kind { $field } = uri.kind else {
                    let problem = super::error::UriProblem::Parameter { name: "type", reason: $wrong_kind };
                    return Err(super::OtpError::InvalidUri(problem));
                };
                Ok(Self { key: uri.key, $field })
            }
        }

        #[doc = concat!("With ", $default_doc, ".")]
        impl From<super::Key> for $type {
            fn from(key: super::Key) -> Self {
                Self { key, $field: $default }
            }
        }
    };
}
pub(crate) use kind_of_key;

use crate::text::{concat, with_number};
use alloc::string::String;
use auth0_mfa_codes::ErrorCode;
use core::fmt;

/// Why base32 text could not be decoded. Positions count characters of the text as given, from 0; the offending
/// character itself is never repeated, since it is part of a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Base32Error {
    /// A character outside `A–Z`, `a–z`, `2–7`, spaces, hyphens and trailing `=` padding.
    InvalidCharacter { position: usize },
    /// A `=` that is followed by something other than padding.
    MisplacedPadding { position: usize },
    /// A count of base32 symbols that no byte string encodes to (1, 3 or 6 modulo 8).
    InvalidLength { symbols: usize },
}

impl Base32Error {
    pub fn message(&self) -> String {
        match *self {
            Self::InvalidCharacter { position } => {
                with_number("invalid base32 character at position ", position as u64, "")
            }
            Self::MisplacedPadding { position } => {
                with_number("padding '=' at position ", position as u64, " is followed by data")
            }
            Self::InvalidLength { symbols } => {
                with_number("", symbols as u64, " base32 characters cannot encode whole bytes")
            }
        }
    }
}

/// An error from the OTP helpers. [`OtpError::code`] is stable and is what JavaScript sees as `error.code`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OtpError {
    /// Base32 text given on its own (not as a secret) is malformed.
    InvalidBase32(Base32Error),
    /// The secret is malformed, empty or too long.
    InvalidSecret(SecretProblem),
    /// An option is out of range; `option` is its Rust name (the TypeScript facade checks options itself).
    InvalidOption { option: &'static str, reason: &'static str },
    /// An `otpauth://` URI could not be parsed.
    InvalidUri(UriProblem),
}

/// What is wrong with a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecretProblem {
    Empty,
    /// Under 80 bits: guessable offline from a handful of codes (RFC 4226 §4 asks for 128).
    TooShort {
        min_bits: usize,
    },
    TooLong {
        max_bytes: usize,
    },
    Base32(Base32Error),
}

/// What is wrong with an `otpauth://` URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UriProblem {
    NotOtpauth,
    UnknownType,
    MissingSecret,
    Secret(SecretProblem),
    Parameter { name: &'static str, reason: &'static str },
    NotUtf8,
}

impl OtpError {
    /// Stable, machine-readable error code.
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Self::InvalidBase32(_) => ErrorCode::InvalidBase32,
            Self::InvalidSecret(_) => ErrorCode::InvalidSecret,
            Self::InvalidOption { .. } => ErrorCode::InvalidOption,
            Self::InvalidUri(_) => ErrorCode::InvalidUri,
        }
    }

    /// The code as JavaScript sees it, e.g. `invalid_base32`.
    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }

    /// What went wrong, in words; never a secret or any part of one.
    pub fn message(&self) -> String {
        match self {
            Self::InvalidBase32(e) => e.message(),
            Self::InvalidSecret(p) => p.message(),
            Self::InvalidOption { option, reason } => concat(&["option ", option, " ", reason]),
            Self::InvalidUri(p) => p.message(),
        }
    }
}

impl SecretProblem {
    pub fn message(&self) -> String {
        match self {
            Self::Empty => "secret is empty".into(),
            Self::TooShort { min_bits } => with_number("secret is shorter than ", *min_bits as u64, " bits"),
            Self::TooLong { max_bytes } => with_number("secret is longer than ", *max_bytes as u64, " bytes"),
            Self::Base32(e) => concat(&["secret is not valid base32: ", &e.message()]),
        }
    }
}

impl UriProblem {
    pub fn message(&self) -> String {
        match self {
            Self::NotOtpauth => "URI does not start with otpauth://".into(),
            Self::UnknownType => "URI type is neither totp nor hotp".into(),
            Self::MissingSecret => "URI has no secret parameter".into(),
            Self::Secret(p) => concat(&["URI ", &p.message()]),
            Self::Parameter { name, reason } => concat(&["URI parameter ", name, " ", reason]),
            Self::NotUtf8 => "URI label or parameter is not valid UTF-8 after percent-decoding".into(),
        }
    }
}

/// The `Display` of each error is its [`message`](OtpError::message).
macro_rules! display_message {
    ($($type:ty),+) => {
        $(impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.message())
            }
        })+
    };
}
display_message!(Base32Error, SecretProblem, UriProblem, OtpError);

impl core::error::Error for OtpError {}

use crate::code::ErrorCode;
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

impl fmt::Display for Base32Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidCharacter { position } => {
                write!(f, "invalid base32 character at position {position}")
            }
            Self::MisplacedPadding { position } => {
                write!(f, "padding '=' at position {position} is followed by data")
            }
            Self::InvalidLength { symbols } => {
                write!(f, "{symbols} base32 characters cannot encode whole bytes")
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
    /// An option is out of range; `option` is its Rust name, which the JavaScript facade spells as JavaScript does.
    InvalidOption { option: &'static str, reason: &'static str },
    /// An `otpauth://` URI could not be parsed.
    InvalidUri(UriProblem),
    /// The platform's random number generator failed.
    RandomUnavailable,
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
            Self::RandomUnavailable => ErrorCode::RandomUnavailable,
        }
    }

    /// The code as JavaScript sees it, e.g. `invalid_base32`.
    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }
}

impl fmt::Display for SecretProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("secret is empty"),
            Self::TooShort { min_bits } => write!(f, "secret is shorter than {min_bits} bits"),
            Self::TooLong { max_bytes } => write!(f, "secret is longer than {max_bytes} bytes"),
            Self::Base32(e) => write!(f, "secret is not valid base32: {e}"),
        }
    }
}

impl fmt::Display for UriProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotOtpauth => f.write_str("URI does not start with otpauth://"),
            Self::UnknownType => f.write_str("URI type is neither totp nor hotp"),
            Self::MissingSecret => f.write_str("URI has no secret parameter"),
            Self::Secret(p) => write!(f, "URI {p}"),
            Self::Parameter { name, reason } => write!(f, "URI parameter {name} {reason}"),
            Self::NotUtf8 => f.write_str("URI label or parameter is not valid UTF-8 after percent-decoding"),
        }
    }
}

impl fmt::Display for OtpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidBase32(e) => e.fmt(f),
            Self::InvalidSecret(p) => p.fmt(f),
            Self::InvalidOption { option, reason } => write!(f, "option {option} {reason}"),
            Self::InvalidUri(p) => p.fmt(f),
            Self::RandomUnavailable => f.write_str("the platform's secure random number generator is unavailable"),
        }
    }
}

impl std::error::Error for OtpError {}

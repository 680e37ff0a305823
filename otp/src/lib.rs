//! One-time passwords, in pure Rust: base32 (RFC 4648), HOTP (RFC 4226), TOTP (RFC 6238), `otpauth://` Key URIs
//! and secrets.
//!
//! Nothing here reads the clock: every time is a Unix time in seconds passed by the caller, so the same code runs
//! natively, in browsers, Node and Workers, and tests are deterministic.

pub mod base32;
mod code;
mod error;
mod hotp;
mod key;
mod secret;
mod totp;
mod uri;

pub use code::Match;
pub use code::{Algorithm, Digits};
pub use error::{Base32Error, OtpError, SecretProblem, UriProblem};
pub use hotp::Hotp;
pub use key::Key;
pub use secret::{DEFAULT_SECRET_BYTES, MAX_SECRET_BYTES, MIN_SECRET_BITS, Secret, WEAK_SECRET_BITS};
pub use totp::Totp;
pub use uri::{DEFAULT_PERIOD, KeyUri, OtpKind, UNRESERVED};

/// Default window of `verify`: TOTP steps either side of the current one; HOTP counters after the expected one.
pub const DEFAULT_WINDOW: u32 = 1;
/// Largest window `verify` accepts: each step accepted is one more code a guess can hit.
pub const MAX_WINDOW: u32 = 10;

//! One-time passwords, in pure Rust: base32 (RFC 4648), HOTP (RFC 4226), TOTP (RFC 6238), `otpauth://` Key URIs
//! and secrets. It stands alone: it knows the error codes (`auth0-mfa-codes`) and nothing of the login flow.
//!
//! Nothing here reads the clock or a random source: every time is a Unix time in seconds passed by the caller, and
//! a new secret is made from bytes the caller drew, so the same code runs natively, in browsers, Node and Workers,
//! and tests are deterministic.
//!
//! `no_std` (with `alloc`): the shipped OTP module has no std, so no formatting machinery and no unwinding. The
//! messages of its errors are built by [`OtpError::message`], without `core::fmt`.
#![cfg_attr(not(test), no_std)]

extern crate alloc;

pub mod base32;
mod code;
mod error;
mod hotp;
mod key;
mod secret;
mod text;
mod totp;
mod uri;
#[cfg(feature = "wasm")]
pub mod wasm;

pub use auth0_mfa_codes::ErrorCode;
pub use code::Match;
pub use code::{Algorithm, Digits, KeyedHotp};
pub use error::{Base32Error, OtpError, SecretProblem, UriProblem};
pub use hotp::Hotp;
pub use key::Key;
pub use secret::{DEFAULT_SECRET_BYTES, GENERATED_BYTES, MAX_SECRET_BYTES, MIN_SECRET_BITS, Secret, WEAK_SECRET_BITS};
pub use totp::Totp;
pub use uri::{DEFAULT_PERIOD, KeyUri, OtpKind, UNRESERVED};

/// Default window of `verify`: TOTP steps either side of the current one; HOTP counters after the expected one.
pub const DEFAULT_WINDOW: u32 = 1;
/// Largest window `verify` accepts: each step accepted is one more code a guess can hit.
pub const MAX_WINDOW: u32 = 10;

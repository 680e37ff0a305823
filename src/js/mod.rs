//! The JavaScript facade: thin `#[wasm_bindgen]` wrappers that validate every input coming from JavaScript and turn
//! every failure into an `Error` with a stable `code`, so that no bad input can reach a panic.

mod error;
mod input;
mod otp;

pub use otp::{Hotp, Totp, base32_decode, base32_encode, generate_secret, parse_key_uri};

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Every error this library throws is an `Error` with a stable, machine-readable `code`. */
export interface Auth0MfaError extends Error {
  name: "Auth0MfaError";
  /** For example `invalid_secret`, `invalid_uri`, `invalid_option`, `invalid_argument`, `invalid_time`. */
  code: string;
}

/** HMAC hash function of an OTP key. */
export type OtpAlgorithm = "SHA1" | "SHA256" | "SHA512";

/** A point in time: milliseconds since the Unix epoch (as `Date.now()` returns) or a `Date`. */
export type Timestamp = number | Date;

/** Options for `new Totp(…)`. */
export interface TotpOptions {
  /** The shared secret: base32 text (lenient: lower case, spaces, hyphens and padding are fine) or raw bytes. */
  secret: string | Uint8Array;
  /** Default `"SHA1"`. */
  algorithm?: OtpAlgorithm;
  /** 6, 7 or 8. Default 6. */
  digits?: number;
  /** Step length in whole seconds, at least 1. Default 30. */
  period?: number;
  /** Account name shown by authenticator apps, e.g. an email address. */
  account?: string;
  /** Service name shown by authenticator apps. */
  issuer?: string;
}

/** Options for `new Hotp(…)`. */
export interface HotpOptions {
  secret: string | Uint8Array;
  algorithm?: OtpAlgorithm;
  digits?: number;
  /** The next counter value (carried in the URI). Default 0. */
  counter?: number;
  account?: string;
  issuer?: string;
}

/** Options for `Totp.verify`. */
export interface TotpVerifyOptions {
  /** Steps accepted either side of the current one, 0 to 100. Default 1 (the previous, current and next code). */
  window?: number;
  /** When to verify. Default: now. */
  time?: Timestamp;
  /** The step of the last code you accepted for this key: codes from that step or earlier are refused (replay guard). */
  afterStep?: number;
}

/** Options for `Hotp.verify`. */
export interface HotpVerifyOptions {
  /** The counter expected next. Default: the key's `counter`. */
  counter?: number;
  /** Counters accepted either side of `counter`, 0 to 100. Default 1. */
  window?: number;
  /** The last counter you accepted: codes for it or earlier counters are refused (replay guard). */
  afterCounter?: number;
}

/** What an `otpauth://` URI says about a key. */
export interface KeyUriInfo {
  type: "totp" | "hotp";
  /** Upper-case base32 without padding. */
  secret: string;
  algorithm: OtpAlgorithm;
  digits: number;
  /** TOTP only. */
  period?: number;
  /** HOTP only. */
  counter?: number;
  account: string;
  /** The `issuer` parameter. */
  issuer?: string;
  /** The issuer prefix of the label, which may differ from `issuer`. */
  labelIssuer?: string;
  /** Bits in the secret. */
  bits: number;
  /** True when the secret has fewer than 128 bits: usable, but weak. */
  weak: boolean;
}
"#;

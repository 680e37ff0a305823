//! The HOTP computation shared by HOTP and TOTP (RFC 4226 §5.3), and constant-time verification over a window.

use super::{MAX_WINDOW, OtpError, Secret};
use alloc::string::String;
use core::fmt;
use hmac::{Hmac, KeyInit, Mac};
use subtle::ConstantTimeEq;

/// The HMAC hash function. SHA-1 is what Auth0 and nearly every authenticator app use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Algorithm {
    #[default]
    Sha1,
    Sha256,
    Sha512,
}

impl Algorithm {
    /// Every algorithm, in the order the OTP module numbers them.
    pub const ALL: [Algorithm; 3] = [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512];

    /// The name used in `otpauth://` URIs and in the JavaScript API.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
            Self::Sha512 => "SHA512",
        }
    }

    /// Parses `SHA1`, `SHA256` or `SHA512`, in any case and with or without a hyphen (`sha-256`).
    pub fn parse(name: &str) -> Option<Self> {
        let compact: String = name.chars().filter(|c| *c != '-').collect();
        match compact.to_ascii_uppercase().as_str() {
            "SHA1" => Some(Self::Sha1),
            "SHA256" => Some(Self::Sha256),
            "SHA512" => Some(Self::Sha512),
            _ => None,
        }
    }
}

/// A keyed HMAC state, copied for each message: keying hashes the padded key, once per secret rather than per code.
/// Its state derives from the secret, and is wiped on drop.
#[derive(Clone)]
pub(super) enum KeyedMac {
    Sha1(Option<Hmac<sha1::Sha1>>),
    Sha256(Option<Hmac<sha2::Sha256>>),
    Sha512(Option<Hmac<sha2::Sha512>>),
}

impl KeyedMac {
    pub(super) fn new(algorithm: Algorithm, key: &[u8]) -> Self {
        // HMAC takes keys of any length, so keying never fails.
        fn key_with<M: KeyInit>(key: &[u8]) -> Option<M> {
            <M as KeyInit>::new_from_slice(key).ok()
        }
        match algorithm {
            Algorithm::Sha1 => Self::Sha1(key_with(key)),
            Algorithm::Sha256 => Self::Sha256(key_with(key)),
            Algorithm::Sha512 => Self::Sha512(key_with(key)),
        }
    }

    /// RFC 4226 §5.3's dynamic truncation of the HMAC of `message`, read straight from the hash output: no
    /// allocation per code. Keying cannot fail (HMAC takes keys of any length); were it to, this is 0.
    fn truncated(&self, message: &[u8]) -> u32 {
        fn run<M: Mac + Clone>(keyed: &Option<M>, message: &[u8]) -> u32 {
            let Some(mut mac) = keyed.clone() else { return 0 };
            mac.update(message);
            let hash = mac.finalize().into_bytes();
            let offset = hash.last().map_or(0, |b| usize::from(b & 0x0f));
            match hash.get(offset..offset + 4) {
                Some(&[a, b, c, d]) => u32::from_be_bytes([a & 0x7f, b, c, d]),
                _ => 0,
            }
        }
        match self {
            Self::Sha1(keyed) => run(keyed, message),
            Self::Sha256(keyed) => run(keyed, message),
            Self::Sha512(keyed) => run(keyed, message),
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Number of digits in a code: 6, 7 or 8 (RFC 4226 requires at least 6; more than 8 exceeds the 31-bit value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Digits(u8);

impl Digits {
    pub const SIX: Digits = Digits(6);

    pub fn new(digits: u32) -> Result<Self, OtpError> {
        match digits {
            6..=8 => Ok(Self(digits as u8)),
            _ => Err(OtpError::InvalidOption { option: "digits", reason: "must be 6, 7 or 8" }),
        }
    }

    pub fn get(self) -> u32 {
        u32::from(self.0)
    }
}

impl Default for Digits {
    fn default() -> Self {
        Self::SIX
    }
}

/// An HOTP key keyed once, for one algorithm and one number of digits: what the OTP module holds per key. Only the
/// keyed HMAC states are kept, not the secret's bytes.
#[derive(Clone)]
pub struct KeyedHotp {
    mac: KeyedMac,
    digits: Digits,
}

impl KeyedHotp {
    pub fn new(secret: &Secret, algorithm: Algorithm, digits: Digits) -> Self {
        Self { mac: KeyedMac::new(algorithm, secret.as_bytes()), digits }
    }

    /// From the bytes of a secret checked already (see [`Secret::from_bytes`]).
    pub fn from_checked_bytes(secret: &[u8], algorithm: Algorithm, digits: Digits) -> Self {
        Self { mac: KeyedMac::new(algorithm, secret), digits }
    }

    /// The HOTP code for `counter` as a number, before it is padded to `digits` with zeros.
    pub fn value(&self, counter: u64) -> u32 {
        hotp_value(&self.mac, counter, self.digits)
    }

    /// `code`, read as a number, checked against the counters `center - behind ..= center + ahead` after `after`
    /// (see [`verify_counter`]).
    pub fn find(&self, code: u32, center: u64, window: (u32, u32), after: Option<u64>) -> Option<Match> {
        find(&self.mac, self.digits, code, center, window, after)
    }
}

/// RFC 4226 HOTP value for `counter`, zero-padded to `digits`.
pub(crate) fn hotp(secret: &Secret, counter: u64, algorithm: Algorithm, digits: Digits) -> String {
    let value = hotp_value(secret.keyed(algorithm), counter, digits);
    // Written out rather than with `{:0width$}`: less wasm, and no formatter on every generated code.
    let mut code = String::with_capacity(digits.get() as usize);
    for place in (0..digits.get()).rev() {
        code.push(char::from(b'0' + (value / 10u32.pow(place) % 10) as u8));
    }
    code
}

/// The HOTP code as a number: verification compares numbers, so only `generate` pays for formatting.
fn hotp_value(mac: &KeyedMac, counter: u64, digits: Digits) -> u32 {
    mac.truncated(&counter.to_be_bytes()) % 10u32.pow(digits.get())
}

/// The code as a number, ignoring the spaces and hyphens people type inside it ("123 456"); `None` unless exactly
/// `digits` ASCII digits remain, since such a code can never match. Read without allocating: verify runs per login.
pub(crate) fn code_value(code: &str, digits: Digits) -> Option<u32> {
    let mut value: u32 = 0;
    let mut count = 0;
    for c in code.chars() {
        if c.is_whitespace() || c == '-' {
            continue;
        }
        let digit = c.to_digit(10).filter(|_| c.is_ascii_digit())?;
        count += 1;
        if count > digits.get() {
            return None;
        }
        value = value * 10 + digit;
    }
    (count == digits.get()).then_some(value)
}

/// A window (`option` names it), refused above [`MAX_WINDOW`].
pub(crate) fn check_window(option: &'static str, window: u32) -> Result<u32, OtpError> {
    if window > MAX_WINDOW {
        return Err(OtpError::InvalidOption { option, reason: "must be a whole number from 0 to 10" });
    }
    Ok(window)
}

/// The counter (TOTP: the step) a code matched, and how far it is from the one expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    /// `counter` minus the expected counter: `0` for the current step, `-1` for the previous one, …
    pub delta: i64,
    /// Keep it as `afterStep` (TOTP) or `afterCounter` (HOTP) for the next call, so this code cannot be replayed.
    pub counter: u64,
}

/// Checks `code` against the counters `center - behind ..= center + ahead`, skipping counters at or before
/// `after` (the replay guard). The nearest counters are tried first (`0, -1, +1, -2, +2, …`), and the search stops
/// at the first match: a current code costs one HMAC. Each comparison is constant-time, so timing tells only how far
/// the matching step is, which the result says anyway.
pub(crate) fn verify_counter(
    secret: &Secret,
    algorithm: Algorithm,
    digits: Digits,
    code: &str,
    center: u64,
    (behind, ahead): (u32, u32),
    after: Option<u64>,
) -> Option<Match> {
    let code = code_value(code, digits)?;
    find(secret.keyed(algorithm), digits, code, center, (behind, ahead), after)
}

/// [`verify_counter`] for a code already read as a number.
fn find(
    mac: &KeyedMac,
    digits: Digits,
    code: u32,
    center: u64,
    (behind, ahead): (u32, u32),
    after: Option<u64>,
) -> Option<Match> {
    let (behind, ahead) = (i64::from(behind.min(MAX_WINDOW)), i64::from(ahead.min(MAX_WINDOW)));
    // Offsets 0, -1, +1, -2, +2, …: a plain loop, which is less wasm than the iterator chain it replaced.
    for step in 0..=2 * behind.max(ahead) {
        let delta = if step % 2 == 1 { -(step + 1) / 2 } else { step / 2 };
        let Some(counter) = center.checked_add_signed(delta) else { continue };
        if (-behind..=ahead).contains(&delta)
            && after.is_none_or(|after| counter > after)
            && bool::from(hotp_value(mac, counter, digits).ct_eq(&code))
        {
            return Some(Match { delta, counter });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(bytes: &[u8]) -> Secret {
        Secret::from_bytes(bytes.to_vec()).unwrap()
    }

    #[test]
    fn rfc4226_appendix_d_values() {
        let key = secret(b"12345678901234567890");
        let expected =
            ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(hotp(&key, counter as u64, Algorithm::Sha1, Digits::SIX), *code, "counter {counter}");
        }
    }

    #[test]
    fn digits_outside_six_to_eight_are_refused() {
        for bad in [0, 5, 9, 10, u32::MAX] {
            assert_eq!(Digits::new(bad).unwrap_err().code(), "invalid_option");
        }
        assert_eq!(Digits::new(7).unwrap().get(), 7);
    }

    #[test]
    fn algorithm_names_parse_leniently() {
        assert_eq!(Algorithm::parse("sha1"), Some(Algorithm::Sha1));
        assert_eq!(Algorithm::parse("SHA-256"), Some(Algorithm::Sha256));
        assert_eq!(Algorithm::parse("Sha512"), Some(Algorithm::Sha512));
        assert_eq!(Algorithm::parse("MD5"), None);
        assert_eq!(Algorithm::parse(""), None);
    }

    #[test]
    fn codes_are_read_as_numbers_or_refused() {
        assert_eq!(code_value("123 456", Digits::SIX), Some(123_456));
        assert_eq!(code_value(" 123-456\t", Digits::SIX), Some(123_456));
        assert_eq!(code_value("012345", Digits::SIX), Some(12_345));
        assert_eq!(code_value("99999999", Digits::new(8).unwrap()), Some(99_999_999));
        assert_eq!(code_value("12345", Digits::SIX), None);
        assert_eq!(code_value("1234567", Digits::SIX), None);
        assert_eq!(code_value("12345a", Digits::SIX), None);
        assert_eq!(code_value("", Digits::SIX), None);
        assert_eq!(code_value("١٢٣٤٥٦", Digits::SIX), None, "non-ASCII digits");
    }

    #[test]
    fn verify_prefers_the_nearest_step_and_honours_the_replay_guard() {
        let key = secret(b"12345678901234567890");
        let code_at_5 = hotp(&key, 5, Algorithm::Sha1, Digits::SIX);
        let check = |center, window, after| {
            verify_counter(&key, Algorithm::Sha1, Digits::SIX, &code_at_5, center, window, after).map(|m| m.delta)
        };
        assert_eq!(check(5, (1, 1), None), Some(0));
        assert_eq!(check(6, (1, 1), None), Some(-1));
        assert_eq!(check(4, (1, 1), None), Some(1));
        assert_eq!(check(7, (1, 1), None), None);
        assert_eq!(check(5, (0, 0), None), Some(0));
        assert_eq!(check(5, (1, 1), Some(5)), None);
        assert_eq!(check(5, (1, 1), Some(4)), Some(0));
        // One-sided windows: ahead only (HOTP's default), behind only.
        assert_eq!(check(6, (0, 1), None), None);
        assert_eq!(check(4, (0, 1), None), Some(1));
        assert_eq!(check(6, (1, 0), None), Some(-1));
        assert_eq!(check(4, (1, 0), None), None);
        assert_eq!(check(2, (0, 3), None), Some(3));
        let found = verify_counter(&key, Algorithm::Sha1, Digits::SIX, &code_at_5, 6, (1, 1), None);
        assert_eq!(found, Some(Match { delta: -1, counter: 5 }));
        // Counter 0 has no predecessor: the window is clipped, not wrapped.
        let code_at_0 = hotp(&key, 0, Algorithm::Sha1, Digits::SIX);
        assert_eq!(
            verify_counter(&key, Algorithm::Sha1, Digits::SIX, &code_at_0, 0, (3, 3), None).map(|m| m.delta),
            Some(0)
        );
        let code_at_max = hotp(&key, u64::MAX, Algorithm::Sha1, Digits::SIX);
        let at_max = verify_counter(&key, Algorithm::Sha1, Digits::SIX, &code_at_max, u64::MAX, (2, 2), None);
        assert_eq!(at_max, Some(Match { delta: 0, counter: u64::MAX }));
    }

    #[test]
    fn window_above_the_maximum_is_refused() {
        assert_eq!(check_window("window", 10), Ok(10));
        let error = check_window("look_behind", 11).unwrap_err();
        assert_eq!(
            (error.code(), error.message().as_str()),
            ("invalid_option", "option look_behind must be a whole number from 0 to 10")
        );
    }
}

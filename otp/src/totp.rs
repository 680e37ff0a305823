//! Time-based one-time passwords (RFC 6238), with the step origin T0 = 0 as every authenticator app uses.

use super::code::check_window;
use super::{DEFAULT_PERIOD, Key, Match, OtpError};
use alloc::string::String;
use core::num::NonZeroU64;

/// A TOTP key. Every method takes the Unix time in seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totp {
    pub key: Key,
    /// Step length in seconds (30 unless the issuer says otherwise).
    pub period: NonZeroU64,
}

super::key::kind_of_key!(Totp, OtpKind::Totp { period: DEFAULT_PERIOD }, "steps of 30 seconds", "is hotp, not totp");

impl Totp {
    /// The step counter at `unix_seconds`.
    pub fn counter(&self, unix_seconds: u64) -> u64 {
        unix_seconds / self.period.get()
    }

    /// The code for the step containing `unix_seconds`.
    pub fn generate(&self, unix_seconds: u64) -> String {
        self.key.code(self.counter(unix_seconds))
    }

    /// Seconds until the current code is replaced (from `period` down to 1).
    pub fn remaining(&self, unix_seconds: u64) -> u64 {
        self.period.get() - unix_seconds % self.period.get()
    }

    /// Checks `code` at `unix_seconds`, accepting steps up to `window` either side (RFC 6238 §5.2: clocks drift
    /// and codes take time to type). A step at or before `after_step` (the last step the caller accepted) is
    /// refused, so a code cannot be replayed. Returns the matching step and its offset from the current one (`0`,
    /// `-1`, `+1`, …), or `None`.
    pub fn verify(
        &self,
        code: &str,
        unix_seconds: u64,
        window: u32,
        after_step: Option<u64>,
    ) -> Result<Option<Match>, OtpError> {
        let window = check_window("window", window)?;
        let window = (window, window);
        Ok(self.key.find(code, self.counter(unix_seconds), window, after_step))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;
    use crate::{Algorithm, Digits};

    fn key(seed: &[u8], algorithm: Algorithm) -> Totp {
        let secret = Secret::from_bytes(seed.to_vec()).unwrap();
        Key { algorithm, digits: Digits::new(8).unwrap(), ..Key::new(secret) }.into()
    }

    /// RFC 6238 Appendix B: the seeds are the ASCII digits repeated to the hash's length.
    #[test]
    fn rfc6238_appendix_b_vectors_for_all_three_algorithms() {
        let sha1 = key(b"12345678901234567890", Algorithm::Sha1);
        let sha256 = key(b"12345678901234567890123456789012", Algorithm::Sha256);
        let sha512 = key(b"1234567890123456789012345678901234567890123456789012345678901234", Algorithm::Sha512);
        let vectors: [(u64, &str, &str, &str); 6] = [
            (59, "94287082", "46119246", "90693936"),
            (1_111_111_109, "07081804", "68084774", "25091201"),
            (1_111_111_111, "14050471", "67062674", "99943326"),
            (1_234_567_890, "89005924", "91819424", "93441116"),
            (2_000_000_000, "69279037", "90698825", "38618901"),
            (20_000_000_000, "65353130", "77737706", "47863826"),
        ];
        for (time, want_sha1, want_sha256, want_sha512) in vectors {
            assert_eq!(sha1.generate(time), want_sha1, "SHA1 at {time}");
            assert_eq!(sha256.generate(time), want_sha256, "SHA256 at {time}");
            assert_eq!(sha512.generate(time), want_sha512, "SHA512 at {time}");
        }
    }

    #[test]
    fn counter_and_remaining_at_period_boundaries() {
        let totp = Totp::new(Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap());
        assert_eq!((totp.counter(0), totp.remaining(0)), (0, 30));
        assert_eq!((totp.counter(29), totp.remaining(29)), (0, 1));
        assert_eq!((totp.counter(30), totp.remaining(30)), (1, 30));
        assert_ne!(totp.generate(29), totp.generate(30), "a new step gives a new code");
        assert_eq!(totp.generate(30), totp.generate(59), "the same step gives the same code");
        let one_second = Totp { period: NonZeroU64::MIN, ..totp };
        assert_eq!((one_second.counter(12_345), one_second.remaining(12_345)), (12_345, 1));
    }

    #[test]
    fn window_accepts_neighbouring_steps_only() {
        let totp = Totp::new(Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap());
        let now = 1_700_000_000;
        let previous = totp.generate(now - 30);
        let next = totp.generate(now + 30);
        let two_back = totp.generate(now - 60);
        let delta = |code: &str, window| totp.verify(code, now, window, None).map(|m| m.map(|m| m.delta));
        assert_eq!(delta(&totp.generate(now), 1), Ok(Some(0)));
        assert_eq!(delta(&previous, 1), Ok(Some(-1)));
        assert_eq!(delta(&next, 1), Ok(Some(1)));
        assert_eq!(delta(&two_back, 1), Ok(None));
        assert_eq!(delta(&two_back, 2), Ok(Some(-2)));
        assert_eq!(delta(&previous, 0), Ok(None));
        assert_eq!(delta("not a code", 1), Ok(None));
        assert_eq!(delta(&previous, 10), Ok(Some(-1)));
        assert_eq!(delta(&previous, 11).unwrap_err().code(), "invalid_option");
        // The step comes with the match: no second clock reading to work it out, which could fall on the next step.
        let step = totp.counter(now);
        assert_eq!(totp.verify(&previous, now, 1, None), Ok(Some(Match { delta: -1, counter: step - 1 })));
    }

    #[test]
    fn replay_guard_refuses_the_accepted_step_and_earlier() {
        let totp = Totp::new(Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap());
        let now = 1_700_000_000;
        let step = totp.counter(now);
        let code = totp.generate(now);
        assert_eq!(totp.verify(&code, now, 1, Some(step - 1)), Ok(Some(Match { delta: 0, counter: step })));
        assert_eq!(totp.verify(&code, now, 1, Some(step)), Ok(None), "same step again");
        assert_eq!(totp.verify(&totp.generate(now - 30), now, 1, Some(step)), Ok(None), "an earlier step");
        let later = totp.verify(&totp.generate(now + 30), now, 1, Some(step));
        assert_eq!(later, Ok(Some(Match { delta: 1, counter: step + 1 })), "a later step");
    }

    #[test]
    fn spaced_codes_are_normalised() {
        let totp = Totp::new(Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap());
        let code = totp.generate(1_000);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(totp.verify(&spaced, 1_000, 1, None).map(|m| m.map(|m| m.delta)), Ok(Some(0)));
    }

    #[test]
    fn from_uri_refuses_hotp_and_round_trips() {
        assert_eq!(Totp::from_uri("otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP").unwrap_err().code(), "invalid_uri");
        let totp = Totp::from_uri(
            "otpauth://totp/ACME:alice?secret=JBSWY3DPEHPK3PXP&issuer=ACME&period=60&digits=8&algorithm=SHA256",
        )
        .unwrap();
        assert_eq!((totp.period.get(), totp.key.digits.get(), totp.key.algorithm), (60, 8, Algorithm::Sha256));
        assert_eq!(Totp::from_uri(&totp.to_uri()).unwrap(), totp);
    }
}

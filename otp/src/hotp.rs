//! Counter-based one-time passwords (RFC 4226).

use super::code::check_window;
use super::{Key, Match, OtpError};
use alloc::string::String;

/// An HOTP key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hotp {
    pub key: Key,
    /// The counter a `otpauth://hotp` URI carries: the next value the authenticator will use.
    pub counter: u64,
}

super::key::kind_of_key!(Hotp, OtpKind::Hotp { counter: 0 }, "counter 0", "is totp, not hotp");

impl Hotp {
    /// The code for `counter`.
    pub fn generate(&self, counter: u64) -> String {
        self.key.code(counter)
    }

    /// Checks `code` against `counter - look_behind ..= counter + window` (RFC 4226 §7.2: a look-ahead window;
    /// looking behind accepts a code already used, so it is off unless asked for), refusing counters at or before
    /// `after_counter`. Returns the matching counter, or `None`.
    pub fn verify(
        &self,
        code: &str,
        counter: u64,
        window: u32,
        look_behind: u32,
        after_counter: Option<u64>,
    ) -> Result<Option<Match>, OtpError> {
        let window = (check_window("look_behind", look_behind)?, check_window("window", window)?);
        Ok(self.key.find(code, counter, window, after_counter))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;

    #[test]
    fn rfc4226_appendix_d_through_the_public_type() {
        let hotp = Hotp::new(Secret::from_bytes(b"12345678901234567890".to_vec()).unwrap());
        assert_eq!(hotp.generate(0), "755224");
        assert_eq!(hotp.generate(9), "520489");
        assert_eq!(hotp.verify("969429", 3, 0, 0, None), Ok(Some(Match { delta: 0, counter: 3 })));
        assert_eq!(hotp.verify("969429", 2, 1, 0, None), Ok(Some(Match { delta: 1, counter: 3 })));
        assert_eq!(hotp.verify("969429", 2, 1, 0, Some(3)), Ok(None));
    }

    #[test]
    fn verify_looks_ahead_only_unless_asked_to_look_behind() {
        let hotp = Hotp::new(Secret::from_bytes(b"12345678901234567890".to_vec()).unwrap());
        // The code of counter 3 was accepted; the key now expects 4.
        assert_eq!(hotp.verify("969429", 4, 1, 0, None), Ok(None), "the last accepted code again");
        assert_eq!(hotp.verify("969429", 4, 10, 0, None), Ok(None));
        assert_eq!(hotp.verify("969429", 4, 1, 1, None), Ok(Some(Match { delta: -1, counter: 3 })));
        assert_eq!(hotp.verify("969429", 4, 1, 1, Some(3)), Ok(None), "the replay guard still holds");
        assert_eq!(hotp.verify("969429", 4, 11, 0, None).unwrap_err().code(), "invalid_option");
        assert_eq!(hotp.verify("969429", 4, 1, 11, None).unwrap_err().code(), "invalid_option");
    }

    #[test]
    fn from_uri_refuses_totp_and_round_trips() {
        assert_eq!(Hotp::from_uri("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP").unwrap_err().code(), "invalid_uri");
        let hotp = Hotp::from_uri("otpauth://hotp/Bank:carol?secret=JBSWY3DPEHPK3PXP&counter=17&issuer=Bank").unwrap();
        assert_eq!(hotp.counter, 17);
        assert_eq!(Hotp::from_uri(&hotp.to_uri()).unwrap(), hotp);
    }
}

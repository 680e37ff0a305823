//! The stable error codes JavaScript switches on, from the one list in `auth0-mfa-codes`, and the Rust predicates
//! made from that list's predicates: `Error::is_invalid_code()` answers as `isInvalidCode(error)` does.

pub use auth0_mfa_codes::{ErrorCode, PREDICATES, Predicate};

macro_rules! error_predicates {
    ($(#[doc = $doc:literal] $rust:ident => $js:literal [$($code:ident),+];)+) => {
        impl crate::error::Error {
            $(
                #[doc = $doc]
                pub fn $rust(&self) -> bool {
                    matches!(self.error_code(), $(ErrorCode::$code)|+)
                }
            )+
        }
    };
}

auth0_mfa_codes::with_predicates!(error_predicates);

#[cfg(test)]
mod tests {
    use crate::error::{Auth0Detail, Error};

    fn detail() -> Auth0Detail {
        Auth0Detail { status: 400, error: "e".into(), description: None }
    }

    #[test]
    fn rust_predicates_answer_for_the_codes_of_the_list() {
        // isMfaTokenExpired answers for an unusable mfa_token too, and so does its Rust twin, which once matched
        // expired tokens only.
        assert!(Error::MfaTokenExpired(detail()).is_mfa_token_expired());
        assert!(Error::MfaTokenInvalid(detail()).is_mfa_token_expired());
        assert!(!Error::InvalidCode(detail()).is_mfa_token_expired());
        assert!(Error::InvalidCode(detail()).is_invalid_code());
    }
}

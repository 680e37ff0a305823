//! The stable error codes JavaScript switches on (`error.code`), and the predicates that ask about them. This is
//! the one list: the Rust errors map onto it, the predicates are made from it, and a test ties it to the `ErrorCode`
//! union of the TypeScript declarations.

macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident => $code:literal,)+) => {
        /// A stable, machine-readable error code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)+
        }

        impl ErrorCode {
            /// Every code, in the order of the TypeScript union.
            pub const ALL: &'static [ErrorCode] = &[$(Self::$variant),+];

            /// The code as JavaScript sees it, e.g. `invalid_code`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)+
                }
            }
        }
    };
}

error_codes! {
    InvalidSecret => "invalid_secret",
    InvalidBase32 => "invalid_base32",
    InvalidUri => "invalid_uri",
    InvalidOption => "invalid_option",
    InvalidArgument => "invalid_argument",
    InvalidTime => "invalid_time",
    InvalidCode => "invalid_code",
    RandomUnavailable => "random_unavailable",
    ClientSecretInBrowser => "client_secret_in_browser",
    InvalidState => "invalid_state",
    MfaRequired => "mfa_required",
    EnrollmentRequired => "enrollment_required",
    AlreadyEnrolled => "already_enrolled",
    ChallengeExpired => "challenge_expired",
    MfaTokenExpired => "mfa_token_expired",
    MfaTokenInvalid => "mfa_token_invalid",
    InvalidCredentials => "invalid_credentials",
    /// The refresh token is expired, revoked or unknown, or was used again after rotation (which revokes its whole
    /// family): log in again.
    InvalidRefreshToken => "invalid_refresh_token",
    /// The tenant refused the DPoP proof, or kept asking for a nonce after the one retry.
    InvalidDpopProof => "invalid_dpop_proof",
    TooManyAttempts => "too_many_attempts",
    RateLimited => "rate_limited",
    UserBlocked => "user_blocked",
    PasswordLeaked => "password_leaked",
    VerificationRequired => "verification_required",
    UnauthorizedClient => "unauthorized_client",
    AccessDenied => "access_denied",
    PushRejected => "push_rejected",
    PushTimeout => "push_timeout",
    AuthorizationPending => "authorization_pending",
    SlowDown => "slow_down",
    ServerError => "server_error",
    Auth0Error => "auth0_error",
    NetworkError => "network_error",
    Timeout => "timeout",
    Aborted => "aborted",
    InvalidResponse => "invalid_response",
    /// A bug in this library: the module restarted itself.
    InternalError => "internal_error",
}

/// Makes the predicates, in Rust (`Error::is_invalid_code`) and in JavaScript (`isInvalidCode(error)`), and the table
/// the tests read, from one list: a predicate answers the same in both.
macro_rules! predicates {
    ($($(#[$doc:meta])* $rust:ident => $js:literal [$($code:ident),+];)+) => {
        /// Each predicate's JavaScript name and the codes it answers `true` for.
        pub const PREDICATES: &[(&str, &[ErrorCode])] = &[$(($js, &[$(ErrorCode::$code),+])),+];

        impl crate::error::Error {
            $(
                $(#[$doc])*
                pub fn $rust(&self) -> bool {
                    matches!(self.error_code(), $(ErrorCode::$code)|+)
                }
            )+
        }

        /// `isInvalidCode(error)` and friends: one question per way a step can fail, answered from `error.code`.
        #[cfg(target_arch = "wasm32")]
        pub(crate) mod predicates {
            use super::ErrorCode;
            use wasm_bindgen::prelude::*;

            $(
                $(#[$doc])*
                #[wasm_bindgen(js_name = $js)]
                pub fn $rust(#[wasm_bindgen(unchecked_param_type = "unknown")] error: JsValue) -> bool {
                    crate::js::error::code_is(&error, &[$(ErrorCode::$code),+])
                }
            )+
        }
    };
}

predicates! {
    /// A second factor is needed (`mfa_required`).
    is_mfa_required => "isMfaRequired" [MfaRequired];
    /// The user must enroll an authenticator first (`unsupported_challenge_type`, `association_required`).
    is_enrollment_required => "isEnrollmentRequired" [EnrollmentRequired];
    /// The user already has an authenticator: challenge it instead of enrolling another with this `mfa_token`.
    is_already_enrolled => "isAlreadyEnrolled" [AlreadyEnrolled];
    /// The challenge (its `oob_code`) expired or no longer matches: challenge again.
    is_challenge_expired => "isChallengeExpired" [ChallengeExpired];
    /// An OTP, binding or recovery code was wrong; ask for another.
    is_invalid_code => "isInvalidCode" [InvalidCode];
    /// The `mfa_token` expired or is malformed: log in again.
    is_mfa_token_expired => "isMfaTokenExpired" [MfaTokenExpired, MfaTokenInvalid];
    /// Wrong username or password.
    is_invalid_credentials => "isInvalidCredentials" [InvalidCredentials];
    /// Too many failed attempts (brute-force protection or the failed-code bucket).
    is_too_many_attempts => "isTooManyAttempts" [TooManyAttempts];
    /// Rate limited; see `retryAfter`.
    is_rate_limited => "isRateLimited" [RateLimited];
    /// The user rejected the push notification.
    is_push_rejected => "isPushRejected" [PushRejected];
    /// `waitForPush` gave up waiting.
    is_push_timeout => "isPushTimeout" [PushTimeout];
    /// The server could not be reached.
    is_network_error => "isNetworkError" [NetworkError];
    /// No answer within `timeoutMs`.
    is_timeout => "isTimeout" [Timeout];
    /// The answer was not what Auth0 sends: not JSON, an HTML error page, truncated, or the wrong shape.
    is_invalid_response => "isInvalidResponse" [InvalidResponse];
    /// The user is blocked.
    is_user_blocked => "isUserBlocked" [UserBlocked];
    /// The refresh token can no longer be used (expired, revoked, or reused after rotation): log in again.
    is_invalid_refresh_token => "isInvalidRefreshToken" [InvalidRefreshToken];
    /// The tenant refused the DPoP proof.
    is_invalid_dpop_proof => "isInvalidDpopProof" [InvalidDpopProof];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Auth0Detail, Error, MfaRequired, ResponseProblem};
    use crate::otp::{OtpError, SecretProblem, UriProblem};
    use std::collections::BTreeSet;

    /// The `ErrorCode` union of the declarations the package ships.
    fn declared_codes() -> BTreeSet<String> {
        let declarations = include_str!("js/mod.rs");
        let mut union = declarations.split("export type ErrorCode =").nth(1).expect("the declarations have ErrorCode");
        // Doc comments inside the union may hold `;` and quotes: the union is what lies outside them.
        let mut outside = String::new();
        while let Some(start) = union.find("/*") {
            outside.push_str(&union[..start]);
            union = &union[start..][union[start..].find("*/").expect("comments end") + 2..];
        }
        outside.push_str(union);
        let union = &outside[..outside.find(';').expect("the union ends")];
        let mut codes = BTreeSet::new();
        for quoted in union.split('"').skip(1).step_by(2) {
            assert!(codes.insert(quoted.to_owned()), "{quoted} is declared twice");
        }
        codes
    }

    fn listed_codes() -> BTreeSet<String> {
        ErrorCode::ALL.iter().map(|code| code.as_str().to_owned()).collect()
    }

    #[test]
    fn the_typescript_union_is_the_list() {
        assert_eq!(declared_codes(), listed_codes());
        assert_eq!(listed_codes().len(), ErrorCode::ALL.len(), "a code is listed twice");
    }

    fn detail() -> Auth0Detail {
        Auth0Detail { status: 400, error: "e".into(), description: None }
    }

    #[test]
    fn rust_and_javascript_predicates_agree() {
        // Both come from one list (`predicates!`). isMfaTokenExpired answers for an unusable mfa_token too, and so
        // does its Rust twin, which once matched expired tokens only.
        let (_, codes) = PREDICATES.iter().find(|(js, _)| *js == "isMfaTokenExpired").unwrap();
        assert_eq!(*codes, [ErrorCode::MfaTokenExpired, ErrorCode::MfaTokenInvalid]);
        assert!(Error::MfaTokenExpired(detail()).is_mfa_token_expired());
        assert!(Error::MfaTokenInvalid(detail()).is_mfa_token_expired());
        assert!(!Error::InvalidCode(detail()).is_mfa_token_expired());
    }

    /// One value of every variant. A variant with a new code that is missing here fails
    /// `every_listed_code_is_one_an_error_gives`.
    fn every_flow_error() -> Vec<Error> {
        // The variants that carry only what Auth0 answered.
        let answered: [fn(Auth0Detail) -> Error; 20] = [
            Error::EnrollmentRequired,
            Error::InvalidCode,
            Error::MfaTokenExpired,
            Error::MfaTokenInvalid,
            Error::ChallengeExpired,
            Error::AlreadyEnrolled,
            Error::InvalidCredentials,
            Error::InvalidRefreshToken,
            Error::InvalidDpopProof,
            Error::TooManyAttempts,
            Error::UserBlocked,
            Error::PasswordLeaked,
            Error::VerificationRequired,
            Error::UnauthorizedClient,
            Error::AccessDenied,
            Error::PushRejected,
            Error::AuthorizationPending,
            Error::SlowDown,
            Error::ServerError,
            Error::Auth0,
        ];
        let mut errors: Vec<Error> = answered.iter().map(|variant| variant(detail())).collect();
        errors.extend([
            Error::MfaRequired(Box::new(MfaRequired {
                status: 403,
                description: None,
                mfa_token: crate::api::MfaToken::new("t"),
                requirements: None,
            })),
            Error::RateLimited { detail: detail(), retry_after: None },
            Error::PushTimeout { waited_ms: 1 },
            Error::Network("n".into()),
            Error::Timeout,
            Error::Aborted,
            Error::InvalidResponse {
                status: 200,
                problem: ResponseProblem::Empty,
                expected: "x",
                excerpt: None,
                consumed: false,
            },
            Error::InvalidArgument { argument: "a", reason: "r" },
            Error::InvalidOption { option: "o", reason: "r" },
            Error::InvalidState { operation: "o", stage: "s" },
        ]);
        errors
    }

    fn every_otp_error() -> Vec<OtpError> {
        let errors = vec![
            OtpError::InvalidBase32(crate::otp::Base32Error::InvalidCharacter { position: 0 }),
            OtpError::InvalidSecret(SecretProblem::Empty),
            OtpError::InvalidOption { option: "o", reason: "r" },
            OtpError::InvalidUri(UriProblem::NotOtpauth),
            OtpError::RandomUnavailable,
        ];
        errors
    }

    /// Codes only the JavaScript facade gives: bad arguments and options, refused secrets, and panics.
    const FACADE_CODES: &[ErrorCode] = &[
        ErrorCode::InvalidArgument,
        ErrorCode::InvalidOption,
        ErrorCode::InvalidTime,
        ErrorCode::InvalidCode,
        ErrorCode::InvalidSecret,
        ErrorCode::ClientSecretInBrowser,
        ErrorCode::InvalidState,
        ErrorCode::InternalError,
    ];

    #[test]
    fn every_listed_code_is_one_an_error_gives() {
        let mut given: BTreeSet<String> = every_flow_error().iter().map(|e| e.code().to_owned()).collect();
        given.extend(every_otp_error().iter().map(|e| e.code().to_owned()));
        given.extend(FACADE_CODES.iter().map(|c| c.as_str().to_owned()));
        assert_eq!(given, listed_codes());
    }

    #[test]
    fn predicates_ask_about_listed_codes_and_each_is_asked_once() {
        let mut asked = BTreeSet::new();
        for (name, codes) in PREDICATES {
            assert!(name.starts_with("is") && !codes.is_empty(), "{name}");
            for code in *codes {
                assert!(ErrorCode::ALL.contains(code), "{name}: {code:?}");
                assert!(asked.insert(*code), "{code:?} is answered by two predicates");
            }
        }
        // Every outcome of a login a caller acts on has its predicate; the rest are switched on by `code`.
        for code in [ErrorCode::InvalidCode, ErrorCode::MfaRequired, ErrorCode::MfaTokenExpired, ErrorCode::RateLimited]
        {
            assert!(asked.contains(&code), "{code:?} has no predicate");
        }
    }
}

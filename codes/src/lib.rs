//! The stable error codes JavaScript switches on (`error.code`), and the predicates that ask about them. This is
//! the one list: the Rust errors of the OTP core and the login core map onto it, the Rust predicates
//! (`Error::is_invalid_code`) are made from it, and `cargo xtask gen` writes the TypeScript facade's list
//! (`ts/src/codes.ts`: the `ErrorCode` union and `isInvalidCode(error)` and friends) from it.
//!
//! It knows nothing of the wire, the OTP helpers or JavaScript: it is data.
#![no_std]

macro_rules! error_codes {
    ($($(#[doc = $doc:literal])* $variant:ident => $code:literal,)+) => {
        /// A stable, machine-readable error code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $($(#[doc = $doc])* $variant,)+
        }

        impl ErrorCode {
            /// Every code, in the order of the TypeScript union.
            pub const ALL: &'static [ErrorCode] = &[$(Self::$variant),+];

            /// The code as JavaScript sees it, e.g. `invalid_code`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)+
                }
            }

            /// The code's documentation, for the TypeScript union; empty when the name says it all.
            pub const fn doc(self) -> &'static str {
                match self {
                    $(Self::$variant => concat!($($doc),*),)+
                }
            }
        }
    };
}

error_codes! {
    /// The OTP secret is malformed (bad base32), empty, under 80 bits or over 1024 bytes.
    InvalidSecret => "invalid_secret",
    /// Base32 text given on its own is malformed; the message names the position, never the character.
    InvalidBase32 => "invalid_base32",
    /// An `otpauth://` URI could not be read.
    InvalidUri => "invalid_uri",
    /// An option has the wrong type or is out of range, or could not be read.
    InvalidOption => "invalid_option",
    /// An argument has the wrong type, is empty or is too large.
    InvalidArgument => "invalid_argument",
    /// A time is not a number of milliseconds from 1970 or a `Date` that a `Date` can hold.
    InvalidTime => "invalid_time",
    /// An OTP, binding or recovery code was wrong (or not a string).
    InvalidCode => "invalid_code",
    /// The platform's secure random number generator is unavailable.
    RandomUnavailable => "random_unavailable",
    /// A client secret or signing key in a browser page, without `allowClientSecretInBrowser`.
    ClientSecretInBrowser => "client_secret_in_browser",
    /// A step called in a stage where it cannot run, a saved state that cannot be restored, a key used after `free()`,
    /// or the OTP module used before `init()`.
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
    /// A bug in this library. The call that met it failed and the module restarted itself, so the next call works:
    /// OTP keys go on as before, but `MfaClient` objects made before it are void (restore a saved login, or start
    /// again).
    InternalError => "internal_error",
}

/// One predicate: its Rust method name, its JavaScript name, what it asks, and the codes it answers `true` for.
#[derive(Debug, Clone, Copy)]
pub struct Predicate {
    pub rust: &'static str,
    pub js: &'static str,
    pub doc: &'static str,
    pub codes: &'static [ErrorCode],
}

/// Hands the predicate list to `$callback!`, which gets `$(#[doc = "…"] rust_name => "jsName" [Code, …];)+`. The
/// login core makes its `Error::is_…` methods with it; [`PREDICATES`] is made with it here.
#[macro_export]
macro_rules! with_predicates {
    ($callback:path) => {
        $callback! {
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
    };
}

macro_rules! predicate_table {
    ($(#[doc = $doc:literal] $rust:ident => $js:literal [$($code:ident),+];)+) => {
        /// Every predicate, in the order of the TypeScript facade's exports.
        pub const PREDICATES: &[Predicate] = &[$(Predicate {
            rust: stringify!($rust),
            js: $js,
            doc: $doc,
            codes: &[$(ErrorCode::$code),+],
        }),+];
    };
}

with_predicates!(predicate_table);

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn codes_are_distinct_snake_case() {
        let mut seen = BTreeSet::new();
        for code in ErrorCode::ALL {
            let text = code.as_str();
            assert!(text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'), "{text}");
            assert!(seen.insert(text), "{text} is listed twice");
        }
        // The codes the old text-parsing check missed are in the list like any other.
        for code in ["invalid_base32", "auth0_error", "internal_error"] {
            assert!(seen.contains(code), "{code}");
        }
    }

    #[test]
    fn predicates_ask_about_listed_codes_and_each_code_is_asked_once() {
        let mut asked = BTreeSet::new();
        for predicate in PREDICATES {
            assert!(predicate.js.starts_with("is") && predicate.rust.starts_with("is_"), "{}", predicate.js);
            assert!(!predicate.codes.is_empty() && !predicate.doc.is_empty(), "{}", predicate.js);
            for code in predicate.codes {
                assert!(asked.insert(*code), "{code:?} is answered by two predicates");
            }
        }
        // isMfaTokenExpired answers for an unusable mfa_token too: both mean "log in again".
        let expired = PREDICATES.iter().find(|p| p.js == "isMfaTokenExpired").unwrap();
        assert_eq!(expired.codes, [ErrorCode::MfaTokenExpired, ErrorCode::MfaTokenInvalid]);
        // Every outcome of a login a caller acts on has its predicate; the rest are switched on by `code`.
        for code in [ErrorCode::InvalidCode, ErrorCode::MfaRequired, ErrorCode::MfaTokenExpired, ErrorCode::RateLimited]
        {
            assert!(asked.contains(&code), "{code:?} has no predicate");
        }
    }
}

//! The sans-IO wire layer of Auth0's Authentication API for the password grant with MFA: for every call, a function
//! that builds the exact [`HttpRequest`](crate::http::HttpRequest) and one that reads the
//! [`HttpResponse`](crate::http::HttpResponse) into types or a classified [`Error`](crate::error::Error).
//!
//! One module per endpoint: [`token`] (`POST /oauth/token`: password, password-realm, mfa-otp, mfa-oob,
//! mfa-recovery-code), [`authenticators`] (`GET` and `DELETE /mfa/authenticators`), [`associate`]
//! (`POST /mfa/associate`) and [`challenge`] (`POST /mfa/challenge`). JSON is read and written by the small
//! `json` module here and nowhere else.

pub mod associate;
pub mod authenticators;
pub mod challenge;
mod config;
/// The JSON reader and writer: public to the fuzz targets only (feature `fuzzing`), not part of the API.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod json;
#[cfg(not(feature = "fuzzing"))]
pub(crate) mod json;
mod response;
mod secret;
pub mod token;
mod types;
pub(crate) mod wire;

pub use config::{Config, ConfigOptions, DEFAULT_SCOPE, MFA_API_SCOPE};
pub use response::classify_error;
pub use secret::{
    AccessToken, BarcodeUri, ClientSecret, IdToken, MfaToken, OneTimeCode, OobCode, OtpSecret, Password, RecoveryCode,
    RefreshToken,
};
pub use types::{Authenticator, AuthenticatorKind, Challenge, Enrollment, MfaRequirements, Tokens};

pub(crate) use config::check_text;

/// Where `needle` (not empty) first occurs in `haystack`. A plain byte scan instead of `str::contains`/`split_once`
/// with a string pattern, whose two-way searcher costs about 2.5 KB of wasm; the texts searched here are short.
pub(crate) fn find(haystack: &str, needle: &str) -> Option<usize> {
    haystack.as_bytes().windows(needle.len()).position(|window| window == needle.as_bytes())
}

/// Which call a response answers; the same error body means different things on different calls (an unexplained
/// `invalid_grant` on a grant that checks a code means the code was wrong; an expired token on a call without an
/// `mfa_token` is not the MFA session's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    PasswordGrant,
    OtpGrant,
    /// The mfa-oob grant; `binding` when a binding code was sent (SMS, voice, email) rather than polling (push).
    OobGrant {
        binding: bool,
    },
    RecoveryCodeGrant,
    /// The refresh-token grant: like the password grant, it may answer `mfa_required`.
    RefreshGrant,
    /// `GET /mfa/authenticators` with the `mfa_token` as bearer.
    ListAuthenticators,
    /// `GET /mfa/authenticators` with an MFA-API access token as bearer.
    ListAuthenticatorsWithAccessToken,
    DeleteAuthenticator,
    /// `POST /mfa/associate` with the `mfa_token` as bearer.
    Associate,
    Challenge,
}

impl Operation {
    /// Every operation, for tests and fuzzing that must cover each one.
    pub const ALL: [Operation; 11] = [
        Self::PasswordGrant,
        Self::OtpGrant,
        Self::OobGrant { binding: true },
        Self::OobGrant { binding: false },
        Self::RecoveryCodeGrant,
        Self::RefreshGrant,
        Self::ListAuthenticators,
        Self::ListAuthenticatorsWithAccessToken,
        Self::DeleteAuthenticator,
        Self::Associate,
        Self::Challenge,
    ];

    pub(crate) fn checks_code(self) -> bool {
        matches!(self, Self::OtpGrant | Self::OobGrant { binding: true } | Self::RecoveryCodeGrant)
    }

    /// Whether the request carries the `mfa_token`, so token errors are about the MFA session.
    pub(crate) fn sends_mfa_token(self) -> bool {
        !matches!(
            self,
            Self::PasswordGrant
                | Self::RefreshGrant
                | Self::ListAuthenticatorsWithAccessToken
                | Self::DeleteAuthenticator
        )
    }

    /// A grant of `/oauth/token`: it carries a DPoP proof when the client uses DPoP.
    pub(crate) fn is_grant(self) -> bool {
        matches!(
            self,
            Self::PasswordGrant | Self::RefreshGrant | Self::OtpGrant | Self::OobGrant { .. } | Self::RecoveryCodeGrant
        )
    }

    /// A grant whose success spends what it sent: a one-time code, or a refresh token the tenant rotates. An
    /// unreadable 2xx answer to it must not be retried, as the retry would be a reuse.
    pub(crate) fn spends_what_it_sends(self) -> bool {
        self.checks_code() || self == Self::RefreshGrant
    }

    /// The first step of a login (a password, or a refresh token): it may answer `mfa_required`.
    pub(crate) fn is_first_factor(self) -> bool {
        matches!(self, Self::PasswordGrant | Self::RefreshGrant)
    }

    /// Whether the `mfa_token` is the bearer token, so a bare 401 means Auth0 refused it.
    pub(crate) fn bears_mfa_token(self) -> bool {
        matches!(self, Self::ListAuthenticators | Self::Associate)
    }
}

//! The error of the login flow: one enum, a stable [`Error::code`] for JavaScript, and predicates.
//!
//! Auth0 is inconsistent about HTTP statuses, so errors are classified on the `error` and `error_description`
//! fields of the body (see `api::classify_error`); the status is kept for information only. No message ever
//! contains a password, code, token or secret: descriptions come from Auth0, and of an unreadable body only an HTML
//! page's sanitised `<title>` is shown (proxies echo the request, form fields and all, into their pages).

use crate::api::{MfaRequirements, MfaToken};
use crate::code::ErrorCode;
use core::fmt;
use std::borrow::Cow;

/// What Auth0 answered: HTTP status, `error` and `error_description` (or `message`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Auth0Detail {
    pub status: u16,
    /// The `error` field; empty when the body named none.
    pub error: String,
    pub description: Option<String>,
}

impl Auth0Detail {
    /// The tenant or application is set up wrongly for this login (`unsupported_grant_type`, or a server "not
    /// configured" e.g. with a default connection): repeating the request cannot help.
    fn is_configuration_error(&self) -> bool {
        let description = self.description.as_deref().unwrap_or_default().to_ascii_lowercase();
        self.error == "unsupported_grant_type" || crate::api::find(&description, "not configured").is_some()
    }
}

/// The body of an `mfa_required` answer: the first factor was accepted and a second one is needed.
#[derive(Debug, Clone)]
pub struct MfaRequired {
    pub status: u16,
    pub description: Option<String>,
    /// Proves the first factor for the next steps (about five minutes). Redacted in `Debug`.
    pub mfa_token: MfaToken,
    /// `mfa_requirements` when Auth0 sent it (Customizable MFA); often absent.
    pub requirements: Option<MfaRequirements>,
}

/// When a rate-limited request may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAfter {
    /// From `retry-after`: this many seconds after the response.
    Seconds(u64),
    /// From `x-ratelimit-reset`: this Unix time, in seconds.
    At(u64),
}

impl RetryAfter {
    /// Seconds still to wait at Unix time `now_secs` (0 when already past).
    pub fn seconds_from(self, now_secs: u64) -> u64 {
        match self {
            Self::Seconds(seconds) => seconds,
            Self::At(at) => at.saturating_sub(now_secs),
        }
    }
}

/// What is wrong with an unreadable response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseProblem {
    /// The body is empty.
    Empty,
    /// The body is not JSON (for example an HTML error page from a proxy).
    NotJson,
    /// The body is JSON cut short.
    Truncated,
    /// The body is JSON but not of the expected shape.
    WrongShape,
    /// A redirect (3xx). It is not followed: the request would go again, password and codes included, to wherever it
    /// points.
    Redirect,
}

impl ResponseProblem {
    fn as_str(self) -> &'static str {
        match self {
            Self::Empty => "empty body",
            Self::NotJson => "body is not JSON",
            Self::Truncated => "truncated JSON",
            Self::WrongShape => "unexpected JSON",
            Self::Redirect => "a redirect, which is not followed",
        }
    }
}

/// Every way a login step can fail. [`Error::code`] is what JavaScript sees as `error.code`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Error {
    /// The password was right and a second factor is needed (`mfa_required`).
    MfaRequired(Box<MfaRequired>),
    /// The user has no authenticator that can be challenged and must enroll one (`unsupported_challenge_type`,
    /// `association_required`).
    EnrollmentRequired(Auth0Detail),
    /// A one-time, binding or recovery code was not accepted. The step can be retried with another code.
    InvalidCode(Auth0Detail),
    /// The `mfa_token` expired: log in again.
    MfaTokenExpired(Auth0Detail),
    /// The `mfa_token` is malformed or not this client's: log in again.
    MfaTokenInvalid(Auth0Detail),
    /// The pending challenge or enrollment is gone: its `oob_code` expired, is unknown, or belongs to another
    /// transaction. No binding code can work for it; challenge again (the `mfa_token` is still good).
    ChallengeExpired(Auth0Detail),
    /// `POST /mfa/associate` refused because the user already has an authenticator: challenge it instead.
    AlreadyEnrolled(Auth0Detail),
    /// Wrong username or password.
    InvalidCredentials(Auth0Detail),
    /// The refresh token is expired, revoked or unknown, or was used again after rotation, which revokes its whole
    /// family (`invalid_grant` to the refresh-token grant): log in again.
    InvalidRefreshToken(Auth0Detail),
    /// The DPoP proof was refused (`invalid_dpop_proof`), or the tenant still asked for a nonce after the one retry
    /// with it (`use_dpop_nonce`).
    InvalidDpopProof(Auth0Detail),
    /// Brute-force protection or too many failed codes (`too_many_attempts`).
    TooManyAttempts(Auth0Detail),
    /// Rate limit (`too_many_requests`, HTTP 429).
    RateLimited { detail: Auth0Detail, retry_after: Option<RetryAfter> },
    /// The user is blocked by an administrator.
    UserBlocked(Auth0Detail),
    /// Breached-password detection blocked this password (`password_leaked`).
    PasswordLeaked(Auth0Detail),
    /// Bot detection wants a verification this flow cannot give (`requires_verification`/`requires_validation`).
    VerificationRequired(Auth0Detail),
    /// The application may not use this grant (`unauthorized_client`).
    UnauthorizedClient(Auth0Detail),
    /// Denied: wrong client credentials, or a Rule or Action said no (`access_denied`).
    AccessDenied(Auth0Detail),
    /// The user rejected the push notification.
    PushRejected(Auth0Detail),
    /// Push polling gave up after the configured time.
    PushTimeout { waited_ms: u64 },
    /// The push notification is not answered yet (`authorization_pending`): poll again later.
    AuthorizationPending(Auth0Detail),
    /// Polling too fast (`slow_down`): wait longer before the next poll.
    SlowDown(Auth0Detail),
    /// Auth0 failed (HTTP 5xx with a JSON body, `server_error`, `temporarily_unavailable`).
    ServerError(Auth0Detail),
    /// Any other error Auth0 answered; `detail.error` says which.
    Auth0(Auth0Detail),
    /// The request could not be sent or no response came back.
    Network(String),
    /// No response within `timeout_ms`.
    Timeout,
    /// The caller aborted.
    Aborted,
    /// The response could not be read: empty, not JSON (e.g. an HTML error page), truncated, or of the wrong
    /// shape. `excerpt` is the sanitised `<title>` of an HTML page, never other body text. `consumed` is true when
    /// a code-checking grant was answered 2xx: the server already used the code, so repeating the step cannot work.
    InvalidResponse {
        status: u16,
        problem: ResponseProblem,
        expected: &'static str,
        excerpt: Option<String>,
        consumed: bool,
    },
    /// An argument is missing or malformed; `argument` is its Rust name (see [`Error::message`]).
    InvalidArgument { argument: &'static str, reason: &'static str },
    /// An option of the client cannot be used: a signing key the transport could not import, for instance.
    /// `option` is its Rust name (see [`Error::message`]).
    InvalidOption { option: &'static str, reason: &'static str },
    /// The step is not allowed in the flow's current stage; `operation` is its Rust name (see [`Error::message`]).
    InvalidState { operation: &'static str, stage: &'static str },
}

impl Error {
    /// A redirect answered with `status` (0 when the runtime does not show it), refused.
    pub(crate) fn redirect(status: u16) -> Self {
        Self::InvalidResponse {
            status,
            problem: ResponseProblem::Redirect,
            expected: "a response from the tenant itself",
            excerpt: None,
            consumed: false,
        }
    }

    /// The stable code exposed to JavaScript.
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Self::MfaRequired(_) => ErrorCode::MfaRequired,
            Self::EnrollmentRequired(_) => ErrorCode::EnrollmentRequired,
            Self::InvalidCode(_) => ErrorCode::InvalidCode,
            Self::MfaTokenExpired(_) => ErrorCode::MfaTokenExpired,
            Self::MfaTokenInvalid(_) => ErrorCode::MfaTokenInvalid,
            Self::ChallengeExpired(_) => ErrorCode::ChallengeExpired,
            Self::AlreadyEnrolled(_) => ErrorCode::AlreadyEnrolled,
            Self::InvalidCredentials(_) => ErrorCode::InvalidCredentials,
            Self::InvalidRefreshToken(_) => ErrorCode::InvalidRefreshToken,
            Self::InvalidDpopProof(_) => ErrorCode::InvalidDpopProof,
            Self::TooManyAttempts(_) => ErrorCode::TooManyAttempts,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::UserBlocked(_) => ErrorCode::UserBlocked,
            Self::PasswordLeaked(_) => ErrorCode::PasswordLeaked,
            Self::VerificationRequired(_) => ErrorCode::VerificationRequired,
            Self::UnauthorizedClient(_) => ErrorCode::UnauthorizedClient,
            Self::AccessDenied(_) => ErrorCode::AccessDenied,
            Self::PushRejected(_) => ErrorCode::PushRejected,
            Self::PushTimeout { .. } => ErrorCode::PushTimeout,
            Self::AuthorizationPending(_) => ErrorCode::AuthorizationPending,
            Self::SlowDown(_) => ErrorCode::SlowDown,
            Self::ServerError(_) => ErrorCode::ServerError,
            Self::Auth0(_) => ErrorCode::Auth0Error,
            Self::Network(_) => ErrorCode::NetworkError,
            Self::Timeout => ErrorCode::Timeout,
            Self::Aborted => ErrorCode::Aborted,
            Self::InvalidResponse { .. } => ErrorCode::InvalidResponse,
            Self::InvalidArgument { .. } => ErrorCode::InvalidArgument,
            Self::InvalidOption { .. } => ErrorCode::InvalidOption,
            Self::InvalidState { .. } => ErrorCode::InvalidState,
        }
    }

    /// The stable snake_case code exposed to JavaScript, e.g. `invalid_code`.
    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }

    /// What Auth0 answered, when the error came from an Auth0 error body.
    pub fn detail(&self) -> Option<&Auth0Detail> {
        match self {
            Self::EnrollmentRequired(d)
            | Self::InvalidCode(d)
            | Self::MfaTokenExpired(d)
            | Self::MfaTokenInvalid(d)
            | Self::ChallengeExpired(d)
            | Self::AlreadyEnrolled(d)
            | Self::InvalidCredentials(d)
            | Self::InvalidRefreshToken(d)
            | Self::InvalidDpopProof(d)
            | Self::TooManyAttempts(d)
            | Self::RateLimited { detail: d, .. }
            | Self::UserBlocked(d)
            | Self::PasswordLeaked(d)
            | Self::VerificationRequired(d)
            | Self::UnauthorizedClient(d)
            | Self::AccessDenied(d)
            | Self::PushRejected(d)
            | Self::AuthorizationPending(d)
            | Self::SlowDown(d)
            | Self::ServerError(d)
            | Self::Auth0(d) => Some(d),
            _ => None,
        }
    }

    /// The HTTP status of the response behind this error, if there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::MfaRequired(m) => Some(m.status),
            // 0: a redirect whose status the runtime does not show.
            Self::InvalidResponse { status, .. } => Some(*status).filter(|s| *s != 0),
            _ => self.detail().map(|d| d.status),
        }
    }

    /// Auth0's `error` field, if any.
    pub fn auth0_error(&self) -> Option<&str> {
        match self {
            Self::MfaRequired(_) => Some("mfa_required"),
            _ => self.detail().map(|d| d.error.as_str()).filter(|e| !e.is_empty()),
        }
    }

    /// Auth0's `error_description`, if any.
    pub fn description(&self) -> Option<&str> {
        match self {
            Self::MfaRequired(m) => m.description.as_deref(),
            _ => self.detail().and_then(|d| d.description.as_deref()),
        }
    }

    /// For `rate_limited`: when to retry, if the response said.
    pub fn retry_after(&self) -> Option<RetryAfter> {
        match self {
            Self::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// For `mfa_required`: the token and requirements.
    pub fn mfa_required(&self) -> Option<&MfaRequired> {
        match self {
            Self::MfaRequired(m) => Some(m),
            _ => None,
        }
    }

    /// The same step may be tried again (after a new code, a wait, or when the network is back); the flow keeps
    /// its stage for these. A wrong code is never retried automatically. Not retryable: a misconfigured tenant or
    /// application (`unsupported_grant_type`, a server "not configured" for this login), and an unreadable 2xx answer
    /// to a grant that already consumed its code.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::ServerError(detail) => !detail.is_configuration_error(),
            Self::InvalidResponse { consumed, .. } => !consumed,
            _ => matches!(
                self,
                Self::InvalidCode(_)
                    | Self::Network(_)
                    | Self::Timeout
                    | Self::Aborted
                    | Self::RateLimited { .. }
                    | Self::AuthorizationPending(_)
                    | Self::SlowDown(_)
                    | Self::PushTimeout { .. }
            ),
        }
    }

    /// The login must start again with the password (expired or unusable `mfa_token`, or a refresh token that can
    /// no longer be used).
    pub fn requires_restart(&self) -> bool {
        matches!(self, Self::MfaTokenExpired(_) | Self::MfaTokenInvalid(_) | Self::InvalidRefreshToken(_))
    }
}

/// Spells a Rust name of a step or argument (`verify_otp`, `binding_code`) for the reader of a message.
pub type Spell = fn(&'static str) -> Cow<'static, str>;

impl Error {
    /// The message, with the names of steps and arguments spelt by `spell`: the JavaScript facade spells them as
    /// JavaScript does. `to_string()` keeps the Rust names.
    pub fn message(&self, spell: Spell) -> String {
        struct Spelt<'a>(&'a Error, Spell);
        impl fmt::Display for Spelt<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.write(f, self.1)
            }
        }
        Spelt(self, spell).to_string()
    }

    fn write(&self, f: &mut fmt::Formatter<'_>, spell: Spell) -> fmt::Result {
        let summary = match self {
            Self::MfaRequired(_) => "multi-factor authentication is required",
            Self::EnrollmentRequired(_) => "the user must enroll an authenticator first",
            Self::InvalidCode(_) => "the code was not accepted",
            Self::MfaTokenExpired(_) => "the MFA session expired; log in again",
            Self::MfaTokenInvalid(_) => "the MFA session is not valid; log in again",
            Self::ChallengeExpired(_) => "the challenge expired or is unknown; challenge again",
            Self::AlreadyEnrolled(_) => "the user is already enrolled; challenge an authenticator instead",
            Self::InvalidCredentials(_) => "wrong username or password",
            Self::InvalidRefreshToken(_) => "the refresh token can no longer be used; log in again",
            Self::InvalidDpopProof(_) => "the DPoP proof was refused",
            Self::TooManyAttempts(_) => "too many attempts",
            Self::RateLimited { .. } => "rate limited by Auth0",
            Self::UserBlocked(_) => "the user is blocked",
            Self::PasswordLeaked(_) => "this password was found in a data breach",
            Self::VerificationRequired(_) => "Auth0 requires a verification this login cannot provide",
            Self::UnauthorizedClient(_) => "the application is not allowed to use this grant",
            Self::AccessDenied(_) => "access denied",
            Self::PushRejected(_) => "the push notification was rejected",
            Self::PushTimeout { waited_ms } => {
                return write!(f, "the push notification was not answered within {waited_ms} ms");
            }
            Self::AuthorizationPending(_) => "the push notification is not answered yet",
            Self::SlowDown(_) => "polling too fast; slow down",
            Self::ServerError(_) => "Auth0 server error",
            Self::Auth0(_) => "Auth0 error",
            Self::Network(reason) => return write!(f, "network error: {reason}"),
            Self::Timeout => "the request timed out",
            Self::Aborted => "aborted",
            Self::InvalidResponse { status, problem, expected, excerpt, .. } => {
                f.write_str("invalid server response (")?;
                if *status != 0 {
                    write!(f, "HTTP {status}, ")?;
                }
                write!(f, "{}; expected {expected})", problem.as_str())?;
                if let Some(excerpt) = excerpt {
                    write!(f, ": {excerpt}")?;
                }
                return Ok(());
            }
            Self::InvalidArgument { argument, reason } => return write!(f, "invalid {}: {reason}", spell(argument)),
            Self::InvalidOption { option, reason } => return write!(f, "option {} {reason}", spell(option)),
            Self::InvalidState { operation, stage } => {
                return write!(f, "{} is not allowed in stage {stage}", spell(operation));
            }
        };
        f.write_str(summary)?;
        if let Some(status) = self.status() {
            write!(f, " (HTTP {status}")?;
            if let Some(error) = self.auth0_error() {
                write!(f, " {error}")?;
            }
            if let Some(description) = self.description() {
                write!(f, ": {description}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, Cow::Borrowed)
    }
}

impl std::error::Error for Error {}

impl From<crate::http::TransportError> for Error {
    fn from(error: crate::http::TransportError) -> Self {
        use crate::http::TransportError;
        match error {
            TransportError::Network(reason) => Self::Network(reason),
            TransportError::Timeout => Self::Timeout,
            TransportError::Aborted => Self::Aborted,
            TransportError::Redirected => Self::redirect(0),
            TransportError::UnusableKey { option, reason } => Self::InvalidOption { option, reason },
        }
    }
}

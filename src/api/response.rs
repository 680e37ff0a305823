//! Reading responses: JSON bodies into types, and Auth0 error bodies into [`Error`] variants.
//!
//! Errors are classified on `error` and `error_description`, never on the HTTP status alone: Auth0 answers the same
//! condition with different statuses on different endpoints (and its own specs disagree).

use super::json::{self, Fields, Shaped, SyntaxError, Value};
use super::types::MfaRequirements;
use super::{MfaToken, Operation};
use crate::error::{Auth0Detail, Error, MfaRequired, ResponseProblem, RetryAfter};
use crate::http::HttpResponse;

const EXCERPT_CHARS: usize = 80;

/// Parses a success body, an object (`open` is `{`) or an array (`[`), and reads it with `read`; anything unreadable
/// becomes [`Error::InvalidResponse`].
pub(crate) fn parse_json<T>(
    response: &HttpResponse,
    expected: &'static str,
    open: u8,
    read: fn(Value) -> Shaped<T>,
) -> Result<T, Error> {
    let problem = match json::parse_expecting(&response.body, open) {
        Ok(value) => match read(value) {
            Ok(read) => return Ok(read),
            Err(_) => ResponseProblem::WrongShape,
        },
        Err(Some(error)) => problem_of(&response.body, error),
        Err(None) => ResponseProblem::WrongShape,
    };
    Err(invalid(response, problem, expected))
}

pub(crate) fn invalid(response: &HttpResponse, problem: ResponseProblem, expected: &'static str) -> Error {
    Error::InvalidResponse { status: response.status, problem, expected, excerpt: excerpt(&response.body) }
}

fn problem_of(body: &str, error: SyntaxError) -> ResponseProblem {
    if body.trim().is_empty() {
        ResponseProblem::Empty
    } else if error == SyntaxError::Eof {
        ResponseProblem::Truncated
    } else {
        ResponseProblem::NotJson
    }
}

/// A short, readable start of a body that is not JSON (an HTML error page, a proxy's text), or `None` when the body
/// is empty, looks like JSON (which may carry tokens) or contains something token-like.
pub(crate) fn excerpt(body: &str) -> Option<String> {
    let trimmed = body.trim_start();
    if trimmed.is_empty() || trimmed.starts_with(['{', '[', '"']) || has(body, "eyJ") || has(body, "Fe26") {
        return None;
    }
    let mut out = String::new();
    let mut in_tag = false;
    let mut space = false;
    let mut count = 0;
    for c in trimmed.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                space = true;
            }
            _ if in_tag => {}
            c if c.is_whitespace() || c.is_control() => space = true,
            c => {
                if count == EXCERPT_CHARS {
                    out.push('…');
                    break;
                }
                if space && !out.is_empty() {
                    out.push(' ');
                    count += 1;
                }
                space = false;
                out.push(c);
                count += 1;
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

struct ErrorBody {
    error: Option<String>,
    error_description: Option<String>,
    /// Some Auth0 endpoints answer `{statusCode, error, message}` instead.
    message: Option<String>,
    mfa_token: Option<MfaToken>,
    mfa_requirements: Option<Value>,
}

impl ErrorBody {
    fn read(value: Value) -> Shaped<Self> {
        let mut fields = Fields::of(value)?;
        Ok(Self {
            error: fields.string("error")?,
            error_description: fields.string("error_description")?,
            message: fields.string("message")?,
            mfa_token: fields.string("mfa_token")?,
            mfa_requirements: fields.value("mfa_requirements")?,
        })
    }
}

fn has(haystack: &str, needle: &str) -> bool {
    super::find(haystack, needle).is_some()
}

/// Turns a non-success response of `operation` into the matching [`Error`].
pub fn classify_error(response: &HttpResponse, operation: Operation) -> Error {
    let status = response.status;
    let parsed = json::parse(&response.body);
    let (problem, body) = match parsed {
        Ok(value) => (ResponseProblem::WrongShape, ErrorBody::read(value).ok()),
        Err(e) => (problem_of(&response.body, e), None),
    };
    let Some(body) = body else {
        // A 429 is a rate limit whatever the body; anything else unreadable is an invalid response.
        if status == 429 {
            let detail = Auth0Detail { status, error: "too_many_requests".into(), description: None };
            return Error::RateLimited { detail, retry_after: retry_after(response) };
        }
        return invalid(response, problem, "an Auth0 error body");
    };
    let error = body.error.unwrap_or_default();
    let description = body.error_description.filter(|d| !d.is_empty()).or(body.message.filter(|d| !d.is_empty()));
    if error == "mfa_required" {
        return match body.mfa_token {
            Some(mfa_token) if !mfa_token.is_empty() => Error::MfaRequired(Box::new(MfaRequired {
                status,
                description,
                mfa_token,
                requirements: body.mfa_requirements.as_ref().and_then(MfaRequirements::from_json),
            })),
            _ => invalid(response, ResponseProblem::WrongShape, "an mfa_token with mfa_required"),
        };
    }
    let lower = description.as_deref().unwrap_or_default().to_ascii_lowercase();
    let detail = Auth0Detail { status, error, description };
    let has = |needle: &str| has(&lower, needle);
    let blocked = has("user is blocked") || has("blocked user");
    match detail.error.as_str() {
        "unsupported_challenge_type" | "association_required" => Error::EnrollmentRequired(detail),
        "expired_token" => Error::MfaTokenExpired(detail),
        "invalid_user_password" => Error::InvalidCredentials(detail),
        "too_many_attempts" | "too_many_logins" => Error::TooManyAttempts(detail),
        "too_many_requests" => Error::RateLimited { retry_after: retry_after(response), detail },
        "password_leaked" => Error::PasswordLeaked(detail),
        "requires_verification" | "requires_validation" => Error::VerificationRequired(detail),
        "unauthorized_client" => Error::UnauthorizedClient(detail),
        "authorization_pending" => Error::AuthorizationPending(detail),
        "slow_down" => Error::SlowDown(detail),
        "blocked_user" => Error::UserBlocked(detail),
        "unauthorized" | "invalid_grant" | "access_denied" if blocked => Error::UserBlocked(detail),
        "invalid_grant" | "access_denied" if has("rejected") => Error::PushRejected(detail),
        "invalid_grant" if has("expired") => Error::MfaTokenExpired(detail),
        "invalid_grant" if has("malformed") || has("mfa_token") => Error::MfaTokenInvalid(detail),
        "invalid_grant" if has("wrong email or password") || has("wrong username or password") => {
            Error::InvalidCredentials(detail)
        }
        "invalid_grant" if has("otp_code") || has("binding_code") || has("recovery") || has("invalid otp") => {
            Error::InvalidCode(detail)
        }
        // Auth0 does not document the description of a wrong recovery code; on a code-checking grant an otherwise
        // unexplained invalid_grant is the code.
        "invalid_grant" if operation.checks_code() => Error::InvalidCode(detail),
        "access_denied" => Error::AccessDenied(detail),
        "server_error" | "temporarily_unavailable" => Error::ServerError(detail),
        _ if status == 429 => Error::RateLimited { retry_after: retry_after(response), detail },
        _ if status >= 500 => Error::ServerError(detail),
        _ if detail.error.is_empty() => invalid(response, ResponseProblem::WrongShape, "an Auth0 error body"),
        _ => Error::Auth0(detail),
    }
}

/// `retry-after` (seconds) when present, else `x-ratelimit-reset` (Unix seconds).
fn retry_after(response: &HttpResponse) -> Option<RetryAfter> {
    let number = |name| response.header(name).and_then(|v| v.trim().parse::<u64>().ok());
    number("retry-after").map(RetryAfter::Seconds).or_else(|| number("x-ratelimit-reset").map(RetryAfter::At))
}

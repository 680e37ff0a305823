//! Reading responses: JSON bodies into types, and Auth0 error bodies into [`Error`] variants.
//!
//! Errors are classified on `error` and `error_description`, never on the HTTP status alone: Auth0 answers the same
//! condition with different statuses on different endpoints (and its own specs disagree).

use super::json::{self, Shaped, SyntaxError, Value, answer};
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
    let text = json_text(&response.body);
    let problem = match json::parse_expecting(text, open) {
        Ok(value) => match read(value) {
            Ok(read) => return Ok(read),
            Err(_) => ResponseProblem::WrongShape,
        },
        Err(Some(error)) => problem_of(text, error),
        Err(None) => ResponseProblem::WrongShape,
    };
    Err(invalid(response, problem, expected))
}

pub(crate) fn invalid(response: &HttpResponse, problem: ResponseProblem, expected: &'static str) -> Error {
    Error::InvalidResponse {
        status: response.status,
        problem,
        expected,
        excerpt: excerpt(&response.body),
        consumed: false,
    }
}

/// The JSON of a body, without a UTF-8 byte order mark or an anti-XSSI prefix (`)]}'`, `while(1);`, `for(;;);`)
/// that some proxies put in front: such a token response is still a token response, not text to excerpt.
pub(crate) fn json_text(body: &str) -> &str {
    let body = body.strip_prefix('\u{feff}').unwrap_or(body);
    let start = body.trim_start();
    for prefix in [")]}'", "while(1);", "for(;;);"] {
        if let Some(rest) = start.strip_prefix(prefix) {
            return rest.strip_prefix(',').unwrap_or(rest);
        }
    }
    body
}

/// A 2xx body with an `error` and no `access_token`: an error answered with the wrong status (the legacy docs show
/// `authorization_pending` with 200).
pub(crate) fn is_error_body(response: &HttpResponse) -> bool {
    json::parse(json_text(&response.body))
        .is_ok_and(|value| value.get("error").and_then(Value::as_str).is_some() && value.get("access_token").is_none())
}

fn problem_of(text: &str, error: SyntaxError) -> ResponseProblem {
    if text.trim().is_empty() {
        ResponseProblem::Empty
    } else if error == SyntaxError::Eof {
        ResponseProblem::Truncated
    } else {
        ResponseProblem::NotJson
    }
}

/// The `<title>` of an HTML error page (a proxy's 502), whitespace collapsed and cut short, or `None`. Nothing else
/// of a body is ever shown: proxies echo the request (`password=…&…`) into their pages. A title is dropped too when
/// it has `=`, `&` or `"`, or names a password, token, code or secret.
pub(crate) fn excerpt(body: &str) -> Option<String> {
    let text = json_text(body).trim_start();
    if text.is_empty() || text.starts_with(['{', '[', '"']) || has(body, "eyJ") || has(body, "Fe26") {
        return None;
    }
    let lower = body.to_ascii_lowercase();
    let open = super::find(&lower, "<title")?;
    // Checked slices: the offsets are on ASCII bytes, and a panic path would link in its formatting.
    let start = open + lower.get(open..)?.find('>')? + 1;
    let end = start + super::find(lower.get(start..)?, "</title")?;
    let mut title = String::new();
    for word in body.get(start..end)?.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty()) {
        if !title.is_empty() {
            title.push(' ');
        }
        title.push_str(word);
    }
    let lower = title.to_ascii_lowercase();
    if title.is_empty()
        || title.contains(['=', '&', '"', '<', '>'])
        || ["password", "token", "code", "secret"].into_iter().any(|word| has(&lower, word))
    {
        return None;
    }
    if title.chars().count() > EXCERPT_CHARS {
        title = title.chars().take(EXCERPT_CHARS).collect();
        title.push('…');
    }
    Some(title)
}

/// The error of an unreadable 2xx answer to a grant that checks a code: the server used the code, so the step must
/// not be repeated with it.
pub(crate) fn consumed(error: Error) -> Error {
    match error {
        Error::InvalidResponse { status, problem, expected, excerpt, .. } => {
            Error::InvalidResponse { status, problem, expected, excerpt, consumed: true }
        }
        other => other,
    }
}

answer! {
    struct ErrorBody {
        error: Option<String> = string,
        error_description: Option<String> = string,
        /// Some Auth0 endpoints answer `{statusCode, error, message}` instead.
        message: Option<String> = string,
        mfa_token: Option<MfaToken> = string,
        mfa_requirements: Option<Value> = value,
    }
}

fn has(haystack: &str, needle: &str) -> bool {
    super::find(haystack, needle).is_some()
}

/// Turns a non-success response of `operation` into the matching [`Error`].
pub fn classify_error(response: &HttpResponse, operation: Operation) -> Error {
    let status = response.status;
    if (300..400).contains(&status) {
        return Error::redirect(status);
    }
    let text = json_text(&response.body);
    let (problem, body) = match json::parse(text) {
        Ok(value) => (ResponseProblem::WrongShape, ErrorBody::from_answer(value).ok()),
        Err(e) => (problem_of(text, e), None),
    };
    // A 401 to a call whose bearer is the mfa_token refuses that token, whatever the body says (often nothing).
    let refused_mfa_token = status == 401 && operation.bears_mfa_token();
    let Some(body) = body else {
        // A 429 is a rate limit whatever the body; anything else unreadable is an invalid response.
        if status == 429 {
            let detail = Auth0Detail { status, error: "too_many_requests".into(), description: None };
            return Error::RateLimited { detail, retry_after: retry_after(response) };
        }
        if refused_mfa_token {
            return Error::MfaTokenInvalid(Auth0Detail { status, error: String::new(), description: None });
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
                requirements: body.mfa_requirements.as_ref().and_then(MfaRequirements::from_answer),
            })),
            _ => invalid(response, ResponseProblem::WrongShape, "an mfa_token with mfa_required"),
        };
    }
    let lower = description.as_deref().unwrap_or_default().to_ascii_lowercase();
    let detail = Auth0Detail { status, error, description };
    let has = |needle: &str| has(&lower, needle);
    let blocked = has("user is blocked") || has("blocked user");
    let mfa_token = operation.sends_mfa_token();
    let push_poll = operation == Operation::OobGrant { binding: false };
    // The oob_code expired, is unknown or is another transaction's: no binding code can ever work for it.
    let challenge_gone = matches!(operation, Operation::OobGrant { .. })
        && has("oob_code")
        && (has("expired") || has("match") || has("invalid oob_code"));
    match detail.error.as_str() {
        // Auth0 has not documented this answer's code or status; the description is the one stable part.
        _ if operation == Operation::Associate && has("already enrolled") => Error::AlreadyEnrolled(detail),
        "unsupported_challenge_type" | "association_required" => Error::EnrollmentRequired(detail),
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
        "invalid_grant" | "access_denied" if push_poll && has("rejected") => Error::PushRejected(detail),
        "expired_token" | "invalid_grant" | "invalid_request" if challenge_gone => Error::ChallengeExpired(detail),
        "expired_token" if mfa_token => Error::MfaTokenExpired(detail),
        "invalid_grant" if mfa_token && has("expired") => Error::MfaTokenExpired(detail),
        "invalid_grant" if mfa_token && (has("malformed") || has("mfa_token")) => Error::MfaTokenInvalid(detail),
        "invalid_request" if mfa_token && has("mfa_token") && has("not issued") => Error::MfaTokenInvalid(detail),
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
        "" | "unauthorized" | "Unauthorized" | "invalid_token" if refused_mfa_token => Error::MfaTokenInvalid(detail),
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

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

/// Turns a non-success response of `operation` into the matching [`Error`]: a redirect or an unreadable body here,
/// `mfa_required` with its token, and any other error body by the first rule of a table (`RULES`) that matches it.
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
    let (kind, detail) = match body {
        Some(body) => {
            let error = body.error.unwrap_or_default();
            let description =
                body.error_description.filter(|d| !d.is_empty()).or(body.message.filter(|d| !d.is_empty()));
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
            let kind = first_rule(operation, status, &error, &lower).map_or(Kind::Auth0, |rule| rule.4);
            (kind, Auth0Detail { status, error, description })
        }
        // A 429 is a rate limit whatever the body; anything else unreadable is an invalid response.
        None if status == 429 => {
            (Kind::RateLimited, Auth0Detail { status, error: "too_many_requests".into(), description: None })
        }
        // A 401 to a call whose bearer is the mfa_token refuses that token even without a body (see `RULES`).
        None if status == 401 && operation.bears_mfa_token() => {
            (Kind::MfaTokenInvalid, Auth0Detail { status, error: String::new(), description: None })
        }
        None => return invalid(response, problem, "an Auth0 error body"),
    };
    match kind {
        Kind::AlreadyEnrolled => Error::AlreadyEnrolled(detail),
        Kind::EnrollmentRequired => Error::EnrollmentRequired(detail),
        Kind::InvalidCredentials => Error::InvalidCredentials(detail),
        Kind::InvalidRefreshToken => Error::InvalidRefreshToken(detail),
        Kind::InvalidDpopProof => Error::InvalidDpopProof(detail),
        Kind::TooManyAttempts => Error::TooManyAttempts(detail),
        Kind::RateLimited => Error::RateLimited { retry_after: retry_after(response), detail },
        Kind::PasswordLeaked => Error::PasswordLeaked(detail),
        Kind::VerificationRequired => Error::VerificationRequired(detail),
        Kind::UnauthorizedClient => Error::UnauthorizedClient(detail),
        Kind::AuthorizationPending => Error::AuthorizationPending(detail),
        Kind::SlowDown => Error::SlowDown(detail),
        Kind::UserBlocked => Error::UserBlocked(detail),
        Kind::PushRejected => Error::PushRejected(detail),
        Kind::ChallengeExpired => Error::ChallengeExpired(detail),
        Kind::MfaTokenExpired => Error::MfaTokenExpired(detail),
        Kind::MfaTokenInvalid => Error::MfaTokenInvalid(detail),
        Kind::InvalidCode => Error::InvalidCode(detail),
        Kind::AccessDenied => Error::AccessDenied(detail),
        Kind::ServerError => Error::ServerError(detail),
        Kind::NotAnErrorBody => invalid(response, ResponseProblem::WrongShape, "an Auth0 error body"),
        Kind::Auth0 => Error::Auth0(detail),
    }
}

/// One row of [`RULES`]: the calls and the statuses it applies to, the `error` values (`|` between them, `-` for no
/// `error`) and words of the description (lower case: `|` between alternatives, `,` between words that must all be
/// there), then the error it gives. [`ANY`] for either text matches anything.
///
/// Plain text rather than lists of strings: a table of slices costs the shipped wasm more than its code saves.
struct Rule(Calls, Statuses, &'static str, &'static str, Kind);

/// Any `error`, or any description.
const ANY: &str = "";

/// Which calls a [`Rule`] applies to.
#[derive(Clone, Copy)]
enum Calls {
    AnyCall,
    Associate,
    /// The mfa-oob grant, with a binding code or polling.
    OobGrant,
    /// The mfa-oob grant polling for the answer to a push notification.
    PushPoll,
    /// Calls that send the `mfa_token`: token errors are about the MFA session.
    SendingMfaToken,
    /// Grants that check a one-time, binding or recovery code.
    CheckingCode,
    /// Calls whose bearer is the `mfa_token`.
    BearingMfaToken,
    /// The refresh-token grant.
    Refresh,
}

/// Which HTTP statuses a [`Rule`] applies to.
#[derive(Clone, Copy)]
enum Statuses {
    AnyStatus,
    Is401,
    Is429,
    Is5xx,
}

/// The error a [`Rule`] gives: the [`Error`] variant of that name, with what Auth0 answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    AlreadyEnrolled,
    EnrollmentRequired,
    InvalidCredentials,
    InvalidRefreshToken,
    InvalidDpopProof,
    TooManyAttempts,
    /// With when to retry, from the response's headers.
    RateLimited,
    PasswordLeaked,
    VerificationRequired,
    UnauthorizedClient,
    AuthorizationPending,
    SlowDown,
    UserBlocked,
    PushRejected,
    ChallengeExpired,
    MfaTokenExpired,
    MfaTokenInvalid,
    InvalidCode,
    AccessDenied,
    ServerError,
    /// [`Error::InvalidResponse`]: JSON that names no `error` is not an Auth0 error body.
    NotAnErrorBody,
    Auth0,
}

/// Auth0's error answers (`auth0-mfa-api.md`), one a row: call, status, `error`, description, then the error. The
/// first row that matches wins, so a narrower row comes before a broader one it overlaps; when none matches, the
/// error is [`Error::Auth0`].
#[rustfmt::skip]
static RULES: &[Rule] = {
    use Calls::*;
    use Kind::*;
    use Statuses::*;
    &[
        // Auth0 has not documented this answer's code or status; the description is the one stable part.
        Rule(Associate, AnyStatus, ANY, "already enrolled", AlreadyEnrolled),
        Rule(AnyCall, AnyStatus, "unsupported_challenge_type|association_required", ANY, EnrollmentRequired),
        Rule(AnyCall, AnyStatus, "invalid_user_password", ANY, InvalidCredentials),
        Rule(AnyCall, AnyStatus, "too_many_attempts|too_many_logins", ANY, TooManyAttempts),
        Rule(AnyCall, AnyStatus, "too_many_requests", ANY, RateLimited),
        Rule(AnyCall, AnyStatus, "password_leaked", ANY, PasswordLeaked),
        Rule(AnyCall, AnyStatus, "requires_verification|requires_validation", ANY, VerificationRequired),
        Rule(AnyCall, AnyStatus, "unauthorized_client", ANY, UnauthorizedClient),
        Rule(AnyCall, AnyStatus, "authorization_pending", ANY, AuthorizationPending),
        Rule(AnyCall, AnyStatus, "slow_down", ANY, SlowDown),
        // A nonce is asked for again only after the one retry with it: the proof as sent cannot succeed.
        Rule(AnyCall, AnyStatus, "invalid_dpop_proof|use_dpop_nonce|invalid_dpop_nonce", ANY, InvalidDpopProof),
        // Each endpoint blocks a user with its own code; the description says so where the code does not.
        Rule(AnyCall, AnyStatus, "blocked_user", ANY, UserBlocked),
        Rule(AnyCall, AnyStatus, "unauthorized|invalid_grant|access_denied",
            "user is blocked|blocked user", UserBlocked),
        // Expired, revoked, unknown, or reused after rotation: Auth0 says "Unknown or invalid refresh token." to all.
        Rule(Refresh, AnyStatus, "invalid_grant", ANY, InvalidRefreshToken),
        // The docs answer a rejected push with invalid_grant, a live tenant with access_denied.
        Rule(PushPoll, AnyStatus, "invalid_grant|access_denied", "rejected", PushRejected),
        // The oob_code expired, is unknown or is another transaction's: no binding code can ever work for it.
        Rule(OobGrant, AnyStatus, "expired_token|invalid_grant|invalid_request",
            "oob_code,expired|match|invalid oob_code", ChallengeExpired),
        Rule(SendingMfaToken, AnyStatus, "expired_token", ANY, MfaTokenExpired),
        Rule(SendingMfaToken, AnyStatus, "invalid_grant", "expired", MfaTokenExpired),
        Rule(SendingMfaToken, AnyStatus, "invalid_grant", "malformed|mfa_token", MfaTokenInvalid),
        Rule(SendingMfaToken, AnyStatus, "invalid_request", "mfa_token,not issued", MfaTokenInvalid),
        Rule(AnyCall, AnyStatus, "invalid_grant",
            "wrong email or password|wrong username or password", InvalidCredentials),
        Rule(AnyCall, AnyStatus, "invalid_grant", "otp_code|binding_code|recovery|invalid otp", InvalidCode),
        // Auth0 does not document the description of a wrong recovery code; on a code-checking grant an otherwise
        // unexplained invalid_grant is the code.
        Rule(CheckingCode, AnyStatus, "invalid_grant", ANY, InvalidCode),
        // A refused client assertion is invalid_client: client authentication failed, as with a wrong secret.
        Rule(AnyCall, AnyStatus, "access_denied|invalid_client", ANY, AccessDenied),
        // A 401 to a call whose bearer is the mfa_token refuses that token, whatever the body says (often nothing).
        Rule(BearingMfaToken, Is401, "-|unauthorized|Unauthorized|invalid_token", ANY, MfaTokenInvalid),
        Rule(AnyCall, AnyStatus, "server_error|temporarily_unavailable", ANY, ServerError),
        // Only an answer that no row above explains is classified on its status.
        Rule(AnyCall, Is429, ANY, ANY, RateLimited),
        Rule(AnyCall, Is5xx, ANY, ANY, ServerError),
        Rule(AnyCall, AnyStatus, "-", ANY, NotAnErrorBody),
    ]
};

/// The first of [`RULES`] that matches; `description` is lower case.
fn first_rule(operation: Operation, status: u16, error: &str, description: &str) -> Option<&'static Rule> {
    RULES.iter().find(|rule| rule.matches(operation, status, error, description))
}

impl Rule {
    fn matches(&self, operation: Operation, status: u16, error: &str, description: &str) -> bool {
        let Rule(calls, statuses, errors, words, _) = self;
        calls.include(operation)
            && statuses.include(status)
            && (errors.is_empty()
                || errors.split('|').any(|name| if name == "-" { error.is_empty() } else { name == error }))
            && (words.is_empty() || words.split(',').all(|any_of| any_of.split('|').any(|word| has(description, word))))
    }
}

impl Calls {
    fn include(self, operation: Operation) -> bool {
        match self {
            Self::AnyCall => true,
            Self::Associate => operation == Operation::Associate,
            Self::OobGrant => matches!(operation, Operation::OobGrant { .. }),
            Self::PushPoll => operation == Operation::OobGrant { binding: false },
            Self::SendingMfaToken => operation.sends_mfa_token(),
            Self::CheckingCode => operation.checks_code(),
            Self::BearingMfaToken => operation.bears_mfa_token(),
            Self::Refresh => operation == Operation::RefreshGrant,
        }
    }
}

impl Statuses {
    fn include(self, status: u16) -> bool {
        match self {
            Self::AnyStatus => true,
            Self::Is401 => status == 401,
            Self::Is429 => status == 429,
            Self::Is5xx => status >= 500,
        }
    }
}

/// `retry-after` (seconds) when present, else `x-ratelimit-reset` (Unix seconds).
fn retry_after(response: &HttpResponse) -> Option<RetryAfter> {
    let number = |name| response.header(name).and_then(|v| v.trim().parse::<u64>().ok());
    number("retry-after").map(RetryAfter::Seconds).or_else(|| number("x-ratelimit-reset").map(RetryAfter::At))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Kind::*;
    use Operation::*;

    const PUSH_POLL: Operation = OobGrant { binding: false };
    const BINDING: Operation = OobGrant { binding: true };

    /// An answer: the call, the status, `error` and `error_description` (each left out of the body when empty).
    type Answer = (Operation, u16, &'static str, &'static str);

    fn response((_, status, error, description): Answer) -> HttpResponse {
        let mut fields = Vec::new();
        if !error.is_empty() {
            fields.push(format!(r#""error":"{error}""#));
        }
        if !description.is_empty() {
            fields.push(format!(r#""error_description":"{description}""#));
        }
        HttpResponse::new(status, format!("{{{}}}", fields.join(",")))
    }

    /// The index of every row that matches `answer`, in table order.
    fn matching_rows((operation, status, error, description): Answer) -> Vec<usize> {
        let lower = description.to_ascii_lowercase();
        RULES
            .iter()
            .enumerate()
            .filter(|(_, rule)| rule.matches(operation, status, error, &lower))
            .map(|(i, _)| i)
            .collect()
    }

    /// The index of the row `classify_error` goes by.
    fn first_row((operation, status, error, description): Answer) -> Option<usize> {
        let rule = first_rule(operation, status, error, &description.to_ascii_lowercase())?;
        RULES.iter().position(|row| core::ptr::eq(row, rule))
    }

    /// One answer per row of `RULES`, in the same order: it matches that row and no row before it.
    const ROWS: &[(Answer, &str)] = &[
        ((Associate, 400, "invalid_request", "User is already enrolled."), "already_enrolled"),
        ((Challenge, 400, "unsupported_challenge_type", "User is not enrolled."), "enrollment_required"),
        ((PasswordGrant, 401, "invalid_user_password", "Wrong email or password."), "invalid_credentials"),
        ((PasswordGrant, 429, "too_many_logins", ""), "too_many_attempts"),
        ((Challenge, 429, "too_many_requests", "Too many requests."), "rate_limited"),
        ((PasswordGrant, 401, "password_leaked", "This login attempt has been blocked"), "password_leaked"),
        (
            (PasswordGrant, 401, "requires_validation", "Suspicious request requires verification"),
            "verification_required",
        ),
        (
            (PasswordGrant, 403, "unauthorized_client", "Grant type 'password' not allowed for the client."),
            "unauthorized_client",
        ),
        ((PUSH_POLL, 400, "authorization_pending", "Authorization pending"), "authorization_pending"),
        ((PUSH_POLL, 429, "slow_down", "You are polling faster than allowed"), "slow_down"),
        (
            (PasswordGrant, 400, "use_dpop_nonce", "Authorization server requires nonce in DPoP proof"),
            "invalid_dpop_proof",
        ),
        ((PasswordGrant, 403, "blocked_user", ""), "user_blocked"),
        ((PasswordGrant, 401, "unauthorized", "user is blocked"), "user_blocked"),
        ((RefreshGrant, 403, "invalid_grant", "Unknown or invalid refresh token."), "invalid_refresh_token"),
        ((PUSH_POLL, 400, "access_denied", "MFA Authorization rejected."), "push_rejected"),
        ((BINDING, 400, "invalid_request", "The oob_code doesn't match the mfa_token"), "challenge_expired"),
        ((Challenge, 403, "expired_token", "mfa_token is expired"), "mfa_token_expired"),
        ((Associate, 403, "invalid_grant", "The token has expired"), "mfa_token_expired"),
        ((Challenge, 403, "invalid_grant", "Malformed mfa_token"), "mfa_token_invalid"),
        ((OtpGrant, 400, "invalid_request", "mfa_token not issued to this client"), "mfa_token_invalid"),
        ((PasswordGrant, 403, "invalid_grant", "Wrong username or password."), "invalid_credentials"),
        ((BINDING, 403, "invalid_grant", "Invalid binding_code."), "invalid_code"),
        ((RecoveryCodeGrant, 403, "invalid_grant", "Something undocumented"), "invalid_code"),
        ((PasswordGrant, 401, "invalid_client", "Invalid client assertion"), "access_denied"),
        ((ListAuthenticators, 401, "Unauthorized", "Invalid token"), "mfa_token_invalid"),
        ((PasswordGrant, 503, "temporarily_unavailable", ""), "server_error"),
        ((OtpGrant, 429, "throttled", "Slow down"), "rate_limited"),
        ((PasswordGrant, 502, "bad_gateway", "upstream"), "server_error"),
        ((PasswordGrant, 400, "", ""), "invalid_response"),
    ];

    #[test]
    fn each_row_gives_its_error_to_an_answer_no_earlier_row_matches() {
        assert_eq!(ROWS.len(), RULES.len(), "one answer per row");
        for (row, &(answer, code)) in ROWS.iter().enumerate() {
            assert_eq!(first_row(answer), Some(row), "{answer:?}");
            assert_eq!(classify_error(&response(answer), answer.0).code(), code, "row {row}: {answer:?}");
        }
    }

    #[test]
    fn an_answer_no_row_matches_is_an_auth0_error() {
        for answer in [
            (PasswordGrant, 400, "invalid_scope", "Scope must be an array or a string"),
            (PasswordGrant, 403, "invalid_grant", "Some new reason"),
            (ListAuthenticatorsWithAccessToken, 401, "Unauthorized", "Invalid token"),
            (Challenge, 403, "access_denied_by_rule", "user is blocked"),
            // Rows whose description needs two words: each word alone is not enough.
            (BINDING, 400, "invalid_request", "binding_code does not match"),
            (PUSH_POLL, 400, "invalid_request", "Missing required parameter: oob_code"),
            (Challenge, 400, "invalid_request", "Missing required parameter: mfa_token"),
            (Challenge, 400, "invalid_request", "Code not issued"),
        ] {
            assert_eq!(first_row(answer), None, "{answer:?}");
            assert_eq!(classify_error(&response(answer), answer.0).code(), "auth0_error", "{answer:?}");
        }
    }

    /// Answers that two rows giving different errors match, the error of the earlier one, and that of a later one.
    const OVERLAPS: &[(Answer, &str, Kind)] = &[
        // A blocked user is said as such on refresh too, not as a spent refresh token.
        ((RefreshGrant, 403, "invalid_grant", "user is blocked"), "user_blocked", InvalidRefreshToken),
        (
            (Associate, 400, "unsupported_challenge_type", "User is already enrolled"),
            "already_enrolled",
            EnrollmentRequired,
        ),
        ((Associate, 403, "invalid_grant", "Already enrolled; mfa_token expired"), "already_enrolled", MfaTokenExpired),
        ((Associate, 401, "", "User is already enrolled"), "already_enrolled", MfaTokenInvalid),
        ((PUSH_POLL, 400, "access_denied", "Blocked user: push rejected"), "user_blocked", PushRejected),
        ((ListAuthenticators, 401, "unauthorized", "user is blocked"), "user_blocked", MfaTokenInvalid),
        ((PUSH_POLL, 400, "access_denied", "MFA Authorization rejected."), "push_rejected", AccessDenied),
        ((PUSH_POLL, 403, "expired_token", "oob_code is expired"), "challenge_expired", MfaTokenExpired),
        ((BINDING, 403, "invalid_grant", "oob_code is expired"), "challenge_expired", InvalidCode),
        ((OtpGrant, 403, "invalid_grant", "mfa_token is expired"), "mfa_token_expired", MfaTokenInvalid),
        ((RecoveryCodeGrant, 403, "invalid_grant", "Malformed mfa_token"), "mfa_token_invalid", InvalidCode),
        ((OtpGrant, 403, "invalid_grant", "Wrong email or password."), "invalid_credentials", InvalidCode),
        ((PasswordGrant, 500, "access_denied", "Denied by rule"), "access_denied", ServerError),
        ((PasswordGrant, 429, "server_error", ""), "server_error", RateLimited),
        ((PasswordGrant, 503, "too_many_requests", ""), "rate_limited", ServerError),
        ((Associate, 401, "", ""), "mfa_token_invalid", NotAnErrorBody),
        ((OtpGrant, 429, "", ""), "rate_limited", NotAnErrorBody),
        ((PasswordGrant, 500, "", ""), "server_error", NotAnErrorBody),
    ];

    #[test]
    fn where_rows_overlap_the_earlier_wins() {
        for &(answer, code, later) in OVERLAPS {
            let kinds: Vec<Kind> = matching_rows(answer).into_iter().map(|row| RULES[row].4).collect();
            let (first, rest) = kinds.split_first().expect("a matching row");
            assert!(
                *first != later && rest.contains(&later),
                "{answer:?} must match a later row giving {later:?}: {kinds:?}"
            );
            assert_eq!(classify_error(&response(answer), answer.0).code(), code, "{answer:?}");
        }
    }

    #[test]
    fn the_table_is_well_formed() {
        for (row, Rule(_, _, errors, words, _)) in RULES.iter().enumerate() {
            // `-` stands for no error; an empty name would be a typo such as `a||b`.
            assert!(errors.is_empty() || errors.split('|').all(|name| !name.is_empty()), "row {row}: {errors:?}");
            // Descriptions are lower-cased before they are searched, and an empty word would match anything.
            for word in words.split(',').flat_map(|any_of| any_of.split('|')).filter(|_| !words.is_empty()) {
                assert!(!word.is_empty() && word == word.to_ascii_lowercase(), "row {row}: {words:?}");
            }
        }
    }
}

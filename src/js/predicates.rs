//! `isInvalidCode(error)` and friends: one question per way a step can fail, answered from the error's `code`.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

fn code_is(error: &JsValue, codes: &[&str]) -> bool {
    if !error.is_object() {
        return false;
    }
    let code = Reflect::get(error, &"code".into()).ok().and_then(|c| c.as_string());
    let name = Reflect::get(error, &"name".into()).ok().and_then(|n| n.as_string());
    name.as_deref() == Some("Auth0MfaError") && code.is_some_and(|code| codes.contains(&code.as_str()))
}

macro_rules! predicates {
    ($($(#[$doc:meta])* $rust:ident => $js:ident [$($code:literal),+];)+) => {$(
        $(#[$doc])*
        #[wasm_bindgen(js_name = $js)]
        pub fn $rust(#[wasm_bindgen(unchecked_param_type = "unknown")] error: JsValue) -> bool {
            code_is(&error, &[$($code),+])
        }
    )+};
}

predicates! {
    /// A second factor is needed (`mfa_required`).
    is_mfa_required => isMfaRequired ["mfa_required"];
    /// The user must enroll an authenticator first (`unsupported_challenge_type`, `association_required`).
    is_enrollment_required => isEnrollmentRequired ["enrollment_required"];
    /// The user already has an authenticator: challenge it instead of enrolling another with this `mfa_token`.
    is_already_enrolled => isAlreadyEnrolled ["already_enrolled"];
    /// The challenge (its `oob_code`) expired or no longer matches: challenge again.
    is_challenge_expired => isChallengeExpired ["challenge_expired"];
    /// An OTP, binding or recovery code was wrong; ask for another.
    is_invalid_code => isInvalidCode ["invalid_code"];
    /// The `mfa_token` expired or is malformed: log in again.
    is_mfa_token_expired => isMfaTokenExpired ["mfa_token_expired", "mfa_token_invalid"];
    /// Wrong username or password.
    is_invalid_credentials => isInvalidCredentials ["invalid_credentials"];
    /// Too many failed attempts (brute-force protection or the failed-code bucket).
    is_too_many_attempts => isTooManyAttempts ["too_many_attempts"];
    /// Rate limited; see `retryAfter`.
    is_rate_limited => isRateLimited ["rate_limited"];
    /// The user rejected the push notification.
    is_push_rejected => isPushRejected ["push_rejected"];
    /// `waitForPush` gave up waiting.
    is_push_timeout => isPushTimeout ["push_timeout"];
    /// The server could not be reached.
    is_network_error => isNetworkError ["network_error"];
    /// No answer within `timeoutMs`.
    is_timeout => isTimeout ["timeout"];
    /// The answer was not what Auth0 sends: not JSON, an HTML error page, truncated, or the wrong shape.
    is_invalid_response => isInvalidResponse ["invalid_response"];
    /// The user is blocked.
    is_user_blocked => isUserBlocked ["user_blocked"];
}

/// Any error thrown by this library.
#[wasm_bindgen(js_name = isAuth0MfaError)]
pub fn is_auth0_mfa_error(#[wasm_bindgen(unchecked_param_type = "unknown")] error: JsValue) -> bool {
    error.is_object()
        && Reflect::get(&error, &"name".into()).ok().and_then(|n| n.as_string()).as_deref() == Some("Auth0MfaError")
}

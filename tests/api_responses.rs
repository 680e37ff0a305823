//! Parsing of every documented response, and classification of every error variant, including those seen in the
//! wild (403 vs 401 mfa_required, access_denied vs invalid_grant push rejection, singular and legacy oob_channel,
//! missing recovery_codes and mfa_requirements, HTML 502, truncated JSON, empty body, 429 headers).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use auth0_mfa_wasm::api::associate::{self, EnrollTarget};
use auth0_mfa_wasm::api::token::{self, PushPoll};
use auth0_mfa_wasm::api::{AuthenticatorKind, MfaRequirements, Operation, authenticators, challenge, classify_error};
use auth0_mfa_wasm::error::{Error, ResponseProblem, RetryAfter};
use auth0_mfa_wasm::http::HttpResponse;
use common::*;

fn resp(status: u16, body: &str) -> HttpResponse {
    HttpResponse::new(status, body)
}

fn err(status: u16, error: &str, description: &str) -> HttpResponse {
    resp(status, &format!(r#"{{"error":"{error}","error_description":"{description}"}}"#))
}

#[test]
fn full_token_response() {
    let body = format!(
        r#"{{"access_token":"{ACCESS_TOKEN}","refresh_token":"{REFRESH_TOKEN}","id_token":"{ID_TOKEN}","token_type":"Bearer","expires_in":36000,"scope":"openid profile"}}"#
    );
    let tokens = token::parse_tokens(&resp(200, &body), Operation::PasswordGrant).unwrap();
    assert_eq!(tokens.access_token.expose(), ACCESS_TOKEN);
    assert_eq!(tokens.id_token.as_ref().unwrap().expose(), ID_TOKEN);
    assert_eq!(tokens.refresh_token.as_ref().unwrap().expose(), REFRESH_TOKEN);
    assert_eq!((tokens.token_type.as_deref(), tokens.expires_in), (Some("Bearer"), Some(36000)));
    assert_eq!(tokens.scope.as_deref(), Some("openid profile"));
    assert!(tokens.recovery_code.is_none());
    let debug = format!("{tokens:?}");
    for secret in [ACCESS_TOKEN, ID_TOKEN, REFRESH_TOKEN] {
        assert!(!debug.contains(secret), "{debug}");
    }
}

#[test]
fn minimal_token_response_and_recovery_code_rotation() {
    let minimal = token::parse_tokens(
        &resp(200, r#"{"access_token":"A","expires_in":86400,"token_type":"Bearer"}"#),
        Operation::OtpGrant,
    )
    .unwrap();
    assert!(minimal.id_token.is_none() && minimal.refresh_token.is_none() && minimal.scope.is_none());
    let recovered = token::parse_tokens(
        &resp(200, r#"{"access_token":"O3H4","id_token":"eyJhw","scope":"openid profile","expires_in":86400,"recovery_code":"K6LGLV3RSH3VERMKET8L7QKU","token_type":"Bearer"}"#),
        Operation::RecoveryCodeGrant,
    )
    .unwrap();
    assert_eq!(recovered.recovery_code.unwrap().expose(), "K6LGLV3RSH3VERMKET8L7QKU");
}

#[test]
fn mfa_required_as_403_and_as_401_with_requirements() {
    let body = format!(
        r#"{{"error":"mfa_required","error_description":"Multifactor authentication required","mfa_token":"{MFA_TOKEN}","mfa_requirements":{{"challenge":[{{"type":"otp"}},{{"type":"push-notification"}},{{"type":"phone"}},{{"type":"recovery-code"}},{{"type":"email"}}]}}}}"#
    );
    for status in [403, 401] {
        let error = token::parse_tokens(&resp(status, &body), Operation::PasswordGrant).unwrap_err();
        assert_eq!(error.code(), "mfa_required");
        assert_eq!(error.status(), Some(status));
        let mfa = error.mfa_required().unwrap();
        assert_eq!(mfa.mfa_token.expose(), MFA_TOKEN);
        assert_eq!(
            mfa.requirements,
            Some(MfaRequirements {
                challenge: Some(vec![
                    "otp".into(),
                    "push-notification".into(),
                    "phone".into(),
                    "recovery-code".into(),
                    "email".into()
                ]),
                enroll: None,
            })
        );
        assert_eq!(error.description(), Some("Multifactor authentication required"));
        assert!(!format!("{error:?}").contains(MFA_TOKEN));
        assert!(!error.to_string().contains(MFA_TOKEN));
    }
}

#[test]
fn mfa_required_without_requirements_and_with_enroll_requirements() {
    let error = token::parse_tokens(&resp(403, &mfa_required_body()), Operation::PasswordGrant).unwrap_err();
    assert!(error.is_mfa_required());
    assert_eq!(error.mfa_required().unwrap().requirements, None);

    let enroll =
        r#"{"error":"mfa_required","mfa_token":"T","mfa_requirements":{"enroll":[{"type":"otp"},{"nope":1},"email"]}}"#;
    let error = token::parse_tokens(&resp(403, enroll), Operation::PasswordGrant).unwrap_err();
    let requirements = error.mfa_required().unwrap().requirements.clone().unwrap();
    assert_eq!(requirements.enroll, Some(vec!["otp".to_string(), "email".to_string()]));
    assert_eq!(requirements.challenge, None);

    let odd = r#"{"error":"mfa_required","mfa_token":"T","mfa_requirements":"weird"}"#;
    let error = token::parse_tokens(&resp(403, odd), Operation::PasswordGrant).unwrap_err();
    assert_eq!(error.mfa_required().unwrap().requirements, None, "a malformed mfa_requirements is tolerated");
}

#[test]
fn mfa_required_without_a_token_is_an_invalid_response() {
    let error =
        token::parse_tokens(&err(403, "mfa_required", "Multifactor authentication required"), Operation::PasswordGrant)
            .unwrap_err();
    assert_eq!(error.code(), "invalid_response");
    assert_eq!(error.status(), Some(403));
}

#[test]
fn authenticators_with_singular_and_legacy_channels_and_inactive_entries() {
    let body = r#"[
        {"id":"totp|dev_1","authenticator_type":"otp","active":true},
        {"id":"sms|dev_2","authenticator_type":"oob","active":true,"oob_channel":"sms","name":"XXXXXXXX8730"},
        {"id":"voice|dev_2","authenticator_type":"oob","active":true,"oob_channels":["voice"],"name":"XXXXXXXX8730"},
        {"id":"email|dev_3","authenticator_type":"oob","active":true,"oob_channels":"email","name":"****@exam*******"},
        {"id":"push|dev_4","authenticator_type":"oob","active":false,"oob_channel":"auth0","name":"Pixel"},
        {"id":"recovery-code|dev_5","authenticator_type":"recovery-code","active":true},
        {"id":"sms|dev_6","authenticator_type":"oob","active":true},
        {"id":"webauthn|dev_7","authenticator_type":"webauthn","active":true,"created_at":"2024-01-01T00:00:00Z"}
    ]"#;
    let list = authenticators::parse_list(&resp(200, body)).unwrap();
    let summary: Vec<_> = list.iter().map(|a| (a.id.as_str(), a.kind, a.active, a.oob_channel.as_deref())).collect();
    assert_eq!(
        summary,
        vec![
            ("totp|dev_1", AuthenticatorKind::Otp, true, None),
            ("sms|dev_2", AuthenticatorKind::Sms, true, Some("sms")),
            ("voice|dev_2", AuthenticatorKind::Voice, true, Some("voice")),
            ("email|dev_3", AuthenticatorKind::Email, true, Some("email")),
            ("push|dev_4", AuthenticatorKind::Push, false, Some("auth0")),
            ("recovery-code|dev_5", AuthenticatorKind::RecoveryCode, true, None),
            ("sms|dev_6", AuthenticatorKind::Sms, true, None),
            ("webauthn|dev_7", AuthenticatorKind::Unknown, true, None),
        ]
    );
    assert_eq!(list[1].name.as_deref(), Some("XXXXXXXX8730"));
    assert!(authenticators::parse_list(&resp(200, "[]")).unwrap().is_empty());
}

#[test]
fn authenticator_list_errors() {
    let error = authenticators::parse_list(&resp(200, r#"{"id":"x"}"#)).unwrap_err();
    assert!(matches!(error, Error::InvalidResponse { problem: ResponseProblem::WrongShape, status: 200, .. }));
    let error = authenticators::parse_list(&err(401, "invalid_grant", "Malformed mfa_token")).unwrap_err();
    assert_eq!(error.code(), "mfa_token_invalid");
}

#[test]
fn delete_authenticator_responses() {
    assert!(authenticators::parse_delete(&resp(204, "")).is_ok());
    let error = authenticators::parse_delete(&err(404, "not_found", "Authenticator not found")).unwrap_err();
    assert_eq!((error.code(), error.status(), error.auth0_error()), ("auth0_error", Some(404), Some("not_found")));
    let error = authenticators::parse_delete(&resp(
        401,
        r#"{"statusCode":401,"error":"Unauthorized","message":"Bad audience"}"#,
    ))
    .unwrap_err();
    assert_eq!((error.code(), error.description()), ("auth0_error", Some("Bad audience")));
}

#[test]
fn associate_otp_without_recovery_codes() {
    let body = r#"{"authenticator_type":"otp","secret":"HJ6XM2DNERXDAVCUONGWKRTCMNTU6VDF","barcode_uri":"otpauth://totp/My%20Test%20Tenant:user%40example.com?secret=HJ6XM2DNERXDAVCUONGWKRTCMNTU6VDF&issuer=My%20Test%20Tenant&algorithm=SHA1&digits=6&period=30"}"#;
    let enrollment = associate::parse(&resp(200, body), &EnrollTarget::Otp).unwrap();
    assert_eq!(enrollment.kind, AuthenticatorKind::Otp);
    assert_eq!(enrollment.secret.as_ref().unwrap().expose(), "HJ6XM2DNERXDAVCUONGWKRTCMNTU6VDF");
    assert!(enrollment.barcode_uri.as_ref().unwrap().expose().starts_with("otpauth://totp/My%20Test%20Tenant:"));
    assert!(enrollment.recovery_codes.is_empty());
    assert!(enrollment.oob_code.is_none() && !enrollment.binding_required());
    assert!(!format!("{enrollment:?}").contains("HJ6XM2DNERXDAVCUONGWKRTCMNTU6VDF"));
}

#[test]
fn associate_sms_email_and_push() {
    let sms = r#"{"authenticator_type":"oob","binding_method":"prompt","oob_channel":"sms","oob_code":"Fe26.2*sms","recovery_codes":["MZCRK3YX5V3AKNNYY6JEBQCL"]}"#;
    let target = EnrollTarget::Sms { phone_number: "+15551234567".into() };
    let enrollment = associate::parse(&resp(200, sms), &target).unwrap();
    assert_eq!(enrollment.kind, AuthenticatorKind::Sms);
    assert_eq!(enrollment.oob_code.as_ref().unwrap().expose(), "Fe26.2*sms");
    assert!(enrollment.binding_required());
    assert_eq!(enrollment.recovery_codes.iter().map(|c| c.expose()).collect::<Vec<_>>(), ["MZCRK3YX5V3AKNNYY6JEBQCL"]);

    let email =
        r#"{"authenticator_type":"oob","binding_method":"prompt","oob_code":"Fe26..nWE","oob_channels":"email"}"#;
    let enrollment = associate::parse(&resp(200, email), &EnrollTarget::Email { email: "a@b.co".into() }).unwrap();
    assert_eq!((enrollment.oob_channel.as_deref(), enrollment.binding_required()), (Some("email"), true));

    let push = r#"{"authenticator_type":"oob","oob_channel":"auth0","oob_code":"Fe26.2...SYAg","barcode_uri":"otpauth://totp/tenant:user?enrollment_tx_id=qfjn&base_url=https%3A%2F%2Fguardian"}"#;
    let enrollment = associate::parse(&resp(200, push), &EnrollTarget::Push).unwrap();
    assert_eq!(enrollment.kind, AuthenticatorKind::Push);
    assert!(!enrollment.binding_required(), "push has no binding_method");
    assert!(enrollment.barcode_uri.is_some());
    assert!(enrollment.recovery_codes.is_empty());
}

#[test]
fn associate_answers_missing_their_secret_are_invalid() {
    let error = associate::parse(&resp(200, r#"{"authenticator_type":"otp"}"#), &EnrollTarget::Otp).unwrap_err();
    assert!(matches!(error, Error::InvalidResponse { problem: ResponseProblem::WrongShape, .. }));
    let error = associate::parse(&resp(200, r#"{"authenticator_type":"oob"}"#), &EnrollTarget::Push).unwrap_err();
    assert_eq!(error.code(), "invalid_response");
    let error =
        associate::parse(&err(400, "invalid_request", "User is already enrolled."), &EnrollTarget::Otp).unwrap_err();
    assert_eq!((error.code(), error.description()), ("auth0_error", Some("User is already enrolled.")));
}

#[test]
fn challenge_answers() {
    let otp = challenge::parse(&resp(200, r#"{"challenge_type":"otp"}"#)).unwrap();
    assert_eq!((otp.challenge_type.as_str(), otp.oob_code.is_none()), ("otp", true));
    let sms =
        challenge::parse(&resp(200, r#"{"challenge_type":"oob","oob_code":"asdae35fdt5","binding_method":"prompt"}"#))
            .unwrap();
    assert_eq!((sms.oob_code.unwrap().expose(), sms.binding_method.as_deref()), ("asdae35fdt5", Some("prompt")));
    let push = challenge::parse(&resp(200, r#"{"challenge_type":"oob","oob_code":"Fe26...jGco"}"#)).unwrap();
    assert!(!push.binding_required());
    let broken = challenge::parse(&resp(200, r#"{"challenge_type":"oob"}"#)).unwrap_err();
    assert_eq!(broken.code(), "invalid_response");
}

#[test]
fn push_poll_states() {
    let pending =
        err(400, "authorization_pending", "Authorization pending: please repeat the request in a few seconds.");
    assert!(matches!(token::parse_push_poll(&pending), Ok(PushPoll::Pending)));
    for status in [400, 429] {
        assert!(matches!(
            token::parse_push_poll(&err(status, "slow_down", "You are polling faster than allowed")),
            Ok(PushPoll::SlowDown)
        ));
    }
    assert!(matches!(token::parse_push_poll(&resp(200, &tokens_body())), Ok(PushPoll::Approved(_))));
    for code in ["access_denied", "invalid_grant"] {
        let error = token::parse_push_poll(&err(400, code, "MFA Authorization rejected.")).unwrap_err();
        assert_eq!(error.code(), "push_rejected", "{code}");
        assert_eq!(error.auth0_error(), Some(code));
    }
}

/// (status, error, description, operation, expected code)
const TABLE: &[(u16, &str, &str, Operation, &str)] = &[
    (400, "unsupported_challenge_type", "User is not enrolled.", Operation::Challenge, "enrollment_required"),
    (
        401,
        "unsupported_challenge_type",
        "Currently there is no supported challenge available.",
        Operation::Challenge,
        "enrollment_required",
    ),
    (400, "association_required", "The user must enroll", Operation::Challenge, "enrollment_required"),
    (403, "invalid_grant", "Invalid otp_code.", Operation::OtpGrant, "invalid_code"),
    (400, "invalid_grant", "Invalid otp_code.", Operation::OtpGrant, "invalid_code"),
    (403, "invalid_grant", "Invalid binding_code.", Operation::OobGrant { binding: true }, "invalid_code"),
    (403, "invalid_grant", "Invalid recovery code.", Operation::RecoveryCodeGrant, "invalid_code"),
    (403, "invalid_grant", "Something undocumented", Operation::RecoveryCodeGrant, "invalid_code"),
    (403, "expired_token", "mfa_token is expired", Operation::OtpGrant, "mfa_token_expired"),
    (403, "expired_token", "oob_code is expired", Operation::OobGrant { binding: false }, "mfa_token_expired"),
    (403, "invalid_grant", "mfa_token is expired", Operation::Challenge, "mfa_token_expired"),
    (403, "invalid_grant", "Malformed mfa_token", Operation::Challenge, "mfa_token_invalid"),
    (403, "invalid_grant", "Malformed mfa_token", Operation::OtpGrant, "mfa_token_invalid"),
    (403, "invalid_grant", "Wrong email or password.", Operation::PasswordGrant, "invalid_credentials"),
    (401, "invalid_user_password", "Wrong email or password.", Operation::PasswordGrant, "invalid_credentials"),
    (
        429,
        "too_many_attempts",
        "Your account has been blocked after multiple consecutive login attempts. We've sent you a notification via your preferred contact method with instructions on how to unblock it.",
        Operation::PasswordGrant,
        "too_many_attempts",
    ),
    (
        429,
        "too_many_attempts",
        "We have detected suspicious login behavior and further attempts will be blocked. Please contact the administrator.",
        Operation::PasswordGrant,
        "too_many_attempts",
    ),
    (429, "too_many_attempts", "Too many failed codes", Operation::OtpGrant, "too_many_attempts"),
    (429, "too_many_logins", "", Operation::PasswordGrant, "too_many_attempts"),
    (401, "unauthorized", "user is blocked", Operation::PasswordGrant, "user_blocked"),
    (403, "invalid_grant", "user is blocked", Operation::PasswordGrant, "user_blocked"),
    (403, "access_denied", "user is blocked", Operation::PasswordGrant, "user_blocked"),
    (403, "blocked_user", "Blocked user", Operation::PasswordGrant, "user_blocked"),
    (401, "access_denied", "Blocked user", Operation::PasswordGrant, "user_blocked"),
    (
        401,
        "password_leaked",
        "This login attempt has been blocked because the password you're using was previously disclosed through a data breach (not in this application). Please check your email for more information.",
        Operation::PasswordGrant,
        "password_leaked",
    ),
    (
        401,
        "requires_verification",
        "Suspicious request requires verification",
        Operation::PasswordGrant,
        "verification_required",
    ),
    (
        401,
        "requires_validation",
        "Suspicious request requires verification",
        Operation::PasswordGrant,
        "verification_required",
    ),
    (
        403,
        "unauthorized_client",
        "Grant type 'password' not allowed for the client.",
        Operation::PasswordGrant,
        "unauthorized_client",
    ),
    (401, "access_denied", "Unauthorized", Operation::PasswordGrant, "access_denied"),
    (403, "access_denied", "Denied by rule", Operation::OtpGrant, "access_denied"),
    (400, "access_denied", "MFA Authorization rejected.", Operation::OobGrant { binding: false }, "push_rejected"),
    (400, "invalid_grant", "MFA Authorization rejected.", Operation::OobGrant { binding: false }, "push_rejected"),
    (
        400,
        "authorization_pending",
        "Authorization pending: please repeat the request in a few seconds.",
        Operation::OobGrant { binding: false },
        "authorization_pending",
    ),
    (429, "slow_down", "You are polling faster than allowed", Operation::OobGrant { binding: false }, "slow_down"),
    (
        500,
        "server_error",
        "Authorization server not configured with default connection.",
        Operation::PasswordGrant,
        "server_error",
    ),
    (503, "temporarily_unavailable", "", Operation::PasswordGrant, "server_error"),
    (502, "bad_gateway", "upstream", Operation::PasswordGrant, "server_error"),
    (
        400,
        "invalid_request",
        "Missing required parameter: binding_code",
        Operation::OobGrant { binding: true },
        "auth0_error",
    ),
    (
        400,
        "invalid_request",
        "The oob_code doesn't match the mfa_token",
        Operation::OobGrant { binding: true },
        "auth0_error",
    ),
    (400, "invalid_scope", "Scope must be an array or a string", Operation::PasswordGrant, "auth0_error"),
    (403, "invalid_grant", "Some new reason", Operation::PasswordGrant, "auth0_error"),
    (501, "unsupported_grant_type", "", Operation::PasswordGrant, "server_error"),
];

#[test]
fn error_classification_table() {
    for &(status, error, description, operation, code) in TABLE {
        let classified = classify_error(&err(status, error, description), operation);
        assert_eq!(classified.code(), code, "{status} {error} {description:?} {operation:?}");
        assert_eq!(classified.status(), Some(status));
        assert_eq!(classified.auth0_error(), Some(error));
        let expected_description = (!description.is_empty()).then_some(description);
        assert_eq!(classified.description(), expected_description);
    }
}

#[test]
fn rate_limit_with_x_ratelimit_reset_or_retry_after() {
    let body = r#"{"error":"too_many_requests","error_description":"Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers."}"#;
    let response = resp(429, body)
        .with_header("X-RateLimit-Limit", "30")
        .with_header("x-ratelimit-remaining", "0")
        .with_header("x-ratelimit-reset", "1700000060");
    let error = token::parse_tokens(&response, Operation::PasswordGrant).unwrap_err();
    assert_eq!(error.code(), "rate_limited");
    assert_eq!(error.retry_after(), Some(RetryAfter::At(1_700_000_060)));
    assert_eq!(error.retry_after().unwrap().seconds_from(1_700_000_000), 60);
    assert!(error.is_retryable() && error.is_rate_limited());

    let response = resp(429, body).with_header("x-ratelimit-reset", "1700000060").with_header("Retry-After", "7");
    assert_eq!(classify_error(&response, Operation::Challenge).retry_after(), Some(RetryAfter::Seconds(7)));

    let bare = resp(429, "Too Many Requests").with_header("retry-after", "3");
    let error = classify_error(&bare, Operation::OtpGrant);
    assert_eq!((error.code(), error.retry_after()), ("rate_limited", Some(RetryAfter::Seconds(3))));
    assert_eq!(classify_error(&resp(429, body), Operation::OtpGrant).retry_after(), None);
}

#[test]
fn html_502_page_is_an_invalid_response_with_a_short_excerpt() {
    let html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n";
    let error = token::parse_tokens(&resp(502, html), Operation::PasswordGrant).unwrap_err();
    match &error {
        Error::InvalidResponse { status, problem, excerpt, .. } => {
            assert_eq!((*status, *problem), (502, ResponseProblem::NotJson));
            assert_eq!(excerpt.as_deref(), Some("502 Bad Gateway 502 Bad Gateway cloudflare"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(error.code(), "invalid_response");
    assert!(error.is_retryable());
    assert_eq!(
        error.to_string(),
        "invalid server response (HTTP 502, body is not JSON; expected an Auth0 error body): 502 Bad Gateway 502 Bad Gateway cloudflare"
    );
}

#[test]
fn long_text_bodies_are_cut_short() {
    let text = "x".repeat(5000);
    let error = classify_error(&resp(400, &text), Operation::PasswordGrant);
    let Error::InvalidResponse { excerpt: Some(excerpt), .. } = error else { panic!() };
    assert_eq!(excerpt.chars().count(), 81);
    assert!(excerpt.ends_with('…'));
}

#[test]
fn truncated_json_keeps_no_excerpt_and_leaks_no_token() {
    let truncated = format!(r#"{{"access_token":"{ACCESS_TOKEN}","id_tok"#);
    let error = token::parse_tokens(&resp(200, &truncated), Operation::OtpGrant).unwrap_err();
    assert!(matches!(
        error,
        Error::InvalidResponse { status: 200, problem: ResponseProblem::Truncated, excerpt: None, .. }
    ));
    assert!(!error.to_string().contains(ACCESS_TOKEN) && !format!("{error:?}").contains(ACCESS_TOKEN));

    let truncated_error = format!(r#"{{"error":"mfa_required","mfa_token":"{MFA_TOKEN}"#);
    let error = token::parse_tokens(&resp(403, &truncated_error), Operation::PasswordGrant).unwrap_err();
    assert!(matches!(
        error,
        Error::InvalidResponse { status: 403, problem: ResponseProblem::Truncated, excerpt: None, .. }
    ));
    assert!(!format!("{error:?} {error}").contains(MFA_TOKEN));
}

#[test]
fn empty_and_wrong_shape_bodies() {
    let error = token::parse_tokens(&resp(200, ""), Operation::OtpGrant).unwrap_err();
    assert!(matches!(
        error,
        Error::InvalidResponse { status: 200, problem: ResponseProblem::Empty, excerpt: None, .. }
    ));
    let error = token::parse_tokens(&resp(403, ""), Operation::OtpGrant).unwrap_err();
    assert!(matches!(error, Error::InvalidResponse { status: 403, problem: ResponseProblem::Empty, .. }));
    let error = token::parse_tokens(&resp(200, r#"{"token":"x"}"#), Operation::OtpGrant).unwrap_err();
    assert!(matches!(error, Error::InvalidResponse { problem: ResponseProblem::WrongShape, .. }));
    let error = token::parse_tokens(&resp(200, r#"{"access_token":42}"#), Operation::OtpGrant).unwrap_err();
    assert!(matches!(error, Error::InvalidResponse { problem: ResponseProblem::WrongShape, .. }));
    let error = token::parse_tokens(&resp(400, "[1,2]"), Operation::OtpGrant).unwrap_err();
    assert!(matches!(error, Error::InvalidResponse { status: 400, problem: ResponseProblem::WrongShape, .. }));
    let error = token::parse_tokens(&resp(400, "{}"), Operation::OtpGrant).unwrap_err();
    assert!(matches!(error, Error::InvalidResponse { status: 400, problem: ResponseProblem::WrongShape, .. }));
    let error = token::parse_tokens(&resp(500, "{}"), Operation::OtpGrant).unwrap_err();
    assert_eq!((error.code(), error.status()), ("server_error", Some(500)));
    let error = token::parse_tokens(&resp(403, "Origin https://test.app is not allowed."), Operation::PasswordGrant)
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidResponse { status: 403, problem: ResponseProblem::NotJson, excerpt: Some(e), .. } if e == "Origin https://test.app is not allowed.")
    );
}

#[test]
fn token_like_text_is_never_excerpted() {
    let error = classify_error(&resp(500, "oops eyJhbGciOiJIUzI1NiJ9.payload"), Operation::OtpGrant);
    assert!(matches!(error, Error::InvalidResponse { excerpt: None, .. }));
    let error = classify_error(&resp(500, "sealed Fe26.2**abc"), Operation::OtpGrant);
    assert!(matches!(error, Error::InvalidResponse { excerpt: None, .. }));
}

#[test]
fn error_codes_predicates_and_messages() {
    let invalid_code = classify_error(&err(403, "invalid_grant", "Invalid otp_code."), Operation::OtpGrant);
    assert!(invalid_code.is_invalid_code() && invalid_code.is_retryable() && !invalid_code.requires_restart());
    assert_eq!(invalid_code.to_string(), "the code was not accepted (HTTP 403 invalid_grant: Invalid otp_code.)");
    let expired = classify_error(&err(403, "expired_token", "mfa_token is expired"), Operation::OtpGrant);
    assert!(expired.is_mfa_token_expired() && expired.requires_restart() && !expired.is_retryable());
    let enroll = classify_error(&err(400, "unsupported_challenge_type", "x"), Operation::Challenge);
    assert!(enroll.is_enrollment_required() && !enroll.is_retryable());
    let blocked = classify_error(&err(401, "unauthorized", "user is blocked"), Operation::PasswordGrant);
    assert!(!blocked.is_retryable());
    let attempts = classify_error(&err(429, "too_many_attempts", "x"), Operation::PasswordGrant);
    assert!(attempts.is_too_many_attempts() && !attempts.is_rate_limited());
    let creds = classify_error(&err(403, "invalid_grant", "Wrong email or password."), Operation::PasswordGrant);
    assert!(creds.is_invalid_credentials());
    assert_eq!(creds.to_string(), "wrong username or password (HTTP 403 invalid_grant: Wrong email or password.)");
}

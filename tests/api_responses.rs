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
    assert_eq!((error.code(), error.description()), ("already_enrolled", Some("User is already enrolled.")));
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
    (403, "expired_token", "oob_code is expired", Operation::OobGrant { binding: false }, "challenge_expired"),
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
        "challenge_expired",
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
            assert_eq!(excerpt.as_deref(), Some("502 Bad Gateway"), "the title only");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(error.code(), "invalid_response");
    assert!(error.is_retryable());
    assert_eq!(
        error.to_string(),
        "invalid server response (HTTP 502, body is not JSON; expected an Auth0 error body): 502 Bad Gateway"
    );
}

#[test]
fn long_titles_are_cut_short_and_plain_text_is_never_excerpted() {
    let page = format!("<html><head><title>{}</title></head><body>x</body></html>", "x".repeat(5000));
    let error = classify_error(&resp(400, &page), Operation::PasswordGrant);
    let Error::InvalidResponse { excerpt: Some(excerpt), .. } = error else { panic!() };
    assert_eq!(excerpt.chars().count(), 81);
    assert!(excerpt.ends_with('…'));
    let error = classify_error(&resp(400, &"x".repeat(5000)), Operation::PasswordGrant);
    assert!(matches!(error, Error::InvalidResponse { problem: ResponseProblem::NotJson, excerpt: None, .. }));
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
    assert!(matches!(
        &error,
        Error::InvalidResponse { status: 403, problem: ResponseProblem::NotJson, excerpt: None, .. }
    ));
}

#[test]
fn a_redirect_is_an_invalid_response_on_every_endpoint_whatever_its_body() {
    // Even one that carries a well-formed answer: a 3xx is never the tenant's own answer.
    let redirect = |status| resp(status, &tokens_body()).with_header("location", "http://127.0.0.1:1/oauth/token");
    for status in [301, 302, 303, 307, 308] {
        let errors = [
            token::parse_tokens(&redirect(status), Operation::PasswordGrant).unwrap_err(),
            token::parse_push_poll(&redirect(status)).unwrap_err(),
            authenticators::parse_list(&redirect(status)).unwrap_err(),
            authenticators::parse_delete(&redirect(status)).unwrap_err(),
            challenge::parse(&redirect(status)).unwrap_err(),
            associate::parse(&redirect(status), &EnrollTarget::Otp).unwrap_err(),
        ];
        for error in errors {
            assert!(
                matches!(error, Error::InvalidResponse { problem: ResponseProblem::Redirect, excerpt: None, .. }),
                "{status}: {error:?}"
            );
            assert_eq!((error.code(), error.status(), error.is_retryable()), ("invalid_response", Some(status), true));
            assert_eq!(
                error.to_string(),
                format!(
                    "invalid server response (HTTP {status}, a redirect, which is not followed; expected a response \
                     from the tenant itself)"
                )
            );
        }
    }
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

#[test]
fn proxy_pages_echoing_the_request_leak_nothing() {
    let echoed = format!("grant_type=password&username=alice&password={PASSWORD}&client_id=CLIENT123");
    let pages = [
        format!("<html><head><title>502 Bad Gateway</title></head><body><pre>{echoed}</pre></body></html>"),
        format!("<html><head><title>Bad request: {echoed}</title></head></html>"),
        format!("upstream said: {echoed}"),
        "<title>Invalid Password</title>".to_owned(),
        "<title>Token service down</title>".to_owned(),
        "<title>Error code 1015</title>".to_owned(),
        "<title>Client SECRET rejected</title>".to_owned(),
        "<title>A &amp; B</title>".to_owned(),
        r#"<title>say "hi"</title>"#.to_owned(),
        "<title>a=b</title>".to_owned(),
    ];
    for (i, page) in pages.iter().enumerate() {
        for error in [
            classify_error(&resp(502, page), Operation::PasswordGrant),
            token::parse_tokens(&resp(200, page), Operation::PasswordGrant).unwrap_err(),
        ] {
            let Error::InvalidResponse { problem: ResponseProblem::NotJson, excerpt, .. } = &error else {
                panic!("{error:?}")
            };
            assert_eq!(excerpt.as_deref(), (i == 0).then_some("502 Bad Gateway"), "{page}");
            let shown = format!("{error} {error:?}");
            assert!(!shown.contains(PASSWORD) && !shown.contains("password="), "{shown}");
        }
    }
    let spaced =
        classify_error(&resp(502, "<TITLE lang=en>\n  Service\tUnavailable \r\n</TITLE>"), Operation::Challenge);
    assert!(matches!(spaced, Error::InvalidResponse { excerpt: Some(e), .. } if e == "Service Unavailable"));
}

#[test]
fn bom_and_xssi_prefixes_do_not_hide_json() {
    let tokens = tokens_body();
    for prefix in ["\u{feff}", ")]}'\n", ")]}',\n", "\u{feff})]}'\n", "while(1);", "for(;;);"] {
        let body = format!("{prefix}{tokens}");
        let parsed = token::parse_tokens(&resp(200, &body), Operation::OtpGrant).unwrap();
        assert_eq!(parsed.access_token.expose(), ACCESS_TOKEN, "{prefix:?}");
        let error = classify_error(
            &resp(403, &format!(r#"{prefix}{{"error":"invalid_grant","error_description":"Invalid otp_code."}}"#)),
            Operation::OtpGrant,
        );
        assert_eq!(error.code(), "invalid_code", "{prefix:?}");
        // An opaque token in a truncated answer behind a prefix is still JSON, so never excerpted.
        let truncated = format!(r#"{prefix}{{"access_token":"opaque-SECRET","x":"<title>t</title>"#);
        let error = token::parse_tokens(&resp(200, &truncated), Operation::PasswordGrant).unwrap_err();
        assert!(
            matches!(error, Error::InvalidResponse { problem: ResponseProblem::Truncated, excerpt: None, .. }),
            "{prefix:?} {error:?}"
        );
    }
    let error = token::parse_tokens(&resp(200, "\u{feff}"), Operation::PasswordGrant).unwrap_err();
    assert!(matches!(error, Error::InvalidResponse { problem: ResponseProblem::Empty, .. }));
}

#[test]
fn already_enrolled_from_associate_whatever_the_code() {
    for (status, code) in [(403, "access_denied"), (400, "invalid_request"), (409, "conflict"), (401, "")] {
        let body = format!(r#"{{"error":"{code}","error_description":"The user is ALREADY enrolled."}}"#);
        let error = associate::parse(&resp(status, &body), &EnrollTarget::Otp).unwrap_err();
        assert_eq!(error.code(), "already_enrolled", "{status} {code}");
        assert!(error.is_already_enrolled() && !error.is_retryable() && !error.requires_restart());
        assert_eq!(
            error.to_string().split(" (").next(),
            Some("the user is already enrolled; challenge an authenticator instead")
        );
    }
    // Only /mfa/associate enrolls.
    let error = classify_error(&err(403, "access_denied", "User is already enrolled."), Operation::Challenge);
    assert_eq!(error.code(), "access_denied");
}

#[test]
fn classification_depends_on_the_operation() {
    let action = err(403, "access_denied", "Access rejected by the login Action.");
    for operation in [Operation::PasswordGrant, Operation::OtpGrant, Operation::OobGrant { binding: true }] {
        assert_eq!(classify_error(&action, operation).code(), "access_denied", "{operation:?}");
    }
    assert_eq!(classify_error(&action, Operation::OobGrant { binding: false }).code(), "push_rejected");
    let rejected = err(400, "access_denied", "MFA Authorization rejected.");
    assert_eq!(classify_error(&rejected, Operation::PasswordGrant).code(), "access_denied");

    let without_mfa_token =
        [Operation::PasswordGrant, Operation::DeleteAuthenticator, Operation::ListAuthenticatorsWithAccessToken];
    for operation in without_mfa_token {
        for (status, code, description) in [
            (403, "expired_token", "mfa_token is expired"),
            (401, "expired_token", "The access token is expired"),
            (403, "invalid_grant", "Malformed mfa_token"),
            (400, "invalid_request", "mfa_token not issued to this client"),
        ] {
            let error = classify_error(&err(status, code, description), operation);
            assert!(!error.requires_restart(), "{operation:?} {code} {description}: {}", error.code());
            assert_eq!(error.code(), "auth0_error", "{operation:?} {code} {description}");
        }
    }
    let with_mfa_token = [
        Operation::OtpGrant,
        Operation::OobGrant { binding: true },
        Operation::OobGrant { binding: false },
        Operation::RecoveryCodeGrant,
        Operation::ListAuthenticators,
        Operation::Associate,
        Operation::Challenge,
    ];
    for operation in with_mfa_token {
        let expired = classify_error(&err(403, "expired_token", "mfa_token is expired"), operation);
        assert_eq!(expired.code(), "mfa_token_expired", "{operation:?}");
        let malformed = classify_error(&err(403, "invalid_grant", "Malformed mfa_token"), operation);
        assert_eq!(malformed.code(), "mfa_token_invalid", "{operation:?}");
    }
}

#[test]
fn unconfirmed_oob_code_and_mfa_token_variants() {
    for operation in [Operation::Challenge, Operation::OtpGrant, Operation::OobGrant { binding: true }] {
        let error = classify_error(&err(400, "invalid_request", "mfa_token not issued to this client"), operation);
        assert_eq!(error.code(), "mfa_token_invalid", "{operation:?}");
        assert!(error.requires_restart());
    }
    for binding in [true, false] {
        let operation = Operation::OobGrant { binding };
        for (status, code, description) in [
            (400, "invalid_request", "The oob_code doesn't match the mfa_token"),
            (403, "invalid_grant", "Invalid oob_code."),
            (403, "expired_token", "oob_code is expired"),
            (400, "invalid_grant", "oob_code is expired"),
        ] {
            let error = classify_error(&err(status, code, description), operation);
            assert_eq!(error.code(), "challenge_expired", "{binding} {code} {description}");
            assert!(error.is_challenge_expired() && !error.is_invalid_code(), "{description}");
            assert!(!error.is_retryable() && !error.requires_restart(), "{description}");
            assert_eq!((error.auth0_error(), error.description()), (Some(code), Some(description)));
        }
    }
    let binding = Operation::OobGrant { binding: true };
    assert_eq!(classify_error(&err(403, "invalid_grant", "Invalid binding_code."), binding).code(), "invalid_code");
    let missing = err(400, "invalid_request", "Missing required parameter: oob_code");
    assert_eq!(classify_error(&missing, binding).code(), "auth0_error");
}

#[test]
fn a_401_to_an_mfa_token_bearer_refuses_the_token() {
    let bodies = ["", r#"{"statusCode":401,"error":"Unauthorized","message":"Invalid token"}"#, "Unauthorized"];
    for body in bodies {
        let error = authenticators::parse_list(&resp(401, body)).unwrap_err();
        assert_eq!(error.code(), "mfa_token_invalid", "{body:?}");
        assert!(error.requires_restart() && !error.is_retryable());
        let error = associate::parse(&resp(401, body), &EnrollTarget::Push).unwrap_err();
        assert_eq!(error.code(), "mfa_token_invalid", "{body:?}");
    }
    let error = authenticators::parse_list(&err(401, "invalid_token", "Invalid token")).unwrap_err();
    assert_eq!(error.code(), "mfa_token_invalid");
    let expired = authenticators::parse_list(&err(401, "expired_token", "mfa_token is expired")).unwrap_err();
    assert_eq!(expired.code(), "mfa_token_expired");
    // With an MFA-API access token, a 401 is not about any mfa_token.
    let body = r#"{"statusCode":401,"error":"Unauthorized","message":"Invalid token"}"#;
    let error =
        authenticators::parse_list_for(&resp(401, body), Operation::ListAuthenticatorsWithAccessToken).unwrap_err();
    assert_eq!(error.code(), "auth0_error");
    let error =
        authenticators::parse_list_for(&resp(401, ""), Operation::ListAuthenticatorsWithAccessToken).unwrap_err();
    assert_eq!(error.code(), "invalid_response");
}

#[test]
fn token_responses_are_read_leniently() {
    for expires_in in ["86400.0", r#""86400""#, "86400.75"] {
        let body = format!(r#"{{"access_token":"A","token_type":"Bearer","expires_in":{expires_in}}}"#);
        let tokens = token::parse_tokens(&resp(200, &body), Operation::OtpGrant).unwrap();
        assert_eq!(tokens.expires_in, Some(86400), "{expires_in}");
    }
    let odd = r#"{"access_token":"A","token_type":7,"expires_in":-5,"id_token":{},"refresh_token":false,"scope":["openid"],"recovery_code":1}"#;
    let tokens = token::parse_tokens(&resp(200, odd), Operation::OtpGrant).unwrap();
    assert_eq!(tokens.access_token.expose(), "A");
    assert!(tokens.token_type.is_none() && tokens.expires_in.is_none() && tokens.id_token.is_none());
    assert!(tokens.refresh_token.is_none() && tokens.scope.is_none() && tokens.recovery_code.is_none());
}

#[test]
fn an_unreadable_2xx_to_a_code_grant_is_not_retryable() {
    for body in ["<html>oops</html>", "", r#"{"access_token":"#, r#"{"token":"x"}"#] {
        for operation in [Operation::OtpGrant, Operation::OobGrant { binding: true }, Operation::RecoveryCodeGrant] {
            let error = token::parse_tokens(&resp(200, body), operation).unwrap_err();
            assert!(matches!(error, Error::InvalidResponse { consumed: true, .. }), "{body:?} {operation:?}");
            assert!(!error.is_retryable(), "{body:?} {operation:?}");
        }
        for operation in [Operation::PasswordGrant, Operation::OobGrant { binding: false }] {
            assert!(token::parse_tokens(&resp(200, body), operation).unwrap_err().is_retryable(), "{body:?}");
        }
        // A broken error answer consumed nothing.
        assert!(token::parse_tokens(&resp(502, body), Operation::OtpGrant).unwrap_err().is_retryable(), "{body:?}");
    }
}

#[test]
fn error_bodies_answered_with_200_are_classified() {
    let pending = resp(200, r#"{"error":"authorization_pending","error_description":"Authorization pending"}"#);
    assert!(matches!(token::parse_push_poll(&pending), Ok(PushPoll::Pending)));
    let slow = resp(200, r#"{"error":"slow_down"}"#);
    assert!(matches!(token::parse_push_poll(&slow), Ok(PushPoll::SlowDown)));
    let wrong = token::parse_tokens(
        &resp(200, r#"{"error":"invalid_grant","error_description":"Invalid otp_code."}"#),
        Operation::OtpGrant,
    )
    .unwrap_err();
    assert_eq!((wrong.code(), wrong.status()), ("invalid_code", Some(200)));
    let both = resp(200, r#"{"access_token":"A","error":"authorization_pending"}"#);
    assert!(matches!(token::parse_push_poll(&both), Ok(PushPoll::Approved(_))), "tokens win");
}

#[test]
fn configuration_errors_are_not_retryable() {
    let unsupported = classify_error(&err(501, "unsupported_grant_type", ""), Operation::PasswordGrant);
    assert_eq!(unsupported.code(), "server_error");
    assert!(!unsupported.is_retryable());
    let default_connection = classify_error(
        &err(500, "server_error", "Authorization server not configured with default connection."),
        Operation::PasswordGrant,
    );
    assert!(!default_connection.is_retryable());
    let body = r#"{"statusCode":500,"error":"server_error","message":"Tenant Not Configured for this grant"}"#;
    assert!(!classify_error(&resp(500, body), Operation::PasswordGrant).is_retryable());
    for (status, code) in [(500, "server_error"), (503, "temporarily_unavailable"), (502, "bad_gateway")] {
        assert!(classify_error(&err(status, code, "boom"), Operation::OtpGrant).is_retryable(), "{code}");
    }
}

#[test]
fn binding_required_follows_the_authenticator_kind() {
    let sms = r#"{"authenticator_type":"oob","oob_channel":"sms","oob_code":"Fe26.2*sms"}"#;
    for target in [
        EnrollTarget::Sms { phone_number: "+15551234567".into() },
        EnrollTarget::Voice { phone_number: "+15551234567".into() },
        EnrollTarget::Email { email: "a@b.co".into() },
    ] {
        let enrollment = associate::parse(&resp(200, sms), &target).unwrap();
        assert!(enrollment.binding_required(), "{target:?} needs a binding code without binding_method");
    }
    let push = r#"{"authenticator_type":"oob","oob_channel":"auth0","oob_code":"Fe26.2*p","binding_method":"prompt"}"#;
    assert!(!associate::parse(&resp(200, push), &EnrollTarget::Push).unwrap().binding_required());
    assert!(AuthenticatorKind::Unknown.binding_required(true) && !AuthenticatorKind::Unknown.binding_required(false));
}

#[test]
fn response_debug_shows_only_harmless_headers() {
    let response = resp(429, "{}")
        .with_header("Set-Cookie", "did=s%3Av0%3Asession-SECRET; HttpOnly")
        .with_header("x-auth0-requestid", "req-SECRET")
        .with_header("Content-Type", "application/json")
        .with_header("Retry-After", "7")
        .with_header("X-RateLimit-Reset", "1700000060");
    let debug = format!("{response:?}");
    assert!(!debug.contains("SECRET") && !debug.contains("set-cookie"), "{debug}");
    for shown in ["application/json", "retry-after", "\"7\"", "x-ratelimit-reset", "1700000060"] {
        assert!(debug.contains(shown), "{shown} missing from {debug}");
    }
}

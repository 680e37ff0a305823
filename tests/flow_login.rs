//! The login state machine end to end against a scripted transport: every request and every stage change.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use auth0_mfa_wasm::api::associate::EnrollTarget;
use auth0_mfa_wasm::api::{AccessToken, AuthenticatorKind, ClientSecret, Config, ConfigOptions, Password};
use auth0_mfa_wasm::flow::{ChallengeTarget, Flow, LoginOutcome, Stage};
use auth0_mfa_wasm::http::{Method, TransportError};
use common::*;

const AUTHENTICATORS: &str = r#"[
    {"id":"totp|dev_otp","authenticator_type":"otp","active":true},
    {"id":"sms|dev_sms","authenticator_type":"oob","active":true,"oob_channel":"sms","name":"XXXXXXXX8730"},
    {"id":"email|dev_old","authenticator_type":"oob","active":false,"oob_channel":"email"},
    {"id":"recovery-code|dev_rc","authenticator_type":"recovery-code","active":true}
]"#;

fn otp_grant(code: &str) -> String {
    format!(
        "grant_type=http%3A%2F%2Fauth0.com%2Foauth%2Fgrant-type%2Fmfa-otp&client_id=CLIENT123&mfa_token={}&otp={code}",
        enc(MFA_TOKEN)
    )
}

fn oob_grant(binding: Option<&str>) -> String {
    let mut body = format!(
        "grant_type=http%3A%2F%2Fauth0.com%2Foauth%2Fgrant-type%2Fmfa-oob&client_id=CLIENT123&mfa_token={}&oob_code={}",
        enc(MFA_TOKEN),
        enc(OOB_CODE)
    );
    if let Some(binding) = binding {
        body.push_str(&format!("&binding_code={binding}"));
    }
    body
}

/// A flow that has logged in and holds the mfa_token.
fn logged_in(http: &MockHttp) -> Flow<&MockHttp> {
    http.reply(403, &mfa_required_body());
    let mut flow = Flow::new(config(), http);
    let outcome = block_on(flow.login("alice@example.com", Password::new(PASSWORD))).unwrap();
    assert!(matches!(outcome, LoginOutcome::MfaRequired(None)));
    assert_eq!(flow.stage(), Stage::MfaRequired);
    flow
}

#[test]
fn login_without_mfa_returns_tokens() {
    let http = MockHttp::new();
    http.reply(200, &tokens_body());
    let mut flow = Flow::new(config(), &http);
    assert_eq!(flow.stage().as_str(), "start");
    let LoginOutcome::Authenticated(tokens) = block_on(flow.login("alice", Password::new(PASSWORD))).unwrap() else {
        panic!("expected tokens")
    };
    assert_eq!(tokens.access_token.expose(), ACCESS_TOKEN);
    assert_eq!(flow.stage().as_str(), "authenticated");
    assert_eq!(http.count(), 1);
    assert_eq!(
        form_body(&http.request(0)),
        format!(
            "grant_type=password&client_id=CLIENT123&username=alice&password={}&scope=openid%20profile%20email",
            enc(PASSWORD)
        )
    );
}

#[test]
fn login_keeps_mfa_requirements() {
    let http = MockHttp::new();
    http.reply(
        403,
        &format!(r#"{{"error":"mfa_required","mfa_token":"{MFA_TOKEN}","mfa_requirements":{{"challenge":[{{"type":"otp"}}]}}}}"#),
    );
    let mut flow = Flow::new(config(), &http);
    let LoginOutcome::MfaRequired(Some(requirements)) = block_on(flow.login("alice", Password::new(PASSWORD))).unwrap()
    else {
        panic!()
    };
    assert_eq!(requirements.challenge, Some(vec!["otp".to_string()]));
    assert_eq!(flow.mfa_requirements(), Some(&requirements));
    assert_eq!(flow.stage().as_str(), "mfa_required");
}

#[test]
fn wrong_password_leaves_start_and_blocked_user_fails() {
    let http = MockHttp::new();
    http.reply(403, r#"{"error":"invalid_grant","error_description":"Wrong email or password."}"#);
    http.reply(401, r#"{"error":"unauthorized","error_description":"user is blocked"}"#);
    let mut flow = Flow::new(config(), &http);
    let error = block_on(flow.login("alice", Password::new("wrong"))).unwrap_err();
    assert_eq!((error.code(), flow.stage()), ("invalid_credentials", Stage::Start));
    let error = block_on(flow.login("alice", Password::new("wrong"))).unwrap_err();
    assert_eq!((error.code(), flow.stage()), ("user_blocked", Stage::Failed));
}

#[test]
fn full_otp_enrollment() {
    let http = MockHttp::new();
    let mut flow = logged_in(&http);
    http.reply(200, "[]");
    let list = block_on(flow.authenticators()).unwrap();
    assert!(list.active.is_empty() && list.all.is_empty());
    assert_eq!(flow.stage(), Stage::MfaRequired);

    http.reply(
        200,
        r#"{"authenticator_type":"otp","secret":"HJ6XM2DNERXDAVCUONGWKRTCMNTU6VDF","barcode_uri":"otpauth://totp/T:alice?secret=HJ6XM2DNERXDAVCUONGWKRTCMNTU6VDF&issuer=T","recovery_codes":["N3BGPZZWJ85JLCNPZBDW6QXC"]}"#,
    );
    let enrollment = block_on(flow.enroll(EnrollTarget::Otp)).unwrap();
    assert_eq!(enrollment.secret.as_ref().unwrap().expose(), "HJ6XM2DNERXDAVCUONGWKRTCMNTU6VDF");
    assert_eq!(enrollment.recovery_codes[0].expose(), "N3BGPZZWJ85JLCNPZBDW6QXC");
    assert_eq!(flow.stage().as_str(), "enrolling");
    assert_eq!(flow.pending().unwrap().kind, AuthenticatorKind::Otp);

    http.reply(200, &tokens_body());
    let tokens = block_on(flow.verify_otp(" 123 456 ".into())).unwrap();
    assert_eq!(tokens.id_token.unwrap().expose(), ID_TOKEN);
    assert_eq!(flow.stage(), Stage::Authenticated);
    assert!(flow.pending().is_none());

    let requests = http.requests();
    assert_eq!(requests.len(), 4);
    assert_eq!(
        (requests[1].method, requests[1].url.as_str()),
        (Method::Get, "https://tenant.auth0.com/mfa/authenticators")
    );
    assert_eq!(requests[1].header("authorization"), Some(format!("Bearer {MFA_TOKEN}").as_str()));
    assert_eq!(
        (requests[2].method, requests[2].url.as_str()),
        (Method::Post, "https://tenant.auth0.com/mfa/associate")
    );
    assert_eq!(requests[2].header("authorization"), Some(format!("Bearer {MFA_TOKEN}").as_str()));
    assert_eq!(requests[2].body.as_deref(), Some(r#"{"client_id":"CLIENT123","authenticator_types":["otp"]}"#));
    assert_eq!(form_body(&requests[3]), otp_grant("123456"));

    // Done: further MFA steps are refused without a request.
    let error = block_on(flow.verify_otp("123456".into())).unwrap_err();
    assert_eq!(error.to_string(), "verify_otp is not allowed in stage authenticated");
    assert_eq!(http.count(), 4);
}

#[test]
fn otp_challenge_by_type_sends_challenge_type_otp() {
    let http = MockHttp::new();
    let mut flow = logged_in(&http);
    http.reply(200, r#"{"challenge_type":"otp"}"#);
    let started = block_on(flow.challenge(ChallengeTarget::Kind(AuthenticatorKind::Otp))).unwrap();
    assert_eq!(
        (started.kind, started.challenge_type.as_str(), started.binding_required),
        (AuthenticatorKind::Otp, "otp", false)
    );
    assert_eq!(flow.stage(), Stage::Challenged);
    assert_eq!(
        http.last().body.as_deref(),
        Some(format!(r#"{{"client_id":"CLIENT123","mfa_token":"{MFA_TOKEN}","challenge_type":"otp"}}"#).as_str())
    );
    http.reply(200, &tokens_body());
    block_on(flow.verify_otp("000111".into())).unwrap();
    assert_eq!(form_body(&http.last()), otp_grant("000111"));
    assert_eq!(flow.stage(), Stage::Authenticated);
}

#[test]
fn challenge_by_id_sends_the_right_type_for_each_authenticator() {
    let http = MockHttp::new();
    let mut flow = logged_in(&http);
    http.reply(200, AUTHENTICATORS);
    let list = block_on(flow.authenticators()).unwrap();
    assert_eq!(list.all.len(), 4);
    assert_eq!(
        list.active.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["totp|dev_otp", "sms|dev_sms", "recovery-code|dev_rc"]
    );

    http.reply(200, r#"{"challenge_type":"otp"}"#);
    block_on(flow.challenge(ChallengeTarget::Id("totp|dev_otp".into()))).unwrap();
    assert_eq!(
        http.last().body.as_deref(),
        Some(format!(r#"{{"client_id":"CLIENT123","mfa_token":"{MFA_TOKEN}","challenge_type":"otp","authenticator_id":"totp|dev_otp"}}"#).as_str())
    );

    http.reply(200, &format!(r#"{{"challenge_type":"oob","oob_code":"{OOB_CODE}","binding_method":"prompt"}}"#));
    let started = block_on(flow.challenge(ChallengeTarget::Id("sms|dev_sms".into()))).unwrap();
    assert_eq!((started.kind, started.binding_required), (AuthenticatorKind::Sms, true));
    assert_eq!(
        http.last().body.as_deref(),
        Some(format!(r#"{{"client_id":"CLIENT123","mfa_token":"{MFA_TOKEN}","challenge_type":"oob","authenticator_id":"sms|dev_sms"}}"#).as_str())
    );
    assert_eq!(http.count(), 4, "the cached list was used");

    for (id, message) in [
        ("email|dev_old", "invalid authenticator_id: is not active (enrolled but never confirmed)"),
        (
            "recovery-code|dev_rc",
            "invalid authenticator_id: is a recovery code, which is not challenged: verify the recovery code directly",
        ),
    ] {
        let error = block_on(flow.challenge(ChallengeTarget::Id(id.into()))).unwrap_err();
        assert_eq!(error.to_string(), message);
    }
    assert_eq!(http.count(), 4);
    assert_eq!(flow.stage(), Stage::Challenged, "refused inputs change nothing");
}

#[test]
fn sms_challenge_by_type_lists_then_verifies_with_the_binding_code() {
    let http = MockHttp::new();
    let mut flow = logged_in(&http);
    http.reply(200, AUTHENTICATORS);
    http.reply(200, &format!(r#"{{"challenge_type":"oob","oob_code":"{OOB_CODE}","binding_method":"prompt"}}"#));
    let started = block_on(flow.challenge(ChallengeTarget::Kind(AuthenticatorKind::Sms))).unwrap();
    assert_eq!(started.authenticator_id.as_deref(), Some("sms|dev_sms"));
    assert_eq!(http.request(1).url, "https://tenant.auth0.com/mfa/authenticators");
    assert_eq!(http.request(2).url, "https://tenant.auth0.com/mfa/challenge");
    assert!(
        http.request(2).body.as_deref().unwrap().contains(r#""challenge_type":"oob","authenticator_id":"sms|dev_sms""#)
    );

    // Push polling is for push only.
    assert_eq!(block_on(flow.poll_push()).unwrap_err().code(), "invalid_state");

    http.reply(200, &tokens_body());
    block_on(flow.verify_oob("654321".into())).unwrap();
    assert_eq!(form_body(&http.last()), oob_grant(Some("654321")));
    assert_eq!(flow.stage(), Stage::Authenticated);
    assert_eq!(http.count(), 4);
}

#[test]
fn challenge_of_a_missing_kind_and_enrollment_required() {
    let http = MockHttp::new();
    let mut flow = logged_in(&http);
    http.reply(200, AUTHENTICATORS);
    let error = block_on(flow.challenge(ChallengeTarget::Kind(AuthenticatorKind::Push))).unwrap_err();
    assert_eq!(error.to_string(), "invalid type: the user has no active authenticator of this type");

    http.reply(400, r#"{"error":"unsupported_challenge_type","error_description":"User is not enrolled."}"#);
    let error = block_on(flow.challenge(ChallengeTarget::Kind(AuthenticatorKind::Otp))).unwrap_err();
    assert!(error.is_enrollment_required());
    assert_eq!(flow.stage(), Stage::MfaRequired, "enroll next");
}

#[test]
fn sms_enrollment_with_binding_code() {
    let http = MockHttp::new();
    let mut flow = logged_in(&http);
    http.reply(
        200,
        &format!(
            r#"{{"authenticator_type":"oob","binding_method":"prompt","oob_channel":"sms","oob_code":"{OOB_CODE}"}}"#
        ),
    );
    let enrollment = block_on(flow.enroll(EnrollTarget::Sms { phone_number: "+1 (555) 123-4567".into() })).unwrap();
    assert!(enrollment.binding_required() && enrollment.recovery_codes.is_empty());
    assert_eq!(
        http.last().body.as_deref(),
        Some(
            r#"{"client_id":"CLIENT123","authenticator_types":["oob"],"oob_channels":["sms"],"phone_number":"+15551234567"}"#
        )
    );
    assert_eq!(flow.stage(), Stage::Enrolling);
    http.reply(200, &tokens_body());
    block_on(flow.verify_oob("111222".into())).unwrap();
    assert_eq!(form_body(&http.last()), oob_grant(Some("111222")));
}

#[test]
fn bad_inputs_are_refused_before_any_request() {
    let http = MockHttp::new();
    let mut flow = logged_in(&http);
    let cases: Vec<(auth0_mfa_wasm::error::Error, &str)> = vec![
        (block_on(flow.enroll(EnrollTarget::Sms { phone_number: "555-1234".into() })).unwrap_err(), "phone_number"),
        (block_on(flow.enroll(EnrollTarget::Voice { phone_number: "+12ab".into() })).unwrap_err(), "phone_number"),
        (block_on(flow.enroll(EnrollTarget::Email { email: "not an email".into() })).unwrap_err(), "email"),
        (block_on(flow.verify_otp("".into())).unwrap_err(), "code"),
        (block_on(flow.verify_otp("12;34".into())).unwrap_err(), "code"),
        (block_on(flow.verify_recovery_code("  ".into())).unwrap_err(), "recovery_code"),
        (block_on(flow.challenge(ChallengeTarget::Id(" ".into()))).unwrap_err(), "authenticator_id"),
    ];
    for (error, argument) in cases {
        assert_eq!(error.code(), "invalid_argument");
        assert!(error.to_string().starts_with(&format!("invalid {argument}:")), "{error}");
    }
    // verify_oob without a pending out-of-band challenge
    assert_eq!(block_on(flow.verify_oob("123456".into())).unwrap_err().code(), "invalid_state");
    let mut fresh = Flow::new(config(), &http);
    assert_eq!(block_on(fresh.login(" ", Password::new("x"))).unwrap_err().code(), "invalid_argument");
    assert_eq!(block_on(fresh.login("alice", Password::new(""))).unwrap_err().code(), "invalid_argument");
    assert_eq!(
        block_on(fresh.authenticators()).unwrap_err().to_string(),
        "authenticators is not allowed in stage start"
    );
    assert_eq!(http.count(), 1, "only the login of logged_in was sent");
    assert_eq!(flow.stage(), Stage::MfaRequired);
}

#[test]
fn wrong_code_keeps_the_stage_and_a_second_right_code_succeeds() {
    let http = MockHttp::new();
    let mut flow = logged_in(&http);
    http.reply(200, r#"{"challenge_type":"otp"}"#);
    block_on(flow.challenge(ChallengeTarget::Kind(AuthenticatorKind::Otp))).unwrap();
    http.reply(403, r#"{"error":"invalid_grant","error_description":"Invalid otp_code."}"#);
    let error = block_on(flow.verify_otp("111111".into())).unwrap_err();
    assert!(error.is_invalid_code() && error.is_retryable());
    assert_eq!(flow.stage(), Stage::Challenged);
    assert_eq!(http.count(), 3, "a wrong code is not retried automatically");

    http.reply(200, &tokens_body());
    block_on(flow.verify_otp("222222".into())).unwrap();
    assert_eq!(form_body(&http.last()), otp_grant("222222"));
    assert_eq!(flow.stage(), Stage::Authenticated);
}

#[test]
fn network_errors_timeouts_and_5xx_keep_the_stage() {
    let http = MockHttp::new();
    let mut flow = logged_in(&http);
    http.fail(TransportError::Network("connection reset".into()));
    let error = block_on(flow.verify_otp("123456".into())).unwrap_err();
    assert_eq!((error.code(), error.to_string().as_str()), ("network_error", "network error: connection reset"));
    assert_eq!(flow.stage(), Stage::MfaRequired);
    http.fail(TransportError::Timeout);
    assert_eq!(block_on(flow.verify_otp("123456".into())).unwrap_err().code(), "timeout");
    http.fail(TransportError::Aborted);
    assert_eq!(block_on(flow.verify_otp("123456".into())).unwrap_err().code(), "aborted");
    // A browser shows a redirect it did not follow as no status at all.
    http.fail(TransportError::Redirected);
    let error = block_on(flow.verify_otp("123456".into())).unwrap_err();
    assert_eq!((error.code(), error.status(), error.is_retryable()), ("invalid_response", None, true));
    assert_eq!(
        error.to_string(),
        "invalid server response (a redirect, which is not followed; expected a response from the tenant itself)"
    );
    assert_eq!(flow.stage(), Stage::MfaRequired);
    http.reply(502, "<html><body>Bad Gateway</body></html>");
    assert_eq!(block_on(flow.verify_otp("123456".into())).unwrap_err().code(), "invalid_response");
    http.reply(503, r#"{"error":"temporarily_unavailable"}"#);
    assert_eq!(block_on(flow.verify_otp("123456".into())).unwrap_err().code(), "server_error");
    http.reply_with(
        auth0_mfa_wasm::http::HttpResponse::new(429, r#"{"error":"too_many_requests"}"#)
            .with_header("retry-after", "2"),
    );
    assert_eq!(block_on(flow.verify_otp("123456".into())).unwrap_err().code(), "rate_limited");
    assert_eq!(flow.stage(), Stage::MfaRequired);

    http.reply(200, &tokens_body());
    block_on(flow.verify_otp("123456".into())).unwrap();
    assert_eq!(flow.stage(), Stage::Authenticated);
    assert_eq!(http.count(), 9);
    assert!(http.requests()[1..].iter().all(|r| form_body(r) == otp_grant("123456")));
}

#[test]
fn network_error_at_login_keeps_start() {
    let http = MockHttp::new();
    http.fail(TransportError::Network("offline".into()));
    let mut flow = Flow::new(config(), &http);
    assert_eq!(block_on(flow.login("alice", Password::new(PASSWORD))).unwrap_err().code(), "network_error");
    assert_eq!(flow.stage(), Stage::Start);
}

#[test]
fn expired_or_malformed_mfa_token_fails_the_login() {
    for (body, code) in [
        (r#"{"error":"expired_token","error_description":"mfa_token is expired"}"#, "mfa_token_expired"),
        (r#"{"error":"invalid_grant","error_description":"Malformed mfa_token"}"#, "mfa_token_invalid"),
    ] {
        let http = MockHttp::new();
        let mut flow = logged_in(&http);
        http.reply(403, body);
        let error = block_on(flow.verify_otp("123456".into())).unwrap_err();
        assert_eq!(error.code(), code);
        assert!(error.requires_restart());
        assert_eq!(flow.stage().as_str(), "failed");
        assert!(!flow.save().contains(MFA_TOKEN), "the dead token is forgotten");
        assert_eq!(block_on(flow.verify_otp("123456".into())).unwrap_err().code(), "invalid_state");
        // Logging in again is always allowed.
        http.reply(403, &mfa_required_body());
        block_on(flow.login("alice", Password::new(PASSWORD))).unwrap();
        assert_eq!(flow.stage(), Stage::MfaRequired);
    }
}

#[test]
fn recovery_code_login_returns_the_rotated_code() {
    let http = MockHttp::new();
    let mut flow = logged_in(&http);
    http.reply(403, r#"{"error":"invalid_grant","error_description":"Invalid recovery code"}"#);
    let error = block_on(flow.verify_recovery_code("n3bg-pzzw-j85j-lcnp-zbdw-6qxc".into())).unwrap_err();
    assert!(error.is_invalid_code());
    assert_eq!(flow.stage(), Stage::MfaRequired);
    http.reply(
        200,
        r#"{"access_token":"O3H4","id_token":"eyJw","scope":"openid profile","expires_in":86400,"recovery_code":"K6LGLV3RSH3VERMKET8L7QKU","token_type":"Bearer"}"#,
    );
    let tokens = block_on(flow.verify_recovery_code("N3BGPZZWJ85JLCNPZBDW6QXC".into())).unwrap();
    assert_eq!(tokens.recovery_code.unwrap().expose(), "K6LGLV3RSH3VERMKET8L7QKU");
    assert_eq!(flow.stage(), Stage::Authenticated);
    let expected = format!(
        "grant_type=http%3A%2F%2Fauth0.com%2Foauth%2Fgrant-type%2Fmfa-recovery-code&client_id=CLIENT123&mfa_token={}&recovery_code=N3BGPZZWJ85JLCNPZBDW6QXC",
        enc(MFA_TOKEN)
    );
    assert_eq!(form_body(&http.request(1)), expected, "normalised: hyphens dropped, upper-cased");
    assert_eq!(form_body(&http.request(2)), expected);
}

#[test]
fn save_restore_and_continue_in_another_request() {
    let http = MockHttp::new();
    let mut flow = logged_in(&http);
    http.reply(200, AUTHENTICATORS);
    http.reply(200, &format!(r#"{{"challenge_type":"oob","oob_code":"{OOB_CODE}","binding_method":"prompt"}}"#));
    block_on(flow.challenge(ChallengeTarget::Kind(AuthenticatorKind::Sms))).unwrap();
    let saved = flow.save();
    assert!(saved.contains(r#""stage":"challenged""#), "{saved}");
    assert!(!saved.contains(PASSWORD));
    drop(flow);

    // A second Worker invocation: new transport, same state.
    let second = MockHttp::new();
    let mut restored = Flow::restore_with_config(&saved, config(), &second).unwrap();
    assert_eq!(restored.stage(), Stage::Challenged);
    assert_eq!(restored.pending().unwrap().authenticator_id.as_deref(), Some("sms|dev_sms"));
    assert_eq!(restored.config().base_url(), "https://tenant.auth0.com");
    second.reply(403, r#"{"error":"invalid_grant","error_description":"Invalid binding_code."}"#);
    assert!(block_on(restored.verify_oob("000000".into())).unwrap_err().is_invalid_code());
    assert_eq!(restored.stage(), Stage::Challenged);
    second.reply(200, &tokens_body());
    block_on(restored.verify_oob("123456".into())).unwrap();
    assert_eq!(form_body(&second.last()), oob_grant(Some("123456")));
    assert_eq!(restored.stage(), Stage::Authenticated);

    // A saved-then-restored start state works too.
    let start = Flow::new(config(), &second).save();
    assert_eq!(Flow::restore_with_config(&start, config(), &second).unwrap().stage(), Stage::Start);
}

#[test]
fn restore_never_carries_the_client_secret_and_checks_the_state() {
    let confidential =
        Config::new(ConfigOptions { client_secret: Some(ClientSecret::new(CLIENT_SECRET)), ..options() }).unwrap();
    let http = MockHttp::new();
    http.reply(403, &mfa_required_body());
    let mut flow = Flow::new(confidential.clone(), &http);
    block_on(flow.login("alice", Password::new(PASSWORD))).unwrap();
    let saved = flow.save();
    assert!(!saved.contains(CLIENT_SECRET) && !saved.contains(PASSWORD), "{saved}");

    // The secret comes back with the application's own configuration, never from the state.
    let mut restored = Flow::restore_with_config(&saved, confidential.clone(), &http).unwrap();
    assert_eq!(restored.stage(), Stage::MfaRequired);
    http.reply(200, &tokens_body());
    block_on(restored.verify_otp("123456".into())).unwrap();
    assert!(form_body(&http.last()).contains("&client_secret=client-secret-VALUE-42&"));

    let other = Config::new(ConfigOptions { domain: "other.auth0.com".into(), ..options() }).unwrap();
    assert_eq!(
        Flow::restore_with_config(&saved, other, &http).unwrap_err().to_string(),
        "invalid state: belongs to another domain or application"
    );

    for bad in ["", "{}", "not json", r#"{"version":99}"#] {
        assert_eq!(Flow::restore_with_config(bad, config(), &http).unwrap_err().code(), "invalid_argument", "{bad}");
    }
    let tampered = saved.replace("https://tenant.auth0.com", "http://evil.example.com");
    assert_ne!(tampered, saved);
    assert_eq!(
        Flow::restore_with_config(&tampered, confidential.clone(), &http).unwrap_err().code(),
        "invalid_argument"
    );
    let old = saved.replace(r#""version":1"#, r#""version":0"#);
    assert_eq!(
        Flow::restore_with_config(&old, confidential, &http).unwrap_err().to_string(),
        "invalid state: was saved by an incompatible version"
    );
}

#[test]
fn debug_of_flow_config_and_errors_shows_no_secret() {
    let confidential =
        Config::new(ConfigOptions { client_secret: Some(ClientSecret::new(CLIENT_SECRET)), ..options() }).unwrap();
    let http = MockHttp::new();
    http.reply(403, &mfa_required_body());
    http.reply(200, &format!(r#"{{"authenticator_type":"oob","oob_channel":"auth0","oob_code":"{OOB_CODE}","barcode_uri":"otpauth://x"}}"#));
    let mut flow = Flow::new(confidential, &http);
    block_on(flow.login("alice", Password::new(PASSWORD))).unwrap();
    let enrollment = block_on(flow.enroll(EnrollTarget::Push)).unwrap();
    let flow_debug = format!("{flow:?}");
    assert!(flow_debug.contains("Enrolling") && flow_debug.contains("[redacted]"), "{flow_debug}");

    let mfa_error = auth0_mfa_wasm::api::classify_error(
        &auth0_mfa_wasm::http::HttpResponse::new(403, mfa_required_body()),
        auth0_mfa_wasm::api::Operation::PasswordGrant,
    );
    let texts = [
        flow_debug,
        format!("{:?}", flow.config()),
        format!("{enrollment:?}"),
        format!("{mfa_error:?}"),
        mfa_error.to_string(),
        format!("{:?}", http.requests()),
        format!("{:?}", AccessToken::new(ACCESS_TOKEN)),
    ];
    for text in &texts {
        for secret in [PASSWORD, CLIENT_SECRET, MFA_TOKEN, OOB_CODE, ACCESS_TOKEN] {
            assert!(!text.contains(secret), "{secret} leaked in {text}");
        }
    }
    assert_eq!(format!("{:?}", Password::new(PASSWORD)), "[redacted]");
}

#[test]
fn delete_and_list_with_an_mfa_api_access_token() {
    let http = MockHttp::new();
    let flow = Flow::new(config(), &http);
    let token = AccessToken::new(ACCESS_TOKEN);
    http.reply(204, "");
    block_on(flow.delete_authenticator(&token, "sms|dev_sms")).unwrap();
    let request = http.last();
    assert_eq!(
        (request.method, request.url.as_str()),
        (Method::Delete, "https://tenant.auth0.com/mfa/authenticators/sms%7Cdev_sms")
    );
    assert_eq!(request.header("authorization"), Some(format!("Bearer {ACCESS_TOKEN}").as_str()));

    http.reply(401, r#"{"error":"access_denied","error_description":"Insufficient scope"}"#);
    assert_eq!(block_on(flow.delete_authenticator(&token, "sms|dev_sms")).unwrap_err().code(), "access_denied");
    assert_eq!(block_on(flow.delete_authenticator(&token, "")).unwrap_err().code(), "invalid_argument");

    http.reply(200, AUTHENTICATORS);
    let all = block_on(flow.list_authenticators_with(&token)).unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(flow.stage(), Stage::Start, "independent of the login");
}

#[test]
fn mfa_api_login_asks_for_the_mfa_audience() {
    let http = MockHttp::new();
    http.reply(403, &mfa_required_body());
    let mut flow = Flow::new(config().for_mfa_api(), &http);
    block_on(flow.login("alice", Password::new("pw"))).unwrap();
    assert!(form_body(&http.last()).ends_with(
        "&audience=https%3A%2F%2Ftenant.auth0.com%2Fmfa%2F&scope=enroll%20read%3Aauthenticators%20remove%3Aauthenticators"
    ));
}

#[test]
fn already_enrolled_keeps_mfa_required_so_the_user_can_challenge() {
    let http = MockHttp::new();
    let mut flow = logged_in(&http);
    http.reply(403, r#"{"error":"access_denied","error_description":"User is already enrolled."}"#);
    let error = block_on(flow.enroll(EnrollTarget::Otp)).unwrap_err();
    assert_eq!(error.code(), "already_enrolled");
    assert!(error.is_already_enrolled());
    assert_eq!(flow.stage(), Stage::MfaRequired);
    http.reply(200, r#"{"challenge_type":"otp"}"#);
    block_on(flow.challenge(ChallengeTarget::Kind(AuthenticatorKind::Otp))).unwrap();
    http.reply(200, &tokens_body());
    block_on(flow.verify_otp("123456".into())).unwrap();
    assert_eq!(form_body(&http.last()), otp_grant("123456"), "the mfa_token was kept");
}

#[test]
fn access_denied_on_enroll_keeps_the_stage_but_fails_a_verification() {
    let http = MockHttp::new();
    let mut flow = logged_in(&http);
    http.reply(403, r#"{"error":"access_denied","error_description":"Enrollment of this factor is not allowed"}"#);
    let error = block_on(flow.enroll(EnrollTarget::Push)).unwrap_err();
    assert_eq!((error.code(), flow.stage()), ("access_denied", Stage::MfaRequired));
    http.reply(403, r#"{"error":"access_denied","error_description":"Access rejected by the login Action."}"#);
    let error = block_on(flow.verify_otp("123456".into())).unwrap_err();
    assert_eq!((error.code(), flow.stage()), ("access_denied", Stage::Failed));
}

#[test]
fn action_rejection_at_login_is_access_denied() {
    let http = MockHttp::new();
    http.reply(403, r#"{"error":"access_denied","error_description":"Access rejected: outside business hours"}"#);
    let mut flow = Flow::new(config(), &http);
    let error = block_on(flow.login("alice", Password::new(PASSWORD))).unwrap_err();
    assert_eq!((error.code(), flow.stage()), ("access_denied", Stage::Failed));
}

#[test]
fn a_challenge_that_is_gone_returns_to_mfa_required() {
    for (status, body) in [
        (400, r#"{"error":"invalid_request","error_description":"The oob_code doesn't match the mfa_token"}"#),
        (403, r#"{"error":"invalid_grant","error_description":"Invalid oob_code."}"#),
        (403, r#"{"error":"expired_token","error_description":"oob_code is expired"}"#),
    ] {
        let http = MockHttp::new();
        let mut flow = logged_in(&http);
        http.reply(200, AUTHENTICATORS);
        http.reply(200, &format!(r#"{{"challenge_type":"oob","oob_code":"{OOB_CODE}","binding_method":"prompt"}}"#));
        block_on(flow.challenge(ChallengeTarget::Kind(AuthenticatorKind::Sms))).unwrap();
        http.reply(status, body);
        let error = block_on(flow.verify_oob("123456".into())).unwrap_err();
        assert_eq!(error.code(), "challenge_expired", "{body}");
        assert!(error.is_challenge_expired() && !error.is_retryable() && !error.requires_restart());
        assert_eq!(flow.stage(), Stage::MfaRequired, "{body}");
        assert!(flow.pending().is_none());
        assert_eq!(block_on(flow.verify_oob("123456".into())).unwrap_err().code(), "invalid_state");
        // Challenging again works with the same mfa_token.
        http.reply(200, &format!(r#"{{"challenge_type":"oob","oob_code":"{OOB_CODE}","binding_method":"prompt"}}"#));
        block_on(flow.challenge(ChallengeTarget::Id("sms|dev_sms".into()))).unwrap();
        assert_eq!(flow.stage(), Stage::Challenged);
    }
}

#[test]
fn a_401_to_the_authenticator_list_fails_the_login() {
    for body in ["", r#"{"statusCode":401,"error":"Unauthorized","message":"Invalid token"}"#] {
        let http = MockHttp::new();
        let mut flow = logged_in(&http);
        http.reply(401, body);
        let error = block_on(flow.authenticators()).unwrap_err();
        assert_eq!((error.code(), error.is_retryable()), ("mfa_token_invalid", false), "{body:?}");
        assert_eq!(flow.stage(), Stage::Failed);
    }
}

#[test]
fn an_unreadable_answer_to_a_code_is_not_retryable() {
    let http = MockHttp::new();
    let mut flow = logged_in(&http);
    http.reply(200, "<html><title>OK</title></html>");
    let error = block_on(flow.verify_otp("123456".into())).unwrap_err();
    assert_eq!((error.code(), error.is_retryable()), ("invalid_response", false));
    http.reply(200, r#"{"access_token":"A","expires_in":"600","token_type":null,"scope":7}"#);
    let tokens = block_on(flow.verify_recovery_code("N3BGPZZWJ85JLCNPZBDW6QXC".into())).unwrap();
    assert_eq!(tokens.expires_in, Some(600));
}

#[test]
fn restore_refuses_a_state_for_another_domain_or_application() {
    let confidential =
        Config::new(ConfigOptions { client_secret: Some(ClientSecret::new(CLIENT_SECRET)), ..options() }).unwrap();
    let http = MockHttp::new();
    http.reply(403, &mfa_required_body());
    let mut flow = Flow::new(confidential.clone(), &http);
    block_on(flow.login("alice", Password::new(PASSWORD))).unwrap();
    let saved = flow.save();
    let tampered = saved.replace("https://tenant.auth0.com", "https://evil.example.com");
    assert_ne!(tampered, saved);
    let error = Flow::restore_with_config(&tampered, confidential, &http).unwrap_err();
    assert_eq!(error.to_string(), "invalid state: belongs to another domain or application");
    let under = |domain: &str, client_id: &str| {
        let config = ConfigOptions { domain: domain.into(), client_id: client_id.into(), ..options() };
        Flow::restore_with_config(&saved, Config::new(config).unwrap(), &http)
    };
    for domain in ["https://tenant.auth0.com", "https://TENANT.auth0.com/", DOMAIN] {
        assert_eq!(under(domain, CLIENT_ID).unwrap().stage(), Stage::MfaRequired, "{domain}");
    }
    assert_eq!(under("other.auth0.com", CLIENT_ID).unwrap_err().code(), "invalid_argument");
    assert_eq!(under(DOMAIN, "another-client").unwrap_err().code(), "invalid_argument", "another application");
    assert_eq!(http.count(), 1, "nothing was sent");
}

#[test]
fn sms_needs_a_binding_code_even_when_the_challenge_names_no_binding_method() {
    let http = MockHttp::new();
    let mut flow = logged_in(&http);
    http.reply(200, AUTHENTICATORS);
    http.reply(200, &format!(r#"{{"challenge_type":"oob","oob_code":"{OOB_CODE}"}}"#));
    let started = block_on(flow.challenge(ChallengeTarget::Kind(AuthenticatorKind::Sms))).unwrap();
    assert!(started.binding_required && flow.pending().unwrap().binding_required);
    assert_eq!(block_on(flow.poll_push()).unwrap_err().code(), "invalid_state");
    http.reply(200, &tokens_body());
    block_on(flow.verify_oob("654321".into())).unwrap();
    assert_eq!(form_body(&http.last()), oob_grant(Some("654321")));
}

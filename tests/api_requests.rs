//! The exact requests of every Auth0 call: method, URL, headers, body.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use auth0_mfa_wasm::api::associate::{self, EnrollTarget};
use auth0_mfa_wasm::api::challenge::{self, ChallengeType};
use auth0_mfa_wasm::api::{
    ClientSecret, Config, ConfigOptions, MfaToken, OneTimeCode, OobCode, Password, RecoveryCode, authenticators, token,
};
use auth0_mfa_wasm::http::Method;
use common::*;

const FORM_HEADERS: &[(&str, &str)] =
    &[("accept", "application/json"), ("content-type", "application/x-www-form-urlencoded")];

fn confidential() -> Config {
    Config::new(ConfigOptions {
        client_secret: Some(ClientSecret::new(CLIENT_SECRET)),
        forwarded_for: Some("203.0.113.7".into()),
        timeout_ms: Some(15_000),
        ..options()
    })
    .unwrap()
}

#[test]
fn password_grant_of_a_public_client() {
    let request = token::password_request(&config(), "alice@example.com", &Password::new("p@ss w&rd=1+é"));
    assert_eq!(request.method, Method::Post);
    assert_eq!(request.url, "https://tenant.auth0.com/oauth/token");
    assert_eq!(request.headers, headers(FORM_HEADERS));
    assert_eq!(
        form_body(&request),
        "grant_type=password&client_id=CLIENT123&username=alice%40example.com\
         &password=p%40ss%20w%26rd%3D1%2B%C3%A9&scope=openid%20profile%20email"
    );
    assert_eq!(request.timeout_ms, None);
}

#[test]
fn password_realm_grant_of_a_confidential_client_with_everything() {
    let config = Config::new(ConfigOptions {
        client_secret: Some(ClientSecret::new(CLIENT_SECRET)),
        audience: Some("https://api.example.com".into()),
        scope: Some("openid offline_access".into()),
        realm: Some("Username-Password-Authentication".into()),
        forwarded_for: Some("203.0.113.7".into()),
        timeout_ms: Some(15_000),
        ..options()
    })
    .unwrap();
    let request = token::password_request(&config, "alice", &Password::new("pw"));
    assert_eq!(request.url, "https://tenant.auth0.com/oauth/token");
    assert_eq!(
        request.headers,
        headers(&[
            ("accept", "application/json"),
            ("auth0-forwarded-for", "203.0.113.7"),
            ("content-type", "application/x-www-form-urlencoded"),
        ])
    );
    assert_eq!(
        form_body(&request),
        "grant_type=http%3A%2F%2Fauth0.com%2Foauth%2Fgrant-type%2Fpassword-realm&client_id=CLIENT123\
         &client_secret=client-secret-VALUE-42&username=alice&password=pw&realm=Username-Password-Authentication\
         &audience=https%3A%2F%2Fapi.example.com&scope=openid%20offline_access"
    );
    assert_eq!(request.timeout_ms, Some(15_000));
}

#[test]
fn an_empty_scope_sends_none() {
    let config = Config::new(ConfigOptions { scope: Some(String::new()), ..options() }).unwrap();
    let request = token::password_request(&config, "alice", &Password::new("pw"));
    assert_eq!(form_body(&request), "grant_type=password&client_id=CLIENT123&username=alice&password=pw");
}

#[test]
fn mfa_api_token_request_asks_for_the_mfa_audience_and_scopes() {
    let config = config().for_mfa_api();
    assert_eq!(config.mfa_audience(), "https://tenant.auth0.com/mfa/");
    let request = token::password_request(&config, "alice", &Password::new("pw"));
    assert_eq!(
        form_body(&request),
        "grant_type=password&client_id=CLIENT123&username=alice&password=pw\
         &audience=https%3A%2F%2Ftenant.auth0.com%2Fmfa%2F&scope=enroll%20read%3Aauthenticators%20remove%3Aauthenticators"
    );
}

#[test]
fn mfa_otp_grant() {
    let request = token::otp_request(&config(), &MfaToken::new(MFA_TOKEN), &OneTimeCode::new("123456"));
    assert_eq!((request.method, request.url.as_str()), (Method::Post, "https://tenant.auth0.com/oauth/token"));
    assert_eq!(request.headers, headers(FORM_HEADERS));
    assert_eq!(
        form_body(&request),
        format!(
            "grant_type=http%3A%2F%2Fauth0.com%2Foauth%2Fgrant-type%2Fmfa-otp&client_id=CLIENT123&mfa_token={}&otp=123456",
            enc(MFA_TOKEN)
        )
    );
}

#[test]
fn mfa_oob_grant_with_and_without_binding_code_and_a_client_secret() {
    let config = confidential();
    let with =
        token::oob_request(&config, &MfaToken::new("MFA"), &OobCode::new("OOB"), Some(&OneTimeCode::new("654321")));
    assert_eq!(
        form_body(&with),
        "grant_type=http%3A%2F%2Fauth0.com%2Foauth%2Fgrant-type%2Fmfa-oob&client_id=CLIENT123\
         &client_secret=client-secret-VALUE-42&mfa_token=MFA&oob_code=OOB&binding_code=654321"
    );
    let without = token::oob_request(&config, &MfaToken::new("MFA"), &OobCode::new("OOB"), None);
    assert_eq!(
        form_body(&without),
        "grant_type=http%3A%2F%2Fauth0.com%2Foauth%2Fgrant-type%2Fmfa-oob&client_id=CLIENT123\
         &client_secret=client-secret-VALUE-42&mfa_token=MFA&oob_code=OOB"
    );
    assert_eq!(without.header("auth0-forwarded-for"), Some("203.0.113.7"));
    assert_eq!(without.timeout_ms, Some(15_000));
}

#[test]
fn mfa_recovery_code_grant() {
    let request =
        token::recovery_code_request(&config(), &MfaToken::new("MFA"), &RecoveryCode::new("N3BGPZZWJ85JLCNPZBDW6QXC"));
    assert_eq!(request.headers, headers(FORM_HEADERS));
    assert_eq!(
        form_body(&request),
        "grant_type=http%3A%2F%2Fauth0.com%2Foauth%2Fgrant-type%2Fmfa-recovery-code&client_id=CLIENT123\
         &mfa_token=MFA&recovery_code=N3BGPZZWJ85JLCNPZBDW6QXC"
    );
}

#[test]
fn list_authenticators_uses_the_bearer_and_no_body() {
    let request = authenticators::list_request(&config(), MFA_TOKEN);
    assert_eq!(request.method, Method::Get);
    assert_eq!(request.url, "https://tenant.auth0.com/mfa/authenticators");
    assert_eq!(
        request.headers,
        headers(&[("accept", "application/json"), ("authorization", &format!("Bearer {MFA_TOKEN}"))])
    );
    assert_eq!(request.body, None);
}

#[test]
fn delete_authenticator_percent_encodes_the_id() {
    let request = authenticators::delete_request(&config(), ACCESS_TOKEN, "totp|dev_AbC 1/2");
    assert_eq!(request.method, Method::Delete);
    assert_eq!(request.url, "https://tenant.auth0.com/mfa/authenticators/totp%7Cdev_AbC%201%2F2");
    assert_eq!(
        request.headers,
        headers(&[("accept", "application/json"), ("authorization", &format!("Bearer {ACCESS_TOKEN}"))])
    );
    assert_eq!(request.body, None);
}

#[test]
fn associate_bodies_for_every_factor() {
    let cases = [
        (EnrollTarget::Otp, r#"{"client_id":"CLIENT123","authenticator_types":["otp"]}"#),
        (
            EnrollTarget::Sms { phone_number: "+15551234567".into() },
            r#"{"client_id":"CLIENT123","authenticator_types":["oob"],"oob_channels":["sms"],"phone_number":"+15551234567"}"#,
        ),
        (
            EnrollTarget::Voice { phone_number: "+15551234567".into() },
            r#"{"client_id":"CLIENT123","authenticator_types":["oob"],"oob_channels":["voice"],"phone_number":"+15551234567"}"#,
        ),
        (
            EnrollTarget::Email { email: "a@example.com".into() },
            r#"{"client_id":"CLIENT123","authenticator_types":["oob"],"oob_channels":["email"],"email":"a@example.com"}"#,
        ),
        (EnrollTarget::Push, r#"{"client_id":"CLIENT123","authenticator_types":["oob"],"oob_channels":["auth0"]}"#),
    ];
    for (target, body) in cases {
        let request = associate::request_for(&config(), "MFA", &target);
        assert_eq!(request.method, Method::Post);
        assert_eq!(request.url, "https://tenant.auth0.com/mfa/associate");
        assert_eq!(
            request.headers,
            headers(&[
                ("accept", "application/json"),
                ("authorization", "Bearer MFA"),
                ("content-type", "application/json"),
            ])
        );
        assert_eq!(request.body.as_deref(), Some(body), "{target:?}");
    }
}

#[test]
fn associate_sends_the_client_secret_when_configured() {
    let request = associate::request_for(&confidential(), "MFA", &EnrollTarget::Otp);
    assert_eq!(
        request.body.as_deref(),
        Some(r#"{"client_id":"CLIENT123","client_secret":"client-secret-VALUE-42","authenticator_types":["otp"]}"#)
    );
    assert_eq!(request.header("auth0-forwarded-for"), Some("203.0.113.7"));
}

#[test]
fn challenge_bodies_carry_the_mfa_token_and_no_authorization_header() {
    let mfa = MfaToken::new("MFA");
    let otp = challenge::request_for(&config(), &mfa, ChallengeType::Otp, None);
    assert_eq!(otp.method, Method::Post);
    assert_eq!(otp.url, "https://tenant.auth0.com/mfa/challenge");
    assert_eq!(otp.headers, headers(&[("accept", "application/json"), ("content-type", "application/json")]));
    assert_eq!(otp.body.as_deref(), Some(r#"{"client_id":"CLIENT123","mfa_token":"MFA","challenge_type":"otp"}"#));

    let oob = challenge::request_for(&confidential(), &mfa, ChallengeType::Oob, Some("sms|dev_1"));
    assert_eq!(
        oob.body.as_deref(),
        Some(
            r#"{"client_id":"CLIENT123","client_secret":"client-secret-VALUE-42","mfa_token":"MFA","challenge_type":"oob","authenticator_id":"sms|dev_1"}"#
        )
    );
    assert_eq!(oob.header("authorization"), None);
}

#[test]
fn json_bodies_escape_user_input() {
    let request =
        associate::request_for(&config(), "MFA", &EnrollTarget::Email { email: "we\"ird\\@example.com".into() });
    let body = request.body.as_deref().unwrap();
    assert!(body.ends_with(r#""email":"we\"ird\\@example.com"}"#), "{body}");
}

#[test]
fn domains_are_normalised_and_plain_http_is_loopback_only() {
    let ok = [
        ("tenant.auth0.com", "https://tenant.auth0.com"),
        (" https://Tenant.EU.Auth0.com/ ", "https://tenant.eu.auth0.com"),
        ("HTTPS://login.example.com:8443", "https://login.example.com:8443"),
        ("http://localhost:3000", "http://localhost:3000"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("http://[::1]:9000", "http://[::1]:9000"),
        ("localhost:4000", "https://localhost:4000"),
    ];
    for (domain, base) in ok {
        let config = Config::new(ConfigOptions { domain: domain.into(), ..options() }).unwrap();
        assert_eq!(config.base_url(), base, "{domain}");
    }
    let bad = [
        "",
        "   ",
        "http://tenant.auth0.com",
        "http://localhost.evil.com",
        "http://127.0.0.2",
        "ftp://tenant.auth0.com",
        "https://tenant.auth0.com/path",
        "https://user:pw@tenant.auth0.com",
        "https://tenant.auth0.com?x=1",
        "https://tenant.auth0.com#f",
        "tenant .auth0.com",
        "https://",
        "https://tenant.auth0.com:0",
        "https://tenant.auth0.com:99999",
        "https://tenant.auth0.com:",
        "https://-tenant.auth0.com",
        "tenant..auth0.com",
    ];
    for domain in bad {
        let error = Config::new(ConfigOptions { domain: domain.into(), ..options() }).unwrap_err();
        assert_eq!(error.code(), "invalid_argument", "{domain}");
    }
}

#[test]
fn config_refuses_missing_client_id_and_header_injection() {
    let missing = Config::new(ConfigOptions { client_id: " ".into(), ..options() }).unwrap_err();
    assert_eq!(missing.to_string(), "invalid client_id: is required");
    let injected =
        Config::new(ConfigOptions { forwarded_for: Some("1.2.3.4\r\nx-evil: 1".into()), ..options() }).unwrap_err();
    assert_eq!(injected.to_string(), "invalid forwarded_for: must not contain control characters");
    let zero = Config::new(ConfigOptions { timeout_ms: Some(0), ..options() }).unwrap_err();
    assert_eq!(zero.code(), "invalid_argument");
    let config =
        Config::new(ConfigOptions { audience: Some("".into()), realm: Some(" ".into()), ..options() }).unwrap();
    assert_eq!((config.audience(), config.realm(), config.scope()), (None, None, Some("openid profile email")));
}

#[test]
fn request_debug_hides_body_and_bearer() {
    let login = token::password_request(&confidential(), "alice", &Password::new(PASSWORD));
    let list = authenticators::list_request(&config(), MFA_TOKEN);
    for debug in [format!("{login:?}"), format!("{list:?}")] {
        for secret in [PASSWORD, CLIENT_SECRET, MFA_TOKEN] {
            assert!(!debug.contains(secret), "{debug}");
        }
        assert!(debug.contains("[redacted]"), "{debug}");
    }
    assert!(format!("{list:?}").contains("https://tenant.auth0.com/mfa/authenticators"));
}

#[test]
fn config_debug_and_serialisation_hide_the_client_secret() {
    let config = confidential();
    let debug = format!("{config:?}");
    assert!(!debug.contains(CLIENT_SECRET), "{debug}");
    assert!(debug.contains("[redacted]"), "{debug}");
    assert_eq!(config.client_secret().unwrap().expose(), CLIENT_SECRET);
}

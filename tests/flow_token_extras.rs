//! The refresh-token grant (with MFA on refresh), client assertions and DPoP proofs, through a transport that signs
//! with keys the flow never sees.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use auth0_mfa_wasm::api::{OneTimeCode, RefreshToken};
use auth0_mfa_wasm::error::Error;
use auth0_mfa_wasm::flow::{Flow, LoginOutcome, Stage};
use auth0_mfa_wasm::http::{HttpClient, HttpRequest, HttpResponse, Method, TransportError};
use common::*;
use std::cell::{Cell, RefCell};
use std::future::Future;

const NEW_REFRESH_TOKEN: &str = "rotated-refresh-token-SECRET";
const ASSERTION: &str = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJDTElFTlQxMjMifQ.c2lnbmF0dXJl";
const NONCE_REQUIRED: &str =
    r#"{"error":"use_dpop_nonce","error_description":"Authorization server requires nonce in DPoP proof"}"#;
const ASSERTION_TYPE: &str = "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer";

/// A scripted transport that also signs: a new numbered assertion and proof per request, recording what each was
/// asked for.
#[derive(Default)]
struct Signing {
    http: MockHttp,
    assertions: bool,
    dpop: bool,
    signed: Cell<u32>,
    audiences: RefCell<Vec<String>>,
    proofs: RefCell<Vec<(Method, String, Option<String>)>>,
}

impl Signing {
    fn with(assertions: bool, dpop: bool) -> Self {
        Self { assertions, dpop, ..Self::default() }
    }
}

impl HttpClient for Signing {
    fn send(&self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, TransportError>> {
        self.http.send(request)
    }

    async fn client_assertion(&self, audience: &str) -> Result<Option<String>, TransportError> {
        self.audiences.borrow_mut().push(audience.to_owned());
        self.signed.set(self.signed.get() + 1);
        Ok(self.assertions.then(|| format!("{ASSERTION}{}", self.signed.get())))
    }

    async fn dpop_proof(
        &self,
        method: Method,
        url: &str,
        nonce: Option<&str>,
    ) -> Result<Option<String>, TransportError> {
        self.proofs.borrow_mut().push((method, url.to_owned(), nonce.map(str::to_owned)));
        Ok(self.dpop.then(|| format!("proof-{}", self.proofs.borrow().len())))
    }
}

fn rotated_tokens_body() -> String {
    format!(
        r#"{{"access_token":"{ACCESS_TOKEN}","token_type":"DPoP","expires_in":86400,"refresh_token":"{NEW_REFRESH_TOKEN}"}}"#
    )
}

fn refresh_body() -> String {
    format!("grant_type=refresh_token&client_id={CLIENT_ID}&refresh_token={}", enc(REFRESH_TOKEN))
}

#[test]
fn refresh_gives_tokens_with_the_rotated_refresh_token() {
    let http = MockHttp::new();
    http.reply(200, &rotated_tokens_body());
    let mut flow = Flow::new(config(), &http);
    let LoginOutcome::Authenticated(tokens) = block_on(flow.refresh(RefreshToken::new(REFRESH_TOKEN))).unwrap() else {
        panic!("no tokens");
    };
    assert_eq!(tokens.refresh_token.as_ref().map(|t| t.expose()), Some(NEW_REFRESH_TOKEN));
    assert_eq!(tokens.token_type.as_deref(), Some("DPoP"));
    assert_eq!(flow.stage(), Stage::Authenticated);
    let sent = http.last();
    assert_eq!((sent.method, sent.url.as_str()), (Method::Post, "https://tenant.auth0.com/oauth/token"));
    assert_eq!(form_body(&sent), refresh_body());
}

#[test]
fn mfa_required_on_refresh_goes_on_through_the_mfa_steps() {
    let http = MockHttp::new();
    http.reply(403, &mfa_required_body());
    let mut flow = Flow::new(config(), &http);
    let outcome = block_on(flow.refresh(RefreshToken::new(REFRESH_TOKEN))).unwrap();
    assert!(matches!(outcome, LoginOutcome::MfaRequired(None)));
    assert_eq!(flow.stage(), Stage::MfaRequired);
    // The state carries the mfa_token, never the refresh token.
    let saved = flow.save();
    assert!(saved.contains(MFA_TOKEN) && !saved.contains(REFRESH_TOKEN), "{saved}");

    http.reply(200, &rotated_tokens_body());
    let tokens = block_on(flow.verify_otp(OneTimeCode::new("123456"))).unwrap();
    assert_eq!(tokens.refresh_token.as_ref().map(|t| t.expose()), Some(NEW_REFRESH_TOKEN));
    assert!(form_body(&http.last()).contains(&format!("mfa_token={}&otp=123456", enc(MFA_TOKEN))));
    assert_eq!(flow.stage(), Stage::Authenticated);
}

#[test]
fn a_spent_refresh_token_fails_the_login_with_its_own_code() {
    let http = MockHttp::new();
    http.reply(403, r#"{"error":"invalid_grant","error_description":"Unknown or invalid refresh token."}"#);
    let mut flow = Flow::new(config(), &http);
    let error = block_on(flow.refresh(RefreshToken::new(REFRESH_TOKEN))).unwrap_err();
    assert_eq!(error.code(), "invalid_refresh_token");
    assert!(error.is_invalid_refresh_token() && error.requires_restart() && !error.is_retryable());
    assert_eq!(flow.stage(), Stage::Failed);
    assert!(!error.to_string().contains(REFRESH_TOKEN));

    // A blocked user is said as such, and a network failure may be tried again.
    http.reply(403, r#"{"error":"invalid_grant","error_description":"user is blocked"}"#);
    assert_eq!(block_on(flow.refresh(RefreshToken::new(REFRESH_TOKEN))).unwrap_err().code(), "user_blocked");
    http.fail(TransportError::Timeout);
    let error = block_on(flow.refresh(RefreshToken::new(REFRESH_TOKEN))).unwrap_err();
    assert!(error.is_retryable());
    assert_eq!(flow.stage(), Stage::Start);
}

#[test]
fn an_unreadable_answer_to_a_refresh_is_not_retryable_as_the_token_was_spent() {
    let http = MockHttp::new();
    http.reply(200, r#"{"access_token":"#);
    let mut flow = Flow::new(config(), &http);
    let error = block_on(flow.refresh(RefreshToken::new(REFRESH_TOKEN))).unwrap_err();
    assert_eq!(error.code(), "invalid_response");
    assert!(!error.is_retryable(), "sending the rotated token again would revoke its family");
    assert_eq!(flow.stage(), Stage::Failed);
}

#[test]
fn refresh_refuses_an_empty_token_before_any_request() {
    let http = MockHttp::new();
    let mut flow = Flow::new(config(), &http);
    for token in ["", "   ", "a\nb"] {
        let error = block_on(flow.refresh(RefreshToken::new(token))).unwrap_err();
        assert_eq!(error.code(), "invalid_argument", "{token:?}");
    }
    assert_eq!(http.count(), 0);
}

#[test]
fn every_request_that_authenticates_the_client_carries_a_new_assertion() {
    let signing = Signing::with(true, false);
    signing.http.reply(403, &mfa_required_body());
    let mut flow = Flow::new(config(), &signing);
    block_on(flow.login("alice", auth0_mfa_wasm::api::Password::new(PASSWORD))).unwrap();
    let login = signing.http.last();
    assert!(form_body(&login).ends_with(&format!("&{ASSERTION_TYPE}&client_assertion={ASSERTION}1")), "{login:?}");
    assert!(!form_body(&login).contains("client_secret"));

    // /mfa/challenge has a JSON body; the assertion goes into it.
    signing.http.reply(200, r#"{"challenge_type":"otp"}"#);
    block_on(flow.challenge(auth0_mfa_wasm::flow::ChallengeTarget::Kind(auth0_mfa_wasm::api::AuthenticatorKind::Otp)))
        .unwrap();
    let body = signing.http.last().body.clone().unwrap();
    assert!(
        body.ends_with(&format!(
            r#","client_assertion_type":"urn:ietf:params:oauth:client-assertion-type:jwt-bearer","client_assertion":"{ASSERTION}2"}}"#
        )),
        "{body}"
    );
    assert!(body.starts_with(&format!(r#"{{"client_id":"{CLIENT_ID}","#)), "{body}");

    signing.http.reply(200, &tokens_body());
    block_on(flow.verify_otp(OneTimeCode::new("123456"))).unwrap();
    assert!(form_body(&signing.http.last()).ends_with(&format!("client_assertion={ASSERTION}3")));
    assert_eq!(*signing.audiences.borrow(), vec!["https://tenant.auth0.com/"; 3], "aud is the tenant with a slash");
}

#[test]
fn listing_and_enrolling_carry_no_client_authentication() {
    let signing = Signing::with(true, true);
    signing.http.reply(403, &mfa_required_body());
    let mut flow = Flow::new(config(), &signing);
    block_on(flow.login("alice", auth0_mfa_wasm::api::Password::new(PASSWORD))).unwrap();
    let signed = signing.signed.get();
    signing.http.reply(200, "[]");
    block_on(flow.authenticators()).unwrap();
    signing.http.reply(200, r#"{"authenticator_type":"otp","secret":"JBSWY3DPEHPK3PXP","barcode_uri":"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP"}"#);
    block_on(flow.enroll(auth0_mfa_wasm::api::associate::EnrollTarget::Otp)).unwrap();
    assert_eq!(signing.signed.get(), signed, "no assertion for /mfa/authenticators or /mfa/associate");
    assert_eq!(signing.proofs.borrow().len(), 1, "a DPoP proof for the grant only, never for /mfa/*");
    for request in &signing.http.requests()[1..] {
        assert!(
            request.header("dpop").is_none() && !request.body.as_deref().unwrap_or("").contains("client_assertion")
        );
    }
}

#[test]
fn an_assertion_that_is_not_a_compact_jwt_is_refused_before_sending() {
    struct Odd;
    impl HttpClient for Odd {
        async fn send(&self, _: HttpRequest) -> Result<HttpResponse, TransportError> {
            panic!("nothing is sent")
        }
        async fn client_assertion(&self, _: &str) -> Result<Option<String>, TransportError> {
            Ok(Some("not a jwt&password=stolen".into()))
        }
    }
    let mut flow = Flow::new(config(), Odd);
    let error = block_on(flow.login("alice", auth0_mfa_wasm::api::Password::new(PASSWORD))).unwrap_err();
    assert_eq!(error.code(), "invalid_option");
    assert_eq!(error.to_string(), "option client_assertion_signing_key gave an assertion that is not a compact JWT");
}

#[test]
fn an_unusable_key_is_an_invalid_option_named_as_rust_names_it() {
    struct Unusable;
    impl HttpClient for Unusable {
        async fn send(&self, _: HttpRequest) -> Result<HttpResponse, TransportError> {
            panic!("nothing is sent")
        }
        async fn dpop_proof(&self, _: Method, _: &str, _: Option<&str>) -> Result<Option<String>, TransportError> {
            Err(TransportError::UnusableKey { option: "dpop", reason: "key pair could not be used" })
        }
    }
    let mut flow = Flow::new(config(), Unusable);
    let error = block_on(flow.refresh(RefreshToken::new(REFRESH_TOKEN))).unwrap_err();
    assert!(matches!(error, Error::InvalidOption { option: "dpop", .. }), "{error:?}");
    assert_eq!(error.to_string(), "option dpop key pair could not be used");
}

#[test]
fn a_token_request_asked_for_a_nonce_is_sent_again_once_with_it() {
    let signing = Signing::with(true, true);
    signing.http.reply_with(HttpResponse::new(400, NONCE_REQUIRED).with_header("DPoP-Nonce", "nonce-1"));
    signing.http.reply_with(HttpResponse::new(200, rotated_tokens_body()).with_header("DPoP-Nonce", "nonce-2"));
    let mut flow = Flow::new(config(), &signing);
    block_on(flow.refresh(RefreshToken::new(REFRESH_TOKEN))).unwrap();

    let requests = signing.http.requests();
    assert_eq!(requests.len(), 2);
    let shown = format!("{requests:?}");
    assert!(!shown.contains("proof-") && !shown.contains(ASSERTION), "Debug shows no proof or assertion: {shown}");
    assert_eq!(requests[0].header("dpop"), Some("proof-1"));
    assert_eq!(requests[1].header("dpop"), Some("proof-2"), "a new proof, not the first again");
    assert!(form_body(&requests[1]).ends_with(&format!("client_assertion={ASSERTION}2")), "a new assertion too");
    let url = "https://tenant.auth0.com/oauth/token".to_owned();
    assert_eq!(
        *signing.proofs.borrow(),
        [(Method::Post, url.clone(), None), (Method::Post, url.clone(), Some("nonce-1".into()))]
    );

    // The newest nonce is kept for the next call, and goes with the saved login.
    signing.http.reply(403, &mfa_required_body());
    block_on(flow.refresh(RefreshToken::new(REFRESH_TOKEN))).unwrap();
    assert_eq!(signing.proofs.borrow()[2], (Method::Post, url.clone(), Some("nonce-2".into())));
    let restored = Flow::restore_with_config(&flow.save(), config(), &signing).unwrap();
    let mut restored = restored;
    signing.http.reply(200, &tokens_body());
    block_on(restored.verify_otp(OneTimeCode::new("123456"))).unwrap();
    assert_eq!(signing.proofs.borrow()[3], (Method::Post, url, Some("nonce-2".into())));
}

#[test]
fn a_second_nonce_request_is_an_invalid_dpop_proof() {
    let signing = Signing::with(false, true);
    for nonce in ["n1", "n2"] {
        signing.http.reply_with(HttpResponse::new(400, NONCE_REQUIRED).with_header("dpop-nonce", nonce));
    }
    let mut flow = Flow::new(config(), &signing);
    let error = block_on(flow.refresh(RefreshToken::new(REFRESH_TOKEN))).unwrap_err();
    assert_eq!(error.code(), "invalid_dpop_proof");
    assert!(error.is_invalid_dpop_proof());
    assert_eq!(signing.http.count(), 2, "one retry, no more");
}

#[test]
fn without_dpop_a_nonce_answer_is_not_retried_and_no_nonce_is_saved_unasked() {
    let http = MockHttp::new();
    http.reply_with(HttpResponse::new(400, NONCE_REQUIRED).with_header("dpop-nonce", "n1"));
    let mut flow = Flow::new(config(), &http);
    assert_eq!(block_on(flow.refresh(RefreshToken::new(REFRESH_TOKEN))).unwrap_err().code(), "invalid_dpop_proof");
    assert_eq!(http.count(), 1);

    // A login without DPoP saves the state as earlier versions did: no dpop_nonce member.
    let http = MockHttp::new();
    http.reply(403, &mfa_required_body());
    let mut flow = Flow::new(config(), &http);
    block_on(flow.login("alice", auth0_mfa_wasm::api::Password::new(PASSWORD))).unwrap();
    assert!(!flow.save().contains("dpop_nonce"));
}

#[test]
fn a_nonce_in_www_authenticate_is_asked_for_too() {
    let signing = Signing::with(false, true);
    let stale = HttpResponse::new(401, "")
        .with_header(
            "www-authenticate",
            r#"DPoP error="invalid_dpop_nonce", error_description="DPoP nonce is too old""#,
        )
        .with_header("dpop-nonce", "fresh");
    signing.http.reply_with(stale).reply(200, &tokens_body());
    let mut flow = Flow::new(config(), &signing);
    block_on(flow.refresh(RefreshToken::new(REFRESH_TOKEN))).unwrap();
    assert_eq!(signing.proofs.borrow()[1].2.as_deref(), Some("fresh"));
}

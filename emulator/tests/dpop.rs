//! DPoP at /oauth/token: the client's setting (off, allowed, required), proofs signed here with p256, the
//! nonce flow, each refusal, DPoP-bound access, refresh and mfa tokens, and /mfa/* ignoring proofs.

mod common;

use common::sign::*;
use common::*;
use serde_json::{Value, json};

const NOMFA: &str = "nomfa@example.com";
const OFFLINE: &str = "openid offline_access";

async fn login_with_proof(emu: &Emu, username: &str, proof: &str, extra: &[(&str, &str)]) -> Resp {
    emu.login_with(username, extra, &[("DPoP", proof)]).await
}

/// Lets the public client use DPoP without the nonce, so that each rule can be tested alone.
async fn allow_without_nonce(emu: &Emu) {
    let client = emu.client_settings(SPA, json!({"dpop": "allowed", "dpop_nonce": false})).await;
    assert_eq!((&client["dpop"], &client["dpop_nonce"]), (&json!("allowed"), &json!(false)));
}

#[track_caller]
fn bound_to(body: &Value, key: &DpopKey) {
    assert_eq!(body["token_type"], "DPoP", "{body}");
    assert_eq!(claims(body["access_token"].as_str().unwrap_or_default())["cnf"], json!({"jkt": key.jkt()}));
}

#[tokio::test]
async fn off_ignores_the_proof_and_issues_bearer() {
    let emu = start().await;
    for proof in ["garbage".to_owned(), DpopKey::new().proof(&emu.url, T0, None)] {
        let resp = login_with_proof(&emu, NOMFA, &proof, &[]).await;
        assert_eq!(resp.status, 200, "{}", resp.text());
        let body = resp.json();
        assert_eq!(body["token_type"], "Bearer");
        assert!(claims(body["access_token"].as_str().unwrap_or_default()).get("cnf").is_none());
        assert!(resp.header("dpop-nonce").is_none(), "no nonce for a client without DPoP");
    }
}

#[tokio::test]
async fn allowed_and_required() {
    let emu = start().await;
    allow_without_nonce(&emu).await;
    let key = DpopKey::new();
    let resp = emu.login(NOMFA, &[]).await;
    assert_eq!((resp.status, resp.json()["token_type"].as_str()), (200, Some("Bearer")));
    let resp = login_with_proof(&emu, NOMFA, &key.proof(&emu.url, T0, None), &[]).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    bound_to(&resp.json(), &key);
    assert!(resp.header("dpop-nonce").is_some_and(|n| n.len() >= 16), "the nonce comes with every answer");
    // With DPoP allowed, a bad proof is refused rather than ignored.
    login_with_proof(&emu, NOMFA, "garbage", &[]).await.error(
        400,
        "invalid_dpop_proof",
        "Invalid DPoP proof: not a well-formed signed JWT",
    );

    emu.client_settings(SPA, json!({"dpop": "required"})).await;
    let resp = emu.login(NOMFA, &[]).await;
    resp.error(400, "invalid_dpop_proof", "DPoP proof required");
    assert!(resp.header("dpop-nonce").is_some());
    let resp = login_with_proof(&emu, NOMFA, &key.proof(&emu.url, T0, None), &[]).await;
    bound_to(&resp.json(), &key);
    let resp = emu.control("/__emu/clients/spa-client", json!({"dpop": "sometimes"})).await;
    resp.error(400, "invalid_request", "dpop must be off, allowed or required, not sometimes");
}

#[tokio::test]
async fn nonce_flow_and_rotation() {
    let emu = start().await;
    // A public client is asked for a nonce by default.
    let client = emu.client_settings(SPA, json!({"dpop": "allowed"})).await;
    assert_eq!(client["dpop_nonce"], true);
    let key = DpopKey::new();
    // The first try has no nonce; it is refused before the password is looked at, so it costs no attempt.
    let params = [("grant_type", "password"), ("username", NOMFA), ("password", "wrong"), ("client_id", SPA)];
    let resp = emu.form_with("/oauth/token", &params, &[("DPoP", &key.proof(&emu.url, T0, None))]).await;
    resp.error(400, "use_dpop_nonce", "Authorization server requires nonce in DPoP proof");
    let nonce = resp.header("dpop-nonce").expect("a DPoP-Nonce header").to_owned();
    let resp = login_with_proof(&emu, NOMFA, &key.proof(&emu.url, T0, Some(&nonce)), &[]).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    bound_to(&resp.json(), &key);
    assert_eq!(resp.header("dpop-nonce"), Some(nonce.as_str()));
    let resp = login_with_proof(&emu, NOMFA, &key.proof(&emu.url, T0, Some("stale")), &[]).await;
    resp.error(400, "use_dpop_nonce", "Authorization server requires nonce in DPoP proof");

    // Every 300 s of emulator time a new nonce; the one before stays good for one more period.
    emu.advance(300).await;
    let resp = login_with_proof(&emu, NOMFA, &key.proof(&emu.url, T0 + 300, Some(&nonce)), &[]).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let next = resp.header("dpop-nonce").expect("nonce").to_owned();
    assert_ne!(next, nonce);
    emu.advance(300).await;
    let resp = login_with_proof(&emu, NOMFA, &key.proof(&emu.url, T0 + 600, Some(&nonce)), &[]).await;
    resp.error(400, "use_dpop_nonce", "Authorization server requires nonce in DPoP proof");
    let newest = resp.header("dpop-nonce").expect("nonce").to_owned();
    assert!(newest != next && newest != nonce);
    assert_eq!(login_with_proof(&emu, NOMFA, &key.proof(&emu.url, T0 + 600, Some(&next)), &[]).await.status, 200);
    // The period is a tenant setting.
    assert_eq!(emu.control("/__emu/settings", json!({"dpop_nonce_secs": 10})).await.json()["dpop_nonce_secs"], 10);
    emu.control("/__emu/settings", json!({"dpop_nonce_secs": 0})).await.error(
        400,
        "invalid_request",
        "dpop_nonce_secs must be 1-31536000",
    );

    // A confidential client is not asked for one, unless set so.
    emu.client_settings(SERVER, json!({"dpop": "allowed"})).await;
    let params = [
        ("grant_type", "password"),
        ("username", NOMFA),
        ("password", PASSWORD),
        ("client_id", SERVER),
        ("client_secret", SERVER_SECRET),
    ];
    let resp = emu.form_with("/oauth/token", &params, &[("DPoP", &key.proof(&emu.url, T0 + 600, None))]).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    bound_to(&resp.json(), &key);
    emu.client_settings(SERVER, json!({"dpop_nonce": true})).await;
    let resp = emu.form_with("/oauth/token", &params, &[("DPoP", &key.proof(&emu.url, T0 + 600, None))]).await;
    resp.error(400, "use_dpop_nonce", "Authorization server requires nonce in DPoP proof");
}

#[tokio::test]
async fn each_rule_of_the_proof() {
    let emu = start().await;
    allow_without_nonce(&emu).await;
    let key = DpopKey::new();
    let claims = |patch: Value| merged(DpopKey::claims(&emu.url, T0, None), patch);
    let header = |patch: Value| merged(key.header(), patch);
    let mut jwk_with_d = key.jwk();
    jwk_with_d["d"] = json!(key.d());
    let mut other_curve = key.jwk();
    other_curve["crv"] = json!("P-384");
    let mut short_x = key.jwk();
    short_x["x"] = json!(b64(&[1u8; 31]));
    let mut off_curve = key.jwk();
    off_curve["y"] = json!(b64(&[7u8; 32]));
    let good = key.proof(&emu.url, T0, None);
    let parts: Vec<&str> = good.split('.').collect();
    let tampered = format!("{}.{}.{}", parts[0], b64(claims(json!({"jti": "other"})).to_string().as_bytes()), parts[2]);
    let other_key = DpopKey::new();
    let cases: Vec<(String, &str)> = vec![
        (key.sign(&header(json!({"typ": "JWT"})), &claims(json!({}))), "Invalid DPoP proof: typ must be dpop+jwt"),
        (key.sign(&header(json!({"typ": null})), &claims(json!({}))), "Invalid DPoP proof: typ must be dpop+jwt"),
        (key.sign(&header(json!({"alg": "RS256"})), &claims(json!({}))), "Invalid DPoP proof: alg must be ES256"),
        (key.sign(&header(json!({"alg": "none"})), &claims(json!({}))), "Invalid DPoP proof: alg must be ES256"),
        (
            key.sign(&header(json!({"jwk": jwk_with_d})), &claims(json!({}))),
            "Invalid DPoP proof: jwk must not contain a private key",
        ),
        (
            key.sign(&header(json!({"jwk": other_curve})), &claims(json!({}))),
            "Invalid DPoP proof: jwk must be a P-256 public key",
        ),
        (
            key.sign(&header(json!({"jwk": short_x})), &claims(json!({}))),
            "Invalid DPoP proof: jwk must be a P-256 public key",
        ),
        (
            key.sign(&header(json!({"jwk": off_curve})), &claims(json!({}))),
            "Invalid DPoP proof: jwk must be a P-256 public key",
        ),
        (
            key.sign(&header(json!({"jwk": null})), &claims(json!({}))),
            "Invalid DPoP proof: jwk must be a P-256 public key",
        ),
        (
            key.sign(&header(json!({"jwk": other_key.jwk()})), &claims(json!({}))),
            "Invalid DPoP proof: the signature does not verify",
        ),
        (tampered, "Invalid DPoP proof: the signature does not verify"),
        (key.sign(&key.header(), &claims(json!({"htm": "GET"}))), "Invalid DPoP proof: htm must be POST"),
        (
            key.sign(&key.header(), &claims(json!({"htu": format!("{}/mfa/challenge", emu.url)}))),
            "Invalid DPoP proof: htu must be the token endpoint",
        ),
        (
            key.sign(&key.header(), &claims(json!({"htu": "https://elsewhere.example/oauth/token"}))),
            "Invalid DPoP proof: htu must be the token endpoint",
        ),
        (key.sign(&key.header(), &claims(json!({"htu": null}))), "Invalid DPoP proof: htu must be the token endpoint"),
        (
            key.sign(&key.header(), &claims(json!({"iat": T0 - 301}))),
            "Invalid DPoP proof: iat is missing or too far from the current time",
        ),
        (
            key.sign(&key.header(), &claims(json!({"iat": T0 + 31}))),
            "Invalid DPoP proof: iat is missing or too far from the current time",
        ),
        (
            key.sign(&key.header(), &claims(json!({"iat": null}))),
            "Invalid DPoP proof: iat is missing or too far from the current time",
        ),
        (key.sign(&key.header(), &claims(json!({"jti": null}))), "Invalid DPoP proof: jti is missing or too long"),
        (
            key.sign(&key.header(), &claims(json!({"jti": "j".repeat(257)}))),
            "Invalid DPoP proof: jti is missing or too long",
        ),
        ("a.b.c".to_owned(), "Invalid DPoP proof: not a well-formed signed JWT"),
        (format!("{good}x{}", "y".repeat(5000)), "Invalid DPoP proof: not a well-formed signed JWT"),
    ];
    for (proof, description) in &cases {
        let resp = login_with_proof(&emu, NOMFA, proof, &[]).await;
        resp.error(400, "invalid_dpop_proof", description);
        assert!(!resp.text().contains(proof.as_str()), "the answer must not echo the proof");
    }
    // The edges of the iat window, the query of htu, and another case of typ are accepted.
    for patch in
        [json!({"iat": T0 - 300}), json!({"iat": T0 + 30}), json!({"htu": format!("{}/oauth/token?x=1#f", emu.url)})]
    {
        let resp = login_with_proof(&emu, NOMFA, &key.sign(&key.header(), &claims(patch.clone())), &[]).await;
        assert_eq!(resp.status, 200, "{patch}: {}", resp.text());
    }
    let resp =
        login_with_proof(&emu, NOMFA, &key.sign(&header(json!({"typ": "DPoP+JWT"})), &claims(json!({}))), &[]).await;
    assert_eq!(resp.status, 200);
    // A proof is single use.
    let once = key.proof(&emu.url, T0, None);
    assert_eq!(login_with_proof(&emu, NOMFA, &once, &[]).await.status, 200);
    login_with_proof(&emu, NOMFA, &once, &[]).await.error(
        400,
        "invalid_dpop_proof",
        "Invalid DPoP proof: its jti was already used",
    );
    // One DPoP header only.
    let two = [("DPoP", key.proof(&emu.url, T0, None)), ("DPoP", key.proof(&emu.url, T0, None))];
    let headers: Vec<(&str, &str)> = two.iter().map(|(k, v)| (*k, v.as_str())).collect();
    emu.login_with(NOMFA, &[], &headers).await.error(
        400,
        "invalid_dpop_proof",
        "Invalid DPoP proof: more than one DPoP header",
    );
    // The journal keeps no proof.
    assert!(!emu.get("/__emu/journal").await.text().contains(&once));
}

#[tokio::test]
async fn public_refresh_tokens_are_bound_to_the_key() {
    let emu = start().await;
    allow_without_nonce(&emu).await;
    let (key, other) = (DpopKey::new(), DpopKey::new());
    let resp = login_with_proof(&emu, NOMFA, &key.proof(&emu.url, T0, None), &[("scope", OFFLINE)]).await;
    let rt = resp.json()["refresh_token"].as_str().unwrap_or_default().to_owned();
    assert_eq!(emu.families(NOMFA).await[0]["dpop_jkt"], key.jkt());
    emu.refresh(&rt, &[]).await.error(
        400,
        "invalid_dpop_proof",
        "DPoP proof required: the token is bound to a DPoP key",
    );
    let wrong = [("DPoP", other.proof(&emu.url, T0, None))];
    emu.refresh_with(SPA, &rt, &[], &[(wrong[0].0, &wrong[0].1)]).await.error(
        400,
        "invalid_dpop_proof",
        "Invalid DPoP proof: the token is bound to another DPoP key",
    );
    // Refused attempts without the key do not count as reuse.
    assert_eq!(emu.families(NOMFA).await[0]["revoked"], false);
    let proof = key.proof(&emu.url, T0, None);
    let resp = emu.refresh_with(SPA, &rt, &[], &[("DPoP", &proof)]).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let body = resp.json();
    bound_to(&body, &key);
    // The binding holds even after DPoP is switched off for the client.
    emu.client_settings(SPA, json!({"dpop": "off"})).await;
    let rt = body["refresh_token"].as_str().unwrap_or_default().to_owned();
    emu.refresh(&rt, &[]).await.error(
        400,
        "invalid_dpop_proof",
        "DPoP proof required: the token is bound to a DPoP key",
    );
    let proof = key.proof(&emu.url, T0, None);
    assert_eq!(emu.refresh_with(SPA, &rt, &[], &[("DPoP", &proof)]).await.status, 200);

    // A confidential client's refresh token is not bound (RFC 9449 §5); its access tokens are, per request.
    emu.client_settings(SERVER, json!({"dpop": "allowed"})).await;
    let login = [
        ("grant_type", "password"),
        ("username", NOMFA),
        ("password", PASSWORD),
        ("client_id", SERVER),
        ("client_secret", SERVER_SECRET),
        ("scope", OFFLINE),
    ];
    let body = emu.form_with("/oauth/token", &login, &[("DPoP", &key.proof(&emu.url, T0, None))]).await.json();
    bound_to(&body, &key);
    let rt = body["refresh_token"].as_str().unwrap_or_default().to_owned();
    let resp = emu.refresh_with(SERVER, &rt, &[("client_secret", SERVER_SECRET)], &[]).await;
    assert_eq!((resp.status, resp.json()["token_type"].as_str()), (200, Some("Bearer")));
}

#[tokio::test]
async fn mfa_token_is_bound_and_mfa_endpoints_ignore_proofs() {
    let emu = start().await;
    allow_without_nonce(&emu).await;
    let (key, other) = (DpopKey::new(), DpopKey::new());
    let resp = login_with_proof(&emu, "otp@example.com", &key.proof(&emu.url, T0, None), &[("scope", OFFLINE)]).await;
    resp.error(403, "mfa_required", "Multifactor authentication required");
    let mfa_token = resp.json()["mfa_token"].as_str().unwrap_or_default().to_owned();
    // No proof is needed or checked on /mfa/*: garbage in the header changes nothing.
    let auth = format!("Bearer {mfa_token}");
    let list = emu.request("GET", "/mfa/authenticators", &[("Authorization", &auth), ("DPoP", "garbage")], b"").await;
    assert_eq!(list.status, 200);
    let body = json!({"client_id": SPA, "mfa_token": mfa_token, "challenge_type": "otp"});
    assert_eq!(emu.json("/mfa/challenge", body, &[("DPoP", "garbage")]).await.status, 200);

    let otp = totp(OTP_SECRET, T0);
    let grant = |headers: Vec<(&'static str, String)>| {
        let (emu, mfa_token, otp) = (&emu, mfa_token.clone(), otp.clone());
        async move {
            let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let params = [("grant_type", GRANT_OTP), ("client_id", SPA), ("mfa_token", &mfa_token), ("otp", &otp)];
            emu.form_with("/oauth/token", &params, &headers).await
        }
    };
    grant(vec![]).await.error(400, "invalid_dpop_proof", "DPoP proof required: the token is bound to a DPoP key");
    grant(vec![("DPoP", other.proof(&emu.url, T0, None))]).await.error(
        400,
        "invalid_dpop_proof",
        "Invalid DPoP proof: the token is bound to another DPoP key",
    );
    let resp = grant(vec![("DPoP", key.proof(&emu.url, T0, None))]).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    bound_to(&resp.json(), &key);
    assert_eq!(emu.families("otp@example.com").await[0]["dpop_jkt"], key.jkt());

    // Unbound when the client says so.
    emu.client_settings(SPA, json!({"dpop_bind_mfa_token": false})).await;
    let resp = login_with_proof(&emu, "otp@example.com", &key.proof(&emu.url, T0, None), &[]).await;
    let mfa_token = resp.json()["mfa_token"].as_str().unwrap_or_default().to_owned();
    emu.advance(30).await;
    let resp = emu.otp_grant(&mfa_token, &totp(OTP_SECRET, T0 + 30)).await;
    assert_eq!((resp.status, resp.json()["token_type"].as_str()), (200, Some("Bearer")));
}

#[tokio::test]
async fn mfa_on_refresh_keeps_the_key() {
    let emu = start().await;
    emu.client_settings(SPA, json!({"dpop": "allowed", "dpop_nonce": false, "mfa_on_refresh": "always"})).await;
    let (key, other) = (DpopKey::new(), DpopKey::new());
    let mfa_token = {
        let resp =
            login_with_proof(&emu, "otp@example.com", &key.proof(&emu.url, T0, None), &[("scope", OFFLINE)]).await;
        resp.json()["mfa_token"].as_str().unwrap_or_default().to_owned()
    };
    let params =
        [("grant_type", GRANT_OTP), ("client_id", SPA), ("mfa_token", &mfa_token), ("otp", &totp(OTP_SECRET, T0))];
    let body = emu.form_with("/oauth/token", &params, &[("DPoP", &key.proof(&emu.url, T0, None))]).await.json();
    let rt0 = body["refresh_token"].as_str().unwrap_or_default().to_owned();
    emu.advance(30).await;
    let resp = emu.refresh_with(SPA, &rt0, &[], &[("DPoP", &key.proof(&emu.url, T0 + 30, None))]).await;
    resp.error(403, "mfa_required", "Multifactor authentication required");
    let mfa_token = resp.json()["mfa_token"].as_str().unwrap_or_default().to_owned();
    let code = totp(OTP_SECRET, T0 + 30);
    let params = [("grant_type", GRANT_OTP), ("client_id", SPA), ("mfa_token", &mfa_token), ("otp", &code)];
    let wrong = emu.form_with("/oauth/token", &params, &[("DPoP", &other.proof(&emu.url, T0 + 30, None))]).await;
    wrong.error(400, "invalid_dpop_proof", "Invalid DPoP proof: the token is bound to another DPoP key");
    let resp = emu.form_with("/oauth/token", &params, &[("DPoP", &key.proof(&emu.url, T0 + 30, None))]).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let body = resp.json();
    bound_to(&body, &key);
    assert!(body["refresh_token"].as_str().is_some_and(|rt| rt != rt0));
    let family = &emu.families("otp@example.com").await[0];
    assert_eq!((&family["counter"], &family["revoked"]), (&json!(1), &json!(false)));
}

#[tokio::test]
async fn cors_lets_pages_send_proofs_and_read_nonces() {
    let emu = start().await;
    let origin = "http://localhost:8080";
    let preflight = emu
        .request(
            "OPTIONS",
            "/oauth/token",
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "content-type,dpop"),
            ],
            b"",
        )
        .await;
    assert_eq!(preflight.status, 204);
    assert!(preflight.header("access-control-allow-headers").is_some_and(|h| h.to_ascii_lowercase().contains("dpop")));
    emu.client_settings(SPA, json!({"dpop": "allowed"})).await;
    let key = DpopKey::new();
    let resp = emu.login_with(NOMFA, &[], &[("Origin", origin), ("DPoP", &key.proof(&emu.url, T0, None))]).await;
    assert_eq!(resp.status, 400);
    assert!(resp.header("dpop-nonce").is_some());
    assert!(
        resp.header("access-control-expose-headers").is_some_and(|h| h.to_ascii_lowercase().contains("dpop-nonce"))
    );
}

//! CORS, faults, the journal, reset and the people's page.

mod common;

use common::*;
use serde_json::json;
use std::time::{Duration, Instant};

const ALLOWED: &str = "http://localhost:8080";
const STRANGER: &str = "https://evil.example";

#[tokio::test]
async fn cors_for_allowed_origins_only() {
    let emu = start().await;
    let preflight = |origin: &'static str, path: &'static str| {
        let emu = &emu;
        async move {
            emu.request(
                "OPTIONS",
                path,
                &[
                    ("Origin", origin),
                    ("Access-Control-Request-Method", "POST"),
                    ("Access-Control-Request-Headers", "content-type,authorization"),
                ],
                b"",
            )
            .await
        }
    };
    for path in ["/oauth/token", "/mfa/associate", "/mfa/challenge", "/mfa/authenticators"] {
        let resp = preflight(ALLOWED, path).await;
        assert_eq!(resp.status, 204, "{path}");
        assert_eq!(resp.header("access-control-allow-origin"), Some(ALLOWED));
        // Header names are case-insensitive: CorsLayer lists them lowercase.
        assert!(
            resp.header("access-control-allow-headers")
                .map(str::to_ascii_lowercase)
                .is_some_and(|h| h.contains("authorization") && h.contains("content-type"))
        );
        assert!(
            resp.header("access-control-allow-methods").is_some_and(|m| m.contains("POST") && m.contains("DELETE"))
        );
        let refused = preflight(STRANGER, path).await;
        assert_eq!(refused.status, 403);
        assert!(refused.header("access-control-allow-origin").is_none());
    }
    let ok = emu.login_with("nomfa@example.com", &[], &[("Origin", ALLOWED)]).await;
    assert_eq!((ok.status, ok.header("access-control-allow-origin")), (200, Some(ALLOWED)));
    let refused = emu.login_with("nomfa@example.com", &[], &[("Origin", STRANGER)]).await;
    refused.error(403, "access_denied", "Origin https://evil.example is not allowed.");
    assert!(refused.header("access-control-allow-origin").is_none());
    // Errors carry CORS headers too, so a browser can read them.
    let error = emu.form_with("/oauth/token", &[("client_id", SPA)], &[("Origin", ALLOWED)]).await;
    assert_eq!((error.status, error.header("access-control-allow-origin")), (400, Some(ALLOWED)));
    // The control plane and the JWKS answer the clients' origins (and loopback pages), not any website:
    // tests/exposure.rs has the details.
    let control = emu
        .request("OPTIONS", "/__emu/faults", &[("Origin", STRANGER), ("Access-Control-Request-Method", "POST")], b"")
        .await;
    assert_eq!((control.status, control.header("access-control-allow-origin")), (403, None));
    let jwks = emu.request("GET", "/.well-known/jwks.json", &[("Origin", ALLOWED)], b"").await;
    assert_eq!(jwks.header("access-control-allow-origin"), Some(ALLOWED));
}

#[tokio::test]
async fn cors_on_answers_made_before_the_routes() {
    let emu = start().await;
    let origin = [("Origin", ALLOWED)];
    // A canned fault and an oversized body never reach a handler; a page must still be able to read them.
    assert_eq!(emu.control("/__emu/faults", json!({"endpoint": "/oauth/token", "status": 502})).await.status, 200);
    let faulted = emu.login_with("nomfa@example.com", &[], &origin).await;
    assert_eq!((faulted.status, faulted.header("access-control-allow-origin")), (502, Some(ALLOWED)));
    let form = [("Origin", ALLOWED), ("Content-Type", "application/x-www-form-urlencoded")];
    let oversized = emu.request("POST", "/oauth/token", &form, &vec![b'a'; 70 * 1024]).await;
    assert_eq!((oversized.status, oversized.header("access-control-allow-origin")), (413, Some(ALLOWED)));
    // An OPTIONS without Access-Control-Request-Method is no preflight: the routes answer it.
    assert_eq!(emu.request("OPTIONS", "/oauth/token", &origin, b"").await.status, 405);
}

#[tokio::test]
async fn permissive_cors_mode() {
    let emu = start_with(auth0_mfa_emulator::Config { permissive_cors: true, ..Default::default() }).await;
    let resp = emu
        .request("OPTIONS", "/oauth/token", &[("Origin", STRANGER), ("Access-Control-Request-Method", "POST")], b"")
        .await;
    assert_eq!((resp.status, resp.header("access-control-allow-origin")), (204, Some(STRANGER)));
    let ok = emu.login_with("nomfa@example.com", &[], &[("Origin", STRANGER)]).await;
    assert_eq!(ok.status, 200);
}

#[tokio::test]
async fn canned_fault_then_real_answer() {
    let emu = start().await;
    let fault = json!({"endpoint": "/oauth/token", "count": 2, "status": 502, "body": "<html>Bad Gateway</html>", "headers": {"content-type": "text/html"}});
    assert_eq!(emu.control("/__emu/faults", fault).await.status, 200);
    for _ in 0..2 {
        let resp = emu.login("otp@example.com", &[]).await;
        assert_eq!(
            (resp.status, resp.text().as_str(), resp.header("content-type")),
            (502, "<html>Bad Gateway</html>", Some("text/html"))
        );
    }
    emu.login("otp@example.com", &[]).await.error(403, "mfa_required", "Multifactor authentication required");
    // Other endpoints are untouched by a fault aimed elsewhere.
    assert_eq!(emu.control("/__emu/faults", json!({"endpoint": "/mfa/challenge", "status": 503})).await.status, 200);
    assert_eq!(emu.login("nomfa@example.com", &[]).await.status, 200);
    assert_eq!(emu.get("/__emu/faults").await.json().as_array().map(Vec::len), Some(1));
    assert_eq!(emu.request("DELETE", "/__emu/faults", &[], b"").await.status, 204);
    assert_eq!(emu.get("/__emu/faults").await.json(), json!([]));
}

#[tokio::test]
async fn truncated_body() {
    let emu = start().await;
    assert_eq!(emu.control("/__emu/faults", json!({"endpoint": "/oauth/token", "truncate": true})).await.status, 200);
    let resp = emu.login("otp@example.com", &[]).await;
    assert_eq!(resp.status, 403);
    assert!(serde_json::from_slice::<serde_json::Value>(&resp.body).is_err());
    assert!(resp.text().starts_with("{\"error\":\"mfa_required\""));
    assert_eq!(resp.header("content-length"), Some(resp.body.len().to_string().as_str()));
}

#[tokio::test]
async fn dropped_connection_and_delay() {
    let emu = start().await;
    assert_eq!(emu.control("/__emu/faults", json!({"endpoint": "/mfa/*", "drop": true})).await.status, 200);
    let token = emu.mfa_token("otp@example.com").await;
    let auth = format!("Bearer {token}");
    let dropped = emu.try_request("GET", "/mfa/authenticators", &[("Authorization", &auth)], b"").await;
    assert!(dropped.is_err(), "expected no response, got {dropped:?}");
    assert_eq!(emu.authenticators(&token).await.status, 200);

    assert_eq!(emu.control("/__emu/faults", json!({"delay_ms": 300})).await.status, 200);
    let started = Instant::now();
    assert_eq!(emu.authenticators(&token).await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn journal_records_requests_without_secrets() {
    let emu = start().await;
    let token = emu.mfa_token("otp@example.com").await;
    emu.otp_grant(&token, "123456").await;
    emu.authenticators(&token).await;
    let journal = emu.get("/__emu/journal").await.json();
    let text = journal.to_string();
    assert!(!text.contains(PASSWORD) && !text.contains(&token) && !text.contains("123456"), "{text}");
    let entries = journal.as_array().cloned().unwrap_or_default();
    assert_eq!(entries.len(), 3, "control-plane calls are not journaled");
    assert_eq!(entries[0]["body"]["username"], "otp@example.com");
    assert_eq!(entries[0]["body"]["password"], "[redacted]");
    assert_eq!(entries[0]["status"], 403);
    assert_eq!(entries[1]["body"]["otp"], "[redacted]");
    assert_eq!(entries[2]["headers"]["authorization"], "Bearer [redacted]");
    let since = entries[1]["seq"].as_u64().unwrap_or_default();
    assert_eq!(emu.get(&format!("/__emu/journal?since={since}")).await.json().as_array().map(Vec::len), Some(1));
    assert_eq!(emu.request("DELETE", "/__emu/journal", &[], b"").await.status, 204);
    assert_eq!(emu.get("/__emu/journal").await.json(), json!([]));
}

#[tokio::test]
async fn reset_restores_the_seed() {
    let emu = start().await;
    let token = emu.mfa_token("new@example.com").await;
    let secret = emu.associate(&token, json!({"authenticator_types": ["otp"]})).await.json()["secret"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(emu.otp_grant(&token, &totp(&secret, T0)).await.status, 200);
    let added =
        emu.control("/__emu/users", json!({"username": "extra@example.com", "password": "pw", "mfa": false})).await;
    assert_eq!(added.status, 201);
    assert_eq!(
        emu.control("/__emu/users", json!({"username": "extra@example.com", "password": "pw"})).await.status,
        409
    );
    emu.control("/__emu/users", json!({"username": 5})).await;
    assert_eq!(emu.control("/__emu/reset", json!({})).await.status, 200);
    emu.otp_grant(&token, "123456").await.error(403, "invalid_grant", "Malformed mfa_token");
    let token = emu.mfa_token("new@example.com").await;
    assert_eq!(emu.authenticators(&token).await.json(), json!([]));
    emu.login("extra@example.com", &[]).await.error(403, "invalid_grant", "Wrong email or password.");
    let clock = emu.get("/__emu/clock").await.json();
    assert_eq!(clock["frozen"], false);
}

#[tokio::test]
async fn clock_control() {
    let emu = start().await;
    assert_eq!(emu.now().await, T0);
    emu.advance(90).await;
    assert_eq!(emu.now().await, T0 + 90);
    let resp = emu.control("/__emu/clock", json!({"set": 1_000})).await.json();
    assert_eq!((resp["now"].as_i64(), resp["frozen"].as_bool()), (Some(1_000), Some(true)));
    emu.control("/__emu/clock", json!({"bogus": 1})).await;
    assert_eq!(emu.control("/__emu/clock", json!({"freeze": "yes"})).await.status, 400);
}

#[tokio::test]
async fn page_for_people() {
    let emu = start().await;
    let page = emu.get("/__emu/").await;
    assert_eq!(page.status, 200);
    assert!(page.header("content-type").is_some_and(|c| c.starts_with("text/html")));
    assert!(page.text().contains("Approve") && page.text().contains("Outbox"));
}

#[tokio::test]
async fn extreme_control_values_do_not_break_the_tenant() {
    let emu = start().await;
    assert_eq!(emu.control("/__emu/clock", json!({"set": 1e300})).await.status, 200);
    assert_eq!(emu.control("/__emu/clock", json!({"advance": -1e300})).await.status, 200);
    assert_eq!(emu.control("/__emu/settings", json!({"mfa_token_ttl_secs": u64::MAX})).await.status, 200);
    assert_eq!(
        emu.control("/__emu/rate-limit", json!({"enabled": true, "limit": 5, "window_secs": u64::MAX})).await.status,
        200
    );
    assert_eq!(emu.control("/__emu/push-policy", json!({"auto_approve_after_secs": u64::MAX})).await.status, 200);
    let token = emu.mfa_token("push@example.com").await;
    let list = emu.authenticators(&token).await.json();
    let challenge = emu.challenge(&token, json!({"authenticator_id": list[0]["id"]})).await.json();
    let oob = challenge["oob_code"].as_str().unwrap_or_default();
    assert_eq!(emu.oob_grant(&token, oob, None).await.json()["error"], "authorization_pending");
    assert_eq!(emu.get("/healthz").await.status, 200);
}

async fn stats(emu: &Emu) -> serde_json::Value {
    emu.get("/__emu/stats").await.json()
}

#[tokio::test]
async fn expired_entries_are_forgotten_after_a_grace_period() {
    let emu = start().await;
    let first = emu.mfa_token("otp@example.com").await;
    for _ in 0..4 {
        emu.mfa_token("otp@example.com").await;
    }
    let push = emu.mfa_token("push@example.com").await;
    let push_id = emu.authenticators(&push).await.json()[0]["id"].clone();
    for _ in 0..10 {
        assert_eq!(emu.challenge(&push, json!({"authenticator_id": push_id})).await.status, 200);
    }
    let sms = emu.mfa_token("sms@example.com").await;
    for _ in 0..5 {
        assert_eq!(emu.challenge(&sms, json!({"challenge_type": "oob"})).await.status, 200);
    }
    assert_eq!(emu.login("nomfa@example.com", &[("scope", "openid offline_access")]).await.status, 200);
    let all = json!({"mfa_tokens": 7, "oob_transactions": 15, "pushes": 10, "outbox": 5, "access_tokens": 1,
        "refresh_tokens": 1, "refresh_families": 1, "assertion_jtis": 0, "dpop_jtis": 0, "brute_force": 0,
        "journal": 24});
    assert_eq!(stats(&emu).await, all);

    // Just expired: still kept, so it answers expired_token.
    emu.advance(301).await;
    emu.otp_grant(&first, &totp(OTP_SECRET, T0 + 301)).await.error(403, "expired_token", "mfa_token is expired");
    assert_eq!(stats(&emu).await["mfa_tokens"], 7);
    // An hour past expiry it is forgotten, with the pushes and OOB transactions of that time.
    emu.advance(3600).await;
    emu.otp_grant(&first, &totp(OTP_SECRET, T0 + 3901)).await.error(403, "invalid_grant", "Malformed mfa_token");
    let later = stats(&emu).await;
    assert_eq!(
        (&later["mfa_tokens"], &later["oob_transactions"], &later["pushes"], &later["outbox"]),
        (&json!(0), &json!(0), &json!(0), &json!(5)),
        "{later}"
    );
    assert_eq!(emu.get("/__emu/pushes").await.json(), json!([]));
    // Access tokens live a day; refresh tokens 30 days (tests/refresh.rs), so they are still there.
    assert_eq!(later["access_tokens"], 1);
    emu.advance(24 * 3600).await;
    let next_day = stats(&emu).await;
    assert_eq!((&next_day["access_tokens"], &next_day["refresh_tokens"]), (&json!(0), &json!(1)), "{next_day}");
}

/// `state::OUTBOX_CAPACITY` and `state::PUSH_CAPACITY`.
const OUTBOX_CAPACITY: u64 = 1000;
const PUSH_CAPACITY: u64 = 1000;

#[tokio::test]
async fn outbox_and_pushes_keep_the_newest() {
    let emu = start().await;
    let sms = emu.mfa_token("sms@example.com").await;
    let push = emu.mfa_token("push@example.com").await;
    let push_id = emu.authenticators(&push).await.json()[0]["id"].clone();
    for _ in 0..OUTBOX_CAPACITY + 5 {
        assert_eq!(emu.challenge(&sms, json!({"challenge_type": "oob"})).await.status, 200);
        assert_eq!(emu.challenge(&push, json!({"authenticator_id": push_id})).await.status, 200);
    }
    let outbox = emu.get("/__emu/outbox").await.json();
    let ids: Vec<u64> =
        outbox.as_array().map(|l| l.iter().filter_map(|m| m["id"].as_u64()).collect()).unwrap_or_default();
    assert_eq!(ids.len() as u64, OUTBOX_CAPACITY);
    assert_eq!((ids.first(), ids.last()), (Some(&6), Some(&(OUTBOX_CAPACITY + 5))), "the oldest five went");
    assert_eq!(stats(&emu).await["pushes"], PUSH_CAPACITY);
    // Codes keep arriving and working at the cap.
    let challenge = emu.challenge(&sms, json!({"challenge_type": "oob"})).await.json();
    let code = emu.last_code("sms@example.com").await;
    let oob = challenge["oob_code"].as_str().unwrap_or_default();
    assert_eq!(emu.oob_grant(&sms, oob, Some(&code)).await.status, 200);
}

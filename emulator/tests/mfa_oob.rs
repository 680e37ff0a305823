//! SMS, voice, email and push: the outbox, binding codes, push states and enrollment side effects.

mod common;

use common::*;
use serde_json::{Value, json};

async fn sms_id(emu: &Emu, token: &str) -> String {
    let list = emu.authenticators(token).await.json();
    list.as_array()
        .and_then(|l| l.iter().find(|a| a["oob_channel"] == "sms"))
        .and_then(|a| a["id"].as_str())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn sms_challenge_sends_a_single_use_code() {
    let emu = start().await;
    let token = emu.mfa_token("sms@example.com").await;
    let list = emu.authenticators(&token).await.json();
    assert_eq!(list[0]["oob_channel"], "sms");
    assert_eq!(list[0]["name"], "XXXXXXX0100");
    assert_eq!(list[1]["oob_channel"], "voice");

    let challenge = emu
        .challenge(&token, json!({"challenge_type": "oob", "authenticator_id": sms_id(&emu, &token).await}))
        .await
        .json();
    assert_eq!(challenge["challenge_type"], "oob");
    assert_eq!(challenge["binding_method"], "prompt");
    let oob = challenge["oob_code"].as_str().unwrap_or_default().to_owned();
    let outbox = emu.get("/__emu/outbox?user=sms@example.com").await.json();
    assert_eq!(outbox[0]["channel"], "sms");
    assert_eq!(outbox[0]["to"], "+15555550100");
    assert_eq!(outbox[0]["time"], T0);
    let code = outbox[0]["code"].as_str().unwrap_or_default().to_owned();
    assert_eq!(code.len(), 6);

    emu.oob_grant(&token, &oob, None).await.error(400, "invalid_request", "Missing required parameter: binding_code");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    emu.oob_grant(&token, &oob, Some(wrong)).await.error(403, "invalid_grant", "Invalid binding_code.");
    let resp = emu.oob_grant(&token, &oob, Some(&code)).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    emu.oob_grant(&token, &oob, Some(&code)).await.error(403, "invalid_grant", "Invalid binding_code.");
    emu.oob_grant(&token, "Fe26.2**nope", Some(&code)).await.error(403, "invalid_grant", "Invalid oob_code.");
}

#[tokio::test]
async fn binding_codes_expire_after_five_minutes() {
    let emu = start_with(auth0_mfa_emulator::Config { mfa_token_ttl_secs: Some(600), ..Default::default() }).await;
    let token = emu.mfa_token("email@example.com").await;
    let challenge = emu.challenge(&token, json!({"challenge_type": "oob"})).await.json();
    let oob = challenge["oob_code"].as_str().unwrap_or_default().to_owned();
    let code = emu.last_code("email@example.com").await;
    emu.advance(300).await;
    emu.oob_grant(&token, &oob, Some(&code)).await.error(403, "expired_token", "oob_code is expired");

    // A code from another login does not match this mfa_token.
    let other = emu.mfa_token("email@example.com").await;
    let challenge = emu.challenge(&other, json!({"challenge_type": "oob"})).await.json();
    let oob = challenge["oob_code"].as_str().unwrap_or_default().to_owned();
    emu.oob_grant(&token, &oob, Some("123456")).await.error(
        400,
        "invalid_request",
        "The oob_code doesn't match the mfa_token",
    );
}

#[tokio::test]
async fn sms_enrollment_creates_sms_and_voice() {
    let emu = start().await;
    let token = emu.mfa_token("new@example.com").await;
    let body = emu
        .associate(
            &token,
            json!({"authenticator_types": ["oob"], "oob_channels": ["voice"], "phone_number": "+15555550199"}),
        )
        .await
        .json();
    assert_eq!(body["oob_channel"], "voice");
    assert_eq!(body["binding_method"], "prompt");
    assert_eq!(body["recovery_codes"].as_array().map(Vec::len), Some(1));
    let outbox = emu.get("/__emu/outbox?user=new@example.com").await.json();
    assert_eq!((outbox[0]["channel"].as_str(), outbox[0]["purpose"].as_str()), (Some("voice"), Some("enrollment")));
    let list = emu.authenticators(&token).await.json();
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    assert!(list.as_array().is_some_and(|l| l.iter().all(|a| a["active"] == false)));

    let code = emu.last_code("new@example.com").await;
    let oob = body["oob_code"].as_str().unwrap_or_default();
    assert_eq!(emu.oob_grant(&token, oob, Some(&code)).await.status, 200);
    let list = emu.authenticators(&token).await.json();
    let active: Vec<&Value> =
        list.as_array().map(|l| l.iter().filter(|a| a["active"] == true).collect()).unwrap_or_default();
    assert_eq!(active.len(), 3, "sms, voice and the recovery code: {list}");
}

#[tokio::test]
async fn email_enrollment_and_challenge() {
    let emu = start().await;
    let token = emu.mfa_token("new@example.com").await;
    let body = emu.associate(&token, json!({"authenticator_types": ["oob"], "oob_channels": ["email"]})).await.json();
    assert_eq!((body["oob_channel"].as_str(), body["binding_method"].as_str()), (Some("email"), Some("prompt")));
    let code = emu.last_code("new@example.com").await;
    assert_eq!(emu.oob_grant(&token, body["oob_code"].as_str().unwrap_or_default(), Some(&code)).await.status, 200);

    let token = emu.mfa_token("new@example.com").await;
    let list = emu.authenticators(&token).await.json();
    assert_eq!(list[0]["name"], "****@exam*******");
    let challenge =
        emu.challenge(&token, json!({"challenge_type": "oob", "authenticator_id": list[0]["id"]})).await.json();
    let code = emu.last_code("new@example.com").await;
    assert_eq!(
        emu.oob_grant(&token, challenge["oob_code"].as_str().unwrap_or_default(), Some(&code)).await.status,
        200
    );
    // Asking for OTP from an email-only user is refused.
    let resp = emu.challenge(&token, json!({"challenge_type": "otp"})).await;
    resp.error(400, "unsupported_challenge_type", "The user does not support the requested challenge type (otp).");
}

async fn push_challenge(emu: &Emu, token: &str) -> String {
    let list = emu.authenticators(token).await.json();
    let id = list[0]["id"].clone();
    assert_eq!(list[0]["oob_channel"], "auth0");
    let challenge = emu.challenge(token, json!({"challenge_type": "oob", "authenticator_id": id})).await.json();
    assert_eq!(challenge["challenge_type"], "oob");
    assert!(challenge.get("binding_method").is_none());
    challenge["oob_code"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn push_pending_slow_down_approve() {
    let emu = start().await;
    let token = emu.mfa_token("push@example.com").await;
    let oob = push_challenge(&emu, &token).await;
    emu.oob_grant(&token, &oob, None).await.error(
        400,
        "authorization_pending",
        "Authorization pending: please repeat the request in a few seconds.",
    );
    let fast = emu.oob_grant(&token, &oob, None).await;
    assert_eq!((fast.status, fast.json()["error"].as_str()), (429, Some("slow_down")));
    emu.advance(5).await;
    assert_eq!(emu.oob_grant(&token, &oob, None).await.json()["error"], "authorization_pending");

    let pushes = emu.get("/__emu/pushes?state=pending").await.json();
    assert_eq!(pushes[0]["user"], "push@example.com");
    assert_eq!(pushes[0]["kind"], "challenge");
    let id = pushes[0]["id"].as_str().unwrap_or_default();
    assert_eq!(emu.control(&format!("/__emu/pushes/{id}/approve"), json!({})).await.status, 200);
    assert_eq!(emu.control(&format!("/__emu/pushes/{id}/reject"), json!({})).await.status, 409);
    emu.advance(5).await;
    let resp = emu.oob_grant(&token, &oob, None).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    emu.advance(5).await;
    emu.oob_grant(&token, &oob, None).await.error(403, "invalid_grant", "Invalid oob_code.");
}

#[tokio::test]
async fn push_rejected_with_either_error_code() {
    let emu = start().await;
    let token = emu.mfa_token("push@example.com").await;
    let oob = push_challenge(&emu, &token).await;
    assert_eq!(emu.control("/__emu/pushes/latest/reject?user=push@example.com", json!({})).await.status, 200);
    emu.oob_grant(&token, &oob, None).await.error(400, "access_denied", "MFA Authorization rejected.");

    assert_eq!(emu.control("/__emu/settings", json!({"push_rejection_error": "invalid_grant"})).await.status, 200);
    emu.advance(5).await;
    emu.oob_grant(&token, &oob, None).await.error(400, "invalid_grant", "MFA Authorization rejected.");
    emu.control("/__emu/settings", json!({"push_rejection_error": "nope"})).await.error(
        400,
        "invalid_request",
        "push_rejection_error must be access_denied or invalid_grant, not nope",
    );
}

#[tokio::test]
async fn push_expires_after_five_minutes() {
    let emu = start_with(auth0_mfa_emulator::Config { mfa_token_ttl_secs: Some(900), ..Default::default() }).await;
    let token = emu.mfa_token("push@example.com").await;
    let oob = push_challenge(&emu, &token).await;
    emu.advance(300).await;
    emu.oob_grant(&token, &oob, None).await.error(403, "expired_token", "oob_code is expired");
    let pushes = emu.get("/__emu/pushes").await.json();
    assert_eq!(pushes[0]["state"], "expired");
    assert_eq!(emu.control("/__emu/pushes/latest/approve", json!({})).await.status, 404);
}

#[tokio::test]
async fn push_auto_approval_policies() {
    let emu = start().await;
    assert_eq!(emu.control("/__emu/push-policy", json!({"auto_approve_after_polls": 2})).await.status, 200);
    let token = emu.mfa_token("push@example.com").await;
    let oob = push_challenge(&emu, &token).await;
    assert_eq!(emu.oob_grant(&token, &oob, None).await.json()["error"], "authorization_pending");
    emu.advance(5).await;
    assert_eq!(emu.oob_grant(&token, &oob, None).await.status, 200);

    assert_eq!(emu.control("/__emu/push-policy", json!({"auto_approve_after_secs": 12})).await.status, 200);
    let oob = push_challenge(&emu, &token).await;
    emu.advance(6).await;
    assert_eq!(emu.oob_grant(&token, &oob, None).await.json()["error"], "authorization_pending");
    emu.advance(6).await;
    assert_eq!(emu.oob_grant(&token, &oob, None).await.status, 200);
}

#[tokio::test]
async fn push_enrollment_also_creates_otp() {
    let emu = start().await;
    let token = emu.mfa_token("new@example.com").await;
    let body = emu.associate(&token, json!({"authenticator_types": ["oob"], "oob_channels": ["auth0"]})).await.json();
    assert_eq!(body["oob_channel"], "auth0");
    assert!(body.get("binding_method").is_none());
    assert!(
        body["barcode_uri"]
            .as_str()
            .is_some_and(|u| u.starts_with("otpauth://totp/Emulated%20Tenant:new%40example.com?enrollment_tx_id="))
    );
    let oob = body["oob_code"].as_str().unwrap_or_default().to_owned();
    emu.oob_grant(&token, &oob, None).await.error(
        400,
        "authorization_pending",
        "Authorization pending: please repeat the request in a few seconds.",
    );
    let pushes = emu.get("/__emu/pushes?user=new@example.com").await.json();
    assert_eq!(pushes[0]["kind"], "enrollment");
    assert_eq!(emu.control("/__emu/pushes/latest/approve", json!({})).await.status, 200);
    emu.advance(5).await;
    assert_eq!(emu.oob_grant(&token, &oob, None).await.status, 200);
    let list = emu.authenticators(&token).await.json();
    let kinds: Vec<(String, bool)> = list
        .as_array()
        .map(|l| {
            l.iter()
                .map(|a| {
                    (a["id"].as_str().unwrap_or("").split('|').next().unwrap_or("").to_owned(), a["active"] == true)
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(kinds, vec![("push".into(), true), ("totp".into(), true), ("recovery-code".into(), true)]);
}

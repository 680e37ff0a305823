//! OTP challenge and enrollment, the failed-code bucket, mfa_token lifetime, recovery codes and removal.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn otp_challenge_verifies_the_real_code_once() {
    let emu = start().await;
    let token = emu.mfa_token("otp@example.com").await;
    assert_eq!(emu.challenge(&token, json!({"challenge_type": "otp"})).await.json(), json!({"challenge_type": "otp"}));
    emu.otp_grant(&token, "000000").await.error(403, "invalid_grant", "Invalid otp_code.");
    let code = totp(OTP_SECRET, T0);
    let resp = emu
        .form(
            "/oauth/token",
            &[
                ("grant_type", GRANT_OTP),
                ("client_id", SPA),
                ("mfa_token", &token),
                ("otp", &code),
                ("scope", "ignored"),
            ],
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let access = claims(resp.json()["access_token"].as_str().unwrap_or_default());
    assert_eq!(access["amr"], json!(["mfa"]));
    // The mfa_token stays usable until it expires, but the code does not.
    emu.otp_grant(&token, &code).await.error(403, "invalid_grant", "Invalid otp_code.");
    // The previous step is accepted, the one before is not.
    emu.advance(30).await;
    let token = emu.mfa_token("otp@example.com").await;
    emu.advance(30).await;
    emu.otp_grant(&token, &totp(OTP_SECRET, T0)).await.error(403, "invalid_grant", "Invalid otp_code.");
    assert_eq!(emu.otp_grant(&token, &totp(OTP_SECRET, T0 + 30)).await.status, 200);
    emu.otp_grant(&token, &totp(OTP_SECRET, T0 + 30)).await.error(403, "invalid_grant", "Invalid otp_code.");
    assert_eq!(emu.otp_grant(&token, &totp(OTP_SECRET, T0 + 60)).await.status, 200);
}

#[tokio::test]
async fn failed_code_bucket_empties_and_refills() {
    let emu = start().await;
    let token = emu.mfa_token("otp@example.com").await;
    for _ in 0..10 {
        emu.otp_grant(&token, "111111").await.error(403, "invalid_grant", "Invalid otp_code.");
    }
    let good = totp(OTP_SECRET, T0);
    emu.otp_grant(&token, &good).await.error(
        429,
        "too_many_attempts",
        "Too many failed codes. Wait for some minutes before retrying.",
    );
    // Recovery codes draw on the same bucket.
    let resp = emu
        .form(
            "/oauth/token",
            &[
                ("grant_type", GRANT_RECOVERY),
                ("client_id", SPA),
                ("mfa_token", &token),
                ("recovery_code", "OTPRECOVERYCODE000000001"),
            ],
        )
        .await;
    assert_eq!(resp.status, 429);
    emu.advance(6 * 60 - 1).await;
    let token = emu.mfa_token("otp@example.com").await;
    let code = totp(OTP_SECRET, T0 + 6 * 60 - 1);
    emu.otp_grant(&token, &code).await.error(
        429,
        "too_many_attempts",
        "Too many failed codes. Wait for some minutes before retrying.",
    );
    emu.advance(1).await;
    // One attempt came back: a wrong code spends it, and the bucket is empty again.
    emu.otp_grant(&token, "222222").await.error(403, "invalid_grant", "Invalid otp_code.");
    let code = totp(OTP_SECRET, T0 + 6 * 60);
    emu.otp_grant(&token, &code).await.error(
        429,
        "too_many_attempts",
        "Too many failed codes. Wait for some minutes before retrying.",
    );
    emu.advance(6 * 60).await;
    assert_eq!(
        emu.otp_grant(&token, &totp(OTP_SECRET, T0 + 12 * 60)).await.status,
        403,
        "the mfa_token expired after 5 minutes"
    );
    let token = emu.mfa_token("otp@example.com").await;
    assert_eq!(emu.otp_grant(&token, &totp(OTP_SECRET, T0 + 12 * 60)).await.status, 200);
}

#[tokio::test]
async fn mfa_token_expires_after_five_minutes_and_is_bound_to_its_client() {
    let emu = start().await;
    let token = emu.mfa_token("otp@example.com").await;
    emu.advance(299).await;
    assert_eq!(emu.challenge(&token, json!({"challenge_type": "otp"})).await.status, 200);
    emu.advance(1).await;
    emu.challenge(&token, json!({})).await.error(403, "expired_token", "mfa_token is expired");
    emu.otp_grant(&token, &totp(OTP_SECRET, T0 + 300)).await.error(403, "expired_token", "mfa_token is expired");
    emu.authenticators(&token).await.error(401, "expired_token", "mfa_token is expired");
    emu.otp_grant("garbage", "123456").await.error(403, "invalid_grant", "Malformed mfa_token");
    emu.challenge("garbage", json!({})).await.error(403, "invalid_grant", "Malformed mfa_token");
    emu.authenticators("garbage").await.error(401, "invalid_grant", "Malformed mfa_token");

    let token = emu.mfa_token("otp@example.com").await;
    let resp = emu
        .form(
            "/oauth/token",
            &[
                ("grant_type", GRANT_OTP),
                ("client_id", SERVER),
                ("client_secret", SERVER_SECRET),
                ("mfa_token", &token),
                ("otp", "123456"),
            ],
        )
        .await;
    resp.error(400, "invalid_request", "mfa_token not issued to this client");
    emu.otp_grant(&token, "").await.error(400, "invalid_request", "Missing required parameter: otp");
}

#[tokio::test]
async fn mfa_token_lifetime_is_configurable() {
    let emu = start_with(auth0_mfa_emulator::Config { mfa_token_ttl_secs: Some(60), ..Default::default() }).await;
    let token = emu.mfa_token("otp@example.com").await;
    emu.advance(60).await;
    emu.otp_grant(&token, &totp(OTP_SECRET, T0 + 60)).await.error(403, "expired_token", "mfa_token is expired");
}

#[tokio::test]
async fn otp_enrollment_is_pending_until_confirmed() {
    let emu = start().await;
    let token = emu.mfa_token("new@example.com").await;
    assert_eq!(emu.authenticators(&token).await.json(), json!([]));
    emu.challenge(&token, json!({})).await.error(400, "unsupported_challenge_type", "User is not enrolled.");

    let enrolled = emu.associate(&token, json!({"authenticator_types": ["otp"]})).await;
    assert_eq!(enrolled.status, 200, "{}", enrolled.text());
    let body = enrolled.json();
    assert_eq!(body["authenticator_type"], "otp");
    let secret = body["secret"].as_str().unwrap_or_default().to_owned();
    assert_eq!(secret.len(), 32);
    assert_eq!(
        body["barcode_uri"],
        format!(
            "otpauth://totp/Emulated%20Tenant:new%40example.com?secret={secret}&issuer=Emulated%20Tenant&algorithm=SHA1&digits=6&period=30"
        )
    );
    let recovery = body["recovery_codes"][0].as_str().unwrap_or_default().to_owned();
    assert_eq!(recovery.len(), 24);
    assert!(recovery.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));

    let list = emu.authenticators(&token).await.json();
    assert_eq!(list[0]["authenticator_type"], "otp");
    assert_eq!(list[0]["active"], false);
    assert!(list[0]["id"].as_str().is_some_and(|id| id.starts_with("totp|dev_")));

    emu.otp_grant(&token, "000000").await.error(403, "invalid_grant", "Invalid otp_code.");
    let resp = emu.otp_grant(&token, &totp(&secret, T0)).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let list = emu.authenticators(&token).await.json();
    assert_eq!(list[0]["active"], true);
    assert_eq!(list[1]["authenticator_type"], "recovery-code");

    // Enrolled now: the next login is challenged, and the mfa_token cannot enroll again.
    emu.advance(30).await;
    let token = emu.mfa_token("new@example.com").await;
    emu.associate(&token, json!({"authenticator_types": ["otp"]})).await.error(
        403,
        "access_denied",
        "User is already enrolled.",
    );
    assert_eq!(emu.otp_grant(&token, &totp(&secret, T0 + 30)).await.status, 200);
}

#[tokio::test]
async fn associate_validates_its_body() {
    let emu = start().await;
    let token = emu.mfa_token("new@example.com").await;
    emu.associate(&token, json!({})).await.error(
        400,
        "invalid_request",
        "Missing required parameter: authenticator_types",
    );
    emu.associate(&token, json!({"authenticator_types": 5})).await.error(
        400,
        "invalid_request",
        "Invalid parameter: authenticator_types must be an array of strings",
    );
    emu.associate(&token, json!({"authenticator_types": ["webauthn"]})).await.error(
        400,
        "invalid_request",
        "Unsupported authenticator type: webauthn",
    );
    emu.associate(&token, json!({"authenticator_types": ["oob"]})).await.error(
        400,
        "invalid_request",
        "Missing required parameter: oob_channels",
    );
    emu.associate(&token, json!({"authenticator_types": ["oob"], "oob_channels": ["sms"]})).await.error(
        400,
        "invalid_request",
        "Missing required parameter: phone_number",
    );
    emu.associate(&token, json!({"authenticator_types": ["oob"], "oob_channels": ["sms"], "phone_number": "555"}))
        .await
        .error(400, "invalid_request", "phone_number must be in E.164 format, e.g. +15555550100");
    emu.associate(&token, json!({"authenticator_types": ["otp"], "client_id": SERVER})).await.error(
        400,
        "invalid_request",
        "mfa_token not issued to this client",
    );
    let resp = emu.request("POST", "/mfa/associate", &[("Content-Type", "application/json")], b"{}").await;
    resp.error(401, "unauthorized", "Authorization header with a Bearer token is required");
}

#[tokio::test]
async fn recovery_code_login_rotates_the_code() {
    let emu = start().await;
    let token = emu.mfa_token("otp@example.com").await;
    let recover = |code: &'static str| {
        let token = token.clone();
        let emu = &emu;
        async move {
            emu.form(
                "/oauth/token",
                &[("grant_type", GRANT_RECOVERY), ("client_id", SPA), ("mfa_token", &token), ("recovery_code", code)],
            )
            .await
        }
    };
    recover("WRONGWRONGWRONGWRONGWRON").await.error(403, "invalid_grant", "Invalid recovery_code.");
    let resp = recover("OTPRECOVERYCODE000000001").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let rotated = resp.json()["recovery_code"].as_str().unwrap_or_default().to_owned();
    assert_eq!(rotated.len(), 24);
    assert_ne!(rotated, "OTPRECOVERYCODE000000001");
    recover("OTPRECOVERYCODE000000001").await.error(403, "invalid_grant", "Invalid recovery_code.");
    let resp = emu
        .form(
            "/oauth/token",
            &[("grant_type", GRANT_RECOVERY), ("client_id", SPA), ("mfa_token", &token), ("recovery_code", &rotated)],
        )
        .await;
    assert_eq!(resp.status, 200);
}

#[tokio::test]
async fn removing_needs_an_mfa_api_access_token() {
    let emu = start().await;
    let audience = format!("{}/mfa", emu.url);
    let resp =
        emu.login("push@example.com", &[("audience", &audience), ("scope", "openid remove:authenticators")]).await;
    let token = resp.json()["mfa_token"].as_str().unwrap_or_default().to_owned();
    let list = emu.authenticators(&token).await.json();
    let ids: Vec<&str> =
        list.as_array().map(|l| l.iter().filter_map(|a| a["id"].as_str()).collect()).unwrap_or_default();
    assert_eq!(ids.len(), 3, "push, its OTP and the recovery code: {list}");
    let push_id = ids[0].to_owned();
    assert!(push_id.starts_with("push|dev_"));

    let bearer = format!("Bearer {token}");
    let path = format!("/mfa/authenticators/{}", push_id.replace('|', "%7C"));
    emu.request("DELETE", &path, &[("Authorization", &bearer)], b"").await.error(
        401,
        "invalid_token",
        "An mfa_token cannot remove authenticators: use an access token for the MFA API",
    );

    // Complete MFA with the push device's OTP to get the MFA API token.
    let resp = emu.otp_grant(&token, &totp(PUSH_OTP_SECRET, T0)).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let body = resp.json();
    assert_eq!(body["expires_in"], 600);
    let access = body["access_token"].as_str().unwrap_or_default().to_owned();
    let access_claims = claims(&access);
    assert_eq!(access_claims["aud"][0], format!("{}/mfa/", emu.url));
    assert_eq!(access_claims["scope"], "openid remove:authenticators");

    // Listing needs read:authenticators, which this token lacks.
    emu.authenticators(&access).await.error(
        403,
        "insufficient_scope",
        "Insufficient scope, expected: read:authenticators",
    );
    let bearer = format!("Bearer {access}");
    emu.request("DELETE", "/mfa/authenticators/totp%7Cdev_nope", &[("Authorization", &bearer)], b"").await.error(
        404,
        "not_found",
        "Authenticator not found",
    );
    let resp = emu.request("DELETE", &path, &[("Authorization", &bearer)], b"").await;
    assert_eq!(resp.status, 204);
    // Its OTP went with it; the user must enroll again.
    let token = emu.mfa_token("push@example.com").await;
    assert_eq!(emu.authenticators(&token).await.json(), json!([]));

    // A token for another audience is refused.
    let other =
        emu.login("nomfa@example.com", &[]).await.json()["access_token"].as_str().unwrap_or_default().to_owned();
    let bearer = format!("Bearer {other}");
    emu.request("DELETE", &path, &[("Authorization", &bearer)], b"").await.error(
        401,
        "invalid_token",
        "The access token audience is not the MFA API",
    );
}

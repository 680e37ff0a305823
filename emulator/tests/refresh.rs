//! The refresh-token grant: rotation, reuse detection, leeway, lifetimes, down-scoping, client authentication,
//! and MFA on refresh continued through the MFA API.

mod common;

use common::*;
use serde_json::{Value, json};

const NOMFA: &str = "nomfa@example.com";
const FULL_SCOPE: &str = "openid profile email offline_access";
const OFFLINE_ONLY: &str = "offline_access";

/// A login without MFA through the public client; returns the token response.
async fn offline_login(emu: &Emu, scope: &str) -> Value {
    let resp = emu.login(NOMFA, &[("scope", scope)]).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    resp.json()
}

fn refresh_token(body: &Value) -> String {
    body["refresh_token"].as_str().unwrap_or_else(|| panic!("a refresh_token in {body}")).to_owned()
}

#[track_caller]
fn invalid(resp: &Resp) {
    resp.error(403, "invalid_grant", "Unknown or invalid refresh token.");
}

/// A password and OTP login of otp@example.com asking for `scope`; returns the token response. The clock then
/// moves on a TOTP step, so that the next code is fresh.
async fn otp_login(emu: &Emu, scope: &str) -> Value {
    let token = emu.mfa_token_with("otp@example.com", &[("scope", scope)]).await;
    let resp = emu.otp_grant(&token, &totp(OTP_SECRET, emu.now().await)).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    emu.advance(30).await;
    resp.json()
}

/// A login through the client `short` (no MFA, `offline_access`); returns its refresh token.
async fn short_login(emu: &Emu) -> String {
    let params = [
        ("grant_type", "password"),
        ("username", NOMFA),
        ("password", PASSWORD),
        ("client_id", "short"),
        ("scope", "openid offline_access"),
    ];
    refresh_token(&emu.form("/oauth/token", &params).await.json())
}

#[tokio::test]
async fn rotation_returns_a_new_token_and_invalidates_the_old() {
    let emu = start().await;
    let first = offline_login(&emu, FULL_SCOPE).await;
    let rt0 = refresh_token(&first);
    assert!(rt0.starts_with("v1."));
    let resp = emu.refresh(&rt0, &[]).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.header("cache-control"), Some("no-store"));
    let body = resp.json();
    let rt1 = refresh_token(&body);
    assert_ne!(rt1, rt0);
    assert_eq!((body["token_type"].as_str(), body["scope"].as_str()), (Some("Bearer"), Some(FULL_SCOPE)));
    assert_eq!(claims(body["id_token"].as_str().unwrap_or_default())["email"], NOMFA);
    let rt2 = refresh_token(&emu.refresh(&rt1, &[]).await.json());
    let families = emu.families(NOMFA).await;
    assert_eq!(families.len(), 1);
    assert_eq!(
        (&families[0]["counter"], &families[0]["tokens"], &families[0]["revoked"]),
        (&json!(2), &json!(3), &json!(false))
    );
    // The newest member works; the family is unchanged by a refused, unknown token.
    invalid(&emu.refresh("v1.unknown", &[]).await);
    assert_eq!(emu.refresh(&rt2, &[]).await.status, 200);
}

#[tokio::test]
async fn reuse_revokes_the_whole_family() {
    let emu = start().await;
    let rt0 = refresh_token(&offline_login(&emu, FULL_SCOPE).await);
    let other = refresh_token(&offline_login(&emu, FULL_SCOPE).await);
    let rt1 = refresh_token(&emu.refresh(&rt0, &[]).await.json());
    // rt0 was rotated: presenting it again is a breach.
    invalid(&emu.refresh(&rt0, &[]).await);
    let families = emu.families(NOMFA).await;
    let revoked = &families[0];
    assert_eq!(
        (&revoked["revoked"], &revoked["revoked_reason"]),
        (&json!(true), &json!("reuse_detected")),
        "{revoked}"
    );
    assert_eq!(revoked["revoked_at"], T0);
    // Every member fails from now on, the newest included, and each later use is counted.
    invalid(&emu.refresh(&rt1, &[]).await);
    invalid(&emu.refresh(&rt0, &[]).await);
    assert_eq!(emu.families(NOMFA).await[0]["uses_after_revocation"], 2);
    // Another login's family is not touched.
    assert_eq!(families[1]["revoked"], false);
    assert_eq!(emu.refresh(&other, &[]).await.status, 200);
}

#[tokio::test]
async fn leeway_lets_only_the_immediate_predecessor_be_reused() {
    let emu = start().await;
    let settings = emu.client_settings(SPA, json!({"refresh_leeway_secs": 30})).await;
    assert_eq!(settings["refresh_leeway_secs"], 30);
    let rt0 = refresh_token(&offline_login(&emu, FULL_SCOPE).await);
    let rt1 = refresh_token(&emu.refresh(&rt0, &[]).await.json());
    emu.advance(30).await;
    // A retry of the same exchange within the leeway mints another member of the newest generation.
    let retry = emu.refresh(&rt0, &[]).await;
    assert_eq!(retry.status, 200, "{}", retry.text());
    let rt1b = refresh_token(&retry.json());
    assert!(rt1b != rt1 && rt1b != rt0);
    assert_eq!(emu.families(NOMFA).await[0]["counter"], 1);
    // Either member moves the family on; then rt0 is two generations back, a breach even within the leeway.
    let rt2 = refresh_token(&emu.refresh(&rt1b, &[]).await.json());
    invalid(&emu.refresh(&rt0, &[]).await);
    assert_eq!(emu.families(NOMFA).await[0]["revoked"], true);
    invalid(&emu.refresh(&rt2, &[]).await);

    // Past the leeway the predecessor is a breach too.
    let rt0 = refresh_token(&offline_login(&emu, FULL_SCOPE).await);
    let rt1 = refresh_token(&emu.refresh(&rt0, &[]).await.json());
    emu.advance(31).await;
    invalid(&emu.refresh(&rt0, &[]).await);
    invalid(&emu.refresh(&rt1, &[]).await);
    // Without a leeway (the default) the retry is a breach at once.
    emu.client_settings(SPA, json!({"refresh_leeway_secs": null})).await;
    let rt0 = refresh_token(&offline_login(&emu, FULL_SCOPE).await);
    emu.refresh(&rt0, &[]).await;
    invalid(&emu.refresh(&rt0, &[]).await);
}

#[tokio::test]
async fn absolute_and_idle_lifetimes_follow_the_clock() {
    let emu = start().await;
    let client =
        json!({"client_id": "short", "auth_method": "none", "refresh_absolute_secs": 100, "refresh_idle_secs": 40});
    assert_eq!(emu.control("/__emu/clients", client).await.status, 201);
    let refresh = |token: String| {
        let emu = &emu;
        async move { emu.refresh_with("short", &token, &[], &[]).await }
    };
    // Each exchange renews the idle lifetime; rotation never extends the absolute one.
    let mut token = short_login(&emu).await;
    for _ in 0..3 {
        emu.advance(30).await;
        let resp = refresh(token).await;
        assert_eq!(resp.status, 200, "{}", resp.text());
        token = refresh_token(&resp.json());
    }
    emu.advance(9).await;
    let token = refresh_token(&refresh(token).await.json());
    emu.advance(1).await;
    invalid(&refresh(token).await);
    let first = emu.families(NOMFA).await[0].clone();
    assert_eq!(
        (&first["expires_at"], &first["expired"], &first["counter"]),
        (&json!(T0 + 100), &json!(true), &json!(4))
    );

    // Idle: 40 s without an exchange, counted again from each one.
    let token = short_login(&emu).await;
    emu.advance(40).await;
    invalid(&refresh(token).await);
    let token = short_login(&emu).await;
    emu.advance(39).await;
    let token = refresh_token(&refresh(token).await.json());
    emu.advance(39).await;
    let token = refresh_token(&refresh(token).await.json());
    emu.advance(40).await;
    invalid(&refresh(token).await);

    // The defaults are 30 days each.
    let rt = refresh_token(&offline_login(&emu, FULL_SCOPE).await);
    let family = emu.families(NOMFA).await.into_iter().find(|f| f["client_id"] == SPA).expect("family");
    let now = emu.now().await;
    assert_eq!((&family["expires_at"], &family["idle_expires_at"]), (&json!(now + 2_592_000), &json!(now + 2_592_000)));
    emu.advance(2_592_000).await;
    invalid(&emu.refresh(&rt, &[]).await);
}

#[tokio::test]
async fn lifetimes_are_validated() {
    let emu = start().await;
    for (settings, message) in [
        (
            json!({"refresh_idle_secs": 200, "refresh_absolute_secs": 100}),
            "refresh_idle_secs must be 1-31536000 and at most refresh_absolute_secs",
        ),
        (json!({"refresh_absolute_secs": 0}), "refresh_absolute_secs must be 1-31557600"),
        (json!({"refresh_absolute_secs": 31_557_601}), "refresh_absolute_secs must be 1-31557600"),
        (json!({"refresh_leeway_secs": 31_536_001}), "refresh_leeway_secs must be 0-31536000"),
        (json!({"refresh_rotation": "yes"}), ""),
        (json!({"mfa_on_refresh": "sometimes"}), r#"mfa_on_refresh must be "never", "always" or {"after_secs": N}"#),
        (
            json!({"mfa_on_refresh": {"after_secs": -1}}),
            r#"mfa_on_refresh must be "never", "always" or {"after_secs": N}"#,
        ),
        (
            json!({"mfa_on_refresh": {"after_secs": 5, "x": 1}}),
            r#"mfa_on_refresh must be "never", "always" or {"after_secs": N}"#,
        ),
        (json!({"client_id": "renamed"}), "client_id cannot be changed"),
    ] {
        let resp = emu.control("/__emu/clients/spa-client", settings.clone()).await;
        assert_eq!((resp.status, resp.json()["error"].as_str()), (400, Some("invalid_request")), "{settings}");
        if !message.is_empty() {
            assert_eq!(resp.json()["error_description"], message, "{settings}");
        }
    }
    assert_eq!(emu.control("/__emu/clients/nobody", json!({})).await.status, 404);
    // An absolute lifetime alone brings the idle default down to it.
    let client = emu.client_settings(SPA, json!({"refresh_absolute_secs": 100})).await;
    assert_eq!((&client["refresh_absolute_secs"], &client["refresh_idle_secs"]), (&json!(100), &json!(100)));
    let listed = emu.get("/__emu/clients").await.json();
    let spa = listed.as_array().and_then(|l| l.iter().find(|c| c["client_id"] == SPA).cloned()).expect("spa");
    assert_eq!(
        (&spa["refresh_rotation"], &spa["mfa_on_refresh"], &spa["dpop"]),
        (&json!(true), &json!("never"), &json!("off"))
    );
}

#[tokio::test]
async fn down_scoping_only() {
    let emu = start().await;
    let rt = refresh_token(&offline_login(&emu, FULL_SCOPE).await);
    let resp = emu.refresh(&rt, &[("scope", "openid email")]).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let body = resp.json();
    assert_eq!(body["scope"], "openid email");
    let id = claims(body["id_token"].as_str().unwrap_or_default());
    assert!(id["email"].is_string() && id.get("name").is_none(), "{id}");
    assert_eq!(claims(body["access_token"].as_str().unwrap_or_default())["scope"], "openid email");
    // The refresh token keeps the original scope: asking for nothing gives it all back.
    let rt = refresh_token(&body);
    let body = emu.refresh(&rt, &[]).await.json();
    assert_eq!(body["scope"], FULL_SCOPE);
    // More than was granted is refused, and the token presented stays usable.
    let rt = refresh_token(&body);
    emu.refresh(&rt, &[("scope", "openid read:things")]).await.error(
        403,
        "invalid_scope",
        "The requested scope exceeds the scope originally granted",
    );
    // Without openid there is no ID token.
    let body = emu.refresh(&rt, &[("scope", "email offline_access")]).await.json();
    assert!(body.get("id_token").is_none() && body["refresh_token"].is_string(), "{body}");

    // The MFA API grants all its scopes to a request that names none, but not on a refresh that was granted
    // fewer.
    let audience = format!("{}/mfa/", emu.url);
    let token =
        emu.mfa_token_with("otp@example.com", &[("audience", &audience), ("scope", "enroll offline_access")]).await;
    let body = emu.otp_grant(&token, &totp(OTP_SECRET, T0)).await.json();
    assert_eq!(body["scope"], "offline_access enroll");
    let body = emu.refresh(&refresh_token(&body), &[("scope", "offline_access")]).await.json();
    assert_eq!(body["scope"], "offline_access enroll", "{body}");
}

#[tokio::test]
async fn refresh_tokens_need_offline_access_and_browsers_need_rotation() {
    let emu = start().await;
    let body = offline_login(&emu, "openid profile").await;
    assert!(body.get("refresh_token").is_none());
    assert_eq!(emu.families(NOMFA).await, Vec::<Value>::new());

    // Without rotation a refresh answers no refresh token and the same one keeps working.
    emu.client_settings(SPA, json!({"refresh_rotation": false})).await;
    let rt = refresh_token(&offline_login(&emu, FULL_SCOPE).await);
    for _ in 0..3 {
        let resp = emu.refresh(&rt, &[]).await;
        assert_eq!(resp.status, 200, "{}", resp.text());
        assert!(resp.json().get("refresh_token").is_none());
    }
    // A browser gets one only with rotation, as on Auth0.
    let origin = [("Origin", "http://localhost:8080")];
    let resp = emu.login_with(NOMFA, &[("scope", FULL_SCOPE)], &origin).await;
    assert_eq!(resp.status, 200);
    assert!(resp.json().get("refresh_token").is_none());
    emu.client_settings(SPA, json!({"refresh_rotation": true})).await;
    let resp = emu.login_with(NOMFA, &[("scope", FULL_SCOPE)], &origin).await;
    assert!(resp.json()["refresh_token"].is_string());
}

#[tokio::test]
async fn refresh_authenticates_the_client() {
    let emu = start().await;
    let login = [
        ("grant_type", "password"),
        ("username", NOMFA),
        ("password", PASSWORD),
        ("client_id", SERVER),
        ("client_secret", SERVER_SECRET),
        ("scope", FULL_SCOPE),
    ];
    let rt = refresh_token(&emu.form("/oauth/token", &login).await.json());
    emu.refresh_with(SERVER, &rt, &[], &[]).await.error(401, "access_denied", "Unauthorized");
    emu.refresh_with(SERVER, &rt, &[("client_secret", "wrong")], &[]).await.error(401, "access_denied", "Unauthorized");
    // Another client cannot use it, and that does not count as reuse.
    invalid(&emu.refresh(&rt, &[]).await);
    let resp = emu.refresh_with(SERVER, &rt, &[("client_secret", SERVER_SECRET)], &[]).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(emu.families(NOMFA).await[0]["revoked"], false);
    // The grant can be switched off per client.
    let added = json!({"client_id": "no-refresh", "auth_method": "none", "grant_types": ["password"]});
    assert_eq!(emu.control("/__emu/clients", added).await.status, 201);
    emu.refresh_with("no-refresh", "v1.x", &[], &[]).await.error(
        403,
        "unauthorized_client",
        "Grant type 'refresh_token' not allowed for the client.",
    );
}

#[tokio::test]
async fn mfa_on_refresh_always_continues_through_the_mfa_api() {
    let emu = start().await;
    assert_eq!(emu.client_settings(SPA, json!({"mfa_on_refresh": "always"})).await["mfa_on_refresh"], "always");
    let rt0 = refresh_token(&otp_login(&emu, FULL_SCOPE).await);
    let family_id = emu.families("otp@example.com").await[0]["family_id"].clone();

    let resp = emu.refresh(&rt0, &[]).await;
    resp.error(403, "mfa_required", "Multifactor authentication required");
    let body = resp.json();
    assert_eq!(body["mfa_requirements"], json!({"challenge": [{"type": "otp"}, {"type": "recovery-code"}]}));
    let mfa_token = body["mfa_token"].as_str().expect("mfa_token").to_owned();
    // Nothing rotated yet.
    assert_eq!(emu.families("otp@example.com").await[0]["counter"], 0);
    // The mfa_token works on the MFA API as after a password, and only for its client.
    assert_eq!(emu.authenticators(&mfa_token).await.json()[0]["authenticator_type"], "otp");
    assert_eq!(
        emu.challenge(&mfa_token, json!({"challenge_type": "otp"})).await.json(),
        json!({"challenge_type": "otp"})
    );
    let other_client = [
        ("grant_type", GRANT_OTP),
        ("client_id", SERVER),
        ("client_secret", SERVER_SECRET),
        ("mfa_token", &mfa_token),
        ("otp", "000000"),
    ];
    emu.form("/oauth/token", &other_client).await.error(400, "invalid_request", "mfa_token not issued to this client");
    emu.otp_grant(&mfa_token, "000000").await.error(403, "invalid_grant", "Invalid otp_code.");

    let now = emu.now().await;
    let resp = emu.otp_grant(&mfa_token, &totp(OTP_SECRET, now)).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let body = resp.json();
    assert_eq!(claims(body["access_token"].as_str().unwrap_or_default())["amr"], json!(["mfa"]));
    assert_eq!(body["scope"], FULL_SCOPE);
    let rt1 = refresh_token(&body);
    assert_ne!(rt1, rt0);
    let families = emu.families("otp@example.com").await;
    assert_eq!(families.len(), 1, "the same family");
    assert_eq!((&families[0]["family_id"], &families[0]["counter"]), (&family_id, &json!(1)));
    assert_eq!(families[0]["last_mfa_at"], now);

    // The pre-MFA token was superseded: replaying it is reuse, and revokes the family.
    invalid(&emu.refresh(&rt0, &[]).await);
    assert_eq!(emu.families("otp@example.com").await[0]["revoked"], true);
    invalid(&emu.refresh(&rt1, &[]).await);
    // An MFA grant for a revoked family fails too, before the code is spent.
    emu.advance(30).await;
    invalid(&emu.otp_grant(&mfa_token, &totp(OTP_SECRET, now + 30)).await);

    // A user whom the password grant lets in without MFA refreshes without it.
    let rt = refresh_token(&offline_login(&emu, FULL_SCOPE).await);
    assert_eq!(emu.refresh(&rt, &[]).await.status, 200);
}

#[tokio::test]
async fn mfa_on_refresh_after_secs_counts_from_the_last_mfa() {
    let emu = start().await;
    emu.client_settings(SPA, json!({"mfa_on_refresh": {"after_secs": 600}})).await;
    let rt = refresh_token(&otp_login(&emu, FULL_SCOPE).await);
    // 600 s after the MFA (the login advanced 30 s): no MFA yet.
    emu.advance(570).await;
    let rt = refresh_token(&emu.refresh(&rt, &[]).await.json());
    emu.advance(1).await;
    let resp = emu.refresh(&rt, &[]).await;
    resp.error(403, "mfa_required", "Multifactor authentication required");
    // Through a recovery code this time; each MFA grant is accepted.
    let mfa_token = resp.json()["mfa_token"].as_str().unwrap_or_default().to_owned();
    let resp = emu
        .form(
            "/oauth/token",
            &[
                ("grant_type", GRANT_RECOVERY),
                ("client_id", SPA),
                ("mfa_token", &mfa_token),
                ("recovery_code", "OTPRECOVERYCODE000000001"),
            ],
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let body = resp.json();
    assert!(body["recovery_code"].is_string());
    let rt = refresh_token(&body);
    let family = &emu.families("otp@example.com").await[0];
    assert_eq!((&family["counter"], &family["last_mfa_at"]), (&json!(2), &json!(emu.now().await)));
    // The clock starts again from this MFA.
    emu.advance(600).await;
    assert_eq!(emu.refresh(&rt, &[]).await.status, 200);
}

#[tokio::test]
async fn mfa_on_refresh_by_sms_and_without_rotation() {
    let emu = start().await;
    emu.client_settings(SPA, json!({"mfa_on_refresh": "always", "refresh_rotation": false})).await;
    let sms = |mfa_token: String| {
        let emu = &emu;
        async move {
            let challenge = emu.challenge(&mfa_token, json!({"challenge_type": "oob"})).await.json();
            let code = emu.last_code("sms@example.com").await;
            emu.oob_grant(&mfa_token, challenge["oob_code"].as_str().unwrap_or_default(), Some(&code)).await
        }
    };
    let token = emu.mfa_token_with("sms@example.com", &[("scope", FULL_SCOPE)]).await;
    let rt = refresh_token(&sms(token).await.json());
    let resp = emu.refresh(&rt, &[]).await;
    resp.error(403, "mfa_required", "Multifactor authentication required");
    let mfa_token = resp.json()["mfa_token"].as_str().unwrap_or_default().to_owned();
    let resp = sms(mfa_token).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    // ⚠ Without rotation the MFA grant answers no refresh token, and the one presented stays in use.
    assert!(resp.json().get("refresh_token").is_none());
    emu.refresh(&rt, &[]).await.error(403, "mfa_required", "Multifactor authentication required");
    assert_eq!(emu.families("sms@example.com").await[0]["revoked"], false);
}

#[tokio::test]
async fn at_most_200_families_per_user_and_client() {
    let emu = start().await;
    let first = refresh_token(&offline_login(&emu, OFFLINE_ONLY).await);
    for _ in 0..200 {
        offline_login(&emu, OFFLINE_ONLY).await;
    }
    // The 201st login deleted the oldest family; the others are intact.
    assert_eq!(emu.families(NOMFA).await.len(), 200);
    invalid(&emu.refresh(&first, &[]).await);
    let stats = emu.get("/__emu/stats").await.json();
    assert_eq!((&stats["refresh_families"], &stats["refresh_tokens"]), (&json!(200), &json!(200)));
}

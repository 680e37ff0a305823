//! The password grants, client authentication, tokens and malformed requests, over real HTTP.

mod common;

use base64::Engine;
use common::*;
use serde_json::json;

#[tokio::test]
async fn health_discovery_and_jwks() {
    let emu = start().await;
    assert_eq!(emu.get("/healthz").await.json()["status"], "ok");
    let discovery = emu.get("/.well-known/openid-configuration").await.json();
    assert_eq!(discovery["issuer"], format!("{}/", emu.url));
    assert_eq!(discovery["token_endpoint"], format!("{}/oauth/token", emu.url));
    let jwks = emu.get("/.well-known/jwks.json").await.json();
    assert_eq!(jwks["keys"][0]["alg"], "RS256");
    assert_eq!(jwks["keys"][0]["kty"], "RSA");
}

#[tokio::test]
async fn user_without_mfa_gets_signed_tokens() {
    let emu = start().await;
    let resp = emu.login("nomfa@example.com", &[("scope", "openid profile email offline_access")]).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.header("cache-control"), Some("no-store"));
    let body = resp.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 86400);
    assert_eq!(body["scope"], "openid profile email offline_access");
    let id = claims(body["id_token"].as_str().unwrap_or_default());
    assert_eq!(id["iss"], format!("{}/", emu.url));
    assert_eq!(id["aud"], SPA);
    assert_eq!(id["email"], "nomfa@example.com");
    assert_eq!(id["iat"], T0);
    assert_eq!(id["exp"], T0 + 36000);
    assert!(id.get("amr").is_none());
    let header: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(body["access_token"].as_str().unwrap_or_default().split('.').next().unwrap_or_default())
            .unwrap_or_default(),
    )
    .unwrap_or_default();
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["kid"], emu.get("/.well-known/jwks.json").await.json()["keys"][0]["kid"]);

    // Refresh.
    let refresh = body["refresh_token"].as_str().unwrap_or_default();
    let again = emu
        .form("/oauth/token", &[("grant_type", "refresh_token"), ("client_id", SPA), ("refresh_token", refresh)])
        .await;
    assert_eq!(again.status, 200, "{}", again.text());
    // Rotation is on by default: a new refresh token replaces the one presented (tests/refresh.rs).
    assert!(again.json()["refresh_token"].as_str().is_some_and(|new| new != refresh));
    emu.form("/oauth/token", &[("grant_type", "refresh_token"), ("client_id", SPA), ("refresh_token", "nope")])
        .await
        .error(403, "invalid_grant", "Unknown or invalid refresh token.");
}

#[tokio::test]
async fn mfa_required_names_the_requirements() {
    let emu = start().await;
    let body = emu.login("otp@example.com", &[]).await.json();
    assert!(body["mfa_token"].as_str().is_some_and(|t| t.len() > 40));
    assert_eq!(body["mfa_requirements"], json!({"challenge": [{"type": "otp"}, {"type": "recovery-code"}]}));
    let body = emu.login("new@example.com", &[]).await.json();
    assert_eq!(body["error"], "mfa_required");
    assert_eq!(body["mfa_requirements"]["enroll"][0]["type"], "otp");
    let body = emu.login("sms@example.com", &[]).await.json();
    assert_eq!(body["mfa_requirements"]["challenge"][0]["type"], "phone");
    // The MFA API audience forces MFA even for a user without it.
    let resp = emu.login("nomfa@example.com", &[("audience", &format!("{}/mfa/", emu.url))]).await;
    resp.error(403, "mfa_required", "Multifactor authentication required");
}

#[tokio::test]
async fn wrong_password_and_brute_force_block() {
    let emu = start().await;
    for _ in 0..10 {
        let resp = emu
            .form(
                "/oauth/token",
                &[("grant_type", "password"), ("username", "otp@example.com"), ("password", "bad"), ("client_id", SPA)],
            )
            .await;
        resp.error(403, "invalid_grant", "Wrong email or password.");
    }
    // Blocked now, even with the right password.
    let resp = emu.login("otp@example.com", &[]).await;
    assert_eq!((resp.status, resp.json()["error"].as_str()), (429, Some("too_many_attempts")));
    // Another user from the same IP is not affected.
    emu.login("sms@example.com", &[]).await.error(403, "mfa_required", "Multifactor authentication required");
    // A confidential client may forward the end user's IP, which is tracked separately.
    let resp = emu
        .form_with(
            "/oauth/token",
            &[
                ("grant_type", "password"),
                ("username", "otp@example.com"),
                ("password", PASSWORD),
                ("client_id", SERVER),
                ("client_secret", SERVER_SECRET),
            ],
            &[("auth0-forwarded-for", "203.0.113.9")],
        )
        .await;
    resp.error(403, "mfa_required", "Multifactor authentication required");
    // The block lasts 30 days.
    emu.advance(30 * 24 * 3600).await;
    emu.login("otp@example.com", &[]).await.error(403, "mfa_required", "Multifactor authentication required");
}

#[tokio::test]
async fn unknown_user_and_blocked_user() {
    let emu = start().await;
    emu.login("nobody@example.com", &[]).await.error(403, "invalid_grant", "Wrong email or password.");
    let added = emu
        .control("/__emu/users", json!({"username": "blocked@example.com", "password": PASSWORD, "blocked": true}))
        .await;
    assert_eq!(added.status, 201);
    emu.login("blocked@example.com", &[]).await.error(401, "unauthorized", "user is blocked");
}

#[tokio::test]
async fn password_realm_checks_the_connection() {
    let emu = start().await;
    let base =
        [("grant_type", GRANT_REALM), ("username", "nomfa@example.com"), ("password", PASSWORD), ("client_id", SPA)];
    let mut params = base.to_vec();
    params.push(("realm", "Username-Password-Authentication"));
    assert_eq!(emu.form("/oauth/token", &params).await.status, 200);
    emu.form("/oauth/token", &base).await.error(400, "invalid_request", "Missing required parameter: realm");
    let mut params = base.to_vec();
    params.push(("realm", "other"));
    emu.form("/oauth/token", &params).await.error(400, "invalid_request", "the connection was disabled");
}

#[tokio::test]
async fn confidential_client_by_body_or_basic() {
    let emu = start().await;
    let user = [("grant_type", "password"), ("username", "nomfa@example.com"), ("password", PASSWORD)];
    let mut post = user.to_vec();
    post.extend([("client_id", SERVER), ("client_secret", SERVER_SECRET)]);
    assert_eq!(emu.form("/oauth/token", &post).await.status, 200);

    let basic =
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{SERVER}:{SERVER_SECRET}")));
    assert_eq!(emu.form_with("/oauth/token", &user, &[("Authorization", &basic)]).await.status, 200);

    let wrong = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{SERVER}:nope")));
    emu.form_with("/oauth/token", &user, &[("Authorization", &wrong)]).await.error(
        401,
        "access_denied",
        "Unauthorized",
    );
    let mut missing = user.to_vec();
    missing.push(("client_id", SERVER));
    emu.form("/oauth/token", &missing).await.error(401, "access_denied", "Unauthorized");
    let mut unknown = user.to_vec();
    unknown.push(("client_id", "who"));
    emu.form("/oauth/token", &unknown).await.error(401, "access_denied", "Unauthorized");
    emu.form_with("/oauth/token", &user, &[("Authorization", "Basic %%%")]).await.error(
        400,
        "invalid_request",
        "Malformed Basic authorization header",
    );
}

#[tokio::test]
async fn json_bodies_are_accepted() {
    let emu = start().await;
    let resp = emu
        .json(
            "/oauth/token",
            json!({"grant_type": "password", "username": "nomfa@example.com", "password": PASSWORD, "client_id": SPA}),
            &[],
        )
        .await;
    assert_eq!(resp.status, 200);
}

#[tokio::test]
async fn malformed_requests_get_auth0_shaped_errors() {
    let emu = start().await;
    emu.form("/oauth/token", &[("client_id", SPA)]).await.error(
        400,
        "invalid_request",
        "Missing required parameter: grant_type",
    );
    emu.form("/oauth/token", &[("grant_type", "password"), ("username", "a"), ("password", "b")]).await.error(
        400,
        "invalid_request",
        "missing client_id parameter",
    );
    emu.form("/oauth/token", &[("grant_type", "password"), ("client_id", SPA), ("password", "b")]).await.error(
        400,
        "invalid_request",
        "Missing required parameter: username",
    );
    emu.form("/oauth/token", &[("grant_type", "urn:nope"), ("client_id", SPA)]).await.error(
        501,
        "unsupported_grant_type",
        "Unsupported grant type: urn:nope",
    );
    emu.json("/oauth/token", json!({"grant_type": "password", "client_id": SPA, "username": 5, "password": "x"}), &[])
        .await
        .error(400, "invalid_request", "Invalid parameter: username must be a string");
    emu.json("/oauth/token", json!(["not", "an", "object"]), &[]).await.error(
        400,
        "invalid_request",
        "The request body must be a JSON object",
    );
    emu.request("POST", "/oauth/token", &[("Content-Type", "application/json")], b"{\"grant_type\":").await.error(
        400,
        "invalid_request",
        "The request body is not valid JSON",
    );
    emu.request("POST", "/oauth/token", &[("Content-Type", "text/plain")], b"grant_type=password").await.error(
        400,
        "invalid_request",
        "Unsupported Content-Type: use application/x-www-form-urlencoded or application/json",
    );
    emu.request("POST", "/oauth/token", &[("Content-Type", "application/x-www-form-urlencoded")], b"grant_type=%FF%FE")
        .await
        .error(400, "invalid_request", "The request body is not valid form data");
    let big = vec![b'a'; 70 * 1024];
    let resp =
        emu.request("POST", "/oauth/token", &[("Content-Type", "application/x-www-form-urlencoded")], &big).await;
    assert_eq!((resp.status, resp.json()["error"].as_str()), (413, Some("invalid_request")));
    emu.request("PUT", "/oauth/token", &[], b"").await.error(405, "invalid_request", "Method not allowed");
    emu.get("/nope").await.error(404, "not_found", "Not Found");
    // Garbage on the wire does not take the server down, and the state survives.
    let _ = emu.raw(b"\x00\x01garbage\r\n\r\n").await;
    let _ = emu.raw(b"POST /oauth/token HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n").await;
    assert_eq!(emu.login("nomfa@example.com", &[]).await.status, 200);
}

#[tokio::test]
async fn per_client_rate_limit() {
    let emu = start().await;
    assert_eq!(
        emu.control("/__emu/rate-limit", json!({"enabled": true, "limit": 2, "window_secs": 60})).await.status,
        200
    );
    assert_eq!(emu.login("nomfa@example.com", &[]).await.status, 200);
    assert_eq!(emu.login("nomfa@example.com", &[]).await.status, 200);
    let resp = emu.login("nomfa@example.com", &[]).await;
    resp.error(
        429,
        "too_many_requests",
        "Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers.",
    );
    assert_eq!(resp.header("x-ratelimit-limit"), Some("2"));
    assert_eq!(resp.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(resp.header("x-ratelimit-reset"), Some((T0 + 60).to_string().as_str()));
    // Another client has its own window; the window resets with the clock.
    let other = emu
        .form(
            "/oauth/token",
            &[
                ("grant_type", "password"),
                ("username", "nomfa@example.com"),
                ("password", PASSWORD),
                ("client_id", SERVER),
                ("client_secret", SERVER_SECRET),
            ],
        )
        .await;
    assert_eq!(other.status, 200);
    emu.advance(60).await;
    assert_eq!(emu.login("nomfa@example.com", &[]).await.status, 200);
}

#[tokio::test]
async fn grant_types_can_be_restricted_per_client() {
    let emu = start().await;
    let added = emu
        .control(
            "/__emu/clients",
            json!({"client_id": "otp-only", "auth_method": "none", "grant_types": ["refresh_token"]}),
        )
        .await;
    assert_eq!(added.status, 201);
    emu.form(
        "/oauth/token",
        &[
            ("grant_type", "password"),
            ("username", "nomfa@example.com"),
            ("password", PASSWORD),
            ("client_id", "otp-only"),
        ],
    )
    .await
    .error(403, "unauthorized_client", "Grant type 'password' not allowed for the client.");
}

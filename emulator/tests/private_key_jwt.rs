//! private_key_jwt client authentication: assertions signed here with the committed test key (and a second
//! key) on the password, MFA and refresh grants and /mfa/challenge, and each of Auth0's refusals.

mod common;

use common::sign::*;
use common::*;
use serde_json::{Value, json};

const NOMFA: &str = "nomfa@example.com";

/// The password grant for `username` through `client_id` with an assertion (and `client_id` in the body).
async fn login(emu: &Emu, client_id: &str, username: &str, assertion: &str, extra: &[(&str, &str)]) -> Resp {
    let mut params = vec![
        ("grant_type", "password"),
        ("username", username),
        ("password", PASSWORD),
        ("client_id", client_id),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", assertion),
    ];
    params.extend_from_slice(extra);
    emu.form("/oauth/token", &params).await
}

/// An assertion for `client_id` signed with `key` and `alg`, with `patch` merged into the claims and
/// `header` into the header.
fn signed(emu: &Emu, client_id: &str, alg: &str, key: &rsa::RsaPrivateKey, patch: Value, header: Value) -> String {
    let claims = merged(assertion_claims(&emu.url, client_id, T0), patch);
    sign_rsa(key, alg, &merged(json!({"alg": alg, "typ": "JWT"}), header), &claims)
}

fn test_assertion(emu: &Emu, patch: Value) -> String {
    signed(emu, JWT_CLIENT, "RS256", test_client_key(), patch, json!({}))
}

#[track_caller]
fn refused(resp: &Resp, description: &str, assertion: &str) {
    resp.error(401, "invalid_client", description);
    assert!(!resp.text().contains(assertion), "the answer must not echo the assertion");
}

#[tokio::test]
async fn assertions_authenticate_every_call() {
    let emu = start().await;
    // Password grant, then refresh, each with its own assertion.
    let resp = login(&emu, JWT_CLIENT, NOMFA, &assertion(&emu.url, T0), &[("scope", "openid offline_access")]).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let refresh_token = resp.json()["refresh_token"].as_str().unwrap_or_default().to_owned();
    let params = [("client_assertion_type", JWT_BEARER), ("client_assertion", &assertion(&emu.url, T0))];
    let resp = emu.refresh_with(JWT_CLIENT, &refresh_token, &params, &[]).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    // Without a credential, or with only a secret, it is the usual answer for missing credentials.
    emu.refresh_with(JWT_CLIENT, &refresh_token, &[], &[]).await.error(401, "access_denied", "Unauthorized");
    emu.refresh_with(JWT_CLIENT, &refresh_token, &[("client_secret", "guess")], &[]).await.error(
        401,
        "access_denied",
        "Unauthorized",
    );

    // MFA: the password grant, /mfa/challenge and the MFA grant.
    let resp = login(&emu, JWT_CLIENT, "otp@example.com", &assertion(&emu.url, T0), &[]).await;
    resp.error(403, "mfa_required", "Multifactor authentication required");
    let mfa_token = resp.json()["mfa_token"].as_str().unwrap_or_default().to_owned();
    let challenge = json!({"client_id": JWT_CLIENT, "mfa_token": mfa_token, "challenge_type": "otp",
        "client_assertion_type": JWT_BEARER, "client_assertion": assertion(&emu.url, T0)});
    assert_eq!(emu.json("/mfa/challenge", challenge.clone(), &[]).await.json(), json!({"challenge_type": "otp"}));
    // The same assertion again is a replay.
    let replayed = challenge["client_assertion"].as_str().unwrap_or_default().to_owned();
    let resp = emu.json("/mfa/challenge", challenge, &[]).await;
    refused(&resp, "Invalid client assertion: its jti was already used", &replayed);
    let no_assertion = json!({"client_id": JWT_CLIENT, "mfa_token": mfa_token});
    emu.json("/mfa/challenge", no_assertion, &[]).await.error(401, "access_denied", "Unauthorized");
    let otp = totp(OTP_SECRET, T0);
    let grant = |assertion: String| {
        let (emu, mfa_token, otp) = (&emu, mfa_token.clone(), otp.clone());
        async move {
            let params = [
                ("grant_type", GRANT_OTP),
                ("mfa_token", &mfa_token),
                ("otp", &otp),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", &assertion),
            ];
            // No client_id in the body: the assertion's sub names the client.
            emu.form("/oauth/token", &params).await
        }
    };
    let resp = grant(assertion(&emu.url, T0)).await;
    assert_eq!(resp.status, 200, "{}", resp.text());

    // /mfa/associate checks an assertion only when one is sent.
    let mfa_token = login(&emu, JWT_CLIENT, "new@example.com", &assertion(&emu.url, T0), &[]).await.json()["mfa_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let bad = test_assertion(&emu, json!({"aud": "https://elsewhere.example/"}));
    let body = json!({"authenticator_types": ["otp"], "client_assertion_type": JWT_BEARER, "client_assertion": bad});
    refused(&emu.associate(&mfa_token, body).await, "Invalid client assertion: aud must be the tenant's URL", &bad);
    let body = json!({"authenticator_types": ["otp"], "client_assertion_type": JWT_BEARER,
        "client_assertion": assertion(&emu.url, T0)});
    assert_eq!(emu.associate(&mfa_token, body).await.status, 200);
    assert_eq!(emu.associate(&mfa_token, json!({"authenticator_types": ["otp"]})).await.status, 200);
}

#[tokio::test]
async fn each_rule_of_the_assertion() {
    let emu = start().await;
    let key = test_client_key();
    let try_claims = |patch: Value| test_assertion(&emu, patch);
    let cases: Vec<(String, &str)> = vec![
        (
            signed(&emu, JWT_CLIENT, "HS256", key, json!({}), json!({})),
            "Invalid client assertion: alg is not the credential's algorithm",
        ),
        (
            signed(&emu, JWT_CLIENT, "RS384", key, json!({}), json!({})),
            "Invalid client assertion: alg is not the credential's algorithm",
        ),
        (
            signed(&emu, JWT_CLIENT, "RS256", key, json!({}), json!({"alg": "RS256RS256RS256RS"})),
            "Invalid client assertion: over 2048 bytes, or alg over 16 or iss, sub or jti over 64 characters",
        ),
        (try_claims(json!({"iss": "someone-else"})), "Invalid client assertion: iss and sub must be the client_id"),
        (try_claims(json!({"sub": "someone-else"})), "Invalid client assertion: iss and sub must be the client_id"),
        (try_claims(json!({"iss": null})), "Invalid client assertion: iss and sub must be the client_id"),
        (
            try_claims(json!({"aud": "https://tenant.example/"})),
            "Invalid client assertion: aud must be the tenant's URL",
        ),
        (
            try_claims(json!({"aud": format!("{}/mfa/", emu.url)})),
            "Invalid client assertion: aud must be the tenant's URL",
        ),
        (try_claims(json!({"aud": null})), "Invalid client assertion: aud must be the tenant's URL"),
        (try_claims(json!({"exp": null})), "Invalid client assertion: exp and jti are required"),
        (try_claims(json!({"jti": null})), "Invalid client assertion: exp and jti are required"),
        (try_claims(json!({"jti": ""})), "Invalid client assertion: exp and jti are required"),
        (try_claims(json!({"exp": T0})), "Invalid client assertion: expired"),
        (try_claims(json!({"iat": T0 - 400, "exp": T0 - 1})), "Invalid client assertion: expired"),
        (
            try_claims(json!({"exp": T0 + 301})),
            "Invalid client assertion: 'exp' claim must specify a time that is no more than 5 minutes after 'iat'",
        ),
        (
            try_claims(json!({"iat": null, "exp": T0 + 301})),
            "Invalid client assertion: 'exp' claim must specify a time that is no more than 5 minutes after 'iat'",
        ),
        (try_claims(json!({"iat": T0 + 11, "exp": T0 + 100})), "Invalid client assertion: iat or nbf is in the future"),
        (try_claims(json!({"nbf": T0 + 11})), "Invalid client assertion: iat or nbf is in the future"),
        (try_claims(json!({"iat": "now"})), "Invalid client assertion: not a well-formed signed JWT"),
        (
            try_claims(json!({"jti": "j".repeat(65)})),
            "Invalid client assertion: over 2048 bytes, or alg over 16 or iss, sub or jti over 64 characters",
        ),
        (
            try_claims(json!({"padding": "p".repeat(1500)})),
            "Invalid client assertion: over 2048 bytes, or alg over 16 or iss, sub or jti over 64 characters",
        ),
        (
            signed(&emu, JWT_CLIENT, "RS256", other_client_key(), json!({}), json!({})),
            "Invalid client assertion: the signature does not verify",
        ),
        (
            signed(&emu, JWT_CLIENT, "RS256", key, json!({}), json!({"kid": "nope"})),
            "Invalid client assertion: no active credential for its kid",
        ),
        (
            signed(&emu, JWT_CLIENT, "RS256", key, json!({}), json!({"kid": 7})),
            "Invalid client assertion: not a well-formed signed JWT",
        ),
        ("not.a.jwt".to_owned(), "Invalid client assertion: not a well-formed signed JWT"),
        ("e30.e30".to_owned(), "Invalid client assertion: not a well-formed signed JWT"),
    ];
    for (assertion, description) in &cases {
        let resp = login(&emu, JWT_CLIENT, NOMFA, assertion, &[]).await;
        refused(&resp, description, assertion);
    }
    // An iss over 64 characters is refused for its length, whatever the client.
    let long = "c".repeat(65);
    let jwt = test_assertion(&emu, json!({"iss": long, "sub": long}));
    refused(
        &login(&emu, JWT_CLIENT, NOMFA, &jwt, &[]).await,
        "Invalid client assertion: over 2048 bytes, or alg over 16 or iss, sub or jti over 64 characters",
        &jwt,
    );
    // A tampered payload no longer verifies.
    let good = assertion(&emu.url, T0);
    let parts: Vec<&str> = good.split('.').collect();
    let other_claims = merged(assertion_claims(&emu.url, JWT_CLIENT, T0), json!({"jti": "forged"}));
    let forged = format!("{}.{}.{}", parts[0], b64(other_claims.to_string().as_bytes()), parts[2]);
    refused(
        &login(&emu, JWT_CLIENT, NOMFA, &forged, &[]).await,
        "Invalid client assertion: the signature does not verify",
        &forged,
    );

    // What is accepted: each aud form, a list holding one, and the edges of the time rules.
    let accepted = [
        json!({"aud": emu.url.clone()}),
        json!({"aud": format!("{}/oauth/token", emu.url)}),
        json!({"aud": ["https://other.example/", format!("{}/", emu.url)]}),
        json!({"exp": T0 + 300}),
        json!({"iat": T0 + 10, "nbf": T0 + 10, "exp": T0 + 60}),
        json!({"iat": T0 - 200, "exp": T0 + 1}),
        json!({"typ": "anything", "jti": "j".repeat(64)}),
    ];
    for patch in accepted {
        let resp = login(&emu, JWT_CLIENT, NOMFA, &test_assertion(&emu, patch.clone()), &[]).await;
        assert_eq!(resp.status, 200, "{patch}: {}", resp.text());
    }
    // A jti is spent only by an accepted assertion, and refused while its assertion is alive.
    let once = test_assertion(&emu, json!({"jti": "once"}));
    assert_eq!(login(&emu, JWT_CLIENT, NOMFA, &once, &[]).await.status, 200);
    refused(
        &login(&emu, JWT_CLIENT, NOMFA, &once, &[]).await,
        "Invalid client assertion: its jti was already used",
        &once,
    );
    let again = test_assertion(&emu, json!({"jti": "once", "exp": T0 + 120}));
    refused(
        &login(&emu, JWT_CLIENT, NOMFA, &again, &[]).await,
        "Invalid client assertion: its jti was already used",
        &again,
    );
    emu.advance(60).await;
    // The first assertion has expired, so its jti is forgotten; another client's jti space is its own.
    let reuse =
        signed(&emu, JWT_CLIENT, "RS256", key, json!({"jti": "once", "iat": T0 + 60, "exp": T0 + 120}), json!({}));
    assert_eq!(login(&emu, JWT_CLIENT, NOMFA, &reuse, &[]).await.status, 200);
}

#[tokio::test]
async fn client_id_and_method_mismatches() {
    let emu = start().await;
    let jwt = assertion(&emu.url, T0);
    // The body's client_id must be the assertion's.
    let other = json!({"client_id": "jwt-two", "jwt_keys": [{"pem": public_pem(test_client_key())}]});
    assert_eq!(emu.control("/__emu/clients", other).await.status, 201);
    refused(
        &login(&emu, "jwt-two", NOMFA, &jwt, &[]).await,
        "Invalid client assertion: iss and sub must be the client_id",
        &jwt,
    );
    // A secret alongside, in the body or by Basic.
    let resp = login(&emu, JWT_CLIENT, NOMFA, &jwt, &[("client_secret", "x")]).await;
    resp.error(400, "invalid_request", "Multiple authentication methods provided, please use one.");
    let basic = format!(
        "Basic {}",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, format!("{SERVER}:{SERVER_SECRET}"))
    );
    let params = [
        ("grant_type", "password"),
        ("username", NOMFA),
        ("password", PASSWORD),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", &jwt),
    ];
    emu.form_with("/oauth/token", &params, &[("Authorization", &basic)]).await.error(
        400,
        "invalid_request",
        "Multiple authentication methods provided, please use one.",
    );
    // A client that does not use private_key_jwt.
    for client in [SERVER, SPA] {
        let resp =
            login(&emu, client, NOMFA, &signed(&emu, client, "RS256", test_client_key(), json!({}), json!({})), &[])
                .await;
        resp.error(401, "invalid_client", "private_key_jwt is not enabled for this client");
    }
    // The assertion type must be exact, and comes with the assertion.
    let params = [
        ("grant_type", "password"),
        ("username", NOMFA),
        ("password", PASSWORD),
        ("client_id", JWT_CLIENT),
        ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer"),
        ("client_assertion", &jwt),
    ];
    emu.form("/oauth/token", &params).await.error(
        401,
        "invalid_client",
        "Invalid client_assertion_type: use urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    );
    emu.form("/oauth/token", &params[..5]).await.error(
        400,
        "invalid_request",
        "Missing required parameter: client_assertion",
    );
    let mut no_type = params[..4].to_vec();
    no_type.push(("client_assertion", &jwt));
    emu.form("/oauth/token", &no_type).await.error(
        400,
        "invalid_request",
        "Missing required parameter: client_assertion_type",
    );
    // The journal keeps no assertion.
    assert!(!emu.get("/__emu/journal").await.text().contains(&jwt));
}

#[tokio::test]
async fn other_algorithms_two_keys_and_expiry() {
    let emu = start().await;
    let (first, second) = (test_client_key(), other_client_key());
    for alg in ["PS256", "RS384"] {
        let id = format!("{}-client", alg.to_ascii_lowercase());
        let keys = json!([{"pem": public_pem(first), "alg": alg}]);
        let client = json!({"client_id": id, "auth_method": "private_key_jwt", "jwt_keys": keys});
        assert_eq!(emu.control("/__emu/clients", client).await.status, 201);
        let resp = login(&emu, &id, NOMFA, &signed(&emu, &id, alg, first, json!({}), json!({})), &[]).await;
        assert_eq!(resp.status, 200, "{alg}: {}", resp.text());
        let resp = login(&emu, &id, NOMFA, &signed(&emu, &id, "RS256", first, json!({}), json!({})), &[]).await;
        resp.error(401, "invalid_client", "Invalid client assertion: alg is not the credential's algorithm");
    }

    // Two keys: one with a kid, one without, which gets its RFC 7638 thumbprint; the first expires in a minute.
    let keys = json!([
        {"pem": public_pem(first), "kid": "k1", "expires_at": T0 + 60},
        {"pem": public_pem(second)},
    ]);
    let client = json!({"client_id": "two-keys", "jwt_keys": keys});
    assert_eq!(emu.control("/__emu/clients", client).await.status, 201);
    let listed = emu.get("/__emu/clients/two-keys").await.json();
    assert_eq!(listed["auth_method"], "private_key_jwt");
    assert_eq!(listed["confidential"], true);
    let thumbprint = rsa_thumbprint(second);
    assert_eq!(
        listed["jwt_keys"],
        json!([{"kid": "k1", "alg": "RS256", "bits": 2048, "expires_at": T0 + 60},
               {"kid": thumbprint, "alg": "RS256", "bits": 2048, "expires_at": null}])
    );
    let assert_ok = |key: &'static rsa::RsaPrivateKey, header: Value, now: i64| {
        let emu = &emu;
        async move {
            let claims = merged(assertion_claims(&emu.url, "two-keys", now), json!({}));
            let jwt = sign_rsa(key, "RS256", &merged(json!({"alg": "RS256"}), header), &claims);
            login(emu, "two-keys", NOMFA, &jwt, &[]).await
        }
    };
    assert_eq!(assert_ok(first, json!({"kid": "k1"}), T0).await.status, 200);
    assert_eq!(assert_ok(first, json!({}), T0).await.status, 200, "without a kid each key is tried");
    assert_eq!(assert_ok(second, json!({"kid": thumbprint}), T0).await.status, 200);
    assert_eq!(assert_ok(second, json!({}), T0).await.status, 200);
    assert_ok(second, json!({"kid": "k1"}), T0).await.error(
        401,
        "invalid_client",
        "Invalid client assertion: the signature does not verify",
    );
    // Once expired, the first key is skipped.
    emu.advance(60).await;
    assert_ok(first, json!({"kid": "k1"}), T0 + 60).await.error(
        401,
        "invalid_client",
        "Invalid client assertion: no active credential for its kid",
    );
    assert_ok(first, json!({}), T0 + 60).await.error(
        401,
        "invalid_client",
        "Invalid client assertion: the signature does not verify",
    );
    assert_eq!(assert_ok(second, json!({}), T0 + 60).await.status, 200);
}

#[tokio::test]
async fn keys_are_validated_and_clients_can_switch() {
    let emu = start().await;
    let pem = public_pem(test_client_key());
    let small = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 1024).expect("a small key");
    for (client, message) in [
        (
            json!({"jwt_keys": [{"pem": pem}, {"pem": pem, "kid": "b"}, {"pem": pem, "kid": "c"}]}),
            "client bad: a private_key_jwt client needs 1-2 jwt_keys",
        ),
        (json!({"auth_method": "private_key_jwt"}), "client bad: a private_key_jwt client needs 1-2 jwt_keys"),
        (json!({"jwt_keys": [{"pem": pem}, {"pem": pem}]}), ""),
        (
            json!({"jwt_keys": [{"pem": public_pem(&small)}]}),
            "client bad: jwt_keys[].pem must be an RSA key of 2048-4096 bits, not 1024",
        ),
        (
            json!({"jwt_keys": [{"pem": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"}]}),
            "client bad: jwt_keys[].pem must be an RSA public key in PEM (BEGIN PUBLIC KEY)",
        ),
        (
            json!({"jwt_keys": [{"pem": pem, "alg": "ES256"}]}),
            "client bad: jwt_keys[].alg must be RS256, RS384 or PS256, not ES256",
        ),
        (
            json!({"jwt_keys": [{"pem": pem}], "client_secret": "s", "auth_method": "private_key_jwt"}),
            "client bad: a private_key_jwt client authenticates with jwt_keys only; remove client_secret",
        ),
        (
            json!({"jwt_keys": [{"pem": pem}], "auth_method": "none"}),
            "client bad: jwt_keys need auth_method private_key_jwt",
        ),
        (
            json!({"auth_method": "tls_client_auth"}),
            "unknown auth_method tls_client_auth: use none, client_secret_post, client_secret_basic or private_key_jwt",
        ),
    ] {
        let body = merged(json!({"client_id": "bad"}), client.clone());
        let resp = emu.control("/__emu/clients", body).await;
        assert_eq!(
            (resp.status, resp.json()["error"].as_str()),
            (400, Some("invalid_request")),
            "{client}: {}",
            resp.text()
        );
        if !message.is_empty() {
            assert_eq!(resp.json()["error_description"], message);
        }
    }
    assert_eq!(emu.control("/__emu/clients", json!({"client_id": SERVER, "auth_method": "none"})).await.status, 409);

    // The secret client becomes a private_key_jwt one: its secret no longer works, an assertion does.
    let update = json!({"auth_method": "private_key_jwt", "client_secret": null, "jwt_keys": [{"pem": pem}]});
    assert_eq!(emu.client_settings(SERVER, update).await["auth_method"], "private_key_jwt");
    let secret = [
        ("grant_type", "password"),
        ("username", NOMFA),
        ("password", PASSWORD),
        ("client_id", SERVER),
        ("client_secret", SERVER_SECRET),
    ];
    emu.form("/oauth/token", &secret).await.error(401, "access_denied", "Unauthorized");
    let jwt = signed(&emu, SERVER, "RS256", test_client_key(), json!({}), json!({}));
    assert_eq!(login(&emu, SERVER, NOMFA, &jwt, &[]).await.status, 200);
    // And back; a reset restores the seed too.
    let back = json!({"auth_method": "client_secret_post", "client_secret": SERVER_SECRET, "jwt_keys": null});
    assert_eq!(emu.client_settings(SERVER, back).await["auth_method"], "client_secret_post");
    assert_eq!(emu.form("/oauth/token", &secret).await.status, 200);
    // Discovery names the method and its algorithms.
    let discovery = emu.get("/.well-known/openid-configuration").await.json();
    assert!(
        discovery["token_endpoint_auth_methods_supported"]
            .as_array()
            .is_some_and(|m| m.contains(&json!("private_key_jwt")))
    );
    assert_eq!(discovery["token_endpoint_auth_signing_alg_values_supported"], json!(["RS256", "RS384", "PS256"]));
}

#[tokio::test]
async fn public_url_is_the_audience() {
    let config = auth0_mfa_emulator::Config { public_url: Some("https://emu.test".into()), ..Default::default() };
    let emu = start_with(config).await;
    let claims = assertion_claims("https://emu.test", JWT_CLIENT, T0);
    let jwt = sign_rsa(test_client_key(), "RS256", &json!({"alg": "RS256"}), &claims);
    assert_eq!(login(&emu, JWT_CLIENT, NOMFA, &jwt, &[]).await.status, 200);
    let loopback = assertion(&emu.url, T0);
    refused(
        &login(&emu, JWT_CLIENT, NOMFA, &loopback, &[]).await,
        "Invalid client assertion: aud must be the tenant's URL",
        &loopback,
    );
}

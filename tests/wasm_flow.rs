//! The login flow through the JavaScript facade (`MfaClient`) over the real global `fetch`, against the local
//! emulator that `cargo xtask test` starts and names in `AUTH0_MFA_EMULATOR_URL`. Runs in Chromium, Firefox, a
//! dedicated worker and Node. Each test makes its own user (and, in browsers, a client allowed for the test page's
//! origin), so tests never share server state.
#![cfg(target_arch = "wasm32")]

use auth0_mfa_wasm::js::MfaClient;
use auth0_mfa_wasm::otp::{Secret, Totp};
use js_sys::{Array, Function, JSON, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

const PASSWORD: &str = "Corr3ct horse battery";

fn emulator() -> &'static str {
    // `cargo xtask test` starts the emulator and compiles its URL in; without it these tests cannot run.
    match option_env!("AUTH0_MFA_EMULATOR_URL") {
        Some(url) => url,
        None => panic!("AUTH0_MFA_EMULATOR_URL must name a running emulator (run `cargo xtask test`)"),
    }
}

fn get(value: &JsValue, name: &str) -> JsValue {
    Reflect::get(value, &name.into()).unwrap()
}

fn text(value: &JsValue, name: &str) -> String {
    get(value, name).as_string().unwrap_or_else(|| panic!("{name} is not a string"))
}

fn json(source: &str) -> JsValue {
    JSON::parse(source).unwrap()
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", (js_sys::Math::random() * 1e12) as u64)
}

fn in_browser() -> bool {
    Reflect::has(&js_sys::global(), &"location".into()).unwrap()
        && !Reflect::has(&js_sys::global(), &"process".into()).unwrap()
}

/// The control plane, through the global `fetch`.
async fn control(method: &str, path: &str, body: Option<String>) -> JsValue {
    let init = Object::new();
    Reflect::set(&init, &"method".into(), &method.into()).unwrap();
    if let Some(body) = body {
        Reflect::set(&init, &"body".into(), &body.into()).unwrap();
        Reflect::set(&init, &"headers".into(), &json(r#"{"content-type":"application/json"}"#)).unwrap();
    }
    let fetch: Function = get(&js_sys::global(), "fetch").dyn_into().unwrap();
    let url = format!("{}{path}", emulator());
    let response =
        JsFuture::from(fetch.call2(&JsValue::UNDEFINED, &url.into(), &init).unwrap().dyn_into::<Promise>().unwrap())
            .await
            .expect("control plane reachable");
    let status = get(&response, "status").as_f64().unwrap();
    let body = JsFuture::from(
        get(&response, "text").dyn_into::<Function>().unwrap().call0(&response).unwrap().dyn_into::<Promise>().unwrap(),
    )
    .await
    .unwrap()
    .as_string()
    .unwrap();
    assert!(status < 400.0, "{method} {path} answered {status}: {body}");
    if body.is_empty() { JsValue::NULL } else { json(&body) }
}

/// A fresh user with the given authenticators (JSON array text) and a client allowed for this origin.
async fn setup(authenticators: &str, extra_user_fields: &str) -> (String, String) {
    let username = unique("user") + "@example.com";
    control(
        "POST",
        "/__emu/users",
        Some(format!(
            r#"{{"username":"{username}","password":"{PASSWORD}","authenticators":{authenticators}{extra_user_fields}}}"#
        )),
    )
    .await;
    let client_id = unique("client");
    let origin = if in_browser() { text(&get(&js_sys::global(), "location"), "origin") } else { String::new() };
    let origins = if origin.is_empty() { "[]".to_owned() } else { format!(r#"["{origin}"]"#) };
    control(
        "POST",
        "/__emu/clients",
        Some(format!(r#"{{"client_id":"{client_id}","auth_method":"none","allowed_origins":{origins}}}"#)),
    )
    .await;
    (username, client_id)
}

fn client(client_id: &str, extra: &[(&str, JsValue)]) -> MfaClient {
    let options = Object::new();
    Reflect::set(&options, &"domain".into(), &emulator().into()).unwrap();
    Reflect::set(&options, &"clientId".into(), &client_id.into()).unwrap();
    for (name, value) in extra {
        Reflect::set(&options, &(*name).into(), value).unwrap();
    }
    MfaClient::new(options.into()).expect("client options are valid")
}

async fn ok(promise: Promise) -> JsValue {
    match JsFuture::from(promise).await {
        Ok(value) => value,
        Err(error) => panic!("step failed: {} {}", text(&error, "code"), text(&error, "message")),
    }
}

/// The rejection's `code`, after checking it is a typed error.
async fn fails(promise: Promise) -> JsValue {
    let error = JsFuture::from(promise).await.expect_err("the step should fail");
    assert!(error.is_instance_of::<js_sys::Error>());
    assert_eq!(text(&error, "name"), "Auth0MfaError");
    error
}

async fn code_of(promise: Promise) -> String {
    text(&fails(promise).await, "code")
}

async fn login_to_mfa(client: &MfaClient, username: &str) {
    let result = ok(client.login(username.into(), PASSWORD.into())).await;
    assert_eq!(text(&result, "stage"), "mfa_required");
    assert_eq!(client.stage(), "mfa_required");
}

/// The emulator's clock in milliseconds: TOTP codes must be computed at the server's time.
async fn emulator_now_ms() -> f64 {
    get(&control("GET", "/__emu/clock", None).await, "now_ms").as_f64().unwrap()
}

async fn totp_code(secret: &str, offset_steps: f64) -> String {
    let totp = Totp::new(Secret::from_base32(secret).unwrap());
    let at_ms = emulator_now_ms().await + offset_steps * 30_000.0;
    totp.generate((at_ms / 1000.0) as u64)
}

/// The newest code the emulator "sent" to `username`.
async fn outbox_code(username: &str) -> String {
    let messages: Array = control("GET", &format!("/__emu/outbox?user={username}"), None).await.dyn_into().unwrap();
    assert!(messages.length() > 0, "nothing was sent to {username}");
    text(&messages.get(messages.length() - 1), "code")
}

fn assert_tokens(tokens: &JsValue) {
    let access = text(tokens, "accessToken");
    assert_eq!(access.split('.').count(), 3, "the access token is a JWT");
    assert_eq!(text(tokens, "tokenType"), "Bearer");
    assert!(get(tokens, "expiresIn").as_f64().unwrap() > 0.0);
}

const SEEDED_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

fn otp_user() -> String {
    format!(r#"[{{"type":"otp","secret":"{SEEDED_SECRET}"}}]"#)
}

#[wasm_bindgen_test]
async fn otp_enrollment_with_our_own_totp() {
    let (username, client_id) = setup("[]", "").await;
    let client = client(&client_id, &[]);
    login_to_mfa(&client, &username).await;
    let list = ok(client.authenticators()).await;
    assert_eq!(get(&list, "active").dyn_into::<Array>().unwrap().length(), 0);
    let enrollment = ok(client.enroll(json(r#"{"type":"otp"}"#))).await;
    assert_eq!(client.stage(), "enrolling");
    let secret = text(&enrollment, "secret");
    assert!(text(&enrollment, "barcodeUri").starts_with("otpauth://totp/"));
    assert_eq!(text(&get(&enrollment, "otp"), "secret"), secret);
    assert_eq!(get(&enrollment, "recoveryCodes").dyn_into::<Array>().unwrap().length(), 1, "first enrollment");
    let tokens = ok(client.verify_otp(totp_code(&secret, 0.0).await.into())).await;
    assert_tokens(&tokens);
    assert_eq!(client.stage(), "authenticated");
}

#[wasm_bindgen_test]
async fn otp_challenge_wrong_code_then_right_code() {
    let (username, client_id) = setup(&otp_user(), "").await;
    let client = client(&client_id, &[]);
    login_to_mfa(&client, &username).await;
    let challenge = ok(client.challenge(json(r#"{"type":"otp"}"#))).await;
    assert_eq!(text(&challenge, "challengeType"), "otp");
    let wrong = fails(client.verify_otp("000000".into())).await;
    assert_eq!(text(&wrong, "code"), "invalid_code");
    assert_eq!(get(&wrong, "retryable").as_bool(), Some(true));
    assert!(!text(&wrong, "message").contains("000000"), "the code is not in the message");
    assert_eq!(client.stage(), "challenged", "a wrong code keeps the stage");
    let tokens = ok(client.verify_otp(totp_code(SEEDED_SECRET, 0.0).await.into())).await;
    assert_tokens(&tokens);
}

#[wasm_bindgen_test]
async fn sms_and_voice_enrollment_and_challenge_with_outbox_codes() {
    for channel in ["sms", "voice"] {
        let (username, client_id) = setup("[]", "").await;
        let client = client(&client_id, &[]);
        login_to_mfa(&client, &username).await;
        let request = format!(r#"{{"type":"{channel}","phoneNumber":"+15555550123"}}"#);
        let enrollment = ok(client.enroll(json(&request))).await;
        assert_eq!(get(&enrollment, "bindingRequired").as_bool(), Some(true));
        assert_tokens(&ok(client.verify_oob(outbox_code(&username).await.into())).await);

        // Next login: challenge the confirmed authenticator by id.
        let client = self::client(&client_id, &[]);
        login_to_mfa(&client, &username).await;
        let list = ok(client.authenticators()).await;
        let active: Array = get(&list, "active").dyn_into().unwrap();
        let target = active.iter().find(|a| text(a, "type") == channel).expect("the enrolled authenticator");
        let challenge = ok(client.challenge(text(&target, "id").into())).await;
        assert_eq!(text(&challenge, "challengeType"), "oob");
        assert_eq!(get(&challenge, "bindingRequired").as_bool(), Some(true));
        assert_tokens(&ok(client.verify_oob(outbox_code(&username).await.into())).await);
    }
}

#[wasm_bindgen_test]
async fn email_enrollment_and_challenge() {
    let (username, client_id) = setup("[]", "").await;
    let client = client(&client_id, &[]);
    login_to_mfa(&client, &username).await;
    let enrollment = ok(client.enroll(json(r#"{"type":"email","email":"second@example.com"}"#))).await;
    assert_eq!(text(&enrollment, "oobChannel"), "email");
    assert_tokens(&ok(client.verify_oob(outbox_code(&username).await.into())).await);
    let client = self::client(&client_id, &[]);
    login_to_mfa(&client, &username).await;
    ok(client.authenticators()).await;
    let challenge = ok(client.challenge(json(r#"{"type":"email"}"#))).await;
    assert_eq!(get(&challenge, "bindingRequired").as_bool(), Some(true));
    assert_tokens(&ok(client.verify_oob(outbox_code(&username).await.into())).await);
}

fn push_options(interval_ms: u32, timeout_ms: u32, extra: &[(&str, JsValue)]) -> Option<JsValue> {
    let options = Object::new();
    Reflect::set(&options, &"intervalMs".into(), &interval_ms.into()).unwrap();
    Reflect::set(&options, &"timeoutMs".into(), &timeout_ms.into()).unwrap();
    for (name, value) in extra {
        Reflect::set(&options, &(*name).into(), value).unwrap();
    }
    Some(options.into())
}

#[wasm_bindgen_test]
async fn push_enrollment_then_challenge_approved_and_rejected() {
    let (username, client_id) = setup("[]", "").await;
    let client = client(&client_id, &[]);
    login_to_mfa(&client, &username).await;
    let enrollment = ok(client.enroll(json(r#"{"type":"push"}"#))).await;
    assert_eq!(get(&enrollment, "bindingRequired").as_bool(), Some(false));
    assert!(text(&enrollment, "barcodeUri").starts_with("otpauth://"));
    control("POST", &format!("/__emu/pushes/latest/approve?user={username}"), None).await;
    assert_tokens(&ok(client.wait_for_push(push_options(1000, 20_000, &[]))).await);

    // Challenge: approved.
    let client = self::client(&client_id, &[]);
    login_to_mfa(&client, &username).await;
    ok(client.authenticators()).await;
    let challenge = ok(client.challenge(json(r#"{"type":"push"}"#))).await;
    assert_eq!(text(&challenge, "challengeType"), "oob");
    assert_eq!(get(&challenge, "bindingRequired").as_bool(), Some(false));
    control("POST", &format!("/__emu/pushes/latest/approve?user={username}"), None).await;
    assert_tokens(&ok(client.wait_for_push(push_options(1000, 20_000, &[]))).await);

    // Challenge: rejected.
    let client = self::client(&client_id, &[]);
    login_to_mfa(&client, &username).await;
    ok(client.authenticators()).await;
    ok(client.challenge(json(r#"{"type":"push"}"#))).await;
    control("POST", &format!("/__emu/pushes/latest/reject?user={username}"), None).await;
    assert_eq!(code_of(client.wait_for_push(push_options(1000, 20_000, &[]))).await, "push_rejected");
    assert_eq!(client.stage(), "mfa_required", "another factor can be tried");
}

#[wasm_bindgen_test]
async fn push_polling_backs_off_on_slow_down_then_times_out() {
    let (username, client_id) = setup(r#"[{"type":"push","name":"Phone"}]"#, "").await;
    let client = client(&client_id, &[]);
    login_to_mfa(&client, &username).await;
    ok(client.authenticators()).await;
    ok(client.challenge(json(r#"{"type":"push"}"#))).await;
    let polls = Array::new();
    let record = {
        let polls = polls.clone();
        wasm_bindgen::closure::Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            polls.push(&event);
        })
    };
    let on_poll: &Function = record.as_ref().unchecked_ref();
    // Polls at 1 s (pending) and 2 s (slow_down: under 5 s apart), then the interval grows to 6 s: the poll at 8 s
    // is pending, and the next would end after 9 s, so the wait gives up.
    let error = fails(client.wait_for_push(push_options(1000, 9000, &[("onPoll", on_poll.clone().into())]))).await;
    assert_eq!(text(&error, "code"), "push_timeout");
    let slow: Vec<bool> = polls.iter().map(|p| get(&p, "slowDown").as_bool().unwrap()).collect();
    let intervals: Vec<f64> = polls.iter().map(|p| get(&p, "nextIntervalMs").as_f64().unwrap()).collect();
    assert_eq!(slow, [false, true, false], "pending, slow_down, pending");
    assert_eq!(intervals, [1000.0, 6000.0, 6000.0], "+5 s after slow_down");
    assert_eq!(client.stage(), "challenged", "a timeout keeps the challenge");
    // Still answerable after the timeout.
    control("POST", &format!("/__emu/pushes/latest/approve?user={username}"), None).await;
    assert_tokens(&ok(client.wait_for_push(push_options(6000, 20_000, &[]))).await);
}

#[wasm_bindgen_test]
async fn push_abort_and_expiry() {
    let (username, client_id) = setup(r#"[{"type":"push","name":"Phone"}]"#, "").await;
    let client = client(&client_id, &[]);
    login_to_mfa(&client, &username).await;
    ok(client.authenticators()).await;
    ok(client.challenge(json(r#"{"type":"push"}"#))).await;
    let controller: Object = js_sys::Reflect::construct(
        &get(&js_sys::global(), "AbortController").dyn_into::<Function>().unwrap(),
        &Array::new(),
    )
    .unwrap()
    .dyn_into()
    .unwrap();
    let signal = get(&controller, "signal");
    // A long interval: the abort must cut the wait short, not wait for the next poll.
    let started = js_sys::Date::now();
    let waiting = client.wait_for_push(push_options(20_000, 60_000, &[("signal", signal)]));
    let abort: Function = get(&controller, "abort").dyn_into().unwrap();
    let set_timeout: Function = get(&js_sys::global(), "setTimeout").dyn_into().unwrap();
    set_timeout.call2(&JsValue::UNDEFINED, &abort.bind0(&controller), &300.into()).unwrap();
    assert_eq!(client.stage(), "challenged", "readable while the wait runs");
    assert_eq!(code_of(waiting).await, "aborted");
    let waited = js_sys::Date::now() - started;
    assert!(waited < 5_000.0, "aborted after {waited} ms");
    assert_eq!(client.stage(), "challenged");
    let fake = json(r#"{"aborted":false}"#);
    assert_eq!(code_of(client.wait_for_push(push_options(1000, 5000, &[("signal", fake)]))).await, "invalid_option");
    // The push (and the mfa_token) expire after 5 minutes of emulator time.
    control("POST", "/__emu/clock", Some(r#"{"advance":301}"#.into())).await;
    let error = fails(client.wait_for_push(push_options(1000, 20_000, &[]))).await;
    assert_eq!(text(&error, "code"), "mfa_token_expired");
    assert_eq!(get(&error, "restartRequired").as_bool(), Some(true));
    assert_eq!(client.stage(), "failed");
    control("POST", "/__emu/clock", Some(r#"{"advance":-301}"#.into())).await;
    assert!(!username.is_empty());
}

#[wasm_bindgen_test]
async fn recovery_code_login_rotates_the_code() {
    let (username, client_id) = setup(&otp_user(), r#","recovery_code":"ABCDEFGHJKLMNPQRSTUVWXYZ""#).await;
    let client = client(&client_id, &[]);
    login_to_mfa(&client, &username).await;
    let tokens = ok(client.verify_recovery_code("abcd-efgh-jklm-npqr-stuv-wxyz".into())).await;
    assert_tokens(&tokens);
    let new_code = text(&tokens, "recoveryCode");
    assert_eq!(new_code.len(), 24);
    assert_ne!(new_code, "ABCDEFGHJKLMNPQRSTUVWXYZ");
    let client = self::client(&client_id, &[]);
    login_to_mfa(&client, &username).await;
    assert_eq!(code_of(client.verify_recovery_code("ABCDEFGHJKLMNPQRSTUVWXYZ".into())).await, "invalid_code");
    assert_tokens(&ok(client.verify_recovery_code(new_code.into())).await);
}

#[wasm_bindgen_test]
async fn password_realm_and_save_restore_between_steps() {
    let (username, client_id) = setup(&otp_user(), "").await;
    let realm = [("realm", JsValue::from_str("Username-Password-Authentication"))];
    let first = client(&client_id, &realm);
    login_to_mfa(&first, &username).await;
    let state = first.save().unwrap();
    assert!(!state.contains(PASSWORD), "the password is not kept");
    let options = Object::new();
    Reflect::set(&options, &"domain".into(), &emulator().into()).unwrap();
    Reflect::set(&options, &"clientId".into(), &client_id.as_str().into()).unwrap();
    let second = MfaClient::restore(state.into(), options.into()).unwrap();
    assert_eq!(second.stage(), "mfa_required");
    assert_tokens(&ok(second.verify_otp(totp_code(SEEDED_SECRET, 0.0).await.into())).await);
}

#[wasm_bindgen_test]
async fn confidential_client_with_secret() {
    let (username, _) = setup(&otp_user(), "").await;
    let client_id = unique("server");
    let origin = if in_browser() { text(&get(&js_sys::global(), "location"), "origin") } else { String::new() };
    control(
        "POST",
        "/__emu/clients",
        Some(format!(
            r#"{{"client_id":"{client_id}","client_secret":"s3cret-value","auth_method":"client_secret_post","allowed_origins":["{origin}"]}}"#
        )),
    )
    .await;
    let secret = ("clientSecret", JsValue::from_str("s3cret-value"));
    let has = |name: &str| Reflect::has(&js_sys::global(), &name.into()).unwrap();
    if has("document") || has("importScripts") {
        let options = Object::new();
        Reflect::set(&options, &"domain".into(), &emulator().into()).unwrap();
        Reflect::set(&options, &"clientId".into(), &client_id.as_str().into()).unwrap();
        Reflect::set(&options, &"clientSecret".into(), &secret.1).unwrap();
        let refused = MfaClient::new(options.into()).err().expect("a secret in a page is refused");
        assert_eq!(text(&refused, "code"), "client_secret_in_browser");
        assert!(!text(&refused, "message").contains("s3cret"));
    }
    let client = client(&client_id, &[secret, ("allowClientSecretInBrowser", true.into())]);
    login_to_mfa(&client, &username).await;
    assert_tokens(&ok(client.verify_otp(totp_code(SEEDED_SECRET, 0.0).await.into())).await);
    let wrong =
        self::client(&client_id, &[("clientSecret", "wrong".into()), ("allowClientSecretInBrowser", true.into())]);
    let error = fails(wrong.login(username.into(), PASSWORD.into())).await;
    assert_eq!(text(&error, "code"), "access_denied");
    assert!(!text(&error, "message").contains("wrong"));
}

#[wasm_bindgen_test]
async fn wrong_password_then_brute_force_block() {
    let (username, client_id) = setup(&otp_user(), "").await;
    let client = client(&client_id, &[]);
    let error = fails(client.login(username.clone().into(), "not the password".into())).await;
    assert_eq!(text(&error, "code"), "invalid_credentials");
    assert!(!text(&error, "message").contains("not the password"));
    assert_eq!(client.stage(), "start");
    for _ in 1..10 {
        assert_eq!(code_of(client.login(username.clone().into(), "nope".into())).await, "invalid_credentials");
    }
    let blocked = fails(client.login(username.clone().into(), PASSWORD.into())).await;
    assert_eq!(text(&blocked, "code"), "too_many_attempts");
    assert_eq!(get(&blocked, "status").as_f64(), Some(429.0));
}

#[wasm_bindgen_test]
async fn expired_mfa_token_sends_the_user_back_to_start() {
    let (username, client_id) = setup(&otp_user(), "").await;
    let client = client(&client_id, &[]);
    login_to_mfa(&client, &username).await;
    control("POST", "/__emu/clock", Some(r#"{"advance":301}"#.into())).await;
    let error = fails(client.authenticators()).await;
    control("POST", "/__emu/clock", Some(r#"{"advance":-301}"#.into())).await;
    assert_eq!(text(&error, "code"), "mfa_token_expired");
    assert_eq!(client.stage(), "failed");
    login_to_mfa(&client, &username).await;
}

#[wasm_bindgen_test]
async fn failed_code_bucket_runs_out_after_ten() {
    let (username, client_id) = setup(&otp_user(), "").await;
    let client = client(&client_id, &[]);
    login_to_mfa(&client, &username).await;
    for attempt in 0..10 {
        let code = code_of(client.verify_otp(format!("{:06}", 100_000 + attempt).into())).await;
        assert_eq!(code, "invalid_code", "attempt {attempt}");
    }
    let error = fails(client.verify_otp(totp_code(SEEDED_SECRET, 0.0).await.into())).await;
    assert_eq!(text(&error, "code"), "too_many_attempts");
    assert_eq!(client.stage(), "mfa_required");
}

/// CORS the way the emulator models Auth0: a preflight cannot know the client, so an origin some application allows
/// gets CORS headers and a readable `access_denied` from an application that does not allow it; an origin no
/// application allows gets no CORS headers, which a browser reports as a network failure.
#[wasm_bindgen_test]
async fn cors_refusal_in_browsers() {
    let (username, _) = setup(&otp_user(), "").await;
    let client_id = unique("elsewhere");
    control(
        "POST",
        "/__emu/clients",
        Some(format!(
            r#"{{"client_id":"{client_id}","auth_method":"none","allowed_origins":["https://elsewhere.example"]}}"#
        )),
    )
    .await;
    let client = client(&client_id, &[]);
    let result = JsFuture::from(client.login(username.clone().into(), PASSWORD.into())).await;
    if !in_browser() {
        // Node sends no Origin and enforces no CORS: the same login simply works.
        assert_eq!(text(&result.unwrap(), "stage"), "mfa_required");
        return;
    }
    let error = result.expect_err("the application does not allow this origin");
    assert_eq!(text(&error, "code"), "access_denied");
    assert!(text(&error, "description").contains("is not allowed"));
    assert_eq!(client.stage(), "failed", "denied: only a new login can help");
    // Back to the seed: no application allows this page's origin any more.
    control("POST", "/__emu/reset", None).await;
    let seeded = self::client("spa-client", &[]);
    let error = fails(seeded.login("otp@example.com".into(), "Passw0rd!".into())).await;
    assert_eq!(text(&error, "code"), "network_error");
    assert_eq!(seeded.stage(), "start");
}

/// Each fault once on `/oauth/token` (the OTP grant): the right typed error, the stage intact, and the same step
/// succeeding once the fault is gone.
#[wasm_bindgen_test]
async fn faults_give_typed_errors_and_keep_the_stage() {
    let faults: [(&str, &str); 6] = [
        (
            r#"{"status":500,"body":"{\"error\":\"server_error\",\"error_description\":\"boom\"}","headers":{"content-type":"application/json"}}"#,
            "server_error",
        ),
        (
            r#"{"status":502,"body":"<html><body>Bad Gateway</body></html>","headers":{"content-type":"text/html"}}"#,
            "invalid_response",
        ),
        (
            r#"{"truncate":true,"status":403,"body":"{\"error\":\"invalid_grant\",\"error_description\":\"Invalid otp_code.\"}"}"#,
            "invalid_response",
        ),
        (
            r#"{"status":429,"body":"{\"error\":\"too_many_requests\",\"error_description\":\"Too many requests\"}","headers":{"content-type":"application/json","x-ratelimit-reset":"4102444800"}}"#,
            "rate_limited",
        ),
        (r#"{"delay_ms":3000}"#, "timeout"),
        // Browsers retry a request once when a reused connection closes without an answer: drop every try.
        (r#"{"drop":true,"count":3}"#, "network_error"),
    ];
    let (username, client_id) = setup(&otp_user(), "").await;
    let client = client(&client_id, &[("timeoutMs", 1500.into())]);
    login_to_mfa(&client, &username).await;
    for (fault, expected) in faults {
        let fault = json(fault);
        Reflect::set(&fault, &"endpoint".into(), &"/oauth/token".into()).unwrap();
        if get(&fault, "count").is_undefined() {
            Reflect::set(&fault, &"count".into(), &1.into()).unwrap();
        }
        control("POST", "/__emu/faults", Some(JSON::stringify(&fault).unwrap().as_string().unwrap())).await;
        let error = fails(client.verify_otp("123456".into())).await;
        assert_eq!(text(&error, "code"), expected, "fault {:?}", JSON::stringify(&fault).unwrap());
        assert_eq!(get(&error, "retryable").as_bool(), Some(true), "{expected}");
        if expected == "rate_limited" {
            assert!(get(&error, "retryAfter").as_f64().unwrap() > 0.0);
        }
        assert_eq!(client.stage(), "mfa_required", "stage intact after {expected}");
        control("DELETE", "/__emu/faults", None).await;
    }
    assert_tokens(&ok(client.verify_otp(totp_code(SEEDED_SECRET, 0.0).await.into())).await);
}

#[wasm_bindgen_test]
async fn bad_arguments_are_typed_errors_and_steps_out_of_order_are_refused() {
    let (_, client_id) = setup("[]", "").await;
    let client = client(&client_id, &[]);
    assert_eq!(code_of(client.login(42.into(), PASSWORD.into())).await, "invalid_argument");
    let out_of_order = fails(client.verify_otp("123456".into())).await;
    assert_eq!(text(&out_of_order, "code"), "invalid_state");
    // The core names the step verify_otp; JavaScript reads the name it calls.
    assert_eq!(text(&out_of_order, "message"), "verifyOtp is not allowed in stage start");
    let error = fails(client.delete_authenticator("an-access-token".into(), "  ".into())).await;
    assert_eq!(text(&error, "message"), "invalid authenticatorId: is required");
    assert_eq!(code_of(client.enroll(json(r#"{"type":"fax"}"#))).await, "invalid_argument");
    let options = Object::new();
    Reflect::set(&options, &"domain".into(), &"http://example.com".into()).unwrap();
    Reflect::set(&options, &"clientId".into(), &"x".into()).unwrap();
    let refused = MfaClient::new(options.into()).err().expect("plain http is for localhost only");
    assert_eq!(text(&refused, "code"), "invalid_argument");
}

#[wasm_bindgen_test]
async fn mfa_api_token_lists_and_deletes_authenticators() {
    let (username, client_id) = setup(&otp_user(), "").await;
    let client = client(&client_id, &[("mfaApi", true.into())]);
    login_to_mfa(&client, &username).await;
    let tokens = ok(client.verify_otp(totp_code(SEEDED_SECRET, 0.0).await.into())).await;
    let access_token = text(&tokens, "accessToken");
    let scope = text(&tokens, "scope");
    assert!(scope.contains("remove:authenticators"), "{scope}");
    let before: Array = ok(client.list_authenticators(access_token.clone().into())).await.dyn_into().unwrap();
    let otp = before.iter().find(|a| text(a, "type") == "otp").expect("the seeded OTP authenticator");
    ok(client.delete_authenticator(access_token.clone().into(), text(&otp, "id").into())).await;
    let after: Array = ok(client.list_authenticators(access_token.clone().into())).await.dyn_into().unwrap();
    assert!(after.iter().all(|a| text(&a, "type") != "otp"), "the OTP authenticator is gone");
    // An ordinary access token (no MFA audience) may not delete.
    let plain = self::client(&client_id, &[]);
    // Without the dpop option there is no key to prove with.
    let error = fails(plain.delete_authenticator("not-a-token".into(), text(&otp, "id").into())).await;
    assert!(!text(&error, "message").contains("not-a-token"));
    assert_eq!(get(&error, "status").as_f64(), Some(401.0));
}

/// A custom `fetch` may answer anything; whatever it does, the step fails with a typed error, the stage is kept and
/// the same client works afterwards.
#[wasm_bindgen_test]
async fn a_hostile_custom_fetch_gives_typed_errors() {
    let (username, client_id) = setup(&otp_user(), "").await;
    let cases: [(&str, &str); 5] = [
        ("throw new Error('offline')", "network_error"),
        ("return 42", "network_error"),
        ("return Promise.reject('nope')", "network_error"),
        (
            "return { status: 200, headers: { [Symbol.iterator]() { throw new Error('x') } }, text: () => 'not json' }",
            "invalid_response",
        ),
        ("return { status: 200, headers: { length: 2 ** 32 }, text: () => Promise.resolve({}) }", "invalid_response"),
    ];
    for (body, expected) in cases {
        let hostile = Function::new_with_args("url, init", body);
        let client = client(&client_id, &[("fetch", hostile.into())]);
        assert_eq!(code_of(client.login(username.clone().into(), PASSWORD.into())).await, expected, "{body}");
        assert_eq!(client.stage(), "start", "{body}");
        assert_eq!(
            code_of(client.login(username.clone().into(), PASSWORD.into())).await,
            expected,
            "not stuck: {body}"
        );
    }
    // A well-behaved custom fetch (here, the global one) carries a whole login.
    let global_fetch: Function = get(&js_sys::global(), "fetch").dyn_into().unwrap();
    let client = client(&client_id, &[("fetch", global_fetch.bind0(&js_sys::global()).into())]);
    login_to_mfa(&client, &username).await;
}

const OFFLINE: &str = "openid profile email offline_access";

/// Changes settings of a client registered with `setup`.
async fn client_settings(client_id: &str, settings: &str) {
    control("POST", &format!("/__emu/clients/{client_id}"), Some(settings.to_owned())).await;
}

#[wasm_bindgen_test]
async fn refresh_rotates_and_mfa_on_refresh_walks_the_mfa_steps_again() {
    let (username, client_id) = setup(&otp_user(), "").await;
    let client = client(&client_id, &[("scope", OFFLINE.into())]);
    login_to_mfa(&client, &username).await;
    let first = text(&ok(client.verify_otp(totp_code(SEEDED_SECRET, 0.0).await.into())).await, "refreshToken");

    let refreshed = ok(client.refresh(first.as_str().into())).await;
    assert_eq!(text(&refreshed, "stage"), "authenticated");
    let second = text(&get(&refreshed, "tokens"), "refreshToken");
    assert_ne!(second, first, "rotated");

    client_settings(&client_id, r#"{"mfa_on_refresh":"always"}"#).await;
    let asked = ok(client.refresh(second.as_str().into())).await;
    assert_eq!(text(&asked, "stage"), "mfa_required");
    assert_eq!(client.stage(), "mfa_required");
    // The next step's code: the last one was used.
    control("POST", "/__emu/clock", Some(r#"{"advance":30}"#.into())).await;
    let tokens = ok(client.verify_otp(totp_code(SEEDED_SECRET, 0.0).await.into())).await;
    control("POST", "/__emu/clock", Some(r#"{"advance":-30}"#.into())).await;
    let third = text(&tokens, "refreshToken");
    assert!(third != second && third != first, "the MFA grant rotates it too");

    // The pre-MFA token is spent: using it again revokes the family.
    let reused = fails(client.refresh(second.as_str().into())).await;
    assert_eq!(text(&reused, "code"), "invalid_refresh_token");
    assert_eq!(get(&reused, "restartRequired").as_bool(), Some(true));
    assert!(!text(&reused, "message").contains(&second));
    assert_eq!(client.stage(), "failed");
    assert_eq!(code_of(client.refresh(third.as_str().into())).await, "invalid_refresh_token", "the family is revoked");
}

#[wasm_bindgen_test]
async fn dpop_login_with_a_key_pair_of_its_own_and_the_nonce() {
    let (username, client_id) = setup("[]", r#","mfa":false"#).await;
    client_settings(&client_id, r#"{"dpop":"allowed"}"#).await;
    let client = client(&client_id, &[("dpop", JsValue::TRUE), ("scope", OFFLINE.into())]);
    let result = ok(client.login(username.as_str().into(), PASSWORD.into())).await;
    let tokens = get(&result, "tokens");
    assert_eq!(text(&tokens, "tokenType"), "DPoP");
    let access = text(&tokens, "accessToken");
    // A public client must send the tenant's nonce: the first try was answered use_dpop_nonce and sent again.
    let journal = control("GET", "/__emu/journal?path=/oauth/token", None).await.dyn_into::<Array>().unwrap();
    let statuses: Vec<f64> =
        journal.iter().rev().take(2).map(|entry| get(&entry, "status").as_f64().unwrap()).collect();
    assert_eq!(statuses, [200.0, 400.0]);

    let refreshed = ok(client.refresh(text(&tokens, "refreshToken").into())).await;
    assert_eq!(text(&get(&refreshed, "tokens"), "tokenType"), "DPoP", "the bound refresh token, with the same key");

    let request = json(r#"{"method":"GET","url":"https://api.example.com/me?x=1"}"#);
    Reflect::set(&request, &"accessToken".into(), &access.as_str().into()).unwrap();
    let proof = ok(client.dpop_proof(request)).await.as_string().expect("a proof");
    assert_eq!(proof.split('.').count(), 3);
    let claims = JSON::parse(&String::from_utf8(base64_url(proof.split('.').nth(1).unwrap())).unwrap()).unwrap();
    assert_eq!(
        (text(&claims, "htm"), text(&claims, "htu")),
        ("GET".to_owned(), "https://api.example.com/me".to_owned())
    );
    assert!(get(&claims, "ath").is_string());
    let plain = self::client(&client_id, &[]);
    // Without the dpop option there is no key to prove with.
    assert_eq!(
        code_of(plain.dpop_proof(json(r#"{"method":"GET","url":"https://a.example/"}"#))).await,
        "invalid_option"
    );
}

#[wasm_bindgen_test]
async fn private_key_jwt_signs_every_client_request() {
    const PUBLIC: &str = include_str!("../emulator/keys/TEST-ONLY-client-assertion.public.pem");
    const PRIVATE: &str = include_str!("../emulator/keys/TEST-ONLY-client-assertion.private.pem");
    let (username, _) = setup(&otp_user(), "").await;
    let client_id = unique("jwt");
    let origin = if in_browser() { text(&get(&js_sys::global(), "location"), "origin") } else { String::new() };
    let origins = if origin.is_empty() { "[]".to_owned() } else { format!(r#"["{origin}"]"#) };
    let key = JSON::stringify(&PUBLIC.into()).unwrap().as_string().unwrap();
    control(
        "POST",
        "/__emu/clients",
        Some(format!(r#"{{"client_id":"{client_id}","allowed_origins":{origins},"jwt_keys":[{{"pem":{key}}}]}}"#)),
    )
    .await;
    // In a browser a signing key is refused unless the page says it means it, as a client secret is.
    let key_only = [("clientAssertionSigningKey", JsValue::from(PRIVATE))];
    if in_browser() {
        let options = json(&format!(r#"{{"domain":"{}","clientId":"{client_id}"}}"#, emulator()));
        Reflect::set(&options, &key_only[0].0.into(), &key_only[0].1).unwrap();
        let refused = MfaClient::new(options).err().expect("refused in a browser");
        assert_eq!(text(&refused, "code"), "client_secret_in_browser");
    }
    let signing = client(&client_id, &[key_only[0].clone(), ("allowClientSecretInBrowser", JsValue::TRUE)]);
    login_to_mfa(&signing, &username).await;
    ok(signing.challenge(json(r#"{"type":"otp"}"#))).await;
    assert_tokens(&ok(signing.verify_otp(totp_code(SEEDED_SECRET, 0.0).await.into())).await);

    let wrong = client(
        &client_id,
        &[("clientAssertionSigningKey", "not a key".into()), ("allowClientSecretInBrowser", JsValue::TRUE)],
    );
    let error = fails(wrong.login(username.as_str().into(), PASSWORD.into())).await;
    assert_eq!(text(&error, "code"), "invalid_option");
    assert!(text(&error, "message").starts_with("option clientAssertionSigningKey could not be used"));
}

/// Base64url without padding, decoded.
fn base64_url(text: &str) -> Vec<u8> {
    let standard: String = text
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    let padded = format!("{standard}{}", "=".repeat((4 - standard.len() % 4) % 4));
    let binary = js_sys::global().unchecked_into::<js_sys::Object>();
    let atob: Function = get(&binary, "atob").dyn_into().unwrap();
    atob.call1(&JsValue::UNDEFINED, &padded.into()).unwrap().as_string().unwrap().chars().map(|c| c as u8).collect()
}

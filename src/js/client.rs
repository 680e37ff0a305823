//! `MfaClient`: the login flow as JavaScript sees it. Every method returns a Promise; every failure rejects with an
//! `Auth0MfaError` carrying `code`, `status`, `error`, `description` and, where they apply, `retryAfter`,
//! `mfaToken` and `mfaRequirements`. A failed step leaves the flow where it was, unless the failure means the
//! login must start again.
//!
//! Each step keeps the flow borrowed across its awaits on purpose: every borrow is a `try_borrow`, so a second
//! step started while one is running is refused with `invalid_state` instead of racing on the `mfa_token`.
#![allow(clippy::await_holding_refcell_ref)]

use super::error::{invalid_argument, js_error};
use super::fetch::{AbortSignal, FetchClient};
use super::input::{self, MAX_TEXT_CHARS, Options};
use super::task::{self, StepFuture};
use crate::api::{
    AccessToken, Authenticator, AuthenticatorKind, ClientSecret, Config, ConfigOptions, Enrollment, MfaRequirements,
    OtpCode, Password, RecoveryCode, Tokens, associate::EnrollTarget,
};
use crate::error::Error;
use crate::flow::{ChallengeTarget, Flow, LoginOutcome, PushProgress, PushWaitOptions};
use crate::otp::KeyUri;
use core::future::Future;
use js_sys::{Array, Date, Function, Object, Promise, Reflect};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

type JsFlow = Flow<Rc<FetchClient>>;

/// Per-request timeout unless `timeoutMs` says otherwise.
const DEFAULT_TIMEOUT_MS: u32 = 30_000;

/// One password + MFA login against an Auth0 tenant (or the local emulator).
#[wasm_bindgen]
pub struct MfaClient {
    flow: Rc<RefCell<JsFlow>>,
    http: Rc<FetchClient>,
    /// The stage when the last step ended, readable while a step runs.
    settled_stage: Rc<Cell<&'static str>>,
}

/// Builds the `Error` JavaScript sees for a flow error.
pub(crate) fn flow_error(error: &Error) -> JsValue {
    let js = js_error(error.code(), &error.to_string());
    let set = |name: &str, value: JsValue| {
        let _ = Reflect::set(&js, &JsValue::from_str(name), &value);
    };
    if let Some(status) = error.status() {
        set("status", status.into());
    }
    if let Some(auth0_error) = error.auth0_error() {
        set("error", auth0_error.into());
    }
    if let Some(description) = error.description() {
        set("description", description.into());
    }
    if let Some(retry_after) = error.retry_after() {
        let now = (Date::now() / 1000.0) as u64;
        set("retryAfter", JsValue::from_f64(retry_after.seconds_from(now) as f64));
    }
    if let Some(mfa) = error.mfa_required() {
        // The caller may need it to continue by hand, but it must not show up in logs: not part of the message, and
        // not enumerable, so console.log, JSON.stringify and error reporters leave it out.
        let descriptor = Object::new();
        let _ = Reflect::set(&descriptor, &"value".into(), &mfa.mfa_token.expose().into());
        let target: &Object = js.unchecked_ref();
        Object::define_property(target, &"mfaToken".into(), &descriptor);
        set("mfaRequirements", requirements_js(mfa.requirements.as_ref()));
    }
    set("retryable", error.is_retryable().into());
    set("restartRequired", error.requires_restart().into());
    js
}

fn set(object: &Object, name: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(object, &JsValue::from_str(name), &value.into());
}

fn set_opt(object: &Object, name: &str, value: Option<impl Into<JsValue>>) {
    if let Some(value) = value {
        set(object, name, value);
    }
}

fn strings(values: impl IntoIterator<Item = impl AsRef<str>>) -> Array {
    values.into_iter().map(|v| JsValue::from_str(v.as_ref())).collect()
}

fn requirements_js(requirements: Option<&MfaRequirements>) -> JsValue {
    let Some(requirements) = requirements else { return JsValue::UNDEFINED };
    let object = Object::new();
    set_opt(&object, "challenge", requirements.challenge.as_ref().map(strings));
    set_opt(&object, "enroll", requirements.enroll.as_ref().map(strings));
    object.into()
}

fn tokens_js(tokens: &Tokens) -> JsValue {
    let object = Object::new();
    set(&object, "accessToken", tokens.access_token.expose());
    set(&object, "tokenType", tokens.token_type.as_deref().unwrap_or("Bearer"));
    set_opt(&object, "expiresIn", tokens.expires_in.map(|s| s as f64));
    set_opt(&object, "idToken", tokens.id_token.as_ref().map(|t| t.expose().to_owned()));
    set_opt(&object, "refreshToken", tokens.refresh_token.as_ref().map(|t| t.expose().to_owned()));
    set_opt(&object, "scope", tokens.scope.as_deref());
    set_opt(&object, "recoveryCode", tokens.recovery_code.as_ref().map(|c| c.expose().to_owned()));
    object.into()
}

fn authenticator_js(authenticator: &Authenticator) -> JsValue {
    let object = Object::new();
    set(&object, "id", authenticator.id.as_str());
    set(&object, "type", authenticator.kind.as_str());
    set(&object, "authenticatorType", authenticator.authenticator_type.as_str());
    set(&object, "active", authenticator.active);
    set_opt(&object, "oobChannel", authenticator.oob_channel.as_deref());
    set_opt(&object, "name", authenticator.name.as_deref());
    object.into()
}

fn enrollment_js(enrollment: &Enrollment) -> JsValue {
    let object = Object::new();
    set(&object, "type", enrollment.kind.as_str());
    set(&object, "authenticatorType", enrollment.authenticator_type.as_str());
    set_opt(&object, "secret", enrollment.secret.as_ref().map(|s| s.expose().to_owned()));
    if let Some(uri) = &enrollment.barcode_uri {
        set(&object, "barcodeUri", uri.expose());
        // OTP parameters for display and for `new Totp(…)`; push URIs carry no secret and are left unparsed.
        if let Ok(key) = KeyUri::parse(uri.expose())
            && let Ok(info) = super::otp::key_uri_info(&key)
        {
            set(&object, "otp", info);
        }
    }
    set_opt(&object, "oobChannel", enrollment.oob_channel.as_deref());
    set(&object, "bindingRequired", enrollment.binding_required());
    set(&object, "recoveryCodes", strings(enrollment.recovery_codes.iter().map(|c| c.expose().to_owned())));
    object.into()
}

fn kind_from_name(name: &str) -> Option<AuthenticatorKind> {
    Some(match name {
        "otp" => AuthenticatorKind::Otp,
        "sms" => AuthenticatorKind::Sms,
        "voice" => AuthenticatorKind::Voice,
        "email" => AuthenticatorKind::Email,
        "push" => AuthenticatorKind::Push,
        _ => return None,
    })
}

/// True in a browser page or a browser's web worker, where a client secret would be readable by the user. Pages
/// have `document`; browser workers have `importScripts`; Node and Cloudflare Workers have neither.
fn in_browser() -> bool {
    let global = js_sys::global();
    let has = |name: &str| Reflect::has(&global, &name.into()).unwrap_or(false);
    has("document") || has("importScripts")
}

fn config_from(options: &Options) -> Result<(Config, Option<Function>), JsValue> {
    let client_secret = options.text("clientSecret")?.filter(|s| !s.is_empty());
    if client_secret.is_some()
        && in_browser()
        && options.get("allowClientSecretInBrowser")?.and_then(|v| v.as_bool()) != Some(true)
    {
        return Err(js_error(
            "client_secret_in_browser",
            "a client secret must not be used in a browser; use a public (SPA) application, or set allowClientSecretInBrowser: true if you really mean to",
        ));
    }
    // A request that never answers would hold the login forever; setTimeout caps delays at 2^31 - 1 ms.
    let timeout_ms = options.count("timeoutMs", 1, i32::MAX as u64)?.map_or(DEFAULT_TIMEOUT_MS, |t| t as u32);
    let custom_fetch = match options.get("fetch")? {
        None => None,
        Some(value) => Some(
            value.dyn_into::<Function>().map_err(|_| super::error::invalid_option("fetch", "must be a function"))?,
        ),
    };
    let config = Config::new(ConfigOptions {
        domain: options.text("domain")?.unwrap_or_default(),
        client_id: options.text("clientId")?.unwrap_or_default(),
        client_secret: client_secret.map(ClientSecret::new),
        audience: options.text("audience")?,
        scope: options.text("scope")?,
        realm: options.text("realm")?,
        forwarded_for: options.text("forwardedFor")?,
        timeout_ms: Some(timeout_ms),
    })
    .map_err(|e| flow_error(&e))?;
    let config =
        if options.get("mfaApi")?.and_then(|v| v.as_bool()) == Some(true) { config.for_mfa_api() } else { config };
    Ok((config, custom_fetch))
}

fn text_arg(value: &JsValue, what: &str) -> Result<String, JsValue> {
    input::text(value, what, MAX_TEXT_CHARS)
}

impl MfaClient {
    fn with_flow(flow: JsFlow, http: Rc<FetchClient>) -> Self {
        let settled_stage = Rc::new(Cell::new(flow.stage().as_str()));
        MfaClient { flow: Rc::new(RefCell::new(flow)), http, settled_stage }
    }

    /// Runs one step on the flow. Two steps at once would race on the `mfa_token`; the second is refused.
    fn step<T, Fut>(&self, run: impl FnOnce(Rc<RefCell<JsFlow>>, Rc<FetchClient>) -> Fut + 'static) -> Promise
    where
        Fut: Future<Output = Result<T, JsValue>> + 'static,
        T: Into<JsValue>,
    {
        // Only constructs the step's future: nothing of it runs before the executor polls it.
        let run = run(self.flow.clone(), self.http.clone());
        // One boxed future type for every step, so the executor and the bookkeeping around a step are compiled
        // once rather than per method.
        self.spawn_step(Box::pin(async move { run.await.map(Into::into) }))
    }

    fn spawn_step(&self, run: StepFuture) -> Promise {
        let settled_stage = self.settled_stage.clone();
        let after = self.flow.clone();
        task::spawn(Box::pin(async move {
            let result = run.await;
            if let Ok(flow) = after.try_borrow() {
                settled_stage.set(flow.stage().as_str());
            }
            result
        }))
    }
}

/// Borrows the flow for one step, or refuses when another step is still running.
fn busy(flow: &RefCell<JsFlow>) -> Result<std::cell::RefMut<'_, JsFlow>, JsValue> {
    flow.try_borrow_mut().map_err(|_| still_running())
}

/// Borrows the flow for a step that does not change it.
fn shared(flow: &RefCell<JsFlow>) -> Result<std::cell::Ref<'_, JsFlow>, JsValue> {
    flow.try_borrow().map_err(|_| still_running())
}

fn still_running() -> JsValue {
    js_error("invalid_state", "another step of this login is still running")
}

#[wasm_bindgen]
impl MfaClient {
    /// Creates a client. Throws `invalid_argument` for a bad domain or client id, and `client_secret_in_browser`
    /// when a client secret is given in a browser page without `allowClientSecretInBrowser: true`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "MfaClientOptions")] options: JsValue,
    ) -> Result<MfaClient, JsValue> {
        let options = Options::required(&options, "options")?;
        let (config, custom_fetch) = config_from(&options)?;
        let http = Rc::new(FetchClient::new(custom_fetch));
        Ok(MfaClient::with_flow(Flow::new(config, http.clone()), http))
    }

    /// Continues a login saved with `save()`, under the same options as the client that saved it (a Worker
    /// carries the state between two requests; the client secret is never in the state).
    pub fn restore(
        #[wasm_bindgen(unchecked_param_type = "string")] state: JsValue,
        #[wasm_bindgen(unchecked_param_type = "MfaClientOptions")] options: JsValue,
    ) -> Result<MfaClient, JsValue> {
        let state = input::text(&state, "state", 256 * 1024)?;
        let options = Options::required(&options, "options")?;
        let (config, custom_fetch) = config_from(&options)?;
        let http = Rc::new(FetchClient::new(custom_fetch));
        let flow = Flow::restore_with_config(&state, config, http.clone()).map_err(|e| flow_error(&e))?;
        Ok(MfaClient::with_flow(flow, http))
    }

    /// The login state as a string for `MfaClient.restore`. It holds the short-lived `mfa_token` and any pending
    /// `oob_code`, never the password, client secret or tokens: keep it server-side or encrypted.
    pub fn save(&self) -> Result<String, JsValue> {
        Ok(busy(&self.flow)?.save())
    }

    /// `start`, `mfa_required`, `enrolling`, `challenged`, `authenticated` or `failed`. While a step runs: the
    /// stage it started from.
    #[wasm_bindgen(getter, unchecked_return_type = "Stage")]
    pub fn stage(&self) -> String {
        self.flow.try_borrow().map_or(self.settled_stage.get(), |f| f.stage().as_str()).to_owned()
    }

    /// `mfa_requirements` from the `mfa_required` answer, when Auth0 sent it.
    #[wasm_bindgen(getter, js_name = mfaRequirements, unchecked_return_type = "MfaRequirements | undefined")]
    pub fn mfa_requirements(&self) -> JsValue {
        self.flow.try_borrow().map(|f| requirements_js(f.mfa_requirements())).unwrap_or(JsValue::UNDEFINED)
    }

    /// Signs in with username and password. Resolves `{ stage: "authenticated", tokens }`, or
    /// `{ stage: "mfa_required", mfaRequirements }` when a second factor is needed. The password is not kept.
    #[wasm_bindgen(unchecked_return_type = "Promise<LoginResult>")]
    pub fn login(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] username: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] password: JsValue,
    ) -> Promise {
        let args = text_arg(&username, "username").and_then(|u| Ok((u, text_arg(&password, "password")?)));
        self.step(move |flow, _| async move {
            let (username, password) = args?;
            let mut flow = busy(&flow)?;
            let outcome = flow.login(&username, Password::new(password)).await.map_err(|e| flow_error(&e))?;
            let result = Object::new();
            match outcome {
                LoginOutcome::Authenticated(tokens) => {
                    set(&result, "stage", "authenticated");
                    set(&result, "tokens", tokens_js(&tokens));
                }
                LoginOutcome::MfaRequired(requirements) => {
                    set(&result, "stage", "mfa_required");
                    set(&result, "mfaRequirements", requirements_js(requirements.as_ref()));
                }
            }
            Ok(result)
        })
    }

    /// Lists the user's authenticators: `{ active, all }` (`all` includes unconfirmed enrollments).
    #[wasm_bindgen(unchecked_return_type = "Promise<AuthenticatorList>")]
    pub fn authenticators(&self) -> Promise {
        self.step(|flow, _| async move {
            let list = busy(&flow)?.authenticators().await.map_err(|e| flow_error(&e))?;
            let result = Object::new();
            set(&result, "active", list.active.iter().map(authenticator_js).collect::<Array>());
            set(&result, "all", list.all.iter().map(authenticator_js).collect::<Array>());
            Ok(result)
        })
    }

    /// Enrolls an authenticator: `{ type: "otp" }`, `{ type: "sms" | "voice", phoneNumber }`,
    /// `{ type: "email", email }` or `{ type: "push" }`. Confirm with `verifyOtp`, `verifyOob` or `waitForPush`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Enrollment>")]
    pub fn enroll(&self, #[wasm_bindgen(unchecked_param_type = "EnrollRequest")] request: JsValue) -> Promise {
        let target = enroll_target(&request);
        self.step(move |flow, _| async move {
            let target = target?;
            let enrollment = busy(&flow)?.enroll(target).await.map_err(|e| flow_error(&e))?;
            Ok(enrollment_js(&enrollment))
        })
    }

    /// Challenges an authenticator, by id (`"sms|dev_…"` or `{ authenticatorId }`) or by type (`{ type: "otp" }`).
    /// The right `challenge_type` is sent for it: `otp` for OTP, `oob` for SMS, voice, email and push.
    #[wasm_bindgen(unchecked_return_type = "Promise<ChallengeResult>")]
    pub fn challenge(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | ChallengeRequest")] target: JsValue,
    ) -> Promise {
        let target = challenge_target(&target);
        self.step(move |flow, _| async move {
            let target = target?;
            let started = busy(&flow)?.challenge(target).await.map_err(|e| flow_error(&e))?;
            let result = Object::new();
            set(&result, "type", started.kind.as_str());
            set_opt(&result, "authenticatorId", started.authenticator_id.as_deref());
            set(&result, "challengeType", started.challenge_type.as_str());
            set(&result, "bindingRequired", started.binding_required);
            Ok(result)
        })
    }

    /// Completes the login (or an OTP enrollment) with a code from an authenticator app.
    #[wasm_bindgen(js_name = verifyOtp, unchecked_return_type = "Promise<Tokens>")]
    pub fn verify_otp(&self, #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue) -> Promise {
        let code = text_arg(&code, "code");
        self.step(move |flow, _| async move {
            let code = OtpCode::new(code?);
            let tokens = busy(&flow)?.verify_otp(code).await.map_err(|e| flow_error(&e))?;
            Ok(tokens_js(&tokens))
        })
    }

    /// Completes an SMS, voice or email challenge or enrollment with the code the user received.
    #[wasm_bindgen(js_name = verifyOob, unchecked_return_type = "Promise<Tokens>")]
    pub fn verify_oob(&self, #[wasm_bindgen(unchecked_param_type = "string")] binding_code: JsValue) -> Promise {
        let code = text_arg(&binding_code, "bindingCode");
        self.step(move |flow, _| async move {
            let code = OtpCode::new(code?);
            let tokens = busy(&flow)?.verify_oob(code).await.map_err(|e| flow_error(&e))?;
            Ok(tokens_js(&tokens))
        })
    }

    /// Completes the login with a recovery code. The tokens carry `recoveryCode`, the user's new code: show it.
    #[wasm_bindgen(js_name = verifyRecoveryCode, unchecked_return_type = "Promise<Tokens>")]
    pub fn verify_recovery_code(&self, #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue) -> Promise {
        let code = text_arg(&code, "code");
        self.step(move |flow, _| async move {
            let code = RecoveryCode::new(code?);
            let tokens = busy(&flow)?.verify_recovery_code(code).await.map_err(|e| flow_error(&e))?;
            Ok(tokens_js(&tokens))
        })
    }

    /// Polls until the push notification is approved: keeps polling on `authorization_pending`, adds 5 s to the
    /// interval on each `slow_down`, and stops on approval, rejection (`push_rejected`), expiry, `timeoutMs`
    /// (`push_timeout`) or `signal` (`aborted`). `onPoll` hears about every unanswered poll.
    #[wasm_bindgen(js_name = waitForPush, unchecked_return_type = "Promise<Tokens>")]
    pub fn wait_for_push(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitForPushOptions")] options: Option<JsValue>,
    ) -> Promise {
        let parsed = push_options(options.as_ref());
        self.step(move |flow, http| async move {
            let (options, signal, on_poll) = parsed?;
            let mut flow = busy(&flow)?;
            http.set_signal(signal);
            let report = |progress: PushProgress| {
                if let Some(on_poll) = &on_poll {
                    let event = Object::new();
                    set(&event, "attempt", progress.attempt);
                    set(&event, "slowDown", progress.slow_down);
                    set(&event, "nextIntervalMs", progress.next_interval_ms as f64);
                    set(&event, "elapsedMs", progress.elapsed_ms as f64);
                    // A throwing callback must not end the wait.
                    let _ = on_poll.call1(&JsValue::UNDEFINED, &event);
                }
            };
            let aborted = || http.is_aborted();
            let now = || Date::now() as u64;
            let sleep = |ms| http.sleep(ms);
            let result = flow.wait_for_push(options, sleep, now, report, aborted).await;
            http.set_signal(None);
            Ok(tokens_js(&result.map_err(|e| flow_error(&e))?))
        })
    }

    /// Deletes an authenticator with an MFA-API access token (scope `remove:authenticators`). An `mfa_token` is
    /// not enough, as in Auth0: get the token by logging in with `mfaApi: true`.
    #[wasm_bindgen(js_name = deleteAuthenticator, unchecked_return_type = "Promise<void>")]
    pub fn delete_authenticator(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] access_token: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] authenticator_id: JsValue,
    ) -> Promise {
        let args = text_arg(&access_token, "accessToken")
            .and_then(|t| Ok((t, text_arg(&authenticator_id, "authenticatorId")?)));
        self.step(move |flow, _| async move {
            let (token, id) = args?;
            let flow = shared(&flow)?;
            flow.delete_authenticator(&AccessToken::new(token), &id).await.map_err(|e| flow_error(&e))?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Lists authenticators with an MFA-API access token (scope `read:authenticators`), independent of the login.
    #[wasm_bindgen(js_name = listAuthenticators, unchecked_return_type = "Promise<Authenticator[]>")]
    pub fn list_authenticators(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] access_token: JsValue,
    ) -> Promise {
        let token = text_arg(&access_token, "accessToken");
        self.step(move |flow, _| async move {
            let token = AccessToken::new(token?);
            let flow = shared(&flow)?;
            let list = flow.list_authenticators_with(&token).await.map_err(|e| flow_error(&e))?;
            Ok(list.iter().map(authenticator_js).collect::<Array>())
        })
    }

    /// Forgets the login and goes back to `start`, keeping the options.
    pub fn reset(&self) -> Result<(), JsValue> {
        let mut flow = busy(&self.flow)?;
        let config = flow.config().clone();
        *flow = Flow::new(config, self.http.clone());
        self.settled_stage.set(flow.stage().as_str());
        Ok(())
    }
}

fn enroll_target(request: &JsValue) -> Result<EnrollTarget, JsValue> {
    let options = Options::required(request, "request")?;
    let kind = options.text("type")?.ok_or_else(|| invalid_argument("request.type is required"))?;
    let text =
        |key: &'static str| options.text(key)?.ok_or_else(|| invalid_argument(&format!("request.{key} is required")));
    Ok(match kind.as_str() {
        "otp" => EnrollTarget::Otp,
        "sms" => EnrollTarget::Sms { phone_number: text("phoneNumber")? },
        "voice" => EnrollTarget::Voice { phone_number: text("phoneNumber")? },
        "email" => EnrollTarget::Email { email: text("email")? },
        "push" => EnrollTarget::Push,
        _ => return Err(invalid_argument("request.type must be otp, sms, voice, email or push")),
    })
}

fn challenge_target(target: &JsValue) -> Result<ChallengeTarget, JsValue> {
    if target.is_string() {
        return Ok(ChallengeTarget::Id(text_arg(target, "authenticatorId")?));
    }
    let options = Options::required(target, "target")?;
    if let Some(id) = options.text("authenticatorId")? {
        return Ok(ChallengeTarget::Id(id));
    }
    let kind = options.text("type")?.ok_or_else(|| invalid_argument("target needs authenticatorId or type"))?;
    kind_from_name(&kind)
        .map(ChallengeTarget::Kind)
        .ok_or_else(|| invalid_argument("target.type must be otp, sms, voice, email or push"))
}

type PushArgs = (PushWaitOptions, Option<AbortSignal>, Option<Function>);

fn push_options(options: Option<&JsValue>) -> Result<PushArgs, JsValue> {
    let options = Options::new(options, "options")?;
    let defaults = PushWaitOptions::default();
    let wait = PushWaitOptions {
        interval_ms: options.count("intervalMs", 1000, 3_600_000)?.unwrap_or(defaults.interval_ms),
        timeout_ms: options.count("timeoutMs", 1, 86_400_000)?.unwrap_or(defaults.timeout_ms),
    };
    let signal = match options.get("signal")? {
        None => None,
        Some(signal) => Some(
            super::fetch::follow_signal(signal)
                .ok_or_else(|| super::error::invalid_option("signal", "must be an AbortSignal"))?,
        ),
    };
    let on_poll = match options.get("onPoll")? {
        None => None,
        Some(f) => {
            Some(f.dyn_into::<Function>().map_err(|_| super::error::invalid_option("onPoll", "must be a function"))?)
        }
    };
    Ok((wait, signal, on_poll))
}

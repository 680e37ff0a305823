//! `MfaClient`: the login flow as JavaScript sees it. Every method returns a Promise; every failure rejects with an
//! `Auth0MfaError` carrying `code`, `status`, `error`, `description` and, where they apply, `retryAfter`,
//! `mfaToken` and `mfaRequirements`. A failed step leaves the flow where it was, unless the failure means the
//! login must start again.
//!
//! Each step keeps the flow borrowed across its awaits on purpose: every borrow is a `try_borrow`, so a second
//! step started while one is running is refused with `invalid_state` instead of racing on the `mfa_token`.
#![allow(clippy::await_holding_refcell_ref)]

use super::error::{flow_error, invalid_argument, invalid_option, js_error};
use super::fetch::{self, AbortSignal, FetchClient};
use super::input::{self, MAX_TEXT_CHARS, Options};
use super::keys::Keys;
use super::shapes;
use super::task::{self, StepFuture};
use crate::api::{
    AccessToken, AuthenticatorKind, ClientSecret, Config, ConfigOptions, OneTimeCode, Password, RecoveryCode,
    RefreshToken, associate::EnrollTarget,
};
use crate::code::ErrorCode;
use crate::flow::{ChallengeTarget, Flow, PushProgress, PushWaitOptions};
use core::future::Future;
use js_sys::{Date, Function, Promise, Reflect};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

type JsFlow = Flow<FetchClient>;

/// Per-request timeout unless `timeoutMs` says otherwise.
const DEFAULT_TIMEOUT_MS: u32 = 30_000;

/// One password + MFA login against an Auth0 tenant (or the local emulator).
#[wasm_bindgen]
pub struct MfaClient {
    flow: Rc<RefCell<JsFlow>>,
    /// The stage when the last step ended, readable while a step runs.
    stage_between_steps: Rc<Cell<&'static str>>,
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

/// The flow's config and its transport, from the client's options.
fn client_from(options: &Options) -> Result<(Config, FetchClient), JsValue> {
    let client_secret = options.text("clientSecret")?.filter(|s| !s.is_empty());
    let signing_key = options.get("clientAssertionSigningKey")?.is_some();
    if client_secret.is_some() && signing_key {
        return Err(invalid_option("clientSecret", "and clientAssertionSigningKey cannot both be given: choose one"));
    }
    if (client_secret.is_some() || signing_key)
        && in_browser()
        && options.get("allowClientSecretInBrowser")?.and_then(|v| v.as_bool()) != Some(true)
    {
        return Err(js_error(
            ErrorCode::ClientSecretInBrowser,
            "a client secret or signing key must not be used in a browser; use a public (SPA) application, or set allowClientSecretInBrowser: true if you really mean to",
        ));
    }
    // A request that never answers would hold the login forever; setTimeout caps delays at 2^31 - 1 ms.
    let timeout_ms = options.count("timeoutMs", 1, i32::MAX as u64)?.map_or(DEFAULT_TIMEOUT_MS, |t| t as u32);
    let custom_fetch = match options.get("fetch")? {
        None => None,
        Some(value) => Some(value.dyn_into::<Function>().map_err(|_| invalid_option("fetch", "must be a function"))?),
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
    let keys = Keys::from_options(options, config.client_id())?;
    Ok((config, FetchClient::new(custom_fetch, keys)))
}

fn text_arg(value: &JsValue, what: &str) -> Result<String, JsValue> {
    input::text(value, what, MAX_TEXT_CHARS)
}

impl MfaClient {
    fn with_flow(flow: JsFlow) -> Self {
        let stage_between_steps = Rc::new(Cell::new(flow.stage().as_str()));
        MfaClient { flow: Rc::new(RefCell::new(flow)), stage_between_steps }
    }

    /// Runs one step on the flow. Two steps at once would race on the `mfa_token`; the second is refused.
    fn step<T, Fut>(&self, run: impl FnOnce(Rc<RefCell<JsFlow>>) -> Fut + 'static) -> Promise
    where
        Fut: Future<Output = Result<T, JsValue>> + 'static,
        T: Into<JsValue>,
    {
        // Only constructs the step's future: nothing of it runs before the executor polls it.
        let run = run(self.flow.clone());
        // One boxed future type for every step, so the executor and the bookkeeping around a step are compiled
        // once rather than per method.
        self.spawn_step(Box::pin(async move { run.await.map(Into::into) }))
    }

    /// One of the three steps that complete the login with a code.
    fn verify(&self, kind: CodeKind, code: &JsValue) -> Promise {
        let code = text_arg(code, if kind == CodeKind::BindingCode { "bindingCode" } else { "code" });
        self.step(move |flow| async move {
            let code = code?;
            let mut flow = busy(&flow)?;
            let tokens = match kind {
                CodeKind::Otp => flow.verify_otp(OneTimeCode::new(code)).await,
                CodeKind::BindingCode => flow.verify_oob(OneTimeCode::new(code)).await,
                CodeKind::RecoveryCode => flow.verify_recovery_code(RecoveryCode::new(code)).await,
            };
            Ok(shapes::tokens(&tokens.map_err(|e| flow_error(&e))?))
        })
    }

    fn spawn_step(&self, run: StepFuture) -> Promise {
        let stage_between_steps = self.stage_between_steps.clone();
        let after = self.flow.clone();
        task::spawn(Box::pin(async move {
            let result = run.await;
            if let Ok(flow) = after.try_borrow() {
                stage_between_steps.set(flow.stage().as_str());
            }
            result
        }))
    }
}

/// What completes the login: a code from an authenticator app, a code the user received, or a recovery code.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CodeKind {
    Otp,
    BindingCode,
    RecoveryCode,
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
    js_error(ErrorCode::InvalidState, "another step of this login is still running")
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
        let (config, transport) = client_from(&options)?;
        Ok(MfaClient::with_flow(Flow::new(config, transport)))
    }

    /// Continues a login saved with `save()`, under the same options as the client that saved it (a Worker
    /// carries the state between two requests; the client secret is never in the state).
    pub fn restore(
        #[wasm_bindgen(unchecked_param_type = "string")] state: JsValue,
        #[wasm_bindgen(unchecked_param_type = "MfaClientOptions")] options: JsValue,
    ) -> Result<MfaClient, JsValue> {
        let state = input::text(&state, "state", 256 * 1024)?;
        let options = Options::required(&options, "options")?;
        let (config, transport) = client_from(&options)?;
        let flow = Flow::restore_with_config(&state, config, transport).map_err(|e| flow_error(&e))?;
        Ok(MfaClient::with_flow(flow))
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
        self.flow.try_borrow().map_or(self.stage_between_steps.get(), |f| f.stage().as_str()).to_owned()
    }

    /// `mfa_requirements` from the `mfa_required` answer, when Auth0 sent it.
    #[wasm_bindgen(getter, js_name = mfaRequirements, unchecked_return_type = "MfaRequirements | undefined")]
    pub fn mfa_requirements(&self) -> JsValue {
        self.flow.try_borrow().map(|f| shapes::requirements(f.mfa_requirements())).unwrap_or(JsValue::UNDEFINED)
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
        self.step(move |flow| async move {
            let (username, password) = args?;
            let mut flow = busy(&flow)?;
            let outcome = flow.login(&username, Password::new(password)).await.map_err(|e| flow_error(&e))?;
            Ok(shapes::login_result(&outcome))
        })
    }

    /// Gets new tokens with a refresh token. Resolves `{ stage: "authenticated", tokens }`, or
    /// `{ stage: "mfa_required", mfaRequirements }` when Auth0 wants a second factor: the MFA steps then go on as
    /// after `login`. Keep `tokens.refreshToken` when it comes: with rotation the one sent is spent.
    #[wasm_bindgen(unchecked_return_type = "Promise<LoginResult>")]
    pub fn refresh(&self, #[wasm_bindgen(unchecked_param_type = "string")] refresh_token: JsValue) -> Promise {
        let token = input::text(&refresh_token, "refreshToken", 16 * 1024);
        self.step(move |flow| async move {
            let token = RefreshToken::new(token?);
            let outcome = busy(&flow)?.refresh(token).await.map_err(|e| flow_error(&e))?;
            Ok(shapes::login_result(&outcome))
        })
    }

    /// A DPoP proof for calling an API with this client's key pair (option `dpop`): send it as the `DPoP` header,
    /// with `Authorization: DPoP <accessToken>`. Rejects with `invalid_option` when the client has no DPoP key.
    #[wasm_bindgen(js_name = dpopProof, unchecked_return_type = "Promise<string>")]
    pub fn dpop_proof(&self, #[wasm_bindgen(unchecked_param_type = "DpopProofRequest")] request: JsValue) -> Promise {
        let request = dpop_request(&request);
        self.step(move |flow| async move {
            let (method, url, access_token, nonce) = request?;
            let flow = shared(&flow)?;
            let keys = &flow.transport().keys;
            let proof = keys.dpop_proof(&method, &url, nonce.as_deref(), access_token.as_deref()).await;
            match proof.map_err(|e| flow_error(&e.into()))? {
                Some(proof) => Ok(JsValue::from(proof)),
                None => Err(invalid_option("dpop", "is not set: give dpop: true or { keyPair } to make proofs")),
            }
        })
    }

    /// Lists the user's authenticators: `{ active, all }` (`all` includes unconfirmed enrollments).
    #[wasm_bindgen(unchecked_return_type = "Promise<AuthenticatorList>")]
    pub fn authenticators(&self) -> Promise {
        self.step(|flow| async move {
            let list = busy(&flow)?.authenticators().await.map_err(|e| flow_error(&e))?;
            Ok(shapes::authenticator_list(&list))
        })
    }

    /// Enrolls an authenticator: `{ type: "otp" }`, `{ type: "sms" | "voice", phoneNumber }`,
    /// `{ type: "email", email }` or `{ type: "push" }`. Confirm with `verifyOtp`, `verifyOob` or `waitForPush`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Enrollment>")]
    pub fn enroll(&self, #[wasm_bindgen(unchecked_param_type = "EnrollRequest")] request: JsValue) -> Promise {
        let target = enroll_target(&request);
        self.step(move |flow| async move {
            let target = target?;
            let enrollment = busy(&flow)?.enroll(target).await.map_err(|e| flow_error(&e))?;
            Ok(shapes::enrollment(&enrollment))
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
        self.step(move |flow| async move {
            let target = target?;
            let started = busy(&flow)?.challenge(target).await.map_err(|e| flow_error(&e))?;
            Ok(shapes::challenge(&started))
        })
    }

    /// Completes the login (or an OTP enrollment) with a code from an authenticator app.
    #[wasm_bindgen(js_name = verifyOtp, unchecked_return_type = "Promise<Tokens>")]
    pub fn verify_otp(&self, #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue) -> Promise {
        self.verify(CodeKind::Otp, &code)
    }

    /// Completes an SMS, voice or email challenge or enrollment with the code the user received.
    #[wasm_bindgen(js_name = verifyOob, unchecked_return_type = "Promise<Tokens>")]
    pub fn verify_oob(&self, #[wasm_bindgen(unchecked_param_type = "string")] binding_code: JsValue) -> Promise {
        self.verify(CodeKind::BindingCode, &binding_code)
    }

    /// Completes the login with a recovery code. The tokens carry `recoveryCode`, the user's new code: show it.
    #[wasm_bindgen(js_name = verifyRecoveryCode, unchecked_return_type = "Promise<Tokens>")]
    pub fn verify_recovery_code(&self, #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue) -> Promise {
        self.verify(CodeKind::RecoveryCode, &code)
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
        self.step(move |flow| async move {
            let (options, signal, on_poll) = parsed?;
            let mut flow = busy(&flow)?;
            let report = |progress: PushProgress| {
                if let Some(on_poll) = &on_poll {
                    let event = shapes::push_progress(&progress);
                    // A throwing callback must not end the wait.
                    let _ = on_poll.call1(&JsValue::UNDEFINED, &event);
                }
            };
            let waiting = flow.wait_for_push(options, fetch::sleep, || Date::now() as u64, report);
            let tokens = fetch::until_aborted(signal.as_ref(), waiting).await.map_err(|e| flow_error(&e))?;
            Ok(shapes::tokens(&tokens))
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
        self.step(move |flow| async move {
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
        self.step(move |flow| async move {
            let token = AccessToken::new(token?);
            let flow = shared(&flow)?;
            let list = flow.list_authenticators_with(&token).await.map_err(|e| flow_error(&e))?;
            Ok(shapes::authenticators(&list))
        })
    }

    /// Forgets the login and goes back to `start`, keeping the options.
    pub fn reset(&self) -> Result<(), JsValue> {
        let mut flow = busy(&self.flow)?;
        flow.reset();
        self.stage_between_steps.set(flow.stage().as_str());
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

/// `{ method, url, accessToken?, nonce? }` of `dpopProof`.
fn dpop_request(request: &JsValue) -> Result<(String, String, Option<String>, Option<String>), JsValue> {
    let options = Options::required(request, "request")?;
    let required = |key: &'static str| {
        options
            .text(key)?
            .filter(|t| !t.is_empty())
            .ok_or_else(|| invalid_argument(&format!("request.{key} is required")))
    };
    let method = required("method")?.to_ascii_uppercase();
    let url = required("url")?;
    // The proof names the URL's origin and path (`htu`): only an absolute http(s) URL has them.
    let authority = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    if !authority.is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/')) || url.contains(char::is_whitespace) {
        return Err(invalid_argument("request.url must be an absolute https:// or http:// URL"));
    }
    Ok((method, url, options.text("accessToken")?, options.text("nonce")?))
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
        Some(signal) => {
            Some(fetch::follow_signal(signal).ok_or_else(|| invalid_option("signal", "must be an AbortSignal"))?)
        }
    };
    let on_poll = match options.get("onPoll")? {
        None => None,
        Some(f) => Some(f.dyn_into::<Function>().map_err(|_| invalid_option("onPoll", "must be a function"))?),
    };
    Ok((wait, signal, on_poll))
}

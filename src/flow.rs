//! The login state machine: password (or password-realm) grant, then enroll or challenge a second factor, then
//! verify it.
//!
//! ```text
//! start ──login──▶ mfa_required ──enroll──▶ enrolling ──verify──▶ authenticated
//!   │                    │      ◀──────────────┘  │
//!   │                    └──challenge──▶ challenged ──verify / push approved──▶ authenticated
//!   └──login (no MFA)──────────────────────────────────────────────────────────▶ authenticated
//!   any step with an expired or malformed mfa_token ─▶ failed (log in again)
//!   a rejected push, or an oob_code that expired or no longer matches ─▶ mfa_required (challenge again)
//! ```
//!
//! A step that fails with a retryable error (wrong code, network failure, timeout, 5xx, unreadable response, rate
//! limit) leaves the stage as it was, so the caller can try again; nothing is retried automatically. The state
//! (stage, `mfa_token`, pending `oob_code`, chosen authenticator, config without password or client secret) can be
//! saved as a JSON string and restored, e.g. by a Cloudflare Worker between two HTTP requests. The saved state
//! holds the `mfa_token` and `oob_code`: keep it server-side or encrypted, never in a readable cookie.
//!
//! Time is a parameter: [`Flow::wait_for_push`] takes its clock and sleep from the caller, so this module never
//! reads the system clock (which panics on wasm32) and tests run instantly.

use crate::api::associate::{self, EnrollTarget};
use crate::api::challenge::{self, ChallengeType};
use crate::api::json::{self, Fields, Shaped, Value, Writer, WrongShape};
use crate::api::token::{self, PushPoll};
use crate::api::{
    AccessToken, Authenticator, AuthenticatorKind, Config, Enrollment, MfaRequirements, MfaToken, OneTimeCode, OobCode,
    Operation, Password, RecoveryCode, RefreshToken, Tokens, authenticators, check_text, wire,
};
use crate::error::Error;
use crate::http::{HttpClient, HttpRequest, HttpResponse, Method};
use core::future::Future;

/// Seconds added to the push polling interval on each `slow_down`, in milliseconds.
pub const SLOW_DOWN_STEP_MS: u64 = 5_000;
/// Default push polling interval: Auth0 allows about 12 polls a minute per transaction.
pub const DEFAULT_PUSH_INTERVAL_MS: u64 = 5_000;
/// Default time to wait for a push answer: the five minutes an `mfa_token` lives.
pub const DEFAULT_PUSH_TIMEOUT_MS: u64 = 300_000;
/// Shortest polling interval accepted.
pub const MIN_PUSH_INTERVAL_MS: u64 = 1_000;

const STATE_VERSION: u32 = 1;

/// Where the login is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Nothing done yet: call `login`.
    Start,
    /// The password was accepted; a second factor is needed: list authenticators, enroll, challenge, or verify
    /// an OTP or recovery code directly.
    MfaRequired,
    /// An authenticator was enrolled and awaits its first code (or push approval) to confirm it.
    Enrolling,
    /// A challenge was sent and awaits its code (or push approval).
    Challenged,
    /// Done: tokens were returned.
    Authenticated,
    /// The `mfa_token` expired or was refused, or the login was denied: start again with `login`.
    Failed,
}

impl Stage {
    /// `start`, `mfa_required`, `enrolling`, `challenged`, `authenticated` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::MfaRequired => "mfa_required",
            Self::Enrolling => "enrolling",
            Self::Challenged => "challenged",
            Self::Authenticated => "authenticated",
            Self::Failed => "failed",
        }
    }

    fn from_name(name: &str) -> Shaped<Self> {
        [Self::Start, Self::MfaRequired, Self::Enrolling, Self::Challenged, Self::Authenticated, Self::Failed]
            .into_iter()
            .find(|stage| stage.as_str() == name)
            .ok_or(WrongShape)
    }

    fn has_mfa_token(self) -> bool {
        matches!(self, Self::MfaRequired | Self::Enrolling | Self::Challenged)
    }
}

/// What the flow waits for after an enrollment or a challenge.
#[derive(Debug, Clone)]
pub struct Pending {
    pub kind: AuthenticatorKind,
    /// The challenged authenticator; `None` after an enrollment or an OTP challenge by type.
    pub authenticator_id: Option<String>,
    /// Out-of-band: the code `verify_oob` or `poll_push` sends. Redacted in `Debug`.
    pub oob_code: Option<OobCode>,
    /// SMS, voice, email: a binding code must be typed (`verify_oob`); push: poll instead.
    pub binding_required: bool,
}

impl Pending {
    fn write(&self, w: &mut Writer) {
        w.begin(Some("pending"));
        w.str("kind", self.kind.as_str());
        w.opt_str("authenticator_id", self.authenticator_id.as_deref());
        w.opt_str("oob_code", self.oob_code.as_ref().map(OobCode::expose));
        w.bool("binding_required", self.binding_required);
        w.end();
    }

    fn from_saved(value: Value) -> Shaped<Self> {
        let mut fields = Fields::of(value)?;
        Ok(Self {
            kind: AuthenticatorKind::from_name(&fields.required::<String>("kind")?)?,
            authenticator_id: fields.string("authenticator_id")?,
            oob_code: fields.string("oob_code")?,
            binding_required: fields.bool("binding_required")?.ok_or(WrongShape)?,
        })
    }
}

/// The result of `login`.
#[derive(Debug)]
pub enum LoginOutcome {
    /// No second factor was needed.
    Authenticated(Tokens),
    /// A second factor is needed; `mfa_requirements` when Auth0 sent it.
    MfaRequired(Option<MfaRequirements>),
}

/// The user's authenticators.
#[derive(Debug, Clone)]
pub struct AuthenticatorList {
    /// The ones that can be challenged (`active: true`).
    pub active: Vec<Authenticator>,
    /// Everything Auth0 listed, unconfirmed enrollments included.
    pub all: Vec<Authenticator>,
}

/// Which authenticator to challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChallengeTarget {
    /// An `id` from the authenticator list.
    Id(String),
    /// The first active authenticator of this kind (OTP needs no list: it is challenged by type).
    Kind(AuthenticatorKind),
}

/// What a challenge started.
#[derive(Debug, Clone)]
pub struct ChallengeStarted {
    pub kind: AuthenticatorKind,
    pub authenticator_id: Option<String>,
    /// `otp` or `oob`, as Auth0 answered.
    pub challenge_type: String,
    /// True for SMS, voice and email: call `verify_oob` with the code the user received. False for push (call
    /// `wait_for_push`) and OTP (call `verify_otp`).
    pub binding_required: bool,
}

/// Options of [`Flow::wait_for_push`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PushWaitOptions {
    /// Milliseconds between polls; at least 1000, default 5000. Each `slow_down` adds 5000 for the rest of the wait.
    pub interval_ms: u64,
    /// Give up with `push_timeout` once the next poll would start later than this many milliseconds after the
    /// start; default 300 000.
    pub timeout_ms: u64,
}

impl Default for PushWaitOptions {
    fn default() -> Self {
        Self { interval_ms: DEFAULT_PUSH_INTERVAL_MS, timeout_ms: DEFAULT_PUSH_TIMEOUT_MS }
    }
}

/// Reported to `on_poll` after each unanswered poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PushProgress {
    /// 1 for the first poll.
    pub attempt: u32,
    /// True when Auth0 said `slow_down` (the interval just grew by 5 s).
    pub slow_down: bool,
    /// The wait before the next poll.
    pub next_interval_ms: u64,
    /// Milliseconds since the wait began, by the caller's clock.
    pub elapsed_ms: u64,
}

/// Saved as JSON with the field names below, in this order (the format serde wrote in earlier versions).
#[derive(Debug, Clone)]
struct State {
    version: u32,
    config: Config,
    stage: Stage,
    mfa_token: Option<MfaToken>,
    requirements: Option<MfaRequirements>,
    pending: Option<Pending>,
    /// The last authenticator list, to challenge by id or kind without listing again.
    authenticators: Vec<Authenticator>,
    /// The tenant's latest `DPoP-Nonce`, for the next proof. Not a secret; kept across steps and restores.
    dpop_nonce: Option<String>,
}

impl State {
    fn write(&self) -> String {
        let mut w = Writer::new();
        w.begin(None);
        w.u64("version", Some(u64::from(self.version)));
        self.config.write(&mut w);
        w.str("stage", self.stage.as_str());
        w.opt_str("mfa_token", self.mfa_token.as_ref().map(MfaToken::expose));
        match &self.requirements {
            Some(requirements) => requirements.write(&mut w, "requirements"),
            None => w.raw("requirements", "null"),
        }
        match &self.pending {
            Some(pending) => pending.write(&mut w),
            None => w.raw("pending", "null"),
        }
        w.objects("authenticators", &self.authenticators, |w, a| a.write(w));
        // Only with DPoP, so that the state of any other login is as earlier versions wrote it.
        if let Some(nonce) = &self.dpop_nonce {
            w.str("dpop_nonce", nonce);
        }
        w.end();
        w.finish()
    }

    fn from_saved(value: Value) -> Shaped<Self> {
        let mut fields = Fields::of(value)?;
        Ok(Self {
            version: fields.u32("version")?.ok_or(WrongShape)?,
            config: Config::from_saved(fields.value("config")?.ok_or(WrongShape)?)?,
            stage: Stage::from_name(&fields.required::<String>("stage")?)?,
            mfa_token: fields.string("mfa_token")?,
            requirements: fields.value("requirements")?.map(MfaRequirements::from_saved).transpose()?,
            pending: fields.value("pending")?.map(Pending::from_saved).transpose()?,
            authenticators: fields.list("authenticators", Authenticator::from_saved)?.ok_or(WrongShape)?,
            dpop_nonce: fields.string("dpop_nonce")?,
        })
    }
}

/// One login. Generic over the transport; `Debug` shows the state (no secret) and not the transport.
pub struct Flow<C: HttpClient> {
    http: C,
    state: State,
}

impl<C: HttpClient> core::fmt::Debug for Flow<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Flow").field("state", &self.state).finish_non_exhaustive()
    }
}

impl<C: HttpClient> Flow<C> {
    pub fn new(config: Config, http: C) -> Self {
        let state = State {
            version: STATE_VERSION,
            config,
            stage: Stage::Start,
            mfa_token: None,
            requirements: None,
            pending: None,
            authenticators: Vec::new(),
            dpop_nonce: None,
        };
        Self { http, state }
    }

    /// Restores a state from [`Flow::save`] under `config` (the application's own settings, client secret
    /// included). The state must belong to the same domain and client id.
    pub fn restore_with_config(state: &str, config: Config, http: C) -> Result<Self, Error> {
        let mut state = parse_state(state)?;
        if state.config.base_url() != config.base_url() || state.config.client_id() != config.client_id() {
            return Err(Error::InvalidArgument {
                argument: "state",
                reason: "belongs to another domain or application",
            });
        }
        state.config = config;
        Ok(Self { http, state })
    }

    /// The state as a JSON string, for [`Flow::restore_with_config`]. It holds the `mfa_token` and any pending `oob_code`
    /// (short-lived secrets) but never the password, client secret or tokens.
    pub fn save(&self) -> String {
        self.state.write()
    }

    pub fn stage(&self) -> Stage {
        self.state.stage
    }

    /// The transport, for what it does beside this login's requests (a DPoP proof for the caller's own API calls).
    pub fn transport(&self) -> &C {
        &self.http
    }

    /// Forgets the login and goes back to `start`, keeping the config and the transport.
    pub fn reset(&mut self) {
        self.end_login(Stage::Start);
    }

    pub fn config(&self) -> &Config {
        &self.state.config
    }

    /// `mfa_requirements` of the `mfa_required` answer, when Auth0 sent it.
    pub fn mfa_requirements(&self) -> Option<&MfaRequirements> {
        self.state.requirements.as_ref()
    }

    /// What the current enrollment or challenge waits for.
    pub fn pending(&self) -> Option<&Pending> {
        self.state.pending.as_ref()
    }

    /// Password (or, with a realm, password-realm) grant. Allowed in every stage: it starts the login over. The
    /// password is sent once and not kept. Answers tokens, or moves to `mfa_required`.
    pub async fn login(&mut self, username: &str, password: Password) -> Result<LoginOutcome, Error> {
        if username.trim().is_empty() {
            return Err(Error::InvalidArgument { argument: "username", reason: "is required" });
        }
        check_text("username", username)?;
        if password.is_empty() {
            return Err(Error::InvalidArgument { argument: "password", reason: "is required" });
        }
        if password.expose().len() > 4096 {
            return Err(Error::InvalidArgument { argument: "password", reason: "is too long" });
        }
        self.end_login(Stage::Start);
        let request = token::password_request(&self.state.config, username, &password);
        drop(password);
        self.first_factor(request, Operation::PasswordGrant).await
    }

    /// Refresh-token grant: new tokens without the password. Allowed in every stage: like `login`, it starts the
    /// login over, and when Auth0 wants a second factor (`mfa_required`) the MFA steps go on from there as after a
    /// password. When Auth0 rotates refresh tokens, the tokens carry the new one: keep it, the one sent is spent.
    pub async fn refresh(&mut self, refresh_token: RefreshToken) -> Result<LoginOutcome, Error> {
        if refresh_token.expose().trim().is_empty() {
            return Err(Error::InvalidArgument { argument: "refresh_token", reason: "is required" });
        }
        check_text("refresh_token", refresh_token.expose())?;
        self.end_login(Stage::Start);
        let request = token::refresh_request(&self.state.config, &refresh_token);
        drop(refresh_token);
        self.first_factor(request, Operation::RefreshGrant).await
    }

    /// Sends the first factor (a password or a refresh token): tokens, or `mfa_required` with the `mfa_token` the
    /// next steps use.
    async fn first_factor(&mut self, request: HttpRequest, operation: Operation) -> Result<LoginOutcome, Error> {
        let result = self.exchange_as_client(request, operation, |r| token::parse_tokens(r, operation)).await;
        match result {
            Ok(tokens) => {
                self.state.stage = Stage::Authenticated;
                Ok(LoginOutcome::Authenticated(tokens))
            }
            Err(Error::MfaRequired(mfa)) => {
                let mfa = *mfa;
                self.state.mfa_token = Some(mfa.mfa_token);
                self.state.requirements = mfa.requirements.clone();
                self.state.stage = Stage::MfaRequired;
                Ok(LoginOutcome::MfaRequired(mfa.requirements))
            }
            Err(error) => self.stage_on_failure(Err(error), operation),
        }
    }

    /// `GET /mfa/authenticators` with the `mfa_token`.
    pub async fn authenticators(&mut self) -> Result<AuthenticatorList, Error> {
        let mfa_token = self.mfa_token("authenticators")?;
        let request = authenticators::list_request(&self.state.config, mfa_token.expose());
        let result = self.exchange(request, authenticators::parse_list).await;
        let all = self.stage_on_failure(result, Operation::ListAuthenticators)?;
        self.state.authenticators = all.clone();
        let active = all.iter().filter(|a| a.active).cloned().collect();
        Ok(AuthenticatorList { active, all })
    }

    /// `POST /mfa/associate` with the `mfa_token` (works while the user has no active authenticator). Moves to
    /// `enrolling`; confirm with `verify_otp` (OTP), `verify_oob` (SMS, voice, email) or `wait_for_push` (push).
    pub async fn enroll(&mut self, target: EnrollTarget) -> Result<Enrollment, Error> {
        let target = validate_target(target)?;
        let mfa_token = self.mfa_token("enroll")?;
        let request = associate::request_for(&self.state.config, mfa_token.expose(), &target);
        let result = self.exchange(request, |response| associate::parse(response, &target)).await;
        let enrollment = self.stage_on_failure(result, Operation::Associate)?;
        self.state.pending = Some(Pending {
            kind: enrollment.kind,
            authenticator_id: None,
            oob_code: enrollment.oob_code.clone(),
            binding_required: enrollment.binding_required(),
        });
        self.state.stage = Stage::Enrolling;
        Ok(enrollment)
    }

    /// `POST /mfa/challenge`: `challenge_type` `otp` for an authenticator app, `oob` with the `authenticator_id`
    /// for SMS, voice, email and push. Moves to `challenged`. Challenging by id or by an out-of-band kind needs the
    /// authenticator list: when the last [`Flow::authenticators`] did not name the target, this first sends
    /// `GET /mfa/authenticators` itself, so a challenge may be two requests.
    pub async fn challenge(&mut self, target: ChallengeTarget) -> Result<ChallengeStarted, Error> {
        self.mfa_token("challenge")?;
        let chosen = match &target {
            ChallengeTarget::Kind(AuthenticatorKind::Otp) => None,
            ChallengeTarget::Kind(AuthenticatorKind::RecoveryCode) => return Err(RECOVERY_NOT_CHALLENGEABLE),
            ChallengeTarget::Kind(AuthenticatorKind::Unknown) => {
                return Err(Error::InvalidArgument { argument: "type", reason: "is not a known authenticator type" });
            }
            ChallengeTarget::Id(id) if id.trim().is_empty() => {
                return Err(Error::InvalidArgument { argument: "authenticator_id", reason: "is required" });
            }
            _ => Some(self.find_authenticator_listing_if_needed(&target).await?),
        };
        let (kind, id, challenge_type) = match &chosen {
            None => (AuthenticatorKind::Otp, None, ChallengeType::Otp),
            Some(a) if a.kind == AuthenticatorKind::RecoveryCode => return Err(RECOVERY_NOT_CHALLENGEABLE),
            Some(a) => {
                let otp = a.kind == AuthenticatorKind::Otp
                    || (a.kind == AuthenticatorKind::Unknown && a.authenticator_type == "otp");
                (a.kind, Some(a.id.clone()), if otp { ChallengeType::Otp } else { ChallengeType::Oob })
            }
        };
        let mfa_token = self.mfa_token("challenge")?;
        let request = challenge::request_for(&self.state.config, &mfa_token, challenge_type, id.as_deref());
        let result = self.exchange_as_client(request, Operation::Challenge, challenge::parse).await;
        let answer = self.stage_on_failure(result, Operation::Challenge)?;
        let binding_required = kind.binding_required(answer.binding_required());
        self.state.pending =
            Some(Pending { kind, authenticator_id: id.clone(), oob_code: answer.oob_code, binding_required });
        self.state.stage = Stage::Challenged;
        Ok(ChallengeStarted { kind, authenticator_id: id, challenge_type: answer.challenge_type, binding_required })
    }

    /// mfa-otp grant with a code from an authenticator app (spaces are ignored). Allowed in `mfa_required`
    /// (an OTP challenge is optional), `enrolling` and `challenged`. A wrong code keeps the stage.
    pub async fn verify_otp(&mut self, code: OneTimeCode) -> Result<Tokens, Error> {
        let code = OneTimeCode::new(normalize_code("code", code.expose(), false)?);
        let mfa_token = self.mfa_token("verify_otp")?;
        let request = token::otp_request(&self.state.config, &mfa_token, &code);
        self.finish(request, Operation::OtpGrant).await
    }

    /// mfa-oob grant with the binding code the user received by SMS, voice or email, and the `oob_code` of the
    /// latest enrollment or challenge. A wrong code keeps the stage.
    pub async fn verify_oob(&mut self, binding_code: OneTimeCode) -> Result<Tokens, Error> {
        let binding_code = OneTimeCode::new(normalize_code("binding_code", binding_code.expose(), false)?);
        let oob_code = self.pending_oob("verify_oob", true)?;
        let mfa_token = self.mfa_token("verify_oob")?;
        let request = token::oob_request(&self.state.config, &mfa_token, &oob_code, Some(&binding_code));
        self.finish(request, Operation::OobGrant { binding: true }).await
    }

    /// mfa-recovery-code grant (spaces and hyphens ignored, letters upper-cased). The tokens carry the user's
    /// **new** recovery code in `recovery_code`. Allowed whenever an `mfa_token` is held.
    pub async fn verify_recovery_code(&mut self, code: RecoveryCode) -> Result<Tokens, Error> {
        let code = RecoveryCode::new(normalize_code("recovery_code", code.expose(), true)?);
        let mfa_token = self.mfa_token("verify_recovery_code")?;
        let request = token::recovery_code_request(&self.state.config, &mfa_token, &code);
        self.finish(request, Operation::RecoveryCodeGrant).await
    }

    /// One push poll: mfa-oob grant without binding code. `Pending` and `SlowDown` keep the stage; `Approved`
    /// completes the login; a rejection returns to `mfa_required` (challenge again or pick another factor).
    pub async fn poll_push(&mut self) -> Result<PushPoll, Error> {
        let oob_code = self.pending_oob("poll_push", false)?;
        let mfa_token = self.mfa_token("poll_push")?;
        let request = token::oob_request(&self.state.config, &mfa_token, &oob_code, None);
        let operation = Operation::OobGrant { binding: false };
        let result = self.exchange_as_client(request, operation, token::parse_push_poll).await;
        let poll = self.stage_on_failure(result, operation)?;
        if matches!(poll, PushPoll::Approved(_)) {
            self.end_login(Stage::Authenticated);
        }
        Ok(poll)
    }

    /// Polls until the push is approved (tokens), rejected (`push_rejected`), expired (`mfa_token_expired`),
    /// not answered in time (`push_timeout`) or aborted (`aborted`). Waits `interval_ms` before each poll, adding
    /// 5 s on every `slow_down`.
    ///
    /// - `sleep(ms)` returns a future that resolves after `ms` milliseconds;
    /// - `now()` is the current time in milliseconds (any epoch; `Date.now()` in JavaScript);
    /// - `on_poll` hears about every unanswered poll.
    ///
    /// Any other error (network, rate limit, …) ends the wait and keeps the stage, so it can be called again.
    /// To cancel the wait, drop the future: the stage changes only once a poll's answer has arrived, so a wait
    /// dropped during a sleep or a poll leaves the flow as it was.
    pub async fn wait_for_push<S, F, N, P>(
        &mut self,
        options: PushWaitOptions,
        mut sleep: S,
        mut now: N,
        mut on_poll: P,
    ) -> Result<Tokens, Error>
    where
        S: FnMut(u64) -> F,
        F: Future<Output = ()>,
        N: FnMut() -> u64,
        P: FnMut(PushProgress),
    {
        if options.interval_ms < MIN_PUSH_INTERVAL_MS {
            return Err(Error::InvalidArgument { argument: "interval_ms", reason: "must be at least 1000" });
        }
        if options.timeout_ms == 0 {
            return Err(Error::InvalidArgument { argument: "timeout_ms", reason: "must be positive" });
        }
        self.pending_oob("wait_for_push", false)?;
        let start = now();
        let mut interval = options.interval_ms;
        let mut attempt: u32 = 0;
        loop {
            let elapsed = now().saturating_sub(start);
            if elapsed.saturating_add(interval) > options.timeout_ms {
                return Err(Error::PushTimeout { waited_ms: elapsed });
            }
            sleep(interval).await;
            attempt = attempt.saturating_add(1);
            let slow_down = match self.poll_push().await? {
                PushPoll::Approved(tokens) => return Ok(tokens),
                PushPoll::Pending => false,
                PushPoll::SlowDown => {
                    interval = interval.saturating_add(SLOW_DOWN_STEP_MS);
                    true
                }
            };
            let elapsed_ms = now().saturating_sub(start);
            on_poll(PushProgress { attempt, slow_down, next_interval_ms: interval, elapsed_ms });
        }
    }

    /// `DELETE /mfa/authenticators/{id}` with an MFA-API access token (scope `remove:authenticators`; get one by
    /// logging in with [`Config::for_mfa_api`]). Independent of the stage.
    pub async fn delete_authenticator(&self, access_token: &AccessToken, authenticator_id: &str) -> Result<(), Error> {
        if authenticator_id.trim().is_empty() {
            return Err(Error::InvalidArgument { argument: "authenticator_id", reason: "is required" });
        }
        check_text("authenticator_id", authenticator_id)?;
        let request = authenticators::delete_request(&self.state.config, access_token.expose(), authenticator_id);
        self.exchange(request, authenticators::parse_delete).await
    }

    /// `GET /mfa/authenticators` with an MFA-API access token (scope `read:authenticators`). Independent of the
    /// stage; every authenticator, inactive ones included.
    pub async fn list_authenticators_with(&self, access_token: &AccessToken) -> Result<Vec<Authenticator>, Error> {
        let request = authenticators::list_request(&self.state.config, access_token.expose());
        self.exchange(request, |response| {
            authenticators::parse_list_for(response, Operation::ListAuthenticatorsWithAccessToken)
        })
        .await
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        Ok(self.http.send(request).await?)
    }

    async fn exchange<T>(
        &self,
        request: HttpRequest,
        parse: impl FnOnce(&HttpResponse) -> Result<T, Error>,
    ) -> Result<T, Error> {
        parse(&self.send(request).await?)
    }

    /// Sends a request of `operation` that authenticates the client, and reads the answer with `parse`.
    async fn exchange_as_client<T>(
        &mut self,
        request: HttpRequest,
        operation: Operation,
        parse: impl FnOnce(&HttpResponse) -> Result<T, Error>,
    ) -> Result<T, Error> {
        parse(&self.send_as_client(request, operation.is_grant()).await?)
    }

    /// Sends a request that authenticates the client. Each attempt carries a new client assertion when the transport
    /// signs them, and a `grant` a new DPoP proof when the transport makes them. The tenant's `dpop-nonce` is kept
    /// for the next proof, and an answer asking for it is sent again once, with it.
    ///
    /// Boxed, so that its state machine is compiled once rather than into every step that sends.
    fn send_as_client(
        &mut self,
        request: HttpRequest,
        grant: bool,
    ) -> core::pin::Pin<Box<dyn Future<Output = Result<HttpResponse, Error>> + '_>> {
        Box::pin(async move {
            let mut may_retry = grant;
            loop {
                let mut attempt = request.clone();
                if let Some(assertion) = self.http.client_assertion(&self.state.config.url("/")).await? {
                    attempt = wire::with_client_assertion(attempt, &assertion).ok_or(Error::InvalidOption {
                        option: "client_assertion_signing_key",
                        reason: "gave an assertion that is not a compact JWT",
                    })?;
                }
                let nonce = self.state.dpop_nonce.as_deref();
                let proof = if grant { self.http.dpop_proof(Method::Post, &attempt.url, nonce).await? } else { None };
                let proved = proof.is_some();
                if let Some(proof) = proof {
                    attempt.headers.push(("dpop".to_owned(), proof));
                }
                let response = self.send(attempt).await?;
                let nonce = response.header("dpop-nonce").filter(|nonce| !nonce.is_empty());
                let retry = proved && may_retry && nonce.is_some() && token::asks_for_dpop_nonce(&response);
                if let Some(nonce) = nonce {
                    self.state.dpop_nonce = Some(nonce.to_owned());
                }
                if !retry {
                    return Ok(response);
                }
                may_retry = false;
            }
        })
    }

    /// A verification grant: tokens complete the login; errors go through [`Flow::stage_on_failure`].
    async fn finish(&mut self, request: HttpRequest, operation: Operation) -> Result<Tokens, Error> {
        let result =
            self.exchange_as_client(request, operation, |response| token::parse_tokens(response, operation)).await;
        let tokens = self.stage_on_failure(result, operation)?;
        self.end_login(Stage::Authenticated);
        Ok(tokens)
    }

    /// The one place a failed step moves the stage. The password step fails the login unless it may be repeated (a
    /// wrong password, a network failure). An MFA step fails it on an unusable `mfa_token` or a denial; a rejected
    /// push or a challenge that is gone returns to `mfa_required` (challenge again); anything else (retryable or
    /// informational, `already_enrolled` included) keeps the stage. A denial of an enrollment keeps it too: the
    /// user may still challenge an authenticator they already have.
    fn stage_on_failure<T>(&mut self, result: Result<T, Error>, operation: Operation) -> Result<T, Error> {
        if let Err(error) = &result {
            match error {
                _ if operation.is_first_factor() => {
                    let may_repeat = error.is_retryable() || error.is_invalid_credentials();
                    self.state.stage = if may_repeat { Stage::Start } else { Stage::Failed };
                }
                Error::AccessDenied(_) if operation == Operation::Associate => {}
                Error::MfaTokenExpired(_)
                | Error::MfaTokenInvalid(_)
                | Error::UserBlocked(_)
                | Error::AccessDenied(_)
                | Error::UnauthorizedClient(_) => self.end_login(Stage::Failed),
                Error::PushRejected(_) | Error::ChallengeExpired(_) => {
                    self.state.pending = None;
                    self.state.stage = Stage::MfaRequired;
                }
                _ => {}
            }
        }
        result
    }

    /// Enters `stage`, forgetting the `mfa_token` and everything tied to it.
    fn end_login(&mut self, stage: Stage) {
        self.state.stage = stage;
        self.state.mfa_token = None;
        self.state.requirements = None;
        self.state.pending = None;
        self.state.authenticators.clear();
    }

    fn mfa_token(&self, operation: &'static str) -> Result<MfaToken, Error> {
        match &self.state.mfa_token {
            Some(token) if self.state.stage.has_mfa_token() => Ok(token.clone()),
            _ => Err(Error::InvalidState { operation, stage: self.state.stage.as_str() }),
        }
    }

    /// The pending `oob_code`, when the current enrollment or challenge is out-of-band with (`binding`) or without
    /// a binding code.
    fn pending_oob(&self, operation: &'static str, binding: bool) -> Result<OobCode, Error> {
        match &self.state.pending {
            Some(Pending { oob_code: Some(code), binding_required, .. })
                if *binding_required == binding && self.state.stage.has_mfa_token() =>
            {
                Ok(code.clone())
            }
            _ => Err(Error::InvalidState { operation, stage: self.state.stage.as_str() }),
        }
    }

    /// The authenticator `target` names, from the last list; when the last list has none, `GET /mfa/authenticators`
    /// first (a request of its own, which refreshes the list).
    async fn find_authenticator_listing_if_needed(&mut self, target: &ChallengeTarget) -> Result<Authenticator, Error> {
        let matches = |a: &Authenticator| match target {
            ChallengeTarget::Id(id) => a.id == *id,
            ChallengeTarget::Kind(kind) => a.active && a.kind == *kind,
        };
        if !self.state.authenticators.iter().any(matches) {
            self.authenticators().await?;
        }
        let Some(found) = self.state.authenticators.iter().find(|a| matches(a)) else {
            return Err(match target {
                ChallengeTarget::Id(_) => Error::InvalidArgument {
                    argument: "authenticator_id",
                    reason: "is not one of the user's authenticators",
                },
                ChallengeTarget::Kind(_) => Error::InvalidArgument {
                    argument: "type",
                    reason: "the user has no active authenticator of this type",
                },
            });
        };
        if !found.active {
            return Err(Error::InvalidArgument {
                argument: "authenticator_id",
                reason: "is not active (enrolled but never confirmed)",
            });
        }
        Ok(found.clone())
    }
}

const RECOVERY_NOT_CHALLENGEABLE: Error = Error::InvalidArgument {
    argument: "authenticator_id",
    reason: "is a recovery code, which is not challenged: verify the recovery code directly",
};

fn parse_state(state: &str) -> Result<State, Error> {
    let state = json::parse(state)
        .ok()
        .and_then(|value| State::from_saved(value).ok())
        .ok_or(Error::InvalidArgument { argument: "state", reason: "is not a saved login state" })?;
    if state.version != STATE_VERSION {
        return Err(Error::InvalidArgument { argument: "state", reason: "was saved by an incompatible version" });
    }
    if state.stage.has_mfa_token() && state.mfa_token.as_ref().is_none_or(|t| t.is_empty()) {
        return Err(Error::InvalidArgument { argument: "state", reason: "is not a saved login state" });
    }
    Ok(state)
}

/// Removes spaces (and hyphens, for recovery codes, which are also upper-cased) and checks what is left is a
/// plausible code: 1 to 64 ASCII letters or digits.
fn normalize_code(argument: &'static str, code: &str, recovery: bool) -> Result<String, Error> {
    let code: String = code
        .chars()
        .filter(|c| !(c.is_whitespace() || (recovery && *c == '-')))
        .map(|c| if recovery { c.to_ascii_uppercase() } else { c })
        .collect();
    if code.is_empty() {
        return Err(Error::InvalidArgument { argument, reason: "is required" });
    }
    if code.len() > 64 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Error::InvalidArgument { argument, reason: "must be letters and digits only" });
    }
    Ok(code)
}

fn validate_target(target: EnrollTarget) -> Result<EnrollTarget, Error> {
    Ok(match target {
        EnrollTarget::Sms { phone_number } => EnrollTarget::Sms { phone_number: normalize_phone(&phone_number)? },
        EnrollTarget::Voice { phone_number } => EnrollTarget::Voice { phone_number: normalize_phone(&phone_number)? },
        EnrollTarget::Email { email } => EnrollTarget::Email { email: validate_email(&email)? },
        other => other,
    })
}

/// E.164: `+` and 7 to 15 digits; spaces, hyphens, dots and parentheses are dropped.
fn normalize_phone(phone: &str) -> Result<String, Error> {
    let phone: String = phone.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')')).collect();
    let digits = phone.strip_prefix('+').unwrap_or_default();
    if !(7..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.starts_with('0') {
        return Err(Error::InvalidArgument {
            argument: "phone_number",
            reason: "must be in international E.164 form, e.g. +15551234567",
        });
    }
    Ok(phone)
}

fn validate_email(email: &str) -> Result<String, Error> {
    let email = email.trim();
    let valid = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && matches!(email.split_once('@'), Some((local, domain))
            if !local.is_empty() && domain.contains('.') && !domain.contains('@')
                && !domain.starts_with('.') && !domain.ends_with('.'));
    if !valid {
        return Err(Error::InvalidArgument { argument: "email", reason: "must be an email address" });
    }
    Ok(email.to_owned())
}

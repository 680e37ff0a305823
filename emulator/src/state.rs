//! The tenant's state: clock, clients, users and their authenticators, transactions, outbox, pushes,
//! faults and the journal.

use crate::assertion::ClientKey;
use crate::crypto;
use crate::seed::{AuthenticatorSeed, ClientSeed, Seed, UserSeed};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};

pub const FAILED_CODE_BUCKET_SIZE: u32 = 10;
pub const FAILED_CODE_REFILL_MS: i64 = 6 * 60 * 1000;
pub const BRUTE_FORCE_THRESHOLD: u32 = 10;
pub const BRUTE_FORCE_BLOCK_MS: i64 = 30 * 24 * 3600 * 1000;
pub const BINDING_CODE_LIFETIME_MS: i64 = 5 * 60 * 1000;
pub const PUSH_LIFETIME_MS: i64 = 5 * 60 * 1000;
pub const PUSH_MIN_POLL_INTERVAL_MS: i64 = 5 * 1000;
pub const JOURNAL_CAPACITY: usize = 2000;
/// An expired mfa_token, oob_code, push or access token is kept this long past its expiry, so that it still
/// answers `expired_token` (what the tests and clients check), then it is forgotten and answers like an
/// unknown one.
pub const EXPIRED_GRACE_MS: i64 = 60 * 60 * 1000;
/// Caps, so that a long demo session or test run with the clock frozen stays bounded: the oldest go first.
pub const MFA_TOKEN_CAPACITY: usize = 5000;
pub const OOB_CAPACITY: usize = 5000;
pub const PUSH_CAPACITY: usize = 1000;
pub const OUTBOX_CAPACITY: usize = 1000;
pub const ACCESS_TOKEN_CAPACITY: usize = 5000;
pub const REFRESH_TOKEN_CAPACITY: usize = 5000;
pub const REFRESH_FAMILY_CAPACITY: usize = 5000;
/// Auth0 keeps at most 200 active refresh tokens per user and application; one more deletes the oldest.
pub const REFRESH_FAMILIES_PER_USER_AND_CLIENT: usize = 200;
/// Replay caches of client-assertion and DPoP-proof `jti`s: each entry lives only until its JWT would be
/// refused anyway (a few minutes), so the cap is reached only by a flood.
pub const JTI_CAPACITY: usize = 10_000;
pub const BRUTE_FORCE_CAPACITY: usize = 10_000;
/// The clock stays between 1970 and 9999 so that no lifetime arithmetic can overflow.
pub const MAX_CLOCK_MS: i64 = 253_402_300_799_000;
/// Longest lifetime or window a setting may ask for: a year.
pub const MAX_SETTING_SECS: u64 = 365 * 24 * 3600;

// ---- clock --------------------------------------------------------------------------------------------------

/// The one clock behind every lifetime, bucket refill, TOTP step and push expiry.
#[derive(Clone, Debug)]
pub struct Clock {
    /// The platform's time ([`crate::Env::now_ms`]), which the offset and the freeze apply to.
    real_now_ms: fn() -> i64,
    frozen_at_ms: Option<i64>,
    offset_ms: i64,
}

impl Clock {
    pub fn new(real_now_ms: fn() -> i64) -> Self {
        Self { real_now_ms, frozen_at_ms: None, offset_ms: 0 }
    }

    fn real_now_ms(&self) -> i64 {
        (self.real_now_ms)()
    }

    pub fn now_ms(&self) -> i64 {
        self.frozen_at_ms.unwrap_or_else(|| self.real_now_ms() + self.offset_ms)
    }

    pub fn is_frozen(&self) -> bool {
        self.frozen_at_ms.is_some()
    }

    pub fn freeze(&mut self, frozen: bool) {
        match (frozen, self.frozen_at_ms) {
            (true, None) => self.frozen_at_ms = Some(self.now_ms()),
            (false, Some(at)) => {
                self.offset_ms = at - self.real_now_ms();
                self.frozen_at_ms = None;
            }
            _ => {}
        }
    }

    pub fn set_ms(&mut self, at_ms: i64) {
        let at_ms = at_ms.clamp(0, MAX_CLOCK_MS);
        match self.frozen_at_ms {
            Some(_) => self.frozen_at_ms = Some(at_ms),
            None => self.offset_ms = at_ms - self.real_now_ms(),
        }
    }

    pub fn advance_ms(&mut self, by_ms: i64) {
        let target = self.now_ms().saturating_add(by_ms);
        self.set_ms(target);
    }
}

// ---- users and authenticators -------------------------------------------------------------------------------

#[derive(Clone, Debug)]
pub enum Factor {
    Otp { secret: String, last_used_step: Option<u64> },
    Sms { phone_number: String },
    Voice { phone_number: String },
    Email { email: String },
    Push { name: String },
}

#[derive(Clone, Debug)]
pub struct Authenticator {
    pub id: String,
    pub factor: Factor,
    pub active: bool,
    pub created_ms: i64,
    /// The authenticator enrolled with this one (SMS with voice, push with OTP): they are removed together.
    pub pair: Option<String>,
}

impl Authenticator {
    pub fn to_json(&self) -> Value {
        let created_at = iso8601(self.created_ms);
        match &self.factor {
            Factor::Otp { .. } => {
                json!({"id": self.id, "authenticator_type": "otp", "active": self.active, "created_at": created_at})
            }
            Factor::Sms { phone_number } | Factor::Voice { phone_number } => json!({
                "id": self.id, "authenticator_type": "oob", "active": self.active,
                "oob_channel": if matches!(self.factor, Factor::Sms { .. }) { "sms" } else { "voice" },
                "name": mask_phone(phone_number), "created_at": created_at,
            }),
            Factor::Email { email } => json!({
                "id": self.id, "authenticator_type": "oob", "active": self.active, "oob_channel": "email",
                "name": mask_email(email), "created_at": created_at,
            }),
            Factor::Push { name } => json!({
                "id": self.id, "authenticator_type": "oob", "active": self.active, "oob_channel": "auth0",
                "name": name, "created_at": created_at,
            }),
        }
    }

    pub fn is_oob(&self) -> bool {
        !matches!(self.factor, Factor::Otp { .. })
    }
}

/// The failed-code bucket: 10 attempts, refilled at one per six minutes.
#[derive(Clone, Debug)]
pub struct Bucket {
    available: u32,
    last_refill_ms: i64,
}

impl Bucket {
    fn full(now_ms: i64) -> Self {
        Self { available: FAILED_CODE_BUCKET_SIZE, last_refill_ms: now_ms }
    }

    fn refill(&mut self, now_ms: i64) {
        if self.available >= FAILED_CODE_BUCKET_SIZE {
            self.last_refill_ms = now_ms;
            return;
        }
        let refills = (now_ms - self.last_refill_ms).max(0) / FAILED_CODE_REFILL_MS;
        if refills > 0 {
            self.available = (self.available as i64 + refills).min(FAILED_CODE_BUCKET_SIZE as i64) as u32;
            self.last_refill_ms = if self.available >= FAILED_CODE_BUCKET_SIZE {
                now_ms
            } else {
                self.last_refill_ms + refills * FAILED_CODE_REFILL_MS
            };
        }
    }

    pub fn has_attempt(&mut self, now_ms: i64) -> bool {
        self.refill(now_ms);
        self.available > 0
    }

    pub fn consume(&mut self, now_ms: i64) {
        self.refill(now_ms);
        self.available = self.available.saturating_sub(1);
    }

    pub fn available(&self) -> u32 {
        self.available
    }
}

#[derive(Clone, Debug)]
pub struct User {
    pub user_id: String,
    pub username: String,
    pub email: Option<String>,
    pub password_hash: String,
    pub mfa: bool,
    pub blocked: bool,
    pub recovery_code: Option<String>,
    pub authenticators: Vec<Authenticator>,
    pub bucket: Bucket,
}

impl User {
    pub fn display(&self) -> &str {
        self.email.as_deref().unwrap_or(&self.username)
    }

    pub fn has_active(&self) -> bool {
        self.authenticators.iter().any(|a| a.active)
    }

    pub fn list_json(&self) -> Vec<Value> {
        let mut list: Vec<Value> = self.authenticators.iter().map(Authenticator::to_json).collect();
        if self.recovery_code.is_some() && self.has_active() {
            list.push(json!({
                "id": format!("recovery-code|dev_{}", crypto::stable_id(&self.user_id)),
                "authenticator_type": "recovery-code", "active": true,
            }));
        }
        list
    }

    /// `mfa_requirements` of `mfa_required`: what the user can be challenged with, or what to enroll.
    pub fn mfa_requirements(&self) -> Value {
        let mut types: Vec<&str> = Vec::new();
        for a in self.authenticators.iter().filter(|a| a.active) {
            let kind = match a.factor {
                Factor::Otp { .. } => "otp",
                Factor::Sms { .. } | Factor::Voice { .. } => "phone",
                Factor::Email { .. } => "email",
                Factor::Push { .. } => "push-notification",
            };
            if !types.contains(&kind) {
                types.push(kind);
            }
        }
        if types.is_empty() {
            return json!({"enroll": [{"type": "otp"}, {"type": "phone"}, {"type": "push-notification"}]});
        }
        if self.recovery_code.is_some() {
            types.push("recovery-code");
        }
        json!({"challenge": types.iter().map(|t| json!({"type": t})).collect::<Vec<_>>()})
    }
}

pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(|c| c.is_ascii_digit()).collect();
    let keep = digits.len().min(4);
    let masked = "X".repeat(digits.len() - keep);
    format!("{masked}{}", digits[digits.len() - keep..].iter().collect::<String>())
}

pub fn mask_email(email: &str) -> String {
    let domain = email.split_once('@').map(|(_, d)| d).unwrap_or("");
    let shown: String = domain.chars().take(4).collect();
    format!("****@{shown}{}", "*".repeat(domain.chars().count().saturating_sub(4)))
}

/// `2024-01-31T12:34:56.789Z` without a date library.
pub fn iso8601(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms.rem_euclid(1000)
    )
}

// ---- clients ------------------------------------------------------------------------------------------------

/// How a client proves itself at `/oauth/token` and `/mfa/challenge`.
#[derive(Clone, Debug)]
pub enum ClientAuth {
    /// A public client: nothing to prove.
    None,
    /// `client_secret_post` or `client_secret_basic`, either accepted.
    Secret(String),
    PrivateKeyJwt(Vec<ClientKey>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MfaOnRefresh {
    Never,
    Always,
    /// When more than this many seconds passed since the family's last MFA.
    AfterSecs(u64),
}

/// The API policy and app flag of Auth0's sender-constraining table, folded into one switch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DpopMode {
    /// A proof is ignored, unchecked, and Bearer tokens are issued.
    Off,
    /// A valid proof gets DPoP-bound tokens, none gets Bearer.
    Allowed,
    /// No proof, no tokens.
    Required,
}

impl DpopMode {
    fn name(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Allowed => "allowed",
            Self::Required => "required",
        }
    }
}

/// Auth0's defaults for rotating refresh tokens: 30 days absolute and idle; at most a year idle and
/// 31,557,600 s absolute.
pub const REFRESH_LIFETIME_DEFAULT_SECS: u64 = 30 * 24 * 3600;
pub const REFRESH_ABSOLUTE_MAX_SECS: u64 = 31_557_600;

#[derive(Clone, Debug)]
pub struct Client {
    pub client_id: String,
    pub auth: ClientAuth,
    pub allowed_origins: Vec<String>,
    pub grant_types: Option<Vec<String>>,
    pub refresh_rotation: bool,
    pub refresh_leeway_secs: u64,
    pub refresh_absolute_secs: u64,
    pub refresh_idle_secs: u64,
    pub mfa_on_refresh: MfaOnRefresh,
    pub dpop: DpopMode,
    pub dpop_nonce: bool,
    pub dpop_bind_mfa_token: bool,
    /// What the client was made from: an update is merged into it and checked again as a whole.
    pub seed: ClientSeed,
}

impl Client {
    /// The client a seed describes, or why it cannot be one.
    pub fn from_seed(seed: &ClientSeed) -> Result<Self, String> {
        let id = &seed.client_id;
        if id.is_empty() {
            return Err("client_id must not be empty".into());
        }
        let method = match seed.auth_method.as_deref() {
            Some(method) => method,
            None if !seed.jwt_keys.is_empty() && seed.client_secret.is_none() => "private_key_jwt",
            None => "client_secret_post",
        };
        let auth = match method {
            "none" => ClientAuth::None,
            "client_secret_post" | "client_secret_basic" => match &seed.client_secret {
                Some(secret) => ClientAuth::Secret(secret.clone()),
                None => return Err(format!("client {id} needs a client_secret or auth_method none")),
            },
            "private_key_jwt" => {
                if seed.client_secret.is_some() {
                    return Err(format!(
                        "client {id}: a private_key_jwt client authenticates with jwt_keys only; remove client_secret"
                    ));
                }
                ClientAuth::PrivateKeyJwt(
                    crate::assertion::parse_keys(&seed.jwt_keys).map_err(|e| format!("client {id}: {e}"))?,
                )
            }
            other => {
                return Err(format!(
                    "unknown auth_method {other}: use none, client_secret_post, client_secret_basic or private_key_jwt"
                ));
            }
        };
        if !seed.jwt_keys.is_empty() && !matches!(auth, ClientAuth::PrivateKeyJwt(_)) {
            return Err(format!("client {id}: jwt_keys need auth_method private_key_jwt"));
        }
        let public = matches!(auth, ClientAuth::None);
        let absolute = seed.refresh_absolute_secs.unwrap_or(REFRESH_LIFETIME_DEFAULT_SECS);
        if !(1..=REFRESH_ABSOLUTE_MAX_SECS).contains(&absolute) {
            return Err(format!("refresh_absolute_secs must be 1-{REFRESH_ABSOLUTE_MAX_SECS}"));
        }
        let idle = seed.refresh_idle_secs.unwrap_or(REFRESH_LIFETIME_DEFAULT_SECS.min(absolute));
        if !(1..=MAX_SETTING_SECS).contains(&idle) || idle > absolute {
            return Err(format!("refresh_idle_secs must be 1-{MAX_SETTING_SECS} and at most refresh_absolute_secs"));
        }
        let leeway = seed.refresh_leeway_secs.unwrap_or(0);
        if leeway > MAX_SETTING_SECS {
            return Err(format!("refresh_leeway_secs must be 0-{MAX_SETTING_SECS}"));
        }
        Ok(Self {
            client_id: id.clone(),
            auth,
            allowed_origins: seed.allowed_origins.iter().map(|o| o.trim_end_matches('/').to_owned()).collect(),
            grant_types: seed.grant_types.clone(),
            refresh_rotation: seed.refresh_rotation.unwrap_or(true),
            refresh_leeway_secs: leeway,
            refresh_absolute_secs: absolute,
            refresh_idle_secs: idle,
            mfa_on_refresh: parse_mfa_on_refresh(seed.mfa_on_refresh.as_ref())?,
            dpop: match seed.dpop.as_deref() {
                None | Some("off") => DpopMode::Off,
                Some("allowed") => DpopMode::Allowed,
                Some("required") => DpopMode::Required,
                Some(other) => return Err(format!("dpop must be off, allowed or required, not {other}")),
            },
            // RFC 9449 servers ask public clients for a nonce; Auth0 does not appear to ask confidential ones.
            dpop_nonce: seed.dpop_nonce.unwrap_or(public),
            dpop_bind_mfa_token: seed.dpop_bind_mfa_token.unwrap_or(true),
            seed: seed.clone(),
        })
    }

    pub fn is_public(&self) -> bool {
        matches!(self.auth, ClientAuth::None)
    }

    /// What the control plane shows: the settings in force, without the secret.
    pub fn to_json(&self) -> Value {
        let (method, keys) = match &self.auth {
            ClientAuth::None => ("none", Vec::new()),
            ClientAuth::Secret(_) => (self.seed.auth_method.as_deref().unwrap_or("client_secret_post"), Vec::new()),
            ClientAuth::PrivateKeyJwt(keys) => ("private_key_jwt", keys.iter().map(ClientKey::to_json).collect()),
        };
        let mfa_on_refresh = match self.mfa_on_refresh {
            MfaOnRefresh::Never => json!("never"),
            MfaOnRefresh::Always => json!("always"),
            MfaOnRefresh::AfterSecs(secs) => json!({"after_secs": secs}),
        };
        json!({
            "client_id": self.client_id, "confidential": !self.is_public(), "auth_method": method, "jwt_keys": keys,
            "allowed_origins": self.allowed_origins, "grant_types": self.grant_types,
            "refresh_rotation": self.refresh_rotation, "refresh_leeway_secs": self.refresh_leeway_secs,
            "refresh_absolute_secs": self.refresh_absolute_secs, "refresh_idle_secs": self.refresh_idle_secs,
            "mfa_on_refresh": mfa_on_refresh, "dpop": self.dpop.name(), "dpop_nonce": self.dpop_nonce,
            "dpop_bind_mfa_token": self.dpop_bind_mfa_token,
        })
    }
}

fn parse_mfa_on_refresh(value: Option<&Value>) -> Result<MfaOnRefresh, String> {
    let bad = || r#"mfa_on_refresh must be "never", "always" or {"after_secs": N}"#.to_owned();
    match value {
        None | Some(Value::Null) => Ok(MfaOnRefresh::Never),
        Some(Value::String(s)) if s == "never" => Ok(MfaOnRefresh::Never),
        Some(Value::String(s)) if s == "always" => Ok(MfaOnRefresh::Always),
        Some(Value::Object(map)) if map.len() == 1 => {
            let secs = map.get("after_secs").and_then(Value::as_u64).ok_or_else(bad)?;
            if secs > MAX_SETTING_SECS {
                return Err(format!("mfa_on_refresh.after_secs must be 0-{MAX_SETTING_SECS}"));
            }
            Ok(MfaOnRefresh::AfterSecs(secs))
        }
        Some(_) => Err(bad()),
    }
}

// ---- transactions -------------------------------------------------------------------------------------------

#[derive(Clone, Debug, Default)]
pub struct MfaTransaction {
    pub user_id: String,
    pub client_id: String,
    pub audience: Option<String>,
    pub scope: String,
    pub expires_ms: i64,
    /// The DPoP key (thumbprint) the MFA grant must prove, when the grant that opened it had a proof.
    pub jkt: Option<String>,
    /// MFA on refresh: the refresh token whose exchange waits for this MFA. The MFA grant rotates it, and then
    /// points here at the token it issued, so that a second MFA grant with this mfa_token continues the chain.
    pub refresh: Option<String>,
}

#[derive(Clone, Debug)]
pub enum OobKind {
    Binding { code: String },
    Push { push_id: String },
}

#[derive(Clone, Debug)]
pub struct OobTransaction {
    pub mfa_token: Option<String>,
    pub user_id: String,
    pub kind: OobKind,
    /// Authenticators that become active when this transaction succeeds (an enrollment).
    pub activates: Vec<String>,
    pub expires_ms: i64,
    pub used: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PushState {
    Pending,
    Approved,
    Rejected,
    Expired,
}

#[derive(Clone, Debug)]
pub struct Push {
    pub id: String,
    pub user_id: String,
    pub username: String,
    pub enrollment: bool,
    pub state: PushState,
    pub created_ms: i64,
    pub expires_ms: i64,
    pub polls: u32,
    pub last_poll_ms: Option<i64>,
}

impl Push {
    pub fn settle_expiry(&mut self, now_ms: i64) {
        if self.state == PushState::Pending && now_ms >= self.expires_ms {
            self.state = PushState::Expired;
        }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id, "user": self.username, "user_id": self.user_id,
            "kind": if self.enrollment { "enrollment" } else { "challenge" },
            "state": self.state, "polls": self.polls,
            "created_at": self.created_ms / 1000, "expires_at": self.expires_ms / 1000,
        })
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct OutboxMessage {
    pub id: u64,
    pub user: String,
    pub channel: &'static str,
    pub to: String,
    pub code: String,
    pub purpose: &'static str,
    pub time: i64,
}

/// One refresh token: a member of a family, and its place in the family's rotation.
#[derive(Clone, Debug, Default)]
pub struct RefreshGrant {
    pub family: String,
    /// The family's counter when this token was issued: only the latest (or, within the leeway, the one
    /// before) may be exchanged.
    pub counter: u64,
    /// Order of issue, for the cap.
    pub seq: u64,
}

/// Every refresh token descended from one login: rotation moves it on, reuse revokes all of it.
#[derive(Clone, Debug, Default)]
pub struct RefreshFamily {
    pub user_id: String,
    pub client_id: String,
    pub audience: Option<String>,
    /// The scope granted at login: a refresh may ask for less, never more.
    pub scope: String,
    pub seq: u64,
    pub created_ms: i64,
    /// Fixed at creation: rotation does not extend it.
    pub absolute_expires_ms: i64,
    /// Renewed by each exchange.
    pub idle_expires_ms: i64,
    /// The counter of the newest member.
    pub latest: u64,
    /// When `latest` was reached: the leeway for reusing its predecessor runs from here.
    pub latest_since_ms: i64,
    pub last_mfa_ms: Option<i64>,
    /// A public client's DPoP key (thumbprint): each refresh must prove it.
    pub jkt: Option<String>,
    pub revoked: Option<Revocation>,
}

impl RefreshFamily {
    pub fn expired(&self, now_ms: i64) -> bool {
        now_ms >= self.absolute_expires_ms || now_ms >= self.idle_expires_ms
    }
}

#[derive(Clone, Debug)]
pub struct Revocation {
    pub at_ms: i64,
    pub reason: &'static str,
    /// Tokens of the family presented since, each refused.
    pub later_uses: u64,
}

/// The DPoP nonce: the current one, and the one before it, still accepted for one more period.
#[derive(Clone, Debug, Default)]
pub struct DpopNonce {
    pub current: String,
    pub previous: Option<String>,
    pub since_ms: i64,
}

#[derive(Clone, Debug, Default)]
pub struct AccessGrant {
    pub user_id: String,
    pub client_id: String,
    pub audience: String,
    pub scopes: Vec<String>,
    pub expires_ms: i64,
}

// ---- control-plane models -----------------------------------------------------------------------------------
// An absent `Option` field is `None` by serde's own rule; the other fields that may be left out say their
// default.

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// An exact path, or a prefix ending in `*`; absent matches every emulated endpoint.
    pub endpoint: Option<String>,
    pub method: Option<String>,
    #[serde(default = "one")]
    pub count: u32,
    pub status: Option<u16>,
    pub body: Option<String>,
    #[serde(default)]
    pub headers: HashMap<String, String>,
    pub delay_ms: Option<u64>,
    #[serde(default)]
    pub drop: bool,
    #[serde(default)]
    pub truncate: bool,
}

fn one() -> u32 {
    1
}

impl Fault {
    pub fn matches(&self, method: &str, path: &str) -> bool {
        let path_ok = match self.endpoint.as_deref() {
            None | Some("*") => true,
            Some(pattern) => match pattern.strip_suffix('*') {
                Some(prefix) => path.starts_with(prefix),
                None => path == pattern,
            },
        };
        path_ok && self.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method))
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct JournalEntry {
    pub seq: u64,
    pub time: i64,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: serde_json::Map<String, Value>,
    pub body: Value,
    pub status: Option<u16>,
    pub fault: bool,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct PushPolicy {
    pub auto_approve_after_polls: Option<u32>,
    pub auto_approve_after_secs: Option<u64>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct RateLimit {
    #[serde(default)]
    pub enabled: bool,
    #[serde(default = "default_rate_limit")]
    pub limit: u32,
    #[serde(default = "default_rate_window")]
    pub window_secs: u64,
}

fn default_rate_limit() -> u32 {
    30
}

fn default_rate_window() -> u64 {
    1
}

#[derive(Clone, Debug, Serialize)]
pub struct Settings {
    pub tenant: String,
    pub connection: String,
    pub recovery_codes: bool,
    pub mfa_token_ttl_secs: u64,
    pub push_rejection_error: String,
    pub permissive_cors: bool,
    pub dpop_nonce_secs: u64,
}

// ---- the tenant ---------------------------------------------------------------------------------------------

pub struct State {
    pub settings: Settings,
    pub clock: Clock,
    pub random: crypto::Random,
    pub users: Vec<User>,
    pub clients: Vec<Client>,
    pub mfa_tokens: HashMap<String, MfaTransaction>,
    pub oobs: HashMap<String, OobTransaction>,
    pub pushes: Vec<Push>,
    pub push_policy: PushPolicy,
    pub outbox: Vec<OutboxMessage>,
    pub outbox_seq: u64,
    pub refresh_tokens: HashMap<String, RefreshGrant>,
    pub refresh_families: HashMap<String, RefreshFamily>,
    pub refresh_seq: u64,
    /// Client-assertion `jti`s seen, per client: `(client_id, jti)` → the assertion's `exp`.
    pub assertion_jtis: HashMap<(String, String), i64>,
    /// DPoP-proof `jti`s seen, per key: `(jkt, jti)` → when the proof's `iat` leaves the accepted window.
    pub dpop_jtis: HashMap<(String, String), i64>,
    pub dpop_nonce: DpopNonce,
    pub access_tokens: HashMap<String, AccessGrant>,
    /// Failed password attempts per (IP, identifier): count and time of the last failure.
    pub brute_force: HashMap<(String, String), (u32, i64)>,
    pub rate_limit: RateLimit,
    pub rate_windows: HashMap<String, (i64, u32)>,
    pub faults: VecDeque<Fault>,
    pub journal: VecDeque<JournalEntry>,
    pub journal_seq: u64,
}

/// Overrides given on the command line or to `spawn`; they survive a reset to the seed.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub permissive_cors: bool,
    pub mfa_token_ttl_secs: Option<u64>,
}

impl State {
    pub fn from_seed(seed: &Seed, overrides: &Overrides, env: &crate::Env) -> Result<Self, String> {
        let clock = Clock::new(env.now_ms);
        let random = crypto::Random(env.random);
        let now = clock.now_ms();
        let settings = Settings {
            tenant: seed.tenant.clone(),
            connection: seed.connection.clone(),
            recovery_codes: seed.recovery_codes,
            mfa_token_ttl_secs: overrides.mfa_token_ttl_secs.or(seed.mfa_token_ttl_secs).unwrap_or(300),
            push_rejection_error: validate_rejection_error(seed.push_rejection_error.as_deref())?,
            permissive_cors: overrides.permissive_cors,
            dpop_nonce_secs: seed.dpop_nonce_secs.unwrap_or(300),
        };
        let mut state = Self {
            settings,
            clock,
            random,
            users: Vec::new(),
            clients: Vec::new(),
            mfa_tokens: HashMap::new(),
            oobs: HashMap::new(),
            pushes: Vec::new(),
            push_policy: PushPolicy::default(),
            outbox: Vec::new(),
            outbox_seq: 0,
            refresh_tokens: HashMap::new(),
            refresh_families: HashMap::new(),
            refresh_seq: 0,
            assertion_jtis: HashMap::new(),
            dpop_jtis: HashMap::new(),
            dpop_nonce: DpopNonce { current: random.token(24), previous: None, since_ms: now },
            access_tokens: HashMap::new(),
            brute_force: HashMap::new(),
            rate_limit: RateLimit::default(),
            rate_windows: HashMap::new(),
            faults: VecDeque::new(),
            journal: VecDeque::new(),
            journal_seq: 0,
        };
        for client in &seed.clients {
            state.add_client(client)?;
        }
        for user in &seed.users {
            state.add_user(user, now)?;
        }
        Ok(state)
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    pub fn add_client(&mut self, seed: &ClientSeed) -> Result<(), String> {
        if self.clients.iter().any(|c| c.client_id == seed.client_id) {
            return Err(format!("client {} already exists", seed.client_id));
        }
        self.clients.push(Client::from_seed(seed)?);
        Ok(())
    }

    pub fn add_user(&mut self, seed: &UserSeed, now_ms: i64) -> Result<String, String> {
        let username = seed.username.trim().to_owned();
        if username.is_empty() {
            return Err("username must not be empty".into());
        }
        if self.find_user_by_login(&username).is_some()
            || seed.email.as_deref().is_some_and(|e| self.find_user_by_login(e).is_some())
        {
            return Err(format!("user {username} already exists"));
        }
        let user_id = seed.user_id.clone().unwrap_or_else(|| format!("auth0|{}", crypto::stable_id(&username)));
        let password_hash = if crypto::is_password_hash(&seed.password) {
            seed.password.clone()
        } else {
            crypto::hash_password(self.random, &seed.password)
        };
        let mut authenticators = Vec::new();
        for (index, a) in seed.authenticators.iter().enumerate() {
            let dev = crypto::stable_id(&format!("{username}#{index}"));
            match a {
                AuthenticatorSeed::Otp { secret } => {
                    check_secret(secret)?;
                    authenticators.push(authenticator(format!("totp|dev_{dev}"), otp(secret), now_ms, None));
                }
                AuthenticatorSeed::Sms { phone_number } | AuthenticatorSeed::Voice { phone_number } => {
                    let (sms, voice) = (format!("sms|dev_{dev}"), format!("voice|dev_{dev}"));
                    let number = phone_number.clone();
                    authenticators.push(authenticator(
                        sms.clone(),
                        Factor::Sms { phone_number: number.clone() },
                        now_ms,
                        Some(voice.clone()),
                    ));
                    authenticators.push(authenticator(
                        voice,
                        Factor::Voice { phone_number: number },
                        now_ms,
                        Some(sms),
                    ));
                }
                AuthenticatorSeed::Email { email } => authenticators.push(authenticator(
                    format!("email|dev_{dev}"),
                    Factor::Email { email: email.clone() },
                    now_ms,
                    None,
                )),
                AuthenticatorSeed::Push { name, otp_secret } => {
                    let secret = otp_secret.clone().unwrap_or_else(|| self.random.totp_secret());
                    check_secret(&secret)?;
                    let (push, totp) = (format!("push|dev_{dev}"), format!("totp|dev_{dev}"));
                    let name = name.clone().unwrap_or_else(|| "Guardian device".into());
                    authenticators.push(authenticator(push.clone(), Factor::Push { name }, now_ms, Some(totp.clone())));
                    authenticators.push(authenticator(totp, otp(&secret), now_ms, Some(push)));
                }
            }
        }
        self.users.push(User {
            user_id: user_id.clone(),
            username,
            email: seed.email.clone(),
            password_hash,
            mfa: seed.mfa,
            blocked: seed.blocked,
            recovery_code: seed.recovery_code.as_deref().map(normalize_recovery_code),
            authenticators,
            bucket: Bucket::full(now_ms),
        });
        Ok(user_id)
    }

    pub fn find_user_by_login(&self, login: &str) -> Option<usize> {
        self.users.iter().position(|u| {
            u.username.eq_ignore_ascii_case(login) || u.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(login))
        })
    }

    pub fn user_index(&self, user_id: &str) -> Option<usize> {
        self.users.iter().position(|u| u.user_id == user_id)
    }

    pub fn client(&self, client_id: &str) -> Option<&Client> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }

    pub fn origin_allowed_anywhere(&self, origin: &str) -> bool {
        self.settings.permissive_cors || self.origin_listed_by_a_client(origin)
    }

    /// Whether some client lists `origin`; unlike [`Self::origin_allowed_anywhere`], permissive CORS does not
    /// count, so that switching it on for the API does not open the control plane to every website.
    pub fn origin_listed_by_a_client(&self, origin: &str) -> bool {
        self.clients.iter().any(|c| c.allowed_origins.iter().any(|o| o == origin))
    }

    pub fn send(&mut self, user: &str, channel: &'static str, to: &str, code: &str, purpose: &'static str) {
        self.outbox_seq += 1;
        let time = self.now_ms() / 1000;
        self.outbox.push(OutboxMessage {
            id: self.outbox_seq,
            user: user.to_owned(),
            channel,
            to: to.to_owned(),
            code: code.to_owned(),
            purpose,
            time,
        });
    }

    /// Forgets what can no longer be used, and the oldest entries beyond each cap, so that the tenant's maps
    /// stay bounded however long it runs. Expiry is read from the emulator's clock, and an expired entry is
    /// kept for [`EXPIRED_GRACE_MS`] so it still answers `expired_token`.
    pub fn prune(&mut self) {
        let now = self.now_ms();
        let gone = |expires_ms: i64| now >= expires_ms.saturating_add(EXPIRED_GRACE_MS);
        self.mfa_tokens.retain(|_, tx| !gone(tx.expires_ms));
        self.oobs.retain(|_, oob| !gone(oob.expires_ms));
        self.pushes.retain(|push| !gone(push.expires_ms));
        self.access_tokens.retain(|_, grant| !gone(grant.expires_ms));
        // A revoked family is kept as long as an expired one, so the control plane can show the revocation.
        self.refresh_families.retain(|_, f| !gone(f.absolute_expires_ms.min(f.idle_expires_ms)));
        self.assertion_jtis.retain(|_, exp_ms| now < *exp_ms);
        self.dpop_jtis.retain(|_, until_ms| now < *until_ms);
        // A failure record older than the block is already ignored by the password grant.
        self.brute_force.retain(|_, (_, last)| now - *last < BRUTE_FORCE_BLOCK_MS);

        keep_newest(&mut self.mfa_tokens, MFA_TOKEN_CAPACITY, |tx| tx.expires_ms);
        keep_newest(&mut self.oobs, OOB_CAPACITY, |oob| oob.expires_ms);
        keep_newest(&mut self.access_tokens, ACCESS_TOKEN_CAPACITY, |grant| grant.expires_ms);
        keep_newest(&mut self.refresh_families, REFRESH_FAMILY_CAPACITY, |family| family.seq as i64);
        let families = &self.refresh_families;
        self.refresh_tokens.retain(|_, grant| families.contains_key(&grant.family));
        keep_newest(&mut self.refresh_tokens, REFRESH_TOKEN_CAPACITY, |grant| grant.seq as i64);
        keep_newest(&mut self.assertion_jtis, JTI_CAPACITY, |exp_ms| *exp_ms);
        keep_newest(&mut self.dpop_jtis, JTI_CAPACITY, |until_ms| *until_ms);
        keep_newest(&mut self.brute_force, BRUTE_FORCE_CAPACITY, |(_, last)| *last);
        // Pushes and the outbox are in the order they were made.
        let excess = self.pushes.len().saturating_sub(PUSH_CAPACITY);
        self.pushes.drain(..excess);
        let excess = self.outbox.len().saturating_sub(OUTBOX_CAPACITY);
        self.outbox.drain(..excess);
    }

    /// How many entries each map holds, for `GET /__emu/stats`.
    pub fn stats(&self) -> Value {
        json!({
            "mfa_tokens": self.mfa_tokens.len(), "oob_transactions": self.oobs.len(), "pushes": self.pushes.len(),
            "outbox": self.outbox.len(), "access_tokens": self.access_tokens.len(),
            "refresh_tokens": self.refresh_tokens.len(), "refresh_families": self.refresh_families.len(),
            "assertion_jtis": self.assertion_jtis.len(), "dpop_jtis": self.dpop_jtis.len(),
            "brute_force": self.brute_force.len(), "journal": self.journal.len(),
        })
    }
}

/// Drops the entries with the smallest `age` key until at most `capacity` remain.
fn keep_newest<K: Clone + Eq + std::hash::Hash, V>(map: &mut HashMap<K, V>, capacity: usize, age: impl Fn(&V) -> i64) {
    let excess = map.len().saturating_sub(capacity);
    if excess == 0 {
        return;
    }
    let mut ages: Vec<(i64, &K)> = map.iter().map(|(k, v)| (age(v), k)).collect();
    ages.select_nth_unstable_by_key(excess - 1, |(a, _)| *a);
    let victims: Vec<K> = ages[..excess].iter().map(|(_, k)| (*k).clone()).collect();
    for key in victims {
        map.remove(&key);
    }
}

pub fn validate_rejection_error(value: Option<&str>) -> Result<String, String> {
    match value.unwrap_or("access_denied") {
        v @ ("access_denied" | "invalid_grant") => Ok(v.to_owned()),
        other => Err(format!("push_rejection_error must be access_denied or invalid_grant, not {other}")),
    }
}

pub fn normalize_recovery_code(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

fn check_secret(secret: &str) -> Result<(), String> {
    crypto::base32_decode(secret).map(|_| ()).ok_or_else(|| "an OTP secret must be base32".to_owned())
}

fn otp(secret: &str) -> Factor {
    Factor::Otp { secret: secret.to_owned(), last_used_step: None }
}

fn authenticator(id: String, factor: Factor, created_ms: i64, pair: Option<String>) -> Authenticator {
    Authenticator { id, factor, active: true, created_ms, pair }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_formats_known_instants() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn bucket_refills_one_per_six_minutes() {
        let mut bucket = Bucket::full(0);
        for _ in 0..10 {
            bucket.consume(0);
        }
        assert!(!bucket.has_attempt(FAILED_CODE_REFILL_MS - 1));
        assert!(bucket.has_attempt(FAILED_CODE_REFILL_MS));
        assert_eq!(bucket.available(), 1);
        assert!(bucket.has_attempt(100 * FAILED_CODE_REFILL_MS));
        assert_eq!(bucket.available(), 10);
    }

    #[test]
    fn prune_keeps_the_newest_within_each_cap() {
        let mut state = State::from_seed(&crate::default_seed(), &Overrides::default(), &crate::env::for_unit_tests())
            .expect("seed");
        state.clock.freeze(true);
        state.clock.set_ms(1_000_000);
        let far = 2_000_000_000; // unexpired: only the caps apply
        let extra = 10;
        for i in 0..MFA_TOKEN_CAPACITY + extra {
            let tx = MfaTransaction { expires_ms: far + i as i64, ..Default::default() };
            state.mfa_tokens.insert(format!("m{i}"), tx);
        }
        for i in 0..OOB_CAPACITY + extra {
            let oob = OobTransaction {
                mfa_token: None,
                user_id: "u".into(),
                kind: OobKind::Binding { code: "123456".into() },
                activates: Vec::new(),
                expires_ms: far + i as i64,
                used: false,
            };
            state.oobs.insert(format!("o{i}"), oob);
        }
        for i in 0..ACCESS_TOKEN_CAPACITY + extra {
            let grant = AccessGrant { expires_ms: far + i as i64, ..Default::default() };
            state.access_tokens.insert(format!("a{i}"), grant);
        }
        let family = RefreshFamily { absolute_expires_ms: far, idle_expires_ms: far, ..Default::default() };
        state.refresh_families.insert("f".into(), family);
        for i in 0..REFRESH_TOKEN_CAPACITY + extra {
            let grant = RefreshGrant { family: "f".into(), seq: i as u64, ..Default::default() };
            state.refresh_tokens.insert(format!("r{i}"), grant);
        }
        for i in 0..BRUTE_FORCE_CAPACITY + extra {
            state.brute_force.insert((format!("ip{i}"), "user".into()), (1, 1_000_000 - 1_000 + i as i64));
        }
        for _ in 0..OUTBOX_CAPACITY + extra {
            state.send("u", "sms", "+15555550100", "123456", "challenge");
        }
        state.prune();
        assert_eq!(state.mfa_tokens.len(), MFA_TOKEN_CAPACITY);
        assert_eq!(state.oobs.len(), OOB_CAPACITY);
        assert_eq!(state.access_tokens.len(), ACCESS_TOKEN_CAPACITY);
        assert_eq!(state.refresh_tokens.len(), REFRESH_TOKEN_CAPACITY);
        assert_eq!(state.brute_force.len(), BRUTE_FORCE_CAPACITY);
        assert_eq!(state.outbox.len(), OUTBOX_CAPACITY);
        // The oldest went, the newest stayed.
        let last = |cap: usize| cap + extra - 1;
        for i in 0..extra {
            assert!(!state.mfa_tokens.contains_key(&format!("m{i}")));
            assert!(!state.oobs.contains_key(&format!("o{i}")));
            assert!(!state.access_tokens.contains_key(&format!("a{i}")));
            assert!(!state.refresh_tokens.contains_key(&format!("r{i}")));
            assert!(!state.brute_force.contains_key(&(format!("ip{i}"), "user".into())));
        }
        assert!(state.mfa_tokens.contains_key(&format!("m{extra}")));
        assert!(state.mfa_tokens.contains_key(&format!("m{}", last(MFA_TOKEN_CAPACITY))));
        assert!(state.refresh_tokens.contains_key(&format!("r{}", last(REFRESH_TOKEN_CAPACITY))));
        assert_eq!(state.outbox.first().map(|m| m.id), Some(extra as u64 + 1));
    }

    #[test]
    fn refresh_families_go_after_their_expiry_and_take_their_tokens() {
        let mut state = State::from_seed(&crate::default_seed(), &Overrides::default(), &crate::env::for_unit_tests())
            .expect("seed");
        state.clock.freeze(true);
        state.clock.set_ms(10 * EXPIRED_GRACE_MS);
        let now = state.now_ms();
        for (id, idle_expires_ms) in [("expired", now - EXPIRED_GRACE_MS), ("alive", now + 1)] {
            let family = RefreshFamily { absolute_expires_ms: now + 1, idle_expires_ms, ..Default::default() };
            state.refresh_families.insert(id.into(), family);
            state
                .refresh_tokens
                .insert(format!("{id}-token"), RefreshGrant { family: id.into(), ..Default::default() });
        }
        state.prune();
        assert_eq!(state.refresh_families.keys().collect::<Vec<_>>(), vec!["alive"]);
        assert_eq!(state.refresh_tokens.keys().collect::<Vec<_>>(), vec!["alive-token"]);
    }

    #[test]
    fn brute_force_records_go_once_the_block_is_over() {
        let mut state = State::from_seed(&crate::default_seed(), &Overrides::default(), &crate::env::for_unit_tests())
            .expect("seed");
        state.clock.freeze(true);
        state.clock.set_ms(BRUTE_FORCE_BLOCK_MS);
        state.brute_force.insert(("ip".into(), "old".into()), (10, 0));
        state.brute_force.insert(("ip".into(), "recent".into()), (10, 1));
        state.prune();
        let left: Vec<&str> = state.brute_force.keys().map(|(_, user)| user.as_str()).collect();
        assert_eq!(left, vec!["recent"]);
    }

    #[test]
    fn masks() {
        assert_eq!(mask_phone("+15555550100"), "XXXXXXX0100");
        assert_eq!(mask_email("user@example.com"), "****@exam*******");
    }
}

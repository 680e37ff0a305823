//! The JSON a tenant is seeded from, and the one that ships with the emulator. An absent `Option` field is
//! `None` by serde's own rule; the other fields that may be left out say their default.

use serde::{Deserialize, Serialize};

pub const DEFAULT_SEED: &str = include_str!("../seed/default.json");

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    #[serde(default = "default_tenant")]
    pub tenant: String,
    /// The database connection the `password-realm` grant accepts as `realm`.
    #[serde(default = "default_connection")]
    pub connection: String,
    #[serde(default = "yes")]
    pub recovery_codes: bool,
    pub mfa_token_ttl_secs: Option<u64>,
    /// `access_denied` (as recorded live) or `invalid_grant` (as documented).
    pub push_rejection_error: Option<String>,
    /// How often the DPoP nonce changes (the previous one stays accepted for as long again); default 300.
    pub dpop_nonce_secs: Option<u64>,
    #[serde(default)]
    pub clients: Vec<ClientSeed>,
    #[serde(default)]
    pub users: Vec<UserSeed>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSeed {
    pub client_id: String,
    pub name: Option<String>,
    pub client_secret: Option<String>,
    /// `none`, `client_secret_post`, `client_secret_basic` (a client with a secret accepts both of these) or
    /// `private_key_jwt` (the default for a client with `jwt_keys`).
    pub auth_method: Option<String>,
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// Grant types the client may use; absent means all of the password, MFA and refresh grants.
    pub grant_types: Option<Vec<String>>,
    /// Public keys of a `private_key_jwt` client (one or two, for rotation).
    #[serde(default)]
    pub jwt_keys: Vec<JwtKeySeed>,
    /// Each refresh exchange returns a new refresh token and invalidates the one presented; default true.
    pub refresh_rotation: Option<bool>,
    /// Seconds after a rotation during which the immediate predecessor may still be exchanged; default 0.
    pub refresh_leeway_secs: Option<u64>,
    /// A refresh-token family's lifetime from its first token, not extended by rotation; default 30 days.
    pub refresh_absolute_secs: Option<u64>,
    /// How long a family may go unused; each exchange renews it. Default 30 days (at most the absolute one).
    pub refresh_idle_secs: Option<u64>,
    /// `"never"` (default), `"always"` or `{"after_secs": N}`: MFA when more than N seconds passed since the
    /// family's last MFA. Kept as JSON so that a wrong value gets a clear message rather than serde's.
    pub mfa_on_refresh: Option<serde_json::Value>,
    /// `"off"` (default: a proof is ignored), `"allowed"` or `"required"`.
    pub dpop: Option<String>,
    /// Whether a DPoP proof must carry a server nonce; default true for a public client, false otherwise.
    pub dpop_nonce: Option<bool>,
    /// Whether the `mfa_token` of a grant made with a proof is bound to its key; default true.
    pub dpop_bind_mfa_token: Option<bool>,
}

/// One public key a `private_key_jwt` client signs its assertions with.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct JwtKeySeed {
    /// RSA 2048-4096, SPKI (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN RSA PUBLIC KEY`) PEM.
    pub pem: String,
    /// `RS256` (default), `RS384` or `PS256`.
    pub alg: Option<String>,
    /// Absent: the key's RFC 7638 thumbprint, as Auth0 assigns.
    pub kid: Option<String>,
    /// Unix seconds after which the key no longer verifies anything.
    pub expires_at: Option<i64>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UserSeed {
    pub username: String,
    pub email: Option<String>,
    pub user_id: Option<String>,
    /// Plain text (hashed on load) or an already hashed `pbkdf2-sha256$…` value.
    pub password: String,
    /// Whether this user must pass MFA on every login.
    #[serde(default = "yes")]
    pub mfa: bool,
    #[serde(default)]
    pub blocked: bool,
    pub recovery_code: Option<String>,
    #[serde(default)]
    pub authenticators: Vec<AuthenticatorSeed>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum AuthenticatorSeed {
    Otp {
        secret: String,
    },
    /// Enrolls the number for both SMS and voice, as Auth0 does.
    Sms {
        phone_number: String,
    },
    Voice {
        phone_number: String,
    },
    Email {
        email: String,
    },
    /// A Guardian device; `otp_secret` is the paired OTP authenticator's secret.
    Push {
        name: Option<String>,
        otp_secret: Option<String>,
    },
}

fn default_tenant() -> String {
    "Emulated Tenant".into()
}

fn default_connection() -> String {
    "Username-Password-Authentication".into()
}

fn yes() -> bool {
    true
}

pub fn parse(text: &str) -> Result<Seed, String> {
    serde_json::from_str(text).map_err(|e| format!("invalid seed: {e}"))
}

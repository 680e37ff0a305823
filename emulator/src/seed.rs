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
    /// `none`, `client_secret_post` or `client_secret_basic`; a client with a secret accepts both of the latter.
    pub auth_method: Option<String>,
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// Grant types the client may use; absent means all of the password, MFA and refresh grants.
    pub grant_types: Option<Vec<String>>,
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

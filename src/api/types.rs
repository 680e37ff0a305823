//! What the endpoints answer, as types.

use super::json::{Fields, Shaped, Value, Writer, WrongShape, answer};
use super::secret::{AccessToken, BarcodeUri, IdToken, OobCode, OtpSecret, RecoveryCode, RefreshToken};

answer! {
    /// Tokens from `/oauth/token`. `Debug` redacts every token.
    ///
    /// Only `access_token` must be a string; an optional field of the wrong type is dropped, and `expires_in` may
    /// be a decimal or a string.
    #[derive(Debug, Clone)]
    pub struct Tokens {
        pub access_token: AccessToken = required,
        /// `Bearer` in practice.
        pub token_type: Option<String> = loose_string,
        /// Lifetime of the access token in seconds.
        pub expires_in: Option<u64> = loose_seconds,
        /// Present when `openid` was in the scope.
        pub id_token: Option<IdToken> = loose_string,
        /// Present when `offline_access` was in the scope and the API allows it.
        pub refresh_token: Option<RefreshToken> = loose_string,
        /// Present when the granted scopes differ from the requested ones.
        pub scope: Option<String> = loose_string,
        /// After a recovery-code login: the user's **new** recovery code (the old one no longer works). Show it once.
        pub recovery_code: Option<RecoveryCode> = loose_string,
    }
}

/// `mfa_requirements` of an `mfa_required` answer (Customizable MFA): the factor types Auth0 wants challenged or
/// enrolled, e.g. `otp`, `push-notification`, `phone`, `email`, `recovery-code`. Each list is `None` when absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MfaRequirements {
    pub challenge: Option<Vec<String>>,
    pub enroll: Option<Vec<String>>,
}

impl MfaRequirements {
    /// Reads `{challenge: [{type}], enroll: [{type}]}` leniently: entries without a string `type` are skipped
    /// (plain strings are taken as types), a non-object gives `None`.
    pub(crate) fn from_answer(value: &Value) -> Option<Self> {
        let Value::Object(_) = value else { return None };
        let list = |key: &str| {
            value.get(key).and_then(Value::as_array).map(|items| {
                items
                    .iter()
                    .filter_map(|item| item.get("type").unwrap_or(item).as_str().map(str::to_owned))
                    .collect::<Vec<_>>()
            })
        };
        Some(Self { challenge: list("challenge"), enroll: list("enroll") })
    }

    /// As saved in a flow state: `{"challenge": [..] | null, "enroll": [..] | null}`.
    pub(crate) fn write(&self, w: &mut Writer, name: &str) {
        w.begin(Some(name));
        w.strs("challenge", self.challenge.as_deref());
        w.strs("enroll", self.enroll.as_deref());
        w.end();
    }

    /// Reads what `write` saved in a flow state.
    pub(crate) fn from_saved(value: Value) -> Shaped<Self> {
        let mut fields = Fields::of(value)?;
        Ok(Self { challenge: fields.strings("challenge")?, enroll: fields.strings("enroll")? })
    }
}

/// What an authenticator is, from its `authenticator_type` and `oob_channel` (or its id's prefix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthenticatorKind {
    /// An authenticator app (TOTP); also created by push enrollment.
    Otp,
    Sms,
    Voice,
    Email,
    /// Guardian push notifications (`oob_channel` `auth0`).
    Push,
    RecoveryCode,
    /// A type this library does not know.
    Unknown,
}

impl AuthenticatorKind {
    /// `otp`, `sms`, `voice`, `email`, `push`, `recovery-code` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Otp => "otp",
            Self::Sms => "sms",
            Self::Voice => "voice",
            Self::Email => "email",
            Self::Push => "push",
            Self::RecoveryCode => "recovery-code",
            Self::Unknown => "unknown",
        }
    }

    /// The kind named by [`AuthenticatorKind::as_str`], as saved in a flow state.
    pub(crate) fn from_name(name: &str) -> Shaped<Self> {
        [Self::Otp, Self::Sms, Self::Voice, Self::Email, Self::Push, Self::RecoveryCode, Self::Unknown]
            .into_iter()
            .find(|kind| kind.as_str() == name)
            .ok_or(WrongShape)
    }

    /// The kind of an `oob_channel` value: `sms`, `voice`, `email`, `auth0` (push).
    pub fn from_channel(channel: &str) -> Self {
        match channel {
            "sms" => Self::Sms,
            "voice" => Self::Voice,
            "email" => Self::Email,
            "auth0" => Self::Push,
            _ => Self::Unknown,
        }
    }

    /// The `oob_channel` of an out-of-band kind.
    pub fn channel(self) -> Option<&'static str> {
        match self {
            Self::Sms => Some("sms"),
            Self::Voice => Some("voice"),
            Self::Email => Some("email"),
            Self::Push => Some("auth0"),
            _ => None,
        }
    }

    /// Whether challenging it sends an `oob_code` (everything but OTP).
    pub fn is_oob(self) -> bool {
        self.channel().is_some()
    }

    /// Whether confirming it needs a typed binding code. Known kinds decide by themselves (SMS, voice and email
    /// always send one, push never does), so a missing or stray `binding_method` cannot strand the user; only an
    /// unknown kind goes by whether the server named a `binding_method`.
    pub fn binding_required(self, server_named_binding_method: bool) -> bool {
        match self {
            Self::Sms | Self::Voice | Self::Email => true,
            Self::Push | Self::Otp | Self::RecoveryCode => false,
            Self::Unknown => server_named_binding_method,
        }
    }

    pub(crate) fn classify(authenticator_type: &str, channel: Option<&str>, id: &str) -> Self {
        let by_channel = channel.map(Self::from_channel).filter(|k| *k != Self::Unknown);
        match authenticator_type {
            "otp" => Self::Otp,
            "recovery-code" => Self::RecoveryCode,
            "email" => Self::Email,
            _ => by_channel.unwrap_or_else(|| match id.split_once('|').map(|(prefix, _)| prefix).unwrap_or_default() {
                "totp" | "otp" => Self::Otp,
                "sms" => Self::Sms,
                "voice" => Self::Voice,
                "email" => Self::Email,
                "push" => Self::Push,
                "recovery-code" => Self::RecoveryCode,
                _ => Self::Unknown,
            }),
        }
    }
}

/// One entry of `GET /mfa/authenticators`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticator {
    /// e.g. `totp|dev_…`, `sms|dev_…`, `push|dev_…`, `email|…`, `recovery-code|dev_…`.
    pub id: String,
    /// `otp`, `oob` or `recovery-code` as Auth0 sent it.
    pub authenticator_type: String,
    /// `false`: enrolled but never confirmed; it cannot be challenged.
    pub active: bool,
    /// `sms`, `voice`, `email` or `auth0` for out-of-band authenticators (from `oob_channel`, or the legacy
    /// `oob_channels`).
    pub oob_channel: Option<String>,
    /// Masked phone number, masked email, or push device name.
    pub name: Option<String>,
    pub kind: AuthenticatorKind,
}

impl Authenticator {
    /// As saved in a flow state (every field; `kind` by name).
    pub(crate) fn write(&self, w: &mut Writer) {
        w.begin(None);
        w.str("id", &self.id);
        w.str("authenticator_type", &self.authenticator_type);
        w.bool("active", self.active);
        w.opt_str("oob_channel", self.oob_channel.as_deref());
        w.opt_str("name", self.name.as_deref());
        w.str("kind", self.kind.as_str());
        w.end();
    }

    /// Reads what `write` saved in a flow state.
    pub(crate) fn from_saved(value: Value) -> Shaped<Self> {
        let mut fields = Fields::of(value)?;
        Ok(Self {
            id: fields.required("id")?,
            authenticator_type: fields.required("authenticator_type")?,
            active: fields.bool("active")?.ok_or(WrongShape)?,
            oob_channel: fields.string("oob_channel")?,
            name: fields.string("name")?,
            kind: AuthenticatorKind::from_name(&fields.required::<String>("kind")?)?,
        })
    }
}

/// The response of `POST /mfa/associate`: what the user needs to finish enrolling.
#[derive(Debug, Clone)]
pub struct Enrollment {
    pub kind: AuthenticatorKind,
    /// `otp` or `oob`.
    pub authenticator_type: String,
    /// OTP: the base32 shared secret to show beside the QR code.
    pub secret: Option<OtpSecret>,
    /// OTP and push: the `otpauth://` URI to show as a QR code.
    pub barcode_uri: Option<BarcodeUri>,
    /// Out-of-band: the code to confirm the enrollment with.
    pub oob_code: Option<OobCode>,
    pub oob_channel: Option<String>,
    /// `prompt` for SMS, voice and email (a binding code must be typed); absent for push (poll instead).
    pub binding_method: Option<String>,
    /// Only on the user's first enrollment and when the tenant enables them; often empty. Show them once.
    pub recovery_codes: Vec<RecoveryCode>,
}

impl Enrollment {
    /// True when the user must type a code from SMS, voice or email to confirm.
    pub fn binding_required(&self) -> bool {
        self.kind.binding_required(self.binding_method.is_some())
    }
}

/// The response of `POST /mfa/challenge`.
#[derive(Debug, Clone)]
pub struct Challenge {
    /// `otp` or `oob`.
    pub challenge_type: String,
    /// Out-of-band: the code to verify with (with a binding code, or by polling for push).
    pub oob_code: Option<OobCode>,
    /// `prompt` for SMS, voice and email; absent for push.
    pub binding_method: Option<String>,
}

impl Challenge {
    pub fn binding_required(&self) -> bool {
        self.binding_method.is_some()
    }
}

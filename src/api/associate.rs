//! `POST /mfa/associate` (JSON, bearer token): enroll an authenticator.

use super::Operation;
use super::config::Config;
use super::response::{classify_error, invalid, parse_json};
use super::secret::{BarcodeUri, OobCode, OtpSecret, RecoveryCode};
use super::types::{AuthenticatorKind, Enrollment};
use super::wire::{JSON, json, request, with_bearer, with_body};
use crate::error::{Error, ResponseProblem};
use crate::http::{HttpRequest, HttpResponse, Method};
use serde::{Deserialize, Serialize};

pub const PATH: &str = "/mfa/associate";

/// The authenticator to enroll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnrollTarget {
    /// An authenticator app: answers a secret and a QR code.
    Otp,
    /// SMS to an E.164 phone number such as `+15551234567`.
    Sms { phone_number: String },
    /// A voice call to an E.164 phone number.
    Voice { phone_number: String },
    /// An extra email address (verified addresses are usable without enrolling).
    Email { email: String },
    /// Guardian push: answers a QR code for the Guardian app.
    Push,
}

impl EnrollTarget {
    pub fn kind(&self) -> AuthenticatorKind {
        match self {
            Self::Otp => AuthenticatorKind::Otp,
            Self::Sms { .. } => AuthenticatorKind::Sms,
            Self::Voice { .. } => AuthenticatorKind::Voice,
            Self::Email { .. } => AuthenticatorKind::Email,
            Self::Push => AuthenticatorKind::Push,
        }
    }
}

#[derive(Serialize)]
struct AssociateBody<'a> {
    client_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<&'a str>,
    authenticator_types: [&'a str; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    oob_channels: Option<[&'a str; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
}

/// `bearer` is the `mfa_token` (user with no active authenticator) or an MFA-API access token with `enroll`.
/// Body: `{"client_id", "client_secret"?, "authenticator_types": ["otp"|"oob"], "oob_channels": [channel]?,
/// "phone_number"?, "email"?}`.
pub fn request_for(config: &Config, bearer: &str, target: &EnrollTarget) -> HttpRequest {
    let (phone_number, email) = match target {
        EnrollTarget::Sms { phone_number } | EnrollTarget::Voice { phone_number } => {
            (Some(phone_number.as_str()), None)
        }
        EnrollTarget::Email { email } => (None, Some(email.as_str())),
        EnrollTarget::Otp | EnrollTarget::Push => (None, None),
    };
    let channel = target.kind().channel();
    let body = AssociateBody {
        client_id: config.client_id(),
        client_secret: config.client_secret().map(|s| s.expose()),
        authenticator_types: [if channel.is_some() { "oob" } else { "otp" }],
        oob_channels: channel.map(|c| [c]),
        phone_number,
        email,
    };
    let request = with_bearer(request(config, Method::Post, PATH), bearer);
    with_body(request, JSON, json(&body))
}

#[derive(Deserialize)]
struct RawEnrollment {
    #[serde(default)]
    authenticator_type: Option<String>,
    #[serde(default)]
    secret: Option<OtpSecret>,
    #[serde(default)]
    barcode_uri: Option<BarcodeUri>,
    #[serde(default)]
    oob_code: Option<OobCode>,
    #[serde(default)]
    oob_channel: Option<String>,
    #[serde(default)]
    oob_channels: Option<serde_json::Value>,
    #[serde(default)]
    binding_method: Option<String>,
    #[serde(default)]
    recovery_codes: Option<Vec<RecoveryCode>>,
}

/// Reads the enrollment of `target`. An OTP answer must carry `secret` or `barcode_uri`, an out-of-band answer an
/// `oob_code`; otherwise the response is invalid.
pub fn parse(response: &HttpResponse, target: &EnrollTarget) -> Result<Enrollment, Error> {
    if !response.is_success() {
        return Err(classify_error(response, Operation::Associate));
    }
    let raw: RawEnrollment = parse_json(response, "an enrollment")?;
    let kind = target.kind();
    let complete =
        if kind.is_oob() { raw.oob_code.is_some() } else { raw.secret.is_some() || raw.barcode_uri.is_some() };
    if !complete {
        return Err(invalid(response, ResponseProblem::WrongShape, "an enrollment with its secret or oob_code"));
    }
    let legacy_channel = raw.oob_channels.as_ref().and_then(|v| match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(items) => items.first().and_then(|c| c.as_str()).map(str::to_owned),
        _ => None,
    });
    let default_type = if kind.is_oob() { "oob" } else { "otp" };
    Ok(Enrollment {
        kind,
        authenticator_type: raw.authenticator_type.unwrap_or_else(|| default_type.to_owned()),
        secret: raw.secret,
        barcode_uri: raw.barcode_uri,
        oob_code: raw.oob_code,
        oob_channel: raw.oob_channel.or(legacy_channel).or_else(|| kind.channel().map(str::to_owned)),
        binding_method: raw.binding_method.filter(|m| !m.is_empty()),
        recovery_codes: raw.recovery_codes.unwrap_or_default(),
    })
}

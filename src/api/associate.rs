//! `POST /mfa/associate` (JSON, bearer token): enroll an authenticator.

use super::Operation;
use super::config::Config;
use super::json::{Value, Writer, answer};
use super::response::{classify_error, invalid, parse_json};
use super::secret::{BarcodeUri, OobCode, OtpSecret, RecoveryCode};
use super::types::{AuthenticatorKind, Enrollment};
use super::wire::{JSON, request, with_bearer, with_body};
use crate::error::{Error, ResponseProblem};
use crate::http::{HttpRequest, HttpResponse, Method};

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
    let mut body = Writer::new();
    body.begin(None);
    body.str("client_id", config.client_id());
    if let Some(secret) = config.client_secret() {
        body.str("client_secret", secret.expose());
    }
    body.strs("authenticator_types", Some(&[if channel.is_some() { "oob" } else { "otp" }]));
    if let Some(channel) = channel {
        body.strs("oob_channels", Some(&[channel]));
    }
    if let Some(phone_number) = phone_number {
        body.str("phone_number", phone_number);
    }
    if let Some(email) = email {
        body.str("email", email);
    }
    body.end();
    let request = with_bearer(request(config, Method::Post, PATH), bearer);
    with_body(request, JSON, body.finish())
}

answer! {
    struct RawEnrollment {
        authenticator_type: Option<String> = loose_string,
        secret: Option<OtpSecret> = string,
        barcode_uri: Option<BarcodeUri> = string,
        oob_code: Option<OobCode> = string,
        oob_channel: Option<String> = loose_string,
        /// Legacy name, a string or an array of strings.
        oob_channels: Option<Value> = value,
        binding_method: Option<String> = loose_string,
        recovery_codes: Option<Vec<RecoveryCode>> = strings,
    }
}

/// Reads the enrollment of `target`. An OTP answer must carry `secret` or `barcode_uri`, an out-of-band answer an
/// `oob_code`; otherwise the response is invalid.
pub fn parse(response: &HttpResponse, target: &EnrollTarget) -> Result<Enrollment, Error> {
    if !response.is_success() {
        return Err(classify_error(response, Operation::Associate));
    }
    let raw = parse_json(response, "an enrollment", b'{', RawEnrollment::from_answer)?;
    let kind = target.kind();
    let complete =
        if kind.is_oob() { raw.oob_code.is_some() } else { raw.secret.is_some() || raw.barcode_uri.is_some() };
    if !complete {
        return Err(invalid(response, ResponseProblem::WrongShape, "an enrollment with its secret or oob_code"));
    }
    let legacy_channel = raw.oob_channels.as_ref().and_then(Value::first_str);
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

//! The plain objects JavaScript receives, each built in one place. Their TypeScript interfaces, of the same names,
//! are in the declarations of `mod.rs`.

use crate::api::{Authenticator, Enrollment, MfaRequirements, Tokens};
use crate::flow::{AuthenticatorList, ChallengeStarted, LoginOutcome, PushProgress};
use crate::otp::{KeyUri, OtpKind};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;

fn set(object: &Object, name: &str, value: impl Into<JsValue>) {
    // A fresh plain object takes any property.
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

/// `MfaRequirements`, or `undefined` when Auth0 sent none.
pub(crate) fn requirements(requirements: Option<&MfaRequirements>) -> JsValue {
    let Some(requirements) = requirements else { return JsValue::UNDEFINED };
    let object = Object::new();
    set_opt(&object, "challenge", requirements.challenge.as_ref().map(strings));
    set_opt(&object, "enroll", requirements.enroll.as_ref().map(strings));
    object.into()
}

/// `Tokens`.
pub(crate) fn tokens(tokens: &Tokens) -> JsValue {
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

/// `LoginResult`.
pub(crate) fn login_result(outcome: &LoginOutcome) -> JsValue {
    let object = Object::new();
    match outcome {
        LoginOutcome::Authenticated(tokens) => {
            set(&object, "stage", "authenticated");
            set(&object, "tokens", self::tokens(tokens));
        }
        LoginOutcome::MfaRequired(found) => {
            set(&object, "stage", "mfa_required");
            set(&object, "mfaRequirements", requirements(found.as_ref()));
        }
    }
    object.into()
}

/// `Authenticator`.
pub(crate) fn authenticator(authenticator: &Authenticator) -> JsValue {
    let object = Object::new();
    set(&object, "id", authenticator.id.as_str());
    set(&object, "type", authenticator.kind.as_str());
    set(&object, "authenticatorType", authenticator.authenticator_type.as_str());
    set(&object, "active", authenticator.active);
    set_opt(&object, "oobChannel", authenticator.oob_channel.as_deref());
    set_opt(&object, "name", authenticator.name.as_deref());
    object.into()
}

/// `Authenticator[]`.
pub(crate) fn authenticators(list: &[Authenticator]) -> JsValue {
    list.iter().map(authenticator).collect::<Array>().into()
}

/// `AuthenticatorList`.
pub(crate) fn authenticator_list(list: &AuthenticatorList) -> JsValue {
    let object = Object::new();
    set(&object, "active", authenticators(&list.active));
    set(&object, "all", authenticators(&list.all));
    object.into()
}

/// `Enrollment`.
pub(crate) fn enrollment(enrollment: &Enrollment) -> JsValue {
    let object = Object::new();
    set(&object, "type", enrollment.kind.as_str());
    set(&object, "authenticatorType", enrollment.authenticator_type.as_str());
    set_opt(&object, "secret", enrollment.secret.as_ref().map(|s| s.expose().to_owned()));
    if let Some(uri) = &enrollment.barcode_uri {
        set(&object, "barcodeUri", uri.expose());
        // OTP parameters for display and for `new Totp(…)`; push URIs carry no secret and are left unparsed.
        if let Ok(key) = KeyUri::parse(uri.expose()) {
            set(&object, "otp", key_uri_info(&key));
        }
    }
    set_opt(&object, "oobChannel", enrollment.oob_channel.as_deref());
    set(&object, "bindingRequired", enrollment.binding_required());
    set(&object, "recoveryCodes", strings(enrollment.recovery_codes.iter().map(|c| c.expose().to_owned())));
    object.into()
}

/// `ChallengeResult`.
pub(crate) fn challenge(started: &ChallengeStarted) -> JsValue {
    let object = Object::new();
    set(&object, "type", started.kind.as_str());
    set_opt(&object, "authenticatorId", started.authenticator_id.as_deref());
    set(&object, "challengeType", started.challenge_type.as_str());
    set(&object, "bindingRequired", started.binding_required);
    object.into()
}

/// `PushProgress`.
pub(crate) fn push_progress(progress: &PushProgress) -> JsValue {
    let object = Object::new();
    set(&object, "attempt", progress.attempt);
    set(&object, "slowDown", progress.slow_down);
    set(&object, "nextIntervalMs", progress.next_interval_ms as f64);
    set(&object, "elapsedMs", progress.elapsed_ms as f64);
    object.into()
}

/// `KeyUriInfo`.
pub(crate) fn key_uri_info(uri: &KeyUri) -> JsValue {
    let info = Object::new();
    match uri.kind {
        OtpKind::Totp { period } => {
            set(&info, "type", "totp");
            set(&info, "period", period.get() as f64);
        }
        OtpKind::Hotp { counter } => {
            set(&info, "type", "hotp");
            set(&info, "counter", counter as f64);
        }
    }
    set(&info, "secret", uri.key.secret.to_base32());
    set(&info, "algorithm", uri.key.algorithm.name());
    set(&info, "digits", uri.key.digits.get());
    set(&info, "account", uri.key.account.as_str());
    set_opt(&info, "issuer", uri.key.issuer.as_deref());
    set_opt(&info, "labelIssuer", uri.key.label_issuer.as_deref());
    set(&info, "bits", uri.key.secret.bits() as f64);
    set(&info, "weak", uri.key.secret.is_weak());
    info.into()
}

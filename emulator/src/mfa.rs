//! `/mfa/authenticators`, `/mfa/associate`, `/mfa/challenge` and `DELETE /mfa/authenticators/{id}`.

use crate::errors::{self, ApiResult};
use crate::params::{self, Params};
use crate::state::{
    AccessGrant, Authenticator, BINDING_CODE_LIFETIME_MS, Factor, MfaTransaction, OobKind, OobTransaction,
    PUSH_LIFETIME_MS, Push, PushState, State,
};
use crate::{App, crypto};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;

/// Who is calling a bearer-protected MFA endpoint.
enum Caller {
    MfaToken(String, MfaTransaction),
    AccessToken(AccessGrant),
}

impl Caller {
    fn user_id(&self) -> &str {
        match self {
            Self::MfaToken(_, tx) => &tx.user_id,
            Self::AccessToken(grant) => &grant.user_id,
        }
    }

    fn client_id(&self) -> &str {
        match self {
            Self::MfaToken(_, tx) => &tx.client_id,
            Self::AccessToken(grant) => &grant.client_id,
        }
    }
}

fn caller(app: &App, state: &mut State, headers: &HeaderMap, scope: &str) -> ApiResult<Caller> {
    let token = params::bearer(headers)?;
    let now = state.now_ms();
    let caller = if let Some(tx) = state.mfa_tokens.get(&token) {
        if now >= tx.expires_ms {
            return Err(errors::expired_bearer());
        }
        Caller::MfaToken(token, tx.clone())
    } else if let Some(grant) = state.access_tokens.get(&token) {
        if now >= grant.expires_ms {
            return Err(errors::ApiError::new(401, "invalid_token", "The access token has expired"));
        }
        if !app.is_mfa_audience(&grant.audience) {
            return Err(errors::wrong_audience());
        }
        if !grant.scopes.iter().any(|s| s == scope) {
            return Err(errors::insufficient_scope(scope));
        }
        Caller::AccessToken(grant.clone())
    } else {
        return Err(errors::bad_bearer());
    };
    if let Some(client) = state.client(caller.client_id()).cloned() {
        params::check_origin(state, &client, headers)?;
    }
    params::count_request(state, caller.client_id())?;
    Ok(caller)
}

fn user_index(state: &State, caller: &Caller) -> ApiResult<usize> {
    state.user_index(caller.user_id()).ok_or_else(errors::bad_bearer)
}

fn respond(result: ApiResult<Value>) -> Response {
    match result {
        Ok(body) => Json(body).into_response(),
        Err(error) => error.into_response(),
    }
}

pub async fn list(AxumState(app): AxumState<Arc<App>>, headers: HeaderMap) -> Response {
    respond((|| {
        let mut state = app.lock();
        let caller = caller(&app, &mut state, &headers, "read:authenticators")?;
        let index = user_index(&state, &caller)?;
        Ok(Value::Array(state.users[index].list_json()))
    })())
}

pub async fn remove(AxumState(app): AxumState<Arc<App>>, headers: HeaderMap, uri: Uri) -> Response {
    let result = (|| {
        let mut state = app.lock();
        let raw = uri.path().strip_prefix("/mfa/authenticators/").unwrap_or("");
        let id = params::percent_decode(raw).ok_or_else(|| errors::invalid_request("Malformed authenticator id"))?;
        // An mfa_token is refused here: removing needs an MFA API access token with remove:authenticators.
        if params::bearer(&headers).is_ok_and(|t| state.mfa_tokens.contains_key(&t)) {
            return Err(errors::mfa_token_cannot_delete());
        }
        let caller = caller(&app, &mut state, &headers, "remove:authenticators")?;
        let index = user_index(&state, &caller)?;
        let user = &mut state.users[index];
        if id.starts_with("recovery-code|") && user.recovery_code.is_some() {
            return Err(errors::recovery_code_not_removable());
        }
        let position =
            user.authenticators.iter().position(|a| a.id == id).ok_or_else(errors::authenticator_not_found)?;
        let removed = user.authenticators.remove(position);
        if let Some(pair) = removed.pair {
            user.authenticators.retain(|a| a.id != pair);
        }
        Ok(())
    })();
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => error.into_response(),
    }
}

pub async fn associate(AxumState(app): AxumState<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    respond((|| {
        let params = Params::parse(&headers, &body)?;
        let mut state = app.lock();
        let caller = caller(&app, &mut state, &headers, "enroll")?;
        if let Some(client_id) = params.optional("client_id")?
            && client_id != caller.client_id()
        {
            return Err(errors::mfa_token_other_client());
        }
        let types =
            params.list("authenticator_types")?.ok_or_else(|| errors::missing_parameter("authenticator_types"))?;
        let kind = types.first().cloned().unwrap_or_default();
        let index = user_index(&state, &caller)?;
        let now = state.now_ms();
        if matches!(caller, Caller::MfaToken(..)) && state.users[index].has_active() {
            return Err(errors::already_enrolled());
        }
        let mfa_token = match &caller {
            Caller::MfaToken(token, _) => Some(token.clone()),
            Caller::AccessToken(_) => None,
        };
        let first_enrollment = !state.users[index].has_active();
        let tenant = state.settings.tenant.clone();
        let recovery_enabled = state.settings.recovery_codes;
        let user = &mut state.users[index];
        // An unconfirmed enrollment is replaced by the next one rather than piling up.
        user.authenticators.retain(|a| a.active);
        let label = format!("{}:{}", urlencode(&tenant), urlencode(user.display()));
        let dev = crypto::random_hex(8);
        let mut response = match kind.as_str() {
            "otp" => {
                let secret = crypto::random_totp_secret();
                user.authenticators.push(pending(
                    format!("totp|dev_{dev}"),
                    Factor::Otp { secret: secret.clone(), last_used_step: None },
                    now,
                    None,
                ));
                json!({
                    "authenticator_type": "otp", "secret": secret,
                    "barcode_uri": format!(
                        "otpauth://totp/{label}?secret={secret}&issuer={}&algorithm=SHA1&digits=6&period=30",
                        urlencode(&tenant)
                    ),
                })
            }
            "oob" => {
                let channels = params.list("oob_channels")?.ok_or_else(|| errors::missing_parameter("oob_channels"))?;
                let channel = channels.first().cloned().unwrap_or_default();
                let username = user.username.clone();
                let user_id = user.user_id.clone();
                match channel.as_str() {
                    "sms" | "voice" => {
                        let phone = params.required("phone_number")?.to_owned();
                        if !is_e164(&phone) {
                            return Err(errors::invalid_request(
                                "phone_number must be in E.164 format, e.g. +15555550100",
                            ));
                        }
                        let (sms, voice) = (format!("sms|dev_{dev}"), format!("voice|dev_{dev}"));
                        user.authenticators.push(pending(
                            sms.clone(),
                            Factor::Sms { phone_number: phone.clone() },
                            now,
                            Some(voice.clone()),
                        ));
                        user.authenticators.push(pending(
                            voice.clone(),
                            Factor::Voice { phone_number: phone.clone() },
                            now,
                            Some(sms.clone()),
                        ));
                        let channel: &'static str = if channel == "sms" { "sms" } else { "voice" };
                        let oob_code = send_code(
                            &mut state,
                            &username,
                            &user_id,
                            channel,
                            &phone,
                            mfa_token,
                            vec![sms, voice],
                            "enrollment",
                        );
                        json!({"authenticator_type": "oob", "binding_method": "prompt", "oob_channel": channel, "oob_code": oob_code})
                    }
                    "email" => {
                        let email = match params.optional("email")? {
                            Some(email) => email.to_owned(),
                            None => user.email.clone().ok_or_else(|| errors::missing_parameter("email"))?,
                        };
                        if !email.contains('@') {
                            return Err(errors::invalid_request("email is not a valid email address"));
                        }
                        let id = format!("email|dev_{dev}");
                        user.authenticators.push(pending(
                            id.clone(),
                            Factor::Email { email: email.clone() },
                            now,
                            None,
                        ));
                        let oob_code = send_code(
                            &mut state,
                            &username,
                            &user_id,
                            "email",
                            &email,
                            mfa_token,
                            vec![id],
                            "enrollment",
                        );
                        json!({"authenticator_type": "oob", "binding_method": "prompt", "oob_channel": "email", "oob_code": oob_code})
                    }
                    "auth0" => {
                        let (push, totp) = (format!("push|dev_{dev}"), format!("totp|dev_{dev}"));
                        user.authenticators.push(pending(
                            push.clone(),
                            Factor::Push { name: "Guardian device".into() },
                            now,
                            Some(totp.clone()),
                        ));
                        user.authenticators.push(pending(
                            totp.clone(),
                            Factor::Otp { secret: crypto::random_totp_secret(), last_used_step: None },
                            now,
                            Some(push.clone()),
                        ));
                        let (oob_code, push_id) =
                            start_push(&mut state, &username, &user_id, mfa_token, vec![push, totp], true);
                        let base = urlencode(&format!("{}/guardian", app.base));
                        json!({
                            "authenticator_type": "oob", "oob_channel": "auth0", "oob_code": oob_code,
                            "barcode_uri": format!("otpauth://totp/{label}?enrollment_tx_id={push_id}&base_url={base}"),
                        })
                    }
                    "" => return Err(errors::missing_parameter("oob_channels")),
                    other => return Err(errors::invalid_request(format!("Unsupported oob_channel: {other}"))),
                }
            }
            "" => return Err(errors::missing_parameter("authenticator_types")),
            other => return Err(errors::invalid_request(format!("Unsupported authenticator type: {other}"))),
        };
        // Recovery codes come with the first enrollment only.
        if recovery_enabled && first_enrollment {
            let code = crypto::random_recovery_code();
            state.users[index].recovery_code = Some(code.clone());
            response["recovery_codes"] = json!([code]);
        }
        Ok(response)
    })())
}

pub async fn challenge(AxumState(app): AxumState<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    respond((|| {
        let params = Params::parse(&headers, &body)?;
        let mut state = app.lock();
        let (client, _) = params::authenticate_client(&mut state, &params, &headers)?;
        let mfa_token = params.required("mfa_token")?.to_owned();
        let tx = crate::token::transaction(&state, &mfa_token, &client.client_id)?;
        let accepted: Vec<String> = match params.optional("challenge_type")? {
            Some(types) => types.split_whitespace().map(str::to_owned).collect(),
            None => vec!["otp".into(), "oob".into()],
        };
        let authenticator_id = params.optional("authenticator_id")?.map(str::to_owned);
        let oob_channel = params.optional("oob_channel")?.map(str::to_owned);
        let index = state.user_index(&tx.user_id).ok_or_else(errors::malformed_mfa_token)?;
        let user = &state.users[index];
        if !user.has_active() {
            return Err(errors::not_enrolled());
        }
        let kind_of = |a: &Authenticator| if a.is_oob() { "oob" } else { "otp" };
        let chosen: Authenticator = match &authenticator_id {
            Some(id) => {
                let a = user.authenticators.iter().find(|a| &a.id == id && a.active).ok_or_else(|| {
                    errors::invalid_request("The authenticator_id does not name an active authenticator")
                })?;
                if !accepted.iter().any(|t| t == kind_of(a)) {
                    return Err(errors::unsupported_challenge(&accepted.join(" ")));
                }
                a.clone()
            }
            None => user
                .authenticators
                .iter()
                .filter(|a| a.active && accepted.iter().any(|t| t == kind_of(a)))
                .find(|a| oob_channel.as_deref().is_none_or(|c| channel_name(a) == Some(c) || !a.is_oob()))
                .cloned()
                .ok_or_else(|| errors::unsupported_challenge(&accepted.join(" ")))?,
        };
        let (username, user_id) = (user.username.clone(), user.user_id.clone());
        Ok(match &chosen.factor {
            Factor::Otp { .. } => json!({"challenge_type": "otp"}),
            Factor::Sms { phone_number } | Factor::Voice { phone_number } => {
                let channel = channel_name(&chosen).unwrap_or("sms");
                let oob_code = send_code(
                    &mut state,
                    &username,
                    &user_id,
                    channel,
                    phone_number,
                    Some(mfa_token),
                    Vec::new(),
                    "challenge",
                );
                json!({"challenge_type": "oob", "oob_code": oob_code, "binding_method": "prompt"})
            }
            Factor::Email { email } => {
                let oob_code = send_code(
                    &mut state,
                    &username,
                    &user_id,
                    "email",
                    email,
                    Some(mfa_token),
                    Vec::new(),
                    "challenge",
                );
                json!({"challenge_type": "oob", "oob_code": oob_code, "binding_method": "prompt"})
            }
            Factor::Push { .. } => {
                let (oob_code, _) = start_push(&mut state, &username, &user_id, Some(mfa_token), Vec::new(), false);
                json!({"challenge_type": "oob", "oob_code": oob_code})
            }
        })
    })())
}

fn channel_name(a: &Authenticator) -> Option<&'static str> {
    match a.factor {
        Factor::Sms { .. } => Some("sms"),
        Factor::Voice { .. } => Some("voice"),
        Factor::Email { .. } => Some("email"),
        Factor::Push { .. } => Some("auth0"),
        Factor::Otp { .. } => None,
    }
}

fn pending(id: String, factor: Factor, created_ms: i64, pair: Option<String>) -> Authenticator {
    Authenticator { id, factor, active: false, created_ms, pair }
}

fn new_oob_code() -> String {
    format!("Fe26.2**{}", crypto::random_token(32))
}

/// "Sends" a 6-digit binding code to the outbox and opens its transaction.
#[allow(clippy::too_many_arguments)]
fn send_code(
    state: &mut State,
    username: &str,
    user_id: &str,
    channel: &'static str,
    to: &str,
    mfa_token: Option<String>,
    activates: Vec<String>,
    purpose: &'static str,
) -> String {
    let code = crypto::random_digits(6);
    let oob_code = new_oob_code();
    let expires_ms = state.now_ms() + BINDING_CODE_LIFETIME_MS;
    state.send(username, channel, to, &code, purpose);
    state.oobs.insert(
        oob_code.clone(),
        OobTransaction {
            mfa_token,
            user_id: user_id.to_owned(),
            kind: OobKind::Binding { code },
            activates,
            expires_ms,
            used: false,
        },
    );
    oob_code
}

/// Sends a push to the user's device (the control plane plays the device) and opens its transaction.
fn start_push(
    state: &mut State,
    username: &str,
    user_id: &str,
    mfa_token: Option<String>,
    activates: Vec<String>,
    enrollment: bool,
) -> (String, String) {
    let oob_code = new_oob_code();
    let push_id = format!("push_{}", crypto::random_hex(6));
    let now = state.now_ms();
    state.pushes.push(Push {
        id: push_id.clone(),
        user_id: user_id.to_owned(),
        username: username.to_owned(),
        enrollment,
        state: PushState::Pending,
        created_ms: now,
        expires_ms: now + PUSH_LIFETIME_MS,
        polls: 0,
        last_poll_ms: None,
    });
    state.oobs.insert(
        oob_code.clone(),
        OobTransaction {
            mfa_token,
            user_id: user_id.to_owned(),
            kind: OobKind::Push { push_id: push_id.clone() },
            activates,
            expires_ms: now + PUSH_LIFETIME_MS,
            used: false,
        },
    );
    (oob_code, push_id)
}

fn is_e164(phone: &str) -> bool {
    let digits = phone.strip_prefix('+').unwrap_or("");
    (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0')
}

pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

//! `POST /oauth/token` (password, password-realm, mfa-otp, mfa-oob, mfa-recovery-code, refresh_token),
//! token issuance, JWKS and discovery.

use crate::errors::{self, ApiResult};
use crate::params::{self, Params};
use crate::state::{
    AccessGrant, BRUTE_FORCE_BLOCK_MS, BRUTE_FORCE_THRESHOLD, Factor, MAX_SETTING_SECS, MfaTransaction, OobKind,
    PUSH_MIN_POLL_INTERVAL_MS, PushState, RefreshGrant, State,
};
use crate::{App, Peer, crypto};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, State as AxumState};
use axum::http::HeaderMap;
use axum::http::header::CACHE_CONTROL;
use axum::response::IntoResponse;
use serde_json::{Value, json};
use std::sync::Arc;

pub const GRANT_PASSWORD: &str = "password";
pub const GRANT_PASSWORD_REALM: &str = "http://auth0.com/oauth/grant-type/password-realm";
pub const GRANT_MFA_OTP: &str = "http://auth0.com/oauth/grant-type/mfa-otp";
pub const GRANT_MFA_OOB: &str = "http://auth0.com/oauth/grant-type/mfa-oob";
pub const GRANT_MFA_RECOVERY: &str = "http://auth0.com/oauth/grant-type/mfa-recovery-code";
pub const GRANT_REFRESH: &str = "refresh_token";
const ALL_GRANTS: &[&str] =
    &[GRANT_PASSWORD, GRANT_PASSWORD_REALM, GRANT_MFA_OTP, GRANT_MFA_OOB, GRANT_MFA_RECOVERY, GRANT_REFRESH];

const MFA_API_SCOPES: &[&str] = &["enroll", "read:authenticators", "remove:authenticators"];
const OIDC_SCOPES: &[&str] = &["openid", "profile", "email", "offline_access"];
const ACCESS_TOKEN_SECS: i64 = 86_400;
const MFA_API_ACCESS_TOKEN_SECS: i64 = 600;
const ID_TOKEN_SECS: i64 = 36_000;

pub async fn token(
    AxumState(app): AxumState<Arc<App>>,
    Extension(peer): Extension<Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    let tokens = grant(&app, peer, &headers, &body)?;
    Ok(([(CACHE_CONTROL, "no-store")], Json(tokens)))
}

fn grant(app: &App, peer: Peer, headers: &HeaderMap, body: &[u8]) -> ApiResult<Value> {
    let params = Params::parse(headers, body)?;
    let grant_type = params.required("grant_type")?.to_owned();
    if !ALL_GRANTS.contains(&grant_type.as_str()) {
        return Err(errors::unsupported_grant_type(&grant_type));
    }
    let mut state = app.lock();
    let (client, authenticated) = params::authenticate_client(&mut state, &params, headers)?;
    if client.grant_types.as_ref().is_some_and(|allowed| !allowed.contains(&grant_type)) {
        return Err(errors::grant_not_allowed(&grant_type));
    }
    match grant_type.as_str() {
        GRANT_PASSWORD | GRANT_PASSWORD_REALM => {
            // The forwarded IP counts only from a client that proved its secret, as on Auth0.
            let forwarded = headers.get("auth0-forwarded-for").and_then(|v| v.to_str().ok()).filter(|_| authenticated);
            let ip = forwarded.map(str::to_owned).unwrap_or_else(|| peer.0.ip().to_string());
            password(app, &mut state, &params, &client.client_id, &grant_type, &ip)
        }
        GRANT_MFA_OTP => mfa_otp(app, &mut state, &params, &client.client_id),
        GRANT_MFA_OOB => mfa_oob(app, &mut state, &params, &client.client_id),
        GRANT_MFA_RECOVERY => mfa_recovery(app, &mut state, &params, &client.client_id),
        _ => refresh(app, &mut state, &params, &client.client_id),
    }
}

fn password(
    app: &App,
    state: &mut State,
    params: &Params,
    client_id: &str,
    grant_type: &str,
    ip: &str,
) -> ApiResult<Value> {
    let username = params.required("username")?;
    let password = params.required("password")?;
    if grant_type == GRANT_PASSWORD_REALM && params.required("realm")? != state.settings.connection {
        return Err(errors::connection_disabled());
    }
    let audience = params.optional("audience")?.map(str::to_owned);
    let scope = params.optional("scope")?.unwrap_or("").to_owned();
    let now = state.now_ms();

    let key = (ip.to_owned(), username.to_ascii_lowercase());
    if let Some((failures, last)) = state.brute_force.get(&key)
        && *failures >= BRUTE_FORCE_THRESHOLD
        && now - last < BRUTE_FORCE_BLOCK_MS
    {
        return Err(errors::brute_force_blocked());
    }
    let found = state.find_user_by_login(username);
    let verified = found.is_some_and(|i| crypto::verify_password(password, &state.users[i].password_hash));
    let Some(index) = found.filter(|_| verified) else {
        let entry = state.brute_force.entry(key).or_insert((0, now));
        if now - entry.1 >= BRUTE_FORCE_BLOCK_MS {
            *entry = (0, now);
        }
        entry.0 += 1;
        entry.1 = now;
        return Err(errors::wrong_credentials());
    };
    state.brute_force.remove(&key);
    let user = &state.users[index];
    if user.blocked {
        return Err(errors::user_blocked());
    }
    let user_id = user.user_id.clone();
    // Tokens for the MFA API always need MFA, whatever the user's own setting.
    let needs_mfa = user.mfa || audience.as_deref().is_some_and(|a| app.is_mfa_audience(a));
    if !needs_mfa {
        return Ok(issue(app, state, &user_id, client_id, audience.as_deref(), &scope, false, None));
    }
    let requirements = user.mfa_requirements();
    let mfa_token = format!("Fe26.2**{}", crypto::random_token(48));
    let expires_ms = now + (state.settings.mfa_token_ttl_secs.min(MAX_SETTING_SECS) as i64) * 1000;
    state.mfa_tokens.insert(
        mfa_token.clone(),
        MfaTransaction { user_id, client_id: client_id.to_owned(), audience, scope, expires_ms },
    );
    Err(errors::mfa_required(&mfa_token, requirements))
}

/// The transaction behind an `mfa_token` given to a grant or to `/mfa/challenge`.
pub fn transaction(state: &State, mfa_token: &str, client_id: &str) -> ApiResult<MfaTransaction> {
    let tx = state.mfa_tokens.get(mfa_token).ok_or_else(errors::malformed_mfa_token)?;
    if state.now_ms() >= tx.expires_ms {
        return Err(errors::expired_mfa_token());
    }
    if tx.client_id != client_id {
        return Err(errors::mfa_token_other_client());
    }
    Ok(tx.clone())
}

fn user_index(state: &State, tx: &MfaTransaction) -> ApiResult<usize> {
    state.user_index(&tx.user_id).ok_or_else(errors::malformed_mfa_token)
}

fn mfa_otp(app: &App, state: &mut State, params: &Params, client_id: &str) -> ApiResult<Value> {
    let tx = transaction(state, params.required("mfa_token")?, client_id)?;
    let otp = params.required("otp")?.trim().to_owned();
    let index = user_index(state, &tx)?;
    let now = state.now_ms();
    let user = &mut state.users[index];
    if !user.bucket.has_attempt(now) {
        return Err(errors::failed_code_bucket_empty());
    }
    let mut matched = None;
    for (position, a) in user.authenticators.iter().enumerate() {
        if let Factor::Otp { secret, last_used_step } = &a.factor {
            let Some(key) = crypto::base32_decode(secret) else { continue };
            if let Some(step) = crypto::totp_matching_step(&key, &otp, now / 1000) {
                // A code that succeeded once cannot be used again.
                if last_used_step.is_none_or(|last| step > last) {
                    matched = Some((position, step));
                    break;
                }
            }
        }
    }
    let Some((position, step)) = matched else {
        user.bucket.consume(now);
        return Err(errors::invalid_otp());
    };
    let pair = {
        let a = &mut user.authenticators[position];
        if let Factor::Otp { last_used_step, .. } = &mut a.factor {
            *last_used_step = Some(step);
        }
        a.active = true;
        a.pair.clone()
    };
    // Confirming the OTP of a push enrollment would leave the push device pending: keep the pair together.
    if let Some(pair) = pair
        && let Some(a) = user.authenticators.iter_mut().find(|a| a.id == pair)
    {
        a.active = true;
    }
    let user_id = user.user_id.clone();
    Ok(issue(app, state, &user_id, client_id, tx.audience.as_deref(), &tx.scope, true, None))
}

fn mfa_oob(app: &App, state: &mut State, params: &Params, client_id: &str) -> ApiResult<Value> {
    let mfa_token = params.required("mfa_token")?.to_owned();
    let tx = transaction(state, &mfa_token, client_id)?;
    let oob_code = params.required("oob_code")?.to_owned();
    let binding_code = params.optional("binding_code")?.map(|c| c.trim().to_owned());
    let now = state.now_ms();
    let oob = state.oobs.get(&oob_code).cloned().ok_or_else(errors::invalid_oob_code)?;
    if oob.user_id != tx.user_id || oob.mfa_token.as_deref().is_some_and(|t| t != mfa_token) {
        return Err(errors::oob_code_mismatch());
    }
    let index = user_index(state, &tx)?;
    match &oob.kind {
        OobKind::Binding { code, .. } => {
            let binding_code = binding_code.ok_or_else(|| errors::missing_parameter("binding_code"))?;
            if now >= oob.expires_ms {
                return Err(errors::expired_oob_code());
            }
            let user = &mut state.users[index];
            if !user.bucket.has_attempt(now) {
                return Err(errors::failed_code_bucket_empty());
            }
            if oob.used || !crypto::constant_time_eq(binding_code.as_bytes(), code.as_bytes()) {
                user.bucket.consume(now);
                return Err(errors::invalid_binding_code());
            }
        }
        OobKind::Push { push_id } => {
            let policy = state.push_policy.clone();
            let push = state.pushes.iter_mut().find(|p| &p.id == push_id).ok_or_else(errors::invalid_oob_code)?;
            if oob.used {
                return Err(errors::invalid_oob_code());
            }
            push.settle_expiry(now);
            if push.state == PushState::Expired {
                return Err(errors::expired_oob_code());
            }
            let too_fast = push.last_poll_ms.is_some_and(|last| now - last < PUSH_MIN_POLL_INTERVAL_MS);
            push.last_poll_ms = Some(now);
            if too_fast {
                return Err(errors::slow_down());
            }
            push.polls += 1;
            if push.state == PushState::Pending {
                let by_polls = policy.auto_approve_after_polls.is_some_and(|n| push.polls >= n);
                let by_time = policy
                    .auto_approve_after_secs
                    .is_some_and(|s| now - push.created_ms >= (s.min(MAX_SETTING_SECS) as i64) * 1000);
                if by_polls || by_time {
                    push.state = PushState::Approved;
                }
            }
            match push.state {
                PushState::Pending => return Err(errors::authorization_pending()),
                PushState::Rejected => {
                    return Err(errors::push_rejected(state.settings.push_rejection_error == "invalid_grant"));
                }
                PushState::Approved | PushState::Expired => {}
            }
        }
    }
    if let Some(o) = state.oobs.get_mut(&oob_code) {
        o.used = true;
    }
    let user = &mut state.users[index];
    for a in user.authenticators.iter_mut().filter(|a| oob.activates.contains(&a.id)) {
        a.active = true;
    }
    let user_id = user.user_id.clone();
    Ok(issue(app, state, &user_id, client_id, tx.audience.as_deref(), &tx.scope, true, None))
}

fn mfa_recovery(app: &App, state: &mut State, params: &Params, client_id: &str) -> ApiResult<Value> {
    let tx = transaction(state, params.required("mfa_token")?, client_id)?;
    let given = crate::state::normalize_recovery_code(params.required("recovery_code")?);
    let index = user_index(state, &tx)?;
    let now = state.now_ms();
    let user = &mut state.users[index];
    if !user.bucket.has_attempt(now) {
        return Err(errors::failed_code_bucket_empty());
    }
    let valid = user.recovery_code.as_deref().is_some_and(|c| crypto::constant_time_eq(c.as_bytes(), given.as_bytes()));
    if !valid {
        user.bucket.consume(now);
        return Err(errors::invalid_recovery_code());
    }
    let rotated = crypto::random_recovery_code();
    user.recovery_code = Some(rotated.clone());
    let user_id = user.user_id.clone();
    Ok(issue(app, state, &user_id, client_id, tx.audience.as_deref(), &tx.scope, true, Some(rotated)))
}

fn refresh(app: &App, state: &mut State, params: &Params, client_id: &str) -> ApiResult<Value> {
    let token = params.required("refresh_token")?;
    let grant = state.refresh_tokens.get(token).cloned().ok_or_else(errors::refresh_token_invalid)?;
    if grant.client_id != client_id {
        return Err(errors::refresh_token_invalid());
    }
    let index = state.user_index(&grant.user_id).ok_or_else(errors::refresh_token_invalid)?;
    if state.users[index].blocked {
        return Err(errors::refresh_user_blocked());
    }
    // A narrower scope may be asked for; never a wider one.
    let scope = match params.optional("scope")? {
        Some(requested) => requested
            .split_whitespace()
            .filter(|s| grant.scope.split_whitespace().any(|g| g == *s))
            .collect::<Vec<_>>()
            .join(" "),
        None => grant.scope.clone(),
    };
    let mut tokens = issue(app, state, &grant.user_id, client_id, grant.audience.as_deref(), &scope, false, None);
    // The refresh token itself is not rotated, and is not returned again.
    if let Some(map) = tokens.as_object_mut()
        && let Some(Value::String(new)) = map.remove("refresh_token")
    {
        state.refresh_tokens.remove(&new);
    }
    Ok(tokens)
}

/// Issues the token response: an RS256 access token, an ID token for `openid`, a refresh token for
/// `offline_access`, and a rotated recovery code when one was used.
#[allow(clippy::too_many_arguments)]
fn issue(
    app: &App,
    state: &mut State,
    user_id: &str,
    client_id: &str,
    audience: Option<&str>,
    scope: &str,
    mfa: bool,
    recovery_code: Option<String>,
) -> Value {
    let now_secs = state.now_ms() / 1000;
    let issuer = app.issuer();
    let userinfo = format!("{}userinfo", issuer);
    let requested: Vec<&str> = scope.split_whitespace().collect();
    let oidc: Vec<&str> = requested.iter().copied().filter(|s| OIDC_SCOPES.contains(s)).collect();
    let mfa_api = audience.is_some_and(|a| app.is_mfa_audience(a));
    let audience = if mfa_api { Some(app.mfa_audience()) } else { audience.map(str::to_owned) };
    let mut api_scopes: Vec<&str> = requested.iter().copied().filter(|s| !OIDC_SCOPES.contains(s)).collect();
    if mfa_api {
        api_scopes.retain(|s| MFA_API_SCOPES.contains(s));
        // Asking for no API scope grants all of the API's scopes.
        if api_scopes.is_empty() {
            api_scopes = MFA_API_SCOPES.to_vec();
        }
    } else if audience.is_none() {
        api_scopes.clear();
    }
    let granted: Vec<&str> = oidc.iter().chain(api_scopes.iter()).copied().collect();
    let granted_scope = granted.join(" ");
    let expires_in = if mfa_api { MFA_API_ACCESS_TOKEN_SECS } else { ACCESS_TOKEN_SECS };
    let aud = match (&audience, oidc.contains(&"openid")) {
        (Some(a), true) => json!([a, userinfo]),
        (Some(a), false) => json!(a),
        (None, _) => json!(userinfo),
    };
    let mut access_claims = json!({
        "iss": issuer, "sub": user_id, "aud": aud, "iat": now_secs, "exp": now_secs + expires_in,
        "scope": granted_scope, "azp": client_id, "gty": "password", "jti": crypto::random_hex(12),
    });
    if mfa {
        access_claims["amr"] = json!(["mfa"]);
    }
    let access_token = app.signer.sign(&access_claims);
    state.access_tokens.insert(
        access_token.clone(),
        AccessGrant {
            user_id: user_id.to_owned(),
            client_id: client_id.to_owned(),
            audience: audience.clone().unwrap_or(userinfo),
            scopes: granted.iter().map(|s| (*s).to_owned()).collect(),
            expires_ms: (now_secs + expires_in) * 1000,
        },
    );
    let mut response = json!({
        "access_token": access_token, "token_type": "Bearer", "expires_in": expires_in, "scope": granted_scope,
    });
    if oidc.contains(&"openid") {
        let user = state.user_index(user_id).map(|i| &state.users[i]);
        let mut claims = json!({
            "iss": issuer, "sub": user_id, "aud": client_id, "iat": now_secs, "exp": now_secs + ID_TOKEN_SECS,
        });
        if let Some(user) = user {
            if oidc.contains(&"profile") {
                claims["name"] = json!(user.display());
                claims["nickname"] = json!(user.username.split('@').next().unwrap_or(&user.username));
                claims["updated_at"] = json!(crate::state::iso8601(now_secs * 1000));
            }
            if oidc.contains(&"email") {
                claims["email"] = json!(user.email);
                claims["email_verified"] = json!(user.email.is_some());
            }
        }
        if mfa {
            claims["amr"] = json!(["mfa"]);
        }
        response["id_token"] = json!(app.signer.sign(&claims));
    }
    if oidc.contains(&"offline_access") {
        let refresh_token = crypto::random_token(32);
        state.refresh_seq += 1;
        let seq = state.refresh_seq;
        state.refresh_tokens.insert(
            refresh_token.clone(),
            RefreshGrant {
                user_id: user_id.to_owned(),
                client_id: client_id.to_owned(),
                audience: audience.clone(),
                scope: scope.to_owned(),
                seq,
            },
        );
        response["refresh_token"] = json!(refresh_token);
    }
    if let Some(code) = recovery_code {
        response["recovery_code"] = json!(code);
    }
    response
}

pub async fn jwks(AxumState(app): AxumState<Arc<App>>) -> Json<Value> {
    Json(app.signer.jwks())
}

pub async fn discovery(AxumState(app): AxumState<Arc<App>>) -> Json<Value> {
    let base = &app.base;
    Json(json!({
        "issuer": app.issuer(),
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/oauth/token"),
        "userinfo_endpoint": format!("{base}/userinfo"),
        "jwks_uri": format!("{base}/.well-known/jwks.json"),
        "mfa_challenge_endpoint": format!("{base}/mfa/challenge"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "grant_types_supported": ALL_GRANTS,
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "claims_supported": ["aud", "email", "email_verified", "exp", "iat", "iss", "name", "nickname", "sub", "amr"],
    }))
}

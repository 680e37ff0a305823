//! `POST /oauth/token` (password, password-realm, mfa-otp, mfa-oob, mfa-recovery-code, refresh_token),
//! token issuance, JWKS and discovery.

use crate::errors::ApiError;
use crate::errors::{self, ApiResult};
use crate::params::{self, Params};
use crate::refresh::{NewFamily, Presented};
use crate::state::{
    AccessGrant, BRUTE_FORCE_BLOCK_MS, BRUTE_FORCE_THRESHOLD, Client, DpopMode, Factor, MAX_SETTING_SECS, MfaOnRefresh,
    MfaTransaction, OobKind, PUSH_MIN_POLL_INTERVAL_MS, PushState, RefreshFamily, State,
};
use crate::{App, Peer, crypto, dpop, refresh};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, State as AxumState};
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
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
) -> Response {
    let mut nonce = None;
    let result = grant(&app, peer, &headers, &body, &mut nonce);
    let mut response = match result {
        Ok(tokens) => ([(CACHE_CONTROL, "no-store")], Json(tokens)).into_response(),
        Err(error) => error.into_response(),
    };
    // Auth0 sends the current nonce on 200s and 400s alike; a use_dpop_nonce answer already has it.
    if let Some(nonce) = nonce
        && let Ok(value) = HeaderValue::from_str(&nonce)
    {
        response.headers_mut().entry(dpop::NONCE_HEADER).or_insert(value);
    }
    response
}

/// What every grant needs to know about the request besides its parameters.
struct Ctx<'a> {
    app: &'a App,
    client: &'a Client,
    headers: &'a HeaderMap,
    /// The key thumbprint of the request's valid DPoP proof, when the client's setting honours proofs.
    jkt: Option<String>,
    /// A browser call (it has an `Origin`): refresh tokens go to browsers only with rotation, as on Auth0.
    browser: bool,
}

impl Ctx<'_> {
    /// The proof's key for a token bound to one. With DPoP switched off since, the proof was not read yet; a
    /// bound token still needs it.
    fn bound_proof(&self, state: &mut State) -> ApiResult<Option<String>> {
        match (&self.jkt, self.client.dpop) {
            (Some(jkt), _) => Ok(Some(jkt.clone())),
            (None, DpopMode::Off) => dpop::proof_jkt(self.app, state, self.client, self.headers),
            (None, _) => Ok(None),
        }
    }
}

fn grant(app: &App, peer: Peer, headers: &HeaderMap, body: &[u8], nonce: &mut Option<String>) -> ApiResult<Value> {
    let params = Params::parse(headers, body)?;
    let grant_type = params.required("grant_type")?.to_owned();
    if !ALL_GRANTS.contains(&grant_type.as_str()) {
        return Err(errors::unsupported_grant_type(&grant_type));
    }
    let mut state = app.lock();
    let (client, authenticated) = params::authenticate_client(app, &mut state, &params, headers)?;
    if client.grant_types.as_ref().is_some_and(|allowed| !allowed.contains(&grant_type)) {
        return Err(errors::grant_not_allowed(&grant_type));
    }
    if client.dpop != DpopMode::Off {
        *nonce = Some(dpop::current_nonce(&mut state));
    }
    // ⚠ Checked before the grant itself, so that a first try without the nonce does not count as a failed
    // password or spend a code.
    let jkt = dpop::for_request(app, &mut state, &client, headers)?;
    let ctx = Ctx { app, client: &client, headers, jkt, browser: params::origin(headers).is_some() };
    match grant_type.as_str() {
        GRANT_PASSWORD | GRANT_PASSWORD_REALM => {
            // The forwarded IP counts only from a client that proved who it is, as on Auth0.
            let forwarded = headers.get("auth0-forwarded-for").and_then(|v| v.to_str().ok()).filter(|_| authenticated);
            let ip = forwarded.map(str::to_owned).unwrap_or_else(|| peer.0.ip().to_string());
            password(&ctx, &mut state, &params, &grant_type, &ip)
        }
        GRANT_MFA_OTP => mfa_otp(&ctx, &mut state, &params),
        GRANT_MFA_OOB => mfa_oob(&ctx, &mut state, &params),
        GRANT_MFA_RECOVERY => mfa_recovery(&ctx, &mut state, &params),
        _ => refresh(&ctx, &mut state, &params),
    }
}

fn password(ctx: &Ctx, state: &mut State, params: &Params, grant_type: &str, ip: &str) -> ApiResult<Value> {
    let app = ctx.app;
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
        let issue = Issue::new(&user_id, audience.as_deref(), &scope, ctx.jkt.as_deref());
        return Ok(ctx.issue(state, issue));
    }
    let requirements = user.mfa_requirements();
    // ⚠ Binding the MFA transaction to the proof's key is assumed: the MFA grant must use the same key.
    let jkt = ctx.jkt.clone().filter(|_| ctx.client.dpop_bind_mfa_token);
    let tx = MfaTransaction { user_id, audience, scope, jkt, ..Default::default() };
    Err(open_transaction(state, ctx.client, tx, requirements))
}

/// Opens an MFA transaction for the client and answers `mfa_required` with its new `mfa_token`, which lives
/// `mfa_token_ttl_secs`.
fn open_transaction(state: &mut State, client: &Client, tx: MfaTransaction, requirements: Value) -> ApiError {
    let mfa_token = format!("Fe26.2**{}", state.random.token(48));
    let expires_ms = state.now_ms() + (state.settings.mfa_token_ttl_secs.min(MAX_SETTING_SECS) as i64) * 1000;
    let tx = MfaTransaction { client_id: client.client_id.clone(), expires_ms, ..tx };
    state.mfa_tokens.insert(mfa_token.clone(), tx);
    errors::mfa_required(&mfa_token, requirements)
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

/// An MFA grant's transaction, checked before its code is: the DPoP key it is bound to and, for MFA on
/// refresh, the refresh token it will rotate.
struct PendingMfa {
    mfa_token: String,
    tx: MfaTransaction,
    jkt: Option<String>,
    refresh: Option<Presented>,
}

fn begin_mfa(ctx: &Ctx, state: &mut State, params: &Params) -> ApiResult<PendingMfa> {
    let mfa_token = params.required("mfa_token")?.to_owned();
    let tx = transaction(state, &mfa_token, &ctx.client.client_id)?;
    let family_bound = tx.refresh.as_deref().is_some_and(|t| refresh::bound_key(state, t).is_some());
    let jkt = if tx.jkt.is_some() || family_bound { ctx.bound_proof(state)? } else { ctx.jkt.clone() };
    if let Some(bound) = &tx.jkt {
        match &jkt {
            None => return Err(errors::dpop_bound_proof_missing()),
            Some(jkt) if jkt != bound => return Err(errors::dpop_key_mismatch()),
            Some(_) => {}
        }
    }
    // The refresh token may have been rotated or its family revoked since mfa_required: the same rules apply as
    // if it were presented now.
    let refresh = match &tx.refresh {
        Some(token) => Some(refresh::check(state, ctx.client, token, jkt.as_deref())?),
        None => None,
    };
    Ok(PendingMfa { mfa_token, tx, jkt, refresh })
}

/// Tokens for a passed MFA. After a password, a new refresh-token family if `offline_access` was granted; on
/// refresh, a rotated member of the waiting family, which supersedes the token presented before MFA.
fn finish_mfa(ctx: &Ctx, state: &mut State, pending: PendingMfa, recovery_code: Option<String>) -> Value {
    let PendingMfa { mfa_token, tx, jkt, refresh } = pending;
    let mut issue = Issue::new(&tx.user_id, tx.audience.as_deref(), &tx.scope, jkt.as_deref());
    issue.mfa = true;
    issue.recovery_code = recovery_code;
    let ceiling;
    if let Some(presented) = refresh {
        refresh::record_mfa(state, &presented.family);
        let rotated = refresh::exchange(state, ctx.client, &presented);
        // A second grant with this mfa_token continues from the token just issued, not from the one it replaced.
        if let (Some(token), Some(open)) = (&rotated, state.mfa_tokens.get_mut(&mfa_token)) {
            open.refresh = Some(token.clone());
        }
        ceiling = state.refresh_families.get(&presented.family).map(|f| f.scope.clone());
        issue.ceiling = ceiling.as_deref();
        issue.refresh = RefreshOut::Given(rotated);
    }
    ctx.issue(state, issue)
}

fn mfa_otp(ctx: &Ctx, state: &mut State, params: &Params) -> ApiResult<Value> {
    let pending = begin_mfa(ctx, state, params)?;
    let tx = pending.tx.clone();
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
    Ok(finish_mfa(ctx, state, pending, None))
}

fn mfa_oob(ctx: &Ctx, state: &mut State, params: &Params) -> ApiResult<Value> {
    let pending = begin_mfa(ctx, state, params)?;
    let (mfa_token, tx) = (pending.mfa_token.clone(), pending.tx.clone());
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
    Ok(finish_mfa(ctx, state, pending, None))
}

fn mfa_recovery(ctx: &Ctx, state: &mut State, params: &Params) -> ApiResult<Value> {
    let pending = begin_mfa(ctx, state, params)?;
    let tx = pending.tx.clone();
    let given = crate::state::normalize_recovery_code(params.required("recovery_code")?);
    let index = user_index(state, &tx)?;
    let (now, random) = (state.now_ms(), state.random);
    let user = &mut state.users[index];
    if !user.bucket.has_attempt(now) {
        return Err(errors::failed_code_bucket_empty());
    }
    let valid = user.recovery_code.as_deref().is_some_and(|c| crypto::constant_time_eq(c.as_bytes(), given.as_bytes()));
    if !valid {
        user.bucket.consume(now);
        return Err(errors::invalid_recovery_code());
    }
    let rotated = random.recovery_code();
    user.recovery_code = Some(rotated.clone());
    Ok(finish_mfa(ctx, state, pending, Some(rotated)))
}

fn refresh(ctx: &Ctx, state: &mut State, params: &Params) -> ApiResult<Value> {
    let token = params.required("refresh_token")?.to_owned();
    let jkt = if refresh::bound_key(state, &token).is_some() { ctx.bound_proof(state)? } else { ctx.jkt.clone() };
    let presented = refresh::check(state, ctx.client, &token, jkt.as_deref())?;
    let family = state.refresh_families.get(&presented.family).cloned().ok_or_else(errors::refresh_token_invalid)?;
    let index = state.user_index(&family.user_id).ok_or_else(errors::refresh_token_invalid)?;
    let user = &state.users[index];
    if user.blocked {
        return Err(errors::refresh_user_blocked());
    }
    // A narrower scope may be asked for; never a wider one.
    let granted: Vec<&str> = family.scope.split_whitespace().collect();
    let scope = match params.optional("scope")? {
        Some(requested) => {
            let requested: Vec<&str> = requested.split_whitespace().collect();
            if !requested.iter().all(|s| granted.contains(s)) {
                return Err(errors::refresh_scope_not_granted());
            }
            requested.join(" ")
        }
        None => family.scope.clone(),
    };
    if mfa_on_refresh(ctx, state, index, &family) {
        let requirements = state.users[index].mfa_requirements();
        let jkt = jkt.filter(|_| ctx.client.dpop_bind_mfa_token);
        let tx = MfaTransaction {
            user_id: family.user_id.clone(),
            audience: family.audience.clone(),
            scope,
            jkt,
            refresh: Some(token),
            ..Default::default()
        };
        return Err(open_transaction(state, ctx.client, tx, requirements));
    }
    let rotated = refresh::exchange(state, ctx.client, &presented);
    let mut issue = Issue::new(&family.user_id, family.audience.as_deref(), &scope, jkt.as_deref());
    issue.ceiling = Some(&family.scope);
    issue.refresh = RefreshOut::Given(rotated);
    Ok(ctx.issue(state, issue))
}

/// Whether this refresh must pass MFA first. A user whom the password grant lets in without MFA is not asked
/// on refresh either, unless the tokens are for the MFA API.
fn mfa_on_refresh(ctx: &Ctx, state: &State, user: usize, family: &RefreshFamily) -> bool {
    let user = &state.users[user];
    let needs_mfa = user.mfa || family.audience.as_deref().is_some_and(|a| ctx.app.is_mfa_audience(a));
    match ctx.client.mfa_on_refresh {
        MfaOnRefresh::Never => false,
        MfaOnRefresh::Always => needs_mfa,
        MfaOnRefresh::AfterSecs(secs) => {
            let limit_ms = (secs as i64) * 1000;
            needs_mfa && family.last_mfa_ms.is_none_or(|last| state.now_ms() - last > limit_ms)
        }
    }
}

/// Where the refresh token of a token response comes from.
enum RefreshOut {
    /// A login: a new family when `offline_access` is granted.
    NewFamily,
    /// A refresh exchange: the rotated token, or none without rotation.
    Given(Option<String>),
}

/// One token response to issue.
struct Issue<'a> {
    user_id: &'a str,
    audience: Option<&'a str>,
    scope: &'a str,
    /// The scope of the refresh-token family: nothing beyond it is granted, not even the MFA API's "all
    /// scopes" for a request that names none.
    ceiling: Option<&'a str>,
    mfa: bool,
    recovery_code: Option<String>,
    /// The DPoP key the tokens are bound to.
    jkt: Option<&'a str>,
    refresh: RefreshOut,
}

impl<'a> Issue<'a> {
    fn new(user_id: &'a str, audience: Option<&'a str>, scope: &'a str, jkt: Option<&'a str>) -> Self {
        Self {
            user_id,
            audience,
            scope,
            ceiling: None,
            mfa: false,
            recovery_code: None,
            jkt,
            refresh: RefreshOut::NewFamily,
        }
    }
}

impl Ctx<'_> {
    /// Issues the token response: an RS256 access token (DPoP-bound with a proof), an ID token for `openid`, a
    /// refresh token for `offline_access`, and a rotated recovery code when one was used.
    fn issue(&self, state: &mut State, issue: Issue) -> Value {
        let (app, client_id) = (self.app, self.client.client_id.as_str());
        let user_id = issue.user_id;
        let now_secs = state.now_ms() / 1000;
        let issuer = app.issuer();
        let userinfo = format!("{}userinfo", issuer);
        let requested: Vec<&str> = issue.scope.split_whitespace().collect();
        let oidc: Vec<&str> = requested.iter().copied().filter(|s| OIDC_SCOPES.contains(s)).collect();
        let mfa_api = issue.audience.is_some_and(|a| app.is_mfa_audience(a));
        let audience = if mfa_api { Some(app.mfa_audience()) } else { issue.audience.map(str::to_owned) };
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
        if let Some(ceiling) = issue.ceiling {
            api_scopes.retain(|s| ceiling.split_whitespace().any(|c| c == *s));
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
            "scope": granted_scope, "azp": client_id, "gty": "password", "jti": state.random.hex(12),
        });
        if issue.mfa {
            access_claims["amr"] = json!(["mfa"]);
        }
        if let Some(jkt) = issue.jkt {
            access_claims["cnf"] = json!({"jkt": jkt});
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
        let token_type = if issue.jkt.is_some() { "DPoP" } else { "Bearer" };
        let mut response = json!({
            "access_token": access_token, "token_type": token_type, "expires_in": expires_in, "scope": granted_scope,
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
            if issue.mfa {
                claims["amr"] = json!(["mfa"]);
            }
            response["id_token"] = json!(app.signer.sign(&claims));
        }
        let refresh_token = match issue.refresh {
            RefreshOut::Given(token) => token,
            // Browsers get refresh tokens only with rotation, as on Auth0.
            RefreshOut::NewFamily
                if !oidc.contains(&"offline_access") || (self.browser && !self.client.refresh_rotation) =>
            {
                None
            }
            RefreshOut::NewFamily => {
                // RFC 9449 §5 binds the refresh tokens of public clients only.
                let jkt = issue.jkt.filter(|_| self.client.is_public()).map(str::to_owned);
                let new = NewFamily { user_id, audience: audience.clone(), scope: &granted_scope, mfa: issue.mfa, jkt };
                Some(refresh::start(state, self.client, new))
            }
        };
        if let Some(token) = refresh_token {
            response["refresh_token"] = json!(token);
        }
        if let Some(code) = issue.recovery_code {
            response["recovery_code"] = json!(code);
        }
        response
    }
}

pub async fn jwks(AxumState(app): AxumState<Arc<App>>) -> Json<Value> {
    Json(app.signer.jwks())
}

pub async fn discovery(AxumState(app): AxumState<Arc<App>>) -> Json<Value> {
    let base = &app.base();
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
        "token_endpoint_auth_methods_supported":
            ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256", "RS384", "PS256"],
        "dpop_signing_alg_values_supported": ["ES256"],
        "grant_types_supported": ALL_GRANTS,
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "claims_supported": ["aud", "email", "email_verified", "exp", "iat", "iss", "name", "nickname", "sub", "amr"],
    }))
}

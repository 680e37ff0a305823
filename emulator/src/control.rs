//! The control plane under `/__emu/`: clock, reset, users and clients, outbox, push device, faults, journal,
//! rate limit, settings, map sizes, and a small HTML page for people.

use crate::App;
use crate::errors::{self, ApiError, ApiResult};
use crate::seed::{ClientSeed, UserSeed};
use crate::state::{Client, Fault, PushPolicy, PushState, RateLimit, validate_rejection_error};
use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{StatusCode, Uri};
use axum::response::Html;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::sync::Arc;

type AppState = AxumState<Arc<App>>;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/__emu", get(page))
        .route("/__emu/", get(page))
        .route("/__emu/clock", get(clock).post(set_clock))
        .route("/__emu/reset", axum::routing::post(reset))
        .route("/__emu/users", get(users).post(add_user))
        .route("/__emu/clients", get(clients).post(add_client))
        .route("/__emu/clients/{id}", get(client).post(update_client))
        .route("/__emu/refresh-tokens", get(refresh_tokens))
        .route("/__emu/outbox", get(outbox).delete(clear_outbox))
        .route("/__emu/pushes", get(pushes))
        .route("/__emu/pushes/{id}/{action}", axum::routing::post(answer_push))
        .route("/__emu/push-policy", get(push_policy).post(set_push_policy))
        .route("/__emu/settings", get(settings).post(set_settings))
        .route("/__emu/faults", get(faults).post(add_faults).delete(clear_faults))
        .route("/__emu/journal", get(journal).delete(clear_journal))
        .route("/__emu/rate-limit", get(rate_limit).post(set_rate_limit))
        .route("/__emu/stats", get(stats))
}

fn body<T: DeserializeOwned>(bytes: &Bytes) -> ApiResult<T> {
    let text = if bytes.iter().all(u8::is_ascii_whitespace) { b"{}".as_slice() } else { bytes.as_ref() };
    serde_json::from_slice(text).map_err(|e| errors::invalid_request(format!("Invalid JSON body: {e}")))
}

fn query_param(uri: &Uri, name: &str) -> Option<String> {
    let query = uri.query().unwrap_or("").as_bytes();
    form_urlencoded::parse(query).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

// ---- clock --------------------------------------------------------------------------------------------------

fn clock_json(app: &App) -> Value {
    let state = app.lock();
    let now = state.now_ms();
    json!({"now": now / 1000, "now_ms": now, "frozen": state.clock.is_frozen()})
}

async fn clock(AxumState(app): AppState) -> Json<Value> {
    Json(clock_json(&app))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockChange {
    freeze: Option<bool>,
    set: Option<f64>,
    advance: Option<f64>,
}

async fn set_clock(AxumState(app): AppState, bytes: Bytes) -> ApiResult<Json<Value>> {
    let change: ClockChange = body(&bytes)?;
    {
        let mut state = app.lock();
        if let Some(freeze) = change.freeze {
            state.clock.freeze(freeze);
        }
        if let Some(set) = change.set.filter(|s| s.is_finite()) {
            state.clock.set_ms((set * 1000.0) as i64);
        }
        if let Some(advance) = change.advance.filter(|s| s.is_finite()) {
            state.clock.advance_ms((advance * 1000.0) as i64);
        }
    }
    Ok(Json(clock_json(&app)))
}

// ---- tenant -------------------------------------------------------------------------------------------------

async fn reset(AxumState(app): AppState) -> ApiResult<Json<Value>> {
    app.reset().map_err(|e| ApiError::new(500, "server_error", e))?;
    Ok(Json(json!({"reset": true})))
}

async fn users(AxumState(app): AppState) -> Json<Value> {
    let state = app.lock();
    Json(Value::Array(
        state
            .users
            .iter()
            .map(|u| {
                json!({
                    "user_id": u.user_id, "username": u.username, "email": u.email, "mfa": u.mfa,
                    "blocked": u.blocked, "authenticators": u.list_json(),
                    "failed_code_attempts_left": u.bucket.available(),
                })
            })
            .collect(),
    ))
}

async fn add_user(AxumState(app): AppState, bytes: Bytes) -> ApiResult<(StatusCode, Json<Value>)> {
    let seed: UserSeed = body(&bytes)?;
    let mut state = app.lock();
    let now = state.now_ms();
    let user_id = state.add_user(&seed, now).map_err(|e| ApiError::new(409, "conflict", e))?;
    Ok((StatusCode::CREATED, Json(json!({"user_id": user_id, "username": seed.username}))))
}

async fn clients(AxumState(app): AppState) -> Json<Value> {
    let state = app.lock();
    Json(Value::Array(state.clients.iter().map(Client::to_json).collect()))
}

/// A duplicate is a conflict (409); a client that cannot be (an unknown setting value, a bad key) is a 400.
async fn add_client(AxumState(app): AppState, bytes: Bytes) -> ApiResult<(StatusCode, Json<Value>)> {
    let seed: ClientSeed = body(&bytes)?;
    let mut state = app.lock();
    if state.client(&seed.client_id).is_some() {
        return Err(ApiError::new(409, "conflict", format!("client {} already exists", seed.client_id)));
    }
    state.add_client(&seed).map_err(errors::invalid_request)?;
    Ok((StatusCode::CREATED, Json(json!({"client_id": seed.client_id}))))
}

fn client_position(state: &crate::state::State, uri: &Uri) -> ApiResult<usize> {
    let raw = uri.path().trim_start_matches("/__emu/clients/");
    let id = crate::params::percent_decode(raw).ok_or_else(errors::not_found)?;
    state
        .clients
        .iter()
        .position(|c| c.client_id == id)
        .ok_or_else(|| ApiError::new(404, "not_found", "No such client"))
}

async fn client(AxumState(app): AppState, uri: Uri) -> ApiResult<Json<Value>> {
    let state = app.lock();
    let position = client_position(&state, &uri)?;
    Ok(Json(state.clients[position].to_json()))
}

/// `POST /__emu/clients/{id}`: a JSON merge patch (RFC 7396) of the client's seed: the fields given replace
/// theirs, `null` puts one back to its default, and the result is checked as a new client would be. Tokens
/// already issued keep their family, and follow the new settings from their next use.
async fn update_client(AxumState(app): AppState, uri: Uri, bytes: Bytes) -> ApiResult<Json<Value>> {
    let patch: serde_json::Map<String, Value> = body(&bytes)?;
    let mut state = app.lock();
    let position = client_position(&state, &uri)?;
    let current = &state.clients[position];
    if patch.get("client_id").is_some_and(|id| id.as_str() != Some(&current.client_id)) {
        return Err(errors::invalid_request("client_id cannot be changed"));
    }
    let mut merged = match serde_json::to_value(&current.seed) {
        Ok(Value::Object(map)) => map,
        _ => return Err(ApiError::new(500, "server_error", "The client cannot be read")),
    };
    for (key, value) in patch {
        if value.is_null() {
            merged.remove(&key);
        } else {
            merged.insert(key, value);
        }
    }
    let seed: ClientSeed = serde_json::from_value(Value::Object(merged))
        .map_err(|e| errors::invalid_request(format!("Invalid client: {e}")))?;
    let updated = Client::from_seed(&seed).map_err(errors::invalid_request)?;
    let listing = updated.to_json();
    state.clients[position] = updated;
    Ok(Json(listing))
}

/// Refresh-token families, with their rotation counter and any revocation; `?user=` (login or id), `?client=`.
async fn refresh_tokens(AxumState(app): AppState, uri: Uri) -> Json<Value> {
    let (user, client) = (query_param(&uri, "user"), query_param(&uri, "client"));
    Json(crate::refresh::list_json(&app.lock(), user.as_deref(), client.as_deref()))
}

// ---- outbox and push device ---------------------------------------------------------------------------------

async fn outbox(AxumState(app): AppState, uri: Uri) -> Json<Value> {
    let user = query_param(&uri, "user");
    let state = app.lock();
    let messages: Vec<Value> = state
        .outbox
        .iter()
        .filter(|m| user.as_deref().is_none_or(|u| m.user.eq_ignore_ascii_case(u)))
        .filter_map(|m| serde_json::to_value(m).ok())
        .collect();
    Json(Value::Array(messages))
}

async fn clear_outbox(AxumState(app): AppState) -> StatusCode {
    app.lock().outbox.clear();
    StatusCode::NO_CONTENT
}

async fn pushes(AxumState(app): AppState, uri: Uri) -> Json<Value> {
    let wanted = query_param(&uri, "state");
    let user = query_param(&uri, "user");
    let mut state = app.lock();
    let now = state.now_ms();
    for push in state.pushes.iter_mut() {
        push.settle_expiry(now);
    }
    let list = state
        .pushes
        .iter()
        .filter(|p| wanted.as_deref().is_none_or(|w| serde_json::to_value(p.state).ok() == Some(json!(w))))
        .filter(|p| user.as_deref().is_none_or(|u| p.username.eq_ignore_ascii_case(u)))
        .map(|p| p.to_json())
        .collect();
    Json(Value::Array(list))
}

/// `POST /__emu/pushes/{id}/approve|reject`; the id `latest` means the newest pending push (of `?user=`).
async fn answer_push(AxumState(app): AppState, uri: Uri, bytes: Bytes) -> ApiResult<Json<Value>> {
    let _ = bytes;
    let mut segments = uri.path().trim_start_matches("/__emu/pushes/").split('/');
    let id = segments.next().unwrap_or("").to_owned();
    let answer = match segments.next() {
        Some("approve") => PushState::Approved,
        Some("reject" | "deny") => PushState::Rejected,
        _ => return Err(errors::not_found()),
    };
    let user = query_param(&uri, "user");
    let mut state = app.lock();
    let now = state.now_ms();
    for p in state.pushes.iter_mut() {
        p.settle_expiry(now);
    }
    let push = if id == "latest" {
        state.pushes.iter_mut().rev().find(|p| {
            p.state == PushState::Pending && user.as_deref().is_none_or(|u| p.username.eq_ignore_ascii_case(u))
        })
    } else {
        state.pushes.iter_mut().find(|p| p.id == id)
    };
    let push = push.ok_or_else(|| ApiError::new(404, "not_found", "No such push"))?;
    if push.state != PushState::Pending {
        return Err(ApiError::new(409, "conflict", format!("The push is no longer pending: {:?}", push.state)));
    }
    push.state = answer;
    Ok(Json(push.to_json()))
}

async fn push_policy(AxumState(app): AppState) -> Json<Value> {
    Json(serde_json::to_value(&app.lock().push_policy).unwrap_or(Value::Null))
}

async fn set_push_policy(AxumState(app): AppState, bytes: Bytes) -> ApiResult<Json<Value>> {
    let policy: PushPolicy = body(&bytes)?;
    app.lock().push_policy = policy.clone();
    Ok(Json(serde_json::to_value(policy).unwrap_or(Value::Null)))
}

// ---- settings -----------------------------------------------------------------------------------------------

async fn settings(AxumState(app): AppState) -> Json<Value> {
    Json(serde_json::to_value(&app.lock().settings).unwrap_or(Value::Null))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsChange {
    recovery_codes: Option<bool>,
    mfa_token_ttl_secs: Option<u64>,
    push_rejection_error: Option<String>,
    permissive_cors: Option<bool>,
    dpop_nonce_secs: Option<u64>,
}

async fn set_settings(AxumState(app): AppState, bytes: Bytes) -> ApiResult<Json<Value>> {
    let change: SettingsChange = body(&bytes)?;
    let mut state = app.lock();
    if let Some(value) = change.push_rejection_error {
        state.settings.push_rejection_error =
            validate_rejection_error(Some(&value)).map_err(errors::invalid_request)?;
    }
    if let Some(value) = change.recovery_codes {
        state.settings.recovery_codes = value;
    }
    if let Some(value) = change.mfa_token_ttl_secs {
        state.settings.mfa_token_ttl_secs = value;
    }
    if let Some(value) = change.permissive_cors {
        state.settings.permissive_cors = value;
    }
    if let Some(value) = change.dpop_nonce_secs {
        if !(1..=crate::state::MAX_SETTING_SECS).contains(&value) {
            return Err(errors::invalid_request("dpop_nonce_secs must be 1-31536000"));
        }
        state.settings.dpop_nonce_secs = value;
    }
    Ok(Json(serde_json::to_value(&state.settings).unwrap_or(Value::Null)))
}

// ---- faults, journal, rate limit ----------------------------------------------------------------------------

async fn faults(AxumState(app): AppState) -> Json<Value> {
    Json(serde_json::to_value(&app.lock().faults).unwrap_or(Value::Null))
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(Fault),
    Many(Vec<Fault>),
}

async fn add_faults(AxumState(app): AppState, bytes: Bytes) -> ApiResult<Json<Value>> {
    let faults = match body::<OneOrMany>(&bytes)? {
        OneOrMany::One(f) => vec![f],
        OneOrMany::Many(list) => list,
    };
    if let Some(bad) = faults.iter().find_map(|f| f.status.filter(|s| !(100..=999).contains(s))) {
        return Err(errors::invalid_request(format!("Invalid status {bad}")));
    }
    let mut state = app.lock();
    state.faults.extend(faults.into_iter().filter(|f| f.count > 0));
    Ok(Json(json!({"queued": state.faults.len()})))
}

async fn clear_faults(AxumState(app): AppState) -> StatusCode {
    app.lock().faults.clear();
    StatusCode::NO_CONTENT
}

async fn journal(AxumState(app): AppState, uri: Uri) -> Json<Value> {
    let since: u64 = query_param(&uri, "since").and_then(|s| s.parse().ok()).unwrap_or(0);
    let path = query_param(&uri, "path");
    let state = app.lock();
    Json(Value::Array(
        state
            .journal
            .iter()
            .filter(|e| e.seq > since && path.as_deref().is_none_or(|p| e.path == p))
            .filter_map(|e| serde_json::to_value(e).ok())
            .collect(),
    ))
}

async fn clear_journal(AxumState(app): AppState) -> StatusCode {
    app.lock().journal.clear();
    StatusCode::NO_CONTENT
}

async fn rate_limit(AxumState(app): AppState) -> Json<Value> {
    Json(serde_json::to_value(&app.lock().rate_limit).unwrap_or(Value::Null))
}

async fn set_rate_limit(AxumState(app): AppState, bytes: Bytes) -> ApiResult<Json<Value>> {
    let limit: RateLimit = body(&bytes)?;
    let mut state = app.lock();
    state.rate_limit = limit.clone();
    state.rate_windows.clear();
    Ok(Json(serde_json::to_value(limit).unwrap_or(Value::Null)))
}

/// How many entries each of the tenant's bounded maps holds.
async fn stats(AxumState(app): AppState) -> Json<Value> {
    Json(app.lock().stats())
}

// ---- the page -----------------------------------------------------------------------------------------------

async fn page() -> Html<&'static str> {
    Html(PAGE)
}

const PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Auth0 emulator</title>
<style>
body{font:15px/1.4 system-ui,sans-serif;margin:2rem;max-width:60rem;color:#222}
table{border-collapse:collapse;width:100%;margin-bottom:2rem}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left}
code{font-size:1.2em;letter-spacing:.1em}button{margin-right:.4rem}.muted{color:#777}
</style></head><body>
<h1>Auth0 emulator</h1>
<p class="muted">Clock: <span id="clock"></span>. This page refreshes every 2 seconds.</p>
<h2>Pending pushes</h2>
<table><thead><tr><th>User</th><th>Kind</th><th>Polls</th><th>Expires</th><th></th></tr></thead><tbody id="pushes"></tbody></table>
<h2>Outbox</h2>
<table><thead><tr><th>Time</th><th>User</th><th>Channel</th><th>To</th><th>Purpose</th><th>Code</th></tr></thead><tbody id="outbox"></tbody></table>
<script>
const base = location.pathname.replace(/\/?$/, "/");
const cell = (text) => { const td = document.createElement("td"); td.textContent = text; return td; };
const time = (secs) => new Date(secs * 1000).toLocaleTimeString();
async function answer(id, action) { await fetch(base + "pushes/" + encodeURIComponent(id) + "/" + action, {method: "POST"}); refresh(); }
async function refresh() {
  const [clock, pushes, outbox] = await Promise.all(["clock", "pushes?state=pending", "outbox"].map((p) => fetch(base + p).then((r) => r.json())));
  document.getElementById("clock").textContent = new Date(clock.now_ms).toISOString() + (clock.frozen ? " (frozen)" : "");
  const pushRows = document.getElementById("pushes"); pushRows.replaceChildren();
  for (const p of pushes) {
    const tr = document.createElement("tr");
    tr.append(cell(p.user), cell(p.kind), cell(p.polls), cell(time(p.expires_at)));
    const td = document.createElement("td");
    for (const [label, action] of [["Approve", "approve"], ["Deny", "reject"]]) {
      const b = document.createElement("button"); b.textContent = label; b.onclick = () => answer(p.id, action); td.append(b);
    }
    tr.append(td); pushRows.append(tr);
  }
  if (!pushes.length) { const tr = document.createElement("tr"); tr.append(cell("None")); pushRows.append(tr); }
  const outRows = document.getElementById("outbox"); outRows.replaceChildren();
  for (const m of outbox.slice().reverse()) {
    const tr = document.createElement("tr");
    const code = document.createElement("td"); const c = document.createElement("code"); c.textContent = m.code; code.append(c);
    tr.append(cell(time(m.time)), cell(m.user), cell(m.channel), cell(m.to), cell(m.purpose), code); outRows.append(tr);
  }
}
refresh(); setInterval(refresh, 2000);
</script></body></html>
"#;

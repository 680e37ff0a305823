//! A local Auth0 tenant for tests and demos: the Resource Owner Password grant with MFA (`/oauth/token`,
//! `/mfa/*`) with real semantics, CORS like Auth0's, and a control plane under `/__emu/` (clock, outbox, push
//! device, faults, journal).
//!
//! The core is [`Emulator`]: the router and its state, built for the native server (feature `server`) and for
//! wasm32 (the npm package `auth0-mfa-emulator`, `src/wasm.rs`).
//!
//! ```no_run
//! # #[cfg(feature = "server")]
//! # async fn demo() -> std::io::Result<()> {
//! let running = auth0_mfa_emulator::spawn(auth0_mfa_emulator::Config::default()).await?;
//! println!("{}", running.url);
//! running.stop().await;
//! # Ok(()) }
//! ```

mod assertion;
pub mod cli;
mod control;
mod crypto;
mod dpop;
mod env;
mod errors;
mod jose;
mod mfa;
mod params;
mod refresh;
pub mod seed;
#[cfg(feature = "server")]
mod server;
mod state;
mod token;
#[cfg(target_arch = "wasm32")]
mod wasm;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::header::{ACCESS_CONTROL_REQUEST_METHOD, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HOST};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use errors::ApiError;
use http_body_util::{BodyExt, Limited};
use serde_json::{Value, json};
use state::{Fault, JournalEntry, Overrides, State};
use std::convert::Infallible;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::task::{Context, Poll};
use std::time::Duration;
use tower_http::cors::{AllowCredentials, AllowOrigin, Cors};
use tower_service::Service;

pub use env::{BoxFuture, Env};
pub use seed::Seed;
#[cfg(feature = "server")]
pub use server::{Running, spawn, tokio_env};

pub const READY_PREFIX: &str = "auth0-mfa-emulator listening on ";
const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// How to start an emulator.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where the native server binds (unused by the wasm build).
    pub host: String,
    /// 0 picks a free port.
    pub port: u16,
    pub seed: Seed,
    /// Answer CORS for any origin (local development), instead of only the clients' allowed origins.
    pub permissive_cors: bool,
    pub mfa_token_ttl_secs: Option<u64>,
    /// The tenant's public base URL when it is reached through a proxy or under another name
    /// (e.g. `https://tenant.example`): the issuer, the MFA audience and the discovery URLs use it.
    pub public_url: Option<String>,
    pub body_limit: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 0,
            seed: default_seed(),
            permissive_cors: false,
            mfa_token_ttl_secs: None,
            public_url: None,
            body_limit: DEFAULT_BODY_LIMIT,
        }
    }
}

/// The seed that ships with the emulator (`emulator/seed/default.json`).
pub fn default_seed() -> Seed {
    // The embedded seed is checked by a unit test, so this cannot fail at run time.
    seed::parse(seed::DEFAULT_SEED).expect("the shipped seed is valid")
}

/// Shared by every handler.
pub(crate) struct App {
    state: Mutex<State>,
    seed: Seed,
    overrides: Overrides,
    env: Env,
    signer: crypto::Signer256,
    body_limit: usize,
    /// Set from the public URL, else from where the emulator is reached (which the wasm build learns late,
    /// when it starts listening).
    names: RwLock<Names>,
}

/// The names the tenant answers to.
struct Names {
    /// Base URL of the tenant, without a trailing slash: its "domain".
    base: String,
    /// Host names (lowercase, no port) accepted in `Host` besides loopback and IP literals: the public URL's
    /// and the one given to bind.
    host_names: Vec<String>,
    /// `scheme://authority` of `base`, lowercase: pages the tenant serves under its public name.
    own_origin: String,
}

impl Names {
    /// `url` is where the emulator is reached, `host` what it is bound to.
    fn new(public_url: Option<&str>, host: &str, url: &str) -> Self {
        let base = public_url.unwrap_or(url).trim_end_matches('/').to_owned();
        let host_names = public_url
            .and_then(url_host)
            .into_iter()
            .chain(Some(host.to_ascii_lowercase()).filter(|h| !h.is_empty() && !is_ip_literal(h)))
            .collect();
        Self { own_origin: url_origin(&base), base, host_names }
    }
}

impl App {
    /// The state, also after a handler panicked while holding it: one bad request must not lose the tenant.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn names(&self) -> std::sync::RwLockReadGuard<'_, Names> {
        self.names.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The tenant's base URL, without a trailing slash.
    pub(crate) fn base(&self) -> String {
        self.names().base.clone()
    }

    pub(crate) fn issuer(&self) -> String {
        format!("{}/", self.base())
    }

    pub(crate) fn mfa_audience(&self) -> String {
        format!("{}/mfa/", self.base())
    }

    pub(crate) fn is_mfa_audience(&self, audience: &str) -> bool {
        audience.trim_end_matches('/') == format!("{}/mfa", self.base())
    }

    pub(crate) fn reset(&self) -> Result<(), String> {
        let fresh = State::from_seed(&self.seed, &self.overrides, &self.env)?;
        *self.lock() = fresh;
        Ok(())
    }
}

/// The emulated tenant: its state and its routes behind CORS. Both fronts, the native server and the wasm
/// build, hand it each request through [`Emulator::handle`], so they cannot answer differently.
#[derive(Clone)]
pub struct Emulator {
    service: Cors<Tenant>,
    public_url: Option<String>,
}

/// What to do with a request.
#[derive(Debug)]
pub enum Answer {
    Respond(Response),
    /// Close the connection without an answer (a "drop" fault): a network error to the client.
    Drop,
}

impl Emulator {
    /// `url` is where the emulator is reached; the public URL in `config`, when given, names it instead.
    pub fn new(config: Config, url: &str, env: Env) -> Result<Self, String> {
        let overrides =
            Overrides { permissive_cors: config.permissive_cors, mfa_token_ttl_secs: config.mfa_token_ttl_secs };
        let state = State::from_seed(&config.seed, &overrides, &env)?;
        let signer = crypto::Signer256::test_only()?;
        let names = RwLock::new(Names::new(config.public_url.as_deref(), &config.host, url));
        let public_url = config.public_url.clone();
        let app = Arc::new(App {
            state: Mutex::new(state),
            seed: config.seed,
            overrides,
            env,
            signer,
            body_limit: config.body_limit,
            names,
        });
        let service = cors(app.clone(), Tenant { app: app.clone(), router: router(app) });
        Ok(Self { service, public_url })
    }

    /// Where the emulator is now reached, when it was created before it listened on `host`: without a public
    /// URL, the issuer and the discovery URLs follow it.
    pub fn reached_at(&self, url: &str, host: &str) {
        let names = Names::new(self.public_url.as_deref(), host, url);
        *self.service.get_ref().app.names.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = names;
    }

    /// Everything before CORS: the Host check and the refusals; then [`cors`] around the [`Tenant`].
    pub async fn handle<B>(&self, request: Request<B>, peer: SocketAddr) -> Answer
    where
        B: axum::body::HttpBody<Data = Bytes> + Send + 'static,
        B::Error: Into<axum::BoxError>,
    {
        let mut service = self.service.clone();
        let app = service.get_ref().app.clone();
        let (mut parts, body) = request.into_parts();
        if let Some(host) = unknown_host(&parts, &app.names().host_names) {
            return Answer::Respond(errors::host_not_allowed(&host).into_response());
        }
        if let Some(refused) = refusal(&app, &parts) {
            return Answer::Respond(refused.into_response());
        }
        let (options, preflight) = (parts.method == Method::OPTIONS, is_preflight(&parts));
        parts.extensions.insert(Peer(peer));
        let request = Request::from_parts(parts, Body::new(body));
        // CorsLayer takes every OPTIONS for a preflight and answers it itself: one that is not goes to the routes
        // (a 405), and a preflight is answered 204 rather than 200, as before.
        let mut response = if options && !preflight {
            call(service.get_mut(), request).await
        } else {
            call(&mut service, request).await
        };
        if response.extensions().get::<Dropped>().is_some() {
            return Answer::Drop;
        }
        if preflight {
            *response.status_mut() = StatusCode::NO_CONTENT;
        }
        Answer::Respond(response)
    }
}

fn router(app: Arc<App>) -> Router {
    use axum::routing::{delete, get, post};
    Router::new()
        .route("/healthz", get(|| async { axum::Json(json!({"status": "ok"})) }))
        .route("/oauth/token", post(token::token))
        .route("/mfa/authenticators", get(mfa::list))
        .route("/mfa/authenticators/{*id}", delete(mfa::remove))
        .route("/mfa/associate", post(mfa::associate))
        .route("/mfa/challenge", post(mfa::challenge))
        .route("/.well-known/jwks.json", get(token::jwks))
        .route("/.well-known/openid-configuration", get(token::discovery))
        .merge(control::routes())
        .fallback(|| async { errors::not_found() })
        .method_not_allowed_fallback(|| async { errors::method_not_allowed() })
        .with_state(app)
}

/// The peer's address, for brute-force protection.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Peer(pub SocketAddr);

/// Marks the answer to a "drop" fault: the front closes the connection instead of sending it.
#[derive(Clone, Copy)]
struct Dropped;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Area {
    Control,
    Public,
    Api,
}

fn area(path: &str) -> Area {
    if path == "/__emu" || path.starts_with("/__emu/") {
        Area::Control
    } else if path.starts_with("/.well-known/") || path == "/healthz" {
        Area::Public
    } else {
        Area::Api
    }
}

/// The warning to print when the emulator listens on an address other machines can reach, or `None` on a
/// loopback address.
pub fn exposure_warning(addr: SocketAddr) -> Option<String> {
    (!addr.ip().to_canonical().is_loopback()).then(|| {
        format!(
            "auth0-mfa-emulator: warning: listening on {addr}, which is not a loopback address: the control plane \
             (/__emu/*: codes in the outbox, push approval, users, clients, settings) is reachable from the network, \
             without authentication"
        )
    })
}

/// `host[:port]` split into the host (an IPv6 literal keeps its brackets) and the port; `None` if malformed.
pub(crate) fn split_authority(authority: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if authority.starts_with('[') {
        let (host, rest) = authority.split_at(authority.find(']')? + 1);
        (host, if rest.is_empty() { None } else { Some(rest.strip_prefix(':')?) })
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port = match port {
        None | Some("") => None,
        Some(port) if port.bytes().all(|b| b.is_ascii_digit()) => Some(port.parse().ok()?),
        Some(_) => return None,
    };
    (!host.is_empty()).then_some((host, port))
}

fn is_ip_literal(host: &str) -> bool {
    host.parse::<Ipv4Addr>().is_ok()
        || host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).is_some_and(|h| h.parse::<Ipv6Addr>().is_ok())
}

/// The lowercase host of a URL such as `https://tenant.example:8443/base`.
fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    split_authority(authority).map(|(host, _)| host.to_ascii_lowercase())
}

/// `scheme://authority` of a URL, lowercase.
fn url_origin(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    format!("{scheme}://{authority}").to_ascii_lowercase()
}

/// Whether a `Host` names this emulator. DNS rebinding has a browser send a request meant for the attacker's
/// own name (`Host: evil.example`) to a loopback address, so an unknown name is refused. An IP literal is
/// accepted: it is reached without DNS, so it cannot be rebound (and `--host 0.0.0.0` stays usable by address).
fn host_allowed(host: &str, names: &[String]) -> bool {
    let host = host.rsplit_once('@').map_or(host, |(_, host)| host);
    let Some((name, _)) = split_authority(host) else { return false };
    let name = name.to_ascii_lowercase();
    name == "localhost" || is_ip_literal(&name) || names.contains(&name)
}

/// The first `Host` (header or absolute request target) that does not name this emulator. A request with
/// neither, as an in-process call makes, passes.
fn unknown_host(parts: &Parts, names: &[String]) -> Option<String> {
    let headers = parts.headers.get_all(HOST).iter().map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let target = parts.uri.authority().map(|a| a.as_str().to_owned());
    headers.chain(target).find(|host| !host_allowed(host, names))
}

/// `http(s)://127.0.0.1`, `localhost` or `[::1]` (any port), or the emulator's own origin: pages served from
/// the developer's machine, or by the emulator itself (the device page opened by LAN address or through the
/// public URL). An Origin equal to the `Host` is trusted only because that Host was checked first: a rebound
/// page would have both name `evil.example`.
fn is_local_origin(origin: &str, host: Option<&str>, own_origin: &str) -> bool {
    let origin = origin.to_ascii_lowercase();
    let Some(authority) = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")) else {
        return false;
    };
    split_authority(authority).is_some_and(|(host, _)| matches!(host, "127.0.0.1" | "localhost" | "[::1]"))
        || host.is_some_and(|host| host.eq_ignore_ascii_case(authority))
        || origin == own_origin
}

/// Whether `origin` may call the area that `parts` asks for, as [`cors`] and [`refusal`] ask: the API answers
/// the origins some client lists (any origin with permissive CORS); the control plane and the public
/// documents also answer pages on this machine, and permissive CORS does not open the control plane, or any
/// website could read the outbox or approve pushes.
fn origin_allowed(app: &App, origin: &str, parts: &Parts) -> bool {
    let origin = origin.trim_end_matches('/');
    let host = parts.headers.get(HOST).and_then(|v| v.to_str().ok());
    let local = || is_local_origin(origin, host, &app.names().own_origin);
    match area(parts.uri.path()) {
        Area::Control => local() || app.lock().origin_listed_by_a_client(origin),
        Area::Public => local() || app.lock().origin_allowed_anywhere(origin),
        Area::Api => app.lock().origin_allowed_anywhere(origin),
    }
}

/// CORS around `inner`, with the origin rule of [`origin_allowed`]. One list of methods and one of headers
/// serve every area: GET, POST and DELETE are all that the routes take, and these headers all that the SDKs,
/// the device page and test pages send.
fn cors<S>(app: Arc<App>, inner: S) -> Cors<S> {
    Cors::new(inner)
        .allow_origin(AllowOrigin::predicate(move |origin, parts| {
            origin.to_str().is_ok_and(|origin| origin_allowed(&app, origin, parts))
        }))
        // As Auth0's API does; the emulator's own pages take no credentials.
        .allow_credentials(AllowCredentials::predicate(|_, parts| area(parts.uri.path()) == Area::Api))
        .allow_methods([Method::GET, Method::POST, Method::DELETE])
        .allow_headers([
            AUTHORIZATION,
            CONTENT_TYPE,
            HeaderName::from_static("auth0-client"),
            HeaderName::from_static("dpop"),
        ])
        // A page must read the DPoP nonce to retry with it, as spa-js does.
        .expose_headers(
            ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", dpop::NONCE_HEADER]
                .map(HeaderName::from_static),
        )
        .max_age(Duration::from_secs(86_400))
}

/// What CorsLayer cannot answer, since it only adds or withholds headers: a refused preflight is an
/// Auth0-shaped 403 (400 without an Origin) rather than a 200 without CORS headers; and the control plane
/// refuses another website's request outright, since a cross-site POST with a simple content type needs no
/// preflight and would still approve a push or change settings without reading the answer.
fn refusal(app: &App, parts: &Parts) -> Option<ApiError> {
    match params::origin(&parts.headers) {
        None => is_preflight(parts).then(|| errors::invalid_request("Preflight without Origin")),
        Some(origin)
            if (is_preflight(parts) || area(parts.uri.path()) == Area::Control)
                && !origin_allowed(app, &origin, parts) =>
        {
            Some(errors::origin_not_allowed(&origin))
        }
        Some(_) => None,
    }
}

fn is_preflight(parts: &Parts) -> bool {
    parts.method == Method::OPTIONS && parts.headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD)
}

/// The tenant behind CORS: the body limit, the journal, faults, pruning and the routes.
#[derive(Clone)]
struct Tenant {
    app: Arc<App>,
    router: Router,
}

impl Service<Request<Body>> for Tenant {
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<Result<Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        let (app, router) = (self.app.clone(), self.router.clone());
        Box::pin(async move { Ok(tenant(app, router, request).await) })
    }
}

async fn tenant(app: Arc<App>, mut router: Router, request: Request<Body>) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let bytes = match Limited::new(body, app.body_limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => {
            return errors::body_too_large(app.body_limit).into_response();
        }
        Err(_) => return errors::invalid_request("The request body could not be read").into_response(),
    };

    let mut journal_seq = None;
    let mut fault = None;
    if area(&path) != Area::Control {
        let mut state = app.lock();
        journal_seq = Some(record_request(&mut state, &parts, &bytes));
        let method = parts.method.as_str();
        if let Some(index) = state.faults.iter().position(|f| f.matches(method, &path)) {
            let matched = state.faults.get_mut(index).map(|f| {
                f.count = f.count.saturating_sub(1);
                f.clone()
            });
            if state.faults.get(index).is_some_and(|f| f.count == 0) {
                state.faults.remove(index);
            }
            fault = matched;
        }
        if let (Some(seq), Some(_)) = (journal_seq, &fault)
            && let Some(entry) = state.journal.iter_mut().rev().find(|e| e.seq == seq)
        {
            entry.fault = true;
        }
    }

    let request = Request::from_parts(parts, Body::from(bytes));
    let response = match fault {
        Some(fault) => apply_fault(&app, fault, &mut router, request).await,
        None => call(&mut router, request).await,
    };
    let mut state = app.lock();
    let answered = response.extensions().get::<Dropped>().is_none();
    if let Some(seq) = journal_seq.filter(|_| answered)
        && let Some(entry) = state.journal.iter_mut().rev().find(|e| e.seq == seq)
    {
        entry.status = Some(response.status().as_u16());
    }
    // Each request may add a token, a push or a message: forgetting the expired and the excess here keeps
    // every map bounded.
    state.prune();
    drop(state);
    response
}

/// Calls a service that cannot fail.
async fn call<S, B>(service: &mut S, request: Request<B>) -> Response
where
    S: Service<Request<B>, Response = Response, Error = Infallible>,
{
    let Ok(()) = std::future::poll_fn(|cx| service.poll_ready(cx)).await;
    let Ok(response) = service.call(request).await;
    response
}

async fn apply_fault(app: &App, fault: Fault, router: &mut Router, request: Request<Body>) -> Response {
    if let Some(ms) = fault.delay_ms {
        (app.env.sleep)(Duration::from_millis(ms)).await;
    }
    if fault.drop {
        let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
        response.extensions_mut().insert(Dropped);
        return response;
    }
    let canned = fault.status.is_some() || fault.body.is_some() || !fault.headers.is_empty();
    let response = if canned {
        let status = StatusCode::from_u16(fault.status.unwrap_or(500)).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, fault.body.clone().unwrap_or_default()).into_response();
        for (name, value) in &fault.headers {
            if let (Ok(name), Ok(value)) = (HeaderName::try_from(name.as_str()), HeaderValue::from_str(value)) {
                response.headers_mut().insert(name, value);
            }
        }
        response
    } else {
        call(router, request).await
    };
    if !fault.truncate {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = body.collect().await.map(|c| c.to_bytes()).unwrap_or_default();
    let half = bytes.slice(..bytes.len() / 2);
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(half))
}

const REDACTED_PARAMS: &[&str] = &[
    "password",
    "client_secret",
    "client_assertion",
    "otp",
    "binding_code",
    "recovery_code",
    "mfa_token",
    "oob_code",
    "refresh_token",
    "access_token",
    "id_token",
];
const JOURNAL_HEADERS: &[&str] =
    &["content-type", "origin", "user-agent", "auth0-client", "auth0-forwarded-for", "x-forwarded-for"];

fn record_request(state: &mut State, parts: &Parts, body: &Bytes) -> u64 {
    let mut headers = serde_json::Map::new();
    for name in JOURNAL_HEADERS {
        if let Some(value) = parts.headers.get(*name).and_then(|v| v.to_str().ok()) {
            headers.insert((*name).to_owned(), json!(value));
        }
    }
    if let Some(value) = parts.headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let scheme = value.split_whitespace().next().unwrap_or("");
        headers.insert("authorization".into(), json!(format!("{scheme} [redacted]")));
    }
    let body = match params::Params::parse(&parts.headers, body) {
        Ok(params) => Value::Object(
            params
                .0
                .into_iter()
                .map(|(k, v)| {
                    let value = if REDACTED_PARAMS.contains(&k.as_str()) { json!("[redacted]") } else { v };
                    (k, value)
                })
                .collect(),
        ),
        Err(_) => json!(format!("[{} bytes, not parsed]", body.len())),
    };
    state.journal_seq += 1;
    let seq = state.journal_seq;
    let time = state.now_ms() / 1000;
    state.journal.push_back(JournalEntry {
        seq,
        time,
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers,
        body,
        status: None,
        fault: false,
    });
    while state.journal.len() > state::JOURNAL_CAPACITY {
        state.journal.pop_front();
    }
    seq
}

#[cfg(test)]
mod tests {
    #[test]
    fn shipped_seed_loads() {
        let seed = super::default_seed();
        assert!(super::State::from_seed(&seed, &Default::default(), &super::env::for_unit_tests()).is_ok());
        assert_eq!(seed.tenant, "Emulated Tenant");
    }

    /// Every random value comes from the front's `Env`: with a fixed source, the tenant's `mfa_token` is fixed.
    #[tokio::test]
    async fn the_tenant_draws_its_randomness_from_the_env() {
        use axum::http::Request;
        let env = super::Env { random: |buffer| buffer.fill(7), ..super::env::for_unit_tests() };
        let emulator = super::Emulator::new(super::Config::default(), "http://127.0.0.1", env).expect("built");
        let body = "grant_type=password&username=otp%40example.com&password=Passw0rd%21&client_id=spa-client";
        let request = Request::post("/oauth/token")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(body))
            .expect("a request");
        let super::Answer::Respond(response) = emulator.handle(request, "127.0.0.1:1".parse().expect("addr")).await
        else {
            panic!("answered")
        };
        let bytes = http_body_util::BodyExt::collect(response.into_body()).await.expect("a body").to_bytes();
        let json: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
        let sevens = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, [7u8; 48]);
        assert_eq!(json["mfa_token"], format!("Fe26.2**{sevens}"));
    }

    #[test]
    fn shipped_seed_has_the_committed_client_assertion_key() {
        let seed = super::default_seed();
        let client = seed.clients.iter().find(|c| c.client_id == "jwt-client").expect("jwt-client");
        assert_eq!(client.jwt_keys[0].pem, include_str!("../keys/TEST-ONLY-client-assertion.public.pem"));
    }
}

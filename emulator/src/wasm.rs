//! The wasm front: what the npm package `auth0-mfa-emulator` is built from. `emulator/js/emulator.js` wraps
//! [`Core`] as the `Emulator` class, whose `fetch` turns a `Request` into a call of [`Core::handle`].

use crate::{Answer, BoxFuture, Config, Emulator, Env, seed};
use axum::body::Body;
use axum::http::header::CONTENT_LENGTH;
use axum::http::{HeaderName, HeaderValue, Method, Request};
use http_body_util::BodyExt;
use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};

#[wasm_bindgen]
extern "C" {
    /// The global `setTimeout` of every runtime we serve (browsers, Node, workerd).
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, ms: f64) -> JsValue;

    /// Web Crypto's random bytes, in every runtime we serve; it fills the slice in place.
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(buffer: &mut [u8]);
}

fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

fn sleep(duration: Duration) -> BoxFuture<()> {
    let promise = Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, duration.as_millis() as f64);
    });
    Box::pin(async move {
        let _ = JsFuture::from(promise).await;
    })
}

/// Where an in-process request comes from, for brute-force protection, when the caller names no peer.
const IN_PROCESS_PEER: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// One emulated tenant.
#[wasm_bindgen]
pub struct Core {
    emulator: Emulator,
}

#[wasm_bindgen]
impl Core {
    /// `seed`: the JSON of a seed file (the shipped one when absent); `url`: where the tenant is reached until
    /// [`Core::reached_at`] says otherwise, unless `public_url` names it.
    #[wasm_bindgen(constructor)]
    pub fn new(
        seed: Option<String>,
        url: &str,
        public_url: Option<String>,
        permissive_cors: bool,
        mfa_token_ttl_secs: Option<f64>,
    ) -> Result<Core, JsError> {
        let mfa_token_ttl_secs = match mfa_token_ttl_secs {
            Some(secs) if secs.fract() == 0.0 && secs >= 0.0 && crate::cli::is_mfa_token_ttl(secs as u64) => {
                Some(secs as u64)
            }
            Some(_) => return Err(JsError::new("mfaTokenTtlSecs must be a whole number of seconds, 1 to a year")),
            None => None,
        };
        let seed = match seed {
            Some(text) => parse_seed(&text)?,
            None => crate::default_seed(),
        };
        let config =
            Config { host: String::new(), seed, permissive_cors, mfa_token_ttl_secs, public_url, ..Config::default() };
        let env = Env { now_ms, sleep, random: get_random_values };
        let emulator = Emulator::new(config, url, env).map_err(|message| JsError::new(&message))?;
        Ok(Core { emulator })
    }

    /// Where the tenant is now reached: a server started after it was made, bound to `host`.
    #[wasm_bindgen(js_name = reachedAt)]
    pub fn reached_at(&self, url: &str, host: &str) {
        self.emulator.reached_at(url, host);
    }

    /// Answers one request. `headers` are name, value, name, value…; `peer` is the client's IP address.
    /// Resolves `{ status, headers, body }` (headers flat as given), `null` for a "drop" fault, or `undefined`
    /// when `aborted` settles first; rejects with a `TypeError` for a method or header HTTP does not allow.
    pub fn handle(
        &self,
        method: &str,
        target: &str,
        headers: Vec<String>,
        body: Vec<u8>,
        peer: Option<String>,
        aborted: Option<Promise>,
    ) -> Promise {
        let request = match build_request(method, target, &headers, body) {
            Ok(request) => request,
            Err(message) => return Promise::reject(&js_sys::TypeError::new(&message)),
        };
        let ip = peer.and_then(|p| p.parse().ok()).unwrap_or(IN_PROCESS_PEER);
        let emulator = self.emulator.clone();
        future_to_promise(async move {
            let answer = Box::pin(async move { emulator.handle(request, SocketAddr::new(ip, 0)).await });
            let answer = match aborted {
                // A request given up during a delay fault is never processed, as when a client hangs up on
                // the native server.
                Some(aborted) => match futures_util::future::select(answer, JsFuture::from(aborted)).await {
                    futures_util::future::Either::Left((answer, _)) => answer,
                    futures_util::future::Either::Right(_) => return Ok(JsValue::UNDEFINED),
                },
                None => answer.await,
            };
            match answer {
                Answer::Drop => Ok(JsValue::NULL),
                Answer::Respond(response) => to_js(response).await,
            }
        })
    }
}

fn build_request(method: &str, target: &str, headers: &[String], body: Vec<u8>) -> Result<Request<Body>, String> {
    let method = Method::from_bytes(method.as_bytes()).map_err(|_| format!("invalid method {method:?}"))?;
    let mut request = Request::builder().method(method).uri(target);
    for pair in headers.chunks(2) {
        let [name, value] = pair else { return Err("headers must be name, value pairs".into()) };
        let name = HeaderName::try_from(name.as_str()).map_err(|_| format!("invalid header name {name:?}"))?;
        let value = HeaderValue::try_from(value.as_str()).map_err(|_| format!("invalid value of header {name}"))?;
        request = request.header(name, value);
    }
    request.body(Body::from(body)).map_err(|_| format!("invalid request target {target:?}"))
}

async fn to_js(response: axum::response::Response) -> Result<JsValue, JsValue> {
    let (mut parts, body) = response.into_parts();
    let bytes = body.collect().await.map(|c| c.to_bytes()).unwrap_or_default();
    // What hyper adds on the native server, for a body it knows whole: both fronts then frame answers alike.
    let bodiless = parts.status.is_informational() || matches!(parts.status.as_u16(), 204 | 304);
    if !bodiless && !parts.headers.contains_key(CONTENT_LENGTH) {
        parts.headers.insert(CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    }
    let headers = Array::new();
    for (name, value) in &parts.headers {
        headers.push(&JsValue::from_str(name.as_str()));
        headers.push(&JsValue::from_str(&String::from_utf8_lossy(value.as_bytes())));
    }
    let answer = Object::new();
    Reflect::set(&answer, &"status".into(), &parts.status.as_u16().into())?;
    Reflect::set(&answer, &"headers".into(), &headers)?;
    Reflect::set(&answer, &"body".into(), &Uint8Array::from(bytes.as_ref()))?;
    Ok(answer.into())
}

/// Throws what is wrong with a seed's JSON, without building the tenant (which draws random values).
#[wasm_bindgen(js_name = checkSeed)]
pub fn check_seed(seed: Option<String>) -> Result<(), JsError> {
    seed.map_or(Ok(()), |text| parse_seed(&text).map(|_| ()))
}

fn parse_seed(text: &str) -> Result<seed::Seed, JsError> {
    seed::parse(text).map_err(|message| JsError::new(&format!("invalid seed: {message}")))
}

/// The command line of `npx auth0-mfa-emulator`, read as the native binary reads it (`crate::cli`). Resolves
/// `{ help: true, usage }` or `{ port, host, seed, permissiveCors, mfaTokenTtlSecs, publicUrl }` (`seed` is the
/// text of `--seed`'s file, already checked); throws the message to print, with `exitCode`.
#[wasm_bindgen(js_name = parseCommandLine)]
pub fn parse_command_line(args: Vec<String>, read_file: &js_sys::Function) -> Result<JsValue, JsValue> {
    let seed_text = std::cell::RefCell::new(None);
    let read = |path: &str| {
        let text = read_file.call1(&JsValue::NULL, &path.into()).map_err(|error| {
            Reflect::get(&error, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_else(|| "unreadable".into())
        })?;
        let text = text.as_string().ok_or("not text")?;
        *seed_text.borrow_mut() = Some(text.clone());
        Ok(text)
    };
    let out = Object::new();
    let set = |name: &str, value: JsValue| Reflect::set(&out, &name.into(), &value).map(|_| ());
    match crate::cli::parse(args, read) {
        Ok(crate::cli::Command::Help) => {
            set("help", true.into())?;
            set("usage", crate::cli::USAGE.into())?;
        }
        Ok(crate::cli::Command::Serve(config)) => {
            set("port", config.port.into())?;
            set("host", config.host.into())?;
            set("seed", seed_text.borrow().clone().map_or(JsValue::UNDEFINED, JsValue::from))?;
            set("permissiveCors", config.permissive_cors.into())?;
            set("mfaTokenTtlSecs", config.mfa_token_ttl_secs.map_or(JsValue::UNDEFINED, |s| (s as f64).into()))?;
            set("publicUrl", config.public_url.map_or(JsValue::UNDEFINED, JsValue::from))?;
        }
        Err(message) => {
            let error = js_sys::Error::new(&message);
            Reflect::set(&error, &"exitCode".into(), &crate::cli::EXIT_USAGE.into())?;
            return Err(error.into());
        }
    }
    Ok(out.into())
}

/// The CLI's ready line (before the URL) and the exit code when it cannot start: `{ ready, exitStart }`.
#[wasm_bindgen(js_name = commandLineTexts)]
pub fn command_line_texts() -> Result<JsValue, JsValue> {
    let out = Object::new();
    Reflect::set(&out, &"ready".into(), &crate::READY_PREFIX.into())?;
    Reflect::set(&out, &"exitStart".into(), &crate::cli::EXIT_START.into())?;
    Ok(out.into())
}

#[wasm_bindgen(js_name = startError)]
pub fn start_error(host: &str, port: u16, in_use: bool, error: &str) -> String {
    crate::cli::start_error(host, port, in_use, error)
}

/// The warning to print when listening on `address:port` (an IP address), or undefined on loopback.
#[wasm_bindgen(js_name = exposureWarning)]
pub fn exposure_warning(address: &str, port: u16) -> Option<String> {
    let ip: IpAddr = address.parse().ok()?;
    crate::exposure_warning(SocketAddr::new(ip, port))
}

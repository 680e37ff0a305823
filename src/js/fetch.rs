//! The transport over the global `fetch` (never `window.fetch`: Workers, web workers and Node have no window), or
//! over a `fetch` the caller passes (a Workers service binding, a proxy). A request sets only method, headers,
//! body, signal and `redirect: "manual"`: Workers reject `mode` and `credentials`, and a redirect is never followed
//! (a 307 would send the password on to wherever it points).

use super::task::settle;
use crate::http::{HttpClient, HttpRequest, HttpResponse, TransportError};
use js_sys::{Function, Object, Promise, Reflect};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `globalThis.fetch`, looked up at call time.
    #[wasm_bindgen(js_name = fetch, catch)]
    fn global_fetch(input: &str, init: &Object) -> Result<Promise, JsValue>;

    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &JsValue, millis: f64) -> JsValue;

    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: &JsValue);

    type AbortController;
    #[wasm_bindgen(constructor)]
    fn new() -> AbortController;
    #[wasm_bindgen(method, getter)]
    fn signal(this: &AbortController) -> AbortSignal;
    /// `abort` as a function, to bind as a timer or listener callback.
    #[wasm_bindgen(method, getter, js_name = abort)]
    fn abort_method(this: &AbortController) -> AbortMethod;

    type AbortMethod;
    /// `abort.bind(controller)`
    #[wasm_bindgen(method, js_name = bind)]
    fn bind(this: &AbortMethod, controller: &AbortController) -> JsValue;
    /// `abort.bind(controller, reason)`
    #[wasm_bindgen(method, js_name = bind)]
    fn bind_reason(this: &AbortMethod, controller: &AbortController, reason: &str) -> JsValue;

    /// Only signals of our own controllers, which nothing else can reach: these calls cannot throw.
    #[derive(Clone)]
    pub(crate) type AbortSignal;
    #[wasm_bindgen(method, getter)]
    fn aborted(this: &AbortSignal) -> bool;
    #[wasm_bindgen(method, getter)]
    fn reason(this: &AbortSignal) -> JsValue;
    #[wasm_bindgen(method, js_name = addEventListener)]
    fn add_event_listener(this: &AbortSignal, kind: &str, listener: &JsValue);
    #[wasm_bindgen(method, js_name = removeEventListener)]
    fn remove_event_listener(this: &AbortSignal, kind: &str, listener: &JsValue);

    /// The caller's signal, read once, where whatever its own properties throw is caught.
    #[wasm_bindgen(method, getter, catch, js_name = aborted)]
    fn caller_aborted(this: &AbortSignal) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = addEventListener)]
    fn caller_add_event_listener(this: &AbortSignal, kind: &str, listener: &JsValue) -> Result<(), JsValue>;
}

#[wasm_bindgen(module = "/src/js/fetch.js")]
extern "C" {
    #[wasm_bindgen(js_name = requestInit)]
    /// `body` is "" for none: every request with a body has a non-empty one.
    fn request_init_object(method: &str, headers: &str, body: &str, signal: &JsValue) -> Object;
    #[wasm_bindgen(js_name = responseStatus)]
    fn response_status(response: &JsValue) -> i32;
}

/// `responseStatus` for a redirect a browser did not follow.
const OPAQUE_REDIRECT: i32 = -2;

/// A signal of our own that aborts when the caller's `signal` does. The caller's is touched only here, so a
/// look-alike or a signal with a throwing own property is refused now, rather than throwing through a step later.
pub(crate) fn follow_signal(signal: JsValue) -> Option<AbortSignal> {
    let signal = signal.dyn_into::<AbortSignal>().ok()?;
    let controller = AbortController::new();
    let abort = controller.abort_method().bind(&controller);
    if signal.caller_aborted().ok()?.as_bool()? {
        abort.unchecked_ref::<Function>().call0(&JsValue::UNDEFINED).ok()?;
    } else {
        signal.caller_add_event_listener("abort", &abort).ok()?;
    }
    Some(controller.signal())
}

/// `setTimeout` delays are 32-bit signed: a longer one fires at once.
const MAX_TIMER_MS: u64 = i32::MAX as u64;
/// The reason our own timer gives when it aborts a request, to tell a timeout from the caller's abort.
const TIMEOUT_REASON: &str = "auth0-mfa-wasm: request timeout";
/// More headers than any real response carries; a bound for a hostile custom `fetch`.
const MAX_HEADERS: usize = 256;

/// Sends requests with `fetch`; an `AbortSignal` set with [`FetchClient::set_signal`] aborts them too.
pub(crate) struct FetchClient {
    custom_fetch: Option<Function>,
    signal: RefCell<Option<AbortSignal>>,
}

impl FetchClient {
    pub(crate) fn new(custom_fetch: Option<Function>) -> Self {
        Self { custom_fetch, signal: RefCell::new(None) }
    }

    /// A signal following the caller's (from [`follow_signal`]) for the requests and waits that follow, or `None`.
    pub(crate) fn set_signal(&self, signal: Option<AbortSignal>) {
        *self.signal.borrow_mut() = signal;
    }

    pub(crate) fn is_aborted(&self) -> bool {
        self.signal.borrow().as_ref().is_some_and(AbortSignal::aborted)
    }

    /// Resolves after `millis` milliseconds, or as soon as the caller's signal aborts.
    pub(crate) async fn sleep(&self, millis: u64) {
        let millis = millis.min(MAX_TIMER_MS) as f64;
        let signal = self.signal.borrow().clone();
        // The timer and the listener call the promise's own `resolve`, never Rust code.
        let mut guards = Guards { timer: None, listener: None };
        let promise = Promise::new(&mut |resolve, _| {
            guards.timer = Some(set_timeout(&resolve, millis));
            if let Some(signal) = &signal {
                signal.add_event_listener("abort", &resolve);
                guards.listener = Some((signal.clone(), resolve.into()));
            }
        });
        let _ = settle(&promise).await;
    }

    fn start(&self, request: &HttpRequest, init: &Object) -> Result<Promise, JsValue> {
        match &self.custom_fetch {
            Some(fetch) => {
                fetch.call2(&JsValue::UNDEFINED, &request.url.as_str().into(), init).map(|p| Promise::resolve(&p))
            }
            None => global_fetch(&request.url, init),
        }
    }
}

/// Disarms the timer and the abort listener however the wait ends.
struct Guards {
    timer: Option<JsValue>,
    listener: Option<(AbortSignal, JsValue)>,
}

impl Drop for Guards {
    fn drop(&mut self) {
        if let Some(timer) = &self.timer {
            clear_timeout(timer);
        }
        if let Some((signal, listener)) = &self.listener {
            signal.remove_event_listener("abort", listener);
        }
    }
}

impl HttpClient for FetchClient {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        if self.is_aborted() {
            return Err(TransportError::Aborted);
        }
        let controller = AbortController::new();
        let request_signal = controller.signal();
        // The timer and the listener call `controller.abort` itself, never Rust code.
        let abort = controller.abort_method();
        let mut guards = Guards { timer: None, listener: None };
        if let Some(millis) = request.timeout_ms {
            let on_timeout = abort.bind_reason(&controller, TIMEOUT_REASON);
            guards.timer = Some(set_timeout(&on_timeout, u64::from(millis).min(MAX_TIMER_MS) as f64));
        }
        if let Some(signal) = self.signal.borrow().clone() {
            let listener = abort.bind(&controller);
            signal.add_event_listener("abort", &listener);
            guards.listener = Some((signal, listener));
        }

        let init = request_init(&request, &request_signal).ok_or_else(|| network("cannot build the request"))?;
        let failed = |_: JsValue| {
            if request_signal.reason().as_string().as_deref() == Some(TIMEOUT_REASON) {
                TransportError::Timeout
            } else if self.is_aborted() {
                TransportError::Aborted
            } else {
                network("the request failed (offline, refused by CORS, or the connection dropped)")
            }
        };
        let promise = self.start(&request, &init).map_err(failed)?;
        let response = settle(&promise).await.map_err(failed)?;
        let status = match response_status(&response) {
            OPAQUE_REDIRECT => return Err(TransportError::Redirected),
            status => u16::try_from(status).map_err(|_| network("fetch did not return a Response"))?,
        };
        let headers = response_headers(&response);
        let text = Reflect::get(&response, &"text".into())
            .ok()
            .and_then(|text| text.dyn_into::<Function>().ok())
            .ok_or_else(|| network("fetch did not return a Response"))?
            .call0(&response)
            .map_err(failed)?;
        let body = settle(&Promise::resolve(&text)).await.map_err(failed)?;
        drop(guards);
        Ok(HttpResponse { status, headers, body: body.as_string().unwrap_or_default() })
    }
}

fn network(reason: &str) -> TransportError {
    TransportError::Network(reason.to_owned())
}

/// `None` when a header holds a NUL, which `fetch` would refuse anyway.
fn request_init(request: &HttpRequest, signal: &JsValue) -> Option<Object> {
    // Sized once: growing it would leave freed copies of the bearer token behind, unwiped.
    let length = request.headers.iter().map(|(name, value)| name.len() + value.len() + 2).sum();
    let mut headers = zeroize::Zeroizing::new(String::with_capacity(length));
    for (name, value) in &request.headers {
        for part in [name, value] {
            if part.contains('\0') {
                return None;
            }
            headers.push_str(part);
            headers.push('\0');
        }
    }
    Some(request_init_object(request.method.as_str(), &headers, request.body.as_deref().unwrap_or(""), signal))
}

/// Header names as `fetch` gives them (lower case), read through the iterable protocol of `Headers`. A custom
/// `fetch` may answer anything: entries that are not `[name, value]` string pairs are skipped, and reading stops at
/// the first error or after `MAX_HEADERS`.
fn response_headers(response: &JsValue) -> Vec<(String, String)> {
    let mut headers = Vec::new();
    let Ok(js_headers) = Reflect::get(response, &"headers".into()) else { return headers };
    let Ok(Some(entries)) = js_sys::try_iter(&js_headers) else { return headers };
    for entry in entries.take(MAX_HEADERS) {
        let Ok(entry) = entry else { break };
        let Some(pair) = entry.dyn_ref::<js_sys::Array>() else { continue };
        if let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
            headers.push((name.to_ascii_lowercase(), value));
        }
    }
    headers
}

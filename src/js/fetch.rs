//! The transport over the global `fetch` (never `window.fetch`: Workers, web workers and Node have no window), or
//! over a `fetch` the caller passes (a Workers service binding, a proxy). A request sets only method, headers,
//! body, signal and `redirect: "manual"`: Workers reject `mode` and `credentials`, and a redirect is never followed
//! (a 307 would send the password on to wherever it points).

use super::keys::Keys;
use super::task::settle;
use crate::error::Error;
use crate::http::{HttpClient, HttpRequest, HttpResponse, Method, TransportError};
use core::future::Future;
use core::pin::Pin;
use core::task::Poll;
use js_sys::{Function, Object, Promise, Reflect};
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
    #[wasm_bindgen(method)]
    fn abort(this: &AbortController);
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

/// Sends requests with `fetch`, and signs with the client's keys. A step is cancelled by dropping its future, which
/// aborts the request in flight.
pub(crate) struct FetchClient {
    custom_fetch: Option<Function>,
    pub(crate) keys: Keys,
}

impl FetchClient {
    pub(crate) fn new(custom_fetch: Option<Function>, keys: Keys) -> Self {
        Self { custom_fetch, keys }
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

/// Resolves after `millis` milliseconds. The timer calls the promise's own `resolve`, never Rust code, and is
/// cleared when the wait is dropped.
pub(crate) async fn sleep(millis: u64) {
    let mut timer = None;
    let promise = Promise::new(&mut |resolve, _| {
        timer = Some(Timer(set_timeout(&resolve, millis.min(MAX_TIMER_MS) as f64)));
    });
    let _ = settle(&promise).await;
}

/// Runs `future` until it ends or `signal` aborts, whichever comes first; an abort drops the future, which aborts
/// its request in flight and clears its timers.
pub(crate) async fn until_aborted<T>(
    signal: Option<&AbortSignal>,
    future: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    let Some(signal) = signal else { return future.await };
    if signal.aborted() {
        return Err(Error::Aborted);
    }
    // The listener is the promise's own `resolve`, never Rust code, and is removed however the race ends.
    let mut listener = None;
    let aborted = Promise::new(&mut |resolve, _| {
        signal.add_event_listener("abort", &resolve);
        listener = Some(Listener(signal.clone(), resolve.into()));
    });
    let mut aborted = settle(&aborted);
    let mut future = core::pin::pin!(future);
    core::future::poll_fn(|cx| {
        if Pin::new(&mut aborted).poll(cx).is_ready() {
            return Poll::Ready(Err(Error::Aborted));
        }
        future.as_mut().poll(cx)
    })
    .await
}

/// Clears its timer when dropped.
struct Timer(JsValue);

impl Drop for Timer {
    fn drop(&mut self) {
        clear_timeout(&self.0);
    }
}

/// Removes its abort listener when dropped.
struct Listener(AbortSignal, JsValue);

impl Drop for Listener {
    fn drop(&mut self) {
        self.0.remove_event_listener("abort", &self.1);
    }
}

/// Aborts its request when dropped before [`AbortOnDrop::finished`]: a step that was dropped (cancelled) stops its
/// request on the wire, and a finished request's signal is left alone.
struct AbortOnDrop(Option<AbortController>);

impl AbortOnDrop {
    fn finished(mut self) {
        self.0 = None;
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(controller) = &self.0 {
            controller.abort();
        }
    }
}

impl HttpClient for FetchClient {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let controller = AbortController::new();
        let request_signal = controller.signal();
        // The timer calls `controller.abort` itself, never Rust code.
        let _timer = request.timeout_ms.map(|millis| {
            let on_timeout = controller.abort_method().bind_reason(&controller, TIMEOUT_REASON);
            Timer(set_timeout(&on_timeout, u64::from(millis).min(MAX_TIMER_MS) as f64))
        });
        let in_flight = AbortOnDrop(Some(controller));

        let init = request_init(&request, &request_signal).ok_or_else(|| network("cannot build the request"))?;
        let failed = |_: JsValue| {
            if request_signal.reason().as_string().as_deref() == Some(TIMEOUT_REASON) {
                TransportError::Timeout
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
        in_flight.finished();
        Ok(HttpResponse { status, headers, body: body.as_string().unwrap_or_default() })
    }

    async fn client_assertion(&self, audience: &str) -> Result<Option<String>, TransportError> {
        self.keys.client_assertion(audience).await
    }

    async fn dpop_proof(
        &self,
        method: Method,
        url: &str,
        nonce: Option<&str>,
    ) -> Result<Option<String>, TransportError> {
        self.keys.dpop_proof(method.as_str(), url, nonce, None).await
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

//! What the emulator takes from the platform it runs on: the wall clock, a timer and random bytes. Each front
//! passes its own (`SystemTime`, tokio and the OS natively; `Date.now`, `setTimeout` and
//! `crypto.getRandomValues` in wasm), so the core never reads a system clock or an OS source that wasm32 does not
//! have.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A boxed future: `Send` natively, where the server runs on tokio's worker threads; not on wasm32, where the
/// timer is a JS promise and there is one thread.
#[cfg(not(target_arch = "wasm32"))]
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
#[cfg(target_arch = "wasm32")]
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T>>>;

#[derive(Clone, Copy, Debug)]
pub struct Env {
    /// Milliseconds since 1970: the real time, before the control plane's clock offset or freeze.
    pub now_ms: fn() -> i64,
    /// Waits this long (a "delay" fault).
    pub sleep: fn(Duration) -> BoxFuture<()>,
    /// Fills the buffer with cryptographically secure random bytes.
    pub random: fn(&mut [u8]),
}

/// The system clock, for the native server and the unit tests.
#[cfg(all(not(target_arch = "wasm32"), any(feature = "server", test)))]
pub fn system_now_ms() -> i64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// The OS's random bytes, for the native server and the unit tests.
#[cfg(all(not(target_arch = "wasm32"), any(feature = "server", test)))]
pub fn system_random(buf: &mut [u8]) {
    use rand::RngCore;
    rand::rngs::OsRng.fill_bytes(buf);
}

/// The system's clock and random bytes, for the unit tests, which never sleep.
#[cfg(test)]
pub fn for_unit_tests() -> Env {
    Env { now_ms: system_now_ms, sleep: |_| Box::pin(std::future::ready(())), random: system_random }
}

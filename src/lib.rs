//! auth0-mfa-wasm: Auth0's Resource Owner Password grant with multi-factor authentication in a pure-Rust core with
//! a thin WebAssembly facade for JavaScript (the login module).
//!
//! Layers, top to bottom: `js` (the wasm-bindgen facade, wasm32 only) → `flow` (the login state machine) →
//! `api` (sans-IO requests and responses of the Auth0 wire contract) → `http` (the transport trait). The error
//! codes are the crate `auth0-mfa-codes`; one-time passwords are the crate `auth0-mfa-otp` (its own module,
//! `auth0-mfa-wasm/otp`), of which this one reads only `otpauth://` URIs, for enrollments.

pub mod api;
pub mod code;
pub mod error;
pub mod flow;
pub mod http;
pub use auth0_mfa_otp as otp;

/// The JavaScript facade; also usable from Rust crates that build their own wasm module on top of this one.
#[cfg(target_arch = "wasm32")]
pub mod js;

// talc, chosen by measuring with bench/churn.mjs: a free-list allocator (lol_alloc) walks its whole list to free, and
// once thousands of clients had been made and dropped it took about 200 µs to free one that the garbage collector
// found; talc and dlmalloc (the default) take about 1 µs, and talc is 1.3 KB gzip smaller than dlmalloc.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::TalckWasm =
    // The module is single-threaded: wasm32-unknown-unknown has no threads, and the build enables no atomics.
    unsafe { talc::TalckWasm::new_global() };

//! auth0-mfa-wasm: Auth0's Resource Owner Password grant with multi-factor authentication, and one-time-password
//! helpers, in a pure-Rust core with a thin WebAssembly facade for JavaScript.
//!
//! Layers, top to bottom: `js` (the wasm-bindgen facade, wasm32 only) → `flow` (the login state machine) →
//! `api` (sans-IO requests and responses of the Auth0 wire contract) → `http` (the transport trait);
//! `otp` (base32, HOTP, TOTP, `otpauth://` URIs, secrets) stands on its own.

pub mod api;
pub mod code;
pub mod error;
pub mod flow;
pub mod http;
pub mod otp;

/// The JavaScript facade; also usable from Rust crates that build their own wasm module on top of this one.
#[cfg(target_arch = "wasm32")]
pub mod js;

// dlmalloc is the default: 2.7 KB gzip more than this free-list allocator, which fits a module that holds a few
// small strings at a time.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // The module is single-threaded: wasm32-unknown-unknown has no threads, and the build enables no atomics.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

//! The OTP module's boundary: what the TypeScript facade (`ts/src/otp.ts`) calls. Only the work that needs Rust
//! crosses it: HMAC, HOTP's truncation and the constant-time comparison of codes, on byte arrays and numbers. The
//! facade reads and checks every argument, parses base32 and `otpauth://` URIs, and builds every error, which keeps
//! strings and their encoders out of the module: measured when it was designed, the URI parser and builder of this
//! crate weighed 5.8 KB gzip in the module and base32 with its errors and messages 5 KB more, against about 1.4 KB
//! of minified JavaScript for both, in a module whose budget is 12 KB with its JavaScript.
//!
//! A value the facade should have refused is a bug in it: it traps, and so reaches the caller as `internal_error`,
//! rather than give a code for the wrong key.

use crate::{Algorithm, Digits, KeyedHotp, Secret};
use alloc::vec::Vec;
use core::cell::RefCell;
use wasm_bindgen::prelude::*;
use zeroize::Zeroize;

/// What [`key_find`] answers for a code that matched no counter: outside every window.
pub const NO_MATCH: i32 = i32::MIN;

/// Largest whole number a JavaScript number holds exactly.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

fn checked<T>(value: Option<T>) -> T {
    match value {
        Some(value) => value,
        None => bug(),
    }
}

#[cfg(target_arch = "wasm32")]
fn bug() -> ! {
    core::arch::wasm32::unreachable()
}

#[cfg(not(target_arch = "wasm32"))]
fn bug() -> ! {
    unreachable!("the facade passed a value it should have refused")
}

/// A whole number from 0 to 2^53 - 1, as the facade checks counters.
fn whole(number: f64) -> u64 {
    let whole = number as u64;
    checked((whole as f64 == number && whole <= MAX_SAFE_INTEGER).then_some(whole))
}

/// The module's keys, by handle (index + 1; 0 is none): keys are made and dropped as JavaScript makes and collects
/// them, and a freed slot is taken by the next key, so the allocator sees no churn.
struct Keys(RefCell<Slab>);

struct Slab {
    slots: Vec<Slot>,
    /// The handle of the first free slot, each free slot naming the next (0 ends the list).
    free: u32,
}

#[expect(clippy::large_enum_variant, reason = "keys live in the slab itself, so that making one allocates nothing")]
enum Slot {
    Key(KeyedHotp),
    Free { next: u32 },
}

// wasm32-unknown-unknown runs one thread, and the module is built without atomics: the RefCell is never shared.
unsafe impl Sync for Keys {}

static KEYS: Keys = Keys(RefCell::new(Slab { slots: Vec::new(), free: 0 }));

fn with_key<T>(handle: u32, use_key: impl FnOnce(&KeyedHotp) -> T) -> T {
    let slab = checked(KEYS.0.try_borrow().ok());
    match slab.slots.get((handle as usize).wrapping_sub(1)) {
        Some(Slot::Key(key)) => use_key(key),
        _ => bug(),
    }
}

/// A key from `secret` (80 bits to 1024 bytes), `algorithm` (its number in [`Algorithm::ALL`]) and `digits` (6, 7
/// or 8): its handle. The HMAC is keyed once, and the secret's bytes wiped.
#[wasm_bindgen]
pub fn key_new(mut secret: Vec<u8>, algorithm: u32, digits: u32) -> u32 {
    let algorithm = *checked(Algorithm::ALL.get(algorithm as usize));
    let digits = checked(Digits::new(digits).ok());
    if Secret::length_problem(secret.len()).is_some() {
        bug();
    }
    let key = Slot::Key(KeyedHotp::from_checked_bytes(&secret, algorithm, digits));
    secret.zeroize();
    let mut slab = checked(KEYS.0.try_borrow_mut().ok());
    let handle = slab.free;
    match slab.slots.get_mut((handle as usize).wrapping_sub(1)) {
        Some(slot) => {
            let Slot::Free { next } = core::mem::replace(slot, key) else { bug() };
            slab.free = next;
            handle
        }
        None => {
            slab.slots.push(key);
            slab.slots.len() as u32
        }
    }
}

/// Drops the key, which wipes its HMAC state; its slot is the next one taken. A handle freed already is left alone.
#[wasm_bindgen]
pub fn key_free(handle: u32) {
    let mut slab = checked(KEYS.0.try_borrow_mut().ok());
    let next = slab.free;
    if let Some(slot @ Slot::Key(_)) = slab.slots.get_mut((handle as usize).wrapping_sub(1)) {
        *slot = Slot::Free { next };
        slab.free = handle;
    }
}

/// The code for `counter` as a number; the facade pads it to the key's digits with zeros.
#[wasm_bindgen]
pub fn key_code(handle: u32, counter: f64) -> u32 {
    #[cfg(feature = "panic-probe")]
    if counter == MAX_SAFE_INTEGER as f64 {
        panic!("panic probe");
    }
    with_key(handle, |key| key.value(whole(counter)))
}

/// `code` (read as a number by the facade) checked against `counter - behind ..= counter + ahead`, each window at
/// most 10, and after `after` (-1: no replay guard): the offset from `counter` of the counter it matched, or
/// [`NO_MATCH`]. The nearest counters are tried first, and each comparison is constant-time.
#[wasm_bindgen]
pub fn key_find(handle: u32, code: u32, counter: f64, behind: u32, ahead: u32, after: f64) -> i32 {
    let window = |w: u32| checked((w <= crate::MAX_WINDOW).then_some(w));
    let after = (after != -1.0).then(|| whole(after));
    let window = (window(behind), window(ahead));
    with_key(handle, |key| key.find(code, whole(counter), window, after).map_or(NO_MATCH, |found| found.delta as i32))
}

/// The shipped module's allocator and panic handler. A panic traps: the facade sees a `WebAssembly.RuntimeError`,
/// starts a fresh instance and throws `internal_error`.
#[cfg(all(feature = "module", target_arch = "wasm32", not(test)))]
mod module {
    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
        core::arch::wasm32::unreachable()
    }

    /// Nothing to do when an instance starts; but the glue's restart calls the module's start function, which a
    /// module built without reference types has only if it declares one.
    #[wasm_bindgen::prelude::wasm_bindgen(start)]
    fn start() {}

    // The smallest allocator; keys live in the slab, so it only sees the slab grow and each secret's bytes come and
    // go, and its free list stays short however many keys are made and dropped (bench/RESULTS.md, "Churn").
    #[global_allocator]
    static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
        // The module is single-threaded: wasm32-unknown-unknown has no threads, and the build enables no atomics.
        unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
}

//! Runs each login step as a JavaScript promise, and reports a panic as a typed `internal_error`.
//!
//! One step's life, `client.verifyOtp(code)` for instance:
//!
//! ```text
//! spawn(step) ──▶ a Promise for JavaScript; the task goes into TASKS, queued
//!   │
//!   ▼  microtask: POLL(id)
//! poll(id): the future is taken out of TASKS and polled ──▶ Ready(Ok / Err): out of TASKS; resolve / reject
//!   │
//!   ▼  Pending: the step awaits settle(promise) (a fetch, a timer), its entry waiting in SETTLEMENTS
//! the promise settles ──▶ SETTLED(id, fulfilled, value): the outcome is stored, the task's waker fires
//!   │
//!   └──▶ queue(id): polled again in a microtask, once however many wake-ups came first ──▶ poll(id) …
//!
//! a panic anywhere ──▶ on_panic: DISCARDED is set, every pending task is rejected with internal_error, and the
//!                      next call starts a fresh instance
//! ```
//!
//! A step dropped before it ends (`until_aborted` drops a cancelled wait) drops its `Settle`s, which leave
//! SETTLEMENTS: when their promises settle later, SETTLED finds no entry and does nothing.
//!
//! The shipped module aborts on panic, which by itself leaves an opaque `unreachable` trap and an instance whose
//! memory may be half-updated. The panic hook instead rejects every pending step with `internal_error`, has
//! wasm-bindgen start a fresh instance at the next call, and throws `internal_error` to the caller.
//!
//! Steps run on this small executor rather than wasm-bindgen-futures for two reasons. Every callback it hands to
//! JavaScript hangs off a promise whose rejection is absorbed: a callback that throws (a panic, or a callback of the
//! discarded instance) must not escape as an uncaught exception, which ends a Node process. And its only two
//! callbacks capture nothing, taking an id instead: the first callback of the discarded instance to run is passed
//! to the fresh one, where it finds its id in empty tables and does nothing, rather than reading memory that is no
//! longer its own.

use super::error::internal_error;
use js_sys::{Function, Promise};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use wasm_bindgen::prelude::*;

pub(crate) type StepFuture = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

#[wasm_bindgen]
extern "C" {
    /// A function of this module, seen only through `bind`.
    type Callback;
    #[wasm_bindgen(method)]
    fn bind(this: &Callback, this_arg: &JsValue, id: u32, fulfilled: bool) -> JsValue;

    /// A promise, seen only through `then`.
    type Thenable;
    #[wasm_bindgen(method)]
    fn then(this: &Thenable, on_fulfilled: &JsValue, on_rejected: &JsValue) -> Thenable;

    /// A built-in function with no side effects, used to absorb rejections. Unlike a Rust closure, it stays
    /// callable after the instance is replaced.
    #[wasm_bindgen(thread_local_v2, js_name = Boolean)]
    static ABSORB: JsValue;
}

struct Task {
    id: u32,
    /// `None` while the task is being polled.
    future: Option<StepFuture>,
    resolve: Function,
    reject: Function,
    queued: bool,
}

#[derive(Default)]
struct Tasks {
    last_id: u32,
    pending: Vec<Task>,
}

thread_local! {
    static TASKS: RefCell<Tasks> = RefCell::default();
    /// Set by the panic hook: this instance is being replaced, so its callbacks do nothing.
    static DISCARDED: Cell<bool> = const { Cell::new(false) };
    static POLL: JsValue = Closure::<dyn FnMut(JsValue)>::new(|id: JsValue| {
        poll(id.as_f64().map_or(u32::MAX, |id| id as u32));
    })
    .into_js_value();
}

/// Runs `future` to completion; the promise settles with its result.
pub(crate) fn spawn(future: StepFuture) -> Promise {
    let mut future = Some(future);
    Promise::new(&mut |resolve, reject| {
        let id = TASKS.with_borrow_mut(|tasks| {
            tasks.last_id = tasks.last_id.wrapping_add(1);
            let id = tasks.last_id;
            tasks.pending.push(Task { id, future: future.take(), resolve, reject, queued: false });
            id
        });
        queue(id);
    })
}

/// Polls task `id` in a microtask, once however many wake-ups arrive before it runs.
fn queue(id: u32) {
    if DISCARDED.get() {
        return;
    }
    let newly_queued = TASKS.with_borrow_mut(|tasks| {
        let task = tasks.pending.iter_mut().find(|task| task.id == id)?;
        Some(!std::mem::replace(&mut task.queued, true))
    });
    if newly_queued == Some(true) {
        POLL.with(|poll| then_absorbed(&Promise::resolve(&JsValue::from(id)), poll, &JsValue::UNDEFINED));
    }
}

/// `promise.then(on_fulfilled, on_rejected)`, with whatever the callbacks throw absorbed.
fn then_absorbed(promise: &Promise, on_fulfilled: &JsValue, on_rejected: &JsValue) {
    let next = promise.unchecked_ref::<Thenable>().then(on_fulfilled, on_rejected);
    ABSORB.with(|absorb| next.then(&JsValue::UNDEFINED, absorb));
}

fn poll(id: u32) {
    if DISCARDED.get() {
        return;
    }
    let Some(mut future) = TASKS.with_borrow_mut(|tasks| {
        let task = tasks.pending.iter_mut().find(|task| task.id == id)?;
        task.queued = false;
        task.future.take()
    }) else {
        return;
    };
    let waker = Waker::from(Arc::new(TaskWaker(id)));
    // The future is out of the table while it runs, so that it may wake itself or spawn other steps.
    let outcome = future.as_mut().poll(&mut Context::from_waker(&waker));
    let finished = TASKS.with_borrow_mut(|tasks| {
        let index = tasks.pending.iter().position(|task| task.id == id)?;
        match outcome {
            Poll::Pending => {
                tasks.pending[index].future = Some(future);
                None
            }
            Poll::Ready(result) => Some((tasks.pending.swap_remove(index), result)),
        }
    });
    if let Some((task, result)) = finished {
        // Settling a promise does not throw, even when it is already settled.
        let _ = match result {
            Ok(value) => task.resolve.call1(&JsValue::UNDEFINED, &value),
            Err(error) => task.reject.call1(&JsValue::UNDEFINED, &error),
        };
    }
}

/// Only the task's number: a waker must be `Send`, and the table lives in this thread.
struct TaskWaker(u32);

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        queue(self.0);
    }
}

/// The outcome of a JavaScript promise, as a future.
pub(crate) struct Settle {
    id: u32,
}

#[derive(Default)]
struct Settlements {
    last_id: u32,
    waiting: Vec<(u32, Settlement)>,
}

#[derive(Default)]
struct Settlement {
    result: Option<Result<JsValue, JsValue>>,
    waker: Option<Waker>,
}

thread_local! {
    static SETTLEMENTS: RefCell<Settlements> = RefCell::default();
    /// `settled(id, fulfilled, value)`, bound to an id for each wait.
    static SETTLED: JsValue = Closure::<dyn FnMut(JsValue, JsValue, JsValue)>::new(
        |id: JsValue, fulfilled: JsValue, value: JsValue| {
            settled(id.as_f64().map_or(u32::MAX, |id| id as u32), fulfilled.is_truthy(), value);
        },
    )
    .into_js_value();
}

/// Waits for `promise`: `Ok` with its value or `Err` with its rejection reason.
pub(crate) fn settle(promise: &Promise) -> Settle {
    let id = SETTLEMENTS.with_borrow_mut(|settlements| {
        settlements.last_id = settlements.last_id.wrapping_add(1);
        let id = settlements.last_id;
        settlements.waiting.push((id, Settlement::default()));
        id
    });
    let callback = |fulfilled: bool| {
        SETTLED.with(|settled| settled.unchecked_ref::<Callback>().bind(&JsValue::NULL, id, fulfilled))
    };
    then_absorbed(promise, &callback(true), &callback(false));
    Settle { id }
}

fn settled(id: u32, fulfilled: bool, value: JsValue) {
    let waker = SETTLEMENTS.with_borrow_mut(|settlements| {
        let (_, settlement) = settlements.waiting.iter_mut().find(|(waiting, _)| *waiting == id)?;
        settlement.result = Some(if fulfilled { Ok(value) } else { Err(value) });
        settlement.waker.take()
    });
    if let Some(waker) = waker {
        waker.wake();
    }
}

impl Future for Settle {
    type Output = Result<JsValue, JsValue>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        SETTLEMENTS.with_borrow_mut(|settlements| {
            let Some((_, settlement)) = settlements.waiting.iter_mut().find(|(waiting, _)| *waiting == self.id) else {
                return Poll::Ready(Err(JsValue::UNDEFINED));
            };
            match settlement.result.take() {
                Some(result) => Poll::Ready(result),
                None => {
                    settlement.waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        })
    }
}

impl Drop for Settle {
    fn drop(&mut self) {
        SETTLEMENTS.with_borrow_mut(|settlements| settlements.waiting.retain(|(waiting, _)| *waiting != self.id));
    }
}

/// Installs the panic hook when the instance starts (again after each replacement).
#[wasm_bindgen(start)]
fn start() {
    std::panic::set_hook(Box::new(on_panic));
}

fn on_panic(info: &std::panic::PanicHookInfo<'_>) {
    DISCARDED.set(true);
    wasm_bindgen::handler::schedule_reinit();
    let error = internal_error(&panic_place(info.location()));
    // Every pending step belongs to the instance being discarded: settle them now rather than leave them hanging.
    // Their futures are not dropped, as their state may be half-updated.
    let pending = TASKS.try_with(|tasks| tasks.try_borrow_mut().map(|mut t| std::mem::take(&mut t.pending)));
    if let Ok(Ok(pending)) = pending {
        for task in &pending {
            let _ = task.reject.call1(&JsValue::UNDEFINED, &error);
        }
        std::mem::forget(pending);
    }
    wasm_bindgen::throw_val(error)
}

/// Where the panic happened, as ` (src/flow.rs:123)`: its place in the source, without the build machine's
/// directories.
fn panic_place(location: Option<&std::panic::Location<'_>>) -> String {
    location.map_or_else(String::new, |location| {
        let file = location.file();
        let start = file.bytes().enumerate().rev().filter(|&(_, b)| b == b'/').nth(2).map_or(0, |(slash, _)| slash + 1);
        format!(" ({}:{})", file.get(start..).unwrap_or(file), location.line())
    })
}

/// Test builds only: panics at once, or inside a step.
#[cfg(feature = "panic-probe")]
#[wasm_bindgen(js_name = panicProbe)]
pub fn panic_probe(in_step: bool) -> Promise {
    if !in_step {
        panic!("panic probe");
    }
    spawn(Box::pin(async {
        settle(&Promise::resolve(&JsValue::NULL)).await?;
        panic!("panic probe in a step");
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// A promise and the function that fulfils it.
    fn deferred() -> (Promise, Function) {
        let mut fulfil = None;
        let promise = Promise::new(&mut |resolve, _| fulfil = Some(resolve));
        (promise, fulfil.expect("the executor runs at once"))
    }

    fn pending_tasks() -> usize {
        TASKS.with_borrow(|tasks| tasks.pending.len())
    }

    fn waiting_settlements() -> usize {
        SETTLEMENTS.with_borrow(|settlements| settlements.waiting.len())
    }

    #[wasm_bindgen_test]
    async fn a_step_that_ends_resolves_or_rejects_its_promise_and_leaves_the_table() {
        let resolved = spawn(Box::pin(async { Ok(JsValue::from(7)) }));
        let rejected = spawn(Box::pin(async { Err(JsValue::from("no")) }));
        assert_eq!(pending_tasks(), 2, "nothing runs before the microtask");
        assert_eq!(settle(&resolved).await, Ok(JsValue::from(7)));
        assert_eq!(settle(&rejected).await, Err(JsValue::from("no")));
        assert_eq!(pending_tasks(), 0);
        assert_eq!(waiting_settlements(), 0);
    }

    #[wasm_bindgen_test]
    async fn a_pending_step_resumes_when_its_promise_settles() {
        let (promise, fulfil) = deferred();
        let step = spawn(Box::pin(async move { settle(&promise).await.map(|value| value.as_f64().into()) }));
        // Several turns of the microtask queue: the step stays parked on its promise.
        for _ in 0..3 {
            settle(&Promise::resolve(&JsValue::NULL)).await.unwrap();
        }
        assert_eq!((pending_tasks(), waiting_settlements()), (1, 1));
        fulfil.call1(&JsValue::UNDEFINED, &JsValue::from(2)).unwrap();
        assert_eq!(settle(&step).await, Ok(JsValue::from(2)));
        assert_eq!((pending_tasks(), waiting_settlements()), (0, 0));
    }

    #[wasm_bindgen_test]
    async fn a_rejected_promise_is_an_err_for_the_step() {
        let step = spawn(Box::pin(async { Ok(settle(&Promise::reject(&"refused".into())).await.is_err().into()) }));
        assert_eq!(settle(&step).await, Ok(JsValue::TRUE));
    }

    #[wasm_bindgen_test]
    async fn wake_ups_before_a_poll_make_one_poll() {
        let polls = Rc::new(Cell::new(0));
        let counted = polls.clone();
        let step = spawn(Box::pin(core::future::poll_fn(move |cx| {
            counted.set(counted.get() + 1);
            if counted.get() == 1 {
                for _ in 0..5 {
                    cx.waker().wake_by_ref();
                }
                return Poll::Pending;
            }
            Poll::Ready(Ok(JsValue::UNDEFINED))
        })));
        settle(&step).await.unwrap();
        assert_eq!(polls.get(), 2, "five wake-ups during the first poll queue one more poll");
    }

    #[wasm_bindgen_test]
    async fn a_step_may_start_another_step() {
        let outer = spawn(Box::pin(async {
            let inner = spawn(Box::pin(async { Ok(JsValue::from("inner")) }));
            settle(&inner).await
        }));
        assert_eq!(settle(&outer).await, Ok(JsValue::from("inner")));
        assert_eq!(pending_tasks(), 0);
    }

    #[wasm_bindgen_test]
    async fn a_wait_dropped_before_its_promise_settles_is_forgotten() {
        let (promise, fulfil) = deferred();
        let waiting = settle(&promise);
        assert_eq!(waiting_settlements(), 1);
        drop(waiting);
        assert_eq!(waiting_settlements(), 0);
        // The promise's callback runs later and finds nothing to do.
        fulfil.call1(&JsValue::UNDEFINED, &JsValue::from(1)).unwrap();
        settle(&promise).await.unwrap();
        assert_eq!(waiting_settlements(), 0);
    }

    #[wasm_bindgen_test]
    async fn a_promise_that_settled_before_the_step_polls_is_read_at_once() {
        let (promise, fulfil) = deferred();
        let waiting = settle(&promise);
        fulfil.call1(&JsValue::UNDEFINED, &JsValue::from(3)).unwrap();
        // The outcome arrives with no waker stored yet; the first poll reads it.
        settle(&Promise::resolve(&JsValue::NULL)).await.unwrap();
        assert_eq!(waiting.await, Ok(JsValue::from(3)));
    }
}

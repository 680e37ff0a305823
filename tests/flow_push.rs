//! Push approval polling with an injected clock and sleep: intervals, slow_down back-off, rejection, timeout, abort.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use auth0_mfa_wasm::api::associate::EnrollTarget;
use auth0_mfa_wasm::api::token::PushPoll;
use auth0_mfa_wasm::api::{AuthenticatorKind, Password};
use auth0_mfa_wasm::error::Error;
use auth0_mfa_wasm::flow::{ChallengeTarget, Flow, PushProgress, PushWaitOptions, Stage};
use auth0_mfa_wasm::http::{HttpClient, HttpRequest, HttpResponse, TransportError};
use common::*;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::task::{Context, Poll, Waker};

const PENDING: &str = r#"{"error":"authorization_pending","error_description":"Authorization pending: please repeat the request in a few seconds."}"#;
const SLOW_DOWN: &str = r#"{"error":"slow_down","error_description":"You are polling faster than allowed"}"#;

/// A fake clock: `sleep` records the interval and advances time by it at once.
struct Clock {
    now: Cell<u64>,
    sleeps: RefCell<Vec<u64>>,
    progress: RefCell<Vec<PushProgress>>,
}

impl Clock {
    fn new() -> Self {
        Self { now: Cell::new(1_700_000_000_000), sleeps: RefCell::new(Vec::new()), progress: RefCell::new(Vec::new()) }
    }

    fn wait(&self, flow: &mut Flow<&MockHttp>, options: PushWaitOptions) -> Result<auth0_mfa_wasm::api::Tokens, Error> {
        block_on(flow.wait_for_push(
            options,
            |ms| {
                self.sleeps.borrow_mut().push(ms);
                self.now.set(self.now.get() + ms);
                std::future::ready(())
            },
            || self.now.get(),
            |p| self.progress.borrow_mut().push(p),
        ))
    }
}

fn push_challenged(http: &MockHttp) -> Flow<&MockHttp> {
    http.reply(403, &mfa_required_body());
    http.reply(
        200,
        r#"[{"id":"push|dev_p","authenticator_type":"oob","active":true,"oob_channel":"auth0","name":"Pixel"}]"#,
    );
    http.reply(200, &format!(r#"{{"challenge_type":"oob","oob_code":"{OOB_CODE}"}}"#));
    let mut flow = Flow::new(config(), http);
    block_on(flow.login("alice", Password::new(PASSWORD))).unwrap();
    let started = block_on(flow.challenge(ChallengeTarget::Kind(AuthenticatorKind::Push))).unwrap();
    assert!(!started.binding_required);
    assert!(http.last().body.as_deref().unwrap().contains(r#""challenge_type":"oob","authenticator_id":"push|dev_p""#));
    assert_eq!(flow.stage(), Stage::Challenged);
    flow
}

/// Takes every request and never answers it.
#[derive(Default)]
struct Unanswered {
    sent: Cell<u32>,
}

impl HttpClient for Unanswered {
    fn send(&self, _: HttpRequest) -> impl Future<Output = Result<HttpResponse, TransportError>> {
        self.sent.set(self.sent.get() + 1);
        std::future::pending()
    }
}

fn poll_body() -> String {
    format!(
        "grant_type=http%3A%2F%2Fauth0.com%2Foauth%2Fgrant-type%2Fmfa-oob&client_id=CLIENT123&mfa_token={}&oob_code={}",
        enc(MFA_TOKEN),
        enc(OOB_CODE)
    )
}

#[test]
fn pending_then_slow_down_then_approved_backs_off_by_five_seconds() {
    let http = MockHttp::new();
    let mut flow = push_challenged(&http);
    http.reply(400, PENDING).reply(429, SLOW_DOWN).reply(400, PENDING).reply(200, &tokens_body());
    let clock = Clock::new();
    let tokens = clock.wait(&mut flow, PushWaitOptions::default()).unwrap();
    assert_eq!(tokens.access_token.expose(), ACCESS_TOKEN);
    assert_eq!(*clock.sleeps.borrow(), [5_000, 5_000, 10_000, 10_000]);
    assert_eq!(
        *clock.progress.borrow(),
        [
            PushProgress { attempt: 1, slow_down: false, next_interval_ms: 5_000, elapsed_ms: 5_000 },
            PushProgress { attempt: 2, slow_down: true, next_interval_ms: 10_000, elapsed_ms: 10_000 },
            PushProgress { attempt: 3, slow_down: false, next_interval_ms: 10_000, elapsed_ms: 20_000 },
        ]
    );
    assert_eq!(flow.stage(), Stage::Authenticated);
    let polls = &http.requests()[3..];
    assert_eq!(polls.len(), 4);
    assert!(polls.iter().all(|r| form_body(r) == poll_body()), "no binding_code when polling");
}

#[test]
fn every_slow_down_adds_five_seconds() {
    let http = MockHttp::new();
    let mut flow = push_challenged(&http);
    http.reply(400, SLOW_DOWN).reply(400, SLOW_DOWN).reply(200, &tokens_body());
    let clock = Clock::new();
    clock.wait(&mut flow, PushWaitOptions { interval_ms: 2_000, timeout_ms: 60_000 }).unwrap();
    assert_eq!(*clock.sleeps.borrow(), [2_000, 7_000, 12_000]);
}

#[test]
fn rejected_push_stops_and_returns_to_mfa_required() {
    for code in ["access_denied", "invalid_grant"] {
        let http = MockHttp::new();
        let mut flow = push_challenged(&http);
        http.reply(400, PENDING);
        http.reply(400, &format!(r#"{{"error":"{code}","error_description":"MFA Authorization rejected."}}"#));
        let clock = Clock::new();
        let error = clock.wait(&mut flow, PushWaitOptions::default()).unwrap_err();
        assert!(error.is_push_rejected(), "{code}: {error:?}");
        assert_eq!(flow.stage(), Stage::MfaRequired);
        assert!(flow.pending().is_none());
        assert_eq!(clock.sleeps.borrow().len(), 2);
        assert_eq!(http.unused(), 0);
    }
}

#[test]
fn unanswered_push_times_out_and_keeps_the_stage() {
    let http = MockHttp::new();
    let mut flow = push_challenged(&http);
    http.reply(400, PENDING).reply(400, PENDING);
    let clock = Clock::new();
    let error = clock.wait(&mut flow, PushWaitOptions { interval_ms: 5_000, timeout_ms: 12_000 }).unwrap_err();
    assert!(matches!(error, Error::PushTimeout { waited_ms: 10_000 }), "{error:?}");
    assert_eq!(error.code(), "push_timeout");
    assert_eq!(*clock.sleeps.borrow(), [5_000, 5_000]);
    assert_eq!(flow.stage(), Stage::Challenged, "the caller may keep waiting");
    assert_eq!(http.count(), 5);
}

#[test]
fn a_wait_dropped_during_a_sleep_leaves_the_flow_as_it_was() {
    let http = MockHttp::new();
    let mut flow = push_challenged(&http);
    http.reply(400, PENDING).reply(400, PENDING);
    let sleeps = Cell::new(0);
    {
        // The third sleep never ends: the caller cancels there, by dropping the wait.
        let mut waiting = std::pin::pin!(flow.wait_for_push(
            PushWaitOptions::default(),
            |_| {
                sleeps.set(sleeps.get() + 1);
                let last = sleeps.get() >= 3;
                std::future::poll_fn(move |_| if last { Poll::Pending } else { Poll::Ready(()) })
            },
            || 0,
            |_| {},
        ));
        let mut cx = Context::from_waker(Waker::noop());
        for _ in 0..100 {
            assert!(waiting.as_mut().poll(&mut cx).is_pending());
        }
    }
    assert_eq!(sleeps.get(), 3);
    assert_eq!(http.count(), 5, "two polls, none after the cancel");
    assert_eq!(flow.stage(), Stage::Challenged);
    http.reply(200, &tokens_body());
    assert!(Clock::new().wait(&mut flow, PushWaitOptions::default()).is_ok(), "the wait can start again");
}

#[test]
fn a_wait_dropped_during_a_poll_leaves_the_flow_as_it_was() {
    let state = push_challenged(&MockHttp::new()).save();
    let http = Unanswered::default();
    let mut flow = Flow::restore_with_config(&state, config(), &http).unwrap();
    {
        let mut waiting =
            std::pin::pin!(flow.wait_for_push(PushWaitOptions::default(), |_| std::future::ready(()), || 0, |_| {},));
        assert!(waiting.as_mut().poll(&mut Context::from_waker(Waker::noop())).is_pending());
    }
    assert_eq!(http.sent.get(), 1, "the poll was sent and never answered");
    assert_eq!(flow.stage(), Stage::Challenged);
    assert_eq!(flow.save(), state, "nothing of the login changed");
}

#[test]
fn expiry_during_polling_fails_the_login() {
    let http = MockHttp::new();
    let mut flow = push_challenged(&http);
    http.reply(400, PENDING).reply(403, r#"{"error":"expired_token","error_description":"mfa_token is expired"}"#);
    let error = Clock::new().wait(&mut flow, PushWaitOptions::default()).unwrap_err();
    assert!(error.is_mfa_token_expired());
    assert_eq!(flow.stage(), Stage::Failed);
}

#[test]
fn network_error_ends_the_wait_but_keeps_the_stage() {
    let http = MockHttp::new();
    let mut flow = push_challenged(&http);
    http.fail(auth0_mfa_wasm::http::TransportError::Network("offline".into()));
    let error = Clock::new().wait(&mut flow, PushWaitOptions::default()).unwrap_err();
    assert_eq!(error.code(), "network_error");
    assert_eq!(flow.stage(), Stage::Challenged);
    http.reply(200, &tokens_body());
    assert!(Clock::new().wait(&mut flow, PushWaitOptions::default()).is_ok());
}

#[test]
fn single_polls() {
    let http = MockHttp::new();
    let mut flow = push_challenged(&http);
    http.reply(400, PENDING).reply(400, SLOW_DOWN).reply(200, &tokens_body());
    assert!(matches!(block_on(flow.poll_push()).unwrap(), PushPoll::Pending));
    assert!(matches!(block_on(flow.poll_push()).unwrap(), PushPoll::SlowDown));
    assert_eq!(flow.stage(), Stage::Challenged);
    assert!(matches!(block_on(flow.poll_push()).unwrap(), PushPoll::Approved(_)));
    assert_eq!(flow.stage(), Stage::Authenticated);
    // Binding codes are for SMS, voice and email.
    assert_eq!(block_on(flow.verify_oob("123456".into())).unwrap_err().code(), "invalid_state");
}

#[test]
fn push_enrollment_is_confirmed_by_polling() {
    let http = MockHttp::new();
    http.reply(403, &mfa_required_body());
    let mut flow = Flow::new(config(), &http);
    block_on(flow.login("alice", Password::new(PASSWORD))).unwrap();
    http.reply(
        200,
        &format!(r#"{{"authenticator_type":"oob","oob_channel":"auth0","oob_code":"{OOB_CODE}","barcode_uri":"otpauth://totp/t:u?enrollment_tx_id=q&base_url=https%3A%2F%2Fg"}}"#),
    );
    let enrollment = block_on(flow.enroll(EnrollTarget::Push)).unwrap();
    assert!(enrollment.barcode_uri.unwrap().expose().contains("enrollment_tx_id=q"));
    assert_eq!(flow.stage(), Stage::Enrolling);
    // A saved state carries the pending push across requests.
    let saved = flow.save();
    let mut flow = Flow::restore_with_config(&saved, config(), &http).unwrap();
    http.reply(400, PENDING).reply(200, &tokens_body());
    let clock = Clock::new();
    clock.wait(&mut flow, PushWaitOptions::default()).unwrap();
    assert_eq!(flow.stage(), Stage::Authenticated);
    assert_eq!(form_body(&http.last()), poll_body());
}

#[test]
fn wait_refuses_bad_options_and_non_push_stages() {
    let http = MockHttp::new();
    let mut flow = push_challenged(&http);
    let clock = Clock::new();
    let error = clock.wait(&mut flow, PushWaitOptions { interval_ms: 100, timeout_ms: 1_000 }).unwrap_err();
    assert_eq!(error.to_string(), "invalid interval_ms: must be at least 1000");
    let error = clock.wait(&mut flow, PushWaitOptions { interval_ms: 5_000, timeout_ms: 0 }).unwrap_err();
    assert_eq!(error.code(), "invalid_argument");
    let mut fresh = Flow::new(config(), &http);
    assert_eq!(clock.wait(&mut fresh, PushWaitOptions::default()).unwrap_err().code(), "invalid_state");
    assert!(clock.sleeps.borrow().is_empty());
    assert_eq!(http.count(), 3);
}

#[test]
fn pending_answered_with_200_keeps_polling() {
    let http = MockHttp::new();
    let mut flow = push_challenged(&http);
    http.reply(200, PENDING).reply(200, SLOW_DOWN).reply(200, &tokens_body());
    let clock = Clock::new();
    clock.wait(&mut flow, PushWaitOptions::default()).unwrap();
    assert_eq!(*clock.sleeps.borrow(), [5_000, 5_000, 10_000]);
    assert_eq!(flow.stage(), Stage::Authenticated);
}

#[test]
fn an_expired_oob_code_while_polling_returns_to_mfa_required() {
    let http = MockHttp::new();
    let mut flow = push_challenged(&http);
    http.reply(400, PENDING).reply(403, r#"{"error":"expired_token","error_description":"oob_code is expired"}"#);
    let error = Clock::new().wait(&mut flow, PushWaitOptions::default()).unwrap_err();
    assert!(error.is_challenge_expired(), "{error:?}");
    assert_eq!(flow.stage(), Stage::MfaRequired);
    assert!(flow.pending().is_none());
}

#[test]
fn push_is_polled_even_when_the_challenge_names_a_binding_method() {
    let http = MockHttp::new();
    http.reply(403, &mfa_required_body());
    http.reply(200, r#"[{"id":"push|dev_p","authenticator_type":"oob","active":true,"oob_channel":"auth0"}]"#);
    http.reply(200, &format!(r#"{{"challenge_type":"oob","oob_code":"{OOB_CODE}","binding_method":"prompt"}}"#));
    let mut flow = Flow::new(config(), &http);
    block_on(flow.login("alice", Password::new(PASSWORD))).unwrap();
    let started = block_on(flow.challenge(ChallengeTarget::Kind(AuthenticatorKind::Push))).unwrap();
    assert!(!started.binding_required);
    http.reply(200, &tokens_body());
    assert!(matches!(block_on(flow.poll_push()).unwrap(), PushPoll::Approved(_)));
    assert_eq!(form_body(&http.last()), poll_body());
}

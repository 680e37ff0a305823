//! What `cargo xtask test` ran: the checks (formatting, lints, fuzzing, supply chain), each passed or failed, and
//! the test suites with the tests they passed, failed and skipped, read from each runner's own summary. A skipped
//! test is not a passed one: any skip fails the run unless [`ALLOWED_SKIPS`] lists it with its reason.

use crate::shell::Cmd;
use std::time::Instant;

/// Suites allowed to skip tests: (suite, how many, why). Empty: nothing in the suite is skipped today.
const ALLOWED_SKIPS: &[(&str, u64, &str)] = &[];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Passes or fails as a whole; counts no tests.
    Check,
    /// Counts its tests.
    Suite,
}

struct Outcome {
    kind: Kind,
    name: String,
    counts: Counts,
    seconds: f64,
    note: String,
}

/// Tests as a runner reports them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Counts {
    passed: u64,
    failed: u64,
    /// Ignored (cargo, wasm-bindgen-test), skipped or todo (node).
    skipped: u64,
}

#[derive(Default)]
pub struct Report {
    outcomes: Vec<Outcome>,
}

impl Report {
    /// A check (fmt, clippy, fuzz, cargo deny, npm audit): it passes or fails, and counts no tests.
    pub fn check(&mut self, name: &str, cmd: Cmd) {
        let started = Instant::now();
        let (ok, _) = cmd.run_captured();
        self.push_check(name, ok, started);
    }

    /// A check done by xtask itself rather than by a command; its error is printed.
    pub fn check_fn(&mut self, name: &str, check: impl FnOnce() -> Result<(), String>) {
        let started = Instant::now();
        let result = check();
        if let Err(message) = &result {
            eprintln!("{name}: {message}");
        }
        self.push_check(name, result.is_ok(), started);
    }

    fn push_check(&mut self, name: &str, ok: bool, started: Instant) {
        let counts = Counts { passed: u64::from(ok), failed: u64::from(!ok), skipped: 0 };
        self.push(Kind::Check, name, counts, started, if ok { "" } else { "failed" });
    }

    /// A test that is one command with no runner of its own (the size budget, the TypeScript consumer): one
    /// test, passed when the command succeeds.
    pub fn single_test(&mut self, name: &str, cmd: Cmd) {
        let started = Instant::now();
        let (ok, _) = cmd.run_captured();
        let counts = Counts { passed: u64::from(ok), failed: u64::from(!ok), skipped: 0 };
        self.push(Kind::Suite, name, counts, started, if ok { "" } else { "failed" });
    }

    /// A test suite: its counts are read from the runner's own summary lines.
    pub fn suite(&mut self, name: &str, cmd: Cmd) {
        let started = Instant::now();
        let (ok, output) = cmd.run_captured();
        let mut counts = count(&output);
        let mut note = String::new();
        if output.contains("skipping") && output.contains("only configured to run") {
            counts.failed += 1;
            note = "runner skipped the suite".into();
        } else if !ok && counts.failed == 0 {
            counts.failed += 1;
            note = "exited with an error".into();
        } else if ok && counts.passed == 0 {
            counts.failed += 1;
            note = "ran no test".into();
        }
        if let Some(reason) = unexplained_skips(name, counts.skipped) {
            counts.failed += 1;
            note = reason;
        }
        self.push(Kind::Suite, name, counts, started, &note);
    }

    pub fn failed_to_run(&mut self, name: &str, message: &str) {
        eprintln!("{name}: {message}");
        self.push(Kind::Suite, name, Counts { failed: 1, ..Counts::default() }, Instant::now(), "could not run");
    }

    fn push(&mut self, kind: Kind, name: &str, counts: Counts, started: Instant, note: &str) {
        let seconds = started.elapsed().as_secs_f64();
        self.outcomes.push(Outcome { kind, name: name.into(), counts, seconds, note: note.into() });
    }

    /// Prints both tables and the closing line; an error when anything failed.
    pub fn finish(self) -> Result<(), String> {
        let of = |kind| self.outcomes.iter().filter(move |o| o.kind == kind);
        println!("\n{:<52} {:>7} {:>8}", "check", "result", "seconds");
        for o in of(Kind::Check) {
            let result = if o.counts.failed == 0 { "ok" } else { "FAILED" };
            println!("{:<52} {:>7} {:>8.1}", o.name, result, o.seconds);
        }
        println!("\n{:<52} {:>7} {:>7} {:>7} {:>8}", "test suite", "passed", "failed", "skipped", "seconds");
        for o in of(Kind::Suite) {
            let Counts { passed, failed, skipped } = o.counts;
            println!("{:<52} {passed:>7} {failed:>7} {skipped:>7} {:>8.1} {}", o.name, o.seconds, o.note);
        }
        let total = |kind, field: fn(&Counts) -> u64| of(kind).map(|o| field(&o.counts)).sum::<u64>();
        let passed = total(Kind::Suite, |c| c.passed);
        let failed = total(Kind::Suite, |c| c.failed);
        let skipped = total(Kind::Suite, |c| c.skipped);
        let checks_failed = total(Kind::Check, |c| c.failed);
        let checks_ok = total(Kind::Check, |c| c.passed);
        println!(
            "\n{passed} passed, {failed} failed, {skipped} skipped; checks: {checks_ok} ok, {checks_failed} failed"
        );
        let failures = failed + checks_failed;
        if failures == 0 { Ok(()) } else { Err(format!("{failures} failed")) }
    }
}

/// Why `skipped` tests of `suite` fail the run, or `None` when ALLOWED_SKIPS lists that many for it.
fn unexplained_skips(suite: &str, skipped: u64) -> Option<String> {
    let allowed = ALLOWED_SKIPS.iter().find(|(name, _, _)| *name == suite).map_or(0, |(_, count, _)| *count);
    (skipped > allowed).then(|| format!("{skipped} skipped, {allowed} allowed (ALLOWED_SKIPS in xtask/src/report.rs)"))
}

/// Totals from the summary lines of cargo's and wasm-bindgen's test harnesses (`test result: ok. 3 passed; 0
/// failed; 1 ignored; …`) and of node's TAP reporter (`# pass 3`, `# fail 0`, `# cancelled 0`, `# skipped 0`,
/// `# todo 0`). A cancelled node test (its file timed out or crashed) is a failure.
fn count(output: &str) -> Counts {
    let mut counts = Counts::default();
    for line in output.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("test result: ") {
            counts.passed += number_before(rest, " passed");
            counts.failed += number_before(rest, " failed");
            counts.skipped += number_before(rest, " ignored");
        } else if let Some((label, n)) = line.strip_prefix("# ").and_then(|rest| rest.split_once(' ')) {
            let Ok(n) = n.trim().parse::<u64>() else { continue };
            match label {
                "pass" => counts.passed += n,
                "fail" | "cancelled" => counts.failed += n,
                "skipped" | "todo" => counts.skipped += n,
                _ => {}
            }
        }
    }
    counts
}

fn number_before(text: &str, label: &str) -> u64 {
    text.find(label)
        .and_then(|end| text[..end].rsplit(|c: char| !c.is_ascii_digit()).next())
        .and_then(|digits| digits.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::{Counts, count, unexplained_skips};

    #[test]
    fn reads_cargo_wasm_bindgen_and_node_summaries() {
        let output = "test result: ok. 32 passed; 0 failed; 2 ignored; 0 measured\n\
                      test result: FAILED. 3 passed; 2 failed; 0 ignored\n\
                      # tests 10\n# suites 0\n# pass 7\n# fail 1\n# cancelled 1\n# skipped 3\n# todo 1\n\
                      # duration_ms 12.5\n";
        assert_eq!(count(output), Counts { passed: 42, failed: 4, skipped: 6 });
        assert_eq!(count("nothing here"), Counts::default());
    }

    #[test]
    fn a_skip_fails_the_suite_unless_allowed() {
        assert_eq!(unexplained_skips("cargo test (native)", 0), None);
        let reason = unexplained_skips("cargo test (native)", 1).expect("a skip nobody listed");
        assert!(reason.starts_with("1 skipped, 0 allowed"), "{reason}");
    }
}

//! Counting what every suite passed and failed, and the closing `N passed, N failed` line.

use crate::shell::Cmd;
use std::time::Instant;

struct Outcome {
    name: String,
    passed: u64,
    failed: u64,
    seconds: f64,
    note: String,
}

#[derive(Default)]
pub struct Report {
    outcomes: Vec<Outcome>,
}

impl Report {
    /// A check with no test count of its own (fmt, clippy): one pass or one failure.
    pub fn check(&mut self, name: &str, cmd: Cmd) {
        let started = Instant::now();
        let (ok, _) = cmd.run_captured();
        self.push(name, u64::from(ok), u64::from(!ok), started, if ok { "" } else { "failed" });
    }

    /// A test suite: its counts are read from the runner's own summary lines.
    pub fn suite(&mut self, name: &str, cmd: Cmd) {
        let started = Instant::now();
        let (ok, output) = cmd.run_captured();
        let (passed, mut failed) = count(&output);
        let mut note = String::new();
        if output.contains("skipping") && output.contains("only configured to run") {
            failed += 1;
            note = "runner skipped the suite".into();
        } else if !ok && failed == 0 {
            failed += 1;
            note = "exited with an error".into();
        } else if ok && passed == 0 {
            failed += 1;
            note = "ran no test".into();
        }
        self.push(name, passed, failed, started, &note);
    }

    pub fn failed_to_run(&mut self, name: &str, message: &str) {
        eprintln!("{name}: {message}");
        self.push(name, 0, 1, Instant::now(), "could not run");
    }

    fn push(&mut self, name: &str, passed: u64, failed: u64, started: Instant, note: &str) {
        let seconds = started.elapsed().as_secs_f64();
        self.outcomes.push(Outcome { name: name.into(), passed, failed, seconds, note: note.into() });
    }

    /// Prints the table and the closing line; an error when anything failed.
    pub fn finish(self) -> Result<(), String> {
        println!("\n{:<52} {:>7} {:>7} {:>8}", "suite", "passed", "failed", "seconds");
        for o in &self.outcomes {
            println!("{:<52} {:>7} {:>7} {:>8.1} {}", o.name, o.passed, o.failed, o.seconds, o.note);
        }
        let passed: u64 = self.outcomes.iter().map(|o| o.passed).sum();
        let failed: u64 = self.outcomes.iter().map(|o| o.failed).sum();
        println!("\n{passed} passed, {failed} failed");
        if failed == 0 { Ok(()) } else { Err(format!("{failed} failed")) }
    }
}

/// Totals from the summary lines of cargo's and wasm-bindgen's test harnesses (`test result: ok. 3 passed; 0
/// failed; …`) and of node's TAP reporter (`# pass 3`, `# fail 0`).
fn count(output: &str) -> (u64, u64) {
    let mut passed = 0;
    let mut failed = 0;
    for line in output.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("test result: ") {
            passed += number_before(rest, " passed");
            failed += number_before(rest, " failed");
        } else if let Some(n) = line.strip_prefix("# pass ") {
            passed += n.trim().parse().unwrap_or(0);
        } else if let Some(n) = line.strip_prefix("# fail ") {
            failed += n.trim().parse().unwrap_or(0);
        }
    }
    (passed, failed)
}

fn number_before(text: &str, label: &str) -> u64 {
    text.find(label)
        .and_then(|end| text[..end].rsplit(|c: char| !c.is_ascii_digit()).next())
        .and_then(|digits| digits.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn reads_cargo_wasm_bindgen_and_node_summaries() {
        let output = "test result: ok. 32 passed; 0 failed; 0 ignored\n\
                      test result: FAILED. 3 passed; 2 failed; 0 ignored\n\
                      # pass 7\n# fail 1\n";
        assert_eq!(count(output), (42, 3));
        assert_eq!(count("nothing here"), (0, 0));
    }
}

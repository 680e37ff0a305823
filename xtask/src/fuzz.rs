//! Short libFuzzer runs of every target in `fuzz/`, as part of `cargo xtask test`.
//!
//! cargo-fuzz passes nightly-only compiler flags (the sanitizer and coverage instrumentation); `RUSTC_BOOTSTRAP`
//! lets the stable toolchain accept them. New inputs go to a scratch corpus under `target/`, so the committed seeds
//! in `fuzz/corpus/` stay small; a crash fails the check and leaves its input in `fuzz/artifacts/`.

use crate::report::Report;
use crate::setup::cargo_tool;
use crate::shell::{Cmd, root};

const TARGETS: [&str; 4] = ["base32", "key_uri", "json", "responses"];
const SECONDS: u32 = 15;

pub fn run(report: &mut Report) {
    if let Err(message) = cargo_tool("cargo-fuzz", "cargo-fuzz") {
        return report.failed_to_run("install cargo-fuzz", &message);
    }
    let root = root();
    for target in TARGETS {
        let scratch = root.join("target/fuzz-corpus").join(target);
        if let Err(e) = std::fs::create_dir_all(&scratch) {
            report.failed_to_run(&format!("fuzz {target}"), &format!("cannot create {}: {e}", scratch.display()));
            continue;
        }
        report.check(
            &format!("fuzz {target} ({SECONDS} s)"),
            Cmd::new("cargo")
                .args(["fuzz", "run", target])
                .arg(&scratch)
                .arg(root.join("fuzz/corpus").join(target))
                .args(["--", &format!("-max_total_time={SECONDS}")])
                .env("RUSTC_BOOTSTRAP", "1"),
        );
    }
}

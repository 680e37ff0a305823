//! Supply-chain checks on the Rust dependency graph with cargo-deny (`deny.toml`): licenses, banned or duplicate
//! crates, and sources (crates.io only).
//!
//! Left out, because this machine cannot reach what they need:
//! - `cargo deny check advisories` fetches the RustSec advisory database from GitHub;
//! - `npm audit --omit=dev` on a project that installs the packed `pkg/` posts to the npm advisory endpoint, which
//!   answers 405 here. The package has no runtime dependencies, so it would report none.

use crate::report::Report;
use crate::setup::cargo_tool;
use crate::shell::Cmd;

pub fn run(report: &mut Report) {
    // Installed from crates.io when missing (a few minutes, once).
    match cargo_tool("cargo-deny", "cargo-deny") {
        Ok(_) => report.check(
            "cargo deny check licenses bans sources",
            Cmd::new("cargo").args(["deny", "--workspace", "check", "licenses", "bans", "sources"]),
        ),
        Err(message) => report.failed_to_run("cargo deny", &message),
    }
}

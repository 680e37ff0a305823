//! Supply-chain checks: cargo-deny on the Rust dependency graph (`deny.toml`: licenses, banned or duplicate crates,
//! sources limited to crates.io), and `npm audit --omit=dev` on the dependencies of the published package.
//!
//! Left out: `cargo deny check advisories`, which fetches the RustSec advisory database from GitHub, and this machine
//! cannot resolve github.com.

use crate::report::Report;
use crate::setup::cargo_tool;
use crate::shell::{Cmd, root};

pub fn run(report: &mut Report) {
    // Installed from crates.io when missing (a few minutes, once).
    match cargo_tool("cargo-deny", "cargo-deny") {
        Ok(_) => report.check(
            "cargo deny check licenses bans sources",
            Cmd::new("cargo").args(["deny", "--workspace", "check", "licenses", "bans", "sources"]),
        ),
        Err(message) => report.failed_to_run("cargo deny", &message),
    }
    match npm_audit_project() {
        Ok(project) => report.check(
            "npm audit --omit=dev (dependencies of pkg/)",
            Cmd::new("npm").args(["audit", "--omit=dev", "--prefix"]).arg(project),
        ),
        Err(message) => report.failed_to_run("npm audit", &message),
    }
}

/// A project holding only pkg/package.json and its lockfile: what a user's `npm install auth0-mfa-wasm` adds.
/// Today the package has no dependencies, and npm answers without asking the advisory service (which refuses
/// requests from this machine); should one be added, the audit must reach that service or fail.
fn npm_audit_project() -> Result<std::path::PathBuf, String> {
    let project = root().join("target/npm-audit");
    let _ = std::fs::remove_dir_all(&project);
    std::fs::create_dir_all(&project).map_err(|e| format!("cannot create {}: {e}", project.display()))?;
    std::fs::copy(root().join("pkg/package.json"), project.join("package.json"))
        .map_err(|e| format!("cannot copy pkg/package.json (build pkg/ first): {e}"))?;
    Cmd::new("npm")
        .args(["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund", "--prefix"])
        .arg(&project)
        .run()?;
    Ok(project)
}

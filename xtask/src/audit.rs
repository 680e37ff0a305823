//! Supply-chain checks: cargo-deny on the whole workspace's dependency graph (`deny.toml`: licenses, banned or
//! duplicate crates, sources limited to crates.io, and RustSec advisories), and `npm audit --omit=dev` on the
//! dependencies of the published package.
//!
//! The advisories come from `audit/advisory-db.bundle`, a snapshot of the RustSec database committed here, since the
//! machines that run the tests cannot reach GitHub. It is cloned where deny.toml's `db-path` points, and read with
//! `--offline`. Advisories published after the snapshot are not seen: refresh it with `git clone --mirror
//! https://github.com/rustsec/advisory-db && git -C advisory-db.git bundle create advisory-db.bundle --all`.

use crate::report::Report;
use crate::setup::cargo_tool;
use crate::shell::{Cmd, root};
use std::path::Path;

/// Where cargo-deny looks for the database under `db-path`: its default URL's directory name.
const ADVISORY_DB: &str = "target/advisory-dbs/advisory-db-3157b0e258782691";
const ADVISORY_BUNDLE: &str = "audit/advisory-db.bundle";

pub fn run(report: &mut Report) {
    // Installed from crates.io when missing (a few minutes, once).
    match cargo_tool("cargo-deny", "cargo-deny") {
        Ok(_) => {
            report.check(
                "cargo deny --workspace check licenses bans sources",
                Cmd::new("cargo").args(["deny", "--workspace", "check", "licenses", "bans", "sources"]),
            );
            match advisory_db() {
                Ok(()) => report.check(
                    "cargo deny --workspace check advisories (offline)",
                    Cmd::new("cargo").args(["deny", "--workspace", "--offline", "check", "advisories"]),
                ),
                Err(message) => report.failed_to_run("cargo deny check advisories", &message),
            }
        }
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

/// Clones the committed snapshot where cargo-deny reads it, unless that clone already holds the snapshot's commit.
fn advisory_db() -> Result<(), String> {
    let root = root();
    let heads = Cmd::new("git").args(["bundle", "list-heads", ADVISORY_BUNDLE]).output()?;
    let bundled = heads.split_whitespace().next().ok_or("the advisory bundle names no commit")?.to_owned();
    let db = root.join(ADVISORY_DB);
    let cloned =
        db.join(".git").is_dir().then(|| Cmd::new("git").arg("-C").arg(&db).args(["rev-parse", "HEAD"]).output());
    if cloned.and_then(Result::ok).as_deref().map(str::trim) == Some(bundled.as_str()) {
        return Ok(());
    }
    let _ = std::fs::remove_dir_all(&db);
    std::fs::create_dir_all(db.parent().unwrap_or(Path::new("target")))
        .map_err(|e| format!("cannot create {}: {e}", db.display()))?;
    Cmd::new("git").args(["-c", "init.defaultBranch=main", "clone", "--quiet", ADVISORY_BUNDLE]).arg(&db).run()
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

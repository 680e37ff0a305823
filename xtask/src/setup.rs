//! `cargo xtask setup`: installs what is missing, from the package registries only, and finds the tools.

use crate::shell::{Cmd, root, which};
use std::path::PathBuf;

/// Where the tools the other commands need were found.
pub struct Tools {
    pub wasm_bindgen: PathBuf,
    pub wasm_opt: PathBuf,
    pub chromedriver: PathBuf,
    pub geckodriver: PathBuf,
    /// For the size breakdown of `cargo xtask bench`.
    pub twiggy: PathBuf,
}

pub fn run() -> Result<Tools, String> {
    check_node()?;
    wasm_target()?;
    let wasm_bindgen = wasm_bindgen_cli()?;
    cargo_tool("wasm-pack", "wasm-pack")?;
    debian_packages()?;
    let geckodriver = cargo_tool("geckodriver", "geckodriver")?;
    let twiggy = cargo_tool("twiggy", "twiggy")?;
    npm_packages()?;
    let wasm_opt =
        which("wasm-opt").filter(|p| p.starts_with(root())).ok_or("wasm-opt from npm binaryen is missing")?;
    let chromedriver = which("chromedriver").ok_or("chromedriver is missing after installing chromium-driver")?;
    println!("setup: all tools present");
    Ok(Tools { wasm_bindgen, wasm_opt, chromedriver, geckodriver, twiggy })
}

fn check_node() -> Result<(), String> {
    let version =
        Cmd::new("node").arg("--version").output().map_err(|_| "Node.js 20 or newer is required (node not found)")?;
    let major: u32 = version.trim().trim_start_matches('v').split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0);
    if major < 20 {
        return Err(format!("Node.js 20 or newer is required, found {}", version.trim()));
    }
    Ok(())
}

fn wasm_target() -> Result<(), String> {
    let installed = Cmd::new("rustup").args(["target", "list", "--installed"]).output()?;
    if !installed.lines().any(|line| line.trim() == "wasm32-unknown-unknown") {
        Cmd::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]).run()?;
    }
    Ok(())
}

/// wasm-bindgen-cli must match the `wasm-bindgen` crate in Cargo.lock exactly. `--locked` is not used: one of its
/// pinned dependencies is no longer in the registry.
fn wasm_bindgen_cli() -> Result<PathBuf, String> {
    let lock =
        std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let wanted = lock
        .split("[[package]]")
        .find(|entry| entry.contains("\nname = \"wasm-bindgen\"\n"))
        .and_then(|entry| entry.lines().find_map(|l| l.strip_prefix("version = \"")?.strip_suffix('"')))
        .ok_or("Cargo.lock has no wasm-bindgen")?
        .to_owned();
    let found = which("wasm-bindgen").and_then(|path| {
        let out = Cmd::new(&path).arg("--version").output().ok()?;
        (out.split_whitespace().nth(1) == Some(wanted.as_str())).then_some(path)
    });
    if let Some(path) = found {
        return Ok(path);
    }
    Cmd::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &wanted, "--force"]).run()?;
    which("wasm-bindgen").ok_or_else(|| "wasm-bindgen not found after install".into())
}

/// The version of each tool `cargo install` brings, so that every machine runs the same ones; `--locked` also pins
/// their dependencies to the tool's own lockfile.
const CARGO_TOOLS: &[(&str, &str)] = &[
    ("wasm-pack", "0.15.1"),
    ("geckodriver", "0.37.1"),
    ("twiggy", "0.8.0"),
    ("cargo-deny", "0.20.2"),
    ("cargo-fuzz", "0.13.2"),
];

/// `binary` from crate `krate` at its pinned version: the one on the PATH when `binary --version` names that
/// version, else installed.
pub fn cargo_tool(binary: &str, krate: &str) -> Result<PathBuf, String> {
    let version = CARGO_TOOLS
        .iter()
        .find(|(name, _)| *name == krate)
        .map(|(_, version)| *version)
        .ok_or_else(|| format!("{krate} has no pinned version in CARGO_TOOLS"))?;
    let current = |path: &PathBuf| {
        Cmd::new(path).arg("--version").output().is_ok_and(|out| out.split_whitespace().any(|word| word == version))
    };
    if let Some(path) = which(binary).filter(current) {
        return Ok(path);
    }
    Cmd::new("cargo").args(["install", krate, "--version", version, "--locked", "--force"]).run()?;
    which(binary).filter(current).ok_or_else(|| format!("{binary} {version} not found after installing {krate}"))
}

/// Chromium, its driver and Firefox ESR from Debian; the browsers' own download mechanisms cannot reach the
/// internet here, the Debian packages can.
fn debian_packages() -> Result<(), String> {
    let wanted = [
        ("/usr/bin/chromium", "chromium"),
        ("/usr/bin/chromedriver", "chromium-driver"),
        ("/usr/bin/firefox-esr", "firefox-esr"),
    ];
    let missing: Vec<&str> =
        wanted.iter().filter(|(path, _)| !std::path::Path::new(path).exists()).map(|(_, package)| *package).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let root_user = Cmd::new("id").arg("-u").output().map(|uid| uid.trim() == "0").unwrap_or(false);
    // A fresh cloud machine runs unattended upgrades at boot, which hold apt's locks for a while: wait for them.
    // dpkg's lock (install) has apt's own timeout; the package lists' lock (update) has none, so update is retried.
    let apt = |args: &[&str]| {
        let cmd = if root_user { Cmd::new("apt-get") } else { Cmd::new("sudo").arg("apt-get") };
        cmd.env("DEBIAN_FRONTEND", "noninteractive")
            .args(["-o", &format!("DPkg::Lock::Timeout={APT_LOCK_WAIT_SECS}")])
            .args(args)
    };
    let waited = std::time::Instant::now();
    loop {
        let (ok, output) = apt(&["update"]).run_captured();
        if ok {
            break;
        }
        if !output.contains("Could not get lock") || waited.elapsed().as_secs() > APT_LOCK_WAIT_SECS {
            return Err("`apt-get update` failed".into());
        }
        println!("setup: another process holds apt's lock; trying again in 5 s");
        std::thread::sleep(std::time::Duration::from_secs(5));
    }
    let mut install = vec!["install", "-y", "--no-install-recommends"];
    install.extend(&missing);
    apt(&install).run()
}

/// How long the set-up waits for another process to let go of apt's locks.
const APT_LOCK_WAIT_SECS: u64 = 600;

/// `npm ci` from the committed lock file, skipped when node_modules already matches it.
fn npm_packages() -> Result<(), String> {
    let root = root();
    let lock =
        std::fs::read(root.join("package-lock.json")).map_err(|e| format!("cannot read package-lock.json: {e}"))?;
    let stamp = root.join("node_modules/.xtask-package-lock.json");
    if std::fs::read(&stamp).is_ok_and(|installed| installed == lock) {
        return Ok(());
    }
    Cmd::new("npm").args(["ci", "--no-audit", "--no-fund"]).run()?;
    std::fs::write(&stamp, lock).map_err(|e| format!("cannot write {}: {e}", stamp.display()))
}

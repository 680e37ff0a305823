//! `pkg/`, the npm package auth0-mfa-wasm: two wasm modules, each with its wasm-bindgen glue, and the TypeScript
//! facade compiled over them.
//!
//! ```text
//! cargo (release: opt-level z, LTO, abort on panic) ──▶ target/wasm32-unknown-unknown/release/<module>.wasm
//!   └─ wasm-bindgen ──▶ target/glue/ (glue .js and .d.ts, where the facade's tsconfig finds them)
//!        └─ copied to pkg/, the .wasm through `wasm-opt -Oz`
//! ts/src/*.ts ── tsc ──▶ pkg/*.js and pkg/*.d.ts (the entries: index, node, workerd, otp, otp-node, otp-workerd)
//! ```

use crate::setup::Tools;
use crate::shell::{Cmd, root};
use std::path::{Path, PathBuf};

/// One wasm module of the package.
pub struct Module {
    /// The crate, as cargo's `-p` names it.
    pub package: &'static str,
    /// The file stem of the wasm cargo builds and of its glue (`<stem>.js`, `<stem>_bg.wasm`).
    pub stem: &'static str,
    /// Cargo features of the shipped build.
    features: &'static str,
    /// wasm-bindgen flags beyond [`BINDGEN_FLAGS`].
    bindgen: &'static [&'static str],
    /// Built with reference types, as Rust builds wasm32 by default; wasm-bindgen then keeps JavaScript values in a
    /// table, which the module fills from an imported function when it starts.
    reference_types: bool,
}

/// The login module: `MfaClient`, and the glue the main entry re-exports.
pub const LOGIN: Module =
    Module { package: "auth0-mfa-wasm", stem: "auth0_mfa_wasm", features: "", bindgen: &[], reference_types: true };

/// The OTP module of `auth0-mfa-wasm/otp`. Its facade restarts it after a trap, with the function
/// `--experimental-reset-state-function` exports. Built without reference types: it takes no JavaScript value, so
/// it needs no table of them, and without the table it imports nothing, which halves its start-up in Node (a
/// fresh Node 20 process compiles a module that imports one function about 0.45 ms slower than one that imports
/// none; the OTP module's start-up is in bench/RESULTS.md).
pub const OTP: Module = Module {
    package: "auth0-mfa-otp",
    stem: "auth0_mfa_otp",
    features: "module",
    bindgen: &["--experimental-reset-state-function"],
    reference_types: false,
};

pub const MODULES: [&Module; 2] = [&LOGIN, &OTP];

/// wasm-bindgen's flags for every module; the size breakdown (size.rs) builds with the same ones.
pub const BINDGEN_FLAGS: [&str; 3] = ["--target", "web", "--weak-refs"];
/// wasm-opt's flags for every module shipped, and the features it may use: those Rust enables by default for
/// wasm32-unknown-unknown, but for reference types (see [`Module::wasm_opt_flags`]).
pub const WASM_OPT_FLAGS: [&str; 9] = [
    "-Oz",
    "--strip-debug",
    "--strip-producers",
    // What the module was built with, for the tools that come before wasm-opt: nothing of it is for a runtime.
    "--strip-target-features",
    "--enable-mutable-globals",
    "--enable-sign-ext",
    "--enable-multivalue",
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
];

impl Module {
    /// Builds the module's wasm, with `extra` features, into `target_dir` (the default one when `None`), and says
    /// where it is. A module built without reference types is built with the other flags that takes, into a
    /// folder of its own below it, so that the two builds do not undo each other's.
    pub fn cargo_build(&self, extra: &[&str], target_dir: Option<&Path>) -> Result<PathBuf, String> {
        let features: Vec<&str> =
            self.features.split(' ').chain(extra.iter().copied()).filter(|f| !f.is_empty()).collect();
        let mut dir = target_dir.map_or_else(|| root().join("target"), Path::to_path_buf);
        // A cdylib only for the wasm build: the crate is an rlib to its native users and tests.
        let mut cmd = Cmd::new("cargo")
            .args(["rustc", "--lib", "--crate-type", "cdylib", "--release", "--target", "wasm32-unknown-unknown"])
            .args(["-p", self.package]);
        if !features.is_empty() {
            cmd = cmd.args(["--features", &features.join(",")]);
        }
        if !self.reference_types {
            dir = dir.join(self.stem);
            // Added to .cargo/config.toml's flags for the target, for every crate of the build: a function built
            // with reference types is not inlined into one built without, and would keep its panic messages.
            // Panic locations name files from the repository and the registry, not from this machine.
            let registry = std::env::var_os("CARGO_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
                .unwrap_or_default()
                .join("registry/src");
            let mut flags = vec!["-C".to_owned(), "target-feature=-reference-types".to_owned()];
            flags.push(format!("--remap-path-prefix={}=.", root().display()));
            // One folder per registry index (`index.crates.io-<hash>`), each named as the crates' home.
            for index in std::fs::read_dir(&registry).into_iter().flatten().flatten() {
                flags.push(format!("--remap-path-prefix={}=crates", index.path().display()));
            }
            cmd = cmd.arg("--config").arg(format!("target.wasm32-unknown-unknown.rustflags={flags:?}"));
        }
        cmd.arg("--target-dir").arg(&dir).run()?;
        Ok(dir.join(format!("wasm32-unknown-unknown/release/{}.wasm", self.stem)))
    }

    /// wasm-opt's flags for this module: [`WASM_OPT_FLAGS`], with reference types where it is built with them.
    pub fn wasm_opt_flags(&self) -> Vec<&'static str> {
        let mut flags = WASM_OPT_FLAGS.to_vec();
        if self.reference_types {
            flags.push("--enable-reference-types");
        }
        flags
    }

    /// wasm-bindgen of `wasm` into `out`, with `extra` flags (`--keep-debug` for the size breakdown).
    pub fn bindgen(&self, tools: &Tools, wasm: &Path, out: &Path, extra: &[&str]) -> Result<(), String> {
        Cmd::new(&tools.wasm_bindgen)
            .arg(wasm)
            .arg("--out-dir")
            .arg(out)
            .args(BINDGEN_FLAGS)
            .args(self.bindgen)
            .args(extra)
            .run()
    }
}

fn fresh_dir(dir: &Path) -> Result<(), String> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("cannot clear {}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))
}

/// Copies the files of `from` into `to`, with the directories in it (wasm-bindgen's `snippets/`).
pub fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("cannot make {}: {e}", to.display()))?;
    for entry in std::fs::read_dir(from).map_err(|e| format!("cannot list {}: {e}", from.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let target = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_tree(&path, &target)?;
        } else {
            std::fs::copy(&path, &target).map_err(|e| format!("cannot copy {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// Builds `pkg/`.
pub fn build(tools: &Tools) -> Result<(), String> {
    let root = root();
    let (glue, pkg) = (root.join("target/glue"), root.join("pkg"));
    let wasm: Vec<PathBuf> = MODULES.iter().map(|module| module.cargo_build(&[], None)).collect::<Result<_, _>>()?;
    fresh_dir(&glue)?;
    fresh_dir(&pkg)?;
    for (module, wasm) in MODULES.iter().zip(&wasm) {
        module.bindgen(tools, wasm, &glue, &[])?;
    }
    copy_tree(&glue, &pkg)?;
    for module in MODULES {
        let bg = pkg.join(format!("{}_bg.wasm", module.stem));
        Cmd::new(&tools.wasm_opt).arg(&bg).args(module.wasm_opt_flags()).arg("-o").arg(&bg).run()?;
    }
    Cmd::new("tsc").args(["-p", "ts"]).run()?;
    crate::write_package_json(&pkg, &root.join("Cargo.toml"), crate::PACKAGE_TEMPLATE)?;
    for file in ["README.md", "LICENSE"] {
        std::fs::copy(root.join(file), pkg.join(file)).map_err(|e| format!("cannot copy {file} into pkg/: {e}"))?;
    }
    let _ = std::fs::remove_file(pkg.join(".gitignore"));
    // The sizes an app ships are measured in one place, bench/size.mjs (`cargo xtask size`); these are the files'.
    for module in MODULES {
        let file = format!("{}_bg.wasm", module.stem);
        let bytes = std::fs::metadata(pkg.join(&file)).map_err(|e| format!("cannot read pkg/{file}: {e}"))?.len();
        println!("pkg/{file}: {bytes} bytes");
    }
    Ok(())
}

/// The test-only builds of `cargo xtask test`'s panic tests, each a module with its feature `panic-probe`: the
/// login module's glue in target/panic-probe/ (its `panicProbe` export), and in target/otp-panic-probe/ the whole
/// package with the OTP module swapped for one whose `key_code` traps for the counter 2^53 - 1, so that a trap
/// meets the facade as a real one would. Needs `build` first.
pub fn build_panic_probes(tools: &Tools) -> Result<(), String> {
    let root = root();
    let target_dir = root.join("target/panic-probe-build");
    let login = LOGIN.cargo_build(&["panic-probe"], Some(&target_dir))?;
    LOGIN.bindgen(tools, &login, &root.join("target/panic-probe"), &[])?;

    let otp = OTP.cargo_build(&["panic-probe"], Some(&target_dir))?;
    let package = root.join("target/otp-panic-probe");
    fresh_dir(&package)?;
    copy_tree(&root.join("pkg"), &package)?;
    OTP.bindgen(tools, &otp, &package, &[])
}

//! The build and test driver: `cargo xtask <setup|build|demo|test|bench|size>`.
//!
//! Everything a fresh machine lacks is installed from the package registries only (crates.io, npm, Debian), and
//! only when missing, so running any command twice costs nothing extra.

mod audit;
mod bench;
mod demo;
mod emulator;
mod fuzz;
mod generate;
mod package;
mod report;
mod setup;
mod shell;
mod size;
mod vendor;

use emulator::Emulator;
use report::Report;
use shell::{Cmd, root};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  setup   install what is missing: wasm32 target, wasm-bindgen-cli, wasm-pack, twiggy, browsers and drivers,
          npm packages
  gen     write the TypeScript the facade takes from Rust (ts/src/codes.ts, ts/src/otp-constants.ts)
  build   build pkg/, the size-optimised npm package, and emulator/pkg/, the emulator's npm package
  demo    build pkg/, start the emulator and serve the demo in www/ (--port, --emulator-port; --help for more)
  test    setup, then every suite: fmt, clippy (native and wasm32), the generated TypeScript, cargo test, short
          fuzz runs, wasm-bindgen tests in Chromium, Firefox, a dedicated worker and Node (and the OTP module's in
          Chromium and Firefox), the size budget of each entry (bench/size-budget.json), the JavaScript and
          Playwright tests against pkg/, and the supply-chain checks
  bench   build, then measure each entry's bundle size (and what each module is made of), OTP speed, each module's
          start-up, churn and a login against the emulator, ours beside its peers; prints a table and writes
          bench/RESULTS.md
  size    build, then only the size budget check of `test`";

fn main() -> ExitCode {
    let command = std::env::args().nth(1).unwrap_or_default();
    let result = match command.as_str() {
        "setup" => setup::run().map(|_| ()),
        "gen" => generate::run(),
        "build" => setup::run().and_then(|tools| build(&tools)),
        "test" => test(),
        "bench" => bench::run(),
        "size" => size::run(),
        "demo" => demo::run(&std::env::args().skip(2).collect::<Vec<_>>()),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Builds `pkg/` (see package.rs) and `emulator/pkg/`.
fn build(tools: &setup::Tools) -> Result<(), String> {
    package::build(tools)?;
    build_emulator(tools)
}

/// The emulator's wasm32 build, before wasm-bindgen: its core without the native server, optimised for speed.
fn emulator_wasm() -> std::path::PathBuf {
    root().join("target/wasm32-unknown-unknown/emulator-wasm/auth0_mfa_emulator.wasm")
}

/// Builds `emulator/pkg/`, the npm package `auth0-mfa-emulator`: the emulator's router compiled to wasm32,
/// wasm-bindgen, `wasm-opt -O2`, and the JS front in emulator/js/.
fn build_emulator(tools: &setup::Tools) -> Result<(), String> {
    let root = root();
    // A cdylib only here: the native builds of the emulator need none.
    Cmd::new("cargo")
        .args(["rustc", "--lib", "--crate-type", "cdylib", "--target", "wasm32-unknown-unknown"])
        .args(["-p", "auth0-mfa-emulator", "--no-default-features", "--profile", "emulator-wasm"])
        .run()?;
    let pkg = root.join("emulator/pkg");
    if pkg.exists() {
        std::fs::remove_dir_all(&pkg).map_err(|e| format!("cannot clear emulator/pkg/: {e}"))?;
    }
    Cmd::new(&tools.wasm_bindgen)
        .arg(emulator_wasm())
        .args(["--out-dir"])
        .arg(&pkg)
        .args(package::BINDGEN_FLAGS)
        .run()?;
    let bg = pkg.join("auth0_mfa_emulator_bg.wasm");
    // pkg/'s wasm-opt flags with -O2 for their first, -Oz (the emulator is made for speed), and the reference types
    // it is built with.
    Cmd::new(&tools.wasm_opt)
        .arg(&bg)
        .arg("-O2")
        .args(&package::WASM_OPT_FLAGS[1..])
        .arg("--enable-reference-types")
        .arg("-o")
        .arg(&bg)
        .run()?;
    let js = root.join("emulator/js");
    for entry in ["emulator.js", "listen.js", "node.js", "workerd.js", "browser.js", "cli.js", "index.d.ts"] {
        std::fs::copy(js.join(entry), pkg.join(entry))
            .map_err(|e| format!("cannot copy {entry} into emulator/pkg/: {e}"))?;
    }
    // The seed and test keys the README documents, for users to copy and start from.
    for (dir, files) in [
        ("seed", &["default.json"][..]),
        ("keys", &["TEST-ONLY-client-assertion.private.pem", "TEST-ONLY-client-assertion.public.pem"][..]),
    ] {
        std::fs::create_dir_all(pkg.join(dir)).map_err(|e| e.to_string())?;
        for file in files {
            std::fs::copy(root.join("emulator").join(dir).join(file), pkg.join(dir).join(file))
                .map_err(|e| format!("cannot copy {dir}/{file} into emulator/pkg/: {e}"))?;
        }
    }
    let template = std::fs::read_to_string(js.join("package.template.json")).map_err(|e| e.to_string())?;
    write_package_json(&pkg, &root.join("emulator/Cargo.toml"), &template)?;
    std::fs::copy(root.join("emulator/README.md"), pkg.join("README.md")).map_err(|e| e.to_string())?;
    std::fs::copy(root.join("LICENSE"), pkg.join("LICENSE")).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(pkg.join(".gitignore"));
    let _ = std::fs::remove_file(pkg.join("auth0_mfa_emulator.d.ts"));
    let _ = std::fs::remove_file(pkg.join("auth0_mfa_emulator_bg.wasm.d.ts"));
    println!(
        "emulator/pkg/auth0_mfa_emulator_bg.wasm: {} bytes",
        std::fs::metadata(&bg).map_err(|e| e.to_string())?.len()
    );
    Ok(())
}

/// The npm metadata of pkg/, kept as JSON in its own file; `"@VERSION@"` and `"@DESCRIPTION@"` stand for the
/// crate's fields, so the template stays valid JSON.
pub(crate) const PACKAGE_TEMPLATE: &str = include_str!("../package.template.json");

/// Writes `pkg`'s package.json from `template`, with the version and description of the crate at `manifest`.
pub(crate) fn write_package_json(
    pkg: &std::path::Path,
    manifest: &std::path::Path,
    template: &str,
) -> Result<(), String> {
    let manifest = std::fs::read_to_string(manifest).map_err(|e| e.to_string())?;
    let field = |name: &str| {
        manifest
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{name} = \""))?.strip_suffix('"').map(str::to_owned))
            .ok_or_else(|| format!("Cargo.toml has no {name}"))
    };
    let json = package_json(template, &field("version")?, &field("description")?);
    std::fs::write(pkg.join("package.json"), json).map_err(|e| format!("cannot write pkg/package.json: {e}"))
}

fn package_json(template: &str, version: &str, description: &str) -> String {
    let quoted = |text: &str| serde_json::Value::from(text).to_string();
    template.replace("\"@VERSION@\"", &quoted(version)).replace("\"@DESCRIPTION@\"", &quoted(description))
}

fn test() -> Result<(), String> {
    let tools = setup::run()?;
    let mut report = Report::default();
    let root = root();

    report.check("cargo fmt --check", Cmd::new("cargo").args(["fmt", "--all", "--", "--check"]));
    report.check(
        "clippy (native)",
        Cmd::new("cargo").args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]),
    );
    // Each wasm32 build with the packages and features it is built with: the login module with its tests, the OTP
    // module with its tests and as it ships (no_std, with its allocator and panic handler), and the emulator's core
    // as its npm package builds it, without the native server.
    let wasm32_builds: [(&str, &[&str]); 4] = [
        ("clippy (wasm32)", &["-p", "auth0-mfa-wasm", "--all-targets"]),
        ("clippy (OTP module, wasm32)", &["-p", "auth0-mfa-otp", "--all-targets", "--features", "wasm"]),
        ("clippy (OTP module as shipped, wasm32)", &["-p", "auth0-mfa-otp", "--lib", "--features", "module"]),
        ("clippy (emulator, wasm32)", &["-p", "auth0-mfa-emulator", "--lib", "--no-default-features"]),
    ];
    for (name, selection) in wasm32_builds {
        report.check(
            name,
            Cmd::new("cargo").arg("clippy").args(selection).args([
                "--target",
                "wasm32-unknown-unknown",
                "--",
                "-D",
                "warnings",
            ]),
        );
    }
    report.check_fn("www/vendor/uqr.mjs is node_modules/uqr's dist/index.mjs", vendor::check_uqr);
    report.check_fn("ts/src's generated files are what `cargo xtask gen` writes", generate::check);
    report.suite("cargo test (native)", Cmd::new("cargo").args(["test", "--workspace"]));
    fuzz::run(&mut report);

    // The flow suites talk to a local emulator: built once, started on a free port for the wasm-bindgen suites
    // (its URL is compiled into them) and stopped when they are done.
    let emulator =
        Cmd::new("cargo").args(["build", "-p", "auth0-mfa-emulator"]).run().and_then(|()| Emulator::start(&[]));
    match &emulator {
        Ok(emulator) => wasm_suites(&mut report, &tools, &emulator.url),
        Err(message) => report.failed_to_run("start the emulator", message),
    }
    drop(emulator);

    // The grouping behind bench's size breakdown, on the names twiggy prints; needs no build.
    report.suite(
        "size breakdown grouping (tests/bench/breakdown.test.mjs)",
        Cmd::new("node").args(["--test", "--test-reporter=tap", "tests/bench/breakdown.test.mjs"]),
    );
    match build(&tools).and_then(|()| package::build_panic_probes(&tools)) {
        Ok(()) => {
            size::check_budget(&mut report);
            let mut node_tests =
                Cmd::new("node").args(["--test", "--test-reporter=tap"]).env("EMULATOR_BIN", emulator::binary());
            for dir in ["tests/js", "tests/consumers"] {
                for test in shell::files_with_suffix(&root.join(dir), ".test.mjs")? {
                    node_tests = node_tests.arg(test);
                }
            }
            report.suite("JS tests: pkg/, packed package, workerd, Vite", node_tests);
            report.single_test("TypeScript consumer (tsc --strict --noEmit)", Cmd::new("tsc").args(["-p", "tests/ts"]));
            // One file at a time: each drives its own browsers.
            let mut e2e_tests = Cmd::new("node")
                .args(["--test", "--test-reporter=tap", "--test-concurrency=1"])
                .env("XTASK_BIN", std::env::current_exe().unwrap_or_default())
                .env("EMULATOR_BIN", emulator::binary())
                .env("GECKODRIVER", &tools.geckodriver);
            for test in shell::files_with_suffix(&root.join("tests/e2e"), ".test.mjs")? {
                e2e_tests = e2e_tests.arg(test);
            }
            report.suite("end-to-end (Chromium, Firefox)", e2e_tests);
        }
        Err(message) => report.failed_to_run("build pkg/ and the panic probe", &message),
    }

    audit::run(&mut report);
    report.finish()
}

/// The wasm-bindgen-test suites, the way users of a wasm crate run them. A suite not configured for a runtime
/// makes the runner print a skip notice and pass; forcing the mode makes every run really execute.
fn wasm_suites(report: &mut Report, tools: &setup::Tools, emulator_url: &str) {
    let wasm_pack = |host: &str| {
        Cmd::new("wasm-pack")
            .arg("test")
            .env("AUTH0_MFA_WASM_TEST_HOST", host)
            .env("AUTH0_MFA_EMULATOR_URL", emulator_url)
            // Push polling tests wait for real seconds.
            .env("WASM_BINDGEN_TEST_TIMEOUT", "90")
    };
    let chrome = |host: &str| {
        wasm_pack(host)
            .args(["--headless", "--chrome"])
            .env("CHROMEDRIVER", &tools.chromedriver)
            .env_remove("GECKODRIVER")
    };
    report.suite("wasm-bindgen-test (Chromium)", chrome("browser").env("WASM_BINDGEN_USE_BROWSER", "1"));
    report.suite(
        "wasm-bindgen-test (Chromium, dedicated worker)",
        chrome("worker").env("WASM_BINDGEN_USE_DEDICATED_WORKER", "1"),
    );
    report.suite(
        "wasm-bindgen-test (Firefox)",
        wasm_pack("browser")
            .args(["--headless", "--firefox"])
            .env("GECKODRIVER", &tools.geckodriver)
            .env_remove("CHROMEDRIVER")
            .env("WASM_BINDGEN_USE_BROWSER", "1"),
    );
    report.suite("wasm-bindgen-test (Node)", wasm_pack("node").arg("--node"));
    // The OTP module's boundary, in the browsers it runs in (its suite is configured to run in a browser page).
    let otp = |browser: Cmd| browser.args(["otp", "--features", "wasm"]);
    report.suite(
        "wasm-bindgen-test, OTP module (Chromium)",
        otp(Cmd::new("wasm-pack").args(["test", "--headless", "--chrome"]))
            .env("CHROMEDRIVER", &tools.chromedriver)
            .env_remove("GECKODRIVER"),
    );
    report.suite(
        "wasm-bindgen-test, OTP module (Firefox)",
        otp(Cmd::new("wasm-pack").args(["test", "--headless", "--firefox"]))
            .env("GECKODRIVER", &tools.geckodriver)
            .env_remove("CHROMEDRIVER"),
    );
}

#[cfg(test)]
mod tests {
    use super::package_json;

    #[test]
    fn package_json_is_the_template_with_the_crate_fields_filled_in() {
        let json: serde_json::Value =
            serde_json::from_str(&package_json(super::PACKAGE_TEMPLATE, "1.2.3", "say \"hi\"")).unwrap();
        assert_eq!(json["version"], "1.2.3");
        assert_eq!(json["description"], "say \"hi\"");
        assert_eq!(json["exports"]["."]["node"], "./node.js");
    }
}

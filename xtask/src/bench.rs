//! `cargo xtask bench`: the benchmarks (each entry's size, OTP speed, each wasm module's start-up, churn, a full
//! login), each side by side with its peer in the same run, and what each shipped wasm module is made of.
//! `bench/run.mjs` measures and writes `bench/RESULTS.md`; this builds what it measures (pkg/, and the same wasm
//! modules with names for the size breakdown) and runs the emulator it logs in against. Timings are reported, never
//! asserted.

use crate::emulator::{self, Emulator};
use crate::shell::Cmd;

pub fn run() -> Result<(), String> {
    let tools = crate::setup::run()?;
    crate::build(&tools)?;
    crate::size::named_wasm(&tools)?;
    Cmd::new("cargo").args(["build", "-p", "auth0-mfa-emulator"]).run()?;
    // @auth0/auth0-auth-js only calls https://{domain}: the emulator names itself so, and the bench's fetch
    // sends that origin to the loopback URL.
    let emulator = Emulator::start(&["--public-url", "https://emu.test"])?;
    Cmd::new("node")
        .arg("bench/run.mjs")
        .env("BENCH_EMULATOR_URL", &emulator.url)
        .env("EMULATOR_BIN", emulator::binary())
        .env("TWIGGY", &tools.twiggy)
        .run()
}

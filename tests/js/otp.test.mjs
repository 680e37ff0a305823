// The OTP suite (otp-suite.mjs) in Node: each case against the Node entry of pkg/ (auth0-mfa-wasm/otp as Node
// resolves it), and the trap cases against the probe package, whose OTP module traps at counter 2^53 - 1. The
// browsers and workerd run the same cases: tests/e2e/otp-browser.test.mjs, tests/js/otp-workerd.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as otpauth from "otpauth";
import * as lib from "../../pkg/otp-node.js";
import { cases, trapCases } from "./otp-suite.mjs";

const PROBE_WASM = new URL("../../target/otp-panic-probe/auth0_mfa_otp_bg.wasm", import.meta.url);
assert.ok(existsSync(PROBE_WASM), "build the probe first: cargo xtask test builds target/otp-panic-probe/");
// The probe's browser entry, loaded from the module's bytes as a bundler user of the web target would.
const probe = await import("../../target/otp-panic-probe/otp.js");
probe.initSync({ module: readFileSync(PROBE_WASM) });

for (const { name, run } of cases) test(name, () => run(lib, otpauth));

for (const { name, run } of trapCases) test(`trap: ${name}`, () => run(probe, otpauth));

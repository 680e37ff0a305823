// A panic inside the module, forced through `panicProbe`, which only a build with the `panic-probe` feature exports
// (`cargo xtask test` builds it into target/panic-probe/ with the release profile that pkg/ ships with). The panic must
// reach JavaScript as a typed `internal_error`, settle every pending step, leave no uncaught exception or unhandled
// rejection behind, and leave a module that works: a fresh instance replaces the one that panicked.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as OTPAuth from "otpauth";
import { startEmulator } from "./emulator.mjs";

const PROBE = new URL("../../target/panic-probe/", import.meta.url);
assert.ok(existsSync(new URL("auth0_mfa_wasm.js", PROBE)), "build the probe first: cargo xtask test builds target/panic-probe/");
const probe = await import(new URL("auth0_mfa_wasm.js", PROBE));
probe.initSync({ module: readFileSync(new URL("auth0_mfa_wasm_bg.wasm", PROBE)) });
const { MfaClient, panicProbe } = probe;

const PASSWORD = "Passw0rd!";
const OTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

let emulator;
const escaped = []; // uncaught exceptions and unhandled rejections seen while the tests run

function onEscape(error) {
  escaped.push(String(error?.stack ?? error));
}

before(async () => {
  process.on("uncaughtException", onEscape);
  process.on("unhandledRejection", onEscape);
  emulator = await startEmulator([]);
});

after(() => {
  emulator?.stop();
  process.off("uncaughtException", onEscape);
  process.off("unhandledRejection", onEscape);
});

const newClient = () => new MfaClient({ domain: emulator.url, clientId: "spa-client", timeoutMs: 5000 });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function assertInternalError(error) {
  assert.ok(error instanceof Error, `an Error, not ${String(error)}`);
  assert.equal(error.name, "Auth0MfaError");
  assert.equal(error.code, "internal_error", error.message);
  assert.equal(error.restartRequired, true);
  // Where it happened, without the build machine's directories; never the panic's own message.
  assert.match(error.message, /\(src\/js\/task\.rs:\d+\)/);
  assert.doesNotMatch(error.message, /probe|\/root\/|\/home\//);
  return true;
}

/** A whole OTP login on a client made now: proves the module works. */
async function otpLogin() {
  const client = newClient();
  const first = await client.login("otp@example.com", PASSWORD);
  assert.equal(first.stage, "mfa_required");
  const { now_ms } = await emulator.control("GET", "/__emu/clock");
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(OTP_SECRET) });
  // Each login uses a new time step, so that no code is refused as a replay.
  await emulator.control("POST", "/__emu/clock", { advance: 30 });
  const tokens = await client.verifyOtp(totp.generate({ timestamp: now_ms + 30_000 }));
  assert.ok(tokens.accessToken.length > 0);
  assert.equal(client.stage, "authenticated");
}

test("a panic in a synchronous call throws internal_error, and the module works afterwards", async () => {
  const before = newClient();
  assert.throws(() => panicProbe(false), assertInternalError);
  assert.equal(newClient().stage, "start", "a synchronous call works");
  // A client from the discarded instance is refused by the bindings rather than reading the new instance's memory.
  assert.throws(() => before.stage);
  await otpLogin();
  assert.deepEqual(escaped, []);
});

test("a panic in a step rejects that step and every pending step, and nothing escapes", async () => {
  // Another login waits for a push approval that never comes: its step is pending when the panic happens.
  const waiting = newClient();
  assert.equal((await waiting.login("push@example.com", PASSWORD)).stage, "mfa_required");
  await waiting.challenge({ type: "push" });
  const push = waiting.waitForPush({ intervalMs: 1000, timeoutMs: 60_000 });
  await sleep(100);

  await assert.rejects(panicProbe(true), assertInternalError);
  await assert.rejects(push, assertInternalError);
  // No call into the module until the pending login's timer and request callbacks of the discarded instance have
  // fired: the first of them starts the fresh instance, and must do nothing there.
  await sleep(2500);
  assert.deepEqual(escaped, []);

  assert.equal(newClient().stage, "start", "a synchronous call works");
  await otpLogin();
  await sleep(100);
  assert.deepEqual(escaped, []);
});

test("panics in a row: each one is reported, and the module keeps working", async () => {
  for (let i = 0; i < 20; i++) {
    assert.throws(() => panicProbe(false), assertInternalError);
    await assert.rejects(panicProbe(true), assertInternalError);
  }
  await otpLogin();
  assert.deepEqual(escaped, []);
});

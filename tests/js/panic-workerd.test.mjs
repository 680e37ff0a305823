// The panic path in workerd (Miniflare), where Cloudflare Workers run the package: the wasm arrives as a compiled
// WebAssembly.Module, so the fresh instance after a panic must come from that module, not from bytes. A Worker
// built on the panic probe (target/panic-probe/, built by `cargo xtask test`) forces panics and reports what its
// callers saw, and every unhandled rejection in the isolate; the isolate lives across the requests below.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startWorker } from "./workerd.mjs";
import * as OTPAuth from "otpauth";
import { startEmulator } from "./emulator.mjs";

const PROBE = fileURLToPath(new URL("../../target/panic-probe/", import.meta.url));
assert.ok(existsSync(join(PROBE, "auth0_mfa_wasm.js")), "build the probe first: cargo xtask test builds target/panic-probe/");

const OTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

const WORKER = `
import module from "./auth0_mfa_wasm_bg.wasm";
import { initSync, panicProbe, MfaClient } from "./auth0_mfa_wasm.js";

initSync({ module });

const escaped = [];
addEventListener("unhandledrejection", (event) => {
  escaped.push(String(event.reason?.stack ?? event.reason));
  event.preventDefault();
});
addEventListener("error", (event) => escaped.push(String(event.error?.stack ?? event.message)));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const seen = (error) => ({ isError: error instanceof Error, name: error?.name, code: error?.code, restartRequired: error?.restartRequired, message: String(error?.message) });
async function outcome(run) {
  try {
    return { value: await run() };
  } catch (error) {
    return { error: seen(error) };
  }
}

const steps = {
  async sync(env) {
    const before = new MfaClient({ domain: env.AUTH0_DOMAIN, clientId: "spa-client" });
    const panic = await outcome(() => panicProbe(false));
    const fresh = await outcome(() => new MfaClient({ domain: env.AUTH0_DOMAIN, clientId: "spa-client" }).stage);
    const stale = await outcome(() => before.stage);
    return { panic, fresh, staleRefused: "error" in stale };
  },
  async pending(env) {
    const waiting = new MfaClient({ domain: env.AUTH0_DOMAIN, clientId: "spa-client", timeoutMs: 5000 });
    const login = await waiting.login("push@example.com", env.PASSWORD);
    await waiting.challenge({ type: "push" });
    const push = outcome(() => waiting.waitForPush({ intervalMs: 1000, timeoutMs: 60000 }));
    await sleep(100);
    const panic = await outcome(() => panicProbe(true));
    const pushed = await push;
    // The discarded instance's timer and request callbacks fire during this wait; the first of them starts the
    // fresh instance, and must do nothing there.
    await sleep(2500);
    return { stage: login.stage, panic, pushed };
  },
  async row() {
    const seenInRow = [];
    for (let i = 0; i < 20; i++) {
      seenInRow.push((await outcome(() => panicProbe(false))).error?.code);
      seenInRow.push((await outcome(() => panicProbe(true))).error?.code);
    }
    return { seenInRow };
  },
  async login(env, params) {
    const client = new MfaClient({ domain: env.AUTH0_DOMAIN, clientId: "spa-client", timeoutMs: 5000 });
    const first = await client.login("otp@example.com", env.PASSWORD);
    const tokens = await client.verifyOtp(params.get("otp"));
    return { first: first.stage, stage: client.stage, hasAccessToken: tokens.accessToken.length > 0 };
  },
};

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const result = await steps[url.pathname.slice(1)](env, url.searchParams);
    return Response.json({ ...result, escaped: escaped.splice(0) });
  },
};
`;

let emulator, worker;

before(async () => {
  emulator = await startEmulator([]);
  worker = await startWorker({ package: PROBE, script: WORKER, bindings: { AUTH0_DOMAIN: emulator.url, PASSWORD: "Passw0rd!" } });
});

after(async () => {
  await worker?.stop();
  emulator?.stop();
});

const step = (path) => worker.step(path);

function assertInternalError(seen) {
  assert.ok(seen, "an error was thrown");
  assert.equal(seen.isError, true);
  assert.equal(seen.name, "Auth0MfaError");
  assert.equal(seen.code, "internal_error", seen.message);
  assert.equal(seen.restartRequired, true);
  assert.match(seen.message, /\(src\/js\/task\.rs:\d+\)/);
  assert.doesNotMatch(seen.message, /probe|\/root\/|\/home\//);
}

/** A whole OTP login in the Worker on a client made now: proves the fresh instance works. */
async function otpLogin() {
  // Each login uses a new time step, so that no code is refused as a replay.
  await emulator.control("POST", "/__emu/clock", { advance: 30 });
  const { now_ms } = await emulator.control("GET", "/__emu/clock");
  const otp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(OTP_SECRET) }).generate({ timestamp: now_ms });
  const login = await step(`login?otp=${otp}`);
  assert.deepEqual(login, { first: "mfa_required", stage: "authenticated", hasAccessToken: true, escaped: [] });
}

test("workerd: a panic in a synchronous call throws internal_error, and a fresh instance works", async () => {
  const sync = await step("sync");
  assertInternalError(sync.panic.error);
  assert.deepEqual(sync.fresh, { value: "start" }, "a synchronous call works");
  assert.equal(sync.staleRefused, true, "a client of the discarded instance is refused");
  assert.deepEqual(sync.escaped, []);
  await otpLogin();
});

test("workerd: a panic in a step rejects every pending step, and nothing escapes", async () => {
  const pending = await step("pending");
  assert.equal(pending.stage, "mfa_required");
  assertInternalError(pending.panic.error);
  assertInternalError(pending.pushed.error);
  assert.deepEqual(pending.escaped, []);
  await otpLogin();
});

test("workerd: panics in a row are each reported", async () => {
  const row = await step("row");
  assert.deepEqual(row.seenInRow, Array(40).fill("internal_error"));
  assert.deepEqual(row.escaped, []);
  await otpLogin();
});

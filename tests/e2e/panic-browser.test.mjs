// A panic inside the module, in headless Chromium and Firefox: the browser side of tests/js/panic.test.mjs. The page
// loads the build with the test-only `panicProbe` export (target/panic-probe/, built by `cargo xtask test`), panics
// once in a synchronous call and once in a step while another login's step is pending, and must see typed
// `internal_error`s, no uncaught error or unhandled rejection, and a module that works afterwards, over real fetches.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startEmulator } from "../js/emulator.mjs";
import { BROWSERS, RECORD_ESCAPED, openPage, servePages } from "./browser.mjs";

const PROBE = fileURLToPath(new URL("../../target/panic-probe/", import.meta.url));
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Panic probe</title><link rel="icon" href="data:,"></head><body>
${RECORD_ESCAPED}
<script type="module">
import init, * as probe from "/probe/auth0_mfa_wasm.js";
await init();
window.probe = probe;
</script></body></html>`;

let emulator;
let server;

before(async () => {
  assert.ok(existsSync(`${PROBE}auth0_mfa_wasm.js`), "build the probe first: cargo xtask test builds target/panic-probe/");
  emulator = await startEmulator([]);
  server = await servePages({ pages: { "/": PAGE }, dirs: { "/probe/": PROBE } });
  await emulator.control("POST", "/__emu/clients", {
    client_id: "panic-browser",
    auth_method: "none",
    allowed_origins: [server.origin],
  });
});

after(async () => {
  await server?.close();
  emulator?.stop();
});

/** Runs in the page: the panics, then the module at work again. Errors come back as plain data. */
async function panicInPage(domain) {
  const { MfaClient, panicProbe } = window.probe;
  const plain = (error) => ({ name: error?.name, code: error?.code, restartRequired: error?.restartRequired, message: String(error?.message) });
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const options = { domain, clientId: "panic-browser", timeoutMs: 5000 };
  const result = {};

  try {
    panicProbe(false);
    result.sync = "no error";
  } catch (error) {
    result.sync = plain(error);
  }
  result.afterSync = new MfaClient(options).stage;

  // Another login waits for a push approval that never comes: its step is pending when the panic happens.
  const waiting = new MfaClient(options);
  await waiting.login("push@example.com", "Passw0rd!");
  await waiting.challenge({ type: "push" });
  const pending = waiting.waitForPush({ intervalMs: 1000, timeoutMs: 60_000 }).then(() => "no error", plain);
  await sleep(100);
  result.step = await panicProbe(true).then(() => "no error", plain);
  result.pending = await pending;
  // Nothing calls into the module until the discarded instance's timer and fetch callbacks have fired.
  await sleep(2500);

  result.afterStep = new MfaClient(options).stage;
  result.login = (await new MfaClient(options).login("nomfa@example.com", "Passw0rd!")).stage;
  await sleep(200);
  result.escaped = window.escaped;
  return result;
}

for (const browser of BROWSERS) {
  test(`a panic in ${browser} is a typed internal_error, and the module works afterwards`, async () => {
    const page = await openPage(browser, `${server.origin}/`, "window.probe !== undefined");
    let outcome;
    try {
      outcome = await page.evaluate(panicInPage, emulator.url);
    } finally {
      await page.close();
    }
    for (const name of ["sync", "step", "pending"]) {
      assert.equal(outcome[name].name, "Auth0MfaError", name);
      assert.equal(outcome[name].code, "internal_error", `${name}: ${outcome[name].message}`);
      assert.equal(outcome[name].restartRequired, true, name);
      assert.match(outcome[name].message, /\(src\/js\/task\.rs:\d+\)/, name);
    }
    assert.equal(outcome.afterSync, "start", "a synchronous call works");
    assert.equal(outcome.afterStep, "start", "a synchronous call works");
    assert.equal(outcome.login, "authenticated");
    assert.deepEqual(outcome.escaped, [], "uncaught errors and unhandled rejections in the page");
  });
}

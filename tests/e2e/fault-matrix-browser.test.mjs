// The fault matrix (tests/js/fault-matrix.mjs) in headless Chromium: MfaClient from pkg/ lives in a page served on
// its own loopback origin, so every request is a real cross-origin browser fetch (CORS preflights, AbortController
// timeouts, connections the browser may retry) against the emulator. Node injects the faults, computes TOTP codes
// and asserts; each step runs in the page through page.evaluate.
//
//   cargo build -p xtask -p auth0-mfa-emulator && cargo xtask build
//   node --test tests/e2e/fault-matrix-browser.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { startEmulator } from "../js/emulator.mjs";
import { launchChromium, servePages } from "./browser.mjs";
import { runFaultMatrix } from "../js/fault-matrix.mjs";

const PKG = fileURLToPath(new URL("../../pkg/", import.meta.url));

// The page keeps the clients by id; a step's error comes back as plain data (the fields of plainError in
// fault-matrix.mjs), its result not at all, so no token leaves the page.
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fault matrix</title></head><body>
<script type="module">
import init, { MfaClient } from "/pkg/auth0_mfa_wasm.js";
await init();
const clients = new Map();
let next = 0;
window.matrix = {
  create(options) {
    clients.set(++next, new MfaClient(options));
    return next;
  },
  async call(id, method, args) {
    try {
      await clients.get(id)[method](...args);
      return { ok: true };
    } catch (error) {
      return {
        ok: false,
        error: {
          isError: error instanceof Error,
          name: error?.name,
          code: error?.code,
          message: String(error?.message ?? error),
          retryAfter: error?.retryAfter,
          retryable: error?.retryable,
        },
      };
    }
  },
  stage: (id) => clients.get(id).stage,
  dispose(id) {
    clients.get(id)?.free();
    clients.delete(id);
  },
};
</script></body></html>`;

let emulator;
let server;
let browser;
let page;
let clientId;
const pageErrors = [];

before(async () => {
  emulator = await startEmulator([]);
  server = await servePages({ pages: { "/": PAGE }, dirs: { "/pkg/": PKG } });
  clientId = `fault-matrix-browser-${process.pid}`;
  await emulator.control("POST", "/__emu/clients", {
    client_id: clientId,
    auth_method: "none",
    allowed_origins: [server.origin],
  });

  browser = await launchChromium();
  page = await (await browser.newContext()).newPage();
  page.on("pageerror", (error) => pageErrors.push(error));
  const wasm = page.waitForResponse((response) => response.url().endsWith(".wasm"));
  await page.goto(`${server.origin}/`);
  await page.waitForFunction(() => window.matrix !== undefined, null, { timeout: 20_000 });
  // Served as application/wasm, init() compiles the module as it streams in (any other type makes it fall back).
  assert.equal((await wasm).headers()["content-type"], "application/wasm");
});

after(async () => {
  await browser?.close();
  await server?.close();
  emulator?.stop();
});

const browserDriver = {
  newClient: (options) => page.evaluate((options) => window.matrix.create(options), options),
  call: (id, method, args) =>
    page.evaluate(([id, method, args]) => window.matrix.call(id, method, args), [id, method, args]),
  stage: (id) => page.evaluate((id) => window.matrix.stage(id), id),
  dispose: (id) => page.evaluate((id) => window.matrix.dispose(id), id),
};

const NAME = "fault matrix in Chromium: typed error, stage kept, same step succeeds after the fault";
test(NAME, { timeout: 300_000 }, async (t) => {
  const title = "Fault matrix — browser (headless Chromium, pkg/ in a page)";
  await runFaultMatrix(t, { driver: browserDriver, emulator, clientId, title });
  assert.deepEqual(pageErrors.map(String), [], "no uncaught error in the page");
});

// The fault matrix (tests/js/fault-matrix.mjs) in headless Chromium and Firefox: MfaClient from pkg/ lives in a page
// served on its own loopback origin, so every request is a real cross-origin browser fetch (CORS preflights,
// AbortController timeouts, connections the browser may retry) against the emulator. Node injects the faults,
// computes TOTP codes and asserts; each step runs in the page through page.evaluate.
//
//   cargo build -p xtask -p auth0-mfa-emulator && cargo xtask build
//   node --test tests/e2e/fault-matrix-browser.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { startEmulator } from "../js/emulator.mjs";
import { BROWSERS, RECORD_ESCAPED, openPage, servePages } from "./browser.mjs";
import { runFaultMatrix } from "../js/fault-matrix.mjs";

const PKG = fileURLToPath(new URL("../../pkg/", import.meta.url));

// The page keeps the clients by id; a step's error comes back as plain data (plainError, the very module the Node
// driver uses), its result not at all, so no token leaves the page.
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fault matrix</title></head><body>
${RECORD_ESCAPED}
<script type="module">
import init, { MfaClient } from "/pkg/index.js";
import { plainError } from "/js/plain-error.mjs";
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
      return { ok: false, error: plainError(error) };
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
let clientId;

before(async () => {
  emulator = await startEmulator([]);
  server = await servePages({ pages: { "/": PAGE }, dirs: { "/pkg/": PKG, "/js/": fileURLToPath(new URL("../js/", import.meta.url)) } });
  clientId = `fault-matrix-browser-${process.pid}`;
  await emulator.control("POST", "/__emu/clients", {
    client_id: clientId,
    auth_method: "none",
    allowed_origins: [server.origin],
  });
  // Served as application/wasm, init() compiles the module as it streams in (any other type makes it fall back).
  const wasm = await fetch(`${server.origin}/pkg/auth0_mfa_wasm_bg.wasm`);
  assert.equal(wasm.headers.get("content-type"), "application/wasm");
  await wasm.body.cancel();
});

after(async () => {
  await server?.close();
  emulator?.stop();
});

for (const browser of BROWSERS) {
  test(`fault matrix in ${browser}: typed error, stage kept, same step succeeds after the fault`, { timeout: 300_000 }, async (t) => {
    const page = await openPage(browser, `${server.origin}/`, "window.matrix !== undefined");
    try {
      const driver = {
        newClient: (options) => page.evaluate((options) => window.matrix.create(options), options),
        call: (id, method, args) =>
          page.evaluate(([id, method, args]) => window.matrix.call(id, method, args), [id, method, args]),
        stage: (id) => page.evaluate((id) => window.matrix.stage(id), id),
        dispose: (id) => page.evaluate((id) => window.matrix.dispose(id), id),
      };
      const title = `Fault matrix — browser (headless ${browser}, pkg/ in a page)`;
      await runFaultMatrix(t, { driver, emulator, clientId, title });
      assert.deepEqual(await page.evaluate(() => window.escaped), [], "uncaught errors and unhandled rejections in the page");
    } finally {
      await page.close();
    }
  });
}

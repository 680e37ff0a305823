// The OTP suite (tests/js/otp-suite.mjs) in headless Chromium and Firefox: a page imports the browser entry
// (pkg/otp.js, whose init() fetches the .wasm over HTTP), otpauth's ESM build and the suite, runs every case and
// answers [{ name, error }]; the trap cases run the same way on the probe package (target/otp-panic-probe/).
//
//   GECKODRIVER=~/.cargo/bin/geckodriver node --test --test-concurrency=1 tests/e2e/otp-browser.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { BROWSERS, RECORD_ESCAPED, openPage, servePages } from "./browser.mjs";
import { cases, trapCases } from "../js/otp-suite.mjs";

const dir = (relative) => fileURLToPath(new URL(relative, import.meta.url));
const PKG = dir("../../pkg/");
const PROBE = dir("../../target/otp-panic-probe/");
assert.ok(existsSync(`${PROBE}/otp.js`), "build the probe first: cargo xtask test builds target/otp-panic-probe/");

/** A page that loads the browser entry under `prefix` as an app would (`await init()`), then waits to be told which
 * cases to run. A failure to load is kept in `window.loadError`, as a module that fails to import reports nowhere. */
const page = (prefix) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>OTP suite</title></head><body>
${RECORD_ESCAPED}
<script type="module">
try {
  const [lib, otpauth, suite] = await Promise.all([
    import("${prefix}otp.js"),
    import("/otpauth/otpauth.esm.js"),
    import("/suite/otp-suite.mjs"),
  ]);
  await lib.default();
  window.suite = { run: (which) => suite.runCases(suite[which], lib, otpauth) };
} catch (error) {
  window.loadError = String(error?.stack ?? error);
}
</script></body></html>`;

let server;

before(async () => {
  server = await servePages({
    pages: { "/": page("/pkg/"), "/probe": page("/probe/") },
    dirs: { "/pkg/": PKG, "/probe/": PROBE, "/otpauth/": dir("../../node_modules/otpauth/dist/"), "/suite/": dir("../js/") },
  });
  // Served as application/wasm, init() compiles the module as it streams in.
  const wasm = await fetch(`${server.origin}/pkg/auth0_mfa_otp_bg.wasm`);
  assert.equal(wasm.headers.get("content-type"), "application/wasm");
  await wasm.body.cancel();
});

after(() => server?.close());

/** Opens `path` in `browser`, runs the suite's `which` list there, and asserts that every case ran and passed. */
async function runInPage(t, browser, path, which, expected, wasmPath) {
  const opened = await openPage(browser, `${server.origin}${path}`, "window.suite !== undefined || window.loadError !== undefined");
  try {
    assert.equal(await opened.evaluate(() => window.loadError ?? null), null, "the page loaded the entry, otpauth and the suite");
    // init() fetched the module over HTTP, next to the entry.
    const fetched = await opened.evaluate(() => performance.getEntriesByType("resource").map((entry) => new URL(entry.name).pathname));
    assert.ok(fetched.includes(wasmPath), `the page fetched ${wasmPath}: ${fetched.join(", ")}`);
    const started = performance.now();
    const results = await opened.evaluate((which) => window.suite.run(which), which);
    t.diagnostic(`${results.length} cases in ${Math.round(performance.now() - started)} ms (${browser})`);
    assert.deepEqual(results.map((result) => result.name), expected.map((c) => c.name), "every case ran, in order");
    // One subtest per case, so that each failure is reported by its name, with what the page saw.
    for (const { name, error } of results) {
      await t.test(name, () => {
        if (error !== null) assert.fail(`in ${browser}: ${error}`);
      });
    }
    assert.deepEqual(await opened.evaluate(() => window.escaped), [], "uncaught errors and unhandled rejections in the page");
  } finally {
    await opened.close();
  }
}

for (const browser of BROWSERS) {
  test(`OTP suite in ${browser}: every case passes against pkg/otp.js`, { timeout: 120_000 }, (t) =>
    runInPage(t, browser, "/", "cases", cases, "/pkg/auth0_mfa_otp_bg.wasm"));

  test(`OTP trap cases in ${browser}: internal_error, then every key works (probe)`, { timeout: 120_000 }, (t) =>
    runInPage(t, browser, "/probe", "trapCases", trapCases, "/probe/auth0_mfa_otp_bg.wasm"));
}

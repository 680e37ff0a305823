// The OTP suite (otp-suite.mjs) in workerd (Miniflare), where Cloudflare Workers run the package: the Worker imports
// the Workers entry (otp-workerd.js, whose .wasm arrives as a compiled WebAssembly.Module) beside a copy of the
// package, runs every case and answers [{ name, error }]. The trap cases run the same way on the probe package
// (target/otp-panic-probe/), where the fresh instance after a trap must come from that compiled module.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { startWorker } from "./workerd.mjs";
import { cases, trapCases } from "./otp-suite.mjs";

const dir = (relative) => fileURLToPath(new URL(relative, import.meta.url));
const PKG = dir("../../pkg/");
const PROBE = dir("../../target/otp-panic-probe/");
assert.ok(existsSync(`${PROBE}/otp-workerd.js`), "build the probe first: cargo xtask test builds target/otp-panic-probe/");

const WORKER = `
import * as lib from "./otp-workerd.js";
import * as otpauth from "otpauth";
import { cases, trapCases, runCases } from "./otp-suite.mjs";

const escaped = [];
addEventListener("unhandledrejection", (event) => {
  escaped.push(String(event.reason?.stack ?? event.reason));
  event.preventDefault();
});
addEventListener("error", (event) => escaped.push(String(event.error?.stack ?? event.message)));

const lists = { cases, trapCases };

export default {
  async fetch(request) {
    const results = await runCases(lists[new URL(request.url).pathname.slice(1)], lib, otpauth);
    return Response.json({ results, escaped: escaped.splice(0) });
  },
};
`;

/** The Worker as one script: the suite and otpauth (its ESM build, by the workerd conditions) bundled in, the
 * package's entry left as an import of the copied package beside it. */
async function bundle() {
  const built = await esbuild.build({
    stdin: { contents: WORKER, resolveDir: dir("./"), sourcefile: "worker.js" },
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    plugins: [{
      name: "package-beside-the-worker",
      setup(build) {
        build.onResolve({ filter: /^\.\/otp-workerd\.js$/ }, ({ path }) => ({ path, external: true }));
      },
    }],
    logLevel: "warning",
  });
  return built.outputFiles[0].text;
}

let worker, probeWorker;

before(async () => {
  const script = await bundle();
  [worker, probeWorker] = await Promise.all([startWorker({ package: PKG, script }), startWorker({ package: PROBE, script })]);
});

after(async () => {
  await Promise.all([worker?.stop(), probeWorker?.stop()]);
});

/** Runs the suite's `which` list in `running`, and asserts that every case ran and passed. */
async function runInWorker(t, running, which, expected) {
  const started = performance.now();
  const { results, escaped } = await running.step(which);
  t.diagnostic(`${results.length} cases in ${Math.round(performance.now() - started)} ms (workerd)`);
  assert.deepEqual(results.map((result) => result.name), expected.map((c) => c.name), "every case ran, in order");
  // One subtest per case, so that each failure is reported by its name, with what the Worker saw.
  for (const { name, error } of results) {
    await t.test(name, () => {
      if (error !== null) assert.fail(`in workerd: ${error}`);
    });
  }
  assert.deepEqual(escaped, [], "uncaught errors and unhandled rejections in the Worker");
}

test("OTP suite in workerd: every case passes against otp-workerd.js", { timeout: 120_000 }, (t) =>
  runInWorker(t, worker, "cases", cases));

test("OTP trap cases in workerd: internal_error, then every key works (probe)", { timeout: 120_000 }, (t) =>
  runInWorker(t, probeWorker, "trapCases", trapCases));

// `auth0-mfa-wasm/otp` from the packed package, installed into a fresh project: a Node program with no init call, a
// strict TypeScript project, a Vite page in headless Chromium and a Worker bundled as wrangler bundles it, in workerd.
// An app that imports only the OTP entry carries the OTP module and not the login module.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join } from "node:path";
import { Miniflare } from "miniflare";
import { build as viteBuild } from "vite";
import { launchChromium } from "../e2e/browser.mjs";
import { bundleWorker } from "./bundle-worker.mjs";
import { compilesInProject, freshProject, root, runInProject } from "./project.mjs";

// RFC 6238 Appendix B, SHA-256 at 1111111109 s, and RFC 4226 Appendix D, counter 9.
const SHA256_SEED = "12345678901234567890123456789012";
const AT = 1_111_111_109_000;
const PROGRAM = `
const seed = new TextEncoder().encode(${JSON.stringify(SHA256_SEED)});
const totp = new Totp({ secret: seed, algorithm: "SHA256", digits: 8 });
const hotp = new Hotp({ secret: seed.subarray(0, 20) });
const result = {
  totp: totp.generate(${AT}),
  match: totp.verify("68084774", { time: ${AT} }),
  hotp: hotp.generate(9),
  uri: parseKeyUri(totp.toUri()).algorithm,
};`;
const EXPECTED = { totp: "68084774", match: { delta: 0, step: 37037036 }, hotp: "520489", uri: "SHA256" };

let project;
let app;

before(() => {
  project = freshProject("auth0-mfa-otp-consumers", ["pkg"]);
  ({ app } = project);
});

after(() => project?.remove());

/** The files under `dir`, recursively, as paths relative to it. */
function filesIn(dir, prefix = "") {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesIn(dir, join(prefix, entry.name)) : [join(prefix, entry.name)],
  );
}

test("Node ESM: auth0-mfa-wasm/otp with no init call", () => {
  writeFileSync(
    join(app, "otp-consumer.mjs"),
    `import { Totp, Hotp, parseKeyUri } from "auth0-mfa-wasm/otp";\n${PROGRAM}\nconsole.log(JSON.stringify(result));\n`,
  );
  assert.deepEqual(JSON.parse(runInProject(app, "otp-consumer.mjs")), EXPECTED);
});

test("TypeScript: the strict OTP consumer compiles against the installed package", () => {
  compilesInProject(app, "otp-consumer.ts", [["../../pkg/otp.js", "auth0-mfa-wasm/otp"]]);
});

const MIME = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };

/** Serves `dir` on a free loopback port; resolves to the server and its origin. */
function serve(dir) {
  const server = createServer((request, response) => {
    const path = new URL(request.url, "http://x").pathname;
    try {
      const body = readFileSync(join(dir, path === "/" ? "index.html" : path));
      response.writeHead(200, { "content-type": MIME[extname(path)] ?? "text/html" }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve([server, `http://127.0.0.1:${server.address().port}`])));
}

test("Vite: a page that imports only the OTP entry ships the OTP module alone, and computes RFC codes", async (t) => {
  const site = join(app, "vite-otp");
  mkdirSync(site, { recursive: true });
  writeFileSync(join(site, "index.html"), '<!doctype html><output id="result">loading</output><script type="module" src="./main.js"></script>');
  writeFileSync(
    join(site, "main.js"),
    `import init, { Totp, Hotp, parseKeyUri } from "auth0-mfa-wasm/otp";\nawait init();\n${PROGRAM}\ndocument.getElementById("result").textContent = JSON.stringify(result);\n`,
  );
  await viteBuild({ root: site, logLevel: "warn", build: { outDir: join(site, "dist"), target: "es2022" } });
  const wasm = filesIn(join(site, "dist")).filter((file) => file.endsWith(".wasm"));
  assert.equal(wasm.length, 1, `one .wasm emitted: ${wasm}`);
  assert.match(wasm[0], /auth0_mfa_otp_bg/);
  const [server, origin] = await serve(join(site, "dist"));
  t.after(() => server.close());
  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage();
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => document.getElementById("result").textContent !== "loading", null, { timeout: 20_000 });
  assert.deepEqual(JSON.parse(await page.textContent("#result")), EXPECTED);
});

test("Vite: a page of the main entry (MfaClient and Totp) ships the login module and the OTP module", async () => {
  const site = join(app, "vite-main");
  cpSync(join(root, "tests/consumers/vite"), site, { recursive: true });
  await viteBuild({ root: site, logLevel: "warn", build: { outDir: join(site, "dist"), target: "es2022" } });
  const wasm = filesIn(join(site, "dist")).filter((file) => file.endsWith(".wasm"));
  const modules = wasm.map((file) => /auth0_mfa_(wasm|otp)_bg/.exec(file)?.[1]).sort();
  assert.deepEqual(modules, ["otp", "wasm"], `emitted: ${wasm}`);
});

test("workerd: a Worker that imports only the OTP entry bundles the OTP module alone, and computes RFC codes", async (t) => {
  const dir = join(app, "worker-otp");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "index.js"),
    `import { Totp, Hotp, parseKeyUri } from "auth0-mfa-wasm/otp";\nexport default {\n  async fetch() {${PROGRAM}\n    return Response.json(result);\n  },\n};\n`,
  );
  const script = await bundleWorker(join(dir, "index.js"), join(dir, "dist"), join(app, "node_modules"));
  const wasm = filesIn(join(dir, "dist")).filter((file) => file.endsWith(".wasm"));
  assert.equal(wasm.length, 1, `one .wasm bundled: ${wasm}`);
  assert.match(wasm[0], /auth0_mfa_otp_bg/);
  const mf = new Miniflare(script);
  t.after(() => mf.dispose());
  const response = await mf.dispatchFetch("http://worker.test/");
  assert.deepEqual(await response.json(), EXPECTED);
});

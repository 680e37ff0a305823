// The packed npm package (`npm pack pkg/`) installed into fresh projects: a Node ESM program, a strict TypeScript
// project, and the Worker example bundled as wrangler does and run in workerd (Miniflare), all against the emulator.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, copyFileSync, rmSync, cpSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, extname, normalize } from "node:path";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { Miniflare } from "miniflare";
import { createServer } from "node:http";
import { launchChromium } from "../e2e/browser.mjs";
import { build as viteBuild } from "vite";
import * as OTPAuth from "otpauth";
import { startEmulator } from "../js/emulator.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const OTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const PASSWORD = "Passw0rd!";
let work, app, emulator, emulatorUrl;

const control = (method, path, body) => emulator.control(method, path, body);

async function newUser(authenticators) {
  const username = `consumer-${randomBytes(6).toString("hex")}@example.com`;
  await control("POST", "/__emu/users", { username, password: PASSWORD, authenticators });
  return username;
}

const nowMs = async () => (await control("GET", "/__emu/clock")).now_ms;
const otpCode = async () => new OTPAuth.TOTP({ secret: OTP_SECRET }).generate({ timestamp: await nowMs() });

before(async () => {
  work = mkdtempSync(join(tmpdir(), "auth0-mfa-consumers-"));
  const [{ filename }] = JSON.parse(execFileSync("npm", ["pack", join(root, "pkg"), "--pack-destination", work, "--json"], { encoding: "utf8" }));
  app = join(work, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  // The package has no dependencies, so installing the tarball needs no registry.
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline", join(work, filename)], { cwd: app, stdio: "inherit" });
  emulator = await startEmulator();
  emulatorUrl = emulator.url;
});

after(() => {
  emulator?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test("the tarball holds the files the exports map names", () => {
  const manifest = JSON.parse(readFileSync(join(app, "node_modules/auth0-mfa-wasm/package.json"), "utf8"));
  const conditions = manifest.exports["."];
  assert.deepEqual(Object.keys(conditions), ["types", "workerd", "node", "default"]);
  for (const file of Object.values(conditions)) {
    assert.ok(readFileSync(join(app, "node_modules/auth0-mfa-wasm", file)).length > 0, file);
  }
});

test("Node ESM: import and sign in with no init call", async () => {
  copyFileSync(join(root, "tests/consumers/node-consumer.mjs"), join(app, "node-consumer.mjs"));
  const username = await newUser([{ type: "otp", secret: OTP_SECRET }]);
  const output = execFileSync(process.execPath, ["node-consumer.mjs"], {
    cwd: app,
    encoding: "utf8",
    env: { ...process.env, AUTH0_DOMAIN: emulatorUrl, AUTH0_CLIENT_ID: "spa-client", USERNAME: username, PASSWORD, OTP_SECRET, NOW_MS: String(await nowMs()) },
  });
  assert.deepEqual(JSON.parse(output), { first: "mfa_required", stage: "authenticated", tokenType: "Bearer", parts: 3 });
});

test("TypeScript: the strict consumer compiles against the installed package", () => {
  const source = readFileSync(join(root, "tests/ts/consumer.ts"), "utf8").replace("../../pkg/auth0_mfa_wasm.js", "auth0-mfa-wasm");
  assert.ok(source.includes('from "auth0-mfa-wasm"'));
  writeFileSync(join(app, "consumer.ts"), source);
  writeFileSync(join(app, "tsconfig.json"), readFileSync(join(root, "tests/ts/tsconfig.json")));
  execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", app], { stdio: "inherit" });
});

test("Worker example in workerd: OTP and push logins, sealed state, forwarded IP", async (t) => {
  const out = join(work, "worker");
  await esbuild.build({
    entryPoints: [join(root, "examples/worker/src/index.js")],
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    nodePaths: [join(app, "node_modules")],
    loader: { ".wasm": "copy" },
    outdir: out,
    logLevel: "warning",
  });
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(out, "index.js"),
    modulesRoot: out,
    modulesRules: [
      { type: "ESModule", include: ["**/*.js"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: "2026-04-01",
    bindings: {
      AUTH0_DOMAIN: emulatorUrl,
      AUTH0_CLIENT_ID: "server-client",
      AUTH0_CLIENT_SECRET: "server-client-secret",
      STATE_KEY: randomBytes(32).toString("base64"),
      PUSH_INTERVAL_MS: "1000",
    },
  });
  t.after(() => mf.dispose());
  const call = async (path, body) => {
    const response = await mf.dispatchFetch(`http://worker.test${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": "203.0.113.7" },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };

  // OTP.
  const otpUser = await newUser([{ type: "otp", secret: OTP_SECRET }]);
  await control("DELETE", "/__emu/journal");
  const login = await call("/login", { username: otpUser, password: PASSWORD });
  assert.equal(login.status, 200);
  assert.equal(login.body.stage, "mfa_required");
  assert.ok(!JSON.stringify(login.body).includes("Fe26") && login.body.state.length > 40, "the state is sealed");
  const journal = await control("GET", "/__emu/journal?path=/oauth/token");
  assert.equal(journal.at(-1).headers["auth0-forwarded-for"], "203.0.113.7", "the visitor's IP reaches Auth0");
  const tampered = await call("/challenge", { state: login.body.state.slice(0, -2) + "AA", type: "otp" });
  assert.deepEqual([tampered.status, tampered.body.error.code], [409, "invalid_state"]);
  const challenge = await call("/challenge", { state: login.body.state, type: "otp" });
  assert.equal(challenge.body.challenge.challengeType, "otp");
  const wrong = await call("/verify", { state: challenge.body.state, otp: "000000" });
  assert.deepEqual([wrong.status, wrong.body.error.code, wrong.body.error.retryable], [401, "invalid_code", true]);
  const verified = await call("/verify", { state: challenge.body.state, otp: await otpCode() });
  assert.equal(verified.body.stage, "authenticated");
  assert.equal(verified.body.tokens.accessToken.split(".").length, 3);

  // Push: pending first, then approved on the device.
  const pushUser = await newUser([{ type: "push", name: "Phone" }]);
  const pushLogin = await call("/login", { username: pushUser, password: PASSWORD });
  const listed = await call("/authenticators", { state: pushLogin.body.state });
  assert.ok(listed.body.active.some((a) => a.type === "push"), JSON.stringify(listed.body.active));
  const pushChallenge = await call("/challenge", { state: listed.body.state, type: "push" });
  assert.equal(pushChallenge.body.challenge.bindingRequired, false);
  await control("POST", `/__emu/pushes/latest/approve?user=${encodeURIComponent(pushUser)}`);
  const approved = await call("/push", { state: pushChallenge.body.state });
  assert.equal(approved.body.stage, "authenticated");
  assert.equal(approved.body.tokens.tokenType, "Bearer");
});

const MIME = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };

/** Serves `dir` on a free loopback port; resolves to the server and its origin. */
function serve(dir) {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    const file = join(dir, path === "/" ? "index.html" : path);
    if (!file.startsWith(dir) || !existsSync(file)) return response.writeHead(404).end();
    response.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve([server, `http://127.0.0.1:${server.address().port}`])));
}

test("Vite: a built page signs in from headless Chromium, across origins", async (t) => {
  const site = join(app, "vite");
  cpSync(join(root, "tests/consumers/vite"), site, { recursive: true });
  await viteBuild({ root: site, logLevel: "warn", build: { outDir: join(site, "dist"), target: "es2022" } });
  const emitted = readFileSync(join(site, "dist/index.html"), "utf8");
  assert.ok(emitted.includes("/assets/"), "Vite emitted the page's assets");
  const [server, origin] = await serve(join(site, "dist"));
  t.after(() => server.close());
  const clientId = `vite-${randomBytes(4).toString("hex")}`;
  await control("POST", "/__emu/clients", { client_id: clientId, auth_method: "none", allowed_origins: [origin] });
  const username = await newUser([{ type: "otp", secret: OTP_SECRET }]);
  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage();
  const query = new URLSearchParams({ domain: emulatorUrl, clientId, username, password: PASSWORD, secret: OTP_SECRET, now: String(await nowMs()) });
  await page.goto(`${origin}/?${query}`);
  await page.waitForFunction(() => document.getElementById("result").textContent !== "loading", null, { timeout: 20_000 });
  assert.equal(await page.textContent("#result"), "mfa_required → authenticated (Bearer)");
});

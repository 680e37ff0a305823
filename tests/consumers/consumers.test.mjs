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

// ---- the Worker example (examples/worker) in workerd, through Miniflare --------------------------------------------

const APP_ORIGIN = "https://app.example";
const EVIL_ORIGIN = "https://evil.example";
const OTP_AUTHENTICATOR = [{ type: "otp", secret: OTP_SECRET }];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let workers;

/** The Worker example bundled as wrangler bundles it and run in workerd, once for every Worker test: `bff` as it
 * would be deployed, and variants that each change one setting. */
function workerd() {
  return (workers ??= startWorkers());
}

after(async () => {
  const started = await workers?.catch(() => null);
  await started?.mf.dispose();
});

async function startWorkers() {
  const out = join(work, "worker");
  await esbuild.build({
    entryPoints: [join(root, "examples/worker/src/index.js")],
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    nodePaths: [join(app, "node_modules")],
    external: ["cloudflare:*"],
    loader: { ".wasm": "copy" },
    outdir: out,
    logLevel: "warning",
  });
  const script = {
    modules: true,
    scriptPath: join(out, "index.js"),
    modulesRoot: out,
    modulesRules: [
      { type: "ESModule", include: ["**/*.js"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: "2026-04-01",
  };
  const settings = {
    AUTH0_DOMAIN: emulatorUrl,
    AUTH0_CLIENT_ID: "server-client",
    AUTH0_CLIENT_SECRET: "server-client-secret",
    ALLOWED_ORIGINS: `${APP_ORIGIN}, https://bff.worker.test`,
    STATE_KEY: randomBytes(32).toString("base64"),
    PUSH_INTERVAL_MS: "1000",
  };
  const own = { SESSIONS: { className: "Session", useSQLite: true } };
  // Each worker answers its own host (through `dispatchFetch`: `getWorker` proxies refuse foreign Origin headers).
  const worker = (name, bindings, durableObjects = own) => ({
    name,
    routes: [`${name}.worker.test/*`],
    ...script,
    bindings,
    durableObjects,
  });
  const without = (setting) => Object.fromEntries(Object.entries(settings).filter(([name]) => name !== setting));
  const mf = new Miniflare({
    workers: [
      worker("bff", settings),
      worker("short-lived", { ...settings, STATE_TTL_SECONDS: "2" }),
      // Another application with the same key and the same sessions' namespace.
      worker("other-client", { ...settings, AUTH0_CLIENT_ID: "other-client" }, {
        SESSIONS: { className: "Session", scriptName: "bff", useSQLite: true },
      }),
      worker("bad-key", { ...settings, STATE_KEY: "not base64, and not 32 bytes" }),
      worker("short-key", { ...settings, STATE_KEY: randomBytes(16).toString("base64") }),
      worker("no-key", without("STATE_KEY")),
      worker("no-domain", without("AUTH0_DOMAIN")),
      worker("no-client-id", without("AUTH0_CLIENT_ID")),
      worker("no-origins", without("ALLOWED_ORIGINS")),
      worker("no-binding", settings, {}),
    ],
  });
  return { mf, sessions: await mf.getDurableObjectNamespace("SESSIONS", "bff") };
}

/** A page on APP_ORIGIN calling one of the workers. It keeps the session cookie as a browser does (set it to replay
 * one), and checks that every response says `Cache-Control: no-store`. */
async function workerBrowser(name = "bff") {
  const { mf } = await workerd();
  const browser = {
    cookie: null,
    /** `headers` adds to or, with null, removes the defaults: Origin, content-type for a body, the visitor's IP. */
    async fetch(method, path, { body, headers = {} } = {}) {
      const defaults = { origin: APP_ORIGIN, "cf-connecting-ip": "203.0.113.7" };
      if (body !== undefined) defaults["content-type"] = "application/json";
      if (browser.cookie) defaults.cookie = `__Host-session=${browser.cookie}`;
      const merged = Object.entries({ ...defaults, ...headers }).filter(([, value]) => value !== null);
      const text = body === undefined || typeof body === "string" ? body : JSON.stringify(body);
      const url = `https://${name}.worker.test${path}`;
      const response = await mf.dispatchFetch(url, { method, headers: merged, body: text });
      const answer = await response.text();
      const cacheControl = response.headers.get("cache-control");
      assert.equal(cacheControl, "no-store", `${method} ${path} answered ${response.status} ${answer}`);
      const setCookie = response.headers.getSetCookie().find((line) => line.startsWith("__Host-session="));
      if (setCookie) browser.cookie = /^__Host-session=([^;]*)/.exec(setCookie)[1] || null;
      const parsed = answer ? JSON.parse(answer) : null;
      return { status: response.status, headers: response.headers, setCookie, body: parsed };
    },
    post: (path, body = {}, headers) => browser.fetch("POST", path, { body, headers }),
    get: (path, headers) => browser.fetch("GET", path, { headers }),
  };
  return browser;
}

/** Logs a new OTP user in with `browser`, up to `mfa_required`. */
async function startOtpLogin(browser) {
  const username = await newUser(OTP_AUTHENTICATOR);
  const login = await browser.post("/login", { username, password: PASSWORD });
  assert.deepEqual([login.status, login.body.stage], [200, "mfa_required"], JSON.stringify(login.body));
  return username;
}

/** Signs a new OTP user in with `browser`, all the way. */
async function otpSignIn(browser) {
  const username = await startOtpLogin(browser);
  assert.equal((await browser.post("/challenge", { type: "otp" })).status, 200);
  const verified = await browser.post("/verify", { otp: await otpCode() });
  assert.deepEqual([verified.status, verified.body], [200, { stage: "authenticated" }]);
  return username;
}

const refusal = (answer) => [answer.status, answer.body?.error?.code];

test("Worker: OTP login in workerd; login state and tokens stay on the server, the browser has a cookie", async () => {
  const browser = await workerBrowser();
  const username = await newUser(OTP_AUTHENTICATOR);
  await control("DELETE", "/__emu/journal");
  const login = await browser.post("/login", { username, password: PASSWORD });
  assert.equal(login.status, 200);
  assert.equal(login.body.stage, "mfa_required");
  assert.equal(login.body.state, undefined, "no login state goes to the browser");
  const attributes = "Path=/; Secure; HttpOnly; SameSite=Strict";
  assert.match(login.setCookie, new RegExp(`^__Host-session=[A-Za-z0-9_-]{43}; ${attributes}; Max-Age=300$`));
  const journal = await control("GET", "/__emu/journal?path=/oauth/token");
  assert.equal(journal.at(-1).headers["auth0-forwarded-for"], "203.0.113.7", "the visitor's IP reaches Auth0");
  const challenge = await browser.post("/challenge", { type: "otp" });
  assert.equal(challenge.body.challenge.challengeType, "otp");
  const wrong = await browser.post("/verify", { otp: "000000" });
  assert.deepEqual([...refusal(wrong), wrong.body.error.retryable], [401, "invalid_code", true]);
  const verified = await browser.post("/verify", { otp: await otpCode() });
  assert.deepEqual([verified.status, verified.body], [200, { stage: "authenticated" }]);
  assert.match(verified.setCookie, new RegExp(`^__Host-session=[A-Za-z0-9_-]{43}; ${attributes}; Max-Age=\\d+$`));
  const me = await browser.get("/me");
  assert.equal(me.status, 200);
  assert.deepEqual([me.body.claims.name, me.body.claims.aud, me.body.claims.amr], [username, "server-client", ["mfa"]]);
  const seen = JSON.stringify([login, challenge, wrong, verified, me].map((answer) => answer.body));
  assert.ok(!/eyJ|Fe26|accessToken|idToken|refreshToken/.test(seen), `no token reaches the browser: ${seen}`);
});

test("Worker: push login in workerd, approved on the device", async () => {
  const browser = await workerBrowser();
  const username = await newUser([{ type: "push", name: "Phone" }]);
  await browser.post("/login", { username, password: PASSWORD });
  const listed = await browser.post("/authenticators");
  assert.ok(listed.body.active.some((a) => a.type === "push"), JSON.stringify(listed.body));
  const challenge = await browser.post("/challenge", { type: "push" });
  assert.equal(challenge.body.challenge.bindingRequired, false);
  await control("POST", `/__emu/pushes/latest/approve?user=${encodeURIComponent(username)}`);
  const approved = await browser.post("/push");
  assert.deepEqual([approved.status, approved.body], [200, { stage: "authenticated" }]);
  assert.equal((await browser.get("/me")).body.claims.name, username);
});

test("Worker: a login state is single-use: a request racing a step on the same state is refused", async (t) => {
  const browser = await workerBrowser();
  await startOtpLogin(browser);
  await control("DELETE", "/__emu/journal");
  // The first challenge to reach Auth0 takes half a second: the second request comes while its step runs.
  await control("POST", "/__emu/faults", { endpoint: "/mfa/challenge", delay_ms: 500 });
  t.after(() => control("DELETE", "/__emu/faults"));
  const answers = await Promise.all([1, 2].map(() => browser.post("/challenge", { type: "otp" })));
  const [won, lost] = answers.sort((a, b) => a.status - b.status);
  assert.equal(won.status, 200, JSON.stringify(won.body));
  assert.deepEqual([...refusal(lost), lost.body.error.retryable], [409, "login_busy", true]);
  assert.equal((await control("GET", "/__emu/journal?path=/mfa/challenge")).length, 1, "Auth0 saw the state once");
  // The login goes on from the state the step left.
  const verified = await browser.post("/verify", { otp: await otpCode() });
  assert.deepEqual([verified.status, verified.body.stage], [200, "authenticated"]);
});

test("Worker: a login state altered, moved to another session or opened by another app is refused", async () => {
  const { sessions } = await workerd();
  // Someone who can write the sessions' storage (not the key) edits and moves records.
  const storage = (browser) => sessions.get(sessions.idFromName(browser.cookie));
  const attacker = await workerBrowser();
  await startOtpLogin(attacker);
  const own = await storage(attacker).read("login");
  assert.deepEqual([own.kind, typeof own.sealed, own.exp - own.iat], ["login", "string", 300], "a sealed record");
  assert.ok(!own.sealed.includes("Fe26") && !JSON.stringify(own).includes("mfa_token"), "sealed, not plain");
  await storage(attacker).start({ ...own, exp: own.exp + 3600 });
  const extended = await attacker.post("/challenge", { type: "otp" });
  assert.deepEqual(refusal(extended), [409, "invalid_state"], "a lifetime is bound to its record");

  const victim = await workerBrowser();
  const victimName = await startOtpLogin(victim);
  await startOtpLogin(attacker);
  await storage(attacker).start(await storage(victim).read("login"));
  const swapped = await attacker.post("/challenge", { type: "otp" });
  assert.deepEqual(refusal(swapped), [409, "invalid_state"], "a state is bound to its session");
  assert.equal((await victim.post("/challenge", { type: "otp" })).status, 200, "the victim's login goes on");
  const verified = await victim.post("/verify", { otp: await otpCode() });
  assert.equal(verified.body.stage, "authenticated");

  // The same key and namespace under another client id: the victim's signed-in session does not open there.
  const elsewhere = await workerBrowser("other-client");
  elsewhere.cookie = victim.cookie;
  assert.deepEqual(refusal(await elsewhere.get("/me")), [401, "unauthenticated"]);
  assert.equal((await victim.get("/me")).body.claims.name, victimName);
});

test("Worker: an expired login state is refused (STATE_TTL_SECONDS)", async () => {
  const browser = await workerBrowser("short-lived");
  const username = await newUser(OTP_AUTHENTICATOR);
  const login = await browser.post("/login", { username, password: PASSWORD });
  assert.match(login.setCookie, /; Max-Age=2$/);
  assert.equal((await browser.post("/challenge", { type: "otp" })).status, 200, "in time");
  await sleep(2100);
  // The browser would have dropped the cookie by now; someone replaying it would not.
  const late = await browser.post("/verify", { otp: await otpCode() });
  assert.deepEqual([...refusal(late), late.body.error.restartRequired], [409, "invalid_state", true]);
});

test("Worker: once the login completes, no earlier session or state works", async () => {
  const browser = await workerBrowser();
  await startOtpLogin(browser);
  assert.equal((await browser.post("/challenge", { type: "otp" })).status, 200);
  const earlier = browser.cookie;
  const code = await otpCode();
  assert.equal((await browser.post("/verify", { otp: code })).body.stage, "authenticated");
  assert.notEqual(browser.cookie, earlier, "the session id changes when the login completes");
  const replay = await workerBrowser();
  replay.cookie = earlier;
  for (const [path, body] of [["/verify", { otp: code }], ["/challenge", { type: "otp" }], ["/authenticators", {}]]) {
    assert.deepEqual(refusal(await replay.post(path, body)), [409, "invalid_state"], path);
  }
  assert.deepEqual(refusal(await replay.get("/me")), [401, "unauthenticated"]);
  assert.equal((await browser.get("/me")).status, 200);
});

test("Worker: a cross-site text/plain POST is refused", async () => {
  const browser = await workerBrowser();
  const username = await newUser(OTP_AUTHENTICATOR);
  const credentials = JSON.stringify({ username, password: PASSWORD });
  // A form or a no-cors fetch from another site: no preflight, so the Worker must refuse it itself.
  const crossSite = { origin: EVIL_ORIGIN, "sec-fetch-site": "cross-site", "content-type": "text/plain" };
  assert.deepEqual(refusal(await browser.post("/login", credentials, crossSite)), [403, "forbidden_origin"]);
  // Only JSON is taken, even from an allowed origin: it cannot be sent across origins without a preflight.
  for (const type of ["text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data"]) {
    const answer = await browser.post("/login", credentials, { "content-type": type });
    assert.deepEqual(refusal(answer), [415, "unsupported_media_type"], type);
  }
  assert.equal(browser.cookie, null, "no session was opened");
  const json = await browser.post("/login", credentials);
  assert.deepEqual([json.status, json.body.stage], [200, "mfa_required"], "the same body as JSON is taken");
});

test("Worker: a request from an origin not in ALLOWED_ORIGINS is refused", async () => {
  const browser = await workerBrowser();
  const username = await newUser(OTP_AUTHENTICATOR);
  const credentials = { username, password: PASSWORD };
  const refused = {
    "another origin": { origin: EVIL_ORIGIN },
    "the allowed host over http": { origin: "http://app.example" },
    "a sandboxed page": { origin: "null" },
    "no Origin, cross-site": { origin: null, "sec-fetch-site": "cross-site" },
    "no Origin, same-site": { origin: null, "sec-fetch-site": "same-site" },
    "neither Origin nor Sec-Fetch-Site": { origin: null },
  };
  for (const [name, headers] of Object.entries(refused)) {
    const answer = await browser.post("/login", credentials, headers);
    assert.deepEqual(refusal(answer), [403, "forbidden_origin"], name);
    assert.equal(answer.headers.get("access-control-allow-origin"), null, name);
  }
  assert.deepEqual(refusal(await browser.get("/me", { origin: EVIL_ORIGIN })), [403, "forbidden_origin"]);
  const preflight = (origin) =>
    browser.fetch("OPTIONS", "/login", {
      headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
  const evil = await preflight(EVIL_ORIGIN);
  assert.deepEqual([evil.status, evil.headers.get("access-control-allow-origin")], [403, null]);
  assert.equal(browser.cookie, null, "no session was opened");

  const allowed = await preflight(APP_ORIGIN);
  assert.equal(allowed.status, 204);
  assert.equal(allowed.headers.get("access-control-allow-origin"), APP_ORIGIN);
  assert.equal(allowed.headers.get("access-control-allow-credentials"), "true");
  assert.equal(allowed.headers.get("access-control-allow-headers"), "content-type");
  const login = await browser.post("/login", credentials);
  assert.deepEqual([login.status, login.headers.get("access-control-allow-origin")], [200, APP_ORIGIN]);
  const sameOrigin = await browser.post("/login", credentials, { origin: null, "sec-fetch-site": "same-origin" });
  assert.equal(sameOrigin.status, 200, "a page of the Worker's own origin, which is listed");
});

test("Worker: a malformed STATE_KEY or a missing setting answers 500 misconfigured", async () => {
  const expected = {
    "bad-key": "STATE_KEY must be 32 bytes, base64",
    "short-key": "STATE_KEY must be 32 bytes, base64",
    "no-key": "STATE_KEY is not set",
    "no-domain": "AUTH0_DOMAIN is not set",
    "no-client-id": "AUTH0_CLIENT_ID is not set",
    "no-origins": "ALLOWED_ORIGINS is not set",
    "no-binding": "SESSIONS must be bound to the Session Durable Object",
  };
  const username = await newUser(OTP_AUTHENTICATOR);
  for (const [name, description] of Object.entries(expected)) {
    const browser = await workerBrowser(name);
    for (const answer of [await browser.post("/login", { username, password: PASSWORD }), await browser.get("/me")]) {
      assert.deepEqual([answer.status, answer.body], [500, { error: { code: "misconfigured", description } }], name);
    }
  }
});

test("Worker: /me answers the ID token's claims with the cookie, 401 without; /logout ends the session", async () => {
  const anonymous = await workerBrowser();
  assert.deepEqual(refusal(await anonymous.get("/me")), [401, "unauthenticated"]);
  anonymous.cookie = "A".repeat(43);
  assert.deepEqual(refusal(await anonymous.get("/me")), [401, "unauthenticated"], "an unknown session id");
  const midway = await workerBrowser();
  await startOtpLogin(midway);
  assert.deepEqual(refusal(await midway.get("/me")), [401, "unauthenticated"], "a login that is not complete");

  const browser = await workerBrowser();
  const username = await otpSignIn(browser);
  const me = await browser.get("/me", { origin: null, "sec-fetch-site": "same-origin" });
  assert.equal(me.status, 200);
  assert.equal(me.body.claims.name, username);
  assert.equal(typeof me.body.claims.sub, "string");
  assert.ok(!JSON.stringify(me.body).includes("eyJ"), "claims, not the raw tokens");
  const signedIn = browser.cookie;
  const out = await browser.post("/logout");
  assert.deepEqual([out.status, out.body], [200, { stage: "start" }]);
  assert.match(out.setCookie, /^__Host-session=; Path=\/; Secure; HttpOnly; SameSite=Strict; Max-Age=0$/);
  assert.equal(browser.cookie, null);
  const replay = await workerBrowser();
  replay.cookie = signedIn;
  assert.deepEqual(refusal(await replay.get("/me")), [401, "unauthenticated"], "the session is gone on the server");
});

test("Worker: every answer says Cache-Control: no-store", async () => {
  // workerBrowser checks every response; these are the kinds the other tests do not all reach.
  const browser = await workerBrowser();
  const answers = [
    await browser.get("/nowhere"),
    await browser.get("/login"),
    await browser.post("/login", "{", {}),
    await browser.post("/login", [], {}),
    await browser.post("/logout"),
    await browser.fetch("OPTIONS", "/me", { headers: { "access-control-request-method": "GET" } }),
    await (await workerBrowser("bad-key")).get("/me"),
  ];
  assert.deepEqual(
    answers.map((answer) => [answer.status, answer.body?.error?.code ?? null]),
    [[404, "not_found"], [405, "method_not_allowed"], [400, "invalid_request"], [400, "invalid_request"],
      [200, null], [204, null], [500, "misconfigured"]],
  );
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

// The npm package auth0-mfa-emulator, packed and installed into a fresh project with auth0-mfa-wasm, used as its
// users use it outside Node's own fetch: a Playwright test whose page (on https://app.example, itself served by
// page.route) signs in against `emu.fetch`, and Workers in workerd (Miniflare) that reach an emulator Worker through a
// service binding or as their outbound network, the repository's Worker example among them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createPublicKey, randomBytes, verify } from "node:crypto";
import { readFile } from "node:fs/promises";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { extname, join, relative, isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import { Miniflare } from "miniflare";
import * as OTPAuth from "otpauth";
import { launchChromium } from "../e2e/browser.mjs";
import { bundleWorker } from "./bundle-worker.mjs";
import { emulatorProject, root } from "./project.mjs";

const TENANT = "https://tenant.example";
const APP_ORIGIN = "https://app.example";
const PASSWORD = "Passw0rd!";
// The default seed's otp@example.com has this secret; the users the Worker tests add get it too.
const OTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const MFA_OTP = "http://auth0.com/oauth/grant-type/mfa-otp";
const MFA_OOB = "http://auth0.com/oauth/grant-type/mfa-oob";
const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

let project, browser, workers;

before(() => {
  project = emulatorProject("auth0-mfa-emulator-browser-workerd");
});

after(async () => {
  try {
    await browser?.close();
    await (await workers?.catch(() => null))?.dispose();
  } finally {
    project?.remove();
  }
});

/** A TOTP code of OTP_SECRET at `nowMs`, the emulator's clock. */
const totp = (nowMs) => new OTPAuth.TOTP({ secret: OTP_SECRET }).generate({ timestamp: nowMs });

/** Checks `jwt`'s RS256 signature against the tenant's JWKS (`jwks`, its JSON); returns its claims. */
function verifiedJwt(jwt, jwks) {
  const [header, payload, signature] = jwt.split(".");
  const head = JSON.parse(Buffer.from(header, "base64url"));
  assert.equal(head.alg, "RS256");
  const jwk = jwks.keys.find((key) => key.kid === head.kid);
  assert.ok(jwk, `the JWKS has the key ${head.kid}`);
  const key = createPublicKey({ key: jwk, format: "jwk" });
  const valid = verify("sha256", Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, "base64url"));
  assert.ok(valid, "the signature checks out against the tenant's JWKS");
  return JSON.parse(Buffer.from(payload, "base64url"));
}

// ---- a Playwright test: the page's requests to the tenant go to emu.fetch in this process -------------------------

const TYPES = { ".js": "text/javascript; charset=utf-8", ".wasm": "application/wasm", ".json": "application/json" };

/** The sign-in page, importing the installed library through an import map at `entry` (its browser entry). */
const signInPage = (entry) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in</title>
<script type="importmap">${JSON.stringify({ imports: { "auth0-mfa-wasm": entry } })}</script></head><body>
<form id="password-step"><input id="username" autocomplete="username"><input id="password" type="password"><button>Sign in</button></form>
<form id="otp-step" hidden><input id="otp" inputmode="numeric" autocomplete="one-time-code"><button>Verify</button></form>
<p id="status">loading</p>
<script type="module">
import init, { MfaClient } from "auth0-mfa-wasm";
await init();
let client;
const status = document.getElementById("status");
const field = (id) => document.getElementById(id).value;
/** Runs a form's step on submit; the status line says the stage it reached, or the error's code. */
function step(id, run) {
  document.getElementById(id).addEventListener("submit", (event) => {
    event.preventDefault();
    status.textContent = "working";
    run().then((stage) => (status.textContent = stage), (error) => (status.textContent = "error: " + error.code));
  });
}
step("password-step", async () => {
  client = new MfaClient({ domain: "${TENANT}", clientId: "spa-client" });
  const { stage } = await client.login(field("username"), field("password"));
  if (stage === "mfa_required") {
    const { active } = await client.authenticators();
    await client.challenge(active.find((authenticator) => authenticator.type === "otp").id);
    document.getElementById("otp-step").hidden = false;
  }
  return client.stage;
});
step("otp-step", async () => {
  window.accessToken = (await client.verifyOtp(field("otp"))).accessToken;
  return client.stage;
});
status.textContent = "ready";
</script></body></html>`;

// What the Fetch standard lets a page send across origins without a preflight.
const SAFELISTED = new Set(["accept", "accept-language", "content-language", "content-type"]);
const SIMPLE_TYPES = new Set(["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"]);
// Headers Chromium sets itself: they never make a request need a preflight.
const BROWSER_SET = /^(origin|referer|user-agent|host|connection|cookie|accept-encoding|sec-.*)$/;

/** Whether a page's header `name: value` may go across origins without a preflight. */
const safelisted = (name, value) =>
  BROWSER_SET.test(name) || (SAFELISTED.has(name) && (name !== "content-type" || SIMPLE_TYPES.has(value.split(";")[0].trim())));

/** The preflight Chromium sends before `request` to another origin (`{ method, headers }`), or null if none. */
function preflightOf(request) {
  const unsafe = Object.entries(request.headers())
    .filter(([name, value]) => !safelisted(name, value))
    .map(([name]) => name)
    .sort();
  const simple = ["GET", "HEAD", "POST"].includes(request.method());
  return simple && unsafe.length === 0 ? null : { method: request.method(), headers: unsafe };
}

/** Whether a CORS answer lets `origin` read it: what Chromium checks, with credentials or not. */
const allows = (response, origin) => [origin, "*"].includes(response.headers.get("access-control-allow-origin"));

/** Playwright's request as a `Request` for emu.fetch. */
function toRequest(request) {
  const method = request.method();
  const body = ["GET", "HEAD", "OPTIONS"].includes(method) ? undefined : request.postDataBuffer() ?? undefined;
  return new Request(request.url(), { method, headers: request.headers(), body });
}

test("Chromium: a page on https://app.example signs in with OTP; page.route answers the tenant with emu.fetch", async () => {
  // Resolved from the project's node_modules through the exports map, as the user's test would import it.
  const requireInApp = createRequire(join(project.app, "package.json"));
  const entry = requireInApp.resolve("auth0-mfa-emulator");
  assert.equal(relative(join(project.app, "node_modules/auth0-mfa-emulator"), entry), "node.js", "the node condition");
  const { Emulator } = await import(pathToFileURL(entry));
  const emu = new Emulator({ publicUrl: TENANT });
  const library = join(project.app, "node_modules/auth0-mfa-wasm");
  const libraryEntry = JSON.parse(readFileSync(join(library, "package.json"), "utf8")).exports["."].default;
  const html = signInPage(`/node_modules/auth0-mfa-wasm/${libraryEntry.replace(/^\.\//, "")}`);

  browser = await launchChromium();
  const tab = await browser.newPage();
  const escaped = [];
  tab.on("pageerror", (error) => escaped.push(String(error)));
  // The app's origin, without a server: the page and the installed packages' files.
  await tab.route(`${APP_ORIGIN}/**`, async (route) => {
    const { pathname } = new URL(route.request().url());
    if (pathname === "/") return route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: html });
    const modules = join(project.app, "node_modules");
    const file = join(project.app, decodeURIComponent(pathname));
    const inside = relative(modules, file);
    const type = TYPES[extname(file)];
    if (!pathname.startsWith("/node_modules/") || !type || inside.startsWith("..") || isAbsolute(inside)) return route.fulfill({ status: 404 });
    return route.fulfill({ status: 200, contentType: type, body: await readFile(file).catch(() => "") });
  });

  // While routing, Playwright answers CORS preflights itself (204, allowing whatever was asked; no handler sees
  // them) and route.fulfill adds Access-Control-Allow-Origin to an answer without one, so Chromium would check
  // nothing. The handler therefore asks the emulator the preflight Chromium would send, and blocks what Chromium
  // would block against a real tenant.
  const routed = [];
  const preflights = [];
  const blocked = [];
  await tab.route(`${TENANT}/**`, async (route) => {
    const request = route.request();
    const { pathname } = new URL(request.url());
    const origin = request.headers().origin;
    routed.push(`${request.method()} ${pathname}`);
    const preflight = request.method() === "OPTIONS" ? null : preflightOf(request);
    if (origin && preflight) {
      const headers = { origin, "access-control-request-method": preflight.method };
      if (preflight.headers.length) headers["access-control-request-headers"] = preflight.headers.join(",");
      const answer = await emu.fetch(request.url(), { method: "OPTIONS", headers });
      const allowedHeaders = (answer.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(/\s*,\s*/);
      const allowedMethods = (answer.headers.get("access-control-allow-methods") ?? "").toUpperCase().split(/\s*,\s*/);
      const passes = answer.ok && allows(answer, origin) && preflight.headers.every((name) => allowedHeaders.includes(name))
        && (["GET", "HEAD", "POST"].includes(preflight.method) || allowedMethods.includes(preflight.method));
      preflights.push({ path: pathname, ...preflight, status: answer.status, passes });
      if (!passes) {
        blocked.push(`OPTIONS ${pathname}`);
        return route.abort("failed");
      }
    }
    const response = await emu.fetch(toRequest(request));
    if (origin && !allows(response, origin)) {
      const { error } = await response.json().catch(() => ({}));
      blocked.push(`${request.method()} ${pathname} ${response.status} ${error}`);
      return route.abort("failed");
    }
    await route.fulfill({ status: response.status, headers: Object.fromEntries(response.headers), body: Buffer.from(await response.arrayBuffer()) });
  });

  await tab.goto(`${APP_ORIGIN}/`);
  const status = tab.locator("#status");
  await tab.waitForFunction(() => document.getElementById("status").textContent === "ready", null, { timeout: 20_000 });
  /** Submits a form and resolves the status line once its step ends. */
  async function submit(form) {
    await tab.click(`#${form} button`);
    await tab.waitForFunction(() => !["ready", "working"].includes(document.getElementById("status").textContent), null, { timeout: 20_000 });
    return status.textContent();
  }

  // spa-client does not list https://app.example (the default seed has loopback origins only): the tenant refuses
  // the request, without CORS headers, so the page cannot read the answer.
  await tab.fill("#username", "otp@example.com");
  await tab.fill("#password", PASSWORD);
  assert.equal(await submit("password-step"), "error: network_error");
  assert.deepEqual(blocked, ["POST /oauth/token 403 access_denied"]);

  const client = await emu.control("POST", "/__emu/clients/spa-client", { allowed_origins: [APP_ORIGIN] });
  assert.deepEqual(client.allowed_origins, [APP_ORIGIN]);
  await emu.control("DELETE", "/__emu/journal");
  blocked.length = 0;
  routed.length = 0;
  assert.equal(await submit("password-step"), "challenged");
  const { now_ms: nowMs } = await emu.clock();
  await tab.fill("#otp", totp(nowMs));
  assert.equal(await submit("otp-step"), "authenticated");
  assert.deepEqual(blocked, []);
  assert.deepEqual(escaped, []);

  // No preflight reached the handler (Playwright answered them); the grants are simple form posts, and the Bearer
  // GET and the JSON challenge needed a preflight, which the emulator allowed.
  assert.deepEqual(routed, ["POST /oauth/token", "GET /mfa/authenticators", "POST /mfa/challenge", "POST /oauth/token"]);
  assert.deepEqual(preflights, [
    { path: "/mfa/authenticators", method: "GET", headers: ["authorization"], status: 204, passes: true },
    { path: "/mfa/challenge", method: "POST", headers: ["content-type"], status: 204, passes: true },
  ]);

  // The tenant saw every step from the page's origin.
  const journal = await emu.control("GET", "/__emu/journal");
  assert.deepEqual(journal.map((entry) => [entry.method, entry.path, entry.body?.grant_type ?? null, entry.status]), [
    ["POST", "/oauth/token", "password", 403],
    ["GET", "/mfa/authenticators", null, 200],
    ["POST", "/mfa/challenge", null, 200],
    ["POST", "/oauth/token", MFA_OTP, 200],
  ]);
  for (const entry of journal) assert.equal(entry.headers.origin, APP_ORIGIN, `${entry.method} ${entry.path}`);

  const accessToken = await tab.evaluate(() => window.accessToken);
  const jwks = await (await emu.fetch(`${TENANT}/.well-known/jwks.json`)).json();
  const claims = verifiedJwt(accessToken, jwks);
  assert.equal(claims.iss, `${TENANT}/`);
  assert.equal(typeof claims.sub, "string");
});

test("Chromium: the emulator inside the page (the package's browser entry), an OTP login through its fetch", async () => {
  const manifest = (name) => JSON.parse(readFileSync(join(project.app, "node_modules", name, "package.json"), "utf8"));
  const entry = (name) => `/node_modules/${name}/${manifest(name).exports["."].default.replace(/^\.\//, "")}`;
  const imports = { "auth0-mfa-emulator": entry("auth0-mfa-emulator"), "auth0-mfa-wasm": entry("auth0-mfa-wasm") };
  const html = `<!doctype html><meta charset="utf-8"><title>in-page tenant</title>
<script type="importmap">${JSON.stringify({ imports })}</script>`;
  browser ??= await launchChromium();
  const tab = await browser.newPage();
  const network = [];
  tab.on("request", (request) => network.push(request.url()));
  await tab.route(`${APP_ORIGIN}/**`, async (route) => {
    const { pathname } = new URL(route.request().url());
    if (pathname === "/") return route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: html });
    const file = join(project.app, decodeURIComponent(pathname));
    const inside = relative(join(project.app, "node_modules"), file);
    if (inside.startsWith("..") || isAbsolute(inside) || !TYPES[extname(file)]) return route.fulfill({ status: 404 });
    return route.fulfill({ status: 200, contentType: TYPES[extname(file)], body: await readFile(file) });
  });
  await tab.goto(`${APP_ORIGIN}/`);
  const result = await tab.evaluate(async ({ tenant, password, secret }) => {
    const { Emulator } = await import("auth0-mfa-emulator");
    const { default: init, MfaClient, Totp } = await import("auth0-mfa-wasm");
    await init();
    const emu = new Emulator({ publicUrl: tenant });
    const client = new MfaClient({ domain: tenant, clientId: "spa-client", fetch: emu.fetch });
    const first = (await client.login("otp@example.com", password)).stage;
    await client.challenge({ type: "otp" });
    const { now_ms: now } = await emu.clock();
    const tokens = await client.verifyOtp(new Totp({ secret }).generate(now));
    return { first, stage: client.stage, iss: JSON.parse(atob(tokens.accessToken.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))).iss };
  }, { tenant: TENANT, password: PASSWORD, secret: OTP_SECRET });
  assert.deepEqual(result, { first: "mfa_required", stage: "authenticated", iss: `${TENANT}/` });
  assert.ok(network.every((url) => url.startsWith(`${APP_ORIGIN}/`)), `only the page's own files were fetched: ${network.join(", ")}`);
  assert.ok(network.some((url) => url.endsWith("/auth0_mfa_emulator_bg.wasm")), "the browser entry fetched its wasm");
  await tab.close();
});

// ---- Workers in workerd: an emulator Worker, reached by a service binding or as the outbound network -------------

// The emulator as a Worker: one module-level Emulator for the isolate's life answers every request, control plane
// included.
const EMULATOR_WORKER = `import { Emulator } from "auth0-mfa-emulator";
const emu = new Emulator({ publicUrl: "${TENANT}" });
export default { fetch: (request) => emu.fetch(request) };
`;

// A Worker under test: signs a user in with the emulator as its service binding AUTH0.
const APP_WORKER = `import { MfaClient } from "auth0-mfa-wasm";
export default {
  async fetch(request, env) {
    const { username, password, otp } = await request.json();
    const client = new MfaClient({
      domain: env.AUTH0_DOMAIN,
      clientId: env.AUTH0_CLIENT_ID,
      clientSecret: env.AUTH0_CLIENT_SECRET,
      fetch: (input, init) => env.AUTH0.fetch(input, init),
    });
    try {
      const stages = [(await client.login(username, password)).stage];
      const { active } = await client.authenticators();
      await client.challenge({ type: "otp" });
      stages.push(client.stage);
      const { accessToken } = await client.verifyOtp(otp);
      stages.push(client.stage);
      return Response.json({ stages, active: active.map((authenticator) => authenticator.type), accessToken });
    } catch (error) {
      return Response.json({ error: error.code ?? String(error) }, { status: 500 });
    }
  },
};
`;

/** Miniflare with the Workers, started once for the Worker tests. */
const workerd = () => (workers ??= startWorkers());

async function startWorkers() {
  const work = join(project.app, "..");
  writeFileSync(join(project.app, "emulator-worker.js"), EMULATOR_WORKER);
  writeFileSync(join(project.app, "app-worker.js"), APP_WORKER);
  // Bundled as wrangler bundles it, without nodejs_compat: the Workers entry must not need Node.
  const modules = join(project.app, "node_modules");
  const emulator = await bundleWorker(join(project.app, "emulator-worker.js"), join(work, "out-emulator"), modules);
  const app = await bundleWorker(join(project.app, "app-worker.js"), join(work, "out-app"), modules);
  const example = await bundleWorker(join(root, "examples/worker/src/index.js"), join(work, "out-example"), modules);
  const bff = {
    AUTH0_DOMAIN: TENANT,
    ALLOWED_ORIGINS: APP_ORIGIN,
    STATE_KEY: randomBytes(32).toString("base64"),
  };
  const sessions = { SESSIONS: { className: "Session", useSQLite: true } };
  return new Miniflare({
    workers: [
      { name: "emulator", routes: ["tenant.example/*"], ...emulator },
      {
        name: "app",
        routes: ["app.worker.test/*"],
        ...app,
        bindings: { AUTH0_DOMAIN: TENANT, AUTH0_CLIENT_ID: "server-client", AUTH0_CLIENT_SECRET: "server-client-secret" },
        serviceBindings: { AUTH0: "emulator" },
      },
      // examples/worker as deployed, with its recommended private_key_jwt, and with the client secret: its global
      // fetch goes to the emulator Worker.
      {
        name: "bff",
        routes: ["bff.worker.test/*"],
        ...example,
        bindings: {
          ...bff,
          AUTH0_CLIENT_ID: "jwt-client",
          AUTH0_CLIENT_ASSERTION_KEY: readFileSync(join(root, "emulator/keys/TEST-ONLY-client-assertion.private.pem"), "utf8"),
        },
        durableObjects: sessions,
        outboundService: "emulator",
      },
      {
        name: "bff-secret",
        routes: ["bff-secret.worker.test/*"],
        ...example,
        bindings: { ...bff, AUTH0_CLIENT_ID: "server-client", AUTH0_CLIENT_SECRET: "server-client-secret" },
        durableObjects: sessions,
        outboundService: "emulator",
      },
    ],
  });
}

/** The control plane of the emulator Worker: resolves its JSON, or fails on an error status. */
async function control(method, path, body) {
  const init = body === undefined ? { method } : { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
  const response = await (await workerd()).dispatchFetch(`${TENANT}${path}`, init);
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Adds a user with `authenticators` to the emulator Worker's tenant; resolves the username. */
async function newUser(authenticators) {
  const username = `workerd-${randomBytes(6).toString("hex")}@example.com`;
  await control("POST", "/__emu/users", { username, password: PASSWORD, authenticators });
  return username;
}

const otpNow = async () => totp((await control("GET", "/__emu/clock")).now_ms);

/** The journal from `username`'s password grant on (the tests run one at a time). */
async function loginJournal(username) {
  const journal = await control("GET", "/__emu/journal");
  const start = journal.findIndex((entry) => entry.body?.username === username);
  assert.ok(start >= 0, `the tenant saw ${username}'s password grant`);
  return journal.slice(start);
}

test("workerd: a Worker signs in with OTP through its service binding to the emulator Worker", async () => {
  const username = await newUser([{ type: "otp", secret: OTP_SECRET }]);
  await control("DELETE", "/__emu/journal");
  const response = await (await workerd()).dispatchFetch("https://app.worker.test/", {
    method: "POST",
    body: JSON.stringify({ username, password: PASSWORD, otp: await otpNow() }),
  });
  const answer = await response.json();
  assert.equal(response.status, 200, JSON.stringify(answer));
  assert.deepEqual([answer.stages, answer.active], [["mfa_required", "challenged", "authenticated"], ["otp"]]);
  const journal = await loginJournal(username);
  assert.deepEqual(journal.map((entry) => [entry.path, entry.body?.grant_type ?? null, entry.status]), [
    ["/oauth/token", "password", 403],
    ["/mfa/authenticators", null, 200],
    ["/mfa/challenge", null, 200],
    ["/oauth/token", MFA_OTP, 200],
  ]);
  assert.equal(journal.at(-1).body.client_secret, "[redacted]", "server-client sent its secret");
  const claims = verifiedJwt(answer.accessToken, await control("GET", "/.well-known/jwks.json"));
  assert.equal(claims.iss, `${TENANT}/`);
});

/** A page on APP_ORIGIN calling the example Worker `name`; keeps its session cookie as a browser does. */
function exampleBrowser(name) {
  let cookie = null;
  return async (method, path, body) => {
    const headers = { origin: APP_ORIGIN, "cf-connecting-ip": "203.0.113.7" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (cookie) headers.cookie = `__Host-session=${cookie}`;
    const init = { method, headers, body: body === undefined ? undefined : JSON.stringify(body) };
    const response = await (await workerd()).dispatchFetch(`https://${name}.worker.test${path}`, init);
    const setCookie = response.headers.getSetCookie().find((line) => line.startsWith("__Host-session="));
    if (setCookie) cookie = /^__Host-session=([^;]*)/.exec(setCookie)[1] || null;
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
}

test("workerd: examples/worker's OTP path, its global fetch routed to the emulator Worker (outboundService)", async () => {
  for (const [name, clientId, credential] of [["bff", "jwt-client", "client_assertion"], ["bff-secret", "server-client", "client_secret"]]) {
    const call = exampleBrowser(name);
    const username = await newUser([{ type: "otp", secret: OTP_SECRET }]);
    const login = await call("POST", "/login", { username, password: PASSWORD });
    assert.deepEqual([login.status, login.body.stage], [200, "mfa_required"], `${name}: ${JSON.stringify(login.body)}`);
    const listed = await call("POST", "/authenticators", {});
    assert.deepEqual(listed.body.active.map((authenticator) => authenticator.type), ["otp"], name);
    const challenge = await call("POST", "/challenge", { type: "otp" });
    assert.equal(challenge.body.challenge?.challengeType, "otp", `${name}: ${JSON.stringify(challenge.body)}`);
    const wrong = await call("POST", "/verify", { otp: "000000" });
    assert.deepEqual([wrong.status, wrong.body.error.code], [401, "invalid_code"], name);
    const verified = await call("POST", "/verify", { otp: await otpNow() });
    assert.deepEqual([verified.status, verified.body], [200, { stage: "authenticated" }], name);
    const me = await call("GET", "/me");
    assert.deepEqual([me.status, me.body.claims.name, me.body.claims.aud, me.body.claims.iss], [200, username, clientId, `${TENANT}/`], name);

    // Each request reached the emulator authenticated by the Worker's credential, the visitor's IP forwarded.
    const journal = await loginJournal(username);
    assert.deepEqual(journal.map((entry) => [entry.path, entry.body?.grant_type ?? null, entry.status]), [
      ["/oauth/token", "password", 403],
      ["/mfa/authenticators", null, 200],
      ["/mfa/challenge", null, 200],
      ["/oauth/token", MFA_OTP, 403],
      ["/oauth/token", MFA_OTP, 200],
    ], name);
    assert.equal(journal[0].headers["auth0-forwarded-for"], "203.0.113.7", name);
    for (const entry of journal.filter((entry) => entry.method === "POST")) {
      assert.equal(entry.body[credential], "[redacted]", `${name}: ${entry.path} ${credential}`);
      if (credential === "client_assertion") assert.equal(entry.body.client_assertion_type, ASSERTION_TYPE, name);
    }
  }
});

test("workerd: examples/worker's push path: /push waits while the push is pending, and signs in once it is approved", async () => {
  const call = exampleBrowser("bff");
  const username = await newUser([{ type: "push", name: "Phone" }]);
  assert.equal((await call("POST", "/login", { username, password: PASSWORD })).body.stage, "mfa_required");
  const listed = await call("POST", "/authenticators", {});
  assert.ok(listed.body.active.some((authenticator) => authenticator.type === "push"), JSON.stringify(listed.body));
  const challenge = await call("POST", "/challenge", { type: "push" });
  assert.deepEqual([challenge.status, challenge.body.challenge?.bindingRequired], [200, false], JSON.stringify(challenge.body));

  // The Worker polls every 5 s (its default, Auth0's minimum interval) for at most 12 s a request: the user
  // approves on the device once the first poll was told the push is pending, and the second poll signs in.
  const waiting = call("POST", "/push", {});
  const query = `/__emu/pushes?state=pending&user=${encodeURIComponent(username)}`;
  const deadline = Date.now() + 10_000;
  while (!((await control("GET", query))[0]?.polls >= 1)) {
    assert.ok(Date.now() < deadline, "the Worker polled the push within 10 s");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const approved = await control("POST", `/__emu/pushes/latest/approve?user=${encodeURIComponent(username)}`);
  assert.equal(approved.state, "approved");
  const pushed = await waiting;
  assert.deepEqual([pushed.status, pushed.body], [200, { stage: "authenticated" }]);
  assert.equal((await call("GET", "/me")).body.claims.name, username);

  const polls = (await loginJournal(username)).filter((entry) => entry.body?.grant_type === MFA_OOB);
  assert.deepEqual(polls.map((entry) => entry.status), [400, 200], "pending, then approved, without polling too fast");
});

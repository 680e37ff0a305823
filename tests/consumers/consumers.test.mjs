// The packed npm package (`npm pack pkg/`) installed into fresh projects: a Node ESM program, the README's refresh,
// private_key_jwt and DPoP examples as written, a strict TypeScript project, and the Worker example bundled as
// wrangler does and run in workerd (Miniflare), all against the emulator.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, copyFileSync, cpSync, existsSync } from "node:fs";
import { join, extname, normalize } from "node:path";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { createServer } from "node:http";
import { launchChromium } from "../e2e/browser.mjs";
import { build as viteBuild } from "vite";
import * as OTPAuth from "otpauth";
import { startEmulator } from "../js/emulator.mjs";
import { bundleWorker } from "./bundle-worker.mjs";
import { compilesInProject, freshProject } from "./project.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const OTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const PASSWORD = "Passw0rd!";
// The private key of the emulator's seeded private_key_jwt client, `jwt-client` (a committed test key).
const KEY_FILE = join(root, "emulator/keys/TEST-ONLY-client-assertion.private.pem");
const SIGNING_KEY = readFileSync(KEY_FILE, "utf8");
const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
let project, work, app, emulator, emulatorUrl;

const control = (method, path, body) => emulator.control(method, path, body);

async function newUser(authenticators) {
  const username = `consumer-${randomBytes(6).toString("hex")}@example.com`;
  await control("POST", "/__emu/users", { username, password: PASSWORD, authenticators });
  return username;
}

const nowMs = async () => (await control("GET", "/__emu/clock")).now_ms;
const otpCode = async () => new OTPAuth.TOTP({ secret: OTP_SECRET }).generate({ timestamp: await nowMs() });

before(async () => {
  project = freshProject("auth0-mfa-consumers", ["pkg"]);
  ({ work, app } = project);
  emulator = await startEmulator();
  emulatorUrl = emulator.url;
});

after(() => {
  emulator?.stop();
  project?.remove();
});

test("the tarball holds the files the exports map names, for the main entry and the OTP entry", () => {
  const manifest = JSON.parse(readFileSync(join(app, "node_modules/auth0-mfa-wasm/package.json"), "utf8"));
  for (const entry of [".", "./otp"]) {
    const conditions = manifest.exports[entry];
    assert.deepEqual(Object.keys(conditions), ["types", "workerd", "node", "default"], entry);
    for (const file of Object.values(conditions)) {
      assert.ok(readFileSync(join(app, "node_modules/auth0-mfa-wasm", file)).length > 0, `${entry}: ${file}`);
    }
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

/** The README's examples of its section "Refresh tokens, private_key_jwt and DPoP", as they are written there, put
 * into tests/consumers/readme-extras.mjs. The placeholders they leave to the reader are filled in; if the README
 * changes one, or adds or drops an example, this fails and says which. */
function readmeExtrasProgram() {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = /\n## Refresh tokens, private_key_jwt and DPoP\n([\s\S]*?)\n## /.exec(readme)?.[1];
  assert.ok(section, "README.md has the section");
  const blocks = [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1]);
  assert.equal(blocks.length, 3, "the section's examples: refresh, private_key_jwt, DPoP");
  const example = (needle) => {
    const found = blocks.filter((block) => block.includes(needle));
    assert.equal(found.length, 1, `one example uses ${needle}`);
    return found[0];
  };
  const fill = (snippet, placeholder, code) => {
    assert.equal(snippet.split(placeholder).length, 2, `the README example leaves "${placeholder}" to the reader`);
    return snippet.replace(placeholder, () => code);
  };
  const snippets = {
    refresh: fill(
      example("client.refresh("),
      "/* authenticators(), challenge(…), verifyOtp(…) as after a password */",
      'await client.authenticators(); await client.challenge({ type: "otp" }); mfaTokens = await client.verifyOtp(await otpNow());',
    ),
    private_key_jwt: example("clientAssertionSigningKey"),
    dpop: fill(example("dpopProof"), "// … login and MFA as above …", "const tokens = await signIn(client, E.DPOP_USER);"),
  };
  let program = readFileSync(join(root, "tests/consumers/readme-extras.mjs"), "utf8");
  for (const [name, code] of Object.entries(snippets)) {
    const marker = `//@readme:${name}`;
    assert.equal(program.split(marker).length, 2, marker);
    program = program.replace(marker, () => code);
  }
  return program;
}

test("README: the refresh, private_key_jwt and DPoP examples run as written, in Node, against the emulator", async () => {
  writeFileSync(join(app, "readme-extras.mjs"), readmeExtrasProgram());
  const tag = randomBytes(4).toString("hex");
  const clients = { REFRESH_CLIENT: {}, MFA_REFRESH_CLIENT: { mfa_on_refresh: "always" }, DPOP_CLIENT: { dpop: "allowed" } };
  const env = { AUTH0_DOMAIN: emulatorUrl, JWT_CLIENT: "jwt-client", KEY_FILE, PASSWORD, OTP_SECRET };
  for (const [name, settings] of Object.entries(clients)) {
    env[name] = `readme-${name.toLowerCase()}-${tag}`;
    await control("POST", "/__emu/clients", { client_id: env[name], auth_method: "none", allowed_origins: [], ...settings });
  }
  for (const name of ["REFRESH_USER", "MFA_REFRESH_USER", "JWT_USER", "DPOP_USER"]) env[name] = await newUser([{ type: "otp", secret: OTP_SECRET }]);
  await control("DELETE", "/__emu/journal");
  const output = execFileSync(process.execPath, ["readme-extras.mjs"], { cwd: app, encoding: "utf8", env: { ...process.env, ...env } });
  const report = JSON.parse(output);
  const spent = { code: "invalid_refresh_token", isInvalidRefreshToken: true, restartRequired: true };
  assert.deepEqual(report.refresh, { stage: "authenticated", rotated: true, spentToken: spent });
  assert.deepEqual(report.refreshWithMfa, { stage: "mfa_required", rotated: true, spentToken: spent }, "the MFA grant's token included");
  assert.deepEqual(report.privateKeyJwt, {
    stage: "authenticated", tokenType: "Bearer", aud: "jwt-client", bothGiven: "invalid_option", keyThatDoesNotImport: "invalid_option",
  });
  assert.deepEqual(report.dpop, {
    tokenType: "DPoP", apiCalls: 1, url: "https://api.example.com/me", authorization: true, typ: "dpop+jwt", alg: "ES256",
    privateMembers: [], htm: "GET", htu: "https://api.example.com/me", ath: true, boundToTheKey: true, keyIsTheCallers: true, signature: true,
  });
  // What the tenant saw: a new assertion on every request of jwt-client (none from the key that did not import), and
  // the DPoP client's first request met use_dpop_nonce and went again once, with the nonce.
  const sent = (path, clientId) => control("GET", `/__emu/journal?path=${path}`).then((all) => all.filter((e) => e.body.client_id === clientId));
  const jwt = [...(await sent("/oauth/token", "jwt-client")), ...(await sent("/mfa/challenge", "jwt-client"))];
  assert.deepEqual(jwt.map((e) => [e.body.grant_type ?? e.path, e.status]).sort(), [
    ["/mfa/challenge", 200], ["http://auth0.com/oauth/grant-type/mfa-otp", 200], ["password", 403],
  ]);
  for (const entry of jwt) {
    assert.deepEqual([entry.body.client_assertion_type, entry.body.client_assertion, entry.body.client_secret], [ASSERTION_TYPE, "[redacted]", undefined]);
  }
  const dpop = (await sent("/oauth/token", env.DPOP_CLIENT)).map((e) => `${e.body.grant_type} ${e.status}`);
  assert.deepEqual(dpop, ["password 400", "password 403", "http://auth0.com/oauth/grant-type/mfa-otp 200"]);
});

test("TypeScript: the strict consumer compiles against the installed package", () => {
  compilesInProject(app, "consumer.ts", [["../../pkg/index.js", "auth0-mfa-wasm"]]);
});

// ---- the Worker example (examples/worker) in workerd, through Miniflare --------------------------------------------

const APP_ORIGIN = "https://app.example";
const EVIL_ORIGIN = "https://evil.example";
const OTP_AUTHENTICATOR = [{ type: "otp", secret: OTP_SECRET }];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let workers;

/** The Worker example bundled as wrangler bundles it and run in workerd, once for every Worker test: `bff` as it
 * would be deployed, with its recommended private_key_jwt (`jwt-client` and its test key), `with-secret` with the
 * client secret instead (`server-client`), and variants that each change one setting. */
function workerd() {
  return (workers ??= startWorkers());
}

after(async () => {
  const started = await workers?.catch(() => null);
  await started?.mf.dispose();
});

async function startWorkers() {
  const script = await bundleWorker(join(root, "examples/worker/src/index.js"), join(work, "worker"), join(app, "node_modules"));
  const settings = {
    AUTH0_DOMAIN: emulatorUrl,
    AUTH0_CLIENT_ID: "jwt-client",
    AUTH0_CLIENT_ASSERTION_KEY: SIGNING_KEY,
    AUTH0_CLIENT_ASSERTION_ALG: "RS256",
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
  const without = (...names) => Object.fromEntries(Object.entries(settings).filter(([name]) => !names.includes(name)));
  const withSecret = {
    ...without("AUTH0_CLIENT_ASSERTION_KEY", "AUTH0_CLIENT_ASSERTION_ALG"),
    AUTH0_CLIENT_ID: "server-client",
    AUTH0_CLIENT_SECRET: "server-client-secret",
  };
  const unknownRsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
  const mf = new Miniflare({
    workers: [
      worker("bff", settings),
      worker("with-secret", withSecret),
      // Both credentials: the key is used (jwt-client refuses a secret). The PEM with its line breaks escaped.
      worker("both-credentials", { ...settings, AUTH0_CLIENT_SECRET: "server-client-secret" }),
      worker("escaped-key", { ...settings, AUTH0_CLIENT_ASSERTION_KEY: SIGNING_KEY.trim().replace(/\n/g, "\\n") }),
      worker("no-offline-access", { ...settings, AUTH0_SCOPE: "openid profile email" }),
      worker("bad-assertion-key", { ...settings, AUTH0_CLIENT_ASSERTION_KEY: "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n" }),
      worker("pkcs1-key", { ...settings, AUTH0_CLIENT_ASSERTION_KEY: unknownRsa.export({ type: "pkcs1", format: "pem" }) }),
      worker("bad-assertion-alg", { ...settings, AUTH0_CLIENT_ASSERTION_ALG: "ES256" }),
      worker("no-credentials", without("AUTH0_CLIENT_ASSERTION_KEY")),
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
const MFA_OTP = "http://auth0.com/oauth/grant-type/mfa-otp";
const MFA_OOB = "http://auth0.com/oauth/grant-type/mfa-oob";

/** The requests that reached the tenant's client-authenticating endpoints since the journal was emptied. */
async function sentToAuth0() {
  const entries = [...(await control("GET", "/__emu/journal?path=/oauth/token")), ...(await control("GET", "/__emu/journal?path=/mfa/challenge"))];
  return entries.sort((a, b) => a.seq - b.seq);
}

/** Those requests were, in order, `expected` (a grant type or a path), each authenticated by `method` alone. */
async function authenticatedBy(method, expected) {
  const entries = await sentToAuth0();
  assert.deepEqual(entries.map((entry) => entry.body.grant_type ?? entry.path), expected);
  for (const { body } of entries) {
    const seen = [body.client_assertion_type, body.client_assertion, body.client_secret];
    const wanted = method === "private_key_jwt" ? [ASSERTION_TYPE, "[redacted]", undefined] : [undefined, undefined, "[redacted]"];
    assert.deepEqual(seen, wanted, `${method}: ${body.grant_type ?? "/mfa/challenge"}`);
  }
}

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
  assert.deepEqual([me.body.claims.name, me.body.claims.aud, me.body.claims.amr], [username, "jwt-client", ["mfa"]]);
  const seen = JSON.stringify([login, challenge, wrong, verified, me].map((answer) => answer.body));
  assert.ok(!/eyJ|Fe26|accessToken|idToken|refreshToken|PRIVATE KEY/.test(seen), `no token reaches the browser: ${seen}`);
  await authenticatedBy("private_key_jwt", ["password", "/mfa/challenge", MFA_OTP, MFA_OTP]);
});

test("Worker: push login in workerd, approved on the device", async () => {
  const browser = await workerBrowser();
  const username = await newUser([{ type: "push", name: "Phone" }]);
  await control("DELETE", "/__emu/journal");
  await browser.post("/login", { username, password: PASSWORD });
  const listed = await browser.post("/authenticators");
  assert.ok(listed.body.active.some((a) => a.type === "push"), JSON.stringify(listed.body));
  const challenge = await browser.post("/challenge", { type: "push" });
  assert.equal(challenge.body.challenge.bindingRequired, false);
  await control("POST", `/__emu/pushes/latest/approve?user=${encodeURIComponent(username)}`);
  const approved = await browser.post("/push");
  assert.deepEqual([approved.status, approved.body], [200, { stage: "authenticated" }]);
  assert.equal((await browser.get("/me")).body.claims.name, username);
  // Every poll is a request of its own, with an assertion of its own.
  const polls = (await sentToAuth0()).filter((entry) => entry.body.grant_type === MFA_OOB);
  assert.ok(polls.length >= 1, "the push was polled");
  await authenticatedBy("private_key_jwt", ["password", "/mfa/challenge", ...polls.map(() => MFA_OOB)]);
});

test("Worker: with the client secret instead of a key (server-client): OTP login and a refresh", async () => {
  const browser = await workerBrowser("with-secret");
  await control("DELETE", "/__emu/journal");
  const username = await otpSignIn(browser);
  const me = await browser.get("/me");
  assert.deepEqual([me.status, me.body.claims.name, me.body.claims.aud], [200, username, "server-client"]);
  const refreshed = await browser.post("/refresh");
  assert.deepEqual([refreshed.status, refreshed.body], [200, { stage: "authenticated" }]);
  await authenticatedBy("client_secret", ["password", "/mfa/challenge", MFA_OTP, "refresh_token"]);
  const [family] = await control("GET", `/__emu/refresh-tokens?user=${encodeURIComponent(username)}&client=server-client`);
  assert.deepEqual([family.counter, family.revoked], [1, false]);
});

test("Worker: with both a key and a secret the key is used; a PEM with escaped line breaks works", async () => {
  for (const name of ["both-credentials", "escaped-key"]) {
    const browser = await workerBrowser(name);
    await control("DELETE", "/__emu/journal");
    await startOtpLogin(browser);
    await authenticatedBy("private_key_jwt", ["password"]);
  }
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
    "no-credentials": "AUTH0_CLIENT_ASSERTION_KEY (private_key_jwt) or AUTH0_CLIENT_SECRET is not set",
    "bad-assertion-key": "AUTH0_CLIENT_ASSERTION_KEY must be an RSA private key as PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)",
    "pkcs1-key": "AUTH0_CLIENT_ASSERTION_KEY must be an RSA private key as PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)",
    "bad-assertion-alg": "AUTH0_CLIENT_ASSERTION_ALG must be RS256, RS384 or PS256",
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

// ---- /refresh ------------------------------------------------------------------------------------------------------

/** The refresh-token families of `username` at jwt-client: [counter, revoked] of each. */
const families = async (username, clientId = "jwt-client") =>
  (await control("GET", `/__emu/refresh-tokens?user=${encodeURIComponent(username)}&client=${clientId}`)).map((f) => [f.counter, f.revoked]);

test("Worker: /refresh exchanges the refresh token and stores the rotated one, in the same session", async () => {
  const browser = await workerBrowser();
  const username = await otpSignIn(browser);
  assert.deepEqual(await families(username), [[0, false]], "offline_access is asked for by default");
  const sid = browser.cookie;
  for (const counter of [1, 2, 3]) {
    await control("DELETE", "/__emu/journal");
    const refreshed = await browser.post("/refresh");
    assert.deepEqual([refreshed.status, refreshed.body], [200, { stage: "authenticated" }]);
    assert.match(refreshed.setCookie, new RegExp(`^__Host-session=${sid}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=86400$`));
    // Had the Worker kept a spent token, this exchange would be a reuse and would revoke the family.
    assert.deepEqual(await families(username), [[counter, false]], `refresh ${counter}`);
    await authenticatedBy("private_key_jwt", ["refresh_token"]);
  }
  const me = await browser.get("/me");
  assert.deepEqual([me.status, me.body.claims.name], [200, username]);
});

test("Worker: a refresh token sent twice (an old session record put back) revokes the family and ends the session", async () => {
  const { sessions } = await workerd();
  const browser = await workerBrowser();
  const username = await otpSignIn(browser);
  const sid = browser.cookie;
  const stub = sessions.get(sessions.idFromName(sid));
  const before = await stub.read("session");
  assert.equal((await browser.post("/refresh")).status, 200);
  // Someone who can write the sessions' storage (a restored backup, a replayed write) puts the spent token back.
  await stub.start(before);
  const reused = await browser.post("/refresh");
  assert.deepEqual([...refusal(reused), reused.body.error.restartRequired], [401, "invalid_refresh_token", true]);
  assert.match(reused.setCookie, /^__Host-session=; Path=\/; Secure; HttpOnly; SameSite=Strict; Max-Age=0$/);
  assert.deepEqual(await families(username), [[1, true]], "Auth0 revoked the family");
  assert.equal(browser.cookie, null, "the cookie was cleared");
  const replay = await workerBrowser();
  replay.cookie = sid;
  assert.deepEqual(refusal(await replay.get("/me")), [401, "unauthenticated"], "the session is gone on the server");
  assert.deepEqual(refusal(await replay.post("/refresh")), [401, "unauthenticated"]);
});

test("Worker: two refreshes of one session at once: one runs, the other is refused, Auth0 sees the token once", async (t) => {
  const browser = await workerBrowser();
  const username = await otpSignIn(browser);
  await control("DELETE", "/__emu/journal");
  await control("POST", "/__emu/faults", { endpoint: "/oauth/token", delay_ms: 500 });
  t.after(() => control("DELETE", "/__emu/faults"));
  const answers = await Promise.all([1, 2].map(() => browser.post("/refresh")));
  const [won, lost] = answers.sort((a, b) => a.status - b.status);
  assert.deepEqual([won.status, won.body], [200, { stage: "authenticated" }]);
  assert.deepEqual([...refusal(lost), lost.body.error.retryable], [409, "refresh_busy", true]);
  assert.equal((await sentToAuth0()).length, 1, "one refresh grant reached Auth0");
  assert.deepEqual(await families(username), [[1, false]]);
  assert.equal((await browser.post("/refresh")).status, 200, "the next refresh goes through");
});

test("Worker: MFA on refresh (mfa_on_refresh: always): the browser walks the MFA endpoints again", async (t) => {
  const browser = await workerBrowser();
  const username = await otpSignIn(browser);
  const signedIn = browser.cookie;
  await control("POST", "/__emu/clients/jwt-client", { mfa_on_refresh: "always" });
  t.after(() => control("POST", "/__emu/clients/jwt-client", { mfa_on_refresh: null }));
  // The second factor again takes the next TOTP step (a code is good once); the clock goes back after, as client
  // assertions are dated by the real clock.
  await control("POST", "/__emu/clock", { advance: 30 });
  t.after(() => control("POST", "/__emu/clock", { advance: -30 }));
  await control("DELETE", "/__emu/journal");

  const asked = await browser.post("/refresh");
  assert.deepEqual([asked.status, asked.body], [200, { stage: "mfa_required", mfaRequirements: { challenge: ["otp"] } }]);
  assert.match(asked.setCookie, /^__Host-session=[A-Za-z0-9_-]{43}; Path=\/; Secure; HttpOnly; SameSite=Strict; Max-Age=300$/);
  assert.notEqual(browser.cookie, signedIn, "the login runs under a new session id");
  assert.deepEqual(refusal(await browser.get("/me")), [401, "unauthenticated"], "no tokens until the second factor");
  const old = await workerBrowser();
  old.cookie = signedIn;
  assert.deepEqual(refusal(await old.get("/me")), [401, "unauthenticated"], "the signed-in session is gone");
  assert.deepEqual(refusal(await old.post("/refresh")), [401, "unauthenticated"]);

  const listed = await browser.post("/authenticators");
  assert.deepEqual([listed.status, listed.body.stage, listed.body.active.map((a) => a.type)], [200, "mfa_required", ["otp"]]);
  assert.equal((await browser.post("/challenge", { type: "otp" })).body.challenge.challengeType, "otp");
  const wrong = await browser.post("/verify", { otp: "000000" });
  assert.deepEqual(refusal(wrong), [401, "invalid_code"]);
  const verified = await browser.post("/verify", { otp: await otpCode() });
  assert.deepEqual([verified.status, verified.body], [200, { stage: "authenticated" }]);
  assert.equal((await browser.get("/me")).body.claims.name, username);
  const [family] = await control("GET", `/__emu/refresh-tokens?user=${encodeURIComponent(username)}&client=jwt-client`);
  assert.deepEqual([family.counter, family.revoked, typeof family.last_mfa_at], [1, false, "number"], "the MFA grant rotated the token");
  await authenticatedBy("private_key_jwt", ["refresh_token", "/mfa/challenge", MFA_OTP, MFA_OTP]);

  // The token the MFA grant answered was stored: with MFA on refresh off again, it refreshes (the pre-MFA one would
  // be a reuse, and revoke the family).
  await control("POST", "/__emu/clients/jwt-client", { mfa_on_refresh: null });
  assert.deepEqual((await browser.post("/refresh")).body, { stage: "authenticated" });
  assert.deepEqual(await families(username), [[2, false]]);
});

test("Worker: /refresh without a signed-in session, mid-login, without offline_access, from another origin", async () => {
  const anonymous = await workerBrowser();
  assert.deepEqual(refusal(await anonymous.post("/refresh")), [401, "unauthenticated"]);
  const midway = await workerBrowser();
  await startOtpLogin(midway);
  assert.deepEqual(refusal(await midway.post("/refresh")), [401, "unauthenticated"], "a login that is not complete");
  assert.equal((await midway.post("/challenge", { type: "otp" })).status, 200, "and the login goes on");

  const browser = await workerBrowser("no-offline-access");
  const username = await otpSignIn(browser);
  assert.deepEqual(await families(username), [], "no refresh token without offline_access");
  assert.deepEqual(refusal(await browser.post("/refresh")), [409, "no_refresh_token"]);
  assert.equal((await browser.get("/me")).status, 200, "the session stays");

  const signedIn = await workerBrowser();
  await otpSignIn(signedIn);
  const crossSite = { origin: EVIL_ORIGIN, "sec-fetch-site": "cross-site", "content-type": "text/plain" };
  assert.deepEqual(refusal(await signedIn.post("/refresh", "{}", crossSite)), [403, "forbidden_origin"]);
  assert.deepEqual(refusal(await signedIn.post("/refresh", "{}", { "content-type": "text/plain" })), [415, "unsupported_media_type"]);
  assert.deepEqual(refusal(await signedIn.get("/refresh")), [405, "method_not_allowed"]);
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

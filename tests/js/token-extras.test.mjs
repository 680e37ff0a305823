// The refresh-token grant (with MFA on refresh), private_key_jwt client authentication and DPoP (RFC 9449), driven
// through the built package against the emulator, in Node. The assertions and proofs the library sends are read
// from a recording `fetch` (the emulator's journal redacts `client_assertion` and does not record the `DPoP`
// header), and checked with independent implementations: `jose` verifies every JWT, `oauth4webapi` makes DPoP
// proofs of its own for the emulator and verifies ours as a resource server would.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import * as jose from "jose";
import * as oauth from "oauth4webapi";
import pkg from "./pkg.mjs";
import { startEmulator } from "./emulator.mjs";

const { MfaClient, Totp, isInvalidRefreshToken, isInvalidDpopProof, isAuth0MfaError } = pkg;

const PASSWORD = "Token-extras Pa55word";
const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const OFFLINE = "openid profile email offline_access";
const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const KEYS = new URL("../../emulator/keys/", import.meta.url);
const PRIVATE_PEM = readFileSync(new URL("TEST-ONLY-client-assertion.private.pem", KEYS), "utf8");
const PUBLIC_PEM = readFileSync(new URL("TEST-ONLY-client-assertion.public.pem", KEYS), "utf8");
const JWT_CLIENT = "jwt-client";

const id = (name) => `token-extras-${name}-${process.pid}`;
const CLIENTS = {
  rotating: { client_id: id("rotating"), auth_method: "none", allowed_origins: [] },
  fixed: { client_id: id("fixed"), auth_method: "none", allowed_origins: [], refresh_rotation: false },
  leeway: { client_id: id("leeway"), auth_method: "none", allowed_origins: [], refresh_leeway_secs: 60 },
  mfaAlways: { client_id: id("mfa-always"), auth_method: "none", allowed_origins: [], mfa_on_refresh: "always" },
  mfaAfter: { client_id: id("mfa-after"), auth_method: "none", allowed_origins: [], mfa_on_refresh: { after_secs: 120 } },
  dpop: { client_id: id("dpop"), auth_method: "none", allowed_origins: [], dpop: "allowed" },
  dpopRequired: { client_id: id("dpop-required"), auth_method: "none", allowed_origins: [], dpop: "required" },
  dpopMfaOnRefresh: { client_id: id("dpop-mfa"), auth_method: "none", allowed_origins: [], dpop: "allowed", mfa_on_refresh: "always" },
  jwtDpop: {
    client_id: id("jwt-dpop"),
    auth_method: "private_key_jwt",
    jwt_keys: [{ pem: PUBLIC_PEM }],
    allowed_origins: [],
    dpop: "allowed",
    dpop_nonce: true,
  },
};

let emulator;
let serial = 0;

before(async () => {
  emulator = await startEmulator([]);
  for (const client of Object.values(CLIENTS)) await emulator.control("POST", "/__emu/clients", client);
});

after(() => emulator?.stop());

// ---- helpers ------------------------------------------------------------------------------------------------

/** A new user: with an OTP authenticator of SECRET, or without MFA (`{ mfa: false }`). */
async function newUser({ mfa = true } = {}) {
  const username = `token-extras-${process.pid}-${++serial}@example.com`;
  const authenticators = mfa ? [{ type: "otp", secret: SECRET }] : [];
  const user = { username, email: username, password: PASSWORD, mfa, authenticators };
  await emulator.control("POST", "/__emu/users", user);
  return username;
}

const totp = new Totp({ secret: SECRET });
const usedSteps = new Map();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A TOTP code the emulator accepts for `username` (it takes the previous and the current step, each once per
 * user): the oldest step not used yet, waiting for the next step when both are spent. `nowMs` is the emulator's
 * time when its clock was moved. */
async function otpCode(username, nowMs) {
  const moved = nowMs !== undefined;
  const now = nowMs ?? Date.now();
  const current = Math.floor(now / 30_000);
  // Near the end of a step the previous one may be gone by the time the request arrives.
  const oldest = now % 30_000 > 28_000 ? current : current - 1;
  let step = Math.max((usedSteps.get(username) ?? -Infinity) + 1, oldest);
  if (step > current) {
    assert.ok(!moved, "no unused step at the emulator's time");
    await sleep(step * 30_000 - now + 100);
  }
  usedSteps.set(username, step);
  return totp.generate(step * 30_000 + 1);
}

/** Records each request the library makes (url, headers, parsed body) and the answer's status, headers and body. */
function recorder() {
  const calls = [];
  const record = async (url, init) => {
    const headers = Object.fromEntries(Object.entries(init.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const raw = init.body ?? "";
    const body = raw.startsWith("{") ? JSON.parse(raw) : Object.fromEntries(new URLSearchParams(raw));
    const call = { url, path: new URL(url).pathname, method: init.method, headers, body };
    calls.push(call);
    const response = await fetch(url, init);
    call.status = response.status;
    call.responseHeaders = Object.fromEntries(response.headers);
    const text = await response.clone().text();
    try {
      call.response = JSON.parse(text);
    } catch {
      call.response = text;
    }
    return response;
  };
  return { calls, fetch: record, to: (path) => calls.filter((c) => c.path === path) };
}

async function rejection(promise) {
  return promise.then(
    (value) => assert.fail(`resolved: ${JSON.stringify(value)}`),
    (error) => error,
  );
}

/** The newest journal sequence number, to read only what a test sent afterwards. */
async function journalMark() {
  const journal = await emulator.control("GET", "/__emu/journal");
  return journal.length ? journal.at(-1).seq : 0;
}

const journalSince = (mark, path) => emulator.control("GET", `/__emu/journal?since=${mark}&path=${encodeURIComponent(path)}`);

const families = (username, clientId) =>
  emulator.control("GET", `/__emu/refresh-tokens?user=${encodeURIComponent(username)}&client=${encodeURIComponent(clientId)}`);

/** The error must say nothing of any of these. */
function assertNotLeaked(error, secrets) {
  const texts = [error.message, String(error), JSON.stringify(error), error.stack ?? "", error.description ?? ""];
  for (const secret of secrets) {
    for (const text of texts) assert.equal(text.includes(secret), false, `the error shows ${secret.slice(0, 12)}…: ${text}`);
  }
}

function assertInvalidRefreshToken(error, secrets) {
  assert.equal(isAuth0MfaError(error), true, String(error));
  assert.equal(error.code, "invalid_refresh_token", error.message);
  assert.equal(isInvalidRefreshToken(error), true);
  assert.equal(error.restartRequired, true);
  assert.equal(error.status, 403);
  assert.equal(error.error, "invalid_grant");
  assert.equal(error.description, "Unknown or invalid refresh token.");
  assertNotLeaked(error, secrets);
}

/** A login through OTP MFA: `{ tokens, client }`. */
async function loginWithOtp(options, username, { challenge = false } = {}) {
  const client = new MfaClient({ domain: emulator.url, ...options });
  const started = await client.login(username, PASSWORD);
  assert.equal(started.stage, "mfa_required");
  if (challenge) {
    const challenged = await client.challenge({ type: "otp" });
    assert.equal(challenged.challengeType, "otp");
  }
  const tokens = await client.verifyOtp(await otpCode(username));
  assert.equal(client.stage, "authenticated");
  return { tokens, client };
}

const b64u = (bytes) => Buffer.from(bytes).toString("base64url");
const sha256 = (text) => b64u(createHash("sha256").update(text).digest());
const thumbprint = async (publicKey) => jose.calculateJwkThumbprint(await jose.exportJWK(publicKey), "sha256");
const newDpopKeyPair = () => crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);

// ---- 1. refresh with rotation -------------------------------------------------------------------------------

test("refresh rotates the token; reusing the old one revokes the family, the newest included", async () => {
  const username = await newUser({ mfa: false });
  const options = { domain: emulator.url, clientId: CLIENTS.rotating.client_id, scope: OFFLINE };
  const login = await new MfaClient(options).login(username, PASSWORD);
  assert.equal(login.stage, "authenticated");
  const first = login.tokens.refreshToken;
  assert.match(first ?? "", /^v1\./, "offline_access gives a refresh token");

  // A new client, as an app refreshing later would make; without a scope of its own, the login's is kept.
  const client = new MfaClient({ domain: emulator.url, clientId: CLIENTS.rotating.client_id });
  const refreshed = await client.refresh(first);
  assert.equal(refreshed.stage, "authenticated");
  assert.equal(client.stage, "authenticated");
  const second = refreshed.tokens.refreshToken;
  assert.match(second ?? "", /^v1\./, "rotation returns a new refresh token");
  assert.notEqual(second, first);
  assert.notEqual(refreshed.tokens.accessToken, login.tokens.accessToken);
  assert.equal(refreshed.tokens.tokenType, "Bearer");
  assert.equal(refreshed.tokens.scope, OFFLINE);
  assert.equal(jose.decodeJwt(refreshed.tokens.idToken).email, username, "openid was granted: an ID token");
  let [family] = await families(username, CLIENTS.rotating.client_id);
  assert.equal(family.counter, 1);
  assert.equal(family.revoked, false);

  const reuse = await rejection(client.refresh(first));
  assertInvalidRefreshToken(reuse, [first, second]);
  [family] = await families(username, CLIENTS.rotating.client_id);
  assert.equal(family.revoked, true, "reuse revoked the family");
  assert.equal(family.revoked_reason, "reuse_detected");

  const newest = await rejection(new MfaClient(options).refresh(second));
  assertInvalidRefreshToken(newest, [first, second]);
  [family] = await families(username, CLIENTS.rotating.client_id);
  assert.equal(family.uses_after_revocation, 1, "the newest token was presented after the revocation");
  assert.equal(family.counter, 1);
});

test("refresh without rotation: no new token in the answer, and the same token keeps working", async () => {
  const username = await newUser({ mfa: false });
  const options = { domain: emulator.url, clientId: CLIENTS.fixed.client_id, scope: OFFLINE };
  const login = await new MfaClient(options).login(username, PASSWORD);
  const token = login.tokens.refreshToken;
  assert.match(token ?? "", /^v1\./);
  for (let i = 0; i < 2; i++) {
    const refreshed = await new MfaClient(options).refresh(token);
    assert.equal(refreshed.stage, "authenticated");
    assert.equal("refreshToken" in refreshed.tokens, false, "no refreshToken without rotation");
    assert.ok(refreshed.tokens.accessToken);
  }
  const [family] = await families(username, CLIENTS.fixed.client_id);
  assert.deepEqual([family.counter, family.revoked], [0, false]);
});

test("refresh within the rotation leeway: the predecessor gets another token of the newest generation", async () => {
  const username = await newUser({ mfa: false });
  const options = { domain: emulator.url, clientId: CLIENTS.leeway.client_id, scope: OFFLINE };
  const first = (await new MfaClient(options).login(username, PASSWORD)).tokens.refreshToken;
  const second = (await new MfaClient(options).refresh(first)).tokens.refreshToken;
  const retried = await new MfaClient(options).refresh(first);
  assert.equal(retried.stage, "authenticated", "a retry within the leeway is not reuse");
  assert.match(retried.tokens.refreshToken ?? "", /^v1\./);
  assert.notEqual(retried.tokens.refreshToken, second);
  let [family] = await families(username, CLIENTS.leeway.client_id);
  assert.deepEqual([family.counter, family.revoked], [1, false]);
  // The newest generation moves on; the token before it is now outside the leeway rule: reuse.
  const third = (await new MfaClient(options).refresh(second)).tokens.refreshToken;
  assert.match(third ?? "", /^v1\./);
  assertInvalidRefreshToken(await rejection(new MfaClient(options).refresh(first)), [first, second, third]);
  [family] = await families(username, CLIENTS.leeway.client_id);
  assert.equal(family.revoked, true);
});

test("refresh refuses an empty or non-string token before any request", async () => {
  const rec = recorder();
  const client = new MfaClient({ domain: emulator.url, clientId: CLIENTS.rotating.client_id, fetch: rec.fetch });
  for (const bad of ["", "   ", 42, undefined]) {
    const error = await rejection(client.refresh(bad));
    assert.equal(error.code, "invalid_argument", `${JSON.stringify(bad)}: ${error.message}`);
  }
  assert.equal(rec.calls.length, 0);
});

// ---- 2. MFA on refresh --------------------------------------------------------------------------------------

test("mfa_on_refresh always: mfa_required, then OTP gives a rotated token and the pre-MFA token is spent", async () => {
  const username = await newUser();
  const options = { clientId: CLIENTS.mfaAlways.client_id, scope: OFFLINE };
  const { tokens: login } = await loginWithOtp(options, username);
  const before = login.refreshToken;
  assert.match(before ?? "", /^v1\./);

  const client = new MfaClient({ domain: emulator.url, ...options });
  const result = await client.refresh(before);
  assert.deepEqual({ ...result }, { stage: "mfa_required", mfaRequirements: { challenge: ["otp"] } });
  assert.equal(client.stage, "mfa_required");
  const list = await client.authenticators();
  assert.deepEqual(list.active.map((a) => a.type), ["otp"]);

  const tokens = await client.verifyOtp(await otpCode(username));
  assert.equal(client.stage, "authenticated");
  const after = tokens.refreshToken;
  assert.match(after ?? "", /^v1\./, "the MFA grant answers a rotated refresh token");
  assert.notEqual(after, before);
  assert.deepEqual(jose.decodeJwt(tokens.accessToken).amr, ["mfa"]);
  let [family] = await families(username, CLIENTS.mfaAlways.client_id);
  assert.equal(family.counter, 1, "the MFA grant rotated the family");
  assert.equal(family.revoked, false);

  // The new token is alive (it asks for MFA again, and spends nothing doing so).
  assert.equal((await new MfaClient({ domain: emulator.url, ...options }).refresh(after)).stage, "mfa_required");
  const spent = await rejection(new MfaClient({ domain: emulator.url, ...options }).refresh(before));
  assertInvalidRefreshToken(spent, [before, after]);
  [family] = await families(username, CLIENTS.mfaAlways.client_id);
  assert.equal(family.revoked, true, "replaying the pre-MFA token revoked the family");
});

test("mfa_on_refresh after_secs: no MFA within N seconds of the last one, MFA after", async () => {
  const username = await newUser();
  const clientId = CLIENTS.mfaAfter.client_id;
  const options = { domain: emulator.url, clientId, scope: OFFLINE };
  const { tokens: login } = await loginWithOtp({ clientId, scope: OFFLINE }, username);
  const soon = await new MfaClient(options).refresh(login.refreshToken);
  assert.equal(soon.stage, "authenticated", "within 120 s of the login's MFA");
  const second = soon.tokens.refreshToken;
  assert.match(second ?? "", /^v1\./);

  await emulator.control("POST", "/__emu/clock", { advance: 121 });
  try {
    const client = new MfaClient(options);
    const late = await client.refresh(second);
    assert.equal(late.stage, "mfa_required", "121 s after the last MFA");
    const { now_ms } = await emulator.control("GET", "/__emu/clock");
    const tokens = await client.verifyOtp(await otpCode(username, now_ms));
    const third = tokens.refreshToken;
    assert.match(third ?? "", /^v1\./);
    assert.notEqual(third, second);
    const [family] = await families(username, clientId);
    assert.equal(family.counter, 2);
    assert.ok(Math.abs(family.last_mfa_at - now_ms / 1000) <= 2, "the refresh's MFA counts from now");
    const again = await new MfaClient(options).refresh(third);
    assert.equal(again.stage, "authenticated", "just after the refresh's MFA");
  } finally {
    await emulator.control("POST", "/__emu/clock", { advance: -121 });
  }
});

test("mfa_on_refresh always does not ask a user whom the password grant lets in without MFA", async () => {
  const username = await newUser({ mfa: false });
  const options = { domain: emulator.url, clientId: CLIENTS.mfaAlways.client_id, scope: OFFLINE };
  const login = await new MfaClient(options).login(username, PASSWORD);
  const refreshed = await new MfaClient(options).refresh(login.tokens.refreshToken);
  assert.equal(refreshed.stage, "authenticated");
  assert.match(refreshed.tokens.refreshToken ?? "", /^v1\./);
});

test("MFA on refresh survives save() and MfaClient.restore(); the state holds no refresh token", async () => {
  const username = await newUser();
  const options = { domain: emulator.url, clientId: CLIENTS.mfaAlways.client_id, scope: OFFLINE };
  const { tokens: login } = await loginWithOtp(options, username);
  const before = login.refreshToken;

  const client = new MfaClient(options);
  assert.equal((await client.refresh(before)).stage, "mfa_required");
  const saved = client.save();
  assert.equal(typeof saved, "string");
  assert.equal(saved.includes(before), false, "the saved state holds the refresh token");
  assert.equal(saved.includes(before.slice(3, 20)), false);
  assert.doesNotMatch(saved, /v1\./);

  const restored = MfaClient.restore(saved, options);
  assert.equal(restored.stage, "mfa_required");
  await restored.challenge({ type: "otp" });
  const tokens = await restored.verifyOtp(await otpCode(username));
  assert.match(tokens.refreshToken ?? "", /^v1\./);
  assert.notEqual(tokens.refreshToken, before);
  assertInvalidRefreshToken(await rejection(new MfaClient(options).refresh(before)), [before, tokens.refreshToken]);
});

// ---- 3. private_key_jwt -------------------------------------------------------------------------------------

/** Every request that authenticates the client carried a fresh assertion that `publicKey` verifies. */
async function checkAssertions(calls, { publicKey, alg, clientId = JWT_CLIENT }) {
  const authenticated = calls.filter((c) => c.path === "/oauth/token" || c.path === "/mfa/challenge");
  assert.deepEqual(
    authenticated.map((c) => c.path),
    ["/oauth/token", "/mfa/challenge", "/oauth/token"],
    "the password grant, the challenge and the OTP grant",
  );
  const jtis = new Set();
  for (const call of authenticated) {
    assert.equal(call.body.client_id, clientId);
    assert.equal(call.body.client_assertion_type, JWT_BEARER, call.path);
    assert.equal("client_secret" in call.body, false, `${call.path} sent a client secret`);
    assert.equal("authorization" in call.headers, false, `${call.path} sent an authorization header`);
    const { payload, protectedHeader } = await jose.jwtVerify(call.body.client_assertion, publicKey, {
      algorithms: [alg],
      issuer: clientId,
      subject: clientId,
      audience: `${emulator.url}/`,
      requiredClaims: ["exp", "iat", "jti"],
    });
    assert.equal(protectedHeader.alg, alg);
    assert.ok(payload.exp > payload.iat, "exp after iat");
    assert.ok(payload.exp - payload.iat <= 300, `exp - iat = ${payload.exp - payload.iat}`);
    assert.ok(Math.abs(payload.iat - Date.now() / 1000) < 30, "iat is now");
    assert.equal(typeof payload.jti, "string");
    assert.ok(payload.jti.length > 0 && payload.jti.length <= 64);
    jtis.add(payload.jti);
  }
  assert.equal(jtis.size, authenticated.length, "a new jti for every request");
}

/** The journal of what the emulator received since `mark`: assertions on every grant and the challenge. */
async function checkJournal(mark) {
  const grants = await journalSince(mark, "/oauth/token");
  assert.deepEqual(grants.map((e) => [e.body.grant_type, e.status]), [
    ["password", 403],
    ["http://auth0.com/oauth/grant-type/mfa-otp", 200],
  ]);
  const challenges = await journalSince(mark, "/mfa/challenge");
  assert.deepEqual(challenges.map((e) => e.status), [200]);
  for (const entry of [...grants, ...challenges]) {
    assert.equal(entry.body.client_assertion_type, JWT_BEARER, entry.path);
    assert.equal(entry.body.client_assertion, "[redacted]", "the journal saw an assertion (and redacted it)");
    assert.equal("client_secret" in entry.body, false);
  }
}

const rsaPublicKey = (alg = "RS256") => jose.importSPKI(PUBLIC_PEM, alg);

for (const [form, makeKey] of [
  ["a PKCS#8 PEM", async () => PRIVATE_PEM],
  ["a private JWK", async () => jose.exportJWK(await jose.importPKCS8(PRIVATE_PEM, "RS256", { extractable: true }))],
  [
    "a non-extractable CryptoKey",
    async () => {
      const der = Buffer.from(PRIVATE_PEM.replace(/-----[^-]+-----/g, "").replace(/\s/g, ""), "base64");
      const key = await crypto.subtle.importKey("pkcs8", der, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]);
      assert.equal(key.extractable, false);
      return key;
    },
  ],
]) {
  test(`private_key_jwt with ${form}: login with MFA, an assertion per request`, async () => {
    const key = await makeKey();
    if (form === "a private JWK") assert.equal(typeof key.d, "string");
    const username = await newUser();
    const rec = recorder();
    const mark = await journalMark();
    const { tokens } = await loginWithOtp(
      { clientId: JWT_CLIENT, clientAssertionSigningKey: key, fetch: rec.fetch },
      username,
      { challenge: true },
    );
    assert.equal(jose.decodeJwt(tokens.accessToken).azp, JWT_CLIENT);
    await checkAssertions(rec.calls, { publicKey: await rsaPublicKey(), alg: "RS256" });
    await checkJournal(mark);
    // /mfa/authenticators takes no client authentication: nothing to sign there.
    for (const call of rec.to("/mfa/authenticators")) assert.equal("client_assertion" in call.body, false);
  });
}

test("private_key_jwt with a PS256 credential registered through the control plane", async () => {
  const { publicKey, privateKey } = await jose.generateKeyPair("PS256", { modulusLength: 2048, extractable: true });
  const clientId = id("ps256");
  await emulator.control("POST", "/__emu/clients", {
    client_id: clientId,
    auth_method: "private_key_jwt",
    jwt_keys: [{ pem: await jose.exportSPKI(publicKey), alg: "PS256" }],
  });
  const listed = await emulator.control("GET", `/__emu/clients/${clientId}`);
  assert.deepEqual(
    listed.jwt_keys.map((k) => [k.alg, k.kid, k.bits]),
    [["PS256", await thumbprint(publicKey), 2048]],
    "the key id is the RFC 7638 thumbprint",
  );
  assert.equal(listed.auth_method, "private_key_jwt");

  const username = await newUser();
  const rec = recorder();
  const mark = await journalMark();
  await loginWithOtp(
    { clientId, clientAssertionSigningKey: privateKey, clientAssertionSigningAlg: "PS256", fetch: rec.fetch },
    username,
    { challenge: true },
  );
  await checkAssertions(rec.calls, { publicKey, alg: "PS256", clientId });
  await checkJournal(mark);

  // The same key signing RS256 is refused: the credential's algorithm is PS256.
  const privateJwk = await jose.exportJWK(privateKey);
  const asRs256 = await crypto.subtle.importKey("jwk", privateJwk, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]);
  const refused = await rejection(new MfaClient({ domain: emulator.url, clientId, clientAssertionSigningKey: asRs256 }).login(username, PASSWORD));
  assert.equal(refused.code, "access_denied", refused.message);
  assert.equal(refused.error, "invalid_client");
});

test("private_key_jwt: RS384, two credentials, and an expired one (client settings changed through the control plane)", async () => {
  const clientId = id("two-keys");
  const other = await jose.generateKeyPair("RS384", { modulusLength: 2048 });
  await emulator.control("POST", "/__emu/clients", {
    client_id: clientId,
    auth_method: "private_key_jwt",
    jwt_keys: [{ pem: await jose.exportSPKI(other.publicKey), alg: "RS384" }, { pem: PUBLIC_PEM, alg: "RS256" }],
  });
  const username = await newUser({ mfa: false });
  const login = (key, alg, fetch) =>
    new MfaClient({ domain: emulator.url, clientId, clientAssertionSigningKey: key, clientAssertionSigningAlg: alg, fetch }).login(username, PASSWORD);

  // Either credential, each with its own algorithm; no kid is sent, so the tenant tries both.
  const rec = recorder();
  assert.equal((await login(other.privateKey, "RS384", rec.fetch)).stage, "authenticated");
  assert.equal((await login(PRIVATE_PEM, "RS256", rec.fetch)).stage, "authenticated");
  const [rs384, rs256] = rec.to("/oauth/token").map((c) => c.body.client_assertion);
  assert.equal((await jose.jwtVerify(rs384, other.publicKey, { algorithms: ["RS384"], issuer: clientId })).protectedHeader.alg, "RS384");
  assert.equal((await jose.jwtVerify(rs256, await rsaPublicKey(), { algorithms: ["RS256"], issuer: clientId })).protectedHeader.alg, "RS256");

  // The committed key expires: it is skipped, and the assertion it signs is refused.
  const { now } = await emulator.control("GET", "/__emu/clock");
  const updated = await emulator.control("POST", `/__emu/clients/${clientId}`, {
    jwt_keys: [{ pem: await jose.exportSPKI(other.publicKey), alg: "RS384" }, { pem: PUBLIC_PEM, alg: "RS256", expires_at: now - 1 }],
  });
  assert.deepEqual(updated.jwt_keys.map((k) => [k.alg, k.expires_at]), [["RS384", null], ["RS256", now - 1]]);
  const error = await rejection(login(PRIVATE_PEM, "RS256"));
  assert.equal(error.code, "access_denied", error.message);
  assert.equal(error.error, "invalid_client");
  assert.equal((await login(other.privateKey, "RS384")).stage, "authenticated", "the other credential still works");
});

test("private_key_jwt: a saved login holds no key material, and goes on when restored with the key", async () => {
  const jwk = await jose.exportJWK(await jose.importPKCS8(PRIVATE_PEM, "RS256", { extractable: true }));
  const username = await newUser();
  const options = { domain: emulator.url, clientId: JWT_CLIENT, clientAssertionSigningKey: jwk };
  const client = new MfaClient(options);
  assert.equal((await client.login(username, PASSWORD)).stage, "mfa_required");
  const saved = client.save();
  const pemLines = PRIVATE_PEM.split("\n").filter((line) => line.length > 16 && !line.startsWith("-----"));
  for (const secret of [...pemLines, jwk.d.slice(0, 40), jwk.p.slice(0, 40), jwk.n.slice(0, 40)]) {
    assert.equal(saved.includes(secret), false, "the saved state holds key material");
  }
  const rec = recorder();
  const restored = MfaClient.restore(saved, { ...options, fetch: rec.fetch });
  const tokens = await restored.verifyOtp(await otpCode(username));
  assert.ok(tokens.accessToken);
  const [grant] = rec.to("/oauth/token");
  await jose.jwtVerify(grant.body.client_assertion, await rsaPublicKey(), { issuer: JWT_CLIENT, audience: `${emulator.url}/` });
  // Restored without the key, the client is a public one, which jwt-client is not.
  const other = await newUser();
  const second = new MfaClient(options);
  await second.login(other, PASSWORD);
  const keyless = MfaClient.restore(second.save(), { domain: emulator.url, clientId: JWT_CLIENT });
  const error = await rejection(keyless.verifyOtp(await otpCode(other)));
  assert.equal(error.code, "access_denied", error.message);
  assert.equal(error.status, 401);
});

test("private_key_jwt: a signing key in a browser page needs allowClientSecretInBrowser", () => {
  assert.equal("document" in globalThis, false);
  globalThis.document = {};
  try {
    assert.throws(() => new MfaClient({ domain: emulator.url, clientId: JWT_CLIENT, clientAssertionSigningKey: PRIVATE_PEM }), (e) => {
      assert.equal(e.code, "client_secret_in_browser", e.message);
      assertNotLeaked(e, [PRIVATE_PEM.split("\n")[1]]);
      return true;
    });
    const allowed = new MfaClient({ domain: emulator.url, clientId: JWT_CLIENT, clientAssertionSigningKey: PRIVATE_PEM, allowClientSecretInBrowser: true });
    assert.equal(allowed.stage, "start");
    // DPoP alone is fine in a browser: it is no client credential.
    assert.equal(new MfaClient({ domain: emulator.url, clientId: CLIENTS.dpop.client_id, dpop: true }).stage, "start");
  } finally {
    delete globalThis.document;
  }
});

test("private_key_jwt: a key the tenant does not know is access_denied (invalid_client)", async () => {
  const { privateKey } = await jose.generateKeyPair("RS256", { modulusLength: 2048, extractable: true });
  const otherPem = await jose.exportPKCS8(privateKey);
  const username = await newUser();
  const mark = await journalMark();
  const client = new MfaClient({ domain: emulator.url, clientId: JWT_CLIENT, clientAssertionSigningKey: otherPem });
  const error = await rejection(client.login(username, PASSWORD));
  assert.equal(error.code, "access_denied", error.message);
  assert.equal(error.status, 401);
  assert.equal(error.error, "invalid_client");
  assertNotLeaked(error, [otherPem.split("\n")[1], PASSWORD]);
  const grants = await journalSince(mark, "/oauth/token");
  assert.deepEqual(grants.map((e) => e.status), [401]);
});

test("private_key_jwt: a key that does not import is invalid_option at the first request, sending nothing", async () => {
  const pkcs1 = createPrivateKey(PRIVATE_PEM).export({ type: "pkcs1", format: "pem" });
  assert.match(pkcs1, /BEGIN RSA PRIVATE KEY/);
  const garbledPkcs8 = "-----BEGIN PRIVATE KEY-----\nTUlJRXZRSUJBREFOQmdrcWhraUc5dzBCQVFFRkFBU0NCS2N3Z2dTakFnRUFBb0lCQVFD\n-----END PRIVATE KEY-----\n";
  const { publicKey: ecPublic, privateKey: ecPrivate } = await jose.generateKeyPair("ES256");
  const publicJwk = await jose.exportJWK(await rsaPublicKey());
  const cases = [
    ["a string that is no key", "this-is-not-a-signing-key-0123456789"],
    ["a PKCS#1 PEM", pkcs1],
    ["a PKCS#8 PEM that does not parse", garbledPkcs8],
    ["a public JWK", publicJwk],
    ["an EC private key", ecPrivate],
    ["a public CryptoKey", ecPublic],
  ];
  for (const [what, key] of cases) {
    const rec = recorder();
    const client = new MfaClient({ domain: emulator.url, clientId: JWT_CLIENT, clientAssertionSigningKey: key, fetch: rec.fetch });
    const error = await rejection(client.login("nobody@example.com", PASSWORD));
    assert.equal(error.code, "invalid_option", `${what}: ${error.message}`);
    assert.equal(rec.calls.length, 0, `${what}: a request was sent`);
    const material = typeof key === "string" ? key.split("\n").filter((l) => l.length > 16 && !l.startsWith("-----")) : [];
    if (typeof key === "string" && !key.includes("\n")) material.push(key);
    if (key === publicJwk) material.push(publicJwk.n.slice(0, 32));
    assertNotLeaked(error, [...material, PASSWORD]);
    assert.doesNotMatch(error.message, /BEGIN|PRIVATE KEY/, what);
  }
});

test("private_key_jwt: a secret with a key, or an algorithm Auth0 does not take, is invalid_option at construction", () => {
  const base = { domain: emulator.url, clientId: JWT_CLIENT };
  assert.throws(() => new MfaClient({ ...base, clientSecret: "s3cret", clientAssertionSigningKey: PRIVATE_PEM }), (e) => {
    assert.equal(e.code, "invalid_option", e.message);
    assertNotLeaked(e, ["s3cret", PRIVATE_PEM.split("\n")[1]]);
    return true;
  });
  for (const alg of ["ES256", "HS256", "RS512", "none", "rs256"]) {
    assert.throws(() => new MfaClient({ ...base, clientAssertionSigningKey: PRIVATE_PEM, clientAssertionSigningAlg: alg }), { code: "invalid_option" }, alg);
  }
  for (const key of [42, true]) {
    assert.throws(() => new MfaClient({ ...base, clientAssertionSigningKey: key }), { code: "invalid_option" }, String(key));
  }
});

// ---- 4. DPoP ------------------------------------------------------------------------------------------------

/** Verifies a DPoP proof by its embedded key: `{ payload, header }`. */
async function verifiedProof(proof) {
  const { payload, protectedHeader } = await jose.jwtVerify(proof, jose.EmbeddedJWK, { typ: "dpop+jwt", algorithms: ["ES256"] });
  assert.deepEqual(Object.keys(protectedHeader.jwk).sort(), ["crv", "kty", "x", "y"], "the public key only");
  assert.equal(typeof payload.jti, "string");
  assert.ok(payload.jti.length > 0);
  assert.ok(Math.abs(payload.iat - Date.now() / 1000) < 30, "iat is now");
  return { payload, header: protectedHeader };
}

/** Every request to the token endpoint carried a proof for it by `jkt`'s key; no `/mfa/*` request carried one. */
async function checkProofs(calls, jkt) {
  const jtis = new Set();
  for (const call of calls) {
    if (call.path !== "/oauth/token") {
      assert.equal("dpop" in call.headers, false, `${call.path} got a DPoP proof`);
      continue;
    }
    assert.equal(typeof call.headers.dpop, "string", "a token request without a proof");
    const { payload, header } = await verifiedProof(call.headers.dpop);
    assert.equal(await jose.calculateJwkThumbprint(header.jwk), jkt, "the proof is by the client's key");
    assert.equal(payload.htm, "POST");
    assert.equal(payload.htu, `${emulator.url}/oauth/token`);
    assert.equal("ath" in payload, false, "no ath at the token endpoint");
    jtis.add(payload.jti);
  }
  assert.equal(jtis.size, calls.filter((c) => c.path === "/oauth/token").length, "a new proof per request");
}

test("DPoP login: one retry with the nonce, tokens bound to the key, no proof to /mfa/*, refresh with the key", async () => {
  const keyPair = await newDpopKeyPair();
  const jkt = await thumbprint(keyPair.publicKey);
  const username = await newUser();
  const rec = recorder();
  const mark = await journalMark();
  const options = { domain: emulator.url, clientId: CLIENTS.dpop.client_id, scope: OFFLINE, dpop: { keyPair } };
  const client = new MfaClient({ ...options, fetch: rec.fetch });

  assert.equal((await client.login(username, PASSWORD)).stage, "mfa_required");
  const tries = rec.to("/oauth/token");
  assert.equal(tries.length, 2, "the first try and one retry");
  assert.equal(tries[0].status, 400);
  assert.equal(tries[0].response.error, "use_dpop_nonce");
  const nonce = tries[0].responseHeaders["dpop-nonce"];
  assert.ok(nonce, "the emulator sent a DPoP-Nonce");
  assert.equal("nonce" in (await verifiedProof(tries[0].headers.dpop)).payload, false);
  assert.equal((await verifiedProof(tries[1].headers.dpop)).payload.nonce, nonce, "the retry carries the nonce");
  assert.equal(tries[1].status, 403);
  assert.equal(tries[1].response.error, "mfa_required");
  assert.deepEqual((await journalSince(mark, "/oauth/token")).map((e) => [e.body.grant_type, e.status]), [
    ["password", 400],
    ["password", 403],
  ]);

  await client.authenticators();
  await client.challenge({ type: "otp" });
  const tokens = await client.verifyOtp(await otpCode(username));
  assert.equal(tokens.tokenType, "DPoP");
  assert.deepEqual(jose.decodeJwt(tokens.accessToken).cnf, { jkt });
  assert.equal(rec.to("/oauth/token").length, 3, "the OTP grant used the kept nonce: no second retry");
  assert.ok(rec.to("/mfa/authenticators").length >= 1 && rec.to("/mfa/challenge").length === 1);
  await checkProofs(rec.calls, jkt);
  const [family] = await families(username, CLIENTS.dpop.client_id);
  assert.equal(family.dpop_jkt, jkt, "a public client's refresh token is bound to the key");

  // Refresh with the same key, from a new client (which has no nonce yet).
  const refresher = new MfaClient({ ...options, fetch: rec.fetch });
  const refreshed = await refresher.refresh(tokens.refreshToken);
  assert.equal(refreshed.stage, "authenticated");
  assert.equal(refreshed.tokens.tokenType, "DPoP");
  assert.deepEqual(jose.decodeJwt(refreshed.tokens.accessToken).cnf, { jkt });
  const rotated = refreshed.tokens.refreshToken;
  assert.match(rotated ?? "", /^v1\./);
  await checkProofs(rec.calls, jkt);

  // Another key, or none: the bound token is refused, and the family is not revoked for it.
  for (const [what, dpop] of [["another key", { keyPair: await newDpopKeyPair() }], ["no key", undefined]]) {
    const stranger = new MfaClient({ domain: emulator.url, clientId: CLIENTS.dpop.client_id, dpop });
    const error = await rejection(stranger.refresh(rotated));
    assert.equal(error.code, "invalid_dpop_proof", `${what}: ${error.message}`);
    assert.equal(isInvalidDpopProof(error), true);
    assert.equal(error.status, 400);
    assertNotLeaked(error, [rotated]);
  }
  const again = await new MfaClient(options).refresh(rotated);
  assert.equal(again.tokens.tokenType, "DPoP", "the right key still refreshes");
});

test("DPoP: a saved login goes on with the same key pair, and fails on the bound mfa_token with another", async () => {
  const keyPair = await newDpopKeyPair();
  const jkt = await thumbprint(keyPair.publicKey);
  const options = { domain: emulator.url, clientId: CLIENTS.dpop.client_id, dpop: { keyPair } };
  const publicJwk = await jose.exportJWK(keyPair.publicKey);

  const username = await newUser();
  const rec = recorder();
  const client = new MfaClient({ ...options, fetch: rec.fetch });
  assert.equal((await client.login(username, PASSWORD)).stage, "mfa_required");
  const nonce = rec.to("/oauth/token").at(-1).responseHeaders["dpop-nonce"];
  const saved = client.save();
  assert.ok(saved.includes(nonce), "the state keeps the nonce");
  assert.equal(saved.includes(publicJwk.x), false, "the state holds no key");
  assert.equal(saved.includes(publicJwk.y), false, "the state holds no key");

  const later = recorder();
  const restored = MfaClient.restore(saved, { ...options, fetch: later.fetch });
  const tokens = await restored.verifyOtp(await otpCode(username));
  assert.equal(tokens.tokenType, "DPoP");
  assert.deepEqual(jose.decodeJwt(tokens.accessToken).cnf, { jkt });
  const grants = later.to("/oauth/token");
  assert.equal(grants.length, 1, "the saved nonce was good: no retry");
  assert.equal((await verifiedProof(grants[0].headers.dpop)).payload.nonce, nonce);

  // Another key pair: the mfa_token was bound to the first key.
  const other = await newUser();
  const first = new MfaClient(options);
  assert.equal((await first.login(other, PASSWORD)).stage, "mfa_required");
  const state = first.save();
  const code = await otpCode(other);
  const wrong = MfaClient.restore(state, { ...options, dpop: { keyPair: await newDpopKeyPair() } });
  const error = await rejection(wrong.verifyOtp(code));
  assert.equal(error.code, "invalid_dpop_proof", error.message);
  assert.equal(isInvalidDpopProof(error), true);
  assert.equal(error.status, 400);
  // Nothing was spent by the refusal: the right key completes with the same code.
  const right = await MfaClient.restore(state, options).verifyOtp(code);
  assert.deepEqual(jose.decodeJwt(right.accessToken).cnf, { jkt });
});

test("DPoP required by the tenant: a client without dpop is invalid_dpop_proof; dpop: true gets bound tokens", async () => {
  const username = await newUser({ mfa: false });
  const options = { domain: emulator.url, clientId: CLIENTS.dpopRequired.client_id };
  const error = await rejection(new MfaClient(options).login(username, PASSWORD));
  assert.equal(error.code, "invalid_dpop_proof", error.message);
  assert.equal(isInvalidDpopProof(error), true);
  assert.equal(error.status, 400);
  assertNotLeaked(error, [PASSWORD]);

  const rec = recorder();
  const client = new MfaClient({ ...options, dpop: true, fetch: rec.fetch });
  const login = await client.login(username, PASSWORD);
  assert.equal(login.stage, "authenticated");
  assert.equal(login.tokens.tokenType, "DPoP");
  const { header } = await verifiedProof(rec.to("/oauth/token").at(-1).headers.dpop);
  const jkt = await jose.calculateJwkThumbprint(header.jwk);
  assert.deepEqual(jose.decodeJwt(login.tokens.accessToken).cnf, { jkt });
  await checkProofs(rec.calls, jkt);
  // The generated pair also makes the API proofs.
  const proof = await client.dpopProof({ method: "GET", url: "https://api.example.com/" });
  assert.equal(await jose.calculateJwkThumbprint((await verifiedProof(proof)).header.jwk), jkt);
});

test("DPoP switched off through the control plane: a bound refresh token still needs its key", async () => {
  const clientId = id("dpop-switched");
  await emulator.control("POST", "/__emu/clients", { client_id: clientId, auth_method: "none", dpop: "allowed" });
  const keyPair = await newDpopKeyPair();
  const jkt = await thumbprint(keyPair.publicKey);
  const username = await newUser({ mfa: false });
  const options = { domain: emulator.url, clientId, scope: OFFLINE, dpop: { keyPair } };
  const login = await new MfaClient(options).login(username, PASSWORD);
  assert.equal(login.tokens.tokenType, "DPoP");

  const listed = await emulator.control("POST", `/__emu/clients/${clientId}`, { dpop: "off" });
  assert.equal(listed.dpop, "off");
  const keyless = await rejection(new MfaClient({ domain: emulator.url, clientId }).refresh(login.tokens.refreshToken));
  assert.equal(keyless.code, "invalid_dpop_proof", keyless.message);
  const refreshed = await new MfaClient(options).refresh(login.tokens.refreshToken);
  assert.equal(refreshed.tokens.tokenType, "DPoP", "the bound family keeps its binding");
  assert.deepEqual(jose.decodeJwt(refreshed.tokens.accessToken).cnf, { jkt });
  // A new login on the switched-off client: the proof is ignored, Bearer.
  const fresh = await new MfaClient(options).login(username, PASSWORD);
  assert.equal(fresh.tokens.tokenType, "Bearer");
});

test("DPoP on a client that does not use it: a proof is ignored and Bearer tokens come back", async () => {
  const username = await newUser({ mfa: false });
  const login = await new MfaClient({ domain: emulator.url, clientId: CLIENTS.rotating.client_id, dpop: true }).login(username, PASSWORD);
  assert.equal(login.tokens.tokenType, "Bearer");
  assert.equal("cnf" in jose.decodeJwt(login.tokens.accessToken), false);
});

test("dpopProof for an API call: htm, htu without query or fragment, ath, nonce; without dpop: invalid_option", async () => {
  const keyPair = await newDpopKeyPair();
  const jkt = await thumbprint(keyPair.publicKey);
  const client = new MfaClient({ domain: emulator.url, clientId: CLIENTS.dpop.client_id, dpop: { keyPair } });
  const accessToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhcGkifQ.c2lnbmF0dXJl";

  const proof = await client.dpopProof({ method: "GET", url: "https://api.example.com/me?x=1", accessToken });
  const { payload, header } = await verifiedProof(proof);
  assert.equal(header.alg, "ES256");
  assert.equal(await jose.calculateJwkThumbprint(header.jwk), jkt);
  assert.equal(payload.htm, "GET");
  assert.equal(payload.htu, "https://api.example.com/me");
  assert.equal(payload.ath, sha256(accessToken));
  assert.equal("nonce" in payload, false);

  const other = await client.dpopProof({ method: "post", url: "https://api.example.com/items#frag", nonce: "server-nonce-1" });
  const second = (await verifiedProof(other)).payload;
  assert.equal(second.htm, "POST");
  assert.equal(second.htu, "https://api.example.com/items");
  assert.equal(second.nonce, "server-nonce-1");
  assert.equal("ath" in second, false, "no access token, no ath");
  assert.notEqual(second.jti, payload.jti);

  for (const bad of [{ url: "https://api.example.com/" }, { method: "GET" }, "GET https://api.example.com/"]) {
    const error = await rejection(client.dpopProof(bad));
    assert.equal(error.code, "invalid_argument", `${JSON.stringify(bad)}: ${error.message}`);
  }
  const without = new MfaClient({ domain: emulator.url, clientId: CLIENTS.dpop.client_id });
  const error = await rejection(without.dpopProof({ method: "GET", url: "https://api.example.com/me", accessToken }));
  assert.equal(error.code, "invalid_option", error.message);
  assertNotLeaked(error, [accessToken]);
});

test("a DPoP key pair that cannot sign is refused", async () => {
  const rsa = await crypto.subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, false, ["sign", "verify"]);
  const p384 = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, false, ["sign", "verify"]);
  const verifyOnly = await newDpopKeyPair();
  const swapped = { privateKey: verifyOnly.publicKey, publicKey: verifyOnly.privateKey };
  for (const [what, keyPair] of [["RSA", rsa], ["P-384", p384], ["swapped", swapped], ["empty", {}]]) {
    const rec = recorder();
    const client = new MfaClient({ domain: emulator.url, clientId: CLIENTS.dpop.client_id, dpop: { keyPair }, fetch: rec.fetch });
    const error = await rejection(client.login("nobody@example.com", PASSWORD));
    assert.equal(error.code, "invalid_option", `${what}: ${error.message}`);
    assert.equal(rec.calls.length, 0, `${what}: a request was sent`);
  }
  for (const dpop of ["yes", 1, { keyPair: "pair" }, {}]) {
    assert.throws(() => new MfaClient({ domain: emulator.url, clientId: CLIENTS.dpop.client_id, dpop }), { code: "invalid_option" }, JSON.stringify(dpop));
  }
});

test("DPoP with MFA on refresh: the refresh's mfa_token and the rotated token stay bound to the key", async () => {
  const keyPair = await newDpopKeyPair();
  const jkt = await thumbprint(keyPair.publicKey);
  const username = await newUser();
  const clientId = CLIENTS.dpopMfaOnRefresh.client_id;
  const options = { domain: emulator.url, clientId, scope: OFFLINE, dpop: { keyPair } };
  const { tokens: login } = await loginWithOtp(options, username);
  assert.equal(login.tokenType, "DPoP");

  const rec = recorder();
  const client = new MfaClient({ ...options, fetch: rec.fetch });
  assert.equal((await client.refresh(login.refreshToken)).stage, "mfa_required");
  const tokens = await client.verifyOtp(await otpCode(username));
  assert.equal(tokens.tokenType, "DPoP");
  assert.deepEqual(jose.decodeJwt(tokens.accessToken).cnf, { jkt });
  assert.match(tokens.refreshToken ?? "", /^v1\./);
  assert.notEqual(tokens.refreshToken, login.refreshToken);
  await checkProofs(rec.calls, jkt);
  assert.deepEqual(
    rec.to("/oauth/token").map((c) => [c.body.grant_type, c.status]),
    [
      ["refresh_token", 400],
      ["refresh_token", 403],
      ["http://auth0.com/oauth/grant-type/mfa-otp", 200],
    ],
  );
  const [family] = await families(username, clientId);
  assert.deepEqual([family.counter, family.dpop_jkt, family.revoked], [1, jkt, false]);
});

test("private_key_jwt with DPoP on a confidential client: a new assertion on the nonce retry; refresh tokens unbound", async () => {
  const clientId = CLIENTS.jwtDpop.client_id;
  const keyPair = await newDpopKeyPair();
  const jkt = await thumbprint(keyPair.publicKey);
  const username = await newUser({ mfa: false });
  const rec = recorder();
  const options = { domain: emulator.url, clientId, scope: OFFLINE, clientAssertionSigningKey: PRIVATE_PEM };
  const login = await new MfaClient({ ...options, dpop: { keyPair }, fetch: rec.fetch }).login(username, PASSWORD);
  assert.equal(login.tokens.tokenType, "DPoP");
  assert.deepEqual(jose.decodeJwt(login.tokens.accessToken).cnf, { jkt });
  const tries = rec.to("/oauth/token");
  assert.deepEqual(tries.map((c) => c.status), [400, 200], "use_dpop_nonce, then the retry");
  const publicKey = await rsaPublicKey();
  const jtis = [];
  for (const call of tries) {
    assert.equal(call.body.client_assertion_type, JWT_BEARER);
    jtis.push((await jose.jwtVerify(call.body.client_assertion, publicKey, { issuer: clientId, audience: `${emulator.url}/` })).payload.jti);
  }
  assert.notEqual(jtis[0], jtis[1], "the retry signs a new assertion (its jti is single-use)");
  await checkProofs(rec.calls, jkt);
  const [family] = await families(username, clientId);
  assert.equal(family.dpop_jkt, null, "RFC 9449 §5: a confidential client's refresh token is not bound");

  // Unbound: a refresh without DPoP gets Bearer tokens.
  const bearer = await new MfaClient(options).refresh(login.tokens.refreshToken);
  assert.equal(bearer.tokens.tokenType, "Bearer");
  assert.equal("cnf" in jose.decodeJwt(bearer.tokens.accessToken), false);
});

test("DPoP: the nonce retry happens once; a second use_dpop_nonce is invalid_dpop_proof, and the client recovers", async () => {
  const keyPair = await newDpopKeyPair();
  const username = await newUser({ mfa: false });
  const rec = recorder();
  const client = new MfaClient({ domain: emulator.url, clientId: CLIENTS.dpop.client_id, dpop: { keyPair }, fetch: rec.fetch });
  const body = JSON.stringify({ error: "use_dpop_nonce", error_description: "Authorization server requires nonce in DPoP proof" });
  await emulator.control("POST", "/__emu/faults", {
    endpoint: "/oauth/token",
    count: 3,
    status: 400,
    body,
    headers: { "content-type": "application/json", "dpop-nonce": "fault-nonce-1" },
  });
  try {
    const error = await rejection(client.login(username, PASSWORD));
    assert.equal(error.code, "invalid_dpop_proof", error.message);
    assert.equal(error.error, "use_dpop_nonce");
    assertNotLeaked(error, [PASSWORD]);
    const tries = rec.to("/oauth/token");
    assert.equal(tries.length, 2, "one retry, not more");
    assert.equal((await verifiedProof(tries[1].headers.dpop)).payload.nonce, "fault-nonce-1");
  } finally {
    await emulator.control("DELETE", "/__emu/faults");
  }
  // The stale nonce is replaced by the tenant's on the next try.
  const login = await client.login(username, PASSWORD);
  assert.equal(login.tokens.tokenType, "DPoP");
  assert.equal(rec.to("/oauth/token").length, 4);
});

// BUG: keys.js `dpopProof` parses the URL with `new URL(htu)`, and keys.rs `signed` turns any failure of the
// signer into UNUSABLE_DPOP_KEY, so a bad URL is reported as a bad key pair.
test("dpopProof with a URL that does not parse is invalid_argument, not a key-pair problem", async () => {
  const client = new MfaClient({ domain: emulator.url, clientId: CLIENTS.dpop.client_id, dpop: true });
  for (const url of ["not a url", "/relative/path"]) {
    const error = await rejection(client.dpopProof({ method: "GET", url }));
    assert.doesNotMatch(error.message, /key pair/, `${url}: blames the key pair: ${error.message}`);
    assert.equal(error.code, "invalid_argument", `${url}: ${error.message}`);
  }
});

// ---- 5. interoperability ------------------------------------------------------------------------------------

test("oauth4webapi's DPoP handle against the emulator; its bound refresh token refreshes through our client", async () => {
  const keyPair = await newDpopKeyPair();
  const jkt = await thumbprint(keyPair.publicKey);
  const username = await newUser({ mfa: false });
  const as = { issuer: `${emulator.url}/`, token_endpoint: `${emulator.url}/oauth/token` };
  const client = { client_id: CLIENTS.dpop.client_id };
  const DPoP = oauth.DPoP(client, keyPair);
  assert.equal(await DPoP.calculateThumbprint(), jkt);
  const options = { DPoP, [oauth.allowInsecureRequests]: true };
  const params = { username, password: PASSWORD, scope: "offline_access" };

  const password = () => oauth.genericTokenEndpointRequest(as, client, oauth.None(), "password", params, options);
  let nonceErrors = 0;
  let result;
  for (let attempt = 0; attempt < 2 && !result; attempt++) {
    try {
      result = await oauth.processGenericTokenEndpointResponse(as, client, await password());
    } catch (e) {
      assert.ok(oauth.isDPoPNonceError(e), String(e));
      nonceErrors++;
    }
  }
  assert.equal(nonceErrors, 1, "the emulator asked oauth4webapi for a nonce once");
  assert.ok(result, "the retry with the nonce got tokens");
  assert.equal(result.token_type, "dpop");
  assert.deepEqual(jose.decodeJwt(result.access_token).cnf, { jkt });

  // oauth4webapi refreshes with its cached nonce...
  const refreshed = await oauth.processRefreshTokenResponse(
    as,
    client,
    await oauth.refreshTokenGrantRequest(as, client, oauth.None(), result.refresh_token, options),
  );
  assert.equal(refreshed.token_type, "dpop");
  assert.notEqual(refreshed.refresh_token, result.refresh_token);
  // ...and our client, with the same key, takes over its refresh token.
  const ours = await new MfaClient({ domain: emulator.url, clientId: CLIENTS.dpop.client_id, dpop: { keyPair } }).refresh(refreshed.refresh_token);
  assert.equal(ours.tokens.tokenType, "DPoP");
  assert.deepEqual(jose.decodeJwt(ours.tokens.accessToken).cnf, { jkt });
  const [family] = await families(username, CLIENTS.dpop.client_id);
  assert.deepEqual([family.counter, family.dpop_jkt, family.revoked], [2, jkt, false]);
});

test("a proof from dpopProof for the token endpoint, sent by hand, is accepted once and refused when replayed", async () => {
  const keyPair = await newDpopKeyPair();
  const jkt = await thumbprint(keyPair.publicKey);
  const username = await newUser({ mfa: false });
  const client = new MfaClient({ domain: emulator.url, clientId: CLIENTS.dpop.client_id, dpop: { keyPair } });
  const endpoint = `${emulator.url}/oauth/token`;
  const body = new URLSearchParams({ grant_type: "password", client_id: CLIENTS.dpop.client_id, username, password: PASSWORD });
  const post = (proof) => fetch(endpoint, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", dpop: proof }, body });

  const first = await post(await client.dpopProof({ method: "POST", url: endpoint }));
  assert.equal(first.status, 400);
  assert.equal((await first.json()).error, "use_dpop_nonce");
  const nonce = first.headers.get("dpop-nonce");
  const proof = await client.dpopProof({ method: "POST", url: endpoint, nonce });
  const ok = await post(proof);
  assert.equal(ok.status, 200);
  const tokens = await ok.json();
  assert.equal(tokens.token_type, "DPoP");
  assert.deepEqual(jose.decodeJwt(tokens.access_token).cnf, { jkt });
  assert.ok(ok.headers.get("dpop-nonce"), "a nonce on the success too");

  const replay = await post(proof);
  assert.equal(replay.status, 400);
  assert.deepEqual(await replay.json(), { error: "invalid_dpop_proof", error_description: "Invalid DPoP proof: its jti was already used" });
  const forApi = await post(await client.dpopProof({ method: "GET", url: endpoint, nonce }));
  assert.equal((await forApi.json()).error, "invalid_dpop_proof", "htm GET is not a token request's proof");
});

test("our dpopProof passes RFC 9449 verification: jose by the embedded key, oauth4webapi as a resource server", async () => {
  const keyPair = await newDpopKeyPair();
  const jkt = await thumbprint(keyPair.publicKey);
  const client = new MfaClient({ domain: emulator.url, clientId: CLIENTS.dpop.client_id, dpop: { keyPair } });

  // An RFC 9068 access token bound to our key, from an authorization server of our own.
  const issuer = "https://as.example/";
  const signing = await jose.generateKeyPair("RS256");
  const jwk = { ...(await jose.exportJWK(signing.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  const accessToken = await new jose.SignJWT({ client_id: CLIENTS.dpop.client_id, cnf: { jkt }, scope: "read" })
    .setProtectedHeader({ alg: "RS256", typ: "at+jwt", kid: "k1" })
    .setIssuer(issuer)
    .setSubject("auth0|someone")
    .setAudience("https://api.example.com/")
    .setIssuedAt()
    .setExpirationTime("5m")
    .setJti(crypto.randomUUID())
    .sign(signing.privateKey);
  const as = { issuer, jwks_uri: `${issuer}.well-known/jwks.json` };
  const jwksFetch = async () => Response.json({ keys: [jwk] });

  const url = "https://api.example.com/me?x=1";
  const proof = await client.dpopProof({ method: "GET", url, accessToken });
  const { payload } = await jose.jwtVerify(proof, jose.EmbeddedJWK, { typ: "dpop+jwt", algorithms: ["ES256"], maxTokenAge: 60 });
  assert.deepEqual(
    { htm: payload.htm, htu: payload.htu, ath: payload.ath },
    { htm: "GET", htu: "https://api.example.com/me", ath: sha256(accessToken) },
  );

  const request = new Request(url, { headers: { authorization: `DPoP ${accessToken}`, dpop: proof } });
  const claims = await oauth.validateJwtAccessToken(as, request, "https://api.example.com/", {
    requireDPoP: true,
    [oauth.customFetch]: jwksFetch,
  });
  assert.equal(claims.cnf.jkt, jkt);

  // The same verifier refuses a proof for another request, or one without the token's hash.
  for (const [what, made] of [
    ["another method", { method: "POST", url, accessToken }],
    ["another URL", { method: "GET", url: "https://api.example.com/other", accessToken }],
    ["no ath", { method: "GET", url }],
  ]) {
    const wrongProof = await client.dpopProof(made);
    const wrong = new Request(url, { headers: { authorization: `DPoP ${accessToken}`, dpop: wrongProof } });
    await assert.rejects(
      oauth.validateJwtAccessToken(as, wrong, "https://api.example.com/", { requireDPoP: true, [oauth.customFetch]: jwksFetch }),
      undefined,
      what,
    );
  }
  // And a proof by another key does not match the token's cnf.jkt.
  const stranger = new MfaClient({ domain: emulator.url, clientId: CLIENTS.dpop.client_id, dpop: true });
  const foreign = new Request(url, { headers: { authorization: `DPoP ${accessToken}`, dpop: await stranger.dpopProof({ method: "GET", url, accessToken }) } });
  await assert.rejects(oauth.validateJwtAccessToken(as, foreign, "https://api.example.com/", { requireDPoP: true, [oauth.customFetch]: jwksFetch }));
});

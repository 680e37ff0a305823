// Secrets never leak: every MFA flow is run against the emulator while everything a developer could end up
// logging is captured — each error's message, String(), JSON.stringify(), util.inspect() and stack, every console
// line, and the inspected client — and none of it may contain a password, client secret, OTP, binding or
// recovery code, OTP secret, mfa_token, oob_code or token seen during the run; nor a private key (a PEM, each line
// of its body, a JWK's private members, the DPoP key's `d`), a client assertion, a DPoP proof (each whole and its
// signature alone), or a refresh token, the first or any rotated one. The assertions, proofs and refresh tokens are
// read off the wire by a recording `fetch` (the emulator's journal redacts them and keeps no DPoP header).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import util from "node:util";
import { readFileSync } from "node:fs";
import { createPrivateKey, generateKeyPairSync } from "node:crypto";
import * as OTPAuth from "otpauth";
import pkg from "./pkg.mjs";
import { startEmulator } from "./emulator.mjs";

const { MfaClient } = pkg;
const PASSWORD = "Leak-check Pa55word";
const WRONG_PASSWORD = "Wrong-guess Pa55word";
const CLIENT_SECRET = "confidential-client-s3cret-7f9c2a";
const WRONG_CLIENT_SECRET = "wrong-client-s3cret-41b8e0";
const OTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const RECOVERY = "ABCDEFGHJKLMNPQRSTUVWXYZ";
// Put into garbage arguments: an error that echoes its input would carry it.
const MARKER = "LEAKMARKER-5e1f0c";
const FAKE_MFA_TOKEN = "fake-mfa-token-Zq8Lw3Rt";
const FAKE_REFRESH_TOKEN = `v1.fake-refresh-${MARKER}-Yb7Kp2`;

// The private key of `jwt-client`'s registered credential (a committed test key), as PEM and as a private JWK.
const SIGNING_KEY_PEM = readFileSync(new URL("../../emulator/keys/TEST-ONLY-client-assertion.private.pem", import.meta.url), "utf8");
const SIGNING_KEY_JWK = createPrivateKey(SIGNING_KEY_PEM).export({ format: "jwk" });
// Keys that must not work: an RSA key the tenant does not know (as PKCS#8 and as PKCS#1), an EC key, and PEMs and
// JWKs that do not import. Each is secret material all the same (the broken JWK's private members are the real key's).
const unknownRsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
const UNKNOWN_KEY_PEM = unknownRsa.export({ type: "pkcs8", format: "pem" });
const UNKNOWN_KEY_PKCS1 = unknownRsa.export({ type: "pkcs1", format: "pem" });
const EC_KEY_PEM = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" });
const GARBAGE_KEY_PEM = `-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ${MARKER.replace(/-/g, "")}QIDAQAB\n-----END PRIVATE KEY-----\n`;
const BROKEN_JWK = { ...SIGNING_KEY_JWK, n: SIGNING_KEY_JWK.n.slice(0, 40) };

let emulator;
let baseUrl;
let spaClient;
let serial = 0;

const secrets = new Map(); // value → what it is
const captured = []; // { source, text }
const counts = { errors: 0, consoleLines: 0, inspections: 0 };
const consoleOriginal = {};

function secret(value, what) {
  // Short values would match by accident; every real secret here is at least 6 characters.
  if (typeof value === "string" && value.length >= 6) secrets.set(value, what);
}

function capture(source, text) {
  captured.push({ source, text: String(text) });
}

// Everything a developer could log about an error.
function captureError(label, error) {
  counts.errors += 1;
  capture(`${label}: message`, error?.message);
  capture(`${label}: String`, String(error));
  capture(`${label}: JSON`, JSON.stringify(error));
  capture(`${label}: inspect`, util.inspect(error, { depth: Infinity }));
  capture(`${label}: stack`, error?.stack);
  for (const [key, value] of Object.entries(error ?? {})) capture(`${label}: .${key}`, util.inspect(value, { depth: Infinity }));
  if (error && Object.prototype.hasOwnProperty.call(error, "mfaToken")) {
    const descriptor = Object.getOwnPropertyDescriptor(error, "mfaToken");
    assert.equal(descriptor.enumerable, false, `${label}: mfaToken is enumerable`);
    secret(error.mfaToken, "mfa_token on an error");
  }
  // What an app typically does with an error it does not expect.
  console.error(`${label} failed:`, error);
  console.warn(`${label}: ${error?.code}: ${error?.message}`);
}

function captureClient(label, client) {
  counts.inspections += 1;
  capture(`${label}: inspect(client)`, util.inspect(client, { depth: Infinity, showHidden: false }));
  capture(`${label}: String(client)`, String(client));
  capture(`${label}: stage`, client.stage);
  capture(`${label}: mfaRequirements`, util.inspect(client.mfaRequirements, { depth: Infinity }));
  console.log(label, client, client.stage);
}

// The login state holds the mfa_token and pending oob_code: read them as secrets to look for.
function saveSecrets(client) {
  const state = JSON.parse(client.save());
  secret(state.mfa_token, "mfa_token");
  secret(state.pending?.oob_code, "oob_code");
  return state;
}

/** A PEM and each line of its body (an error quoting part of it would carry a line). */
function pemSecrets(pem, what) {
  secret(pem, what);
  const body = pem.replace(/-----[A-Z ]+-----/g, "");
  secret(body.replace(/\s/g, ""), what);
  for (const line of body.split(/\s+/)) secret(line, what);
}

/** The private members of a JWK. */
function jwkSecrets(jwk, what) {
  for (const member of ["d", "p", "q", "dp", "dq", "qi"]) secret(jwk[member], what);
}

/** A JWT, and its signature alone. */
function jwtSecrets(jwt, what) {
  secret(jwt, what);
  secret(jwt.split(".")[2], `${what} signature`);
}

// What the library sent, read off the wire: every client assertion, DPoP proof and refresh token becomes a secret.
const wire = { assertions: [], proofs: [], refreshTokens: [], statuses: [] };
async function recordingFetch(input, init = {}) {
  const proof = new Headers(init.headers).get("dpop");
  if (proof) {
    wire.proofs.push(proof);
    jwtSecrets(proof, "DPoP proof");
  }
  const body = typeof init.body === "string" ? init.body : "";
  const params = body.startsWith("{") ? JSON.parse(body) : Object.fromEntries(new URLSearchParams(body));
  if (params.client_assertion) {
    wire.assertions.push(params.client_assertion);
    jwtSecrets(params.client_assertion, "client assertion");
  }
  if (params.refresh_token) {
    wire.refreshTokens.push(params.refresh_token);
    if (!secrets.has(params.refresh_token)) secret(params.refresh_token, "refresh token");
  }
  const response = await fetch(input, init);
  wire.statuses.push(`${new URL(String(input)).pathname} ${params.grant_type ?? ""} ${response.status}`);
  return response;
}

/** The claims of a JWT, to check what the recorder saw is what it should be. */
const claims = (jwt) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString());

function tokenSecrets(tokens) {
  secret(tokens.accessToken, "access token");
  secret(tokens.idToken, "id token");
  secret(tokens.refreshToken, "refresh token");
  secret(tokens.recoveryCode, "recovery code");
  return tokens;
}

function enrollmentSecrets(enrollment) {
  secret(enrollment.secret, "OTP secret");
  secret(enrollment.barcodeUri, "barcode URI");
  for (const code of enrollment.recoveryCodes ?? []) secret(code, "recovery code");
  return enrollment;
}

async function fails(label, promise, code) {
  const error = await Promise.resolve(promise).then(
    (value) => assert.fail(`${label}: expected ${code}, got ${util.inspect(value)}`),
    (e) => e,
  );
  captureError(label, error);
  if (code) assert.equal(error?.code, code, `${label}: ${error?.code}: ${error?.message}`);
  return error;
}

/** Runs a synchronous call that may throw (constructor, restore, save). */
function throwsOrNot(label, call) {
  try {
    return call();
  } catch (error) {
    captureError(label, error);
    return undefined;
  }
}

before(async () => {
  for (const method of ["log", "info", "warn", "error", "debug", "trace", "dir"]) {
    consoleOriginal[method] = console[method];
    console[method] = (...args) => {
      counts.consoleLines += 1;
      capture(`console.${method}`, util.formatWithOptions({ depth: Infinity }, ...args));
    };
  }
  emulator = await startEmulator([]);
  baseUrl = emulator.url;
  spaClient = `secrets-spa-${process.pid}`;
  await control("POST", "/__emu/clients", { client_id: spaClient, auth_method: "none", allowed_origins: [] });
  for (const value of [PASSWORD, WRONG_PASSWORD, CLIENT_SECRET, WRONG_CLIENT_SECRET, OTP_SECRET, RECOVERY, MARKER, FAKE_MFA_TOKEN, FAKE_REFRESH_TOKEN]) {
    secret(value, "test input");
  }
  pemSecrets(SIGNING_KEY_PEM, "private key");
  jwkSecrets(SIGNING_KEY_JWK, "private key");
  for (const pem of [UNKNOWN_KEY_PEM, UNKNOWN_KEY_PKCS1, EC_KEY_PEM, GARBAGE_KEY_PEM]) pemSecrets(pem, "unusable private key");
});

after(() => {
  Object.assign(console, consoleOriginal);
  emulator?.stop();
});

const control = (method, route, body) => emulator.control(method, route, body);

async function newUser(authenticators, extra = {}) {
  const username = `secrets-${process.pid}-${++serial}@example.com`;
  await control("POST", "/__emu/users", { username, password: PASSWORD, authenticators, ...extra });
  return username;
}

async function totp(secretBase32, offsetSteps = 0) {
  const { now_ms } = await control("GET", "/__emu/clock");
  const generator = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secretBase32), algorithm: "SHA1", digits: 6, period: 30 });
  const code = generator.generate({ timestamp: now_ms + offsetSteps * 30_000 });
  secret(code, "OTP code");
  return code;
}

async function outboxCode(username) {
  const messages = await control("GET", `/__emu/outbox?user=${encodeURIComponent(username)}`);
  assert.ok(messages.length > 0, `nothing sent to ${username}`);
  const { code } = messages.at(-1);
  secret(code, "binding code");
  return code;
}

// A code that is surely wrong: the right one with its last digit changed.
function wrongCode(code) {
  const wrong = code.slice(0, -1) + String((Number(code.at(-1)) + 5) % 10);
  secret(wrong, "wrong code");
  return wrong;
}

const client = (extra = {}) =>
  new MfaClient({ domain: baseUrl, clientId: spaClient, scope: "openid profile email offline_access", timeoutMs: 5000, ...extra });

async function loginToMfa(c, username) {
  const result = await c.login(username, PASSWORD);
  assert.equal(result.stage, "mfa_required");
  saveSecrets(c);
  captureClient("after login", c);
}

test("OTP enrollment and verification", async () => {
  const username = await newUser([]);
  const c = client();
  await loginToMfa(c, username);
  const enrollment = enrollmentSecrets(await c.enroll({ type: "otp" }));
  saveSecrets(c);
  await fails("verifyOtp (enroll, wrong code)", c.verifyOtp(wrongCode(await totp(enrollment.secret))), "invalid_code");
  tokenSecrets(await c.verifyOtp(await totp(enrollment.secret)));
  captureClient("after OTP enrollment", c);
});

test("OTP challenge: a wrong code, then the right one", async () => {
  const username = await newUser([{ type: "otp", secret: OTP_SECRET }]);
  const c = client();
  await loginToMfa(c, username);
  await c.challenge({ type: "otp" });
  saveSecrets(c);
  const code = await totp(OTP_SECRET);
  await fails("verifyOtp (wrong code)", c.verifyOtp(wrongCode(code)), "invalid_code");
  tokenSecrets(await c.verifyOtp(code));
  // The same code again, on a new login: already used.
  await loginToMfa(c, username);
  await fails("verifyOtp (reused code)", c.verifyOtp(code), "invalid_code");
});

test("SMS enrollment with the code from the outbox", async () => {
  const username = await newUser([]);
  const c = client();
  await loginToMfa(c, username);
  enrollmentSecrets(await c.enroll({ type: "sms", phoneNumber: "+15555550142" }));
  saveSecrets(c);
  const code = await outboxCode(username);
  await fails("verifyOob (wrong binding code)", c.verifyOob(wrongCode(code)), "invalid_code");
  tokenSecrets(await c.verifyOob(code));
  captureClient("after SMS enrollment", c);
});

test("email challenge with the code from the outbox", async () => {
  const username = await newUser([{ type: "email", email: `mail-${serial}@example.com` }]);
  const c = client();
  await loginToMfa(c, username);
  await c.challenge({ type: "email" });
  saveSecrets(c);
  const code = await outboxCode(username);
  await fails("verifyOob (email, wrong code)", c.verifyOob(wrongCode(code)), "invalid_code");
  tokenSecrets(await c.verifyOob(code));
});

test("push approved, then push rejected", async () => {
  const username = await newUser([{ type: "push", name: "Phone" }]);
  const c = client();
  const onPoll = (event) => console.log("push poll", event);
  await loginToMfa(c, username);
  await c.challenge({ type: "push" });
  saveSecrets(c);
  captureClient("push pending", c);
  await control("POST", `/__emu/pushes/latest/approve?user=${encodeURIComponent(username)}`);
  tokenSecrets(await c.waitForPush({ intervalMs: 1000, timeoutMs: 20_000, onPoll }));

  await loginToMfa(c, username);
  await c.challenge({ type: "push" });
  saveSecrets(c);
  await control("POST", `/__emu/pushes/latest/reject?user=${encodeURIComponent(username)}`);
  await fails("waitForPush (rejected)", c.waitForPush({ intervalMs: 1000, timeoutMs: 20_000, onPoll }), "push_rejected");
});

test("recovery-code login rotates the code", async () => {
  const username = await newUser([{ type: "otp", secret: OTP_SECRET }], { recovery_code: RECOVERY });
  const c = client();
  await loginToMfa(c, username);
  const tokens = tokenSecrets(await c.verifyRecoveryCode(RECOVERY));
  assert.ok(tokens.recoveryCode && tokens.recoveryCode !== RECOVERY, "a new recovery code");
  await loginToMfa(c, username);
  await fails("verifyRecoveryCode (old code)", c.verifyRecoveryCode(RECOVERY), "invalid_code");
  tokenSecrets(await c.verifyRecoveryCode(tokens.recoveryCode));
});

test("wrong password", async () => {
  const username = await newUser([{ type: "otp", secret: OTP_SECRET }]);
  const c = client();
  await fails("login (wrong password)", c.login(username, WRONG_PASSWORD), "invalid_credentials");
  captureClient("after wrong password", c);
});

test("expired mfa_token", async () => {
  const username = await newUser([{ type: "otp", secret: OTP_SECRET }]);
  const c = client();
  await loginToMfa(c, username);
  await control("POST", "/__emu/clock", { advance: 301 });
  try {
    const error = await fails("authenticators (expired mfa_token)", c.authenticators(), "mfa_token_expired");
    assert.equal(error.restartRequired, true);
    await fails("verifyOtp (after expiry)", c.verifyOtp(await totp(OTP_SECRET)), "invalid_state");
  } finally {
    await control("POST", "/__emu/clock", { advance: -301 });
  }
  captureClient("after expiry", c);
});

test("confidential client with a client secret", async () => {
  const clientId = `secrets-confidential-${process.pid}`;
  await control("POST", "/__emu/clients", { client_id: clientId, client_secret: CLIENT_SECRET, auth_method: "client_secret_post", allowed_origins: [] });
  const username = await newUser([{ type: "otp", secret: OTP_SECRET }]);
  const c = client({ clientId, clientSecret: CLIENT_SECRET });
  captureClient("confidential client", c);
  await loginToMfa(c, username);
  const state = c.save();
  assert.ok(!state.includes(CLIENT_SECRET), "save() leaves the client secret out");
  const restored = MfaClient.restore(state, { domain: baseUrl, clientId, clientSecret: CLIENT_SECRET, scope: "openid offline_access" });
  captureClient("restored confidential client", restored);
  tokenSecrets(await restored.verifyOtp(await totp(OTP_SECRET)));
  const wrong = client({ clientId, clientSecret: WRONG_CLIENT_SECRET });
  await fails("login (wrong client secret)", wrong.login(username, PASSWORD), "access_denied");
});

test("an mfa_required answered to a later step keeps its mfaToken out of sight", async () => {
  const username = await newUser([{ type: "otp", secret: OTP_SECRET }]);
  const c = client();
  await loginToMfa(c, username);
  await control("POST", "/__emu/faults", {
    endpoint: "/oauth/token",
    count: 1,
    status: 403,
    body: JSON.stringify({ error: "mfa_required", error_description: "Multifactor authentication required", mfa_token: FAKE_MFA_TOKEN }),
    headers: { "content-type": "application/json" },
  });
  const error = await fails("verifyOtp (mfa_required again)", c.verifyOtp(await totp(OTP_SECRET)), "mfa_required");
  await control("DELETE", "/__emu/faults");
  assert.equal(error.mfaToken, FAKE_MFA_TOKEN, "the token is there for whoever asks for it by name");
  assert.ok(!Object.keys(error).includes("mfaToken"));
});

test("garbage inputs to every method", async () => {
  const username = await newUser([{ type: "otp", secret: OTP_SECRET }]);
  // Garbage passwords go to another user, whom brute-force protection may block without stopping this test.
  const victim = await newUser([{ type: "otp", secret: OTP_SECRET }]);
  const garbage = [
    undefined, null, 42, NaN, {}, [], "", " ", "\u0000", MARKER, `${MARKER}\r\n${MARKER}`, `<${MARKER}>`, { toString: () => MARKER },
    { type: MARKER }, { type: "sms", phoneNumber: MARKER }, { type: "email", email: MARKER }, { authenticatorId: MARKER },
    { intervalMs: MARKER }, { timeoutMs: -1 }, { signal: MARKER }, { onPoll: MARKER }, "x".repeat(5000) + MARKER,
  ];
  const optionSets = [
    undefined, null, MARKER, {}, { domain: MARKER, clientId: MARKER }, { domain: `https://${MARKER}`, clientId: spaClient, clientSecret: MARKER },
    { domain: baseUrl, clientId: MARKER, timeoutMs: MARKER }, { domain: baseUrl, clientId: spaClient, fetch: MARKER },
    { domain: `${baseUrl}/${MARKER}?password=${MARKER}`, clientId: spaClient }, { domain: baseUrl, clientId: spaClient, scope: MARKER },
  ];
  for (const options of optionSets) {
    const made = throwsOrNot("new MfaClient(garbage)", () => new MfaClient(options));
    if (made) {
      captureClient("client from garbage options", made);
      await made.login(username, PASSWORD).then(
        () => saveSecrets(made),
        (error) => captureError("login on a garbage client", error),
      );
    }
    throwsOrNot("MfaClient.restore(garbage)", () => MfaClient.restore(JSON.stringify({ version: 1, mfa_token: MARKER, stage: MARKER }), options));
  }
  for (const state of garbage) {
    throwsOrNot("MfaClient.restore(garbage state)", () => MfaClient.restore(state, { domain: baseUrl, clientId: spaClient }));
  }
  const c = client();
  for (const stage of ["start", "mfa_required"]) {
    if (stage === "mfa_required") await loginToMfa(c, username);
    for (const value of garbage) {
      for (const [name, call] of [
        ["login(garbage, garbage)", () => c.login(value, value)],
        ["login(user, garbage)", () => c.login(victim, value)],
        ["enroll", () => c.enroll(value)],
        ["challenge", () => c.challenge(value)],
        ["verifyOtp", () => c.verifyOtp(value)],
        ["verifyOob", () => c.verifyOob(value)],
        ["verifyRecoveryCode", () => c.verifyRecoveryCode(value)],
        ["waitForPush", () => c.waitForPush(value)],
        ["deleteAuthenticator", () => c.deleteAuthenticator(value, value)],
        ["listAuthenticators", () => c.listAuthenticators(value)],
      ]) {
        let promise;
        try {
          promise = call();
        } catch (error) {
          captureError(`${name} (threw)`, error);
          continue;
        }
        await Promise.resolve(promise).then(
          (result) => capture(`${name}: result`, util.inspect(result, { depth: Infinity })),
          (error) => captureError(`${name} (${stage})`, error),
        );
        // A garbage login may have moved the flow; put it back where this round expects it.
        if (stage === "mfa_required" && c.stage !== "mfa_required") await loginToMfa(c, username);
      }
    }
  }
  captureClient("after garbage", c);
});

// ---- refresh tokens, private_key_jwt, DPoP ---------------------------------------------------------------------

/** A client of `clientId` whose requests the recorder sees. */
const recorded = (extra = {}) => client({ fetch: recordingFetch, ...extra });

/** Logs `username` in with `c` through an OTP challenge; the tokens' values become secrets. */
async function otpLogin(c, username, label) {
  await loginToMfa(c, username);
  await c.challenge({ type: "otp" });
  saveSecrets(c);
  await fails(`${label}: verifyOtp (wrong code)`, c.verifyOtp(wrongCode(await totp(OTP_SECRET))), "invalid_code");
  const tokens = tokenSecrets(await c.verifyOtp(await totp(OTP_SECRET)));
  assert.ok(tokens.refreshToken, `${label}: a refresh token for offline_access`);
  return tokens;
}

/** A refresh answered with tokens: the new refresh token is a secret, and is not the one sent. */
async function refreshed(c, refreshToken, label) {
  const result = await c.refresh(refreshToken);
  assert.equal(result.stage, "authenticated", label);
  tokenSecrets(result.tokens);
  assert.ok(result.tokens.refreshToken && result.tokens.refreshToken !== refreshToken, `${label}: rotated`);
  secret(result.tokens.refreshToken, "rotated refresh token");
  captureClient(label, c);
  return result.tokens;
}

/** Runs `step` one TOTP step later on the emulator's clock (a code of a step already used is refused). */
async function nextTimeStep(step) {
  await control("POST", "/__emu/clock", { advance: 30 });
  try {
    return await step();
  } finally {
    await control("POST", "/__emu/clock", { advance: -30 });
  }
}

test("refresh: rotation, a reused token revokes the family, unknown and garbage tokens", async () => {
  const username = await newUser([{ type: "otp", secret: OTP_SECRET }]);
  const c = recorded();
  const first = await otpLogin(c, username, "refresh");
  const second = await refreshed(c, first.refreshToken, "after refresh");
  const third = await refreshed(c, second.refreshToken, "after a second refresh");
  assert.deepEqual(wire.refreshTokens.slice(-2), [first.refreshToken, second.refreshToken], "the recorder saw both sent");

  const reused = await fails("refresh (reused token)", c.refresh(first.refreshToken), "invalid_refresh_token");
  assert.equal(reused.restartRequired, true);
  const [family] = await control("GET", `/__emu/refresh-tokens?user=${encodeURIComponent(username)}&client=${spaClient}`);
  assert.equal(family.revoked, true, "reuse revoked the family");
  await fails("refresh (newest token of a revoked family)", c.refresh(third.refreshToken), "invalid_refresh_token");
  await fails("refresh (unknown token)", c.refresh(FAKE_REFRESH_TOKEN), "invalid_refresh_token");
  for (const value of [undefined, null, 42, {}, [], "", " ", `${MARKER}\r\n${MARKER}`, { toString: () => MARKER }, "x".repeat(20_000) + MARKER]) {
    await Promise.resolve()
      .then(() => c.refresh(value))
      .then(
        (result) => capture("refresh(garbage): result", util.inspect(result, { depth: Infinity })),
        (error) => captureError("refresh(garbage)", error),
      );
  }
  captureClient("after refresh errors", c);
});

test("MFA on refresh: mfa_required, the MFA grant answers a rotated token, the pre-MFA token is spent", async () => {
  const clientId = `secrets-mfa-refresh-${process.pid}`;
  await control("POST", "/__emu/clients", { client_id: clientId, auth_method: "none", allowed_origins: [], mfa_on_refresh: "always" });
  const username = await newUser([{ type: "otp", secret: OTP_SECRET }]);
  const c = recorded({ clientId });
  const first = await otpLogin(c, username, "login before MFA on refresh");
  await nextTimeStep(async () => {
    const result = await c.refresh(first.refreshToken);
    assert.equal(result.stage, "mfa_required");
    saveSecrets(c);
    captureClient("refresh answered mfa_required", c);
    // The state of the MFA on refresh goes on in another client, as in a Worker.
    const restored = MfaClient.restore(c.save(), { domain: baseUrl, clientId, fetch: recordingFetch });
    await restored.challenge({ type: "otp" });
    saveSecrets(restored);
    await fails("verifyOtp on refresh (wrong code)", restored.verifyOtp(wrongCode(await totp(OTP_SECRET))), "invalid_code");
    const tokens = tokenSecrets(await restored.verifyOtp(await totp(OTP_SECRET)));
    assert.ok(tokens.refreshToken && tokens.refreshToken !== first.refreshToken, "the MFA grant rotated the token");
    secret(tokens.refreshToken, "rotated refresh token");
    captureClient("after MFA on refresh", restored);
    await fails("refresh (the token sent before MFA)", c.refresh(first.refreshToken), "invalid_refresh_token");
  });
});

test("private_key_jwt: jwt-client through MFA and refresh, with the key as PEM, JWK and CryptoKey", async () => {
  const username = await newUser([{ type: "otp", secret: OTP_SECRET }]);
  const options = { clientId: "jwt-client", clientAssertionSigningKey: SIGNING_KEY_PEM };
  const before = wire.assertions.length;
  const c = recorded(options);
  captureClient("private_key_jwt client", c);
  await loginToMfa(c, username);
  const state = c.save();
  assert.ok(!state.includes(SIGNING_KEY_PEM.split("\n")[1]), "save() leaves the key out");
  // The login goes on in a client holding the same key as a JWK.
  const restored = MfaClient.restore(state, {
    domain: baseUrl, scope: "openid offline_access", fetch: recordingFetch, clientId: "jwt-client", clientAssertionSigningKey: SIGNING_KEY_JWK,
  });
  captureClient("restored private_key_jwt client", restored);
  await restored.challenge({ type: "otp" });
  saveSecrets(restored);
  await fails("verifyOtp (private_key_jwt, wrong code)", restored.verifyOtp(wrongCode(await totp(OTP_SECRET))), "invalid_code");
  const tokens = tokenSecrets(await restored.verifyOtp(await totp(OTP_SECRET)));
  // And refreshes with the key as a non-extractable CryptoKey.
  const der = Buffer.from(SIGNING_KEY_PEM.replace(/-----[A-Z ]+-----|\s/g, ""), "base64");
  const cryptoKey = await crypto.subtle.importKey("pkcs8", der, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]);
  await refreshed(recorded({ ...options, clientAssertionSigningKey: cryptoKey }), tokens.refreshToken, "private_key_jwt refresh");
  const sent = wire.assertions.slice(before);
  // The password grant, the challenge, two mfa-otp grants (one refused) and the refresh: each with its own assertion.
  assert.equal(sent.length, 5, "one assertion per request");
  assert.equal(new Set(sent.map((jwt) => claims(jwt).jti)).size, sent.length, "a new jti every time");
  assert.ok(sent.every((jwt) => claims(jwt).iss === "jwt-client" && claims(jwt).sub === "jwt-client"));
});

test("private_key_jwt: keys that do not work, and options that do not go together", async () => {
  const username = await newUser([{ type: "otp", secret: OTP_SECRET }]);
  const jwt = (extra) => recorded({ clientId: "jwt-client", ...extra });
  const midway = jwt({ clientAssertionSigningKey: SIGNING_KEY_PEM });
  await loginToMfa(midway, username);
  const saved = midway.save();
  // Keys that sign, but not as the tenant's credential says: refused by the tenant.
  for (const [label, extra] of [
    ["an RSA key the tenant does not know", { clientAssertionSigningKey: UNKNOWN_KEY_PEM }],
    ["the right key with another alg", { clientAssertionSigningKey: SIGNING_KEY_JWK, clientAssertionSigningAlg: "PS256" }],
  ]) {
    await fails(`login (${label})`, jwt(extra).login(username, PASSWORD), "access_denied");
  }
  // Keys that do not import: invalid_option at the first request, before anything is sent.
  const sentBefore = wire.statuses.length;
  const dpopPair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
  for (const [label, key] of [
    ["a PKCS#1 PEM", UNKNOWN_KEY_PKCS1],
    ["an EC key", EC_KEY_PEM],
    ["a PEM that is not a key", GARBAGE_KEY_PEM],
    ["a broken JWK", BROKEN_JWK],
    ["a public JWK", { kty: "RSA", n: SIGNING_KEY_JWK.n, e: SIGNING_KEY_JWK.e }],
    ["an ECDSA CryptoKey", dpopPair.privateKey],
    ["a string with no PEM", `${MARKER}${SIGNING_KEY_JWK.d}`],
  ]) {
    const c = jwt({ clientAssertionSigningKey: key });
    captureClient(`client with ${label}`, c);
    await fails(`login (${label})`, c.login(username, PASSWORD), "invalid_option");
  }
  assert.equal(wire.statuses.length, sentBefore, "nothing was sent with a key that did not import");
  // Refused at construction, and by restore.
  const both = { clientAssertionSigningKey: SIGNING_KEY_PEM, clientSecret: CLIENT_SECRET };
  for (const [label, make] of [
    ["a key and a client secret", () => jwt(both)],
    ["a key that is a number", () => jwt({ clientAssertionSigningKey: 42 })],
    ["an unknown alg", () => jwt({ clientAssertionSigningKey: SIGNING_KEY_PEM, clientAssertionSigningAlg: MARKER })],
    ["an ES256 alg", () => jwt({ clientAssertionSigningKey: SIGNING_KEY_JWK, clientAssertionSigningAlg: "ES256" })],
    ["restore with a key and a client secret", () => MfaClient.restore(saved, { domain: baseUrl, clientId: "jwt-client", ...both })],
  ]) {
    assert.equal(refusedSynchronously(label, make)?.code, "invalid_option", label);
  }
});

/** The error `make` throws, captured; undefined when it does not throw. */
function refusedSynchronously(label, make) {
  try {
    make();
  } catch (error) {
    captureError(label, error);
    return error;
  }
  return undefined;
}

test("DPoP: login with the nonce retry, MFA, refresh bound to the key, dpopProof", async () => {
  const clientId = `secrets-dpop-${process.pid}`;
  await control("POST", "/__emu/clients", { client_id: clientId, auth_method: "none", allowed_origins: [], dpop: "allowed" });
  const username = await newUser([{ type: "otp", secret: OTP_SECRET }]);
  const c = recorded({ clientId, dpop: true });
  captureClient("DPoP client", c);
  const statusesBefore = wire.statuses.length;
  await loginToMfa(c, username);
  assert.deepEqual(wire.statuses.slice(statusesBefore), ["/oauth/token password 400", "/oauth/token password 403"], "use_dpop_nonce, then the nonce");
  await c.challenge({ type: "otp" });
  saveSecrets(c);
  await fails("verifyOtp (DPoP, wrong code)", c.verifyOtp(wrongCode(await totp(OTP_SECRET))), "invalid_code");
  const tokens = tokenSecrets(await c.verifyOtp(await totp(OTP_SECRET)));
  assert.equal(tokens.tokenType, "DPoP");
  const rotated = await refreshed(c, tokens.refreshToken, "DPoP refresh");
  assert.equal(rotated.tokenType, "DPoP");

  // Proofs for the caller's API, with and without an access token and a nonce.
  for (const request of [
    { method: "GET", url: "https://api.example.com/me?x=1#y", accessToken: rotated.accessToken },
    { method: "post", url: "https://api.example.com/orders", accessToken: rotated.accessToken, nonce: "server-nonce-1" },
    { method: "GET", url: "https://api.example.com/public" },
  ]) {
    const proof = await c.dpopProof(request);
    jwtSecrets(proof, "DPoP proof");
    assert.equal(claims(proof).htu, new URL(request.url).origin + new URL(request.url).pathname);
  }
  for (const value of [undefined, null, 42, {}, { method: "GET" }, { url: "https://api.example.com/" }, { method: MARKER, url: MARKER },
    { method: "GET", url: "https://api.example.com/", accessToken: 42 }, { method: "GET", url: `${MARKER}:${rotated.accessToken}` }]) {
    await Promise.resolve()
      .then(() => c.dpopProof(value))
      .then(
        (proof) => jwtSecrets(proof, "DPoP proof"),
        (error) => captureError("dpopProof(garbage)", error),
      );
  }

  // The refresh token is bound to the key: without a proof, or with another key's, it is refused.
  await fails("refresh (DPoP-bound token, no proof)", recorded({ clientId }).refresh(rotated.refreshToken), "invalid_dpop_proof");
  await fails("refresh (DPoP-bound token, another key)", recorded({ clientId, dpop: true }).refresh(rotated.refreshToken), "invalid_dpop_proof");
  await fails("dpopProof (client without DPoP)", recorded().dpopProof({ method: "GET", url: "https://api.example.com/" }), "invalid_option");
  captureClient("after DPoP errors", c);
});

test("DPoP: the caller's key pair carries a login across restore; bad pairs and required proofs", async () => {
  const clientId = `secrets-dpop-pair-${process.pid}`;
  await control("POST", "/__emu/clients", { client_id: clientId, auth_method: "none", allowed_origins: [], dpop: "allowed" });
  // Extractable, so that its private member can be looked for.
  const keyPair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  secret((await crypto.subtle.exportKey("jwk", keyPair.privateKey)).d, "DPoP private key");
  const username = await newUser([{ type: "otp", secret: OTP_SECRET }]);
  const c = recorded({ clientId, dpop: { keyPair } });
  await loginToMfa(c, username);
  const restored = MfaClient.restore(c.save(), { domain: baseUrl, clientId, fetch: recordingFetch, scope: "openid offline_access", dpop: { keyPair } });
  captureClient("restored DPoP client", restored);
  await restored.challenge({ type: "otp" });
  const tokens = tokenSecrets(await restored.verifyOtp(await totp(OTP_SECRET)));
  assert.equal(tokens.tokenType, "DPoP");
  jwtSecrets(await restored.dpopProof({ method: "GET", url: "https://api.example.com/me", accessToken: tokens.accessToken }), "DPoP proof");

  const rsa = await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  );
  jwkSecrets(await crypto.subtle.exportKey("jwk", rsa.privateKey), "unusable private key");
  for (const [label, dpop] of [["an RSA pair", { keyPair: rsa }], ["halves of two pairs", { keyPair: { privateKey: keyPair.privateKey, publicKey: rsa.publicKey } }]]) {
    await fails(`login (DPoP with ${label})`, recorded({ clientId, dpop }).login(username, PASSWORD), "invalid_option");
  }
  for (const dpop of [MARKER, 42, { keyPair: MARKER }, {}]) {
    throwsOrNot("new MfaClient (garbage dpop)", () => recorded({ clientId, dpop }));
  }
  const required = `secrets-dpop-required-${process.pid}`;
  await control("POST", "/__emu/clients", { client_id: required, auth_method: "none", allowed_origins: [], dpop: "required" });
  await fails("login (DPoP required, no proof)", recorded({ clientId: required }).login(username, PASSWORD), "invalid_dpop_proof");
});

test("nothing captured contains a secret", () => {
  const leaks = [];
  for (const { source, text } of captured) {
    for (const [value, what] of secrets) {
      if (text.includes(value)) leaks.push(`${source} contains the ${what}`);
    }
  }
  const kinds = new Map();
  for (const what of secrets.values()) kinds.set(what, (kinds.get(what) ?? 0) + 1);
  consoleOriginal.log(
    `secrets check: ${captured.length} texts captured (${counts.errors} errors, ${counts.consoleLines} console lines, ` +
      `${counts.inspections} client inspections), ${captured.reduce((n, c) => n + c.text.length, 0)} characters, ` +
      `searched for ${secrets.size} secrets: ${[...kinds].map(([k, n]) => `${n} ${k}`).join(", ")}`,
  );
  assert.ok(counts.errors >= 100 && counts.consoleLines > 0, "the flows above really produced errors and console output");
  for (const kind of [
    "mfa_token", "oob_code", "access token", "id token", "refresh token", "rotated refresh token", "recovery code", "OTP code",
    "binding code", "private key", "unusable private key", "DPoP private key", "client assertion", "client assertion signature",
    "DPoP proof", "DPoP proof signature",
  ]) {
    assert.ok(kinds.has(kind), `no ${kind} was collected: the check would be vacuous`);
  }
  assert.deepEqual([...new Set(leaks)], []);
});

// Secrets never leak: every MFA flow is run against the emulator while everything a developer could end up
// logging is captured — each error's message, String(), JSON.stringify(), util.inspect() and stack, every console
// line, and the inspected client — and none of it may contain a password, client secret, OTP, binding or
// recovery code, OTP secret, mfa_token, oob_code or token seen during the run.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import util from "node:util";
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
  for (const value of [PASSWORD, WRONG_PASSWORD, CLIENT_SECRET, WRONG_CLIENT_SECRET, OTP_SECRET, RECOVERY, MARKER, FAKE_MFA_TOKEN]) {
    secret(value, "test input");
  }
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
  for (const kind of ["mfa_token", "oob_code", "access token", "id token", "refresh token", "recovery code", "OTP code", "binding code"]) {
    assert.ok(kinds.has(kind), `no ${kind} was collected: the check would be vacuous`);
  }
  assert.deepEqual([...new Set(leaks)], []);
});

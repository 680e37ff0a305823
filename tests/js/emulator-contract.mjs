// The emulator's contract: cases that any front of it (the native binary, the wasm package in-process, the wasm
// package served over node:http) must answer alike. They follow the rule table of emulator/README.md ("Rules") and
// the exact answers of the Rust tests in emulator/tests/, which are the source of truth for bodies and statuses.
//
// Each case is `{ name, run(tenant) }`, with `tenant`:
//
//   fetch(path, init) → Response            path relative to the tenant, e.g. "/oauth/token"
//   control(method, path, body) → JSON      the control plane; rejects on a status of 400 or more
//
// Cases share one tenant per front, so each one adds its own users (no TOTP step, binding code, push or failed-code
// bucket is shared) and first freezes the clock at T0; time only moves through `POST /__emu/clock`, never by waiting.
// A case that changes a tenant setting puts it back before it ends.
import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";

export const PASSWORD = "Passw0rd!";
const SPA = "spa-client";
const SERVER = "server-client";
const SERVER_SECRET = "server-client-secret";
/** 2027-01-15T08:00:00Z, at the start of a 30-second TOTP step (emulator/tests/common/mod.rs). */
export const T0 = 1_800_000_000;
const GRANT_OTP = "http://auth0.com/oauth/grant-type/mfa-otp";
const GRANT_OOB = "http://auth0.com/oauth/grant-type/mfa-oob";
const GRANT_RECOVERY = "http://auth0.com/oauth/grant-type/mfa-recovery-code";
/** An origin spa-client lists, and one nobody does. */
const ALLOWED = "http://localhost:8080";
const STRANGER = "https://evil.example";

// The exact error answers (emulator/src/errors.rs), as the Rust tests assert them.
const E = {
  mfaRequired: [403, "mfa_required", "Multifactor authentication required"],
  wrongCredentials: [403, "invalid_grant", "Wrong email or password."],
  unauthorizedClient: [401, "access_denied", "Unauthorized"],
  notFound: [404, "not_found", "Not Found"],
  contentType: [400, "invalid_request", "Unsupported Content-Type: use application/x-www-form-urlencoded or application/json"],
  invalidOtp: [403, "invalid_grant", "Invalid otp_code."],
  invalidBinding: [403, "invalid_grant", "Invalid binding_code."],
  invalidRecovery: [403, "invalid_grant", "Invalid recovery_code."],
  invalidOob: [403, "invalid_grant", "Invalid oob_code."],
  missingBinding: [400, "invalid_request", "Missing required parameter: binding_code"],
  expiredOob: [403, "expired_token", "oob_code is expired"],
  expiredMfaToken: [403, "expired_token", "mfa_token is expired"],
  expiredBearer: [401, "expired_token", "mfa_token is expired"],
  otherClient: [400, "invalid_request", "mfa_token not issued to this client"],
  bucketEmpty: [429, "too_many_attempts", "Too many failed codes. Wait for some minutes before retrying."],
  pending: [400, "authorization_pending", "Authorization pending: please repeat the request in a few seconds."],
  slowDown: [429, "slow_down", "You are polling faster than allowed. Wait 5 seconds between requests."],
  rejected: [400, "access_denied", "MFA Authorization rejected."],
  originRefused: [403, "access_denied", `Origin ${STRANGER} is not allowed.`],
};

// ---- helpers ------------------------------------------------------------------------------------------------

/** A control plane over any fetch, for a front that has no helper of its own (the wasm package over HTTP). */
export function controlOver(fetch) {
  return async (method, path, body) => {
    const init = { method, headers: body === undefined ? {} : { "content-type": "application/json" } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await fetch(path, init);
    const text = await response.text();
    assert.ok(response.status < 400, `${method} ${path} answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

/** One request; the answer with its body read, as JSON when it is JSON. */
async function call(tenant, method, path, { headers = {}, body } = {}) {
  const response = await tenant.fetch(path, { method, headers, body });
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

const form = (tenant, path, params, headers = {}) =>
  call(tenant, "POST", path, {
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(params).toString(),
  });

const postJson = (tenant, path, value, headers = {}) =>
  call(tenant, "POST", path, { headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(value) });

/** Asserts an Auth0-shaped error: status, `error` and `error_description`, exactly. */
function expectError(response, [status, error, description], context = "") {
  assert.deepEqual(
    { status: response.status, error: response.json?.error, error_description: response.json?.error_description },
    { status, error, error_description: description },
    `${context} answered ${response.status}: ${response.text}`,
  );
}

function expectOk(response, context = "") {
  assert.equal(response.status, 200, `${context} answered ${response.status}: ${response.text}`);
  return response.json;
}

/** Starts a case: the clock frozen at T0, so every lifetime below is counted from there. */
async function begin(tenant) {
  const clock = await tenant.control("POST", "/__emu/clock", { freeze: true, set: T0 });
  assert.deepEqual(clock, { now: T0, now_ms: T0 * 1000, frozen: true });
}

const advance = (tenant, secs) => tenant.control("POST", "/__emu/clock", { advance: secs });

/** The tenant's clock in seconds, which TOTP codes are computed from (not this machine's). */
async function tenantNow(tenant) {
  return (await tenant.control("GET", "/__emu/clock")).now_ms / 1000;
}

/** Runs `body` with tenant settings changed, and puts back what they were, whatever happens. */
async function withSettings(tenant, change, body) {
  const before = await tenant.control("GET", "/__emu/settings");
  await tenant.control("POST", "/__emu/settings", change);
  try {
    return await body();
  } finally {
    await tenant.control("POST", "/__emu/settings", Object.fromEntries(Object.keys(change).map((k) => [k, before[k]])));
  }
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function base32Encode(bytes) {
  let bits = "";
  for (const byte of bytes) bits += byte.toString(2).padStart(8, "0");
  let out = "";
  for (let i = 0; i + 5 <= bits.length; i += 5) out += BASE32[parseInt(bits.slice(i, i + 5), 2)];
  return out;
}

function base32Decode(text) {
  let bits = "";
  for (const char of text) bits += BASE32.indexOf(char).toString(2).padStart(5, "0");
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238: HMAC-SHA1, 6 digits, 30-second steps, computed here rather than by the emulator. */
export function totp(secret, unixSecs) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSecs / 30)));
  const digest = createHmac("sha1", base32Decode(secret)).update(counter).digest();
  const offset = digest[19] & 0xf;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

let users = 0;

/** Adds a user with these authenticators (seed format) and returns its username; `extra` for other seed fields. */
async function newUser(tenant, kind, authenticators, extra = {}) {
  const username = `${kind}-${++users}-${randomBytes(3).toString("hex")}@contract.test`;
  const added = await tenant.control("POST", "/__emu/users", { username, password: PASSWORD, authenticators, ...extra });
  assert.equal(added.username, username);
  return username;
}

/** A user with an OTP authenticator of a fresh secret: `{ username, secret }`. */
async function otpUser(tenant, extra) {
  const secret = base32Encode(randomBytes(20));
  return { username: await newUser(tenant, "otp", [{ type: "otp", secret }], extra), secret };
}

const login = (tenant, username, extra = {}, headers = {}) =>
  form(tenant, "/oauth/token", { grant_type: "password", username, password: PASSWORD, client_id: SPA, ...extra }, headers);

/** The password grant of a user with MFA; returns its `mfa_token`. */
async function mfaToken(tenant, username) {
  const response = await login(tenant, username);
  expectError(response, E.mfaRequired, `login of ${username}`);
  return response.json.mfa_token;
}

const otpGrant = (tenant, mfa_token, otp, client = { client_id: SPA }) =>
  form(tenant, "/oauth/token", { grant_type: GRANT_OTP, ...client, mfa_token, otp });

function oobGrant(tenant, mfa_token, oob_code, binding_code) {
  const params = { grant_type: GRANT_OOB, client_id: SPA, mfa_token, oob_code };
  if (binding_code !== undefined) params.binding_code = binding_code;
  return form(tenant, "/oauth/token", params);
}

const challenge = (tenant, mfa_token, extra = {}) => postJson(tenant, "/mfa/challenge", { client_id: SPA, mfa_token, ...extra });

const authenticators = (tenant, bearer) => call(tenant, "GET", "/mfa/authenticators", { headers: { authorization: `Bearer ${bearer}` } });

/** The newest message the tenant "sent" to a user. */
async function lastMessage(tenant, username) {
  const outbox = await tenant.control("GET", `/__emu/outbox?user=${encodeURIComponent(username)}`);
  assert.ok(outbox.length > 0, `no message to ${username}`);
  return outbox.at(-1);
}

/** A code that is none of `codes`, for a wrong attempt that cannot succeed by chance. */
const wrong = (...codes) => ["000000", "111111", "222222"].find((code) => !codes.includes(code));

/** A TOTP code neither of the step at `unixSecs` nor of the one before, which the tenant also accepts. */
const wrongOtp = (secret, unixSecs) => wrong(totp(secret, unixSecs), totp(secret, unixSecs - 30));

/** A successful grant: tokens, with the access token a JWT. */
function expectTokens(response, context) {
  const body = expectOk(response, context);
  assert.equal(body.token_type, "Bearer");
  assert.equal(body.access_token.split(".").length, 3, "the access token is a JWT");
  return body;
}

// Binding-code users per channel: how to seed them and where their code goes.
const CHANNELS = [
  { channel: "sms", seed: (to) => ({ type: "sms", phone_number: to }), to: "+15555550142" },
  { channel: "email", seed: (to) => ({ type: "email", email: to }), to: "inbox@contract.test" },
];

/** A binding-code user's login and challenge: `{ username, token, oob, code }`, the code read from the outbox. */
async function bindingChallenge(tenant, { channel, seed, to }, username) {
  username ??= await newUser(tenant, channel, [seed(to)]);
  const token = await mfaToken(tenant, username);
  const body = expectOk(await challenge(tenant, token, { challenge_type: "oob" }), "challenge");
  assert.deepEqual({ challenge_type: body.challenge_type, binding_method: body.binding_method }, { challenge_type: "oob", binding_method: "prompt" });
  const message = await lastMessage(tenant, username);
  assert.deepEqual({ channel: message.channel, to: message.to }, { channel, to });
  assert.match(message.code, /^\d{6}$/);
  return { username, token, oob: body.oob_code, code: message.code };
}

/** A push user's login and challenge: `{ username, token, oob }`. */
async function pushChallenge(tenant) {
  const username = await newUser(tenant, "push", [{ type: "push", name: "Contract phone" }]);
  const token = await mfaToken(tenant, username);
  const list = expectOk(await authenticators(tenant, token), "authenticators");
  const push = list.find((a) => a.oob_channel === "auth0");
  assert.ok(push, JSON.stringify(list));
  const body = expectOk(await challenge(tenant, token, { challenge_type: "oob", authenticator_id: push.id }), "challenge");
  assert.equal(body.challenge_type, "oob");
  assert.equal(body.binding_method, undefined, "a push has no binding code");
  return { username, token, oob: body.oob_code };
}

const pushesOf = (tenant, username) => tenant.control("GET", `/__emu/pushes?user=${encodeURIComponent(username)}`);

const preflight = (tenant, path, origin) =>
  call(tenant, "OPTIONS", path, {
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type,authorization" },
  });

// ---- the cases ----------------------------------------------------------------------------------------------

export const cases = [
  {
    name: "mfa_required: 403 with the error, an mfa_token and the requirements, nothing else",
    async run(tenant) {
      await begin(tenant);
      const { username } = await otpUser(tenant, { recovery_code: "CONTRACTRECOVERYCODE0001" });
      const response = await login(tenant, username);
      expectError(response, E.mfaRequired);
      assert.match(response.headers.get("content-type"), /^application\/json/);
      assert.deepEqual(Object.keys(response.json).sort(), ["error", "error_description", "mfa_requirements", "mfa_token"]);
      assert.ok(typeof response.json.mfa_token === "string" && response.json.mfa_token.length > 40, response.text);
      assert.deepEqual(response.json.mfa_requirements, { challenge: [{ type: "otp" }, { type: "recovery-code" }] });
      // A user with nothing enrolled is told to enroll instead.
      const fresh = await login(tenant, await newUser(tenant, "new", []));
      expectError(fresh, E.mfaRequired);
      assert.deepEqual(fresh.json.mfa_requirements, { enroll: [{ type: "otp" }, { type: "phone" }, { type: "push-notification" }] });
    },
  },
  {
    name: "wrong password and unknown user: 403 invalid_grant with the same body",
    async run(tenant) {
      await begin(tenant);
      const { username } = await otpUser(tenant);
      const bad = await form(tenant, "/oauth/token", { grant_type: "password", username, password: "wrong", client_id: SPA });
      expectError(bad, E.wrongCredentials);
      assert.deepEqual(bad.json, { error: "invalid_grant", error_description: "Wrong email or password." });
      // Nothing tells an unknown user from a wrong password.
      const unknown = await login(tenant, `nobody-${randomBytes(3).toString("hex")}@contract.test`);
      assert.deepEqual([unknown.status, unknown.json], [bad.status, bad.json]);
    },
  },
  {
    name: "unknown route: 404 not_found body",
    async run(tenant) {
      await begin(tenant);
      for (const [method, path] of [["GET", "/nope"], ["POST", "/oauth/nope"]]) {
        const response = await call(tenant, method, path);
        expectError(response, E.notFound, `${method} ${path}`);
        assert.deepEqual(response.json, { error: "not_found", error_description: "Not Found" });
      }
    },
  },
  {
    name: "unsupported content type: 400 invalid_request",
    async run(tenant) {
      await begin(tenant);
      const body = `grant_type=password&username=x&password=${encodeURIComponent(PASSWORD)}&client_id=${SPA}`;
      expectError(await call(tenant, "POST", "/oauth/token", { headers: { "content-type": "text/plain" }, body }), E.contentType);
      // JSON is the other accepted form of the same request.
      const { username } = await otpUser(tenant);
      const json = await postJson(tenant, "/oauth/token", { grant_type: "password", username, password: PASSWORD, client_id: SPA });
      expectError(json, E.mfaRequired, "a JSON body");
    },
  },
  {
    name: "confidential client: its secret is required, and an mfa_token is bound to its client",
    async run(tenant) {
      await begin(tenant);
      const { username, secret } = await otpUser(tenant);
      const params = { grant_type: "password", username, password: PASSWORD, client_id: SERVER };
      expectError(await form(tenant, "/oauth/token", params), E.unauthorizedClient, "no secret");
      expectError(await form(tenant, "/oauth/token", { ...params, client_secret: "nope" }), E.unauthorizedClient, "a wrong secret");
      expectError(await form(tenant, "/oauth/token", { ...params, client_secret: SERVER_SECRET }), E.mfaRequired, "the secret");
      // spa-client's mfa_token is refused to server-client, even with a good code, which stays unspent.
      const token = await mfaToken(tenant, username);
      const code = totp(secret, await tenantNow(tenant));
      expectError(await otpGrant(tenant, token, code, { client_id: SERVER, client_secret: SERVER_SECRET }), E.otherClient);
      expectTokens(await otpGrant(tenant, token, code), "the code with its own client");
    },
  },
  {
    name: "TOTP: the current and the previous step are accepted, each step only once",
    async run(tenant) {
      await begin(tenant);
      const { username, secret } = await otpUser(tenant);
      let token = await mfaToken(tenant, username);
      expectOk(await challenge(tenant, token, { challenge_type: "otp" }), "otp challenge");
      expectError(await otpGrant(tenant, token, wrongOtp(secret, T0)), E.invalidOtp);
      const first = totp(secret, await tenantNow(tenant));
      const body = expectTokens(await otpGrant(tenant, token, first), "the current step");
      const claims = JSON.parse(Buffer.from(body.access_token.split(".")[1], "base64url").toString());
      assert.deepEqual(claims.amr, ["mfa"]);
      // The mfa_token is reusable; the step is not, not even through another mfa_token.
      expectError(await otpGrant(tenant, token, first), E.invalidOtp, "the same step again");
      expectError(await otpGrant(tenant, await mfaToken(tenant, username), first), E.invalidOtp, "the same step, new token");
      // Two steps on, the code of T0 is too old; the code of T0 + 30 (the previous step) still works, once.
      await advance(tenant, 30);
      token = await mfaToken(tenant, username);
      await advance(tenant, 30);
      assert.equal(await tenantNow(tenant), T0 + 60);
      expectError(await otpGrant(tenant, token, totp(secret, T0)), E.invalidOtp, "two steps old");
      expectTokens(await otpGrant(tenant, token, totp(secret, T0 + 30)), "the previous step");
      expectError(await otpGrant(tenant, token, totp(secret, T0 + 30)), E.invalidOtp, "the previous step again");
      expectTokens(await otpGrant(tenant, token, totp(secret, T0 + 60)), "the current step");
    },
  },
  ...CHANNELS.flatMap((channel) => [
    {
      name: `binding code (${channel.channel}): single use, and a wrong or missing code is refused`,
      async run(tenant) {
        await begin(tenant);
        const { username, token, oob, code } = await bindingChallenge(tenant, channel);
        assert.equal((await lastMessage(tenant, username)).time, T0);
        expectError(await oobGrant(tenant, token, oob), E.missingBinding);
        expectError(await oobGrant(tenant, token, oob, wrong(code)), E.invalidBinding);
        expectTokens(await oobGrant(tenant, token, oob, code), "the binding code");
        expectError(await oobGrant(tenant, token, oob, code), E.invalidBinding, "the binding code again");
        expectError(await oobGrant(tenant, token, "Fe26.2**nope", code), E.invalidOob, "an unknown oob_code");
      },
    },
    {
      name: `binding code (${channel.channel}): valid for 5 minutes, then 403 expired_token`,
      async run(tenant) {
        // An mfa_token of 10 minutes, so that it is the binding code that expires, not the login.
        await withSettings(tenant, { mfa_token_ttl_secs: 600 }, async () => {
          await begin(tenant);
          const early = await bindingChallenge(tenant, channel);
          const late = await bindingChallenge(tenant, channel, early.username);
          assert.notEqual(early.oob, late.oob);
          await advance(tenant, 299);
          expectTokens(await oobGrant(tenant, early.token, early.oob, early.code), "a code 299 s old");
          await advance(tenant, 1);
          expectError(await oobGrant(tenant, late.token, late.oob, late.code), E.expiredOob, "a code 300 s old");
        });
      },
    },
  ]),
  {
    name: "failed-code bucket: 10 failures, then 429 too_many_attempts; one more attempt per 6 minutes",
    async run(tenant) {
      await begin(tenant);
      const recovery = "CONTRACTBUCKETRECOVERY01";
      const { username, secret } = await otpUser(tenant, { recovery_code: recovery });
      // The control plane's count; it shows a refill only once an attempt has been made since.
      const attemptsLeft = async () => (await tenant.control("GET", "/__emu/users")).find((u) => u.username === username).failed_code_attempts_left;
      assert.equal(await attemptsLeft(), 10);
      let token = await mfaToken(tenant, username);
      const good = totp(secret, T0);
      for (let i = 0; i < 10; i++) expectError(await otpGrant(tenant, token, wrongOtp(secret, T0)), E.invalidOtp, `failure ${i + 1}`);
      assert.equal(await attemptsLeft(), 0);
      // Empty: even the right code is refused, and recovery codes draw on the same bucket.
      expectError(await otpGrant(tenant, token, good), E.bucketEmpty, "the right code");
      const recover = (mfa_token) => form(tenant, "/oauth/token", { grant_type: GRANT_RECOVERY, client_id: SPA, mfa_token, recovery_code: recovery });
      expectError(await recover(token), E.bucketEmpty, "the recovery code");
      // 1 s short of 6 minutes nothing came back (the mfa_token of T0 has expired meanwhile: a new login).
      await advance(tenant, 6 * 60 - 1);
      token = await mfaToken(tenant, username);
      expectError(await otpGrant(tenant, token, totp(secret, await tenantNow(tenant))), E.bucketEmpty, "at 5:59");
      // At 6 minutes one attempt came back: a wrong code spends it, and the bucket is empty again.
      await advance(tenant, 1);
      expectError(await otpGrant(tenant, token, wrongOtp(secret, T0 + 360)), E.invalidOtp, "the refilled attempt");
      expectError(await otpGrant(tenant, token, totp(secret, T0 + 360)), E.bucketEmpty, "after spending it");
      // Six more minutes: the next attempt is the right code, and it goes through.
      await advance(tenant, 6 * 60);
      token = await mfaToken(tenant, username);
      expectTokens(await otpGrant(tenant, token, totp(secret, T0 + 720)), "the right code at 12:00");
    },
  },
  {
    name: "failed-code bucket: wrong binding codes empty it too",
    async run(tenant) {
      await begin(tenant);
      const { username, token, oob, code } = await bindingChallenge(tenant, CHANNELS[0]);
      for (let i = 0; i < 10; i++) expectError(await oobGrant(tenant, token, oob, wrong(code)), E.invalidBinding, `failure ${i + 1}`);
      expectError(await oobGrant(tenant, token, oob, code), E.bucketEmpty, "the right code");
      // A binding code lives 5 minutes and a refill takes 6: the attempt that came back goes to a new code.
      await advance(tenant, 6 * 60);
      const next = await bindingChallenge(tenant, CHANNELS[0], username);
      expectTokens(await oobGrant(tenant, next.token, next.oob, next.code), "a new code at 6:00");
    },
  },
  {
    name: "push: pending → authorization_pending, approved → tokens once",
    async run(tenant) {
      await begin(tenant);
      const { username, token, oob } = await pushChallenge(tenant);
      expectError(await oobGrant(tenant, token, oob), E.pending, "first poll");
      const [push] = await pushesOf(tenant, username);
      assert.deepEqual(
        { user: push.user, kind: push.kind, state: push.state, polls: push.polls, created_at: push.created_at, expires_at: push.expires_at },
        { user: username, kind: "challenge", state: "pending", polls: 1, created_at: T0, expires_at: T0 + 300 },
      );
      const approved = await tenant.control("POST", `/__emu/pushes/${push.id}/approve`, {});
      assert.equal(approved.state, "approved");
      // Already answered: it cannot be rejected any more.
      const again = await postJson(tenant, `/__emu/pushes/${push.id}/reject`, {});
      assert.equal(again.status, 409, again.text);
      await advance(tenant, 5);
      expectTokens(await oobGrant(tenant, token, oob), "the approved push");
      await advance(tenant, 5);
      expectError(await oobGrant(tenant, token, oob), E.invalidOob, "the push's oob_code again");
    },
  },
  {
    name: "push: rejected → 400 access_denied",
    async run(tenant) {
      await begin(tenant);
      const { username, token, oob } = await pushChallenge(tenant);
      const rejected = await tenant.control("POST", `/__emu/pushes/latest/reject?user=${encodeURIComponent(username)}`, {});
      assert.deepEqual([rejected.user, rejected.state], [username, "rejected"]);
      expectError(await oobGrant(tenant, token, oob), E.rejected);
      const approve = await postJson(tenant, `/__emu/pushes/${rejected.id}/approve`, {});
      assert.equal(approve.status, 409, approve.text);
    },
  },
  {
    name: "push: expires after 5 minutes → 403 expired_token",
    async run(tenant) {
      // An mfa_token of 15 minutes, so that it is the push that expires, not the login.
      await withSettings(tenant, { mfa_token_ttl_secs: 900 }, async () => {
        await begin(tenant);
        const { username, token, oob } = await pushChallenge(tenant);
        await advance(tenant, 299);
        expectError(await oobGrant(tenant, token, oob), E.pending, "at 4:59");
        await advance(tenant, 1);
        expectError(await oobGrant(tenant, token, oob), E.expiredOob, "at 5:00");
        const [push] = await pushesOf(tenant, username);
        assert.equal(push.state, "expired");
        // Nothing pending is left to approve.
        const approve = await postJson(tenant, `/__emu/pushes/latest/approve?user=${encodeURIComponent(username)}`, {});
        assert.equal(approve.status, 404, approve.text);
      });
    },
  },
  {
    name: "push: polled again within 5 s → 429 slow_down, counted from the last poll",
    async run(tenant) {
      await begin(tenant);
      const { token, oob } = await pushChallenge(tenant);
      expectError(await oobGrant(tenant, token, oob), E.pending, "first poll");
      expectError(await oobGrant(tenant, token, oob), E.slowDown, "at once");
      await advance(tenant, 4.9);
      expectError(await oobGrant(tenant, token, oob), E.slowDown, "4.9 s later");
      // 5 s after the first poll but only 0.1 s after the last one: still too fast.
      await advance(tenant, 0.1);
      expectError(await oobGrant(tenant, token, oob), E.slowDown, "5 s after the first poll");
      await advance(tenant, 5);
      expectError(await oobGrant(tenant, token, oob), E.pending, "5 s after the last poll");
    },
  },
  {
    name: "mfa_token: valid for 300 s, then expired_token on grants, challenges and the MFA API",
    async run(tenant) {
      await begin(tenant);
      const { username, secret } = await otpUser(tenant);
      const token = await mfaToken(tenant, username);
      await advance(tenant, 299);
      expectOk(await challenge(tenant, token, { challenge_type: "otp" }), "a challenge at 4:59");
      expectOk(await authenticators(tenant, token), "the list at 4:59");
      await advance(tenant, 1);
      expectError(await challenge(tenant, token, { challenge_type: "otp" }), E.expiredMfaToken, "a challenge at 5:00");
      expectError(await otpGrant(tenant, token, totp(secret, T0 + 300)), E.expiredMfaToken, "a grant at 5:00");
      expectError(await authenticators(tenant, token), E.expiredBearer, "the list at 5:00");
      // The code was not spent by the refusal: a new login takes it.
      expectTokens(await otpGrant(tenant, await mfaToken(tenant, username), totp(secret, T0 + 300)), "a new login");
    },
  },
  {
    name: "CORS: a preflight from an allowed origin gets 204 and the origin back",
    async run(tenant) {
      await begin(tenant);
      for (const path of ["/oauth/token", "/mfa/associate", "/mfa/challenge", "/mfa/authenticators"]) {
        const response = await preflight(tenant, path, ALLOWED);
        assert.equal(response.status, 204, `${path}: ${response.text}`);
        assert.equal(response.headers.get("access-control-allow-origin"), ALLOWED, path);
        const allowed = response.headers.get("access-control-allow-headers")?.toLowerCase() ?? "";
        assert.ok(allowed.includes("authorization") && allowed.includes("content-type"), `${path}: ${allowed}`);
        const methods = response.headers.get("access-control-allow-methods") ?? "";
        assert.ok(methods.includes("POST") && methods.includes("DELETE"), `${path}: ${methods}`);
      }
      // The real request from that origin is readable, errors included.
      const { username } = await otpUser(tenant);
      const answer = await login(tenant, username, {}, { origin: ALLOWED });
      expectError(answer, E.mfaRequired);
      assert.equal(answer.headers.get("access-control-allow-origin"), ALLOWED);
    },
  },
  {
    name: "CORS: a stranger's preflight and request get 403 access_denied, without CORS headers",
    async run(tenant) {
      await begin(tenant);
      for (const path of ["/oauth/token", "/mfa/challenge", "/mfa/authenticators"]) {
        const response = await preflight(tenant, path, STRANGER);
        expectError(response, E.originRefused, `preflight of ${path}`);
        assert.equal(response.headers.get("access-control-allow-origin"), null, path);
      }
      const { username } = await otpUser(tenant);
      const refused = await login(tenant, username, {}, { origin: STRANGER });
      expectError(refused, E.originRefused, "a login");
      assert.equal(refused.headers.get("access-control-allow-origin"), null);
    },
  },
  {
    name: "CORS: the control plane refuses a cross-site Origin, and answers a loopback page",
    async run(tenant) {
      await begin(tenant);
      const read = await call(tenant, "GET", "/__emu/outbox", { headers: { origin: STRANGER } });
      expectError(read, E.originRefused, "a read");
      assert.equal(read.headers.get("access-control-allow-origin"), null);
      expectError(await preflight(tenant, "/__emu/clock", STRANGER), E.originRefused, "a preflight");
      // A simple request needs no preflight, so it must be refused outright: the clock does not move.
      const headers = { origin: STRANGER, "content-type": "text/plain" };
      const moved = await call(tenant, "POST", "/__emu/clock", { headers, body: '{"advance":60}' });
      assert.equal(moved.status, 403, moved.text);
      assert.equal(await tenantNow(tenant), T0, "the refused clock change did nothing");
      const loopback = "http://127.0.0.1:5173";
      const page = await call(tenant, "GET", "/__emu/clock", { headers: { origin: loopback } });
      assert.deepEqual([page.status, page.headers.get("access-control-allow-origin"), page.json?.now], [200, loopback, T0]);
    },
  },
  {
    name: "framing: each answer carries the Content-Length of its body, refusals made before the routes included",
    async run(tenant) {
      await begin(tenant);
      const { username } = await otpUser(tenant);
      const answers = {
        "a refused Origin": await call(tenant, "GET", "/__emu/outbox", { headers: { origin: STRANGER } }),
        "an unknown route": await call(tenant, "GET", "/nope"),
        "mfa_required": await login(tenant, username),
        "the control plane": await call(tenant, "GET", "/__emu/clock"),
      };
      for (const [what, answer] of Object.entries(answers)) {
        assert.equal(answer.headers.get("content-length"), String(Buffer.byteLength(answer.text)), what);
      }
    },
  },
];

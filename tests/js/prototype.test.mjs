// A polluted Object.prototype changes nothing. A prototype-polluting merge elsewhere in an app (`{"__proto__": …}`)
// plants plain data properties on Object.prototype. Options are read as own properties only, and the objects the
// library hands to `fetch` and `Object.defineProperty` have no prototype, so nothing planted is read: no spy gets
// the password, no realm, audience, timeout or window sneaks in, and `mfaToken` stays hidden.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import pkg from "./pkg.mjs";
import { startEmulator } from "./emulator.mjs";

const { MfaClient, Totp, Hotp, isMfaRequired, isAuth0MfaError } = pkg;
const PASSWORD = "Prototype-check Pa55word";
const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

let emulator;
let clientId;
let serial = 0;

before(async () => {
  emulator = await startEmulator([]);
  clientId = `prototype-${process.pid}`;
  await emulator.control("POST", "/__emu/clients", { client_id: clientId, auth_method: "none", allowed_origins: [] });
});

after(() => emulator?.stop());

/** Runs `body` with `planted` on Object.prototype, and takes every planted property away again, however it ends. */
async function polluted(planted, body) {
  const keys = Object.keys(planted);
  for (const key of keys) assert.equal(key in Object.prototype, false, `Object.prototype.${key} already exists`);
  Object.assign(Object.prototype, planted);
  try {
    return await body();
  } finally {
    for (const key of keys) delete Object.prototype[key];
  }
}

async function newUser() {
  const username = `prototype-${process.pid}-${++serial}@example.com`;
  await emulator.control("POST", "/__emu/users", { username, password: PASSWORD, authenticators: [{ type: "otp", secret: SECRET }] });
  return username;
}

async function lastTokenRequest() {
  const journal = await emulator.control("GET", "/__emu/journal?path=/oauth/token");
  return journal.at(-1);
}

test("client options: inherited ones are not options", async () => {
  const username = await newUser();
  const seen = [];
  const spy = (url, init) => {
    seen.push(`custom fetch: ${url} ${init?.body}`);
    return Promise.reject(new Error("the spy"));
  };
  const result = await polluted(
    {
      fetch: spy,
      realm: "Planted-Connection",
      audience: "https://planted.example/",
      scope: "openid planted",
      mfaApi: true,
      forwardedFor: "203.0.113.7",
      timeoutMs: 1,
      clientSecret: "planted-client-secret",
      allowClientSecretInBrowser: true,
    },
    () => new MfaClient({ domain: emulator.url, clientId }).login(username, PASSWORD),
  );
  assert.deepEqual(seen, []);
  assert.equal(result.stage, "mfa_required");
  const request = await lastTokenRequest();
  assert.equal(request.body.grant_type, "password", "no realm: the password grant");
  for (const field of ["realm", "audience", "client_secret"]) assert.equal(field in request.body, false, `${field} was sent`);
  assert.equal(request.body.scope, "openid profile email", "the default scope");
  assert.equal("auth0-forwarded-for" in request.headers, false, "auth0-forwarded-for was sent");
});

// Browsers read every RequestInit member with [[Get]], through the prototype chain, and so may a custom fetch. (Node's
// fetch copies the init into objects of its own, which read planted members whatever the library passes.)
test("fetch gets an init and headers of null prototype, with redirect manual", async () => {
  const username = await newUser();
  const inits = [];
  const recording = (url, init) => {
    inits.push({
      prototype: Object.getPrototypeOf(init),
      headersPrototype: Object.getPrototypeOf(init.headers),
      credentials: init.credentials,
      mode: init.mode,
      cache: init.cache,
      redirect: init.redirect,
      keys: Object.keys(init).sort(),
    });
    return globalThis.fetch(url, init);
  };
  const result = await polluted({ credentials: "include", mode: "no-cors", cache: "reload", redirect: "follow" }, () =>
    new MfaClient({ domain: emulator.url, clientId, fetch: recording }).login(username, PASSWORD),
  );
  assert.equal(result.stage, "mfa_required");
  assert.deepEqual(inits, [
    {
      prototype: null,
      headersPrototype: null,
      credentials: undefined,
      mode: undefined,
      cache: undefined,
      redirect: "manual",
      keys: ["body", "headers", "method", "redirect", "signal"],
    },
  ]);
});

test("push wait options: inherited ones are not read", async () => {
  const client = new MfaClient({ domain: emulator.url, clientId });
  // Read, a planted intervalMs would be refused as invalid_option; ignored, the wait is refused for its stage.
  const error = await polluted({ intervalMs: "planted", onPoll: "planted", signal: "planted" }, () =>
    client.waitForPush({}).then(
      () => assert.fail("waitForPush succeeded in stage start"),
      (e) => e,
    ),
  );
  assert.equal(error.code, "invalid_state", error.message);
});

test("OTP options: an inherited secret, window or time is not used", async () => {
  const totp = new Totp({ secret: SECRET });
  const now = Date.now();
  const threeStepsAgo = totp.generate(now - 90_000);
  await polluted({ secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", window: 5, time: now - 90_000, afterStep: 0, counter: 7, digits: 8 }, () => {
    assert.throws(() => new Totp({}), { code: "invalid_secret", message: "option secret is required" });
    assert.throws(() => new Hotp({}), { code: "invalid_secret" });
    assert.equal(totp.verify(threeStepsAgo, {}), null, "a planted window or time was used");
    assert.equal(new Totp({ secret: SECRET }).digits, 6);
    assert.equal(new Hotp({ secret: SECRET }).counter, 0);
  });
});

test("errors: mfaToken stays hidden and the error is built whatever the prototype holds", async () => {
  const token = "planted-check-mfa-token-9x";
  const body = JSON.stringify({ error: "mfa_required", error_description: "Multifactor authentication required", mfa_token: token });
  // Every request is answered mfa_required, without Node's fetch (which a planted `get` breaks by itself): the
  // login moves to mfa_required, and the step after it fails with mfa_required.
  const answer = async () => ({ status: 403, headers: [["content-type", "application/json"]], text: async () => body });
  // `enumerable` would list the token; `get` would make defineProperty throw instead of building the error.
  for (const planted of [{ enumerable: true }, { get: 1 }, { writable: true, configurable: true }]) {
    const client = new MfaClient({ domain: emulator.url, clientId, fetch: answer });
    assert.equal((await client.login("someone@example.com", PASSWORD)).stage, "mfa_required");
    const error = await polluted(planted, () => client.verifyOtp("123456").then(() => assert.fail("verified"), (e) => e));
    const what = JSON.stringify(planted);
    assert.equal(isAuth0MfaError(error), true, `${what}: ${error}`);
    assert.equal(error.code, "mfa_required", what);
    assert.equal(error.mfaToken, token, what);
    const descriptor = Object.getOwnPropertyDescriptor(error, "mfaToken");
    assert.deepEqual({ ...descriptor }, { value: token, writable: false, enumerable: false, configurable: false }, what);
    assert.equal(JSON.stringify(error).includes(token), false, what);
  }
});

test("predicates look at the error's own name and code, not inherited ones", () => {
  const lookalike = Object.create({ name: "Auth0MfaError", code: "mfa_required" });
  assert.equal(isAuth0MfaError(lookalike), false);
  assert.equal(isMfaRequired(lookalike), false);
  const own = Object.assign(new Error("x"), { name: "Auth0MfaError", code: "mfa_required" });
  assert.equal(isMfaRequired(own), true);
});

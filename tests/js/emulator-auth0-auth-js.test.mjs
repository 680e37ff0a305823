// Auth0's own client, @auth0/auth0-auth-js, against the emulator: a full OTP enrollment, an OTP challenge and a
// recovery-code login, with real codes computed by the npm package `otpauth`; private_key_jwt for `jwt-client`
// (the password grant, the MFA grant and the refresh grant, with tokens shared with auth0-mfa-wasm); and
// `getTokenByRefreshToken` with rotation, reuse detection and MFA on refresh.
//
// The client only speaks https://{domain}. The emulator is started with `--public-url https://emu.test`, so its
// issuer, discovery document and MFA audience name that origin, and a custom fetch sends every request for
// https://emu.test to the emulator's loopback address.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createPublicKey, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import * as OTPAuth from "otpauth";
import * as jose from "jose";
import pkg from "./pkg.mjs";
import { startEmulator } from "./emulator.mjs";
import { AuthClient, MfaVerifyError, TokenByRefreshTokenError, isMfaRequiredError } from "@auth0/auth0-auth-js";

const PUBLIC = "https://emu.test";
const PASSWORD = "Passw0rd!";

let emulator;
let baseUrl;

before(async () => {
  emulator = await startEmulator(["--public-url", PUBLIC]);
  baseUrl = emulator.url;
  await registerClients();
});

after(() => emulator?.stop());

function toEmulator(input, init) {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  const target = url.startsWith(PUBLIC) ? baseUrl + url.slice(PUBLIC.length) : url;
  return input instanceof Request ? fetch(new Request(target, input), init) : fetch(target, init);
}

const client = () =>
  new AuthClient({ domain: "emu.test", clientId: "server-client", clientSecret: "server-client-secret", customFetch: toEmulator });

const totp = (secret) => new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30 });

async function mfaToken(auth, username) {
  const error = await auth.getTokenByPassword({ username, password: PASSWORD, scope: "openid profile email" }).then(
    () => assert.fail("MFA was not required"),
    (e) => e,
  );
  assert.ok(isMfaRequiredError(error), String(error));
  assert.equal(error.statusCode, 403);
  return error.cause.mfa_token;
}

async function verifiedClaims(jwt) {
  const [header, payload, signature] = jwt.split(".");
  const { keys } = await (await fetch(`${baseUrl}/.well-known/jwks.json`)).json();
  const jwk = keys.find((k) => k.kid === JSON.parse(Buffer.from(header, "base64url")).kid);
  const ok = verify("RSA-SHA256", Buffer.from(`${header}.${payload}`), createPublicKey({ key: jwk, format: "jwk" }), Buffer.from(signature, "base64url"));
  assert.ok(ok, "the RS256 signature verifies against the JWKS");
  return JSON.parse(Buffer.from(payload, "base64url"));
}

let enrolled; // { secret, recoveryCode } of new@example.com, for the recovery test

test("full OTP enrollment through MfaClient", async () => {
  const auth = client();
  const token = await mfaToken(auth, "new@example.com");
  assert.deepEqual(await auth.mfa.listAuthenticators({ mfaToken: token }), []);

  const enrollment = await auth.mfa.enrollAuthenticator({ authenticatorTypes: ["otp"], mfaToken: token });
  assert.equal(enrollment.authenticatorType, "otp");
  assert.match(enrollment.secret, /^[A-Z2-7]{32}$/);
  assert.ok(enrollment.barcodeUri.startsWith("otpauth://totp/Emulated%20Tenant:new%40example.com?secret="));
  assert.equal(enrollment.recoveryCodes.length, 1);
  assert.match(enrollment.recoveryCodes[0], /^[A-Z0-9]{24}$/);
  const pending = await auth.mfa.listAuthenticators({ mfaToken: token });
  assert.equal(pending.length, 1);
  assert.equal(pending[0].active, false);

  const tokens = await auth.mfa.verify({ mfaToken: token, factorType: "otp", otp: totp(enrollment.secret).generate() });
  assert.ok(tokens.accessToken);
  const claims = await verifiedClaims(tokens.idToken);
  assert.equal(claims.iss, `${PUBLIC}/`);
  assert.equal(claims.aud, "server-client");
  assert.equal(claims.email, "new@example.com");
  assert.deepEqual(claims.amr, ["mfa"]);

  const active = await auth.mfa.listAuthenticators({ mfaToken: token });
  assert.equal(active.find((a) => a.id.startsWith("totp|")).active, true);
  assert.ok(active.some((a) => a.authenticatorType === "recovery-code"));
  enrolled = { secret: enrollment.secret, recoveryCode: enrollment.recoveryCodes[0] };
});

test("OTP challenge, and a used code is refused", async () => {
  const auth = client();
  const token = await mfaToken(auth, "otp@example.com");
  const challenge = await auth.mfa.challengeAuthenticator({ challengeType: "otp", mfaToken: token });
  assert.equal(challenge.challengeType, "otp");
  const code = totp("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP").generate();
  const tokens = await auth.mfa.verify({ mfaToken: token, factorType: "otp", otp: code });
  assert.equal((await verifiedClaims(tokens.idToken)).sub.startsWith("auth0|"), true);

  const replay = await auth.mfa.verify({ mfaToken: token, factorType: "otp", otp: code }).then(() => null, (e) => e);
  assert.ok(replay instanceof MfaVerifyError);
  assert.equal(replay.cause.error, "invalid_grant");
  assert.equal(replay.cause.error_description, "Invalid otp_code.");
  assert.equal(replay.statusCode, 403);
});

test("recovery-code login rotates the code", async () => {
  assert.ok(enrolled, "the enrollment test ran first");
  const auth = client();
  const token = await mfaToken(auth, "new@example.com");
  const tokens = await auth.mfa.verify({ mfaToken: token, factorType: "recovery-code", recoveryCode: enrolled.recoveryCode });
  assert.ok(tokens.accessToken);
  assert.match(tokens.recoveryCode, /^[A-Z0-9]{24}$/);
  assert.notEqual(tokens.recoveryCode, enrolled.recoveryCode);

  const again = await auth.mfa.verify({ mfaToken: token, factorType: "recovery-code", recoveryCode: enrolled.recoveryCode }).then(() => null, (e) => e);
  assert.ok(again instanceof MfaVerifyError);
  assert.equal(again.cause.error_description, "Invalid recovery_code.");
  const fresh = await auth.mfa.verify({ mfaToken: token, factorType: "recovery-code", recoveryCode: tokens.recoveryCode });
  assert.ok(fresh.recoveryCode);
});

// ---- private_key_jwt and refresh tokens ---------------------------------------------------------------------

const KEYS = new URL("../../emulator/keys/", import.meta.url);
const PRIVATE_PEM = readFileSync(new URL("TEST-ONLY-client-assertion.private.pem", KEYS), "utf8");
const PUBLIC_PEM = readFileSync(new URL("TEST-ONLY-client-assertion.public.pem", KEYS), "utf8");
const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const OFFLINE = "openid profile email offline_access";
const OTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const ROTATING = { client_id: `authjs-rotating-${process.pid}`, client_secret: "rotating-secret", auth_method: "client_secret_post" };
const MFA_ON_REFRESH = {
  client_id: `authjs-mfa-refresh-${process.pid}`,
  client_secret: "mfa-refresh-secret",
  auth_method: "client_secret_post",
  mfa_on_refresh: "always",
};
let serial = 0;

// Called by the one `before` above: the clients of the refresh tests.
async function registerClients() {
  for (const client of [ROTATING, MFA_ON_REFRESH]) await emulator.control("POST", "/__emu/clients", client);
}

const secretClient = ({ client_id, client_secret }) =>
  new AuthClient({ domain: "emu.test", clientId: client_id, clientSecret: client_secret, customFetch: toEmulator });

/** A new user of this file: OTP with OTP_SECRET, or no MFA. */
async function newUser({ mfa = true } = {}) {
  const username = `authjs-${process.pid}-${++serial}@example.com`;
  const authenticators = mfa ? [{ type: "otp", secret: OTP_SECRET }] : [];
  await emulator.control("POST", "/__emu/users", { username, email: username, password: PASSWORD, mfa, authenticators });
  return username;
}

// The emulator takes the previous and the current TOTP step, each once per user: hand out the oldest unused one.
const usedSteps = new Map();
async function otpFor(username) {
  const now = Date.now();
  const current = Math.floor(now / 30_000);
  let step = Math.max((usedSteps.get(username) ?? -Infinity) + 1, now % 30_000 > 28_000 ? current : current - 1);
  if (step > current) await new Promise((resolve) => setTimeout(resolve, step * 30_000 - now + 100));
  usedSteps.set(username, step);
  return totp(OTP_SECRET).generate({ timestamp: step * 30_000 + 1 });
}

/** `customFetch` that also keeps the form body of every token request. */
function recordingFetch(bodies) {
  return async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (url.endsWith("/oauth/token")) {
      const raw = init?.body ?? (input instanceof Request ? await input.clone().text() : "");
      bodies.push(Object.fromEntries(new URLSearchParams(raw instanceof URLSearchParams ? raw.toString() : String(raw))));
    }
    return toEmulator(input, init);
  };
}

async function journalMark() {
  const journal = await emulator.control("GET", "/__emu/journal");
  return journal.length ? journal.at(-1).seq : 0;
}

const tokenJournal = (mark) => emulator.control("GET", `/__emu/journal?since=${mark}&path=/oauth/token`);
const families = (username, clientId) =>
  emulator.control("GET", `/__emu/refresh-tokens?user=${encodeURIComponent(username)}&client=${encodeURIComponent(clientId)}`);

async function refreshError(auth, refreshToken) {
  const error = await auth.getTokenByRefreshToken({ refreshToken }).then(
    () => assert.fail("the refresh token was accepted"),
    (e) => e,
  );
  assert.ok(error instanceof TokenByRefreshTokenError, String(error));
  return error;
}

function assertUnknownRefreshToken(error) {
  assert.equal(error.statusCode, 403);
  assert.equal(error.cause.error, "invalid_grant");
  assert.equal(error.cause.error_description, "Unknown or invalid refresh token.");
  assert.equal(isMfaRequiredError(error), false);
}

/** Every token request authenticated with a fresh assertion by the committed key, for `https://emu.test/`. */
async function checkAssertions(bodies, mark, grants) {
  const journal = await tokenJournal(mark);
  assert.deepEqual(journal.map((e) => [e.body.grant_type, e.status]), grants);
  for (const entry of journal) {
    assert.equal(entry.body.client_id, "jwt-client");
    assert.equal(entry.body.client_assertion_type, JWT_BEARER);
    assert.equal(entry.body.client_assertion, "[redacted]");
    assert.equal("client_secret" in entry.body, false);
  }
  assert.equal(bodies.length, grants.length);
  const publicKey = await jose.importSPKI(PUBLIC_PEM, "RS256");
  const jtis = new Set();
  for (const body of bodies) {
    const { payload } = await jose.jwtVerify(body.client_assertion, publicKey, {
      algorithms: ["RS256"],
      issuer: "jwt-client",
      subject: "jwt-client",
      audience: `${PUBLIC}/`,
    });
    assert.ok(payload.exp - payload.iat <= 300);
    jtis.add(payload.jti);
  }
  assert.equal(jtis.size, bodies.length, "a new jti per request");
}

test("private_key_jwt with the committed PEM: password grant, MFA verify and refresh for jwt-client", async () => {
  const bodies = [];
  const auth = new AuthClient({ domain: "emu.test", clientId: "jwt-client", clientAssertionSigningKey: PRIVATE_PEM, customFetch: recordingFetch(bodies) });
  const username = await newUser();
  const mark = await journalMark();
  const error = await auth.getTokenByPassword({ username, password: PASSWORD, scope: OFFLINE }).then(
    () => assert.fail("MFA was not required"),
    (e) => e,
  );
  assert.ok(isMfaRequiredError(error), String(error));
  const tokens = await auth.mfa.verify({ mfaToken: error.cause.mfa_token, factorType: "otp", otp: await otpFor(username) });
  assert.match(tokens.refreshToken ?? "", /^v1\./);
  const claims = await verifiedClaims(tokens.idToken);
  assert.equal(claims.aud, "jwt-client");
  assert.equal(claims.email, username);

  const refreshed = await auth.getTokenByRefreshToken({ refreshToken: tokens.refreshToken });
  assert.match(refreshed.refreshToken ?? "", /^v1\./);
  assert.notEqual(refreshed.refreshToken, tokens.refreshToken);
  assert.equal((await verifiedClaims(refreshed.idToken)).sub, claims.sub);
  await checkAssertions(bodies, mark, [
    ["password", 403],
    ["http://auth0.com/oauth/grant-type/mfa-otp", 200],
    ["refresh_token", 200],
  ]);
});

test("a refresh token from auth0-mfa-wasm (jwt-client) refreshes through auth0-auth-js with a CryptoKey, and back", async () => {
  const username = await newUser({ mfa: false });
  const ours = new pkg.MfaClient({
    domain: PUBLIC,
    clientId: "jwt-client",
    clientAssertionSigningKey: PRIVATE_PEM,
    scope: OFFLINE,
    fetch: toEmulator,
  });
  const login = await ours.login(username, PASSWORD);
  assert.equal(login.stage, "authenticated");
  const first = login.tokens.refreshToken;
  assert.match(first ?? "", /^v1\./);

  const der = Buffer.from(PRIVATE_PEM.replace(/-----[^-]+-----/g, "").replace(/\s/g, ""), "base64");
  const key = await crypto.subtle.importKey("pkcs8", der, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]);
  const bodies = [];
  const auth = new AuthClient({ domain: "emu.test", clientId: "jwt-client", clientAssertionSigningKey: key, customFetch: recordingFetch(bodies) });
  const mark = await journalMark();
  const refreshed = await auth.getTokenByRefreshToken({ refreshToken: first });
  const second = refreshed.refreshToken;
  assert.match(second ?? "", /^v1\./);
  assert.notEqual(second, first);
  assert.equal((await verifiedClaims(refreshed.idToken)).email, username);
  await checkAssertions(bodies, mark, [["refresh_token", 200]]);

  const back = await ours.refresh(second);
  assert.equal(back.stage, "authenticated");
  assert.notEqual(back.tokens.refreshToken, second);
  const [family] = await families(username, "jwt-client");
  assert.deepEqual([family.counter, family.revoked], [2, false]);
});

test("getTokenByRefreshToken rotates; reusing the old token throws TokenByRefreshTokenError and revokes the family", async () => {
  const auth = secretClient(ROTATING);
  const username = await newUser({ mfa: false });
  const tokens = await auth.getTokenByPassword({ username, password: PASSWORD, scope: OFFLINE });
  const first = tokens.refreshToken;
  assert.match(first ?? "", /^v1\./);

  const refreshed = await auth.getTokenByRefreshToken({ refreshToken: first });
  const second = refreshed.refreshToken;
  assert.match(second ?? "", /^v1\./);
  assert.notEqual(second, first);
  assert.notEqual(refreshed.accessToken, tokens.accessToken);
  assert.equal(refreshed.scope, OFFLINE);

  assertUnknownRefreshToken(await refreshError(auth, first));
  let [family] = await families(username, ROTATING.client_id);
  assert.deepEqual([family.revoked, family.revoked_reason], [true, "reuse_detected"]);
  assertUnknownRefreshToken(await refreshError(auth, second));
  [family] = await families(username, ROTATING.client_id);
  assert.equal(family.uses_after_revocation, 1);
});

test("getTokenByRefreshToken with mfa_on_refresh always: mfa_required with cause.mfa_token, then mfa.verify rotates", async () => {
  const auth = secretClient(MFA_ON_REFRESH);
  const username = await newUser();
  const error = await auth.getTokenByPassword({ username, password: PASSWORD, scope: OFFLINE }).then(
    () => assert.fail("MFA was not required"),
    (e) => e,
  );
  assert.ok(isMfaRequiredError(error));
  const tokens = await auth.mfa.verify({ mfaToken: error.cause.mfa_token, factorType: "otp", otp: await otpFor(username) });
  const before = tokens.refreshToken;
  assert.match(before ?? "", /^v1\./);

  const required = await refreshError(auth, before);
  assert.ok(isMfaRequiredError(required), String(required));
  assert.equal(required.statusCode, 403);
  assert.equal(required.cause.error, "mfa_required");
  assert.match(required.cause.mfa_token, /^Fe26\.2\*\*/);
  assert.notEqual(required.cause.mfa_token, error.cause.mfa_token);
  assert.deepEqual(required.cause.mfa_requirements, { challenge: [{ type: "otp" }] });

  const verified = await auth.mfa.verify({ mfaToken: required.cause.mfa_token, factorType: "otp", otp: await otpFor(username) });
  const after = verified.refreshToken;
  assert.match(after ?? "", /^v1\./, "the MFA grant answers a rotated refresh token");
  assert.notEqual(after, before);
  assert.deepEqual((await verifiedClaims(verified.idToken)).amr, ["mfa"]);
  const [family] = await families(username, MFA_ON_REFRESH.client_id);
  assert.deepEqual([family.counter, family.revoked], [1, false]);

  // The pre-MFA token was superseded: replaying it is reuse.
  assertUnknownRefreshToken(await refreshError(auth, before));
});

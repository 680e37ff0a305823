// Refresh (with MFA on refresh), private_key_jwt and DPoP in workerd (Miniflare), where Cloudflare Workers run the
// package: WebCrypto signs there as in browsers and Node, and a DPoP login goes on across two requests with the key
// pair the Worker keeps.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startWorker } from "./workerd.mjs";
import * as OTPAuth from "otpauth";
import * as jose from "jose";
import { startEmulator } from "./emulator.mjs";

const PKG = fileURLToPath(new URL("../../pkg/", import.meta.url));
const KEYS = fileURLToPath(new URL("../../emulator/keys/", import.meta.url));
const OTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const OFFLINE = "openid profile email offline_access";
const PASSWORD = "Extras-workerd Pa55word";

const WORKER = `
import { MfaClient } from "./workerd.js";

// One key pair for the isolate: what a Worker keeps (in a Durable Object) to go on with a DPoP login.
const keyPair = crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
const saved = {};
const seen = (error) => ({ code: error?.code, message: String(error?.message) });

const steps = {
  async dpopStart(env, params) {
    const client = new MfaClient({ domain: env.AUTH0_DOMAIN, clientId: params.get("client"), scope: "${OFFLINE}", dpop: { keyPair: await keyPair } });
    const first = await client.login(params.get("user"), env.PASSWORD);
    saved.dpop = client.save();
    return { first: first.stage, stateHasNonce: saved.dpop.includes("dpop_nonce") };
  },
  async dpopFinish(env, params) {
    const options = { domain: env.AUTH0_DOMAIN, clientId: params.get("client"), scope: "${OFFLINE}", dpop: { keyPair: await keyPair } };
    const client = MfaClient.restore(saved.dpop, options);
    const tokens = await client.verifyOtp(params.get("otp"));
    const refreshed = await client.refresh(tokens.refreshToken);
    const proof = await client.dpopProof({ method: "GET", url: "https://api.example.com/me", accessToken: tokens.accessToken });
    return { tokenType: tokens.tokenType, refreshedType: refreshed.tokens.tokenType, accessToken: tokens.accessToken, proof };
  },
  async jwt(env, params) {
    const client = new MfaClient({ domain: env.AUTH0_DOMAIN, clientId: "jwt-client", clientAssertionSigningKey: env.SIGNING_KEY });
    const first = await client.login(params.get("user"), env.PASSWORD);
    await client.challenge({ type: "otp" });
    const tokens = await client.verifyOtp(params.get("otp"));
    return { first: first.stage, stage: client.stage, hasAccessToken: tokens.accessToken.length > 0 };
  },
  async mfaOnRefresh(env, params) {
    const client = new MfaClient({ domain: env.AUTH0_DOMAIN, clientId: params.get("client"), scope: "${OFFLINE}" });
    const asked = await client.refresh(params.get("token"));
    const tokens = await client.verifyOtp(params.get("otp"));
    let reused;
    try {
      await client.refresh(params.get("token"));
    } catch (error) {
      reused = seen(error);
    }
    return { asked: asked.stage, rotated: tokens.refreshToken !== params.get("token"), reused };
  },
};

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    try {
      return Response.json(await steps[url.pathname.slice(1)](env, url.searchParams));
    } catch (error) {
      return Response.json({ error: seen(error) }, { status: 500 });
    }
  },
};
`;

let emulator, worker;

before(async () => {
  emulator = await startEmulator([]);
  worker = await startWorker({ package: PKG, script: WORKER, bindings: {
      AUTH0_DOMAIN: emulator.url,
      PASSWORD,
      SIGNING_KEY: readFileSync(join(KEYS, "TEST-ONLY-client-assertion.private.pem"), "utf8"),
    } });
});

after(async () => {
  await worker?.stop();
  emulator?.stop();
});

const step = (path) => worker.step(path);

let users = 0;

/** A user of its own with an OTP authenticator: a code is refused as a replay only for the user who used it. */
async function otpUser() {
  const username = `extras-workerd-${process.pid}-${++users}@example.com`;
  await emulator.control("POST", "/__emu/users", { username, password: PASSWORD, authenticators: [{ type: "otp", secret: OTP_SECRET }] });
  return username;
}

/** The code at the emulator's time. */
async function code() {
  const { now_ms } = await emulator.control("GET", "/__emu/clock");
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(OTP_SECRET) }).generate({ timestamp: now_ms });
}

async function token(body) {
  const response = await fetch(`${emulator.url}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return response.json();
}

test("workerd: a DPoP login across two requests, with the Worker's key pair; refresh and an API proof with it", async () => {
  const client = `dpop-workerd-${process.pid}`;
  await emulator.control("POST", "/__emu/clients", { client_id: client, auth_method: "none", allowed_origins: [], dpop: "allowed" });
  const user = await otpUser();
  const started = await step(`dpopStart?client=${client}&user=${encodeURIComponent(user)}`);
  assert.deepEqual(started, { first: "mfa_required", stateHasNonce: true });
  const done = await step(`dpopFinish?client=${client}&otp=${await code()}`);
  assert.equal(done.tokenType, "DPoP");
  assert.equal(done.refreshedType, "DPoP", "the bound refresh token, with the same key");
  const { payload, protectedHeader } = await jose.jwtVerify(done.proof, jose.EmbeddedJWK, { typ: "dpop+jwt" });
  assert.equal(payload.htu, "https://api.example.com/me");
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(done.accessToken));
  assert.equal(payload.ath, jose.base64url.encode(new Uint8Array(digest)));
  const { cnf } = jose.decodeJwt(done.accessToken);
  assert.equal(cnf.jkt, await jose.calculateJwkThumbprint(protectedHeader.jwk, "sha256"), "the token is bound to the Worker's key");
});

test("workerd: private_key_jwt signs the grant and /mfa/challenge with a PEM from a binding", async () => {
  const user = await otpUser();
  const result = await step(`jwt?user=${encodeURIComponent(user)}&otp=${await code()}`);
  assert.deepEqual(result, { first: "mfa_required", stage: "authenticated", hasAccessToken: true });
  const journal = await emulator.control("GET", "/__emu/journal?path=/mfa/challenge");
  assert.equal(journal.at(-1).status, 200);
});

test("workerd: MFA on refresh, then a reused refresh token", async () => {
  const client = `refresh-workerd-${process.pid}`;
  await emulator.control("POST", "/__emu/clients", { client_id: client, auth_method: "none", allowed_origins: [] });
  const username = await otpUser();
  const login = await token({ grant_type: "password", client_id: client, username, password: PASSWORD, scope: OFFLINE });
  const otp = await code();
  const granted = await token({ grant_type: "http://auth0.com/oauth/grant-type/mfa-otp", client_id: client, mfa_token: login.mfa_token, otp });
  const refreshToken = granted.refresh_token;
  assert.equal(typeof refreshToken, "string", JSON.stringify(Object.keys(granted)));
  await emulator.control("POST", `/__emu/clients/${client}`, { mfa_on_refresh: "always" });
  // The next step's code: this step's was used. The clock goes back after, for the tests that follow.
  await emulator.control("POST", "/__emu/clock", { advance: 30 });
  const next = await code();
  const result = await step(`mfaOnRefresh?client=${client}&token=${encodeURIComponent(refreshToken)}&otp=${next}`).finally(
    () => emulator.control("POST", "/__emu/clock", { advance: -30 }),
  );
  assert.equal(result.asked, "mfa_required");
  assert.equal(result.rotated, true);
  assert.equal(result.reused.code, "invalid_refresh_token");
  assert.ok(!result.reused.message.includes(refreshToken));
});

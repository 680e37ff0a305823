// Auth0's own client, @auth0/auth0-auth-js, against the emulator: a full OTP enrollment, an OTP challenge and a
// recovery-code login, with real codes computed by the npm package `otpauth`.
//
// The client only speaks https://{domain}. The emulator is started with `--public-url https://emu.test`, so its
// issuer, discovery document and MFA audience name that origin, and a custom fetch sends every request for
// https://emu.test to the emulator's loopback address.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createPublicKey, verify } from "node:crypto";
import * as OTPAuth from "otpauth";
import { startEmulator } from "./emulator.mjs";
import { AuthClient, MfaVerifyError, isMfaRequiredError } from "@auth0/auth0-auth-js";

const PUBLIC = "https://emu.test";
const PASSWORD = "Passw0rd!";

let emulator;
let baseUrl;

before(async () => {
  emulator = await startEmulator(["--public-url", PUBLIC]);
  baseUrl = emulator.url;
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

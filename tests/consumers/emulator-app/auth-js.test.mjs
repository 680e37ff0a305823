// Auth0's own client, @auth0/auth0-auth-js, against auth0-mfa-emulator in this process through its
// `customFetch`: discovery, the password grant's mfa_required, OTP enrollment and the MFA grant, and the refresh
// grant with rotation. Run in the fresh project of tests/consumers/emulator-node.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AuthClient, isMfaRequiredError } from "@auth0/auth0-auth-js";
import { Emulator } from "auth0-mfa-emulator";
import { Totp } from "auth0-mfa-wasm";

const emu = new Emulator({ publicUrl: "https://tenant.example" });
const auth = new AuthClient({ domain: "tenant.example", clientId: "server-client", clientSecret: "server-client-secret", customFetch: emu.fetch });

test("password + OTP enrollment + refresh, with auth-js's customFetch", async () => {
  await emu.addUser({ username: "auth-js@example.com", password: "Passw0rd!" });
  const required = await auth.getTokenByPassword({ username: "auth-js@example.com", password: "Passw0rd!", scope: "openid offline_access" })
    .then(() => assert.fail("MFA was not required"), (error) => error);
  assert.ok(isMfaRequiredError(required), String(required));
  const mfaToken = required.cause.mfa_token;
  const enrollment = await auth.mfa.enrollAuthenticator({ authenticatorTypes: ["otp"], mfaToken });
  const otp = Totp.fromUri(enrollment.barcodeUri).generate((await emu.clock()).now_ms);
  const tokens = await auth.mfa.verify({ mfaToken, factorType: "otp", otp });
  assert.equal(typeof tokens.accessToken, "string");
  assert.match(tokens.refreshToken, /^v1\./);
  const refreshed = await auth.getTokenByRefreshToken({ refreshToken: tokens.refreshToken });
  assert.notEqual(refreshed.refreshToken, tokens.refreshToken, "rotated");
  const [family] = await emu.control("GET", "/__emu/refresh-tokens?user=auth-js@example.com");
  assert.deepEqual([family.client_id, family.counter, family.revoked], ["server-client", 1, false]);
});

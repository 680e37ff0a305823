// An app's own test, as a user of both packages writes it: the app signs in with auth0-mfa-wasm's MfaClient, and
// the tenant is auth0-mfa-emulator, in this process, through `fetch: emu.fetch`. It runs in a fresh project that
// installed the two tarballs (tests/consumers/emulator-node.test.mjs), with `node --test`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { Emulator } from "auth0-mfa-emulator";
import { MfaClient, Totp, isInvalidCode, isMfaTokenExpired } from "auth0-mfa-wasm";

// Proof that no port is opened: every listen and connect in this process is counted.
const network = [];
for (const [target, name] of [[net.Server.prototype, "listen"], [net.Socket.prototype, "connect"]]) {
  const original = target[name];
  target[name] = function (...args) {
    network.push(name);
    return original.apply(this, args);
  };
}
after(() => assert.deepEqual(network, [], "no socket was opened"));

const DOMAIN = "https://tenant.example";
const PASSWORD = "Passw0rd!";
const emu = new Emulator({ publicUrl: DOMAIN });
const client = () => new MfaClient({ domain: DOMAIN, clientId: "spa-client", fetch: emu.fetch });
let users = 0;

/** Adds a user in the seed's format: `extra` may set e.g. a known `recovery_code`. */
async function newUser(authenticators = [], extra = {}) {
  const username = `user${++users}@example.com`;
  await emu.addUser({ username, password: PASSWORD, authenticators, ...extra });
  return username;
}
const OTP = [{ type: "otp", secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" }];

/** The code an authenticator app shows now, on the tenant's clock. */
const codeNow = async (totp) => totp.generate((await emu.clock()).now_ms);

before(() => emu.setClock({ freeze: true, set: 1_800_000_000 }));

test("OTP enrollment: the QR code's secret makes the code, and the first enrollment returns a recovery code", async () => {
  const mfa = client();
  assert.equal((await mfa.login(await newUser(), PASSWORD)).stage, "mfa_required");
  assert.deepEqual((await mfa.authenticators()).active, []);
  const enrollment = await mfa.enroll({ type: "otp" });
  assert.equal(enrollment.recoveryCodes.length, 1);
  const totp = Totp.fromUri(enrollment.barcodeUri);
  await assert.rejects(mfa.verifyOtp(String((Number(await codeNow(totp)) + 1) % 1e6).padStart(6, "0")), isInvalidCode);
  assert.equal(mfa.stage, "enrolling", "a wrong code keeps the stage");
  const tokens = await mfa.verifyOtp(await codeNow(totp));
  assert.equal(tokens.accessToken.split(".").length, 3);
  assert.equal(mfa.stage, "authenticated");
});

test("SMS: the code is read from emu.outbox", async () => {
  const username = await newUser([{ type: "sms", phone_number: "+15555550123" }]);
  const mfa = client();
  await mfa.login(username, PASSWORD);
  const [sms] = (await mfa.authenticators()).active;
  const challenge = await mfa.challenge(sms.id);
  assert.equal(challenge.bindingRequired, true);
  const [message] = await emu.outbox({ user: username });
  assert.deepEqual([message.channel, message.to, message.code.length], ["sms", "+15555550123", 6]);
  const tokens = await mfa.verifyOob(message.code);
  assert.equal(typeof tokens.accessToken, "string");
});

test("push: approved by emu.approvePush", async () => {
  const username = await newUser([{ type: "push", name: "Phone" }]);
  const mfa = client();
  await mfa.login(username, PASSWORD);
  const push = (await mfa.authenticators()).active.find((a) => a.type === "push");
  assert.equal((await mfa.challenge(push.id)).type, "push");
  const approved = await emu.approvePush({ user: username });
  assert.equal(approved.state, "approved");
  const tokens = await mfa.waitForPush({ intervalMs: 1000 });
  assert.equal(typeof tokens.accessToken, "string");
});

test("a recovery code signs in once, and the tokens carry the new one", async () => {
  const username = await newUser(OTP, { recovery_code: "ABCDEFGHIJKLMNOPQRSTUVWX" });
  const mfa = client();
  await mfa.login(username, PASSWORD);
  const tokens = await mfa.verifyRecoveryCode("ABCDEFGHIJKLMNOPQRSTUVWX");
  assert.match(tokens.recoveryCode, /^[A-Z0-9]{24}$/);
  assert.notEqual(tokens.recoveryCode, "ABCDEFGHIJKLMNOPQRSTUVWX");
  const again = client();
  await again.login(username, PASSWORD);
  await assert.rejects(again.verifyRecoveryCode("ABCDEFGHIJKLMNOPQRSTUVWX"), isInvalidCode);
});

test("the mfa_token expires after 5 minutes: emu.advanceClock(301)", async () => {
  const mfa = client();
  await mfa.login(await newUser(OTP), PASSWORD);
  await emu.advanceClock(301);
  await assert.rejects(mfa.authenticators(), (error) => isMfaTokenExpired(error) && error.restartRequired);
  assert.equal(mfa.stage, "failed");
});

// The demo in www/, driven in headless Chromium and Firefox like a person would: reading the screen, typing,
// clicking, scanning the QR code and reading codes from the emulator's outbox and device pages. Every scenario runs in
// both browsers (tests/e2e/person.mjs). Starts `cargo xtask demo --no-build` on free ports (pkg/ and the emulator
// binary must be built), so the one command itself is under test, and stops it with SIGINT.
//
//   cargo build -p xtask -p auth0-mfa-emulator && cargo xtask build && node --test tests/e2e/
//
// Each scenario leaves a screenshot of its last screen in tests/artifacts/e2e/, named after the browser.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { BROWSERS } from "./browser.mjs";
import { launch } from "./person.mjs";
import jsQR from "jsqr";
import * as OTPAuth from "otpauth";

const root = fileURLToPath(new URL("../../", import.meta.url));
const artifacts = `${root}tests/artifacts/e2e/`;
const xtask = process.env.XTASK_BIN || `${root}target/debug/xtask`;
const PASSWORD = "Passw0rd!";
const WAIT = { timeout: 20_000 };

let demo; // the `cargo xtask demo` process
let demoUrl; // http://127.0.0.1:PORT/
let emulatorUrl; // http://127.0.0.1:PORT
let config; // the demo's /config.json

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  demo = spawn(xtask, ["demo", "--no-build", "--port", "0", "--emulator-port", "0"], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const urls = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`the demo printed no URLs within 60 s:\n${out}`)), 60_000);
    demo.on("exit", (code) => reject(new Error(`the demo exited (${code}) before it was ready:\n${out}`)));
    demo.stdout.on("data", (chunk) => {
      out += chunk;
      const demoLine = out.match(/Demo:\s+(\S+)/);
      const deviceLine = out.match(/Device page:\s+(\S+)/);
      if (demoLine && deviceLine && out.includes("Ctrl-C")) {
        clearTimeout(timer);
        resolve({ demo: demoLine[1], device: deviceLine[1] });
      }
    });
  });
  demoUrl = urls.demo;
  emulatorUrl = urls.device.replace(/\/__emu\/$/, "");
  config = await (await fetch(new URL("config.json", demoUrl))).json();
});

after(async () => {
  if (demo && demo.exitCode === null) {
    demo.kill("SIGKILL");
  }
});

// ---- helpers -------------------------------------------------------------------------------------------------------

async function emu(path, body) {
  const response = await fetch(`${emulatorUrl}/__emu/${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(response.ok, `${path}: HTTP ${response.status}`);
  return response.json();
}

/** Back to the seed; the demo's own client (for an origin the seed does not list) comes back with it. */
async function freshTenant() {
  await emu("reset", {});
  if (config.clientId !== "spa-client") {
    await emu("clients", { client_id: config.clientId, auth_method: "none", allowed_origins: [new URL(demoUrl).origin] });
  }
}

async function totpNow(secret) {
  const { now_ms } = await emu("clock");
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate({ timestamp: now_ms });
}

/** A screenshot of what `person` sees, named after the browser: tests/artifacts/e2e/<browser>-<name>.png. */
const shot = (person, name) => person.screenshot(`${artifacts}${person.browser.toLowerCase()}-${name}.png`);

async function finish(person, name) {
  await shot(person, name);
  await person.close();
}

async function signIn(person, username) {
  await person.fill("Email or username", username);
  await person.fill("Password", PASSWORD);
  await person.click("Sign in");
}

async function toSecondFactor(person, username, expected) {
  await signIn(person, username);
  await person.heading("A second factor is required");
  await person.click("Continue");
  await person.heading(expected);
}

async function savedRecoveryCode(person, title) {
  await person.heading(title);
  await person.text("This is the only time it is shown.");
  const code = await person.textOf("#recovery-value");
  assert.match(code, /^[A-Z0-9]{24}$/);
  assert.equal(await person.isDisabled("Continue"), true, "Continue waits for the saved checkbox");
  await person.check("I have saved my recovery code");
  await person.click("Continue");
  return code;
}

async function signedIn(person, email) {
  await person.heading("You are signed in");
  await person.text("ID token claims");
  await person.text("Access token expires");
  assert.match(await person.textOf("main"), new RegExp(email.replace(".", "\\.")));
}

/** Reads a QR code off the screen: a screenshot of the drawn code, decoded to pixels by the browser. */
async function scanQr(person, name) {
  const png = await person.imagePng(name);
  const { width, height, data } = await person.evaluate(async (base64) => {
    const blob = await (await fetch(`data:image/png;base64,${base64}`)).blob();
    const bitmap = await createImageBitmap(blob);
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext("2d");
    context.drawImage(bitmap, 0, 0);
    const image = context.getImageData(0, 0, bitmap.width, bitmap.height);
    return { width: image.width, height: image.height, data: Array.from(image.data) };
  }, png);
  const decoded = jsQR(Uint8ClampedArray.from(data), width, height);
  assert.ok(decoded, `the ${name} on the page decodes`);
  return decoded.data;
}

/** Enrolls `new@example.com` by a code sent to `contact`, read from the emulator's outbox page. */
async function enrollByCode(person, { choice, contactTitle, label, contact, sent, screenshots }) {
  await toSecondFactor(person, "new@example.com", "Set up a second factor");
  await person.click(choice);
  await person.heading(contactTitle);
  await person.fill(label, contact, { exact: true });
  await person.click("Send the code");
  await person.heading("Enter the code");
  await person.text(`We sent a 6-digit code ${sent} to ${contact}`);

  const outbox = await person.follow("Open the emulator's outbox");
  const code = await outbox.codeInRow(contact);
  assert.match(code, /^\d{6}$/);
  if (screenshots.outbox) await shot(outbox, screenshots.outbox);
  await outbox.closeTab();
  if (screenshots.entry) await shot(person, screenshots.entry);

  await person.fill("Code you received", code);
  await person.click("Verify", { exact: true });
  await savedRecoveryCode(person, "Save your recovery code");
  await signedIn(person, "new@example.com");
}

async function toPush(person) {
  await toSecondFactor(person, "push@example.com", "Verify it is you");
  await person.click(/Push notification/);
  await person.heading("Approve on your phone");
  await person.text("Waiting for your approval");
}

async function answerPush(person, button) {
  const device = await person.follow("Open the emulator's device page");
  await device.click(button);
  await device.cell("None");
  await device.closeTab();
}

// ---- scenarios, in each browser ----------------------------------------------------------------------------------

for (const browserName of BROWSERS) {
  describe(browserName, () => {
    let browser;
    before(async () => {
      browser = await launch(browserName);
    });
    after(() => browser?.close());

    async function open(viewport = { width: 1000, height: 900 }) {
      const person = await browser.open(demoUrl, viewport);
      await person.heading("Sign in");
      await person.waitFor(() => document.body.dataset.ready === "true");
      return person;
    }

    let enrolledSecret; // new@example.com's OTP key, scanned in the first scenario

    test("OTP enrollment: scan the QR code, enter the code, save the recovery code, signed in", async () => {
      await freshTenant();
      const person = await open();
      await signIn(person, "new@example.com");
      await person.heading("A second factor is required");
      await person.text("Your account has no second factor yet");
      await shot(person, "01-mfa-required");
      await person.click("Continue");
      await person.heading("Set up a second factor");
      await shot(person, "01-enroll-choices");
      await person.click(/Authenticator app/);
      await person.heading("Scan the QR code");

      const uri = await scanQr(person, "QR code of the authenticator key");
      const key = OTPAuth.URI.parse(uri);
      assert.ok(key instanceof OTPAuth.TOTP, uri);
      enrolledSecret = key.secret.base32;
      const shown = await person.textOf("#otp-secret");
      assert.equal(shown.replace(/ /g, ""), enrolledSecret, "the key for manual entry is the scanned one");
      assert.match(shown, /^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/, "in groups of four");
      await person.text(/Codes change every 30 seconds/);
      await shot(person, "01-otp-enroll-qr");

      await person.fill("The 6-digit code your app shows", await totpNow(enrolledSecret));
      await person.click("Verify and finish");
      await person.heading("Save your recovery code");
      await shot(person, "01-recovery-code");
      await savedRecoveryCode(person, "Save your recovery code");
      await signedIn(person, "new@example.com");
      await finish(person, "01-otp-enroll-signed-in");
    });

    test("OTP challenge for the enrolled user", async () => {
      assert.ok(enrolledSecret, "needs the enrollment scenario");
      // The code of the step just used is refused as a replay: move to the next step.
      await emu("clock", { advance: 30 });
      const person = await open();
      await toSecondFactor(person, "new@example.com", "Verify it is you");
      await person.text("Use a recovery code");
      await shot(person, "02-challenge-choices");
      await person.click(/Authenticator app/);
      await person.heading("Enter the code");
      await person.text("Open your authenticator app");
      await person.text(/Codes change every 30 seconds/);
      await person.fill("Code from your app", await totpNow(enrolledSecret));
      await person.click("Verify", { exact: true });
      await signedIn(person, "new@example.com");
      await finish(person, "02-otp-challenge-signed-in");
    });

    test("Refresh after sign-in: new tokens, and the second factor again when the tenant asks for it on refresh", async () => {
      assert.ok(enrolledSecret, "needs the enrollment scenario");
      const family = async () => (await emu("refresh-tokens?user=new@example.com")).at(-1);
      await emu("clock", { advance: 30 });
      const person = await open();
      await toSecondFactor(person, "new@example.com", "Verify it is you");
      await person.click(/Authenticator app/);
      await person.fill("Code from your app", await totpNow(enrolledSecret));
      await person.click("Verify", { exact: true });
      await signedIn(person, "new@example.com");
      const issued = await family();
      assert.equal(issued.revoked, false);

      await person.click("Refresh the tokens");
      // The screen stays the same: wait for the exchange at the tenant, then for the page to be idle again.
      let rotated = await family();
      for (let tries = 0; rotated.counter === issued.counter && tries < 100; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        rotated = await family();
      }
      await person.waitFor(() => !document.querySelector("[aria-busy]"));
      await signedIn(person, "new@example.com");
      assert.equal(rotated.family_id, issued.family_id);
      assert.ok(rotated.counter > issued.counter, "the refresh token was exchanged for a new one");

      await emu(`clients/${config.clientId}`, { mfa_on_refresh: "always" });
      try {
        await person.click("Refresh the tokens");
        await person.heading("A second factor is required");
        await person.click("Continue");
        await person.heading("Verify it is you");
        await person.click(/Authenticator app/);
        await emu("clock", { advance: 30 });
        await person.fill("Code from your app", await totpNow(enrolledSecret));
        await person.click("Verify", { exact: true });
        await signedIn(person, "new@example.com");
        const after = await family();
        assert.equal(after.revoked, false, "the demo kept the newest refresh token");
        assert.ok(after.counter > rotated.counter);
      } finally {
        await emu(`clients/${config.clientId}`, { mfa_on_refresh: null });
      }
      await finish(person, "02-refresh-with-mfa-signed-in");
    });

    const byCode = [
      {
        title: "SMS enrollment on a phone-sized screen, with the code read from the outbox page",
        viewport: { width: 390, height: 844 },
        choice: /Text message/,
        contactTitle: "Which phone number?",
        label: "Phone number, with the country code",
        contact: "+15555550123",
        sent: "by text message",
        screenshots: { outbox: "03-outbox-page", entry: "03-sms-code-entry", done: "03-sms-enroll-phone-signed-in" },
      },
      {
        title: "voice enrollment, with the code read from the outbox page",
        choice: /Voice call/,
        contactTitle: "Which phone number?",
        label: "Phone number, with the country code",
        contact: "+15555550188",
        sent: "by a voice call",
        screenshots: { done: "03-voice-enroll-signed-in" },
      },
      {
        title: "email enrollment, with the code read from the outbox page",
        choice: /Email/,
        contactTitle: "Which email address?",
        label: "Email address",
        contact: "new@example.com",
        sent: "by email",
        screenshots: { done: "03-email-enroll-signed-in" },
      },
    ];
    for (const enrollment of byCode) {
      test(enrollment.title, async () => {
        await freshTenant();
        const person = await open(enrollment.viewport);
        await enrollByCode(person, enrollment);
        await finish(person, enrollment.screenshots.done);
      });
    }

    test("push enrollment: the Guardian QR code, approved through the control plane", async () => {
      await freshTenant();
      const person = await open();
      await toSecondFactor(person, "new@example.com", "Set up a second factor");
      await person.click(/Push notification/);
      await person.heading("Approve on your phone");
      const uri = await scanQr(person, "QR code for the Guardian app");
      assert.match(uri, /^otpauth:\/\/totp\/.+enrollment_tx_id=/, uri);
      await person.text("Waiting for your approval");
      await shot(person, "04-push-enroll-waiting");
      await emu(`pushes/latest/approve?user=${encodeURIComponent("new@example.com")}`, {});
      await savedRecoveryCode(person, "Save your recovery code");
      await signedIn(person, "new@example.com");
      await finish(person, "04-push-enroll-signed-in");
    });

    test("push approved on the device page", async () => {
      await freshTenant();
      const person = await open();
      await toPush(person);
      await shot(person, "04-push-waiting");
      await answerPush(person, "Approve");
      await signedIn(person, "push@example.com");
      await finish(person, "04-push-approved-signed-in");
    });

    test("push denied on the device page, another request cancelled", async () => {
      await freshTenant();
      const person = await open();
      await toPush(person);
      await answerPush(person, "Deny");
      assert.match(await person.alert(), /The sign-in request was denied on your device\./);
      await person.heading("Approve on your phone");
      await shot(person, "05-push-denied");

      await person.click("Send another request");
      await person.text("Waiting for your approval");
      await person.click("Cancel");
      assert.match(await person.alert(), /Stopped waiting for approval\./);
      await person.waitForButton("Choose another method");
      await finish(person, "05-push-cancelled");
    });

    test("recovery code: signed in, the new code shown, the old one refused", async () => {
      await freshTenant();
      const person = await open();
      await toSecondFactor(person, "otp@example.com", "Verify it is you");
      await person.click("Use a recovery code");
      await person.heading("Use a recovery code");
      await person.fill("Recovery code", "OTPRECOVERYCODE000000001", { exact: true });
      await person.click("Verify", { exact: true });
      await person.text("The code you just used no longer works.");
      await shot(person, "06-recovery-new-code");
      const fresh = await savedRecoveryCode(person, "Save your new recovery code");
      assert.notEqual(fresh, "OTPRECOVERYCODE000000001");
      await signedIn(person, "otp@example.com");
      await person.click("Sign out");
      await person.heading("Sign in");

      await toSecondFactor(person, "otp@example.com", "Verify it is you");
      await person.click("Use a recovery code");
      await person.fill("Recovery code", "OTPRECOVERYCODE000000001", { exact: true });
      await person.click("Verify", { exact: true });
      assert.match(await person.alert(), /That recovery code is not right\./);
      await person.fill("Recovery code", fresh, { exact: true });
      await person.click("Verify", { exact: true });
      await savedRecoveryCode(person, "Save your new recovery code");
      await signedIn(person, "otp@example.com");
      await finish(person, "06-recovery-signed-in");
    });

    test("a wrong code, then the right one, typed with the keyboard only", async () => {
      await freshTenant();
      const person = await open();
      const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
      await person.focus("Email or username");
      await person.type("otp@example.com");
      await person.press("Tab");
      await person.type(PASSWORD);
      await person.press("Enter");
      await person.heading("A second factor is required");
      // Focus is on the new screen's heading: Tab reaches its button.
      await person.press("Tab");
      await person.press("Enter");
      await person.heading("Verify it is you");
      await person.press("Tab");
      await person.press("Enter");
      await person.heading("Enter the code");

      const right = await totpNow(secret);
      const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, "0");
      await person.fill("Code from your app", wrong);
      await person.press("Enter");
      assert.match(await person.alert(), /That code is not right\./);
      await person.heading("Enter the code");
      await shot(person, "07-wrong-code");
      // The field is cleared and focused for the next try.
      await person.waitFor(() => document.activeElement?.id === "code");
      await person.type(await totpNow(secret));
      await person.press("Enter");
      await signedIn(person, "otp@example.com");
      await finish(person, "07-right-code-signed-in");
    });

    test("an expired session leads back to the start", async () => {
      await freshTenant();
      const person = await open();
      await toSecondFactor(person, "otp@example.com", "Verify it is you");
      await person.click(/Authenticator app/);
      await person.heading("Enter the code");
      await emu("clock", { advance: 301 }); // past the 5-minute mfa_token
      await person.fill("Code from your app", await totpNow("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"));
      await person.click("Verify", { exact: true });
      assert.match(await person.alert(), /Your sign-in session expired\. Sign in again/);
      await person.heading("Sign in");
      assert.equal(await person.inputValue("Email or username"), "otp@example.com");
      await finish(person, "08-expired-back-to-start");
    });

    test("a failing tenant: the error in words and a Retry that continues", async () => {
      await freshTenant();
      await emu("faults", { endpoint: "/oauth/token", status: 503, body: "<html>Service Unavailable</html>", count: 1 });
      const person = await open();
      await signIn(person, "otp@example.com");
      assert.match(await person.alert(), /retry/i);
      await shot(person, "09-tenant-error");
      await person.click("Retry");
      await person.heading("A second factor is required");
      await finish(person, "09-retried");
    });
  });
}

// Holding the module back needs request interception, which WebDriver lacks: this one runs in Chromium.
test("typing before the module has loaded (Chromium): nothing is sent, the cursor stays, the sign-in then works", async () => {
  await freshTenant();
  const browser = await launch("Chromium");
  try {
    let release;
    const held = new Promise((resolve) => (release = resolve));
    const person = await browser.open("about:blank", { width: 1000, height: 900 });
    await person.page.route(/_bg\.wasm$/, async (route) => {
      await held;
      await route.continue();
    });
    await person.page.goto(demoUrl);
    await person.heading("Sign in");
    await person.focus("Email or username");
    await person.type("otp@example.com");
    await person.press("Tab");
    await person.type(PASSWORD);
    await person.press("Enter");
    assert.equal(await person.isDisabled("Sign in"), true);
    assert.equal(await person.evaluate(() => document.body.dataset.ready), undefined);
    release();
    await person.waitFor(() => document.body.dataset.ready === "true");
    assert.equal(await person.evaluate(() => document.activeElement?.id), "password");
    assert.equal(await person.inputValue("Email or username"), "otp@example.com");
    await person.press("Enter");
    await person.heading("A second factor is required");
    assert.deepEqual(person.errors, []);
    await shot(person, "07-typed-before-load");
  } finally {
    await browser.close();
  }
});

test("Ctrl-C stops the demo and its emulator", async () => {
  const exited = new Promise((resolve) => demo.once("exit", (code, signal) => resolve({ code, signal })));
  demo.kill("SIGINT");
  const { code } = await exited;
  assert.equal(code, 0);
  await assert.rejects(fetch(`${emulatorUrl}/healthz`), "the emulator is stopped");
  await assert.rejects(fetch(demoUrl), "the demo server is stopped");
});

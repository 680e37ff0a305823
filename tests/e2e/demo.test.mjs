// The demo in www/, driven in headless Chromium like a person would: reading the screen, typing, clicking, scanning
// the QR code and reading codes from the emulator's device page. Starts `cargo xtask demo --no-build` on free ports
// (pkg/ and the emulator binary must be built), so the one command itself is under test, and stops it with SIGINT.
//
//   cargo build -p xtask -p auth0-mfa-emulator && cargo xtask build && node --test tests/e2e/
//
// Each scenario leaves a screenshot of its last screen in tests/artifacts/e2e/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./browser.mjs";
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
let browser;

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
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
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

async function open(viewport = { width: 1000, height: 900 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.on("pageerror", (error) => console.error("page error:", error));
  await page.goto(demoUrl);
  await heading(page, "Sign in");
  await page.waitForFunction(() => document.body.dataset.ready === "true", null, WAIT);
  return page;
}

const heading = (page, name) => page.getByRole("heading", { name, level: 1 }).waitFor(WAIT);

async function visibleText(page, text) {
  await page.getByText(text).filter({ visible: true }).first().waitFor(WAIT);
}

async function signIn(page, username) {
  await page.getByLabel("Email or username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function toSecondFactor(page, username, expected) {
  await signIn(page, username);
  await heading(page, "A second factor is required");
  await page.getByRole("button", { name: "Continue" }).click();
  await heading(page, expected);
}

async function alertText(page) {
  const alert = page.getByRole("alert");
  await alert.waitFor(WAIT);
  return (await alert.textContent()).trim();
}

async function shot(page, name) {
  await page.screenshot({ path: `${artifacts}${name}.png`, fullPage: true });
}

async function finish(page, name) {
  await shot(page, name);
  await page.context().close();
}

/** Opens a link of the page (it opens a new tab, as for a person) and returns that tab. */
async function follow(page, name) {
  const [tab] = await Promise.all([page.context().waitForEvent("page"), page.getByRole("link", { name }).click()]);
  await tab.waitForLoadState();
  return tab;
}

async function savedRecoveryCode(page, title) {
  await heading(page, title);
  await visibleText(page, "This is the only time it is shown.");
  const code = (await page.locator("#recovery-value").textContent()).trim();
  assert.match(code, /^[A-Z0-9]{24}$/);
  const proceed = page.getByRole("button", { name: "Continue" });
  assert.equal(await proceed.isDisabled(), true, "Continue waits for the saved checkbox");
  await page.getByLabel("I have saved my recovery code").check();
  await proceed.click();
  return code;
}

async function signedIn(page, email) {
  await heading(page, "You are signed in");
  await visibleText(page, "ID token claims");
  await visibleText(page, "Access token expires");
  assert.match(await page.locator("main").textContent(), new RegExp(email.replace(".", "\\.")));
}

/** Reads the QR code off the screen: a screenshot of the drawn code, decoded to pixels by the browser. */
async function scanQr(page) {
  const png = await page.getByRole("img", { name: "QR code of the authenticator key" }).screenshot();
  const { width, height, data } = await page.evaluate(async (base64) => {
    const blob = await (await fetch(`data:image/png;base64,${base64}`)).blob();
    const bitmap = await createImageBitmap(blob);
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext("2d");
    context.drawImage(bitmap, 0, 0);
    const image = context.getImageData(0, 0, bitmap.width, bitmap.height);
    return { width: image.width, height: image.height, data: Array.from(image.data) };
  }, png.toString("base64"));
  const decoded = jsQR(Uint8ClampedArray.from(data), width, height);
  assert.ok(decoded, "the QR code on the page decodes");
  return decoded.data;
}

// ---- scenarios -----------------------------------------------------------------------------------------------------

let enrolledSecret; // new@example.com's OTP key, scanned in the first scenario

test("OTP enrollment: scan the QR code, enter the code, save the recovery code, signed in", async () => {
  await freshTenant();
  const page = await open();
  await signIn(page, "new@example.com");
  await heading(page, "A second factor is required");
  await visibleText(page, "Your account has no second factor yet");
  await shot(page, "01-mfa-required");
  await page.getByRole("button", { name: "Continue" }).click();
  await heading(page, "Set up a second factor");
  await shot(page, "01-enroll-choices");
  await page.getByRole("button", { name: /Authenticator app/ }).click();
  await heading(page, "Scan the QR code");

  const uri = await scanQr(page);
  const key = OTPAuth.URI.parse(uri);
  assert.ok(key instanceof OTPAuth.TOTP, uri);
  enrolledSecret = key.secret.base32;
  const shown = (await page.locator("#otp-secret").textContent()).trim();
  assert.equal(shown.replace(/ /g, ""), enrolledSecret, "the key for manual entry is the scanned one");
  assert.match(shown, /^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/, "in groups of four");
  await visibleText(page, /Codes change every 30 seconds/);
  await shot(page, "01-otp-enroll-qr");

  await page.getByLabel("The 6-digit code your app shows").fill(await totpNow(enrolledSecret));
  await page.getByRole("button", { name: "Verify and finish" }).click();
  await heading(page, "Save your recovery code");
  await shot(page, "01-recovery-code");
  await savedRecoveryCode(page, "Save your recovery code");
  await signedIn(page, "new@example.com");
  await finish(page, "01-otp-enroll-signed-in");
});

test("OTP challenge for the enrolled user", async () => {
  assert.ok(enrolledSecret, "needs the enrollment scenario");
  // The code of the step just used is refused as a replay: move to the next step.
  await emu("clock", { advance: 30 });
  const page = await open();
  await toSecondFactor(page, "new@example.com", "Verify it is you");
  await visibleText(page, "Use a recovery code");
  await shot(page, "02-challenge-choices");
  await page.getByRole("button", { name: /Authenticator app/ }).click();
  await heading(page, "Enter the code");
  await visibleText(page, "Open your authenticator app");
  await visibleText(page, /Codes change every 30 seconds/);
  await page.getByLabel("Code from your app").fill(await totpNow(enrolledSecret));
  await page.getByRole("button", { name: "Verify", exact: true }).click();
  await signedIn(page, "new@example.com");
  await finish(page, "02-otp-challenge-signed-in");
});

test("SMS enrollment on a phone-sized screen, with the code read from the outbox page", async () => {
  await freshTenant();
  const page = await open({ width: 390, height: 844 });
  await toSecondFactor(page, "new@example.com", "Set up a second factor");
  await page.getByRole("button", { name: /Text message/ }).click();
  await heading(page, "Which phone number?");
  await page.getByLabel("Phone number, with the country code").fill("+15555550123");
  await page.getByRole("button", { name: "Send the code" }).click();
  await heading(page, "Enter the code");
  await visibleText(page, "We sent a 6-digit code by text message to +15555550123");

  const outbox = await follow(page, "Open the emulator's outbox");
  const row = outbox.getByRole("row").filter({ hasText: "+15555550123" }).first();
  await row.waitFor(WAIT);
  const code = (await row.locator("code").textContent()).trim();
  assert.match(code, /^\d{6}$/);
  await shot(outbox, "03-outbox-page");
  await outbox.close();
  await shot(page, "03-sms-code-entry");

  await page.getByLabel("Code you received").fill(code);
  await page.getByRole("button", { name: "Verify", exact: true }).click();
  await savedRecoveryCode(page, "Save your recovery code");
  await signedIn(page, "new@example.com");
  await finish(page, "03-sms-enroll-phone-signed-in");
});

async function toPush(page) {
  await toSecondFactor(page, "push@example.com", "Verify it is you");
  await page.getByRole("button", { name: /Push notification/ }).click();
  await heading(page, "Approve on your phone");
  await visibleText(page, "Waiting for your approval");
}

async function answerPush(page, button) {
  const device = await follow(page, "Open the emulator's device page");
  await device.getByRole("button", { name: button }).click(WAIT);
  await device.getByRole("cell", { name: "None" }).waitFor(WAIT);
  await device.close();
}

test("push approved on the device page", async () => {
  await freshTenant();
  const page = await open();
  await toPush(page);
  await shot(page, "04-push-waiting");
  await answerPush(page, "Approve");
  await signedIn(page, "push@example.com");
  await finish(page, "04-push-approved-signed-in");
});

test("push denied on the device page, another request cancelled", async () => {
  await freshTenant();
  const page = await open();
  await toPush(page);
  await answerPush(page, "Deny");
  assert.match(await alertText(page), /The sign-in request was denied on your device\./);
  await heading(page, "Approve on your phone");
  await shot(page, "05-push-denied");

  await page.getByRole("button", { name: "Send another request" }).click();
  await visibleText(page, "Waiting for your approval");
  await page.getByRole("button", { name: "Cancel" }).click();
  assert.match(await alertText(page), /Stopped waiting for approval\./);
  await page.getByRole("button", { name: "Choose another method" }).waitFor(WAIT);
  await finish(page, "05-push-cancelled");
});

test("recovery code: signed in, the new code shown, the old one refused", async () => {
  await freshTenant();
  const page = await open();
  await toSecondFactor(page, "otp@example.com", "Verify it is you");
  await page.getByRole("button", { name: "Use a recovery code" }).click();
  await heading(page, "Use a recovery code");
  await page.getByLabel("Recovery code", { exact: true }).fill("OTPRECOVERYCODE000000001");
  await page.getByRole("button", { name: "Verify", exact: true }).click();
  await visibleText(page, "The code you just used no longer works.");
  await shot(page, "06-recovery-new-code");
  const fresh = await savedRecoveryCode(page, "Save your new recovery code");
  assert.notEqual(fresh, "OTPRECOVERYCODE000000001");
  await signedIn(page, "otp@example.com");
  await page.getByRole("button", { name: "Sign out" }).click();
  await heading(page, "Sign in");

  await toSecondFactor(page, "otp@example.com", "Verify it is you");
  await page.getByRole("button", { name: "Use a recovery code" }).click();
  await page.getByLabel("Recovery code", { exact: true }).fill("OTPRECOVERYCODE000000001");
  await page.getByRole("button", { name: "Verify", exact: true }).click();
  assert.match(await alertText(page), /That recovery code is not right\./);
  await page.getByLabel("Recovery code", { exact: true }).fill(fresh);
  await page.getByRole("button", { name: "Verify", exact: true }).click();
  await savedRecoveryCode(page, "Save your new recovery code");
  await signedIn(page, "otp@example.com");
  await finish(page, "06-recovery-signed-in");
});

test("a wrong code, then the right one, typed with the keyboard only", async () => {
  await freshTenant();
  const page = await open();
  const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
  await page.getByLabel("Email or username").focus();
  await page.keyboard.type("otp@example.com");
  await page.keyboard.press("Tab");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await heading(page, "A second factor is required");
  // Focus is on the new screen's heading: Tab reaches its button.
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await heading(page, "Verify it is you");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await heading(page, "Enter the code");

  const right = await totpNow(secret);
  const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, "0");
  await page.getByLabel("Code from your app").fill(wrong);
  await page.keyboard.press("Enter");
  assert.match(await alertText(page), /That code is not right\./);
  await heading(page, "Enter the code");
  await shot(page, "07-wrong-code");
  // The field is cleared and focused for the next try.
  await page.waitForFunction(() => document.activeElement?.id === "code");
  await page.keyboard.type(await totpNow(secret));
  await page.keyboard.press("Enter");
  await signedIn(page, "otp@example.com");
  await finish(page, "07-right-code-signed-in");
});

test("typing before the module has loaded: nothing is sent, the cursor stays, the sign-in then works", async () => {
  await freshTenant();
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error));
  let release;
  const held = new Promise((resolve) => (release = resolve));
  await page.route(/_bg\.wasm$/, async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(demoUrl);
  await heading(page, "Sign in");
  await page.getByLabel("Email or username").focus();
  await page.keyboard.type("otp@example.com");
  await page.keyboard.press("Tab");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  assert.equal(await page.getByRole("button", { name: "Sign in" }).isDisabled(), true);
  assert.equal(await page.evaluate(() => document.body.dataset.ready), undefined);
  release();
  await page.waitForFunction(() => document.body.dataset.ready === "true", null, WAIT);
  assert.equal(await page.evaluate(() => document.activeElement?.id), "password");
  assert.equal(await page.getByLabel("Email or username").inputValue(), "otp@example.com");
  await page.keyboard.press("Enter");
  await heading(page, "A second factor is required");
  assert.deepEqual(errors, []);
  await finish(page, "07-typed-before-load");
});

test("an expired session leads back to the start", async () => {
  await freshTenant();
  const page = await open();
  await toSecondFactor(page, "otp@example.com", "Verify it is you");
  await page.getByRole("button", { name: /Authenticator app/ }).click();
  await heading(page, "Enter the code");
  await emu("clock", { advance: 301 }); // past the 5-minute mfa_token
  await page.getByLabel("Code from your app").fill(await totpNow("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"));
  await page.getByRole("button", { name: "Verify", exact: true }).click();
  assert.match(await alertText(page), /Your sign-in session expired\. Sign in again/);
  await heading(page, "Sign in");
  assert.equal(await page.getByLabel("Email or username").inputValue(), "otp@example.com");
  await finish(page, "08-expired-back-to-start");
});

test("a failing tenant: the error in words and a Retry that continues", async () => {
  await freshTenant();
  await emu("faults", { endpoint: "/oauth/token", status: 503, body: "<html>Service Unavailable</html>", count: 1 });
  const page = await open();
  await signIn(page, "otp@example.com");
  assert.match(await alertText(page), /retry/i);
  await shot(page, "09-tenant-error");
  await page.getByRole("button", { name: "Retry" }).click();
  await heading(page, "A second factor is required");
  await finish(page, "09-retried");
});

test("Ctrl-C stops the demo and its emulator", async () => {
  const exited = new Promise((resolve) => demo.once("exit", (code, signal) => resolve({ code, signal })));
  demo.kill("SIGINT");
  const { code } = await exited;
  assert.equal(code, 0);
  await assert.rejects(fetch(`${emulatorUrl}/healthz`), "the emulator is stopped");
  await assert.rejects(fetch(demoUrl), "the demo server is stopped");
});

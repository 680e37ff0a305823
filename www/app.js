// The demo: one screen per stage of a password + MFA sign-in, driven by MfaClient from the wasm package.
import init, { MfaClient } from "/pkg/index.js";
import { encode } from "./vendor/uqr.mjs";
import { describe } from "./errors.js";

const $ = (id) => document.getElementById(id);
const SETTINGS_KEY = "auth0-mfa-demo:settings";
const params = new URLSearchParams(location.search);
// The emulator answers slow_down to polls closer than 5 s apart, as Auth0 does.
const PUSH_INTERVAL_MS = Math.max(1000, Number(params.get("interval")) || 5000);

const CHANNEL = {
  otp: { title: "Authenticator app", sent: null },
  sms: { title: "Text message", sent: "by text message" },
  voice: { title: "Voice call", sent: "by a voice call" },
  email: { title: "Email", sent: "by email" },
  push: { title: "Push notification", sent: null },
};

const state = {
  server: null, // what the demo server says about the emulator, if anything
  settings: null, // the tenant the page signs in to
  client: null,
  mode: null, // "enroll" or "challenge"
  active: [], // the user's active authenticators
  target: null, // what is being verified: { type, name?, authenticatorId? }
  recoveryCodes: [], // from the first enrollment, shown after it is confirmed
  tokens: null,
  pushAbort: null,
  retry: null,
  screen: null,
};

// ---- settings --------------------------------------------------------------------------------------------------

async function loadServerConfig() {
  try {
    const response = await fetch("/config.json", { cache: "no-store" });
    if (response.ok) return await response.json();
  } catch {
    // Served by some other static server: assume the emulator's default address.
  }
  return { domain: "http://127.0.0.1:3001", clientId: "spa-client", deviceUrl: "http://127.0.0.1:3001/__emu/", emulator: true };
}

function savedSettings() {
  try {
    const saved = JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? "null");
    return saved && saved.domain && saved.clientId ? saved : null;
  } catch {
    return null;
  }
}

function applySettings() {
  const server = state.server;
  // offline_access: a refresh token, for the Refresh button after sign-in.
  const scope = "openid profile email offline_access";
  state.settings = savedSettings() ?? { domain: server.domain, clientId: server.clientId, audience: "", realm: "", scope };
  const onEmulator = Boolean(server.emulator) && state.settings.domain === server.domain;
  document.body.classList.toggle("on-emulator", onEmulator);
  $("target-name").textContent = onEmulator ? "the local Auth0 emulator" : state.settings.domain;
  for (const link of [$("code-outbox"), $("push-device-page")]) link.href = server.deviceUrl ?? "#";
  const form = $("settings-form");
  for (const name of ["domain", "clientId", "audience", "realm", "scope"]) form.elements[name].value = state.settings[name] ?? "";
}

function clientOptions() {
  const { domain, clientId, audience, realm, scope } = state.settings;
  const options = { domain, clientId };
  if (audience) options.audience = audience;
  if (realm) options.realm = realm;
  if (scope) options.scope = scope;
  return options;
}

// ---- screens ---------------------------------------------------------------------------------------------------

function show(name, { keepAlert = false, focus = true } = {}) {
  if (!keepAlert) hideAlert();
  state.screen = name;
  let step = 0;
  for (const section of document.querySelectorAll("main > section")) {
    const current = section.id === `screen-${name}`;
    section.hidden = !current;
    if (current) step = Number(section.dataset.step);
  }
  for (const item of document.querySelectorAll("#steps li")) {
    const n = Number(item.dataset.step);
    item.classList.toggle("done", n < step);
    if (n === step) item.setAttribute("aria-current", "step");
    else item.removeAttribute("aria-current");
  }
  $("step-choose").textContent = state.mode === "enroll" ? "Enroll" : state.mode === "challenge" ? "Challenge" : "Enroll or challenge";
  // Screen readers and keyboard users start each screen at its heading.
  if (focus) $(`screen-${name}`).querySelector("h1").focus();
  tick();
}

function showAlert(info, retry) {
  $("alert-text").textContent = info.text;
  state.retry = info.retry ? retry : null;
  $("alert-retry").hidden = !state.retry;
  $("alert-restart").hidden = !info.restart || state.screen === "credentials";
  $("alert").hidden = false;
}

function hideAlert() {
  $("alert").hidden = true;
  state.retry = null;
}

/** Runs one step of the flow with the current screen's controls disabled, and turns a failure into a sentence. */
async function run(action, { step } = {}) {
  const section = $(`screen-${state.screen}`);
  const controls = [...section.querySelectorAll("button, input")].filter((c) => !c.disabled);
  controls.forEach((c) => (c.disabled = true));
  section.setAttribute("aria-busy", "true");
  $("busy").textContent = "Working…";
  hideAlert();
  try {
    await action();
  } catch (error) {
    failed(error, () => run(action, { step }), step);
  } finally {
    controls.forEach((c) => (c.disabled = false));
    section.removeAttribute("aria-busy");
    $("busy").textContent = "";
  }
}

function failed(error, retry, step) {
  if (!error || typeof error.code !== "string") console.error(error);
  const info = describe(error, { step, domain: state.settings.domain });
  // A login that the tenant ended cannot continue: back to the password, with the reason.
  if (error?.restartRequired || state.client?.stage === "failed") {
    startOver();
    showAlert({ ...info, restart: false }, null);
    return;
  }
  showAlert(info, retry);
  if (error?.code === "invalid_code") {
    const input = $(`screen-${state.screen}`).querySelector("input[name=code]");
    if (input) {
      input.value = "";
      // After the controls are enabled again by run().
      setTimeout(() => input.focus());
    }
  }
}

function startOver() {
  stopPush();
  state.client?.reset();
  state.mode = null;
  state.target = null;
  state.tokens = null;
  state.recoveryCodes = [];
  $("password").value = "";
  show("credentials");
}

// ---- password ----------------------------------------------------------------------------------------------------

async function login(username, password) {
  state.client?.free();
  state.client = null;
  state.mode = null;
  state.client = new MfaClient(clientOptions());
  const result = await state.client.login(username, password);
  if (result.stage === "authenticated") return signedIn(result.tokens);
  await listAuthenticators();
}

// New tokens from the refresh token. When the tenant wants a second factor again, the MFA stages follow as after a
// password. A tenant that rotates refresh tokens sends a new one and the old one is spent; one that does not sends
// none, and the old one stays good.
async function refreshTokens() {
  const kept = state.tokens.refreshToken;
  const result = await state.client.refresh(kept);
  if (result.stage === "authenticated") return signedIn({ ...result.tokens, refreshToken: result.tokens.refreshToken ?? kept });
  await listAuthenticators();
}

async function listAuthenticators() {
  const { active } = await state.client.authenticators();
  // The recovery code is listed as an authenticator too; the challenge screen offers it as a link of its own.
  state.active = active.filter((a) => a.type !== "recovery-code");
  state.mode = active.length ? "challenge" : "enroll";
  const n = state.active.length;
  $("mfa-summary").textContent =
    state.mode === "enroll"
      ? "Your account has no second factor yet: set one up now."
      : n
        ? `Confirm it is you with ${n === 1 ? "your second factor" : `one of your ${n} second factors`}.`
        : "Confirm it is you with your recovery code.";
  $("mfa-count").textContent = n === 1 ? "1 active authenticator" : `${n} active authenticators`;
  show("mfa");
}

function continueMfa() {
  if (state.mode === "enroll") return show("enroll");
  const list = $("challenge-choices");
  list.replaceChildren(
    ...state.active.map((authenticator) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      const title = document.createElement("strong");
      title.textContent = CHANNEL[authenticator.type]?.title ?? authenticator.type;
      const detail = document.createElement("span");
      detail.textContent = authenticator.name ?? (authenticator.type === "otp" ? "A code from your app" : "");
      button.append(title, detail);
      button.addEventListener("click", () => run(() => challenge(authenticator)));
      item.append(button);
      return item;
    }),
  );
  show("challenge");
}

// ---- enrollment --------------------------------------------------------------------------------------------------

async function enroll(type, contact) {
  const request = { type };
  if (type === "sms" || type === "voice") request.phoneNumber = contact;
  if (type === "email") request.email = contact;
  const enrollment = await state.client.enroll(request);
  state.recoveryCodes = enrollment.recoveryCodes ?? [];
  state.target = { type, name: contact };
  if (type === "otp") {
    drawQr($("otp-qr"), enrollment.barcodeUri);
    $("otp-secret").textContent = enrollment.secret.match(/.{1,4}/g).join(" ");
    const otp = enrollment.otp;
    $("otp-params").textContent = otp
      ? `${otp.issuer ? `${otp.issuer}, ` : ""}${otp.account}: time-based, ${otp.digits} digits, every ${otp.period} s, ${otp.algorithm}`
      : "";
    $("enroll-otp-code").value = "";
    show("enroll-otp");
  } else if (type === "push") {
    drawQr($("push-qr"), enrollment.barcodeUri);
    showPush(true);
  } else {
    showCode();
  }
}

function chooseContact(type) {
  state.target = { type };
  const phone = type !== "email";
  $("h-enroll-contact").textContent = phone ? "Which phone number?" : "Which email address?";
  $("contact-label").textContent = phone ? "Phone number, with the country code" : "Email address";
  const input = $("contact");
  input.type = phone ? "tel" : "email";
  input.autocomplete = phone ? "tel" : "email";
  input.placeholder = phone ? "+15555550123" : "you@example.com";
  input.value = phone ? "" : $("username").value.includes("@") ? $("username").value : "";
  $("contact-help").textContent = phone
    ? `We will send a 6-digit code ${CHANNEL[type].sent} to this number.`
    : "We will send a 6-digit code to this address.";
  show("enroll-contact");
}

// ---- challenge and verification ----------------------------------------------------------------------------------

async function challenge(authenticator) {
  const result = await state.client.challenge(authenticator.id);
  state.target = { type: authenticator.type, name: authenticator.name, authenticatorId: authenticator.id };
  if (result.type === "push") showPush(false);
  else showCode();
}

function showCode() {
  const { type, name } = state.target;
  const otp = type === "otp";
  $("code-where").textContent = otp
    ? "Open your authenticator app and enter the 6-digit code it shows for this account."
    : `We sent a 6-digit code ${CHANNEL[type].sent} to ${name || "you"}. It is valid for 5 minutes.`;
  $("code-label").textContent = otp ? "Code from your app" : "Code you received";
  $("code-form").querySelector("[data-countdown]").hidden = !otp;
  $("code-outbox-note").hidden = otp;
  $("code").value = "";
  $("code-another").hidden = state.mode !== "challenge" || state.active.length < 2;
  $("code-recovery").hidden = state.mode !== "challenge";
  show("code");
}

async function verifyCode(code) {
  const tokens = state.target.type === "otp" ? await state.client.verifyOtp(code) : await state.client.verifyOob(code);
  finish(tokens);
}

async function verifyRecovery(code) {
  const tokens = await state.client.verifyRecoveryCode(code);
  finish(tokens);
}

function finish(tokens) {
  state.tokens = tokens;
  const code = tokens.recoveryCode ?? state.recoveryCodes[0];
  if (!code) return signedIn(tokens);
  const rotated = Boolean(tokens.recoveryCode);
  state.recoveryCodes = [];
  $("h-recovery-codes").textContent = rotated ? "Save your new recovery code" : "Save your recovery code";
  $("recovery-value").textContent = code;
  $("recovery-copied").textContent = rotated ? "The code you just used no longer works." : "";
  $("recovery-saved").checked = false;
  $("recovery-continue").disabled = true;
  show("recovery-codes", { keepAlert: false });
}

// ---- push --------------------------------------------------------------------------------------------------------

function showPush(enrolling) {
  $("push-enroll").hidden = !enrolling;
  $("push-where").hidden = enrolling;
  $("push-device").textContent = state.target.name || "your device";
  show("push");
  waitForPush();
}

async function waitForPush() {
  stopPush();
  const abort = new AbortController();
  state.pushAbort = abort;
  pushWaiting(true);
  const started = Date.now();
  let polls = 0;
  const status = () => {
    const secs = Math.floor((Date.now() - started) / 1000);
    const checked = polls ? `, checked ${polls} ${polls === 1 ? "time" : "times"}` : "";
    $("push-status").textContent = `Waiting for your approval… ${secs} s${checked}.`;
  };
  status();
  const timer = setInterval(status, 1000);
  try {
    const tokens = await state.client.waitForPush({
      intervalMs: PUSH_INTERVAL_MS,
      signal: abort.signal,
      onPoll: (progress) => {
        polls = progress.attempt;
        status();
      },
    });
    clearInterval(timer);
    state.pushAbort = null;
    finish(tokens);
  } catch (error) {
    clearInterval(timer);
    if (state.pushAbort !== abort) return; // a newer wait or a sign-out took over
    state.pushAbort = null;
    pushWaiting(false);
    $("push-status").textContent = "";
    failed(error, waitForPush);
  }
}

function pushWaiting(waiting) {
  $("push-progress").hidden = !waiting;
  $("push-cancel").hidden = !waiting;
  $("push-again").hidden = waiting;
  $("push-another").hidden = waiting || state.mode !== "challenge";
}

function stopPush() {
  const abort = state.pushAbort;
  state.pushAbort = null;
  abort?.abort();
}

async function pushAgain() {
  // A denied or cancelled request is over: ask for a new one, then wait for it.
  if (state.mode === "challenge") await challenge(state.active.find((a) => a.id === state.target.authenticatorId));
  else await enroll("push");
}

// ---- signed in ---------------------------------------------------------------------------------------------------

function claims(jwt) {
  try {
    const part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(part.padEnd(Math.ceil(part.length / 4) * 4, "=")), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null; // an opaque access token (no audience) is not a JWT
  }
}

const when = (ms) => {
  const minutes = Math.round((ms - Date.now()) / 60000);
  const span = minutes < 90 ? `${minutes} minutes` : `${Math.round(minutes / 60)} hours`;
  return `${new Date(ms).toLocaleString()} (in ${span})`;
};

function signedIn(tokens) {
  state.tokens = tokens;
  const id = tokens.idToken ? claims(tokens.idToken) : null;
  const access = claims(tokens.accessToken);
  $("signed-in-who").textContent = id
    ? `Welcome, ${id.name ?? id.email ?? id.sub}.`
    : "The tenant issued an access token (no ID token: add openid to the scope for one).";
  const facts = [
    ["Subject", id?.sub ?? access?.sub],
    ["Email", id?.email],
    ["Access token expires", tokens.expiresIn ? when(Date.now() + tokens.expiresIn * 1000) : access?.exp && when(access.exp * 1000)],
    ["ID token expires", id?.exp && when(id.exp * 1000)],
    ["Scope", tokens.scope],
    ["Refresh token", tokens.refreshToken ? "issued" : null],
  ];
  $("signed-in-facts").replaceChildren(
    ...facts
      .filter(([, value]) => value)
      .flatMap(([term, value]) => {
        const dt = document.createElement("dt");
        dt.textContent = term;
        const dd = document.createElement("dd");
        dd.textContent = value;
        return [dt, dd];
      }),
  );
  // Shown with a refresh token only (scope offline_access): it asks for new tokens without the password.
  $("refresh").hidden = !tokens.refreshToken;
  $("id-claims").textContent = id ? JSON.stringify(id, null, 2) : "No ID token.";
  $("access-claims").textContent = access ? JSON.stringify(access, null, 2) : "Opaque token (not a JWT): it has no claims to show.";
  show("signed-in");
}

// ---- QR codes and the OTP countdown ------------------------------------------------------------------------------

function drawQr(canvas, text) {
  // Generated here: the key must never be sent to a QR code web service.
  const { data, size } = encode(text, { ecc: "M", border: 4 });
  const scale = Math.max(3, Math.floor(240 / size));
  canvas.width = canvas.height = size * scale;
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff";
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = "#000";
  data.forEach((row, y) => row.forEach((dark, x) => dark && context.fillRect(x * scale, y * scale, scale, scale)));
}

function tick() {
  const left = 30 - (Math.floor(Date.now() / 1000) % 30);
  for (const element of document.querySelectorAll("[data-countdown]")) {
    element.textContent = `Codes change every 30 seconds: this one is good for ${left} more ${left === 1 ? "second" : "seconds"}.`;
    element.style.setProperty("--left", String(left / 30));
  }
}

// ---- wiring ------------------------------------------------------------------------------------------------------

function wire() {
  $("login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const username = $("username").value.trim();
    const password = $("password").value;
    run(() => login(username, password));
  });
  for (const button of document.querySelectorAll("[data-user]")) {
    button.addEventListener("click", () => {
      $("username").value = button.dataset.user;
      $("password").value = "Passw0rd!";
      $("password").focus();
    });
  }
  $("mfa-continue").addEventListener("click", continueMfa);
  for (const button of document.querySelectorAll("[data-enroll]")) {
    const type = button.dataset.enroll;
    button.addEventListener("click", () =>
      type === "otp" || type === "push" ? run(() => enroll(type)) : chooseContact(type),
    );
  }
  $("enroll-contact-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const type = state.target.type;
    const contact = $("contact").value.trim();
    run(() => enroll(type, contact));
  });
  $("enroll-otp-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const code = $("enroll-otp-code").value;
    state.target = { type: "otp" };
    run(() => verifyCode(code));
  });
  $("code-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const code = $("code").value;
    run(() => verifyCode(code));
  });
  $("recovery-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const code = $("recovery-code").value.trim();
    run(() => verifyRecovery(code), { step: "recovery" });
  });
  for (const button of document.querySelectorAll("[data-back]")) {
    button.addEventListener("click", () => show(button.dataset.back));
  }
  $("use-recovery").addEventListener("click", () => {
    $("recovery-code").value = "";
    show("recovery");
  });
  $("code-recovery").addEventListener("click", () => $("use-recovery").click());
  $("code-another").addEventListener("click", () => show("challenge"));
  $("push-cancel").addEventListener("click", () => state.pushAbort?.abort());
  $("push-again").addEventListener("click", () => run(pushAgain));
  $("push-another").addEventListener("click", () => show("challenge"));
  $("recovery-saved").addEventListener("change", (event) => ($("recovery-continue").disabled = !event.target.checked));
  $("recovery-copy").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText($("recovery-value").textContent);
      $("recovery-copied").textContent = "Copied.";
    } catch {
      // Clipboard access needs a secure context or permission: select the code for a manual copy instead.
      getSelection().selectAllChildren($("recovery-value"));
      $("recovery-copied").textContent = "Selected: press Ctrl+C (or ⌘C) to copy.";
    }
  });
  $("recovery-continue").addEventListener("click", () => signedIn(state.tokens));
  $("sign-out").addEventListener("click", startOver);
  $("refresh").addEventListener("click", () => run(refreshTokens));
  $("alert-retry").addEventListener("click", () => state.retry?.());
  $("alert-restart").addEventListener("click", startOver);
  $("settings-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    const value = (name) => form.elements[name].value.trim();
    const settings = { domain: value("domain"), clientId: value("clientId"), audience: value("audience"), realm: value("realm"), scope: value("scope") };
    localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings));
    applySettings();
    $("settings").open = false;
    startOver();
  });
  $("settings-reset").addEventListener("click", () => {
    localStorage.removeItem(SETTINGS_KEY);
    applySettings();
    $("settings").open = false;
    startOver();
  });
  setInterval(tick, 1000);
}

async function main() {
  wire();
  const [, server] = await Promise.all([init(), loadServerConfig()]);
  state.server = server;
  applySettings();
  // Someone may already be typing in the form the page opened with: leave their cursor where it is.
  show("credentials", { focus: !$("screen-credentials").contains(document.activeElement) });
  $("login-submit").disabled = false;
  document.body.dataset.ready = "true";
}

main().catch((error) => {
  console.error(error);
  $("alert-text").textContent = `The demo could not start: ${error.message}. Is pkg/ built (cargo xtask build)?`;
  $("alert").hidden = false;
});

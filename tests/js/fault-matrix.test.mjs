// The fault matrix: every endpoint the login flow calls × every way a response can go wrong. Each cell drives
// MfaClient to the step, injects one fault in the emulator, and checks three things: the typed error code, the
// stage left as it was, and the same step succeeding once the fault is gone. Every cell uses its own user, so no
// TOTP code, failed-code bucket or pending enrollment is shared between cells.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as OTPAuth from "otpauth";
import pkg from "./pkg.mjs";
import { startEmulator } from "./emulator.mjs";

const { MfaClient } = pkg;
const PASSWORD = "Fault-matrix p4ssword";
const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const TIMEOUT_MS = 800;

let emulator;
let baseUrl;
let clientId;
let serial = 0;

before(async () => {
  emulator = await startEmulator([]);
  baseUrl = emulator.url;
  clientId = `fault-matrix-${process.pid}`;
  await control("POST", "/__emu/clients", { client_id: clientId, auth_method: "none", allowed_origins: [] });
});

after(() => emulator?.stop());

const control = (method, route, body) => emulator.control(method, route, body);

async function newUser(authenticators) {
  const username = `fault-${process.pid}-${++serial}@example.com`;
  await control("POST", "/__emu/users", { username, password: PASSWORD, authenticators });
  return username;
}

async function totpNow() {
  const { now_ms } = await control("GET", "/__emu/clock");
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(SECRET), algorithm: "SHA1", digits: 6, period: 30 });
  return totp.generate({ timestamp: now_ms });
}

const newClient = () => new MfaClient({ domain: baseUrl, clientId, timeoutMs: TIMEOUT_MS });

// A fake token answer, for faults that answer 200 without touching the tenant.
const TOKEN_BODY = JSON.stringify({ access_token: "fake-access-token-for-truncation", token_type: "Bearer", expires_in: 86400 });
const json = (status, value, extra = {}) => ({
  status,
  body: typeof value === "string" ? value : JSON.stringify(value),
  headers: { "content-type": "application/json", ...extra },
});

// Faults, each with the code the step must fail with. `ok` bodies are success shapes per endpoint, so that the
// truncated and wrong-shape cells answer 200 and exercise the success parser, not the error classifier.
const FAULTS = [
  { name: "500 JSON", fault: () => json(500, { error: "server_error", error_description: "boom" }), code: "server_error" },
  {
    name: "502 HTML",
    fault: () => ({ status: 502, body: "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>", headers: { "content-type": "text/html" } }),
    code: "invalid_response",
  },
  { name: "503 JSON", fault: () => json(503, { error: "temporarily_unavailable", error_description: "down" }), code: "server_error" },
  { name: "503 empty", fault: () => ({ status: 503, body: "" }), code: "invalid_response" },
  {
    name: "429 reset",
    fault: () => json(429, { error: "too_many_requests", error_description: "Too many requests" }, { "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 60) }),
    code: "rate_limited",
  },
  { name: "truncated", fault: (row) => ({ ...json(200, row.okBody), truncate: true }), code: "invalid_response" },
  { name: "wrong shape", fault: (row) => json(200, row.wrongShape), code: "invalid_response" },
  { name: "slow", fault: () => ({ delay_ms: TIMEOUT_MS + 1200 }), code: "timeout" },
  // A runtime may retry a request once when a connection closes without an answer: drop every try.
  { name: "drop", fault: () => ({ drop: true, count: 3 }), code: "network_error" },
];

// Rows: how to reach the step, the step itself, the stage it starts from and the stage after success.
const ROWS = [
  {
    name: "POST /oauth/token (password)",
    endpoint: "/oauth/token",
    okBody: TOKEN_BODY,
    wrongShape: [],
    async arrange() {
      const username = await newUser([{ type: "otp", secret: SECRET }]);
      return { client: newClient(), username };
    },
    run: ({ client, username }) => client.login(username, PASSWORD),
    before: "start",
    after: "mfa_required",
  },
  {
    name: "POST /oauth/token (mfa-otp)",
    endpoint: "/oauth/token",
    okBody: TOKEN_BODY,
    wrongShape: { unexpected: true },
    async arrange() {
      const username = await newUser([{ type: "otp", secret: SECRET }]);
      const client = newClient();
      await client.login(username, PASSWORD);
      return { client, username };
    },
    // A delayed request may still reach the tenant and use the code: a fresh time step gives a fresh code.
    async retry(context) {
      await control("POST", "/__emu/clock", { advance: 30 });
      return this.run(context);
    },
    run: async ({ client }) => client.verifyOtp(await totpNow()),
    before: "mfa_required",
    after: "authenticated",
  },
  {
    name: "GET /mfa/authenticators",
    endpoint: "/mfa/authenticators",
    okBody: [{ id: "totp|dev_x", authenticator_type: "otp", active: true }],
    wrongShape: { unexpected: true },
    async arrange() {
      const username = await newUser([{ type: "otp", secret: SECRET }]);
      const client = newClient();
      await client.login(username, PASSWORD);
      return { client, username };
    },
    run: ({ client }) => client.authenticators(),
    before: "mfa_required",
    after: "mfa_required",
  },
  {
    name: "POST /mfa/associate",
    endpoint: "/mfa/associate",
    okBody: { authenticator_type: "otp", secret: "JBSWY3DPEHPK3PXP", barcode_uri: "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP", recovery_codes: ["A"] },
    wrongShape: [],
    async arrange() {
      const username = await newUser([]);
      const client = newClient();
      await client.login(username, PASSWORD);
      return { client, username };
    },
    run: ({ client }) => client.enroll({ type: "otp" }),
    before: "mfa_required",
    after: "enrolling",
  },
  {
    name: "POST /mfa/challenge",
    endpoint: "/mfa/challenge",
    okBody: { challenge_type: "otp" },
    wrongShape: [],
    async arrange() {
      const username = await newUser([{ type: "otp", secret: SECRET }]);
      const client = newClient();
      await client.login(username, PASSWORD);
      return { client, username };
    },
    run: ({ client }) => client.challenge({ type: "otp" }),
    before: "mfa_required",
    after: "challenged",
  },
];

const results = new Map(); // row name → fault name → { code, ok }

test("fault matrix: typed error, stage kept, same step succeeds after the fault", async (t) => {
  for (const row of ROWS) {
    results.set(row.name, new Map());
    for (const { name, fault, code } of FAULTS) {
      await t.test(`${row.name} × ${name} → ${code}`, async () => {
        const cell = { code: "?", ok: false };
        results.get(row.name).set(name, cell);
        await control("DELETE", "/__emu/faults");
        const context = await row.arrange();
        assert.equal(context.client.stage, row.before, "stage before the step");
        await control("POST", "/__emu/faults", { endpoint: row.endpoint, method: row.endpoint === "/mfa/authenticators" ? "GET" : "POST", count: 1, ...fault(row) });
        const error = await row.run(context).then(
          (value) => assert.fail(`the step succeeded despite the fault: ${JSON.stringify(value)}`),
          (e) => e,
        );
        cell.code = error?.code;
        await control("DELETE", "/__emu/faults");
        assert.ok(error instanceof Error, `a typed Error, not ${String(error)}`);
        assert.equal(error.name, "Auth0MfaError");
        assert.equal(error.code, code, `${error.code}: ${error.message}`);
        assert.equal(context.client.stage, row.before, "stage unchanged by the failed step");
        if (code === "rate_limited") {
          assert.ok(error.retryAfter > 0 && error.retryAfter <= 60, `retryAfter ${error.retryAfter}`);
        }
        await (row.retry ? row.retry(context) : row.run(context));
        assert.equal(context.client.stage, row.after, "stage after the step succeeded");
        cell.ok = true;
      });
    }
  }
  printMatrix();
});

function printMatrix() {
  const names = FAULTS.map((f) => f.name);
  const width = Math.max(...ROWS.map((r) => r.name.length));
  const cellWidth = Math.max(...FAULTS.map((f) => f.code.length + 2), ...names.map((n) => n.length));
  const pad = (s, n) => String(s).padEnd(n);
  const lines = [`${pad("endpoint / fault", width)} | ${names.map((n) => pad(n, cellWidth)).join(" | ")}`];
  lines.push(`${"-".repeat(width)}-|-${names.map(() => "-".repeat(cellWidth)).join("-|-")}`);
  for (const row of ROWS) {
    const cells = names.map((n) => {
      const cell = results.get(row.name)?.get(n);
      return pad(cell ? `${cell.code} ${cell.ok ? "✓" : "✗"}` : "-", cellWidth);
    });
    lines.push(`${pad(row.name, width)} | ${cells.join(" | ")}`);
  }
  console.log(`\n${lines.join("\n")}\n`);
}

// The fault matrix: every endpoint the login flow calls × every way a response can go wrong. Each cell drives
// MfaClient to the step, injects one fault in the emulator, and checks: the typed error (code, and whether it says
// the step may be retried), the stage left as it was, and the same step succeeding once the fault is gone. Every
// cell uses its own user, so no TOTP code, binding code, recovery code, push, failed-code bucket or pending
// enrollment is shared between cells.
//
// Shared by the Node run (tests/js/fault-matrix.test.mjs) and the browser run
// (tests/e2e/fault-matrix-browser.test.mjs). A driver runs MfaClient wherever it lives; everything crossing it is
// plain JSON:
//
//   newClient(options) → handle
//   call(handle, method, args) → { ok: true }
//                              | { ok: false, error: { isError, name, code, message, retryAfter, retryable } }
//   stage(handle) → the client's stage
//   dispose(handle)
//
// A step's result (tokens) never crosses the driver, so no assertion message can print one. A refresh token goes the
// other way, as the argument of `refresh`: this side gets it from the emulator itself.
//
// Rows run with one of three clients, each an application of the emulator made for the run (`kind` of the row):
// the public client the caller names, a private_key_jwt client signing with the committed test key, and a public
// client with DPoP (`dpop: "allowed"`, nonces required, so its first token request meets `use_dpop_nonce`). The two
// made here allow the same origins as the caller's client, so the browser runs reach them too; a page refuses a
// signing key unless `allowClientSecretInBrowser: true`, which the private_key_jwt client's options set (the key is
// a published test key: nothing is exposed).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import * as OTPAuth from "otpauth";

const PASSWORD = "Fault-matrix p4ssword";
const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const RECOVERY_CODE = "FAULTMATRIXRECOVERY00001";
/** The private key of the emulator's test private_key_jwt credential (public, for tests only). */
const SIGNING_KEY = readFileSync(new URL("../../emulator/keys/TEST-ONLY-client-assertion.private.pem", import.meta.url), "utf8");
/** The per-request timeout of every client; the "slow" fault waits longer than this. */
export const TIMEOUT_MS = 800;

// A fake token answer, for faults that answer 200 without touching the tenant.
const TOKEN_BODY = JSON.stringify({ access_token: "fake-access-token-for-truncation", token_type: "Bearer", expires_in: 86400 });
const json = (status, value, extra = {}) => ({
  status,
  body: typeof value === "string" ? value : JSON.stringify(value),
  headers: { "content-type": "application/json", ...extra },
});

// Faults, each with the code the step must fail with. `ok` bodies are success shapes per endpoint, so that the
// truncated and wrong-shape cells answer 200 and exercise the success parser, not the error classifier. Those two
// are `unreadable2xx`: for a grant that checks a code the library must report the code as used (not retryable).
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
  {
    name: "truncated",
    fault: (row) => ({ ...json(200, row.okBody), truncate: true }),
    code: "invalid_response",
    unreadable2xx: true,
  },
  { name: "wrong shape", fault: (row) => json(200, row.wrongShape), code: "invalid_response", unreadable2xx: true },
  // The client gives up and closes the connection; the emulator then drops the delayed request unanswered, and the
  // retry comes long before the delay would have ended anyway.
  { name: "slow", fault: () => ({ delay_ms: TIMEOUT_MS + 1200 }), code: "timeout" },
  // A runtime may retry a request when a connection closes without an answer (Firefox up to its
  // network.http.request.max-attempts, 10 times): drop every try. What is left is cleared before the step's retry.
  { name: "drop", fault: () => ({ drop: true, count: 12 }), code: "network_error" },
  // A redirect to another server (the trap, on another port): never followed, so nothing of the request (password,
  // client secret, codes, mfa_token) may arrive there.
  {
    name: "307 elsewhere",
    fault: (row, trap) => ({ status: 307, body: "", headers: { location: `${trap.url}${row.endpoint}` } }),
    code: "invalid_response",
  },
];

// Rows: how to reach the step, the step itself, the stage it starts from and the stage after success. `spends` and
// `spentStage`: a grant whose unreadable 2xx means what it sent was used up, and the stage it then ends in.
// `checksCode`: the step is a grant that checks a one-time code (mfa-otp, mfa-oob with a binding code, mfa-recovery-code).
// Faulted answers never reach the tenant, so a code the faulted step carried is still unused for the retry. `kind`:
// the client the row's steps run with (default the caller's public client). `check`: what the tenant must have seen
// of the successful retry (the journal is emptied before it).
const ROWS = [
  {
    name: "POST /oauth/token (password)",
    endpoint: "/oauth/token",
    method: "POST",
    okBody: TOKEN_BODY,
    wrongShape: [],
    async arrange(env) {
      const username = await env.newUser([{ type: "otp", secret: SECRET }]);
      return { client: await env.newClient(), username };
    },
    run: (env, { client, username }) => env.call(client, "login", username, PASSWORD),
    before: "start",
    after: "mfa_required",
  },
  {
    name: "POST /oauth/token (mfa-otp)",
    endpoint: "/oauth/token",
    method: "POST",
    okBody: TOKEN_BODY,
    wrongShape: { unexpected: true },
    checksCode: true,
    arrange: (env) => env.loggedIn([{ type: "otp", secret: SECRET }]),
    // The library says an unreadable 2xx used the code: take the next time step's code, as a user would.
    retry: (env, context) => env.nextTimeStep(async () => env.call(context.client, "verifyOtp", await env.totpNow())),
    run: async (env, { client }) => env.call(client, "verifyOtp", await env.totpNow()),
    before: "mfa_required",
    after: "authenticated",
  },
  {
    name: "POST /oauth/token (mfa-oob, binding)",
    endpoint: "/oauth/token",
    method: "POST",
    okBody: TOKEN_BODY,
    wrongShape: { unexpected: true },
    checksCode: true,
    async arrange(env) {
      const context = await env.loggedIn([{ type: "sms", phone_number: "+15555550123" }]);
      await env.must(context.client, "challenge", { type: "sms" });
      const sent = await env.control("GET", `/__emu/outbox?user=${encodeURIComponent(context.username)}`);
      assert.equal(sent.length, 1, "one code sent by the challenge");
      return { ...context, bindingCode: sent[0].code };
    },
    run: (env, { client, bindingCode }) => env.call(client, "verifyOob", bindingCode),
    before: "challenged",
    after: "authenticated",
  },
  {
    name: "POST /oauth/token (mfa-oob, push)",
    endpoint: "/oauth/token",
    method: "POST",
    okBody: TOKEN_BODY,
    wrongShape: { unexpected: true },
    async arrange(env) {
      const context = await env.loggedIn([{ type: "push", name: "Fault phone", otp_secret: SECRET }]);
      await env.must(context.client, "challenge", { type: "push" });
      return context;
    },
    // The first poll (after one interval) meets the fault while the push is pending; approved, the next wait ends
    // at its first poll. The timeout only bounds a broken cell.
    run: (env, { client }) => env.call(client, "waitForPush", { intervalMs: 1000, timeoutMs: 15_000 }),
    async retry(env, context) {
      await env.control("POST", `/__emu/pushes/latest/approve?user=${encodeURIComponent(context.username)}`, {});
      return this.run(env, context);
    },
    before: "challenged",
    after: "authenticated",
  },
  {
    name: "POST /oauth/token (mfa-recovery-code)",
    endpoint: "/oauth/token",
    method: "POST",
    okBody: TOKEN_BODY,
    wrongShape: { unexpected: true },
    checksCode: true,
    arrange: (env) => env.loggedIn([{ type: "otp", secret: SECRET }], { recovery_code: RECOVERY_CODE }),
    run: (env, { client }) => env.call(client, "verifyRecoveryCode", RECOVERY_CODE),
    before: "mfa_required",
    after: "authenticated",
  },
  {
    name: "GET /mfa/authenticators",
    endpoint: "/mfa/authenticators",
    method: "GET",
    okBody: [{ id: "totp|dev_x", authenticator_type: "otp", active: true }],
    wrongShape: { unexpected: true },
    arrange: (env) => env.loggedIn([{ type: "otp", secret: SECRET }]),
    run: (env, { client }) => env.call(client, "authenticators"),
    before: "mfa_required",
    after: "mfa_required",
  },
  {
    name: "POST /mfa/associate",
    endpoint: "/mfa/associate",
    method: "POST",
    okBody: { authenticator_type: "otp", secret: "JBSWY3DPEHPK3PXP", barcode_uri: "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP", recovery_codes: ["A"] },
    wrongShape: [],
    arrange: (env) => env.loggedIn([]),
    run: (env, { client }) => env.call(client, "enroll", { type: "otp" }),
    before: "mfa_required",
    after: "enrolling",
  },
  {
    name: "POST /mfa/challenge",
    endpoint: "/mfa/challenge",
    method: "POST",
    okBody: { challenge_type: "otp" },
    wrongShape: [],
    arrange: (env) => env.loggedIn([{ type: "otp", secret: SECRET }]),
    run: (env, { client }) => env.call(client, "challenge", { type: "otp" }),
    before: "mfa_required",
    after: "challenged",
  },
  // The refresh-token grant answers as the password grant does, but an unreadable 2xx is not retryable: from the
  // tenant it would mean the token was rotated away, and sending it again is a reuse that revokes the family, so the
  // login ends there. These faults are canned and never reach the tenant, so the retry with the same token works.
  {
    name: "POST /oauth/token (refresh)",
    spends: true,
    spentStage: "failed",
    endpoint: "/oauth/token",
    method: "POST",
    okBody: TOKEN_BODY,
    wrongShape: [],
    async arrange(env) {
      const username = await env.newUser([], { mfa: false });
      return { client: await env.newClient(), username, refreshToken: await env.refreshToken(username) };
    },
    run: (env, { client, refreshToken }) => env.call(client, "refresh", refreshToken),
    async check(env, { username }) {
      // Only the retry reached the tenant: one exchange, and the family is not revoked (a reuse would revoke it).
      const families = await env.control("GET", `/__emu/refresh-tokens?user=${encodeURIComponent(username)}`);
      assert.deepEqual(families.map((f) => [f.counter, f.revoked]), [[1, false]], "one exchange of the refresh token");
      await env.sentOnce("refresh_token", (body) => assert.equal(body.refresh_token, "[redacted]"));
    },
    before: "start",
    after: "authenticated",
  },
  {
    name: "POST /oauth/token (password, private_key_jwt)",
    kind: "jwt",
    endpoint: "/oauth/token",
    method: "POST",
    okBody: TOKEN_BODY,
    wrongShape: [],
    async arrange(env) {
      const username = await env.newUser([{ type: "otp", secret: SECRET }]);
      return { client: await env.newClient("jwt"), username };
    },
    run: (env, { client, username }) => env.call(client, "login", username, PASSWORD),
    check: (env) => env.sentOnce("password", signedByAssertion),
    before: "start",
    after: "mfa_required",
  },
  {
    name: "POST /mfa/challenge (private_key_jwt)",
    kind: "jwt",
    endpoint: "/mfa/challenge",
    method: "POST",
    okBody: { challenge_type: "otp" },
    wrongShape: [],
    arrange: (env) => env.loggedIn([{ type: "otp", secret: SECRET }], {}, "jwt"),
    run: (env, { client }) => env.call(client, "challenge", { type: "otp" }),
    check: (env) => env.sentOnce(undefined, signedByAssertion),
    before: "mfa_required",
    after: "challenged",
  },
  // The first request of a DPoP client has no nonce yet: the fault takes it; once the fault is gone, the step meets
  // `use_dpop_nonce` and goes again with the nonce, as one step.
  {
    name: "POST /oauth/token (password, DPoP)",
    kind: "dpop",
    endpoint: "/oauth/token",
    method: "POST",
    okBody: { ...JSON.parse(TOKEN_BODY), token_type: "DPoP" },
    wrongShape: [],
    async arrange(env) {
      const username = await env.newUser([{ type: "otp", secret: SECRET }]);
      return { client: await env.newClient("dpop"), username };
    },
    run: (env, { client, username }) => env.call(client, "login", username, PASSWORD),
    async check(env) {
      const statuses = (await env.journal("/oauth/token")).map((entry) => entry.status);
      assert.deepEqual(statuses, [400, 403], "use_dpop_nonce, then the same step again with the nonce: mfa_required");
    },
    before: "start",
    after: "mfa_required",
  },
  // With a nonce known from the password step, the mfa-otp grant carries a proof by the key the mfa_token is bound to.
  {
    name: "POST /oauth/token (mfa-otp, DPoP)",
    kind: "dpop",
    endpoint: "/oauth/token",
    method: "POST",
    okBody: { ...JSON.parse(TOKEN_BODY), token_type: "DPoP" },
    wrongShape: { unexpected: true },
    checksCode: true,
    arrange: (env) => env.loggedIn([{ type: "otp", secret: SECRET }], {}, "dpop"),
    retry: (env, context) => env.nextTimeStep(async () => env.call(context.client, "verifyOtp", await env.totpNow())),
    run: async (env, { client }) => env.call(client, "verifyOtp", await env.totpNow()),
    async check(env) {
      const statuses = (await env.journal("/oauth/token")).map((entry) => entry.status);
      assert.deepEqual(statuses, [200], "the grant went once, with the nonce it had");
    },
    before: "mfa_required",
    after: "authenticated",
  },
];

/** What a private_key_jwt client sends: an assertion (the journal shows it redacted) and never a secret. */
function signedByAssertion(body) {
  assert.equal(body.client_assertion_type, "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
  assert.equal(body.client_assertion, "[redacted]", "a client assertion was sent");
  assert.equal(body.client_secret, undefined, "no client secret");
}

export { plainError } from "./plain-error.mjs";

const describe = (error) => `${error?.code}: ${error?.message}`;

/** A server on another port that counts what reaches it: where the redirect fault points. */
async function startTrap() {
  const arrived = [];
  const server = createServer((request, response) => {
    arrived.push(`${request.method} ${request.url}`);
    response.writeHead(200, { "access-control-allow-origin": "*", "content-type": "application/json" });
    response.end(TOKEN_BODY);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, arrived, close: () => new Promise((r) => server.close(r)) };
}

// Numbers users across runs, as two runs in one process may share an emulator.
let serial = 0;

/**
 * Runs every cell as a subtest of `t` and prints the matrix under `title`. `emulator` is from startEmulator;
 * `clientId` names a public client it knows (allowed for the driver's origin, if it has one).
 */
export async function runFaultMatrix(t, { driver, emulator, clientId, title }) {
  const control = emulator.control;
  // The private_key_jwt and DPoP clients of this run, allowed for the same origins as the caller's client.
  const run = `${process.pid}-${++serial}`;
  const { allowed_origins } = await control("GET", `/__emu/clients/${encodeURIComponent(clientId)}`);
  const publicKey = readFileSync(new URL("../../emulator/keys/TEST-ONLY-client-assertion.public.pem", import.meta.url), "utf8");
  const clients = {
    public: { clientId },
    jwt: {
      clientId: `fault-matrix-jwt-${run}`,
      clientAssertionSigningKey: SIGNING_KEY,
      clientAssertionSigningAlg: "RS256",
      allowClientSecretInBrowser: true,
    },
    dpop: { clientId: `fault-matrix-dpop-${run}`, dpop: true },
  };
  await control("POST", "/__emu/clients", {
    client_id: clients.jwt.clientId,
    auth_method: "private_key_jwt",
    jwt_keys: [{ alg: "RS256", pem: publicKey }],
    allowed_origins,
  });
  await control("POST", "/__emu/clients", {
    client_id: clients.dpop.clientId,
    auth_method: "none",
    dpop: "allowed",
    dpop_nonce: true,
    allowed_origins,
  });
  const env = {
    control,
    async newUser(authenticators, extra = {}) {
      const username = `fault-${process.pid}-${++serial}@example.com`;
      await control("POST", "/__emu/users", { username, password: PASSWORD, authenticators, ...extra });
      return username;
    },
    newClient: (kind = "public") => driver.newClient({ domain: emulator.url, timeoutMs: TIMEOUT_MS, ...clients[kind] }),
    call: (client, method, ...args) => driver.call(client, method, args),
    /** A refresh token of the public client for `username` (a user without MFA), from the tenant itself. */
    async refreshToken(username) {
      const response = await fetch(`${emulator.url}/oauth/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "password", client_id: clientId, username, password: PASSWORD, scope: "openid offline_access" }),
      });
      const answer = await response.json();
      assert.equal(response.status, 200, `password grant for a refresh token: ${answer.error}`);
      assert.equal(typeof answer.refresh_token, "string", "a refresh token was issued");
      return answer.refresh_token;
    },
    /** The journal of `path` since the retry began. */
    journal: (path) => control("GET", `/__emu/journal?path=${encodeURIComponent(path)}`),
    /** The retry reached the tenant once at the row's endpoint (of `grant`, for /oauth/token) and `check`s its body. */
    async sentOnce(grant, check) {
      const entries = (await env.journal(env.row.endpoint)).filter((e) => !grant || e.body.grant_type === grant);
      assert.equal(entries.length, 1, `${env.row.endpoint} ${grant ?? ""} reached the tenant once`);
      check(entries[0].body);
    },
    /** A step while arranging a cell: it must succeed. */
    async must(client, method, ...args) {
      const outcome = await driver.call(client, method, args);
      assert.ok(outcome.ok, `${method} while arranging the cell: ${describe(outcome.error)}`);
    },
    /** A new user with `authenticators`, logged in by a new client: stage mfa_required. */
    async loggedIn(authenticators, extra, kind) {
      const username = await env.newUser(authenticators, extra);
      const client = await env.newClient(kind);
      await env.must(client, "login", username, PASSWORD);
      return { client, username };
    },
    /** Runs `step` one TOTP step later on the tenant's clock, then puts the clock back: a clock left ahead of the
     * real one would make the client assertions of later cells, signed by the real clock, look expired. */
    async nextTimeStep(step) {
      await control("POST", "/__emu/clock", { advance: 30 });
      try {
        return await step();
      } finally {
        await control("POST", "/__emu/clock", { advance: -30 });
      }
    },
    async totpNow() {
      const { now_ms } = await control("GET", "/__emu/clock");
      const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(SECRET), algorithm: "SHA1", digits: 6, period: 30 });
      return totp.generate({ timestamp: now_ms });
    },
  };

  const trap = await startTrap();
  t.after(() => trap.close());
  const results = new Map(); // row name → fault name → { code, ok }
  for (const row of ROWS) {
    results.set(row.name, new Map());
    for (const { name, fault, code, unreadable2xx } of FAULTS) {
      const retryable = !(unreadable2xx && (row.checksCode || row.spends));
      const stageAfterFault = retryable ? row.before : (row.spentStage ?? row.before);
      await t.test(`${row.name} × ${name} → ${code}${retryable ? "" : " (spent: not retryable)"}`, async () => {
        const cell = { code: "?", ok: false };
        results.get(row.name).set(name, cell);
        await control("DELETE", "/__emu/faults");
        env.row = row;
        const context = await row.arrange(env);
        try {
          assert.equal(await driver.stage(context.client), row.before, "stage before the step");
          const injected = { endpoint: row.endpoint, method: row.method, count: 1, ...fault(row, trap) };
          await control("POST", "/__emu/faults", injected);
          const outcome = await row.run(env, context);
          await control("DELETE", "/__emu/faults");
          assert.equal(outcome.ok, false, "the step succeeded despite the fault");
          const { error } = outcome;
          cell.code = error.code;
          assert.ok(error.isError, `a typed Error, not ${error.message}`);
          assert.equal(error.name, "Auth0MfaError");
          assert.equal(error.code, code, describe(error));
          assert.equal(error.retryable, retryable, `retryable: ${describe(error)}`);
          assert.equal(await driver.stage(context.client), stageAfterFault, "stage after the failed step");
          assert.deepEqual(trap.arrived, [], "requests that reached the server a redirect pointed to");
          if (code === "rate_limited") {
            assert.ok(error.retryAfter > 0 && error.retryAfter <= 60, `retryAfter ${error.retryAfter}`);
          }
          await control("DELETE", "/__emu/journal");
          const retried = await (row.retry ?? row.run).call(row, env, context);
          assert.ok(retried.ok, `the step failed once the fault was gone: ${describe(retried.error)}`);
          assert.equal(await driver.stage(context.client), row.after, "stage after the step succeeded");
          await row.check?.(env, context);
          cell.ok = true;
        } finally {
          await driver.dispose(context.client);
        }
      });
    }
  }
  printMatrix(title, results);
}

function printMatrix(title, results) {
  const names = FAULTS.map((f) => f.name);
  const width = Math.max(...ROWS.map((r) => r.name.length));
  const cellWidth = Math.max(...FAULTS.map((f) => f.code.length + 2), ...names.map((n) => n.length));
  const pad = (s, n) => String(s).padEnd(n);
  const lines = [title, `${pad("endpoint / fault", width)} | ${names.map((n) => pad(n, cellWidth)).join(" | ")}`];
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

// A Cloudflare Worker that runs Auth0's password + MFA login for a browser: a backend-for-frontend. The client's
// credential, the login state and the tokens stay on the server; the browser holds one HttpOnly session cookie.
// Auth0 sees the visitor's IP through `auth0-forwarded-for` for its brute-force protection.
//
// Client authentication, one of (see wrangler.toml and README.md):
// - recommended, private_key_jwt: the secret AUTH0_CLIENT_ASSERTION_KEY, the PKCS#8 PEM private key of a
//   credential registered for the application (its public key is all Auth0 holds), with AUTH0_CLIENT_ASSERTION_ALG
//   (RS256 by default, RS384 or PS256) as registered. Each request to Auth0 carries a new assertion signed with it,
//   valid for a minute and once; the key is imported once per isolate as a non-extractable CryptoKey.
// - otherwise, the secret AUTH0_CLIENT_SECRET. When both are set the key is used and the secret ignored.
//
//   POST /login          { username, password }                          → { stage, mfaRequirements? }, new session
//   POST /authenticators {}                                              → { stage, active }
//   POST /enroll         { type, phoneNumber?, email? }                  → { stage, enrollment }
//   POST /challenge      { authenticatorId? , type? }                    → { stage, challenge }
//   POST /verify         { otp? | bindingCode? | recoveryCode? }         → { stage: "authenticated", recoveryCode? }
//   POST /push           {}   → { stage: "authenticated" } once approved, or { stage: "challenged", pending: true }
//   GET  /me             → { claims }: the ID token's claims (never the raw tokens); 401 without a signed-in session
//   POST /refresh        {}   → { stage: "authenticated" }: new tokens from the session's refresh token, the rotated
//                             refresh token stored in their place; or { stage: "mfa_required", mfaRequirements } when
//                             Auth0 wants a second factor again: the session becomes a login (a new cookie), and the
//                             browser goes on with /authenticators, /challenge, /verify or /push as after /login
//   POST /logout         {}   → { stage: "start" }: the session is forgotten and its cookie cleared
//
// Errors answer { error: { code, description, retryable, restartRequired, retryAfter } } with an HTTP status. Every
// response carries `Cache-Control: no-store`: they hold session data.
//
// Security model
// - Session: `/login` draws a random 256-bit id and sets it as `__Host-session` (HttpOnly, so scripts cannot read
//   it; Secure; SameSite=Strict; Path=/ and no Domain, as the `__Host-` prefix demands). The browser carries
//   nothing else: no login state, no token. A Durable Object per session id holds the record.
// - Why server-side state rather than a sealed blob in the browser: a blob the browser carries can be copied,
//   replayed and swapped however it is bound, so it would need a one-time record here anyway; once that record
//   exists, keeping the state in it is simpler and leaves the browser nothing worth stealing but the cookie.
// - Sealing: each record is still encrypted with AES-GCM under STATE_KEY, with its kind, the session id, the client
//   id, `iat` and `exp` as associated data, and checked on every read. The mfa_token and the tokens are never
//   readable from storage without the key, a record moved to another session or read by another application
//   (same key, another AUTH0_CLIENT_ID) fails to open, and an expired one is refused even before its alarm has
//   deleted it. A login lives STATE_TTL_SECONDS (default 300) from the password step.
// - Single use: a step leases the login record (an atomic read-and-mark in the Durable Object), runs, and replaces
//   it with the new state or drops it, so one state runs one step; a racing request gets `login_busy`. When the
//   login completes, its record is deleted and the tokens go to a new session id (the cookie is rotated), so no
//   earlier cookie or state works, and a session id planted before the login (session fixation) gains nothing.
// - CSRF: a POST must be `application/json` (a cross-site form or `text/plain` fetch cannot send it without a CORS
//   preflight, which only ALLOWED_ORIGINS pass) and must come from an origin in ALLOWED_ORIGINS: `Origin`, or
//   `Sec-Fetch-Site: same-origin` when the Worker's own origin is listed. A POST with neither header is refused.
// - Tokens stay here. To call an API, add a route that forwards the request with the session's access token. There
//   is no mode that hands tokens to the browser: script in the page (an XSS, a compromised dependency) could then
//   take them away, which is the attack a backend-for-frontend exists to prevent.
// - Refresh: the default scope asks for `offline_access`. A session lasts as long as its access token, and each
//   /refresh renews both. The refresh token rotates: /refresh leases the session record as a step leases a login, so
//   two racing refreshes cannot both send the same token (a second use revokes the whole family at Auth0; the loser
//   gets `refresh_busy`), and the new token replaces the old one in the same write. A refresh token Auth0 no longer
//   takes ends the session (401 `invalid_refresh_token`, cookie cleared). When Auth0 asks for MFA on refresh, the
//   session record becomes a login record under a new session id, sealed as any login is, holding the refresh token
//   in case the MFA grant returns none; new tokens are stored only once the second factor is verified, under yet
//   another session id, as after any login.
// - Configuration is checked on the first request; a bad or missing setting answers 500 `misconfigured`.
import { DurableObject } from "cloudflare:workers";
import { MfaClient } from "auth0-mfa-wasm";

const COOKIE = "__Host-session";
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/; // 32 random bytes, base64url
const LEASE_MS = 30_000; // longer than the longest step: a 12 s push wait, then a request of at most 10 s
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export default {
  async fetch(request, env) {
    let config;
    try {
      config = await configure(env);
      return withCors(await handle(request, config, env), request, config);
    } catch (error) {
      return withCors(failure(error), request, config);
    }
  },
};

// One login or signed-in session, keyed by its session id. A Durable Object rather than Workers KV: KV is
// eventually consistent (a read may miss a write made elsewhere for up to a minute) and has no atomic
// read-modify-write, so two racing requests could both take the same state. A Durable Object is a single instance
// with strongly consistent storage, and no other request is delivered while one of its methods awaits storage (its
// input gate), so `lease` is atomic. Its alarm deletes the record when it expires.
export class Session extends DurableObject {
  /** Stores a new record, replacing any other. */
  async start(record) {
    await this.ctx.storage.put("record", record);
    await this.ctx.storage.setAlarm(record.exp * 1000);
  }

  /** The record of `kind`, if there is one. */
  async read(kind) {
    const record = await this.ctx.storage.get("record");
    return record?.kind === kind ? record : null;
  }

  /** Takes the record of `kind` for one step: `{ record, lease }`, `{ busy: true }` while a step has it, or null. */
  async lease(kind) {
    const record = await this.read(kind);
    if (!record) return null;
    if (record.leaseUntil > Date.now()) return { busy: true };
    const lease = crypto.randomUUID();
    await this.ctx.storage.put("record", { ...record, lease, leaseUntil: Date.now() + LEASE_MS });
    return { record, lease };
  }

  /** Ends a step: replaces the leased record with `record`, or deletes it (null). False when the lease was lost. */
  async commit(lease, record) {
    const current = await this.ctx.storage.get("record");
    if (!current || current.lease !== lease) return false;
    await (record ? this.start(record) : this.end());
    return true;
  }

  async end() {
    await this.ctx.storage.deleteAll();
    await this.ctx.storage.deleteAlarm();
  }

  async alarm() {
    await this.end();
  }
}

const ROUTES = {
  "POST /login": login,
  "POST /authenticators": (context) =>
    step(context, async (client) => ({ active: (await client.authenticators()).active })),
  "POST /enroll": (context) =>
    step(context, async (client) => {
      const { type, phoneNumber, email } = context.body;
      return { enrollment: await client.enroll({ type, phoneNumber, email }) };
    }),
  "POST /challenge": (context) =>
    step(context, async (client) => {
      const { authenticatorId, type } = context.body;
      return { challenge: await client.challenge(authenticatorId ?? { type }) };
    }),
  "POST /verify": (context) =>
    step(context, async (client) => {
      const { otp, bindingCode, recoveryCode } = context.body;
      const tokens =
        otp !== undefined ? await client.verifyOtp(String(otp))
        : bindingCode !== undefined ? await client.verifyOob(String(bindingCode))
        : await client.verifyRecoveryCode(String(recoveryCode ?? ""));
      return { tokens };
    }),
  "POST /push": (context) =>
    step(context, async (client) => {
      try {
        // Short waits keep each request brief; the browser asks again while the push is pending.
        return { tokens: await client.waitForPush({ intervalMs: context.config.pushIntervalMs, timeoutMs: 12_000 }) };
      } catch (error) {
        if (error?.code === "push_timeout") return { pending: true };
        throw error;
      }
    }),
  "GET /me": me,
  "POST /refresh": refresh,
  "POST /logout": logout,
};

async function handle(request, config, env) {
  const url = new URL(request.url);
  if (request.method === "OPTIONS") return preflight(request, config);
  const handler = ROUTES[`${request.method} ${url.pathname}`];
  if (!handler) {
    const known = Object.keys(ROUTES).some((route) => route.endsWith(` ${url.pathname}`));
    throw known ? new Refusal(405, "method_not_allowed", "this endpoint takes another method")
      : new Refusal(404, "not_found", "no such endpoint");
  }
  checkSite(request, url, config);
  const body = request.method === "POST" ? await readJson(request) : {};
  const options = { ...config.options, forwardedFor: request.headers.get("cf-connecting-ip") ?? undefined };
  return handler({ body, config, options, sid: sessionId(request), sessions: env.SESSIONS });
}

async function login({ body, config, options, sid: previous, sessions }) {
  const client = new MfaClient(options);
  const result = await client.login(String(body.username ?? ""), String(body.password ?? ""));
  // Every login gets a new session id: one chosen before it (by the page, or planted by someone else) is never kept.
  const sid = newSessionId();
  let response;
  if (result.stage === "authenticated") {
    response = await signedIn(sessions, config, sid, result.tokens);
  } else {
    response = await loginStarted(sessions, config, sid, client, result);
  }
  if (previous) await session(sessions, previous).end();
  return response;
}

/** Stores a login that needs MFA under `sid` and sets its cookie. `refreshToken`: the one a refresh that asked for
 * MFA sent, kept in case the MFA grant returns none. */
async function loginStarted(sessions, config, sid, client, result, refreshToken) {
  const iat = nowSeconds();
  const text = loginText(client, refreshToken);
  await session(sessions, sid).start(await seal(config, sid, "login", iat, iat + config.stateTtl, text));
  const fields = { stage: client.stage, mfaRequirements: result.mfaRequirements };
  return json(fields, 200, { "set-cookie": cookie(sid, config.stateTtl) });
}

/** What a login record seals: the library's state (the mfa_token; never the key or secret) and the refresh token. */
const loginText = (client, refreshToken) => JSON.stringify({ state: client.save(), refreshToken });

/** Runs one MFA step of the session's login, holding its state for the step only. */
async function step({ config, options, sid, sessions }, run) {
  const stub = sid && session(sessions, sid);
  const leased = stub ? await stub.lease("login") : null;
  if (!leased) throw noLogin();
  if (leased.busy) throw new Refusal(409, "login_busy", "another step of this login is running", { retryable: true });
  const { record, lease } = leased;
  let client, refreshToken;
  try {
    const sealed = JSON.parse(await unseal(config, sid, "login", record));
    refreshToken = sealed.refreshToken;
    client = MfaClient.restore(sealed.state, options);
  } catch (error) {
    await stub.commit(lease, null);
    throw error instanceof Refusal ? error : noLogin();
  }
  // The next state keeps the login's `iat` and `exp`: the whole login must fit in STATE_TTL_SECONDS.
  const keep = async () =>
    stub.commit(lease, await seal(config, sid, "login", record.iat, record.exp, loginText(client, refreshToken)));
  let outcome;
  try {
    outcome = await run(client);
  } catch (error) {
    // A login that can go on (a wrong code may be tried again) keeps its state; one that cannot is dropped.
    const goesOn = !error?.restartRequired && client.stage !== "failed";
    if (!(goesOn && (await keep().catch(() => false)))) await stub.commit(lease, null);
    throw error;
  }
  if (outcome.tokens) {
    // After MFA on refresh, the MFA grant's refresh token supersedes the one sent; without one, that one is kept.
    const tokens = { ...outcome.tokens, refreshToken: outcome.tokens.refreshToken ?? refreshToken };
    const response = await signedIn(sessions, config, newSessionId(), tokens);
    await stub.end();
    return response;
  }
  if (!(await keep())) throw noLogin();
  return json({ ...outcome, stage: client.stage });
}

/** Stores the tokens under a new session id and sets its cookie; the session lasts as long as the access token. */
async function signedIn(sessions, config, sid, { recoveryCode, ...tokens }) {
  const { record, ttl } = await sessionRecord(config, sid, tokens);
  await session(sessions, sid).start(record);
  // A new recovery code (after `verifyRecoveryCode`) is for the user to write down, so it goes to the page once.
  return json({ stage: "authenticated", recoveryCode }, 200, { "set-cookie": cookie(sid, ttl) });
}

/** The sealed record of a signed-in session, and its lifetime: the access token's. */
async function sessionRecord(config, sid, tokens) {
  const iat = nowSeconds();
  const ttl = tokens.expiresIn > 0 ? tokens.expiresIn : 3600;
  return { record: await seal(config, sid, "session", iat, iat + ttl, JSON.stringify(tokens)), ttl };
}

/** New tokens for a signed-in session from its refresh token, holding the session record for the exchange only. */
async function refresh({ config, options, sid, sessions }) {
  const stub = sid && session(sessions, sid);
  const leased = stub ? await stub.lease("session") : null;
  if (!leased) throw unauthenticated();
  if (leased.busy) throw new Refusal(409, "refresh_busy", "this session is being refreshed", { retryable: true });
  const { record, lease } = leased;
  const tokens = JSON.parse(await unseal(config, sid, "session", record).catch(() => "null"));
  if (!tokens) {
    await stub.commit(lease, null);
    throw unauthenticated();
  }
  if (!tokens.refreshToken) {
    await stub.commit(lease, record);
    throw new Refusal(409, "no_refresh_token", "this session has no refresh token: AUTH0_SCOPE must include offline_access");
  }
  const client = new MfaClient(options);
  let result;
  try {
    result = await client.refresh(tokens.refreshToken);
  } catch (error) {
    if (error?.code === "invalid_refresh_token" || error?.restartRequired) {
      // Expired, revoked, or reused: nothing this session holds works any more.
      await stub.commit(lease, null);
      const response = failure(error);
      response.headers.set("set-cookie", cookie("", 0));
      return response;
    }
    // Auth0 did not answer, or not usably: the session stays as it was, to be refreshed again.
    await stub.commit(lease, record);
    throw error;
  }
  if (result.stage === "mfa_required") {
    // A second factor before any new token: the session is now a login, under a new id, as after /login (unless
    // the session ended meanwhile, by /logout).
    if (!(await stub.commit(lease, null))) throw unauthenticated();
    return loginStarted(sessions, config, newSessionId(), client, result, tokens.refreshToken);
  }
  // Without rotation Auth0 sends no new refresh token, and the one sent stays good; /me goes on with the ID token
  // it has if the answer brings none.
  const { refreshToken = tokens.refreshToken, idToken = tokens.idToken } = result.tokens;
  const next = { ...result.tokens, refreshToken, idToken };
  const { record: renewed, ttl } = await sessionRecord(config, sid, next);
  if (!(await stub.commit(lease, renewed))) throw unauthenticated();
  return json({ stage: "authenticated" }, 200, { "set-cookie": cookie(sid, ttl) });
}

async function me({ config, sid, sessions }) {
  const record = sid ? await session(sessions, sid).read("session") : null;
  const tokens = record ? JSON.parse(await unseal(config, sid, "session", record).catch(() => "null")) : null;
  if (!tokens) throw unauthenticated();
  // The ID token came straight from Auth0's token endpoint over TLS, so its signature is not checked again here
  // (OpenID Connect Core 3.1.3.7). Verify it against the tenant's JWKS before trusting one from anywhere else.
  const payload = tokens.idToken?.split(".")[1];
  return json({ claims: payload ? JSON.parse(decoder.decode(fromBase64url(payload))) : {} });
}

async function logout({ sid, sessions }) {
  if (sid) await session(sessions, sid).end();
  return json({ stage: "start" }, 200, { "set-cookie": cookie("", 0) });
}

// ---- requests ----------------------------------------------------------------------------------------------------

/** CSRF: the request must come from an allowed origin. A GET (it changes nothing) may also come with neither header. */
function checkSite(request, url, { allowedOrigins }) {
  const origin = request.headers.get("origin");
  const site = request.headers.get("sec-fetch-site");
  const allowed =
    origin !== null ? allowedOrigins.has(origin)
    : site === "same-origin" ? allowedOrigins.has(url.origin)
    : site === null || site === "none" ? request.method === "GET"
    : false;
  if (!allowed) throw new Refusal(403, "forbidden_origin", "the request did not come from an allowed origin");
}

/** Answers the CORS preflight of an allowed origin; the actual responses get their CORS headers in `withCors`. */
function preflight(request, { allowedOrigins }) {
  const method = request.headers.get("access-control-request-method");
  if (!allowedOrigins.has(request.headers.get("origin")) || !["GET", "POST"].includes(method)) {
    throw new Refusal(403, "forbidden_origin", "the request did not come from an allowed origin");
  }
  const headers = {
    "access-control-allow-methods": "GET, POST",
    "access-control-allow-headers": "content-type",
    "access-control-max-age": "600",
    "cache-control": "no-store",
  };
  return new Response(null, { status: 204, headers });
}

function withCors(response, request, config) {
  const origin = request.headers.get("origin");
  if (origin && config?.allowedOrigins.has(origin)) {
    response.headers.set("access-control-allow-origin", origin);
    response.headers.set("access-control-allow-credentials", "true");
  }
  response.headers.append("vary", "Origin");
  return response;
}

async function readJson(request) {
  const type = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json") {
    throw new Refusal(415, "unsupported_media_type", "the body must be sent as application/json");
  }
  let body;
  try {
    const text = await request.text();
    body = text ? JSON.parse(text) : {};
  } catch {
    body = undefined;
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new Refusal(400, "invalid_request", "the body must be a JSON object");
  }
  return body;
}

function sessionId(request) {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const [name, value] = part.trim().split("=");
    if (name === COOKIE && SESSION_ID.test(value ?? "")) return value;
  }
  return null;
}

const newSessionId = () => base64url(crypto.getRandomValues(new Uint8Array(32)));
const session = (sessions, sid) => sessions.get(sessions.idFromName(sid));
const nowSeconds = () => Math.floor(Date.now() / 1000);
const cookie = (sid, maxAge) => `${COOKIE}=${sid}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=${maxAge}`;

// ---- answers -----------------------------------------------------------------------------------------------------

/** An answer of this Worker's own, as opposed to an error of the library or of the runtime. */
class Refusal extends Error {
  constructor(status, code, description, fields = {}) {
    super(description);
    this.httpStatus = status;
    this.fields = { code, description, ...fields };
  }
}

const unauthenticated = () => new Refusal(401, "unauthenticated", "no signed-in session: log in");
const noLogin = () =>
  new Refusal(409, "invalid_state", "no login in progress for this session: log in again", { restartRequired: true });
const misconfigured = (description) => new Refusal(500, "misconfigured", description);

function failure(error) {
  if (error instanceof Refusal) return json({ error: error.fields }, error.httpStatus);
  // Anything that is not the library's (a DOMException, a TypeError) is a bug here: say nothing of it.
  if (error?.name !== "Auth0MfaError" || typeof error.code !== "string") {
    return json({ error: { code: "internal_error", description: "unexpected error", restartRequired: true } }, 500);
  }
  const code = error.code;
  const status =
    code === "rate_limited" || code === "too_many_attempts" ? 429
    : code === "invalid_credentials" || code === "invalid_code" || code === "push_rejected" ? 401
    : code === "invalid_refresh_token" ? 401
    : error.restartRequired || code === "invalid_state" ? 409
    : ["network_error", "timeout", "invalid_response", "server_error"].includes(code) ? 502
    : 400;
  const { description, retryable, restartRequired, retryAfter } = error;
  return json({ error: { code, description, retryable, restartRequired, retryAfter } }, status);
}

function json(value, status = 200, headers = {}) {
  return new Response(JSON.stringify(value), {
    status,
    headers: {
      "content-type": "application/json",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      ...headers,
    },
  });
}

// ---- configuration -----------------------------------------------------------------------------------------------

const configs = new WeakMap();

/** The settings, checked once per isolate (on its first request); a bad one fails every request alike. */
function configure(env) {
  let config = configs.get(env);
  if (!config) configs.set(env, (config = readConfig(env)));
  return config;
}

async function readConfig(env) {
  const setting = (name) => {
    if (typeof env[name] !== "string" || !env[name].trim()) throw misconfigured(`${name} is not set`);
    return env[name].trim();
  };
  const domain = setting("AUTH0_DOMAIN");
  const clientId = setting("AUTH0_CLIENT_ID");
  const allowedOrigins = new Set(setting("ALLOWED_ORIGINS").split(",").map((origin) => origin.trim()).filter(Boolean));
  if (![...allowedOrigins].every(isOrigin)) {
    throw misconfigured("ALLOWED_ORIGINS must be comma-separated origins such as https://app.example.com");
  }
  const secret = setting("STATE_KEY");
  if (!/^[A-Za-z0-9+/]{43}=$/.test(secret)) throw misconfigured("STATE_KEY must be 32 bytes, base64");
  const key = await crypto.subtle.importKey("raw", fromBase64url(secret), "AES-GCM", false, ["encrypt", "decrypt"]);
  if (typeof env.SESSIONS?.idFromName !== "function") {
    throw misconfigured("SESSIONS must be bound to the Session Durable Object");
  }
  const stateTtl = Number(env.STATE_TTL_SECONDS ?? 300);
  if (!Number.isInteger(stateTtl) || stateTtl < 1 || stateTtl > 600) {
    throw misconfigured("STATE_TTL_SECONDS must be a whole number from 1 to 600");
  }
  const pushIntervalMs = Number(env.PUSH_INTERVAL_MS ?? 5000);
  if (!Number.isInteger(pushIntervalMs) || pushIntervalMs < 1000) {
    throw misconfigured("PUSH_INTERVAL_MS must be a whole number of milliseconds, at least 1000");
  }
  const options = {
    domain,
    clientId,
    ...(await credentials(env)),
    scope: env.AUTH0_SCOPE ?? "openid profile email offline_access",
    audience: env.AUTH0_AUDIENCE,
    timeoutMs: 10_000,
  };
  try {
    new MfaClient(options).free();
  } catch {
    throw misconfigured("AUTH0_DOMAIN, AUTH0_CLIENT_ID, the client credential, AUTH0_SCOPE or AUTH0_AUDIENCE is invalid");
  }
  return { clientId, allowedOrigins, key, stateTtl, pushIntervalMs, options };
}

/** WebCrypto's names for the algorithms Auth0 takes for a client assertion. */
const ASSERTION_ALGS = {
  RS256: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
  RS384: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-384" },
  PS256: { name: "RSA-PSS", hash: "SHA-256" },
};

/** How the Worker authenticates to Auth0: private_key_jwt with AUTH0_CLIENT_ASSERTION_KEY, else the client secret.
 * No message quotes either. */
async function credentials(env) {
  const present = (name) => typeof env[name] === "string" && env[name].trim() !== "";
  if (!present("AUTH0_CLIENT_ASSERTION_KEY")) {
    if (present("AUTH0_CLIENT_SECRET")) return { clientSecret: env.AUTH0_CLIENT_SECRET };
    throw misconfigured("AUTH0_CLIENT_ASSERTION_KEY (private_key_jwt) or AUTH0_CLIENT_SECRET is not set");
  }
  const alg = present("AUTH0_CLIENT_ASSERTION_ALG") ? env.AUTH0_CLIENT_ASSERTION_ALG.trim() : "RS256";
  if (!Object.hasOwn(ASSERTION_ALGS, alg)) throw misconfigured("AUTH0_CLIENT_ASSERTION_ALG must be RS256, RS384 or PS256");
  // A PEM pasted with its line breaks written as \n works too.
  const pem = env.AUTH0_CLIENT_ASSERTION_KEY.replace(/\\n/g, "\n");
  const body = /-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\s]+)-----END PRIVATE KEY-----/.exec(pem)?.[1];
  const unusable = "AUTH0_CLIENT_ASSERTION_KEY must be an RSA private key as PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)";
  if (!body) throw misconfigured(unusable);
  try {
    const der = Uint8Array.from(atob(body.replace(/\s/g, "")), (c) => c.charCodeAt(0));
    const key = await crypto.subtle.importKey("pkcs8", der, ASSERTION_ALGS[alg], false, ["sign"]);
    return { clientAssertionSigningKey: key, clientAssertionSigningAlg: alg };
  } catch {
    throw misconfigured(unusable);
  }
}

function isOrigin(text) {
  try {
    return new URL(text).origin === text;
  } catch {
    return false;
  }
}

// ---- sealing -----------------------------------------------------------------------------------------------------

/** What a record is bound to: opening it under any other session, application, kind or lifetime fails. */
const associatedData = (config, sid, kind, iat, exp) =>
  encoder.encode(JSON.stringify(["auth0-mfa-worker/1", kind, sid, config.clientId, iat, exp]));

async function seal(config, sid, kind, iat, exp, text) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const additionalData = associatedData(config, sid, kind, iat, exp);
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData }, config.key, encoder.encode(text));
  return { kind, iat, exp, sealed: base64url(new Uint8Array([...iv, ...new Uint8Array(sealed)])) };
}

/** The text sealed in `record`, once its binding and lifetime check out; `invalid_state` otherwise. */
async function unseal(config, sid, kind, record) {
  const now = nowSeconds();
  if (!(now < record.exp)) {
    throw new Refusal(409, "invalid_state", "the login expired: log in again", { restartRequired: true });
  }
  try {
    if (record.iat > now + 60) throw new Error("issued in the future");
    const bytes = fromBase64url(record.sealed);
    const additionalData = associatedData(config, sid, kind, record.iat, record.exp);
    const params = { name: "AES-GCM", iv: bytes.slice(0, 12), additionalData };
    return decoder.decode(await crypto.subtle.decrypt(params, config.key, bytes.slice(12)));
  } catch {
    const description = "the login state does not belong to this session";
    throw new Refusal(409, "invalid_state", description, { restartRequired: true });
  }
}

function base64url(bytes) {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Decodes base64url or base64. */
function fromBase64url(text) {
  return Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
}

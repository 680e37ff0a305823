// A Cloudflare Worker that runs Auth0's password + MFA login for a browser, keeping the client secret on the
// server. The browser posts JSON; between requests it carries the login state sealed with AES-GCM (encrypted, so
// the mfa_token inside stays private, and authenticated, so it cannot be altered), and Auth0 sees the visitor's IP
// through `auth0-forwarded-for` for its brute-force protection.
//
//   POST /login          { username, password }                 → { stage, tokens? , state? }
//   POST /authenticators { state }                              → { active, state }
//   POST /enroll         { state, type, phoneNumber?, email? }   → { enrollment, state }
//   POST /challenge      { state, authenticatorId? , type? }     → { challenge, state }
//   POST /verify         { state, otp? | bindingCode? | recoveryCode? } → { stage: "authenticated", tokens }
//   POST /push           { state }  → tokens once approved, or { stage: "challenged", pending: true, state }
//
// Errors answer { error: { code, description, retryable, restartRequired, retryAfter } } with an HTTP status.
import { MfaClient } from "auth0-mfa-wasm";

const encoder = new TextEncoder();

export default {
  async fetch(request, env) {
    if (request.method !== "POST") return json({ error: { code: "method_not_allowed" } }, 405);
    let body;
    try {
      body = await request.json();
    } catch {
      return json({ error: { code: "invalid_request", description: "the body must be JSON" } }, 400);
    }
    try {
      return await route(new URL(request.url).pathname, body, request, env);
    } catch (error) {
      return failure(error);
    }
  },
};

async function route(path, body, request, env) {
  const options = {
    domain: env.AUTH0_DOMAIN,
    clientId: env.AUTH0_CLIENT_ID,
    clientSecret: env.AUTH0_CLIENT_SECRET,
    scope: env.AUTH0_SCOPE,
    audience: env.AUTH0_AUDIENCE,
    forwardedFor: request.headers.get("cf-connecting-ip") ?? undefined,
    timeoutMs: 10_000,
  };
  const key = await stateKey(env.STATE_KEY);
  if (path === "/login") {
    const client = new MfaClient(options);
    const result = await client.login(String(body.username ?? ""), String(body.password ?? ""));
    if (result.stage === "authenticated") return json(result);
    return json({ stage: client.stage, mfaRequirements: result.mfaRequirements, state: await seal(key, client.save()) });
  }
  const client = MfaClient.restore(await unseal(key, body.state), options);
  const reply = async (fields) => json({ ...fields, stage: client.stage, state: await seal(key, client.save()) });
  switch (path) {
    case "/authenticators":
      return reply({ active: (await client.authenticators()).active });
    case "/enroll": {
      const enrollment = await client.enroll({ type: body.type, phoneNumber: body.phoneNumber, email: body.email });
      return reply({ enrollment });
    }
    case "/challenge":
      return reply({ challenge: await client.challenge(body.authenticatorId ?? { type: body.type }) });
    case "/verify": {
      const tokens =
        body.otp !== undefined ? await client.verifyOtp(String(body.otp))
        : body.bindingCode !== undefined ? await client.verifyOob(String(body.bindingCode))
        : await client.verifyRecoveryCode(String(body.recoveryCode ?? ""));
      return json({ stage: client.stage, tokens });
    }
    case "/push":
      try {
        // Short waits keep each request brief; the browser asks again while the push is pending.
        const tokens = await client.waitForPush({ intervalMs: Number(env.PUSH_INTERVAL_MS ?? 5000), timeoutMs: 12_000 });
        return json({ stage: client.stage, tokens });
      } catch (error) {
        if (error?.code === "push_timeout") return reply({ pending: true });
        throw error;
      }
    default:
      return json({ error: { code: "not_found" } }, 404);
  }
}

function failure(error) {
  const code = error?.code ?? "internal_error";
  const status =
    code === "rate_limited" || code === "too_many_attempts" ? 429
    : code === "invalid_credentials" || code === "invalid_code" || code === "push_rejected" ? 401
    : error?.restartRequired || code === "invalid_state" ? 409
    : ["network_error", "timeout", "invalid_response", "server_error"].includes(code) ? 502
    : 400;
  const { description, retryable, restartRequired, retryAfter } = error ?? {};
  return json({ error: { code, description, retryable, restartRequired, retryAfter } }, status);
}

function json(value, status = 200) {
  return new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });
}

async function stateKey(secret) {
  if (!secret) throw Object.assign(new Error("STATE_KEY is not set"), { code: "misconfigured" });
  const raw = Uint8Array.from(atob(secret), (c) => c.charCodeAt(0));
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

async function seal(key, text) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, encoder.encode(text)));
  return base64url(new Uint8Array([...iv, ...sealed]));
}

async function unseal(key, token) {
  try {
    const bytes = Uint8Array.from(atob(String(token).replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: bytes.slice(0, 12) }, key, bytes.slice(12));
    return new TextDecoder().decode(plain);
  } catch {
    throw Object.assign(new Error("the login state is missing or was altered"), { code: "invalid_state", restartRequired: true });
  }
}

function base64url(bytes) {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

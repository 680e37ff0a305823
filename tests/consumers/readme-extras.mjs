// The README's examples of "Refresh tokens, private_key_jwt and DPoP", run as a user would run them: in a fresh
// project, importing the installed package (its "node" entry), against the emulator. This file is a template:
// consumers.test.mjs takes the three ```js blocks of that section from README.md and puts each, as written, in
// place of its `//@readme:` line, after filling in only the placeholders they leave to the reader (the MFA steps,
// "login and MFA as above"). Around each snippet is what it assumes (a signed-in client, stored tokens, `env`,
// `domain`, an API at api.example.com); after it, what the README says of its outcome is measured. Prints one JSON
// report.
import { readFileSync } from "node:fs";
import { MfaClient, Totp, isInvalidRefreshToken } from "auth0-mfa-wasm";

const E = process.env;
const emulator = (path, body) =>
  globalThis.fetch(`${E.AUTH0_DOMAIN}/__emu/${path}`, body && {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  }).then((response) => response.json());
const otpNow = async () => new Totp({ secret: E.OTP_SECRET }).generate((await emulator("clock")).now_ms);
const claims = (jwt) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString());
const part = (jwt, i) => JSON.parse(Buffer.from(jwt.split(".")[i], "base64url").toString());
const b64u = (bytes) => Buffer.from(bytes).toString("base64url");
const failure = (promise) =>
  promise.then(
    () => "accepted",
    (e) => ({ code: e.code, isInvalidRefreshToken: isInvalidRefreshToken(e), restartRequired: e.restartRequired }),
  );

/** "login and MFA as above": the password, then an OTP challenge. */
async function signIn(client, username) {
  const login = await client.login(username, E.PASSWORD);
  if (login.stage !== "mfa_required") throw new Error(`login answered ${login.stage}`);
  await client.challenge({ type: "otp" });
  return client.verifyOtp(await otpNow());
}

const report = {};

// ---- refresh, once without and once with MFA on refresh ---------------------------------------------------------
for (const [name, clientId, username] of [
  ["refresh", E.REFRESH_CLIENT, E.REFRESH_USER],
  ["refreshWithMfa", E.MFA_REFRESH_CLIENT, E.MFA_REFRESH_USER],
]) {
  const client = new MfaClient({ domain: E.AUTH0_DOMAIN, clientId, scope: "openid profile email offline_access" });
  const stored = await signIn(client, username);
  let mfaTokens;
  // The second factor again takes the next TOTP step: a code is good once.
  await emulator("clock", { advance: 30 });
  try {
    //@readme:refresh
    const tokens = result.stage === "mfa_required" ? mfaTokens : result.tokens;
    report[name] = {
      stage: result.stage,
      rotated: typeof tokens?.refreshToken === "string" && tokens.refreshToken !== stored.refreshToken,
      // "the token sent is spent": sent again, it is refused as the README says.
      spentToken: await failure(client.refresh(stored.refreshToken)),
    };
  } finally {
    await emulator("clock", { advance: -30 });
  }
}

// ---- private_key_jwt ----------------------------------------------------------------------------------------------
{
  const env = { AUTH0_DOMAIN: E.AUTH0_DOMAIN, AUTH0_CLIENT_ID: E.JWT_CLIENT, AUTH0_PRIVATE_KEY_PEM: readFileSync(E.KEY_FILE, "utf8") };
  //@readme:private_key_jwt
  const tokens = await signIn(client, E.JWT_USER);
  const both = (() => {
    try {
      new MfaClient({ domain: env.AUTH0_DOMAIN, clientId: env.AUTH0_CLIENT_ID, clientSecret: "a-secret", clientAssertionSigningKey: env.AUTH0_PRIVATE_KEY_PEM });
      return "accepted";
    } catch (e) {
      return e.code;
    }
  })();
  const notAKey = new MfaClient({
    domain: env.AUTH0_DOMAIN, clientId: env.AUTH0_CLIENT_ID,
    clientAssertionSigningKey: "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----",
  });
  report.privateKeyJwt = {
    stage: client.stage,
    tokenType: tokens.tokenType,
    aud: claims(tokens.idToken).aud,
    bothGiven: both,
    keyThatDoesNotImport: (await failure(notAKey.login(E.JWT_USER, E.PASSWORD))).code,
  };
}

// ---- DPoP ----------------------------------------------------------------------------------------------------------
{
  const domain = E.AUTH0_DOMAIN;
  const clientId = E.DPOP_CLIENT;
  // api.example.com: the README's own API, answered here (the library's requests go to the global fetch).
  const apiCalls = [];
  const fetch = async (url, init) => {
    apiCalls.push({ url, headers: init.headers });
    return new Response(null, { status: 204 });
  };
  //@readme:dpop
  const [call] = apiCalls;
  const header = part(call.headers.dpop, 0);
  const payload = part(call.headers.dpop, 1);
  const jwk = { crv: header.jwk.crv, kty: header.jwk.kty, x: header.jwk.x, y: header.jwk.y };
  const thumbprint = b64u(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify(jwk))));
  const publicKey = await crypto.subtle.importKey("jwk", header.jwk, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  const [h, p, signature] = call.headers.dpop.split(".");
  report.dpop = {
    tokenType: tokens.tokenType,
    apiCalls: apiCalls.length,
    url: call.url,
    authorization: call.headers.authorization === `DPoP ${tokens.accessToken}`,
    typ: header.typ,
    alg: header.alg,
    privateMembers: Object.keys(header.jwk).filter((k) => k === "d"),
    htm: payload.htm,
    htu: payload.htu,
    ath: payload.ath === b64u(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(tokens.accessToken))),
    boundToTheKey: claims(tokens.accessToken).cnf?.jkt === thumbprint,
    keyIsTheCallers: thumbprint === b64u(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify(
      (({ crv, kty, x, y }) => ({ crv, kty, x, y }))(await crypto.subtle.exportKey("jwk", keyPair.publicKey)))))),
    signature: await crypto.subtle.verify(
      { name: "ECDSA", hash: "SHA-256" }, publicKey, Buffer.from(signature, "base64url"), new TextEncoder().encode(`${h}.${p}`)),
  };
}

console.log(JSON.stringify(report));

// Client assertions (RFC 7523 private_key_jwt) and DPoP proofs (RFC 9449), on WebCrypto alone. `crypto` is read
// at each call, not at load: the module loads with the package even where WebCrypto is missing (an http: page).
// No message holds key material: a failed import is answered with a reason of our own, never the engine's.

// What each JWS alg means to WebCrypto: one object serves importKey, generateKey and sign, which ignore the members
// they do not use. A null prototype: `alg` comes from the caller, and "toString" must not be an algorithm.
const ALGS = {
  __proto__: null,
  RS256: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
  RS384: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-384" },
  PS256: { name: "RSA-PSS", hash: "SHA-256", saltLength: 32 },
  ES256: { name: "ECDSA", hash: "SHA-256", namedCurve: "P-256" },
};
const ES256 = ALGS.ES256;

const fail = (reason) => {
  throw TypeError(reason);
};
const utf8 = (text) => new TextEncoder().encode(text);

// Base64url without padding, of bytes (an ArrayBuffer or a Uint8Array).
const b64u = (bytes) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/=+$/, "")
    .replace(/\+/g, "-")
    .replace(/\//g, "_");
const sha256 = async (text) => b64u(await crypto.subtle.digest("SHA-256", utf8(text)));

// A CryptoKey of this type whose algorithm is `a`'s, with its hash (RSA) or curve (EC). Once the names match, an RSA
// key has a hash and an EC key a curve, so neither read can throw.
const fits = (key, a, type) =>
  key instanceof CryptoKey &&
  key.type == type &&
  key.algorithm.name == a.name &&
  (key.algorithm.namedCurve || key.algorithm.hash.name) == (a.namedCurve || a.hash) &&
  (type == "public" ? key.extractable : key.usages.includes("sign"));

// The private key of a client assertion: a CryptoKey that fits `alg`, a PKCS#8 PEM, or a private RSA JWK.
export async function importSigningKey(key, alg) {
  const a = ALGS[alg || "RS256"];
  // Auth0 takes RSA keys only for private_key_jwt.
  if (!a || a == ES256) fail("unsupported alg");
  if (key instanceof CryptoKey) return fits(key, a, "private") ? key : fail("key does not fit alg");
  let pem;
  if (typeof key == "string") {
    if (key.includes("BEGIN RSA PRIVATE KEY")) fail("PKCS#1 key: convert it to PKCS#8");
    pem = /-----BEGIN PRIVATE KEY-----([^-]+)-----END PRIVATE KEY-----/.exec(key);
    if (!pem) fail("unsupported key");
  } else if (!(key?.kty == "RSA" && key.d)) fail("unsupported key");
  try {
    // atob is inside: it throws on bad base64, and its error is not a TypeError.
    const data = pem ? Uint8Array.from(atob(pem[1].replace(/\s/g, "")), (c) => c.charCodeAt(0)) : key;
    return await crypto.subtle.importKey(pem ? "pkcs8" : "jwk", data, a, false, ["sign"]);
  } catch {
    fail("key import failed");
  }
}

// A compact JWS of two plain objects; `alg` is set in the header.
export async function signJwt(key, alg, header, payload) {
  const a = ALGS[alg] || fail("unsupported alg");
  const input = b64u(utf8(JSON.stringify({ ...header, alg }))) + "." + b64u(utf8(JSON.stringify(payload)));
  return input + "." + b64u(await crypto.subtle.sign(a, key, utf8(input)));
}

// `now` in seconds comes from the caller, which owns the clock. A minute is ample for the one request it is for.
export async function clientAssertion(key, alg, clientId, audience, now) {
  return signAssertion(await importSigningKey(key, alg), alg || "RS256", clientId, audience, now);
}

// With a key already imported for `alg`.
const signAssertion = (key, alg, clientId, audience, now) =>
  signJwt(key, alg, { typ: "JWT" }, { iss: clientId, sub: clientId, aud: audience, iat: now, exp: now + 60, jti: crypto.randomUUID() });

// The private key cannot leave WebCrypto; the public one is always extractable, as its JWK goes in every proof.
export const generateDpopKeyPair = () => crypto.subtle.generateKey(ES256, false, ["sign", "verify"]);

// Public members only, exported once per public key.
const jwks = new WeakMap();
const publicJwk = async (key) => {
  let jwk = jwks.get(key);
  if (!jwk) {
    const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", key);
    jwks.set(key, (jwk = { kty, crv, x, y }));
  }
  return jwk;
};

// RFC 7638 thumbprint of a P-256 public JWK: its required members in lexicographic order.
export const jwkThumbprint = ({ crv, kty, x, y }) => sha256(JSON.stringify({ crv, kty, x, y }));

// A caller's own pair: checked once here, so that dpopProof need not check it on each request.
export async function checkDpopKeyPair(pair) {
  fits(pair?.privateKey, ES256, "private") && fits(pair.publicKey, ES256, "public") || fail("bad DPoP key pair");
  return jwkThumbprint(await publicJwk(pair.publicKey));
}

// `htu` without query and fragment (RFC 9449 §4.2); `nonce` and `ath` only when there is one.
export async function dpopProof(pair, htm, htu, nonce, accessToken, now) {
  const url = new URL(htu);
  const claims = { jti: crypto.randomUUID(), htm, htu: url.origin + url.pathname, iat: now };
  if (nonce) claims.nonce = nonce;
  if (accessToken) claims.ath = await sha256(accessToken);
  return signJwt(pair.privateKey, "ES256", { typ: "dpop+jwt", jwk: await publicJwk(pair.publicKey) }, claims);
}

// The signers of one client, made once from its options and called for each request: Rust holds the two functions
// and never a key. The key is imported, or the pair made or checked, on first use.
export function assertionSigner(key, alg) {
  let imported;
  return async (clientId, audience, now) =>
    signAssertion(await (imported ||= importSigningKey(key, alg)), alg || "RS256", clientId, audience, now);
}

export function dpopSigner(choice) {
  let pair;
  const ready = () =>
    (pair ||= choice === true ? generateDpopKeyPair() : checkDpopKeyPair(choice).then(() => choice));
  return async (htm, htu, nonce, accessToken, now) => dpopProof(await ready(), htm, htu, nonce, accessToken, now);
}

// src/js/keys.js: client assertions (RFC 7523 private_key_jwt) and DPoP proofs (RFC 9449), checked against jose's
// verification and thumbprints, and compared in shape with what oauth4webapi emits for the same keys.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, generateKeyPairSync } from "node:crypto";
import * as jose from "jose";
import * as oauth from "oauth4webapi";
import {
  importSigningKey,
  signJwt,
  clientAssertion,
  generateDpopKeyPair,
  checkDpopKeyPair,
  dpopProof,
  jwkThumbprint,
  assertionSigner,
  dpopSigner,
} from "../../src/js/keys.js";

const NOW = 1_700_000_000;
const CLIENT_ID = "m2m-client";
const AUDIENCE = "https://tenant.example.auth0.com/oauth/token";
const at = (seconds) => new Date(seconds * 1000);
const sha256b64u = (text) => jose.base64url.encode(createHash("sha256").update(text).digest());
const pemBody = (pem) => pem.replace(/-----[^-]+-----/g, "").replace(/\s/g, "");

/** Asserts `promise` rejects with a TypeError whose message and stack hold none of `secrets`. */
async function refused(promise, secrets = [], message) {
  let error;
  await promise.then(
    () => assert.fail("resolved"),
    (e) => (error = e),
  );
  assert.ok(error instanceof TypeError, `${error?.name}: ${error?.message}`);
  if (message) assert.match(error.message, message);
  assert.ok(error.message.length < 60, error.message);
  for (const secret of secrets) {
    assert.ok(secret.length >= 16, "a distinctive secret");
    assert.ok(!error.message.includes(secret), "message holds key material");
    assert.ok(!String(error.stack).includes(secret), "stack holds key material");
  }
  return error;
}

const rsaKeys = {};
async function rsa(alg) {
  rsaKeys[alg] ??= (async () => {
    const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
    return { privateKey, publicKey, pem: await jose.exportPKCS8(privateKey), jwk: await jose.exportJWK(privateKey) };
  })();
  return rsaKeys[alg];
}

for (const alg of ["RS256", "RS384", "PS256"]) {
  for (const form of ["CryptoKey", "PEM", "JWK"]) {
    test(`client assertion, ${alg}, key as ${form}, verifies with the right claims`, async () => {
      const keys = await rsa(alg);
      const key = { CryptoKey: keys.privateKey, PEM: keys.pem, JWK: keys.jwk }[form];
      const first = await clientAssertion(key, alg, CLIENT_ID, AUDIENCE, NOW);
      const second = await clientAssertion(key, alg, CLIENT_ID, AUDIENCE, NOW);
      const { payload, protectedHeader } = await jose.jwtVerify(first, keys.publicKey, {
        algorithms: [alg],
        issuer: CLIENT_ID,
        subject: CLIENT_ID,
        audience: AUDIENCE,
        currentDate: at(NOW + 30),
        typ: "JWT",
      });
      assert.deepEqual(protectedHeader, { alg, typ: "JWT" });
      assert.deepEqual(Object.keys(payload).sort(), ["aud", "exp", "iat", "iss", "jti", "sub"]);
      assert.equal(payload.iat, NOW);
      assert.equal(payload.exp, NOW + 60);
      assert.equal(typeof payload.jti, "string");
      assert.ok(payload.jti.length >= 16);
      const again = await jose.jwtVerify(second, keys.publicKey, { algorithms: [alg], currentDate: at(NOW) });
      assert.notEqual(again.payload.jti, payload.jti);
      // A minute, no more: expired at now + 60.
      await assert.rejects(jose.jwtVerify(first, keys.publicKey, { currentDate: at(NOW + 61) }), { code: "ERR_JWT_EXPIRED" });
    });
  }
}

test("client assertion: alg defaults to RS256", async () => {
  const keys = await rsa("RS256");
  for (const alg of [undefined, null, ""]) {
    const jwt = await clientAssertion(keys.pem, alg, CLIENT_ID, AUDIENCE, NOW);
    const { protectedHeader } = await jose.jwtVerify(jwt, keys.publicKey, { algorithms: ["RS256"], currentDate: at(NOW) });
    assert.equal(protectedHeader.alg, "RS256");
  }
  const key = await importSigningKey(keys.jwk);
  assert.equal(key.algorithm.hash.name, "SHA-256");
});

test("importSigningKey: PEM with any line breaks and whitespace, imported non-extractable for signing only", async () => {
  const keys = await rsa("RS256");
  const body = pemBody(keys.pem);
  const variants = [
    keys.pem,
    keys.pem.replace(/\n/g, "\r\n"),
    `-----BEGIN PRIVATE KEY-----${body}-----END PRIVATE KEY-----`,
    `\n\n  -----BEGIN PRIVATE KEY-----\n ${body.replace(/(.{76})/g, "$1\n\t ")}\n-----END PRIVATE KEY-----\n  `,
  ];
  for (const pem of variants) {
    const key = await importSigningKey(pem, "RS256");
    assert.equal(key.type, "private");
    assert.equal(key.extractable, false);
    assert.deepEqual(key.usages, ["sign"]);
    assert.equal(key.algorithm.name, "RSASSA-PKCS1-v1_5");
  }
  const fromJwk = await importSigningKey(keys.jwk, "RS256");
  assert.equal(fromJwk.extractable, false);
  assert.deepEqual(fromJwk.usages, ["sign"]);
  // A CryptoKey that fits comes back as it is.
  assert.equal(await importSigningKey(keys.privateKey, "RS256"), keys.privateKey);
  // One PEM or JWK (without an `alg` member) serves each RSA alg.
  const { alg, ...anyAlg } = keys.jwk;
  for (const other of ["RS384", "PS256"]) {
    const jwt = await clientAssertion(keys.pem, other, CLIENT_ID, AUDIENCE, NOW);
    const publicKey = await jose.importJWK(await jose.exportJWK(keys.publicKey), other);
    await jose.jwtVerify(jwt, publicKey, { algorithms: [other], currentDate: at(NOW) });
    await importSigningKey(anyAlg, other);
  }
});

test("importSigningKey refuses a PKCS#1 PEM, saying to convert it, without its contents", async () => {
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  assert.match(privateKey, /BEGIN RSA PRIVATE KEY/);
  const body = pemBody(privateKey);
  const error = await refused(importSigningKey(privateKey, "RS256"), [body.slice(100, 140), body.slice(-40, -4)]);
  assert.match(error.message, /PKCS#8/);
  await refused(clientAssertion(privateKey, "RS256", CLIENT_ID, AUDIENCE, NOW), [body.slice(100, 140)], /PKCS#8/);
});

test("importSigningKey refuses garbage text and a PEM with a broken body, without the text", async () => {
  const garbage = "not a key at all, just some distinctive words";
  await refused(importSigningKey(garbage, "RS256"), [garbage.slice(10)]);
  await refused(importSigningKey("", "RS256"));
  const brokenBody = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDdistinctiveBody";
  await refused(importSigningKey(`-----BEGIN PRIVATE KEY-----\n${brokenBody}\n-----END PRIVATE KEY-----`, "RS256"), [brokenBody.slice(30)]);
  const notBase64 = "%%%%not*base64*but*distinctive%%%%";
  await refused(importSigningKey(`-----BEGIN PRIVATE KEY-----\n${notBase64}\n-----END PRIVATE KEY-----`, "RS256"), [notBase64.slice(4, 30)]);
  // A truncated PEM: the BEGIN line without its END.
  const keys = await rsa("RS256");
  const truncated = keys.pem.slice(0, 300);
  await refused(importSigningKey(truncated, "RS256"), [pemBody(truncated).slice(40, 80)]);
  for (const other of [undefined, null, 42, true, [], {}, new Uint8Array(32), () => {}]) {
    await refused(importSigningKey(other, "RS256"));
  }
});

test("importSigningKey refuses an EC key for RS256 in every form", async () => {
  const { privateKey, publicKey } = await jose.generateKeyPair("ES256", { extractable: true });
  const pem = await jose.exportPKCS8(privateKey);
  const jwk = await jose.exportJWK(privateKey);
  await refused(importSigningKey(privateKey, "RS256"), [], /fit/);
  await refused(importSigningKey(publicKey, "RS256"));
  await refused(importSigningKey(pem, "RS256"), [pemBody(pem).slice(60, 100)]);
  await refused(importSigningKey(jwk, "RS256"), [jwk.d.slice(5, 35)]);
  // ES256 is no client assertion alg of Auth0's, nor is anything else.
  for (const alg of ["ES256", "HS256", "none", "toString", "__proto__", "rs256"]) {
    await refused(importSigningKey(privateKey, alg), [], /alg/);
  }
});

test("importSigningKey refuses public keys and JWKs without d", async () => {
  const keys = await rsa("RS256");
  await refused(importSigningKey(keys.publicKey, "RS256"));
  const spki = await jose.exportSPKI(keys.publicKey);
  await refused(importSigningKey(spki, "RS256"), [pemBody(spki).slice(60, 100)]);
  const { d, ...withoutD } = keys.jwk;
  await refused(importSigningKey(withoutD, "RS256"), [keys.jwk.n.slice(20, 60)]);
  await refused(importSigningKey({ ...keys.jwk, d: "" }, "RS256"), [keys.jwk.n.slice(20, 60)]);
  // A `d` cut short, without the CRT members: the import fails, and the message says nothing of `d`. (With p, q, dp,
  // dq and qi present, Node signs with those and imports a wrong `d` without a word: WebCrypto checks no consistency.)
  const { p, q, dp, dq, qi, ...withoutCrt } = keys.jwk;
  const broken = { ...withoutCrt, d: keys.jwk.d.slice(0, 200) };
  await refused(importSigningKey(broken, "RS256"), [broken.d.slice(10, 40)], /import failed/);
  await refused(importSigningKey({ ...keys.jwk, kty: "EC" }, "RS256"), [keys.jwk.d.slice(10, 40)]);
  // A JWK that names another alg than the one asked for.
  await refused(importSigningKey({ ...keys.jwk, alg: "RS384" }, "RS256"), [keys.jwk.d.slice(10, 40)]);
});

test("importSigningKey refuses a CryptoKey whose algorithm or hash does not fit alg", async () => {
  const rs256 = await rsa("RS256");
  const rs384 = await rsa("RS384");
  const ps256 = await rsa("PS256");
  await refused(importSigningKey(rs256.privateKey, "RS384"), [], /fit/);
  await refused(importSigningKey(rs256.privateKey, "PS256"), [], /fit/);
  await refused(importSigningKey(rs384.privateKey, "RS256"), [], /fit/);
  await refused(importSigningKey(ps256.privateKey, "RS256"), [], /fit/);
  const hmac = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
  await refused(importSigningKey(hmac, "RS256"), [], /fit/);
  const ed = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
  await refused(importSigningKey(ed.privateKey, "RS256"), [], /fit/);
  // A private RSA-OAEP key is the right shape but cannot sign.
  const oaep = await crypto.subtle.generateKey(
    { name: "RSA-OAEP", hash: "SHA-256", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ["decrypt"],
  );
  await refused(importSigningKey(oaep.privateKey, "RS256"), [], /fit/);
  // A CryptoKey lookalike is not a CryptoKey.
  const lookalike = { type: "private", usages: ["sign"], algorithm: { name: "RSASSA-PKCS1-v1_5", hash: { name: "SHA-256" } } };
  await refused(importSigningKey(lookalike, "RS256"));
});

test("signJwt: header and payload as given, alg set, base64url without padding", async () => {
  const { privateKey, publicKey } = await jose.generateKeyPair("ES256");
  const payload = { sub: "ünïcödé ✓", n: 1, nested: { a: [1, 2] } };
  const jws = await signJwt(privateKey, "ES256", { typ: "JWT", kid: "k1", alg: "none" }, payload);
  assert.match(jws, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  const { payload: verified, protectedHeader } = await jose.jwtVerify(jws, publicKey, { algorithms: ["ES256"] });
  assert.deepEqual(protectedHeader, { typ: "JWT", kid: "k1", alg: "ES256" });
  assert.deepEqual(verified, payload);
  // The raw r||s signature of P-256: 64 bytes.
  assert.equal(jose.base64url.decode(jws.split(".")[2]).length, 64);
  const ps = await rsa("PS256");
  const signed = await signJwt(ps.privateKey, "PS256", {}, { x: 1 });
  await jose.compactVerify(signed, ps.publicKey);
  await refused(signJwt(privateKey, "HS256", {}, {}), [], /alg/);
});

test("generateDpopKeyPair: P-256, private key non-extractable, public key extractable", async () => {
  const { privateKey, publicKey } = await generateDpopKeyPair();
  assert.equal(privateKey.type, "private");
  assert.equal(privateKey.extractable, false);
  assert.deepEqual(privateKey.usages, ["sign"]);
  assert.deepEqual(privateKey.algorithm, { name: "ECDSA", namedCurve: "P-256" });
  assert.equal(publicKey.type, "public");
  assert.equal(publicKey.extractable, true);
  assert.deepEqual(publicKey.usages, ["verify"]);
  await assert.rejects(crypto.subtle.exportKey("jwk", privateKey));
  await assert.rejects(crypto.subtle.exportKey("pkcs8", privateKey));
});

/** The decoded header and payload of a compact JWS. */
const decoded = (jws) => ({ header: jose.decodeProtectedHeader(jws), payload: jose.decodeJwt(jws) });

test("dpopProof verifies with its embedded JWK, with public members only and the claims asked for", async () => {
  const pair = await generateDpopKeyPair();
  const htu = "https://tenant.example.auth0.com/oauth/token";
  const proof = await dpopProof(pair, "POST", htu, undefined, undefined, NOW);
  const { payload, protectedHeader } = await jose.jwtVerify(proof, jose.EmbeddedJWK, {
    typ: "dpop+jwt",
    algorithms: ["ES256"],
    currentDate: at(NOW),
  });
  assert.deepEqual(Object.keys(protectedHeader).sort(), ["alg", "jwk", "typ"]);
  assert.equal(protectedHeader.alg, "ES256");
  assert.deepEqual(Object.keys(protectedHeader.jwk).sort(), ["crv", "kty", "x", "y"]);
  const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", pair.publicKey);
  assert.deepEqual(protectedHeader.jwk, { kty, crv, x, y });
  assert.ok(!proof.split(".")[0].includes(jose.base64url.encode('"d"')));
  assert.deepEqual(Object.keys(payload).sort(), ["htm", "htu", "iat", "jti"]);
  assert.equal(payload.htm, "POST");
  assert.equal(payload.htu, htu);
  assert.equal(payload.iat, NOW);
  assert.equal(typeof payload.jti, "string");
  assert.ok(payload.jti.length >= 16);
  const other = await dpopProof(pair, "POST", htu, undefined, undefined, NOW);
  assert.notEqual(decoded(other).payload.jti, payload.jti);
  // Verified against the pair's own public key too, not only the key the proof names.
  await jose.jwtVerify(proof, pair.publicKey, { currentDate: at(NOW) });
});

test("dpopProof: nonce only when given, ath only with a token", async () => {
  const pair = await generateDpopKeyPair();
  const htu = "https://api.example.com/resource";
  for (const nonce of [undefined, null, ""]) {
    assert.ok(!("nonce" in decoded(await dpopProof(pair, "GET", htu, nonce, "", NOW)).payload));
  }
  for (const token of [undefined, null, ""]) {
    assert.ok(!("ath" in decoded(await dpopProof(pair, "GET", htu, "", token, NOW)).payload));
  }
  const token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl";
  const proof = await dpopProof(pair, "GET", htu, "server-nonce-1", token, NOW);
  const { payload } = await jose.jwtVerify(proof, jose.EmbeddedJWK, { typ: "dpop+jwt", currentDate: at(NOW) });
  assert.equal(payload.nonce, "server-nonce-1");
  assert.equal(payload.ath, sha256b64u(token));
  assert.deepEqual(Object.keys(payload).sort(), ["ath", "htm", "htu", "iat", "jti", "nonce"]);
});

test("dpopProof: htu without query and fragment, scheme, host, port and path kept", async () => {
  const pair = await generateDpopKeyPair();
  const cases = [
    ["https://api.example.com/a/b?x=1&y=2#frag", "https://api.example.com/a/b"],
    ["https://api.example.com:8443/path/?q#", "https://api.example.com:8443/path/"],
    ["https://API.Example.com/Case", "https://api.example.com/Case"],
    ["http://localhost:3000/oauth/token#only-fragment", "http://localhost:3000/oauth/token"],
    ["https://user:pass@api.example.com/p", "https://api.example.com/p"],
  ];
  for (const [given, expected] of cases) {
    assert.equal(decoded(await dpopProof(pair, "POST", given, "", "", NOW)).payload.htu, expected, given);
  }
  await assert.rejects(dpopProof(pair, "POST", "not a url", "", "", NOW), TypeError);
});

test("dpopProof exports the public key once per key pair", async (t) => {
  const pair = await generateDpopKeyPair();
  const exportKey = t.mock.method(crypto.subtle, "exportKey");
  const first = await dpopProof(pair, "POST", "https://a.example/t", "", "", NOW);
  await dpopProof(pair, "POST", "https://a.example/t", "n", "tok", NOW + 1);
  await checkDpopKeyPair(pair);
  assert.equal(exportKey.mock.callCount(), 1);
  const otherPair = await generateDpopKeyPair();
  const second = await dpopProof(otherPair, "POST", "https://a.example/t", "", "", NOW);
  assert.equal(exportKey.mock.callCount(), 2);
  assert.notDeepEqual(decoded(first).header.jwk, decoded(second).header.jwk);
});

test("checkDpopKeyPair gives the RFC 7638 thumbprint jose computes", async () => {
  const ours = await generateDpopKeyPair();
  const callers = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const josePair = await jose.generateKeyPair("ES256");
  for (const pair of [ours, callers, josePair, { privateKey: callers.privateKey, publicKey: callers.publicKey }]) {
    const publicJwk = await jose.exportJWK(pair.publicKey);
    const expected = await jose.calculateJwkThumbprint(publicJwk, "sha256");
    assert.equal(await checkDpopKeyPair(pair), expected);
    assert.equal(await jwkThumbprint(publicJwk), expected);
    // A private JWK has the same thumbprint: `d` is no member of it.
    if (pair === callers) assert.equal(await jwkThumbprint(await jose.exportJWK(pair.privateKey)), expected);
  }
  assert.match(await checkDpopKeyPair(ours), /^[\w-]{43}$/);
});

test("checkDpopKeyPair refuses what is no P-256 signing pair", async () => {
  const rsaPair = await rsa("RS256");
  const ok = await generateDpopKeyPair();
  const p384 = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, true, ["sign", "verify"]);
  const ecdh = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
  const jwk = await crypto.subtle.exportKey("jwk", ok.publicKey);
  const unexportable = await crypto.subtle.importKey("jwk", jwk, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  const exportable = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const privateJwk = await crypto.subtle.exportKey("jwk", exportable.privateKey);
  const verifyOnly = { ...privateJwk, key_ops: undefined };
  delete verifyOnly.key_ops;
  const bad = [
    { privateKey: rsaPair.privateKey, publicKey: rsaPair.publicKey },
    { publicKey: ok.publicKey },
    { privateKey: ok.privateKey },
    { privateKey: ok.publicKey, publicKey: ok.publicKey },
    { privateKey: ok.privateKey, publicKey: ok.privateKey },
    { privateKey: ok.privateKey, publicKey: unexportable },
    { privateKey: p384.privateKey, publicKey: p384.publicKey },
    { privateKey: ecdh.privateKey, publicKey: ecdh.publicKey },
    { privateKey: { type: "private" }, publicKey: jwk },
    {},
    { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y },
    null,
    undefined,
    "pair",
  ];
  for (const pair of bad) {
    await refused(checkDpopKeyPair(pair), [privateJwk.d.slice(5, 30)]);
  }
});

// The signers Rust holds (src/js/keys.rs): made once from the client's options, the key imported or the pair made or
// checked on first use only.
test("assertionSigner imports its key once and signs each call anew", async (t) => {
  const keys = await rsa("PS256");
  const importKey = t.mock.method(crypto.subtle, "importKey");
  const sign = assertionSigner(keys.pem, "PS256");
  assert.equal(importKey.mock.callCount(), 0);
  const first = await sign(CLIENT_ID, AUDIENCE, NOW);
  const second = await sign(CLIENT_ID, AUDIENCE, NOW + 5);
  assert.equal(importKey.mock.callCount(), 1);
  for (const [jwt, iat] of [[first, NOW], [second, NOW + 5]]) {
    const { payload } = await jose.jwtVerify(jwt, keys.publicKey, { algorithms: ["PS256"], audience: AUDIENCE, currentDate: at(iat) });
    assert.equal(payload.iat, iat);
  }
  const pkcs1 = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAdistinctivePkcs1Body\n-----END RSA PRIVATE KEY-----";
  await refused(assertionSigner(pkcs1, "RS256")(CLIENT_ID, AUDIENCE, NOW), ["distinctivePkcs1Body"], /PKCS#8/);
});

test("dpopSigner: true makes a pair once; a caller's pair is checked; anything else rejects", async () => {
  const made = dpopSigner(true);
  const a = decoded(await made("POST", "https://a.example/t?x", undefined, undefined, NOW));
  const b = decoded(await made("GET", "https://a.example/r", "n", "tok", NOW + 1));
  assert.deepEqual(a.header.jwk, b.header.jwk);
  assert.equal(a.payload.htu, "https://a.example/t");
  assert.equal(b.payload.ath, sha256b64u("tok"));
  const pair = await generateDpopKeyPair();
  const proof = await dpopSigner(pair)("POST", "https://a.example/t", undefined, undefined, NOW);
  const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", pair.publicKey);
  assert.deepEqual(decoded(proof).header.jwk, { kty, crv, x, y });
  const rsaPair = await rsa("RS256");
  await refused(dpopSigner(rsaPair)("POST", "https://a.example/t", undefined, undefined, NOW));
  await refused(dpopSigner({})("POST", "https://a.example/t", undefined, undefined, NOW));
});

// oauth4webapi 3.x: `oauth.DPoP(client, keyPair)` gives a handle; a protected resource request with a custom fetch
// shows the DPoP header it adds, for the same key pair, URL, method and token.
test("interop: the same header and claim shape as oauth4webapi's DPoP proofs", async () => {
  const pair = await generateDpopKeyPair();
  const url = "https://api.example.com/resource?page=2#top";
  const token = "access-token-value";
  let theirs;
  const options = {
    DPoP: oauth.DPoP({ client_id: "spa" }, pair),
    [oauth.customFetch]: (_, init) => {
      theirs = new Headers(init.headers).get("dpop");
      return Promise.resolve(new Response("{}"));
    },
  };
  await oauth.protectedResourceRequest(token, "GET", new URL(url), new Headers(), null, options);
  assert.ok(theirs, "oauth4webapi sent a DPoP header");
  const now = Math.floor(Date.now() / 1000);
  const ours = await dpopProof(pair, "GET", url, "", token, now);
  const a = decoded(ours);
  const b = decoded(theirs);
  assert.deepEqual(Object.keys(a.header).sort(), Object.keys(b.header).sort());
  assert.equal(a.header.typ, b.header.typ);
  assert.equal(a.header.alg, b.header.alg);
  assert.deepEqual(a.header.jwk, b.header.jwk);
  assert.deepEqual(Object.keys(a.payload).sort(), Object.keys(b.payload).sort());
  for (const claim of ["htm", "htu", "ath"]) assert.equal(a.payload[claim], b.payload[claim], claim);
  assert.ok(Math.abs(a.payload.iat - b.payload.iat) <= 2);
  for (const proof of [ours, theirs]) {
    await jose.jwtVerify(proof, jose.EmbeddedJWK, { typ: "dpop+jwt", algorithms: ["ES256"] });
  }
  assert.equal(await checkDpopKeyPair(pair), await options.DPoP.calculateThumbprint());
});

// oauth4webapi's private_key_jwt assertion, for the same key: ours has each of its claims but `nbf`, which RFC 7523
// does not ask for.
test("interop: the same claims as oauth4webapi's private_key_jwt assertion", async () => {
  const keys = await rsa("RS256");
  const as = { issuer: "https://tenant.example.auth0.com/", token_endpoint: AUDIENCE };
  let body;
  await oauth
    .clientCredentialsGrantRequest(as, { client_id: CLIENT_ID }, oauth.PrivateKeyJwt(keys.privateKey), new URLSearchParams(), {
      [oauth.customFetch]: (_, init) => {
        body = new URLSearchParams(init.body);
        return Promise.resolve(new Response("{}"));
      },
    })
    .catch(() => {});
  const theirs = decoded(body.get("client_assertion"));
  const now = Math.floor(Date.now() / 1000);
  const ours = decoded(await clientAssertion(keys.privateKey, "RS256", CLIENT_ID, AUDIENCE, now));
  assert.deepEqual(ours.header, { alg: "RS256", typ: "JWT" });
  assert.equal(theirs.header.alg, "RS256");
  const theirClaims = Object.keys(theirs.payload).filter((claim) => claim !== "nbf").sort();
  assert.deepEqual(Object.keys(ours.payload).sort(), theirClaims);
  for (const claim of ["iss", "sub"]) assert.equal(ours.payload[claim], theirs.payload[claim], claim);
  assert.equal(body.get("client_assertion_type"), "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
});

// The built package against RFC vectors and, on random cases, against the npm package `otpauth`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes, randomInt } from "node:crypto";
import * as OTPAuth from "otpauth";
import pkg from "./pkg.mjs";

const { Totp, Hotp, base32Encode, base32Decode, generateSecret, parseKeyUri } = pkg;
const ascii = (text) => new TextEncoder().encode(text);
const ALGORITHMS = ["SHA1", "SHA256", "SHA512"];

test("RFC 6238 Appendix B for SHA1, SHA256 and SHA512", () => {
  const seeds = {
    SHA1: ascii("12345678901234567890"),
    SHA256: ascii("12345678901234567890123456789012"),
    SHA512: ascii("1234567890123456789012345678901234567890123456789012345678901234"),
  };
  const vectors = [
    [59, "94287082", "46119246", "90693936"],
    [1111111109, "07081804", "68084774", "25091201"],
    [1111111111, "14050471", "67062674", "99943326"],
    [1234567890, "89005924", "91819424", "93441116"],
    [2000000000, "69279037", "90698825", "38618901"],
    [20000000000, "65353130", "77737706", "47863826"],
  ];
  for (const [seconds, ...codes] of vectors) {
    ALGORITHMS.forEach((algorithm, i) => {
      const totp = new Totp({ secret: seeds[algorithm], algorithm, digits: 8 });
      assert.equal(totp.generate(seconds * 1000), codes[i], `${algorithm} at ${seconds}`);
      assert.equal(totp.generate(new Date(seconds * 1000)), codes[i]);
    });
  }
});

test("RFC 4226 Appendix D", () => {
  const hotp = new Hotp({ secret: ascii("12345678901234567890") });
  const expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];
  expected.forEach((code, counter) => assert.equal(hotp.generate(counter), code));
});

test("1,000 random TOTP cases agree with otpauth (generate and verify)", () => {
  for (let i = 0; i < 1000; i++) {
    const bytes = randomBytes(randomInt(10, 65));
    const algorithm = ALGORITHMS[randomInt(3)];
    const digits = randomInt(6, 9);
    const period = randomInt(1, 121);
    const timestamp = randomInt(0, 2 ** 47); // milliseconds, to year 6429
    const ours = new Totp({ secret: bytes, algorithm, digits, period });
    const theirs = new OTPAuth.TOTP({ secret: new OTPAuth.Secret({ buffer: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) }), algorithm, digits, period });
    const context = `case ${i}: ${algorithm} digits=${digits} period=${period} t=${timestamp}`;
    assert.equal(ours.generate(timestamp), theirs.generate({ timestamp }), context);
    assert.equal(ours.secret, theirs.secret.base32, context);
    // A code from a neighbouring step: both must find the same offset, or both none.
    const shift = randomInt(-2, 3);
    const code = theirs.generate({ timestamp: timestamp + shift * period * 1000 });
    const found = ours.verify(code, { time: timestamp, window: 1 });
    const delta = theirs.validate({ token: code, timestamp, window: 1 });
    const step = Math.floor(timestamp / 1000 / period);
    assert.deepEqual(found, delta === null ? null : { delta, step: step + delta }, context);
    ours.free();
  }
});

test("1,000 random HOTP cases agree with otpauth", () => {
  for (let i = 0; i < 1000; i++) {
    const bytes = randomBytes(randomInt(10, 65));
    const algorithm = ALGORITHMS[randomInt(3)];
    const digits = randomInt(6, 9);
    const counter = randomInt(0, 2 ** 47);
    const ours = new Hotp({ secret: bytes, algorithm, digits });
    const theirs = new OTPAuth.HOTP({ secret: new OTPAuth.Secret({ buffer: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) }), algorithm, digits });
    assert.equal(ours.generate(counter), theirs.generate({ counter }), `case ${i}`);
    ours.free();
  }
});

test("URIs built by one library parse in the other", () => {
  for (let i = 0; i < 200; i++) {
    const secret = generateSecret();
    const algorithm = ALGORITHMS[randomInt(3)];
    const digits = randomInt(6, 9);
    const period = randomInt(1, 121);
    const issuer = ["ACME Co", "My Test Tenant", "Ünïcødé & Sons"][randomInt(3)];
    const account = ["alice@example.com", "bob+tag@example.com", "carol smith"][randomInt(3)];
    const ours = new Totp({ secret, algorithm, digits, period, issuer, account });
    const parsed = OTPAuth.URI.parse(ours.toUri());
    assert.equal(parsed.secret.base32, secret);
    assert.deepEqual([parsed.issuer, parsed.label, parsed.algorithm, parsed.digits, parsed.period], [issuer, account, algorithm, digits, period]);
    const theirs = new OTPAuth.TOTP({ secret, algorithm, digits, period, issuer, label: account });
    const back = Totp.fromUri(theirs.toString());
    assert.deepEqual([back.secret, back.issuer, back.account, back.algorithm, back.digits, back.period], [secret, issuer, account, algorithm, digits, period]);
    const now = Date.now();
    assert.equal(back.generate(now), theirs.generate({ timestamp: now }));
  }
});

test("real-world URIs: 80-bit, lower-case and spaced secrets, issuer mismatch, unknown parameters, %20 and +", () => {
  const weak = parseKeyUri("otpauth://totp/Example:alice?secret=jbsw y3dp ehpk 3pxp&image=https%3A%2F%2Fexample.com%2Flogo.png");
  assert.deepEqual({ ...weak }, {
    type: "totp", period: 30, secret: "JBSWY3DPEHPK3PXP", algorithm: "SHA1", digits: 6,
    account: "alice", labelIssuer: "Example", bits: 80, weak: true,
  });
  const mismatch = parseKeyUri("otpauth://totp/Old%20Name:bob?secret=JBSWY3DPEHPK3PXP&issuer=New+Name");
  assert.equal(mismatch.labelIssuer, "Old Name");
  assert.equal(mismatch.issuer, "New Name");
  const plus = Totp.fromUri("otpauth://totp/Big%20Corp:john+tag@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Big+Corp");
  assert.equal(plus.account, "john+tag@example.com");
  assert.equal(plus.issuer, "Big Corp");
  const auth0 = "otpauth://totp/My%20Test%20Tenant:user%40example.com?secret=HJ6XM2DNERXDAVCUONGWKRTCMNTU6VDF&issuer=My%20Test%20Tenant&algorithm=SHA1&digits=6&period=30";
  assert.equal(Totp.fromUri(auth0).toUri(), auth0);
  const hotp = Hotp.fromUri("otpauth://hotp/Bank:carol?secret=JBSWY3DPEHPK3PXP&counter=17");
  assert.equal(hotp.counter, 17);
  assert.equal(hotp.generate(), new OTPAuth.HOTP({ secret: "JBSWY3DPEHPK3PXP" }).generate({ counter: 17 }));
});

test("HOTP verify looks ahead only, unless told to look behind (RFC 4226 §7.2)", () => {
  const hotp = new Hotp({ secret: new TextEncoder().encode("12345678901234567890"), counter: 4 });
  // RFC 4226 Appendix D: counter 3 is 969429 (accepted last time), 4 is 338314, 6 is 287922.
  assert.deepEqual(hotp.verify("338314"), { delta: 0, counter: 4 });
  assert.equal(hotp.verify("969429"), null, "the last accepted code");
  assert.equal(hotp.verify("969429", { window: 10 }), null, "a wide window still looks ahead only");
  assert.deepEqual(hotp.verify("969429", { lookBehind: 1 }), { delta: -1, counter: 3 });
  assert.equal(hotp.verify("969429", { lookBehind: 1, afterCounter: 3 }), null, "the replay guard holds");
  assert.equal(hotp.verify("287922"), null, "two ahead, window 1");
  assert.deepEqual(hotp.verify("287922", { window: 2 }), { delta: 2, counter: 6 });
  assert.throws(() => hotp.verify("287922", { window: 11 }), { code: "invalid_option" });
  assert.throws(() => hotp.verify("287922", { lookBehind: 11 }), { code: "invalid_option" });
});

test("secrets under 80 bits are refused; 80 to 127 bits are accepted and weak", () => {
  for (const secret of ["JBSWY3DPEHPK3PX", new Uint8Array(9), "MZXW6YQ="]) {
    assert.throws(() => new Totp({ secret }), { code: "invalid_secret", message: "secret is shorter than 80 bits" });
    assert.throws(() => new Hotp({ secret }), { code: "invalid_secret" });
  }
  assert.throws(() => Totp.fromUri("otpauth://totp/a?secret=MZXW6YQ"), { code: "invalid_uri" });
  assert.throws(() => parseKeyUri("otpauth://totp/a?secret=MZXW6YQ"), { code: "invalid_uri" });
  assert.equal(new Totp({ secret: new Uint8Array(10) }).weak, true);
  assert.equal(new Totp({ secret: new Uint8Array(15) }).weak, true);
  assert.equal(new Totp({ secret: new Uint8Array(16) }).weak, false);
});

test("window, replay guard and period boundaries", () => {
  const totp = new Totp({ secret: "JBSWY3DPEHPK3PXP" });
  const t = 1_699_999_990_000; // 10 s into a step (1_699_999_980 is a multiple of 30)
  const step = totp.counter(t);
  assert.equal(totp.remaining(t), 20);
  assert.equal(totp.remaining(t - 1), 21);
  assert.equal(totp.counter(step * 30_000), step);
  assert.equal(totp.counter(step * 30_000 - 1), step - 1);
  const current = totp.generate(t);
  assert.deepEqual(totp.verify(current, { time: t }), { delta: 0, step });
  assert.deepEqual(totp.verify(current.slice(0, 3) + " " + current.slice(3), { time: t }), { delta: 0, step });
  assert.deepEqual(totp.verify(totp.generate(t - 30_000), { time: t }), { delta: -1, step: step - 1 });
  assert.deepEqual(totp.verify(totp.generate(t + 30_000), { time: t }), { delta: 1, step: step + 1 });
  assert.equal(totp.verify(totp.generate(t - 60_000), { time: t }), null);
  assert.deepEqual(totp.verify(totp.generate(t - 60_000), { time: t, window: 2 }), { delta: -2, step: step - 2 });
  assert.deepEqual(totp.verify(totp.generate(t - 300_000), { time: t, window: 10 }), { delta: -10, step: step - 10 });
  assert.throws(() => totp.verify(current, { time: t, window: 11 }), { code: "invalid_option" });
  assert.equal(totp.verify(current, { time: t, afterStep: step }), null, "replayed");
  assert.deepEqual(totp.verify(current, { time: t, afterStep: step - 1 }), { delta: 0, step });
  // The step comes with the match: verify just before a boundary, keep what it says, and the same code is
  // refused just after it, when a second clock reading would have given the next step.
  const lastMs = (step + 1) * 30_000 - 1;
  const accepted = totp.verify(current, { time: lastMs });
  assert.deepEqual(accepted, { delta: 0, step });
  assert.equal(totp.verify(current, { time: lastMs + 1, afterStep: accepted.step }), null, "replayed after the boundary");
  assert.equal(totp.verify("12345", { time: t }), null, "wrong length is simply no match");
  // A code stays valid to the last second of its step and is replaced at the boundary.
  const boundary = (step + 1) * 30_000;
  assert.equal(totp.generate(boundary - 1), current);
  assert.notEqual(totp.generate(boundary), current);
});

test("secrets, base32 and defaults", () => {
  const secret = generateSecret();
  assert.match(secret, /^[A-Z2-7]{32}$/);
  assert.notEqual(generateSecret(), secret);
  assert.equal(generateSecret(32).length, 52);
  assert.deepEqual([...base32Decode("mzxw 6ytb-oi==")], [...ascii("foobar")]);
  assert.equal(base32Encode(ascii("foobar")), "MZXW6YTBOI");
  const totp = new Totp({ secret });
  assert.deepEqual([totp.algorithm, totp.digits, totp.period, totp.weak, totp.account, totp.issuer], ["SHA1", 6, 30, false, "", undefined]);
  // The current time is the default.
  const now = Date.now();
  const code = totp.generate();
  assert.ok([totp.generate(now), totp.generate(now + 1000)].includes(code));
});

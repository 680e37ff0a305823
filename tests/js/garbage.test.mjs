// Every export called with garbage: each call answers what its contract says, a value of the promised shape or an
// Error with the stable code that input gets; never a wasm trap. Afterwards the module still computes correct codes.
import { test } from "node:test";
import assert from "node:assert/strict";
import vm from "node:vm";
import pkg from "./pkg.mjs";

const { Totp, Hotp, MfaClient, base32Encode, base32Decode, generateSecret, parseKeyUri } = pkg;
const SECRET = "JBSWY3DPEHPK3PXP";
const CODES = new Set(["invalid_argument", "invalid_option", "invalid_secret", "invalid_uri", "invalid_base32", "invalid_time", "invalid_code"]);
// What a login step may answer to garbage: refused arguments, a step out of order, or (for arguments that look
// valid) the unreachable tenant below.
const FLOW_CODES = new Set([...CODES, "invalid_state", "network_error", "client_secret_in_browser"]);

const throwingGetter = Object.defineProperty({}, "secret", { get() { throw new Error("getter"); } });
const throwingProxy = new Proxy({}, { get() { throw new Error("proxy"); }, has() { throw new Error("proxy"); } });
// Built-in values with own properties that lie or throw: the module must read what they hold, not what they say.
const throwing = { get() { throw new Error("own property"); } };
function lyingLength() {
  let reads = 0;
  return Object.defineProperty(new Uint8Array([1, 2, 3, 4]), "length", { get: () => (reads++ % 2 ? 2 : 4) });
}
const throwingLength = () => Object.defineProperty(new Uint8Array([1, 2, 3, 4]), "length", throwing);
const throwingGetTime = () => Object.defineProperty(new Date(59_000), "getTime", throwing);
function trickedSignal() {
  const { signal } = new AbortController();
  return Object.defineProperties(signal, { aborted: throwing, addEventListener: throwing });
}
function revokedProxy() {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}
// The one in GARBAGE: what its options argument is cannot even be asked.
const revoked = revokedProxy();
const GARBAGE = [
  undefined, null, true, false, 0, -1, 1.5, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53), Number.MAX_VALUE, 10n,
  "", " ", "x", "\u0000", "\uD800", "A".repeat(10 * 1024 * 1024), "otpauth://", "otpauth://totp/x?secret=",
  Symbol("s"), {}, [], [1, 2], () => 1, new Date(NaN), new Date(-1), Object.create(null), new Uint8Array(0),
  new Uint8Array(2 * 1024 * 1024), new ArrayBuffer(8), new Map(), throwingGetter, throwingProxy,
  { secret: 42 }, { secret: SECRET, digits: "6" }, { secret: SECRET, digits: 6.5 }, { secret: SECRET, period: 0 },
  { secret: SECRET, period: -30 }, { secret: SECRET, algorithm: "sha3" }, { secret: "not base32!" },
  { secret: SECRET, window: 1e9 }, { time: NaN }, { time: "now" }, { counter: -1 }, { afterStep: -5 },
  { window: -1 }, { secret: { toString() { return SECRET; } } },
  Object.assign(Object.create({ secret: SECRET }), {}), // an inherited field is no option
  lyingLength(), throwingLength(), throwingGetTime(), { secret: lyingLength() }, { time: throwingGetTime() },
  { signal: trickedSignal() }, { signal: { aborted: false, addEventListener() {} } },
  revoked, Object.defineProperty({}, "window", throwing), Object.defineProperty({}, "time", throwing),
];

/** Calls `call` and returns "returned" or the code of the Auth0MfaError it threw; anything else fails. */
function outcome(label, call, isResult) {
  let result;
  try {
    result = call();
  } catch (error) {
    assert.ok(error instanceof Error, `${label}: threw a non-Error ${String(error)}`);
    assert.ok(!(error instanceof WebAssembly.RuntimeError), `${label}: wasm trapped: ${error.message}`);
    assert.equal(error.name, "Auth0MfaError", `${label}: ${error.name}: ${error.message}`);
    assert.ok(CODES.has(error.code), `${label}: unexpected code ${error.code}`);
    assert.ok(error.message.length < 200, `${label}: message too long`);
    assert.ok(!error.message.includes(SECRET), `${label}: message repeats the secret`);
    return error.code;
  }
  assert.ok(isResult(result), `${label}: returned ${describe(result)}`);
  return "returned";
}

/** `call` must give what `expected` says: "returned" (a value `isResult` accepts) or the code it throws. */
function check(label, call, expected, isResult = () => true) {
  assert.equal(outcome(label, call, isResult), expected, label);
}

// What each argument is, by the contracts in the .d.ts, to say what a call must answer.
const MAX_TEXT = 16 * 1024;
const isObjectArg = (v) => typeof v === "object" && v !== null && v !== revoked && !Array.isArray(v);
const own = (v, key) => isObjectArg(v) && Object.hasOwn(v, key);
const isUint8 = (v) => {
  try {
    return Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag).get.call(v) === "Uint8Array";
  } catch {
    return false;
  }
};
const byteLength = (v) => Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), "length").get.call(v);
const isWhole = (v, max = 2 ** 53 - 1) => Number.isSafeInteger(v) && v >= 0 && v <= max;
/** A `Timestamp`, or absent (now): a number of milliseconds from 1970 to what a Date holds, or such a Date. */
function validTime(v) {
  if (v === undefined || v === null) return true;
  let ms = v;
  if (typeof v !== "number") {
    try {
      ms = Date.prototype.getTime.call(v);
    } catch {
      return false;
    }
  }
  return ms >= 0 && ms <= 8.64e15;
}
/** Base32 text of at least 80 bits (leniently: case, spaces, hyphens, padding), as `secret` takes it. */
function validBase32Secret(text) {
  const compact = text.replace(/[\s-]/g, "").replace(/=+$/, "").toUpperCase();
  return /^[A-Z2-7]*$/.test(compact) && Math.floor((compact.length * 5) / 8) >= 10;
}
/** The code `new Totp(v)` / `new Hotp(v)` throws, or "returned". */
function keyOutcome(v, { totp }) {
  if (v === undefined || v === null || !isObjectArg(v)) return "invalid_argument";
  let secret;
  try {
    secret = own(v, "secret") ? v.secret : undefined;
  } catch {
    return "invalid_option";
  }
  if (typeof secret === "string") {
    if (!validBase32Secret(secret)) return "invalid_secret";
  } else if (!isUint8(secret) || byteLength(secret) < 10) {
    return "invalid_secret";
  }
  if (own(v, "algorithm") && !/^SHA-?(1|256|512)$/i.test(String(v.algorithm))) return "invalid_option";
  if (own(v, "digits") && v.digits != null && !(isWhole(v.digits) && v.digits >= 6 && v.digits <= 8)) return "invalid_option";
  if (totp && own(v, "period") && v.period != null && !(isWhole(v.period) && v.period >= 1)) return "invalid_option";
  if (!totp && own(v, "counter") && v.counter != null && !isWhole(v.counter)) return "invalid_option";
  return "returned";
}
/** The code verify's options argument gets, or "returned". `keys` are its whole-number options. */
function verifyOptionsOutcome(v, keys, { time }) {
  if (v === undefined || v === null) return "returned";
  if (!isObjectArg(v)) return "invalid_argument";
  for (const key of [...keys, ...(time ? ["time"] : [])]) {
    let value;
    try {
      value = own(v, key) ? v[key] : undefined;
    } catch {
      return "invalid_option";
    }
    if (value === undefined || value === null) continue;
    if (key === "time") {
      if (!validTime(value)) return "invalid_time";
    } else if (!isWhole(value, key === "window" || key === "lookBehind" ? 10 : undefined)) {
      return "invalid_option";
    }
  }
  return "returned";
}
const isCode = (c) => typeof c === "string" && /^\d{6}$/.test(c);
const isMatchOrNull = (m) => m === null || (Number.isInteger(m.delta) && Number.isInteger(m.step ?? m.counter));

const describe = (value) => {
  try { return typeof value === "string" && value.length > 40 ? `string(${value.length})` : String(value); }
  catch { return typeof value; }
};

test("module functions and constructors answer garbage as their contracts say", () => {
  for (const value of GARBAGE) {
    const label = describe(value);
    const isText = typeof value === "string";
    const encodable = isUint8(value) && byteLength(value) <= 1024 * 1024;
    check(`base32Encode(${label})`, () => base32Encode(value), encodable ? "returned" : "invalid_argument", (t) => /^[A-Z2-7]*$/.test(t));
    const decodable = isText && value.length <= (1024 * 1024 * 8) / 5 + 8;
    const decoded = outcome(`base32Decode(${label})`, () => base32Decode(value), (b) => b instanceof Uint8Array);
    if (!decodable) assert.equal(decoded, "invalid_argument", `base32Decode(${label})`);
    else assert.ok(["returned", "invalid_base32"].includes(decoded), `base32Decode(${label}): ${decoded}`);
    const wantsBytes = value === undefined || value === null || (isWhole(value) && value >= 16 && value <= 64);
    check(`generateSecret(${label})`, () => generateSecret(value), wantsBytes ? "returned" : "invalid_argument", (t) => /^[A-Z2-7]{26,103}$/.test(t));
    // No garbage value is a whole otpauth:// URI with a secret.
    const uriCode = isText && value.length <= MAX_TEXT ? "invalid_uri" : "invalid_argument";
    check(`parseKeyUri(${label})`, () => parseKeyUri(value), uriCode);
    check(`Totp.fromUri(${label})`, () => Totp.fromUri(value), uriCode);
    check(`Hotp.fromUri(${label})`, () => Hotp.fromUri(value), uriCode);
    check(`new Totp(${label})`, () => new Totp(value), keyOutcome(value, { totp: true }), (k) => k instanceof Totp);
    check(`new Hotp(${label})`, () => new Hotp(value), keyOutcome(value, { totp: false }), (k) => k instanceof Hotp);
  }
});

test("methods answer garbage in every position as their contracts say", () => {
  const totp = new Totp({ secret: SECRET });
  const hotp = new Hotp({ secret: SECRET });
  for (const a of GARBAGE) {
    const label = describe(a);
    const time = validTime(a) ? "returned" : "invalid_time";
    check(`totp.generate(${label})`, () => totp.generate(a), time, isCode);
    check(`totp.remaining(${label})`, () => totp.remaining(a), time, (n) => Number.isInteger(n) && n >= 1 && n <= 30);
    check(`totp.counter(${label})`, () => totp.counter(a), time, (n) => Number.isInteger(n) && n >= 0);
    // No garbage string is a code of this key: a string is checked and does not match.
    const code = typeof a === "string" && a.length <= MAX_TEXT ? "returned" : "invalid_code";
    check(`totp.verify(${label})`, () => totp.verify(a), code, (m) => m === null);
    check(`hotp.verify(${label})`, () => hotp.verify(a), code, (m) => m === null);
    const totpOptions = verifyOptionsOutcome(a, ["window", "afterStep"], { time: true });
    check(`totp.verify("123456", ${label})`, () => totp.verify("123456", a), totpOptions, isMatchOrNull);
    const hotpOptions = verifyOptionsOutcome(a, ["counter", "window", "lookBehind", "afterCounter"], { time: false });
    check(`hotp.verify("123456", ${label})`, () => hotp.verify("123456", a), hotpOptions, isMatchOrNull);
    const counter = a === undefined || a === null || isWhole(a) ? "returned" : "invalid_argument";
    check(`hotp.generate(${label})`, () => hotp.generate(a), counter, isCode);
  }
});

test("specific bad inputs get the specific code", () => {
  const code = (call) => { try { call(); } catch (e) { return e.code; } return "no error"; };
  assert.equal(code(() => base32Decode("MZXW1")), "invalid_base32");
  assert.match((() => { try { base32Decode("MZXW 1YTB"); } catch (e) { return e.message; } })(), /position 5/);
  assert.equal(code(() => new Totp({ secret: "MZXW1" })), "invalid_secret");
  assert.equal(code(() => new Totp({ secret: SECRET, digits: 9 })), "invalid_option");
  assert.equal(code(() => new Totp({ secret: SECRET, period: -1 })), "invalid_option");
  assert.equal(code(() => Totp.fromUri("otpauth://totp/x")), "invalid_uri");
  assert.equal(code(() => Totp.fromUri("otpauth://hotp/x?secret=" + SECRET)), "invalid_uri");
  assert.equal(code(() => new Totp({ secret: SECRET }).generate(NaN)), "invalid_time");
  assert.equal(code(() => new Totp({ secret: SECRET }).verify(123456)), "invalid_code");
  assert.equal(code(() => base32Decode("A".repeat(10 * 1024 * 1024))), "invalid_argument");
  assert.equal(code(() => generateSecret(8)), "invalid_argument");
});

/**
 * Runs a constructor or a step and returns "returned" (a constructor's object), or the code it threw or rejected
 * with. Against the unreachable tenant below no step can succeed: a step that resolves fails the test.
 */
async function flowOutcome(label, call) {
  let promise;
  try {
    promise = call();
  } catch (error) {
    assert.equal(error.name, "Auth0MfaError", `${label}: ${error.name}: ${error.message}`);
    assert.ok(FLOW_CODES.has(error.code), `${label}: unexpected code ${error.code}`);
    return error.code;
  }
  if (!(promise instanceof Promise)) {
    assert.ok(promise instanceof MfaClient, `${label}: returned ${describe(promise)}`);
    assert.equal(promise.stage, "start", label);
    return "returned";
  }
  const settled = await promise.then(
    (value) => ({ value }),
    (error) => ({ error }),
  );
  assert.ok("error" in settled, `${label}: resolved ${describe(settled.value)} against an unreachable tenant`);
  const { error } = settled;
  assert.ok(!(error instanceof WebAssembly.RuntimeError), `${label}: wasm trapped: ${error.message}`);
  assert.equal(error.name, "Auth0MfaError", `${label}: ${error.name}: ${error.message}`);
  assert.ok(FLOW_CODES.has(error.code), `${label}: unexpected code ${error.code}`);
  return error.code;
}

/** `flowOutcome` must be one of `expected`. */
async function checkAsync(label, call, expected = FLOW_CODES) {
  const got = await flowOutcome(label, call);
  assert.ok(expected.has(got), `${label}: ${got}, expected one of ${[...expected].join(", ")}`);
}

const one = (code) => new Set([code]);

test("MfaClient: constructor, restore and every method answer garbage with typed errors", async () => {
  // Port 9 (discard) on loopback refuses connections at once: a step that gets past validation fails fast.
  const options = { domain: "http://127.0.0.1:9", clientId: "garbage-client", timeoutMs: 2000 };
  let steps = 0;
  for (const value of GARBAGE) {
    const label = describe(value);
    const text = typeof value === "string";
    // No garbage value has a domain and a client id.
    await checkAsync(`new MfaClient(${label})`, () => new MfaClient(value), one("invalid_argument"));
    await checkAsync(`new MfaClient({...options, domain: ${label}})`, () => new MfaClient({ ...options, domain: value }), new Set(["returned", "invalid_argument", "invalid_option"]));
    const fetchAnswer = value === undefined || value === null || typeof value === "function" ? "returned" : "invalid_option";
    await checkAsync(`new MfaClient({...options, fetch: ${label}})`, () => new MfaClient({ ...options, fetch: value }), one(fetchAnswer));
    await checkAsync(`MfaClient.restore(${label})`, () => MfaClient.restore(value, options), one("invalid_argument"));
    const client = new MfaClient(options);
    const textStep = text ? new Set(["invalid_argument", "invalid_state", "network_error"]) : one("invalid_argument");
    const calls = {
      login: [() => client.login(value, value), text ? new Set(["invalid_argument", "network_error"]) : one("invalid_argument")],
      loginPassword: [() => client.login("user@example.com", value), text ? new Set(["invalid_argument", "network_error"]) : one("invalid_argument")],
      authenticators: [() => client.authenticators(), one("invalid_state")],
      enroll: [() => client.enroll(value), new Set(["invalid_argument", "invalid_state"])],
      challenge: [() => client.challenge(value), new Set(["invalid_argument", "invalid_state"])],
      verifyOtp: [() => client.verifyOtp(value), textStep],
      verifyOob: [() => client.verifyOob(value), textStep],
      verifyRecoveryCode: [() => client.verifyRecoveryCode(value), textStep],
      waitForPush: [() => client.waitForPush(value), new Set(["invalid_argument", "invalid_option", "invalid_state"])],
      deleteAuthenticator: [() => client.deleteAuthenticator(value, value), textStep],
      listAuthenticators: [() => client.listAuthenticators(value), textStep],
    };
    for (const [name, [call, expected]] of Object.entries(calls)) {
      await checkAsync(`client.${name}(${label})`, call, expected);
      steps++;
    }
    assert.equal(client.stage, "start", `${label}: garbage never moves the flow`);
    assert.equal(typeof client.save(), "string");
    client.reset();
  }
  assert.ok(steps >= GARBAGE.length * 11);
});

test("built-in values are read by what they hold: of another realm, or with own properties that lie or throw", async () => {
  const otherRealm = vm.createContext();
  const bytes = [0xff, 0x00, 0x10, 0x20];
  const expected = base32Encode(new Uint8Array(bytes));
  assert.equal(base32Encode(vm.runInContext(`new Uint8Array(${JSON.stringify(bytes)})`, otherRealm)), expected);
  assert.equal(base32Encode(Buffer.from(bytes)), expected);
  assert.equal(base32Encode(new Uint8Array(new Uint8Array([9, ...bytes]).buffer, 1)), expected, "a view at an offset");
  assert.equal(base32Encode(lyingLength()), base32Encode(new Uint8Array([1, 2, 3, 4])));
  assert.equal(base32Encode(throwingLength()), base32Encode(new Uint8Array([1, 2, 3, 4])));
  const detached = new Uint8Array(8);
  structuredClone(detached.buffer, { transfer: [detached.buffer] });
  assert.equal(base32Encode(detached), "");
  check("Int8Array", () => base32Encode(new Int8Array(4)), "invalid_argument");
  check("a DataView", () => base32Encode(new DataView(new ArrayBuffer(4))), "invalid_argument");
  const fake = Object.defineProperty(Object.create(Uint8Array.prototype), "length", { value: 4 });
  check("a look-alike", () => base32Encode(fake), "invalid_argument");

  const rfcSecret = "12345678901234567890";
  const rfc = (secret) => new Totp({ secret, digits: 8 });
  const foreignSecret = vm.runInContext(`new Uint8Array(${JSON.stringify([...Buffer.from(rfcSecret)])})`, otherRealm);
  assert.equal(rfc(foreignSecret).generate(59_000), "94287082");
  const totp = rfc(new TextEncoder().encode(rfcSecret));
  assert.equal(totp.generate(vm.runInContext("new Date(59000)", otherRealm)), "94287082");
  assert.equal(totp.generate(throwingGetTime()), "94287082");

  // waitForPush reads its signal once, up front: a tricked one is refused before the step starts.
  const client = new MfaClient({ domain: "http://127.0.0.1:9", clientId: "garbage-client" });
  await assert.rejects(client.waitForPush({ signal: trickedSignal() }), { name: "Auth0MfaError", code: "invalid_option" });
  await assert.rejects(client.waitForPush({ signal: new AbortController().signal }), { code: "invalid_state" });
  assert.equal(client.stage, "start");
});

test("verify options are read in one call each, with the same answers", () => {
  const totp = new Totp({ secret: new TextEncoder().encode("12345678901234567890"), digits: 8 });
  const otherRealm = vm.createContext();
  assert.deepEqual(totp.verify("94287082", { time: vm.runInContext("new Date(59000)", otherRealm) }), { delta: 0, step: 1 });
  assert.deepEqual(totp.verify("94287082", { time: 89_000, window: 1 }), { delta: -1, step: 1 });
  assert.equal(totp.verify("94287082", { time: 89_000, window: 0 }), null);
  assert.equal(totp.verify("94287082", { time: 59_000, afterStep: 1 }), null, "the step of the code is refused");
  assert.equal(totp.verify("94287082", Object.create({ time: 59_000 })), null, "an inherited option is not read");
  const code = (options) => {
    try {
      return `answered ${JSON.stringify(totp.verify("94287082", options))}`;
    } catch (error) {
      assert.equal(error.name, "Auth0MfaError", error.message);
      return error.code;
    }
  };
  for (const window of ["1", 1.5, -1, 11, 2 ** 53, NaN, {}]) assert.equal(code({ time: 59_000, window }), "invalid_option", String(window));
  for (const time of ["59000", NaN, -1, 8.64e15 + 1, new Date(NaN), {}]) assert.equal(code({ time }), "invalid_time", String(time));
  assert.equal(code(Object.defineProperty({}, "window", throwing)), "invalid_option");
  assert.equal(code(Object.defineProperty({}, "time", throwing)), "invalid_option");
  assert.equal(code(revokedProxy()), "invalid_argument");
  assert.equal(code([]), "invalid_argument");
  assert.equal(code(() => ({})), "invalid_argument");
});

test("the module keeps answering correctly after all of it", () => {
  const totp = new Totp({ secret: new TextEncoder().encode("12345678901234567890"), digits: 8 });
  assert.equal(totp.generate(59_000), "94287082");
  assert.match(generateSecret(), /^[A-Z2-7]{32}$/);
});

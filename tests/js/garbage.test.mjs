// Every export called with garbage: each call either answers or throws an Error with a stable code; never a
// wasm trap. Afterwards the module still computes correct codes.
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
const GARBAGE = [
  undefined, null, true, false, 0, -1, 1.5, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53), Number.MAX_VALUE, 10n,
  "", " ", "x", "\u0000", "\uD800", "A".repeat(10 * 1024 * 1024), "otpauth://", "otpauth://totp/x?secret=",
  Symbol("s"), {}, [], [1, 2], () => 1, new Date(NaN), new Date(-1), Object.create(null), new Uint8Array(0),
  new Uint8Array(2 * 1024 * 1024), new ArrayBuffer(8), new Map(), throwingGetter, throwingProxy,
  { secret: 42 }, { secret: SECRET, digits: "6" }, { secret: SECRET, digits: 6.5 }, { secret: SECRET, period: 0 },
  { secret: SECRET, period: -30 }, { secret: SECRET, algorithm: "sha3" }, { secret: "not base32!" },
  { secret: SECRET, window: 1e9 }, { time: NaN }, { time: "now" }, { counter: -1 }, { afterStep: -5 },
  { window: -1 }, { secret: { toString() { return SECRET; } } },
  Object.assign(Object.create({ secret: SECRET }), {}), // an inherited field is read like an own one
  lyingLength(), throwingLength(), throwingGetTime(), { secret: lyingLength() }, { time: throwingGetTime() },
  { signal: trickedSignal() }, { signal: { aborted: false, addEventListener() {} } },
  revokedProxy(), Object.defineProperty({}, "window", throwing), Object.defineProperty({}, "time", throwing),
];

function check(label, call) {
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
    return "threw";
  }
  return result;
}

const describe = (value) => {
  try { return typeof value === "string" && value.length > 40 ? `string(${value.length})` : String(value); }
  catch { return typeof value; }
};

test("module functions refuse garbage with typed errors", () => {
  for (const value of GARBAGE) {
    const label = describe(value);
    for (const fn of [base32Encode, base32Decode, generateSecret, parseKeyUri, Totp.fromUri, Hotp.fromUri]) {
      check(`${fn.name}(${label})`, () => fn(value));
    }
    check(`new Totp(${label})`, () => new Totp(value));
    check(`new Hotp(${label})`, () => new Hotp(value));
  }
});

test("methods refuse garbage in every position with typed errors", () => {
  const totp = new Totp({ secret: SECRET });
  const hotp = new Hotp({ secret: SECRET });
  for (const a of GARBAGE) {
    const label = describe(a);
    check(`totp.generate(${label})`, () => totp.generate(a));
    check(`totp.remaining(${label})`, () => totp.remaining(a));
    check(`totp.counter(${label})`, () => totp.counter(a));
    check(`totp.verify(${label})`, () => totp.verify(a));
    check(`totp.verify("123456", ${label})`, () => totp.verify("123456", a));
    check(`hotp.generate(${label})`, () => hotp.generate(a));
    check(`hotp.verify(${label})`, () => hotp.verify(a));
    check(`hotp.verify("123456", ${label})`, () => hotp.verify("123456", a));
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

async function checkAsync(label, call) {
  let promise;
  try {
    promise = call();
  } catch (error) {
    // Constructors and getters answer synchronously.
    assert.equal(error.name, "Auth0MfaError", `${label}: ${error.name}: ${error.message}`);
    assert.ok(FLOW_CODES.has(error.code), `${label}: unexpected code ${error.code}`);
    return;
  }
  if (!(promise instanceof Promise)) return;
  try {
    await promise;
  } catch (error) {
    assert.ok(!(error instanceof WebAssembly.RuntimeError), `${label}: wasm trapped: ${error.message}`);
    assert.equal(error.name, "Auth0MfaError", `${label}: ${error.name}: ${error.message}`);
    assert.ok(FLOW_CODES.has(error.code), `${label}: unexpected code ${error.code}`);
  }
}

test("MfaClient: constructor, restore and every method refuse garbage with typed errors", async () => {
  // Port 9 (discard) on loopback refuses connections at once: a step that gets past validation fails fast.
  const options = { domain: "http://127.0.0.1:9", clientId: "garbage-client", timeoutMs: 2000 };
  let steps = 0;
  for (const value of GARBAGE) {
    const label = describe(value);
    await checkAsync(`new MfaClient(${label})`, () => new MfaClient(value));
    await checkAsync(`new MfaClient({...options, domain: ${label}})`, () => new MfaClient({ ...options, domain: value }));
    await checkAsync(`new MfaClient({...options, fetch: ${label}})`, () => new MfaClient({ ...options, fetch: value }));
    await checkAsync(`MfaClient.restore(${label})`, () => MfaClient.restore(value, options));
    const client = new MfaClient(options);
    const calls = {
      login: () => client.login(value, value),
      loginPassword: () => client.login("user@example.com", value),
      authenticators: () => client.authenticators(),
      enroll: () => client.enroll(value),
      challenge: () => client.challenge(value),
      verifyOtp: () => client.verifyOtp(value),
      verifyOob: () => client.verifyOob(value),
      verifyRecoveryCode: () => client.verifyRecoveryCode(value),
      waitForPush: () => client.waitForPush(value),
      deleteAuthenticator: () => client.deleteAuthenticator(value, value),
      listAuthenticators: () => client.listAuthenticators(value),
    };
    for (const [name, call] of Object.entries(calls)) {
      await checkAsync(`client.${name}(${label})`, call);
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
  assert.equal(check("Int8Array", () => base32Encode(new Int8Array(4))), "threw");
  assert.equal(check("a DataView", () => base32Encode(new DataView(new ArrayBuffer(4)))), "threw");
  const fake = Object.defineProperty(Object.create(Uint8Array.prototype), "length", { value: 4 });
  assert.equal(check("a look-alike", () => base32Encode(fake)), "threw");

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

// The OTP test cases as data, for every runtime the package supports: Node (tests/js/otp.test.mjs), Chromium and
// Firefox (tests/e2e/otp-browser.test.mjs) and workerd (tests/js/otp-workerd.test.mjs). Nothing here imports: a case
// gets `lib`, the namespace of an `auth0-mfa-wasm/otp` entry, and `otpauth`, the npm package `otpauth` as the
// reference implementation, so one file runs in a page and in a Worker as it does in Node.
//
// `cases` run against the real package; `trapCases` only against target/otp-panic-probe/, whose OTP module traps in
// `key_code` at counter 2^53 - 1.

export class AssertionError extends Error {
  name = "AssertionError";
}

function show(value) {
  if (typeof value === "string") return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
  if (typeof value === "bigint" || typeof value === "symbol" || typeof value === "function") return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function fail(message, context) {
  throw new AssertionError(context ? `${context}: ${message}` : message);
}

/** `actual` is `expected` (Object.is: NaN is NaN, 0 is not -0). */
export function equal(actual, expected, context) {
  if (!Object.is(actual, expected)) fail(`${show(actual)} !== ${show(expected)}`, context);
}

export function notEqual(actual, other, context) {
  if (Object.is(actual, other)) fail(`${show(actual)} should differ`, context);
}

export function ok(value, context) {
  if (!value) fail(`${show(value)} is not truthy`, context);
}

export function match(text, pattern, context) {
  if (typeof text !== "string" || !pattern.test(text)) fail(`${show(text)} does not match ${pattern}`, context);
}

/** Where `actual` and `expected` first differ, or undefined. Own keys only, enumerable or not, and a missing key is
 * not an `undefined` one; objects must share their prototype (so an array is not a Uint8Array). */
function difference(actual, expected, path) {
  if (Object.is(actual, expected)) return undefined;
  const isObject = (value) => typeof value === "object" && value !== null;
  if (!isObject(actual) || !isObject(expected)) return `${path}: ${show(actual)} !== ${show(expected)}`;
  if (Object.getPrototypeOf(actual) !== Object.getPrototypeOf(expected)) return `${path}: prototypes differ`;
  if (Array.isArray(actual) && actual.length !== expected.length) return `${path}.length: ${actual.length} !== ${expected.length}`;
  const keys = Reflect.ownKeys(expected);
  for (const key of keys) {
    if (!Object.hasOwn(actual, key)) return `${path}.${String(key)} is missing (expected ${show(expected[key])})`;
  }
  for (const key of Reflect.ownKeys(actual)) {
    if (!Object.hasOwn(expected, key)) return `${path}.${String(key)} is not expected (it is ${show(actual[key])})`;
  }
  for (const key of keys) {
    const found = difference(actual[key], expected[key], `${path}.${String(key)}`);
    if (found) return found;
  }
  return undefined;
}

export function deepEqual(actual, expected, context) {
  const found = difference(actual, expected, "value");
  if (found) fail(`${found}\n  actual:   ${show(actual)}\n  expected: ${show(expected)}`, context);
}

/** `run()` throws an Auth0MfaError with `code` and, when given, `message` (a string to equal or a RegExp); the error
 * is returned for further checks. */
export function throws(run, code, message, context) {
  let error;
  try {
    run();
  } catch (thrown) {
    error = thrown;
  }
  if (error === undefined) fail(`nothing thrown; expected ${code}`, context);
  const seen = `${show(error?.name)} ${show(error?.code)} ${show(error?.message)}`;
  if (!(error instanceof Error) || error.name !== "Auth0MfaError") fail(`not an Auth0MfaError: ${seen}`, context);
  if (error.code !== code) fail(`code ${show(error.code)}, expected ${show(code)} (${seen})`, context);
  if (typeof message === "string" && error.message !== message) fail(`message ${show(error.message)}, expected ${show(message)}`, context);
  if (message instanceof RegExp && !message.test(error.message)) fail(`message ${show(error.message)} does not match ${message}`, context);
  return error;
}

// Random values from crypto.getRandomValues, which every runtime here has.
const randomBytes = (length) => crypto.getRandomValues(new Uint8Array(length));
/** A whole number from `min` to `max - 1`, from 53 random bits. */
function randomInt(min, max) {
  const [high, low] = crypto.getRandomValues(new Uint32Array(2));
  return min + Math.floor((((high >>> 5) * 2 ** 26 + (low >>> 6)) / 2 ** 53) * (max - min));
}
const pick = (list) => list[randomInt(0, list.length)];
const hex = (bytes) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");

const ascii = (text) => new TextEncoder().encode(text);
const ALGORITHMS = ["SHA1", "SHA256", "SHA512"];
const RANDOM_CASES = 300;
/** RFC 4226 Appendix D: the HOTP codes of its seed for counters 0 to 9. */
const RFC4226_SEED = "12345678901234567890";
const RFC4226_CODES = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];
/** RFC 6238 Appendix B: seeds per algorithm, and [seconds, SHA1, SHA256, SHA512] 8-digit codes. */
const RFC6238_SEEDS = {
  SHA1: "12345678901234567890",
  SHA256: "12345678901234567890123456789012",
  SHA512: "1234567890123456789012345678901234567890123456789012345678901234",
};
const RFC6238_VECTORS = [
  [59, "94287082", "46119246", "90693936"],
  [1111111109, "07081804", "68084774", "25091201"],
  [1111111111, "14050471", "67062674", "99943326"],
  [1234567890, "89005924", "91819424", "93441116"],
  [2000000000, "69279037", "90698825", "38618901"],
  [20000000000, "65353130", "77737706", "47863826"],
];
const SECRET = "JBSWY3DPEHPK3PXP";
const MB10 = 10 * 1024 * 1024;

/** The otpauth `Secret` of `bytes`, on a copy: the facade must not depend on what otpauth does to its buffer. */
const theirSecret = (otpauth, bytes) => new otpauth.Secret({ buffer: bytes.slice().buffer });

/** Sets `properties` on Object.prototype for `run()`, and always removes them again. */
function withPollutedPrototype(properties, run) {
  const planted = [];
  try {
    for (const [key, value] of Object.entries(properties)) {
      // A property that is there already is not ours to overwrite or delete.
      if (Object.hasOwn(Object.prototype, key)) fail(`Object.prototype.${key} exists before the case`);
      Object.defineProperty(Object.prototype, key, { value, configurable: true, writable: true, enumerable: true });
      planted.push(key);
    }
    run();
  } finally {
    for (const key of planted) delete Object.prototype[key];
  }
}

/** An own getter that throws, as a hostile or buggy options object has. */
const throwingGetter = (object, key) =>
  Object.defineProperty(object, key, {
    enumerable: true,
    get() {
      throw new Error(`getter ${key} threw`);
    },
  });

export const cases = [
  {
    name: "RFC 6238 Appendix B for SHA1, SHA256 and SHA512, with numbers and Dates",
    run({ Totp }) {
      for (const [seconds, ...codes] of RFC6238_VECTORS) {
        ALGORITHMS.forEach((algorithm, i) => {
          const totp = new Totp({ secret: ascii(RFC6238_SEEDS[algorithm]), algorithm, digits: 8 });
          equal(totp.generate(seconds * 1000), codes[i], `${algorithm} at ${seconds}`);
          equal(totp.generate(new Date(seconds * 1000)), codes[i], `${algorithm} at Date ${seconds}`);
          totp.free();
        });
      }
    },
  },
  {
    name: "RFC 4226 Appendix D",
    run({ Hotp }) {
      const hotp = new Hotp({ secret: ascii(RFC4226_SEED) });
      RFC4226_CODES.forEach((code, counter) => equal(hotp.generate(counter), code, `counter ${counter}`));
    },
  },
  {
    name: `${RANDOM_CASES} random TOTP cases agree with otpauth (generate and verify)`,
    run({ Totp }, otpauth) {
      for (let i = 0; i < RANDOM_CASES; i++) {
        const bytes = randomBytes(randomInt(10, 65));
        const algorithm = pick(ALGORITHMS);
        const digits = randomInt(6, 9);
        const period = randomInt(1, 121);
        const timestamp = randomInt(0, 2 ** 47); // milliseconds, to year 6429
        const ours = new Totp({ secret: bytes, algorithm, digits, period });
        const theirs = new otpauth.TOTP({ secret: theirSecret(otpauth, bytes), algorithm, digits, period });
        const context = `case ${i}: ${algorithm} digits=${digits} period=${period} t=${timestamp} secret=${hex(bytes)}`;
        equal(ours.generate(timestamp), theirs.generate({ timestamp }), context);
        equal(ours.secret, theirs.secret.base32, context);
        // A code from a neighbouring step: both must find the same offset, or both none.
        const shift = randomInt(-2, 3);
        const code = theirs.generate({ timestamp: timestamp + shift * period * 1000 });
        const found = ours.verify(code, { time: timestamp, window: 1 });
        const delta = theirs.validate({ token: code, timestamp, window: 1 });
        const step = Math.floor(timestamp / 1000 / period);
        deepEqual(found, delta === null ? null : { delta, step: step + delta }, `${context} shift=${shift}`);
        ours.free();
      }
    },
  },
  {
    name: `${RANDOM_CASES} random HOTP cases agree with otpauth`,
    run({ Hotp }, otpauth) {
      for (let i = 0; i < RANDOM_CASES; i++) {
        const bytes = randomBytes(randomInt(10, 65));
        const algorithm = pick(ALGORITHMS);
        const digits = randomInt(6, 9);
        const counter = randomInt(0, 2 ** 47);
        const ours = new Hotp({ secret: bytes, algorithm, digits });
        const theirs = new otpauth.HOTP({ secret: theirSecret(otpauth, bytes), algorithm, digits });
        equal(ours.generate(counter), theirs.generate({ counter }), `case ${i}: ${algorithm} digits=${digits} counter=${counter} secret=${hex(bytes)}`);
        ours.free();
      }
    },
  },
  {
    name: "the largest counter (2^53 - 1) and the latest Date agree with otpauth",
    run({ Hotp, Totp }, otpauth) {
      for (const algorithm of ALGORITHMS) {
        const hotp = new Hotp({ secret: SECRET, algorithm, digits: 8, counter: Number.MAX_SAFE_INTEGER });
        const expected = new otpauth.HOTP({ secret: SECRET, algorithm, digits: 8 }).generate({ counter: Number.MAX_SAFE_INTEGER });
        equal(hotp.generate(), expected, `${algorithm} HOTP`);
        deepEqual(hotp.verify(expected, { window: 10 }), { delta: 0, counter: Number.MAX_SAFE_INTEGER }, `${algorithm} HOTP verify`);
        const totp = new Totp({ secret: SECRET, algorithm, period: 1 });
        const latest = 8.64e15;
        equal(totp.generate(latest), new otpauth.TOTP({ secret: SECRET, algorithm, period: 1 }).generate({ timestamp: latest }), `${algorithm} TOTP`);
      }
    },
  },
  {
    name: `URIs built by one library parse in the other (${RANDOM_CASES} random keys)`,
    run({ Totp, generateSecret }, otpauth) {
      for (let i = 0; i < RANDOM_CASES; i++) {
        const secret = generateSecret();
        const algorithm = pick(ALGORITHMS);
        const digits = randomInt(6, 9);
        const period = randomInt(1, 121);
        const issuer = pick(["ACME Co", "My Test Tenant", "Ünïcødé & Sons"]);
        const account = pick(["alice@example.com", "bob+tag@example.com", "carol smith"]);
        const context = `case ${i}: ${secret} ${algorithm} digits=${digits} period=${period} ${issuer} / ${account}`;
        const ours = new Totp({ secret, algorithm, digits, period, issuer, account });
        const parsed = otpauth.URI.parse(ours.toUri());
        equal(parsed.secret.base32, secret, context);
        deepEqual([parsed.issuer, parsed.label, parsed.algorithm, parsed.digits, parsed.period], [issuer, account, algorithm, digits, period], context);
        const theirs = new otpauth.TOTP({ secret, algorithm, digits, period, issuer, label: account });
        const back = Totp.fromUri(theirs.toString());
        deepEqual([back.secret, back.issuer, back.account, back.algorithm, back.digits, back.period], [secret, issuer, account, algorithm, digits, period], context);
        const now = Date.now();
        equal(back.generate(now), theirs.generate({ timestamp: now }), context);
        ours.free();
        back.free();
      }
    },
  },
  {
    name: "real-world URIs: 80-bit, lower-case and spaced secrets, issuer mismatch, unknown parameters, %20 and +",
    run({ Totp, Hotp, parseKeyUri }, otpauth) {
      const weak = parseKeyUri("otpauth://totp/Example:alice?secret=jbsw y3dp ehpk 3pxp&image=https%3A%2F%2Fexample.com%2Flogo.png");
      deepEqual({ ...weak }, {
        type: "totp", period: 30, secret: "JBSWY3DPEHPK3PXP", algorithm: "SHA1", digits: 6,
        account: "alice", labelIssuer: "Example", bits: 80, weak: true,
      });
      const mismatch = parseKeyUri("otpauth://totp/Old%20Name:bob?secret=JBSWY3DPEHPK3PXP&issuer=New+Name");
      equal(mismatch.labelIssuer, "Old Name");
      equal(mismatch.issuer, "New Name");
      const plus = Totp.fromUri("otpauth://totp/Big%20Corp:john+tag@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Big+Corp");
      equal(plus.account, "john+tag@example.com");
      equal(plus.issuer, "Big Corp");
      const auth0 = "otpauth://totp/My%20Test%20Tenant:user%40example.com?secret=HJ6XM2DNERXDAVCUONGWKRTCMNTU6VDF&issuer=My%20Test%20Tenant&algorithm=SHA1&digits=6&period=30";
      equal(Totp.fromUri(auth0).toUri(), auth0);
      const hotp = Hotp.fromUri("otpauth://hotp/Bank:carol?secret=JBSWY3DPEHPK3PXP&counter=17");
      equal(hotp.counter, 17);
      equal(hotp.generate(), new otpauth.HOTP({ secret: "JBSWY3DPEHPK3PXP" }).generate({ counter: 17 }));
    },
  },
  {
    name: "HOTP verify looks ahead only, unless told to look behind (RFC 4226 §7.2)",
    run({ Hotp }) {
      const hotp = new Hotp({ secret: ascii(RFC4226_SEED), counter: 4 });
      // RFC 4226 Appendix D: counter 3 is 969429 (accepted last time), 4 is 338314, 6 is 287922.
      deepEqual(hotp.verify("338314"), { delta: 0, counter: 4 });
      equal(hotp.verify("969429"), null, "the last accepted code");
      equal(hotp.verify("969429", { window: 10 }), null, "a wide window still looks ahead only");
      deepEqual(hotp.verify("969429", { lookBehind: 1 }), { delta: -1, counter: 3 });
      equal(hotp.verify("969429", { lookBehind: 1, afterCounter: 3 }), null, "the replay guard holds");
      equal(hotp.verify("287922"), null, "two ahead, window 1");
      deepEqual(hotp.verify("287922", { window: 2 }), { delta: 2, counter: 6 });
      throws(() => hotp.verify("287922", { window: 11 }), "invalid_option");
      throws(() => hotp.verify("287922", { lookBehind: 11 }), "invalid_option");
    },
  },
  {
    name: "secrets under 80 bits are refused; 80 to 127 bits are accepted and weak",
    run({ Totp, Hotp, parseKeyUri }) {
      for (const secret of ["JBSWY3DPEHPK3PX", new Uint8Array(9), "MZXW6YQ="]) {
        throws(() => new Totp({ secret }), "invalid_secret", "secret is shorter than 80 bits", show(secret));
        throws(() => new Hotp({ secret }), "invalid_secret", undefined, show(secret));
      }
      throws(() => Totp.fromUri("otpauth://totp/a?secret=MZXW6YQ"), "invalid_uri");
      throws(() => parseKeyUri("otpauth://totp/a?secret=MZXW6YQ"), "invalid_uri");
      equal(new Totp({ secret: new Uint8Array(10) }).weak, true);
      equal(new Totp({ secret: new Uint8Array(15) }).weak, true);
      equal(new Totp({ secret: new Uint8Array(16) }).weak, false);
    },
  },
  {
    name: "window, replay guard and period boundaries",
    run({ Totp }) {
      const totp = new Totp({ secret: "JBSWY3DPEHPK3PXP" });
      const t = 1_699_999_990_000; // 10 s into a step (1_699_999_980 is a multiple of 30)
      const step = totp.counter(t);
      equal(totp.remaining(t), 20);
      equal(totp.remaining(t - 1), 21);
      equal(totp.counter(step * 30_000), step);
      equal(totp.counter(step * 30_000 - 1), step - 1);
      const current = totp.generate(t);
      deepEqual(totp.verify(current, { time: t }), { delta: 0, step });
      deepEqual(totp.verify(current.slice(0, 3) + " " + current.slice(3), { time: t }), { delta: 0, step });
      deepEqual(totp.verify(totp.generate(t - 30_000), { time: t }), { delta: -1, step: step - 1 });
      deepEqual(totp.verify(totp.generate(t + 30_000), { time: t }), { delta: 1, step: step + 1 });
      equal(totp.verify(totp.generate(t - 60_000), { time: t }), null);
      deepEqual(totp.verify(totp.generate(t - 60_000), { time: t, window: 2 }), { delta: -2, step: step - 2 });
      deepEqual(totp.verify(totp.generate(t - 300_000), { time: t, window: 10 }), { delta: -10, step: step - 10 });
      throws(() => totp.verify(current, { time: t, window: 11 }), "invalid_option");
      equal(totp.verify(current, { time: t, afterStep: step }), null, "replayed");
      deepEqual(totp.verify(current, { time: t, afterStep: step - 1 }), { delta: 0, step });
      // The step comes with the match: verify just before a boundary, keep what it says, and the same code is
      // refused just after it, when a second clock reading would have given the next step.
      const lastMs = (step + 1) * 30_000 - 1;
      const accepted = totp.verify(current, { time: lastMs });
      deepEqual(accepted, { delta: 0, step });
      equal(totp.verify(current, { time: lastMs + 1, afterStep: accepted.step }), null, "replayed after the boundary");
      equal(totp.verify("12345", { time: t }), null, "wrong length is simply no match");
      // A code stays valid to the last second of its step and is replaced at the boundary.
      const boundary = (step + 1) * 30_000;
      equal(totp.generate(boundary - 1), current);
      notEqual(totp.generate(boundary), current);
    },
  },
  {
    name: "secrets, base32 and defaults",
    run({ Totp, base32Encode, base32Decode, generateSecret }) {
      const secret = generateSecret();
      match(secret, /^[A-Z2-7]{32}$/);
      notEqual(generateSecret(), secret);
      equal(generateSecret(32).length, 52);
      equal(generateSecret(16).length, 26);
      equal(generateSecret(64).length, 103);
      deepEqual([...base32Decode("mzxw 6ytb-oi==")], [...ascii("foobar")]);
      equal(base32Encode(ascii("foobar")), "MZXW6YTBOI");
      const totp = new Totp({ secret });
      deepEqual([totp.algorithm, totp.digits, totp.period, totp.weak, totp.account, totp.issuer], ["SHA1", 6, 30, false, "", undefined]);
      // The current time is the default.
      const now = Date.now();
      const code = totp.generate();
      ok([totp.generate(now), totp.generate(now + 1000)].includes(code), `${code} is the code of now`);
    },
  },
  {
    name: "verify answers { delta, step } for TOTP, { delta, counter } for HOTP, and null when nothing matches",
    run({ Totp, Hotp }) {
      // RFC 6238: SHA1, 8 digits, 59 s is step 1 with code 94287082.
      const totp = new Totp({ secret: ascii(RFC6238_SEEDS.SHA1), digits: 8 });
      deepEqual(totp.verify("94287082", { time: 59_000 }), { delta: 0, step: 1 });
      deepEqual(totp.verify("94287082", { time: new Date(89_000) }), { delta: -1, step: 1 });
      deepEqual(totp.verify("9428-7082", { time: 30_000 }), { delta: 0, step: 1 }, "hyphens are ignored");
      for (const code of ["94287083", "9428708", "942870821", "9428708x", "", "９４２８７０８２"]) {
        equal(totp.verify(code, { time: 59_000 }), null, show(code));
      }
      const hotp = new Hotp({ secret: ascii(RFC4226_SEED) });
      deepEqual(hotp.verify("755224"), { delta: 0, counter: 0 });
      deepEqual(hotp.verify("287082"), { delta: 1, counter: 1 });
      deepEqual(hotp.verify("359152", { counter: 1 }), { delta: 1, counter: 2 });
      equal(hotp.verify("359152"), null, "counter 2 is beyond the window");
      equal(hotp.verify("755224", { counter: 1 }), null, "counter 0 is behind");
      deepEqual(hotp.verify("755224", { counter: 0, window: 0 }), { delta: 0, counter: 0 });
      equal(hotp.verify("287082", { window: 0 }), null, "window 0 is the expected counter alone");
      equal(hotp.verify("75522"), null);
    },
  },
  {
    name: "windows above 10 are refused with invalid_option; 0 and 10 are accepted",
    run({ Totp, Hotp }) {
      const totp = new Totp({ secret: SECRET });
      const hotp = new Hotp({ secret: SECRET });
      const totpCode = totp.generate(0);
      const hotpCode = hotp.generate(0);
      for (const window of [11, 100, 2 ** 32, Number.MAX_SAFE_INTEGER, -1, 1.5, NaN, Infinity, "2", 10n, true]) {
        const what = `window ${show(window)}`;
        throws(() => totp.verify(totpCode, { time: 0, window }), "invalid_option", "option window must be a whole number from 0 to 10", what);
        throws(() => hotp.verify(hotpCode, { window }), "invalid_option", "option window must be a whole number from 0 to 10", what);
        throws(() => hotp.verify(hotpCode, { lookBehind: window }), "invalid_option", "option lookBehind must be a whole number from 0 to 10", what);
      }
      for (const window of [0, 10]) {
        deepEqual(totp.verify(totpCode, { time: 0, window }), { delta: 0, step: 0 }, `window ${window}`);
        deepEqual(hotp.verify(hotpCode, { window, lookBehind: window }), { delta: 0, counter: 0 }, `window ${window}`);
      }
    },
  },
  {
    name: "options that are not an object are invalid_argument",
    run({ Totp, Hotp }) {
      for (const Key of [Totp, Hotp]) {
        throws(() => new Key(), "invalid_argument", "options is required", Key.name);
        throws(() => new Key(null), "invalid_argument", "options is required", Key.name);
        for (const options of [SECRET, 42, true, [SECRET], [], () => ({ secret: SECRET }), Symbol("options")]) {
          throws(() => new Key(options), "invalid_argument", "options must be an object", `${Key.name} ${show(options)}`);
        }
      }
      const totp = new Totp({ secret: SECRET });
      const hotp = new Hotp({ secret: SECRET });
      for (const options of ["window", 1, [], [1]]) {
        throws(() => totp.verify("123456", options), "invalid_argument", "options must be an object", show(options));
        throws(() => hotp.verify("123456", options), "invalid_argument", "options must be an object", show(options));
      }
      // Absent options are all defaults: now, with a window of 1 (which also covers the clock ticking over).
      const now = totp.verify(totp.generate(), null);
      ok(now !== null && Math.abs(now.delta) <= 1, `verify(code of now, null) gave ${show(now)}`);
      deepEqual(hotp.verify(hotp.generate(0), null), { delta: 0, counter: 0 });
    },
  },
  {
    name: "a secret of the wrong type is invalid_secret",
    run({ Totp, Hotp }) {
      const wrong = [42, true, {}, [74, 66, 83, 87, 89, 51, 68, 80, 69, 72], new ArrayBuffer(20), new Uint16Array(10),
        new Int8Array(20), new Uint8ClampedArray(20), new DataView(new ArrayBuffer(20)), { length: 20 }, Symbol("secret")];
      for (const Key of [Totp, Hotp]) {
        throws(() => new Key({}), "invalid_secret", "option secret is required", Key.name);
        throws(() => new Key({ secret: undefined }), "invalid_secret", "option secret is required", Key.name);
        throws(() => new Key({ secret: null }), "invalid_secret", "option secret is required", Key.name);
        for (const secret of wrong) {
          throws(() => new Key({ secret }), "invalid_secret", "option secret must be a base32 string or a Uint8Array",
            `${Key.name} ${Object.prototype.toString.call(secret)}`);
        }
      }
      // A Uint8Array is read by what it holds: an own `length` that lies changes nothing.
      const lying = Object.defineProperty(ascii(RFC4226_SEED), "length", { value: 4 });
      equal(new Hotp({ secret: lying }).generate(1), RFC4226_CODES[1]);
    },
  },
  {
    name: "an empty secret is invalid_secret",
    run({ Totp, Hotp, parseKeyUri }) {
      for (const secret of ["", "   ", "====", " - ", new Uint8Array(0)]) {
        throws(() => new Totp({ secret }), "invalid_secret", "secret is empty", show(secret));
        throws(() => new Hotp({ secret }), "invalid_secret", "secret is empty", show(secret));
      }
      throws(() => Totp.fromUri("otpauth://totp/a?secret="), "invalid_uri", "URI secret is empty");
      throws(() => parseKeyUri("otpauth://hotp/a?secret=&counter=1"), "invalid_uri", "URI secret is empty");
    },
  },
  {
    name: "a 10 MB value is refused: invalid_argument (invalid_code for a code), and secrets over 1024 bytes are invalid_secret",
    run({ Totp, Hotp, base32Encode, base32Decode, parseKeyUri }) {
      const huge = "A".repeat(MB10);
      throws(() => new Totp({ secret: huge }), "invalid_argument", /^option secret is longer than \d+ characters$/);
      throws(() => new Hotp({ secret: huge }), "invalid_argument", /^option secret is longer than \d+ characters$/);
      throws(() => new Totp({ secret: new Uint8Array(MB10) }), "invalid_argument", "option secret is larger than 1048576 bytes");
      throws(() => base32Decode(huge), "invalid_argument", /^text is longer than \d+ characters$/);
      throws(() => base32Encode(new Uint8Array(MB10)), "invalid_argument", "bytes is larger than 1048576 bytes");
      const hugeUri = `otpauth://totp/a?secret=${huge}`;
      throws(() => parseKeyUri(hugeUri), "invalid_argument", "uri is longer than 16384 characters");
      throws(() => Totp.fromUri(hugeUri), "invalid_argument", "uri is longer than 16384 characters");
      throws(() => Hotp.fromUri(hugeUri), "invalid_argument", "uri is longer than 16384 characters");
      for (const key of ["account", "issuer", "algorithm"]) {
        throws(() => new Totp({ secret: SECRET, [key]: huge }), "invalid_argument", `option ${key} is longer than 16384 characters`);
      }
      // A code is checked as a code: whatever is not one is invalid_code.
      throws(() => new Totp({ secret: SECRET }).verify(huge), "invalid_code");
      throws(() => new Hotp({ secret: SECRET }).verify(huge), "invalid_code");
      // Within the size limits, a secret longer than any HMAC needs is still refused.
      throws(() => new Totp({ secret: new Uint8Array(1025) }), "invalid_secret", "secret is longer than 1024 bytes");
      throws(() => new Totp({ secret: "A".repeat(1640) }), "invalid_secret", "secret is longer than 1024 bytes");
      equal(new Totp({ secret: new Uint8Array(1024) }).generate(0).length, 6, "1024 bytes are fine");
    },
  },
  {
    name: "codes that are not strings are invalid_code",
    run({ Totp, Hotp }) {
      const totp = new Totp({ secret: SECRET });
      const hotp = new Hotp({ secret: SECRET });
      const code = hotp.generate(0);
      for (const wrong of [Number(code), undefined, null, {}, [code], { toString: () => code }, Symbol("code"), 1n]) {
        throws(() => totp.verify(wrong, { time: 0 }), "invalid_code", "code must be a string", show(wrong));
        throws(() => hotp.verify(wrong), "invalid_code", "code must be a string", show(wrong));
      }
    },
  },
  {
    name: "times that are not a timestamp are invalid_time; absent means now",
    run({ Totp }) {
      const totp = new Totp({ secret: SECRET });
      const message = "time must be milliseconds since the Unix epoch or a Date, at or after 1970-01-01";
      const notDate = { [Symbol.toPrimitive]() { throw new Error("toPrimitive threw"); }, getTime: () => 0 };
      const wrong = [-1, -0.5, NaN, Infinity, -Infinity, 8.64e15 + 1, "0", "2024-01-01", {}, [], new Date(NaN), new Date(-1000), notDate, 0n, true];
      for (const time of wrong) {
        const what = show(time);
        throws(() => totp.generate(time), "invalid_time", message, `generate(${what})`);
        throws(() => totp.counter(time), "invalid_time", message, `counter(${what})`);
        throws(() => totp.remaining(time), "invalid_time", message, `remaining(${what})`);
        throws(() => totp.verify("123456", { time }), "invalid_time", message, `verify time ${what}`);
      }
      equal(totp.generate(8.64e15).length, 6, "the latest Date is a time");
      equal(totp.counter(0), 0);
      // null and undefined are now: the step of now, give or take one if the clock ticks over in between.
      const now = Math.floor(Date.now() / 30_000);
      for (const time of [undefined, null]) ok(Math.abs(totp.counter(time) - now) <= 1, `counter(${time})`);
    },
  },
  {
    name: "counters, byte counts and arguments of the wrong type are invalid_argument",
    run({ Hotp, base32Encode, base32Decode, generateSecret, parseKeyUri, Totp }) {
      const hotp = new Hotp({ secret: SECRET });
      for (const counter of [-1, 1.5, 2 ** 53, NaN, Infinity, "1", 1n, {}, true]) {
        throws(() => hotp.generate(counter), "invalid_argument", "counter must be a whole number from 0 to 9007199254740991", show(counter));
      }
      for (const bytes of [0, 15, 65, 16.5, "20", 20n]) {
        throws(() => generateSecret(bytes), "invalid_argument", "bytes must be a whole number from 16 to 64", show(bytes));
      }
      for (const bytes of ["foobar", [102, 111], new ArrayBuffer(4), new Uint16Array(2), null, undefined, 1]) {
        throws(() => base32Encode(bytes), "invalid_argument", "bytes must be a Uint8Array", show(bytes));
      }
      for (const text of [42, null, undefined, ascii("MZXW6YTBOI"), { toString: () => "MZXW6YTBOI" }]) {
        throws(() => base32Decode(text), "invalid_argument", "text must be a string", show(text));
      }
      for (const uri of [42, null, undefined, new URL("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP")]) {
        throws(() => parseKeyUri(uri), "invalid_argument", "uri must be a string", show(uri));
        throws(() => Totp.fromUri(uri), "invalid_argument", "uri must be a string", show(uri));
        throws(() => Hotp.fromUri(uri), "invalid_argument", "uri must be a string", show(uri));
      }
    },
  },
  {
    name: "options out of range or of the wrong type are invalid_option",
    run({ Totp, Hotp }) {
      const refused = [
        ["algorithm", "MD5", "option algorithm must be SHA1, SHA256 or SHA512"],
        ["algorithm", "", "option algorithm must be SHA1, SHA256 or SHA512"],
        ["algorithm", 1, "option algorithm must be a string"],
        ["digits", 5, "option digits must be a whole number from 6 to 8"],
        ["digits", 9, "option digits must be a whole number from 6 to 8"],
        ["digits", 6.5, "option digits must be a whole number from 6 to 8"],
        ["digits", "6", "option digits must be a whole number from 6 to 8"],
        ["account", 1, "option account must be a string"],
        ["issuer", {}, "option issuer must be a string"],
      ];
      for (const [key, value, message] of refused) {
        throws(() => new Totp({ secret: SECRET, [key]: value }), "invalid_option", message, `Totp ${key} ${show(value)}`);
        throws(() => new Hotp({ secret: SECRET, [key]: value }), "invalid_option", message, `Hotp ${key} ${show(value)}`);
      }
      for (const period of [0, -30, 1.5, "30", 31_536_001]) {
        throws(() => new Totp({ secret: SECRET, period }), "invalid_option", "option period must be a whole number from 1 to 31536000", show(period));
      }
      equal(new Totp({ secret: SECRET, period: 31_536_000 }).period, 31_536_000);
      for (const counter of [-1, 2 ** 53, 0.5, "0"]) {
        throws(() => new Hotp({ secret: SECRET, counter }), "invalid_option", "option counter must be a whole number from 0 to 9007199254740991", show(counter));
        throws(() => new Hotp({ secret: SECRET }).verify("123456", { counter }), "invalid_option", undefined, `verify counter ${show(counter)}`);
      }
      throws(() => new Totp({ secret: SECRET }).verify("123456", { afterStep: -1 }), "invalid_option", "option afterStep must be a whole number from 0 to 9007199254740991");
      throws(() => new Hotp({ secret: SECRET }).verify("123456", { afterCounter: 1.5 }), "invalid_option", "option afterCounter must be a whole number from 0 to 9007199254740991");
      // A number option is never coerced: an object whose valueOf would answer (or throw) is refused unread.
      const coercible = { valueOf() { throw new Error("valueOf called"); } };
      throws(() => new Totp({ secret: SECRET, digits: coercible }), "invalid_option", "option digits must be a whole number from 6 to 8");
      throws(() => new Totp({ secret: SECRET }).verify("123456", { window: { valueOf: () => 1 } }), "invalid_option");
      // Names are read leniently where authenticator apps differ.
      equal(new Totp({ secret: SECRET, algorithm: "sha-256" }).algorithm, "SHA256");
    },
  },
  {
    name: "malformed base32 is invalid_base32 (invalid_secret, invalid_uri in a key) naming the position",
    run({ Totp, Hotp, base32Decode, parseKeyUri }) {
      const malformed = [
        ["MZXW6Y!B", "invalid base32 character at position 6"],
        ["mzxw 6y1b", "invalid base32 character at position 7"], // 1 is not base32; spaces count as positions
        ["MZXW6Y0B", "invalid base32 character at position 6"],
        ["MZXW6YTBOI=A", "padding '=' at position 10 is followed by data"],
        ["MZX", "3 base32 characters cannot encode whole bytes"],
        ["M", "1 base32 characters cannot encode whole bytes"],
        ["ſ", "invalid base32 character at position 0"], // its upper case is S, but it is not ASCII
        ["MZXW\u{1F600}Y", "invalid base32 character at position 4"],
      ];
      for (const [text, message] of malformed) throws(() => base32Decode(text), "invalid_base32", message, show(text));
      throws(() => new Totp({ secret: "JBSWY3DPEHPK3PX!" }), "invalid_secret", "secret is not valid base32: invalid base32 character at position 15");
      throws(() => new Hotp({ secret: "JBSW Y3DP EHPK 3PX!" }), "invalid_secret", "secret is not valid base32: invalid base32 character at position 18");
      throws(() => Totp.fromUri("otpauth://totp/a?secret=JBSWY3DPEHPK3PX!"), "invalid_uri", "URI secret is not valid base32: invalid base32 character at position 15");
      throws(() => parseKeyUri("otpauth://hotp/a?secret=JBSWY3DPEHPK3PXP=Q"), "invalid_uri", "URI secret is not valid base32: padding '=' at position 16 is followed by data");
    },
  },
  {
    name: "base32 errors never contain the secret text",
    run({ Totp, Hotp, base32Decode, parseKeyUri }) {
      // Upper-case letters and a bad 8: no run of four of them can occur in an English error message by chance.
      const secret = "ZQXJKVWPLMNBHGFD8YTRZQXJ";
      for (const text of [secret, secret.toLowerCase(), secret.replace(/(.{4})/g, "$1 ")]) {
        const compact = text.replaceAll(" ", "");
        const attempts = [
          () => base32Decode(text),
          () => new Totp({ secret: text }),
          () => new Hotp({ secret: text }),
          () => Totp.fromUri(`otpauth://totp/a?secret=${encodeURIComponent(text)}`),
          () => Hotp.fromUri(`otpauth://hotp/a?secret=${encodeURIComponent(text)}`),
          () => parseKeyUri(`otpauth://totp/a?secret=${encodeURIComponent(text)}`),
        ];
        for (const attempt of attempts) {
          let error;
          try {
            attempt();
          } catch (thrown) {
            error = thrown;
          }
          const context = `${attempt} with ${show(text)}`;
          equal(error?.name, "Auth0MfaError", context);
          equal(error.message.endsWith(`invalid base32 character at position ${text.indexOf("8")}`), true, `${context}: ${error.message}`);
          const said = `${error.message}\n${String(error)}\n${error.stack ?? ""}\n${JSON.stringify(error)}`;
          for (let i = 0; i + 4 <= compact.length; i++) {
            ok(!said.includes(compact.slice(i, i + 4)), `${context}: the error shows ${show(compact.slice(i, i + 4))}`);
          }
        }
      }
    },
  },
  {
    name: "options that throw when read (a getter, a Proxy) are invalid_option",
    run({ Totp, Hotp }) {
      for (const key of ["secret", "algorithm", "digits", "period", "account", "issuer"]) {
        const options = throwingGetter({ secret: SECRET }, key);
        throws(() => new Totp(options), "invalid_option", `option ${key} could not be read`, `Totp getter ${key}`);
      }
      throws(() => new Hotp(throwingGetter({ secret: SECRET }, "counter")), "invalid_option", "option counter could not be read");
      const totp = new Totp({ secret: SECRET });
      const hotp = new Hotp({ secret: SECRET });
      for (const key of ["window", "time", "afterStep"]) {
        throws(() => totp.verify("123456", throwingGetter({}, key)), "invalid_option", `option ${key} could not be read`, `Totp.verify getter ${key}`);
      }
      for (const key of ["window", "counter", "lookBehind", "afterCounter"]) {
        throws(() => hotp.verify("123456", throwingGetter({}, key)), "invalid_option", `option ${key} could not be read`, `Hotp.verify getter ${key}`);
      }
      const boom = () => {
        throw new Error("trap threw");
      };
      // Each trap a property read may go through: describing the property, or getting it (of a property the target
      // has, as a get trap is reached only for those).
      const proxies = (target) => ({
        getOwnPropertyDescriptor: new Proxy(target, { getOwnPropertyDescriptor: boom }),
        get: new Proxy(target, { get: boom }),
        "every trap": new Proxy(target, { getOwnPropertyDescriptor: boom, get: boom, has: boom, ownKeys: boom, getPrototypeOf: boom }),
      });
      for (const [trap, proxy] of Object.entries(proxies({ secret: SECRET }))) {
        throws(() => new Totp(proxy), "invalid_option", "option secret could not be read", `Totp, Proxy ${trap}`);
        throws(() => new Hotp(proxy), "invalid_option", "option secret could not be read", `Hotp, Proxy ${trap}`);
      }
      for (const [trap, proxy] of Object.entries(proxies({ window: 1 }))) {
        throws(() => totp.verify("123456", proxy), "invalid_option", "option window could not be read", `Totp.verify, Proxy ${trap}`);
        throws(() => hotp.verify("123456", proxy), "invalid_option", "option window could not be read", `Hotp.verify, Proxy ${trap}`);
      }
      // A Proxy that answers is read like any object.
      const answering = new Proxy({}, {
        getOwnPropertyDescriptor: (target, key) => (key === "secret" ? { value: SECRET, configurable: true, enumerable: true } : undefined),
        get: (target, key) => (key === "secret" ? SECRET : undefined),
      });
      equal(new Totp(answering).secret, SECRET);
    },
  },
  {
    name: "a revoked Proxy or an array Proxy as options is invalid_argument",
    run({ Totp, Hotp }) {
      const { proxy, revoke } = Proxy.revocable({ secret: SECRET }, {});
      revoke();
      throws(() => new Totp(proxy), "invalid_argument", "options must be an object");
      throws(() => new Hotp(proxy), "invalid_argument", "options must be an object");
      throws(() => new Totp({ secret: SECRET }).verify("123456", proxy), "invalid_argument", "options must be an object");
      throws(() => new Hotp({ secret: SECRET }).verify("123456", proxy), "invalid_argument", "options must be an object");
      throws(() => new Totp(new Proxy([SECRET], {})), "invalid_argument", "options must be an object");
    },
  },
  {
    name: "inherited options are ignored: Object.prototype pollution changes no option",
    run({ Totp, Hotp }) {
      const t = 1_699_999_990_000;
      const totp = new Totp({ secret: ascii(RFC4226_SEED) });
      const hotp = new Hotp({ secret: ascii(RFC4226_SEED), counter: 4 });
      const current = totp.generate(t);
      const fiveBack = totp.generate(t - 150_000);
      const step = totp.counter(t);
      // Each value, were it read, would change the outcome checked below.
      const planted = {
        secret: "JBSWY3DPEHPK3PXP", algorithm: "SHA512", digits: 8, period: 60, counter: 5,
        window: 10, lookBehind: 10, time: 0, afterStep: Number.MAX_SAFE_INTEGER - 1, afterCounter: Number.MAX_SAFE_INTEGER - 1,
      };
      withPollutedPrototype(planted, () => {
        throws(() => new Totp({}), "invalid_secret", "option secret is required");
        throws(() => new Hotp({}), "invalid_secret", "option secret is required");
        const fresh = new Totp({ secret: ascii(RFC4226_SEED) });
        deepEqual([fresh.algorithm, fresh.digits, fresh.period], ["SHA1", 6, 30]);
        // 59 s is step 1 of 30 s: HOTP counter 1 of the same seed.
        equal(fresh.generate(59_000), RFC4226_CODES[1]);
        const freshHotp = new Hotp({ secret: ascii(RFC4226_SEED) });
        equal(freshHotp.counter, 0);
        equal(freshHotp.generate(), RFC4226_CODES[0]);
        deepEqual(totp.verify(current, { time: t }), { delta: 0, step }, "no inherited afterStep");
        const now = totp.verify(totp.generate(), {});
        ok(now !== null && Math.abs(now.delta) <= 1, `no inherited time: verify(code of now, {}) gave ${show(now)}`);
        equal(totp.verify(fiveBack, { time: t }), null, "no inherited window");
        deepEqual(hotp.verify(RFC4226_CODES[4]), { delta: 0, counter: 4 }, "no inherited counter or afterCounter");
        equal(hotp.verify(RFC4226_CODES[3]), null, "no inherited lookBehind");
        equal(hotp.verify(RFC4226_CODES[6]), null, "no inherited window");
      });
      ok(!Object.hasOwn(Object.prototype, "window"), "the planted properties are gone");
      // Inherited from an options object's own prototype: ignored just the same.
      const options = Object.create({ digits: 8, algorithm: "SHA512", window: 10 });
      options.secret = ascii(RFC4226_SEED);
      const inherited = new Totp(options);
      deepEqual([inherited.algorithm, inherited.digits], ["SHA1", 6]);
      equal(inherited.verify(inherited.generate(t - 150_000), Object.assign(Object.create({ window: 10 }), { time: t })), null);
    },
  },
  {
    name: "an inherited issuer or label issuer changes no key, URI or parsed URI",
    run({ Totp, Hotp, parseKeyUri }) {
      const uri = "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP";
      withPollutedPrototype({ issuer: "Evil Corp", labelIssuer: "Evil Corp" }, () => {
        for (const key of [new Totp({ secret: SECRET, account: "alice" }), new Hotp({ secret: SECRET, account: "alice" }), Totp.fromUri(uri)]) {
          equal(key.issuer, undefined, `${key.constructor.name} issuer`);
          ok(!key.toUri().includes("Evil"), `${key.constructor.name} URI ${key.toUri()}`);
        }
        const parsed = parseKeyUri(uri);
        ok(!Object.hasOwn(parsed, "issuer") && !Object.hasOwn(parsed, "labelIssuer"), `parsed ${show(parsed)}`);
      });
    },
  },
  {
    name: "Object.prototype pollution of any name changes no key's codes and breaks no key",
    run({ Hotp, generateSecret }) {
      // Whatever the facade keeps per key, a name planted on Object.prototype must not stand in for it: not a
      // handle (another key's codes), not a freed mark.
      const others = Array.from({ length: 4 }, () => new Hotp({ secret: generateSecret() }));
      const code = () => {
        try {
          return new Hotp({ secret: ascii(RFC4226_SEED) }).generate(1);
        } catch (error) {
          return `${error.code}: ${error.message}`;
        }
      };
      // Every planting is tried, and all that went wrong is reported together.
      const wrong = [];
      const plantings = [{ freed: true }];
      for (const instance of [0, 1, 2]) for (const handle of [1, 2, 3, 4]) plantings.push({ handle, instance });
      for (const planted of plantings) {
        withPollutedPrototype(planted, () => {
          const got = code();
          if (got !== RFC4226_CODES[1]) wrong.push(`Object.prototype ${show(planted)}: ${show(got)}`);
        });
      }
      deepEqual(wrong, [], `the RFC 4226 key's code for counter 1 is ${RFC4226_CODES[1]}`);
      others.forEach((key) => key.free());
    },
  },
  {
    name: "a key used after free() throws invalid_state, also for its secret and URI; free() twice is harmless",
    run({ Totp, Hotp }) {
      const totp = new Totp({ secret: ascii(RFC6238_SEEDS.SHA1), digits: 8 });
      const hotp = new Hotp({ secret: ascii(RFC4226_SEED) });
      const secret = totp.secret;
      equal(totp.generate(59_000), "94287082");
      equal(hotp.generate(0), RFC4226_CODES[0]);
      totp.free();
      hotp.free();
      throws(() => totp.generate(59_000), "invalid_state", "this key was freed");
      throws(() => totp.verify("94287082", { time: 59_000 }), "invalid_state", "this key was freed");
      throws(() => hotp.generate(0), "invalid_state", "this key was freed");
      throws(() => hotp.generate(), "invalid_state", "this key was freed");
      throws(() => hotp.verify(RFC4226_CODES[0]), "invalid_state", "this key was freed");
      totp.free();
      hotp.free();
      throws(() => totp.generate(59_000), "invalid_state", "this key was freed", "after a second free()");
      // Nothing of the secret is left to read, not even through a malformed code or the URI.
      throws(() => totp.verify("12345", { time: 59_000 }), "invalid_state", "this key was freed");
      throws(() => totp.secret, "invalid_state", "this key was freed");
      throws(() => totp.toUri(), "invalid_state", "this key was freed");
      notEqual(secret, "", "the secret was readable before");
      // Other keys, made before and after, are untouched.
      equal(new Hotp({ secret: ascii(RFC4226_SEED) }).generate(1), RFC4226_CODES[1]);
    },
  },
  {
    name: "Symbol.dispose frees the key",
    run({ Totp, Hotp, OtpKey }) {
      equal(typeof Symbol.dispose, "symbol", "the runtime has Symbol.dispose");
      equal(typeof OtpKey.prototype[Symbol.dispose], "function");
      const totp = new Totp({ secret: SECRET });
      const hotp = new Hotp({ secret: SECRET });
      totp.generate(0);
      totp[Symbol.dispose]();
      hotp[Symbol.dispose]();
      throws(() => totp.generate(0), "invalid_state", "this key was freed");
      throws(() => hotp.generate(0), "invalid_state", "this key was freed");
      totp[Symbol.dispose]();
    },
  },
];

// Trap cases: `new Hotp({ secret }).generate(TRAP)` traps inside the probe's OTP module.
const TRAP = Number.MAX_SAFE_INTEGER;

/** `hotp.generate(TRAP)` throws the documented internal_error, which names nothing of the key. */
function expectTrap(hotp, context, keyText = []) {
  const error = throws(() => hotp.generate(TRAP), "internal_error", undefined, context);
  equal(error.restartRequired, true, `${context}: restartRequired`);
  ok(!(error instanceof WebAssembly.RuntimeError), `${context}: the RuntimeError is not what the caller sees`);
  const said = `${error.message}\n${String(error)}\n${JSON.stringify(error)}`;
  for (const text of [...keyText, String(TRAP)]) ok(!said.includes(text), `${context}: the error shows ${show(text)}: ${said}`);
  return error;
}

/** The RFC 4226 and 6238 (SHA1, 8 digits) keys still give their codes. */
function expectRfcCodes(hotp, totp, context) {
  RFC4226_CODES.forEach((code, counter) => equal(hotp.generate(counter), code, `${context}: HOTP counter ${counter}`));
  for (const [seconds, code] of RFC6238_VECTORS) equal(totp.generate(seconds * 1000), code, `${context}: TOTP at ${seconds}`);
}

export const trapCases = [
  {
    name: "a trap throws internal_error (Auth0MfaError, restartRequired) that says nothing of the key",
    run({ Hotp, isAuth0MfaError }) {
      const secret = "ZQXJKVWPLMNBHGFDZQXJKVWP";
      const hotp = new Hotp({ secret, account: "alice@example.com", issuer: "Trap Test Tenant" });
      const error = expectTrap(hotp, "first trap", [secret, secret.slice(0, 8), "alice", "Trap Test"]);
      equal(isAuth0MfaError(error), true);
      deepEqual(Object.keys(error).sort(), ["code", "name", "restartRequired"], "no other fields");
      equal(error.cause, undefined, "no cause carries the module's error");
    },
  },
  {
    name: "after a trap the same Hotp and an earlier Totp give the RFC codes",
    run({ Hotp, Totp }) {
      const hotp = new Hotp({ secret: ascii(RFC4226_SEED), counter: 3 });
      const totp = new Totp({ secret: ascii(RFC6238_SEEDS.SHA1), digits: 8 });
      const others = ALGORITHMS.slice(1).map((algorithm) => new Totp({ secret: ascii(RFC6238_SEEDS[algorithm]), algorithm, digits: 8 }));
      expectRfcCodes(hotp, totp, "before the trap");
      expectTrap(hotp, "trap");
      expectRfcCodes(hotp, totp, "after the trap");
      equal(hotp.generate(), RFC4226_CODES[3], "the key's own counter");
      deepEqual(hotp.verify(RFC4226_CODES[4]), { delta: 1, counter: 4 });
      deepEqual(totp.verify("94287082", { time: 59_000 }), { delta: 0, step: 1 });
      others.forEach((key, i) => {
        for (const [seconds, ...codes] of RFC6238_VECTORS) equal(key.generate(seconds * 1000), codes[i + 1], `${key.algorithm} at ${seconds}`);
      });
    },
  },
  {
    name: "twenty traps in a row are each reported, and the keys work between and after them",
    run({ Hotp, Totp }) {
      const hotp = new Hotp({ secret: ascii(RFC4226_SEED) });
      const totp = new Totp({ secret: ascii(RFC6238_SEEDS.SHA1), digits: 8 });
      for (let i = 0; i < 20; i++) {
        expectTrap(hotp, `trap ${i + 1}`);
        equal(hotp.generate(i % 10), RFC4226_CODES[i % 10], `after trap ${i + 1}`);
      }
      // Traps back to back, with no successful call between them.
      for (let i = 0; i < 20; i++) expectTrap(hotp, `back-to-back trap ${i + 1}`);
      expectRfcCodes(hotp, totp, "after the traps");
    },
  },
  {
    name: "keys made after the restart work, from options and from URIs",
    run({ Hotp, Totp, parseKeyUri }, otpauth) {
      expectTrap(new Hotp({ secret: SECRET }), "trap");
      const hotp = new Hotp({ secret: ascii(RFC4226_SEED) });
      const totp = new Totp({ secret: ascii(RFC6238_SEEDS.SHA1), digits: 8 });
      expectRfcCodes(hotp, totp, "made after the restart");
      const uri = "otpauth://totp/My%20Test%20Tenant:user%40example.com?secret=HJ6XM2DNERXDAVCUONGWKRTCMNTU6VDF&issuer=My%20Test%20Tenant&algorithm=SHA1&digits=6&period=30";
      const fromUri = Totp.fromUri(uri);
      const theirs = new otpauth.TOTP({ secret: parseKeyUri(uri).secret });
      equal(fromUri.generate(1_700_000_000_000), theirs.generate({ timestamp: 1_700_000_000_000 }));
      equal(Hotp.fromUri("otpauth://hotp/Bank:carol?secret=JBSWY3DPEHPK3PXP&counter=17").generate(), new otpauth.HOTP({ secret: SECRET }).generate({ counter: 17 }));
    },
  },
  {
    name: "a key freed before a trap stays freed, and freeing an old instance's key leaves the new instance's keys alone",
    run({ Hotp }) {
      const trigger = new Hotp({ secret: SECRET });
      const freedBefore = new Hotp({ secret: ascii(RFC4226_SEED) });
      const freedAfter = new Hotp({ secret: ascii(RFC4226_SEED) });
      freedBefore.free();
      expectTrap(trigger, "trap");
      throws(() => freedBefore.generate(0), "invalid_state", "this key was freed");
      // Made in the fresh instance, where handles start again: one of them may have the number freedAfter's key had.
      const fresh = Array.from({ length: 16 }, () => new Hotp({ secret: ascii(RFC4226_SEED) }));
      freedAfter.free();
      throws(() => freedAfter.generate(0), "invalid_state", "this key was freed");
      fresh.forEach((key, i) => RFC4226_CODES.forEach((code, counter) => equal(key.generate(counter), code, `fresh key ${i}, counter ${counter}`)));
    },
  },
];

/** Runs `list` against `lib` and `otpauth`: `[{ name, error }]`, `error` null for a case that passed, else its text. */
export async function runCases(list, lib, otpauth) {
  const results = [];
  for (const { name, run } of list) {
    try {
      await run(lib, otpauth);
      results.push({ name, error: null });
    } catch (error) {
      const head = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const stack = String(error?.stack ?? "");
      // V8 stacks start with the message; Firefox and others give the frames alone.
      results.push({ name, error: stack.startsWith(head) ? stack : `${head}\n${stack}` });
    }
  }
  return results;
}

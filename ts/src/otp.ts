// auth0-mfa-wasm/otp: HOTP (RFC 4226) and TOTP (RFC 6238) with SHA-1, SHA-256 and SHA-512, base32, `otpauth://`
// Key URIs and secrets. Arguments, options, base32 and URIs are read here; the OTP module (its own small .wasm)
// keys the HMAC and computes and compares codes.
import {
  __wbg_reset_state as restartModule,
  initSync as initModuleSync,
  key_code,
  key_find,
  key_free,
  key_new,
} from "./auth0_mfa_otp.js";
import * as base32 from "./base32.js";
import { auth0MfaError } from "./errors.js";
import {
  ALGORITHMS,
  DEFAULT_PERIOD,
  DEFAULT_SECRET_BYTES,
  DEFAULT_WINDOW,
  MAX_GENERATED_BYTES,
  MAX_SECRET_BYTES,
  MAX_WINDOW,
  MIN_GENERATED_BYTES,
  MIN_SECRET_BITS,
  NO_MATCH,
  type OtpAlgorithm,
  WEAK_SECRET_BITS,
} from "./otp-constants.js";
import { MAX_BYTES, MAX_SAFE_INTEGER, MAX_TEXT_CHARS, Options, bytes, isUint8Array, optionalCount, text, unixSeconds } from "./read.js";
import { withoutSpacesAndHyphens } from "./text.js";
import * as uri from "./uri.js";

export type { Auth0MfaError, ErrorCode } from "./errors.js";
export { isAuth0MfaError } from "./errors.js";
export type { OtpAlgorithm } from "./otp-constants.js";

/** What loads the OTP module: its URL, a `Response` or its bytes, or a compiled `WebAssembly.Module`. */
export type OtpModuleInput =
  | string
  | URL
  | Request
  | Response
  | BufferSource
  | WebAssembly.Module
  | Promise<Response | BufferSource | WebAssembly.Module>;

let loaded = false;
/** Counts the module's instances: a key made in an earlier one is made again in the current one. */
let instance = 0;

/** Loads the OTP module: by default the `.wasm` next to this file, fetched and compiled as it streams in. Browsers
 * and bundlers call it once before the first key; Node and Workers need not (their entries load the module when
 * imported). Calling it again does nothing. */
export default async function init(input?: { module_or_path?: OtpModuleInput }): Promise<void> {
  if (loaded) return;
  let source = await (input?.module_or_path ?? new URL("auth0_mfa_otp_bg.wasm", import.meta.url));
  if (typeof source === "string" || source instanceof URL || source instanceof Request) source = await fetch(source);
  if (source instanceof Response) {
    if (!source.ok) throw new Error(`could not fetch the OTP module: HTTP ${source.status} from ${source.url}`);
    // Compiled as it streams in when served as wasm; a server that says otherwise gets it compiled once it is in.
    source = source.headers.get("content-type") === "application/wasm"
      ? await WebAssembly.compileStreaming(source)
      : await source.arrayBuffer();
  }
  initSync({ module: source });
}

/** Loads the OTP module from its bytes or a compiled `WebAssembly.Module`, synchronously. */
export function initSync(input: { module: BufferSource | WebAssembly.Module }): void {
  initModuleSync(input);
  loaded = true;
}

/** A call into the module. A trap (a bug in the module) restarts it, so the next call works, and is thrown as
 * `internal_error`; every key goes on as before. */
function inModule<T>(call: () => T): T {
  if (!loaded) throw auth0MfaError("invalid_state", "the OTP module is not loaded: call init() from auth0-mfa-wasm/otp first");
  try {
    return call();
  } catch (error) {
    if (!(error instanceof WebAssembly.RuntimeError)) throw error;
    restartModule();
    instance++;
    throw auth0MfaError("internal_error", "internal error in the OTP module; it was restarted, so the next call works", true);
  }
}

/** A point in time: milliseconds since the Unix epoch (as `Date.now()` returns) or a `Date`. */
export type Timestamp = number | Date;

/** Options for `new Totp(…)`. */
export interface TotpOptions {
  /** The shared secret: base32 text (lenient: lower case, spaces, hyphens and padding are fine) or raw bytes. At
   * least 80 bits (16 base32 characters); under 128 bits it works but is `weak`. */
  secret: string | Uint8Array;
  /** Default `"SHA1"`. */
  algorithm?: OtpAlgorithm;
  /** 6, 7 or 8. Default 6. */
  digits?: number;
  /** Step length in whole seconds, at least 1. Default 30. */
  period?: number;
  /** Account name shown by authenticator apps, e.g. an email address. */
  account?: string;
  /** Service name shown by authenticator apps. */
  issuer?: string;
}

/** Options for `new Hotp(…)`. */
export interface HotpOptions {
  secret: string | Uint8Array;
  algorithm?: OtpAlgorithm;
  digits?: number;
  /** The next counter value (carried in the URI). Default 0. */
  counter?: number;
  account?: string;
  issuer?: string;
}

/** Options for `Totp.verify`. */
export interface TotpVerifyOptions {
  /** Steps accepted either side of the current one, 0 to 10. Default 1 (the previous, current and next code). */
  window?: number;
  /** When to verify. Default: now. */
  time?: Timestamp;
  /** The step of the last code you accepted for this key: codes from that step or earlier are refused (replay guard). */
  afterStep?: number;
}

/** Options for `Hotp.verify`. */
export interface HotpVerifyOptions {
  /** The counter expected next. Default: the key's `counter`. */
  counter?: number;
  /** Counters accepted after `counter` (the look-ahead of RFC 4226 §7.2), 0 to 10. Default 1. */
  window?: number;
  /** Counters accepted before `counter`, 0 to 10. Default 0: their codes were used already. */
  lookBehind?: number;
  /** The last counter you accepted: codes for it or earlier counters are refused (replay guard). */
  afterCounter?: number;
}

/** A TOTP code that matched. */
export interface TotpMatch {
  /** `step` minus the current step: 0, -1 (the previous code), 1, … */
  delta: number;
  /** The step the code belongs to: pass it as `afterStep` next time, so the code cannot be used again. */
  step: number;
}

/** An HOTP code that matched. */
export interface HotpMatch {
  /** `counter` minus the counter expected. */
  delta: number;
  /** The counter the code belongs to: the key's next counter is `counter + 1`. */
  counter: number;
}

/** What an `otpauth://` URI says about a key. */
export interface KeyUriInfo {
  type: "totp" | "hotp";
  /** Upper-case base32 without padding. */
  secret: string;
  algorithm: OtpAlgorithm;
  digits: number;
  /** TOTP only. */
  period?: number;
  /** HOTP only. */
  counter?: number;
  account: string;
  /** The `issuer` parameter. */
  issuer?: string;
  /** The issuer prefix of the label, which may differ from `issuer`. */
  labelIssuer?: string;
  /** Bits in the secret. */
  bits: number;
  /** True when the secret has fewer than 128 bits: usable, but weak. */
  weak: boolean;
}

/** Why `secret` cannot be a key, in words; undefined when it can. */
function secretProblem(secret: Uint8Array): string | undefined {
  if (secret.length === 0) return "secret is empty";
  if (secret.length * 8 < MIN_SECRET_BITS) return `secret is shorter than ${MIN_SECRET_BITS} bits`;
  if (secret.length > MAX_SECRET_BYTES) return `secret is longer than ${MAX_SECRET_BYTES} bytes`;
  return undefined;
}

/** The bytes of a base32 secret, checked; or why it is not one, in words. */
function secretFromBase32(text: string): Uint8Array | string {
  const decoded = base32.decode(text);
  if (typeof decoded === "string") return `secret is not valid base32: ${decoded}`;
  return secretProblem(decoded) ?? decoded;
}

/** Longest base32 text taken: what encodes `MAX_BYTES`. */
const MAX_BASE32_CHARS = Math.floor(MAX_BYTES / 5) * 8 + 8;
/** A TOTP period is at most a year of seconds; anything longer is a mistake, not a policy. */
const MAX_PERIOD = 31_536_000;

/** What a key is made of: enough to make the module's key again after a restart, and to show it. Every field is
 * the object's own, from the start: a property planted on `Object.prototype` must not stand in for one. */
interface Parts extends uri.KeyUri {
  /** The module's handle of the key (0: none yet), and the instance it was made in. */
  handle: number;
  instance: number;
  freed: boolean;
}

/** `key` with no module key made yet. */
const unmade = (key: uri.KeyUri): Parts => ({ ...key, handle: 0, instance: -1, freed: false });

/** Frees the module's key of a key that was collected without `free()`, unless its instance was replaced since. */
const collected = new FinalizationRegistry<Parts>((parts) => {
  if (parts.instance === instance && parts.handle) key_free(parts.handle);
});

/** The parts of `options` that TOTP and HOTP keys share. */
function partsFrom(options: Options): Parts {
  const given = options.get("secret");
  let secret: Uint8Array | string;
  if (given === undefined) {
    secret = "option secret is required";
  } else if (typeof given === "string") {
    secret = secretFromBase32(text(given, "option secret", MAX_BASE32_CHARS));
  } else if (isUint8Array(given)) {
    secret = bytes(given, "option secret");
    secret = secretProblem(secret) ?? secret;
  } else {
    secret = "option secret must be a base32 string or a Uint8Array";
  }
  if (typeof secret === "string") throw auth0MfaError("invalid_secret", secret);
  const name = options.text("algorithm");
  const algorithm = name === undefined ? "SHA1" : uri.algorithmNamed(name);
  if (algorithm === undefined) throw auth0MfaError("invalid_option", "option algorithm must be SHA1, SHA256 or SHA512");
  const digits = options.count("digits", 6, 8) ?? 6;
  const account = options.text("account") ?? "";
  const issuer = options.text("issuer") || undefined;
  return unmade({ totp: true, parameter: 0, secret, algorithm, digits, account, issuer, labelIssuer: undefined });
}

/** The parts an `otpauth://` URI of the kind `totp` (or HOTP) says. */
function partsFromUri(value: unknown, totp: boolean): Parts {
  const parsed = uri.parse(text(value, "uri", MAX_TEXT_CHARS), secretFromBase32);
  if (typeof parsed === "string") throw auth0MfaError("invalid_uri", parsed);
  if (parsed.totp !== totp) {
    const wrong = totp ? "hotp, not totp" : "totp, not hotp";
    throw auth0MfaError("invalid_uri", `URI parameter type is ${wrong}`);
  }
  return unmade(parsed);
}

/** Refuses a key that was freed. */
function live(parts: Parts): Parts {
  if (parts.freed) throw auth0MfaError("invalid_state", "this key was freed");
  return parts;
}

/** The module's handle of the key of `parts`, made on first use and again after a restart. */
function handle(parts: Parts): number {
  live(parts);
  if (parts.instance !== instance || parts.handle === 0) {
    parts.handle = key_new(parts.secret, ALGORITHMS.indexOf(parts.algorithm), parts.digits);
    parts.instance = instance;
  }
  return parts.handle;
}

/** The code for `counter`, padded to the key's digits. */
const codeAt = (parts: Parts, counter: number): string =>
  inModule(() => String(key_code(handle(parts), counter)).padStart(parts.digits, "0"));

/** A code as people type it ("123 456") read as a number, or undefined when it cannot be one of this key's. */
function codeValue(code: string, digits: number): number | undefined {
  const compact = withoutSpacesAndHyphens(code);
  return compact.length === digits && /^[0-9]+$/.test(compact) ? Number(compact) : undefined;
}

/** The code, its options and `window`, as `verify` reads them. A code that is not a string is a wrong code. */
function verifyArguments(value: unknown, given: unknown): [string, Options, number] {
  let codeText: string;
  try {
    codeText = text(value, "code", MAX_TEXT_CHARS);
  } catch {
    throw auth0MfaError("invalid_code", "code must be a string");
  }
  const options = new Options(given, "options");
  return [codeText, options, options.count("window", 0, MAX_WINDOW) ?? DEFAULT_WINDOW];
}

/** `code` against the counters `center - behind ..= center + ahead` after `after`: the offset of the one it
 * matched, or undefined. */
function find(parts: Parts, code: string, center: number, behind: number, ahead: number, after = -1): number | undefined {
  const value = codeValue(code, live(parts).digits);
  if (value === undefined) return undefined;
  const delta = inModule(() => key_find(handle(parts), value, center, behind, ahead, after));
  return delta === NO_MATCH ? undefined : delta;
}

let partsOf: (key: OtpKey) => Parts;

/** A `kind` made from `parts` read elsewhere (a URI), without reading options. */
const fromParts = <K extends OtpKey>(parts: Parts, kind: new (options: never) => K): K => Reflect.construct(OtpKey, [parts], kind);

/** What `Totp` and `Hotp` share: the secret and how codes are made from it, whom the key is for, and its URI. */
export abstract class OtpKey {
  readonly #parts: Parts;

  static {
    partsOf = (key) => key.#parts;
  }

  protected constructor(parts: Parts) {
    this.#parts = parts;
    // Made now, so that a key that cannot be used fails where it is made.
    inModule(() => handle(parts));
    collected.register(this, parts, parts);
  }

  /** The secret as upper-case base32 without padding. */
  get secret(): string {
    return base32.encode(live(this.#parts).secret);
  }

  get algorithm(): OtpAlgorithm {
    return this.#parts.algorithm;
  }

  get digits(): number {
    return this.#parts.digits;
  }

  get account(): string {
    return this.#parts.account;
  }

  /** The `issuer` parameter, else the issuer prefix of the label. */
  get issuer(): string | undefined {
    return this.#parts.issuer ?? this.#parts.labelIssuer;
  }

  /** True when the secret has fewer than 128 bits: it works, but deserves a warning. */
  get weak(): boolean {
    return this.#parts.secret.length * 8 < WEAK_SECRET_BITS;
  }

  /** The `otpauth://` URI of this key, for a QR code. */
  toUri(): string {
    return uri.build(live(this.#parts));
  }

  /** Wipes the secret and releases the module's key; the key cannot be used afterwards. Optional: a key that is no
   * longer reachable is released when it is collected. */
  free(): void {
    const parts = this.#parts;
    if (parts.freed) return;
    parts.secret.fill(0);
    // A key of an instance that was replaced is not freed there: it went with that instance.
    if (parts.instance === instance && parts.handle) key_free(parts.handle);
    parts.freed = true;
    collected.unregister(parts);
  }

  [Symbol.dispose](): void {
    this.free();
  }
}

/** A time-based one-time-password key (RFC 6238). */
export class Totp extends OtpKey {
  /** Creates a key from options; throws `invalid_secret` or `invalid_option` on bad input. */
  constructor(options: TotpOptions) {
    const read = new Options(options, "options", true);
    const parts = partsFrom(read);
    parts.parameter = read.count("period", 1, MAX_PERIOD) ?? DEFAULT_PERIOD;
    super(parts);
  }

  /** Reads an `otpauth://totp/…` URI, such as the `barcode_uri` Auth0 returns on enrollment. */
  static fromUri(uri: string): Totp {
    return fromParts(partsFromUri(uri, true), Totp);
  }

  /** Step length in seconds. */
  get period(): number {
    return partsOf(this).parameter;
  }

  /** The step counter at `time` (default: now): Unix seconds divided by the period. */
  counter(time?: Timestamp): number {
    return Math.floor(unixSeconds(time) / this.period);
  }

  /** The code at `time` (default: now). */
  generate(time?: Timestamp): string {
    return codeAt(partsOf(this), this.counter(time));
  }

  /** Seconds until the code at `time` (default: now) is replaced, from `period` down to 1. */
  remaining(time?: Timestamp): number {
    return this.period - (unixSeconds(time) % this.period);
  }

  /** Checks a code (spaces and hyphens ignored). Returns `{ delta, step }`: the step the code belongs to and its
   * offset from the current one (`0`, `-1`, `1`, …), or `null`. Keep `step` and pass it as `afterStep` next time, so
   * the same code cannot be used twice. */
  verify(code: string, options?: TotpVerifyOptions): TotpMatch | null {
    const [codeText, read, window] = verifyArguments(code, options);
    const step = Math.floor(read.unixSeconds("time") / this.period);
    const after = read.count("afterStep", 0, MAX_SAFE_INTEGER);
    const delta = find(partsOf(this), codeText, step, window, window, after);
    return delta === undefined ? null : { delta, step: step + delta };
  }
}

/** A counter-based one-time-password key (RFC 4226). */
export class Hotp extends OtpKey {
  /** Creates a key from options; throws `invalid_secret` or `invalid_option` on bad input. */
  constructor(options: HotpOptions) {
    const read = new Options(options, "options", true);
    const parts = partsFrom(read);
    parts.totp = false;
    parts.parameter = read.count("counter", 0, MAX_SAFE_INTEGER) ?? 0;
    super(parts);
  }

  /** Reads an `otpauth://hotp/…` URI. */
  static fromUri(uri: string): Hotp {
    return fromParts(partsFromUri(uri, false), Hotp);
  }

  /** The counter the key expects next. */
  get counter(): number {
    return partsOf(this).parameter;
  }

  /** The code for `counter` (default: the key's `counter`). */
  generate(counter?: number): string {
    return codeAt(partsOf(this), optionalCount(counter, "counter", 0, MAX_SAFE_INTEGER) ?? this.counter);
  }

  /** Checks a code (spaces and hyphens ignored) against `counter` and the `window` counters after it (never the
   * ones before, unless `lookBehind` says so: those codes were used). Returns `{ delta, counter }`: the counter the
   * code belongs to and its offset from `counter`, or `null`. Keep `counter + 1` as the key's next counter. */
  verify(code: string, options?: HotpVerifyOptions): HotpMatch | null {
    const [codeText, read, window] = verifyArguments(code, options);
    const counter = read.count("counter", 0, MAX_SAFE_INTEGER) ?? this.counter;
    const lookBehind = read.count("lookBehind", 0, MAX_WINDOW) ?? 0;
    const after = read.count("afterCounter", 0, MAX_SAFE_INTEGER);
    const delta = find(partsOf(this), codeText, counter, lookBehind, window, after);
    return delta === undefined ? null : { delta, counter: counter + delta };
  }
}

/** Encodes bytes as upper-case base32 without padding. */
export function base32Encode(value: Uint8Array): string {
  return base32.encode(bytes(value, "bytes"));
}

/** Decodes base32 leniently (lower case, spaces, hyphens, missing padding). Throws `invalid_base32` naming the
 * position of the first bad character. */
export function base32Decode(value: string): Uint8Array {
  const decoded = base32.decode(text(value, "text", MAX_BASE32_CHARS));
  if (typeof decoded === "string") throw auth0MfaError("invalid_base32", decoded);
  return decoded;
}

/** A new random secret as base32: 20 bytes (160 bits, 32 characters) unless `bytes` (16 to 64) says otherwise. */
export function generateSecret(bytes?: number): string {
  const length = optionalCount(bytes, "bytes", MIN_GENERATED_BYTES, MAX_GENERATED_BYTES) ?? DEFAULT_SECRET_BYTES;
  const random = new Uint8Array(length);
  try {
    globalThis.crypto.getRandomValues(random);
  } catch {
    throw auth0MfaError("random_unavailable", "the platform's secure random number generator is unavailable");
  }
  return base32.encode(random);
}

/** Parses an `otpauth://` URI into its parts without choosing TOTP or HOTP first. */
export function parseKeyUri(value: string): KeyUriInfo {
  const parsed = uri.parse(text(value, "uri", MAX_TEXT_CHARS), secretFromBase32);
  if (typeof parsed === "string") throw auth0MfaError("invalid_uri", parsed);
  const info: KeyUriInfo = {
    type: parsed.totp ? "totp" : "hotp",
    secret: base32.encode(parsed.secret),
    algorithm: parsed.algorithm,
    digits: parsed.digits,
    account: parsed.account,
    bits: parsed.secret.length * 8,
    weak: parsed.secret.length * 8 < WEAK_SECRET_BITS,
  };
  info[parsed.totp ? "period" : "counter"] = parsed.parameter;
  if (parsed.issuer !== undefined) info.issuer = parsed.issuer;
  if (parsed.labelIssuer !== undefined) info.labelIssuer = parsed.labelIssuer;
  return info;
}

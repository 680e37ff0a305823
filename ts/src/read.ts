// Reading what callers pass: arguments and options are checked here, before anything reaches the module, and each
// failure is an Auth0MfaError with its code.
//
// Options are own properties only. An inherited one is not an option: a property planted on Object.prototype by a
// prototype-polluting merge elsewhere in the app must not change a window or a time.
import { auth0MfaError, invalidArgument, invalidOption } from "./errors.js";

/** Longest string accepted where a secret, code, name or URI is expected: far above any real value. */
export const MAX_TEXT_CHARS = 16 * 1024;
/** Largest byte array accepted for a secret or for base32 encoding. */
export const MAX_BYTES = 1024 * 1024;
/** Largest integer a JavaScript number holds exactly. */
export const MAX_SAFE_INTEGER = Number.MAX_SAFE_INTEGER;
/** Latest time a Date can hold, in milliseconds (ECMAScript §21.4.1.1). */
const MAX_TIME_MS = 8.64e15;

// Built-ins that read a value's internal slots, captured when this module loads. Unlike `instanceof` and property
// reads, they accept a value of another realm (an iframe, a Node `vm` context, a test runner's sandbox), and no own
// property or changed prototype can make them lie.
const typedArrayPrototype: object = Object.getPrototypeOf(Uint8Array.prototype);
const slot = (name: PropertyKey) => Object.getOwnPropertyDescriptor(typedArrayPrototype, name)?.get;
const typedArrayKind = slot(Symbol.toStringTag);
const typedArrayLength = slot("length");
const dateGetTime = Date.prototype.getTime;
const hasOwn = Object.hasOwn;
const isArray = Array.isArray;

/** A string argument of at most `max` UTF-16 units, with any lone surrogate made U+FFFD. */
export function text(value: unknown, what: string, max: number): string {
  if (typeof value !== "string") throw invalidArgument(`${what} must be a string`);
  if (value.length > max) throw invalidArgument(`${what} is longer than ${max} characters`);
  return value.toWellFormed();
}

/** The length of `value` if it is a Uint8Array of any realm (a detached one has 0), else -1. */
function uint8ArrayLength(value: unknown): number {
  try {
    return typedArrayKind?.call(value) === "Uint8Array" ? (typedArrayLength?.call(value) as number) : -1;
  } catch {
    return -1;
  }
}

export const isUint8Array = (value: unknown): value is Uint8Array => uint8ArrayLength(value) >= 0;

/** A copy of a byte array argument, read by what it holds: an own `length` that lies changes nothing. */
export function bytes(value: unknown, what: string): Uint8Array {
  const length = uint8ArrayLength(value);
  if (length < 0) throw invalidArgument(`${what} must be a Uint8Array`);
  if (length > MAX_BYTES) throw invalidArgument(`${what} is larger than ${MAX_BYTES} bytes`);
  const copy = new Uint8Array(length);
  // A detached array has length 0, and copying it would throw.
  if (length > 0) copy.set(value as Uint8Array);
  return copy;
}

/** `number` if it is a whole number from `min` to `max`. */
const whole = (number: unknown, min: number, max: number): number | undefined =>
  Number.isSafeInteger(number) && (number as number) >= min && (number as number) <= max ? (number as number) : undefined;

/** A positional whole-number argument; undefined when absent. */
export function optionalCount(value: unknown, what: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const number = whole(value, min, max);
  if (number === undefined) throw invalidArgument(`${what} must be a whole number from ${min} to ${max}`);
  return number;
}

/** A `Timestamp` argument (milliseconds since 1970 or a Date, of any realm) as Unix seconds; absent means now. */
export function unixSeconds(value: unknown): number {
  let millis: unknown = value;
  if (value === undefined || value === null) {
    millis = Date.now();
  } else if (typeof value !== "number") {
    try {
      millis = dateGetTime.call(value as Date);
    } catch {
      millis = -1;
    }
  }
  if (!((millis as number) >= 0 && (millis as number) <= MAX_TIME_MS)) {
    throw auth0MfaError("invalid_time", "time must be milliseconds since the Unix epoch or a Date, at or after 1970-01-01");
  }
  return Math.floor((millis as number) / 1000);
}

/** An options argument: its own properties, read one at a time. Undefined and null mean "all defaults". */
export class Options {
  readonly #object: object | undefined;

  constructor(value: unknown, what: string, required = false) {
    if (value === undefined || value === null) {
      if (required) throw invalidArgument(`${what} is required`);
      this.#object = undefined;
      return;
    }
    let kind = typeof value === "object";
    try {
      kind &&= !isArray(value);
    } catch {
      // A revoked Proxy.
      kind = false;
    }
    if (!kind) throw invalidArgument(`${what} must be an object`);
    this.#object = value as object;
  }

  /** The own property `key`; undefined when absent (or only inherited), undefined or null. A getter or a Proxy that
   * throws is an invalid option, not a crash. */
  get(key: string): unknown {
    const object = this.#object;
    if (object === undefined) return undefined;
    let value: unknown;
    try {
      value = hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined;
    } catch {
      throw invalidOption(key, "could not be read");
    }
    return value ?? undefined;
  }

  text(key: string): string | undefined {
    const value = this.get(key);
    if (value === undefined) return undefined;
    if (typeof value !== "string") throw invalidOption(key, "must be a string");
    return text(value, `option ${key}`, MAX_TEXT_CHARS);
  }

  /** A whole number from `min` to `max`; undefined when absent. */
  count(key: string, min: number, max: number): number | undefined {
    const value = this.get(key);
    if (value === undefined) return undefined;
    const number = whole(value, min, max);
    if (number === undefined) throw invalidOption(key, `must be a whole number from ${min} to ${max}`);
    return number;
  }

  /** A `Timestamp` option as Unix seconds; absent means now. */
  unixSeconds(key: string): number {
    return unixSeconds(this.get(key));
  }
}

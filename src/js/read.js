// Reads of JavaScript values that the module makes in one call each, where doing them from Rust would take several
// calls across the boundary. None of them throws, except `ownOption`: a getter of the caller's that throws is
// answered with THREW.
//
// Options are own properties only. An inherited one is not an option: `Object.prototype.fetch = spy`, planted by a
// prototype-polluting merge elsewhere in the app, must not receive the password.

const hasOwn = Object.hasOwn;

// `object[key]` if `key` is the object's own property, else undefined. Throws what a getter or a Proxy throws.
export function ownOption(object, key) {
  return hasOwn(object, key) ? object[key] : undefined;
}

// Plain numbers come back, not `number | undefined`: returning an optional number costs two writes to wasm memory
// through a DataView, more than the read itself. These mark what is no value; no value read is negative.
const ABSENT = -1;
const INVALID = -2;
const THREW = -3;
const isSafeInteger = Number.isSafeInteger;
const isArray = Array.isArray;

// The own `object[key]` as `read` reads it; THREW when a getter or a Proxy throws.
function readOption(object, key, read) {
  let value;
  try {
    value = ownOption(object, key);
  } catch {
    return THREW;
  }
  return read(value);
}

// A whole number from 0 to 2^53 - 1; ABSENT for undefined or null, INVALID for anything else.
function wholeValue(value) {
  if (value === undefined || value === null) return ABSENT;
  return isSafeInteger(value) && value >= 0 ? value : INVALID;
}

// `object[key]` as `wholeValue` reads it.
export const wholeOption = (object, key) => readOption(object, key, wholeValue);

// What an options argument is: 0 for undefined or null (all defaults), 1 for an object, 2 for anything else (a
// primitive, a function, an array).
export function optionsKind(value) {
  if (value === undefined || value === null) return 0;
  if (typeof value !== "object") return 2;
  try {
    return isArray(value) ? 2 : 1;
  } catch {
    // A revoked Proxy.
    return 2;
  }
}

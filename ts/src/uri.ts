// `otpauth://` Key URIs (the format of Google Authenticator's QR codes, which Auth0's `barcode_uri` follows).
//
// Parsing is lenient where real URIs vary: type and parameter names in any case, unknown parameters ignored, an
// issuer prefix in the label that differs from the `issuer` parameter kept alongside it, `%20` or `+` for a space in
// parameter values, lower-case or padded secrets. In the label `+` stays a plus sign: it is a path, where
// `user+tag@example.com` is a real account name. It is strict where a wrong guess would give wrong codes: a missing
// or invalid secret, an unknown algorithm, digits outside 6–8 or a period below 1 second are errors.
import { encode } from "./base32.js";
import { ALGORITHMS, type OtpAlgorithm } from "./otp-constants.js";
import { trim, trimStart } from "./text.js";

/** Everything a Key URI says about a key; `secret` already checked. Every field is the object's own, `undefined`
 * ones too: none may come from a property planted on `Object.prototype`. */
export interface KeyUri {
  totp: boolean;
  /** The period (TOTP) or the counter (HOTP). */
  parameter: number;
  secret: Uint8Array;
  algorithm: OtpAlgorithm;
  digits: number;
  account: string;
  issuer: string | undefined;
  labelIssuer: string | undefined;
}

/** `name` as `SHA1`, `SHA256` or `SHA512`, in any case and with or without hyphens (`sha-256`); else undefined. */
export function algorithmNamed(name: string): OtpAlgorithm | undefined {
  const compact = asciiUpper(name.replaceAll("-", ""));
  return ALGORITHMS.find((known) => known === compact);
}

const asciiUpper = (text: string): string => text.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
const asciiLower = (text: string): string => text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());

/** `[before, after]` the first `separator`, or undefined. */
function splitOnce(text: string, separator: string): [string, string] | undefined {
  const at = text.indexOf(separator);
  return at < 0 ? undefined : [text.slice(0, at), text.slice(at + 1)];
}

/** `%XX` escapes decoded as UTF-8 (a `%` without two hex digits stays as it is); `+` is a space where `plusIsSpace`.
 * Undefined when the bytes are not UTF-8. Each run of escapes decodes on its own: the characters between runs are
 * whole, so no run can finish a character another began. */
function percentDecode(text: string, plusIsSpace: boolean): string | undefined {
  try {
    return (plusIsSpace ? text.replaceAll("+", " ") : text).replace(/(%[0-9a-f]{2})+/gi, decodeURIComponent);
  } catch {
    return undefined;
  }
}

/** RFC 3986 unreserved characters stay; everything else is percent-encoded, UTF-8, upper-case hex. */
const percentEncode = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** A whole number as `u64::from_str` reads it (digits, an optional `+`), at most 2^53 - 1; else undefined. */
function wholeNumber(text: string | undefined): number | undefined {
  const digits = /^\+?([0-9]+)$/.exec(trim(text ?? ""))?.[1];
  const number = digits === undefined ? NaN : Number(digits);
  return Number.isSafeInteger(number) ? number : undefined;
}

/** The parts of `uri`, or why it cannot be read, in words. `decodeSecret` reads the `secret` parameter. */
export function parse(
  uri: string,
  decodeSecret: (text: string) => Uint8Array | string,
): KeyUri | string {
  const trimmed = trim(uri);
  if (asciiLower(trimmed.slice(0, 10)) !== "otpauth://") return "URI does not start with otpauth://";
  const rest = trimmed.slice(10).split("#")[0] as string;
  const [path, query] = splitOnce(rest, "?") ?? [rest, ""];
  const [kind, label] = splitOnce(path, "/") ?? [path, ""];

  const notUtf8 = "URI label or parameter is not valid UTF-8 after percent-decoding";
  // A literal `:` is the separator, so a colon encoded inside the issuer or the account stays in it; without one,
  // an encoded separator (`%3A`, which the format also allows) splits the decoded label.
  let prefix: string | undefined;
  let account: string | undefined;
  const literal = splitOnce(label, ":");
  if (literal) {
    prefix = percentDecode(literal[0], false);
    account = percentDecode(literal[1], false);
    if (prefix === undefined) return notUtf8;
  } else {
    const decoded = percentDecode(label, false);
    if (decoded === undefined) return notUtf8;
    [prefix, account] = splitOnce(decoded, ":") ?? [undefined, decoded];
  }
  if (account === undefined) return notUtf8;
  const labelIssuer = prefix === undefined ? undefined : trim(prefix) || undefined;
  if (prefix !== undefined) account = trimStart(account);

  // The first occurrence of each parameter wins, as `URLSearchParams.get` does.
  const params = new Map<string, string>();
  for (const pair of query.split("&")) {
    if (pair === "") continue;
    const [name, value] = splitOnce(pair, "=") ?? [pair, ""];
    const decodedName = percentDecode(name, true);
    const decodedValue = percentDecode(value, true);
    if (decodedName === undefined || decodedValue === undefined) return notUtf8;
    const key = asciiLower(decodedName);
    if (!params.has(key)) params.set(key, decodedValue);
  }

  const secretText = params.get("secret");
  if (secretText === undefined) return "URI has no secret parameter";
  const secret = decodeSecret(secretText);
  if (typeof secret === "string") return `URI ${secret}`;
  const algorithmName = params.get("algorithm");
  const algorithm = algorithmName === undefined ? "SHA1" : algorithmNamed(algorithmName);
  if (algorithm === undefined) return "URI parameter algorithm is not SHA1, SHA256 or SHA512";
  const digits = params.has("digits") ? wholeNumber(params.get("digits")) : 6;
  if (digits === undefined || digits < 6 || digits > 8) return "URI parameter digits must be 6, 7 or 8";

  let parameter: number | undefined;
  const totp = asciiLower(kind) === "totp";
  if (totp) {
    parameter = params.has("period") ? wholeNumber(params.get("period")) : 30;
    if (!parameter) return "URI parameter period must be a whole number of seconds, from 1 to 9007199254740991";
  } else if (asciiLower(kind) === "hotp") {
    // The format requires a counter for HOTP; a URI without one starts at 0, as authenticator apps do.
    parameter = params.has("counter") ? wholeNumber(params.get("counter")) : 0;
    if (parameter === undefined) return "URI parameter counter must be a whole number from 0 to 9007199254740991";
  } else {
    return "URI type is neither totp nor hotp";
  }
  const issuer = params.get("issuer") || undefined;
  return { totp, parameter, secret, algorithm, digits, account, issuer, labelIssuer };
}

/** `otpauth://totp/Issuer:account?secret=…&issuer=…&algorithm=…&digits=…&period=…` (or `hotp` and `counter`). */
export function build(key: KeyUri): string {
  const { account, issuer, labelIssuer } = key;
  let uri = `otpauth://${key.totp ? "totp" : "hotp"}/`;
  const prefix = labelIssuer ?? issuer;
  if (prefix !== undefined) uri += `${percentEncode(prefix)}:`;
  // An empty issuer prefix, or the account's own colon would be read as the separator.
  else if (account.includes(":")) uri += ":";
  uri += `${percentEncode(account)}?secret=${encode(key.secret)}`;
  if (issuer !== undefined) uri += `&issuer=${percentEncode(issuer)}`;
  return `${uri}&algorithm=${key.algorithm}&digits=${key.digits}&${key.totp ? "period" : "counter"}=${key.parameter}`;
}

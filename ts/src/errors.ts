// Auth0MfaError: every error the facade throws is built here, by `auth0MfaError`, and asked about here.
import type { ErrorCode } from "./codes.js";

export type { ErrorCode } from "./codes.js";

/** What Auth0 asks of the user before tokens are issued, as its `mfa_required` answer lists it. */
export interface MfaRequirements {
  challenge?: string[];
  enroll?: string[];
}

/** Every error this library throws is an `Error` with a stable, machine-readable `code`. */
export interface Auth0MfaError extends Error {
  name: "Auth0MfaError";
  /** Stable and machine-readable: see `ErrorCode`. */
  code: ErrorCode;
  /** HTTP status of the response behind the error, when there was one. */
  status?: number;
  /** Auth0's `error` field, e.g. `invalid_grant`. */
  error?: string;
  /** Auth0's `error_description`. */
  description?: string;
  /** `rate_limited`: seconds until a retry may succeed, when the server said. */
  retryAfter?: number;
  /** `mfa_required`: the token for the MFA endpoints. Never part of the message, and not enumerable. */
  mfaToken?: string;
  mfaRequirements?: MfaRequirements;
  /** The same step may be tried again: the login kept its stage. */
  retryable?: boolean;
  /** The login cannot go on from here: log in again (`mfa_token` expired or unusable, a refresh token that can no
   * longer be used; `internal_error`). */
  restartRequired?: boolean;
}

const NAME = "Auth0MfaError";

/** The error with `code` and `message`. Messages never hold a secret, a code or a token. */
export function auth0MfaError(code: ErrorCode, message: string, restartRequired?: boolean): Auth0MfaError {
  const error = new Error(message) as Auth0MfaError;
  error.name = NAME;
  error.code = code;
  if (restartRequired) error.restartRequired = true;
  return error;
}

export const invalidArgument = (message: string): Auth0MfaError => auth0MfaError("invalid_argument", message);

export const invalidOption = (key: string, reason: string): Auth0MfaError =>
  auth0MfaError("invalid_option", `option ${key} ${reason}`);

const hasOwn = Object.hasOwn;

/** The own property `key` of `error` if it is a string; undefined for anything else, or when it cannot be read. */
function ownString(error: object, key: string): string | undefined {
  try {
    const value: unknown = hasOwn(error, key) ? (error as Record<string, unknown>)[key] : undefined;
    return typeof value === "string" ? value : undefined;
  } catch {
    // A getter or a Proxy that throws.
    return undefined;
  }
}

/** True for an `Auth0MfaError` whose `code` is one of `codes`: its own `name` and `code`, never inherited ones. */
export function hasCode(error: unknown, codes: readonly ErrorCode[] | undefined): error is Auth0MfaError {
  if (typeof error !== "object" || error === null || ownString(error, "name") !== NAME) return false;
  if (codes === undefined) return true;
  const code = ownString(error, "code");
  return codes.some((known) => known === code);
}

/** Any error thrown by this library. */
export const isAuth0MfaError = (error: unknown): error is Auth0MfaError => hasCode(error, undefined);

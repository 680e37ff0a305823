//! The JavaScript facade: thin `#[wasm_bindgen]` wrappers that validate every input coming from JavaScript and turn
//! every failure into an `Error` with a stable `code`, so that no bad input can reach a panic.

mod client;
pub(crate) mod error;
mod fetch;
mod input;
mod keys;
mod otp;
mod shapes;
mod task;

pub use client::MfaClient;
pub use otp::{Hotp, Totp, base32_decode, base32_encode, generate_secret, parse_key_uri};

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
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

export type ErrorCode =
  | "invalid_secret" | "invalid_base32" | "invalid_uri" | "invalid_option" | "invalid_argument" | "invalid_time"
  | "invalid_code" | "random_unavailable" | "client_secret_in_browser" | "invalid_state"
  | "mfa_required" | "enrollment_required" | "already_enrolled" | "challenge_expired" | "mfa_token_expired" | "mfa_token_invalid" | "invalid_credentials"
  | "invalid_refresh_token" | "invalid_dpop_proof"
  | "too_many_attempts" | "rate_limited" | "user_blocked" | "password_leaked" | "verification_required"
  | "unauthorized_client" | "access_denied" | "push_rejected" | "push_timeout" | "authorization_pending"
  | "slow_down" | "server_error" | "auth0_error" | "network_error" | "timeout" | "aborted" | "invalid_response"
  /** A bug in this library. The module restarted itself: `MfaClient` objects made before it are void (restore a
   * saved login, or start again); everything else works as before. */
  | "internal_error";

/** Options for `new MfaClient(…)`. */
export interface MfaClientOptions {
  /** `tenant.auth0.com`, a custom domain, or a full `https://` URL; `http://` only for localhost. */
  domain: string;
  clientId: string;
  /** Confidential applications only (a server or a Cloudflare Worker). Refused in a browser page or browser worker unless `allowClientSecretInBrowser`. */
  clientSecret?: string;
  /** `private_key_jwt` instead of a secret: the private key of a credential registered for the application, as a
   * `CryptoKey`, a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`) or a private JWK. A new assertion is signed with
   * WebCrypto for every request that authenticates the client. Not with `clientSecret`; refused in a browser page
   * or browser worker unless `allowClientSecretInBrowser`. */
  clientAssertionSigningKey?: CryptoKey | string | JsonWebKey;
  /** The credential's algorithm: `RS256` (default), `RS384` or `PS256`. */
  clientAssertionSigningAlg?: "RS256" | "RS384" | "PS256";
  /** Lets a client secret or signing key be used in a browser page, which exposes it to the user. */
  allowClientSecretInBrowser?: boolean;
  /** DPoP (RFC 9449): `true` makes a non-extractable ES256 key pair for this client; `{ keyPair }` uses yours (pass
   * the same one to `MfaClient.restore` to go on with a saved login). Every token request carries a proof. */
  dpop?: boolean | { keyPair: CryptoKeyPair };
  /** API identifier for the access token. */
  audience?: string;
  /** Default `"openid profile email"`; add `offline_access` for a refresh token. */
  scope?: string;
  /** Connection name: uses the password-realm grant. */
  realm?: string;
  /** Ask for an MFA-API access token (audience `https://{domain}/mfa/`, scopes `enroll read:authenticators remove:authenticators`). */
  mfaApi?: boolean;
  /** Per-request timeout in milliseconds; default 30000. */
  timeoutMs?: number;
  /** A `fetch` to use instead of the global one (a Workers service binding, a proxy). */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** The end user's IP, sent as `auth0-forwarded-for` (server-side only). */
  forwardedFor?: string;
}

export type Stage = "start" | "mfa_required" | "enrolling" | "challenged" | "authenticated" | "failed";
export type AuthenticatorType = "otp" | "sms" | "voice" | "email" | "push" | "recovery-code" | "unknown";

export interface MfaRequirements {
  challenge?: string[];
  enroll?: string[];
}

export interface Tokens {
  accessToken: string;
  /** `Bearer`, or `DPoP` when the tenant bound the tokens to the DPoP key: then call APIs with
   * `Authorization: DPoP <accessToken>` and a proof from `dpopProof`. */
  tokenType: string;
  expiresIn?: number;
  idToken?: string;
  /** With `offline_access`. After `refresh`, the new refresh token when the tenant rotates them (the one sent is
   * then spent); absent when it does not, and the one you have stays good. */
  refreshToken?: string;
  scope?: string;
  /** After `verifyRecoveryCode`: the user's new recovery code. Show it once. */
  recoveryCode?: string;
}

export type LoginResult =
  | { stage: "authenticated"; tokens: Tokens }
  | { stage: "mfa_required"; mfaRequirements?: MfaRequirements };

export interface Authenticator {
  id: string;
  type: AuthenticatorType;
  /** As Auth0 sends it: `otp`, `oob` or `recovery-code`. */
  authenticatorType: string;
  active: boolean;
  oobChannel?: string;
  /** Masked phone number, email address or device name. */
  name?: string;
}

export interface AuthenticatorList {
  /** The ones that can be challenged. */
  active: Authenticator[];
  /** Everything, unconfirmed enrollments included. */
  all: Authenticator[];
}

export type EnrollRequest =
  | { type: "otp" }
  | { type: "sms" | "voice"; phoneNumber: string }
  | { type: "email"; email: string }
  | { type: "push" };

export interface Enrollment {
  type: AuthenticatorType;
  authenticatorType: string;
  /** OTP: the base32 secret to show for manual entry. */
  secret?: string;
  /** OTP: the `otpauth://` URI for a QR code. Push: the URI for the Guardian app. */
  barcodeUri?: string;
  /** OTP: the parameters of `barcodeUri`. */
  otp?: KeyUriInfo;
  oobChannel?: string;
  /** SMS, voice, email: confirm with `verifyOob`. */
  bindingRequired: boolean;
  /** Only with the first enrollment, and only when recovery codes are on: show them once. */
  recoveryCodes: string[];
}

/** For `dpopProof`: the request the proof is for. */
export interface DpopProofRequest {
  /** The HTTP method, e.g. `GET`. */
  method: string;
  /** The URL called; its query and fragment are left out of the proof. */
  url: string;
  /** The access token presented with the proof: the proof then carries its hash (`ath`). */
  accessToken?: string;
  /** The nonce that server sent in `DPoP-Nonce`, when it asks for one. */
  nonce?: string;
}

export type ChallengeRequest = { authenticatorId: string } | { type: "otp" | "sms" | "voice" | "email" | "push" };

export interface ChallengeResult {
  type: AuthenticatorType;
  authenticatorId?: string;
  /** `otp` or `oob`, as Auth0 answered. */
  challengeType: string;
  /** SMS, voice, email: call `verifyOob`. Push: `waitForPush`. OTP: `verifyOtp`. */
  bindingRequired: boolean;
}

export interface PushProgress {
  attempt: number;
  slowDown: boolean;
  nextIntervalMs: number;
  elapsedMs: number;
}

export interface WaitForPushOptions {
  /** Between polls; at least 1000, default 5000. Each `slow_down` adds 5000. */
  intervalMs?: number;
  /** Give up (`push_timeout`) after this long; default 300000. */
  timeoutMs?: number;
  signal?: AbortSignal;
  onPoll?: (progress: PushProgress) => void;
}

/** HMAC hash function of an OTP key. */
export type OtpAlgorithm = "SHA1" | "SHA256" | "SHA512";

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
"#;

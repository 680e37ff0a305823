//! The JavaScript facade: thin `#[wasm_bindgen]` wrappers that validate every input coming from JavaScript and turn
//! every failure into an `Error` with a stable `code`, so that no bad input can reach a panic.

mod client;
pub(crate) mod error;
mod fetch;
mod input;
mod keys;
mod shapes;
mod task;

pub use client::MfaClient;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
import type { MfaRequirements } from "./errors.js";
import type { KeyUriInfo } from "./otp.js";

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
"#;

// The API of the npm package auth0-mfa-emulator (emulator/js/emulator.js).

/** A seed, as `--seed FILE` takes it (emulator/README.md, "Seed format"). */
export interface Seed {
  tenant?: string;
  connection?: string;
  recovery_codes?: boolean;
  mfa_token_ttl_secs?: number;
  push_rejection_error?: "access_denied" | "invalid_grant";
  dpop_nonce_secs?: number;
  users?: SeedUser[];
  clients?: SeedClient[];
}

export type SeedAuthenticator =
  | { type: "otp"; secret: string }
  | { type: "sms" | "voice"; phone_number: string }
  | { type: "email"; email: string }
  | { type: "push"; name?: string; otp_secret?: string };

export interface SeedUser {
  username: string;
  user_id?: string;
  email?: string;
  /** Plain (hashed on load) or a `pbkdf2-sha256$…` hash. */
  password: string;
  /** Whether the password grant asks for MFA; default true. */
  mfa?: boolean;
  blocked?: boolean;
  recovery_code?: string;
  authenticators?: SeedAuthenticator[];
}

export interface SeedClient {
  client_id: string;
  name?: string;
  client_secret?: string;
  auth_method?: "none" | "client_secret_post" | "client_secret_basic" | "private_key_jwt";
  allowed_origins?: string[];
  grant_types?: string[];
  jwt_keys?: { pem: string; alg?: "RS256" | "RS384" | "PS256"; kid?: string; expires_at?: number }[];
  refresh_rotation?: boolean;
  refresh_leeway_secs?: number;
  refresh_absolute_secs?: number;
  refresh_idle_secs?: number;
  mfa_on_refresh?: "never" | "always" | { after_secs: number };
  dpop?: "off" | "allowed" | "required";
  dpop_nonce?: boolean;
  dpop_bind_mfa_token?: boolean;
}

export interface EmulatorOptions {
  /** Default: the shipped seed (emulator/README.md, "Default seed"). */
  seed?: Seed | string;
  /** The tenant's base URL: issuer, MFA audience and discovery URLs. Default: `http://localhost`, or the server's URL once it listens. */
  publicUrl?: string;
  /** Answer CORS for any origin, not only the clients' allowed origins. */
  permissiveCors?: boolean;
  /** `mfa_token` lifetime; default 300. */
  mfaTokenTtlSecs?: number;
}

/** A code "sent" by SMS, voice or email. */
export interface OutboxMessage {
  id: number;
  user: string;
  channel: "sms" | "voice" | "email";
  to: string;
  code: string;
  /** What the code is for, e.g. enrollment or login. */
  purpose: string;
  /** Unix seconds on the tenant's clock. */
  time: number;
}

export interface Push {
  id: string;
  user: string;
  user_id: string;
  kind: "enrollment" | "challenge";
  state: "pending" | "approved" | "rejected" | "expired";
  polls: number;
  created_at: number;
  expires_at: number;
}

export interface Clock {
  now: number;
  now_ms: number;
  frozen: boolean;
}

/** A queued fault (emulator/README.md, "Control plane"). */
export interface Fault {
  endpoint?: string;
  method?: string;
  count?: number;
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  delay_ms?: number;
  drop?: boolean;
  truncate?: boolean;
}

export interface Server {
  /** `http://host:port`, without a trailing slash. */
  url: string;
  port: number;
  host: string;
  close(): Promise<void>;
}

/** An error answer of the control plane. */
export class EmulatorError extends Error {
  readonly status: number;
  /** Its Auth0-shaped body `{ error, error_description }`, or its text. */
  readonly body: unknown;
}

/** One emulated Auth0 tenant, in this process. */
export class Emulator {
  constructor(options?: EmulatorOptions);
  /**
   * Answers like the tenant: `/oauth/token`, `/mfa/*`, `/.well-known/*` and the control plane `/__emu/*`. The URL's
   * origin is not looked at. An own property: pass it wherever a `fetch` goes. Rejects with a `TypeError` for a
   * drop fault, and with the signal's reason when the request's signal aborts.
   */
  readonly fetch: (input: Request | string | URL, init?: RequestInit) => Promise<Response>;
  /** Node only: serves the tenant over HTTP on `host` (default 127.0.0.1) and `port` (default 0, a free one). */
  listen(options?: { port?: number; host?: string }): Promise<Server>;
  /** Calls the control plane; resolves its JSON, or rejects with an `EmulatorError`. */
  control<T = unknown>(method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<T>;
  outbox(filter?: { user?: string }): Promise<OutboxMessage[]>;
  /** The code of the newest message to `user`, if any. */
  lastCode(filter?: { user?: string }): Promise<string | undefined>;
  /** Approves a pending push: `id`, else the newest of `user` (or of anyone). */
  approvePush(which?: { user?: string; id?: string }): Promise<Push>;
  rejectPush(which?: { user?: string; id?: string }): Promise<Push>;
  advanceClock(secs: number): Promise<Clock>;
  setClock(clock: { freeze?: boolean; set?: number; advance?: number }): Promise<Clock>;
  clock(): Promise<Clock>;
  addUser(user: SeedUser): Promise<unknown>;
  addClient(client: SeedClient): Promise<unknown>;
  fault(fault: Fault | Fault[]): Promise<unknown>;
  /** Back to the seed: users, tokens, outbox, pushes, faults, journal, rate limit and clock. */
  reset(): Promise<unknown>;
}

// Compiled with `tsc --noEmit --strict` against the generated .d.ts: every export and method, used the way the
// README shows. A type error here is a broken promise to TypeScript users.
import init, {
  MfaClient, Totp, Hotp, base32Decode, base32Encode, generateSecret, parseKeyUri,
  isAuth0MfaError, isInvalidCode, isMfaRequired, isEnrollmentRequired, isMfaTokenExpired, isInvalidCredentials,
  isTooManyAttempts, isRateLimited, isPushRejected, isPushTimeout, isNetworkError, isTimeout, isInvalidResponse,
  isUserBlocked, isAlreadyEnrolled, isChallengeExpired, isInvalidRefreshToken, isInvalidDpopProof,
  type Auth0MfaError, type AuthenticatorList, type ChallengeResult, type Enrollment, type ErrorCode,
  type HotpMatch, type KeyUriInfo, type LoginResult, type TotpMatch, type MfaClientOptions, type PushProgress, type Stage, type Tokens,
} from "../../pkg/index.js";

export async function signIn(username: string, password: string, readCode: () => Promise<string>): Promise<Tokens> {
  await init();
  const options: MfaClientOptions = { domain: "tenant.auth0.com", clientId: "abc", scope: "openid offline_access", timeoutMs: 10_000 };
  const client = new MfaClient(options);
  const stage: Stage = client.stage;
  void stage;
  const result: LoginResult = await client.login(username, password);
  if (result.stage === "authenticated") return result.tokens;
  const requirements = result.mfaRequirements?.challenge ?? client.mfaRequirements?.enroll ?? [];
  void requirements;
  const list: AuthenticatorList = await client.authenticators();
  if (list.active.length === 0) {
    const enrollment: Enrollment = await client.enroll({ type: "otp" });
    const totp = new Totp({ secret: enrollment.secret ?? "", digits: enrollment.otp?.digits });
    const codes: string[] = enrollment.recoveryCodes;
    void codes;
    return client.verifyOtp(totp.generate());
  }
  const first = list.active[0];
  const challenge: ChallengeResult = await client.challenge(first.id);
  await client.challenge({ type: "otp" });
  await client.challenge({ authenticatorId: first.id });
  if (challenge.type === "push") {
    const controller = new AbortController();
    return client.waitForPush({
      intervalMs: 5000, timeoutMs: 120_000, signal: controller.signal,
      onPoll: (progress: PushProgress) => console.log(progress.attempt, progress.slowDown, progress.nextIntervalMs),
    });
  }
  try {
    return challenge.bindingRequired ? await client.verifyOob(await readCode()) : await client.verifyOtp(await readCode());
  } catch (e) {
    if (isInvalidCode(e)) return client.verifyRecoveryCode(await readCode());
    if (isAuth0MfaError(e)) {
      const error = e as Auth0MfaError;
      const code: ErrorCode = error.code;
      console.log(code, error.status, error.description, error.retryAfter, error.retryable, error.restartRequired);
    }
    throw e;
  } finally {
    const saved: string = client.save();
    MfaClient.restore(saved, options).reset();
  }
}

export async function manage(accessToken: string): Promise<void> {
  const client = new MfaClient({ domain: "https://tenant.auth0.com", clientId: "abc", mfaApi: true, fetch: (input, init) => fetch(input, init) });
  const all = await client.listAuthenticators(accessToken);
  await client.deleteAuthenticator(accessToken, all[0].id);
}

export function otpHelpers(): void {
  const key = new Totp({ secret: generateSecret(), algorithm: "SHA256", digits: 8, period: 60, issuer: "ACME", account: "a@b.c" });
  const found: TotpMatch | null = key.verify("123 456", { window: 1, time: new Date(), afterStep: 10 });
  const offset: number | undefined = found?.delta;
  const lastStep: number | undefined = found?.step;
  const remaining: number = key.remaining();
  const step: number = key.counter(Date.now());
  const uri: string = key.toUri();
  const info: KeyUriInfo = parseKeyUri(uri);
  const weak: boolean = info.weak || key.weak;
  const hotp = Hotp.fromUri("otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter=3");
  const hotpFound: HotpMatch | null = hotp.verify(hotp.generate(4), { counter: 3, window: 2, lookBehind: 1, afterCounter: 2 });
  const hotpOffset: number | undefined = hotpFound?.delta;
  const nextCounter: number | undefined = hotpFound ? hotpFound.counter + 1 : undefined;
  const bytes: Uint8Array = base32Decode(base32Encode(new Uint8Array([1, 2, 3])));
  const predicates = [isMfaRequired, isEnrollmentRequired, isMfaTokenExpired, isInvalidCredentials, isTooManyAttempts,
    isRateLimited, isPushRejected, isPushTimeout, isNetworkError, isTimeout, isInvalidResponse, isUserBlocked,
    isAlreadyEnrolled, isChallengeExpired];
  console.log(offset, lastStep, remaining, step, weak, hotpOffset, nextCounter, bytes, Totp.fromUri(uri).secret, predicates.map((p) => p(null)));
}

// Refresh (with MFA on refresh), private_key_jwt and DPoP, as the README shows them.
export async function refreshAndProve(refreshToken: string, pem: string, key: CryptoKey, keyPair: CryptoKeyPair): Promise<string> {
  const signing: MfaClientOptions = { domain: "tenant.auth0.com", clientId: "abc", clientAssertionSigningKey: pem, clientAssertionSigningAlg: "PS256" };
  const withKey: MfaClientOptions = { domain: "tenant.auth0.com", clientId: "abc", clientAssertionSigningKey: key };
  const withJwk: MfaClientOptions = { domain: "tenant.auth0.com", clientId: "abc", clientAssertionSigningKey: { kty: "RSA", d: "…" } };
  void [signing, withKey, withJwk];
  const client = new MfaClient({ domain: "tenant.auth0.com", clientId: "abc", dpop: { keyPair } });
  new MfaClient({ domain: "tenant.auth0.com", clientId: "abc", dpop: true }).free();
  const result: LoginResult = await client.refresh(refreshToken);
  const tokens: Tokens = result.stage === "authenticated" ? result.tokens : await client.verifyOtp("123456");
  const bound: string = tokens.tokenType;
  void bound;
  try {
    return await client.dpopProof({ method: "GET", url: "https://api.example.com/me", accessToken: tokens.accessToken });
  } catch (error) {
    if (isInvalidRefreshToken(error) || isInvalidDpopProof(error)) throw error;
    const code: ErrorCode = "invalid_refresh_token";
    void code;
    throw error;
  }
}

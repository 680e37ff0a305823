// Compiled with `tsc --noEmit --strict` against the .d.ts emitted from ts/src/: every export of
// `auth0-mfa-wasm/otp`, used the way the README shows. A type error here is a broken promise to TypeScript users.
import init, {
  Hotp, OtpKey, Totp, base32Decode, base32Encode, generateSecret, initSync, isAuth0MfaError, parseKeyUri,
  type Auth0MfaError, type ErrorCode, type HotpMatch, type HotpOptions, type HotpVerifyOptions, type KeyUriInfo,
  type OtpAlgorithm, type OtpModuleInput, type Timestamp, type TotpMatch, type TotpOptions, type TotpVerifyOptions,
} from "../../pkg/otp.js";

export async function load(wasm: OtpModuleInput, bytes: Uint8Array): Promise<void> {
  await init();
  await init({ module_or_path: wasm });
  initSync({ module: bytes });
}

export function keys(lastStep: number): [TotpMatch | null, HotpMatch | null, KeyUriInfo] {
  const options: TotpOptions = { secret: generateSecret(32), algorithm: "SHA512", digits: 8, period: 60, issuer: "ACME", account: "a@b.c" };
  const totp = new Totp(options);
  const when: Timestamp = new Date();
  const verify: TotpVerifyOptions = { window: 2, time: when, afterStep: lastStep };
  const found = totp.verify(totp.generate(when), verify);
  const algorithm: OtpAlgorithm = totp.algorithm;
  const shared: OtpKey = totp;
  console.log(algorithm, shared.secret, shared.weak, shared.issuer, shared.account, shared.digits, totp.period, totp.remaining(), totp.counter());
  const hotpOptions: HotpOptions = { secret: base32Decode(base32Encode(new Uint8Array(20))), counter: 3 };
  const hotp = Hotp.fromUri(new Hotp(hotpOptions).toUri());
  const hotpVerify: HotpVerifyOptions = { counter: 3, window: 2, lookBehind: 1, afterCounter: 2 };
  const hotpFound = hotp.verify(hotp.generate(4), hotpVerify);
  const next: number = hotp.counter + 1;
  void next;
  {
    using disposed = Totp.fromUri(totp.toUri());
    void disposed.generate();
  }
  hotp.free();
  return [found, hotpFound, parseKeyUri(totp.toUri())];
}

export function explain(error: unknown): ErrorCode | undefined {
  if (!isAuth0MfaError(error)) return undefined;
  const typed: Auth0MfaError = error;
  return typed.restartRequired ? "internal_error" : typed.code;
}

// auth0-mfa-wasm: the login client over the login module, and the OTP helpers of auth0-mfa-wasm/otp with their own
// module. `init()` loads both.
import initLogin, { type InitInput, type InitOutput, type SyncInitInput, initSync as initLoginSync } from "./auth0_mfa_wasm.js";
import initOtp, { type OtpModuleInput, initSync as initOtpSync } from "./otp.js";

export * from "./auth0_mfa_wasm.js";
export * from "./codes.js";
export type { Auth0MfaError, MfaRequirements } from "./errors.js";
export {
  Hotp,
  OtpKey,
  Totp,
  base32Decode,
  base32Encode,
  generateSecret,
  isAuth0MfaError,
  parseKeyUri,
} from "./otp.js";
export type {
  HotpMatch,
  HotpOptions,
  HotpVerifyOptions,
  KeyUriInfo,
  OtpAlgorithm,
  OtpModuleInput,
  Timestamp,
  TotpMatch,
  TotpOptions,
  TotpVerifyOptions,
} from "./otp.js";

/** Loads the login module and the OTP module: by default the `.wasm` files next to these modules, fetched and compiled
 * as they stream in. Browsers and bundlers call it once before the first client or key; Node and Workers need not. */
export default async function init(input?: {
  module_or_path?: InitInput | Promise<InitInput>;
  otp?: OtpModuleInput;
}): Promise<InitOutput> {
  const [output] = await Promise.all([
    initLogin(input?.module_or_path === undefined ? undefined : { module_or_path: input.module_or_path }),
    initOtp(input?.otp === undefined ? undefined : { module_or_path: input.otp }),
  ]);
  return output;
}

/** Loads the login module (`module`) and, when given, the OTP module (`otp`) from their bytes or compiled modules. */
export function initSync(input: { module: SyncInitInput; otp?: BufferSource | WebAssembly.Module }): InitOutput {
  if (input.otp !== undefined) initOtpSync({ module: input.otp });
  return initLoginSync({ module: input.module });
}

// The Node entry of auth0-mfa-wasm/otp: loads the OTP module from disk once, synchronously, so that
// `import { Totp } from "auth0-mfa-wasm/otp"` works with no init call. Calling the default export is harmless.
import { readFileSync } from "node:fs";
import { initSync } from "./otp.js";

initSync({ module: readFileSync(new URL("./auth0_mfa_otp_bg.wasm", import.meta.url)) });

export * from "./otp.js";
export { default } from "./otp.js";

// The Node entry of the package: loads both modules from disk once, synchronously, so that
// `import { MfaClient, Totp } from "auth0-mfa-wasm"` works with no init call. Calling the default export is harmless.
import { readFileSync } from "node:fs";
import { initSync } from "./index.js";

const file = (name: string) => readFileSync(new URL(name, import.meta.url));
initSync({ module: file("./auth0_mfa_wasm_bg.wasm"), otp: file("./auth0_mfa_otp_bg.wasm") });

export * from "./index.js";
export { default } from "./index.js";

// The Cloudflare Workers entry of auth0-mfa-wasm/otp: workerd imports the .wasm file as a compiled
// WebAssembly.Module (it may not compile wasm from bytes at run time), so the module is ready before the first request.
import module from "./auth0_mfa_otp_bg.wasm";
import { initSync } from "./otp.js";

initSync({ module });

export * from "./otp.js";
export { default } from "./otp.js";

// The Cloudflare Workers entry of the package: workerd imports the .wasm files as compiled WebAssembly.Modules (it
// may not compile wasm from bytes at run time), so both modules are ready before the Worker's first request.
import login from "./auth0_mfa_wasm_bg.wasm";
import otp from "./auth0_mfa_otp_bg.wasm";
import { initSync } from "./index.js";

initSync({ module: login, otp });

export * from "./index.js";
export { default } from "./index.js";

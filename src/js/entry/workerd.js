// The Cloudflare Workers entry of the package: workerd imports the .wasm file as a compiled WebAssembly.Module
// (it may not compile wasm from bytes at run time), so the module is ready before the Worker's first request.
import module from "./auth0_mfa_wasm_bg.wasm";
import { initSync } from "./auth0_mfa_wasm.js";

initSync({ module });

export * from "./auth0_mfa_wasm.js";
export { default } from "./auth0_mfa_wasm.js";

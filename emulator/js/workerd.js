// The Cloudflare Workers entry: workerd imports the .wasm as a compiled WebAssembly.Module (it may not compile
// wasm from bytes at run time), so the emulator is ready before the first request.
import module from "./auth0_mfa_emulator_bg.wasm";
import { initSync } from "./auth0_mfa_emulator.js";

initSync({ module });

export { Emulator, EmulatorError } from "./emulator.js";

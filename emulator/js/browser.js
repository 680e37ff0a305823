// The entry for browsers and bundlers: fetches and instantiates the wasm next to this file before the module
// resolves (top-level await), so `new Emulator()` needs no init call.
import init from "./auth0_mfa_emulator.js";

await init({ module_or_path: new URL("./auth0_mfa_emulator_bg.wasm", import.meta.url) });

export { Emulator, EmulatorError } from "./emulator.js";

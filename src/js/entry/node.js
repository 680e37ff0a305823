// The Node entry of the package: loads the wasm from disk once, synchronously, so that
// `import { MfaClient } from "auth0-mfa-wasm"` works with no init call. Calling the default export is harmless.
import { readFileSync } from "node:fs";
import { initSync } from "./auth0_mfa_wasm.js";

initSync({ module: readFileSync(new URL("./auth0_mfa_wasm_bg.wasm", import.meta.url)) });

export * from "./auth0_mfa_wasm.js";
export { default } from "./auth0_mfa_wasm.js";

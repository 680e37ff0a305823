// Loads the built package the way a Node user of the web target does: hand the wasm bytes to initSync.
import { readFileSync } from "node:fs";
import * as pkg from "../../pkg/auth0_mfa_wasm.js";

pkg.initSync({ module: readFileSync(new URL("../../pkg/auth0_mfa_wasm_bg.wasm", import.meta.url)) });

export default pkg;

// Loads the built package the way a Node user of the web target does: hand both modules' bytes to initSync.
import { readFileSync } from "node:fs";
import * as pkg from "../../pkg/index.js";

const file = (name) => readFileSync(new URL(`../../pkg/${name}`, import.meta.url));
pkg.initSync({ module: file("auth0_mfa_wasm_bg.wasm"), otp: file("auth0_mfa_otp_bg.wasm") });

export default pkg;

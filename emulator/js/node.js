// The Node entry: loads the wasm from disk once, synchronously, so `new Emulator()` needs no init call, and gives
// `listen` its node:http server.
import { readFileSync } from "node:fs";
import { initSync } from "./auth0_mfa_emulator.js";
import { useHttpServer } from "./emulator.js";
import { serve } from "./listen.js";

initSync({ module: readFileSync(new URL("./auth0_mfa_emulator_bg.wasm", import.meta.url)) });
useHttpServer(serve);

export { Emulator, EmulatorError } from "./emulator.js";

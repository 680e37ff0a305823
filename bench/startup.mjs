// One start-up sample, run in a fresh Node process so that nothing (V8's compiled-module cache, a tiered-up
// instance) carries over from an earlier sample. Prints one JSON line of milliseconds.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const t0 = performance.now();
const glue = await import("../pkg/auth0_mfa_wasm.js");
const t1 = performance.now();
const bytes = readFileSync(new URL("../pkg/auth0_mfa_wasm_bg.wasm", import.meta.url));
const t2 = performance.now();
const module = new WebAssembly.Module(bytes);
const t3 = performance.now();
glue.initSync({ module });
const t4 = performance.now();
// The first real call (its functions may be compiled lazily, here); the code is checked against otpauth.
const code = new glue.Totp({ secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" }).generate(0);
const t5 = performance.now();
if (code !== "702218") throw new Error(`unexpected code ${code}`);

console.log(JSON.stringify({ importGlue: t1 - t0, read: t2 - t1, compile: t3 - t2, instantiate: t4 - t3, firstCall: t5 - t4 }));

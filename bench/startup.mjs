// One start-up sample of one wasm module, `login` or `otp` (the argument), run in a fresh Node process so that
// nothing (V8's compiled-module cache, a tiered-up instance) carries over from an earlier sample. Prints one JSON
// line of milliseconds: importing the JS that loads the module, reading the .wasm, compiling it
// (`new WebAssembly.Module`), instantiating it (`initSync({ module })`, which also runs its start function), and
// the first real call (its functions may be compiled lazily, only now).
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

const MODULES = {
  // The login module's wasm-bindgen glue, which the main entry loads it with.
  login: {
    js: "../pkg/auth0_mfa_wasm.js",
    wasm: "../pkg/auth0_mfa_wasm_bg.wasm",
    firstCall: ({ MfaClient }) => new MfaClient({ domain: "tenant.example.com", clientId: "startup" }).free(),
  },
  // The OTP entry (its facade and the glue under it), which loads the OTP module.
  otp: {
    js: "../pkg/otp.js",
    wasm: "../pkg/auth0_mfa_otp_bg.wasm",
    firstCall: ({ Totp }) => {
      // The code is otpauth's for this secret at time 0.
      const code = new Totp({ secret: SECRET }).generate(0);
      if (code !== "702218") throw new Error(`unexpected code ${code}`);
    },
  },
};

const which = MODULES[process.argv[2]];
if (!which) throw new Error(`usage: node bench/startup.mjs ${Object.keys(MODULES).join("|")}`);

const t0 = performance.now();
const js = await import(which.js);
const t1 = performance.now();
const bytes = readFileSync(new URL(which.wasm, import.meta.url));
const t2 = performance.now();
const module = new WebAssembly.Module(bytes);
const t3 = performance.now();
js.initSync({ module });
const t4 = performance.now();
which.firstCall(js);
const t5 = performance.now();

console.log(JSON.stringify({ importJs: t1 - t0, read: t2 - t1, compile: t3 - t2, instantiate: t4 - t3, firstCall: t5 - t4 }));

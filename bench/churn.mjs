// Churn: what an object costs once many have been made and dropped. In one process, ROUNDS rounds each make and
// drop PER_ROUND `MfaClient`s and PER_ROUND `Totp`s (each Totp makes one code, so that its key exists in the OTP
// module), in batches of BATCH of one kind then BATCH of the other; between rounds the garbage collector runs and
// the FinalizationRegistry callbacks free the dropped objects' memory in the two wasm modules. An object costs its
// making and its freeing: the figure is the cost of one pair (a client and a Totp), made and freed, in the last
// rounds (CHURN_FROM on) against one of the first BATCH pairs made and freed in the process, on a fresh heap. Those
// first ones also pay for compiling the code they run, so beside them is round 1 (warm code, a heap that has freed
// only them). Prints one JSON line: milliseconds per round (making, and collecting and finalizing after),
// nanoseconds per object, and each wasm module's memory after each round. After the rounds, one more of each kind
// alone says whose the finalizing time is.
//
// `node --expose-gc bench/churn.mjs`, after `cargo xtask build`; bench/run.mjs runs it so, in a fresh process.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import * as pkg from "../pkg/index.js";
import { initSync as otpGlueInitSync } from "../pkg/auth0_mfa_otp.js";

const ROUNDS = 10;
const PER_ROUND = 20_000;
const BATCH = 1_000;
// Rounds 6 to 10, counted from 1: after five rounds of making and freeing.
const CHURN_FROM = 6;
const CLIENT = { domain: "tenant.example.com", clientId: "churn" };
const TOTP = { secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" };

if (typeof globalThis.gc !== "function") throw new Error("run with `node --expose-gc bench/churn.mjs`");

// Both modules from their bytes, as tests/js/pkg.mjs loads the package; the glue's initSync then only answers the
// OTP instance already made, for its memory.
const file = (name) => readFileSync(new URL(`../pkg/${name}`, import.meta.url));
const loginExports = pkg.initSync({ module: file("auth0_mfa_wasm_bg.wasm"), otp: file("auth0_mfa_otp_bg.wasm") });
const otpExports = otpGlueInitSync({ module: file("auth0_mfa_otp_bg.wasm") });
const memory = () => ({ login: loginExports.memory.buffer.byteLength, otp: otpExports.memory.buffer.byteLength });

// One object of each batch is watched: once those are finalized, the collection that found them dead has run and
// so have the cleanup tasks it queued (V8 runs a registry's callbacks for all its dead objects in one task). Not
// every object: a registration of each would double the collector's work on weak cells, and slow making a Totp 2×.
let watched = 0;
let finalized = 0;
const watch = new FinalizationRegistry(() => finalized++);

let sink = 0;
// Makes `count` objects with `make`, each dropped at once; the milliseconds that took.
function batch(count, make) {
  const start = performance.now();
  watch.register(make(), undefined);
  for (let i = 1; i < count; i++) make();
  const elapsed = performance.now() - start;
  watched++;
  return elapsed;
}
const clients = (count) => batch(count, () => new pkg.MfaClient(CLIENT));
const totps = (count) =>
  batch(count, () => {
    const totp = new pkg.Totp(TOTP);
    sink ^= totp.generate(0).length;
    return totp;
  });

// Collects, then lets the finalizers run (they are tasks of the event loop), until the watched objects are done.
async function finalize() {
  const start = performance.now();
  const turns = async () => {
    globalThis.gc();
    for (let i = 0; i < 3; i++) await new Promise(setImmediate);
  };
  for (let tries = 0; finalized < watched; tries++) {
    if (tries === 100) throw new Error(`only ${finalized} of ${watched} watched objects were finalized`);
    await turns();
  }
  // The package's registries' callbacks may come a turn after ours: one more collection and a few turns for them.
  await turns();
  return performance.now() - start;
}

const fresh = { client: clients(BATCH), totp: totps(BATCH) };
fresh.finalize = await finalize();
const rounds = [];
for (let round = 1; round <= ROUNDS; round++) {
  let clientMs = 0;
  let totpMs = 0;
  for (let made = 0; made < PER_ROUND; made += BATCH) {
    clientMs += clients(BATCH);
    totpMs += totps(BATCH);
  }
  const finalizeMs = await finalize();
  rounds.push({ round, clientMs, totpMs, finalizeMs, memory: memory() });
}
// The finalizing above is of both kinds at once; then once more for each kind alone, to say whose it is.
const finalizeAlone = {};
for (const [kind, make] of [["client", clients], ["totp", totps]]) {
  for (let made = 0; made < PER_ROUND; made += BATCH) make(BATCH);
  finalizeAlone[kind] = ((await finalize()) * 1e6) / PER_ROUND;
}
if (sink === 0.5) console.log(sink);

// Nanoseconds per object of each kind, per pair made (`pair`), collecting and finalizing per pair dropped
// (`finalize`), and per pair made and freed (`total`), from milliseconds spent on `count` of each.
const perObject = ({ client, totp, finalize }, count) => ({
  client: (client * 1e6) / count,
  totp: (totp * 1e6) / count,
  pair: ((client + totp) * 1e6) / count,
  finalize: (finalize * 1e6) / count,
  total: ((client + totp + finalize) * 1e6) / count,
});
const sum = (list, key) => list.reduce((n, r) => n + r[key], 0);
const [first] = rounds;
const late = rounds.filter((r) => r.round >= CHURN_FROM);
const per = {
  fresh: perObject(fresh, BATCH),
  warm: perObject({ client: first.clientMs, totp: first.totpMs, finalize: first.finalizeMs }, PER_ROUND),
  churn: perObject({ client: sum(late, "clientMs"), totp: sum(late, "totpMs"), finalize: sum(late, "finalizeMs") }, late.length * PER_ROUND),
};
const ratio = Object.fromEntries(["client", "totp", "pair", "finalize", "total"].map((k) => [k, per.churn[k] / per.fresh[k]]));

console.log(
  JSON.stringify({
    method: { rounds: ROUNDS, perRound: PER_ROUND, batch: BATCH, churnFrom: CHURN_FROM },
    rounds,
    perObject: per,
    ratio,
    // Nanoseconds per object: collecting and finalizing PER_ROUND of one kind alone, after the rounds.
    finalizeAlone,
  }),
);

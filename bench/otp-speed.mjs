// OTP speed in Node, one sample: ours (the OTP entry's Node build, pkg/otp-node.js) against otpauth (its Node
// build, node:crypto HMAC; and its browser build, JS SHA-1, for reference) in this one process. Prints one JSON line
// of calls per second. bench/run.mjs runs it in several fresh processes, so that each sample gets its own JIT and
// heap: one process's luck (a bad inlining decision, a GC at the wrong time) then shows as spread between samples.
//
// Alone, after `cargo xtask build`: `node bench/otp-speed.mjs`.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import * as OTPAuth from "otpauth";
import { Totp, base32Decode } from "../pkg/otp-node.js";
// The OTP module's own functions, under the facade (the same instance: otp-node.js loaded it), to split our time
// into the module's work and the facade's.
import { key_code, key_find, key_free, key_new } from "../pkg/auth0_mfa_otp.js";
import { ALGORITHMS, NO_MATCH } from "../pkg/otp-constants.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

// Ops per second of each function `fn(i)` (i cycling over 0..1023). After a warm-up of each, the figures are
// measured in turn, round after round, so that a busy moment of the machine falls on all of them alike; each
// figure is the median of its rounds, and gets ROUNDS × SLICE ≥ 1 s of calls in all.
const ROUNDS = 5;
const SLICE = 0.25;
const WARMUP = 0.2;
let sink = 0;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function timeSlice(fn, seconds) {
  const batch = 1000;
  let calls = 0;
  let elapsed = 0;
  const start = performance.now();
  do {
    for (let i = 0; i < batch; i++) sink ^= fn((calls + i) & 1023);
    calls += batch;
    elapsed = performance.now() - start;
  } while (elapsed < seconds * 1000);
  return calls / (elapsed / 1000);
}

function opsPerSecond(figures) {
  const entries = Object.entries(figures);
  for (const [, fn] of entries) timeSlice(fn, WARMUP);
  const samples = Object.fromEntries(entries.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < entries.length; k++) {
      const [name, fn] = entries[(k + round) % entries.length];
      samples[name].push(timeSlice(fn, SLICE));
    }
  }
  // Keeps the results observable so that no call can be optimised away.
  if (sink === 0.5) console.log(sink);
  return Object.fromEntries(entries.map(([name]) => [name, median(samples[name])]));
}

// 1024 distinct times, a step apart plus a varying offset, from a fixed origin.
const times = Array.from({ length: 1024 }, (_, i) => 1_700_000_000_000 + i * 30_000 + ((i * 7919) % 30_000));
const counters = times.map((time) => Math.floor(time / 30_000));
const ours = new Totp({ secret: SECRET });
const theirs = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(SECRET), algorithm: "SHA1", digits: 6, period: 30 });
// otpauth's browser build: pure-JS SHA-1 instead of node:crypto, what a browser or Worker gets.
const browserBuild = await import(pathToFileURL(path.join(ROOT, "node_modules/otpauth/dist/otpauth.esm.js")).href);
const theirsJs = new browserBuild.TOTP({ secret: browserBuild.Secret.fromBase32(SECRET), algorithm: "SHA1", digits: 6, period: 30 });
const key = key_new(base32Decode(SECRET), ALGORITHMS.indexOf("SHA1"), 6);

const codes = times.map((timestamp) => theirs.generate({ timestamp }));
// A code of none of the three steps: every library then computes all three. Both stop at the first match,
// checking the current step first, so a current-step code costs each one HMAC.
const wrong = codes.map((code) => String((Number(code) + 500_000) % 1_000_000).padStart(6, "0"));
times.forEach((time, i) => {
  if (ours.generate(time) !== codes[i] || theirsJs.generate({ timestamp: time }) !== codes[i] || key_code(key, counters[i]) !== Number(codes[i])) {
    throw new Error(`the libraries disagree at ${time}`);
  }
  if (ours.verify(codes[i], { window: 1, time })?.delta !== 0 || theirs.validate({ token: codes[i], timestamp: time, window: 1 }) !== 0) {
    throw new Error(`a code does not verify at ${time}`);
  }
  if (ours.verify(wrong[i], { window: 1, time }) !== null || theirs.validate({ token: wrong[i], timestamp: time, window: 1 }) !== null) {
    throw new Error(`a wrong code verifies at ${time}`);
  }
  if (key_find(key, Number(codes[i]), counters[i], 1, 1, -1) !== 0 || key_find(key, Number(wrong[i]), counters[i], 1, 1, -1) !== NO_MATCH) {
    throw new Error(`the module's find disagrees at ${time}`);
  }
});

const ops = opsPerSecond({
  oursGenerate: (i) => ours.generate(times[i]).length,
  // Numbers for the sink, as otpauth's validate gives: `verify` answers { delta, step } or null.
  oursVerify: (i) => ours.verify(codes[i], { window: 1, time: times[i] }).delta,
  oursVerifyWrong: (i) => ours.verify(wrong[i], { window: 1, time: times[i] })?.delta ?? 1,
  // The module's call alone (one HMAC and the truncation), what `generate` makes of a time and pads.
  oursModuleCode: (i) => key_code(key, counters[i]),
  // The module's call alone for a current-step code, what `verify` makes of its code and options.
  oursModuleFind: (i) => key_find(key, codes[i] | 0, counters[i], 1, 1, -1),
  otpauthGenerate: (i) => theirs.generate({ timestamp: times[i] }).length,
  otpauthVerify: (i) => theirs.validate({ token: codes[i], timestamp: times[i], window: 1 }),
  otpauthVerifyWrong: (i) => theirs.validate({ token: wrong[i], timestamp: times[i], window: 1 }) ?? 1,
  otpauthJsGenerate: (i) => theirsJs.generate({ timestamp: times[i] }).length,
  otpauthJsVerify: (i) => theirsJs.validate({ token: codes[i], timestamp: times[i], window: 1 }),
  otpauthJsVerifyWrong: (i) => theirsJs.validate({ token: wrong[i], timestamp: times[i], window: 1 }) ?? 1,
});
const pick = (prefix) => ({
  generate: ops[`${prefix}Generate`],
  verify: ops[`${prefix}Verify`],
  verifyWrong: ops[`${prefix}VerifyWrong`],
});
ours.free();
key_free(key);
console.log(
  JSON.stringify({
    ours: { ...pick("ours"), moduleCode: ops.oursModuleCode, moduleFind: ops.oursModuleFind },
    otpauth: pick("otpauth"),
    otpauthJs: pick("otpauthJs"),
    method: { rounds: ROUNDS, slice: SLICE, warmup: WARMUP },
  }),
);

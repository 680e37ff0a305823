// The benchmarks of issue 6, each ours against its peer in the same run on the same machine: bundle size, OTP speed
// in Node, wasm start-up, and a full OTP challenge login against the local emulator; and what the shipped wasm is
// made of (bench/breakdown.mjs); and the emulator's npm package (emulator/pkg/): install size, cold start in Node,
// and what a login against it costs in-process, over HTTP and on the native server. Prints a Markdown table and
// writes it, with the details, to bench/RESULTS.md.
//
// Run through `cargo xtask bench`, which builds pkg/, emulator/pkg/, target/size/named.wasm and the emulator and
// starts the emulator with `--public-url https://emu.test`. Alone: `node bench/run.mjs` after `cargo xtask bench`
// has built those once (it then starts the emulator itself; twiggy from $TWIGGY or the PATH; npm on the PATH).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { spawn, spawnSync, execFileSync } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import * as esbuild from "esbuild";
import { bundle as bundleBytes, gzip, judge, measure, shippedFiles } from "./size.mjs";
import { CRATE, sizeBreakdown, readable } from "./breakdown.mjs";
import * as OTPAuth from "otpauth";
import { AuthClient, isMfaRequiredError } from "@auth0/auth0-auth-js";
import * as pkg from "../pkg/auth0_mfa_wasm.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const WASM = path.join(ROOT, "pkg/auth0_mfa_wasm_bg.wasm");
pkg.initSync({ module: readFileSync(WASM) });

const KB = 1024;
const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const PUBLIC = "https://emu.test";
const PASSWORD = "Passw0rd!";
const STARTUP_SAMPLES = 60;
const FLOW_WARMUP = 3;
const FLOW_SAMPLES = 30;
const REPLAY_WARMUP = 20;
const REPLAY_SAMPLES = 200;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];
const kb = (bytes) => `${(bytes / KB).toFixed(1)} KB`;
const ms = (value) => `${value.toFixed(2)} ms`;
const rate = (ops) => (ops >= 1e6 ? `${(ops / 1e6).toFixed(2)} M/s` : `${Math.round(ops / 1e3)} k/s`);
const mark = (ok) => (ok ? "✓" : "✗");
const progress = (text) => process.stderr.write(`bench: ${text}\n`);

// ---- bundle size --------------------------------------------------------------------------------------------

function sizes(bytes) {
  return {
    raw: bytes.length,
    gzip: gzip(bytes),
    brotli: zlib.brotliCompressSync(bytes, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length,
  };
}

const add = (a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli });

const bundle = async (entry) => sizes(await bundleBytes(entry));

async function bundleSizes() {
  progress("bundle sizes (esbuild, gzip -9, brotli 11)");
  // bench/size.mjs's files and figures, the very ones the size budget of `cargo xtask test` checks. The glue
  // leaves the .wasm to be fetched next to it: a second file, compressed on its own.
  const files = await shippedFiles();
  const oursJs = sizes(files.js);
  const oursWasm = sizes(files.wasm);
  return {
    oursJs,
    oursWasm,
    ours: add(oursJs, oursWasm),
    shipped: judge(measure(files)),
    auth0: await bundle("auth0-auth-js.js"),
    otpauth: await bundle("otpauth.js"),
    peers: await bundle("peers.js"),
    esbuild: esbuild.version,
  };
}

// ---- OTP speed ----------------------------------------------------------------------------------------------

// Ops per second of each function `fn(i)` (i cycling over 0..1023). After a warm-up of each, the figures are
// measured in turn, round after round, so that a busy moment of the machine falls on all of them alike; each
// figure is the median of its rounds, and gets ROUNDS × SLICE ≥ 1 s of calls in all.
const ROUNDS = 5;
const SLICE = 0.25;
let sink = 0;

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
  for (const [, fn] of entries) timeSlice(fn, 0.2);
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

async function otpSpeed() {
  progress(`OTP speed (${ROUNDS} rounds of ${SLICE} s per figure, after a warm-up)`);
  // 1024 distinct times, a step apart plus a varying offset, from a fixed origin.
  const times = Array.from({ length: 1024 }, (_, i) => 1_700_000_000_000 + i * 30_000 + ((i * 7919) % 30_000));
  const ours = new pkg.Totp({ secret: SECRET });
  const theirs = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(SECRET), algorithm: "SHA1", digits: 6, period: 30 });
  // otpauth's browser build: pure-JS SHA-1 instead of node:crypto, what a browser or Worker gets.
  const browserBuild = await import(pathToFileURL(path.join(ROOT, "node_modules/otpauth/dist/otpauth.esm.js")).href);
  const theirsJs = new browserBuild.TOTP({ secret: browserBuild.Secret.fromBase32(SECRET), algorithm: "SHA1", digits: 6, period: 30 });

  const codes = times.map((timestamp) => theirs.generate({ timestamp }));
  times.forEach((time, i) => {
    if (ours.generate(time) !== codes[i] || theirsJs.generate({ timestamp: time }) !== codes[i]) {
      throw new Error(`the libraries disagree at ${time}`);
    }
    if (ours.verify(codes[i], { window: 1, time })?.delta !== 0 || theirs.validate({ token: codes[i], timestamp: time, window: 1 }) !== 0) {
      throw new Error(`a code does not verify at ${time}`);
    }
  });

  // A code of none of the three steps: every library then computes all three. Both stop at the first match,
  // checking the current step first, so a current-step code costs each one HMAC.
  const wrong = codes.map((code) => String((Number(code) + 500_000) % 1_000_000).padStart(6, "0"));

  const ops = opsPerSecond({
    oursGenerate: (i) => ours.generate(times[i]).length,
    // Numbers for the sink, as otpauth's validate gives: `verify` answers { delta, step } or null.
    oursVerify: (i) => ours.verify(codes[i], { window: 1, time: times[i] }).delta,
    oursVerifyWrong: (i) => ours.verify(wrong[i], { window: 1, time: times[i] })?.delta ?? 1,
    // The bare call into the module: a getter, no argument, a number back.
    oursCrossing: () => ours.digits,
    // A call with a time argument (a number or a Date, read through the JS boundary), no hashing.
    oursTimeArgument: (i) => ours.counter(times[i]),
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
  const result = {
    ours: { ...pick("ours"), crossing: ops.oursCrossing, timeArgument: ops.oursTimeArgument },
    otpauth: pick("otpauth"),
    otpauthJs: pick("otpauthJs"),
  };
  ours.free();
  return result;
}

// ---- start-up -----------------------------------------------------------------------------------------------

function startup() {
  progress(`start-up (${STARTUP_SAMPLES} fresh Node processes)`);
  const samples = [];
  for (let i = 0; i < STARTUP_SAMPLES; i++) {
    const child = spawnSync(process.execPath, [path.join(ROOT, "bench/startup.mjs")], { encoding: "utf8" });
    if (child.status !== 0) throw new Error(`bench/startup.mjs failed: ${child.stderr}`);
    samples.push(JSON.parse(child.stdout));
  }
  const of = (key) => median(samples.map((s) => s[key]));
  const both = samples.map((s) => s.compile + s.instantiate);
  return {
    importGlue: of("importGlue"),
    compile: of("compile"),
    instantiate: of("instantiate"),
    total: median(both),
    min: Math.min(...both),
    p90: percentile(both, 0.9),
    firstCall: of("firstCall"),
  };
}

// ---- flow against the emulator ------------------------------------------------------------------------------

async function emulatorUrl() {
  if (process.env.BENCH_EMULATOR_URL) return { url: process.env.BENCH_EMULATOR_URL, stop() {} };
  const binary = process.env.EMULATOR_BIN ?? path.join(ROOT, "target/debug/auth0-mfa-emulator");
  const child = spawn(binary, ["--port", "0", "--public-url", PUBLIC], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the emulator exited with ${code} (built? cargo build -p auth0-mfa-emulator)`)));
    createInterface({ input: child.stdout }).once("line", resolve);
  });
  return { url: line.replace("auth0-mfa-emulator listening on ", "").trim(), stop: () => child.kill() };
}

// The clients only know https://emu.test: a fetch that sends that origin to `base`, an emulator's URL.
const routeTo = (base) => (input, init) => {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  const target = url.startsWith(PUBLIC) ? base + url.slice(PUBLIC.length) : url;
  return input instanceof Request ? fetch(new Request(target, input), init) : fetch(target, init);
};

// A fresh user with the OTP authenticator per login, added through the control plane with `send` (a fetch that
// reaches the emulator at https://emu.test), before timing: the emulator refuses a TOTP code already used in the
// same step.
const RUN_ID = Date.now().toString(36);
let nextUser = 0;
async function newUser(send) {
  const username = `bench-${RUN_ID}-${nextUser++}@example.com`;
  const response = await send(`${PUBLIC}/__emu/users`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, email: username, password: PASSWORD, authenticators: [{ type: "otp", secret: SECRET }] }),
  });
  if (response.status !== 201) throw new Error(`POST /__emu/users answered ${response.status}: ${await response.text()}`);
  return username;
}
const newUsers = (send, count) => Promise.all(Array.from({ length: count }, () => newUser(send)));

const SERVER_CLIENT = { clientId: "server-client", clientSecret: "server-client-secret" };

// Our library's OTP challenge login, the one every login figure times: a new MfaClient (it holds the login's
// state) with `fetch`; password → mfa_required → list the authenticators → challenge the OTP one → verify a fresh
// code from `totp`. Resolves the access token.
async function ourLogin(fetch, username, totp) {
  const client = new pkg.MfaClient({ domain: "emu.test", ...SERVER_CLIENT, fetch });
  const login = await client.login(username, PASSWORD);
  if (login.stage !== "mfa_required") throw new Error(`ours: ${login.stage}`);
  const { active } = await client.authenticators();
  await client.challenge(active.find((a) => a.type === "otp").id);
  const tokens = await client.verifyOtp(totp.generate());
  client.free();
  return tokens.accessToken;
}

async function flow(base) {
  progress(`flow (${FLOW_SAMPLES} logins each after ${FLOW_WARMUP} warm-up, emulator at ${base})`);
  // Both clients only know https://emu.test; this sends it to the emulator, and counts each request.
  const toEmulator = routeTo(base);
  let requests = [];
  // Set to record a login's responses, or to answer from such a recording instead of the network.
  let recording = null;
  let replaying = null;
  const counting = (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    requests.push(`${init?.method ?? (input instanceof Request ? input.method : "GET")} ${new URL(url).pathname}`);
    if (replaying) {
      const { status, headers, body } = replaying[requests.length - 1];
      return Promise.resolve(new Response(body, { status, headers }));
    }
    return toEmulator(input, init).then(
      async (response) => {
        recording?.push({ status: response.status, headers: [...response.headers], body: await response.clone().text() });
        return response;
      },
      (e) => {
        // The clients wrap network errors without their cause; say which request failed and why.
        progress(`${requests.at(-1)} failed: ${e.cause?.message ?? e.message}`);
        throw e;
      },
    );
  };

  const user = () => newUser(toEmulator);
  const users = (count) => newUsers(toEmulator, count);

  const secret = SERVER_CLIENT;
  const ourTotp = new pkg.Totp({ secret: SECRET });
  const theirTotp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(SECRET), algorithm: "SHA1", digits: 6, period: 30 });
  // Ours is one object per login (it holds the login's state); theirs is built once per app and reused, as its
  // documentation does, so its discovery document is fetched by the first login only.
  const auth = new AuthClient({ domain: "emu.test", ...secret, customFetch: counting });

  // The same steps for both: password, list the authenticators, challenge the OTP one, verify a fresh code.
  const ours = (username) => ourLogin(counting, username, ourTotp);
  const theirs = async (username) => {
    const mfaToken = await auth.getTokenByPassword({ username, password: PASSWORD, scope: "openid profile email" }).then(
      () => { throw new Error("theirs: MFA was not required"); },
      (e) => { if (isMfaRequiredError(e)) return e.cause.mfa_token; throw e; },
    );
    const list = await auth.mfa.listAuthenticators({ mfaToken });
    const otp = list.find((a) => a.authenticatorType === "otp" && a.active);
    await auth.mfa.challengeAuthenticator({ challengeType: "otp", authenticatorId: otp.id, mfaToken });
    const tokens = await auth.mfa.verify({ mfaToken, factorType: "otp", otp: theirTotp.generate() });
    return tokens.accessToken;
  };

  // The floor: the same four requests written by hand with fetch, no client library. What the emulator itself
  // takes; each client's overhead is its time above this.
  const post = (url, body, headers = {}) =>
    counting(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  const floor = async (username) => {
    const client = { client_id: secret.clientId, client_secret: secret.clientSecret };
    const denied = await post(`${PUBLIC}/oauth/token`, { grant_type: "password", username, password: PASSWORD, scope: "openid profile email", ...client });
    const { mfa_token } = await denied.json();
    const list = await (await counting(`${PUBLIC}/mfa/authenticators`, { method: "GET", headers: { authorization: `Bearer ${mfa_token}` } })).json();
    const otp = list.find((a) => a.authenticator_type === "otp" && a.active);
    await (await post(`${PUBLIC}/mfa/challenge`, { challenge_type: "otp", authenticator_id: otp.id, mfa_token, ...client })).json();
    const grant = "http://auth0.com/oauth/grant-type/mfa-otp";
    const tokens = await (await post(`${PUBLIC}/oauth/token`, { grant_type: grant, mfa_token, otp: theirTotp.generate(), ...client })).json();
    return tokens.access_token;
  };

  const clients = { ours, theirs, floor };
  const result = { ours: { times: [] }, theirs: { times: [] }, floor: { times: [] } };
  const names = Object.keys(clients);
  const pool = await users(names.length * (FLOW_WARMUP + FLOW_SAMPLES));
  for (let round = 0; round < FLOW_WARMUP + FLOW_SAMPLES; round++) {
    // Rotating the order, so that any drift of the machine or the emulator falls on each alike.
    for (const name of names.map((_, i) => names[(i + round) % names.length])) {
      requests = [];
      const start = performance.now();
      const token = await clients[name](pool.pop());
      const elapsed = performance.now() - start;
      if (!token) throw new Error(`${name}: no access token`);
      if (round === 0) result[name].first = requests;
      if (round >= FLOW_WARMUP) {
        result[name].times.push(elapsed);
        result[name].requests = requests;
      }
    }
  }
  for (const name of names) {
    result[name].median = median(result[name].times);
    result[name].p90 = percentile(result[name].times, 0.9);
  }

  // The client's own work, without the emulator's: one more login each is recorded, then replayed from memory
  // many times (every request answered at once with the recorded response), so what is left is the client's
  // CPU time per login: building requests, parsing answers, checking tokens, computing the code.
  progress(`client work per login (${REPLAY_SAMPLES} replays each)`);
  const recordings = {};
  for (const name of names) {
    recording = [];
    requests = [];
    await clients[name](await user());
    recordings[name] = recording;
    recording = null;
  }
  const replayTimes = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < REPLAY_WARMUP + REPLAY_SAMPLES; round++) {
    for (const name of names.map((_, i) => names[(i + round) % names.length])) {
      replaying = recordings[name];
      requests = [];
      const start = performance.now();
      await clients[name]("replayed@example.com");
      const elapsed = performance.now() - start;
      if (requests.length !== replaying.length) throw new Error(`${name}: the replay made other requests`);
      if (round >= REPLAY_WARMUP) replayTimes[name].push(elapsed);
    }
  }
  replaying = null;
  for (const name of names) result[name].clientWork = median(replayTimes[name]);
  ourTotp.free();
  return result;
}

// ---- the emulator package -----------------------------------------------------------------------------------

// auth0-mfa-emulator, built into emulator/pkg/ (not rebuilt here): what installing it costs, how long it takes
// to start in Node, and a login against it in-process, over HTTP and against the native server side by side.
const EMULATOR_PKG = path.join(ROOT, "emulator/pkg");
const EMULATOR_START_SAMPLES = 15;

function emulatorInstallSize() {
  progress("emulator package: npm pack emulator/pkg");
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-pack-"));
  try {
    const out = execFileSync("npm", ["pack", EMULATOR_PKG, "--json", "--pack-destination", dir], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      shell: process.platform === "win32",
    });
    const [packed] = JSON.parse(out);
    const tarball = statSync(path.join(dir, packed.filename)).size;
    const files = packed.files.reduce((sum, file) => sum + file.size, 0);
    if (files !== packed.unpackedSize) progress(`npm pack: the files add up to ${files} bytes, unpackedSize says ${packed.unpackedSize}`);
    return {
      name: packed.id,
      tarball,
      unpacked: packed.unpackedSize,
      entries: packed.entryCount,
      wasm: sizes(readFileSync(path.join(EMULATOR_PKG, "auth0_mfa_emulator_bg.wasm"))),
      npm: execFileSync("npm", ["--version"], { encoding: "utf8", shell: process.platform === "win32" }).trim(),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function emulatorColdStart() {
  progress(`emulator package: cold start (${EMULATOR_START_SAMPLES} fresh Node processes)`);
  const samples = [];
  for (let i = 0; i < EMULATOR_START_SAMPLES; i++) {
    const child = spawnSync(process.execPath, [path.join(ROOT, "bench/emulator-start.mjs")], { encoding: "utf8" });
    if (child.status !== 0) throw new Error(`bench/emulator-start.mjs failed: ${child.stderr}`);
    samples.push(JSON.parse(child.stdout));
  }
  const of = (values) => ({ median: median(values), p90: percentile(values, 0.9) });
  const seed = JSON.parse(readFileSync(path.join(EMULATOR_PKG, "seed/default.json"), "utf8"));
  return {
    importEntry: of(samples.map((s) => s.importEntry)),
    construct: of(samples.map((s) => s.construct)),
    total: of(samples.map((s) => s.importEntry + s.construct)),
    firstGrant: of(samples.map((s) => s.firstGrant)),
    // The seed's plain passwords, each hashed by `new Emulator()`.
    hashed: seed.users.filter((u) => !u.password.startsWith("pbkdf2-sha256$")).length,
  };
}

// Times `run(name)` for every name, FLOW_WARMUP + FLOW_SAMPLES rounds, the order rotating each round as in the
// login bench; the median and p90 of each after the warm-up.
async function rotated(names, run) {
  const times = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < FLOW_WARMUP + FLOW_SAMPLES; round++) {
    for (const name of names.map((_, i) => names[(i + round) % names.length])) {
      const start = performance.now();
      await run(name);
      const elapsed = performance.now() - start;
      if (round >= FLOW_WARMUP) times[name].push(elapsed);
    }
  }
  return Object.fromEntries(names.map((name) => [name, { median: median(times[name]), p90: percentile(times[name], 0.9) }]));
}

// One password grant by hand, scope `openid profile email`; resolves its status and JSON.
async function passwordGrant(send, username) {
  const response = await send(`${PUBLIC}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      grant_type: "password",
      username,
      password: PASSWORD,
      scope: "openid profile email",
      client_id: SERVER_CLIENT.clientId,
      client_secret: SERVER_CLIENT.clientSecret,
    }),
  });
  return { status: response.status, body: await response.json() };
}

const jwtAlg = (jwt) => JSON.parse(Buffer.from(jwt.split(".")[0], "base64url").toString()).alg;

async function emulatorFronts(nativeBase) {
  const { Emulator } = await import(pathToFileURL(path.join(EMULATOR_PKG, "node.js")).href);
  const emulator = new Emulator({ publicUrl: PUBLIC });
  const server = await emulator.listen({ port: 0 });
  progress(`emulator package: logins and grants (${FLOW_SAMPLES} each after ${FLOW_WARMUP} warm-up; wasm in-process, wasm at ${server.url}, native at ${nativeBase})`);
  try {
    // Each front is a fetch that reaches its emulator at https://emu.test: the in-process one ignores the origin.
    const fronts = { inProcess: emulator.fetch, http: routeTo(server.url), native: routeTo(nativeBase) };
    const names = Object.keys(fronts);
    const totp = new pkg.Totp({ secret: SECRET });

    const pools = {};
    for (const name of names) pools[name] = await newUsers(fronts[name], FLOW_WARMUP + FLOW_SAMPLES);
    const login = await rotated(names, async (name) => {
      if (!(await ourLogin(fronts[name], pools[name].pop(), totp))) throw new Error(`${name}: no access token`);
    });

    // The seed's users: nomfa@example.com gets its tokens from the password grant (a password hash and two RS256
    // signatures, access and ID token); otp@example.com gets 403 mfa_required (the hash, no signature).
    const tokens = await rotated(names, async (name) => {
      const { status, body } = await passwordGrant(fronts[name], "nomfa@example.com");
      if (status !== 200 || jwtAlg(body.access_token) !== "RS256" || jwtAlg(body.id_token) !== "RS256") {
        throw new Error(`${name}: the grant without MFA answered ${status}: ${JSON.stringify(body)}`);
      }
    });
    const mfaRequired = await rotated(names, async (name) => {
      const { status, body } = await passwordGrant(fronts[name], "otp@example.com");
      if (status !== 403 || body.error !== "mfa_required") throw new Error(`${name}: the grant answered ${status}: ${JSON.stringify(body)}`);
    });
    totp.free();
    return { login, tokens, mfaRequired };
  } finally {
    await server.close();
  }
}

async function emulatorPackage(nativeBase) {
  return { size: emulatorInstallSize(), start: emulatorColdStart(), ...(await emulatorFronts(nativeBase)) };
}

// ---- report -------------------------------------------------------------------------------------------------

function machine() {
  const cpus = os.cpus();
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    if (execFileSync("git", ["status", "--porcelain"], { cwd: ROOT, encoding: "utf8" }).trim()) commit += " (with local changes)";
  } catch {}
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    cpu: `${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown"}`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    commit,
    // Other work on the machine slows every figure; the 1-minute load average at the start says how busy it was.
    load: os.loadavg()[0].toFixed(2),
  };
}

const ns = (ops) => `${(1e9 / ops).toFixed(0)} ns`;
const otpRow = (name, r) =>
  `| ${name} | ${rate(r.generate)} | ${rate(r.verify)} | ${rate(r.verifyWrong)} | ${(1e9 / r.generate).toFixed(0)} | ${(1e9 / r.verify).toFixed(0)} |`;

const bytes = (n) => n.toLocaleString("en-US");
const share = (n, total) => `${((100 * n) / total).toFixed(1)} %`;
// A name in a table cell: code, with the cell separator escaped.
const cell = (name) => `\`${name.replaceAll("|", "\\|")}\``;

function breakdownSection(s) {
  const rows = (list) => list.map((g) => `| ${cell(g.name)} | ${bytes(g.bytes)} | ${share(g.bytes, s.total)} | ${g.items} |`);
  return `## Size breakdown

What the shipped \`.wasm\` (${bytes(s.total)} bytes before compression) is made of. twiggy ${s.twiggy} (\`twiggy top\`) on
\`target/size/named.wasm\`: the same module with its name section kept, which \`cargo xtask bench\` builds from the
same release wasm with pkg/'s wasm-bindgen and wasm-opt flags plus \`-g\` (\`xtask/src/size.rs\`, which checks it is
pkg/'s wasm byte for byte once the names are taken out). Bytes of code and data in the uncompressed file; the name
section is not counted, so every table's rows add up to the file. Trait impls count for the crate of their type
(of their trait when the type is generic or primitive), drop glue for the type it drops; functions that wasm-opt
merged or made count by the name in its function map. wasm-opt inlines freely: a function's bytes may hold code
of others it calls.

### By crate

| Crate or group | Bytes | Share | Items |
|---|---|---|---|
${rows(s.groups).join("\n")}

Bracketed groups are no crate. \`[wasm-bindgen shims and export wrappers]\`: the functions JavaScript calls
(\`… externref shim\`, \`… multivalue shim\`, \`__wbg_…_free\`, \`hotp_weak\`), wasm-bindgen's adapters around the
\`#[wasm_bindgen]\` wrappers, into which wasm-opt has mostly inlined the exported method itself. \`[import and export
entries]\`: the import and export sections, the names of everything that crosses to JavaScript. \`[data segments]\`:
constants (strings, tables). \`[types, tables, globals, headers]\`: the rest of the module's structure.

### ${CRATE} by module

| Module | Bytes | Share of the wasm | Functions |
|---|---|---|---|
${rows(s.modules).join("\n")}

### The ${s.largest.length} largest functions

Hashes and crate disambiguators left out: an \`async fn\`'s states are several \`{{closure}}\` functions of one name.

| # | Function | Bytes | Crate or module |
|---|---|---|---|
${s.largest.map((f, i) => `| ${i + 1} | ${cell(readable(f.name))} | ${bytes(f.bytes)} | ${cell(f.group)} |`).join("\n")}
`;
}

function emulatorSection(e, login) {
  const row = (name, r) => `| ${name} | ${ms(r.median)} | ${ms(r.p90)} |`;
  const front = (name, f) => `| ${name} | ${ms(e.login[f].median)} | ${ms(e.login[f].p90)} | ${ms(e.mfaRequired[f].median)} | ${ms(e.tokens[f].median)} | ${ms(e.tokens[f].median - e.mfaRequired[f].median)} |`;
  const times = (f) => `${(e.tokens[f].median / e.tokens.native.median).toFixed(1)}×`;
  return `## Emulator package (auth0-mfa-emulator)

The npm package as built in \`emulator/pkg/\` (the emulator's core compiled to wasm32 with the \`emulator-wasm\`
profile, opt-level 3, then \`wasm-opt -O2\`), measured as it is: the bench builds nothing of it.

### Install size

\`npm pack emulator/pkg\` (npm ${e.size.npm}), ${e.size.name}: the tarball's size on disk, and \`unpackedSize\` from
\`npm pack --json\` (the ${e.size.entries} files' bytes added up), which is what \`npm install\` puts in \`node_modules\`
(no dependencies). The \`.wasm\` alone, gzip level 9 and brotli quality 11 (Node's zlib).

| | Bytes | KB |
|---|---|---|
| Tarball (\`npm pack\`) | ${bytes(e.size.tarball)} | ${kb(e.size.tarball)} |
| Unpacked (\`node_modules/auth0-mfa-emulator\`) | ${bytes(e.size.unpacked)} | ${kb(e.size.unpacked)} |
| \`auth0_mfa_emulator_bg.wasm\`, raw | ${bytes(e.size.wasm.raw)} | ${kb(e.size.wasm.raw)} |
| \`auth0_mfa_emulator_bg.wasm\`, gzip -9 | ${bytes(e.size.wasm.gzip)} | ${kb(e.size.wasm.gzip)} |
| \`auth0_mfa_emulator_bg.wasm\`, brotli 11 | ${bytes(e.size.wasm.brotli)} | ${kb(e.size.wasm.brotli)} |

### Cold start in Node

${EMULATOR_START_SAMPLES} fresh Node processes (\`bench/emulator-start.mjs\`), so nothing is cached between samples; the
median and p90 of each step, and of import + constructor summed per process. Importing the Node entry
(\`emulator/pkg/node.js\`) reads the \`.wasm\` and compiles and instantiates it synchronously; \`new Emulator()\`
builds the tenant from the shipped seed, hashing its ${e.start.hashed} users' plain passwords with PBKDF2-SHA256
(10,000 rounds each). The first request after is a password grant for \`nomfa@example.com\`, which pays the
emulator's code being compiled or tiered up on first use.

| Step | Median | p90 |
|---|---|---|
${row("Import the Node entry (read + compile + instantiate the wasm)", e.start.importEntry)}
${row("\`new Emulator()\` (tenant from the seed)", e.start.construct)}
${row("**Import + \`new Emulator()\`**", e.start.total)}
${row("First request after (password grant without MFA)", e.start.firstGrant)}

### Per login: in-process, over HTTP, native

Our \`MfaClient\` does the same OTP challenge login as above (\`ourLogin\` in bench/run.mjs: password grant →
403 \`mfa_required\` → \`GET /mfa/authenticators\` → \`POST /mfa/challenge\` → \`mfa-otp\` grant, a fresh user each,
added before timing) against three fronts of the emulator: the wasm package in this process through
\`emu.fetch\` (no network: the four requests are four calls into the wasm), the same package served over HTTP on
loopback by \`emu.listen()\` (its \`node:http\` server runs in this process, on the client's event loop), and the
native server the login bench above uses (a debug build whose crypto crates, rsa, num-bigint-dig, pbkdf2, sha2,
sha1 and hmac, are built at opt-level 3: Cargo.toml's \`[profile.dev.package.*]\`). Each also answers two single
password grants by hand (\`fetch\`, scope \`openid profile email\`): \`otp@example.com\`, which gets 403
\`mfa_required\` (one PBKDF2 hash, nothing signed), and \`nomfa@example.com\`, which gets its access and ID tokens
(the hash and two RS256 signatures, both tokens checked to be RS256 JWTs). The fronts take turns, the order
rotating each round; ${FLOW_WARMUP} warm-up logins or grants each, then ${FLOW_SAMPLES}; medians unless marked p90.

| Front | Login | Login p90 | Grant → \`mfa_required\` (hash) | Grant → tokens (hash + 2 RS256) | Difference (≈ 2 RS256 signatures) |
|---|---|---|---|---|---|
${front("wasm, in-process (\`emu.fetch\`)", "inProcess")}
${front("wasm, over HTTP (\`emu.listen()\`)", "http")}
${front("native server (\`target/debug/auth0-mfa-emulator\`)", "native")}

This is what a test pays per login: ${ms(e.login.inProcess.median)} with the package in-process, ${ms(e.login.http.median)}
over HTTP, ${ms(e.login.native.median)} against the native server. In-process it is nearly all the emulator's work in
wasm (our client's own share is the ${ms(login.ours.clientWork)} measured above by replay). The same work as a login's
password and \`mfa-otp\` grants, one PBKDF2 hash and two RS256 signatures, costs ${ms(e.tokens.inProcess.median)} as one
grant in-process, ${share(e.tokens.inProcess.median, e.login.inProcess.median)} of the login; the native server takes
${ms(e.tokens.native.median)} for it (the wasm's time is ${times("inProcess")} that in-process and ${times("http")} over HTTP). The native
server is the debug build \`cargo xtask bench\` builds, not a release build: its crypto crates are at opt-level 3
but the emulator crate, where the generic HMAC and PBKDF2 code is instantiated, at opt-level 1. The difference
column is a difference of two medians, so only an estimate of the signing cost.
`;
}

function report({ bundles: b, otp, start, login, emulatorPkg, env, breakdown }) {
  const trio = (s) => `${kb(s.raw)} / ${kb(s.gzip)} / ${kb(s.brotli)}`;
  const sizeOk = b.ours.gzip <= 30 * KB && b.ours.gzip < b.peers.gzip;
  const { shipped } = b;
  const genRatio = otp.ours.generate / otp.otpauth.generate;
  const verRatio = otp.ours.verify / otp.otpauth.verify;
  const wrongRatio = otp.ours.verifyWrong / otp.otpauth.verifyWrong;
  const startOk = start.total < 2.5;
  const e = emulatorPkg;
  const reqs = (r) => `${r.requests.length}${r.first.length !== r.requests.length ? ` (first login: ${r.first.length})` : ""}`;

  const table = [
    "| Measure | auth0-mfa-wasm | Peer | Target | Met |",
    "|---|---|---|---|---|",
    `| Bundle, raw / gzip -9 / brotli (JS + wasm) | ${trio(b.ours)} | ${trio(b.peers)} (auth0-auth-js + otpauth) | ≤ 30 KB gzip and < peers | ${mark(sizeOk)} |`,
    `| Size budget: JS + wasm, gzip -9 bytes (checked by \`cargo xtask test\`) | ${bytes(shipped.gzip)} | — | ≤ ${bytes(shipped.budget)} (bench/size-budget.json) | ${mark(shipped.withinBudget)} |`,
    `| TOTP generate (Node) | ${rate(otp.ours.generate)} | ${rate(otp.otpauth.generate)} (otpauth) | ≥ 3× → ${genRatio.toFixed(2)}× | ${mark(genRatio >= 3)} |`,
    `| TOTP verify, window ±1 (Node) | ${rate(otp.ours.verify)} | ${rate(otp.otpauth.verify)} (otpauth) | ≥ 3× → ${verRatio.toFixed(2)}× | ${mark(verRatio >= 3)} |`,
    `| TOTP verify, window ±1, wrong code (Node) | ${rate(otp.ours.verifyWrong)} | ${rate(otp.otpauth.verifyWrong)} (otpauth) | ≥ 3× → ${wrongRatio.toFixed(2)}× | ${mark(wrongRatio >= 3)} |`,
    `| Start-up: compile + instantiate (median of ${STARTUP_SAMPLES}) | ${ms(start.total)} | — | < 2.5 ms | ${mark(startOk)} |`,
    `| OTP challenge login vs emulator (median of ${FLOW_SAMPLES}) | ${ms(login.ours.median)} | ${ms(login.theirs.median)} (auth0-auth-js + otpauth) | — | |`,
    `| HTTP requests per login | ${reqs(login.ours)} | ${reqs(login.theirs)} | — | |`,
    `| Client work per login, responses replayed (median of ${REPLAY_SAMPLES}) | ${ms(login.ours.clientWork)} | ${ms(login.theirs.clientWork)} | — | |`,
    `| Emulator package: npm tarball / unpacked (auth0-mfa-emulator) | ${kb(e.size.tarball)} / ${kb(e.size.unpacked)} | — | — | |`,
    `| Emulator package: cold start in Node, import + \`new Emulator()\` (median of ${EMULATOR_START_SAMPLES}) | ${ms(e.start.total.median)} | — | — | |`,
    `| OTP challenge login, our client vs the wasm emulator in-process / over HTTP (median of ${FLOW_SAMPLES}) | ${ms(e.login.inProcess.median)} / ${ms(e.login.http.median)} | ${ms(e.login.native.median)} (native emulator) | — | |`,
    `| Password grant without MFA (hash + 2 RS256), wasm emulator in-process (median of ${FLOW_SAMPLES}) | ${ms(e.tokens.inProcess.median)} | ${ms(e.tokens.native.median)} (native emulator) | — | |`,
  ].join("\n");

  const missed = [];
  if (b.ours.gzip > 30 * KB) {
    missed.push(
      `- Size: ${kb(b.ours.gzip)} gzip is ${kb(b.ours.gzip - 30 * KB)} over 30 KB; with the JS at ${kb(b.oursJs.gzip)} gzip ` +
        `the wasm would have to be at most ${kb(30 * KB - b.oursJs.gzip)} gzip (now ${kb(b.oursWasm.gzip)}).`,
    );
  }
  if (b.ours.gzip >= b.peers.gzip) missed.push(`- Size: ${kb(b.ours.gzip - b.peers.gzip)} gzip more than the peers combined.`);
  for (const [name, ratio, key] of [["generate", genRatio, "generate"], ["verify", verRatio, "verify"], ["verify of a wrong code", wrongRatio, "verifyWrong"]]) {
    if (ratio < 3) {
      const budget = 1e9 / (3 * otp.otpauth[key]);
      missed.push(
        `- TOTP ${name}: ${ratio.toFixed(2)}×; 3× means ≤ ${budget.toFixed(0)} ns a call (now ${(1e9 / otp.ours[key]).toFixed(0)} ns, ` +
          `of which the bare call into the wasm is ${ns(otp.ours.crossing)} and reading the time argument ${ns(otp.ours.timeArgument)}; the rest is work inside the module).`,
      );
    }
  }
  if (!startOk) {
    missed.push(`- Start-up: ${ms(start.total)} (compile ${ms(start.compile)}, instantiate ${ms(start.instantiate)}); compile time scales with the wasm's code size.`);
  }

  const details = `## Bundle size

esbuild ${b.esbuild}, \`bundle\`, \`minify\`, \`format: "esm"\`, \`platform: "browser"\`; gzip level 9 and brotli quality 11
(Node's zlib). KB = 1024 bytes. Our JS and wasm are two files, each compressed on its own; entries in \`bench/entries/\`.

| Bundle | Raw | gzip -9 | brotli |
|---|---|---|---|
| auth0-mfa-wasm JS (\`init\`, \`MfaClient\`, \`Totp\`) | ${kb(b.oursJs.raw)} | ${kb(b.oursJs.gzip)} | ${kb(b.oursJs.brotli)} |
| auth0-mfa-wasm \`.wasm\` | ${kb(b.oursWasm.raw)} | ${kb(b.oursWasm.gzip)} | ${kb(b.oursWasm.brotli)} |
| **auth0-mfa-wasm total** | **${kb(b.ours.raw)}** | **${kb(b.ours.gzip)}** | **${kb(b.ours.brotli)}** |
| @auth0/auth0-auth-js (\`AuthClient\`, \`MfaClient\`) | ${kb(b.auth0.raw)} | ${kb(b.auth0.gzip)} | ${kb(b.auth0.brotli)} |
| otpauth (\`TOTP\`, \`Secret\`) | ${kb(b.otpauth.raw)} | ${kb(b.otpauth.gzip)} | ${kb(b.otpauth.brotli)} |
| **Peers combined** (one bundle) | **${kb(b.peers.raw)}** | **${kb(b.peers.gzip)}** | **${kb(b.peers.brotli)}** |

Size budget (\`bench/size-budget.json\`, checked by \`cargo xtask test\` with \`node bench/size.mjs --check\`, the same
measurement): ${bytes(shipped.gzip)} bytes gzip -9 (JS ${bytes(shipped.js.gzip)} + wasm ${bytes(shipped.wasm.gzip)}) against
${bytes(shipped.budget)}, ${shipped.withinBudget ? `${bytes(shipped.budget - shipped.gzip)} bytes to spare` : `**${bytes(shipped.gzip - shipped.budget)} bytes over**`}.

## OTP speed in Node

One process, the same SHA-1 secret and the same 1024 timestamps for every library (codes cross-checked first);
0.2 s warm-up each, then ${ROUNDS} rounds of ${SLICE} s per figure, the figures taking turns; the median round of each.
The headline verify checks the current step's code, window ±1.

| | generate | verify ±1 (current code) | verify ±1 (wrong code) | ns per generate | ns per verify |
|---|---|---|---|---|---|
${otpRow("auth0-mfa-wasm", otp.ours)}
${otpRow("otpauth (Node build, node:crypto HMAC)", otp.otpauth)}
${otpRow("otpauth (browser build, JS SHA-1), for reference", otp.otpauthJs)}

Where our time goes, per call: the bare call into the wasm (a getter) ${ns(otp.ours.crossing)}; a call taking a time
(\`Totp.counter(time)\`, which accepts a number or a \`Date\`) ${ns(otp.ours.timeArgument)}; the rest of \`generate\`
and \`verify\` is work inside the module (and, for \`verify\`, reading its code and options from JS: each option
is a call out of the wasm). Both libraries stop at the first matching step, checking the current one first, so a
current-step code costs one HMAC; a wrong code costs three.

## Start-up

${STARTUP_SAMPLES} fresh Node processes (\`bench/startup.mjs\`), so nothing is cached between samples; medians.
\`new WebAssembly.Module(bytes)\` then \`initSync({ module })\` (instantiate and the module's start function), as
the package's Node entry does.

| Step | Median |
|---|---|
| Import the JS glue | ${ms(start.importGlue)} |
| Compile (\`new WebAssembly.Module\`) | ${ms(start.compile)} |
| Instantiate (\`initSync\`) | ${ms(start.instantiate)} |
| **Compile + instantiate** | **${ms(start.total)}** (fastest ${ms(start.min)}, p90 ${ms(start.p90)}) |
| First call after (\`new Totp\` + \`generate\`) | ${ms(start.firstCall)} |

## OTP challenge login against the emulator

Both clients do the same steps with the confidential \`server-client\`, scope \`openid profile email\`: password
grant → \`mfa_required\` → list authenticators → challenge the OTP authenticator → verify a fresh code. Each login
uses a fresh user (added through \`POST /__emu/users\`, before timing) because the emulator refuses a TOTP code
reused in a step. Both reach the emulator (debug build, started with \`--public-url https://emu.test\`) through
the same counting \`fetch\`; ours gets a new \`MfaClient\` per login, theirs reuses one \`AuthClient\` (its discovery
cache is global to the process). The order rotates each round; ${FLOW_WARMUP} warm-up logins each, then ${FLOW_SAMPLES}.

| | Median | p90 | Client work (replayed) | Requests per login |
|---|---|---|---|---|
| auth0-mfa-wasm | ${ms(login.ours.median)} | ${ms(login.ours.p90)} | ${ms(login.ours.clientWork)} | ${login.ours.requests.join(", ")} |
| @auth0/auth0-auth-js + otpauth | ${ms(login.theirs.median)} | ${ms(login.theirs.p90)} | ${ms(login.theirs.clientWork)} | ${login.theirs.requests.join(", ")} |
| Floor: the same requests by hand with \`fetch\` | ${ms(login.floor.median)} | ${ms(login.floor.p90)} | ${ms(login.floor.clientWork)} | ${login.floor.requests.join(", ")} |

Nearly all of a login against the emulator is the emulator's own work (password hashing, RS256 signatures, in
a debug build, on a machine shared with the measuring process): compare the floor row. What each client itself
costs is the "client work" column: after the timed logins, one more login per client is recorded, then replayed
${REPLAY_SAMPLES} times with every request answered at once from memory (median; the floor's figure is the cost
of the replaying \`fetch\` and JSON parsing alone).

First login in the process: ours ${login.ours.first.length} requests, theirs ${login.theirs.first.length}
(${login.theirs.first.filter((r) => !login.theirs.requests.includes(r)).join(", ") || "the same ones"}).

${emulatorSection(e, login)}`;

  return `# Benchmarks

\`cargo xtask bench\` (issue 6). Every figure below comes from one run on one machine, ours side by side with its peer.

${env.date} · ${env.cpu} · ${env.os} · Node ${env.node} (V8 ${env.v8}) · load average ${env.load} · commit ${env.commit}

${table}
${missed.length ? `\n### Targets missed\n\n${missed.join("\n")}\n` : ""}
${details}
${breakdownSection(breakdown)}`;
}

const env = machine();
const bundles = await bundleSizes();
progress("size breakdown (twiggy on target/size/named.wasm)");
const breakdown = sizeBreakdown({ root: ROOT, twiggy: process.env.TWIGGY ?? "twiggy", shippedBytes: bundles.oursWasm.raw });
const otp = await otpSpeed();
const start = startup();
const native = await emulatorUrl();
let login, emulatorPkg;
try {
  login = await flow(native.url);
  emulatorPkg = await emulatorPackage(native.url);
} finally {
  native.stop();
}
const markdown = report({ bundles, otp, start, login, emulatorPkg, env, breakdown });
writeFileSync(path.join(ROOT, "bench/RESULTS.md"), markdown);
console.log(markdown);
progress("written to bench/RESULTS.md");

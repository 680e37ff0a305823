// The benchmarks, each ours against its peer in the same run on the same machine: the size of each entry of the
// package, OTP speed in Node (in fresh processes, several times), each wasm module's start-up, churn (making and
// dropping many objects), and a full OTP challenge login against the local emulator; and what each shipped wasm
// module is made of (bench/breakdown.mjs); and the emulator's npm package (emulator/pkg/): install size, cold start
// in Node, and what a login against it costs in-process, over HTTP and on the native server. Prints a Markdown
// table and writes it, with the details, to bench/RESULTS.md.
//
// Run through `cargo xtask bench`, which builds pkg/, emulator/pkg/, target/size/<stem>.named.wasm and the emulator
// and starts the emulator with `--public-url https://emu.test`. Alone: `node bench/run.mjs` after `cargo xtask bench`
// has built those once (it then starts the emulator itself; twiggy from $TWIGGY or the PATH; npm on the PATH).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { spawn, spawnSync, execFileSync } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import os from "node:os";
import path from "node:path";
import * as esbuild from "esbuild";
import { PEERS, measureEntries, measurePeer, sizes } from "./size.mjs";
import { MODULES, sizeBreakdown, readable } from "./breakdown.mjs";
import * as OTPAuth from "otpauth";
import { AuthClient, isMfaRequiredError } from "@auth0/auth0-auth-js";
// The main entry's Node build, which loads both modules from disk when imported: what a Node app logs in with.
import { MfaClient, Totp } from "../pkg/node.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const KB = 1024;
const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const PUBLIC = "https://emu.test";
const PASSWORD = "Passw0rd!";
const OTP_RUNS = 3;
const STARTUP_SAMPLES = 60;
const FLOW_WARMUP = 3;
const FLOW_SAMPLES = 30;
const REPLAY_WARMUP = 20;
const REPLAY_SAMPLES = 200;

// The targets, read from here by the table, the list of those missed and the details.
const TARGET = {
  // The OTP entry, JS + wasm, gzip -9 bytes.
  otpEntry: 12 * KB,
  // Ours ÷ otpauth, each OTP figure, in the slowest of the OTP_RUNS runs.
  otpSpeed: 3,
  // Compile + instantiate, median, milliseconds.
  otpStartup: 1,
  loginStartup: 2.5,
  // Bytes of core::fmt in the OTP module.
  otpFormatting: 0,
  // A client + Totp pair made and freed under churn ÷ one made and freed on a fresh heap.
  churn: 2,
};
// Our entries as the report names them (bench/size.mjs's ENTRIES).
const ENTRY_TITLES = { otp: "OTP entry", main: "Main entry", client: "Main entry (`MfaClient` alone)" };

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];
const spread = (values) => ({ min: Math.min(...values), median: median(values), max: Math.max(...values) });
const kb = (bytes) => `${(bytes / KB).toFixed(1)} KB`;
const ms = (value) => `${value.toFixed(2)} ms`;
const µs = (ns) => `${(ns / 1000).toFixed(1)} µs`;
const rate = (ops) => (ops >= 1e6 ? `${(ops / 1e6).toFixed(2)} M/s` : `${Math.round(ops / 1e3)} k/s`);
const times = (ratio) => `${ratio.toFixed(2)}×`;
const mark = (ok) => (ok ? "✓" : "✗");
const progress = (text) => process.stderr.write(`bench: ${text}\n`);

// Runs bench/<script> in a fresh Node process and parses the JSON line it prints.
function sample(script, args = [], nodeFlags = []) {
  const child = spawnSync(process.execPath, [...nodeFlags, path.join(ROOT, "bench", script), ...args], { encoding: "utf8" });
  if (child.status !== 0) throw new Error(`bench/${[script, ...args].join(" ")} failed: ${child.stderr}`);
  return JSON.parse(child.stdout);
}

// ---- bundle size --------------------------------------------------------------------------------------------

async function bundleSizes() {
  progress("bundle sizes (esbuild, gzip -9, brotli 11)");
  // bench/size.mjs's figures, the very ones the size budget of `cargo xtask test` checks.
  const entries = await measureEntries();
  const peers = {};
  for (const [name, file] of Object.entries(PEERS)) peers[name] = await measurePeer(file);
  return { entries, peers, esbuild: esbuild.version };
}

// ---- OTP speed ----------------------------------------------------------------------------------------------

// bench/otp-speed.mjs OTP_RUNS times, one after the other, each in a fresh process: each ratio's spread over them.
function otpSpeed() {
  progress(`OTP speed (${OTP_RUNS} fresh processes, ~16 s each)`);
  const runs = Array.from({ length: OTP_RUNS }, () => sample("otp-speed.mjs"));
  const each = (library) => Object.fromEntries(Object.keys(runs[0][library]).map((k) => [k, median(runs.map((r) => r[library][k]))]));
  const ratios = Object.fromEntries(
    ["generate", "verify", "verifyWrong"].map((figure) => {
      const values = runs.map((r) => r.ours[figure] / r.otpauth[figure]);
      return [figure, { runs: values, ...spread(values) }];
    }),
  );
  return { method: runs[0].method, ratios, ours: each("ours"), otpauth: each("otpauth"), otpauthJs: each("otpauthJs") };
}

// ---- start-up -----------------------------------------------------------------------------------------------

function startup() {
  progress(`start-up (${STARTUP_SAMPLES} fresh Node processes per module)`);
  const samples = { otp: [], login: [] };
  const names = Object.keys(samples);
  // The modules take turns, so that a busy moment of the machine falls on both alike.
  for (let i = 0; i < STARTUP_SAMPLES; i++) for (const name of i % 2 ? names.toReversed() : names) samples[name].push(sample("startup.mjs", [name]));
  const summary = (list) => {
    const of = (key) => median(list.map((s) => s[key]));
    const both = list.map((s) => s.compile + s.instantiate);
    return {
      importJs: of("importJs"),
      compile: of("compile"),
      instantiate: of("instantiate"),
      total: median(both),
      min: Math.min(...both),
      p90: percentile(both, 0.9),
      firstCall: of("firstCall"),
    };
  };
  return { otp: summary(samples.otp), login: summary(samples.login) };
}

// ---- churn --------------------------------------------------------------------------------------------------

function churn() {
  progress("churn (bench/churn.mjs, one fresh process with --expose-gc, ~1 min)");
  return sample("churn.mjs", [], ["--expose-gc"]);
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
  const client = new MfaClient({ domain: "emu.test", ...SERVER_CLIENT, fetch });
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
  const ourTotp = new Totp({ secret: SECRET });
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
  for (let i = 0; i < EMULATOR_START_SAMPLES; i++) samples.push(sample("emulator-start.mjs"));
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
    const totp = new Totp({ secret: SECRET });

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

const bytes = (n) => n.toLocaleString("en-US");
const share = (n, total) => `${((100 * n) / total).toFixed(1)} %`;
// A name in a table cell: code, with the cell separator escaped.
const cell = (name) => `\`${name.replaceAll("|", "\\|")}\``;
const ns = (ops) => `${(1e9 / ops).toFixed(0)} ns`;
const otpRow = (name, r) =>
  `| ${name} | ${rate(r.generate)} | ${rate(r.verify)} | ${rate(r.verifyWrong)} | ${(1e9 / r.generate).toFixed(0)} | ${(1e9 / r.verify).toFixed(0)} |`;
const OTP_FIGURES = [
  ["generate", "TOTP generate"],
  ["verify", "TOTP verify ±1, current code"],
  ["verifyWrong", "TOTP verify ±1, wrong code"],
];

function bundleSection(b) {
  const trio = (s) => `${kb(s.raw)} | ${kb(s.gzip)} | ${kb(s.brotli)}`;
  const entryRows = Object.values(b.entries).flatMap((e) => [
    `| ${ENTRY_TITLES[e.name]} | JS (\`bench/entries/${e.name}.js\`) | ${trio(e.js)} |`,
    ...e.wasm.map((w) => `| | \`${w.file}\` | ${trio(w)} |`),
    `| | **total** | **${kb(e.raw)}** | **${kb(e.gzip)}** (${bytes(e.gzip)} B) | **${kb(e.brotli)}** |`,
  ]);
  const budgetLines = Object.values(b.entries)
    .filter((e) => e.budget !== undefined)
    .map(
      (e) =>
        `- ${ENTRY_TITLES[e.name]}: ${bytes(e.gzip)} bytes (JS ${bytes(e.js.gzip)}${e.wasm.map((w) => ` + ${bytes(w.gzip)}`).join("")}) against ` +
        `${bytes(e.budget)}, ${e.withinBudget ? `${bytes(e.budget - e.gzip)} bytes to spare` : `**${bytes(e.gzip - e.budget)} bytes over**`}.`,
    );
  return `## Bundle size

esbuild ${b.esbuild}, \`bundle\`, \`minify\`, \`format: "esm"\`, \`platform: "browser"\` (so \`auth0-mfa-wasm\` resolves through
pkg/package.json's \`exports\` to its browser files); gzip level 9 and brotli quality 11 (Node's zlib). KB = 1024 bytes.
Each entry is one file of \`bench/entries/\`; an entry's size is its minified JS plus every \`.wasm\` that JS fetches,
each file compressed on its own, added up.

${Object.values(b.entries).map((e) => `- ${ENTRY_TITLES[e.name]}: \`${e.statement}\``).join("\n")}

| Entry | File | Raw | gzip -9 | brotli |
|---|---|---|---|---|
${entryRows.join("\n")}

| Peer (one JS file each) | Raw | gzip -9 | brotli |
|---|---|---|---|
| otpauth (\`{ TOTP }\`), beside the OTP entry | ${trio(b.peers.otpauth)} |
| @auth0/auth0-auth-js (\`{ AuthClient }\`, which carries the MFA API) | ${trio(b.peers.auth0)} |
| **auth0-auth-js + otpauth** (one bundle), beside the main entry | **${kb(b.peers.peers.raw)}** | **${kb(b.peers.peers.gzip)}** | **${kb(b.peers.peers.brotli)}** |

Size budgets (\`bench/size-budget.json\`, gzip -9 bytes per entry, checked by \`cargo xtask test\` with
\`node bench/size.mjs --check\`, the same measurement):

${budgetLines.join("\n")}
`;
}

function otpSection(otp) {
  const m = otp.method;
  const runs = OTP_FIGURES.map(([key, name]) => {
    const r = otp.ratios[key];
    return `| ${name} | ${r.runs.map(times).join(" | ")} | ${times(r.min)} / ${times(r.median)} / ${times(r.max)} | ≥ ${TARGET.otpSpeed}× in every run | ${mark(r.min >= TARGET.otpSpeed)} |`;
  });
  return `## OTP speed in Node

Ours is the OTP entry's Node build (\`pkg/otp-node.js\`), otpauth its Node build (node:crypto HMAC). One sample is
one fresh Node process (\`bench/otp-speed.mjs\`) with the same SHA-1 secret and the same 1024 timestamps for every
library (codes cross-checked first); ${m.warmup} s warm-up per figure, then ${m.rounds} rounds of ${m.slice} s per figure, the
figures taking turns; the median round of each. ${OTP_RUNS} samples, one after the other: a ratio is ours ÷ otpauth within
one sample, and the target is met when the lowest of the ${OTP_RUNS} is. Verify checks a code with window ±1.

| Ours ÷ otpauth | ${Array.from({ length: OTP_RUNS }, (_, i) => `Run ${i + 1}`).join(" | ")} | Min / median / max | Target | Met |
|---|${"---|".repeat(OTP_RUNS)}---|---|---|
${runs.join("\n")}

Calls per second, the median of the ${OTP_RUNS} runs:

| | generate | verify ±1 (current code) | verify ±1 (wrong code) | ns per generate | ns per verify |
|---|---|---|---|---|---|
${otpRow("auth0-mfa-wasm", otp.ours)}
${otpRow("otpauth (Node build, node:crypto HMAC)", otp.otpauth)}
${otpRow("otpauth (browser build, JS SHA-1), for reference", otp.otpauthJs)}

Where our time goes, per call: the OTP module's own call (\`key_code\`: one HMAC and the truncation) takes
${ns(otp.ours.moduleCode)} of \`generate\`'s ${ns(otp.ours.generate)}, and (\`key_find\` for a current-step code) ${ns(otp.ours.moduleFind)} of
\`verify\`'s ${ns(otp.ours.verify)}; the rest is the facade in JS (reading the time, the code and the options, padding the
code). Both libraries stop at the first matching step, checking the current one first, so a current-step code
costs one HMAC; a wrong code costs three.
`;
}

function startupSection(start) {
  const row = (name, key) => `| ${name} | ${ms(start.otp[key])} | ${ms(start.login[key])} |`;
  const total = (s) => `**${ms(s.total)}** (fastest ${ms(s.min)}, p90 ${ms(s.p90)})`;
  return `## Start-up

${STARTUP_SAMPLES} fresh Node processes per module (\`bench/startup.mjs otp|login\`, the modules taking turns), so nothing is
cached between samples; medians. \`new WebAssembly.Module(bytes)\` then \`initSync({ module })\` (instantiate and the
module's start function), as the package's Node entries do. The OTP module's JS is the OTP entry (\`pkg/otp.js\` and
the glue it imports), the login module's its wasm-bindgen glue (\`pkg/auth0_mfa_wasm.js\`).

| Step | OTP module (\`auth0_mfa_otp_bg.wasm\`) | Login module (\`auth0_mfa_wasm_bg.wasm\`) |
|---|---|---|
${row("Import the JS", "importJs")}
${row("Compile (`new WebAssembly.Module`)", "compile")}
${row("Instantiate (`initSync({ module })`)", "instantiate")}
| **Compile + instantiate** | ${total(start.otp)} | ${total(start.login)} |
| Target | < ${ms(TARGET.otpStartup)} ${mark(start.otp.total < TARGET.otpStartup)} | < ${ms(TARGET.loginStartup)} ${mark(start.login.total < TARGET.loginStartup)} |
${row("First call after (OTP: `new Totp` + `generate`; login: `new MfaClient` + `free`)", "firstCall")}
`;
}

function churnSection(c) {
  const m = c.method;
  const mb = (n) => `${(n / (1024 * 1024)).toFixed(1)} MB`;
  const s = (milliseconds) => (milliseconds / 1000).toFixed(2);
  const rounds = c.rounds.map(
    (r) => `| ${r.round} | ${s(r.clientMs + r.totpMs)} | ${s(r.clientMs)} | ${s(r.totpMs)} | ${s(r.finalizeMs)} | ${mb(r.memory.login)} | ${mb(r.memory.otp)} |`,
  );
  const p = c.perObject;
  const row = (name, o) => `| ${name} | ${µs(o.client)} | ${µs(o.totp)} | ${µs(o.pair)} | ${µs(o.finalize)} | ${µs(o.total)} |`;
  return `## Churn

One fresh Node process (\`node --expose-gc bench/churn.mjs\`), the main entry (\`pkg/index.js\`) with both modules
loaded by \`initSync\`. Each of ${m.rounds} rounds makes and drops ${bytes(m.perRound)} \`MfaClient\`s (\`{ domain: "tenant.example.com",
clientId: "churn" }\`, no network) and ${bytes(m.perRound)} \`Totp\`s (each makes one code, so that its key exists in the
OTP module), in batches of ${bytes(m.batch)} of one kind then ${bytes(m.batch)} of the other, nothing freed by hand; between rounds
\`gc()\` and turns of the event loop until the FinalizationRegistry callbacks have freed the dropped objects in the
wasm modules. An object costs its making and its freeing, as a server that serves many logins pays for both. The
figure: a pair made and freed in rounds ${m.churnFrom}–${m.rounds} against one of the first ${bytes(m.batch)} pairs made and freed in the
process, before the rounds (a fresh heap, but also cold code: those pay for compiling what they run, so "warm" is
round 1 for comparison). Making is timed apart from collecting and finalizing.

| Round | Making (s) | \`MfaClient\`s (s) | \`Totp\`s (s) | Collecting + finalizing after (s) | Login module memory | OTP module memory |
|---|---|---|---|---|---|---|
${rounds.join("\n")}

| Per object | Making a \`MfaClient\` | Making a \`Totp\` | Making a pair | Collecting + finalizing a pair | **A pair, made and freed** |
|---|---|---|---|---|---|
${row(`Fresh heap (the first ${bytes(m.batch)} of each)`, p.fresh)}
${row("Warm (round 1)", p.warm)}
${row(`Under churn (rounds ${m.churnFrom}–${m.rounds})`, p.churn)}
| **Under churn ÷ fresh** | ${times(c.ratio.client)} | ${times(c.ratio.totp)} | ${times(c.ratio.pair)} | ${times(c.ratio.finalize)} | **${times(c.ratio.total)}** (target ≤ ${TARGET.churn}× ${mark(c.ratio.total <= TARGET.churn)}) |

Collecting + finalizing per object dropped, ${bytes(m.perRound)} of one kind alone after the rounds: \`MfaClient\`
${µs(c.finalizeAlone.client)}, \`Totp\` ${µs(c.finalizeAlone.totp)}.

A dropped object's wasm memory is freed by its FinalizationRegistry callback, on the event loop, after a
collection: "collecting + finalizing" is what that costs the process, beside what making one costs.
`;
}

function breakdownSection(list, entries) {
  const one = (s) => {
    const rows = (groups) => groups.map((g) => `| ${cell(g.name)} | ${bytes(g.bytes)} | ${share(g.bytes, s.total)} | ${g.items} |`);
    const loadedBy = Object.values(entries)
      .filter((e) => e.wasm.some((w) => w.file === `${s.stem}_bg.wasm`))
      .map((e) => ENTRY_TITLES[e.name]);
    const fmt = s.formatting;
    const shown = fmt.functions.slice(0, 15);
    const fmtList = fmt.functions.length
      ? `\n| Function | Bytes |\n|---|---|\n${shown.map((f) => `| ${cell(readable(f.name))} | ${bytes(f.bytes)} |`).join("\n")}${
          fmt.functions.length > shown.length ? `\n| … ${fmt.functions.length - shown.length} more | ${bytes(fmt.functions.slice(shown.length).reduce((n, f) => n + f.bytes, 0))} |` : ""
        }\n`
      : "";
    const target = s.stem === "auth0_mfa_otp" ? ` (target ${TARGET.otpFormatting} ${mark(fmt.bytes <= TARGET.otpFormatting)})` : "";
    return `### ${s.title[0].toUpperCase()}${s.title.slice(1)}: \`${s.stem}_bg.wasm\`, ${bytes(s.total)} bytes

Crate \`${s.crate}\` (\`${s.src}/\`), loaded by: ${loadedBy.join("; ")}. twiggy on \`target/size/${s.stem}.named.wasm\`.

**core::fmt: ${bytes(fmt.bytes)} bytes in ${fmt.functions.length} functions**${target}: functions of \`core::fmt\` or
\`alloc::fmt\`, or impls of their traits (\`<T as core::fmt::Display>::fmt\`, \`<String as core::fmt::Write>::write_str\`).
${fmtList}
#### By crate

| Crate or group | Bytes | Share | Items |
|---|---|---|---|
${rows(s.groups).join("\n")}

#### ${s.crate} by module

| Module | Bytes | Share of the wasm | Functions |
|---|---|---|---|
${rows(s.modules).join("\n")}

#### The ${s.largest.length} largest functions

| # | Function | Bytes | Crate or module |
|---|---|---|---|
${s.largest.map((f, i) => `| ${i + 1} | ${cell(readable(f.name))} | ${bytes(f.bytes)} | ${cell(f.group)} |`).join("\n")}
`;
  };
  return `## Size breakdown

What each shipped \`.wasm\` is made of. twiggy ${list[0].twiggy} (\`twiggy top\`) on \`target/size/<stem>.named.wasm\`: the same
module with its name section kept, which \`cargo xtask bench\` builds from the same release wasm with pkg/'s
wasm-bindgen and wasm-opt flags plus \`-g\` (\`xtask/src/size.rs\`, which checks it is pkg/'s wasm byte for byte once
the names are taken out). Bytes of code and data in the uncompressed file; the name section is not counted, so
every table's rows add up to the file. Trait impls count for the crate of their type (of their trait when the
type is generic or primitive), drop glue for the type it drops; functions that wasm-opt merged or made count by
the name in its function map. wasm-opt inlines freely: a function's bytes may hold code of others it calls.
Hashes and crate disambiguators are left out of names: an \`async fn\`'s states are several \`{{closure}}\`
functions of one name.

Bracketed groups are no crate. \`[wasm-bindgen shims and export wrappers]\`: the functions JavaScript calls
(\`… externref shim\`, \`… multivalue shim\`, \`__wbg_…_free\`, the exports themselves), wasm-bindgen's adapters around
the \`#[wasm_bindgen]\` wrappers, into which wasm-opt has mostly inlined the exported function. \`[import and export
entries]\`: the import and export sections, the names of everything that crosses to JavaScript. \`[data segments]\`:
constants (strings, tables). \`[types, tables, globals, headers]\`: the rest of the module's structure.

${list.map(one).join("\n")}`;
}

function report({ bundles: b, otp, start, churn: c, login, emulatorPkg, env, breakdown }) {
  const e = emulatorPkg;
  const reqs = (r) => `${r.requests.length}${r.first.length !== r.requests.length ? ` (first login: ${r.first.length})` : ""}`;
  const { otp: otpEntry, main, client } = b.entries;
  const { otpauth, auth0, peers } = b.peers;
  const otpSizeOk = otpEntry.gzip <= TARGET.otpEntry;
  const stretchOk = otpEntry.gzip < otpauth.gzip;
  const otpStartOk = start.otp.total < TARGET.otpStartup;
  const loginStartOk = start.login.total < TARGET.loginStartup;
  const otpModule = breakdown.find((s) => s.stem === "auth0_mfa_otp");
  const loginModule = breakdown.find((s) => s.stem === "auth0_mfa_wasm");
  const fmtOk = otpModule.formatting.bytes <= TARGET.otpFormatting;
  const churnOk = c.ratio.total <= TARGET.churn;
  const size = (n) => `${bytes(n)} B (${kb(n)})`;
  const m = c.method;

  const table = [
    "| Measure | auth0-mfa-wasm | Peer | Target | Met |",
    "|---|---|---|---|---|",
    `| OTP entry: \`${otpEntry.statement}\`, JS + wasm, gzip -9 | ${size(otpEntry.gzip)} | ${size(otpauth.gzip)} (otpauth \`{ TOTP }\`) | ≤ ${bytes(TARGET.otpEntry)} B | ${mark(otpSizeOk)} |`,
    `| OTP entry under otpauth's \`{ TOTP }\` (stretch) | ${kb(otpEntry.gzip)} | ${kb(otpauth.gzip)} | < otpauth | ${mark(stretchOk)} |`,
    `| Main entry: \`${main.statement}\`, JS + ${main.wasm.length} wasm, gzip -9 | ${size(main.gzip)} | ${kb(peers.gzip)} (auth0-auth-js + otpauth), ${kb(auth0.gzip)} (auth0-auth-js \`{ AuthClient }\`) | none yet (30 KB in the next issue) | |`,
    `| Main entry, \`MfaClient\` alone: \`${client.statement}\`, JS + ${client.wasm.length} wasm, gzip -9 | ${size(client.gzip)} | ${kb(auth0.gzip)} (auth0-auth-js \`{ AuthClient }\`) | — | |`,
    ...Object.values(b.entries)
      .filter((x) => x.budget !== undefined)
      .map((x) => `| Size budget, ${ENTRY_TITLES[x.name]} (checked by \`cargo xtask test\`) | ${bytes(x.gzip)} B | — | ≤ ${bytes(x.budget)} B (bench/size-budget.json) | ${mark(x.withinBudget)} |`),
    ...OTP_FIGURES.map(([key, name]) => {
      const r = otp.ratios[key];
      return (
        `| ${name} (Node), ours ÷ otpauth over ${OTP_RUNS} runs: min / median / max | ${rate(otp.ours[key])} | ${rate(otp.otpauth[key])} (otpauth) | ` +
        `≥ ${TARGET.otpSpeed}× in every run → ${times(r.min)} / ${times(r.median)} / ${times(r.max)} | ${mark(r.min >= TARGET.otpSpeed)} |`
      );
    }),
    `| Start-up, OTP module: compile + instantiate (median of ${STARTUP_SAMPLES}) | ${ms(start.otp.total)} | — | < ${ms(TARGET.otpStartup)} | ${mark(otpStartOk)} |`,
    `| Start-up, login module: compile + instantiate (median of ${STARTUP_SAMPLES}) | ${ms(start.login.total)} | — | < ${ms(TARGET.loginStartup)} | ${mark(loginStartOk)} |`,
    `| core::fmt in the OTP module | ${bytes(otpModule.formatting.bytes)} B | — | ${TARGET.otpFormatting} B | ${mark(fmtOk)} |`,
    `| core::fmt in the login module | ${bytes(loginModule.formatting.bytes)} B | — | — | |`,
    `| Churn: a \`MfaClient\` + \`Totp\` pair made and freed under churn (rounds ${m.churnFrom}–${m.rounds}) ÷ on a fresh heap (the first ${bytes(m.batch)}) | ${µs(c.perObject.churn.total)} ÷ ${µs(c.perObject.fresh.total)} = ${times(c.ratio.total)} | — | ≤ ${TARGET.churn}× | ${mark(churnOk)} |`,
    `| OTP challenge login vs emulator (median of ${FLOW_SAMPLES}) | ${ms(login.ours.median)} | ${ms(login.theirs.median)} (auth0-auth-js + otpauth) | — | |`,
    `| HTTP requests per login | ${reqs(login.ours)} | ${reqs(login.theirs)} | — | |`,
    `| Client work per login, responses replayed (median of ${REPLAY_SAMPLES}) | ${ms(login.ours.clientWork)} | ${ms(login.theirs.clientWork)} | — | |`,
    `| Emulator package: npm tarball / unpacked (auth0-mfa-emulator) | ${kb(e.size.tarball)} / ${kb(e.size.unpacked)} | — | — | |`,
    `| Emulator package: cold start in Node, import + \`new Emulator()\` (median of ${EMULATOR_START_SAMPLES}) | ${ms(e.start.total.median)} | — | — | |`,
    `| OTP challenge login, our client vs the wasm emulator in-process / over HTTP (median of ${FLOW_SAMPLES}) | ${ms(e.login.inProcess.median)} / ${ms(e.login.http.median)} | ${ms(e.login.native.median)} (native emulator) | — | |`,
    `| Password grant without MFA (hash + 2 RS256), wasm emulator in-process (median of ${FLOW_SAMPLES}) | ${ms(e.tokens.inProcess.median)} | ${ms(e.tokens.native.median)} (native emulator) | — | |`,
  ].join("\n");

  const missed = [];
  const parts = (x) => `JS ${bytes(x.js.gzip)}${x.wasm.map((w) => ` + wasm ${bytes(w.gzip)}`).join("")}`;
  if (!otpSizeOk) missed.push(`- OTP entry size: ${bytes(otpEntry.gzip)} B gzip (${parts(otpEntry)}) is ${bytes(otpEntry.gzip - TARGET.otpEntry)} B over ${bytes(TARGET.otpEntry)}.`);
  if (!stretchOk) {
    missed.push(
      `- OTP entry size, stretch: ${bytes(otpEntry.gzip)} B gzip (${parts(otpEntry)}) is ${bytes(otpEntry.gzip - otpauth.gzip + 1)} B ` +
        `from being under otpauth's \`{ TOTP }\` (${bytes(otpauth.gzip)} B).`,
    );
  }
  for (const [key, name] of OTP_FIGURES) {
    const r = otp.ratios[key];
    if (r.min < TARGET.otpSpeed) {
      missed.push(
        `- ${name}: ${times(r.min)} in the slowest of ${OTP_RUNS} runs (${r.runs.map(times).join(", ")}); ${TARGET.otpSpeed}× means ≤ ` +
          `${(1e9 / (TARGET.otpSpeed * otp.otpauth[key])).toFixed(0)} ns a call (now ${ns(otp.ours[key])}).`,
      );
    }
  }
  for (const [name, s, ok, limit] of [["OTP", start.otp, otpStartOk, TARGET.otpStartup], ["login", start.login, loginStartOk, TARGET.loginStartup]]) {
    if (!ok) missed.push(`- Start-up, ${name} module: ${ms(s.total)} (compile ${ms(s.compile)}, instantiate ${ms(s.instantiate)}) against < ${ms(limit)}.`);
  }
  if (!fmtOk) {
    missed.push(
      `- core::fmt in the OTP module: ${bytes(otpModule.formatting.bytes)} B in ${otpModule.formatting.functions.length} functions ` +
        `(${otpModule.formatting.functions.slice(0, 5).map((f) => cell(readable(f.name))).join(", ")}${otpModule.formatting.functions.length > 5 ? ", …" : ""}).`,
    );
  }
  if (!churnOk) {
    missed.push(`- Churn: a pair made and freed costs ${µs(c.perObject.churn.total)} under churn against ${µs(c.perObject.fresh.total)} on a fresh heap, ${times(c.ratio.total)} (making ${times(c.ratio.pair)}, freeing ${times(c.ratio.finalize)}).`);
  }

  return `# Benchmarks

\`cargo xtask bench\`. Every figure below comes from one run on one machine, ours side by side with its peer.

${env.date} · ${env.cpu} · ${env.os} · Node ${env.node} (V8 ${env.v8}) · load average ${env.load} · commit ${env.commit}

${table}
${missed.length ? `\n### Targets missed\n\n${missed.join("\n")}\n` : ""}
${bundleSection(b)}
${otpSection(otp)}
${startupSection(start)}
${churnSection(c)}
## OTP challenge login against the emulator

Both clients do the same steps with the confidential \`server-client\`, scope \`openid profile email\`: password
grant → \`mfa_required\` → list authenticators → challenge the OTP authenticator → verify a fresh code. Each login
uses a fresh user (added through \`POST /__emu/users\`, before timing) because the emulator refuses a TOTP code
reused in a step. Both reach the emulator (debug build, started with \`--public-url https://emu.test\`) through
the same counting \`fetch\`; ours (the main entry's Node build, \`pkg/node.js\`) gets a new \`MfaClient\` per login,
theirs reuses one \`AuthClient\` (its discovery cache is global to the process). The order rotates each round;
${FLOW_WARMUP} warm-up logins each, then ${FLOW_SAMPLES}.

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

${emulatorSection(e, login)}
${breakdownSection(breakdown, b.entries)}`;
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


const env = machine();
const bundles = await bundleSizes();
progress("size breakdown (twiggy on target/size/<stem>.named.wasm)");
const breakdown = MODULES.map((module) =>
  sizeBreakdown({
    root: ROOT,
    module,
    twiggy: process.env.TWIGGY ?? "twiggy",
    shippedBytes: statSync(path.join(ROOT, `pkg/${module.stem}_bg.wasm`)).size,
  }),
);
const otp = otpSpeed();
const start = startup();
const churnResult = churn();
const native = await emulatorUrl();
let login, emulatorPkg;
try {
  login = await flow(native.url);
  emulatorPkg = await emulatorPackage(native.url);
} finally {
  native.stop();
}
const markdown = report({ bundles, otp, start, churn: churnResult, login, emulatorPkg, env, breakdown });
writeFileSync(path.join(ROOT, "bench/RESULTS.md"), markdown);
console.log(markdown);
progress("written to bench/RESULTS.md");

// The npm package auth0-mfa-emulator, packed and installed into a fresh project with auth0-mfa-wasm, used as its
// users use it from Node: an app's own node:test file signing in through `fetch: emu.fetch` (no port), Auth0's
// @auth0/auth0-auth-js through its `customFetch`, and `npx auth0-mfa-emulator` (the CLI) over HTTP.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { compilesInProject, emulatorProject, passesInProject, root } from "./project.mjs";

let project;
before(() => {
  project = emulatorProject("auth0-mfa-emulator-node");
});
after(() => project?.remove());

/** Runs one of tests/consumers/emulator-app/ in the project with `node --test`; asserts every test in it passed. */
function runAppTest(file, count) {
  copyFileSync(join(root, "tests/consumers/emulator-app", file), join(project.app, file));
  passesInProject(project.app, file, count);
}

test("an app's node:test file signs in through emu.fetch: OTP enrollment, SMS, push, recovery code, expiry", () => {
  runAppTest("login.test.mjs", 5);
});

test("@auth0/auth0-auth-js through customFetch: emu.fetch", () => {
  // auth-js comes from this repository's node_modules, linked in as if the project had installed it.
  symlinkSync(join(root, "node_modules/@auth0"), join(project.app, "node_modules/@auth0"), "dir");
  runAppTest("auth-js.test.mjs", 1);
});

test("TypeScript: the strict emulator consumer compiles against the installed packages", () => {
  compilesInProject(project.app, "emulator-consumer.ts", [
    ["../../emulator/pkg/index.js", "auth0-mfa-emulator"],
    ["../../pkg/index.js", "auth0-mfa-wasm"],
  ]);
});

// ---- npx auth0-mfa-emulator -------------------------------------------------------------------------------------

const READY = "auth0-mfa-emulator listening on ";
const NATIVE = process.env.EMULATOR_BIN ?? join(root, "target/debug/auth0-mfa-emulator");

/** Starts the package's bin, the program `npx auth0-mfa-emulator` runs, in the project; resolves `{ url, child, exited }`
 * once the ready line is out. It is started directly rather than through npx, whose shell does not pass signals on. */
async function startCli(args) {
  const bin = join(project.app, "node_modules/.bin/auth0-mfa-emulator");
  const child = spawn(bin, args, { cwd: project.app, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const lines = [];
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line within 30 s; stderr: ${stderr}`)), 30_000);
    exited.then(({ code }) => reject(new Error(`exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      lines.push(line);
      clearTimeout(timer);
      resolve(line.startsWith(READY) ? line.slice(READY.length) : reject(new Error(`not the ready line: ${line}`)));
    });
  });
  return { url, child, exited, lines, stderr: () => stderr };
}

/** Runs a program to its end; `{ status, stdout, stderr }`. */
function run(program, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(program, args, { cwd: project.app, stdio: ["ignore", "pipe", "pipe"], ...options });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.once("exit", (status) => resolve({ status, stdout, stderr }));
  });
}

test("CLI: the ready line, a login over HTTP with auth0-mfa-wasm, and SIGTERM stops it with 0", async () => {
  const cli = await startCli(["--port", "0"]);
  assert.match(cli.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const { MfaClient, Totp } = await import(join(project.app, "node_modules/auth0-mfa-wasm/node.js"));
  const client = new MfaClient({ domain: cli.url, clientId: "spa-client" });
  assert.equal((await client.login("otp@example.com", "Passw0rd!")).stage, "mfa_required");
  const [otp] = (await client.authenticators()).active;
  await client.challenge(otp.id);
  const { now_ms: now } = await (await fetch(`${cli.url}/__emu/clock`)).json();
  const tokens = await client.verifyOtp(new Totp({ secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" }).generate(now));
  assert.equal(tokens.accessToken.split(".").length, 3);
  const issuer = (await (await fetch(`${cli.url}/.well-known/openid-configuration`)).json()).issuer;
  assert.equal(issuer, `${cli.url}/`, "without --public-url the tenant is named by where it listens");
  cli.child.kill("SIGTERM");
  assert.deepEqual(await cli.exited, { code: 0, signal: null });
  assert.deepEqual(cli.lines, [`${READY}${cli.url}`], "one line on stdout");
  assert.equal(cli.stderr(), "");
});

test("CLI: --seed and --public-url", async () => {
  const seed = JSON.parse(readFileSync(join(project.app, "node_modules/auth0-mfa-emulator/seed/default.json"), "utf8"));
  seed.users = [{ username: "only@example.com", password: "S3cret-seed!", mfa: false }];
  writeFileSync(join(project.app, "seed.json"), JSON.stringify(seed));
  const cli = await startCli(["--port", "0", "--seed", "seed.json", "--public-url", "https://tenant.example"]);
  try {
    const discovery = await (await fetch(`${cli.url}/.well-known/openid-configuration`)).json();
    assert.equal(discovery.issuer, "https://tenant.example/");
    const users = await (await fetch(`${cli.url}/__emu/users`)).json();
    assert.deepEqual(users.map((user) => user.username), ["only@example.com"]);
  } finally {
    cli.child.kill("SIGINT");
  }
  assert.deepEqual(await cli.exited, { code: 0, signal: null });
});

test("CLI and the native binary: the same exit codes and messages for bad arguments and a busy port", async () => {
  const busy = createServer();
  await new Promise((resolve) => busy.listen(0, "127.0.0.1", resolve));
  const port = String(busy.address().port);
  const cases = [["--what"], ["--port", "x"], ["--port"], ["--mfa-token-ttl", "soon"], ["--mfa-token-ttl", "0"], ["--help"], ["--port", port]];
  try {
    for (const args of cases) {
      const [native, cli] = [await run(NATIVE, args), await run("npx", ["--no-install", "auth0-mfa-emulator", ...args])];
      assert.deepEqual(cli, native, args.join(" "));
      assert.ok(native.status === 0 ? native.stdout.startsWith("usage:") : native.stderr.startsWith("auth0-mfa-emulator: "), args.join(" "));
    }
    const unreadable = await Promise.all([run(NATIVE, ["--seed", "missing.json"]), run("npx", ["--no-install", "auth0-mfa-emulator", "--seed", "missing.json"])]);
    // The OS's words for a missing file differ between Rust and Node; the rest is the same.
    for (const answer of unreadable) {
      assert.equal(answer.status, 2);
      assert.ok(answer.stderr.startsWith("auth0-mfa-emulator: cannot read seed missing.json: "), answer.stderr);
    }
  } finally {
    busy.close();
  }
});

test("CLI: listening on a non-loopback address warns on stderr that the control plane is exposed", async () => {
  const cli = await startCli(["--host", "0.0.0.0", "--port", "0"]);
  try {
    const port = new URL(cli.url).port;
    assert.equal(cli.url, `http://0.0.0.0:${port}`);
    assert.match(cli.stderr(), new RegExp(`^auth0-mfa-emulator: warning: listening on 0\\.0\\.0\\.0:${port}, which is not a loopback address`));
  } finally {
    cli.child.kill("SIGTERM");
  }
  assert.deepEqual(await cli.exited, { code: 0, signal: null });
});

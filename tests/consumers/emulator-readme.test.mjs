// The examples of emulator/README.md's "Test your own app", as they are written there, run in a fresh project that
// installed the packed auth0-mfa-emulator and auth0-mfa-wasm: the node:test file with `node --test`, the Playwright
// helper in Chromium, and the Miniflare setup with the Worker example (examples/worker). What the README leaves to
// the reader is filled in; if the README changes one of those places, or adds or drops an example, this fails.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bundleWorker } from "./bundle-worker.mjs";
import { emulatorProject, passesInProject, root, runInProject } from "./project.mjs";

let project;
before(() => {
  project = emulatorProject("auth0-mfa-emulator-readme");
  // What the Playwright and Miniflare examples import, from this repository's node_modules as if installed.
  for (const name of ["playwright-core", "miniflare"]) symlinkSync(join(root, "node_modules", name), join(project.app, "node_modules", name), "dir");
});
after(() => project?.remove());

/** The one ```js block under `### heading` in the README's "Test your own app". */
function example(heading) {
  const readme = readFileSync(join(root, "emulator/README.md"), "utf8");
  const section = /\n## Test your own app\n([\s\S]*?)\n## /.exec(readme)?.[1];
  assert.ok(section, "the README has the section");
  const part = section.split("\n### ").find((text) => text.startsWith(`${heading}\n`));
  assert.ok(part, `the section has "### ${heading}"`);
  const blocks = [...part.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1]);
  assert.equal(blocks.length, 1, `one example under ${heading}`);
  return blocks[0];
}

/** `snippet` with `placeholder`, which must occur exactly once, replaced by `code`. */
function fill(snippet, placeholder, code) {
  assert.equal(snippet.split(placeholder).length, 2, `the example has "${placeholder}" once`);
  return snippet.replace(placeholder, () => code);
}

/** Writes `program` into the project as `file` and runs it with node; returns its stdout. */
function run(file, program) {
  writeFileSync(join(project.app, file), program);
  return runInProject(project.app, file);
}

test("node:test: the example's four tests pass as written", () => {
  writeFileSync(join(project.app, "login.test.mjs"), example("node:test or vitest"));
  passesInProject(project.app, "login.test.mjs", 4);
});

test("Playwright: a page on the allowed origin signs in against routeTenant's emu.fetch", () => {
  const program = `${example("Playwright")}
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
import { Totp } from "auth0-mfa-wasm";

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
try {
  const page = await browser.newPage();
  await routeTenant(page);
  // The app under test, on the origin the example allowed: the installed library's web build and an empty page.
  const library = "node_modules/auth0-mfa-wasm/";
  await page.route("http://localhost:5173/**", (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === "/") return route.fulfill({ contentType: "text/html", body: "<!doctype html><title>app</title>" });
    const type = path.endsWith(".wasm") ? "application/wasm" : "text/javascript";
    return route.fulfill({ contentType: type, body: readFileSync(library + path.slice("/pkg/".length)) });
  });
  await page.goto("http://localhost:5173/");
  const { now_ms } = await emu.clock();
  const code = new Totp({ secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" }).generate(now_ms);
  const result = await page.evaluate(async (code) => {
    const { default: init, MfaClient } = await import("/pkg/index.js");
    await init();
    const client = new MfaClient({ domain: "https://tenant.example", clientId: "spa-client" });
    const first = (await client.login("otp@example.com", "Passw0rd!")).stage;
    const [otp] = (await client.authenticators()).active;
    await client.challenge(otp.id);
    const tokens = await client.verifyOtp(code);
    return { first, stage: client.stage, parts: tokens.accessToken.split(".").length };
  }, code);
  const journal = await emu.control("GET", "/__emu/journal");
  console.log(JSON.stringify({ result, origins: [...new Set(journal.map((entry) => entry.headers.origin))] }));
} finally {
  await browser.close();
}
`;
  const report = JSON.parse(run("playwright.mjs", program).trim().split("\n").at(-1));
  assert.deepEqual(report, { result: { first: "mfa_required", stage: "authenticated", parts: 3 }, origins: ["http://localhost:5173"] });
});

test("Miniflare: the Worker example, unchanged, signs in through outboundService → emu.fetch", async () => {
  const script = await bundleWorker(join(root, "examples/worker/src/index.js"), join(project.app, "dist"), join(project.app, "node_modules"));
  let program = example("Miniflare (Cloudflare Workers)");
  // The bundle is several modules (the script and the library's wasm), and the example Worker needs its own settings.
  program = fill(program, 'scriptPath: "dist/worker.js",', `...${JSON.stringify(script)},
  durableObjects: { SESSIONS: { className: "Session", useSQLite: true } },`);
  program = fill(program, "bindings: { ", `bindings: { ALLOWED_ORIGINS: "https://app.example", STATE_KEY: "${randomBytes(32).toString("base64")}", `);
  program = fill(program, 'const response = await mf.dispatchFetch("https://app.example/login", { method: "POST", body: "…" });', `
import { Totp } from "auth0-mfa-wasm";
let cookie = "";
async function call(path, body) {
  const headers = { origin: "https://app.example", "content-type": "application/json", cookie };
  const response = await mf.dispatchFetch("https://app.example" + path, { method: "POST", headers, body: JSON.stringify(body) });
  cookie = response.headers.getSetCookie().find((line) => line.startsWith("__Host-session="))?.split(";")[0] ?? cookie;
  return response.json();
}
const login = await call("/login", { username: "otp@example.com", password: "Passw0rd!" });
await call("/challenge", { type: "otp" });
const { now_ms } = await emu.clock();
const verified = await call("/verify", { otp: new Totp({ secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" }).generate(now_ms) });
const grants = (await emu.control("GET", "/__emu/journal?path=/oauth/token")).map((entry) => [entry.body.grant_type, entry.status]);
await mf.dispose();
console.log(JSON.stringify({ login: login.stage, verified, grants }));`);
  const report = JSON.parse(run("miniflare.mjs", program).trim().split("\n").at(-1));
  assert.deepEqual(report, {
    login: "mfa_required",
    verified: { stage: "authenticated" },
    grants: [["password", 403], ["http://auth0.com/oauth/grant-type/mfa-otp", 200]],
  });
});

// A fresh project with packed packages installed from their tarballs, as a user installs them: the library
// (`npm pack pkg/`), the emulator (`npm pack emulator/pkg/`) or both. Neither has dependencies, so installing
// needs no registry.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../..", import.meta.url));

/** A fresh project in a new temporary folder with the packages built in `dirs` (relative to the repository) packed
 * and installed: `{ work, app, remove() }`, `app` the project's folder inside `work`. */
export function freshProject(name, dirs) {
  const work = mkdtempSync(join(tmpdir(), `${name}-`));
  const tarballs = dirs.map((dir) => {
    const [{ filename }] = JSON.parse(execFileSync("npm", ["pack", join(root, dir), "--pack-destination", work, "--json"], { encoding: "utf8" }));
    return join(work, filename);
  });
  const app = join(work, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline", ...tarballs], { cwd: app, stdio: "inherit" });
  return { work, app, remove: () => rmSync(work, { recursive: true, force: true }) };
}

/** The emulator and, for the apps under test, the library. */
export const emulatorProject = (name) => freshProject(name, ["emulator/pkg", "pkg"]);

/** Runs `file` in `app` with node and `args`; returns its stdout. */
export function runInProject(app, file, args = []) {
  // Without the variable that would make a nested `node --test` report to this test runner instead of printing.
  const { NODE_TEST_CONTEXT, ...env } = process.env;
  return execFileSync(process.execPath, [...args, file], { cwd: app, encoding: "utf8", env });
}

/** Runs the test file `file` in `app` with `node --test`; asserts that `count` tests passed, none failed or skipped. */
export function passesInProject(app, file, count) {
  const output = runInProject(app, file, ["--test", "--test-reporter=tap"]);
  assert.match(output, new RegExp(`^# pass ${count}$`, "m"), output);
  assert.match(output, /^# fail 0$/m, output);
  assert.match(output, /^# skipped 0$/m, output);
}

/** Compiles the strict TypeScript consumer tests/ts/`file` in `app`, its imports of the repository's builds (`from`,
 * e.g. "../../pkg/otp.js") made imports of the installed packages (`to`, e.g. "auth0-mfa-wasm/otp"). */
export function compilesInProject(app, file, imports) {
  let source = readFileSync(join(root, "tests/ts", file), "utf8");
  for (const [from, to] of imports) {
    assert.ok(source.includes(`from "${from}"`), `${file} imports ${from}`);
    source = source.replaceAll(`from "${from}"`, `from "${to}"`);
  }
  writeFileSync(join(app, file), source);
  const tsconfig = JSON.parse(readFileSync(join(root, "tests/ts/tsconfig.json"), "utf8"));
  writeFileSync(join(app, "tsconfig.json"), JSON.stringify({ ...tsconfig, files: [file] }));
  execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", app], { stdio: "inherit" });
}

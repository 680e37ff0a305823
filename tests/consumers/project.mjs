// A fresh project with packed packages installed from their tarballs, as a user installs them: the library
// (`npm pack pkg/`), the emulator (`npm pack emulator/pkg/`) or both. Neither has dependencies, so installing
// needs no registry.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
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

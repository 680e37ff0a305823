// A fresh project with the packed packages installed from their tarballs, as a user installs them: the emulator
// (`npm pack emulator/pkg/`) and, for the apps under test, the library (`npm pack pkg/`). Neither has
// dependencies, so installing needs no registry.
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../..", import.meta.url));

/** Resolves `{ app, tarballs, remove() }`: `app` is the project's directory. */
export function emulatorProject(name) {
  const work = mkdtempSync(join(tmpdir(), `${name}-`));
  const tarballs = {};
  for (const [key, dir] of [["emulator", "emulator/pkg"], ["library", "pkg"]]) {
    const [{ filename }] = JSON.parse(execFileSync("npm", ["pack", join(root, dir), "--pack-destination", work, "--json"], { encoding: "utf8" }));
    tarballs[key] = join(work, filename);
  }
  const app = join(work, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline", tarballs.emulator, tarballs.library], { cwd: app, stdio: "inherit" });
  return { app, tarballs, remove: () => rmSync(work, { recursive: true, force: true }) };
}

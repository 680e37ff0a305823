// A Worker in workerd (Miniflare) for one test file: `script` beside a copy of a built package (its glue, its
// `.wasm` as a compiled module, and the JavaScript snippets the module imports), answering JSON at `step(path)`.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";

/** Resolves to `{ step(path), stop() }`; `package` is the folder of the built package, `bindings` the Worker's env. */
export async function startWorker({ package: built, script, bindings }) {
  const work = mkdtempSync(join(tmpdir(), "auth0-mfa-workerd-"));
  cpSync(built, work, { recursive: true });
  writeFileSync(join(work, "worker.js"), script);
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(work, "worker.js"),
    modulesRoot: work,
    modulesRules: [
      { type: "ESModule", include: ["**/*.js"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: "2026-04-01",
    bindings,
  });
  return {
    async step(path) {
      const response = await mf.dispatchFetch(`http://worker.test/${path}`);
      const text = await response.text();
      assert.equal(response.status, 200, text);
      return JSON.parse(text);
    },
    async stop() {
      await mf.dispose();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

// A Worker bundled as wrangler bundles it: esbuild with the workerd conditions, packages from a project's
// node_modules, and each .wasm as a file beside the script, which Miniflare loads as a compiled module.
import { basename, join } from "node:path";
import * as esbuild from "esbuild";

/** Bundles `entry` into `out`, resolving packages from `nodeModules`; returns the script's Miniflare options. */
export async function bundleWorker(entry, out, nodeModules) {
  await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    nodePaths: [nodeModules],
    external: ["cloudflare:*"],
    loader: { ".wasm": "copy" },
    outdir: out,
    logLevel: "warning",
  });
  return {
    modules: true,
    scriptPath: join(out, basename(entry)),
    modulesRoot: out,
    modulesRules: [
      { type: "ESModule", include: ["**/*.js"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: "2026-04-01",
  };
}

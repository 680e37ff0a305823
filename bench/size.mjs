// The shipped size, measured in this one place: `cargo xtask bench` reports it (bench/run.mjs imports this) and
// the size budget of `cargo xtask test` checks it (`node bench/size.mjs --check`), so the two cannot disagree.
//
// Shipped = the JS a browser app bundles (bench/entries/ours.js through esbuild: bundle, minify, esm, browser)
// plus pkg/auth0_mfa_wasm_bg.wasm, which that JS fetches as a second file; each gzip -9 (Node's zlib) on its own,
// added up. Sizes only, no timing: the same build always gives the same figure.
//
// CLI, after `cargo xtask build`: `node bench/size.mjs` prints the figures as JSON; `--check` also exits 1 when
// the total is over `shippedGzipBytes` in bench/size-budget.json.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import zlib from "node:zlib";
import * as esbuild from "esbuild";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const WASM = path.join(ROOT, "pkg/auth0_mfa_wasm_bg.wasm");
export const BUDGET = path.join(ROOT, "bench/size-budget.json");

export const gzip = (bytes) => zlib.gzipSync(bytes, { level: 9 }).length;

// bench/entries/<entry> bundled and minified the way an app's build would, as bytes.
export async function bundle(entry) {
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [path.join(ROOT, "bench/entries", entry)],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "silent",
  });
  return Buffer.from(result.outputFiles[0].contents);
}

// The two files a browser app downloads from us.
export async function shippedFiles() {
  return { js: await bundle("ours.js"), wasm: readFileSync(WASM) };
}

export function measure({ js, wasm }) {
  const one = (bytes) => ({ raw: bytes.length, gzip: gzip(bytes) });
  const [j, w] = [one(js), one(wasm)];
  return { js: j, wasm: w, raw: j.raw + w.raw, gzip: j.gzip + w.gzip };
}

export function budget() {
  const { shippedGzipBytes } = JSON.parse(readFileSync(BUDGET, "utf8"));
  if (!Number.isInteger(shippedGzipBytes) || shippedGzipBytes <= 0) {
    throw new Error(`${path.relative(ROOT, BUDGET)}: shippedGzipBytes must be a positive whole number of bytes`);
  }
  return shippedGzipBytes;
}

// The figures beside the budget: what the check decides on and what bench prints.
export function judge(figures) {
  const limit = budget();
  return { ...figures, budget: limit, withinBudget: figures.gzip <= limit };
}

export async function shipped() {
  return judge(measure(await shippedFiles()));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const result = await shipped();
  console.log(JSON.stringify(result));
  const line = `shipped JS + wasm: ${result.gzip} bytes gzip -9 (JS ${result.js.gzip}, wasm ${result.wasm.gzip}); budget ${result.budget}`;
  if (!result.withinBudget) {
    console.error(`${line}: ${result.gzip - result.budget} bytes over (bench/size-budget.json)`);
    if (process.argv.includes("--check")) process.exit(1);
  } else {
    console.error(`${line}: ${result.budget - result.gzip} bytes under`);
  }
}

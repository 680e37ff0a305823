// The shipped size, measured in this one place: `cargo xtask bench` reports it (bench/run.mjs imports this) and
// the size budget of `cargo xtask test` checks it (`node bench/size.mjs --check`), so the two cannot disagree.
//
// An entry's size = the JS an app bundles for it (bench/entries/<entry>.js through esbuild: bundle, minify, esm,
// browser) plus each .wasm that JS loads (a second and third file, fetched beside it); each gzip -9 (Node's zlib)
// on its own, added up. Sizes only, no timing: the same build always gives the same figure.
//
// CLI, after `cargo xtask build`: `node bench/size.mjs` prints the figures as JSON; `--check` also exits 1 when an
// entry is over its budget in bench/size-budget.json, naming it.
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import zlib from "node:zlib";
import * as esbuild from "esbuild";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PKG = path.join(ROOT, "pkg");
export const BUDGET = path.join(ROOT, "bench/size-budget.json");

// Our entries, bench/entries/<name>.js, each importing the package by name as an app does.
export const ENTRIES = ["otp", "main", "client"];
// The peers' bundles, by what they stand beside: otpauth's TOTP (the OTP entry's), the official client, and the
// two in one bundle (the main entry's).
export const PEERS = { otpauth: "otpauth.js", auth0: "auth0-auth-js.js", peers: "peers.js" };

export const gzip = (bytes) => zlib.gzipSync(bytes, { level: 9 }).length;
const brotli = (bytes) =>
  zlib.brotliCompressSync(bytes, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  }).length;

/** One file's bytes raw, gzip -9 and brotli 11. */
export const sizes = (bytes) => ({ raw: bytes.length, gzip: gzip(bytes), brotli: brotli(bytes) });
const add = (list) => ({
  raw: list.reduce((n, s) => n + s.raw, 0),
  gzip: list.reduce((n, s) => n + s.gzip, 0),
  brotli: list.reduce((n, s) => n + s.brotli, 0),
});

// pkg/ is no installed package: esbuild finds it as `auth0-mfa-wasm` through a directory of one link, so that
// `auth0-mfa-wasm/otp` goes through pkg/package.json's "exports" with a browser bundler's conditions.
function packages() {
  const dir = path.join(ROOT, "target/bench-packages");
  const link = path.join(dir, "auth0-mfa-wasm");
  try {
    if (realpathSync(link) === realpathSync(PKG)) return dir;
  } catch {}
  if (!existsSync(path.join(PKG, "package.json"))) throw new Error("pkg/ is not built: run cargo xtask build");
  mkdirSync(dir, { recursive: true });
  rmSync(link, { force: true, recursive: true });
  symlinkSync(PKG, link, "junction");
  return dir;
}

// bench/entries/<file> bundled and minified the way an app's build would: the bytes, and the files it is made of.
async function build(file) {
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [path.join(ROOT, "bench/entries", file)],
    nodePaths: [packages()],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  return { js: Buffer.from(result.outputFiles[0].contents), inputs: Object.keys(result.metafile.inputs) };
}

export const bundle = async (file) => (await build(file)).js;

// The import an entry stands for, from its file: `export { default as init, X } from "m"` is `import init, { X } from "m"`.
function statement(source, file) {
  const found = /export \{ default as init, ([^}]+?) \} from "([^"]+)"/.exec(source);
  if (!found) throw new Error(`bench/entries/${file}: expected \`export { default as init, … } from "auth0-mfa-wasm…"\``);
  return `import init, { ${found[1]} } from "${found[2]}"`;
}

/** Our entry `name`: its import, its JS and the .wasm files that JS loads, each compressed on its own, and the sum. */
export async function measureEntry(name) {
  const file = `${name}.js`;
  const { js, inputs } = await build(file);
  // Another copy of the package (one installed in node_modules) would be measured instead of pkg/.
  const pkg = realpathSync(PKG) + path.sep;
  const inPkg = (input) => realpathSync(path.resolve(ROOT, input)).startsWith(pkg);
  const foreign = inputs.filter((input) => input !== `bench/entries/${file}` && !inPkg(input));
  if (foreign.length) throw new Error(`bench/entries/${file} bundles files outside pkg/: ${foreign.join(", ")}`);
  // The glue names the .wasm it fetches (`new URL("…_bg.wasm", import.meta.url)`): the files this entry loads.
  const loaded = [...new Set(js.toString("latin1").match(/[\w-]+_bg\.wasm/g) ?? [])].sort();
  if (!loaded.length) throw new Error(`bench/entries/${file} loads no .wasm`);
  const wasm = loaded.map((wasmFile) => ({ file: wasmFile, ...sizes(readFileSync(path.join(PKG, wasmFile))) }));
  const jsSizes = sizes(js);
  const source = readFileSync(path.join(ROOT, "bench/entries", file), "utf8");
  return { name, statement: statement(source, file), js: jsSizes, wasm, ...add([jsSizes, ...wasm]) };
}

/** A peer's bundle (one JS file, no wasm). */
export const measurePeer = async (file) => sizes(await bundle(file));

/** bench/size-budget.json: gzip bytes per entry, `{ "entries": { "<entry>": bytes } }`. */
export function budgets() {
  const where = path.relative(ROOT, BUDGET);
  const { entries } = JSON.parse(readFileSync(BUDGET, "utf8"));
  if (!entries || typeof entries !== "object") throw new Error(`${where}: expected { "entries": { "<entry>": bytes } }`);
  for (const [name, bytes] of Object.entries(entries)) {
    if (!ENTRIES.includes(name)) throw new Error(`${where}: no entry ${name} (entries: ${ENTRIES.join(", ")})`);
    if (!Number.isInteger(bytes) || bytes <= 0) throw new Error(`${where}: ${name} must be a positive whole number of bytes`);
  }
  return entries;
}

/** Every entry measured, with its budget (undefined when it has none) and whether it is within it. */
export async function measureEntries() {
  const limits = budgets();
  const result = {};
  for (const name of ENTRIES) {
    const figures = await measureEntry(name);
    const budget = limits[name];
    result[name] = { ...figures, budget, withinBudget: budget === undefined || figures.gzip <= budget };
  }
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const entries = await measureEntries();
  console.log(JSON.stringify(entries));
  for (const e of Object.values(entries)) {
    const parts = [`JS ${e.js.gzip}`, ...e.wasm.map((w) => `${w.file} ${w.gzip}`)].join(" + ");
    const verdict =
      e.budget === undefined
        ? "no budget"
        : `budget ${e.budget}: ${e.withinBudget ? `${e.budget - e.gzip} bytes under` : `${e.gzip - e.budget} bytes over (bench/size-budget.json)`}`;
    console.error(`${e.name} (${e.statement}): ${e.gzip} bytes gzip -9 (${parts}); ${verdict}`);
  }
  const over = Object.values(entries).filter((e) => !e.withinBudget);
  if (over.length && process.argv.includes("--check")) {
    console.error(`over budget: ${over.map((e) => e.name).join(", ")}`);
    process.exit(1);
  }
}

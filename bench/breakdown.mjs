// What a shipped wasm module is made of: twiggy's item sizes of target/size/<stem>.named.wasm (the module of
// pkg/<stem>_bg.wasm with its name section kept, made by `cargo xtask bench`, see xtask/src/size.rs), grouped by
// crate, by module of the module's own crate, and the largest functions, with the formatting machinery (core::fmt)
// summed apart. Sizes are bytes in the .wasm before compression; the name section itself is left out, so the items
// add up to pkg/<stem>_bg.wasm exactly.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";

// The package's wasm modules: the file stem, the crate the module is built from and that crate's sources.
export const LOGIN = { title: "login module", stem: "auth0_mfa_wasm", crate: "auth0_mfa_wasm", src: "src" };
export const OTP = { title: "OTP module", stem: "auth0_mfa_otp", crate: "auth0_mfa_otp", src: "otp/src" };
export const MODULES = [OTP, LOGIN];

// Groups that are not a crate.
export const DATA = "[data segments]";
export const SHIMS = "[wasm-bindgen shims and export wrappers]";
export const ENTRIES = "[import and export entries]";
export const STRUCTURE = "[types, tables, globals, headers]";
export const UNNAMED = "[unnamed]";

// Prefix binaryen gives the body that merge-similar-functions shares between functions; the name section leaves
// it out, the function map has it.
const MERGED = "byn$mgfn-shared$";

// One CSV line of twiggy's `--format csv`: quoted fields double their quotes, and names hold commas (`<I,R>`).
function csvFields(line) {
  const fields = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") fields.push(field), (field = "");
    else field += c;
  }
  fields.push(field);
  return fields;
}

export function parseTwiggyCsv(csv) {
  const [header, ...lines] = csv.trim().split("\n");
  const columns = csvFields(header);
  const name = columns.indexOf("Name");
  const size = columns.indexOf("ShallowSize");
  if (name < 0 || size < 0) throw new Error(`unexpected twiggy CSV header: ${header}`);
  return lines.map((line) => {
    const fields = csvFields(line);
    return { name: fields[name], size: Number(fields[size]) };
  });
}

// What kind of item twiggy names so. Names are twiggy 0.8's: `"function names" subsection`, `import m::f`,
// `export "f"`, `data segment ".rodata"`, `type[3]: (i32) -> nil`, `code section headers`, `code[12]`, ….
export function kind(name) {
  if (/^".*" subsection$/.test(name) || name === "custom section 'name' headers") return "names";
  if (name.startsWith("import ")) return "import";
  if (name.startsWith('export "')) return "export";
  if (name.startsWith("data segment ") || /^data\[\d+\]$/.test(name)) return "data";
  if (
    /^type\[\d+\]/.test(name) ||
    / section headers$/.test(name) ||
    name === "wasm magic bytes" ||
    /^(global|table|memory|elem|tag)\[\d+\]$/.test(name) ||
    name.startsWith("custom section '")
  ) {
    return "structure";
  }
  return "function";
}

// The index of the `>` or `]` or `)` that closes the bracket opened at `start`; a `->` arrow is no bracket.
function closing(text, start) {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if ("<[(".includes(c)) depth++;
    else if ((c === ">" && text[i - 1] !== "-") || c === "]" || c === ")") {
      if (--depth === 0) return i;
    }
  }
  return text.length;
}

// `<Type as Trait>::f` → { type, trait }; `<Type>::f` → { type }. The leading `<` is at 0.
function qualified(name) {
  const end = closing(name, 0);
  const inner = name.slice(1, end);
  let depth = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if ("<[(".includes(c)) depth++;
    else if ((c === ">" && inner[i - 1] !== "-") || c === "]" || c === ")") depth--;
    else if (depth === 0 && inner.startsWith(" as ", i)) return { type: inner.slice(0, i), trait: inner.slice(i + 4) };
  }
  return { type: inner };
}

// A path with its generic arguments, crate disambiguators (`core[c5930c85a12de822]`), binaryen's `[1]` copies and
// references taken off, as segments: `&alloc::vec::Vec<T>` → [alloc, vec, Vec].
function segments(text) {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "<" || (text[i] === "[" && /^\[[0-9a-f]{16}\]/.test(text.slice(i, i + 18)))) i = closing(text, i);
    else out += text[i];
  }
  out = out.replace(/^(&|mut |\*const |\*mut |dyn |\[|\()+/, "").trim();
  return out.split("::").filter(Boolean);
}

const RUST_CRATE = /^[a-z_][a-z0-9_]*$/;

// The crate a path belongs to, or null for a generic parameter or a primitive (`T`, `str`, `[u8]`).
function crateOf(parts) {
  if (parts.length < 2 || !RUST_CRATE.test(parts[0])) return null;
  // rustc's allocator shim crate: its `__rdl_*` functions are std's default allocator.
  return parts[0] === "__rustc" ? "std" : parts[0];
}

// The path whose crate owns the code: a trait impl belongs to the crate of its type (the first path after `<`),
// or of its trait when the type is generic or primitive; drop glue belongs to the type it drops.
function owner(name) {
  let text = name;
  for (;;) {
    if (text.startsWith("<")) {
      const { type, trait } = qualified(text);
      // `<<X as Drop>::drop::Guard as Drop>::drop`: the guard is X's.
      if (type.startsWith("<")) {
        text = type;
        continue;
      }
      if (crateOf(segments(type))) return segments(type);
      if (trait && crateOf(segments(trait))) return segments(trait);
      // A primitive's own method (`<str>::eq_ignore_ascii_case`, `<char>::to_digit`): core's or alloc's; core.
      return ["core"];
    }
    const drop = /^core(\[[0-9a-f]{16}\])?::ptr::drop_in_place</.exec(text);
    if (drop) {
      const open = drop[0].length - 1;
      const dropped = text.slice(open + 1, closing(text, open));
      if (dropped.startsWith("<") || crateOf(segments(dropped))) {
        text = dropped;
        continue;
      }
    }
    return segments(text);
  }
}

// A crate's modules, from the files under its sources (`src/js/client.rs` → auth0_mfa_wasm::js::client).
export function crateModules(srcDir, crate) {
  const modules = [crate];
  const walk = (dir, prefix) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(dir, entry.name), `${prefix}::${entry.name}`);
      else if (entry.name === "mod.rs") modules.push(prefix);
      else if (entry.name.endsWith(".rs") && entry.name !== "lib.rs") modules.push(`${prefix}::${entry.name.slice(0, -3)}`);
    }
  };
  walk(srcDir, crate);
  return new Set(modules);
}

// The group (a crate's name or one of the bracketed groups) and, for `crate` (the wasm module's own), the module
// of a function. `exports` are the wasm module's export names: a function named as one is a wrapper the
// #[wasm_bindgen] macro made.
export function classify(name, { crate: own, modules = new Set([own]), exports = new Set() }) {
  if (/^code\[\d+\]$/.test(name)) return { group: UNNAMED };
  // binaryen names a copy `f[1]`, and a function it made with no name of its own by its index.
  const text = (name.startsWith(MERGED) ? name.slice(MERGED.length) : name).replace(/\[\d+\]$/, "");
  if (/^\d*$/.test(text)) return { group: UNNAMED };
  if (text.endsWith(" shim")) return { group: SHIMS };
  if (!text.includes("::")) {
    if (/^__(wbindgen|externref)_/.test(text)) return { group: "wasm_bindgen" };
    if (exports.has(text)) return { group: SHIMS };
    if (/^(mem(cpy|move|set|cmp)|bcmp|__[a-z]+\d+)$/.test(text)) return { group: "compiler_builtins" };
    return { group: UNNAMED };
  }
  const parts = owner(text);
  const crate = crateOf(parts) ?? "core";
  if (crate !== own) return { group: crate };
  let module = own;
  for (let n = 2; n <= parts.length; n++) {
    const prefix = parts.slice(0, n).join("::");
    if (modules.has(prefix)) module = prefix;
  }
  return { group: own, module };
}

// Hashes and crate disambiguators off, for reading: `core[c5930c85a12de822]::fmt::write::h0123456789abcdef`.
export const readable = (name) => name.replace(/::h[0-9a-f]{16}\b/g, "").replace(/\[[0-9a-f]{16}\]/g, "");

const inFmt = (parts) => (parts[0] === "core" || parts[0] === "alloc") && parts[1] === "fmt";

// Formatting machinery, which a module that never formats text should not carry: a function of core::fmt or
// alloc::fmt (`core::fmt::write`, `<core::fmt::Formatter>::pad`, `alloc::fmt::format`) or an impl of one of their
// traits (`<u32 as core::fmt::Display>::fmt`, `<String as core::fmt::Write>::write_str`).
export function isFormatting(name) {
  let text = readable(name.startsWith(MERGED) ? name.slice(MERGED.length) : name);
  if (/<impl (core|alloc)::fmt::/.test(text)) return true;
  while (text.startsWith("<")) {
    const { type, trait } = qualified(text);
    if (trait && inFmt(segments(trait))) return true;
    if (!type.startsWith("<")) return inFmt(segments(type));
    text = type;
  }
  return inFmt(segments(text));
}

// Reads target/size/<stem>.named.wasm of `module` (one of MODULES) with twiggy and groups it; `shippedBytes` is
// pkg/'s wasm of that module, which the items must add up to (otherwise the named wasm is from another build).
export function sizeBreakdown({ root, module, twiggy = "twiggy", shippedBytes, top = 20 }) {
  const named = path.join(root, `target/size/${module.stem}.named.wasm`);
  let wasm;
  let functionMap;
  try {
    wasm = readFileSync(named);
    functionMap = readFileSync(path.join(root, `target/size/${module.stem}.functions.txt`), "utf8");
  } catch (e) {
    throw new Error(`${e.message}: the size breakdown needs target/size/ (cargo xtask bench builds it)`);
  }
  const csv = execFileSync(twiggy, ["top", "-n", "100000", "--format", "csv", named], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  const version = execFileSync(twiggy, ["--version"], { encoding: "utf8" }).trim().split(/\s+/).pop();
  const items = parseTwiggyCsv(csv).filter((item) => kind(item.name) !== "names");

  // twiggy calls a function the name section leaves unnamed `code[i]`, i counted among the module's own functions;
  // the function map counts the imported ones first.
  const imported = WebAssembly.Module.imports(new WebAssembly.Module(wasm)).filter((i) => i.kind === "function").length;
  const byIndex = new Map(
    functionMap
      .split("\n")
      .filter(Boolean)
      .map((line) => [Number(line.slice(0, line.indexOf(":"))), line.slice(line.indexOf(":") + 1)]),
  );
  const listed = new Set(items.map((item) => item.name));
  for (const item of items) {
    const code = /^code\[(\d+)\]$/.exec(item.name);
    const resolved = code && byIndex.get(Number(code[1]) + imported);
    if (!resolved) continue;
    // A name the name section already gives another function means the two indices do not line up.
    if (listed.has(resolved)) throw new Error(`${item.name} resolves to ${resolved}, which twiggy lists already`);
    item.name = resolved;
  }

  const total = items.reduce((sum, item) => sum + item.size, 0);
  if (shippedBytes !== undefined && total !== shippedBytes) {
    throw new Error(
      `${path.relative(root, named)} holds ${total} bytes besides its names, pkg/${module.stem}_bg.wasm ${shippedBytes}: not the same build (run cargo xtask bench)`,
    );
  }

  const modules = crateModules(path.join(root, module.src), module.crate);
  const exports = new Set(items.filter((i) => kind(i.name) === "export").map((i) => i.name.slice(8, -1)));
  const groups = new Map();
  const crateModuleTotals = new Map();
  const functions = [];
  const add = (map, key, size) => {
    const entry = map.get(key) ?? { name: key, bytes: 0, items: 0 };
    entry.bytes += size;
    entry.items += 1;
    map.set(key, entry);
  };
  for (const item of items) {
    const k = kind(item.name);
    if (k === "function") {
      const { group, module: where } = classify(item.name, { crate: module.crate, modules, exports });
      add(groups, group, item.size);
      if (where) add(crateModuleTotals, where, item.size);
      functions.push({ name: item.name, bytes: item.size, group: where ?? group });
    } else {
      add(groups, { data: DATA, import: ENTRIES, export: ENTRIES, structure: STRUCTURE }[k], item.size);
    }
  }
  const sorted = (map) => [...map.values()].sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
  const formatting = functions.filter((f) => isFormatting(f.name));
  return {
    ...module,
    twiggy: version,
    total,
    functions: functions.length,
    groups: sorted(groups),
    modules: sorted(crateModuleTotals),
    largest: functions.sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name)).slice(0, top),
    formatting: {
      bytes: formatting.reduce((sum, f) => sum + f.bytes, 0),
      functions: formatting.sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name)),
    },
  };
}

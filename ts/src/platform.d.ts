// The two things of the runtimes' own that the Node and workerd entries use: reading the .wasm next to them (Node),
// and importing it as a compiled module (workerd, wrangler's default rule for .wasm).
declare module "node:fs" {
  export function readFileSync(path: URL): Uint8Array;
}

declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}

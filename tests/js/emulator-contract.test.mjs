// The emulator's contract (tests/js/emulator-contract.mjs) against each of its fronts, with the same expectations:
// the native binary over HTTP, the wasm package answering in-process (`emu.fetch`), and the wasm package serving
// over node:http (`emu.listen`). A case that passes on one front and fails on another is a difference between them.
import { test, before, after } from "node:test";
import { Emulator } from "../../emulator/pkg/node.js";
import { startEmulator } from "./emulator.mjs";
import { cases, controlOver } from "./emulator-contract.mjs";

const fronts = {};

before(async () => {
  const native = await startEmulator();
  fronts.native = {
    tenant: { fetch: (path, init) => fetch(native.url + path, init), control: native.control },
    stop: async () => native.stop(),
  };
  const inProcess = new Emulator();
  fronts["wasm fetch"] = {
    tenant: { fetch: inProcess.fetch, control: (method, path, body) => inProcess.control(method, path, body) },
    stop: async () => {},
  };
  // A tenant of its own, so that nothing the in-process run left behind (users, pushes, outbox) is seen here.
  const served = new Emulator();
  const server = await served.listen({ port: 0 });
  const overHttp = (path, init) => fetch(server.url + path, init);
  fronts["wasm http"] = { tenant: { fetch: overHttp, control: controlOver(overHttp) }, stop: () => server.close() };
});

after(async () => {
  await Promise.all(Object.values(fronts).map((front) => front.stop()));
});

for (const front of ["native", "wasm fetch", "wasm http"]) {
  for (const { name, run } of cases) {
    test(`${front}: ${name}`, { timeout: 20_000 }, () => run(fronts[front].tenant));
  }
}

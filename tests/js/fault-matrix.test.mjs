// The fault matrix (tests/js/fault-matrix.mjs) with MfaClient from pkg/ in this Node process. The same matrix runs
// in Chromium in tests/e2e/fault-matrix-browser.test.mjs.
import { test, before, after } from "node:test";
import pkg from "./pkg.mjs";
import { startEmulator } from "./emulator.mjs";
import { plainError, runFaultMatrix } from "./fault-matrix.mjs";

const { MfaClient } = pkg;

let emulator;
let clientId;

before(async () => {
  emulator = await startEmulator([]);
  clientId = `fault-matrix-${process.pid}`;
  await emulator.control("POST", "/__emu/clients", { client_id: clientId, auth_method: "none", allowed_origins: [] });
});

after(() => emulator?.stop());

// The client object itself is the handle.
const nodeDriver = {
  newClient: (options) => new MfaClient(options),
  async call(client, method, args) {
    try {
      await client[method](...args);
      return { ok: true };
    } catch (error) {
      return { ok: false, error: plainError(error) };
    }
  },
  stage: (client) => client.stage,
  dispose: (client) => client.free(),
};

test("fault matrix: typed error, stage kept, same step succeeds after the fault", { timeout: 300_000 }, (t) =>
  runFaultMatrix(t, { driver: nodeDriver, emulator, clientId, title: "Fault matrix — Node (pkg/ in-process)" }),
);

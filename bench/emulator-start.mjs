// One cold-start sample of the emulator package (auth0-mfa-emulator, emulator/pkg/), run in a fresh Node process
// so that nothing (V8's compiled-module cache, a tiered-up instance) carries over from an earlier sample: importing
// its Node entry (which reads, compiles and instantiates the wasm), `new Emulator()` (which builds the tenant from
// the shipped seed, hashing its users' passwords), then the first request. Prints one JSON line of milliseconds.
import { performance } from "node:perf_hooks";

const t0 = performance.now();
const { Emulator } = await import("../emulator/pkg/node.js");
const t1 = performance.now();
const emulator = new Emulator();
const t2 = performance.now();
// The first request after: a password grant for the seed's user without MFA (a password hash and two RS256
// signatures), run by code the engine may only now compile.
const response = await emulator.fetch("/oauth/token", {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({
    grant_type: "password",
    username: "nomfa@example.com",
    password: "Passw0rd!",
    scope: "openid profile email",
    client_id: "server-client",
    client_secret: "server-client-secret",
  }),
});
const tokens = await response.json();
const t3 = performance.now();
if (response.status !== 200 || !tokens.id_token) throw new Error(`the first grant answered ${response.status}: ${JSON.stringify(tokens)}`);

console.log(JSON.stringify({ importEntry: t1 - t0, construct: t2 - t1, firstGrant: t3 - t2 }));

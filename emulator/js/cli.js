#!/usr/bin/env node
// `npx auth0-mfa-emulator [--port N] [--host HOST] [--seed FILE] [--permissive-cors] [--mfa-token-ttl SECS]
// [--public-url URL]`: the wasm emulator served with node:http. The flags, messages and exit codes are the native
// binary's (src/cli.rs): one ready line on stdout, SIGINT or SIGTERM stops it with 0.
import { readFileSync } from "node:fs";
import { Emulator } from "./node.js";
import { commandLineTexts, exposureWarning, parseCommandLine, startError } from "./auth0_mfa_emulator.js";

const { ready, exitStart } = commandLineTexts();
let options;
try {
  options = parseCommandLine(process.argv.slice(2), (path) => readFileSync(path, "utf8"));
} catch (error) {
  process.stderr.write(`auth0-mfa-emulator: ${error.message}\n`);
  process.exit(error.exitCode ?? 2);
}
if (options.help) {
  process.stdout.write(`${options.usage}\n`);
  process.exit(0);
}

const { port, host, ...tenant } = options;
let server;
try {
  server = await new Emulator(tenant).listen({ port, host });
} catch (error) {
  const message = startError(host, port, error.code === "EADDRINUSE", error.message);
  process.stderr.write(`auth0-mfa-emulator: ${message}\n`);
  process.exit(exitStart);
}
// Before the ready line: whoever reads it may stop the server at once.
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, async () => {
    await server.close();
    process.exit(0);
  });
}
const warning = exposureWarning(server.host, server.port);
if (warning) process.stderr.write(`${warning}\n`);
process.stdout.write(`${ready}${server.url}\n`);

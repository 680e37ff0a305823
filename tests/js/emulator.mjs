// The emulator for one test file: started from its binary (EMULATOR_BIN, set by `cargo xtask test`) on a free
// loopback port, stopped by the caller, with a helper for its control plane.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import path from "node:path";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BINARY = process.env.EMULATOR_BIN ?? path.join(ROOT, "target/debug/auth0-mfa-emulator");
const READY = "auth0-mfa-emulator listening on ";

/** Resolves to `{ url, control(method, route, body?), stop() }` once the emulator names its URL. */
export async function startEmulator(args = []) {
  const child = spawn(BINARY, ["--port", "0", ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the emulator did not report its URL within 30 s")), 30_000);
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the emulator exited with ${code}`)));
    lines.once("line", (line) => {
      clearTimeout(timer);
      assert.ok(line.startsWith(READY), line);
      resolve(line.slice(READY.length).trim());
    });
  });
  async function control(method, route, body) {
    const response = await fetch(url + route, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    assert.ok(response.status < 400, `${method} ${route} answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  }
  return { url, control, stop: () => child.kill() };
}

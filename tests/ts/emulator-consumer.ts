// The emulator package's types (emulator/js/index.d.ts) as a strict TypeScript test file uses them; compiled with
// `tsc --strict --noEmit` by `cargo xtask test`, never run.
import { Emulator, EmulatorError, type Clock, type OutboxMessage, type Push, type Seed, type Server } from "../../emulator/pkg/index.js";
import { MfaClient } from "../../pkg/index.js";

const seed: Seed = {
  clients: [{ client_id: "spa-client", auth_method: "none", allowed_origins: ["http://localhost:5173"], mfa_on_refresh: { after_secs: 60 } }],
  users: [{ username: "otp@example.com", password: "Passw0rd!", authenticators: [{ type: "otp", secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" }] }],
};

export async function typed(): Promise<void> {
  const emu = new Emulator({ seed, publicUrl: "https://tenant.example", mfaTokenTtlSecs: 300 });
  const client = new MfaClient({ domain: "https://tenant.example", clientId: "spa-client", fetch: emu.fetch });
  await client.login("otp@example.com", "Passw0rd!");
  const response: Response = await emu.fetch("https://tenant.example/.well-known/jwks.json");
  const messages: OutboxMessage[] = await emu.outbox({ user: "otp@example.com" });
  const code: string | undefined = await emu.lastCode({ user: "otp@example.com" });
  const push: Push = await emu.approvePush({ user: "otp@example.com" });
  const state: "pending" | "approved" | "rejected" | "expired" = push.state;
  const clock: Clock = await emu.advanceClock(301);
  await emu.addUser({ username: "new@example.com", password: "Passw0rd!", mfa: true });
  await emu.fault({ endpoint: "/oauth/token", status: 502, body: "<html>bad gateway</html>" });
  const server: Server = await emu.listen({ port: 0 });
  await server.close();
  try {
    await emu.control<{ now: number }>("GET", "/__emu/clock");
  } catch (error) {
    if (error instanceof EmulatorError) console.log(error.status, error.body);
  }
  await emu.reset();
  console.log(response.status, messages.length, code, state, clock.now_ms);
}

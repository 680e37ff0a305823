// A page as a Vite user writes it: import, init() fetches the .wasm Vite emitted, then a full OTP login.
import init, { MfaClient, Totp } from "auth0-mfa-wasm";

const output = document.getElementById("result");
const params = new URLSearchParams(location.search);
try {
  await init();
  const client = new MfaClient({ domain: params.get("domain"), clientId: params.get("clientId") });
  const login = await client.login(params.get("username"), params.get("password"));
  const code = new Totp({ secret: params.get("secret") }).generate(Number(params.get("now")));
  const tokens = await client.verifyOtp(code);
  output.textContent = `${login.stage} → ${client.stage} (${tokens.tokenType})`;
} catch (error) {
  output.textContent = `failed: ${error.code ?? error.name}: ${error.message}`;
}

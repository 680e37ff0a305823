// A Node ESM program as a user writes it: no init call, the package's "node" entry loads the wasm.
// Signs in an OTP user against the domain in AUTH0_DOMAIN and prints the outcome as JSON.
import { MfaClient, Totp } from "auth0-mfa-wasm";

const { AUTH0_DOMAIN, AUTH0_CLIENT_ID, USERNAME, PASSWORD, OTP_SECRET, NOW_MS } = process.env;
const client = new MfaClient({ domain: AUTH0_DOMAIN, clientId: AUTH0_CLIENT_ID });
const login = await client.login(USERNAME, PASSWORD);
const code = new Totp({ secret: OTP_SECRET }).generate(Number(NOW_MS));
const tokens = await client.verifyOtp(code);
console.log(JSON.stringify({ first: login.stage, stage: client.stage, tokenType: tokens.tokenType, parts: tokens.accessToken.split(".").length }));

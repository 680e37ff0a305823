// What a browser app imports from auth0-mfa-wasm for an MFA login with OTP: the client, the TOTP helper and init.
export { default as init, MfaClient, Totp } from "../../pkg/auth0_mfa_wasm.js";

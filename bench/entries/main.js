// The main entry, as an app imports it for an MFA login with OTP: `import init, { MfaClient, Totp } from
// "auth0-mfa-wasm"`. Its `init` loads both wasm modules.
export { default as init, MfaClient, Totp } from "auth0-mfa-wasm";

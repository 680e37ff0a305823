// The main entry without the OTP helpers: `import init, { MfaClient } from "auth0-mfa-wasm"`. `init` still loads
// both wasm modules.
export { default as init, MfaClient } from "auth0-mfa-wasm";

// The OTP entry, for an app that only makes or checks codes: `import init, { Totp } from "auth0-mfa-wasm/otp"`.
export { default as init, Totp } from "auth0-mfa-wasm/otp";

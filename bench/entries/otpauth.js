// TOTP codes for the official client, which has none.
export { TOTP, Secret } from "otpauth";

// The official client and otpauth in one bundle: what an app needs for the same features as our main entry.
export { AuthClient } from "@auth0/auth0-auth-js";
export { TOTP } from "otpauth";

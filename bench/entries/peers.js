// The official client and otpauth in one bundle: what an app needs for the same features as ours.
export { AuthClient, MfaClient } from "@auth0/auth0-auth-js";
export { TOTP, Secret } from "otpauth";

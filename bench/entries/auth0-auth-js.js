// The official client; it carries the MFA API as `AuthClient.mfa`.
export { AuthClient } from "@auth0/auth0-auth-js";

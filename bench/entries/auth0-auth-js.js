// The official client with the MFA API (AuthClient carries it as `.mfa`; MfaClient is the standalone class).
export { AuthClient, MfaClient } from "@auth0/auth0-auth-js";

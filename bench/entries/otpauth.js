// otpauth's TOTP, the peer of our OTP entry (a base32 secret string is enough for it, as for ours).
export { TOTP } from "otpauth";

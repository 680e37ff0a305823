//! Secret strings: passwords, client secrets, tokens and codes. `Debug` prints `[redacted]`, there is no
//! `Display`, and the text is wiped from memory when the value is dropped. Read the text with `expose()` only
//! where it goes on the wire.

use core::fmt;
use zeroize::Zeroize;

macro_rules! secret_string {
    ($($(#[$meta:meta])* $name:ident;)*) => {$(
        $(#[$meta])*
        #[derive(Clone)]
        pub struct $name(String);

        impl $name {
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The secret text, for putting on the wire or handing to the application.
            pub fn expose(&self) -> &str {
                &self.0
            }

            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.into())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("[redacted]")
            }
        }

        impl Drop for $name {
            fn drop(&mut self) {
                self.0.zeroize();
            }
        }
    )*};
}

secret_string! {
    /// The user's password. Used for one request and never stored.
    Password;
    /// The application's client secret (confidential clients only; never ship one to a browser).
    ClientSecret;
    /// The `mfa_token` of an `mfa_required` answer: proves the first factor for about five minutes.
    MfaToken;
    /// The `oob_code` of an out-of-band challenge or enrollment (SMS, voice, email, push).
    OobCode;
    /// A one-time code typed by the user: an authenticator-app OTP or a binding code from SMS, voice or email.
    OneTimeCode;
    /// A recovery code, typed by the user or newly issued by Auth0 after one was used.
    RecoveryCode;
    /// The base32 shared secret of a new OTP enrollment.
    OtpSecret;
    /// An `otpauth://` URI for a QR code; for OTP enrollments it contains the shared secret.
    BarcodeUri;
    /// An OAuth access token (also used as a bearer token for the MFA API).
    AccessToken;
    /// An OpenID Connect ID token.
    IdToken;
    /// An OAuth refresh token.
    RefreshToken;
}

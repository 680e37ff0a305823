//! `otpauth://` Key URIs (the format of Google Authenticator's QR codes, which Auth0's `barcode_uri` follows).
//!
//! Parsing is lenient where real URIs vary: type and parameter names in any case, unknown parameters ignored, an
//! issuer prefix in the label that differs from the `issuer` parameter kept alongside it, `%20` or `+` for a space
//! in parameter values, lower-case or padded secrets. In the label `+` stays a plus sign: it is a path, where
//! `user+tag@example.com` is a real account name. It is strict where a wrong guess would produce wrong codes: a
//! missing or invalid secret, an unknown algorithm, digits outside 6–8 or a period below 1 second are errors.

use super::error::UriProblem;
use super::text::push_number;
use super::{Algorithm, Digits, Key, OtpError, Secret};
use alloc::borrow::ToOwned;
use alloc::string::String;
use core::num::NonZeroU64;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// Characters left as they are when percent-encoding a URI component (a label part, a parameter value, a path
/// segment): RFC 3986 unreserved ones.
pub const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// TOTP steps are 30 seconds unless the URI says otherwise.
pub const DEFAULT_PERIOD: NonZeroU64 = match NonZeroU64::new(30) {
    Some(period) => period,
    None => NonZeroU64::MIN,
};

/// Whether a key is time-based or counter-based, with what that kind needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtpKind {
    Totp { period: NonZeroU64 },
    Hotp { counter: u64 },
}

/// Everything an `otpauth://` URI says about a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyUri {
    pub kind: OtpKind,
    pub key: Key,
}

impl KeyUri {
    /// Parses a Key URI.
    pub fn parse(uri: &str) -> Result<Self, OtpError> {
        let invalid = OtpError::InvalidUri;
        let rest = strip_prefix_ignore_case(uri.trim(), "otpauth://").ok_or(invalid(UriProblem::NotOtpauth))?;
        let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (kind_name, label) = path.split_once('/').unwrap_or((path, ""));

        // A literal `:` is the separator, so a colon encoded inside the issuer or the account stays in it; without
        // one, an encoded separator (`%3A`, which the format also allows) splits the decoded label.
        let (issuer, account) = match label.split_once(':') {
            Some((issuer, account)) => (Some(decode(issuer, false)?), decode(account, false)?),
            None => {
                let label = decode(label, false)?;
                match label.split_once(':') {
                    Some((issuer, account)) => (Some(issuer.to_owned()), account.to_owned()),
                    None => (None, label),
                }
            }
        };
        let label_issuer = issuer.as_deref().and_then(|issuer| non_empty(issuer.trim()));
        let account = if issuer.is_some() { account.trim_start().to_owned() } else { account };

        let mut params = Params::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            params.take(&decode(name, true)?.to_ascii_lowercase(), decode(value, true)?);
        }

        let secret_text = params.secret.ok_or(invalid(UriProblem::MissingSecret))?;
        let secret = Secret::from_base32(&secret_text).map_err(|e| match e {
            OtpError::InvalidSecret(problem) => invalid(UriProblem::Secret(problem)),
            other => other,
        })?;
        let algorithm = match params.algorithm {
            None => Algorithm::default(),
            Some(name) => Algorithm::parse(&name)
                .ok_or(invalid(UriProblem::Parameter { name: "algorithm", reason: "is not SHA1, SHA256 or SHA512" }))?,
        };
        let digits = match params.digits {
            None => Digits::default(),
            Some(text) => text
                .trim()
                .parse()
                .ok()
                .and_then(|d| Digits::new(d).ok())
                .ok_or(invalid(UriProblem::Parameter { name: "digits", reason: "must be 6, 7 or 8" }))?,
        };
        let kind = if kind_name.eq_ignore_ascii_case("totp") {
            let period = match params.period {
                None => DEFAULT_PERIOD,
                Some(text) => {
                    text.trim().parse().ok().and_then(NonZeroU64::new).ok_or(invalid(UriProblem::Parameter {
                        name: "period",
                        reason: "must be a whole number of seconds, at least 1",
                    }))?
                }
            };
            OtpKind::Totp { period }
        } else if kind_name.eq_ignore_ascii_case("hotp") {
            // The format requires a counter for HOTP; a URI without one starts at 0, as authenticator apps do.
            let counter = match params.counter {
                None => 0,
                Some(text) => text.trim().parse().map_err(|_| {
                    invalid(UriProblem::Parameter { name: "counter", reason: "must be a whole number, at least 0" })
                })?,
            };
            OtpKind::Hotp { counter }
        } else {
            return Err(invalid(UriProblem::UnknownType));
        };

        let issuer = params.issuer.and_then(non_empty_owned);
        Ok(Self { kind, key: Key { secret, algorithm, digits, account, issuer, label_issuer } })
    }

    /// Builds the URI: `otpauth://totp/Issuer:account?secret=…&issuer=…&algorithm=…&digits=…&period=…`.
    pub fn to_uri(&self) -> String {
        let (kind, tail, number) = match self.kind {
            OtpKind::Totp { period } => ("totp", "&period=", period.get()),
            OtpKind::Hotp { counter } => ("hotp", "&counter=", counter),
        };
        let mut uri = String::from("otpauth://");
        uri.push_str(kind);
        uri.push('/');
        let key = &self.key;
        if let Some(issuer) = key.label_issuer.as_deref().or(key.issuer.as_deref()) {
            uri.extend(utf8_percent_encode(issuer, UNRESERVED));
            uri.push(':');
        } else if key.account.contains(':') {
            // An empty issuer prefix, or the account's own colon would be read as the separator.
            uri.push(':');
        }
        uri.extend(utf8_percent_encode(&key.account, UNRESERVED));
        uri.push_str("?secret=");
        uri.push_str(&key.secret.to_base32());
        if let Some(issuer) = &key.issuer {
            uri.push_str("&issuer=");
            uri.extend(utf8_percent_encode(issuer, UNRESERVED));
        }
        uri.push_str("&algorithm=");
        uri.push_str(key.algorithm.name());
        uri.push_str("&digits=");
        push_number(&mut uri, key.digits.get().into());
        uri.push_str(tail);
        push_number(&mut uri, number);
        uri
    }
}

/// The parameters the format defines; the first occurrence of each wins, as `URLSearchParams.get` does.
#[derive(Default)]
struct Params {
    secret: Option<String>,
    issuer: Option<String>,
    algorithm: Option<String>,
    digits: Option<String>,
    period: Option<String>,
    counter: Option<String>,
}

impl Params {
    fn take(&mut self, name: &str, value: String) {
        let slot = match name {
            "secret" => &mut self.secret,
            "issuer" => &mut self.issuer,
            "algorithm" => &mut self.algorithm,
            "digits" => &mut self.digits,
            "period" => &mut self.period,
            "counter" => &mut self.counter,
            _ => return,
        };
        slot.get_or_insert(value);
    }
}

fn decode(text: &str, plus_is_space: bool) -> Result<String, OtpError> {
    let spaced;
    let text = if plus_is_space && text.contains('+') {
        spaced = text.replace('+', " ");
        spaced.as_str()
    } else {
        text
    };
    percent_decode_str(text)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| OtpError::InvalidUri(UriProblem::NotUtf8))
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let (head, rest) = text.split_at_checked(prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then_some(rest)
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

fn non_empty_owned(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const AUTH0: &str = "otpauth://totp/My%20Test%20Tenant:user%40example.com?secret=HJ6XM2DNERXDAVCUONGWKRTCMNTU6VDF&issuer=My%20Test%20Tenant&algorithm=SHA1&digits=6&period=30";

    fn period(key: &KeyUri) -> u64 {
        match key.kind {
            OtpKind::Totp { period } => period.get(),
            OtpKind::Hotp { .. } => panic!("not totp"),
        }
    }

    #[test]
    fn parses_auth0s_barcode_uri() {
        let key = KeyUri::parse(AUTH0).unwrap();
        assert_eq!(key.key.account, "user@example.com");
        assert_eq!(key.key.issuer.as_deref(), Some("My Test Tenant"));
        assert_eq!(key.key.label_issuer.as_deref(), Some("My Test Tenant"));
        assert_eq!(key.key.secret.to_base32(), "HJ6XM2DNERXDAVCUONGWKRTCMNTU6VDF");
        assert_eq!((key.key.algorithm, key.key.digits.get(), period(&key)), (Algorithm::Sha1, 6, 30));
    }

    #[test]
    fn round_trips_through_build_and_parse() {
        let key = KeyUri::parse(AUTH0).unwrap();
        assert_eq!(key.to_uri(), AUTH0);
        let hotp = KeyUri {
            kind: OtpKind::Hotp { counter: 42 },
            key: Key {
                secret: Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap(),
                algorithm: Algorithm::Sha512,
                digits: Digits::new(8).unwrap(),
                account: "a b:c+d@é".into(),
                issuer: Some("ACME & Co".into()),
                label_issuer: None,
            },
        };
        let uri = hotp.to_uri();
        assert_eq!(
            uri,
            "otpauth://hotp/ACME%20%26%20Co:a%20b%3Ac%2Bd%40%C3%A9?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20%26%20Co&algorithm=SHA512&digits=8&counter=42"
        );
        let back = KeyUri::parse(&uri).unwrap();
        assert_eq!(back.key.label_issuer.as_deref(), Some("ACME & Co"));
        assert_eq!(KeyUri { key: Key { label_issuer: None, ..back.key }, ..back }, hotp);
    }

    #[test]
    fn colons_inside_the_issuer_or_an_issuer_less_account_round_trip() {
        let key = |account: &str, issuer: Option<&str>| KeyUri {
            kind: OtpKind::Totp { period: DEFAULT_PERIOD },
            key: Key {
                account: account.into(),
                issuer: issuer.map(str::to_owned),
                label_issuer: issuer.map(str::to_owned),
                ..Key::new(Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap())
            },
        };
        for (account, issuer) in [(":", None), ("a:b", None), ("c", Some("A:B")), ("x:y", Some("A:B"))] {
            let key = key(account, issuer);
            assert_eq!(KeyUri::parse(&key.to_uri()).unwrap(), key, "{}", key.to_uri());
        }
        // The encoded separator the format allows still splits a label that has no literal one.
        let key = KeyUri::parse("otpauth://totp/ACME%3Aalice?secret=JBSWY3DPEHPK3PXP").unwrap();
        assert_eq!((key.key.label_issuer.as_deref(), key.key.account.as_str()), (Some("ACME"), "alice"));
    }

    #[test]
    fn accepts_real_world_variations() {
        // 80-bit lower-case secret with spaces, no issuer parameter, unknown parameters, upper-case type.
        let key =
            KeyUri::parse("OTPAUTH://TOTP/Example:alice?secret=jbsw y3dp ehpk 3pxp&image=https%3A%2F%2Fx&foo").unwrap();
        assert!(key.key.secret.is_weak());
        assert_eq!(key.key.secret.bits(), 80);
        assert_eq!(key.key.label_issuer.as_deref(), Some("Example"));
        assert_eq!(key.key.issuer, None);
        assert_eq!(key.key.account, "alice");
        // Padded secret (%3D is '='), no label at all, defaults applied.
        let key = KeyUri::parse("otpauth://totp?secret=MZXW6YTBOJRGC6TROV4A%3D%3D%3D%3D").unwrap();
        assert_eq!(key.key.secret.as_bytes(), b"foobarbazqux");
        assert_eq!((key.key.account.as_str(), key.key.digits.get(), period(&key)), ("", 6, 30));
    }

    #[test]
    fn keeps_both_issuers_when_label_and_parameter_differ() {
        let key = KeyUri::parse("otpauth://totp/Old%20Name:bob?secret=JBSWY3DPEHPK3PXP&issuer=New+Name").unwrap();
        assert_eq!(key.key.label_issuer.as_deref(), Some("Old Name"));
        assert_eq!(key.key.issuer.as_deref(), Some("New Name"));
        assert_eq!(key.key.account, "bob");
    }

    #[test]
    fn spaces_in_labels_and_values() {
        // '%20' is a space everywhere; '+' is a space in parameter values and a plus sign in the label.
        let key =
            KeyUri::parse("otpauth://totp/Big%20Corp:john+tag@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Big+Corp")
                .unwrap();
        assert_eq!(key.key.label_issuer.as_deref(), Some("Big Corp"));
        assert_eq!(key.key.account, "john+tag@example.com");
        assert_eq!(key.key.issuer.as_deref(), Some("Big Corp"));
        let key = KeyUri::parse("otpauth://totp/Big%20Corp%3A%20john?secret=JBSWY3DPEHPK3PXP").unwrap();
        assert_eq!((key.key.label_issuer.as_deref(), key.key.account.as_str()), (Some("Big Corp"), "john"));
    }

    #[test]
    fn hotp_counter_and_first_parameter_wins() {
        let key = KeyUri::parse("otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter=7&counter=9&Digits=8").unwrap();
        assert_eq!(key.kind, OtpKind::Hotp { counter: 7 });
        assert_eq!(key.key.digits.get(), 8);
        assert_eq!(
            KeyUri::parse("otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP").unwrap().kind,
            OtpKind::Hotp { counter: 0 }
        );
    }

    #[test]
    fn refuses_what_would_give_wrong_codes() {
        let cases: [(&str, &str); 12] = [
            ("https://example.com", "URI does not start with otpauth://"),
            ("otpauth://yotp/x?secret=JBSWY3DPEHPK3PXP", "URI type is neither totp nor hotp"),
            ("otpauth://totp/x", "URI has no secret parameter"),
            ("otpauth://totp/x?secret=", "URI secret is empty"),
            (
                "otpauth://totp/x?secret=JBSWY3DP1",
                "URI secret is not valid base32: invalid base32 character at position 8",
            ),
            (
                "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&algorithm=MD5",
                "URI parameter algorithm is not SHA1, SHA256 or SHA512",
            ),
            ("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=5", "URI parameter digits must be 6, 7 or 8"),
            ("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=ten", "URI parameter digits must be 6, 7 or 8"),
            (
                "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&period=0",
                "URI parameter period must be a whole number of seconds, at least 1",
            ),
            (
                "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&period=-30",
                "URI parameter period must be a whole number of seconds, at least 1",
            ),
            (
                "otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter=-1",
                "URI parameter counter must be a whole number, at least 0",
            ),
            (
                "otpauth://totp/%FF?secret=JBSWY3DPEHPK3PXP",
                "URI label or parameter is not valid UTF-8 after percent-decoding",
            ),
        ];
        for (uri, message) in cases {
            let err = KeyUri::parse(uri).unwrap_err();
            assert_eq!(err.code(), "invalid_uri", "{uri}");
            assert_eq!(err.message(), message, "{uri}");
            assert_eq!(err.to_string(), message, "Display is the message");
        }
    }
}

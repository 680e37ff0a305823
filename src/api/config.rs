//! The application's settings: which tenant, which client, what to ask for.

use super::json::{Fields, Shaped, Value, Writer};
use super::secret::ClientSecret;
use crate::error::Error;

/// The scope asked for when none is configured: an ID token with the user's profile and email.
pub const DEFAULT_SCOPE: &str = "openid profile email";
/// The scopes of an MFA-API access token: enroll, list and delete authenticators.
pub const MFA_API_SCOPE: &str = "enroll read:authenticators remove:authenticators";

const MAX_FIELD_LEN: usize = 2048;

/// The settings as given, before validation. Empty optional strings count as absent.
#[derive(Debug, Clone, Default)]
pub struct ConfigOptions {
    /// `tenant.auth0.com`, `https://tenant.auth0.com` or a custom domain; `http://` only for `localhost`,
    /// `127.0.0.1` and `[::1]` (a local emulator).
    pub domain: String,
    pub client_id: String,
    /// Only for confidential (server-side) applications; never ship a client secret to a browser.
    pub client_secret: Option<ClientSecret>,
    /// API identifier for the access token.
    pub audience: Option<String>,
    /// Space-separated scopes; default (when `None`) [`DEFAULT_SCOPE`]; an empty string sends no scope at all.
    /// Add `offline_access` for a refresh token.
    pub scope: Option<String>,
    /// Connection name: switches the first step to the password-realm grant.
    pub realm: Option<String>,
    /// The end user's IP, sent as `auth0-forwarded-for` (server-side brute-force protection).
    pub forwarded_for: Option<String>,
    /// Per-request timeout in milliseconds; none by default.
    pub timeout_ms: Option<u32>,
}

/// Validated settings. `Debug` never shows the client secret; serialising leaves it out.
#[derive(Debug, Clone)]
pub struct Config {
    base_url: String,
    client_id: String,
    /// Never saved.
    client_secret: Option<ClientSecret>,
    /// Whether a client secret was configured, so that a restored flow can insist on getting it back.
    has_client_secret: bool,
    audience: Option<String>,
    scope: Option<String>,
    realm: Option<String>,
    forwarded_for: Option<String>,
    timeout_ms: Option<u32>,
}

impl Config {
    pub fn new(options: ConfigOptions) -> Result<Self, Error> {
        let base_url = normalize_domain(&options.domain)?;
        let client_id = required("client_id", options.client_id)?;
        let client_secret = match options.client_secret {
            Some(secret) if secret.is_empty() => None,
            Some(secret) => {
                check_text("client_secret", secret.expose())?;
                Some(secret)
            }
            None => None,
        };
        let scope = match options.scope {
            None => Some(DEFAULT_SCOPE.to_owned()),
            Some(scope) => optional("scope", Some(scope))?,
        };
        if options.timeout_ms == Some(0) {
            return Err(Error::InvalidArgument { argument: "timeout_ms", reason: "must be a positive whole number" });
        }
        Ok(Self {
            base_url,
            client_id,
            has_client_secret: client_secret.is_some(),
            client_secret,
            audience: optional("audience", options.audience)?,
            scope,
            realm: optional("realm", options.realm)?,
            forwarded_for: optional("forwarded_for", options.forwarded_for)?,
            timeout_ms: options.timeout_ms,
        })
    }

    /// The same application, asking for an MFA-API access token: audience `https://{domain}/mfa/` and scopes
    /// `enroll read:authenticators remove:authenticators`. Log in with it and complete MFA to get a token for
    /// [`crate::flow::Flow::delete_authenticator`].
    pub fn for_mfa_api(&self) -> Self {
        let mut config = self.clone();
        config.audience = Some(self.mfa_audience());
        config.scope = Some(MFA_API_SCOPE.to_owned());
        config
    }

    /// `https://{domain}/mfa/`.
    pub fn mfa_audience(&self) -> String {
        format!("{}/mfa/", self.base_url)
    }

    /// Scheme and host, without a trailing slash: `https://tenant.auth0.com`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    pub fn client_secret(&self) -> Option<&ClientSecret> {
        self.client_secret.as_ref()
    }

    /// True when the configuration had a client secret (even if this restored copy lacks it).
    pub fn expects_client_secret(&self) -> bool {
        self.has_client_secret
    }

    /// As saved in a flow state: every field but the client secret.
    pub(crate) fn write(&self, w: &mut Writer) {
        w.begin(Some("config"));
        w.str("base_url", &self.base_url);
        w.str("client_id", &self.client_id);
        w.bool("has_client_secret", self.has_client_secret);
        w.opt_str("audience", self.audience.as_deref());
        w.opt_str("scope", self.scope.as_deref());
        w.opt_str("realm", self.realm.as_deref());
        w.opt_str("forwarded_for", self.forwarded_for.as_deref());
        w.u64("timeout_ms", self.timeout_ms.map(u64::from));
        w.end();
    }

    /// Reads what [`Config::write`] wrote; the client secret is `None`. A restored flow only compares it with the
    /// application's own configuration (`Flow::restore_with_config`), which replaces it: nothing in a saved state
    /// chooses where requests go.
    pub(crate) fn from_saved(value: Value) -> Shaped<Self> {
        let mut fields = Fields::of(value)?;
        Ok(Self {
            base_url: fields.required("base_url")?,
            client_id: fields.required("client_id")?,
            client_secret: None,
            has_client_secret: fields.bool("has_client_secret")?.unwrap_or(false),
            audience: fields.string("audience")?,
            scope: fields.string("scope")?,
            realm: fields.string("realm")?,
            forwarded_for: fields.string("forwarded_for")?,
            timeout_ms: fields.u32("timeout_ms")?,
        })
    }

    pub fn audience(&self) -> Option<&str> {
        self.audience.as_deref()
    }

    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    pub fn realm(&self) -> Option<&str> {
        self.realm.as_deref()
    }

    pub fn forwarded_for(&self) -> Option<&str> {
        self.forwarded_for.as_deref()
    }

    pub fn timeout_ms(&self) -> Option<u32> {
        self.timeout_ms
    }
}

fn required(argument: &'static str, value: String) -> Result<String, Error> {
    let value = value.trim().to_owned();
    if value.is_empty() {
        return Err(Error::InvalidArgument { argument, reason: "is required" });
    }
    check_text(argument, &value)?;
    Ok(value)
}

fn optional(argument: &'static str, value: Option<String>) -> Result<Option<String>, Error> {
    match value {
        Some(value) if !value.trim().is_empty() => required(argument, value).map(Some),
        _ => Ok(None),
    }
}

/// Refuses control characters (which would let a value break out of a header) and absurd lengths.
pub(crate) fn check_text(argument: &'static str, value: &str) -> Result<(), Error> {
    if value.len() > MAX_FIELD_LEN {
        return Err(Error::InvalidArgument { argument, reason: "is too long" });
    }
    if value.chars().any(char::is_control) {
        return Err(Error::InvalidArgument { argument, reason: "must not contain control characters" });
    }
    Ok(())
}

/// `tenant.auth0.com` or `https://tenant.auth0.com[/]` → `https://tenant.auth0.com`; `http://` only to loopback.
fn normalize_domain(domain: &str) -> Result<String, Error> {
    const BAD: Error = Error::InvalidArgument {
        argument: "domain",
        reason: "must be a host name such as tenant.auth0.com or an https:// URL without path, query or credentials",
    };
    let domain = domain.trim();
    // A checked split: a panic path would link in its formatting.
    let (scheme, rest) = match super::find(domain, "://").and_then(|i| Some((domain.get(..i)?, domain.get(i + 3..)?))) {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") => ("https", rest),
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => ("http", rest),
        Some(_) => return Err(BAD),
        None => ("https", domain),
    };
    let host_port = rest.strip_suffix('/').unwrap_or(rest);
    if host_port.is_empty() || host_port.contains(['/', '?', '#', '@', '\\']) {
        return Err(BAD);
    }
    let (host, port) = split_port(host_port).ok_or(BAD)?;
    let host = host.to_ascii_lowercase();
    let valid_host = if host == "[::1]" {
        true
    } else {
        !host.starts_with(['.', '-'])
            && !host.ends_with(['-'])
            && super::find(&host, "..").is_none()
            && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    };
    if !valid_host {
        return Err(BAD);
    }
    let loopback = matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]");
    if scheme == "http" && !loopback {
        return Err(Error::InvalidArgument {
            argument: "domain",
            reason: "plain http:// is only allowed for localhost, 127.0.0.1 and [::1]",
        });
    }
    Ok(match port {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    })
}

/// Splits `host[:port]`, where host may be a bracketed IPv6 literal. `None` when malformed.
fn split_port(host_port: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if host_port.starts_with('[') {
        let end = host_port.find(']')?;
        let (host, rest) = host_port.split_at_checked(end + 1)?;
        match rest {
            "" => (host, None),
            _ => (host, Some(rest.strip_prefix(':')?)),
        }
    } else {
        match host_port.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    let port = match port {
        Some(port) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => Some(port.parse().ok()?),
        Some(_) => return None,
        None => None,
    };
    if host.is_empty() || port == Some(0) {
        return None;
    }
    Some((host, port))
}

//! Starts an emulator on an ephemeral loopback port and talks raw HTTP/1.1 to it, so tests can also send
//! malformed requests and observe dropped connections and truncated bodies.
#![allow(dead_code)]

pub mod sign;

use auth0_mfa_emulator::{Config, Running, spawn};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const PASSWORD: &str = "Passw0rd!";
pub const SPA: &str = "spa-client";
pub const SERVER: &str = "server-client";
pub const SERVER_SECRET: &str = "server-client-secret";
pub const OTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
pub const PUSH_OTP_SECRET: &str = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU";
/// 2027-01-15T08:00:00Z, at the start of a 30-second TOTP step.
pub const T0: i64 = 1_800_000_000;
pub const GRANT_OTP: &str = "http://auth0.com/oauth/grant-type/mfa-otp";
pub const GRANT_OOB: &str = "http://auth0.com/oauth/grant-type/mfa-oob";
pub const GRANT_RECOVERY: &str = "http://auth0.com/oauth/grant-type/mfa-recovery-code";
pub const GRANT_REALM: &str = "http://auth0.com/oauth/grant-type/password-realm";

pub struct Emu {
    pub running: Running,
    pub url: String,
    pub addr: SocketAddr,
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON ({}): {}", self.status, String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Asserts an Auth0-shaped error.
    #[track_caller]
    pub fn error(&self, status: u16, error: &str, description: &str) {
        let body = self.json();
        assert_eq!(
            (self.status, body["error"].as_str(), body["error_description"].as_str()),
            (status, Some(error), Some(description)),
            "{body}"
        );
    }
}

pub async fn start() -> Emu {
    start_with(Config::default()).await
}

/// Starts with the clock frozen at [`T0`].
pub async fn start_with(config: Config) -> Emu {
    let running = spawn(config).await.expect("the emulator starts");
    let emu = Emu { url: running.url.clone(), addr: running.addr, running };
    let clock = emu.control("/__emu/clock", json!({"freeze": true, "set": T0})).await;
    assert_eq!(clock.status, 200);
    emu
}

impl Emu {
    pub async fn raw(&self, bytes: &[u8]) -> std::io::Result<Resp> {
        let mut stream = TcpStream::connect(self.addr).await?;
        stream.write_all(bytes).await?;
        let mut buf = Vec::new();
        stream.read_to_end(&mut buf).await?;
        parse(&buf)
    }

    pub async fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
        self.try_request(method, path, headers, body).await.expect("an HTTP response")
    }

    pub async fn try_request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<Resp> {
        self.try_request_for_host(Some(&self.addr.to_string()), method, path, headers, body).await
    }

    /// A request without headers or body, with the given `Host` header or with none at all (as an in-process call
    /// has).
    pub async fn request_for_host(&self, host: Option<&str>, method: &str, path: &str) -> Resp {
        self.try_request_for_host(host, method, path, &[], b"").await.expect("an HTTP response")
    }

    pub async fn try_request_for_host(
        &self,
        host: Option<&str>,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<Resp> {
        let mut head = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
        if let Some(host) = host {
            head.push_str(&format!("Host: {host}\r\n"));
        }
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body);
        self.raw(&bytes).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.request("GET", path, &[], b"").await
    }

    pub async fn form(&self, path: &str, params: &[(&str, &str)]) -> Resp {
        self.form_with(path, params, &[]).await
    }

    pub async fn form_with(&self, path: &str, params: &[(&str, &str)], headers: &[(&str, &str)]) -> Resp {
        let body = serde_urlencoded::to_string(params).expect("form");
        let mut all = vec![("Content-Type", "application/x-www-form-urlencoded")];
        all.extend_from_slice(headers);
        self.request("POST", path, &all, body.as_bytes()).await
    }

    pub async fn json(&self, path: &str, body: Value, headers: &[(&str, &str)]) -> Resp {
        let mut all = vec![("Content-Type", "application/json")];
        all.extend_from_slice(headers);
        self.request("POST", path, &all, body.to_string().as_bytes()).await
    }

    pub async fn control(&self, path: &str, body: Value) -> Resp {
        self.json(path, body, &[]).await
    }

    pub async fn advance(&self, secs: i64) {
        assert_eq!(self.control("/__emu/clock", json!({"advance": secs})).await.status, 200);
    }

    pub async fn now(&self) -> i64 {
        self.get("/__emu/clock").await.json()["now"].as_i64().expect("now")
    }

    /// Password grant for a seeded user through the public client; returns the `mfa_token`.
    pub async fn mfa_token(&self, username: &str) -> String {
        let resp = self.login(username, &[]).await;
        resp.error(403, "mfa_required", "Multifactor authentication required");
        resp.json()["mfa_token"].as_str().expect("mfa_token").to_owned()
    }

    /// [`Emu::mfa_token`] with more parameters, e.g. a `scope`.
    pub async fn mfa_token_with(&self, username: &str, extra: &[(&str, &str)]) -> String {
        let resp = self.login(username, extra).await;
        resp.error(403, "mfa_required", "Multifactor authentication required");
        resp.json()["mfa_token"].as_str().expect("mfa_token").to_owned()
    }

    pub async fn login(&self, username: &str, extra: &[(&str, &str)]) -> Resp {
        self.login_with(username, extra, &[]).await
    }

    /// [`Emu::login`] with request headers, e.g. the `Origin` of a page.
    pub async fn login_with(&self, username: &str, extra: &[(&str, &str)], headers: &[(&str, &str)]) -> Resp {
        let mut params =
            vec![("grant_type", "password"), ("username", username), ("password", PASSWORD), ("client_id", SPA)];
        params.extend_from_slice(extra);
        self.form_with("/oauth/token", &params, headers).await
    }

    pub async fn otp_grant(&self, mfa_token: &str, otp: &str) -> Resp {
        self.form(
            "/oauth/token",
            &[("grant_type", GRANT_OTP), ("client_id", SPA), ("mfa_token", mfa_token), ("otp", otp)],
        )
        .await
    }

    pub async fn oob_grant(&self, mfa_token: &str, oob_code: &str, binding_code: Option<&str>) -> Resp {
        let mut params =
            vec![("grant_type", GRANT_OOB), ("client_id", SPA), ("mfa_token", mfa_token), ("oob_code", oob_code)];
        if let Some(code) = binding_code {
            params.push(("binding_code", code));
        }
        self.form("/oauth/token", &params).await
    }

    pub async fn challenge(&self, mfa_token: &str, extra: Value) -> Resp {
        let mut body = json!({"client_id": SPA, "mfa_token": mfa_token});
        if let (Some(map), Value::Object(extra)) = (body.as_object_mut(), extra) {
            map.extend(extra);
        }
        self.json("/mfa/challenge", body, &[]).await
    }

    pub async fn authenticators(&self, bearer: &str) -> Resp {
        let auth = format!("Bearer {bearer}");
        self.request("GET", "/mfa/authenticators", &[("Authorization", &auth)], b"").await
    }

    pub async fn associate(&self, bearer: &str, body: Value) -> Resp {
        let auth = format!("Bearer {bearer}");
        self.json("/mfa/associate", body, &[("Authorization", &auth)]).await
    }

    /// The refresh grant for the public client.
    pub async fn refresh(&self, refresh_token: &str, extra: &[(&str, &str)]) -> Resp {
        self.refresh_with(SPA, refresh_token, extra, &[]).await
    }

    pub async fn refresh_with(
        &self,
        client_id: &str,
        refresh_token: &str,
        extra: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut params =
            vec![("grant_type", "refresh_token"), ("client_id", client_id), ("refresh_token", refresh_token)];
        params.extend_from_slice(extra);
        self.form_with("/oauth/token", &params, headers).await
    }

    /// Changes a client's settings through the control plane.
    pub async fn client_settings(&self, client_id: &str, settings: Value) -> Value {
        let resp = self.control(&format!("/__emu/clients/{client_id}"), settings).await;
        assert_eq!(resp.status, 200, "{}", resp.text());
        resp.json()
    }

    /// The refresh-token families of a user, oldest first.
    pub async fn families(&self, user: &str) -> Vec<Value> {
        let list = self.get(&format!("/__emu/refresh-tokens?user={user}")).await.json();
        list.as_array().cloned().expect("a list")
    }

    /// The newest code the emulator "sent" to the user.
    pub async fn last_code(&self, user: &str) -> String {
        let outbox = self.get(&format!("/__emu/outbox?user={user}")).await.json();
        let messages = outbox.as_array().expect("outbox");
        messages.last().expect("a message")["code"].as_str().expect("code").to_owned()
    }
}

fn parse(buf: &[u8]) -> std::io::Result<Resp> {
    let bad = || std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "no complete HTTP response");
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(bad)?;
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).ok_or_else(bad)?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':').map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned())))
        .collect();
    let mut body = buf[split + 4..].to_vec();
    if headers.iter().any(|(k, v)| k == "transfer-encoding" && v.contains("chunked")) {
        body = dechunk(&body);
    }
    Ok(Resp { status, headers, body })
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 || data.len() < end + 2 + size {
            break;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[(end + 4 + size).min(data.len())..];
    }
    out
}

/// RFC 6238 TOTP (SHA-1, 6 digits, 30 s) computed by the test, from the secret.
pub fn totp(secret: &str, unix_secs: i64) -> String {
    let key = BASE32_NOPAD.decode(secret.as_bytes()).expect("base32");
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(&key).expect("key");
    mac.update(&((unix_secs / 30) as u64).to_be_bytes());
    let d = mac.finalize().into_bytes();
    let o = (d[19] & 0xf) as usize;
    let n = u32::from_be_bytes([d[o] & 0x7f, d[o + 1], d[o + 2], d[o + 3]]);
    format!("{:06}", n % 1_000_000)
}

/// The claims of a JWT (the signature is checked in the JWKS test).
pub fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("JSON claims")
}

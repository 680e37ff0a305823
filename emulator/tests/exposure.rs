//! Issue 14: websites other than the developer's own pages may not drive the control plane (CORS and the
//! Origin check), DNS rebinding is refused by the Host check, and binding beyond loopback is announced.

mod common;

use auth0_mfa_emulator::{Config, exposure_warning};
use common::*;
use serde_json::json;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

const STRANGER: &str = "https://evil.example";
const CLIENT_ORIGIN: &str = "https://app.example";

async fn preflight(emu: &Emu, path: &str, origin: &str) -> Resp {
    emu.request("OPTIONS", path, &[("Origin", origin), ("Access-Control-Request-Method", "POST")], b"").await
}

/// A pending push for push@example.com, for the page to try to approve.
async fn pending_push(emu: &Emu) {
    let token = emu.mfa_token("push@example.com").await;
    let list = emu.authenticators(&token).await.json();
    let challenge = emu.challenge(&token, json!({"authenticator_id": list[0]["id"]})).await;
    assert_eq!(challenge.status, 200, "{}", challenge.text());
}

async fn pending_count(emu: &Emu) -> usize {
    emu.get("/__emu/pushes?state=pending").await.json().as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn control_plane_refuses_other_websites() {
    let emu = start().await;
    pending_push(&emu).await;

    let read = emu.request("GET", "/__emu/outbox", &[("Origin", STRANGER)], b"").await;
    read.error(403, "access_denied", "Origin https://evil.example is not allowed.");
    assert!(read.header("access-control-allow-origin").is_none());
    let refused = preflight(&emu, "/__emu/outbox", STRANGER).await;
    assert_eq!((refused.status, refused.header("access-control-allow-origin")), (403, None));

    // Simple requests need no preflight, so they must be refused outright, not just left unreadable.
    let text = [("Origin", STRANGER), ("Content-Type", "text/plain")];
    let approve = emu.request("POST", "/__emu/pushes/latest/approve", &text, b"").await;
    assert_eq!((approve.status, approve.header("access-control-allow-origin")), (403, None));
    assert_eq!(pending_count(&emu).await, 1, "the push is still pending");
    let settings = emu.request("POST", "/__emu/settings", &text, br#"{"permissive_cors":true}"#).await;
    assert_eq!(settings.status, 403);
    assert_eq!(emu.get("/__emu/settings").await.json()["permissive_cors"], false);

    // Look-alikes of loopback origins are other websites.
    for origin in ["http://127.0.0.1.evil.example", "http://localhost.evil.example:3000", "http://[::1].evil", "null"] {
        let resp = preflight(&emu, "/__emu/faults", origin).await;
        assert_eq!((resp.status, resp.header("access-control-allow-origin")), (403, None), "{origin}");
    }
    // The public documents still answer, without CORS for a stranger.
    let jwks = emu.request("GET", "/.well-known/jwks.json", &[("Origin", STRANGER)], b"").await;
    assert_eq!((jwks.status, jwks.header("access-control-allow-origin")), (200, None));
}

#[tokio::test]
async fn permissive_cors_does_not_open_the_control_plane() {
    let emu = start_with(Config { permissive_cors: true, ..Default::default() }).await;
    assert_eq!(preflight(&emu, "/oauth/token", STRANGER).await.status, 204);
    let control = preflight(&emu, "/__emu/outbox", STRANGER).await;
    assert_eq!((control.status, control.header("access-control-allow-origin")), (403, None));
}

#[tokio::test]
async fn control_plane_answers_loopback_and_client_origins() {
    let emu = start().await;
    for origin in ["http://127.0.0.1:5173", "http://localhost", "https://localhost:8443", "http://[::1]:3000"] {
        let resp = preflight(&emu, "/__emu/outbox", origin).await;
        assert_eq!((resp.status, resp.header("access-control-allow-origin")), (204, Some(origin)), "{origin}");
        let resp = emu.request("GET", "/__emu/outbox", &[("Origin", origin)], b"").await;
        assert_eq!((resp.status, resp.header("access-control-allow-origin")), (200, Some(origin)), "{origin}");
    }

    // A non-loopback origin is answered once a client lists it.
    assert_eq!(preflight(&emu, "/__emu/outbox", CLIENT_ORIGIN).await.status, 403);
    let client = json!({"client_id": "app", "auth_method": "none", "allowed_origins": [CLIENT_ORIGIN]});
    assert_eq!(emu.control("/__emu/clients", client).await.status, 201);
    let resp = preflight(&emu, "/__emu/outbox", CLIENT_ORIGIN).await;
    assert_eq!((resp.status, resp.header("access-control-allow-origin")), (204, Some(CLIENT_ORIGIN)));
    pending_push(&emu).await;
    let approve = emu.json("/__emu/pushes/latest/approve", json!({}), &[("Origin", CLIENT_ORIGIN)]).await;
    assert_eq!((approve.status, approve.header("access-control-allow-origin")), (200, Some(CLIENT_ORIGIN)));
    assert_eq!(pending_count(&emu).await, 0);
    let jwks = emu.request("GET", "/.well-known/jwks.json", &[("Origin", CLIENT_ORIGIN)], b"").await;
    assert_eq!(jwks.header("access-control-allow-origin"), Some(CLIENT_ORIGIN));
}

#[tokio::test]
async fn device_page_works_from_its_own_origin() {
    // The page at /__emu/ posts to its own origin: opened by LAN address (`--host 0.0.0.0`) or through the
    // public URL, that origin is neither loopback nor a client's.
    let emu = start_with(Config { public_url: Some("https://emu.test".into()), ..Default::default() }).await;
    let approve = |host: &'static str, origin: &'static str| {
        let emu = &emu;
        async move {
            let headers = [("Origin", origin), ("Content-Type", "text/plain")];
            emu.try_request_for_host(Some(host), "POST", "/__emu/pushes/latest/approve", &headers, b"")
                .await
                .expect("an answer")
        }
    };
    pending_push(&emu).await;
    assert_eq!(approve("10.0.0.7:3001", "http://10.0.0.8:3001").await.status, 403, "another machine's page");
    assert_eq!(pending_count(&emu).await, 1);
    let lan = approve("10.0.0.7:3001", "http://10.0.0.7:3001").await;
    assert_eq!((lan.status, lan.header("access-control-allow-origin")), (200, Some("http://10.0.0.7:3001")));
    pending_push(&emu).await;
    // Behind a proxy that passes the loopback Host on.
    let public = approve("127.0.0.1:3001", "https://emu.test").await;
    assert_eq!(public.status, 200, "{}", public.text());
    assert_eq!(pending_count(&emu).await, 0);
}

#[tokio::test]
async fn rebinding_host_is_refused_everywhere() {
    let emu = start().await;
    let form = [("Content-Type", "application/x-www-form-urlencoded")];
    let login = b"grant_type=password&username=nomfa%40example.com&password=Passw0rd%21&client_id=spa-client";
    for host in ["evil.example", "evil.example:8080", "127.0.0.1.nip.io", "localhost.evil.example"] {
        for (method, path) in [("GET", "/__emu/outbox"), ("GET", "/healthz"), ("GET", "/.well-known/jwks.json")] {
            let resp = emu.request_for_host(Some(host), method, path).await;
            let description =
                format!("Host {host} is not served here: use a loopback address or the --public-url host.");
            resp.error(421, "invalid_request", &description);
        }
        let token = emu.try_request_for_host(Some(host), "POST", "/oauth/token", &form, login).await.expect("answer");
        assert_eq!((token.status, token.json()["error"].as_str()), (421, Some("invalid_request")), "{host}");
        let clock = [("Content-Type", "application/json")];
        let advance = emu.try_request_for_host(Some(host), "POST", "/__emu/clock", &clock, br#"{"advance":60}"#).await;
        assert_eq!(advance.expect("answer").status, 421);
    }
    assert_eq!(emu.now().await, T0, "the refused clock change did nothing");
    assert_eq!(emu.get("/__emu/journal").await.json(), json!([]), "refused requests reach no handler");

    // Loopback names, IP literals and no Host at all (an in-process call) pass, with any port.
    for host in
        [Some("localhost"), Some("LOCALHOST:1"), Some("127.0.0.1:80"), Some("[::1]:443"), Some("10.0.0.7:3001"), None]
    {
        assert_eq!(emu.request_for_host(host, "GET", "/__emu/clock").await.status, 200, "{host:?}");
        let token = emu.try_request_for_host(host, "POST", "/oauth/token", &form, login).await.expect("answer");
        assert_eq!(token.status, 200, "{host:?}: {}", token.text());
    }
}

#[tokio::test]
async fn public_url_host_is_accepted() {
    let emu = start_with(Config { public_url: Some("https://emu.test/".into()), ..Default::default() }).await;
    let form = [("Content-Type", "application/x-www-form-urlencoded")];
    let login = b"grant_type=password&username=nomfa%40example.com&password=Passw0rd%21&client_id=spa-client";
    for host in ["emu.test", "emu.test:443", "EMU.test"] {
        let token = emu.try_request_for_host(Some(host), "POST", "/oauth/token", &form, login).await.expect("answer");
        assert_eq!(token.status, 200, "{host}: {}", token.text());
        assert_eq!(emu.request_for_host(Some(host), "GET", "/__emu/clock").await.status, 200);
    }
    assert_eq!(emu.request_for_host(Some("other.test"), "GET", "/healthz").await.status, 421);

    // Without --public-url, that name is a stranger like any other.
    let plain = start().await;
    assert_eq!(plain.request_for_host(Some("emu.test"), "GET", "/healthz").await.status, 421);
}

#[test]
fn warning_names_non_loopback_addresses_only() {
    for addr in ["0.0.0.0:3001", "[::]:3001", "192.168.1.5:8080"] {
        let warning = exposure_warning(addr.parse().expect("an address")).unwrap_or_default();
        assert!(warning.contains(addr) && warning.contains("control plane"), "{addr}: {warning}");
        assert!(warning.contains("reachable from the network") && !warning.contains('\n'), "{warning}");
    }
    for addr in ["127.0.0.1:3001", "127.0.0.2:1", "[::1]:3001", "[::ffff:127.0.0.1]:80"] {
        assert_eq!(exposure_warning(addr.parse().expect("an address")), None, "{addr}");
    }
}

/// Starts the binary, waits for its ready line, stops it and returns what it wrote to stderr.
fn binary_stderr(host: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_auth0-mfa-emulator"))
        .args(["--host", host, "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut ready = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut ready).expect("stdout");
    assert!(ready.starts_with(auth0_mfa_emulator::READY_PREFIX), "{ready:?}");
    child.kill().expect("stop the emulator");
    child.wait().expect("the emulator exits");
    let mut stderr = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut stderr).expect("stderr");
    stderr
}

#[test]
fn binary_warns_when_bound_beyond_loopback() {
    let stderr = binary_stderr("0.0.0.0");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("warning") && stderr.contains("reachable from the network"), "{stderr}");
    assert_eq!(binary_stderr("127.0.0.1"), "");
}

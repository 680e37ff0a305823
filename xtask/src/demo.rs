//! `cargo xtask demo`: builds `pkg/`, starts the emulator and serves `www/` from another origin, so the demo's
//! requests cross origins exactly as they do against Auth0.
//!
//! The static server and the one request to the emulator's control plane use axum, hyper and tokio, which the
//! emulator already builds on, so the demo adds no web stack of its own.

use crate::emulator::{self, Emulator};
use crate::shell::{Cmd, root};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use axum::http::{Method, Request, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::future::{Future, IntoFuture};
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const USAGE: &str = "usage: cargo xtask demo [--port N] [--emulator-port N] [--host HOST] [--no-build]

  --port N           the demo page's port (default 8080; 0 = any free port)
  --emulator-port N  the emulator's port (default 3001; 0 = any free port)
  --host HOST        address both listen on (default 127.0.0.1)
  --no-build         use pkg/ and the emulator binary as they are (skip setup and builds)";

/// The seed's `spa-client` allows these origins; any other origin gets a client of its own.
const SEEDED_PORTS: [u16; 3] = [8080, 5173, 3000];
const EXTRA_CLIENT: &str = "demo-spa";

struct Options {
    port: u16,
    emulator_port: u16,
    host: String,
    build: bool,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options { port: 8080, emulator_port: 3001, host: "127.0.0.1".into(), build: true };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().cloned().ok_or_else(|| format!("{name} needs a value\n\n{USAGE}"));
        let port = |text: String, name: &str| {
            text.parse::<u16>().map_err(|_| format!("{name} must be a port number (0-65535)\n\n{USAGE}"))
        };
        match arg.as_str() {
            "--port" => options.port = port(value("--port")?, "--port")?,
            "--emulator-port" => options.emulator_port = port(value("--emulator-port")?, "--emulator-port")?,
            "--host" => options.host = value("--host")?,
            "--no-build" => options.build = false,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown option {other}\n\n{USAGE}")),
        }
    }
    Ok(options)
}

pub fn run(args: &[String]) -> Result<(), String> {
    let options = parse(args)?;
    // Both ports are checked before the (long) build so that a busy port is reported at once.
    let listener = bind(&options.host, options.port, "--port")?;
    if options.emulator_port != 0 {
        drop(bind(&options.host, options.emulator_port, "--emulator-port")?);
    }
    if options.build {
        let tools = crate::setup::run()?;
        crate::build(&tools)?;
        Cmd::new("cargo").args(["build", "-p", "auth0-mfa-emulator"]).run()?;
    }
    for needed in [root().join("pkg/auth0_mfa_wasm.js"), emulator::binary()] {
        if !needed.exists() {
            return Err(format!("{} is missing: run `cargo xtask demo` without --no-build", needed.display()));
        }
    }

    let emulator_port = options.emulator_port.to_string();
    let emulator = Emulator::start(&["--port", &emulator_port, "--host", &options.host])?;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(serve_demo(listener, &options.host, &emulator.url))?;
    // Ends the open connections before the emulator, so nothing is left half-answered behind it.
    drop(runtime);
    drop(emulator);
    println!("demo stopped");
    Ok(())
}

async fn serve_demo(listener: TcpListener, host: &str, emulator_url: &str) -> Result<(), String> {
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let origin = format!("http://{}:{port}", url_host(host));
    let client_id = if SEEDED_PORTS.contains(&port) && ["127.0.0.1", "localhost"].contains(&host) {
        "spa-client"
    } else {
        // An origin the seed does not know: register a public client that allows it, so CORS stays as strict as
        // Auth0's instead of switching the emulator to permissive mode.
        let body = format!(
            r#"{{"client_id":"{EXTRA_CLIENT}","name":"Demo SPA","auth_method":"none","allowed_origins":["{origin}"]}}"#
        );
        post_json(emulator_url, "/__emu/clients", body).await?;
        EXTRA_CLIENT
    };
    let config = format!(
        r#"{{"domain":"{emulator_url}","clientId":"{client_id}","deviceUrl":"{emulator_url}/__emu/","emulator":true}}"#
    );

    let stop = stop_signal().map_err(|e| format!("cannot handle Ctrl-C: {e}"))?;
    println!();
    println!("  Demo:         {origin}/");
    println!("  Device page:  {emulator_url}/__emu/   (codes sent by SMS, voice and email; push approval)");
    println!("  Users:        otp@, sms@, push@, email@, new@ (enrolls), nomfa@ …@example.com, password Passw0rd!");
    println!();
    println!("  Ctrl-C stops both.");
    let _ = std::io::stdout().flush();

    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::from_std(listener).map_err(|e| e.to_string())?;
    let app = Router::new().fallback(answer).with_state(Arc::<str>::from(config));
    tokio::select! {
        served = axum::serve(listener, app).into_future() => served.map_err(|e| format!("the demo server stopped: {e}")),
        () = stop => Ok(()),
    }
}

/// Resolves on Ctrl-C or SIGTERM, so that the emulator is stopped (not orphaned) even when only this process gets
/// the signal. The handlers are installed before it returns: a signal sent right after the "Ctrl-C" line counts.
fn stop_signal() -> std::io::Result<impl Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

fn url_host(host: &str) -> String {
    if host.contains(':') { format!("[{host}]") } else { host.to_owned() }
}

fn bind(host: &str, port: u16, flag: &str) -> Result<TcpListener, String> {
    TcpListener::bind((host, port)).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            format!("port {port} on {host} is already in use: stop what uses it, or pick another with {flag} N (0 = any free port)")
        } else {
            format!("cannot listen on {host}:{port}: {e}")
        }
    })
}

/// One JSON POST to the emulator's control plane.
async fn post_json(base: &str, path: &str, body: String) -> Result<(), String> {
    let request = Request::post(format!("{base}{path}"))
        .header(CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let client = Client::builder(TokioExecutor::new()).build_http();
    let response = client.request(request).await.map_err(|e| format!("cannot reach the emulator: {e}"))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("the emulator refused {path}: {}", response.status()))
    }
}

/// Every request: `/config.json`, or a file of www/ or pkg/. Each answer is marked no-store, so an edited file
/// shows on reload. The body of a HEAD answer is dropped by hyper.
async fn answer(State(config): State<Arc<str>>, method: Method, uri: Uri) -> Response {
    let (status, content_type, body) = if method != Method::GET && method != Method::HEAD {
        (StatusCode::METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", b"only GET and HEAD\n".to_vec())
    } else if uri.path() == "/config.json" {
        (StatusCode::OK, "application/json", config.as_bytes().to_vec())
    } else {
        match resolve(uri.path()) {
            Some(file) => match tokio::fs::read(&file).await {
                Ok(bytes) => (StatusCode::OK, mime(&file), bytes),
                Err(_) => not_found(),
            },
            None => not_found(),
        }
    };
    let headers = [(CONTENT_TYPE, content_type), (CACHE_CONTROL, "no-store"), (X_CONTENT_TYPE_OPTIONS, "nosniff")];
    (status, headers, body).into_response()
}

fn not_found() -> (StatusCode, &'static str, Vec<u8>) {
    (StatusCode::NOT_FOUND, "text/plain; charset=utf-8", b"not found\n".to_vec())
}

/// `/pkg/…` from the built package, everything else from `www/`. Only plain path segments are accepted, so no
/// request can leave those two directories (no `..`, no hidden files, no percent-encoded tricks).
fn resolve(path: &str) -> Option<PathBuf> {
    let root = root();
    let (base, rest) = match path.strip_prefix("/pkg/") {
        Some(rest) => (root.join("pkg"), rest),
        None => (root.join("www"), path.trim_start_matches('/')),
    };
    let rest = if rest.is_empty() || rest.ends_with('/') { format!("{rest}index.html") } else { rest.to_owned() };
    let mut file = base;
    for segment in rest.split('/') {
        let plain = !segment.is_empty()
            && !segment.starts_with('.')
            && segment.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !plain {
            return None;
        }
        file.push(segment);
    }
    file.is_file().then_some(file)
}

fn mime(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "ts" | "md" | "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::resolve;

    #[test]
    fn serves_only_plain_paths_inside_www_and_pkg() {
        assert!(resolve("/../Cargo.toml").is_none());
        assert!(resolve("/pkg/../Cargo.toml").is_none());
        assert!(resolve("/%2e%2e/Cargo.toml").is_none());
        assert!(resolve("/.git/config").is_none());
        assert!(resolve("//etc/passwd").is_none());
        assert!(resolve("/vendor/uqr.mjs").is_some());
    }
}

//! `cargo xtask demo`: builds `pkg/`, starts the emulator and serves `www/` from another origin, so the demo's
//! requests cross origins exactly as they do against Auth0.
//!
//! The static server is a few lines of std on purpose: a demo must not pull a web framework into the workspace.

use crate::emulator::{self, Emulator};
use crate::shell::{Cmd, root};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

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
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let origin = format!("http://{}:{port}", url_host(&options.host));
    let client_id = if SEEDED_PORTS.contains(&port) && ["127.0.0.1", "localhost"].contains(&options.host.as_str()) {
        "spa-client"
    } else {
        // An origin the seed does not know: register a public client that allows it, so CORS stays as strict as
        // Auth0's instead of switching the emulator to permissive mode.
        let body = format!(
            r#"{{"client_id":"{EXTRA_CLIENT}","name":"Demo SPA","auth_method":"none","allowed_origins":["{origin}"]}}"#
        );
        post_json(&emulator.url, "/__emu/clients", &body)?;
        EXTRA_CLIENT
    };
    let config = format!(
        r#"{{"domain":"{url}","clientId":"{client_id}","deviceUrl":"{url}/__emu/","emulator":true}}"#,
        url = emulator.url
    );

    signals::install();
    println!();
    println!("  Demo:         {origin}/");
    println!("  Device page:  {}/__emu/   (codes sent by SMS, voice and email; push approval)", emulator.url);
    println!("  Users:        otp@, sms@, push@, email@, new@ (enrolls), nomfa@ …@example.com, password Passw0rd!");
    println!();
    println!("  Ctrl-C stops both.");
    let _ = std::io::stdout().flush();

    serve(listener, Arc::new(config))?;
    drop(emulator);
    println!("demo stopped");
    Ok(())
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

/// One small JSON POST to the emulator's control plane, without an HTTP client dependency.
fn post_json(base: &str, path: &str, body: &str) -> Result<(), String> {
    let authority = base.strip_prefix("http://").ok_or("the emulator URL is not http://")?;
    let mut stream = TcpStream::connect(authority).map_err(|e| format!("cannot reach the emulator: {e}"))?;
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .map_err(|e| e.to_string())?;
    let mut status = String::new();
    BufReader::new(stream).read_line(&mut status).map_err(|e| e.to_string())?;
    if status.split_whitespace().nth(1).is_some_and(|code| code.starts_with('2')) {
        Ok(())
    } else {
        Err(format!("the emulator refused {path}: {}", status.trim()))
    }
}

/// Accepts until Ctrl-C or SIGTERM; each connection gets a thread (a page load opens a handful).
fn serve(listener: TcpListener, config: Arc<String>) -> Result<(), String> {
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    while !signals::stopped() {
        match listener.accept() {
            Ok((stream, _)) => {
                let config = Arc::clone(&config);
                std::thread::spawn(move || {
                    let _ = handle(stream, &config);
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => std::thread::sleep(Duration::from_millis(50)),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(format!("the demo server stopped: {e}")),
        }
    }
    Ok(())
}

fn handle(stream: TcpStream, config: &str) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut stream = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line)? == 0 {
            return Ok(());
        }
        let mut keep_alive = request_line.ends_with("HTTP/1.1\r\n");
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header)? == 0 || header == "\r\n" || header == "\n" {
                break;
            }
            if header.to_ascii_lowercase().starts_with("connection:") && header.to_ascii_lowercase().contains("close") {
                keep_alive = false;
            }
        }
        let mut parts = request_line.split_whitespace();
        let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
        let (status, content_type, body) = match method {
            "GET" | "HEAD" => respond(target, config),
            _ => ("405 Method Not Allowed", "text/plain; charset=utf-8", b"only GET and HEAD\n".to_vec()),
        };
        let connection = if keep_alive { "keep-alive" } else { "close" };
        write!(
            stream,
            "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: {connection}\r\n\r\n",
            body.len()
        )?;
        if method != "HEAD" {
            stream.write_all(&body)?;
        }
        stream.flush()?;
        if !keep_alive {
            return Ok(());
        }
    }
}

fn respond(target: &str, config: &str) -> (&'static str, &'static str, Vec<u8>) {
    let path = target.split(['?', '#']).next().unwrap_or("/");
    if path == "/config.json" {
        return ("200 OK", "application/json", config.as_bytes().to_vec());
    }
    let file = match resolve(path) {
        Some(file) => file,
        None => return ("404 Not Found", "text/plain; charset=utf-8", b"not found\n".to_vec()),
    };
    match std::fs::read(&file) {
        Ok(bytes) => ("200 OK", mime(&file), bytes),
        Err(_) => ("404 Not Found", "text/plain; charset=utf-8", b"not found\n".to_vec()),
    }
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

/// Ctrl-C and SIGTERM set a flag the accept loop checks, so the emulator is stopped (not orphaned) even when only
/// this process gets the signal.
#[cfg(unix)]
mod signals {
    use std::sync::atomic::{AtomicBool, Ordering};

    static STOP: AtomicBool = AtomicBool::new(false);

    extern "C" fn on_signal(_: i32) {
        STOP.store(true, Ordering::SeqCst);
    }

    unsafe extern "C" {
        fn signal(signum: i32, handler: extern "C" fn(i32)) -> usize;
    }

    pub fn install() {
        const SIGINT: i32 = 2;
        const SIGTERM: i32 = 15;
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
        unsafe {
            signal(SIGINT, on_signal);
            signal(SIGTERM, on_signal);
        }
    }

    pub fn stopped() -> bool {
        STOP.load(Ordering::SeqCst)
    }
}

#[cfg(not(unix))]
mod signals {
    pub fn install() {}
    pub fn stopped() -> bool {
        false
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

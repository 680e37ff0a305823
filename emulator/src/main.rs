//! `auth0-mfa-emulator [--port N] [--host H] [--seed FILE] [--permissive-cors] [--mfa-token-ttl SECS] [--public-url URL]`

use auth0_mfa_emulator::{Config, READY_PREFIX, seed};
use std::io::Write;
use std::process::ExitCode;

const USAGE: &str = "usage: auth0-mfa-emulator [--port N] [--host HOST] [--seed FILE] [--permissive-cors] \
[--mfa-token-ttl SECS] [--public-url URL]";

fn parse_args() -> Result<Config, String> {
    let mut config = Config::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--port" => config.port = value("--port")?.parse().map_err(|_| "--port must be 0-65535".to_owned())?,
            "--host" => config.host = value("--host")?,
            "--seed" => {
                let path = value("--seed")?;
                let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read seed {path}: {e}"))?;
                config.seed = seed::parse(&text)?;
            }
            "--permissive-cors" => config.permissive_cors = true,
            "--mfa-token-ttl" => {
                let secs = value("--mfa-token-ttl")?;
                config.mfa_token_ttl_secs =
                    Some(secs.parse().map_err(|_| "--mfa-token-ttl must be a number of seconds".to_owned())?);
            }
            "--public-url" => config.public_url = Some(value("--public-url")?),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(config)
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(term) => term,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let config = match parse_args() {
        Ok(config) => config,
        Err(message) => {
            eprintln!("auth0-mfa-emulator: {message}");
            return ExitCode::from(2);
        }
    };
    let (host, port) = (config.host.clone(), config.port);
    let running = match auth0_mfa_emulator::spawn(config).await {
        Ok(running) => running,
        Err(error) if error.kind() == std::io::ErrorKind::AddrInUse => {
            eprintln!(
                "auth0-mfa-emulator: port {port} on {host} is already in use; pick another with --port (0 = any free port)"
            );
            return ExitCode::from(1);
        }
        Err(error) => {
            eprintln!("auth0-mfa-emulator: cannot start on {host}:{port}: {error}");
            return ExitCode::from(1);
        }
    };
    if let Some(warning) = auth0_mfa_emulator::exposure_warning(running.addr) {
        eprintln!("{warning}");
    }
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{READY_PREFIX}{}", running.url);
    let _ = stdout.flush();
    drop(stdout);
    shutdown_signal().await;
    running.stop().await;
    ExitCode::SUCCESS
}

//! `auth0-mfa-emulator [--port N] [--host H] [--seed FILE] [--permissive-cors] [--mfa-token-ttl SECS] [--public-url URL]`

use auth0_mfa_emulator::READY_PREFIX;
use auth0_mfa_emulator::cli::{self, Command};
use std::io::Write;
use std::process::ExitCode;

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
    let read_file = |path: &str| std::fs::read_to_string(path).map_err(|e| e.to_string());
    let config = match cli::parse(std::env::args().skip(1), read_file) {
        Ok(Command::Serve(config)) => *config,
        Ok(Command::Help) => {
            println!("{}", cli::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("auth0-mfa-emulator: {message}");
            return ExitCode::from(cli::EXIT_USAGE);
        }
    };
    let (host, port) = (config.host.clone(), config.port);
    let running = match auth0_mfa_emulator::spawn(config).await {
        Ok(running) => running,
        Err(error) => {
            let in_use = error.kind() == std::io::ErrorKind::AddrInUse;
            eprintln!("auth0-mfa-emulator: {}", cli::start_error(&host, port, in_use, &error.to_string()));
            return ExitCode::from(cli::EXIT_START);
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

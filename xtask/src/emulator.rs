//! Starting the local Auth0 emulator for the suites that talk to it, on a free port, and stopping it after.

use crate::shell::root;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const READY_PREFIX: &str = "auth0-mfa-emulator listening on ";

/// The emulator binary built by `cargo build -p auth0-mfa-emulator`.
pub fn binary() -> PathBuf {
    root().join("target/debug/auth0-mfa-emulator")
}

/// A running emulator; killed when dropped, so a failing suite cannot leave it behind.
pub struct Emulator {
    child: Child,
    pub url: String,
}

impl Emulator {
    /// Starts the emulator on an ephemeral loopback port and waits for the line that names its URL.
    pub fn start(extra_args: &[&str]) -> Result<Self, String> {
        let mut child = Command::new(binary())
            .args(["--port", "0"])
            .args(extra_args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start the emulator ({}): {e}", binary().display()))?;
        let stdout = child.stdout.take().ok_or("emulator has no stdout")?;
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(first)) = lines.next() {
                let _ = sender.send(first);
            }
            // Keep draining so the emulator never blocks on a full pipe.
            for _ in lines {}
        });
        let line = receiver.recv_timeout(Duration::from_secs(30));
        match line.ok().and_then(|line| line.strip_prefix(READY_PREFIX).map(str::to_owned)) {
            Some(url) => Ok(Self { child, url: url.trim().to_owned() }),
            None => {
                let _ = child.kill();
                Err("the emulator did not report its URL within 30 s".into())
            }
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

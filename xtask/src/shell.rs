//! Running commands: with the project's tool directories on PATH, echoing output as it comes.

use std::ffi::{OsStr, OsString};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;

/// The workspace root (this crate lives in `<root>/xtask`).
pub fn root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().map(Path::to_path_buf).unwrap_or(manifest_dir)
}

/// Cargo's bin directory and the npm tools, ahead of the inherited PATH, so that freshly installed tools are
/// found without the caller changing their shell.
pub fn search_path() -> OsString {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .unwrap_or_default();
    let mut dirs = vec![cargo_home.join("bin"), root().join("node_modules/.bin")];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).unwrap_or_default()
}

/// The first executable called `name` on the search path.
pub fn which(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&search_path()).map(|dir| dir.join(name)).find(|path| path.is_file())
}

pub struct Cmd {
    command: Command,
    shown: String,
}

impl Cmd {
    pub fn new(program: impl AsRef<OsStr>) -> Self {
        let mut command = Command::new(program.as_ref());
        command.current_dir(root()).env("PATH", search_path());
        Self { shown: program.as_ref().to_string_lossy().into_owned(), command }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.shown.push(' ');
        self.shown.push_str(&arg.as_ref().to_string_lossy());
        self.command.arg(arg);
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(mut self, args: I) -> Self {
        for arg in args {
            self = self.arg(arg);
        }
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.shown = format!("{key}={} {}", value.as_ref().to_string_lossy(), self.shown);
        self.command.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: &str) -> Self {
        self.command.env_remove(key);
        self
    }

    /// The command line as `run` echoes it.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Runs with inherited output; an error if it cannot start or exits non-zero.
    pub fn run(mut self) -> Result<(), String> {
        println!("$ {}", self.shown);
        let status = self.command.status().map_err(|e| format!("cannot run `{}`: {e}", self.shown))?;
        if status.success() { Ok(()) } else { Err(format!("`{}` failed ({status})", self.shown)) }
    }

    /// Runs, returning its stdout without echoing it.
    pub fn output(mut self) -> Result<String, String> {
        let out =
            self.command.stderr(Stdio::inherit()).output().map_err(|e| format!("cannot run `{}`: {e}", self.shown))?;
        if !out.status.success() {
            return Err(format!("`{}` failed ({})", self.shown, out.status));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Runs with stdout and stderr echoed line by line and also captured. Returns success and the captured text.
    pub fn run_captured(mut self) -> (bool, String) {
        println!("$ {}", self.shown);
        let spawned = self.command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) => return (false, format!("cannot run `{}`: {e}", self.shown)),
        };
        let (sender, lines) = mpsc::channel::<(bool, String)>();
        let readers: Vec<_> = [
            child.stdout.take().map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
            child.stderr.take().map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        ]
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(index, stream)| {
            let sender = sender.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = sender.send((index == 1, line));
                }
            })
        })
        .collect();
        drop(sender);
        let mut captured = String::new();
        for (is_stderr, line) in lines {
            if is_stderr {
                eprintln!("{line}");
            } else {
                println!("{line}");
            }
            captured.push_str(&line);
            captured.push('\n');
        }
        for reader in readers {
            let _ = reader.join();
        }
        let _ = std::io::stdout().flush();
        let success = child.wait().map(|status| status.success()).unwrap_or(false);
        (success, captured)
    }
}

/// Files in `dir` (not recursive) whose names end with `suffix`, sorted.
pub fn files_with_suffix(dir: &Path, suffix: &str) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.file_name().and_then(OsStr::to_str).is_some_and(|name| name.ends_with(suffix)))
        .collect();
    files.sort();
    Ok(files)
}

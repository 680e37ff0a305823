//! The command line, shared by the native binary (`src/main.rs`) and the npm package's
//! `npx auth0-mfa-emulator` (`js/cli.js`, through `src/wasm.rs`): the same flags, messages and exit codes.

use crate::state::MAX_SETTING_SECS;
use crate::{Config, seed};

pub const USAGE: &str = "usage: auth0-mfa-emulator [--port N] [--host HOST] [--seed FILE] [--permissive-cors] \
[--mfa-token-ttl SECS] [--public-url URL]";

/// Bad arguments or an unreadable seed.
pub const EXIT_USAGE: u8 = 2;
/// The server could not start (a busy port).
pub const EXIT_START: u8 = 1;

pub enum Command {
    Help,
    Serve(Box<Config>),
}

/// Reads the arguments after the program's name; `read_file` reads `--seed`'s file.
pub fn parse(
    args: impl IntoIterator<Item = String>,
    read_file: impl Fn(&str) -> Result<String, String>,
) -> Result<Command, String> {
    let mut config = Config::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--port" => config.port = value("--port")?.parse().map_err(|_| "--port must be 0-65535".to_owned())?,
            "--host" => config.host = value("--host")?,
            "--seed" => {
                let path = value("--seed")?;
                let text = read_file(&path).map_err(|e| format!("cannot read seed {path}: {e}"))?;
                config.seed = seed::parse(&text)?;
            }
            "--permissive-cors" => config.permissive_cors = true,
            "--mfa-token-ttl" => {
                let secs = value("--mfa-token-ttl")?.parse().ok().filter(|&secs| is_mfa_token_ttl(secs));
                config.mfa_token_ttl_secs =
                    Some(secs.ok_or("--mfa-token-ttl must be a whole number of seconds, 1 to a year")?);
            }
            "--public-url" => config.public_url = Some(value("--public-url")?),
            "-h" | "--help" => return Ok(Command::Help),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(Command::Serve(Box::new(config)))
}

/// Whether `secs` is an `mfa_token` lifetime the emulator takes: 1 second to a year, as its settings.
pub fn is_mfa_token_ttl(secs: u64) -> bool {
    (1..=MAX_SETTING_SECS).contains(&secs)
}

/// What the program prints to stderr when it cannot listen.
pub fn start_error(host: &str, port: u16, in_use: bool, error: &str) -> String {
    if in_use {
        format!("port {port} on {host} is already in use; pick another with --port (0 = any free port)")
    } else {
        format!("cannot start on {host}:{port}: {error}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn reads_every_flag() {
        let read = |path: &str| {
            assert_eq!(path, "seed.json");
            Ok(crate::seed::DEFAULT_SEED.to_owned())
        };
        let line = args(&["--port", "3001", "--host", "::1", "--seed", "seed.json", "--permissive-cors"]);
        let line = [line, args(&["--mfa-token-ttl", "60", "--public-url", "https://tenant.example"])].concat();
        let Ok(Command::Serve(config)) = parse(line, read) else { panic!("parsed") };
        assert_eq!((config.port, config.host.as_str(), config.permissive_cors), (3001, "::1", true));
        assert_eq!(
            (config.mfa_token_ttl_secs, config.public_url.as_deref()),
            (Some(60), Some("https://tenant.example"))
        );
    }

    #[test]
    fn refuses_what_it_does_not_know() {
        let no_file = |_: &str| Err("No such file".to_owned());
        let error = |line: &[&str]| parse(args(line), no_file).err().expect("an error");
        assert_eq!(error(&["--port", "x"]), "--port must be 0-65535");
        for ttl in ["soon", "0", "31536001"] {
            assert_eq!(
                error(&["--mfa-token-ttl", ttl]),
                "--mfa-token-ttl must be a whole number of seconds, 1 to a year"
            );
        }
        assert!(error(&["--port"]).starts_with("--port needs a value\nusage:"));
        assert!(error(&["--what"]).starts_with("unknown argument --what\nusage:"));
        assert_eq!(error(&["--seed", "missing.json"]), "cannot read seed missing.json: No such file");
        assert!(matches!(parse(args(&["--help"]), no_file), Ok(Command::Help)));
    }
}

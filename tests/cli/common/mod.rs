//! Shared by the integration tests: a private HOME, a config file, the real binary.
#![allow(dead_code)]

pub mod hostile;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use balance::sandbox::Scenario;

use serde_json::Value;
use tempfile::TempDir;

pub const BIN: &str = env!("CARGO_BIN_EXE_balance");

/// A temporary HOME with XDG dirs inside it, so no test reads or writes the
/// developer's real config or cache.
pub struct Home {
    pub dir: TempDir,
}

impl Home {
    pub fn new() -> Self {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.path().join("cache")
    }

    /// Where `check` records history by default (SPEC §10).
    pub fn history_path(&self) -> PathBuf {
        self.path().join("data/balance/history.sqlite3")
    }

    /// Writes `config.toml` with mode 0600 and returns its path.
    pub fn config(&self, text: &str) -> PathBuf {
        let path = self.path().join("config.toml");
        write_private(&path, text);
        path
    }

    /// The binary with a clean environment, pointed at this HOME.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::new(BIN);
        for var in [
            "BALANCE_CONFIG",
            "NO_COLOR",
            "XDG_CONFIG_HOME",
            "XDG_CACHE_HOME",
            "XDG_DATA_HOME",
            "HOME",
        ] {
            cmd.env_remove(var);
        }
        cmd.env("HOME", self.path())
            .env("XDG_CONFIG_HOME", self.path().join("xdg-config"))
            .env("XDG_CACHE_HOME", self.cache_dir())
            .env("XDG_DATA_HOME", self.path().join("data"))
            .stdin(std::process::Stdio::null());
        cmd
    }

    /// `balance --config <config.toml> ARGS…`.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut cmd = self.cmd();
        cmd.arg("--config")
            .arg(self.path().join("config.toml"))
            .args(args);
        cmd.output().unwrap()
    }

    /// Runs off the async test's thread, so the mock server keeps answering.
    pub async fn run_async(&self, args: &[&str]) -> Output {
        let mut cmd = self.cmd();
        cmd.arg("--config")
            .arg(self.path().join("config.toml"))
            .args(args);
        tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap()
    }
}

pub fn write_private(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

/// The body of a vendor's documented answer, `src/providers/<folder>/fixtures/<name>.http`:
/// `fixture("8x8", "auth-not-authenticated")`.
pub fn fixture(provider: &str, name: &str) -> String {
    let spec =
        balance::providers::find(provider).unwrap_or_else(|| panic!("no provider {provider}"));
    spec.fixtures()
        .into_iter()
        .find(|f| f.name.strip_suffix(".http") == Some(name))
        .map(|f| f.body.to_owned())
        .unwrap_or_else(|| panic!("{provider} has no fixture {name}.http"))
}

/// Yeastar's token answer (its fixtures are the balance call's answers).
pub const YEASTAR_TOKEN: &str = r#"{"code": "success", "detailMessage": "", "requestId": "1f0e7c9b2a4d4e6f8a1b2c3d4e5f6a7b", "result": {"token": "ys-access-token-1", "tokenHead": "Bearer", "expiresIn": "1800", "refreshToken": "ys-refresh-token-1"}, "status": 200}"#;

pub fn code(out: &Output) -> i32 {
    out.status.code().expect("exited, not killed")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// stdout parsed as the JSON array of `check --json`.
pub fn json(out: &Output) -> Vec<Value> {
    match serde_json::from_slice(&out.stdout) {
        Ok(Value::Array(rows)) => rows,
        other => panic!(
            "not a JSON array: {other:?}\nstdout: {}\nstderr: {}",
            stdout(out),
            stderr(out)
        ),
    }
}

/// The raw text of the `balance` field of the first row, to check digits exactly.
pub fn raw_balance(out: &Output) -> String {
    let text = stdout(out);
    let start = text.find("\"balance\": ").expect("a balance field") + "\"balance\": ".len();
    text[start..].split([',', '\n']).next().unwrap().to_owned()
}

/// `balance sandbox --port 0` as a child process, killed when dropped.
pub struct Sandbox {
    pub child: Child,
    pub base: String,
    pub snippet: String,
}

impl Sandbox {
    pub fn start(args: &[&str]) -> Sandbox {
        let mut child = Command::new(BIN)
            .args(["sandbox", "--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, rx) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                if tx.send(line.unwrap()).is_err() {
                    break;
                }
            }
        });
        // The snippet ends with the list of scenarios.
        let mut snippet = String::new();
        loop {
            let line = rx
                .recv_timeout(Duration::from_secs(10))
                .expect("the sandbox prints its config snippet");
            snippet.push_str(&line);
            snippet.push('\n');
            if line.starts_with("# Scenarios:") {
                break;
            }
        }
        let base = snippet
            .split_whitespace()
            .find(|w| w.starts_with("http://127.0.0.1:"))
            .expect("the snippet names the base URL")
            .trim_end_matches(':')
            .to_owned();
        Sandbox {
            child,
            base,
            snippet,
        }
    }

    /// Where `provider`'s emulator is mounted.
    pub fn url(&self, provider: &str) -> String {
        balance::sandbox::mount(&self.base, provider)
    }

    /// Ctrl-C, then what the process printed on stderr.
    pub fn interrupt(mut self) -> (std::process::ExitStatus, String) {
        // The shell's own `kill`: no extra package, no unsafe libc call.
        let status = Command::new("sh")
            .args(["-c", &format!("kill -INT {}", self.child.id())])
            .status()
            .unwrap();
        assert!(status.success());
        let mut err = String::new();
        std::io::Read::read_to_string(self.child.stderr.as_mut().unwrap(), &mut err).unwrap();
        let status = self.child.wait().unwrap();
        (status, err)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `check` settings for tests: short timeout (for `slow`), one retry (enough
/// for `rate-limited-once`).
pub const FAST: &str = "[settings]\ntimeout = 0.3\nretries = 1\n";

pub fn literal(s: Scenario) -> String {
    format!("\"{}\"", s.key())
}

/// Writes `config`, runs `check --json` and asserts that it is a config error
/// (exit 3) whose one profile's message contains `needle`.
pub fn assert_config_error(home: &Home, config: &str, needle: &str) {
    home.config(config);
    let out = home.run(&["check", "--json"]);
    assert_eq!(code(&out), 3, "{config}\n{}", stderr(&out));
    let message = json(&out)[0]["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        message.contains(needle),
        "{config}:\n  {message}\n  should contain {needle}"
    );
}

//! Secrets in the config: where they come from, and how they are resolved.
//!
//! A resolved secret is a `SecretString`: it has no `Display`, its `Debug` is
//! redacted, and it is only exposed where a request header or body is built.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tokio::io::AsyncReadExt;

/// How a secret value is written in the config file (SPEC §3).
#[derive(Clone)]
pub enum SecretSource {
    Literal(SecretString),
    Env(String),
    Command(Vec<String>),
    File(PathBuf),
}

/// What resolving a secret needs to know about the config file it came from.
#[derive(Debug, Clone)]
pub struct SecretEnv {
    pub config_path: PathBuf,
    /// The config file is readable by group or others.
    pub config_shared: bool,
}

const FORMS: &str =
    r#"a string, { env = "NAME" }, { command = ["prog", "arg"] } or { file = "/path" }"#;

impl SecretSource {
    /// Reads the TOML value of a secret key; `base_dir` anchors relative `file` paths.
    pub fn from_toml(value: &toml::Value, base_dir: &Path) -> Result<Self, String> {
        let table = match value {
            toml::Value::String(s) => {
                if let Some(name) = variable_name(s) {
                    return Err(format!(
                        "is the text \"{s}\": variables are not expanded in the config; \
                         to read the environment write {{ env = \"{name}\" }}"
                    ));
                }
                return Ok(SecretSource::Literal(s.clone().into()));
            }
            toml::Value::Table(t) => t,
            _ => return Err(format!("must be {FORMS}")),
        };
        let mut entries = table.iter();
        let (Some((form, v)), None) = (entries.next(), entries.next()) else {
            return Err(format!("must be {FORMS}"));
        };
        match (form.as_str(), v) {
            ("env", toml::Value::String(name)) if !name.is_empty() => {
                Ok(SecretSource::Env(name.clone()))
            }
            ("command", toml::Value::Array(argv)) => {
                let argv: Option<Vec<String>> =
                    argv.iter().map(|a| a.as_str().map(str::to_owned)).collect();
                match argv {
                    Some(argv) if !argv.is_empty() && !argv[0].is_empty() => {
                        Ok(SecretSource::Command(argv))
                    }
                    _ => Err("`command` must be a non-empty array of strings".into()),
                }
            }
            ("file", toml::Value::String(path)) if !path.is_empty() => {
                Ok(SecretSource::File(expand_path(path, base_dir)))
            }
            ("command", toml::Value::String(line)) => {
                let words: Vec<String> =
                    line.split_whitespace().map(|w| format!("{w:?}")).collect();
                Err(format!(
                    "`command` must be a list (it runs without a shell): command = [{}]",
                    words.join(", ")
                ))
            }
            ("env" | "file", _) => Err(format!("`{form}` must be a non-empty string")),
            (other, _) => Err(format!("unknown secret form `{other}`; must be {FORMS}")),
        }
    }

    /// Where the secret comes from, fit to print (never the value).
    pub fn describe(&self) -> String {
        match self {
            SecretSource::Literal(_) => "literal in config".into(),
            SecretSource::Env(name) => format!("env {name}"),
            SecretSource::Command(argv) => format!("command {}", argv[0]),
            SecretSource::File(path) => format!("file {}", path.display()),
        }
    }

    /// `timeout` bounds a `command`. Every form is trimmed the same way: see [`trimmed`].
    pub async fn resolve(
        &self,
        env: &SecretEnv,
        timeout: Duration,
    ) -> Result<SecretString, String> {
        let value = match self {
            SecretSource::Literal(value) => {
                if env.config_shared {
                    let path = env.config_path.display();
                    return Err(format!(
                        "{path} holds a literal secret but is readable by others: chmod 600 {path}"
                    ));
                }
                let Some(value) = trimmed(value.expose_secret()) else {
                    return Err(format!(
                        "{} holds an empty literal secret",
                        env.config_path.display()
                    ));
                };
                return Ok(value.to_owned().into());
            }
            SecretSource::Env(name) => match std::env::var(name) {
                Ok(v) => match trimmed(&v) {
                    Some(v) => v.to_owned(),
                    None => return Err(format!("environment variable {name} is empty")),
                },
                Err(std::env::VarError::NotPresent) => {
                    return Err(format!("environment variable {name} is not set"));
                }
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(format!("environment variable {name} is not valid UTF-8"));
                }
            },
            // Boxed: a child process's future is about 9 KiB, and held in
            // place it made every check's future that much larger (twice over
            // in a described vendor's), secret command or not.
            SecretSource::Command(argv) => Box::pin(run_command(argv, timeout)).await?,
            SecretSource::File(path) => {
                let file = crate::fsafe::read_capped(path, crate::fsafe::SMALL_CAP, true)
                    .map_err(|e| e.message("secret file", path))?;
                let text = String::from_utf8(file.bytes)
                    .map_err(|_| format!("secret file {} is not valid UTF-8", path.display()))?;
                match trimmed(&text) {
                    Some(text) => text.to_owned(),
                    None => return Err(format!("secret file {} is empty", path.display())),
                }
            }
        };
        Ok(value.into())
    }
}

impl fmt::Debug for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretSource({})", self.describe())
    }
}

/// The one trimming rule for every form: surrounding ASCII whitespace goes, so the
/// "\n" or "\r\n" that ends a file, a command's output or a pasted env var never
/// becomes part of a key. `None` when nothing is left.
fn trimmed(value: &str) -> Option<&str> {
    Some(value.trim_ascii()).filter(|v| !v.is_empty())
}

/// Secrets and token caches are small; a bigger file is a mistake, not a secret.
pub const FILE_CAP: usize = crate::fsafe::SMALL_CAP as usize;
/// How long a finished command's leftovers may keep its stdout open.
const DRAIN: Duration = Duration::from_millis(100);

/// Why a secret command gave no secret.
enum Failure {
    TimedOut,
    TooLong,
    Io(std::io::Error),
}

/// `NAME` when `text` is `$NAME` or `${NAME}`: a shell habit, never a real key.
fn variable_name(text: &str) -> Option<&str> {
    let name = text.trim().strip_prefix('$')?;
    let name = match name.strip_prefix('{') {
        Some(inner) => inner.strip_suffix('}')?,
        None => name,
    };
    let mut chars = name.chars();
    let first = chars.next()?;
    ((first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_'))
    .then_some(name)
}

/// Runs a secret command without a shell; its trimmed stdout is the secret.
///
/// It runs in its own process group, so that a timeout or a flood kills what it
/// started too (`sh -c 'helper & …'`), and its output is read while it runs, so a
/// chatty command fails as "too long" instead of blocking on a full pipe.
async fn run_command(argv: &[String], timeout: Duration) -> Result<String, String> {
    let program = &argv[0];
    let (mut child, mut group) = spawn_in_group(argv, Stdio::null(), Stdio::piped())
        .map_err(|e| format!("cannot run secret command `{program}`: {}", io_reason(&e)))?;
    let outcome = match child.stdout.take() {
        Some(stdout) => drive(&mut child, stdout, timeout).await,
        None => Err(Failure::Io(std::io::Error::other("no stdout"))),
    };
    let (status, out) = match outcome {
        Ok(done) => {
            // The leader is gone; what it left behind is not ours to kill.
            group.0 = None;
            done
        }
        Err(failure) => {
            group.kill();
            // SIGKILL cannot be ignored: reaping is immediate, the bound is a safety net.
            let _ = tokio::time::timeout(Duration::from_secs(1), child.wait()).await;
            return Err(match failure {
                Failure::TimedOut => format!(
                    "secret command `{program}` gave no answer within {}",
                    crate::fmt_duration(timeout)
                ),
                Failure::TooLong => {
                    format!("secret command `{program}`: output too long (over 64 KiB)")
                }
                Failure::Io(e) => format!("secret command `{program}` failed: {}", io_reason(&e)),
            });
        }
    };
    if !status.success() {
        return Err(format!("secret command `{program}` failed ({status})"));
    }
    let text = String::from_utf8(out)
        .map_err(|_| format!("secret command `{program}` printed non-UTF-8 output"))?;
    match trimmed(&text) {
        Some(text) => Ok(text.to_owned()),
        None => Err(format!("secret command `{program}` printed nothing")),
    }
}

/// Reads the child's stdout while waiting for it to exit, within `timeout`.
async fn drive(
    child: &mut tokio::process::Child,
    mut stdout: tokio::process::ChildStdout,
    timeout: Duration,
) -> Result<(std::process::ExitStatus, Vec<u8>), Failure> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut out = Vec::new();
    let mut eof = false;
    let status = loop {
        tokio::select! {
            read = read_some(&mut stdout, &mut out), if !eof => eof = read?,
            status = child.wait() => break status.map_err(Failure::Io)?,
            () = tokio::time::sleep_until(deadline) => return Err(Failure::TimedOut),
        }
    };
    // What the command wrote before exiting is in the pipe already; a background
    // grandchild holding the pipe open must not keep us waiting for EOF.
    if !eof {
        let drain = async {
            while !read_some(&mut stdout, &mut out).await? {}
            Ok(())
        };
        if let Ok(drained) = tokio::time::timeout(DRAIN, drain).await {
            drained?;
        }
    }
    Ok((status, out))
}

/// One read into `out`; `Ok(true)` at EOF. Refuses to grow `out` past the cap.
async fn read_some(
    stdout: &mut tokio::process::ChildStdout,
    out: &mut Vec<u8>,
) -> Result<bool, Failure> {
    let mut buf = [0u8; 8192];
    let n = stdout.read(&mut buf).await.map_err(Failure::Io)?;
    out.extend_from_slice(&buf[..n]);
    if out.len() > FILE_CAP {
        return Err(Failure::TooLong);
    }
    Ok(n == 0)
}

/// Starts `argv` without a shell in a process group of its own (so a timeout can
/// kill what it started too), killed on drop unless `forget`ed. Its stderr is
/// never shown: it may echo a secret or a passphrase prompt.
pub(crate) fn spawn_in_group(
    argv: &[String],
    stdin: Stdio,
    stdout: Stdio,
) -> std::io::Result<(tokio::process::Child, Group)> {
    crate::fsafe::check_program(&argv[0]).map_err(std::io::Error::other)?;
    let mut command = tokio::process::Command::new(&argv[0]);
    command
        .args(&argv[1..])
        .stdin(stdin)
        .stdout(stdout)
        .stderr(Stdio::null())
        .kill_on_drop(true);
    #[cfg(unix)]
    command.process_group(0);
    let child = command.spawn()?;
    let group = Group(child.id());
    Ok((child, group))
}

/// A command's process group, killed if the command is abandoned (a timeout,
/// a flood, or the whole check being dropped).
pub(crate) struct Group(Option<u32>);

impl Group {
    /// The leader exited on its own: what it left behind is not ours to kill.
    pub(crate) fn forget(&mut self) {
        self.0 = None;
    }

    fn kill(&mut self) {
        let Some(id) = self.0.take() else { return };
        #[cfg(unix)]
        if let Ok(pgid) = libc::pid_t::try_from(id)
            && pgid > 0
        {
            // SAFETY: killpg takes two integers and touches no memory. The group
            // exists: its leader is our unreaped child, or was reaped just now.
            unsafe {
                libc::killpg(pgid, libc::SIGKILL);
            }
        }
        #[cfg(not(unix))]
        let _ = id;
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `~/x` is the home directory's `x`; a relative path is relative to the config file.
pub fn expand_path(path: &str, base_dir: &Path) -> PathBuf {
    if let Some(rest) = path.strip_prefix("~/")
        && let Some(dirs) = directories::BaseDirs::new()
    {
        return dirs.home_dir().join(rest);
    }
    base_dir.join(path)
}

/// An io::Error's reason without the "(os error 2)" noise.
pub fn io_reason(e: &std::io::Error) -> String {
    crate::without_os_error(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECS5: Duration = Duration::from_secs(5);

    fn env() -> SecretEnv {
        SecretEnv {
            config_path: "/tmp/c.toml".into(),
            config_shared: false,
        }
    }

    fn parse(toml_text: &str) -> Result<SecretSource, String> {
        let v: toml::Table = toml::from_str(toml_text).unwrap();
        SecretSource::from_toml(&v["k"], Path::new("/etc/balance"))
    }

    #[test]
    fn parses_the_four_forms() {
        assert!(matches!(parse(r#"k = "x""#), Ok(SecretSource::Literal(_))));
        assert!(matches!(parse(r#"k = { env = "X" }"#), Ok(SecretSource::Env(n)) if n == "X"));
        assert!(
            matches!(parse(r#"k = { command = ["pass", "a"] }"#), Ok(SecretSource::Command(a)) if a.len() == 2)
        );
        assert!(
            matches!(parse(r#"k = { file = "key" }"#), Ok(SecretSource::File(p)) if p == Path::new("/etc/balance/key"))
        );
    }

    #[test]
    fn rejects_malformed_forms() {
        for bad in [
            "k = 3",
            "k = {}",
            r#"k = { envv = "X" }"#,
            r#"k = { env = "X", file = "y" }"#,
            "k = { command = [] }",
            "k = { command = [1] }",
            r#"k = { env = "" }"#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn debug_never_shows_a_literal() {
        let s = parse(r#"k = "hunter2-marker""#).unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[tokio::test]
    async fn command_output_loses_its_newline() {
        let s = SecretSource::Command(vec!["printf".into(), "abc\n".into()]);
        assert_eq!(
            s.resolve(&env(), SECS5).await.unwrap().expose_secret(),
            "abc"
        );
        let s = SecretSource::Command(vec!["false".into()]);
        assert!(s.resolve(&env(), SECS5).await.is_err());
    }

    #[tokio::test]
    async fn slow_command_times_out() {
        let s = SecretSource::Command(vec!["sleep".into(), "5".into()]);
        let err = s
            .resolve(&env(), Duration::from_millis(100))
            .await
            .unwrap_err();
        assert!(err.contains("no answer"), "{err}");
    }

    #[tokio::test]
    async fn literal_in_a_shared_file_is_refused() {
        let s = parse(r#"k = "x""#).unwrap();
        let mut e = env();
        e.config_shared = true;
        assert!(
            s.resolve(&e, SECS5)
                .await
                .unwrap_err()
                .contains("chmod 600 /tmp/c.toml")
        );
    }
}

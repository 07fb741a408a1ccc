//! Secrets in the config: where they come from, and how they are resolved.
//!
//! A resolved secret is a `SecretString`: it has no `Display`, its `Debug` is
//! redacted, and it is only exposed where a request header or body is built.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use secrecy::SecretString;
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
            toml::Value::String(s) => return Ok(SecretSource::Literal(s.clone().into())),
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

    /// `timeout` bounds a `command`.
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
                return Ok(value.clone());
            }
            SecretSource::Env(name) => match std::env::var(name) {
                Ok(v) if !v.is_empty() => v,
                Ok(_) => return Err(format!("environment variable {name} is empty")),
                Err(std::env::VarError::NotPresent) => {
                    return Err(format!("environment variable {name} is not set"));
                }
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(format!("environment variable {name} is not valid UTF-8"));
                }
            },
            SecretSource::Command(argv) => run_command(argv, timeout).await?,
            SecretSource::File(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    format!(
                        "cannot read secret file {}: {}",
                        path.display(),
                        io_reason(&e)
                    )
                })?;
                let text = text.trim();
                if text.is_empty() {
                    return Err(format!("secret file {} is empty", path.display()));
                }
                text.to_owned()
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

/// Runs a secret command without a shell; stdout minus its trailing newline is the secret.
async fn run_command(argv: &[String], timeout: Duration) -> Result<String, String> {
    let program = &argv[0];
    let mut child = tokio::process::Command::new(program)
        .args(&argv[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        // Its stderr may echo the secret or a passphrase prompt: never shown.
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run secret command `{program}`: {}", io_reason(&e)))?;
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let run = async {
        let mut out = Vec::new();
        // Capped: a secret is small, and a runaway command must not eat memory.
        (&mut stdout).take(64 * 1024).read_to_end(&mut out).await?;
        let status = child.wait().await?;
        Ok::<_, std::io::Error>((status, out))
    };
    let (status, out) = tokio::time::timeout(timeout, run)
        .await
        .map_err(|_| {
            format!(
                "secret command `{program}` gave no answer within {}",
                crate::fmt_duration(timeout)
            )
        })?
        .map_err(|e| format!("secret command `{program}` failed: {}", io_reason(&e)))?;
    if !status.success() {
        return Err(format!("secret command `{program}` failed ({status})"));
    }
    let text = String::from_utf8(out)
        .map_err(|_| format!("secret command `{program}` printed non-UTF-8 output"))?;
    let text = text.strip_suffix('\n').unwrap_or(&text);
    let text = text.strip_suffix('\r').unwrap_or(text);
    if text.is_empty() {
        return Err(format!("secret command `{program}` printed nothing"));
    }
    Ok(text.to_owned())
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
    use secrecy::ExposeSecret;

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

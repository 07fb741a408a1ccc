//! `balance config check`: every profile's keys and secrets resolved as `check`
//! would resolve them, without a request to any vendor. `balance profiles` runs
//! the same checks, short of running secret commands.

use std::path::Path;

use futures_util::StreamExt;
use secrecy::{ExposeSecret, SecretString};

use super::emit;
use crate::config::{AlertKind, Config, ProfileEntry, parse_webhook_url};
use crate::error::{AppError, Exit};
use crate::secret::SecretSource;

/// Whether `{ command = [...] }` secrets are run. `config check` runs them (a
/// command that fails is what it is there to find); `profiles` is a listing and
/// runs no program, so that it never prompts for a passphrase or touches a vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commands {
    Run,
    Skip,
}

/// What `check` would refuse in each profile before calling its vendor, in file
/// order, each message once per profile: the parse error of a broken profile, or
/// each secret that does not resolve. The words are `check`'s own.
pub fn problems(config: &Config, commands: Commands) -> Result<Vec<Vec<String>>, AppError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)?;
    let found = runtime.block_on(
        futures_util::stream::iter(&config.profiles)
            .map(|entry| profile_problems(config, entry, commands))
            .buffered(config.settings.concurrency)
            .collect(),
    );
    // A secret command abandoned at its timeout is killed on drop; nothing to await.
    runtime.shutdown_background();
    Ok(found)
}

async fn profile_problems(
    config: &Config,
    entry: &ProfileEntry,
    commands: Commands,
) -> Vec<String> {
    let profile = match &entry.profile {
        Ok(profile) => profile,
        Err(message) => return vec![message.clone()],
    };
    let timeout = profile.timeout.unwrap_or(config.settings.timeout);
    let mut found: Vec<String> = Vec::new();
    for (_, source) in &profile.secrets {
        if commands == Commands::Skip && matches!(source, SecretSource::Command(_)) {
            continue;
        }
        // The value itself is dropped at once: only whether it resolves matters.
        let resolved: Result<SecretString, String> =
            source.resolve(&config.secret_env, timeout).await;
        if let Err(message) = resolved
            && !found.contains(&message)
        {
            found.push(message);
        }
    }
    found
}

/// What `serve` and the alerts would refuse at start, beyond the profiles:
/// the serve token, the history store's place, each alert target. Offline:
/// secrets are resolved (commands run), nothing is sent.
async fn run_problems(config: &Config) -> Vec<String> {
    let mut found = Vec::new();
    let timeout = config.settings.timeout;
    if let Some(source) = &config.serve_token {
        let resolved: Result<SecretString, String> =
            source.resolve(&config.secret_env, timeout).await;
        if let Err(m) = resolved {
            found.push(format!("[settings] serve_token: {m}"));
        }
    }
    if let Some(path) = config.settings.history.path()
        && let Err(m) = history_usable(&path)
    {
        found.push(format!("[settings] history: {m}"));
    }
    for target in &config.alerts {
        let problem = match &target.kind {
            AlertKind::Webhook(source) => {
                let resolved: Result<SecretString, String> =
                    source.resolve(&config.secret_env, timeout).await;
                resolved.and_then(|url| {
                    crate::redact::register(&url);
                    parse_webhook_url(url.expose_secret()).map(drop)
                })
            }
            AlertKind::Command(argv) => executable(&argv[0]),
        };
        if let Err(m) = problem {
            found.push(format!("{}: {m}", target.describe()));
        }
    }
    found
}

/// Whether the store can be opened where it is configured, without creating
/// anything: an existing store must be a regular file; otherwise its nearest
/// existing directory must be one this user may write.
fn history_usable(path: &Path) -> Result<(), String> {
    let shown = path.display();
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => return Ok(()),
        Ok(_) => return Err(format!("{shown} is not a regular file")),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(format!("{shown}: {}", crate::secret::io_reason(&e)));
        }
        Err(_) => {}
    }
    let mut dir = path.parent();
    while let Some(d) = dir {
        let d = if d.as_os_str().is_empty() {
            Path::new(".")
        } else {
            d
        };
        match std::fs::metadata(d) {
            Ok(meta) if meta.is_dir() => {
                return if writable(d) {
                    Ok(())
                } else {
                    Err(format!(
                        "{shown} cannot be created: {} is not writable",
                        d.display()
                    ))
                };
            }
            Ok(_) => return Err(format!("{shown}: {} is not a directory", d.display())),
            Err(_) => dir = d.parent(),
        }
    }
    Err(format!("{shown}: no existing directory above it"))
}

#[cfg(unix)]
fn writable(dir: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: a valid NUL-terminated path; access(2) only reads it.
    unsafe { libc::access(c.as_ptr(), libc::W_OK | libc::X_OK) == 0 }
}

#[cfg(not(unix))]
fn writable(dir: &Path) -> bool {
    std::fs::metadata(dir).is_ok_and(|m| !m.permissions().readonly())
}

/// An alert command's program: a path that is an executable file, or a name
/// found as one on `PATH`.
fn executable(program: &str) -> Result<(), String> {
    let runs = |p: &Path| {
        std::fs::metadata(p).is_ok_and(|m| {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                m.is_file() && m.permissions().mode() & 0o111 != 0
            }
            #[cfg(not(unix))]
            {
                m.is_file()
            }
        })
    };
    if program.contains('/') {
        return if runs(Path::new(program)) {
            Ok(())
        } else {
            Err(format!("command `{program}` is not an executable file"))
        };
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    if std::env::split_paths(&path).any(|dir| runs(&dir.join(program))) {
        Ok(())
    } else {
        Err(format!("command `{program}` is not found on PATH"))
    }
}

/// One line per problem (`profile: message`, `[settings] …: message`,
/// `alert 2 (webhook): message`), or `N profiles ok`; exit 3 on any. Exit 0
/// means `check`, `serve` and the alerts would all start.
pub fn run(config: &Config) -> Result<u8, AppError> {
    if config.profiles.is_empty() {
        return Err(super::check::no_profiles(config));
    }
    let found = problems(config, Commands::Run)?;
    let mut out = String::new();
    let mut line = |text: String| {
        // Names and messages quote the user's config: one safe line each.
        out.push_str(&crate::text::gate(&text, 500));
        out.push('\n');
    };
    for (entry, messages) in config.profiles.iter().zip(&found) {
        for message in messages {
            line(format!("{}: {message}", entry.name));
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)?;
    let more = runtime.block_on(run_problems(config));
    runtime.shutdown_background();
    for message in more {
        line(message);
    }
    if out.is_empty() {
        let n = config.profiles.len();
        let mut out = format!("{n} profile{} ok", if n == 1 { "" } else { "s" });
        match config.alerts.len() {
            0 => {}
            1 => out.push_str(", 1 alert target ok"),
            a => out.push_str(&format!(", {a} alert targets ok")),
        }
        out.push('\n');
        emit(out.as_bytes())?;
        Ok(Exit::Ok.code())
    } else {
        emit(out.as_bytes())?;
        Ok(Exit::Config.code())
    }
}

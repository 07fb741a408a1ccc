//! `balance config check`: every profile's keys and secrets resolved as `check`
//! would resolve them, without a request to any vendor. `balance profiles` runs
//! the same checks, short of running secret commands.

use futures_util::StreamExt;
use secrecy::SecretString;

use super::emit;
use crate::config::{Config, ProfileEntry};
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

/// One line per problem (`profile: message`), or `N profiles ok`; exit 3 on any.
pub fn run(config: &Config) -> Result<u8, AppError> {
    if config.profiles.is_empty() {
        return Err(super::check::no_profiles(config));
    }
    let found = problems(config, Commands::Run)?;
    let mut out = String::new();
    for (entry, messages) in config.profiles.iter().zip(&found) {
        for message in messages {
            // The name and the message quote the user's config: one safe line each.
            out.push_str(&crate::text::gate(
                &format!("{}: {message}", entry.name),
                500,
            ));
            out.push('\n');
        }
    }
    if out.is_empty() {
        let n = config.profiles.len();
        out = format!("{n} profile{} ok\n", if n == 1 { "" } else { "s" });
        emit(out.as_bytes())?;
        Ok(Exit::Ok.code())
    } else {
        emit(out.as_bytes())?;
        Ok(Exit::Config.code())
    }
}

//! `balance init`: a commented starter config, so that an installed binary (no
//! clone, no config.example.toml) has a way in. Written at the path `check` reads
//! (`config::locate`), mode 0600, never over an existing file.

use std::io::Write;
use std::path::Path;

use super::emit;
use crate::config::{self, Settings};
use crate::error::{AppError, Exit};
use crate::kit::provider::BaseUrl;
use crate::providers::{self, REGISTRY};
use crate::sandbox::Scenario;

/// The provider whose profile the starter shows, commented out.
const EXAMPLE: &str = "infobip";

pub fn run(flag: Option<&Path>, stdout: bool) -> Result<u8, AppError> {
    let text = starter();
    if stdout {
        emit(text.as_bytes())?;
        return Ok(Exit::Ok.code());
    }
    let path = config::locate(flag)?;
    write_new(&path, &text)?;
    crate::log::line(format_args!(
        "wrote {}; add a profile, then `balance config check` and `balance check`",
        path.display()
    ));
    Ok(Exit::Ok.code())
}

/// Creates `path` (and its directory) with mode 0600; an existing file, or
/// anything else there, is left alone and is a config error (exit 3): the user's
/// config is never replaced by a starter.
fn write_new(path: &Path, text: &str) -> Result<(), AppError> {
    let shown = path.display();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(|e| {
            AppError::Config(format!(
                "cannot create {}: {}",
                dir.display(),
                crate::secret::io_reason(&e)
            ))
        })?;
    }
    let mut options = std::fs::OpenOptions::new();
    // create_new: O_EXCL, so neither a file nor a symlink there is ever followed
    // or truncated, even one that appears after a check.
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| {
        AppError::Config(if e.kind() == std::io::ErrorKind::AlreadyExists {
            format!(
                "{shown} already exists; not overwritten (edit it, or see the starter with \
                 `balance init --stdout`)"
            )
        } else {
            format!("cannot create {shown}: {}", crate::secret::io_reason(&e))
        })
    })?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| super::write_error(path, &e))
}

/// The starter: settings at their defaults, one example profile, one alert and
/// `serve`'s settings, all commented out, from the registry and the defaults;
/// `balance providers` has the rest.
pub fn starter() -> String {
    let defaults = Settings::default();
    let mut names: Vec<&str> = REGISTRY.iter().map(|p| p.name).collect();
    names.sort_unstable();
    let days = |d: std::time::Duration| d.as_secs() / 86_400;
    let mut out = format!(
        "# balance config: one [profiles.NAME] table per vendor account.\n\
         # Written by `balance init` ({}). Keep it private (mode 0600): it may hold secrets.\n\
         #\n\
         # {}\n\
         # `balance providers` lists each one's keys; `balance demo` shows what a run looks like.\n\
         # When a profile is in: `balance config check` (offline), then `balance check`.\n\
         \n\
         # [settings]            # optional; these are the defaults\n\
         # timeout = {}          # seconds per HTTP request\n\
         # retries = {}           # extra attempts after a 429, a 5xx or a network failure\n\
         # concurrency = {}       # profiles checked at once\n\
         #\n\
         # Every check is recorded, for `balance history` and its forecasts:\n\
         # history = \"~/.local/share/balance/history.sqlite3\"   # where; false: not at all\n\
         # history_days = {}     # older records are pruned\n\
         # forecast_window = \"{}d\"   # how far back a forecast reads\n\
         #\n\
         # `balance serve` checks every profile on its interval and serves /metrics,\n\
         # /api/v1/balances and a status page (loopback only unless --listen says otherwise):\n\
         # interval = \"{}m\"        # time between a profile's checks (a profile may set its own)\n\
         # serve_token = {{ env = \"BALANCE_SERVE_TOKEN\" }}   # then every page but /healthz needs it\n\
         \n",
        env!("CARGO_PKG_VERSION"),
        wrap(&format!("Providers: {}.", names.join(", ")), "# ", 88),
        defaults.timeout.as_secs(),
        defaults.retries,
        defaults.concurrency,
        defaults.history_days,
        days(defaults.forecast_window),
        defaults.interval.as_secs() / 60,
    );
    out.push_str(&format!("# An {EXAMPLE} account:\n"));
    for line in example_profile().lines() {
        out.push_str("# ");
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(
        "#\n\
         # A secret (api_key, password, ...) takes one of four forms:\n\
         #   api_key = { env = \"INFOBIP_API_KEY\" }                 # from the environment\n\
         #   api_key = { command = [\"pass\", \"show\", \"sms/infobip\"] } # a program's output, no shell\n\
         #   api_key = { file = \"~/.config/balance/infobip.key\" }  # a file's content\n\
         #   api_key = \"...\"                                       # literal: this file must stay 0600\n\
         \n\
         # Told when a profile turns LOW, fails or recovers (once per change, not every run);\n\
         # `balance alerts test` sends a test message. A webhook gets JSON with a `text` field\n\
         # (Slack-compatible); a command gets the message on stdin.\n\
         # [[alerts]]\n\
         # webhook = { env = \"SLACK_WEBHOOK_URL\" }\n\
         # [[alerts]]\n\
         # command = [\"mail\", \"-s\", \"balance alert\", \"ops@example.com\"]\n",
    );
    out
}

/// The example profile, uncommented: its keys as the sandbox writes them, with
/// the vendor's own URL and each secret read from the environment.
fn example_profile() -> String {
    let spec = providers::find(EXAMPLE).expect("the example provider is registered");
    let url = match spec.base_url {
        BaseUrl::Default(url) => url,
        _ => "https://api.example.com",
    };
    let env = format!("{{ env = \"{}_API_KEY\" }}", EXAMPLE.to_ascii_uppercase());
    let keys = spec
        .sandbox_profiles(url, Scenario::Healthy, &env)
        .into_iter()
        .next()
        .map(|(_, keys)| keys)
        .unwrap_or_default();
    format!(
        "[profiles.{EXAMPLE}]\nprovider = \"{EXAMPLE}\"\n{keys}\
         min_balance = 20        # optional: below it, status LOW and exit 9\n\
         min_days = 7            # optional: LOW too when the forecast says empty within 7 days\n\
         interval = \"15m\"        # optional: how often `balance serve` checks this one\n"
    )
}

/// `text` in lines of at most `width` characters, each after the first starting
/// with `prefix`.
fn wrap(text: &str, prefix: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && prefix.len() + line.len() + 1 + word.len() > width {
            out.push_str(&line);
            out.push('\n');
            out.push_str(prefix);
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_parses_and_so_does_its_example_uncommented() {
        let path = Path::new("/etc/balance/config.toml");
        let starter = starter();
        let config = config::parse(&starter, path, false).unwrap();
        assert!(config.profiles.is_empty(), "everything is commented out");
        assert_eq!(config.settings, Settings::default());

        let uncommented: String = starter
            .lines()
            .filter(|l| !l.starts_with("#   ") && *l != "#")
            .map(|l| l.strip_prefix("# ").unwrap_or(l))
            .filter(|l| l.starts_with('[') || l.contains(" = "))
            .collect::<Vec<_>>()
            .join("\n");
        let config = config::parse(&uncommented, path, false).unwrap();
        assert_eq!(config.profiles.len(), 1, "{uncommented}");
        let profile = config.profiles[0].profile.as_ref().unwrap();
        assert_eq!(profile.provider.name, EXAMPLE);
        assert_eq!(profile.secrets.len(), 1);
        assert!(starter.lines().all(|l| l.chars().count() <= 100));
    }
}

//! The TOML config: found, parsed, then validated into `Profile`s (SPEC §3).
//!
//! A problem with the file as a whole ends the run (exit 3). A problem with one
//! profile is kept with that profile, so the others are still checked.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rust_decimal::Decimal;

use crate::error::AppError;
use crate::kit::provider::ProviderSpec;
use crate::kit::{Adapter, keys, parse_base_url};
use crate::money::parse_user_amount;
use crate::providers;
use crate::secret::{SecretEnv, SecretSource};

/// Keys every profile accepts, whatever its provider.
pub const COMMON_KEYS: &[(&str, &str)] = &[
    (
        "provider",
        "the vendor adapter (required; see `balance providers`)",
    ),
    (
        "base_url",
        "API base URL; may carry a path prefix; http:// only for loopback",
    ),
    (
        "min_balance",
        "threshold: a balance below it is LOW (exit 9)",
    ),
    (
        "currency",
        "currency to report when the vendor's answer has none",
    ),
    ("timeout", "seconds per HTTP request, overriding [settings]"),
    (
        "min_days",
        "threshold: a forecast to run out within this many days is LOW (exit 9)",
    ),
    (
        "interval",
        "time between checks under `balance serve` (\"5m\", or seconds), overriding [settings]",
    ),
];
const SETTINGS_KEYS: &[&str] = &[
    "timeout",
    "retries",
    "concurrency",
    "history",
    "history_days",
    "forecast_window",
    "interval",
    "serve_token",
    "serve_hosts",
];

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub timeout: Duration,
    pub retries: u32,
    pub concurrency: usize,
    /// Where checks are recorded (SPEC §10).
    pub history: crate::history::Location,
    /// Records older than this many days are pruned.
    pub history_days: u32,
    /// How far back a forecast reads.
    pub forecast_window: Duration,
    /// Time between a profile's checks under `balance serve` (SPEC §11).
    pub interval: Duration,
    /// Host names `balance serve` answers to besides localhost and IP
    /// literals (a DNS-rebinding page comes under its own name).
    pub serve_hosts: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            timeout: Duration::from_secs(10),
            retries: 2,
            concurrency: 8,
            history: crate::history::Location::Default,
            history_days: 400,
            forecast_window: Duration::from_secs(14 * 86_400),
            interval: Duration::from_secs(300),
            serve_hosts: Vec::new(),
        }
    }
}

#[derive(Debug)]
pub struct Config {
    pub path: PathBuf,
    pub settings: Settings,
    /// In file order.
    pub profiles: Vec<ProfileEntry>,
    pub secret_env: SecretEnv,
    /// `[[alerts]]`: where state changes are sent (SPEC §12).
    pub alerts: Vec<crate::alerts::Target>,
    /// `[settings] serve_token`: the bearer token `balance serve` asks for. Kept
    /// out of `Settings`, which compares by value and a secret does not.
    pub serve_token: Option<SecretSource>,
}

/// One `[profiles.NAME]` table: its name and provider as written, and either a
/// validated profile or what is wrong with it.
#[derive(Debug)]
pub struct ProfileEntry {
    pub name: String,
    pub provider: String,
    pub profile: Result<Profile, String>,
}

#[derive(Debug)]
pub struct Profile {
    pub provider: &'static ProviderSpec,
    pub adapter: Box<dyn Adapter>,
    pub min_balance: Option<Decimal>,
    pub currency: Option<String>,
    pub timeout: Option<Duration>,
    /// Days: a forecast to run out sooner is LOW.
    pub min_days: Option<f64>,
    /// Time between checks under `balance serve`, overriding `[settings]`.
    pub interval: Option<Duration>,
    /// Every secret the profile reads, by key: described by `balance profiles`,
    /// resolved offline by `balance config check`.
    pub secrets: Vec<(String, SecretSource)>,
}

impl Config {
    pub fn entry(&self, name: &str) -> Option<&ProfileEntry> {
        self.profiles.iter().find(|p| p.name == name)
    }
}

/// `--config`, else `$BALANCE_CONFIG`, else `$XDG_CONFIG_HOME/balance/config.toml`,
/// else the platform's config dir.
pub fn locate(flag: Option<&Path>) -> Result<PathBuf, AppError> {
    if let Some(path) = flag {
        return Ok(path.to_owned());
    }
    let from_env = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(path) = from_env("BALANCE_CONFIG") {
        return Ok(path);
    }
    if let Some(dir) = from_env("XDG_CONFIG_HOME").filter(|p| p.is_absolute()) {
        return Ok(dir.join("balance").join("config.toml"));
    }
    directories::ProjectDirs::from("", "", "balance")
        .map(|dirs| dirs.config_dir().join("config.toml"))
        .ok_or_else(|| {
            AppError::Config("no config file: no home directory; pass --config FILE".into())
        })
}

pub fn load(path: &Path) -> Result<Config, AppError> {
    let shown = path.display();
    // One rule for every file (fsafe): a FIFO, a device or a huge file is refused
    // before any read, so neither `check` nor a SIGHUP under `serve` can hang on it.
    let file = crate::fsafe::read_capped(path, crate::fsafe::CONFIG_CAP, true).map_err(|e| {
        let crate::fsafe::FileError::Io(e) = e else {
            return AppError::Config(e.message("config file", path));
        };
        // An installed binary has no config.example.toml beside it: `init` is the way in.
        let hint = if e.kind() != std::io::ErrorKind::NotFound {
            String::new()
        } else if locate(None).is_ok_and(|default| default == path) {
            " (`balance init` writes a starter there; or pass --config FILE)".into()
        } else {
            format!(" (`balance init --config {shown}` writes a starter there)")
        };
        AppError::Config(format!(
            "cannot read config file {shown}: {}{hint}",
            crate::secret::io_reason(&e)
        ))
    })?;
    let text = String::from_utf8(file.bytes)
        .map_err(|_| AppError::Config(format!("config file {shown} is not valid UTF-8")))?;
    let config = parse(&text, path, shared(&file.meta))?;
    // Names are printed as written, whatever secret is a word inside one.
    for entry in &config.profiles {
        crate::redact::register_name(&entry.name);
        crate::redact::register_name(&entry.provider);
    }
    Ok(config)
}

/// Whether group or others may read the file (by the metadata of the file read).
#[cfg(unix)]
fn shared(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o077 != 0
}

#[cfg(not(unix))]
fn shared(_: &std::fs::Metadata) -> bool {
    false
}

/// `serve_hosts = ["status.example.com"]`: host names, as a browser would send
/// them in `Host` (a port is ignored).
fn serve_hosts(v: &toml::Value) -> Result<Vec<String>, String> {
    let bad = || "`serve_hosts` must be a list of host names".to_owned();
    let list = v.as_array().ok_or_else(bad)?;
    list.iter()
        .map(|h| {
            let h = h.as_str().ok_or_else(bad)?.trim();
            let name_chars = |c: char| c.is_ascii_alphanumeric() || "-.:[]".contains(c);
            if h.is_empty() || !h.chars().all(name_chars) {
                return Err(format!(
                    "`serve_hosts`: `{}` is not a host name",
                    crate::text::line(h)
                ));
            }
            Ok(h.to_owned())
        })
        .collect()
}

/// Parses config text; `shared` says whether the file is readable by group or others.
pub fn parse(text: &str, path: &Path, shared: bool) -> Result<Config, AppError> {
    let shown = path.display();
    let fail = |msg: String| AppError::Config(format!("{shown}: {msg}"));
    let mut doc: toml::Table = toml::from_str(text).map_err(|e| {
        let (line, col) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
        AppError::Config(format!(
            "{shown}: invalid TOML at line {line}, column {col}: {}",
            e.message().trim().replace('\n', " ")
        ))
    })?;

    let base_dir = path.parent().unwrap_or(Path::new(".")).to_owned();
    let mut serve_token = None;
    let settings = match doc.remove("settings") {
        None => Settings::default(),
        Some(toml::Value::Table(mut t)) => {
            if let Some(v) = t.remove("serve_token") {
                serve_token = Some(
                    SecretSource::from_toml(&v, &base_dir)
                        .map_err(|m| fail(format!("[settings]: `serve_token` {m}")))?,
                );
            }
            parse_settings(t).map_err(|m| fail(format!("[settings]: {m}")))?
        }
        Some(_) => return Err(fail("`settings` must be a table".into())),
    };
    let profiles = match doc.remove("profiles") {
        None => toml::Table::new(),
        Some(toml::Value::Table(t)) => t,
        Some(_) => return Err(fail("`profiles` must be a table of [profiles.NAME]".into())),
    };
    let alerts = match doc.remove("alerts") {
        None => Vec::new(),
        Some(v) => crate::alerts::parse(v, &base_dir).map_err(fail)?,
    };
    if let Some(key) = doc.keys().next() {
        return Err(fail(format!(
            "unknown top-level key `{key}` (expected `settings`, `profiles` or `alerts`)"
        )));
    }

    let mut entries = Vec::with_capacity(profiles.len());
    for (name, value) in profiles {
        if !valid_profile_name(&name) {
            return Err(fail(format!(
                "profile name `{name}` may hold only letters, digits, `_`, `.` and `-`"
            )));
        }
        let toml::Value::Table(table) = value else {
            return Err(fail(format!("profile `{name}` must be a table")));
        };
        let provider = table
            .get("provider")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_owned();
        let profile = parse_profile(&name, table, &base_dir);
        // The provider's own spelling once it is known (`Infobip` is `infobip`).
        let provider = match &profile {
            Ok(p) => p.provider.name.to_owned(),
            Err(_) => provider,
        };
        entries.push(ProfileEntry {
            name,
            provider,
            profile,
        });
    }
    Ok(Config {
        path: path.to_owned(),
        settings,
        profiles: entries,
        secret_env: SecretEnv {
            config_path: path.to_owned(),
            config_shared: shared,
        },
        alerts,
        serve_token,
    })
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn valid_profile_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

fn parse_settings(mut t: toml::Table) -> Result<Settings, String> {
    let mut s = Settings::default();
    if let Some(v) = t.remove("timeout") {
        s.timeout = seconds(&v).map_err(|m| format!("`timeout` {m}"))?;
    }
    if let Some(v) = t.remove("retries") {
        s.retries = int_in(&v, 0, 10).map_err(|m| format!("`retries` {m}"))? as u32;
    }
    if let Some(v) = t.remove("concurrency") {
        s.concurrency = int_in(&v, 1, 256).map_err(|m| format!("`concurrency` {m}"))? as usize;
    }
    if let Some(v) = t.remove("history") {
        s.history = match v {
            toml::Value::Boolean(false) => crate::history::Location::Off,
            toml::Value::Boolean(true) => crate::history::Location::Default,
            toml::Value::String(p) if !p.trim().is_empty() => {
                crate::history::Location::Path(expand_home(p.trim()))
            }
            _ => return Err("`history` must be a file path or false".into()),
        };
    }
    if let Some(v) = t.remove("serve_hosts") {
        s.serve_hosts = serve_hosts(&v)?;
    }
    if let Some(v) = t.remove("history_days") {
        s.history_days = int_in(&v, 1, 100_000).map_err(|m| format!("`history_days` {m}"))? as u32;
    }
    if let Some(v) = t.remove("forecast_window") {
        s.forecast_window = match &v {
            toml::Value::String(text) => humantime::parse_duration(text.trim())
                .ok()
                .filter(|d| *d >= Duration::from_secs(3600)),
            _ => None,
        }
        .ok_or("`forecast_window` must be a duration of at least 1h, such as \"14d\"")?;
    }
    if let Some(v) = t.remove("interval") {
        s.interval = interval(&v).map_err(|m| format!("`interval` {m}"))?;
    }
    if let Some(key) = t.keys().next() {
        return Err(format!(
            "unknown key `{key}` (accepted: {})",
            SETTINGS_KEYS.join(", ")
        ));
    }
    Ok(s)
}

fn int_in(v: &toml::Value, min: i64, max: i64) -> Result<i64, String> {
    match v.as_integer() {
        Some(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("must be a whole number from {min} to {max}")),
    }
}

/// `~/…` as a shell would read it; other paths as written.
fn expand_home(path: &str) -> PathBuf {
    match path.strip_prefix("~/") {
        Some(rest) => match directories::BaseDirs::new() {
            Some(dirs) => dirs.home_dir().join(rest),
            None => PathBuf::from(path),
        },
        None => PathBuf::from(path),
    }
}

/// A timeout in seconds: a positive number up to a day.
fn seconds(v: &toml::Value) -> Result<Duration, String> {
    let secs = match v {
        toml::Value::Integer(n) => *n as f64,
        toml::Value::Float(f) => *f,
        _ => f64::NAN,
    };
    parse_seconds(secs)
}

pub fn parse_seconds(secs: f64) -> Result<Duration, String> {
    if secs > 0.0 && secs <= 86_400.0 {
        Ok(Duration::from_secs_f64(secs))
    } else {
        Err("must be a number of seconds above 0 and at most 86400".into())
    }
}

fn parse_profile(name: &str, mut table: toml::Table, base_dir: &Path) -> Result<Profile, String> {
    let provider_name = match table.remove("provider") {
        Some(toml::Value::String(s)) => s,
        Some(_) => return Err("`provider` must be a string".into()),
        None => {
            return Err(format!(
                "`provider` is required (one of: {})",
                providers::names()
            ));
        }
    };
    let provider = providers::find(&provider_name)
        .or_else(|| {
            // `Infobip`, `TWILIO`: the name is meant, whatever its case.
            providers::REGISTRY
                .iter()
                .copied()
                .find(|p| p.name.eq_ignore_ascii_case(&provider_name))
        })
        .ok_or_else(|| {
            let near = keys::suggest(
                &provider_name.to_ascii_lowercase(),
                providers::REGISTRY.iter().map(|p| p.name),
            );
            let hint = near.map_or(String::new(), |n| format!(": did you mean `{n}`?"));
            format!(
                "unknown provider `{provider_name}`{hint} (supported: {})",
                providers::names()
            )
        })?;

    let base_url = match table.remove("base_url") {
        None => None,
        Some(toml::Value::String(s)) => {
            Some(parse_base_url(&s).map_err(|m| format!("`base_url` {m}"))?)
        }
        Some(_) => return Err("`base_url` must be a string".into()),
    };
    let min_balance = match table.remove("min_balance") {
        None => None,
        Some(v) => Some(amount(&v).map_err(|m| format!("`min_balance` {m}"))?),
    };
    let currency = match table.remove("currency") {
        None => None,
        Some(toml::Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(_) => return Err("`currency` must be a non-empty string such as \"EUR\"".into()),
    };
    let timeout = match table.remove("timeout") {
        None => None,
        Some(v) => Some(seconds(&v).map_err(|m| format!("`timeout` {m}"))?),
    };
    let min_days = match table.remove("min_days") {
        None => None,
        Some(v) => Some(days(&v).map_err(|m| format!("`min_days` {m}"))?),
    };
    let interval = match table.remove("interval") {
        None => None,
        Some(v) => Some(self::interval(&v).map_err(|m| format!("`interval` {m}"))?),
    };
    let common: Vec<&str> = COMMON_KEYS.iter().map(|(k, _)| *k).collect();
    let mut common_set = vec!["provider"];
    if base_url.is_some() {
        common_set.push("base_url");
    }
    let who = format!("in profile `{name}`");
    let cx = keys::Context {
        common: &common,
        common_set: &common_set,
        who: &who,
        base_dir,
    };
    let values = keys::read(provider.keys, provider.rules, &table, &cx)?;
    let mut secrets = values.secrets();
    let adapter = provider.adapter(values, base_url)?;
    for (key, source) in adapter.secrets() {
        if !secrets.iter().any(|(k, _)| *k == key) {
            secrets.push((key, source));
        }
    }
    Ok(Profile {
        provider,
        adapter,
        min_balance,
        currency,
        timeout,
        min_days,
        interval,
        secrets,
    })
}

/// Time between checks: a duration such as `"5m"` or a number of seconds,
/// from 1 second to a day.
fn interval(v: &toml::Value) -> Result<Duration, String> {
    let d = match v {
        toml::Value::String(text) => humantime::parse_duration(text.trim()).ok(),
        toml::Value::Integer(n) => u64::try_from(*n).ok().map(Duration::from_secs),
        toml::Value::Float(f) if f.is_finite() && *f >= 0.0 && *f <= 86_400.0 => {
            Some(Duration::from_secs_f64(*f))
        }
        _ => None,
    };
    parse_interval(d)
}

/// The one range an interval may take, in the config and on `--interval`.
pub fn parse_interval(d: Option<Duration>) -> Result<Duration, String> {
    d.filter(|d| (Duration::from_secs(1)..=Duration::from_secs(86_400)).contains(d))
        .ok_or_else(|| "must be a duration from 1s to 1d, such as \"5m\"".to_owned())
}

/// A number of days, such as `min_days = 7` or `2.5`.
fn days(v: &toml::Value) -> Result<f64, String> {
    let n = match v {
        toml::Value::Integer(n) => *n as f64,
        toml::Value::Float(f) => *f,
        _ => f64::NAN,
    };
    parse_days(n)
}

pub fn parse_days(n: f64) -> Result<f64, String> {
    if n > 0.0 && n <= 36_500.0 {
        Ok(n)
    } else {
        Err("must be a number of days above 0 and at most 36500".into())
    }
}

/// A threshold: an integer, a float (read back through its shortest text, so
/// `20.1` is 20.1), or a string such as `"20.50"`.
fn amount(v: &toml::Value) -> Result<Decimal, String> {
    match v {
        toml::Value::Integer(n) => Ok(Decimal::from(*n)),
        toml::Value::Float(f) if f.is_finite() => parse_user_amount(&f.to_string()),
        toml::Value::String(s) => parse_user_amount(s),
        _ => Err("must be a number".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Config, AppError> {
        parse(text, Path::new("/etc/balance/config.toml"), false)
    }

    fn profile_err(text: &str) -> String {
        let config = parse_str(text).unwrap();
        config.profiles[0].profile.as_ref().unwrap_err().clone()
    }

    #[test]
    fn defaults_and_settings() {
        let c = parse_str("").unwrap();
        assert_eq!(c.settings, Settings::default());
        let c = parse_str("[settings]\ntimeout = 2.5\nretries = 0\nconcurrency = 3\n").unwrap();
        assert_eq!(c.settings.timeout, Duration::from_millis(2500));
        assert_eq!((c.settings.retries, c.settings.concurrency), (0, 3));
    }

    #[test]
    fn serve_hosts_are_host_names() {
        let c = parse_str("[settings]\nserve_hosts = [\"status.example.com\", \"[fd00::1]\"]\n")
            .unwrap();
        assert_eq!(c.settings.serve_hosts, ["status.example.com", "[fd00::1]"]);
        for bad in ["\"x\"", "[1]", "[\"a b\"]", "[\"\"]"] {
            assert!(
                parse_str(&format!("[settings]\nserve_hosts = {bad}\n")).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn history_settings() {
        use crate::history::Location;
        let c = parse_str("[settings]\nhistory = false\n").unwrap();
        assert_eq!(c.settings.history, Location::Off);
        let c = parse_str(
            "[settings]\nhistory = \"/var/lib/balance/h.sqlite3\"\nhistory_days = 30\nforecast_window = \"3d 12h\"\n",
        )
        .unwrap();
        assert_eq!(
            c.settings.history,
            Location::Path("/var/lib/balance/h.sqlite3".into())
        );
        assert_eq!(c.settings.history_days, 30);
        assert_eq!(c.settings.forecast_window, Duration::from_secs(84 * 3600));
        for text in [
            "history = 3",
            "history = \"\"",
            "history_days = 0",
            "forecast_window = \"soon\"",
            "forecast_window = 14",
            "forecast_window = \"5m\"",
        ] {
            let err = parse_str(&format!("[settings]\n{text}\n"))
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(text.split(' ').next().unwrap()),
                "{text}: {err}"
            );
        }
        let ok = "[profiles.a]\nprovider = \"infobip\"\napi_key = \"k\"\n";
        let c = parse_str(&format!("{ok}min_days = 7\n")).unwrap();
        assert_eq!(c.profiles[0].profile.as_ref().unwrap().min_days, Some(7.0));
        let err = profile_err(&format!("{ok}min_days = 0\n"));
        assert!(err.contains("`min_days`"), "{err}");
    }

    #[test]
    fn intervals_and_serve_token() {
        let c = parse_str("").unwrap();
        assert_eq!(c.settings.interval, Duration::from_secs(300));
        assert!(c.serve_token.is_none());
        let c = parse_str(
            "[settings]\ninterval = \"2m\"\nserve_token = { env = \"T\" }\n\
             [profiles.a]\nprovider = \"infobip\"\napi_key = \"k\"\ninterval = 30\n",
        )
        .unwrap();
        assert_eq!(c.settings.interval, Duration::from_secs(120));
        assert!(c.serve_token.is_some());
        let p = c.profiles[0].profile.as_ref().unwrap();
        assert_eq!(p.interval, Some(Duration::from_secs(30)));
        for bad in ["0", "\"0s\"", "\"2d\"", "\"soon\"", "true"] {
            let err = parse_str(&format!("[settings]\ninterval = {bad}\n"))
                .unwrap_err()
                .to_string();
            assert!(err.contains("`interval`"), "{bad}: {err}");
        }
        let err = parse_str("[settings]\nserve_token = 3\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("`serve_token`"), "{err}");
    }

    #[test]
    fn bad_settings_fail_the_file() {
        for (text, needle) in [
            ("[settings]\ntimeot = 3", "unknown key `timeot`"),
            ("[settings]\ntimeout = 0", "`timeout`"),
            ("[settings]\ntimeout = -1", "`timeout`"),
            ("[settings]\nconcurrency = 0", "`concurrency`"),
            ("[settings]\nretries = 99", "`retries`"),
            ("other = 1", "unknown top-level key `other`"),
        ] {
            let err = parse_str(text).unwrap_err().to_string();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn invalid_toml_names_line_and_column() {
        let err = parse_str("[profiles.a]\nprovider = \n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("/etc/balance/config.toml: invalid TOML at line 2, column "),
            "{err}"
        );
        assert!(!err.contains('\n'), "one line: {err}");
    }

    #[test]
    fn profiles_keep_file_order() {
        let c = parse_str(
            "[profiles.zeta]\nprovider = \"infobip\"\napi_key = \"k\"\n\
             [profiles.alpha]\nprovider = \"infobip\"\napi_key = \"k\"\n",
        )
        .unwrap();
        let names: Vec<_> = c.profiles.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["zeta", "alpha"]);
    }

    #[test]
    fn misspelt_keys_are_named() {
        let err = profile_err("[profiles.a]\nprovider = \"infobip\"\napi_kye = \"k\"\n");
        assert!(
            err.contains("unknown key `api_kye` in profile `a`"),
            "{err}"
        );
        assert!(err.contains("api_key"), "lists accepted keys: {err}");
        let err =
            profile_err("[profiles.a]\nprovider = \"infobip\"\napi_key = \"k\"\nmin_balanse = 3\n");
        assert!(err.contains("unknown key `min_balanse`"), "{err}");
    }

    #[test]
    fn bad_profile_names_fail_the_file() {
        let err = parse_str("[profiles.\"a b\"]\nprovider = \"infobip\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("profile name `a b`"), "{err}");
    }

    #[test]
    fn unknown_provider_is_a_profile_error() {
        let err = profile_err("[profiles.a]\nprovider = \"nope\"\n");
        assert!(
            err.contains("unknown provider `nope`") && err.contains("infobip"),
            "{err}"
        );
    }

    #[test]
    fn base_url_rules() {
        assert!(parse_base_url("https://proxy.example/frontier").is_ok());
        assert!(parse_base_url("http://127.0.0.1:8080").is_ok());
        assert!(parse_base_url("http://127.1.2.3").is_ok());
        assert!(parse_base_url("http://[::1]:9000/x").is_ok());
        assert!(parse_base_url("http://localhost:1").is_ok());
        for bad in [
            "http://example.com",
            "http://10.0.0.1",
            "ftp://example.com",
            "https://user:pw@example.com",
            "https://example.com/?a=b",
            "not a url",
        ] {
            assert!(parse_base_url(bad).is_err(), "{bad}");
        }
        let err = parse_base_url("http://sms.example.com").unwrap_err();
        assert!(err.contains("loopback"), "{err}");
    }

    #[test]
    fn thresholds_are_exact() {
        let v: toml::Table = toml::from_str("a = 20\nb = 20.1\nc = \"20.50\"\nd = true").unwrap();
        assert_eq!(amount(&v["a"]).unwrap().to_string(), "20");
        assert_eq!(amount(&v["b"]).unwrap().to_string(), "20.1");
        assert_eq!(amount(&v["c"]).unwrap().to_string(), "20.50");
        assert!(amount(&v["d"]).is_err());
    }
}

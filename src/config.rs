//! The TOML config: found, parsed, then validated into `Profile`s (SPEC §3).
//!
//! A problem with the file as a whole ends the run (exit 3). A problem with one
//! profile is kept with that profile, so the others are still checked.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rust_decimal::Decimal;

use crate::error::AppError;
use crate::kit::Selection;
use crate::kit::engine::Subaccounts;
use crate::kit::keys::{self, KeySpec};
use crate::kit::provider::ProviderSpec;
use crate::kit::{Adapter, parse_base_url};
use crate::money::parse_user_amount;
use crate::providers;
use crate::secret::{SecretEnv, SecretSource};

/// A key every profile takes, described as a provider's keys are (its good and
/// bad values are data the tests run), and how it lands in [`Common`].
pub struct CommonKey {
    pub spec: KeySpec,
    parse: fn(&toml::Value, &mut Common) -> Result<(), String>,
}

/// The common keys' values of one profile.
#[derive(Default)]
struct Common {
    base_url: Option<url::Url>,
    min_balance: Option<Decimal>,
    currency: Option<String>,
    timeout: Option<Duration>,
    min_days: Option<f64>,
    interval: Option<Duration>,
}

/// Keys every profile accepts, whatever its provider. `provider` is read first
/// (it decides the rest); the others in this order.
pub const COMMON_KEYS: &[CommonKey] = &[
    CommonKey {
        spec: KeySpec::text(
            "provider",
            "the vendor adapter (required; see `balance providers`)",
        )
        .required()
        .example("infobip"),
        parse: |_, _| Ok(()),
    },
    CommonKey {
        spec: KeySpec::toml(
            "base_url",
            "API base URL; may carry a path prefix; http:// only for loopback",
        )
        .cases(
            &[
                "\"https://proxy.example/frontier\"",
                "\"http://127.0.0.1:8080\"",
            ],
            &["\"http://example.com\"", "\"https://u:p@example.com\"", "3"],
        ),
        parse: |v, c| {
            let toml::Value::String(s) = v else {
                return Err("must be a string".into());
            };
            c.base_url = Some(parse_base_url(s)?);
            Ok(())
        },
    },
    CommonKey {
        spec: KeySpec::toml(
            "min_balance",
            "threshold: a balance below it is LOW (exit 9)",
        )
        .cases(&["20", "20.5", "\"20.50\""], &["true", "\"lots\""]),
        parse: |v, c| {
            c.min_balance = Some(amount(v)?);
            Ok(())
        },
    },
    CommonKey {
        spec: KeySpec::toml(
            "currency",
            "currency to report when the vendor's answer has none",
        )
        .cases(&["\"EUR\""], &["\"\"", "3"]),
        parse: |v, c| match v {
            toml::Value::String(s) if !s.trim().is_empty() => {
                c.currency = Some(s.trim().to_owned());
                Ok(())
            }
            _ => Err("must be a non-empty string such as \"EUR\"".into()),
        },
    },
    CommonKey {
        spec: KeySpec::toml("timeout", "seconds per HTTP request, overriding [settings]")
            .cases(&["5", "2.5"], &["0", "-1", "\"5s\""]),
        parse: |v, c| {
            c.timeout = Some(seconds(v)?);
            Ok(())
        },
    },
    CommonKey {
        spec: KeySpec::toml(
            "min_days",
            "threshold: a forecast to run out within this many days is LOW (exit 9)",
        )
        .cases(&["7", "2.5"], &["0", "\"7\""]),
        parse: |v, c| {
            c.min_days = Some(days(v)?);
            Ok(())
        },
    },
    CommonKey {
        spec: KeySpec::toml(
            "interval",
            "time between checks under `balance serve` (\"5m\", or seconds), overriding [settings]",
        )
        .cases(&["\"5m\"", "30"], &["0", "\"2d\"", "\"soon\""]),
        parse: |v, c| {
            c.interval = Some(interval(v)?);
            Ok(())
        },
    },
];

/// One `[settings]` key: described once, with its good and bad values as data.
pub struct SettingKey {
    pub spec: KeySpec,
    parse: fn(&toml::Value, &mut Settings) -> Result<(), String>,
}

/// `[settings]`, in the order the docs list it.
pub const SETTINGS_KEYS: &[SettingKey] = &[
    SettingKey {
        spec: KeySpec::toml("timeout", "seconds per HTTP request (default 10)")
            .cases(&["10", "2.5"], &["0", "-1", "86401", "\"10s\""]),
        parse: |v, s| {
            s.timeout = seconds(v)?;
            Ok(())
        },
    },
    SettingKey {
        spec: KeySpec::toml(
            "retries",
            "extra attempts after a 429, a 5xx or a network failure (default 2)",
        )
        .cases(&["0", "10"], &["-1", "11", "\"2\""]),
        parse: |v, s| {
            s.retries = int_in(v, 0, 10)? as u32;
            Ok(())
        },
    },
    SettingKey {
        spec: KeySpec::toml("concurrency", "profiles in flight at once (default 8)")
            .cases(&["1", "256"], &["0", "257"]),
        parse: |v, s| {
            s.concurrency = int_in(v, 1, 256)? as usize;
            Ok(())
        },
    },
    SettingKey {
        spec: KeySpec::toml(
            "history",
            "the history store's file, or false for none (default: the data dir)",
        )
        .cases(&["\"/var/lib/balance/h.sqlite3\"", "false", "true"], &["3", "\"\""]),
        parse: |v, s| {
            s.history = match v {
                toml::Value::Boolean(false) => HistoryLocation::Off,
                toml::Value::Boolean(true) => HistoryLocation::Default,
                toml::Value::String(p) if !p.trim().is_empty() => {
                    HistoryLocation::Path(expand_home(p.trim()))
                }
                _ => return Err("must be a file path or false".into()),
            };
            Ok(())
        },
    },
    SettingKey {
        spec: KeySpec::toml("history_days", "records older than this are pruned (default 400)")
            .cases(&["30", "100000"], &["0", "100001"]),
        parse: |v, s| {
            s.history_days = int_in(v, 1, 100_000)? as u32;
            Ok(())
        },
    },
    SettingKey {
        spec: KeySpec::toml(
            "forecast_window",
            "how far back a forecast reads (default \"14d\")",
        )
        .cases(&["\"14d\"", "\"3d 12h\"", "\"1h\""], &["\"soon\"", "14", "\"5m\""]),
        parse: |v, s| {
            s.forecast_window = match v {
                toml::Value::String(text) => humantime::parse_duration(text.trim())
                    .ok()
                    .filter(|d| *d >= Duration::from_secs(3600)),
                _ => None,
            }
            .ok_or("must be a duration of at least 1h, such as \"14d\"")?;
            Ok(())
        },
    },
    SettingKey {
        spec: KeySpec::toml(
            "interval",
            "time between a profile's checks under `balance serve` (default \"5m\")",
        )
        .cases(&["\"2m\"", "30", "86400"], &["0", "\"0s\"", "\"2d\"", "\"soon\"", "true"]),
        parse: |v, s| {
            s.interval = interval(v)?;
            Ok(())
        },
    },
    SettingKey {
        spec: KeySpec::secret(
            "serve_token",
            "the token `balance serve` asks for (Bearer, or the password of HTTP Basic)",
        )
        .cases(&["\"t0ken\"", "{ env = \"T\" }"], &["3", "{ nope = 1 }"]),
        // Read into `Config::serve_token`, kept out of `Settings`.
        parse: |_, _| Ok(()),
    },
    SettingKey {
        spec: KeySpec::toml(
            "serve_hosts",
            "more host names `balance serve` answers to in the Host header, beside its address and loopback",
        )
        .cases(
            &["[]", "[\"balance.example.com\", \"10.0.0.5\"]"],
            &["\"balance.example.com\"", "[\"http://x\"]", "[\"a:80\"]", "[3]"],
        ),
        parse: |v, s| {
            s.serve_hosts = host_names(v)?;
            Ok(())
        },
    },
    SettingKey {
        spec: KeySpec::toml(
            "alert_timeout",
            "the budget for delivering a run's alerts, all targets at once (default \"5s\")",
        )
        .cases(&["\"5s\"", "2", "\"1m\""], &["0", "\"0s\"", "\"11m\"", "\"soon\""]),
        parse: |v, s| {
            s.alert_timeout = match v {
                toml::Value::String(text) => humantime::parse_duration(text.trim()).ok(),
                toml::Value::Integer(n) => u64::try_from(*n).ok().map(Duration::from_secs),
                _ => None,
            }
            .filter(|d| (Duration::from_secs(1)..=Duration::from_secs(600)).contains(d))
            .ok_or("must be a duration from 1s to 10m, such as \"5s\"")?;
            Ok(())
        },
    },
];

/// Host names as the Host header carries them, without a port.
fn host_names(v: &toml::Value) -> Result<Vec<String>, String> {
    const HOW: &str = "must be a list of host names such as [\"balance.example.com\"]";
    let toml::Value::Array(items) = v else {
        return Err(HOW.into());
    };
    items
        .iter()
        .map(|item| {
            let name = item.as_str().map(str::trim).ok_or(HOW)?;
            let port = name.rsplit_once(']').map_or(name, |(_, rest)| rest);
            if name.is_empty() || port.contains(':') || url::Host::parse(name).is_err() {
                return Err(format!(
                    "{HOW}; `{}` is not one (no scheme, port or path)",
                    crate::text::clean(name, 60)
                ));
            }
            Ok(name.to_ascii_lowercase())
        })
        .collect()
}

/// `[settings] history`: where the store lives, or that there is none.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum HistoryLocation {
    /// `$XDG_DATA_HOME/balance/history.sqlite3`, else the platform data dir.
    #[default]
    Default,
    Path(PathBuf),
    Off,
}

impl HistoryLocation {
    /// The store's file; `None` when history is off or there is no home to put it in.
    pub fn path(&self) -> Option<PathBuf> {
        match self {
            HistoryLocation::Off => None,
            HistoryLocation::Path(p) => Some(p.clone()),
            HistoryLocation::Default => default_history_path(),
        }
    }
}

pub fn default_history_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
    {
        return Some(dir.join("balance").join("history.sqlite3"));
    }
    directories::ProjectDirs::from("", "", "balance").map(|d| d.data_dir().join("history.sqlite3"))
}

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub timeout: Duration,
    pub retries: u32,
    pub concurrency: usize,
    /// Where checks are recorded (SPEC §10).
    pub history: HistoryLocation,
    /// Records older than this many days are pruned.
    pub history_days: u32,
    /// How far back a forecast reads.
    pub forecast_window: Duration,
    /// Time between a profile's checks under `balance serve` (SPEC §11).
    pub interval: Duration,
    /// Host names `balance serve` accepts in the Host header besides its own
    /// address and loopback names, lowercase.
    pub serve_hosts: Vec<String>,
    /// The whole budget for delivering one run's alerts (SPEC §12).
    pub alert_timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            timeout: Duration::from_secs(10),
            retries: 2,
            concurrency: 8,
            history: HistoryLocation::Default,
            history_days: 400,
            forecast_window: Duration::from_secs(14 * 86_400),
            interval: Duration::from_secs(300),
            serve_hosts: Vec::new(),
            alert_timeout: DEFAULT_ALERT_TIMEOUT,
        }
    }
}

/// A few seconds: enough for a webhook on a sane network to answer with its
/// retries, short enough that a cron run never hangs on one that does not.
pub const DEFAULT_ALERT_TIMEOUT: Duration = Duration::from_secs(5);

/// One `[[alerts]]` entry (SPEC §12).
#[derive(Debug, Clone)]
pub struct AlertTarget {
    /// Its place in the file, from 1: names it when it has no `name`.
    pub index: usize,
    pub name: Option<String>,
    pub kind: AlertKind,
    /// Send again while a profile stays not-OK, this often.
    pub repeat: Option<Duration>,
    /// A threshold of the alert's own: a profile is LOW for this target only
    /// below it, so a second entry with a lower `below` escalates.
    pub below: Option<Decimal>,
}

#[derive(Debug, Clone)]
pub enum AlertKind {
    /// POST JSON with a Slack-compatible `text`; the URL is a secret.
    Webhook(SecretSource),
    /// Run without a shell, the message on stdin.
    Command(Vec<String>),
}

impl AlertKind {
    pub fn word(&self) -> &'static str {
        match self {
            AlertKind::Webhook(_) => "webhook",
            AlertKind::Command(_) => "command",
        }
    }
}

impl AlertTarget {
    /// How messages name it: `alert "ops" (webhook)` or `alert 2 (command)`;
    /// never the webhook's URL.
    pub fn describe(&self) -> String {
        match &self.name {
            Some(name) => format!("alert \"{name}\" ({})", self.kind.word()),
            None => format!("alert {} ({})", self.index, self.kind.word()),
        }
    }

    /// What the store keys its alert state by: the name, else the place.
    pub fn key(&self) -> String {
        match &self.name {
            Some(name) => format!("name:{name}"),
            None => format!("index:{}", self.index),
        }
    }
}

/// The keys of an `[[alerts]]` entry.
pub const ALERT_KEYS: &[KeySpec] = &[
    KeySpec::text(
        "name",
        "how warnings name this alert (else its place: \"alert 2\"); keeps its state when entries move",
    )
    .check(alert_name, "ops-slack")
    .cases(&["ops", "team.sms_1"], &["two words", "x/y"]),
    KeySpec::secret(
        "webhook",
        "URL to POST the JSON message to (a secret: query string included); https, or http on loopback",
    ),
    KeySpec::toml(
        "command",
        "program and arguments, run without a shell, the message on stdin",
    )
    .cases(&["[\"mail\", \"-s\", \"x\", \"ops@example.com\"]"], &["\"mail x\"", "[]", "[3]"]),
    KeySpec::toml(
        "repeat",
        "send again this often while a profile stays LOW or failing (\"24h\"); default: on changes only",
    )
    .cases(&["\"24h\"", "\"30m\""], &["\"0s\"", "24", "\"soon\"", "\"30s\""]),
    KeySpec::toml(
        "below",
        "this alert's own threshold: LOW for it only below this amount (escalation: a second entry with a lower one)",
    )
    .cases(&["3", "2.5", "\"3.00\""], &["true", "\"x\""]),
];

const ALERT_RULES: &[keys::Rule] = &[keys::Rule::OneOf(&[&["webhook"], &["command"]])];

fn alert_name(name: &str) -> Result<(), String> {
    if valid_profile_name(name) {
        Ok(())
    } else {
        Err("may hold only letters, digits, `_`, `.` and `-`".into())
    }
}

fn alert_command(v: &toml::Value) -> Result<Vec<String>, String> {
    let toml::Value::Array(argv) = v else {
        return Err("must be a list: [\"prog\", \"arg\"] (it runs without a shell)".into());
    };
    let argv: Option<Vec<String>> = argv.iter().map(|a| a.as_str().map(str::to_owned)).collect();
    match argv {
        Some(argv) if argv.first().is_some_and(|p| !p.is_empty()) => Ok(argv),
        _ => Err(
            "must be a non-empty list of strings, e.g. [\"mail\", \"-s\", \"balance\", \"ops@example.com\"]"
                .into(),
        ),
    }
}

fn alert_repeat(v: &toml::Value) -> Result<Duration, String> {
    match v {
        toml::Value::String(text) => humantime::parse_duration(text.trim()).ok(),
        _ => None,
    }
    .filter(|d| *d >= Duration::from_secs(60))
    .ok_or_else(|| "must be a duration of at least 1m, such as \"24h\"".into())
}

/// Reads the `alerts` array of tables; `base_dir` anchors relative secret files.
fn parse_alerts(value: toml::Value, base_dir: &Path) -> Result<Vec<AlertTarget>, String> {
    let toml::Value::Array(entries) = value else {
        return Err("`alerts` must be an array of tables: [[alerts]]".into());
    };
    let mut targets: Vec<AlertTarget> = Vec::with_capacity(entries.len());
    for (i, entry) in entries.into_iter().enumerate() {
        let index = i + 1;
        let toml::Value::Table(table) = entry else {
            return Err(format!("alert {index} must be a table: [[alerts]]"));
        };
        let who = format!("in alert {index}");
        let cx = keys::Context {
            common: &[],
            common_set: &[],
            who: &who,
            base_dir,
        };
        let at = |m: String| format!("alert {index}: {m}");
        // An unknown key's message names the alert itself.
        let values = keys::read(ALERT_KEYS, ALERT_RULES, &table, &cx)
            .map_err(|m| if m.starts_with("unknown ") { m } else { at(m) })?;
        let kind = match (values.secret("webhook"), values.toml("command")) {
            (Some(url), _) => AlertKind::Webhook(url.clone()),
            (None, Some(argv)) => {
                AlertKind::Command(alert_command(argv).map_err(|m| at(format!("`command` {m}")))?)
            }
            (None, None) => return Err(at("set `webhook` or `command`".into())),
        };
        let repeat = match values.toml("repeat") {
            Some(v) => Some(alert_repeat(v).map_err(|m| at(format!("`repeat` {m}")))?),
            None => None,
        };
        let below = match values.toml("below") {
            Some(v) => Some(amount(v).map_err(|m| at(format!("`below` {m}")))?),
            None => None,
        };
        let name = values.text("name").map(str::to_owned);
        if let Some(n) = &name
            && targets.iter().any(|t| t.name.as_ref() == Some(n))
        {
            return Err(at(format!("the name `{n}` is taken by another alert")));
        }
        targets.push(AlertTarget {
            index,
            name,
            kind,
            repeat,
            below,
        });
    }
    Ok(targets)
}

/// A webhook URL: `base_url`'s rules (https, or http only to loopback), but a
/// query string is allowed, as chat services put their key there. The URL is a
/// secret: no message quotes it.
pub fn parse_webhook_url(text: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(text.trim()).map_err(|e| {
        if e == url::ParseError::RelativeUrlWithoutBase && !text.contains("://") {
            "webhook URL has no scheme: it must start with https:// (or http:// on loopback)"
                .to_owned()
        } else {
            format!("webhook URL is not a URL ({e})")
        }
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("webhook URL must not carry user:password@".into());
    }
    if url.fragment().is_some() {
        return Err("webhook URL must not have a #fragment".into());
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err("webhook URL has no host".into()),
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        _ => Err("webhook URL must be https:// (or http:// on loopback)".into()),
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
    pub alerts: Vec<AlertTarget>,
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
    /// `subaccounts = true` or a list of ids: each becomes a result of its own.
    pub subaccounts: Option<Selection>,
    /// `[profiles.NAME.overrides.ID]`: thresholds for one of the profile's
    /// several balances, by the vendor's id (a subaccount's, a currency).
    pub overrides: Vec<(String, Thresholds)>,
    /// Every secret the profile reads, by key: described by `balance profiles`,
    /// resolved offline by `balance config check`.
    pub secrets: Vec<(String, SecretSource)>,
}

/// Thresholds that one of a profile's several balances sets for itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Thresholds {
    pub min_balance: Option<Decimal>,
    pub min_days: Option<f64>,
}

impl Profile {
    /// The thresholds of the balance the vendor calls `id` (`None`: the
    /// profile's own): its override, else the profile's.
    pub fn thresholds(&self, id: Option<&str>) -> Thresholds {
        let own = id.and_then(|id| self.overrides.iter().find(|(k, _)| k == id));
        Thresholds {
            min_balance: own.and_then(|(_, t)| t.min_balance).or(self.min_balance),
            min_days: own.and_then(|(_, t)| t.min_days).or(self.min_days),
        }
    }
}

/// Keys a profile takes only where its vendor lists several balances.
const SEVERAL_KEYS: [&str; 2] = ["subaccounts", "overrides"];

/// `subaccounts = true` (every one) or a list of ids.
fn selection(v: &toml::Value) -> Result<Option<Selection>, String> {
    let bad = || "must be true, false or a list of subaccount ids such as [\"abc123\"]".to_owned();
    match v {
        toml::Value::Boolean(true) => Ok(Some(Selection::All)),
        toml::Value::Boolean(false) => Ok(None),
        toml::Value::Array(items) if !items.is_empty() => {
            let mut ids: Vec<String> = Vec::new();
            for item in items {
                match item {
                    toml::Value::String(id) if !id.trim().is_empty() => {
                        let id = id.trim().to_owned();
                        if ids.contains(&id) {
                            return Err(format!("lists `{}` twice", crate::text::clean(&id, 40)));
                        }
                        ids.push(id);
                    }
                    _ => return Err(bad()),
                }
            }
            Ok(Some(Selection::Ids(ids)))
        }
        _ => Err(bad()),
    }
}

/// `overrides = { ID = { min_balance = 5, min_days = 3 } }`.
fn overrides(v: toml::Value) -> Result<Vec<(String, Thresholds)>, String> {
    let toml::Value::Table(table) = v else {
        return Err("must be a table of ids, such as [profiles.x.overrides.abc123]".into());
    };
    let mut out = Vec::new();
    for (id, inner) in table {
        let toml::Value::Table(inner) = inner else {
            return Err(format!(
                "`{id}` must be a table such as {{ min_balance = 5 }}"
            ));
        };
        let mut t = Thresholds::default();
        for (key, value) in inner {
            let r = match key.as_str() {
                "min_balance" => amount(&value).map(|a| t.min_balance = Some(a)),
                "min_days" => days(&value).map(|d| t.min_days = Some(d)),
                other => Err(format!(
                    "takes only `min_balance` and `min_days`, not `{}`{}",
                    crate::text::clean(other, 40),
                    keys::did_you_mean(other, ["min_balance", "min_days"].into_iter())
                )),
            };
            r.map_err(|m| format!("`{id}`: `{key}` {m}"))?;
        }
        out.push((id, t));
    }
    Ok(out)
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

    // Absolute, so that a `{ file = "k" }` error names the file it looked for.
    let base_dir = std::path::absolute(path)
        .ok()
        .and_then(|p| p.parent().map(Path::to_owned))
        .unwrap_or_else(|| PathBuf::from("."));
    let (settings, serve_token) = match doc.remove("settings") {
        None => (Settings::default(), None),
        Some(toml::Value::Table(t)) => {
            parse_settings(&t, &base_dir).map_err(|m| {
                // An unknown key's message names [settings] itself.
                fail(if m.starts_with("unknown ") {
                    m
                } else {
                    format!("[settings]: {m}")
                })
            })?
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
        Some(v) => parse_alerts(v, &base_dir).map_err(fail)?,
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

/// A result's name as a check makes it: a profile's, or `PROFILE/LABEL` for
/// one of its several balances, the label being the vendor's name for it made
/// safe (one line, no control characters, at most 64 characters, not blank).
pub fn valid_result_name(name: &str) -> bool {
    match name.split_once('/') {
        None => valid_profile_name(name),
        Some((profile, label)) => {
            valid_profile_name(profile)
                && !label.trim().is_empty()
                && crate::text::clean(label, 64) == label
        }
    }
}

/// `[settings]` against its table of keys: every unknown key at once, each
/// value by its key's rule. The serve token comes back beside the settings.
fn parse_settings(
    t: &toml::Table,
    base_dir: &Path,
) -> Result<(Settings, Option<SecretSource>), String> {
    let specs: Vec<KeySpec> = SETTINGS_KEYS.iter().map(|k| k.spec).collect();
    let cx = keys::Context {
        common: &[],
        common_set: &[],
        who: "in [settings]",
        base_dir,
    };
    let values = keys::read(&specs, &[], t, &cx)?;
    let mut s = Settings::default();
    for key in SETTINGS_KEYS {
        if let Some(v) = values.toml(key.spec.name) {
            (key.parse)(v, &mut s).map_err(|m| format!("`{}` {m}", key.spec.name))?;
        }
    }
    Ok((s, values.secret("serve_token").cloned()))
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
            let lower = provider_name.to_ascii_lowercase();
            let hint = match providers::REGISTRY
                .iter()
                .find(|p| p.aliases.contains(&&*lower))
            {
                Some(p) => format!(
                    ": did you mean `{}`? (`{lower}` is another name for it)",
                    p.name
                ),
                None => keys::did_you_mean(&lower, providers::REGISTRY.iter().map(|p| p.name)),
            };
            format!(
                "unknown provider `{provider_name}`{hint} (supported: {})",
                providers::names()
            )
        })?;

    let mut common = Common::default();
    let mut common_set = vec!["provider"];
    for key in &COMMON_KEYS[1..] {
        if let Some(v) = table.remove(key.spec.name) {
            (key.parse)(&v, &mut common).map_err(|m| format!("`{}` {m}", key.spec.name))?;
            common_set.push(key.spec.name);
        }
    }
    let subaccounts = match table.remove("subaccounts") {
        Some(v) => selection(&v).map_err(|m| format!("`subaccounts` {m}"))?,
        None => None,
    };
    let overrides = match table.remove("overrides") {
        Some(v) => overrides(v).map_err(|m| format!("`overrides` {m}"))?,
        None => Vec::new(),
    };
    if subaccounts.is_some() {
        match provider.subaccounts() {
            Some(Subaccounts::Listed { .. }) => {}
            Some(Subaccounts::Refused(why)) => {
                return Err(format!("`subaccounts`: {} {why}", provider.name));
            }
            None => {
                return Err(format!(
                    "`subaccounts` is not supported by {} (supported by: {})",
                    provider.name,
                    providers::with_subaccounts().join(", ")
                ));
            }
        }
    }
    if !overrides.is_empty() {
        let several = subaccounts.is_some() || (provider.splits() && common.currency.is_none());
        if !several {
            return Err(
                "`overrides` sets thresholds for one of several balances: set `subaccounts` \
                 (or leave out `currency` where the answer holds one balance per currency)"
                    .into(),
            );
        }
        if let Some(Selection::Ids(ids)) = &subaccounts
            && let Some((id, _)) = overrides.iter().find(|(id, _)| !ids.contains(id))
        {
            return Err(format!(
                "`overrides` names `{}`, which `subaccounts` does not list",
                crate::text::clean(id, 40)
            ));
        }
    }
    let names: Vec<&str> = COMMON_KEYS
        .iter()
        .map(|k| k.spec.name)
        .chain(SEVERAL_KEYS)
        .collect();
    let who = format!("in profile `{name}`");
    let cx = keys::Context {
        common: &names,
        common_set: &common_set,
        who: &who,
        base_dir,
    };
    let mut values = keys::read(provider.keys, provider.rules, &table, &cx)?;
    // A description may pick among an answer's balances by it (DeepSeek's
    // per-currency entries).
    if let Some(c) = &common.currency {
        values.insert("currency", keys::Value::Text(c.clone()));
    }
    let mut secrets = values.secrets();
    let adapter = provider.adapter(values, common.base_url)?;
    for (key, source) in adapter.secrets() {
        if !secrets.iter().any(|(k, _)| *k == key) {
            secrets.push((key, source));
        }
    }
    Ok(Profile {
        provider,
        adapter,
        min_balance: common.min_balance,
        currency: common.currency,
        timeout: common.timeout,
        min_days: common.min_days,
        interval: common.interval,
        subaccounts,
        overrides,
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
    fn history_settings() {
        use super::HistoryLocation as Location;
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

    /// Every key's good and bad values, as the tables list them: `[settings]`,
    /// the common profile keys and `[[alerts]]`.
    #[test]
    fn keys_accept_and_refuse_their_listed_values() {
        let mut n = 0;
        let mut run = |table: &str, key: &KeySpec, text: String, good: bool| {
            n += 1;
            let result = parse_str(&text).map_err(|e| e.to_string()).and_then(|c| {
                match c.profiles.first().map(|p| &p.profile) {
                    Some(Err(e)) => Err(e.clone()),
                    _ => Ok(()),
                }
            });
            match (good, result) {
                (true, Err(e)) => panic!("{table} `{}`: refused {text:?}: {e}", key.name),
                (false, Ok(())) => panic!("{table} `{}`: accepted {text:?}", key.name),
                (false, Err(e)) => assert!(
                    e.contains(&format!("`{}`", key.name)),
                    "{table}: the error names the key: {e}"
                ),
                (true, Ok(())) => {}
            }
        };
        for key in SETTINGS_KEYS {
            for (values, good) in [(key.spec.accepts, true), (key.spec.rejects, false)] {
                for v in values {
                    let text = format!("[settings]\n{} = {v}\n", key.spec.name);
                    run("[settings]", &key.spec, text, good);
                }
            }
        }
        for key in &COMMON_KEYS[1..] {
            for (values, good) in [(key.spec.accepts, true), (key.spec.rejects, false)] {
                for v in values {
                    let text = format!(
                        "[profiles.a]\nprovider = \"infobip\"\napi_key = \"k\"\n{} = {v}\n",
                        key.spec.name
                    );
                    run("profile", &key.spec, text, good);
                }
            }
        }
        for key in ALERT_KEYS {
            for (values, good) in [(key.accepts, true), (key.rejects, false)] {
                for v in values {
                    let v = match key.kind {
                        keys::KeyKind::Text => format!("\"{v}\""),
                        _ => v.to_string(),
                    };
                    let base = match key.name {
                        "command" => "",
                        _ => "command = [\"true\"]\n",
                    };
                    let text = format!("[[alerts]]\n{base}{} = {v}\n", key.name);
                    run("[[alerts]]", key, text, good);
                }
            }
        }
        assert!(n > 60, "{n} cases");
    }

    #[test]
    fn every_unknown_settings_key_at_once_with_suggestions() {
        let err = parse_str("[settings]\ntimeot = 3\nretires = 1\nzzz = 1\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(": unknown keys `timeot`, `retires`, `zzz` in [settings]: did you mean `timeout` for `timeot`, `retries` for `retires`?"),
            "{err}"
        );
        let err = parse_str("[[alerts]]\nwebhok = \"https://x.example\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(": unknown key `webhok` in alert 1: did you mean `webhook`?"),
            "{err}"
        );
    }

    #[test]
    fn alert_entries() {
        let c = parse_str(
            "[[alerts]]\nwebhook = { env = \"SLACK\" }\nname = \"ops\"\nrepeat = \"24h\"\n\
             [[alerts]]\ncommand = [\"mail\", \"-s\", \"x\"]\nbelow = 3\n",
        )
        .unwrap();
        assert_eq!(c.alerts.len(), 2);
        assert_eq!(c.alerts[0].describe(), "alert \"ops\" (webhook)");
        assert_eq!(c.alerts[0].repeat, Some(Duration::from_secs(86_400)));
        assert_eq!(c.alerts[1].describe(), "alert 2 (command)");
        assert_eq!(c.alerts[1].below.unwrap().to_string(), "3");
        for (text, needle) in [
            ("[[alerts]]\nname = \"x\"\n", "set `webhook`, or `command`"),
            (
                "[[alerts]]\nwebhook = \"x\"\ncommand = [\"a\"]\n",
                "not both",
            ),
            ("alerts = 3\n", "array of tables"),
            (
                "[[alerts]]\ncommand = [\"a\"]\nname = \"n\"\n[[alerts]]\ncommand = [\"b\"]\nname = \"n\"\n",
                "alert 2: the name `n` is taken",
            ),
        ] {
            let err = parse_str(text).unwrap_err().to_string();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn webhook_urls_may_carry_a_query_but_no_userinfo() {
        assert!(
            parse_webhook_url("https://chat.example/v1/spaces/X/messages?key=K&token=T").is_ok()
        );
        assert!(parse_webhook_url("http://127.0.0.1:9/hook?x=1").is_ok());
        for (bad, reason) in [
            (
                "https://user:SECRETPW@hooks.example/x",
                "must not carry user:password@",
            ),
            (
                "https://user@hooks.example/x",
                "must not carry user:password@",
            ),
            ("http://hooks.example/x", "must be https://"),
            ("ftp://hooks.example/x", "must be https://"),
            ("hooks.example/SECRETPATH", "has no scheme"),
            ("https://hooks.example/x#frag", "#fragment"),
        ] {
            let err = parse_webhook_url(bad).unwrap_err();
            assert!(err.contains(reason), "{bad}: {err}");
            assert!(
                !err.contains("SECRET") && !err.contains("hooks.example"),
                "{err}"
            );
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

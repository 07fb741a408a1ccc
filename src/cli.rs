//! The command line, as clap sees it. Doc comments are the `--help` text.

use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};
use rust_decimal::Decimal;

use crate::output::Format;
use crate::output::nagios::Thresholds;
use crate::range::Range;

/// Check the prepaid balance of SMS / CPaaS vendor accounts.
#[derive(Debug, Parser)]
#[command(name = "balance", version, after_help = crate::error::exit_help(), max_term_width = 100)]
pub struct Cli {
    /// Config file [default: $BALANCE_CONFIG, else $XDG_CONFIG_HOME/balance/config.toml,
    /// else the platform config dir]
    // Global, like `git -C`: a wrapper or alias that always passes it must work with
    // every command, so the commands that read no config ignore it.
    #[arg(
        long,
        value_name = "FILE",
        global = true,
        help_heading = "Global options"
    )]
    pub config: Option<PathBuf>,

    /// Diagnostics on stderr (-v requests and timings, -vv more); never secrets
    #[arg(short, long, global = true, action = ArgAction::Count,
          help_heading = "Global options")]
    pub verbose: u8,

    /// When to colour tables (NO_COLOR set and non-empty means never, unless `always`)
    /// [default: auto]
    #[arg(
        long,
        value_enum,
        value_name = "WHEN",
        global = true,
        help_heading = "Global options"
    )]
    pub color: Option<ColorWhen>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Query balances (every profile when none is named)
    #[command(after_help = crate::error::exit_help())]
    Check(CheckArgs),
    /// List configured profiles (never secrets)
    Profiles(ProfilesArgs),
    /// List supported providers and their config keys
    Providers {
        /// JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Run local emulators of every vendor's balance API, to rehearse failures
    #[command(after_help = sandbox_help())]
    Sandbox(SandboxArgs),
    /// Check simulated accounts on a built-in sandbox (no config, credentials or network)
    Demo(DemoArgs),
    /// Write a commented starter config (at the default path, or --config's)
    Init(InitArgs),
    /// Validate the config offline: every profile's keys and secrets, no vendor called
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print the manual page (roff) on stdout: `balance man | man -l -`
    Man {
        /// A command's own page (`balance man check`, `balance man config-check`)
        #[arg(value_name = "COMMAND", conflicts_with = "dir")]
        command: Option<String>,

        /// Write every page instead (balance.1 and one balance-COMMAND.1 per
        /// command) into DIR, for packaging
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// What the recorded checks show: per profile, the trend and when it runs out
    History(HistoryArgs),
    /// The status page (HTML) of the recorded checks: one card per profile, no vendor called
    Report(ReportArgs),
    /// Check every profile on its interval and serve /metrics, /api/v1/balances and a status page
    Serve(ServeArgs),
    /// The [[alerts]] of the config: `balance alerts test` sends a test message
    #[command(subcommand)]
    Alerts(AlertsCommand),
    /// Print a shell completion script on stdout
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Profiles to check, in output order [default: all, in config order]
    #[arg(value_name = "PROFILE")]
    pub profiles: Vec<String>,

    /// Output format [default: table; nagios when -w or -c is given]
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,

    /// Same as --format json
    #[arg(long, conflicts_with_all = ["format", "value"])]
    pub json: bool,

    /// Same as --format value: the balance alone (exactly one profile)
    #[arg(long, conflicts_with = "format")]
    pub value: bool,

    /// With --json: an object {"results": [...], "totals": [...]} with one
    /// exact total per currency and unit kind (never across currencies)
    #[arg(long)]
    pub totals: bool,

    /// Nagios warning range (10, 10:, ~:10, @10:20) [default: min_balance as `min:`]
    #[arg(short, long, value_name = "RANGE", value_parser = parse_range,
          allow_hyphen_values = true, conflicts_with_all = ["json", "value"])]
    pub warning: Option<Range>,

    /// Nagios critical range, same syntax
    #[arg(short, long, value_name = "RANGE", value_parser = parse_range,
          allow_hyphen_values = true, conflicts_with_all = ["json", "value"])]
    pub critical: Option<Range>,

    /// Threshold for every checked profile, overriding min_balance
    #[arg(long, value_name = "AMOUNT", value_parser = parse_amount, allow_hyphen_values = true)]
    pub min: Option<Decimal>,

    /// Seconds per HTTP request, overriding the config
    #[arg(long, value_name = "SECONDS", value_parser = parse_timeout)]
    pub timeout: Option<Duration>,

    /// Extra attempts after a 429, a 5xx or a network failure, overriding
    /// [settings] retries (0 to 10)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=10))]
    pub retries: Option<u32>,

    /// Seconds for the whole run: profiles unfinished by then are reported as
    /// network errors (exit 7) and the output is still written
    #[arg(long, value_name = "SECONDS", value_parser = parse_timeout)]
    pub deadline: Option<Duration>,
    /// LOW when the forecast says empty within N days, overriding min_days
    #[arg(long, value_name = "N", value_parser = parse_days)]
    pub min_days: Option<f64>,

    /// Do not record this run in the history (nor forecast from it)
    #[arg(long)]
    pub no_history: bool,

    /// Do not send [[alerts]] for this run
    #[arg(long)]
    pub no_alerts: bool,

    /// Write the output to FILE (atomically: a reader never sees half a file)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Resolve every profile's keys and secrets (env, file, command, literal)
    /// without calling a vendor: one line per problem, or "N profiles ok"; exit 3
    /// on any problem
    Check,
    /// Print the config file's path (where `check` reads it, `init` writes it)
    Path,
}

#[derive(Debug, Subcommand)]
pub enum AlertsCommand {
    /// Send a test message to every [[alerts]] target; exit 1 if any fails
    Test,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Print the starter config on stdout instead of writing a file
    #[arg(long)]
    pub stdout: bool,
}

#[derive(Debug, Args)]
pub struct ProfilesArgs {
    /// JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct HistoryArgs {
    #[command(subcommand)]
    pub action: Option<HistoryAction>,

    /// Profiles to show [default: the config's]
    #[arg(value_name = "PROFILE")]
    pub profiles: Vec<String>,

    /// Every profile in the store, not only the config's
    #[arg(long, conflicts_with = "profiles")]
    pub all: bool,

    /// How far back: 30d, 12h, 1y, or `all` [default: 30d for the table, all for json and csv]
    #[arg(long, value_name = "AGE", value_parser = parse_since)]
    pub since: Option<Since>,

    /// Output format: the table, or every recorded row as json or csv
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = HistoryFormat::Table)]
    pub format: HistoryFormat,

    /// Write the output to FILE (atomically)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Profiles to show [default: the config's]
    #[arg(value_name = "PROFILE")]
    pub profiles: Vec<String>,

    /// Every profile in the store, not only the config's
    #[arg(long, conflicts_with = "profiles")]
    pub all: bool,

    /// How much history the charts show: 30d, 12h, 1y, or `all`
    #[arg(long, value_name = "AGE", value_parser = parse_since, default_value = "30d")]
    pub since: Since,

    /// Write the page to FILE.html (atomically) [default: stdout]
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (loopback unless told otherwise; port 0: any free port)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9316")]
    pub listen: std::net::SocketAddr,

    /// Time between a profile's checks, over the config's `interval` keys [default: the
    /// config's, else 5m]
    #[arg(long, value_name = "DURATION", value_parser = parse_interval)]
    pub interval: Option<std::time::Duration>,
}

fn parse_interval(text: &str) -> Result<std::time::Duration, String> {
    crate::config::parse_interval(humantime::parse_duration(text.trim()).ok())
}

#[derive(Debug, Subcommand)]
pub enum HistoryAction {
    /// Add rows from a csv file in `balance history --format csv`'s form (rows already
    /// recorded are skipped; a bad row names its line and nothing is written)
    Import {
        #[arg(value_name = "FILE.csv")]
        file: PathBuf,
    },
    /// Remove every recorded row of one profile (asks first on a terminal;
    /// elsewhere --yes is required)
    Forget {
        #[arg(value_name = "PROFILE")]
        profile: String,

        /// Do not ask
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistoryFormat {
    Table,
    Json,
    Csv,
}

/// `--since`: an age, or everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    All,
    Age(Duration),
}

#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Port on 127.0.0.1 (0 picks a free one)
    #[arg(long, default_value_t = 8089)]
    pub port: u16,

    /// Milliseconds added to every answer (for benchmarks)
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency: u64,

    /// Lifetime of Yeastar access tokens, to rehearse their expiry
    #[arg(long, value_name = "SECONDS", default_value_t = 1800)]
    pub token_ttl: u64,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Add one profile per failure scenario; the exit status is then theirs
    #[arg(long)]
    pub faults: bool,

    /// Output format
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = DemoFormat::Table)]
    pub format: DemoFormat,

    /// Same as --format json
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
}

/// `check`'s formats; `value` needs exactly one profile and the demo has several,
/// so help does not offer it, and asking for it gets that explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DemoFormat {
    /// A table for people (default).
    Table,
    /// A JSON array, one object per profile.
    Json,
    /// Prometheus text exposition, for node_exporter's textfile collector.
    Prometheus,
    /// A Nagios / Icinga check: one status line with perfdata; exit 0-3.
    Nagios,
    #[value(hide = true)]
    Value,
}

impl From<DemoFormat> for Format {
    fn from(format: DemoFormat) -> Format {
        match format {
            DemoFormat::Table => Format::Table,
            DemoFormat::Json => Format::Json,
            DemoFormat::Prometheus => Format::Prometheus,
            DemoFormat::Nagios => Format::Nagios,
            DemoFormat::Value => Format::Value,
        }
    }
}

/// The scenario table, each answer wrapped under its own column so that no line
/// is wider than 80 (clap would wrap it again, to column 0).
fn sandbox_help() -> String {
    const INDENT: usize = 2 + 18 + 1 + 6 + 2;
    let mut out = String::from(
        "Scenarios: the credential (api_key, password, client_secret, dev_secret)\npicks one.\n",
    );
    for s in crate::sandbox::SCENARIOS {
        let answer = crate::output::table::wrap_text(s.answer, 80 - INDENT)
            .replace('\n', &format!("\n{:INDENT$}", ""));
        out.push_str(&format!("  {:<18} exit {}  {answer}\n", s.key, s.exit));
    }
    out.push_str(
        "\nYeastar: the client_secret picks the scenario when the token is issued, and\n\
         a cached token keeps it; give each scenario its own client_id.",
    );
    out
}

impl CheckArgs {
    pub fn format(&self) -> Format {
        if self.json {
            Format::Json
        } else if self.value {
            Format::Value
        } else if let Some(format) = self.format {
            format
        } else if self.warning.is_some() || self.critical.is_some() {
            Format::Nagios
        } else {
            Format::Table
        }
    }

    /// Whether Nagios's exit codes apply: `--format nagios`, or `-w`/`-c` with any
    /// format (with another one they are a usage error, reported as UNKNOWN).
    pub fn nagios(&self) -> bool {
        self.format() == Format::Nagios || self.warning.is_some() || self.critical.is_some()
    }

    pub fn thresholds(&self) -> Thresholds {
        Thresholds {
            warning: self.warning,
            critical: self.critical,
        }
    }
}

fn parse_amount(text: &str) -> Result<Decimal, String> {
    crate::money::parse_user_amount(text)
}

fn parse_days(text: &str) -> Result<f64, String> {
    let days: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of days"))?;
    crate::config::parse_days(days)
}

fn parse_since(text: &str) -> Result<Since, String> {
    if text.trim() == "all" {
        return Ok(Since::All);
    }
    humantime::parse_duration(text.trim())
        .map(Since::Age)
        .map_err(|_| format!("`{text}` is not an age such as 30d, 12h or 1y (or `all`)"))
}

fn parse_range(text: &str) -> Result<Range, String> {
    Range::parse(text)
}

fn parse_timeout(text: &str) -> Result<Duration, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    crate::config::parse_seconds(secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    #[test]
    fn format_flags() {
        let cli = Cli::try_parse_from(["balance", "check", "--json"]).unwrap();
        let Command::Check(args) = cli.command else {
            panic!()
        };
        assert_eq!(args.format(), Format::Json);
        assert!(Cli::try_parse_from(["balance", "check", "--json", "--value"]).is_err());
        assert!(Cli::try_parse_from(["balance", "check", "--json", "--format", "table"]).is_err());
        assert!(Cli::try_parse_from(["balance", "check", "--timeout", "0"]).is_err());
        assert!(Cli::try_parse_from(["balance", "check", "--min", "x"]).is_err());
        assert!(Cli::try_parse_from(["balance", "check", "--min-days", "0"]).is_err());
    }

    #[test]
    fn history_args() {
        let cli = Cli::try_parse_from(["balance", "history", "a", "b", "--since", "7d"]).unwrap();
        let Command::History(args) = cli.command else {
            panic!()
        };
        assert_eq!(args.profiles, ["a", "b"]);
        assert_eq!(
            args.since,
            Some(Since::Age(Duration::from_secs(7 * 86_400)))
        );
        let cli = Cli::try_parse_from(["balance", "history", "import", "x.csv"]).unwrap();
        let Command::History(args) = cli.command else {
            panic!()
        };
        assert!(matches!(args.action, Some(HistoryAction::Import { .. })));
        assert!(Cli::try_parse_from(["balance", "history", "--since", "soon"]).is_err());
    }
}

//! From parsed arguments to an exit status: one file per command, each turning
//! its arguments into a resolved plan before doing any work. The only place that
//! prints.

mod check;
mod completions;
mod config_check;
mod demo;
mod history;
mod init;
mod man;
mod profiles;
mod providers;
mod report;
mod sandbox;
mod serve;

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, Parser};

use crate::cli::{Cli, ColorWhen, Command, ConfigCommand};
use crate::config::{self, Config};
use crate::error::{AppError, Exit};
use crate::output;
use crate::output::nagios::State;

/// Parses the command line, runs it, reports a fatal error; returns the exit code.
pub fn main() -> u8 {
    let args: Vec<OsString> = std::env::args_os().collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return Exit::Ok.code();
        }
        // A Nagios check must answer UNKNOWN (3) on stdout for any error, clap's too.
        Err(e) if nagios_asked(&args) => {
            let text = e.to_string();
            let first = text.lines().next().unwrap_or_default();
            unknown(first.trim_start_matches("error: "));
            return State::Unknown.code();
        }
        Err(e) => {
            let _ = e.print();
            return Exit::Usage.code();
        }
    };
    let nagios = match &cli.command {
        Command::Check(args) => args.nagios(),
        Command::Demo(args) => demo::format(args) == output::Format::Nagios,
        _ => false,
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) if nagios => {
            unknown(&one_line(&e));
            State::Unknown.code()
        }
        Err(e) => {
            crate::log::line(format_args!("{}", one_line(&e)));
            e.code()
        }
    }
}

fn unknown(message: &str) {
    let _ = emit(output::nagios::unknown(message).as_bytes());
}

/// Whether a command line that clap refused asked for a Nagios check, read from
/// what clap could parse of it: `-w`/`-c` (also inside `-vc5:`), or `--format
/// nagios`, on `check` (or `demo --format nagios`).
fn nagios_asked(args: &[OsString]) -> bool {
    // Parsed again without erring, and with the thresholds as optional text: `-w
    // abc` and a bare `--critical` still ask for Nagios even though they fail.
    let lenient = |arg: clap::Arg| arg.value_parser(clap::value_parser!(String));
    let command = Cli::command()
        .ignore_errors(true)
        .mut_subcommand("check", |c| {
            c.mut_arg("warning", |a| lenient(a).num_args(0..=1))
                .mut_arg("critical", |a| lenient(a).num_args(0..=1))
                .mut_arg("format", lenient)
        })
        .mut_subcommand("demo", |c| c.mut_arg("format", lenient));
    let Ok(matches) = command.try_get_matches_from(args) else {
        return false;
    };
    let given = |m: &ArgMatches, id: &str| m.value_source(id) == Some(ValueSource::CommandLine);
    let format_nagios = |m: &ArgMatches| {
        given(m, "format")
            && m.try_get_one::<String>("format")
                .ok()
                .flatten()
                .is_some_and(|f| f == "nagios")
    };
    match matches.subcommand() {
        Some(("check", m)) => given(m, "warning") || given(m, "critical") || format_nagios(m),
        Some(("demo", m)) => format_nagios(m),
        _ => false,
    }
}

fn one_line(e: &AppError) -> String {
    match e {
        AppError::Internal(e) => format!("{e:#}").replace('\n', " "),
        other => other.to_string(),
    }
}

/// Runs a parsed command line; the exit code (SPEC §5, or Nagios's for `--format nagios`).
pub fn run(cli: Cli) -> Result<u8, AppError> {
    crate::log::set_level(cli.verbose);
    let Cli {
        config,
        color,
        command,
        ..
    } = cli;
    let before = Before { config, color };
    match command {
        Command::Check(args) => {
            let config_flag = before.config(args.config.config.clone());
            let color = before.color(args.color.color);
            let config = load_config(config_flag.as_deref())?;
            let cache_dir = directories::ProjectDirs::from("", "", "balance")
                .map(|d| d.cache_dir().to_path_buf());
            let plan = check::CheckPlan::resolve(&args, config, color, cache_dir)?;
            check::run(plan)
        }
        Command::Profiles(args) => {
            let config_flag = before.config(args.config.config.clone());
            before.no_color("profiles")?;
            profiles::run(&load_config(config_flag.as_deref())?, args.json)
        }
        Command::Providers { json } => {
            before.neither("providers")?;
            providers::run(json)
        }
        Command::Init(args) => {
            let config_flag = before.config(args.config.config.clone());
            before.no_color("init")?;
            init::run(config_flag.as_deref(), args.stdout)
        }
        Command::Config(ConfigCommand::Check(args)) => {
            let config_flag = before.config(args.config.clone());
            before.no_color("config check")?;
            config_check::run(&load_config(config_flag.as_deref())?)
        }
        Command::Alerts(crate::cli::AlertsCommand::Test(args)) => {
            let config_flag = before.config(args.config.clone());
            before.no_color("alerts test")?;
            alerts_test(&load_config(config_flag.as_deref())?)
        }
        Command::Config(ConfigCommand::Path(args)) => {
            let config_flag = before.config(args.config.clone());
            before.no_color("config path")?;
            let path = config::locate(config_flag.as_deref())?;
            emit(format!("{}\n", path.display()).as_bytes())?;
            Ok(Exit::Ok.code())
        }
        Command::Man { command } => {
            before.neither("man")?;
            man::run(command.as_deref())
        }
        Command::Completions { shell } => {
            before.neither("completions")?;
            completions::run(shell)
        }
        Command::Sandbox(args) => {
            before.neither("sandbox")?;
            sandbox::run(&args)
        }
        Command::Demo(args) => {
            before.no_config("demo")?;
            let color = before.color(args.color.color);
            demo::run(&args, color)
        }
        Command::History(args) => {
            before.no_color("history")?;
            let own = match &args.action {
                Some(
                    crate::cli::HistoryAction::Import { config, .. }
                    | crate::cli::HistoryAction::Forget { config, .. },
                ) => config.config.clone(),
                None => None,
            };
            let config_flag = before.config(own.or_else(|| args.config.config.clone()));
            history::run(config_flag.as_deref(), &args)
        }
        Command::Report(args) => {
            before.no_color("report")?;
            let config_flag = before.config(args.config.config.clone());
            report::run(config_flag.as_deref(), &args)
        }
        Command::Serve(args) => {
            before.no_color("serve")?;
            let config_flag = before.config(args.config.config.clone());
            serve::run(config_flag.as_deref(), &args)
        }
    }
}

/// `--config` and `--color` given before the command (`balance --config F check`,
/// as SPEC §2 writes it): they count for the commands that take them, and are a
/// usage error for the others rather than silently ignored.
struct Before {
    config: Option<PathBuf>,
    color: Option<ColorWhen>,
}

impl Before {
    /// The command's own flag wins: it is the later word on the line.
    fn config(&self, after: Option<PathBuf>) -> Option<PathBuf> {
        after.or_else(|| self.config.clone())
    }

    fn color(&self, after: Option<ColorWhen>) -> ColorWhen {
        after.or(self.color).unwrap_or(ColorWhen::Auto)
    }

    fn no_config(&self, command: &str) -> Result<(), AppError> {
        match self.config {
            Some(_) => Err(AppError::Usage(format!(
                "--config: `balance {command}` reads no config file"
            ))),
            None => Ok(()),
        }
    }

    fn no_color(&self, command: &str) -> Result<(), AppError> {
        match self.color {
            Some(_) => Err(AppError::Usage(format!(
                "--color: `balance {command}` draws no coloured table"
            ))),
            None => Ok(()),
        }
    }

    fn neither(&self, command: &str) -> Result<(), AppError> {
        self.no_config(command)?;
        self.no_color(command)
    }
}

fn load_config(flag: Option<&Path>) -> Result<Config, AppError> {
    let path = config::locate(flag)?;
    crate::debug!(1, "config {}", path.display());
    config::load(&path)
}

fn use_color(when: ColorWhen, output: Option<&Path>) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
        }
    }
}

/// Writes to stdout; a closed pipe is not an error (`balance check --json | head -c1`).
fn emit(bytes: &[u8]) -> Result<(), AppError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::anyhow!("cannot write to stdout: {e}").into())
        }
        _ => Ok(()),
    }
}

fn write_error(path: &Path, e: &std::io::Error) -> AppError {
    anyhow::anyhow!(
        "cannot write {}: {}",
        path.display(),
        crate::secret::io_reason(e)
    )
    .into()
}

/// `balance alerts test`: one test message to every target, each retried as a
/// real alert is; exit 1 when any could not be delivered.
fn alerts_test(config: &crate::config::Config) -> Result<u8, AppError> {
    if config.alerts.is_empty() {
        return Err(AppError::Config(format!(
            "{}: no [[alerts]] configured (README: Alerts)",
            config.path.display()
        )));
    }
    let message = crate::alerts::Message {
        text: "balance: a test alert; state changes of your profiles will look like this".into(),
        profile: "test".into(),
        provider: "balance".into(),
        state: crate::result::Status::Ok,
        previous_state: None,
        balance: None,
        currency: None,
        min_balance: None,
        days_left: None,
        error: None,
    };
    let deliveries = (0..config.alerts.len())
        .map(|target| crate::alerts::Delivery {
            target,
            message: message.clone(),
        })
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)?;
    let outcomes = runtime.block_on(crate::alerts::deliver(
        &config.alerts,
        deliveries,
        &config.secret_env,
        config.settings.alert_timeout,
    ));
    runtime.shutdown_background();
    // One line per target, in file order: which got there and why not.
    let mut out = String::new();
    let mut warnings = Vec::new();
    for o in &outcomes {
        let who = config.alerts[o.target].describe();
        match &o.reason {
            None => out.push_str(&format!("{who}: sent\n")),
            Some(why) => {
                out.push_str(&format!("{who}: not sent: {why}\n"));
                warnings.push(why);
            }
        }
    }
    emit(out.as_bytes())?;
    Ok(if warnings.is_empty() {
        Exit::Ok.code()
    } else {
        Exit::Internal.code()
    })
}

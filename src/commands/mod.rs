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
use std::path::Path;

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, Parser};

use crate::cli::{Cli, ColorWhen, Command, ConfigCommand};
use crate::config::{self, Config};
use crate::error::{AppError, Exit};
use crate::output;
use crate::output::nagios::State;

/// Parses the command line, runs it, reports a fatal error; returns the exit code.
/// glibc's allocator maps blocks from 128 KiB up on their own and unmaps
/// them when freed, but after the first such block is freed it raises that
/// threshold to the block's size (up to 32 MiB), so later big buffers (a
/// config's text and parse, a 5,000-row answer, a 2-3 MiB status page) come
/// from the heap, which keeps what they leave. A fixed threshold keeps them out
/// of it: `check` of 5,000 profiles peaks 1.4 MiB lower, and `serve` no longer
/// keeps a page's worth of freed heap per thread.
fn big_blocks_mapped() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt takes two integers and only sets the allocator's
    // parameters; glibc serialises it with allocation.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

pub fn main() -> u8 {
    big_blocks_mapped();
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
    // Global, so commands that read no config or draw no table ignore these.
    let config_flag = config.as_deref();
    let color = color.unwrap_or(ColorWhen::Auto);
    match command {
        Command::Check(args) => {
            let config = load_config(config_flag)?;
            let cache_dir = directories::ProjectDirs::from("", "", "balance")
                .map(|d| d.cache_dir().to_path_buf());
            let plan = check::CheckPlan::resolve(&args, config, color, cache_dir)?;
            check::run(plan)
        }
        Command::Profiles(args) => profiles::run(&load_config(config_flag)?, args.json),
        Command::Providers { json } => providers::run(json),
        Command::Init(args) => init::run(config_flag, args.stdout),
        Command::Config(ConfigCommand::Check) => config_check::run(&load_config(config_flag)?),
        Command::Alerts(crate::cli::AlertsCommand::Test) => alerts_test(&load_config(config_flag)?),
        Command::Config(ConfigCommand::Path) => {
            let path = config::locate(config_flag)?;
            emit(format!("{}\n", path.display()).as_bytes())?;
            Ok(Exit::Ok.code())
        }
        Command::Man { command, dir } => man::run(command.as_deref(), dir.as_deref()),
        Command::Completions { shell } => completions::run(shell),
        Command::Sandbox(args) => sandbox::run(&args),
        Command::Demo(args) => demo::run(&args, color),
        Command::History(args) => history::run(config_flag, &args),
        Command::Report(args) => report::run(config_flag, &args),
        Command::Serve(args) => serve::run(config_flag, &args),
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
            "{}: no [[alerts]] configured (docs/history-and-alerts.md: Alerts)",
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

//! From parsed arguments to an exit status: load what is needed, run, render,
//! write. The only place that prints.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::{CommandFactory, Parser};
use serde::Serialize;

use crate::check::{Overrides, Runner};
use crate::cli::{CheckArgs, Cli, ColorWhen, Command, DemoArgs, SandboxArgs};
use crate::config::{self, COMMON_KEYS, Config, ProfileEntry};
use crate::error::{AppError, Exit};
use crate::http::Http;
use crate::outfile;
use crate::output::nagios::State;
use crate::output::{self, Format, Style};
use crate::providers::REGISTRY;
use crate::sandbox;

/// Parses the command line, runs it, reports a fatal error; returns the exit code.
pub fn main() -> u8 {
    // A Nagios check must answer UNKNOWN (3) on stdout for any error, clap's too.
    let nagios = nagios_requested(std::env::args_os().skip(1));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return Exit::Ok.code();
        }
        Err(e) if nagios => {
            let text = e.to_string();
            let first = text.lines().next().unwrap_or_default();
            let _ = emit(
                output::nagios::unknown(first.trim_start_matches("error: ")).as_bytes(),
                None,
            );
            return State::Unknown.code();
        }
        Err(e) => {
            let _ = e.print();
            return Exit::Usage.code();
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) if nagios => {
            let _ = emit(output::nagios::unknown(&one_line(&e)).as_bytes(), None);
            State::Unknown.code()
        }
        Err(e) => {
            crate::log::line(format_args!("{}", one_line(&e)));
            e.code()
        }
    }
}

/// Whether the arguments ask for a Nagios check: `--format nagios`, or `-w`/`-c`.
fn nagios_requested(args: impl Iterator<Item = std::ffi::OsString>) -> bool {
    let args: Vec<String> = args
        .map(|a| a.to_string_lossy().into_owned())
        .take_while(|a| a != "--")
        .collect();
    args.iter().enumerate().any(|(i, a)| {
        let short = !a.starts_with("--") && (a.starts_with("-w") || a.starts_with("-c"));
        short
            || a == "--format=nagios"
            || (a == "--format" && args.get(i + 1).is_some_and(|f| f == "nagios"))
            || ["--warning", "--critical"]
                .iter()
                .any(|flag| a == flag || a.starts_with(&format!("{flag}=")))
    })
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
    match &cli.command {
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "balance", &mut out);
            emit(&out, None)?;
            Ok(Exit::Ok.code())
        }
        Command::Providers { json } => {
            let text = if *json {
                providers_json()
            } else {
                providers_text()
            };
            emit(text.as_bytes(), None)?;
            Ok(Exit::Ok.code())
        }
        Command::Profiles { json } => {
            let config = load_config(cli.config.as_deref())?;
            let text = if *json {
                profiles_json(&config)
            } else {
                profiles_table(&config)
            };
            emit(text.as_bytes(), None)?;
            Ok(Exit::Ok.code())
        }
        Command::Check(args) => {
            let config = load_config(cli.config.as_deref())?;
            let cache_dir = directories::ProjectDirs::from("", "", "balance")
                .map(|d| d.cache_dir().to_path_buf());
            check(&cli, &config, args, cache_dir)
        }
        Command::Sandbox(args) => sandbox(args),
        Command::Demo(args) => demo(&cli, args),
        Command::History(args) => {
            let bytes = crate::history::command::run(cli.config.as_deref(), args)?;
            if !bytes.is_empty() || args.output.is_some() {
                emit(&bytes, args.output.as_deref())?;
            }
            Ok(Exit::Ok.code())
        }
    }
}

fn load_config(flag: Option<&Path>) -> Result<Config, AppError> {
    let path = config::locate(flag)?;
    crate::debug!(1, "config {}", path.display());
    config::load(&path)
}

/// `balance sandbox`: serves until Ctrl-C or SIGTERM.
fn sandbox(args: &SandboxArgs) -> Result<u8, AppError> {
    let running = sandbox::spawn(
        args.port,
        Duration::from_millis(args.latency),
        Duration::from_secs(args.token_ttl),
    )
    .map_err(|e| {
        anyhow::anyhow!(
            "cannot listen on 127.0.0.1:{}: {}",
            args.port,
            crate::secret::io_reason(&e)
        )
    })?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)?;
    // Handlers first: a Ctrl-C the moment the URL is printed must still stop cleanly.
    let stop = {
        let _context = runtime.enter();
        stop_signal().map_err(anyhow::Error::from)?
    };
    let base = running.base_url();
    // Scenario keys are not secrets; `echo` keeps the pasted file clear of the
    // chmod 600 rule for literal secrets.
    let snippet = sandbox::config(
        &base,
        &format!(
            "# balance sandbox at {base}: every vendor's balance API, simulated.\n\
             # Save as a file and run: balance --config FILE check\n\
             # Set a credential to another scenario to rehearse a failure (balance sandbox --help).\n"
        ),
        &sandbox::healthy_profiles(),
        |s| format!("{{ command = [\"echo\", \"{}\"] }}", s.key()),
    );
    let keys: Vec<&str> = sandbox::SCENARIOS.iter().map(|s| s.key).collect();
    let snippet = format!("{snippet}\n# Scenarios: {}\n", keys.join(", "));
    emit(snippet.as_bytes(), None)?;
    crate::log::line(format_args!(
        "sandbox listening on {base} (latency {} ms); Ctrl-C stops it",
        args.latency
    ));
    runtime.block_on(stop);
    drop(running);
    crate::log::line(format_args!("sandbox stopped"));
    Ok(Exit::Ok.code())
}

/// Completes on Ctrl-C, or SIGTERM from a service manager. The handlers are
/// installed before this returns.
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

/// `balance demo`: the sandbox in-process, checked through the normal path.
fn demo(cli: &Cli, args: &DemoArgs) -> Result<u8, AppError> {
    if args.format == Format::Value {
        return Err(AppError::Usage(
            "the demo checks several profiles; --format value needs exactly one".into(),
        ));
    }
    let running = sandbox::spawn(0, Duration::ZERO, Duration::from_secs(1800)).map_err(|e| {
        anyhow::anyhow!(
            "cannot start the demo sandbox: {}",
            crate::secret::io_reason(&e)
        )
    })?;
    let base = running.base_url();
    let mut profiles = sandbox::healthy_profiles();
    if args.faults {
        profiles.extend(sandbox::fault_profiles());
    }
    let text = sandbox::config(&base, "", &profiles, |s| format!("\"{}\"", s.key()));
    let config = config::parse(&text, Path::new("(demo)"), false)?;
    crate::log::line(format_args!(
        "demo: these accounts are simulated by the built-in sandbox at {base}; no vendor is called"
    ));
    // The demo's Yeastar tokens must not pile up in the user's cache.
    let cache = tempfile::tempdir().map_err(anyhow::Error::from)?;
    let check_args = CheckArgs {
        profiles: Vec::new(),
        format: Some(if args.json { Format::Json } else { args.format }),
        json: false,
        value: false,
        warning: None,
        critical: None,
        min: None,
        timeout: None,
        min_days: None,
        // Simulated accounts have no history worth keeping.
        no_history: true,
        output: None,
    };
    check(cli, &config, &check_args, Some(cache.path().to_path_buf()))
}

fn check(
    cli: &Cli,
    config: &Config,
    args: &CheckArgs,
    cache_dir: Option<PathBuf>,
) -> Result<u8, AppError> {
    let entries = select(config, &args.profiles)?;
    let format = args.format();
    if format != Format::Nagios && (args.warning.is_some() || args.critical.is_some()) {
        return Err(AppError::Usage(
            "-w/--warning and -c/--critical are Nagios ranges: use them with --format nagios"
                .into(),
        ));
    }
    if format == Format::Value && entries.len() != 1 {
        return Err(AppError::Usage(format!(
            "--value needs exactly one profile, got {}; name one: balance check PROFILE --value",
            entries.len()
        )));
    }

    // A target `-o` must not replace is refused before any vendor is called.
    if let Some(path) = &args.output {
        outfile::check(path).map_err(|e| write_error(path, &e))?;
    }

    let http = Http::new(config.settings.retries)?;
    let runner = Runner {
        http: &http,
        settings: &config.settings,
        secret_env: &config.secret_env,
        cache_dir,
        overrides: Overrides {
            min: args.min,
            min_days: args.min_days,
            timeout: args.timeout,
        },
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)?;
    let outcome = check_and_write(&runtime, cli, args, format, &runner, &entries);
    // A DNS lookup abandoned at its timeout may still be running on a blocking
    // thread; waiting for it would make a timed-out run hang after all.
    runtime.shutdown_background();
    outcome
}

fn check_and_write(
    runtime: &tokio::runtime::Runtime,
    cli: &Cli,
    args: &CheckArgs,
    format: Format,
    runner: &Runner,
    entries: &[&ProfileEntry],
) -> Result<u8, AppError> {
    // With -o, SIGINT and SIGTERM are caught from here on, before the temporary
    // file can exist, so that no signal kills the process between creating it and
    // renaming or removing it. Without -o there is nothing to clean up: a signal
    // ends the run as it always did.
    let mut stop = match &args.output {
        Some(_) => {
            let _context = runtime.enter();
            Some(Interrupts::install().map_err(anyhow::Error::from)?)
        }
        None => None,
    };
    let mut results = runtime.block_on(async {
        match stop.as_mut() {
            Some(stop) => tokio::select! {
                results = runner.run(entries) => Ok(results),
                interrupted = stop.recv() => Err(interrupted),
            },
            None => Ok(runner.run(entries).await),
        }
    })?;

    // History (SPEC §10): forecasts, and with them min_days, before anything is
    // rendered or an exit status chosen.
    let store = if args.no_history {
        None
    } else {
        crate::history::record_run(runner.settings, &mut results)
    };
    // Alerts (SPEC §12) hook in here: compare `store.last_states()` with each
    // result's `alerts::State::of`, send `alerts::changes(..)`, then
    // `store.set_states(..)`. Without a store (history off or unusable) there
    // is no last state to compare with.
    drop(store);

    // The table and the Nagios line show each failure themselves; elsewhere
    // stderr has to say it.
    let shown = matches!(format, Format::Table | Format::Nagios) && args.output.is_none();
    if !shown {
        for r in &results {
            if let Err(e) = &r.outcome {
                crate::log::line(format_args!("{}: {}", r.profile, e.message));
            }
        }
    }
    let style = Style {
        color: use_color(cli.color, args.output.as_deref()),
        width: args.output.is_none().then(output::terminal_width).flatten(),
    };
    let thresholds = args.thresholds();
    let bytes = output::render(format, &results, style, &thresholds);
    match (&args.output, stop) {
        (Some(path), Some(mut stop)) => runtime.block_on(write_file(path, bytes, &mut stop))?,
        _ => emit(&bytes, None)?,
    }
    Ok(if format == Format::Nagios {
        thresholds.overall(&results).code()
    } else {
        Exit::combine(results.iter().map(|r| r.exit())).code()
    })
}

/// The profiles named on the command line (each once, in that order), or all of
/// them in file order. An unknown name fails before any request.
fn select<'a>(config: &'a Config, names: &[String]) -> Result<Vec<&'a ProfileEntry>, AppError> {
    if config.profiles.is_empty() {
        return Err(AppError::Config(format!(
            "{}: no profiles configured; add a [profiles.NAME] table (see config.example.toml)",
            config.path.display()
        )));
    }
    if names.is_empty() {
        return Ok(config.profiles.iter().collect());
    }
    let mut selected: Vec<&ProfileEntry> = Vec::new();
    for name in names {
        let entry = config.entry(name).ok_or_else(|| {
            let known: Vec<&str> = config.profiles.iter().map(|p| p.name.as_str()).collect();
            AppError::Config(format!(
                "unknown profile `{name}` (configured in {}: {})",
                config.path.display(),
                known.join(", ")
            ))
        })?;
        if !selected.iter().any(|e| e.name == entry.name) {
            selected.push(entry);
        }
    }
    Ok(selected)
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

/// Writes to stdout (a closed pipe is not an error) or atomically to a file.
fn emit(bytes: &[u8], path: Option<&Path>) -> Result<(), AppError> {
    let Some(path) = path else {
        let mut out = std::io::stdout().lock();
        return match out.write_all(bytes).and_then(|()| out.flush()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                Err(anyhow::anyhow!("cannot write to stdout: {e}").into())
            }
            _ => Ok(()),
        };
    };
    outfile::replace(path, bytes, || true).map_err(|e| write_error(path, &e))
}

fn write_error(path: &Path, e: &std::io::Error) -> AppError {
    anyhow::anyhow!(
        "cannot write {}: {}",
        path.display(),
        crate::secret::io_reason(e)
    )
    .into()
}

/// `-o`'s file, written on a blocking thread while SIGINT and SIGTERM are watched:
/// a signal cancels the rename if it has not happened yet, and the temporary file
/// is removed before the run ends with the signal's status.
async fn write_file(path: &Path, bytes: Vec<u8>, stop: &mut Interrupts) -> Result<(), AppError> {
    let cancelled = Arc::new(AtomicBool::new(false));
    let mut writer = tokio::task::spawn_blocking({
        let (path, cancelled) = (path.to_owned(), cancelled.clone());
        move || outfile::replace(&path, &bytes, || !cancelled.load(Ordering::SeqCst))
    });
    let mut caught = None;
    let written = loop {
        tokio::select! {
            written = &mut writer => break written,
            interrupted = stop.recv(), if caught.is_none() => {
                cancelled.store(true, Ordering::SeqCst);
                caught = Some(interrupted);
            }
        }
    };
    if let Some(interrupted) = caught {
        return Err(interrupted);
    }
    written
        .map_err(anyhow::Error::from)?
        .map_err(|e| write_error(path, &e))
}

/// SIGINT and SIGTERM, caught instead of ending the process.
struct Interrupts {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Interrupts {
    /// Installs the handlers; needs the runtime's context.
    fn install() -> std::io::Result<Interrupts> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Interrupts {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Interrupts {})
    }

    /// The next signal, as the error that ends the run.
    async fn recv(&mut self) -> AppError {
        const SIGINT: u8 = 2;
        #[cfg(unix)]
        {
            const SIGTERM: u8 = 15;
            tokio::select! {
                _ = self.interrupt.recv() => AppError::Interrupted { name: "SIGINT", signal: SIGINT },
                _ = self.terminate.recv() => AppError::Interrupted { name: "SIGTERM", signal: SIGTERM },
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            AppError::Interrupted {
                name: "Ctrl-C",
                signal: SIGINT,
            }
        }
    }
}

fn providers_text() -> String {
    let mut out = String::from("Keys every profile takes:\n");
    for (key, help) in COMMON_KEYS {
        out.push_str(&format!("  {key:<22} {help}\n"));
    }
    for p in REGISTRY {
        out.push_str(&format!("\n{}  {}\n", p.name, p.about));
        for k in p.key_rows() {
            let mut tags = Vec::new();
            if k.required {
                tags.push("required".to_owned());
            }
            if k.secret {
                tags.push("secret".to_owned());
            }
            if let Some(choices) = k.choices {
                tags.push(format!("one of: {}", choices.join(", ")));
            }
            let tags = if tags.is_empty() {
                String::new()
            } else {
                format!(" ({})", tags.join("; "))
            };
            out.push_str(&format!("  {:<22} {}{}\n", k.name, k.help, tags));
        }
        for rule in p.rule_texts() {
            out.push_str(&format!("  {:<22} {rule}\n", ""));
        }
    }
    out
}

fn providers_json() -> String {
    #[derive(Serialize)]
    struct Provider {
        name: &'static str,
        about: &'static str,
        keys: Vec<crate::kit::provider::KeyRow>,
        rules: Vec<String>,
    }
    let list: Vec<Provider> = REGISTRY
        .iter()
        .map(|p| Provider {
            name: p.name,
            about: p.about,
            keys: p.key_rows(),
            rules: p.rule_texts(),
        })
        .collect();
    serde_json::to_string_pretty(&list).expect("serialisable") + "\n"
}

fn profiles_table(config: &Config) -> String {
    use crate::output::table;
    let header = [
        "PROFILE",
        "PROVIDER",
        "BASE URL",
        "MIN BALANCE",
        "SECRETS",
        "STATUS",
    ];
    let mut rows: Vec<Vec<String>> = Vec::new();
    for e in &config.profiles {
        let row = match &e.profile {
            Ok(p) => {
                let secrets: Vec<String> =
                    p.secrets.iter().map(|(k, d)| format!("{k}: {d}")).collect();
                [
                    e.name.clone(),
                    e.provider.clone(),
                    p.adapter.base_url().to_string(),
                    p.min_balance.map_or("-".into(), |m| m.to_string()),
                    secrets.join(", "),
                    "ok".into(),
                ]
            }
            Err(message) => [
                e.name.clone(),
                e.provider.clone(),
                "-".into(),
                "-".into(),
                "-".into(),
                format!("config error: {message}"),
            ],
        };
        // Provider names, paths and config errors are the user's text, echoed.
        rows.push(row.iter().map(|cell| crate::text::line(cell)).collect());
    }
    table::wrap_rows(&header, &mut rows, output::terminal_width(), &[2, 4, 5]);
    let mut t = table::plain(&header);
    for row in rows {
        t.add_row(row);
    }
    table::finish(&t)
}

fn profiles_json(config: &Config) -> String {
    #[derive(Serialize)]
    struct Row<'a> {
        profile: &'a str,
        provider: &'a str,
        base_url: Option<String>,
        min_balance: Option<Box<serde_json::value::RawValue>>,
        secrets: std::collections::BTreeMap<&'a str, &'a str>,
        error: Option<&'a str>,
    }
    let rows: Vec<Row> = config
        .profiles
        .iter()
        .map(|e| {
            let ok = e.profile.as_ref().ok();
            Row {
                profile: &e.name,
                provider: &e.provider,
                base_url: ok.map(|p| p.adapter.base_url().to_string()),
                min_balance: ok
                    .and_then(|p| p.min_balance)
                    .map(crate::money::json_number),
                secrets: ok
                    .map(|p| {
                        p.secrets
                            .iter()
                            .map(|(k, d)| (k.as_str(), d.as_str()))
                            .collect()
                    })
                    .unwrap_or_default(),
                error: e.profile.as_ref().err().map(String::as_str),
            }
        })
        .collect();
    serde_json::to_string_pretty(&rows).expect("serialisable") + "\n"
}

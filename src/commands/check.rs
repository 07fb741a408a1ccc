//! `balance check`: arguments and config resolved into a `CheckPlan`, then the
//! plan run: check, render, write.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use rust_decimal::Decimal;

use super::{emit, use_color, write_error};
use crate::check::{Overrides, Runner};
use crate::cli::{CheckArgs, ColorWhen};
use crate::config::{Config, ProfileEntry};
use crate::error::{AppError, CheckError, Exit};
use crate::http::Http;
use crate::outfile;
use crate::output::nagios::{State, Thresholds};
use crate::output::{self, Format, Style};
use crate::pipeline;
use crate::result::{CheckResult, Status};

/// Everything a check run needs, validated: the work below reads only this.
pub struct CheckPlan {
    pub config: Config,
    /// Indices into `config.profiles`, in output order, each once.
    pub selected: Vec<usize>,
    /// `--totals`: JSON with per-currency totals.
    pub totals: bool,
    /// Results named `profile/label` on the command line: of those profiles,
    /// only these are shown (a profile named bare shows all of its own).
    pub only: Vec<String>,
    pub format: Format,
    pub thresholds: Thresholds,
    pub min: Option<Decimal>,
    /// `--min-days`: overrides each profile's `min_days`.
    pub min_days: Option<f64>,
    /// Record the run in the history store and forecast from it (SPEC §10);
    /// not for `--no-history` nor the demo.
    pub history: bool,
    /// Send `[[alerts]]` on state changes (SPEC §12); not for `--no-alerts`
    /// nor the demo.
    pub alerts: bool,
    pub timeout: Option<Duration>,
    /// `--retries`, over `[settings] retries`.
    pub retries: Option<u32>,
    /// `--deadline`: the whole run's bound.
    pub deadline: Option<Duration>,
    pub output: Option<PathBuf>,
    pub color: bool,
    /// Where Yeastar tokens are cached; `None` caches nothing.
    pub cache_dir: Option<PathBuf>,
}

impl CheckPlan {
    /// `check`'s arguments against the config; every usage and config error that
    /// can be found before a request is found here.
    pub fn resolve(
        args: &CheckArgs,
        config: Config,
        color: ColorWhen,
        cache_dir: Option<PathBuf>,
    ) -> Result<CheckPlan, AppError> {
        let (selected, only) = select(&config, &args.profiles)?;
        let format = args.format();
        if format != Format::Nagios && (args.warning.is_some() || args.critical.is_some()) {
            return Err(AppError::Usage(
                "-w/--warning and -c/--critical are Nagios ranges: use them with --format nagios"
                    .into(),
            ));
        }
        if args.totals && format != Format::Json {
            return Err(AppError::Usage(
                "--totals shapes JSON: use it with --json (the table always shows totals)".into(),
            ));
        }
        if format == Format::Value && selected.len() != 1 {
            return Err(AppError::Usage(format!(
                "--value needs exactly one profile, got {}; name one: balance check PROFILE --value",
                selected.len()
            )));
        }
        // A target `-o` must not replace is refused before any vendor is called.
        if let Some(path) = &args.output {
            outfile::check(path).map_err(|e| write_error(path, &e))?;
        }
        Ok(CheckPlan {
            config,
            selected,
            only,
            totals: args.totals,
            format,
            thresholds: args.thresholds(),
            min: args.min,
            min_days: args.min_days,
            history: !args.no_history,
            alerts: !args.no_alerts,
            timeout: args.timeout,
            retries: args.retries,
            deadline: args.deadline,
            color: use_color(color, args.output.as_deref()),
            output: args.output.clone(),
            cache_dir,
        })
    }
}

/// The profiles named on the command line (each once, in that order), or all of
/// them in file order. An unknown name fails before any request.
/// The profiles `names` ask for, and the `profile/label` results among them.
fn select(config: &Config, names: &[String]) -> Result<(Vec<usize>, Vec<String>), AppError> {
    if config.profiles.is_empty() {
        return Err(no_profiles(config));
    }
    if names.is_empty() {
        return Ok(((0..config.profiles.len()).collect(), Vec::new()));
    }
    let mut selected = Vec::new();
    let mut only = Vec::new();
    for name in names {
        // No profile name holds `/`: what follows names one of its results.
        let (profile, label) = match name.split_once('/') {
            Some((p, l)) => (p, Some(l)),
            None => (name.as_str(), None),
        };
        let index = config
            .profiles
            .iter()
            .position(|p| p.name == profile)
            .ok_or_else(|| {
                let known: Vec<&str> = config.profiles.iter().map(|p| p.name.as_str()).collect();
                let hint = crate::kit::keys::did_you_mean(profile, known.iter().copied());
                AppError::Config(format!(
                    "unknown profile `{}`{hint} (configured in {}: {})",
                    crate::text::line(profile),
                    config.path.display(),
                    known.join(", ")
                ))
            })?;
        if !selected.contains(&index) {
            selected.push(index);
        }
        if label.is_some() && !only.contains(name) {
            only.push(name.clone());
        }
    }
    // A profile also named bare shows all of its results.
    only.retain(|n| {
        !names
            .iter()
            .any(|b| n.split('/').next() == Some(b.as_str()))
    });
    Ok((selected, only))
}

/// `results` as `only` narrows them: a profile asked for by `profile/label`
/// shows those results alone, and a label it did not give is an error result.
fn narrow(results: Vec<CheckResult>, only: &[String], config: &Config) -> Vec<CheckResult> {
    if only.is_empty() {
        return results;
    }
    let parent = |n: &str| n.split('/').next().unwrap_or(n).to_owned();
    let narrowed: Vec<String> = only.iter().map(|n| parent(n)).collect();
    let mut out: Vec<CheckResult> = results
        .into_iter()
        .filter(|r| !narrowed.contains(&parent(&r.profile)) || only.contains(&r.profile))
        .collect();
    for name in only {
        if out.iter().any(|r| r.profile == *name) {
            continue;
        }
        let p = parent(name);
        let Some(entry) = config.entry(&p) else {
            continue;
        };
        // Its profile's own failure already stands for it.
        if out.iter().any(|r| r.profile == p) {
            continue;
        }
        out.push(CheckResult {
            profile: crate::text::line(name),
            provider: crate::text::line(&entry.provider),
            min_balance: None,
            outcome: Err(CheckError::config(format!(
                "profile `{p}` gave no result `{}`",
                crate::text::line(name)
            ))),
            checked_at: SystemTime::now(),
            duration: Duration::ZERO,
            min_days: None,
            forecast: None,
        });
    }
    out
}

/// An installed binary has no config.example.toml to point to; it has `providers`.
pub(super) fn no_profiles(config: &Config) -> AppError {
    AppError::Config(format!(
        "{}: no profiles configured; add a [profiles.NAME] table \
         (`balance providers` lists each provider's keys)",
        config.path.display()
    ))
}

/// Checks the plan's profiles, writes the output; the exit code (SPEC §5, or
/// Nagios's).
pub fn run(plan: CheckPlan) -> Result<u8, AppError> {
    let config = &plan.config;
    let entries: Vec<&ProfileEntry> = plan.selected.iter().map(|&i| &config.profiles[i]).collect();
    let http = Http::new(plan.retries.unwrap_or(config.settings.retries))?;
    let runner = Runner {
        http: &http,
        settings: &config.settings,
        secret_env: &config.secret_env,
        cache_dir: plan.cache_dir.clone(),
        overrides: Overrides {
            min: plan.min,
            min_days: plan.min_days,
            timeout: plan.timeout,
        },
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)?;
    let outcome = check_and_write(&runtime, &plan, &runner, &entries);
    // A DNS lookup abandoned at its timeout may still be running on a blocking
    // thread; waiting for it would make a timed-out run hang after all.
    runtime.shutdown_background();
    outcome
}

/// Why a run stopped before every profile was checked.
enum Stop {
    Deadline,
    Signal(AppError),
}

fn check_and_write(
    runtime: &tokio::runtime::Runtime,
    plan: &CheckPlan,
    runner: &Runner,
    entries: &[&ProfileEntry],
) -> Result<u8, AppError> {
    // SIGINT and SIGTERM are caught for the whole run, before any `-o` temporary
    // file can exist: an interrupted run says how far it got and shows what it
    // fetched, and no signal lands between creating that file and renaming or
    // removing it.
    let mut signals = {
        let _context = runtime.enter();
        Interrupts::install().map_err(anyhow::Error::from)?
    };
    let began = SystemTime::now();
    let (finished, stopped) = runtime.block_on(async {
        let deadline = async {
            match plan.deadline {
                Some(d) => tokio::time::sleep(d).await,
                None => std::future::pending().await,
            }
        };
        let stop = async {
            tokio::select! {
                () = deadline => Stop::Deadline,
                signal = signals.recv() => Stop::Signal(signal),
            }
        };
        runner.run_until(entries, stop).await
    });
    let checked = finished.iter().filter(|r| r.is_some()).count();

    let interrupted = match stopped {
        Some(Stop::Signal(AppError::Interrupted { name, signal })) => {
            let word = match name {
                "SIGINT" => "interrupted".to_owned(),
                other => format!("interrupted by {other}"),
            };
            Some((
                format!("{word}: {checked} of {} profiles checked", entries.len()),
                128 + signal,
            ))
        }
        Some(Stop::Signal(other)) => return Err(other),
        _ => None,
    };
    // An interrupted run leaves the unfinished profiles out: no answer is not
    // an error of theirs. Past the deadline they are network errors: the
    // vendor did not answer in the time the run was given.
    let deadline = plan.deadline.unwrap_or_default();
    let results = crate::check::flatten(finished, |i| {
        interrupted
            .is_none()
            .then(|| unfinished(plan, entries[i], deadline, began))
    });

    let mut results = narrow(results, &plan.only, &plan.config);
    if plan.format == Format::Value && results.len() != 1 && interrupted.is_none() {
        let names: Vec<&str> = results.iter().map(|r| r.profile.as_str()).collect();
        return Err(AppError::Usage(format!(
            "--value needs exactly one result, got {}: {}; name one: balance check PROFILE/LABEL --value",
            results.len(),
            crate::text::clean(&names.join(", "), 200)
        )));
    }

    // History (SPEC §10): forecasts, and with them min_days, before anything is
    // rendered or an exit status chosen. The alerts owed are decided now and
    // delivered once the output is written.
    let targets: &[crate::config::AlertTarget] = if plan.alerts {
        &plan.config.alerts
    } else {
        &[]
    };
    let pipeline::Decided {
        deliveries,
        last_success,
    } = pipeline::record_and_decide(runner.settings, targets, &mut results, plan.history);
    // The textfile's last-success gauge keeps a failing profile's earlier success.
    let last_success: output::prometheus::LastSuccess = if plan.format == Format::Prometheus {
        last_success
    } else {
        Default::default()
    };

    if plan.format == Format::Nagios
        && let Some((line, _)) = &interrupted
    {
        emit(output::nagios::unknown(line).as_bytes())?;
        deliver(runtime, plan, deliveries, &mut signals)?;
        return Ok(State::Unknown.code());
    }
    // The table and the Nagios line show each failure and low balance
    // themselves; elsewhere stderr has to say it, so that a cron mail names
    // the account.
    let shown = matches!(plan.format, Format::Table | Format::Nagios) && plan.output.is_none();
    if !shown {
        for r in &results {
            match (&r.outcome, r.status()) {
                (Err(e), _) => crate::log::line(format_args!("{}: {}", r.profile, e.message)),
                (Ok(balance), Status::Low) => crate::log::line(format_args!(
                    "{}: LOW (min {}): {}{}",
                    r.profile,
                    r.min_balance.unwrap_or_default(),
                    balance.amount,
                    balance
                        .currency
                        .as_deref()
                        .map_or(String::new(), |c| format!(" {c}"))
                )),
                _ => {}
            }
        }
    }
    if let Some((line, code)) = interrupted {
        // With -o the file is left as it was: a run cut short does not replace
        // a whole one that a collector reads.
        if plan.output.is_none() {
            emit(&render(plan, &results, &last_success))?;
        }
        crate::log::line(format_args!("{line}"));
        deliver(runtime, plan, deliveries, &mut signals)?;
        return Ok(code);
    }
    let bytes = render(plan, &results, &last_success);
    match &plan.output {
        Some(path) => runtime.block_on(write_file(path, bytes, &mut signals))?,
        None => emit(&bytes)?,
    }
    deliver(runtime, plan, deliveries, &mut signals)?;
    Ok(if plan.format == Format::Nagios {
        plan.thresholds.overall(&results).code()
    } else {
        Exit::combine(results.iter().map(|r| r.exit())).code()
    })
}

fn render(
    plan: &CheckPlan,
    results: &[CheckResult],
    last_success: &output::prometheus::LastSuccess,
) -> Vec<u8> {
    let style = Style {
        color: plan.color,
        width: plan.output.is_none().then(output::terminal_width).flatten(),
        totals: plan.totals,
    };
    output::render(plan.format, results, style, &plan.thresholds, last_success)
}

/// Alerts (SPEC §12), after the output: every target at once within the
/// alert budget; a failure is a warning, never the exit status. SIGINT or
/// SIGTERM gives up on them at once, with the signal's status.
fn deliver(
    runtime: &tokio::runtime::Runtime,
    plan: &CheckPlan,
    deliveries: Vec<crate::alerts::Delivery>,
    signals: &mut Interrupts,
) -> Result<(), AppError> {
    if deliveries.is_empty() {
        return Ok(());
    }
    let config = &plan.config;
    let pending = deliveries.len();
    runtime.block_on(async {
        tokio::select! {
            warnings = pipeline::deliver(&config.settings, &config.alerts, &config.secret_env, deliveries) => {
                for w in warnings {
                    crate::log::line(format_args!("{w}"));
                }
                Ok(())
            }
            interrupted = signals.recv() => {
                crate::log::line(format_args!("{pending} alerts given up: interrupted"));
                Err(interrupted)
            }
        }
    })
}

/// A profile the deadline cut short, reported as a network error (exit 7).
fn unfinished(
    plan: &CheckPlan,
    entry: &ProfileEntry,
    deadline: Duration,
    began: SystemTime,
) -> CheckResult {
    let min_balance = plan
        .min
        .or_else(|| entry.profile.as_ref().ok().and_then(|p| p.min_balance));
    CheckResult {
        profile: crate::text::line(&entry.name),
        provider: crate::text::line(&entry.provider),
        min_balance,
        outcome: Err(CheckError::network(format!(
            "not finished within the {} deadline",
            crate::fmt_duration(deadline)
        ))),
        checked_at: began,
        duration: deadline,
        min_days: plan
            .min_days
            .or_else(|| entry.profile.as_ref().ok().and_then(|p| p.min_days)),
        forecast: None,
    }
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

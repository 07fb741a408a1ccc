//! `balance history [PROFILE]...` and `balance history import FILE.csv`: the
//! store read back, or filled from a file.

use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::cli::{HistoryAction, HistoryArgs, HistoryFormat, Since};
use crate::config::{self, Settings};
use crate::error::AppError;
use crate::output;

use crate::history::summary::{self, Summary};
use crate::history::{Store, StoreError, csv, micros};

/// The table looks back this far unless told otherwise.
const TABLE_SINCE: Duration = Duration::from_secs(30 * 86_400);

pub fn run(config_flag: Option<&Path>, args: &HistoryArgs) -> Result<u8, AppError> {
    let (settings, order) = settings(config_flag)?;
    // Without a config in use every recorded profile is the config's.
    let all = args.all || order.is_none();
    let order = order.unwrap_or_default();
    let path = settings.history.path().ok_or_else(|| {
        AppError::Config(
            "history is off (`history = false` in [settings]); nothing is recorded".into(),
        )
    })?;
    match &args.action {
        Some(HistoryAction::Import { file, .. }) => import(&path, file)?,
        Some(HistoryAction::Forget { profile, yes, .. }) => forget(&path, profile, *yes)?,
        None if args.format == HistoryFormat::Csv => export_csv(&path, &order, all, args)?,
        None => {
            let text = show(&path, &settings, &order, all, args)?;
            match &args.output {
                Some(out) => crate::outfile::replace(out, text.as_bytes(), || true)
                    .map_err(|e| super::write_error(out, &e))?,
                None => super::emit(text.as_bytes())?,
            }
        }
    }
    Ok(crate::error::Exit::Ok.code())
}

/// The config's settings and profile order when there is a config file; the
/// defaults when there is none (history needs no credentials).
fn settings(flag: Option<&Path>) -> Result<(Settings, Option<Vec<String>>), AppError> {
    let path = config::locate(flag)?;
    if flag.is_none() && !path.exists() {
        return Ok((Settings::default(), None));
    }
    let config = config::load(&path)?;
    let order = config.profiles.iter().map(|p| p.name.clone()).collect();
    Ok((config.settings, Some(order)))
}

/// `history forget PROFILE`: one profile's rows removed, after a yes from
/// the person at the terminal or `--yes`; never silently from a script.
fn forget(path: &Path, profile: &str, yes: bool) -> Result<(), AppError> {
    use std::io::{BufRead, IsTerminal, Write};
    if Store::open_read(path).map_err(store_error)?.is_none() {
        crate::log::line(format_args!(
            "no history recorded yet (store: {})",
            path.display()
        ));
        return Ok(());
    }
    let mut store = Store::open(path).map_err(store_error)?;
    let rows = store.count_of(profile).map_err(store_error)?;
    if rows == 0 {
        crate::log::line(format_args!(
            "nothing recorded for {profile}; nothing removed"
        ));
        return Ok(());
    }
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(AppError::Usage(format!(
                "history forget removes {rows} rows of {profile} for good: \
                 pass --yes when not run from a terminal"
            )));
        }
        eprint!(
            "balance: remove all {rows} recorded rows of {profile} from {}? [y/N] ",
            path.display()
        );
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            crate::log::line(format_args!("nothing removed"));
            return Ok(());
        }
    }
    let gone = store.forget(profile).map_err(store_error)?;
    crate::log::line(format_args!("removed {gone} rows of {profile}"));
    Ok(())
}

fn show(
    path: &Path,
    settings: &Settings,
    order: &[String],
    all: bool,
    args: &HistoryArgs,
) -> Result<String, AppError> {
    let store = Store::open_read(path).map_err(store_error)?;
    let now = micros(SystemTime::now());
    let since = match (args.since, args.format) {
        (Some(Since::All), _) | (None, HistoryFormat::Json | HistoryFormat::Csv) => None,
        (Some(Since::Age(age)), _) => Some(age),
        (None, HistoryFormat::Table) => Some(TABLE_SINCE),
    };
    let from =
        since.map(|age| now.saturating_sub(i64::try_from(age.as_micros()).unwrap_or(i64::MAX)));
    // A profile's `profile/label` results follow it.
    let recorded = match &store {
        Some(store) => store.profiles().map_err(store_error)?,
        None => Vec::new(),
    };
    let order = &crate::history::with_results(order, &recorded);
    let profiles = &crate::history::with_results(&args.profiles, &recorded);
    if store.is_none() {
        crate::log::line(format_args!(
            "no history recorded yet (store: {})",
            path.display()
        ));
    }
    match args.format {
        HistoryFormat::Json | HistoryFormat::Csv => {
            let records = match &store {
                Some(store) => {
                    let Some(asked) = asked(profiles, order, all) else {
                        return Ok(empty(args.format));
                    };
                    store.records(&asked, from).map_err(store_error)?
                }
                None => Vec::new(),
            };
            Ok(if args.format == HistoryFormat::Json {
                output::history::json(&records)
            } else {
                output::history::csv(&records)
            })
        }
        HistoryFormat::Table => {
            let width = args.output.is_none().then(output::terminal_width).flatten();
            let Some(store) = store else {
                return Ok(output::history::table(&[], width));
            };
            let names = if profiles.is_empty() {
                // The config's, in its order; with --all, then the other recorded ones.
                let recorded = store.profiles().map_err(store_error)?;
                let mut names: Vec<String> = order
                    .iter()
                    .filter(|n| recorded.contains(n))
                    .cloned()
                    .collect();
                if all {
                    names.extend(recorded.into_iter().filter(|n| !order.contains(n)));
                }
                names
            } else {
                let mut names: Vec<String> = Vec::new();
                for n in profiles {
                    if !names.contains(n) {
                        names.push(n.clone());
                    }
                }
                names
            };
            let window = i64::try_from(settings.forecast_window.as_micros()).unwrap_or(i64::MAX);
            // The forecast reads its own window, however short the period shown.
            let read_from = from.map_or(i64::MIN, |f| f.min(now.saturating_sub(window)));
            let mut summaries: Vec<Summary> = Vec::with_capacity(names.len());
            for name in &names {
                let records = store.records_of(name, read_from).map_err(store_error)?;
                summaries.push(summary::summarize(
                    name,
                    &records,
                    from,
                    now,
                    settings.forecast_window,
                ));
            }
            Ok(output::history::table(&summaries, width))
        }
    }
}

/// The profiles a json or csv listing shows (empty: all); `None` for a
/// config with none.
fn asked(profiles: &[String], order: &[String], all: bool) -> Option<Vec<String>> {
    match (profiles.is_empty(), all) {
        (false, _) | (true, true) => Some(profiles.to_vec()),
        // The config's profiles; a config with none shows none.
        (true, false) if order.is_empty() => None,
        (true, false) => Some(order.to_vec()),
    }
}

/// The csv export, streamed from the store to stdout or `-o`: one record in
/// memory at a time, whatever the store's size.
fn export_csv(
    path: &Path,
    order: &[String],
    all: bool,
    args: &HistoryArgs,
) -> Result<(), AppError> {
    let store = Store::open_read(path).map_err(store_error)?;
    if store.is_none() {
        crate::log::line(format_args!(
            "no history recorded yet (store: {})",
            path.display()
        ));
    }
    let now = micros(SystemTime::now());
    let from = args.since.and_then(|s| match s {
        Since::All => None,
        Since::Age(age) => {
            Some(now.saturating_sub(i64::try_from(age.as_micros()).unwrap_or(i64::MAX)))
        }
    });
    let recorded = match &store {
        Some(store) => store.profiles().map_err(store_error)?,
        None => Vec::new(),
    };
    let asked = asked(
        &crate::history::with_results(&args.profiles, &recorded),
        &crate::history::with_results(order, &recorded),
        all,
    );
    let write = |out: &mut dyn std::io::Write| -> std::io::Result<()> {
        let mut csv = csv::Writer::new(out);
        if let (Some(store), Some(asked)) = (&store, &asked) {
            store
                .each_record(asked, from, |r| csv.row(r))
                .map_err(|e| std::io::Error::other(e.to_string()))??;
        }
        csv.finish().map(drop)
    };
    match &args.output {
        Some(out) => crate::outfile::replace_with(out, write, || true)
            .map_err(|e| super::write_error(out, &e)),
        None => match write(&mut std::io::BufWriter::new(std::io::stdout().lock())) {
            // A closed pipe (`| head`) is not an error.
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                Err(anyhow::anyhow!("cannot write to stdout: {e}").into())
            }
            _ => Ok(()),
        },
    }
}

fn empty(format: HistoryFormat) -> String {
    if format == HistoryFormat::Json {
        output::history::json(&[])
    } else {
        output::history::csv(&[])
    }
}

fn import(path: &Path, file: &Path) -> Result<(), AppError> {
    let shown = file.display();
    // Any size: read as it comes, each row inserted as read, in one transaction.
    let (input, _) = crate::fsafe::open_regular(file, None, true)
        .map_err(|e| anyhow::anyhow!("{}", e.message("import file", file)))?;
    let mut store = Store::open(path).map_err(store_error)?;
    let done = store
        .import_with(|each| csv::read_each(input, each))
        .map_err(store_error)?
        .map_err(|m| anyhow::anyhow!("{shown}: {m}; nothing was imported"))?;
    crate::log::line(format_args!(
        "imported {} rows into {} ({} already recorded, skipped)",
        done.added,
        path.display(),
        done.skipped
    ));
    Ok(())
}

fn store_error(e: StoreError) -> AppError {
    anyhow::anyhow!("{e}").into()
}

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
    let path = settings.history.path().ok_or_else(|| {
        AppError::Config(
            "history is off (`history = false` in [settings]); nothing is recorded".into(),
        )
    })?;
    match &args.action {
        Some(HistoryAction::Import { file, .. }) => import(&path, file)?,
        None if args.format == HistoryFormat::Csv => export_csv(&path, args)?,
        None => {
            let text = show(&path, &settings, &order, args)?;
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
fn settings(flag: Option<&Path>) -> Result<(Settings, Vec<String>), AppError> {
    let path = config::locate(flag)?;
    if flag.is_none() && !path.exists() {
        return Ok((Settings::default(), Vec::new()));
    }
    let config = config::load(&path)?;
    let order = config.profiles.iter().map(|p| p.name.clone()).collect();
    Ok((config.settings, order))
}

fn show(
    path: &Path,
    settings: &Settings,
    order: &[String],
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
    if store.is_none() {
        crate::log::line(format_args!(
            "no history recorded yet (store: {})",
            path.display()
        ));
    }
    match args.format {
        HistoryFormat::Json | HistoryFormat::Csv => {
            let records = match &store {
                Some(store) => store.records(&args.profiles, from).map_err(store_error)?,
                None => Vec::new(),
            };
            Ok(if args.format == HistoryFormat::Json {
                output::history::json(&records)
            } else {
                output::history::csv(&records)
            })
        }
        HistoryFormat::Table => {
            let Some(store) = store else {
                return Ok(output::history::table(&[]));
            };
            let names = if args.profiles.is_empty() {
                // Config order first, then profiles recorded but no longer configured.
                let recorded = store.profiles().map_err(store_error)?;
                let mut names: Vec<String> = order
                    .iter()
                    .filter(|n| recorded.contains(n))
                    .cloned()
                    .collect();
                names.extend(recorded.into_iter().filter(|n| !order.contains(n)));
                names
            } else {
                let mut names: Vec<String> = Vec::new();
                for n in &args.profiles {
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
            Ok(output::history::table(&summaries))
        }
    }
}

/// The csv export, streamed from the store to stdout or `-o`: one record in
/// memory at a time, whatever the store's size.
fn export_csv(path: &Path, args: &HistoryArgs) -> Result<(), AppError> {
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
    let write = |out: &mut dyn std::io::Write| -> std::io::Result<()> {
        let mut csv = csv::Writer::new(out);
        if let Some(store) = &store {
            store
                .each_record(&args.profiles, from, |r| csv.row(r))
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

//! `balance report [-o FILE.html] [PROFILE]...`: the status page drawn from the
//! history store alone. No vendor is called: each card is the profile's latest
//! recorded check, its forecast computed at that check as `check` computed it.

use std::collections::HashMap;
use std::path::Path;
use std::time::SystemTime;

use rust_decimal::Decimal;

use crate::cli::{ReportArgs, Since};
use crate::config::{self, Settings};
use crate::error::{AppError, CheckError, ErrorKind};
use crate::history::{Record, Store, StoreError, forecast, micros, system_time};
use crate::kit::Balance;
use crate::result::{CheckResult, Status};

/// What the report reads of the config.
struct Configured {
    settings: Settings,
    /// Profile names, in the file's order.
    order: Vec<String>,
    thresholds: HashMap<String, Thresholds>,
    /// Whether a config file is in use (without one, every recorded profile is shown).
    configured: bool,
}

/// What the config says of a profile that the store does not keep.
#[derive(Default, Clone, Copy)]
struct Thresholds {
    min_balance: Option<Decimal>,
    min_days: Option<f64>,
}

pub fn run(config_flag: Option<&Path>, args: &ReportArgs) -> Result<u8, AppError> {
    let Configured {
        settings,
        order,
        thresholds,
        configured,
    } = read_config(config_flag)?;
    let path = settings.history.path().ok_or_else(|| {
        AppError::Config(
            "history is off (`history = false` in [settings]); there is nothing to report".into(),
        )
    })?;
    if let Some(out) = &args.output {
        crate::outfile::check(out).map_err(|e| super::write_error(out, &e))?;
    }
    let now = SystemTime::now();
    let store = Store::open_read(&path).map_err(store_error)?;
    if store.is_none() {
        crate::log::line(format_args!(
            "no history recorded yet (store: {})",
            path.display()
        ));
    }
    let names = names(
        store.as_ref(),
        &order,
        &args.profiles,
        args.all || !configured,
    )?;
    let now_us = micros(now);
    let from = match args.since {
        Since::All => i64::MIN,
        Since::Age(age) => {
            now_us.saturating_sub(i64::try_from(age.as_micros()).unwrap_or(i64::MAX))
        }
    };
    let window = i64::try_from(settings.forecast_window.as_micros()).unwrap_or(i64::MAX);

    let mut results = Vec::new();
    let mut history = HashMap::new();
    let mut pending = Vec::new();
    for name in names {
        let Some(store) = &store else {
            pending.push(name);
            continue;
        };
        let read_from = from.min(now_us.saturating_sub(window));
        let mut records = store.records_of(&name, read_from).map_err(store_error)?;
        if records.is_empty() {
            // Checked, but not lately: the card still shows the last state.
            records = store.records_of(&name, i64::MIN).map_err(store_error)?;
            records.drain(..records.len().saturating_sub(1));
        }
        // The forecast reads the window before the last check, as `check` did then.
        if let Some(last) = records.last() {
            let wanted = last.checked_at.saturating_sub(window);
            if wanted < read_from {
                records = store.records_of(&name, wanted).map_err(store_error)?;
            }
        }
        let Some(last) = records.last() else {
            pending.push(name);
            continue;
        };
        let points = Record::points(&records);
        // A `profile/label` result is judged by its profile's thresholds
        // (the config's overrides name vendor ids, which the store has not).
        let t = thresholds
            .get(&name)
            .or_else(|| thresholds.get(name.split('/').next().unwrap_or(&name)))
            .copied()
            .unwrap_or_default();
        let mut result = result_of(last, t);
        if result.outcome.is_ok() {
            result.forecast =
                forecast::forecast(&points, last.checked_at, settings.forecast_window);
        }
        let shown = points.into_iter().filter(|p| p.at >= from).collect();
        history.insert(name, shown);
        results.push(result);
    }

    let page = crate::output::page::render(&results, &history, &pending, now);
    match &args.output {
        Some(out) => crate::outfile::replace(out, page.as_bytes(), || true)
            .map_err(|e| super::write_error(out, &e))?,
        None => super::emit(page.as_bytes())?,
    }
    Ok(crate::error::Exit::Ok.code())
}

/// The settings, profile order and thresholds of the config when there is one;
/// the defaults when there is none (the store needs no credentials).
fn read_config(flag: Option<&Path>) -> Result<Configured, AppError> {
    let path = config::locate(flag)?;
    if flag.is_none() && !path.exists() {
        return Ok(Configured {
            settings: Settings::default(),
            order: Vec::new(),
            thresholds: HashMap::new(),
            configured: false,
        });
    }
    let config = config::load(&path)?;
    let order = config.profiles.iter().map(|p| p.name.clone()).collect();
    let thresholds = config
        .profiles
        .iter()
        .filter_map(|p| {
            let profile = p.profile.as_ref().ok()?;
            Some((
                p.name.clone(),
                Thresholds {
                    min_balance: profile.min_balance,
                    min_days: profile.min_days,
                },
            ))
        })
        .collect();
    Ok(Configured {
        settings: config.settings,
        order,
        thresholds,
        configured: true,
    })
}

/// The profiles asked for, or the config's (recorded or not), and with `all`
/// (or no config in use) every other recorded one after them.
fn names(
    store: Option<&Store>,
    order: &[String],
    asked: &[String],
    all: bool,
) -> Result<Vec<String>, AppError> {
    let mut names: Vec<String> = Vec::new();
    // A profile's `profile/label` results follow it.
    let recorded = match store {
        Some(store) => store.profiles().map_err(store_error)?,
        None => Vec::new(),
    };
    let order = &crate::history::with_results(order, &recorded);
    let asked = &crate::history::with_results(asked, &recorded);
    if asked.is_empty() {
        names.extend(order.iter().cloned());
        if let Some(store) = store
            && all
        {
            for n in store.profiles().map_err(store_error)? {
                if !names.contains(&n) {
                    names.push(n);
                }
            }
        }
    } else {
        for n in asked {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
    }
    Ok(names)
}

/// A recorded check as the result it was: judged by the thresholds recorded
/// with it (a row from before they were kept is LOW by today's only if it
/// was recorded LOW), failed with the vendor's message as recorded.
fn result_of(r: &Record, today: Thresholds) -> CheckResult {
    let recorded = r.min_balance.is_some() || r.min_days.is_some();
    let t = match (recorded, r.status) {
        (true, _) => Thresholds {
            min_balance: r.min_balance,
            min_days: r.min_days,
        },
        (false, Status::Low) => today,
        (false, _) => Thresholds::default(),
    };
    let outcome = match (r.status, r.balance) {
        (Status::Ok | Status::Low, Some(amount)) => Ok(Balance::new(amount, r.currency.clone())),
        _ => {
            let kind = r.error_kind.unwrap_or(ErrorKind::Provider);
            Err(CheckError::new(
                kind,
                r.message.as_deref().map(crate::text::line).unwrap_or_else(|| format!(
                    "The last recorded check failed ({}); balance check {} shows the vendor's answer.",
                    kind.as_str().replace('_', " "),
                    crate::text::line(&r.profile)
                )),
            ))
        }
    };
    CheckResult {
        profile: crate::text::line(&r.profile),
        provider: crate::text::line(&r.provider),
        min_balance: t.min_balance,
        outcome,
        checked_at: system_time(r.checked_at),
        duration: std::time::Duration::from_millis(
            r.duration_ms
                .and_then(|d| u64::try_from(d).ok())
                .unwrap_or(0),
        ),
        min_days: t.min_days,
        forecast: None,
    }
}

fn store_error(e: StoreError) -> AppError {
    anyhow::anyhow!("{e}").into()
}

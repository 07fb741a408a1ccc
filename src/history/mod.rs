//! History (SPEC §10): every check recorded in an embedded SQLite store, the
//! forecast computed from it, and the csv interface that moves it between
//! machines. Nothing here prints; failures come back as [`StoreError`] for the
//! caller to turn into its one warning line.

pub mod csv;
pub mod forecast;
pub mod store;
pub mod summary;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rust_decimal::Decimal;

use crate::error::ErrorKind;
use crate::result::Status;

pub use crate::result::Point;
pub use store::{Store, StoreError};

/// One recorded check, as stored and as exported.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Record {
    /// Microseconds since the Unix epoch, UTC.
    pub checked_at: i64,
    pub profile: String,
    pub provider: String,
    pub status: Status,
    /// Exact; `None` for a failed check.
    pub balance: Option<Decimal>,
    pub currency: Option<String>,
    pub error_kind: Option<ErrorKind>,
    pub duration_ms: Option<i64>,
    /// The thresholds the status was judged by, as they were then: a report
    /// shows the status recorded, not one judged by today's config.
    pub min_balance: Option<Decimal>,
    pub min_days: Option<f64>,
    /// The vendor's short message for a failure, as the result carried it
    /// (cleaned of secrets by `check::finalize`). Not in the csv interface.
    pub message: Option<String>,
}

impl Record {
    /// The fetched balances among `records`, as the forecast and the charts read them.
    pub fn points(records: &[Record]) -> Vec<Point> {
        records
            .iter()
            .filter_map(|r| {
                Some(Point {
                    at: r.checked_at,
                    balance: r.balance?,
                    currency: r.currency.as_deref().map(Arc::from),
                })
            })
            .collect()
    }
}

pub const MICROS_PER_DAY: i64 = 86_400_000_000;

/// `names` with, after each, the recorded results it has under its name
/// (`profile/label`: subaccounts, per-currency balances), sorted.
pub fn with_results(names: &[String], recorded: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(names.len());
    for n in names {
        if out.contains(n) {
            continue;
        }
        out.push(n.clone());
        let mut each: Vec<&String> = recorded
            .iter()
            .filter(|r| r.split_once('/').is_some_and(|(p, _)| p == n))
            .collect();
        each.sort();
        out.extend(each.into_iter().filter(|r| !names.contains(r)).cloned());
    }
    out
}

pub fn micros(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_micros()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

pub fn system_time(micros: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_micros(u64::try_from(micros).unwrap_or(0))
}

/// RFC 3339 UTC with as many fraction digits as the time has (none for whole
/// seconds), so an imported `…:25Z` exports as `…:25Z` again.
pub fn format_time(micros: i64) -> String {
    let t = system_time(micros);
    if micros % 1_000_000 == 0 {
        return humantime::format_rfc3339_seconds(t).to_string();
    }
    let text = humantime::format_rfc3339_micros(t).to_string();
    let body = text.trim_end_matches('Z').trim_end_matches('0');
    format!("{body}Z")
}

/// RFC 3339 in UTC (`Z`), any number of fraction digits up to microseconds.
pub fn parse_time(text: &str) -> Result<i64, String> {
    let t = humantime::parse_rfc3339(text).map_err(|_| {
        format!(
            "`{}` is not an RFC 3339 UTC time such as 2026-11-22T08:19:25Z",
            crate::text::clean(text, 40)
        )
    })?;
    let d = t
        .duration_since(UNIX_EPOCH)
        .map_err(|_| "times before 1970 are not recorded".to_owned())?;
    if d.subsec_nanos() % 1000 != 0 {
        return Err(format!(
            "`{}` is more precise than a microsecond",
            crate::text::clean(text, 40)
        ));
    }
    i64::try_from(d.as_micros()).map_err(|_| "time out of range".to_owned())
}

/// The history step of a `check`: forecasts each fetched result from its
/// recorded window (this check included), records the run in one transaction
/// and prunes what is older than `history_days`. A store that cannot be used
/// costs one warning line and no forecasts; it never changes the output's
/// shape or the exit status. Returns the open store, for the alerts that keep
/// their last states in it.
pub fn record_run(
    settings: &crate::config::Settings,
    results: &mut [crate::result::CheckResult],
) -> Option<Store> {
    let path = settings.history.path()?;
    let started = std::time::Instant::now();
    let mut store = match Store::open(&path) {
        Ok(store) => store,
        Err(e) => {
            warn(&e);
            return None;
        }
    };
    let window = i64::try_from(settings.forecast_window.as_micros()).unwrap_or(i64::MAX);
    let mut records = Vec::with_capacity(results.len());
    for r in results.iter_mut() {
        let record = Record::of(r);
        if let (Some(balance), true) = (record.balance, r.outcome.is_ok()) {
            match store.current_segment(&r.profile, record.checked_at.saturating_sub(window)) {
                Ok(mut points) => {
                    points.push(Point {
                        at: record.checked_at,
                        balance,
                        currency: record.currency.as_deref().map(Arc::from),
                    });
                    r.forecast =
                        forecast::forecast(&points, record.checked_at, settings.forecast_window);
                }
                Err(e) => {
                    warn(&e);
                    return None;
                }
            }
        }
        records.push(record);
    }
    // The status (and so the record) depends on the forecast through min_days.
    for (record, r) in records.iter_mut().zip(results.iter()) {
        record.status = r.status();
    }
    let now = records
        .iter()
        .map(|r| r.checked_at)
        .max()
        .unwrap_or_default();
    let written = store.record(&records).and_then(|()| {
        store.prune(now.saturating_sub(i64::from(settings.history_days) * MICROS_PER_DAY))
    });
    if let Err(e) = written {
        warn(&e);
        return None;
    }
    crate::debug!(
        1,
        "history: {} recorded in {}",
        records.len(),
        crate::fmt_duration(started.elapsed())
    );
    Some(store)
}

/// The one line a store that cannot be used costs.
pub fn warn(e: &StoreError) {
    crate::log::line(format_args!(
        "warning: {e} (history not recorded; the check itself is unaffected)"
    ));
}

impl Record {
    /// What a check leaves in the store.
    pub fn of(r: &crate::result::CheckResult) -> Record {
        let balance = r.outcome.as_ref().ok();
        Record {
            checked_at: micros(r.checked_at),
            profile: r.profile.clone(),
            provider: r.provider.clone(),
            status: r.status(),
            balance: balance.map(|b| b.amount),
            currency: balance.and_then(|b| b.currency.clone()),
            error_kind: r.outcome.as_ref().err().map(|e| e.kind),
            duration_ms: i64::try_from(r.duration.as_millis()).ok(),
            min_balance: r.min_balance,
            min_days: r.min_days,
            message: r.outcome.as_ref().err().map(|e| e.message.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_with_their_precision() {
        for text in [
            "2026-11-22T08:19:25Z",
            "2026-11-22T08:19:25.5Z",
            "2026-11-22T08:19:25.123456Z",
            "1970-01-01T00:00:00Z",
        ] {
            assert_eq!(format_time(parse_time(text).unwrap()), text);
        }
        assert_eq!(
            format_time(parse_time("2026-11-22T08:19:25.100Z").unwrap()),
            "2026-11-22T08:19:25.1Z"
        );
        assert!(parse_time("2026-11-22 08:19:25").is_err());
        assert!(parse_time("2026-11-22T08:19:25.1234567Z").is_err());
        assert!(parse_time("").is_err());
    }
}

//! `balance history`'s table: one profile's records reduced to what a person
//! reads at a glance.

use std::time::Duration;

use rust_decimal::Decimal;

use super::{Point, Record, forecast};
use crate::result::Forecast;

#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub profile: String,
    pub provider: String,
    /// The latest fetched balance in the period, and its currency.
    pub last: Option<Decimal>,
    pub currency: Option<String>,
    pub min: Option<Decimal>,
    pub max: Option<Decimal>,
    /// Records in the period, failed checks included.
    pub checks: usize,
    pub forecast: Option<Forecast>,
    /// The balance over the period, `SPARK_WIDTH` characters.
    pub sparkline: String,
}

pub const SPARK_WIDTH: usize = 24;
const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// `records`: one profile's, oldest first, from at least `from` (earlier ones
/// feed the forecast only). The period is `from..=now`; `None` means since the
/// first record.
pub fn summarize(
    profile: &str,
    records: &[Record],
    from: Option<i64>,
    now: i64,
    window: Duration,
) -> Summary {
    let points = Record::points(records);
    let from = from.unwrap_or_else(|| records.first().map_or(now, |r| r.checked_at));
    let period: Vec<&Point> = points.iter().filter(|p| p.at >= from).collect();
    let last = period.last();
    Summary {
        profile: profile.to_owned(),
        provider: records
            .last()
            .map(|r| r.provider.clone())
            .unwrap_or_default(),
        last: last.map(|p| p.balance),
        currency: last.and_then(|p| p.currency.as_deref().map(str::to_owned)),
        min: period.iter().map(|p| p.balance).min(),
        max: period.iter().map(|p| p.balance).max(),
        checks: records.iter().filter(|r| r.checked_at >= from).count(),
        forecast: forecast::forecast(&points, now, window),
        sparkline: sparkline(&period, from, now),
    }
}

/// The last balance of each of `SPARK_WIDTH` equal stretches of time, scaled
/// between the period's min and max; blank before the first reading.
fn sparkline(points: &[&Point], from: i64, to: i64) -> String {
    let (Some(min), Some(max)) = (
        points.iter().map(|p| p.balance).min(),
        points.iter().map(|p| p.balance).max(),
    ) else {
        return String::new();
    };
    let span = (to - from).max(1) as i128;
    let mut buckets: [Option<Decimal>; SPARK_WIDTH] = [None; SPARK_WIDTH];
    for p in points {
        let i =
            ((p.at - from) as i128 * SPARK_WIDTH as i128 / span).clamp(0, SPARK_WIDTH as i128 - 1);
        buckets[i as usize] = Some(p.balance);
    }
    // A stretch without a reading shows the balance last seen before it.
    for i in 1..SPARK_WIDTH {
        if buckets[i].is_none() {
            buckets[i] = buckets[i - 1];
        }
    }
    let range = max - min;
    buckets
        .iter()
        .map(|b| match b {
            None => ' ',
            Some(_) if range.is_zero() => LEVELS[3],
            Some(v) => {
                let level = ((*v - min) * Decimal::from(LEVELS.len() - 1) / range)
                    .round()
                    .try_into()
                    .unwrap_or(0usize);
                LEVELS[level.min(LEVELS.len() - 1)]
            }
        })
        .collect::<String>()
        .trim_end()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000_000;

    fn rec(at: i64, balance: Option<i64>) -> Record {
        Record {
            checked_at: at,
            profile: "a".into(),
            provider: "infobip".into(),
            status: if balance.is_some() {
                crate::result::Status::Ok
            } else {
                crate::result::Status::Error
            },
            balance: balance.map(Decimal::from),
            currency: balance.map(|_| "EUR".into()),
            error_kind: balance
                .is_none()
                .then_some(crate::error::ErrorKind::Network),
            duration_ms: None,
            ..Record::default()
        }
    }

    #[test]
    fn summary_of_a_falling_balance() {
        let mut records: Vec<Record> = (0..24).map(|h| rec(h * HOUR, Some(240 - h * 10))).collect();
        records.push(rec(24 * HOUR, None));
        let now = 24 * HOUR;
        let s = summarize(
            "a",
            &records,
            Some(0),
            now,
            Duration::from_secs(14 * 86_400),
        );
        assert_eq!(s.last, Some(Decimal::from(10)));
        assert_eq!(
            (s.min, s.max),
            (Some(Decimal::from(10)), Some(Decimal::from(240)))
        );
        assert_eq!(s.checks, 25);
        assert_eq!(s.currency.as_deref(), Some("EUR"));
        let f = s.forecast.unwrap();
        assert!((f.spend_per_day - 240.0).abs() < 1e-6, "{f:?}");
        assert_eq!(s.sparkline.chars().next(), Some('█'));
        assert_eq!(s.sparkline.chars().last(), Some('▁'));
        assert_eq!(s.sparkline.chars().count(), SPARK_WIDTH);
    }

    #[test]
    fn flat_and_empty() {
        let records: Vec<Record> = (0..3).map(|h| rec(h * HOUR, Some(5))).collect();
        let s = summarize("a", &records, None, 3 * HOUR, Duration::from_secs(86_400));
        assert!(
            s.sparkline.chars().all(|c| c == '▄' || c == ' '),
            "{}",
            s.sparkline
        );
        assert_eq!(s.forecast, None);
        let s = summarize("a", &[], None, 0, Duration::from_secs(86_400));
        assert_eq!((s.last, s.checks, s.sparkline.as_str()), (None, 0, ""));
    }
}

//! When will it run out: the spend rate over the current segment of a profile's
//! balances, and from it the days left. A pure function over points, so that it
//! is tested on synthetic series and computed the same way by `check`,
//! `history` and `serve`.

use std::time::Duration;

use rust_decimal::prelude::ToPrimitive;

use super::MICROS_PER_DAY;
use crate::result::{Forecast, Point};

/// Fewer points than this in the current segment: no forecast.
pub const MIN_POINTS: usize = 3;
/// A segment shorter than this says too little about a daily rate.
pub const MIN_SPAN: Duration = Duration::from_secs(6 * 3600);
/// Beyond this the "forecast" is noise around no spending (and beyond any date
/// worth printing).
const MAX_DAYS: f64 = 100_000.0;

/// The forecast at `now` from `points` (oldest first), reading those within
/// `window` before `now`.
///
/// The current segment starts after the last rise (a top-up) or change of
/// currency; within it the spend rate is the least-squares slope of balance
/// over time, so no single odd reading decides it. The days left count from
/// the latest balance at that rate.
pub fn forecast(points: &[Point], now: i64, window: Duration) -> Option<Forecast> {
    let window = i64::try_from(window.as_micros()).unwrap_or(i64::MAX);
    let from = now.saturating_sub(window);
    let start = points.partition_point(|p| p.at < from);
    let end = points.partition_point(|p| p.at <= now);
    let points = points.get(start..end)?;
    let last = points.last()?;

    let mut seg = points.len() - 1;
    while seg > 0 {
        let (before, here) = (&points[seg - 1], &points[seg]);
        if here.balance > before.balance || here.currency != before.currency {
            break;
        }
        seg -= 1;
    }
    let segment = &points[seg..];
    if segment.len() < MIN_POINTS {
        return None;
    }
    let first = &segment[0];
    let span = last.at - first.at;
    if span < MIN_SPAN.as_micros() as i64 {
        return None;
    }

    // f64 for the rate only: balances reported stay exact elsewhere.
    let xs: Vec<f64> = segment
        .iter()
        .map(|p| (p.at - first.at) as f64 / MICROS_PER_DAY as f64)
        .collect();
    let ys: Vec<f64> = segment
        .iter()
        .map(|p| p.balance.to_f64())
        .collect::<Option<_>>()?;
    let n = xs.len() as f64;
    let mx = xs.iter().sum::<f64>() / n;
    let my = ys.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (x, y) in xs.iter().zip(&ys) {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
    }
    let spend_per_day = -(sxy / sxx);
    if !spend_per_day.is_finite() || spend_per_day <= 0.0 {
        return None;
    }

    let latest = last.balance.to_f64()?;
    let from_last = (latest / spend_per_day).max(0.0);
    if from_last > MAX_DAYS {
        return None;
    }
    let empty_at = last.at + (from_last * MICROS_PER_DAY as f64).round() as i64;
    let days_left = ((empty_at - now) as f64 / MICROS_PER_DAY as f64).max(0.0);
    Some(Forecast {
        spend_per_day,
        days_left,
        empty_at,
    })
}

/// For output: a rate or a number of days with `places` decimals, as a plain number.
pub fn rounded(value: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (value * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000_000;
    const T0: i64 = 1_795_335_565_000_000;
    const WINDOW: Duration = Duration::from_secs(14 * 86_400);

    fn point(hours: f64, balance: f64) -> Point {
        Point {
            at: T0 + (hours * HOUR as f64) as i64,
            balance: rust_decimal::Decimal::from_f64_retain(balance)
                .unwrap()
                .round_dp(6),
            currency: Some("EUR".into()),
        }
    }

    fn series(f: impl Fn(f64) -> f64, hours: std::ops::Range<i64>, step: i64) -> Vec<Point> {
        hours
            .step_by(step as usize)
            .map(|h| point(h as f64, f(h as f64)))
            .collect()
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn linear_spend() {
        // 1000 at hour 0, 12.5 a day, hourly readings for two days.
        let points = series(|h| 1000.0 - 12.5 * h / 24.0, 0..49, 1);
        let now = points.last().unwrap().at;
        let f = forecast(&points, now, WINDOW).unwrap();
        assert!(close(f.spend_per_day, 12.5, 1e-6), "{f:?}");
        // 975 left at 12.5 a day.
        assert!(close(f.days_left, 78.0, 1e-4), "{f:?}");
        assert!(
            (f.empty_at - (now + 78 * 24 * HOUR)).abs() < 1_000_000,
            "{f:?}"
        );
    }

    #[test]
    fn a_top_up_starts_a_new_segment() {
        // Spend 24 a day, topped up at hour 30 from ~970 to 2000, then 48 a day.
        let mut points = series(|h| 1000.0 - h, 0..30, 1);
        points.extend(series(|h| 2000.0 - 2.0 * (h - 30.0), 30..60, 2));
        let now = points.last().unwrap().at;
        let f = forecast(&points, now, WINDOW).unwrap();
        assert!(close(f.spend_per_day, 48.0, 1e-6), "{f:?}");
        let latest = 2000.0 - 2.0 * 28.0;
        assert!(close(f.days_left, latest / 48.0, 1e-4), "{f:?}");
    }

    #[test]
    fn just_after_a_top_up_there_is_no_forecast() {
        let mut points = series(|h| 1000.0 - h, 0..48, 1);
        points.push(point(48.0, 5000.0));
        points.push(point(49.0, 4999.0));
        let now = points.last().unwrap().at;
        assert_eq!(
            forecast(&points, now, WINDOW),
            None,
            "2 points since the top-up"
        );
    }

    #[test]
    fn noisy_spend_follows_the_trend() {
        // Hourly spend varies (0 to 2x the mean of 1/h), never negative.
        let mut balance = 500.0;
        let mut points = Vec::new();
        for h in 0..(24 * 7) {
            points.push(point(h as f64, balance));
            let wobble = ((h * 7919) % 13) as f64 / 6.0; // 0..2, mean ~1
            balance -= wobble;
        }
        let now = points.last().unwrap().at;
        let f = forecast(&points, now, WINDOW).unwrap();
        assert!(close(f.spend_per_day, 24.0, 1.0), "{f:?}");
        let latest = points.last().unwrap().balance.to_f64().unwrap();
        assert!(close(f.days_left, latest / f.spend_per_day, 1e-6));
    }

    #[test]
    fn flat_or_rising_means_no_spending() {
        let flat = series(|_| 100.0, 0..48, 1);
        let now = flat.last().unwrap().at;
        assert_eq!(forecast(&flat, now, WINDOW), None);
        let rising = series(|h| 100.0 + h, 0..48, 1);
        assert_eq!(forecast(&rising, rising.last().unwrap().at, WINDOW), None);
    }

    #[test]
    fn too_short() {
        // Two points, however far apart.
        let two = vec![point(0.0, 100.0), point(48.0, 50.0)];
        assert_eq!(forecast(&two, two[1].at, WINDOW), None);
        // Many points within five hours.
        let short = series(|h| 100.0 - h, 0..6, 1);
        assert_eq!(forecast(&short, short.last().unwrap().at, WINDOW), None);
        // Exactly six hours is enough.
        let six = series(|h| 100.0 - h, 0..7, 1);
        assert!(forecast(&six, six.last().unwrap().at, WINDOW).is_some());
        assert_eq!(forecast(&[], T0, WINDOW), None);
    }

    #[test]
    fn only_the_window_counts() {
        // A steep old stretch, then a gentle one inside the window.
        let mut points = series(|h| 10_000.0 - 10.0 * h, 0..240, 1);
        let at = 240.0 + 24.0 * 20.0;
        let start = 10_000.0 - 2400.0;
        points.extend(series(
            |h| start - (h - at) / 24.0,
            at as i64..(at as i64 + 48),
            1,
        ));
        let now = points.last().unwrap().at;
        let f = forecast(&points, now, Duration::from_secs(3 * 86_400)).unwrap();
        assert!(close(f.spend_per_day, 1.0, 1e-6), "{f:?}");
    }

    #[test]
    fn empty_already_and_later_now() {
        let points = series(|h| 10.0 - h, 0..12, 1); // ends at -1
        let now = points.last().unwrap().at;
        let f = forecast(&points, now, WINDOW).unwrap();
        assert_eq!(f.days_left, 0.0);
        assert_eq!(f.empty_at, now);
        // Asked a day after the last reading: a day less left.
        let points = series(|h| 100.0 - h / 24.0 * 10.0, 0..24, 1);
        let last = points.last().unwrap().at;
        let f = forecast(&points, last + 24 * HOUR, WINDOW).unwrap();
        let latest = 100.0 - 23.0 / 24.0 * 10.0;
        assert!(close(f.days_left, latest / 10.0 - 1.0, 1e-6), "{f:?}");
    }

    #[test]
    fn a_change_of_currency_is_a_new_segment() {
        let mut points = series(|h| 1000.0 - h, 0..24, 1);
        for p in &mut points[20..] {
            p.currency = Some("USD".into());
        }
        let now = points.last().unwrap().at;
        assert_eq!(forecast(&points, now, WINDOW), None);
    }

    #[test]
    fn rounding_for_output() {
        assert_eq!(rounded(3.2449, 2), 3.24);
        assert_eq!(rounded(12.5, 4), 12.5);
    }
}

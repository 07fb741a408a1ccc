//! Renderers: results in, bytes out. None of them prints.

pub mod history;
mod json;
pub mod nagios;
pub mod page;
pub mod prometheus;
pub mod table;

use crate::result::CheckResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people (default).
    Table,
    /// A JSON array, one object per profile.
    Json,
    /// The balance alone; needs exactly one profile.
    Value,
    /// Prometheus text exposition, for node_exporter's textfile collector.
    Prometheus,
    /// A Nagios / Icinga check: one status line with perfdata; exit 0-3.
    Nagios,
}

/// How the table is drawn.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    pub color: bool,
    /// The terminal's width, when stdout is one: the last column wraps to fit.
    /// `None` in a pipe or a file, where lines are never cut.
    pub width: Option<usize>,
    /// `--totals`: JSON becomes `{"results": […], "totals": […]}`.
    pub totals: bool,
}

/// The width of the terminal stdout is, if it is one (`COLUMNS` wins, as
/// `ls` and `gh` let it): `None` for a pipe or a file. The terminal's own size
/// is comfy-table's answer (crossterm's query), not one written here.
pub fn terminal_width() -> Option<usize> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return None;
    }
    if let Some(cols) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c > 0)
    {
        return Some(cols);
    }
    comfy_table::Table::new().width().map(usize::from)
}

pub fn render(
    format: Format,
    results: &[CheckResult],
    style: Style,
    thresholds: &nagios::Thresholds,
    last_success: &prometheus::LastSuccess,
) -> Vec<u8> {
    match format {
        Format::Table => table::render(results, style).into_bytes(),
        Format::Json if style.totals => json::render_with_totals(results).into_bytes(),
        Format::Json => json::render(results).into_bytes(),
        Format::Value => value(results).into_bytes(),
        Format::Prometheus => prometheus::render(results, last_success).into_bytes(),
        Format::Nagios => nagios::render(results, thresholds).into_bytes(),
    }
}

/// The balance's exact digits and a newline; nothing when the check failed.
fn value(results: &[CheckResult]) -> String {
    match results {
        [result] => match &result.outcome {
            Ok(balance) => format!("{}\n", balance.amount),
            Err(_) => String::new(),
        },
        _ => String::new(),
    }
}

/// Why a result is LOW: `min 20`, `empty in 3.2 d`, or both.
pub fn low_reason(r: &CheckResult) -> String {
    let mut reasons = Vec::new();
    if let (Ok(b), Some(min)) = (&r.outcome, r.min_balance)
        && b.amount < min
    {
        reasons.push(format!("min {min}"));
    }
    if r.empties_soon()
        && let Some(days) = days_left(r)
    {
        reasons.push(format!("empty in {days} d"));
    }
    reasons.join("; ")
}

/// Days left with one decimal, as people read it (`3.2`); `None` without a forecast.
pub fn days_left(r: &CheckResult) -> Option<String> {
    r.forecast.map(|f| format!("{:.1}", f.days_left))
}

#[cfg(test)]
pub(crate) mod fixtures {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use crate::error::{CheckError, ErrorKind};
    use crate::kit::Balance;
    use crate::money::parse_decimal;
    use crate::result::CheckResult;

    fn at() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_795_335_565) // 2026-11-22T08:19:25Z
    }

    fn d(text: &str) -> rust_decimal::Decimal {
        parse_decimal(text).unwrap()
    }

    /// Forecasts for infobip (3.8 days at 12.5 a day) and engage (1.1 days, under
    /// its min_days of 2), as `check` fills them in from the history.
    pub fn with_forecasts(results: &mut [CheckResult]) {
        let at = crate::history::micros(at());
        results[0].forecast = Some(crate::result::Forecast {
            spend_per_day: 12.5,
            days_left: 3.823_296,
            empty_at: at + (3.823_296 * 86_400e6) as i64,
        });
        results[2].forecast = Some(crate::result::Forecast {
            spend_per_day: 13.0,
            days_left: 1.1035,
            empty_at: at + (1.1035 * 86_400e6) as i64,
        });
        results[2].min_days = Some(2.0);
    }

    /// One of each status, as the SPEC's example shows.
    pub fn results() -> Vec<CheckResult> {
        let mut engagelab = Balance::new(d("14.3456"), None);
        engagelab.details = vec![
            ("general_balance".into(), d("12.3456")),
            ("gift_balance".into(), d("2")),
        ];
        vec![
            CheckResult {
                profile: "infobip".into(),
                provider: "infobip".into(),
                min_balance: None,
                outcome: Ok(Balance::new(d("47.79134"), Some("EUR".into()))),
                checked_at: at(),
                duration: Duration::from_millis(120),
                min_days: None,
                forecast: None,
            },
            CheckResult {
                profile: "sg".into(),
                provider: "8x8".into(),
                min_balance: None,
                outcome: Err(CheckError {
                    kind: ErrorKind::NotPrepaid,
                    message: "account is not in prepaid mode (HTTP 403, code 1201): Account not in prepaid mode".into(),
                    http_status: Some(403),
                    provider_code: Some("1201".into()),
                }),
                checked_at: at(),
                duration: Duration::from_millis(80),
                min_days: None,
                forecast: None,
            },
            CheckResult {
                profile: "engage".into(),
                provider: "engagelab".into(),
                min_balance: Some(d("20")),
                outcome: Ok(engagelab),
                checked_at: at(),
                duration: Duration::from_millis(95),
                min_days: None,
                forecast: None,
            },
            CheckResult {
                profile: "big".into(),
                provider: "8x8".into(),
                min_balance: Some(d("100.5")),
                outcome: Ok(Balance::new(d("149309.7985931"), Some("USD".into()))),
                checked_at: at(),
                duration: Duration::from_millis(95),
                min_days: None,
                forecast: None,
            },
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_is_exact_digits_or_nothing() {
        let results = fixtures::results();
        assert_eq!(value(&results[3..4]), "149309.7985931\n");
        assert_eq!(value(&results[1..2]), "");
        assert_eq!(value(&results), "");
    }
}

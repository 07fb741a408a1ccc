//! `balance history`: the per-profile table, and every row as json or csv
//! (SPEC §10). Results in, text out.

use comfy_table::{Cell, CellAlignment};
use serde::Serialize;
use serde_json::value::RawValue;

use crate::error::ErrorKind;
use crate::history::summary::Summary;
use crate::history::{Record, format_time};
use crate::money::json_number;

/// The per-profile table; `width` is the terminal's, when there is one to fit.
pub fn table(summaries: &[Summary], width: Option<usize>) -> String {
    use super::table::Fit::{Cut, Keep};
    const PROVIDER: usize = 1;
    const MIN: usize = 4;
    const MAX: usize = 5;
    const CHECKS: usize = 8;
    const TREND: usize = 9;
    let header = [
        "PROFILE",
        "PROVIDER",
        "LAST",
        "CURRENCY",
        "MIN",
        "MAX",
        "SPEND/DAY",
        "DAYS LEFT",
        "CHECKS",
        "TREND",
    ];
    let fits = [Cut, Cut, Keep, Keep, Keep, Keep, Keep, Keep, Keep, Keep];
    let dash = || "-".to_owned();
    let amount = |d: Option<rust_decimal::Decimal>| d.map_or_else(dash, |d| d.to_string());
    let mut rows: Vec<Vec<String>> = summaries
        .iter()
        .map(|s| {
            vec![
                s.profile.clone(),
                if s.provider.is_empty() {
                    dash()
                } else {
                    s.provider.clone()
                },
                amount(s.last),
                s.currency.clone().unwrap_or_else(dash),
                amount(s.min),
                amount(s.max),
                s.forecast.map_or_else(dash, |f| spend(f.spend_per_day)),
                s.forecast
                    .map_or_else(dash, |f| format!("{:.1}", f.days_left)),
                s.checks.to_string(),
                if s.sparkline.is_empty() {
                    dash()
                } else {
                    s.sparkline.clone()
                },
            ]
        })
        .collect();
    if let Some(width) = width
        && !super::table::fits_without_dropping(&header, &rows, &fits, width)
    {
        // Every other stretch, the newest kept: half as wide, the same shape.
        for row in &mut rows {
            if row[TREND].chars().count() > 1 {
                let chars: Vec<char> = row[TREND].chars().collect();
                let start = (chars.len() - 1) % 2;
                row[TREND] = chars[start..].iter().step_by(2).collect();
            }
        }
    }
    // Amounts never cut: the range and the counts go first, then the trend.
    let kept = super::table::fit_rows(
        &header,
        &mut rows,
        width,
        &fits,
        &[MIN, MAX, CHECKS, PROVIDER, TREND],
    );
    let shown: Vec<&str> = kept.iter().map(|&c| header[c]).collect();
    let mut t = super::table::plain(&shown);
    for row in rows {
        t.add_row(row.into_iter().map(Cell::new).collect::<Vec<_>>());
    }
    for (i, &col) in kept.iter().enumerate() {
        if (2..=8).contains(&col)
            && col != 3
            && let Some(column) = t.column_mut(i)
        {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    super::table::finish(&t)
}

/// Four significant decimals at most: a rate, not money.
fn spend(rate: f64) -> String {
    let text = format!("{rate:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[derive(Serialize)]
struct Row<'a> {
    checked_at: String,
    profile: &'a str,
    provider: &'a str,
    status: &'a str,
    balance: Option<Box<RawValue>>,
    currency: Option<&'a str>,
    error_kind: Option<&'a str>,
}

/// Every record, oldest first, with csv's fields; `balance` an exact number.
pub fn json(records: &[Record]) -> String {
    let rows: Vec<Row> = records
        .iter()
        .map(|r| Row {
            checked_at: format_time(r.checked_at),
            profile: &r.profile,
            provider: &r.provider,
            status: r.status.as_str(),
            balance: r.balance.map(json_number),
            currency: r.currency.as_deref(),
            error_kind: r.error_kind.map(ErrorKind::as_str),
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&rows).expect("rows serialise");
    text.push('\n');
    text
}

pub fn csv(records: &[Record]) -> String {
    crate::history::csv::write(records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::summary::summarize;
    use rust_decimal::Decimal;
    use std::time::Duration;

    fn records() -> Vec<Record> {
        (0..12)
            .map(|h| Record {
                checked_at: 1_795_335_565_000_000 + h * 3_600_000_000,
                profile: "infobip".into(),
                provider: "infobip".into(),
                status: crate::result::Status::Ok,
                balance: Some(Decimal::new(10_000 - h * 125, 2)),
                currency: Some("EUR".into()),
                error_kind: None,
                duration_ms: Some(100),
                ..Record::default()
            })
            .collect()
    }

    #[test]
    fn table_snapshot() {
        let r = records();
        let now = r.last().unwrap().checked_at;
        let s = summarize("infobip", &r, None, now, Duration::from_secs(14 * 86_400));
        insta::assert_snapshot!(table(&[s], None), @r"
        PROFILE  PROVIDER   LAST  CURRENCY    MIN     MAX  SPEND/DAY  DAYS LEFT  CHECKS  TREND
        infobip  infobip   86.25  EUR       86.25  100.00         30        2.9      12  ██▇▇▇▇▆▆▅▅▅▅▅▄▄▄▄▃▃▂▂▂▂▁
        ");
    }

    #[test]
    fn json_rows_are_exact() {
        let text = json(&records()[..1]);
        assert!(text.contains("\"balance\": 100.00,"), "{text}");
        assert!(
            text.contains("\"checked_at\": \"2026-11-22T08:19:25Z\""),
            "{text}"
        );
        assert!(text.contains("\"error_kind\": null"), "{text}");
    }
}

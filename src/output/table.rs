//! The default table for people: one row per profile (SPEC §4).

use comfy_table::{Cell, CellAlignment, Table, presets};

use super::Style;
use crate::check::{CheckResult, Status};

/// A borderless table, columns two spaces apart, as `gh` and `kubectl` print them.
pub fn plain(header: &[&str]) -> Table {
    let mut table = Table::new();
    // Colour, when wanted, is written into the cells (comfy-table's custom_styling
    // measures around it), so padding stays outside the escape codes and trims.
    table.load_preset(presets::NOTHING).force_no_tty();
    table.set_header(header);
    let last = header.len().saturating_sub(1);
    for (i, column) in table.column_iter_mut().enumerate() {
        column.set_padding((0, if i == last { 0 } else { 2 }));
    }
    table
}

/// The table as text, without trailing spaces, ending in a newline.
pub fn finish(table: &Table) -> String {
    table.trim_fmt() + "\n"
}

const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const GREEN: &str = "\x1b[32m";
const RESET: &str = "\x1b[0m";

pub fn render(results: &[CheckResult], style: Style) -> String {
    // DAYS LEFT only when there is something to put in it (SPEC §10).
    let forecasts = results.iter().any(|r| r.forecast.is_some());
    let mut header = vec!["PROFILE", "PROVIDER", "BALANCE", "CURRENCY"];
    if forecasts {
        header.push("DAYS LEFT");
    }
    header.push("STATUS");
    let mut table = plain(&header);
    for r in results {
        let balance = r.outcome.as_ref().ok();
        let (status, color) = match (r.status(), &r.outcome) {
            (_, Err(e)) => (e.message.clone(), RED),
            (Status::Low, _) => (format!("LOW ({})", super::low_reason(r)), YELLOW),
            _ => ("ok".to_owned(), GREEN),
        };
        let status = if style.color {
            Cell::new(format!("{color}{status}{RESET}"))
        } else {
            Cell::new(status)
        };
        let mut row = vec![
            Cell::new(&r.profile),
            Cell::new(&r.provider),
            Cell::new(balance.map_or("-".to_owned(), |b| b.amount.to_string())),
            Cell::new(balance.and_then(|b| b.currency.as_deref()).unwrap_or("-")),
        ];
        if forecasts {
            row.push(Cell::new(super::days_left(r).unwrap_or_else(|| "-".into())));
        }
        row.push(status);
        table.add_row(row);
    }
    for i in [2, 4].into_iter().take(1 + usize::from(forecasts)) {
        if let Some(column) = table.column_mut(i) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    finish(&table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixtures;

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(render(&fixtures::results(), Style::default()));
    }

    #[test]
    fn days_left_column_only_with_a_forecast() {
        let mut results = fixtures::results();
        assert!(!render(&results, Style::default()).contains("DAYS LEFT"));
        fixtures::with_forecasts(&mut results);
        insta::assert_snapshot!(render(&results, Style::default()), @r"
        PROFILE  PROVIDER          BALANCE  CURRENCY  DAYS LEFT  STATUS
        infobip  infobip          47.79134  EUR             3.8  ok
        sg       8x8                     -  -                 -  account is not in prepaid mode (HTTP 403, code 1201): Account not in prepaid mode
        engage   engagelab         14.3456  -               1.1  LOW (min 20; empty in 1.1 d)
        big      8x8        149309.7985931  USD               -  ok
        ");
    }

    #[test]
    fn no_escape_codes_without_colour() {
        assert!(!render(&fixtures::results(), Style::default()).contains('\x1b'));
        let coloured = render(&fixtures::results(), Style { color: true });
        assert!(
            coloured.contains("\x1b[33mLOW (min 20)\x1b[0m\n"),
            "{coloured:?}"
        );
        assert!(
            coloured.lines().all(|l| !l.ends_with(' ')),
            "no trailing padding"
        );
    }
}

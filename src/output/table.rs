//! The default table for people: one row per profile (SPEC §4).

use comfy_table::{Cell, CellAlignment, Table, presets};

use super::Style;
use crate::result::{CheckResult, Status};

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

/// Rows of plain text for a table that must fit a terminal: only the columns in
/// `wrap` (a status, a list of secrets, a URL) are wrapped, at spaces where they
/// can be; the others, balances above all, keep every character. `None`: no
/// width to fit (a pipe or a file), nothing changes.
pub fn wrap_rows(header: &[&str], rows: &mut [Vec<String>], width: Option<usize>, wrap: &[usize]) {
    const GAP: usize = 2;
    const NARROWEST: usize = 10;
    let Some(width) = width else { return };
    let widest = |col: usize| {
        rows.iter()
            .map(|r| r[col].lines().map(|l| l.chars().count()).max().unwrap_or(0))
            .chain([header[col].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let fixed: usize = (0..header.len())
        .filter(|c| !wrap.contains(c))
        .map(|c| widest(c) + GAP)
        .sum::<usize>()
        + GAP * wrap.len();
    let budget = width
        .saturating_sub(fixed)
        .saturating_sub(GAP)
        .max(NARROWEST * wrap.len());
    let mut widths: Vec<(usize, usize)> = wrap.iter().map(|&c| (c, widest(c))).collect();
    // Narrow the widest wrapping column first, a character at a time.
    while widths.iter().map(|(_, w)| w).sum::<usize>() > budget {
        let Some(widest) = widths
            .iter_mut()
            .filter(|(_, w)| *w > NARROWEST)
            .max_by_key(|(_, w)| *w)
        else {
            break;
        };
        widest.1 -= 1;
    }
    for row in rows.iter_mut() {
        for &(col, w) in &widths {
            row[col] = wrap_text(&row[col], w);
        }
    }
}

/// Word-wraps `text` at `width` characters; a word longer than that is cut.
fn wrap_text(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let mut word: Vec<char> = word.chars().collect();
        let used = line.chars().count();
        if used > 0 && used + 1 + word.len() <= width {
            line.push(' ');
            line.extend(word);
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut line));
        }
        while word.len() > width {
            lines.push(word.drain(..width).collect());
        }
        line = word.into_iter().collect();
    }
    lines.push(line);
    lines.join("\n")
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
    let status_col = header.len() - 1;
    let mut rows = Vec::with_capacity(results.len());
    let mut colours = Vec::with_capacity(results.len());
    for r in results {
        let balance = r.outcome.as_ref().ok();
        let (status, color) = match (r.status(), &r.outcome) {
            (_, Err(e)) => (e.message.clone(), RED),
            (Status::Low, _) => (format!("LOW ({})", super::low_reason(r)), YELLOW),
            _ => ("ok".to_owned(), GREEN),
        };
        let mut row = vec![
            r.profile.clone(),
            r.provider.clone(),
            balance.map_or("-".to_owned(), |b| b.amount.to_string()),
            balance
                .and_then(|b| b.currency.clone())
                .unwrap_or_else(|| "-".into()),
        ];
        if forecasts {
            row.push(super::days_left(r).unwrap_or_else(|| "-".into()));
        }
        row.push(status);
        rows.push(row);
        colours.push(color);
    }
    // Names wrap too when a terminal is narrow; the balance never does.
    wrap_rows(&header, &mut rows, style.width, &[status_col, 0, 1]);
    let mut table = plain(&header);
    for (mut row, color) in rows.into_iter().zip(colours) {
        let status = row.pop().unwrap_or_default();
        let mut cells: Vec<Cell> = row.into_iter().map(Cell::new).collect();
        cells.push(if style.color {
            // Each wrapped line coloured on its own, so no code spans a line end.
            let lines: Vec<String> = status
                .lines()
                .map(|l| format!("{color}{l}{RESET}"))
                .collect();
            Cell::new(lines.join("\n"))
        } else {
            Cell::new(status)
        });
        table.add_row(cells);
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
        let coloured = render(
            &fixtures::results(),
            Style {
                color: true,
                width: None,
            },
        );
        assert!(
            coloured.contains("\x1b[33mLOW (min 20)\x1b[0m\n"),
            "{coloured:?}"
        );
        assert!(
            coloured.lines().all(|l| !l.ends_with(' ')),
            "no trailing padding"
        );
    }

    /// In a narrow terminal the status wraps under its own column; balances are
    /// never cut, and no line is wider than the terminal.
    #[test]
    fn fits_the_terminal_by_wrapping_the_status() {
        let text = render(
            &fixtures::results(),
            Style {
                color: false,
                width: Some(60),
            },
        );
        assert!(text.lines().all(|l| l.chars().count() <= 60), "{text}");
        assert!(text.contains("149309.7985931"), "{text}");
        let status_col = text.lines().next().unwrap().find("STATUS").unwrap();
        let wrapped: Vec<&str> = text
            .lines()
            .filter(|l| l.len() > status_col && l[..status_col].trim().is_empty())
            .collect();
        assert!(!wrapped.is_empty(), "the long error wraps: {text}");
        assert_eq!(
            wrap_text("credentials rejected (HTTP 401)", 12),
            "credentials\nrejected\n(HTTP 401)"
        );
        assert_eq!(wrap_text("abcdefghij", 4), "abcd\nefgh\nij");
    }
}

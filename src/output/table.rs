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

/// How a column gives up width when a table must fit a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// Never narrowed: amounts, currencies, counts.
    Keep,
    /// Cut at the end with `…` (names, URLs): one line per row stays scannable.
    Cut,
    /// Wrapped at spaces (messages); a word wider than the column ends in `…`
    /// rather than being split across lines.
    Wrap,
}

const GAP: usize = 2;
/// Below this a cut name or a wrapped message stops being readable.
const NARROWEST: usize = 8;
/// How a table gives up width, in turn: names down to a recognisable length,
/// then messages down to a comfortable one, then both to the narrowest. A
/// column's header is never cut.
const STAGES: [(Fit, usize); 6] = [
    (Fit::Cut, 16),
    (Fit::Wrap, 24),
    (Fit::Cut, 12),
    (Fit::Wrap, 16),
    (Fit::Cut, NARROWEST),
    (Fit::Wrap, NARROWEST),
];
/// Narrower than this, a column in `drop` goes rather than the others shrinking.
const COMFORTABLE_CUT: usize = 10;
const COMFORTABLE_WRAP: usize = 20;

/// Fits plain-text rows to a terminal `width` wide, narrowing `Cut` and `Wrap`
/// columns in `STAGES`, widest first within a stage; the columns in `drop` go
/// first, in that order, while the rest could not fit at a comfortable width.
/// `None`: no width to fit (a pipe or a file), nothing changes, so a script
/// never reads a cut word. Returns the indices of the columns kept.
pub fn fit_rows(
    header: &[&str],
    rows: &mut [Vec<String>],
    width: Option<usize>,
    fits: &[Fit],
    drop: &[usize],
) -> Vec<usize> {
    let mut kept: Vec<usize> = (0..header.len()).collect();
    let Some(width) = width else { return kept };
    let widest = |col: usize| widest(header, rows, col);
    let at_least = |col: usize, floor: usize| at_least(header, rows, col, floor);
    let comfortable = |col: usize| comfortable(header, rows, fits, col);
    let total = |widths: &mut dyn Iterator<Item = usize>, n: usize| {
        widths.sum::<usize>() + GAP * n.saturating_sub(1)
    };
    for &col in drop {
        if total(&mut kept.iter().map(|&c| comfortable(c)), kept.len()) <= width {
            break;
        }
        kept.retain(|&c| c != col);
    }
    let mut widths: Vec<(usize, usize)> = kept.iter().map(|&c| (c, widest(c))).collect();
    for (fit, floor) in STAGES {
        while total(&mut widths.iter().map(|(_, w)| *w), widths.len()) > width {
            let Some(narrowed) = widths
                .iter_mut()
                .filter(|(c, w)| fits[*c] == fit && *w > at_least(*c, floor))
                .max_by_key(|(_, w)| *w)
            else {
                break;
            };
            narrowed.1 -= 1;
        }
    }
    for row in rows.iter_mut() {
        for &(col, w) in &widths {
            row[col] = match fits[col] {
                Fit::Keep => continue,
                Fit::Cut => row[col]
                    .lines()
                    .map(|l| cut(l, w))
                    .collect::<Vec<_>>()
                    .join("\n"),
                Fit::Wrap => wrap_text(&row[col], w),
            };
        }
        let mut col = 0;
        row.retain(|_| {
            col += 1;
            kept.contains(&(col - 1))
        });
    }
    kept
}

fn widest(header: &[&str], rows: &[Vec<String>], col: usize) -> usize {
    rows.iter()
        .map(|r| r[col].lines().map(|l| l.chars().count()).max().unwrap_or(0))
        .chain([header[col].chars().count()])
        .max()
        .unwrap_or(0)
}

/// Column `col` narrowed to `floor`, but never below its header, nor widened.
fn at_least(header: &[&str], rows: &[Vec<String>], col: usize, floor: usize) -> usize {
    widest(header, rows, col).min(header[col].chars().count().max(floor))
}

/// The width column `col` is still comfortable to read at.
fn comfortable(header: &[&str], rows: &[Vec<String>], fits: &[Fit], col: usize) -> usize {
    match fits[col] {
        Fit::Keep => widest(header, rows, col),
        Fit::Cut => at_least(header, rows, col, COMFORTABLE_CUT),
        Fit::Wrap => at_least(header, rows, col, COMFORTABLE_WRAP),
    }
}

/// Whether the table fits `width` with every column at least comfortably wide.
pub fn fits_without_dropping(
    header: &[&str],
    rows: &[Vec<String>],
    fits: &[Fit],
    width: usize,
) -> bool {
    (0..header.len())
        .map(|c| comfortable(header, rows, fits, c))
        .sum::<usize>()
        + GAP * header.len().saturating_sub(1)
        <= width
}

/// `text` in at most `width` characters, ending in `…` when something was cut.
fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Word-wraps `text` at `width` characters, at spaces only: a word longer than
/// that is cut with `…`, never split over two lines.
pub fn wrap_text(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let word = cut(word, width);
        let used = line.chars().count();
        if used > 0 && used + 1 + word.chars().count() <= width {
            line.push(' ');
            line.push_str(&word);
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut line));
        }
        line = word;
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
    // A total per currency and unit kind, where two or more rows make one.
    for t in crate::result::totals(results)
        .into_iter()
        .filter(|t| t.results > 1)
    {
        let mut row = vec![
            "total".to_owned(),
            // Credits and messages are summed per vendor: name it.
            match &t.provider {
                Some(p) => format!("{p}, {} results", t.results),
                None => format!("{} results", t.results),
            },
            t.amount.to_string(),
            t.currency,
        ];
        if forecasts {
            row.push(String::new());
        }
        row.push(String::new());
        rows.push(row);
        colours.push("");
    }
    // Names are cut and the status wrapped when a terminal is narrow; the
    // balance, its currency and the days left never are.
    let mut fits = vec![Fit::Cut, Fit::Cut, Fit::Keep, Fit::Keep, Fit::Keep];
    fits.truncate(status_col);
    fits.push(Fit::Wrap);
    // The provider is often the profile's own name; it goes first when narrow.
    let kept = fit_rows(&header, &mut rows, style.width, &fits, &[1]);
    let header: Vec<&str> = kept.iter().map(|&c| header[c]).collect();
    let mut table = plain(&header);
    for (mut row, color) in rows.into_iter().zip(colours) {
        let status = row.pop().unwrap_or_default();
        let mut cells: Vec<Cell> = row.into_iter().map(Cell::new).collect();
        cells.push(if style.color && !status.is_empty() {
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
    for (i, name) in header.iter().enumerate() {
        if matches!(*name, "BALANCE" | "DAYS LEFT")
            && let Some(column) = table.column_mut(i)
        {
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
                totals: false,
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
                totals: false,
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
        assert_eq!(wrap_text("abcdefghij", 4), "abc…");
        assert_eq!(wrap_text("a bcdefghij c", 4), "a\nbcd…\nc");
        assert_eq!(cut("infobip-bad-credentials", 10), "infobip-b…");
        assert_eq!(cut("infobip", 10), "infobip");
    }
}

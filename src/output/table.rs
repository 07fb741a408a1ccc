//! The default table for people: one row per profile (SPEC §4).

use comfy_table::{Cell, CellAlignment, Color, Table, presets};

use super::Style;
use crate::check::{CheckResult, Status};

/// A borderless table, columns two spaces apart, as `gh` and `kubectl` print them.
pub fn plain(header: &[&str], color: bool) -> Table {
    let mut table = Table::new();
    table.load_preset(presets::NOTHING);
    if color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
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

pub fn render(results: &[CheckResult], style: Style) -> String {
    let mut table = plain(
        &["PROFILE", "PROVIDER", "BALANCE", "CURRENCY", "STATUS"],
        style.color,
    );
    for r in results {
        let balance = r.outcome.as_ref().ok();
        let (status, color) = match (r.status(), &r.outcome) {
            (_, Err(e)) => (e.message.clone(), Color::Red),
            (Status::Low, _) => (
                format!("LOW (min {})", r.min_balance.unwrap_or_default()),
                Color::Yellow,
            ),
            _ => ("ok".to_owned(), Color::Green),
        };
        let mut status = Cell::new(status);
        if style.color {
            status = status.fg(color);
        }
        table.add_row(vec![
            Cell::new(&r.profile),
            Cell::new(&r.provider),
            Cell::new(balance.map_or("-".to_owned(), |b| b.amount.to_string())),
            Cell::new(balance.and_then(|b| b.currency.as_deref()).unwrap_or("-")),
            status,
        ]);
    }
    if let Some(column) = table.column_mut(2) {
        column.set_cell_alignment(CellAlignment::Right);
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
    fn no_escape_codes_without_colour() {
        assert!(!render(&fixtures::results(), Style::default()).contains('\x1b'));
        let coloured = render(&fixtures::results(), Style { color: true });
        assert!(coloured.contains('\x1b'));
    }
}

//! The status page (SPEC §11): one self-contained HTML document, the same for
//! `balance report` and `serve`'s `/`. Inline CSS and SVG only, so that it reads
//! offline, attached to a mail, with scripts blocked. Every outside string goes
//! through [`esc`]; amounts are printed from their Decimals, and only the chart's
//! pixel coordinates are computed in f64.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::SystemTime;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::history::{MICROS_PER_DAY, micros};
use crate::result::{CheckResult, Point, Status};

/// The one HTML escape: text and attribute values alike.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `2026-11-23 14:00 UTC`: what a person reads on a page.
fn when(at: i64) -> String {
    let text = humantime::format_rfc3339_seconds(crate::history::system_time(at)).to_string();
    match (text.get(..10), text.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time} UTC"),
        _ => text,
    }
}

fn day(at: i64) -> String {
    when(at).get(..10).unwrap_or_default().to_owned()
}

/// A span of time as people say it: `5 hours`, `14 days`.
fn span(micros: i64) -> String {
    let hours = micros / 3_600_000_000;
    if micros < MICROS_PER_DAY {
        return format!("{} hour{}", hours, if hours == 1 { "" } else { "s" });
    }
    let days = (micros + MICROS_PER_DAY / 2) / MICROS_PER_DAY;
    format!("{} day{}", days, if days == 1 { "" } else { "s" })
}

/// The page for `results` (one card each), their recorded balances in
/// `history` (by profile, oldest first) and the profiles in `pending`, which
/// have no check recorded yet. Cards go worst first: failing, low, ok, pending;
/// in the order given within each.
pub fn render(
    results: &[CheckResult],
    history: &HashMap<String, Vec<Point>>,
    pending: &[String],
    now: SystemTime,
) -> String {
    render_refreshing(results, history, pending, now, None)
}

/// The page as [`render`] makes it, asking the browser to load it again every
/// `refresh` seconds when given (`serve`'s page: the file `report` writes stays
/// as it is). Written in place: the page of a thousand cards is 3 MiB, and a
/// copy to insert one line was as much again at each render.
pub fn render_refreshing(
    results: &[CheckResult],
    history: &HashMap<String, Vec<Point>>,
    pending: &[String],
    now: SystemTime,
    refresh: Option<u32>,
) -> String {
    let mut order: Vec<&CheckResult> = results.iter().collect();
    order.sort_by_key(|r| match r.status() {
        Status::Error => 0,
        Status::Low => 1,
        Status::Ok => 2,
    });
    let count = |s: Status| results.iter().filter(|r| r.status() == s).count();
    let mut parts = Vec::new();
    for (n, word) in [
        (count(Status::Low), "low"),
        (count(Status::Error), "failing"),
        (count(Status::Ok), "ok"),
        (pending.len(), "not checked yet"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {word}"));
        }
    }
    if parts.is_empty() {
        parts.push("no profiles".to_owned());
    }
    let latest = results.iter().map(|r| micros(r.checked_at)).max();
    let summary = match latest {
        Some(at) => format!("{} — checked {}", parts.join(", "), when(at)),
        None => parts.join(", "),
    };
    let worst = if count(Status::Error) > 0 {
        "error"
    } else if count(Status::Low) > 0 {
        "low"
    } else {
        "ok"
    };

    let mut page = String::with_capacity(4096 + 3072 * (results.len() + pending.len()));
    page.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n");
    if let Some(seconds) = refresh {
        let _ = writeln!(page, "<meta http-equiv=\"refresh\" content=\"{seconds}\">");
    }
    page.push_str("<meta charset=\"utf-8\">\n");
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    page.push_str("<meta name=\"color-scheme\" content=\"light dark\">\n");
    let _ = writeln!(page, "<title>Balances: {}</title>", esc(&summary));
    page.push_str(CSS);
    page.push_str("</head>\n<body>\n<header>\n<h1>Balances</h1>\n");
    let _ = writeln!(
        page,
        "<p class=\"summary {worst}\" role=\"status\">{}</p>\n</header>\n<main class=\"cards\">",
        esc(&summary)
    );
    let empty = Vec::new();
    for (i, r) in order.iter().enumerate() {
        card(&mut page, i, r, history.get(&r.profile).unwrap_or(&empty));
    }
    for (j, name) in pending.iter().enumerate() {
        let _ = writeln!(
            page,
            "<section class=\"card pending\" aria-labelledby=\"p-{n}\">\n\
             <h2 id=\"p-{n}\">{name}</h2>\n\
             <p class=\"status\">No check recorded yet</p>\n</section>",
            n = order.len() + j,
            name = esc(name),
        );
    }
    let _ = writeln!(
        page,
        "</main>\n<footer><p>Made by <code>balance</code> at {}. Amounts are the vendors' exact figures; \
         days left are a forecast from the recorded spending.</p></footer>\n</body>\n</html>",
        when(micros(now))
    );
    page
}

fn card(page: &mut String, i: usize, r: &CheckResult, points: &[Point]) {
    let status = r.status();
    let class = r.status().as_str();
    let (status_text, balance_html) = match (&r.outcome, status) {
        (Err(e), _) => (
            format!("Failing: {}", e.kind.as_str().replace('_', " ")),
            "<span class=\"none\">no balance</span>".to_owned(),
        ),
        (Ok(b), s) => {
            let text = if s == Status::Low {
                format!("Low ({})", super::low_reason(r))
            } else {
                "OK".to_owned()
            };
            let currency = b.currency.as_deref().unwrap_or("");
            (
                text,
                format!(
                    "<span class=\"amount\">{}</span>{}",
                    b.amount,
                    if currency.is_empty() {
                        String::new()
                    } else {
                        format!(" <span class=\"currency\">{}</span>", esc(currency))
                    }
                ),
            )
        }
    };
    let _ = writeln!(
        page,
        "<section class=\"card {class}\" aria-labelledby=\"p-{i}\">\n\
         <h2 id=\"p-{i}\">{name} <span class=\"provider\">{provider}</span></h2>\n\
         <p class=\"status\"><span class=\"badge\">{status}</span></p>\n\
         <p class=\"balance\">{balance_html}</p>",
        name = esc(&r.profile),
        provider = esc(&r.provider),
        status = esc(&status_text),
    );
    if let Err(e) = &r.outcome {
        let _ = writeln!(page, "<p class=\"message\">{}</p>", esc(&e.message));
    }
    page.push_str("<dl>\n");
    let days = match (r.forecast, r.outcome.is_ok()) {
        (Some(f), true) => format!(
            "{} (empty about {})",
            super::days_left(r).unwrap_or_default(),
            day(f.empty_at)
        ),
        _ => "no forecast".to_owned(),
    };
    let _ = writeln!(page, "<dt>Days left</dt><dd>{}</dd>", esc(&days));
    if let Some(min) = r.min_balance {
        let _ = writeln!(page, "<dt>Minimum</dt><dd>{min}</dd>");
    }
    let _ = writeln!(
        page,
        "<dt>Checked</dt><dd>{}</dd>\n</dl>",
        when(micros(r.checked_at))
    );
    chart(page, i, r, points);
    page.push_str("</section>\n");
}

/// At most two points per time bucket (the lowest and the highest, in time
/// order) plus the first and the last: the same shape, drops and top-ups
/// included, from far fewer points. Series of up to `2 * buckets` points come
/// back whole.
pub fn thin<'a>(points: &[&'a Point], buckets: usize) -> Vec<&'a Point> {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Vec::new();
    };
    if points.len() <= 2 * buckets.max(1) {
        return points.to_vec();
    }
    let span = i128::from(last.at) - i128::from(first.at) + 1;
    let bucket = |p: &Point| (i128::from(p.at) - i128::from(first.at)) * buckets as i128 / span;
    let mut out: Vec<&Point> = Vec::with_capacity(2 * buckets + 2);
    out.push(first);
    let mut i = 1;
    while i < points.len() - 1 {
        let b = bucket(points[i]);
        let (mut lo, mut hi, mut j) = (i, i, i);
        while j < points.len() - 1 && bucket(points[j]) == b {
            if points[j].balance < points[lo].balance {
                lo = j;
            }
            if points[j].balance > points[hi].balance {
                hi = j;
            }
            j += 1;
        }
        out.push(points[lo.min(hi)]);
        if lo != hi {
            out.push(points[lo.max(hi)]);
        }
        i = j;
    }
    out.push(last);
    out
}

const W: f64 = 320.0;
const H: f64 = 140.0;
/// The plot area inside the chart: room for the labels on the left and below.
const LEFT: f64 = 8.0;
const RIGHT: f64 = 312.0;
const TOP: f64 = 18.0;
const BOTTOM: f64 = 118.0;

/// The recorded balances (in the latest currency), the `min_balance` line and
/// the forecast line to zero, dashed. Time runs left to right; the future shown
/// is at most as long as the past, so a far-off date does not flatten the rest.
fn chart(page: &mut String, i: usize, r: &CheckResult, points: &[Point]) {
    let currency = points.last().and_then(|p| p.currency.clone());
    let points: Vec<&Point> = points.iter().filter(|p| p.currency == currency).collect();
    // Two points per two pixels draw the same line as a year of checks would.
    let points = thin(&points, (RIGHT - LEFT) as usize / 2);
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        page.push_str("<p class=\"nochart\">No balance recorded to draw.</p>\n");
        return;
    };
    let forecast = r.forecast.filter(|_| r.outcome.is_ok());
    let t0 = first.at;
    let past_end = last.at.max(micros(r.checked_at));
    let past = (past_end - t0).max(3_600_000_000);
    let t1 = match forecast {
        Some(f) => f.empty_at.clamp(past_end, past_end.saturating_add(past)),
        None => past_end.max(t0 + past),
    };
    let hi = points
        .iter()
        .map(|p| p.balance)
        .chain(r.min_balance)
        .max()
        .unwrap_or_default()
        .max(Decimal::ZERO);
    let lo = points
        .iter()
        .map(|p| p.balance)
        .min()
        .unwrap_or_default()
        .min(Decimal::ZERO);
    let (hi_f, lo_f) = (hi.to_f64().unwrap_or(0.0), lo.to_f64().unwrap_or(0.0));
    let range = if hi_f > lo_f { hi_f - lo_f } else { 1.0 };
    let x = |at: i64| LEFT + (at - t0) as f64 / (t1 - t0).max(1) as f64 * (RIGHT - LEFT);
    let y = |v: f64| BOTTOM - (v - lo_f) / range * (BOTTOM - TOP);
    let yd = |v: Decimal| y(v.to_f64().unwrap_or(0.0));

    let unit = currency
        .as_deref()
        .map(|c| format!(" {c}"))
        .unwrap_or_default();
    let mut alt = if points.len() == 1 {
        format!("One balance recorded: {}{unit}", last.balance)
    } else {
        format!(
            "Balance from {} to {}{unit} over {}",
            first.balance,
            last.balance,
            span(last.at - first.at)
        )
    };
    if let Some(min) = r.min_balance {
        let _ = write!(alt, "; minimum {min}");
    }
    match (forecast, super::days_left(r)) {
        (Some(_), Some(days)) => {
            let _ = write!(alt, "; runs out in about {days} days");
        }
        _ => alt.push_str("; no forecast"),
    }

    let _ = writeln!(
        page,
        "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"c-{i}\">\n\
         <title id=\"c-{i}\">{}</title>",
        esc(&alt)
    );
    // The axis: zero (or the lowest balance, when below zero) and the top value.
    let _ = writeln!(
        page,
        "<line class=\"axis\" x1=\"{LEFT}\" y1=\"{b:.1}\" x2=\"{RIGHT}\" y2=\"{b:.1}\"/>\n\
         <text class=\"label\" x=\"{LEFT}\" y=\"12\">{hi}{u}</text>\n\
         <text class=\"label\" x=\"{LEFT}\" y=\"{H}\" dy=\"-6\">{d0}</text>\n\
         <text class=\"label\" x=\"{RIGHT}\" y=\"{H}\" dy=\"-6\" text-anchor=\"end\">{d1}</text>",
        b = yd(Decimal::ZERO.max(lo)),
        u = esc(&unit),
        d0 = day(t0),
        d1 = day(t1),
    );
    if let Some(min) = r.min_balance {
        let _ = writeln!(
            page,
            "<line class=\"min\" x1=\"{LEFT}\" y1=\"{m:.1}\" x2=\"{RIGHT}\" y2=\"{m:.1}\"/>\n\
             <text class=\"label min-label\" x=\"{RIGHT}\" y=\"{m:.1}\" dy=\"-3\" text-anchor=\"end\">min {min}</text>",
            m = yd(min),
        );
    }
    let mut line = String::new();
    for p in &points {
        let _ = write!(line, "{:.1},{:.1} ", x(p.at), yd(p.balance));
    }
    let _ = writeln!(
        page,
        "<polyline class=\"line\" points=\"{}\"/>\n<circle class=\"dot\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\"/>",
        line.trim_end(),
        x(last.at),
        yd(last.balance)
    );
    if let Some(f) = forecast {
        // Straight from the last balance to zero at `empty_at`, cut at the edge.
        let (x0, y0) = (x(last.at), yd(last.balance));
        let (xe, ye) = (x(f.empty_at.max(last.at)), y(0.0));
        let (x1, y1) = if xe > RIGHT && xe > x0 {
            (RIGHT, y0 + (ye - y0) * (RIGHT - x0) / (xe - x0))
        } else {
            (xe, ye)
        };
        let _ = writeln!(
            page,
            "<line class=\"forecast\" x1=\"{x0:.1}\" y1=\"{y0:.1}\" x2=\"{x1:.1}\" y2=\"{y1:.1}\"/>"
        );
    }
    page.push_str("</svg>\n");
}

/// Light and dark, both at 4.5:1 or better for text; the status is always
/// written out too, never told by colour alone.
const CSS: &str = "<style>
:root{--bg:#f4f5f7;--card:#fff;--fg:#1a1d21;--muted:#4a5260;--line:#1f5fbf;--ok:#0b6b2f;--low:#8a4b00;--error:#b3261e;--grid:#c9ced6}
@media (prefers-color-scheme:dark){:root{--bg:#111418;--card:#1c2026;--fg:#e8eaed;--muted:#aab2bd;--line:#7fb0ff;--ok:#6fdc8c;--low:#ffb85c;--error:#ff8a80;--grid:#3a414b}}
*{box-sizing:border-box}
body{margin:0;padding:1rem;background:var(--bg);color:var(--fg);font:16px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif}
header,main,footer{max-width:1200px;margin:0 auto}
h1{font-size:1.5rem;margin:0 0 .25rem}
.summary{margin:0 0 1rem;font-weight:600}
.summary.error{color:var(--error)}.summary.low{color:var(--low)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:1rem}
.card{background:var(--card);border-radius:8px;padding:1rem;border-top:6px solid var(--ok);min-width:0}
.card.low{border-top-color:var(--low)}.card.error{border-top-color:var(--error)}.card.pending{border-top-color:var(--grid)}
h2{font-size:1.15rem;margin:0;overflow-wrap:anywhere}
.provider{font-size:.85rem;font-weight:400;color:var(--muted)}
.status{margin:.25rem 0}
.badge{font-weight:700;color:var(--ok)}
.low .badge{color:var(--low)}.error .badge{color:var(--error)}
.balance{margin:.25rem 0;font-size:1.6rem;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
.currency,.none{font-size:1rem;color:var(--muted)}
.message{margin:.25rem 0;color:var(--muted);overflow-wrap:anywhere}
dl{display:grid;grid-template-columns:auto 1fr;gap:0 .75rem;margin:.5rem 0;font-size:.9rem}
dt{color:var(--muted)}dd{margin:0}
.chart{width:100%;height:auto;display:block;margin-top:.5rem}
.chart .axis{stroke:var(--grid);stroke-width:1}
.chart .line{fill:none;stroke:var(--line);stroke-width:2;stroke-linejoin:round}
.chart .dot{fill:var(--line)}
.chart .min{stroke:var(--low);stroke-width:1.5}
.chart .forecast{stroke:var(--line);stroke-width:1.5;stroke-dasharray:5 4}
.chart .label{fill:var(--muted);font-size:11px}
.nochart{color:var(--muted);font-size:.9rem}
footer{margin-top:1.5rem;color:var(--muted);font-size:.85rem}
@media (max-width:400px){body{padding:.5rem}.cards{grid-template-columns:1fr}.card{padding:.75rem}}
</style>
";

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::error::{CheckError, ErrorKind};
    use crate::output::fixtures;

    const HOUR: i64 = 3_600_000_000;

    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_795_335_565)
    }

    fn falling(profile: &str, from: i64, per_hour: i64, hours: i64) -> (String, Vec<Point>) {
        let end = micros(now());
        let points = (0..=hours)
            .map(|h| Point {
                at: end - (hours - h) * HOUR,
                balance: Decimal::from(from - per_hour * h),
                currency: Some("EUR".into()),
            })
            .collect();
        (profile.to_owned(), points)
    }

    #[test]
    fn snapshot_of_a_small_page() {
        let mut results = fixtures::results();
        fixtures::with_forecasts(&mut results);
        results.truncate(3);
        let history: HashMap<String, Vec<Point>> = [falling("infobip", 120, 1, 24)].into();
        let page = render(&results, &history, &["new".to_owned()], now());
        // The style sheet is checked in a browser (.ci/page), not here.
        let (head, rest) = page.split_once("<style>").unwrap();
        let (_, tail) = rest.split_once("</style>").unwrap();
        insta::assert_snapshot!(format!("{head}<style>…</style>{tail}"));
    }

    /// `serve`'s page is the file `report` writes with one line more in the
    /// head, right after `<head>`, byte for byte.
    #[test]
    fn a_refreshing_page_is_the_page_with_its_refresh_line() {
        let results = fixtures::results();
        let history: HashMap<String, Vec<Point>> = [falling("infobip", 120, 1, 24)].into();
        let plain = render(&results, &history, &["new".to_owned()], now());
        let refreshing =
            render_refreshing(&results, &history, &["new".to_owned()], now(), Some(60));
        assert_eq!(
            refreshing,
            plain.replacen(
                "<head>\n",
                "<head>\n<meta http-equiv=\"refresh\" content=\"60\">\n",
                1
            )
        );
        assert_eq!(
            render_refreshing(&results, &history, &[], now(), None),
            render(&results, &history, &[], now())
        );
    }

    #[test]
    fn cards_go_worst_first_and_numbers_are_exact() {
        let results = fixtures::results();
        let page = render(&results, &HashMap::new(), &[], now());
        let at = |needle: &str| page.find(needle).unwrap_or_else(|| panic!("{needle}"));
        // sg failed, engage is under its minimum, infobip and big are fine.
        assert!(at(">sg <") < at(">engage <"));
        assert!(at(">engage <") < at(">infobip <"));
        assert!(at(">infobip <") < at(">big <"));
        assert!(page.contains("<span class=\"amount\">149309.7985931</span>"));
        assert!(page.contains("<span class=\"amount\">47.79134</span>"));
        assert!(page.contains("<span class=\"amount\">14.3456</span>"));
        assert!(page.contains("Low (min 20)"));
        assert!(page.contains("1 low, 1 failing, 2 ok — checked 2026-11-22 08:19 UTC"));
    }

    #[test]
    fn outside_text_is_escaped_everywhere() {
        let evil = "<script>alert(\"x\")</script> & 'q'";
        let mut results = fixtures::results();
        results[0].profile = evil.into();
        results[0].outcome = Ok(crate::kit::Balance::new(
            Decimal::from(5),
            Some(evil.into()),
        ));
        results[1].profile = format!("{evil}2");
        results[1].outcome = Err(CheckError::new(ErrorKind::Provider, evil));
        let mut history = HashMap::new();
        let (_, mut points) = falling("x", 50, 1, 10);
        for p in &mut points {
            p.currency = Some(evil.into());
        }
        history.insert(evil.to_owned(), points);
        let page = render(&results, &history, &[format!("{evil}3")], now());
        assert!(!page.contains("<script"), "{page}");
        assert!(!page.contains("alert(\""));
        assert!(!page.contains("& 'q'"));
        assert!(
            page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;")
        );
        assert!(!page.contains("http://") && !page.contains("https://"));
        assert!(!page.contains(" src=") && !page.contains("@import") && !page.contains("url("));
    }

    #[test]
    fn chart_has_a_text_alternative_and_lines() {
        let mut results = fixtures::results();
        fixtures::with_forecasts(&mut results);
        results[0].min_balance = Some(Decimal::from(30));
        let history: HashMap<String, Vec<Point>> = [falling("infobip", 120, 2, 36)].into();
        let page = render(&results[..1], &history, &[], now());
        assert!(page.contains("role=\"img\""));
        assert!(page.contains(
            "Balance from 120 to 48 EUR over 2 days; minimum 30; runs out in about 3.8 days"
        ));
        assert!(page.contains("class=\"min\""));
        assert!(page.contains("class=\"forecast\""));
        assert!(page.contains("<polyline"));
    }

    /// WCAG 2 contrast of every text colour on the card and on the page, in
    /// both schemes: 4.5:1 (AA for normal text), read from the CSS itself.
    #[test]
    fn text_colours_meet_wcag_aa_in_both_schemes() {
        fn luminance(hex: &str) -> f64 {
            let hex = if hex.len() == 4 {
                hex.chars().flat_map(|c| [c, c]).skip(1).collect()
            } else {
                hex.to_owned()
            };
            let channel = |i: usize| {
                let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
                if c <= 0.03928 {
                    c / 12.92
                } else {
                    ((c + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
        }
        let contrast = |a: &str, b: &str| {
            let (x, y) = (luminance(a), luminance(b));
            (x.max(y) + 0.05) / (x.min(y) + 0.05)
        };
        let schemes: Vec<HashMap<&str, &str>> = CSS
            .split(":root{")
            .skip(1)
            .map(|vars| {
                vars.split('}')
                    .next()
                    .unwrap()
                    .split(';')
                    .filter_map(|kv| kv.trim().strip_prefix("--")?.split_once(':'))
                    .collect()
            })
            .collect();
        assert_eq!(schemes.len(), 2, "light and dark");
        for vars in &schemes {
            for text in ["fg", "muted", "ok", "low", "error", "line"] {
                for ground in ["card", "bg"] {
                    let ratio = contrast(vars[text], vars[ground]);
                    assert!(
                        ratio >= 4.5,
                        "--{text} on --{ground}: {ratio:.2} in {vars:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn thinning_keeps_the_shape_and_the_ends() {
        // A week every minute, spending 1 a minute, topped up once and dipping once.
        let mut points: Vec<Point> = (0..10_080i64)
            .map(|m| Point {
                at: m * 60_000_000,
                balance: Decimal::from(20_000 - m + if m > 5000 { 9000 } else { 0 }),
                currency: None,
            })
            .collect();
        points[7000].balance = Decimal::from(-5);
        let refs: Vec<&Point> = points.iter().collect();
        let thin = thin(&refs, 150);
        assert!(thin.len() <= 302, "{} points", thin.len());
        assert_eq!(thin.first().unwrap().at, 0);
        assert_eq!(thin.last().unwrap().at, points.last().unwrap().at);
        assert!(thin.windows(2).all(|w| w[0].at < w[1].at));
        let max = |ps: &[&Point]| ps.iter().map(|p| p.balance).max();
        let min = |ps: &[&Point]| ps.iter().map(|p| p.balance).min();
        assert_eq!(max(&thin), max(&refs));
        assert_eq!(min(&thin), Some(Decimal::from(-5)));
        // The top-up is still a rise between neighbours.
        assert!(
            thin.windows(2)
                .any(|w| w[1].balance - w[0].balance > Decimal::from(8000))
        );
        let few: Vec<&Point> = refs[..300].to_vec();
        assert_eq!(super::thin(&few, 150).len(), 300);
    }

    #[test]
    fn empty_inputs_make_a_page() {
        let page = render(&[], &HashMap::new(), &[], now());
        assert!(page.contains("no profiles"));
        let mut r = fixtures::results();
        r.truncate(1);
        let page = render(&r, &HashMap::new(), &[], now());
        assert!(page.contains("No balance recorded to draw."));
    }
}

//! `--format prometheus`: the text exposition format, for node_exporter's textfile
//! collector (SPEC §7). Every family has HELP and TYPE and its samples together.

use std::fmt::Write;

use crate::result::CheckResult;

/// (name, help, samples of one result).
type Family = (
    &'static str,
    &'static str,
    fn(&CheckResult) -> Option<(Vec<(&'static str, String)>, String)>,
);

const FAMILIES: &[Family] = &[
    (
        "balance_amount",
        "Prepaid balance, in the vendor's unit (exact digits); absent when the check failed.",
        |r| {
            let b = r.outcome.as_ref().ok()?;
            Some((labels(r, Some(currency(r))), b.amount.to_string()))
        },
    ),
    (
        "balance_threshold_amount",
        "The profile's min_balance (or --min), in the balance's unit.",
        |r| Some((labels(r, Some(currency(r))), r.min_balance?.to_string())),
    ),
    (
        "balance_up",
        "1 when the balance was fetched, else 0.",
        |r| Some((labels(r, None), u8::from(r.outcome.is_ok()).to_string())),
    ),
    (
        "balance_check_duration_seconds",
        "Time the check took, retries included.",
        |r| Some((labels(r, None), format!("{:.3}", r.duration.as_secs_f64()))),
    ),
    (
        "balance_error",
        "1 for a failed check, labelled with its error kind.",
        |r| {
            let e = r.outcome.as_ref().err()?;
            let mut l = labels(r, None);
            l.push(("kind", e.kind.as_str().to_owned()));
            Some((l, "1".to_owned()))
        },
    ),
    (
        "balance_spend_per_day",
        "Spend per day in the balance's unit, from the recorded history; absent without a forecast.",
        |r| {
            let f = r.forecast?;
            Some((labels(r, Some(currency(r))), f.spend_per_day.to_string()))
        },
    ),
    (
        "balance_days_left",
        "Days until the balance reaches zero at that spend; absent without a forecast.",
        |r| Some((labels(r, None), r.forecast?.days_left.to_string())),
    ),
];

fn labels(r: &CheckResult, currency: Option<String>) -> Vec<(&'static str, String)> {
    let mut l = vec![
        ("profile", r.profile.clone()),
        ("provider", r.provider.clone()),
    ];
    if let Some(c) = currency {
        l.push(("currency", c));
    }
    l
}

/// Empty when unknown: Prometheus treats an empty label as an absent one.
fn currency(r: &CheckResult) -> String {
    r.outcome
        .as_ref()
        .ok()
        .and_then(|b| b.currency.clone())
        .unwrap_or_default()
}

pub fn render(results: &[CheckResult]) -> String {
    let mut out = String::new();
    for (name, help, sample) in FAMILIES {
        let samples: Vec<_> = results.iter().filter_map(sample).collect();
        if samples.is_empty() {
            continue;
        }
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} gauge");
        for (labels, value) in samples {
            let labels: Vec<String> = labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
                .collect();
            let _ = writeln!(out, "{name}{{{}}} {value}", labels.join(","));
        }
    }
    out
}

/// Label values: backslash, double quote and line feed escaped, as the format requires.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(render(&crate::output::fixtures::results()));
    }

    #[test]
    fn forecast_gauges() {
        let mut results = crate::output::fixtures::results();
        crate::output::fixtures::with_forecasts(&mut results);
        let text = render(&results);
        assert!(
            text.contains("# TYPE balance_spend_per_day gauge\n"),
            "{text}"
        );
        assert!(text.contains(
            "balance_spend_per_day{profile=\"infobip\",provider=\"infobip\",currency=\"EUR\"} 12.5\n"
        ));
        assert!(
            text.contains("balance_days_left{profile=\"infobip\",provider=\"infobip\"} 3.823296\n")
        );
        assert!(!text.contains("balance_days_left{profile=\"sg\""));
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape(r#"a"b\c}"#), r#"a\"b\\c}"#);
        assert_eq!(escape("x\ny"), "x\\ny");
    }
}

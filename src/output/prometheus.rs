//! `--format prometheus`: the text exposition format, for node_exporter's textfile
//! collector and `serve`'s `/metrics` (SPEC §7, §11). Every family has HELP and
//! TYPE and its samples together. Names and units follow Prometheus's
//! conventions (`promtool check metrics` is clean): times as Unix timestamps in
//! seconds, rates per second. A series' label set never depends on the check's
//! outcome, so that alerts keyed on it do not restart when the error changes.

use std::collections::HashMap;
use std::fmt::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::result::CheckResult;

/// When each profile last answered with a balance (by profile name): from the
/// history store for `check`, from memory for `serve`. A result fetched now
/// counts on its own; this supplies the earlier ones.
pub type LastSuccess = HashMap<String, SystemTime>;

type Sample = Option<(Vec<(&'static str, String)>, String)>;

/// (name, help, samples of one result).
type Family = (
    &'static str,
    &'static str,
    fn(&CheckResult, &LastSuccess) -> Sample,
);

const FAMILIES: &[Family] = &[
    (
        "balance_amount",
        "Prepaid balance, in the vendor's unit (exact digits); absent when the check failed.",
        |r, _| {
            let b = r.outcome.as_ref().ok()?;
            let currency = b.currency.clone().unwrap_or_default();
            Some((with(labels(r), "currency", currency), b.amount.to_string()))
        },
    ),
    (
        "balance_threshold_amount",
        "The profile's min_balance (or --min), in the balance's unit.",
        |r, _| Some((labels(r), r.min_balance?.to_string())),
    ),
    (
        "balance_up",
        "1 when the last check fetched the balance, else 0.",
        |r, _| Some((labels(r), u8::from(r.outcome.is_ok()).to_string())),
    ),
    (
        "balance_check_duration_seconds",
        "Time the last check took, retries included.",
        |r, _| Some((labels(r), format!("{:.3}", r.duration.as_secs_f64()))),
    ),
    (
        "balance_check_error_info",
        "1 while the last check failed, labelled with its error kind (alert on balance_up).",
        |r, _| {
            let e = r.outcome.as_ref().err()?;
            Some((
                with(labels(r), "kind", e.kind.as_str().to_owned()),
                "1".to_owned(),
            ))
        },
    ),
    (
        "balance_last_success_timestamp_seconds",
        "When the profile's balance was last fetched (Unix time).",
        |r, last| {
            let earlier = last.get(&r.profile).copied();
            let at = match (&r.outcome, earlier) {
                (Ok(_), Some(e)) => e.max(r.checked_at),
                (Ok(_), None) => r.checked_at,
                (Err(_), e) => e?,
            };
            Some((labels(r), seconds(at)?))
        },
    ),
    (
        "balance_spend_rate",
        "Spend per second in the balance's unit, from the recorded history; absent without a forecast.",
        |r, _| {
            let f = r.forecast?;
            Some((labels(r), (f.spend_per_day / 86_400.0).to_string()))
        },
    ),
    (
        "balance_empty_timestamp_seconds",
        "When the balance reaches zero at that spend (Unix time); absent without a forecast.",
        |r, _| {
            let f = r.forecast?;
            Some((labels(r), format!("{:.3}", f.empty_at as f64 / 1e6)))
        },
    ),
];

fn labels(r: &CheckResult) -> Vec<(&'static str, String)> {
    vec![
        ("profile", r.profile.clone()),
        ("provider", r.provider.clone()),
    ]
}

fn with(
    mut l: Vec<(&'static str, String)>,
    name: &'static str,
    value: String,
) -> Vec<(&'static str, String)> {
    l.push((name, value));
    l
}

fn seconds(at: SystemTime) -> Option<String> {
    let secs = at.duration_since(UNIX_EPOCH).ok()?.as_secs_f64();
    Some(format!("{secs:.3}"))
}

pub fn render(results: &[CheckResult], last_success: &LastSuccess) -> String {
    let mut out = String::new();
    for (name, help, sample) in FAMILIES {
        let samples: Vec<_> = results
            .iter()
            .filter_map(|r| sample(r, last_success))
            .collect();
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
    use crate::error::{CheckError, ErrorKind};
    use std::time::Duration;

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(render(
            &crate::output::fixtures::results(),
            &LastSuccess::new()
        ));
    }

    #[test]
    fn forecast_gauges_in_base_units() {
        let mut results = crate::output::fixtures::results();
        crate::output::fixtures::with_forecasts(&mut results);
        let text = render(&results, &LastSuccess::new());
        assert!(text.contains("# TYPE balance_spend_rate gauge\n"), "{text}");
        // 12.5 a day is 12.5 / 86400 a second.
        assert!(text.contains(
            "balance_spend_rate{profile=\"infobip\",provider=\"infobip\"} 0.00014467592592592592\n"
        ));
        // 2026-11-22T08:19:25Z plus 3.823296 days.
        assert!(text.contains(
            "balance_empty_timestamp_seconds{profile=\"infobip\",provider=\"infobip\"} 1795665897.774\n"
        ), "{text}");
        assert!(!text.contains("balance_empty_timestamp_seconds{profile=\"sg\""));
        assert!(!text.contains("days"), "{text}");
    }

    /// The label sets alerts key on are the same whatever the outcome: only the
    /// info series carries the error kind, and only the balance its currency.
    #[test]
    fn label_sets_do_not_depend_on_the_outcome() {
        let ok = crate::output::fixtures::results().remove(3);
        let mut failed = ok.clone();
        failed.outcome = Err(CheckError {
            kind: ErrorKind::RateLimited,
            message: "rate limited".into(),
            http_status: Some(429),
            provider_code: None,
        });
        let at = ok.checked_at - Duration::from_secs(60);
        let last = LastSuccess::from([(ok.profile.clone(), at)]);
        let series = |text: &str| -> Vec<String> {
            text.lines()
                .filter(|l| !l.starts_with('#'))
                .filter(|l| {
                    !l.starts_with("balance_amount") && !l.starts_with("balance_check_error_info")
                })
                .map(|l| l.rsplit_once(' ').unwrap().0.to_owned())
                .collect()
        };
        let (a, b) = (render(&[ok], &last), render(&[failed], &last));
        assert_eq!(series(&a), series(&b), "{a}\n{b}");
        assert!(b.contains("balance_up{profile=\"big\",provider=\"8x8\"} 0\n"));
        assert!(b.contains(
            "balance_check_error_info{profile=\"big\",provider=\"8x8\",kind=\"rate_limited\"} 1\n"
        ));
        assert!(b.contains("balance_threshold_amount{profile=\"big\",provider=\"8x8\"} 100.5\n"));
        // The failed check keeps the earlier success; the fetched one is its own.
        assert!(b.contains(
            "balance_last_success_timestamp_seconds{profile=\"big\",provider=\"8x8\"} 1795335505.000\n"
        ), "{b}");
        assert!(a.contains(
            "balance_last_success_timestamp_seconds{profile=\"big\",provider=\"8x8\"} 1795335565.000\n"
        ), "{a}");
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape(r#"a"b\c}"#), r#"a\"b\\c}"#);
        assert_eq!(escape("x\ny"), "x\\ny");
    }
}

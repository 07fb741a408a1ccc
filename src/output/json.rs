//! `--json`: one array, one object per checked profile (SPEC §4).

use rust_decimal::Decimal;
use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::value::RawValue;

use crate::kit::Part;
use crate::money::json_number;
use crate::result::CheckResult;

#[derive(Serialize)]
struct Row<'a> {
    profile: &'a str,
    provider: &'a str,
    status: &'static str,
    balance: Option<Box<RawValue>>,
    currency: Option<&'a str>,
    /// `money`, `credits` or `messages`; null with no balance.
    unit: Option<&'static str>,
    /// The shares `balance` (the available amount) is made of, where the vendor
    /// gives them.
    parts: Amounts<'a, Part>,
    expires_at: Option<String>,
    min_balance: Option<Box<RawValue>>,
    details: Amounts<'a, String>,
    checked_at: String,
    error: Option<Error<'a>>,
    forecast: Option<Forecast>,
}

/// SPEC §10: rounded for people and scripts alike (a rate from a regression has
/// no exact digits to keep).
#[derive(Serialize)]
struct Forecast {
    spend_per_day: f64,
    days_left: f64,
    empty_at: String,
}

impl From<&crate::result::Forecast> for Forecast {
    fn from(f: &crate::result::Forecast) -> Self {
        use crate::history::forecast::rounded;
        Forecast {
            spend_per_day: rounded(f.spend_per_day, 4),
            days_left: rounded(f.days_left, 2),
            empty_at: humantime::format_rfc3339_seconds(crate::history::system_time(f.empty_at))
                .to_string(),
        }
    }
}

#[derive(Serialize)]
struct Error<'a> {
    kind: &'static str,
    message: &'a str,
    http_status: Option<u16>,
    provider_code: Option<&'a str>,
}

/// Named amounts as an object of exact numbers, in the adapter's order: a
/// balance's parts (`cash`, `credit`…) or its provider extras.
struct Amounts<'a, K>(&'a [(K, Decimal)], fn(&K) -> &str);

impl<K> Serialize for Amounts<'_, K> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (key, value) in self.0 {
            map.serialize_entry(self.1(key), &json_number(*value))?;
        }
        map.end()
    }
}

pub fn render(results: &[CheckResult]) -> String {
    let mut text = serde_json::to_string_pretty(&rows(results)).expect("rows serialise");
    text.push('\n');
    text
}

/// `--json --totals`: the rows under `results`, and one total per currency
/// and unit kind (`result::totals`) under `totals`.
pub fn render_with_totals(results: &[CheckResult]) -> String {
    #[derive(Serialize)]
    struct Total<'a> {
        currency: &'a str,
        unit: &'static str,
        /// Whose credits or messages; null for money.
        provider: Option<&'a str>,
        amount: Box<RawValue>,
        results: usize,
    }
    #[derive(Serialize)]
    struct Document<'a> {
        results: Vec<Row<'a>>,
        totals: Vec<Total<'a>>,
    }
    let totals = crate::result::totals(results);
    let document = Document {
        results: rows(results),
        totals: totals
            .iter()
            .map(|t| Total {
                currency: &t.currency,
                unit: t.unit.as_str(),
                provider: t.provider.as_deref(),
                amount: json_number(t.amount),
                results: t.results,
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&document).expect("rows serialise");
    text.push('\n');
    text
}

fn rows(results: &[CheckResult]) -> Vec<Row<'_>> {
    results
        .iter()
        .map(|r| {
            let balance = r.outcome.as_ref().ok();
            Row {
                profile: &r.profile,
                provider: &r.provider,
                status: r.status().as_str(),
                balance: balance.map(|b| json_number(b.amount)),
                currency: balance.and_then(|b| b.currency.as_deref()),
                unit: balance.map(|b| b.unit.as_str()),
                parts: Amounts(balance.map_or(&[], |b| &b.parts), |p| p.as_str()),
                expires_at: balance
                    .and_then(|b| b.expires_at)
                    .map(|t| humantime::format_rfc3339_seconds(t).to_string()),
                min_balance: r.min_balance.map(json_number),
                details: Amounts(balance.map_or(&[], |b| &b.details), String::as_str),
                checked_at: humantime::format_rfc3339_seconds(r.checked_at).to_string(),
                error: r.outcome.as_ref().err().map(|e| Error {
                    kind: e.kind.as_str(),
                    message: &e.message,
                    http_status: e.http_status,
                    provider_code: e.provider_code.as_deref(),
                }),
                forecast: r.forecast.as_ref().map(Forecast::from),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixtures;

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(render(&fixtures::results()));
    }

    #[test]
    fn numbers_are_numbers_with_exact_digits() {
        let text = render(&fixtures::results());
        assert!(text.contains("\"balance\": 149309.7985931,"));
        assert!(text.contains("\"general_balance\": 12.3456"));
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(parsed[0]["balance"].is_number());
        assert_eq!(parsed[1]["error"]["kind"], "not_prepaid");
        assert_eq!(parsed[1]["error"]["provider_code"], "1201");
        assert_eq!(parsed[2]["status"], "low");
        assert!(parsed[0]["forecast"].is_null());
    }

    /// The money model as a script reads it: `balance` is the available
    /// amount, its parts and unit beside it, every digit kept.
    #[test]
    fn parts_unit_and_expiry() {
        use crate::kit::{Part, Unit};
        let mut results = fixtures::results();
        let b = results[0].outcome.as_mut().unwrap();
        b.amount = crate::money::parse_decimal("98.110").unwrap();
        b.parts = vec![
            (Part::Cash, crate::money::parse_decimal("-1.890").unwrap()),
            (Part::Credit, crate::money::parse_decimal("100").unwrap()),
        ];
        b.unit = Unit::Credits;
        b.expires_at = Some(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_798_761_599));
        let text = render(&results);
        assert!(text.contains("\"cash\": -1.890,"), "{text}");
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed[0]["balance"].to_string(), "98.11");
        assert_eq!(
            parsed[0]["parts"],
            serde_json::json!({"cash": -1.89, "credit": 100})
        );
        assert_eq!(parsed[0]["unit"], "credits");
        assert_eq!(parsed[0]["expires_at"], "2026-12-31T23:59:59Z");
        // A balance without parts says so; an error has no unit.
        assert_eq!(parsed[3]["parts"], serde_json::json!({}));
        assert_eq!(parsed[3]["unit"], "money");
        assert!(parsed[3]["expires_at"].is_null());
        assert!(parsed[1]["unit"].is_null() && parsed[1]["expires_at"].is_null());
    }

    #[test]
    fn forecast_object() {
        let mut results = fixtures::results();
        fixtures::with_forecasts(&mut results);
        let parsed: serde_json::Value = serde_json::from_str(&render(&results)).unwrap();
        assert_eq!(
            parsed[0]["forecast"],
            serde_json::json!({"spend_per_day": 12.5, "days_left": 3.82, "empty_at": "2026-11-26T04:04:57Z"})
        );
        assert!(parsed[1]["forecast"].is_null());
    }
}

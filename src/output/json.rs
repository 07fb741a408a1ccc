//! `--json`: one array, one object per checked profile (SPEC §4).

use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::value::RawValue;

use crate::kit::Balance;
use crate::money::json_number;
use crate::result::CheckResult;

#[derive(Serialize)]
struct Row<'a> {
    profile: &'a str,
    provider: &'a str,
    status: &'static str,
    balance: Option<Box<RawValue>>,
    currency: Option<&'a str>,
    min_balance: Option<Box<RawValue>>,
    details: Details<'a>,
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

/// Provider extras as an object of exact numbers, in the adapter's order.
struct Details<'a>(Option<&'a Balance>);

impl Serialize for Details<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let details = self.0.map_or(&[][..], |b| &b.details[..]);
        let mut map = s.serialize_map(Some(details.len()))?;
        for (key, value) in details {
            map.serialize_entry(key, &json_number(*value))?;
        }
        map.end()
    }
}

pub fn render(results: &[CheckResult]) -> String {
    let rows: Vec<Row> = results
        .iter()
        .map(|r| {
            let balance = r.outcome.as_ref().ok();
            Row {
                profile: &r.profile,
                provider: &r.provider,
                status: r.status().as_str(),
                balance: balance.map(|b| json_number(b.amount)),
                currency: balance.and_then(|b| b.currency.as_deref()),
                min_balance: r.min_balance.map(json_number),
                details: Details(balance),
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
        .collect();
    let mut text = serde_json::to_string_pretty(&rows).expect("rows serialise");
    text.push('\n');
    text
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

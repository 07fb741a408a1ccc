//! The floor of the middle: what a check produced, in the words every layer
//! above shares. Check makes these, history stores them, alerts and the
//! renderers read them; none of those define their own.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{CheckError, Exit};
use crate::kit::{Balance, Unit};

/// The result of checking one profile.
#[derive(Debug, Clone)]
pub struct CheckResult {
    pub profile: String,
    pub provider: String,
    pub min_balance: Option<Decimal>,
    pub outcome: Result<Balance, CheckError>,
    pub checked_at: SystemTime,
    pub duration: Duration,
    /// Days: a forecast to run out sooner makes the result LOW (SPEC §10).
    pub min_days: Option<f64>,
    /// When it runs out, from the recorded history; `None` without enough of it.
    pub forecast: Option<Forecast>,
}

/// A profile's state: what the exit status, the outputs, the store and the
/// alerts all say of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The baseline: what a profile is before anything is known of it.
    #[default]
    Ok,
    Low,
    Error,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Ok, Status::Low, Status::Error];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Low => "low",
            Status::Error => "error",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Status {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Status::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| {
                format!(
                    "status `{}` is not one of ok, low, error",
                    crate::text::clean(text, 40)
                )
            })
    }
}

impl CheckResult {
    pub fn status(&self) -> Status {
        match (&self.outcome, self.min_balance) {
            (Err(_), _) => Status::Error,
            (Ok(b), Some(min)) if b.amount < min => Status::Low,
            (Ok(_), _) if self.empties_soon() => Status::Low,
            (Ok(_), _) => Status::Ok,
        }
    }

    /// Whether the forecast says empty within `min_days` (strictly sooner, as a
    /// balance is low strictly below `min_balance`).
    pub fn empties_soon(&self) -> bool {
        match (self.forecast, self.min_days) {
            (Some(f), Some(days)) => self.outcome.is_ok() && f.days_left < days,
            _ => false,
        }
    }

    pub fn exit(&self) -> Exit {
        match (&self.outcome, self.status()) {
            (Err(e), _) => e.kind.exit(),
            (_, Status::Low) => Exit::Low,
            _ => Exit::Ok,
        }
    }

    /// The fetched amount, if any.
    pub fn amount(&self) -> Option<Decimal> {
        self.outcome.as_ref().ok().map(|b| b.amount)
    }
}

/// The sum of the fetched balances of one currency and unit kind: never
/// across currencies or units, and never of balances with no currency (no
/// one can say they are the same money). Credits and messages are each
/// vendor's own: summed per provider, never across vendors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Total {
    pub currency: String,
    pub unit: Unit,
    /// The vendor whose credits or messages these are; `None` for money.
    pub provider: Option<String>,
    pub amount: Decimal,
    /// How many results it adds up.
    pub results: usize,
}

/// One total per currency and unit kind among `results`, in the order each
/// first appears. A sum out of `Decimal`'s range is left out rather than
/// rounded.
pub fn totals(results: &[CheckResult]) -> Vec<Total> {
    let mut out: Vec<Option<Total>> = Vec::new();
    let mut keys: Vec<(String, Unit, Option<String>)> = Vec::new();
    for (r, b) in results
        .iter()
        .filter_map(|r| r.outcome.as_ref().ok().map(|b| (r, b)))
    {
        let Some(currency) = &b.currency else {
            continue;
        };
        let provider = (b.unit != Unit::Money).then(|| r.provider.clone());
        let key = (currency.clone(), b.unit, provider.clone());
        match keys.iter().position(|k| *k == key) {
            Some(i) => {
                out[i] = out[i].take().and_then(|mut t| {
                    t.amount = t.amount.checked_add(b.amount)?;
                    t.results += 1;
                    Some(t)
                });
            }
            None => {
                keys.push(key);
                out.push(Some(Total {
                    currency: currency.clone(),
                    unit: b.unit,
                    provider,
                    amount: b.amount,
                    results: 1,
                }));
            }
        }
    }
    out.into_iter().flatten().collect()
}

/// One fetched balance, as a forecast and a chart read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point {
    /// Microseconds since the Unix epoch.
    pub at: i64,
    pub balance: Decimal,
    /// Shared by a run of points in one currency: `serve` keeps 200 points for
    /// each of its profiles, and a string each was a third of their memory.
    pub currency: Option<Arc<str>>,
}

/// When a balance runs out at the rate it is spent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Forecast {
    /// In the balance's unit per day; always above zero.
    pub spend_per_day: f64,
    /// From `now` until the balance reaches zero; 0 when it already has.
    pub days_left: f64,
    /// Microseconds since the Unix epoch.
    pub empty_at: i64,
}

/// What the store keeps of one alert target's view of one profile (SPEC §12):
/// the state it last told, since when, and when it last sent (for `repeat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertState {
    pub state: Status,
    /// Microseconds since the Unix epoch.
    pub since: i64,
    pub sent_at: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn fetched(amount: &str, currency: Option<&str>, unit: Unit) -> CheckResult {
        fetched_from("x", amount, currency, unit)
    }

    fn fetched_from(
        provider: &str,
        amount: &str,
        currency: Option<&str>,
        unit: Unit,
    ) -> CheckResult {
        let mut b = Balance::new(amount.parse().unwrap(), currency.map(str::to_owned));
        b.unit = unit;
        CheckResult {
            profile: "p".into(),
            provider: provider.into(),
            min_balance: None,
            outcome: Ok(b),
            checked_at: SystemTime::UNIX_EPOCH,
            duration: Duration::ZERO,
            min_days: None,
            forecast: None,
        }
    }

    #[test]
    fn totals_never_mix_currencies_or_units() {
        let results = [
            fetched("27.4572", Some("EUR"), Unit::Money),
            fetched("110.00", Some("CNY"), Unit::Money),
            fetched("0.5", Some("EUR"), Unit::Money),
            fetched("900", Some("EUR"), Unit::Credits),
            fetched("5", None, Unit::Money),
            fetched("1.71", Some("EUR"), Unit::Money),
            fetched(&Decimal::MAX.to_string(), Some("USD"), Unit::Money),
            fetched("1", Some("USD"), Unit::Money),
            // Another vendor's credits are another unit.
            fetched_from("brevo", "3", Some("EUR"), Unit::Credits),
            fetched_from("bulksms", "4", Some("EUR"), Unit::Credits),
            fetched_from("brevo", "5", Some("EUR"), Unit::Credits),
        ];
        let t = totals(&results);
        let shown: Vec<(String, &str, Option<&str>, String, usize)> = t
            .iter()
            .map(|t| {
                (
                    t.currency.clone(),
                    t.unit.as_str(),
                    t.provider.as_deref(),
                    t.amount.to_string(),
                    t.results,
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("EUR".into(), "money", None, "29.6672".into(), 3),
                ("CNY".into(), "money", None, "110.00".into(), 1),
                ("EUR".into(), "credits", Some("x"), "900".into(), 1),
                ("EUR".into(), "credits", Some("brevo"), "8".into(), 2),
                ("EUR".into(), "credits", Some("bulksms"), "4".into(), 1),
            ],
            "exact; no currency-less sum; an overflowing sum left out"
        );
    }

    #[test]
    fn words_round_trip_once() {
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>(), Ok(s));
        }
        for k in ErrorKind::ALL {
            assert_eq!(k.as_str().parse::<ErrorKind>(), Ok(k));
            // The JSON word is the same word.
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::Value::from(k.as_str())
            );
        }
        assert!("OK".parse::<Status>().is_err());
        assert!(
            "timeout"
                .parse::<ErrorKind>()
                .unwrap_err()
                .contains("network")
        );
    }
}

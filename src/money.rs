//! Exact amounts: vendor JSON text → `Decimal` → output text, never through f64.

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// Parses a decimal literal exactly: `149309.7985931`, `-12`, `1.5e3`.
/// Fails rather than rounds when the value cannot be held exactly.
pub fn parse_decimal(text: &str) -> Result<Decimal, String> {
    let text = text.trim();
    let valid = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    if !valid {
        return Err(format!("`{}` is not a number", shorten(text)));
    }
    let parsed = if text.contains(['e', 'E']) {
        Decimal::from_scientific(text)
    } else {
        Decimal::from_str_exact(text)
    };
    parsed.map_err(|_| format!("`{}` is out of range or too precise", shorten(text)))
}

/// A value quoted from a vendor's body or a user's config: secrets out of the
/// whole text before it is cut, then one safe line.
fn shorten(text: &str) -> String {
    crate::text::clean(text, 40)
}

/// A vendor amount read from its JSON text: a number, or a number in a string
/// (Frontier serialises int64 as a string).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount(pub Decimal);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        let text = raw.get();
        let number = if text.starts_with('"') {
            let inner: String = serde_json::from_str(text).map_err(serde::de::Error::custom)?;
            parse_decimal(&inner)
        } else if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            parse_decimal(text)
        } else {
            Err(format!("expected a number, found `{}`", shorten(text)))
        };
        number.map(Amount).map_err(serde::de::Error::custom)
    }
}

/// Written back as a JSON number with the same digits (the sandbox answers with it).
impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        json_number(self.0).serialize(serializer)
    }
}

impl Amount {
    /// For wire fields the vendor sends as a string (proto3 JSON's int64).
    pub fn serialize_as_string<S: Serializer>(
        amount: &Option<Amount>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match amount {
            Some(a) => serializer.serialize_str(&a.0.to_string()),
            None => serializer.serialize_none(),
        }
    }
}

/// Writes a decimal as a JSON number literal with exactly its digits.
pub fn json_number(value: Decimal) -> Box<RawValue> {
    // Decimal's Display never uses exponent notation, so this is always a valid literal.
    RawValue::from_string(value.to_string()).expect("a decimal is a JSON number")
}

/// Parses a threshold written by a user (`--min 20`, `min_balance = "20.50"`).
pub fn parse_user_amount(text: &str) -> Result<Decimal, String> {
    parse_decimal(text).map_err(|_| format!("`{}` is not a decimal amount", shorten(text.trim())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(json: &str) -> Result<Decimal, serde_json::Error> {
        serde_json::from_str::<Amount>(json).map(|a| a.0)
    }

    #[test]
    fn keeps_every_digit() {
        assert_eq!(
            amount("149309.7985931").unwrap().to_string(),
            "149309.7985931"
        );
        assert_eq!(amount("47.79134").unwrap().to_string(), "47.79134");
        assert_eq!(amount("675.20").unwrap().to_string(), "675.20");
        assert_eq!(amount("\"12500\"").unwrap().to_string(), "12500");
        assert_eq!(amount("\"-300\"").unwrap().to_string(), "-300");
        assert_eq!(amount("1.5e3").unwrap().to_string(), "1500");
        assert_eq!(amount("0.1").unwrap().to_string(), "0.1");
    }

    #[test]
    fn rejects_what_is_not_an_exact_number() {
        for bad in [
            "null",
            "true",
            "\"abc\"",
            "{}",
            "[]",
            "1e400",
            "123456789012345678901234567890123",
            "\"\"",
            "\"1 2\"",
        ] {
            assert!(amount(bad).is_err(), "{bad} should fail");
        }
    }

    #[test]
    fn json_number_round_trips_text() {
        let d = parse_decimal("149309.7985931").unwrap();
        assert_eq!(json_number(d).get(), "149309.7985931");
    }

    proptest::proptest! {
        /// Any text at all: an amount or an error, never a panic.
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,64}") {
            let _ = amount(&text);
            let _ = parse_decimal(&text);
        }

        /// Any decimal written out reads back with the same digits.
        #[test]
        fn digits_round_trip(mantissa in proptest::num::i64::ANY, scale in 0u32..=18) {
            let d = Decimal::new(mantissa, scale);
            let text = d.to_string();
            proptest::prop_assert_eq!(amount(&text).unwrap().to_string(), text.clone());
            let raw = json_number(d);
            proptest::prop_assert_eq!(raw.get(), text);
        }
    }

    #[test]
    fn user_amounts() {
        assert_eq!(parse_user_amount("20").unwrap().to_string(), "20");
        assert_eq!(parse_user_amount(" 20.50 ").unwrap().to_string(), "20.50");
        assert!(parse_user_amount("twenty").is_err());
        assert!(parse_user_amount("").is_err());
    }
}

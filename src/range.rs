//! Threshold ranges in the Monitoring Plugins syntax (`-w`, `-c`):
//! `[@]start:end`, where `start` defaults to 0, `~` is minus infinity, an empty
//! `end` is infinity, and `@` alerts inside the range instead of outside.
//!
//! | text     | alerts when           |
//! | -------- | --------------------- |
//! | `10`     | v < 0 or v > 10       |
//! | `10:`    | v < 10                |
//! | `~:10`   | v > 10                |
//! | `10:20`  | v < 10 or v > 20      |
//! | `@10:20` | 10 <= v <= 20         |

use std::fmt;

use rust_decimal::Decimal;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    /// `None`: minus infinity.
    pub start: Option<Decimal>,
    /// `None`: infinity.
    pub end: Option<Decimal>,
    /// `@`: alert inside the range, not outside.
    pub inside: bool,
}

impl Range {
    /// `min:`: alerts below `min`, which is what `min_balance` means.
    pub fn below(min: Decimal) -> Range {
        Range {
            start: Some(min),
            end: None,
            inside: false,
        }
    }

    pub fn parse(text: &str) -> Result<Range, String> {
        let bad = |why: &str| {
            format!("`{text}` is not a range ({why}); forms: 10, 10:, ~:10, 10:20, @10:20")
        };
        let (inside, body) = match text.strip_prefix('@') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let number = |t: &str| {
            crate::money::parse_decimal(t)
                .ok()
                .filter(|_| !t.starts_with('+') && t.trim() == t)
                .ok_or_else(|| bad(&format!("`{t}` is not a number")))
        };
        let (start, end) = match body.split_once(':') {
            None if body.is_empty() => return Err(bad("empty")),
            None => (Some(Decimal::ZERO), Some(number(body)?)),
            Some((start, end)) => {
                let start = match start {
                    "~" => None,
                    "" => Some(Decimal::ZERO),
                    s => Some(number(s)?),
                };
                let end = match end {
                    "" => None,
                    e => Some(number(e)?),
                };
                (start, end)
            }
        };
        if let (Some(s), Some(e)) = (start, end)
            && s > e
        {
            return Err(bad("start is above end"));
        }
        Ok(Range { start, end, inside })
    }

    /// Whether `value` raises this alert.
    pub fn alerts(&self, value: Decimal) -> bool {
        let within = self.start.is_none_or(|s| value >= s) && self.end.is_none_or(|e| value <= e);
        within == self.inside
    }
}

/// The canonical text, as Nagios perfdata carries it: `10`, `10:`, `~:10`, `@0:20`.
impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.inside {
            f.write_str("@")?;
        }
        match (self.start, self.end) {
            // `@10` is valid too, but `@0:10` says what it means.
            (Some(s), Some(e)) if s.is_zero() && !self.inside => write!(f, "{e}"),
            (start, end) => {
                match start {
                    None => f.write_str("~:")?,
                    Some(s) => write!(f, "{s}:")?,
                }
                match end {
                    None => Ok(()),
                    Some(e) => write!(f, "{e}"),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(text: &str) -> Decimal {
        crate::money::parse_decimal(text).unwrap()
    }

    #[test]
    fn the_four_forms() {
        let r = Range::parse("10").unwrap();
        assert_eq!(
            (r.start, r.end, r.inside),
            (Some(d("0")), Some(d("10")), false)
        );
        assert!(r.alerts(d("-0.01")) && r.alerts(d("10.01")));
        assert!(!r.alerts(d("0")) && !r.alerts(d("10")) && !r.alerts(d("5")));

        let r = Range::parse("10:").unwrap();
        assert!(r.alerts(d("9.99")) && !r.alerts(d("10")) && !r.alerts(d("1e9")));

        let r = Range::parse("~:10").unwrap();
        assert!(r.alerts(d("10.0001")) && !r.alerts(d("10")) && !r.alerts(d("-1e9")));

        let r = Range::parse("@10:20").unwrap();
        assert!(r.alerts(d("10")) && r.alerts(d("20")) && r.alerts(d("15")));
        assert!(!r.alerts(d("9.9")) && !r.alerts(d("20.1")));

        let r = Range::parse("-5:-1").unwrap();
        assert!(r.alerts(d("0")) && !r.alerts(d("-3")));
        assert!(!Range::parse("~:").unwrap().alerts(d("-1e20")));
        assert_eq!(Range::parse(":7").unwrap(), Range::parse("7").unwrap());
    }

    #[test]
    fn bad_ranges_are_one_line_errors() {
        for text in [
            "", "@", "~", "abc", "10:5", "@20:10", "1:2:3", "x:", ":y", " 10", "10 ", "+5", "1,5",
            "inf", "NaN", "10::", "@@10",
        ] {
            let e = Range::parse(text).expect_err(text);
            assert!(
                !e.contains('\n') && e.contains("not a range"),
                "{text}: {e}"
            );
        }
    }

    /// Decimals with a few places, over a span that covers the edges.
    fn decimal() -> impl Strategy<Value = Decimal> {
        (-100_000i64..100_000, 0u32..4).prop_map(|(n, scale)| Decimal::new(n, scale))
    }

    fn range() -> impl Strategy<Value = Range> {
        (
            proptest::option::of(decimal()),
            proptest::option::of(decimal()),
            any::<bool>(),
        )
            .prop_map(|(a, b, inside)| {
                let (start, end) = match (a, b) {
                    (Some(a), Some(b)) if a > b => (Some(b), Some(a)),
                    other => other,
                };
                Range { start, end, inside }
            })
    }

    proptest! {
        #[test]
        fn text_round_trips(r in range()) {
            prop_assert_eq!(Range::parse(&r.to_string()), Ok(r));
        }

        /// Each form means what SPEC §7 says, at and around its edges.
        #[test]
        fn forms_mean_what_they_say(a in decimal(), b in decimal(), v in decimal(), nudge in 0usize..5) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            let tiny = Decimal::new(1, 4);
            // Half the time, put the value on or next to an edge.
            let v = [v, lo, hi, lo - tiny, hi + tiny][nudge];

            let outside_0_hi = Range::parse(&hi.to_string());
            if hi >= Decimal::ZERO {
                prop_assert_eq!(outside_0_hi.unwrap().alerts(v), v < Decimal::ZERO || v > hi);
            } else {
                prop_assert!(outside_0_hi.is_err(), "{hi}: start 0 is above a negative end");
            }
            prop_assert_eq!(Range::parse(&format!("{lo}:")).unwrap().alerts(v), v < lo);
            prop_assert_eq!(Range::parse(&format!("~:{hi}")).unwrap().alerts(v), v > hi);
            prop_assert_eq!(Range::parse(&format!("{lo}:{hi}")).unwrap().alerts(v), v < lo || v > hi);
            prop_assert_eq!(Range::parse(&format!("@{lo}:{hi}")).unwrap().alerts(v), lo <= v && v <= hi);
        }

        #[test]
        fn any_text_parses_or_fails_in_one_line(text in "[@~:0-9.eE+-]{0,8}|\\PC{0,12}") {
            match Range::parse(&text) {
                Ok(r) => prop_assert_eq!(Range::parse(&r.to_string()), Ok(r)),
                Err(e) => prop_assert!(!e.contains('\n')),
            }
        }
    }
}

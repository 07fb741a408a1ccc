//! JSON Pointers (RFC 6901) walked over a body's raw text, so that a number
//! keeps the digits the vendor wrote: nothing is ever held as f64.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use rust_decimal::Decimal;
use serde_json::value::RawValue;

use crate::money::parse_decimal;

/// A checked JSON Pointer: `""` is the whole document, `/a/0/b` a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pointer {
    text: String,
    tokens: Vec<String>,
}

impl Pointer {
    /// Parses RFC 6901 syntax: empty, or `/`-separated tokens with `~0` and `~1`.
    pub fn parse(text: &str) -> Result<Pointer, String> {
        if text.is_empty() {
            return Ok(Pointer {
                text: String::new(),
                tokens: Vec::new(),
            });
        }
        let Some(rest) = text.strip_prefix('/') else {
            return Err(
                "is not a JSON Pointer: it must start with `/` (e.g. \"/data/balance\")".into(),
            );
        };
        let mut tokens = Vec::new();
        for token in rest.split('/') {
            let mut out = String::with_capacity(token.len());
            let mut chars = token.chars();
            while let Some(c) = chars.next() {
                if c != '~' {
                    out.push(c);
                    continue;
                }
                match chars.next() {
                    Some('0') => out.push('~'),
                    Some('1') => out.push('/'),
                    _ => return Err("is not a JSON Pointer: `~` must be followed by 0 or 1".into()),
                }
            }
            tokens.push(out);
        }
        Ok(Pointer {
            text: text.to_owned(),
            tokens,
        })
    }

    /// For built-in descriptions, whose pointers are known to be valid.
    pub fn known(text: &str) -> Pointer {
        Pointer::parse(text).expect("built-in pointers are valid")
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The value this pointer names in `doc`, as its raw text; `None` when a
    /// step is missing or walks into a scalar.
    pub fn resolve<'a>(&self, doc: &'a RawValue) -> Option<&'a RawValue> {
        let mut current = doc;
        for token in &self.tokens {
            current = step(current, token)?;
        }
        Some(current)
    }
}

fn step<'a>(value: &'a RawValue, token: &str) -> Option<&'a RawValue> {
    let text = value.get().trim_start();
    if text.starts_with('{') {
        // Later duplicates win, as in most JSON readers.
        let map: HashMap<String, &'a RawValue> = serde_json::from_str(value.get()).ok()?;
        map.get(token).copied()
    } else if text.starts_with('[') {
        // RFC 6901: no leading zeros, no sign.
        if token.is_empty() || (token.len() > 1 && token.starts_with('0')) {
            return None;
        }
        let index: usize = token.parse().ok()?;
        let items: Vec<&'a RawValue> = serde_json::from_str(value.get()).ok()?;
        items.get(index).copied()
    } else {
        None
    }
}

/// What a value is, for messages: never the value itself.
pub fn kind(value: &RawValue) -> &'static str {
    match value.get().trim_start().as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

pub fn is_null(value: &RawValue) -> bool {
    value.get().trim() == "null"
}

/// A JSON string's text, unescaped; `None` for any other type.
pub fn string(value: &RawValue) -> Option<String> {
    value
        .get()
        .trim_start()
        .starts_with('"')
        .then(|| serde_json::from_str(value.get()).ok())
        .flatten()
}

/// A number or a string, as text (codes are compared as text: `1200` and
/// `"1200"` are the same code). Objects, arrays, booleans and null: `None`.
pub fn scalar_text(value: &RawValue) -> Option<String> {
    let text = value.get().trim();
    match text.as_bytes().first()? {
        b'"' => string(value),
        b'-' | b'0'..=b'9' => Some(text.to_owned()),
        _ => None,
    }
}

/// The first number or string under a member whose name contains `word`
/// (lower case; names compared ASCII case-insensitively), depth first: for
/// vendors whose error field names are not known (Clickatell's One API codes).
pub fn find_named(doc: &RawValue, word: &str) -> Option<String> {
    use serde_json::Value;
    fn walk(value: &Value, word: &str) -> Option<String> {
        match value {
            Value::Object(map) => map.iter().find_map(|(name, v)| {
                let scalar = match v {
                    Value::Number(n) => Some(n.to_string()),
                    Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
                    _ => None,
                };
                scalar
                    .filter(|_| name.to_ascii_lowercase().contains(word))
                    .or_else(|| walk(v, word))
            }),
            Value::Array(items) => items.iter().find_map(|v| walk(v, word)),
            _ => None,
        }
    }
    walk(&serde_json::from_str(doc.get()).ok()?, word)
}

/// An amount as the vendor wrote it: a JSON number, a decimal string
/// (`"300.00"`), or a string with a currency before or after the number
/// (`"KES 1785.50"`, `"1785.50 KES"`). Returns the exact value and that currency.
pub fn amount(value: &RawValue) -> Result<(Decimal, Option<String>), String> {
    let text = value.get().trim();
    match text.as_bytes().first() {
        Some(b'-' | b'0'..=b'9') => parse_decimal(text).map(|d| (d, None)),
        Some(b'"') => {
            let inner = string(value).unwrap_or_default();
            let inner = inner.trim();
            if let Ok(d) = parse_decimal(inner) {
                return Ok((d, None));
            }
            split_currency(inner).ok_or_else(|| {
                format!(
                    "`{}`, which is not an amount",
                    crate::text::clean(inner, 40)
                )
            })
        }
        _ => Err(format!("{} instead of an amount", kind(value))),
    }
}

/// `"KES 1785.50"` → (1785.50, KES); `"Ksh. 600.56"` → (600.56, Ksh.); the
/// number may come first too. The unit is whatever stands on the other side of
/// the last (or first) space, as long as it holds no digit.
fn split_currency(text: &str) -> Option<(Decimal, Option<String>)> {
    let unit_ok = |u: &str| !u.is_empty() && !u.chars().any(|c| c.is_ascii_digit());
    if let Some((unit, number)) = text.rsplit_once(char::is_whitespace)
        && unit_ok(unit.trim())
        && let Ok(d) = parse_decimal(number)
    {
        return Some((d, Some(unit.trim().to_owned())));
    }
    let (number, unit) = text.split_once(char::is_whitespace)?;
    let unit = unit.trim();
    (unit_ok(unit))
        .then(|| parse_decimal(number).ok())
        .flatten()
        .map(|d| (d, Some(unit.to_owned())))
}

/// A point in time as vendors write one: RFC 3339 (`2026-12-31T23:59:59Z`,
/// any offset, a space for the `T`, no zone meaning UTC), a bare date (its
/// first instant, UTC: the earlier reading warns sooner), or Unix seconds as a
/// number or a digit string (milliseconds when the value is too large to be
/// seconds: past the year 5000).
pub fn timestamp(value: &RawValue) -> Result<SystemTime, String> {
    let text = match string(value) {
        Some(s) => s.trim().to_owned(),
        None if value.get().trim().starts_with(|c: char| c.is_ascii_digit()) => {
            value.get().trim().to_owned()
        }
        None => return Err(format!("{} instead of a time", kind(value))),
    };
    let bad = || {
        format!(
            "`{}`, which is not a time (RFC 3339 or Unix seconds)",
            crate::text::clean(&text, 40)
        )
    };
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        let n: u64 = text.parse().map_err(|_| bad())?;
        let seconds = if n >= 100_000_000_000 { n / 1000 } else { n };
        let millis = if n >= 100_000_000_000 { n % 1000 } else { 0 };
        return SystemTime::UNIX_EPOCH
            .checked_add(Duration::from_secs(seconds) + Duration::from_millis(millis))
            .ok_or_else(bad);
    }
    let (local, offset) = split_offset(&text).ok_or_else(bad)?;
    let local = if local.len() == 10 {
        format!("{local}T00:00:00")
    } else {
        local.to_owned()
    };
    let at = humantime::parse_rfc3339_weak(&local).map_err(|_| bad())?;
    // The text is local time at `offset`: UTC is that much earlier.
    let utc = if offset >= 0 {
        at.checked_sub(Duration::from_secs(offset.unsigned_abs()))
    } else {
        at.checked_add(Duration::from_secs(offset.unsigned_abs()))
    };
    utc.ok_or_else(bad)
}

/// `2026-12-31T23:59:59+05:30` → (`2026-12-31T23:59:59`, 19800 seconds);
/// `Z` or no zone is offset 0. `None` for a malformed offset.
fn split_offset(text: &str) -> Option<(&str, i64)> {
    if let Some(local) = text.strip_suffix(['Z', 'z']) {
        return Some((local, 0));
    }
    // An offset follows a time, never the date's own dashes.
    let Some(time_at) = text.find(['T', 't', ' ']) else {
        return Some((text, 0));
    };
    let Some(sign_at) = text[time_at..].rfind(['+', '-']).map(|i| i + time_at) else {
        return Some((text, 0));
    };
    let zone = &text[sign_at + 1..];
    let (h, m) = zone
        .split_once(':')
        .unwrap_or((zone.get(..2)?, zone.get(2..)?));
    if h.len() != 2 || m.len() != 2 || !(h.to_owned() + m).bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let seconds = h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60;
    let sign = if text.as_bytes()[sign_at] == b'-' {
        -1
    } else {
        1
    };
    Some((&text[..sign_at], sign * seconds))
}

/// Parses a body as JSON, keeping every value's text; `None` if it is not JSON.
pub fn document(body: &[u8]) -> Option<&RawValue> {
    serde_json::from_slice(body).ok()
}

/// Writes `replacement` (raw JSON) at `pointer` in `doc`, keeping everything
/// else byte for byte: the emulators answer a documented body with another
/// amount. `None` when the pointer does not resolve.
pub fn replace(doc: &str, pointer: &Pointer, replacement: &str) -> Option<String> {
    let raw: &RawValue = serde_json::from_str(doc).ok()?;
    let target = pointer.resolve(raw)?;
    // The resolved slice borrows from `doc`, so its offset locates it there.
    let start = target.get().as_ptr() as usize - doc.as_ptr() as usize;
    let end = start + target.get().len();
    Some(format!("{}{replacement}{}", &doc[..start], &doc[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(doc: &str, pointer: &str) -> Option<String> {
        let raw: &RawValue = serde_json::from_str(doc).unwrap();
        Pointer::parse(pointer)
            .unwrap()
            .resolve(raw)
            .map(|v| v.get().to_owned())
    }

    #[test]
    fn walks_objects_and_arrays_keeping_digits() {
        let doc = r#"{"data":{"balance":"300.00","n":149309.7985931},"errors":[{"code":10009}],"a/b":{"~":1}}"#;
        assert_eq!(at(doc, "/data/balance").unwrap(), r#""300.00""#);
        assert_eq!(at(doc, "/data/n").unwrap(), "149309.7985931");
        assert_eq!(at(doc, "/errors/0/code").unwrap(), "10009");
        assert_eq!(at(doc, "/a~1b/~0").unwrap(), "1");
        assert_eq!(at(doc, "").unwrap(), doc);
        for missing in [
            "/x",
            "/errors/1",
            "/errors/01",
            "/errors/-1",
            "/data/n/x",
            "/errors/a",
        ] {
            assert_eq!(at(doc, missing), None, "{missing}");
        }
    }

    #[test]
    fn pointer_syntax_is_checked() {
        assert!(Pointer::parse("data/balance").is_err());
        assert!(Pointer::parse("/a~2").is_err());
        assert!(Pointer::parse("/a~").is_err());
        assert!(Pointer::parse("/").is_ok());
    }

    fn amount_of(json: &str) -> Result<(String, Option<String>), String> {
        let raw: &RawValue = serde_json::from_str(json).unwrap();
        amount(raw).map(|(d, c)| (d.to_string(), c))
    }

    #[test]
    fn amounts_in_every_form() {
        assert_eq!(amount_of("10.17127500").unwrap().0, "10.17127500");
        assert_eq!(
            amount_of("999.5360000000001").unwrap().0,
            "999.5360000000001"
        );
        assert_eq!(amount_of(r#""1.80900""#).unwrap().0, "1.80900");
        assert_eq!(amount_of(r#""-0.05""#).unwrap().0, "-0.05");
        assert_eq!(
            amount_of(r#""KES 1785.50""#).unwrap(),
            ("1785.50".into(), Some("KES".into()))
        );
        assert_eq!(
            amount_of(r#""Ksh. 600.56""#).unwrap(),
            ("600.56".into(), Some("Ksh.".into()))
        );
        assert_eq!(
            amount_of(r#""12.5 USD""#).unwrap(),
            ("12.5".into(), Some("USD".into()))
        );
        for bad in [
            "null", "true", "{}", "[]", r#""""#, r#""KES""#, r#""1 2""#, "1e400",
        ] {
            assert!(amount_of(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn codes_compare_as_text() {
        let raw: &RawValue = serde_json::from_str("1200").unwrap();
        assert_eq!(scalar_text(raw).as_deref(), Some("1200"));
        let raw: &RawValue = serde_json::from_str(r#""1200""#).unwrap();
        assert_eq!(scalar_text(raw).as_deref(), Some("1200"));
        let raw: &RawValue = serde_json::from_str("null").unwrap();
        assert_eq!(scalar_text(raw), None);
    }

    #[test]
    fn codes_found_by_name() {
        let find = |doc: &str| find_named(serde_json::from_str(doc).unwrap(), "code");
        assert_eq!(
            find(r#"{"messages":[],"errorCode":43,"error":"Rate limit"}"#).as_deref(),
            Some("43")
        );
        assert_eq!(
            find(r#"{"error":{"code":"001","description":"x"}}"#).as_deref(),
            Some("001")
        );
        assert_eq!(find(r#"[{"a":1},{"b":{"Code":7}}]"#).as_deref(), Some("7"));
        assert_eq!(
            find(r#"{"code":null,"codes":{},"error":"Rate limit"}"#),
            None
        );
        assert_eq!(find("43"), None);
    }

    #[test]
    fn replace_keeps_the_rest() {
        let doc = r#"{"a": {"balance": "4.998000", "x": [1, 2]}, "b": 1}"#;
        let p = Pointer::known("/a/balance");
        assert_eq!(
            replace(doc, &p, r#""3.75""#).unwrap(),
            r#"{"a": {"balance": "3.75", "x": [1, 2]}, "b": 1}"#
        );
        assert_eq!(replace(doc, &Pointer::known("/zz"), "1"), None);
    }

    fn time_of(json: &str) -> Result<String, String> {
        let raw: &RawValue = serde_json::from_str(json).unwrap();
        timestamp(raw).map(|t| humantime::format_rfc3339_seconds(t).to_string())
    }

    #[test]
    fn times_in_every_form() {
        let want = "2026-12-31T23:59:59Z";
        for form in [
            r#""2026-12-31T23:59:59Z""#,
            r#""2026-12-31T23:59:59.250Z""#,
            r#""2026-12-31 23:59:59""#,
            r#""2027-01-01T05:29:59+05:30""#,
            r#""2027-01-01T07:59:59+0800""#,
            r#""2026-12-31T18:59:59-05:00""#,
            "1798761599",
            r#""1798761599""#,
            "1798761599000",
        ] {
            assert_eq!(time_of(form).as_deref(), Ok(want), "{form}");
        }
        assert_eq!(time_of(r#""2026-12-31""#).unwrap(), "2026-12-31T00:00:00Z");
        for bad in [
            "null",
            "{}",
            "-5",
            "1.5",
            r#""""#,
            r#""soon""#,
            r#""2026-13-01""#,
            r#""2026-12-31T23:59:59+5""#,
            r#""2026-12-31T23:59:59+aa:bb""#,
            "99999999999999999999999",
        ] {
            assert!(time_of(bad).is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        /// Any bytes, any pointer: a value or nothing, never a panic.
        #[test]
        fn arbitrary_documents(body in proptest::collection::vec(proptest::arbitrary::any::<u8>(), 0..64), p in "(/[a-z0-9~]{0,3}){0,3}") {
            if let (Some(doc), Ok(p)) = (document(&body), Pointer::parse(&p))
                && let Some(v) = p.resolve(doc) {
                    let _ = amount(v);
                    let _ = scalar_text(v);
                }
        }
    }
}

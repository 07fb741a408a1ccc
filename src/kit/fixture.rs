//! A vendor's documented answers, kept as HTTP messages in its folder
//! (`providers/<vendor>/fixtures/*.http`): what the sandbox answers with, and
//! what the conformance suite checks each adapter against.
//!
//! ```text
//! # source: where the body comes from (docs page, SDK fixture, spec example)
//! # expect: balance 400.00 USD part.cash=300.00 part.credit=100.00 unit=money
//! HTTP/1.1 200 OK
//! content-type: application/json
//!
//! {"data": {"balance": "300.00", ...}}
//! ```
//! After the amount and currency (`-` for none): `part.<cash|credit|bonus|reserved>=N`
//! lists the parts, all of them (none listed: none reported); `unit=` the
//! unit kind (unchecked when not given); `expires=` the expiry in RFC 3339 UTC
//! seconds (none given: none reported); any other `name=value` a detail.
//! The file name starts with what it is: `balance`, `auth`, `rate-limited`,
//! `not-prepaid` or `provider` (then any label: `auth-expired-token.http`).

use super::{Balance, Part, Unit};
use crate::error::ErrorKind;

/// What `balance check --json` must report for a fixture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    Balance {
        amount: String,
        currency: Option<String>,
        details: Vec<(String, String)>,
        /// Every part, in the description's order.
        parts: Vec<(Part, String)>,
        /// `None`: not checked (fixtures older than unit kinds).
        unit: Option<Unit>,
        /// RFC 3339, UTC, seconds.
        expires: Option<String>,
    },
    Error {
        kind: ErrorKind,
        code: Option<String>,
    },
}

#[derive(Debug, Clone)]
pub struct Fixture {
    /// Without its endpoint's prefix: `balance.http`.
    pub name: &'static str,
    /// The endpoint it answers for, when not the balance's own: a file named
    /// `subaccounts.balance.http` answers for the subaccount list.
    pub endpoint: Option<&'static str>,
    pub status: u16,
    pub headers: Vec<(&'static str, &'static str)>,
    pub body: &'static str,
    pub expect: Expect,
}

impl Fixture {
    /// The scenario word its name starts with.
    pub fn kind_word(&self) -> &'static str {
        KINDS
            .iter()
            .find(|(w, _)| self.name.starts_with(w))
            .map_or("", |(w, _)| w)
    }

    /// Parses `text` (a file named `name`); the error says what is wrong.
    pub fn parse(name: &'static str, text: &'static str) -> Result<Fixture, String> {
        let fail = |m: &str| format!("fixture {name}: {m}");
        let (endpoint, name) = match name.strip_prefix(SUBACCOUNTS) {
            Some(rest) => (Some(&SUBACCOUNTS[..SUBACCOUNTS.len() - 1]), rest),
            None => (None, name),
        };
        let mut expect = None;
        let mut rest = text;
        let status_line = loop {
            let (line, tail) = rest.split_once('\n').unwrap_or((rest, ""));
            rest = tail;
            let line = line.trim_end_matches('\r');
            if let Some(e) = line.strip_prefix("# expect:") {
                expect = Some(parse_expect(e.trim()).map_err(|m| fail(&m))?);
            } else if line.starts_with('#') || line.trim().is_empty() {
                if rest.is_empty() {
                    return Err(fail("no status line"));
                }
            } else {
                break line;
            }
        };
        let status = status_line
            .strip_prefix("HTTP/1.1 ")
            .and_then(|s| s.get(..3))
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| fail("the first line must be `HTTP/1.1 <status> <reason>`"))?;
        let mut headers = Vec::new();
        let body = loop {
            let (line, tail) = rest.split_once('\n').unwrap_or((rest, ""));
            rest = tail;
            let line = line.trim_end_matches('\r');
            if line.is_empty() {
                break rest;
            }
            let (k, v) = line
                .split_once(':')
                .ok_or_else(|| fail(&format!("bad header line `{line}`")))?;
            headers.push((k.trim(), v.trim()));
        };
        let expect = expect.ok_or_else(|| fail("no `# expect:` line"))?;
        let fixture = Fixture {
            name,
            endpoint,
            status,
            headers,
            body: body.strip_suffix('\n').unwrap_or(body),
            expect,
        };
        let word = fixture.kind_word();
        let agrees = match &fixture.expect {
            Expect::Balance { .. } => word == "balance",
            Expect::Error { kind, .. } => {
                KINDS.iter().any(|(w, k)| *w == word && k == &Some(*kind))
            }
        };
        if !agrees {
            return Err(fail(
                "its name must start with what it expects (balance, auth, rate-limited, not-prepaid, provider)",
            ));
        }
        Ok(fixture)
    }
}

/// The prefix of a subaccount list's fixtures.
const SUBACCOUNTS: &str = "subaccounts.";

const KINDS: &[(&str, Option<ErrorKind>)] = &[
    ("balance", None),
    ("auth", Some(ErrorKind::Auth)),
    ("rate-limited", Some(ErrorKind::RateLimited)),
    ("not-prepaid", Some(ErrorKind::NotPrepaid)),
    ("provider", Some(ErrorKind::Provider)),
];

/// `balance 300.00 USD k=v…` (`-` for no currency), or `<kind> [code]`.
fn parse_expect(text: &str) -> Result<Expect, String> {
    let mut words = text.split_whitespace();
    let head = words.next().ok_or("empty `# expect:`")?;
    if head == "balance" {
        let amount = words.next().ok_or("`balance` needs an amount")?.to_owned();
        let currency = match words.next() {
            None | Some("-") => None,
            Some(c) => Some(c.to_owned()),
        };
        let (mut details, mut parts, mut unit, mut expires) = (Vec::new(), Vec::new(), None, None);
        for w in words {
            let (k, v) = w
                .split_once('=')
                .ok_or_else(|| format!("detail `{w}` must be name=value"))?;
            if let Some(name) = k.strip_prefix("part.") {
                let part = Part::parse(name).ok_or_else(|| {
                    let known: Vec<&str> = Part::ALL.iter().map(|p| p.as_str()).collect();
                    format!("unknown part `{name}` (one of {})", known.join(", "))
                })?;
                parts.push((part, v.to_owned()));
            } else if k == "unit" {
                let u = Unit::ALL.into_iter().find(|u| u.as_str() == v);
                unit = Some(
                    u.ok_or_else(|| format!("unknown unit `{v}` (money, credits, messages)"))?,
                );
            } else if k == "expires" {
                expires = Some(v.to_owned());
            } else {
                details.push((k.to_owned(), v.to_owned()));
            }
        }
        return Ok(Expect::Balance {
            amount,
            currency,
            details,
            parts,
            unit,
            expires,
        });
    }
    let kind = [
        ErrorKind::Auth,
        ErrorKind::RateLimited,
        ErrorKind::NotPrepaid,
        ErrorKind::Provider,
    ]
    .into_iter()
    .find(|k| k.as_str() == head)
    .ok_or_else(|| format!("unknown expectation `{head}`"))?;
    Ok(Expect::Error {
        kind,
        code: words.next().map(str::to_owned),
    })
}

impl Expect {
    /// Why `b` is not the balance this expects, if it is not (the currency
    /// is compared by the caller, who knows the profile's own).
    pub fn balance_mismatch(&self, b: &Balance) -> Option<String> {
        let Expect::Balance {
            amount,
            details,
            parts,
            unit,
            expires,
            ..
        } = self
        else {
            return Some("expected an error, got a balance".into());
        };
        let got_parts: Vec<(Part, String)> =
            b.parts.iter().map(|(p, v)| (*p, v.to_string())).collect();
        let got_details: Vec<(String, String)> = b
            .details
            .iter()
            .map(|(k, v)| (k.clone(), v.to_string()))
            .collect();
        let got_expires = b
            .expires_at
            .map(|t| humantime::format_rfc3339_seconds(t).to_string());
        let ok = b.amount.to_string() == *amount
            && got_parts == *parts
            && got_details == *details
            && unit.is_none_or(|u| u == b.unit)
            && got_expires == *expires;
        (!ok).then(|| {
            format!(
                "got amount {} parts {got_parts:?} unit {} expires {got_expires:?} details {got_details:?}",
                b.amount,
                b.unit.as_str()
            )
        })
    }
}

/// Parses every fixture of a vendor (the build embeds them); a broken one is a
/// bug caught by the registry's tests.
pub fn parse_all(files: &[(&'static str, &'static str)]) -> Vec<Fixture> {
    files
        .iter()
        .filter_map(|(name, text)| Fixture::parse(name, text).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_head_headers_body_and_expectation() {
        let f = Fixture::parse(
            "rate-limited.http",
            "# source: docs\n# expect: rate_limited 10011\nHTTP/1.1 429 Too Many Requests\nx-ratelimit-reset: 1\ncontent-type: application/json\n\n{\"errors\":[]}\n",
        )
        .unwrap();
        assert_eq!(f.status, 429);
        assert_eq!(f.headers[0], ("x-ratelimit-reset", "1"));
        assert_eq!(f.body, "{\"errors\":[]}");
        assert_eq!(
            f.expect,
            Expect::Error {
                kind: ErrorKind::RateLimited,
                code: Some("10011".into())
            }
        );
        let f = Fixture::parse(
            "balance.http",
            "# expect: balance 300.00 USD credit_limit=100.00\nHTTP/1.1 200 OK\n\n{}",
        )
        .unwrap();
        assert_eq!(
            f.expect,
            Expect::Balance {
                amount: "300.00".into(),
                currency: Some("USD".into()),
                details: vec![("credit_limit".into(), "100.00".into())],
                parts: vec![],
                unit: None,
                expires: None,
            }
        );
        let f = Fixture::parse(
            "balance.http",
            "# expect: balance 400.00 USD part.cash=300.00 part.credit=100.00 unit=credits expires=2026-12-31T00:00:00Z pending=1\nHTTP/1.1 200 OK\n\n{}",
        )
        .unwrap();
        assert_eq!(
            f.expect,
            Expect::Balance {
                amount: "400.00".into(),
                currency: Some("USD".into()),
                details: vec![("pending".into(), "1".into())],
                parts: vec![
                    (Part::Cash, "300.00".into()),
                    (Part::Credit, "100.00".into())
                ],
                unit: Some(Unit::Credits),
                expires: Some("2026-12-31T00:00:00Z".into()),
            }
        );
        for (bad, says) in [
            ("part.gift=1", "unknown part `gift`"),
            ("unit=euros", "unknown unit `euros`"),
            ("part.cash", "`part.cash` must be name=value"),
        ] {
            let text = format!("# expect: balance 1 - {bad}\nHTTP/1.1 200 OK\n\n{{}}");
            let e = Fixture::parse("balance.http", Box::leak(text.into_boxed_str())).unwrap_err();
            assert!(e.contains(says), "{e}");
        }
        assert!(
            Fixture::parse("auth.http", "# expect: balance 1 -\nHTTP/1.1 200 OK\n\n{}").is_err()
        );
        assert!(Fixture::parse("balance.http", "HTTP/1.1 200 OK\n\n{}").is_err());
        assert!(Fixture::parse("balance.http", "# expect: balance 1 -\n").is_err());
    }
}

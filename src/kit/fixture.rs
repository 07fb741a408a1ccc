//! A vendor's documented answers, kept as HTTP messages in its folder
//! (`providers/<vendor>/fixtures/*.http`): what the sandbox answers with, and
//! what the conformance suite checks each adapter against.
//!
//! ```text
//! # source: where the body comes from (docs page, SDK fixture, spec example)
//! # expect: balance 300.00 USD credit_limit=100.00
//! HTTP/1.1 200 OK
//! content-type: application/json
//!
//! {"data": {"balance": "300.00", ...}}
//! ```
//! The file name starts with what it is: `balance`, `auth`, `rate-limited`,
//! `not-prepaid` or `provider` (then any label: `auth-expired-token.http`).

use crate::error::ErrorKind;

/// What `balance check --json` must report for a fixture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    Balance {
        amount: String,
        currency: Option<String>,
        details: Vec<(String, String)>,
    },
    Error {
        kind: ErrorKind,
        code: Option<String>,
    },
}

#[derive(Debug, Clone)]
pub struct Fixture {
    pub name: &'static str,
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
        let details = words
            .map(|w| {
                w.split_once('=')
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .ok_or_else(|| format!("detail `{w}` must be name=value"))
            })
            .collect::<Result<_, _>>()?;
        return Ok(Expect::Balance {
            amount,
            currency,
            details,
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
                details: vec![("credit_limit".into(), "100.00".into())]
            }
        );
        assert!(
            Fixture::parse("auth.http", "# expect: balance 1 -\nHTTP/1.1 200 OK\n\n{}").is_err()
        );
        assert!(Fixture::parse("balance.http", "HTTP/1.1 200 OK\n\n{}").is_err());
        assert!(Fixture::parse("balance.http", "# expect: balance 1 -\n").is_err());
    }
}

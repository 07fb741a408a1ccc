//! Vendor adapters. Each vendor lives in its own folder (`mod.rs` the adapter,
//! `wire.rs` its JSON); adding one is that folder plus a line in `REGISTRY`.

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;

use reqwest::header::HeaderValue;
use rust_decimal::Decimal;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use url::Url;

use crate::check::Ctx;
use crate::config::Keys;
use crate::error::{CheckError, ErrorKind};
use crate::http::Reply;
use crate::text;

mod eight_by_eight;
mod engagelab;
mod frontier;
mod infobip;
mod yeastar;

/// Every supported provider, in the order `balance providers` lists them.
pub static REGISTRY: &[&ProviderSpec] = &[
    &eight_by_eight::SPEC,
    &infobip::SPEC,
    &yeastar::SPEC,
    &frontier::SPEC,
    &engagelab::SPEC,
];

pub fn find(name: &str) -> Option<&'static ProviderSpec> {
    REGISTRY.iter().copied().find(|p| p.name == name)
}

pub fn names() -> String {
    REGISTRY
        .iter()
        .map(|p| p.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a provider is called in config, which keys it takes, and how it is built.
pub struct ProviderSpec {
    pub name: &'static str,
    pub about: &'static str,
    /// Provider-specific keys; `base_url` and `currency` appear here when the
    /// provider gives them a meaning of its own (a default, or "required").
    pub keys: &'static [KeySpec],
    pub build: fn(&mut Keys<'_>) -> Result<Box<dyn Adapter>, String>,
    /// Its API, emulated for `balance sandbox` and `balance demo`.
    pub emulator: &'static dyn crate::sandbox::Emulator,
}

impl Debug for ProviderSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

#[derive(Debug)]
pub struct KeySpec {
    pub name: &'static str,
    pub required: bool,
    pub secret: bool,
    pub help: &'static str,
}

impl KeySpec {
    pub const fn optional(name: &'static str, help: &'static str) -> Self {
        KeySpec {
            name,
            required: false,
            secret: false,
            help,
        }
    }

    pub const fn required(name: &'static str, help: &'static str) -> Self {
        KeySpec {
            name,
            required: true,
            secret: false,
            help,
        }
    }

    /// A secret: written as a literal, `{ env }`, `{ command }` or `{ file }`.
    pub const fn secret(self) -> Self {
        KeySpec {
            secret: true,
            ..self
        }
    }
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One configured vendor account.
pub trait Adapter: Send + Sync + Debug {
    /// Where its requests go (the default, or the profile's `base_url`).
    fn base_url(&self) -> &Url;
    fn fetch<'a>(&'a self, ctx: &'a Ctx<'a>) -> BoxFuture<'a, Result<Balance, CheckError>>;
}

/// A fetched balance, exact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balance {
    pub amount: Decimal,
    /// The vendor's own unit, when its answer has one.
    pub currency: Option<String>,
    /// Provider-specific extras, reported under `details`.
    pub details: Vec<(String, Decimal)>,
}

impl Balance {
    pub fn new(amount: Decimal, currency: Option<String>) -> Self {
        Balance {
            amount,
            // Made safe with the rest of the result's text, in `check::Runner::check`.
            currency: currency.filter(|c| !c.is_empty()),
            details: Vec::new(),
        }
    }
}

/// `base` with `segments` appended to its path (a path prefix is kept, each
/// segment percent-encoded).
pub fn endpoint(base: &Url, segments: &[&str]) -> Url {
    let mut url = base.clone();
    url.path_segments_mut()
        .expect("base URLs are validated http(s) URLs")
        .pop_if_empty()
        .extend(segments);
    url
}

pub fn default_url(text: &str) -> Url {
    Url::parse(text).expect("built-in URLs are valid")
}

/// `Authorization: {scheme} {credential}`, marked sensitive so that no debug
/// output of the request can show it. `None` when the credential has characters
/// no header may carry (a newline in a pasted key, say).
pub fn authorization(scheme: &str, credential: &str) -> Option<HeaderValue> {
    let mut value = HeaderValue::try_from(format!("{scheme} {credential}")).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// `authorization` for a secret from the config; a bad one is this profile's config error.
pub fn secret_authorization(
    scheme: &str,
    key: &str,
    secret: &SecretString,
) -> Result<HeaderValue, CheckError> {
    authorization(scheme, secret.expose_secret()).ok_or_else(|| {
        CheckError::config(format!(
            "`{key}` holds characters not allowed in an HTTP header"
        ))
    })
}

/// The error kind an HTTP status means when the body says nothing more precise.
pub fn status_kind(status: u16) -> ErrorKind {
    match status {
        401 | 403 => ErrorKind::Auth,
        429 => ErrorKind::RateLimited,
        _ => ErrorKind::Provider,
    }
}

/// How much of a vendor's text an error keeps: generous, since the result's
/// final gate bounds what is shown; this only bounds memory.
const VENDOR_TEXT_CHARS: usize = 8 * 1024;

/// The one shape every vendor error message takes:
/// `credentials rejected (HTTP 401, code 1200): Request was not authenticated properly`.
pub fn vendor_error(
    kind: ErrorKind,
    status: u16,
    code: Option<String>,
    message: Option<&str>,
) -> CheckError {
    let summary = match kind {
        ErrorKind::Auth => "credentials rejected",
        ErrorKind::RateLimited => "rate limited",
        ErrorKind::NotPrepaid => "account is not in prepaid mode",
        ErrorKind::Network => "network failure",
        ErrorKind::Config => "configuration error",
        ErrorKind::Provider => "vendor error",
    };
    let mut text = format!("{summary} (HTTP {status}");
    if let Some(code) = code.as_deref().filter(|c| !c.trim().is_empty()) {
        text.push_str(", code ");
        text.push_str(code);
    }
    text.push(')');
    if let Some(message) = message.filter(|m| !m.trim().is_empty()) {
        text.push_str(": ");
        text.push_str(message);
    }
    // Secrets go before any cut: a key straddling the bound would leave its start.
    let keep = |t: &str| text::clean(t, VENDOR_TEXT_CHARS);
    CheckError::new(kind, keep(&text))
        .status(status)
        .code(code.map(|c| keep(&c)))
}

/// Parses a body the vendor documents; anything else is a `provider` error that
/// says what was wrong without echoing the body.
pub fn parse_body<T: DeserializeOwned>(reply: &Reply) -> Result<T, CheckError> {
    serde_json::from_slice(&reply.body).map_err(|e| {
        let what = if reply.body.iter().all(u8::is_ascii_whitespace) {
            "an empty body".to_owned()
        } else if e.is_syntax() || e.is_eof() {
            "a body that is not JSON".to_owned()
        } else {
            // serde's text can quote the body; keep only the part before any quote.
            let text = e.to_string();
            let text = text.split(" at line ").next().unwrap_or("");
            let text = text
                .split('"')
                .next()
                .unwrap_or("")
                .trim_end_matches([' ', ':', ',']);
            format!("an unexpected body ({text})")
        };
        CheckError::provider(format!("unexpected answer (HTTP {}): {what}", reply.code()))
            .status(reply.code())
    })
}

/// Reads a vendor error body if it has the vendor's shape; `None` for HTML pages,
/// empty bodies and the like.
pub fn parse_error_body<T: DeserializeOwned>(reply: &Reply) -> Option<T> {
    serde_json::from_slice(&reply.body).ok()
}

/// Vendor-shaped junk for property tests: documented keys with values of every
/// type, nested, or plain bytes, under any status.
#[cfg(test)]
pub(crate) fn arbitrary_reply() -> impl proptest::strategy::Strategy<Value = Reply> {
    use proptest::prelude::*;
    const KEYS: &[&str] = &[
        "balance",
        "currency",
        "code",
        "message",
        "status",
        "result",
        "accountBalance",
        "amount",
        "token",
        "tokenHead",
        "expiresIn",
        "requestError",
        "serviceException",
        "messageId",
        "text",
        "errorCode",
        "description",
        "balance10000",
        "gift_balance10000",
        "total_balance10000",
        "gift_balance",
        "total_balance",
        "detailMessage",
    ];
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        "\\PC{0,12}".prop_map(serde_json::Value::from),
        Just(serde_json::Value::from("success")),
        Just(serde_json::Value::from("12500")),
    ];
    let value = leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(serde_json::Value::Array),
            proptest::collection::vec((proptest::sample::select(KEYS), inner), 0..5).prop_map(
                |kv| {
                    serde_json::Value::Object(
                        kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
                    )
                }
            ),
        ]
    });
    let body = prop_oneof![
        value.prop_map(|v| v.to_string().into_bytes()),
        proptest::collection::vec(any::<u8>(), 0..64),
        Just(b"{\"balance\": 1e400}".to_vec()),
        Just(b"{\"balance\": 123456789012345678901234567890123}".to_vec()),
    ];
    let status = proptest::sample::select(vec![
        200u16, 201, 204, 302, 400, 401, 403, 404, 429, 500, 503,
    ]);
    (status, body).prop_map(|(status, body)| Reply {
        status: reqwest::StatusCode::from_u16(status).expect("valid status"),
        headers: reqwest::header::HeaderMap::new(),
        body,
    })
}

/// Feeds `interpret` generated answers: each must be a balance or a one-line
/// error, never a panic.
#[cfg(test)]
pub(crate) fn check_any_answer(interpret: impl Fn(&Reply) -> Result<Balance, CheckError>) {
    let mut runner = proptest::test_runner::TestRunner::default();
    runner
        .run(&arbitrary_reply(), |reply| {
            if let Err(e) = interpret(&reply) {
                proptest::prop_assert!(!e.message.is_empty() && !e.message.contains('\n'), "{e:?}");
                proptest::prop_assert!(e.message.chars().count() < 400, "{e:?}");
            }
            Ok(())
        })
        .unwrap();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_keeps_prefix_and_encodes() {
        let base = Url::parse("https://proxy.example/frontier/").unwrap();
        assert_eq!(
            endpoint(&base, &["v1beta1", "a b", "balance"]).as_str(),
            "https://proxy.example/frontier/v1beta1/a%20b/balance"
        );
        let base = Url::parse("https://proxy.example").unwrap();
        assert_eq!(
            endpoint(&base, &["v1", "balance"]).as_str(),
            "https://proxy.example/v1/balance"
        );
    }

    #[test]
    fn vendor_error_reads_as_one_line() {
        let e = vendor_error(
            ErrorKind::Auth,
            401,
            Some("1200".into()),
            Some("Bad\nkey\t x"),
        );
        assert_eq!(
            e.message,
            "credentials rejected (HTTP 401, code 1200): Bad key x"
        );
        assert_eq!(
            (e.http_status, e.provider_code.as_deref()),
            (Some(401), Some("1200"))
        );
    }

    #[test]
    fn registry_names_are_unique_and_keys_known() {
        for (i, p) in REGISTRY.iter().enumerate() {
            assert!(REGISTRY[i + 1..].iter().all(|q| q.name != p.name));
            assert!(p.keys.iter().all(|k| k.name != "provider"));
        }
    }
}

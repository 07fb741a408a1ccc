//! The vendor kit: what every adapter builds on, and nothing above it (it
//! depends only on the HTTP client, errors, money, secrets and text). Vendors
//! import `kit::prelude`; the kit never imports a vendor, `check`, `config` or
//! `sandbox`.

pub mod described;
pub mod emulate;
pub mod engine;
pub mod fixture;
pub mod json;
pub mod keys;
pub mod provider;

use std::fmt::Debug;
use std::future::Future;
use std::net::IpAddr;
use std::path::Path;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use reqwest::RequestBuilder;
use reqwest::header::HeaderValue;
use rust_decimal::Decimal;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use url::{Host, Url};

use crate::debug;
use crate::error::{CheckError, ErrorKind};
use crate::http::{Pool, Reply, Verdict, by_status};
use crate::redact;
use crate::secret::{SecretEnv, SecretSource};
use crate::text;

/// What vendor folders use.
pub mod prelude {
    pub use super::engine::{Auth, Description, Hooks};
    pub use super::keys::{KeySpec, Rule, Value, Values};
    pub use super::provider::{BaseUrl, Build, ProviderSpec};
    pub use super::{Adapter, Balance, BoxFuture, Ctx, Part, Unit};
    pub use crate::error::{CheckError, ErrorKind};
}

/// A vendor folder's fixtures, embedded by the build script:
/// `fixtures!("twilio")` is `&[("balance.http", "…"), …]`.
#[macro_export]
macro_rules! fixtures {
    ($folder:literal) => {
        include!(concat!(env!("OUT_DIR"), "/fixtures/", $folder, ".rs"))
    };
}

/// What one profile's check needs: its host's connection pool, its timeout, its secrets.
pub struct Ctx<'a> {
    http: &'a Pool<'a>,
    pub timeout: Duration,
    /// Where adapters may keep state between runs (Yeastar's token).
    pub cache_dir: Option<&'a Path>,
    secret_env: &'a SecretEnv,
}

impl Ctx<'_> {
    /// Resolves a secret; a failure is this profile's `config` error. Every value
    /// resolved is registered with `redact`, so that no output can carry it.
    pub async fn secret(&self, source: &SecretSource) -> Result<SecretString, CheckError> {
        debug!(2, "reading secret from {}", source.describe());
        let value = source
            .resolve(self.secret_env, self.timeout)
            .await
            .map_err(CheckError::config)?;
        self.remember(value.clone());
        Ok(value)
    }

    /// Marks a value obtained at run time (a token) as secret.
    pub fn remember(&self, value: SecretString) {
        redact::register(&value);
    }

    /// HTTP Basic auth; the base64 of `user:secret` that the header carries is
    /// registered too, since a vendor may echo the header back.
    pub fn basic_auth(
        &self,
        rb: RequestBuilder,
        user: &str,
        secret: &SecretString,
    ) -> RequestBuilder {
        redact::register_basic(user, secret);
        rb.basic_auth(user, Some(secret.expose_secret()))
    }

    /// Sends a request, retried after a network failure, a 429 or a 5xx.
    pub async fn send(
        &self,
        build: impl Fn(&reqwest::Client) -> RequestBuilder,
    ) -> Result<Reply, CheckError> {
        self.http.send(self.timeout, build, by_status).await
    }

    /// Sends a request, retried after a network failure or an answer `classify`
    /// calls retryable: for vendors whose body says "try again" (SPEC §6).
    pub async fn send_with(
        &self,
        build: impl Fn(&reqwest::Client) -> RequestBuilder,
        classify: impl Fn(&Reply) -> Verdict,
    ) -> Result<Reply, CheckError> {
        self.http.send(self.timeout, build, classify).await
    }
}

impl<'a> Ctx<'a> {
    pub fn new(
        http: &'a Pool<'a>,
        timeout: Duration,
        cache_dir: Option<&'a Path>,
        secret_env: &'a SecretEnv,
    ) -> Self {
        Ctx {
            http,
            timeout,
            cache_dir,
            secret_env,
        }
    }

    /// `Basic base64(user:secret)`, registered with `redact` in that form too.
    pub fn basic_auth_value(&self, user: &str, secret: &SecretString) -> String {
        use base64::Engine;
        redact::register_basic(user, secret);
        let pair = format!("{user}:{}", secret.expose_secret());
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    }
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a profile with `subaccounts` hears from an adapter without them (the
/// config refuses such a profile first, with the vendor's reason).
pub const NO_SUBACCOUNTS: &str = "`subaccounts` is not supported by this provider";

/// One configured vendor account.
pub trait Adapter: Send + Sync + Debug {
    /// Where its requests go (the default, or the profile's `base_url`).
    fn base_url(&self) -> &Url;
    fn fetch<'a>(&'a self, ctx: &'a Ctx<'a>) -> BoxFuture<'a, Result<Balance, CheckError>>;
    /// Every balance the profile stands for: its own and, where the answer
    /// holds several or `subaccounts` asks for them, each labelled one.
    fn fetch_all<'a>(
        &'a self,
        ctx: &'a Ctx<'a>,
        subaccounts: Option<&'a Selection>,
    ) -> BoxFuture<'a, Result<Fetched, CheckError>> {
        Box::pin(async move {
            if subaccounts.is_some() {
                return Err(CheckError::config(NO_SUBACCOUNTS));
            }
            Ok(Fetched {
                own: Some(self.fetch(ctx).await?),
                each: Vec::new(),
            })
        })
    }
    /// Secrets the adapter found inside other keys' values (the `http` provider's
    /// `auth` and `headers` tables), so that they can be resolved offline too.
    fn secrets(&self) -> Vec<(String, SecretSource)> {
        Vec::new()
    }
}

/// What one profile's fetch gave: its own balance (none when the answer
/// only holds labelled ones, as DeepSeek's per-currency entries), then one
/// per subaccount or entry.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub own: Option<Balance>,
    pub each: Vec<Labelled>,
}

/// One of several balances an answer holds.
#[derive(Debug, Clone)]
pub struct Labelled {
    /// The vendor's id (a subaccount's key, a currency): what overrides name.
    pub id: String,
    /// The vendor's name for it, else its id: what the result is named by.
    pub label: String,
    /// It spends its parent's balance: no balance of its own to report.
    pub shared: bool,
    pub outcome: Result<Balance, CheckError>,
}

/// Which subaccounts a profile asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Every one with a balance of its own.
    All,
    /// These, by id, in this order.
    Ids(Vec<String>),
}

impl Selection {
    /// The subaccounts asked for, out of what the vendor listed: all those
    /// with a balance of their own, or each named one (an error result for an
    /// id the vendor did not list, or one that spends its parent's balance).
    pub fn pick(&self, listed: Vec<Labelled>) -> Vec<Labelled> {
        match self {
            Selection::All => listed.into_iter().filter(|l| !l.shared).collect(),
            Selection::Ids(ids) => ids
                .iter()
                .map(|id| {
                    listed
                        .iter()
                        .find(|l| l.id == *id)
                        .cloned()
                        .unwrap_or_else(|| Labelled {
                            id: id.clone(),
                            label: id.clone(),
                            shared: false,
                            outcome: Err(CheckError::config(format!(
                                "no subaccount `{}` in the vendor's list",
                                text::clean(id, 40)
                            ))),
                        })
                })
                .collect(),
        }
    }
}

/// What a balance counts. Currency text alone cannot say it: `"credits"` was
/// long the only sign that an amount is not money.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Unit {
    /// Money, in the result's currency (when known).
    #[default]
    Money,
    /// A vendor's own credits or points (BulkSMS, Brevo, Frontier's `VC`).
    Credits,
    /// A number of messages (a quota of SMS).
    Messages,
}

impl Unit {
    pub const ALL: [Unit; 3] = [Unit::Money, Unit::Credits, Unit::Messages];

    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Money => "money",
            Unit::Credits => "credits",
            Unit::Messages => "messages",
        }
    }
}

/// A named share of a balance, as vendors split it. Closed on purpose: a
/// vendor's own word for a share maps to one of these in its description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Part {
    /// Money or credits paid in (Telnyx `balance`, EngageLab general, cash,
    /// topped-up).
    Cash,
    /// A credit limit the account may spend beyond its cash.
    Credit,
    /// Granted, voucher or gift balance: spendable, not paid for.
    Bonus,
    /// Reserved or pending: held against spending in flight.
    Reserved,
}

impl Part {
    pub const ALL: [Part; 4] = [Part::Cash, Part::Credit, Part::Bonus, Part::Reserved];

    pub fn as_str(self) -> &'static str {
        match self {
            Part::Cash => "cash",
            Part::Credit => "credit",
            Part::Bonus => "bonus",
            Part::Reserved => "reserved",
        }
    }

    pub fn parse(word: &str) -> Option<Part> {
        Part::ALL.into_iter().find(|p| p.as_str() == word)
    }
}

/// A fetched balance, exact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balance {
    /// What a threshold applies to: the available amount (balance plus credit
    /// where the vendor gives a credit limit, or as the description says).
    pub amount: Decimal,
    /// The vendor's own unit, when its answer has one.
    pub currency: Option<String>,
    /// What the amount counts.
    pub unit: Unit,
    /// The shares the vendor reports, in the description's order, each once.
    pub parts: Vec<(Part, Decimal)>,
    /// When the balance (or its validity) runs out, where the vendor says.
    pub expires_at: Option<SystemTime>,
    /// Provider-specific extras, reported under `details`.
    pub details: Vec<(String, Decimal)>,
}

impl Balance {
    pub fn new(amount: Decimal, currency: Option<String>) -> Self {
        Balance {
            amount,
            // Made safe with the rest of the result's text, in `check::Runner::check`.
            currency: currency.filter(|c| !c.is_empty()),
            unit: Unit::Money,
            parts: Vec::new(),
            expires_at: None,
            details: Vec::new(),
        }
    }

    pub fn part(&self, part: Part) -> Option<Decimal> {
        self.parts.iter().find(|(p, _)| *p == part).map(|(_, v)| *v)
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

/// `Authorization: {scheme} {credential}`, marked sensitive so that no debug
/// output of the request can show it. `None` when the credential has characters
/// no header may carry (a newline in a pasted key, say).
pub fn authorization(scheme: &str, credential: &str) -> Option<HeaderValue> {
    let mut value = HeaderValue::try_from(format!("{scheme} {credential}")).ok()?;
    value.set_sensitive(true);
    Some(value)
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
        "data",
        "available_credit",
        "credit_limit",
        "pending",
        "expires_at",
        "error",
        "success",
        "quotaRemaining",
        "credit",
        "Balance",
        "walletResponse",
        "currentBalance",
        "balance_infos",
        "total_balance",
        "total_credits",
        "total_usage",
        "available_balance",
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

/// The scheme to suggest for a URL written without one: `http://` for a
/// loopback host (where a local emulator or proxy rarely speaks TLS, and the
/// only place `http://` is accepted), else `https://`.
fn scheme_for(text: &str) -> &'static str {
    match Url::parse(&format!("http://{text}"))
        .ok()
        .and_then(|u| u.host().map(|h| h.to_owned()))
    {
        Some(Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") => "http://",
        Some(Host::Ipv4(ip)) if ip.is_loopback() => "http://",
        Some(Host::Ipv6(ip)) if ip.is_loopback() => "http://",
        _ => "https://",
    }
}

/// `https://` anywhere; `http://` only on loopback. No credentials, query or fragment.
pub fn parse_base_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text.trim()).map_err(|e| {
        // `api.example.com` parses as a relative URL: the scheme is what is missing.
        if e == url::ParseError::RelativeUrlWithoutBase && !text.contains("://") {
            format!(
                "`{text}` has no scheme: did you mean `{}{}`?",
                scheme_for(text.trim()),
                text.trim()
            )
        } else {
            format!("`{text}` is not a URL: {e}")
        }
    })?;
    let loopback = match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        // `localhost:8080` parses, as the scheme `localhost`.
        None if !text.contains("://") => {
            return Err(format!(
                "`{text}` has no scheme: did you mean `{}{}`?",
                scheme_for(text.trim()),
                text.trim()
            ));
        }
        None => return Err(format!("`{text}` has no host")),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(format!(
                "`{text}` uses http://, allowed only for loopback hosts (127.0.0.1, ::1, localhost); use https://"
            ));
        }
        other => return Err(format!("`{text}` has scheme `{other}`; use https://")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials; use the provider's secret keys".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("`{text}` must not have a query or fragment"));
    }
    Ok(url)
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
}

//! The emulator side of the kit: the scenarios a credential picks, requests and
//! answers as emulators see them, and what the sandbox remembers between
//! requests. Vendors' emulators build on this; the server lives in `sandbox`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{HeaderMap, Method};
use serde::Serialize;

use super::engine::{Auth, Description};
use super::fixture::Fixture;
use super::keys::KeySpec;

/// What the credential asks the emulator to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scenario {
    Healthy,
    Low,
    BadCredentials,
    NotPrepaid,
    RateLimitedOnce,
    RateLimited,
    ServerError,
    MalformedBody,
    Slow,
}

/// One row of the scenario table that `sandbox --help` and the README show.
pub struct ScenarioInfo {
    pub scenario: Scenario,
    /// The credential that picks it.
    pub key: &'static str,
    pub answer: &'static str,
    /// `balance check`'s exit status with the sandbox config (`min_balance = 10`,
    /// default retries and timeout).
    pub exit: u8,
}

pub const SCENARIOS: &[ScenarioInfo] = &[
    ScenarioInfo {
        scenario: Scenario::Healthy,
        key: "healthy",
        answer: "the vendor's documented balance (above 10)",
        exit: 0,
    },
    ScenarioInfo {
        scenario: Scenario::Low,
        key: "low",
        answer: "a balance below 10 (3.75; -250, an overdraft, where amounts are whole numbers)",
        exit: 9,
    },
    ScenarioInfo {
        scenario: Scenario::BadCredentials,
        key: "bad-credentials",
        answer: "the vendor's 401 body; so does any other key, or a wrong auth scheme",
        exit: 4,
    },
    ScenarioInfo {
        scenario: Scenario::NotPrepaid,
        key: "not-prepaid",
        answer: "the vendor's not-prepaid answer (8x8: 403 code 1201); 401 where it has none",
        exit: 6,
    },
    ScenarioInfo {
        scenario: Scenario::RateLimitedOnce,
        key: "rate-limited-once",
        answer: "429 on every other request, so each run succeeds on its retry",
        exit: 0,
    },
    ScenarioInfo {
        scenario: Scenario::RateLimited,
        key: "rate-limited",
        answer: "429 every time (8x8 adds Retry-After: 1)",
        exit: 5,
    },
    ScenarioInfo {
        scenario: Scenario::ServerError,
        key: "server-error",
        answer: "the vendor's 500 body every time",
        exit: 8,
    },
    ScenarioInfo {
        scenario: Scenario::MalformedBody,
        key: "malformed-body",
        answer: "200 with the balance body cut short (not JSON)",
        exit: 8,
    },
    ScenarioInfo {
        scenario: Scenario::Slow,
        key: "slow",
        answer: "the healthy answer, 60 s late (past the timeout)",
        exit: 7,
    },
];

impl Scenario {
    /// The scenario a credential picks; `None` for any other credential (rejected
    /// as the vendor rejects a wrong key).
    pub fn from_key(key: &str) -> Option<Scenario> {
        SCENARIOS.iter().find(|s| s.key == key).map(|s| s.scenario)
    }

    pub fn key(self) -> &'static str {
        self.info().key
    }

    pub fn info(self) -> &'static ScenarioInfo {
        SCENARIOS
            .iter()
            .find(|s| s.scenario == self)
            .expect("every scenario has a row")
    }
}

/// How late the `slow` scenario answers.
pub const SLOW: Duration = Duration::from_secs(60);

/// The scenario table as `sandbox --help` prints it.
pub fn scenario_help() -> String {
    let mut out = String::from(
        "Scenarios: the credential (the secret key: api_key, password, client_secret, …) picks one.\n",
    );
    for s in SCENARIOS {
        out.push_str(&format!("  {:<18} exit {}  {}\n", s.key, s.exit, s.answer));
    }
    out.push_str(
        "\nYeastar: the client_secret picks the scenario when the token is issued, and a\n\
         cached token keeps it; give each scenario its own client_id.",
    );
    out
}

/// A request as the emulators see it.
pub struct Request {
    pub method: Method,
    pub path: String,
    /// The raw query string, without `?`.
    pub query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Request {
    /// A query parameter, decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        url::form_urlencoded::parse(self.query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// A field of an `application/x-www-form-urlencoded` body, decoded; none
    /// when the body is sent as anything else.
    pub fn form_field(&self, name: &str) -> Option<String> {
        let form = self.header("content-type")?.split(';').next()?.trim();
        if !form.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            return None;
        }
        url::form_urlencoded::parse(&self.body)
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `(scheme, credentials)` of the Authorization header.
    pub fn authorization(&self) -> Option<(&str, &str)> {
        let value = self.header("authorization")?.trim();
        value.split_once(' ').map(|(s, c)| (s, c.trim()))
    }

    /// `(user, password)` of `Authorization: Basic …`.
    pub fn basic_auth(&self) -> Option<(String, String)> {
        use base64::Engine;
        let (scheme, encoded) = self.authorization()?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (user, password) = text.split_once(':')?;
        Some((user.to_owned(), password.to_owned()))
    }

    /// The Bearer-style credential when the scheme is `scheme` (case-insensitive,
    /// as RFC 9110 says).
    pub fn credential(&self, scheme: &str) -> Option<&str> {
        let (s, credential) = self.authorization()?;
        s.eq_ignore_ascii_case(scheme).then_some(credential)
    }
}

/// An emulator's answer.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Vec<u8>,
    /// Held back this long before it is sent (the `slow` scenario).
    pub delay: Duration,
}

impl Answer {
    pub fn json(status: u16, body: &impl Serialize) -> Answer {
        Answer {
            status,
            headers: vec![(
                hyper::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body: serde_json::to_vec(body).expect("wire types serialise"),
            delay: Duration::ZERO,
        }
    }

    pub fn header(mut self, name: HeaderName, value: &'static str) -> Answer {
        self.headers.push((name, HeaderValue::from_static(value)));
        self
    }
}

/// How one vendor says each thing a scenario needs said.
pub trait Voice {
    /// Amounts as the vendor's JSON would carry them.
    const HEALTHY: &'static str;
    const LOW: &'static str;
    fn balance(&self, amount: rust_decimal::Decimal) -> Answer;
    fn unauthorized(&self) -> Answer;
    /// `None` where the vendor has no such answer.
    fn not_prepaid(&self) -> Option<Answer> {
        None
    }
    fn rate_limited(&self) -> Answer;
    fn server_error(&self) -> Answer;
}

/// One vendor's emulator.
pub trait Emulator: Sync {
    /// The answer to `request`, or `None` when its path is not this vendor's.
    fn answer(&self, request: &Request, state: &State) -> Option<Answer>;

    /// Config profiles (name suffix, TOML keys after `provider`) for a scenario,
    /// one per API generation; `secret` is the TOML value of the credential.
    fn profiles(&self, base_url: &str, scenario: Scenario, secret: &str) -> Vec<(String, String)>;
}

/// A token's scenario, the fixture a `fixture:NAME` credential asked for, and
/// its expiry.
type Issued = (Scenario, Option<String>, Instant);

/// What the sandbox remembers between requests.
pub struct State {
    /// Requests seen per account, for `rate-limited-once`.
    seen: Mutex<HashMap<String, u64>>,
    /// Yeastar's tokens: access and refresh token → what it was issued for.
    tokens: Mutex<HashMap<String, Issued>>,
    pub token_ttl: Duration,
}

impl State {
    pub fn new(token_ttl: Duration) -> State {
        State {
            seen: Mutex::new(HashMap::new()),
            tokens: Mutex::new(HashMap::new()),
            token_ttl,
        }
    }

    /// Plays `scenario` for `account` in the vendor's voice.
    pub fn play<V: Voice>(&self, voice: &V, account: &str, scenario: Scenario) -> Answer {
        let amount = |text| crate::money::parse_decimal(text).expect("built-in amounts parse");
        match scenario {
            Scenario::Healthy => voice.balance(amount(V::HEALTHY)),
            Scenario::Low => voice.balance(amount(V::LOW)),
            Scenario::BadCredentials => voice.unauthorized(),
            Scenario::NotPrepaid => voice.not_prepaid().unwrap_or_else(|| voice.unauthorized()),
            Scenario::RateLimitedOnce => {
                // Per vendor voice and account, so that profiles do not share a count.
                if self.first_of_two(format!("{} {account}", std::any::type_name::<V>())) {
                    voice.rate_limited()
                } else {
                    voice.balance(amount(V::HEALTHY))
                }
            }
            Scenario::RateLimited => voice.rate_limited(),
            Scenario::ServerError => voice.server_error(),
            Scenario::MalformedBody => {
                let mut answer = voice.balance(amount(V::HEALTHY));
                answer.body.truncate(answer.body.len() / 2);
                answer
            }
            Scenario::Slow => Answer {
                delay: SLOW,
                ..voice.balance(amount(V::HEALTHY))
            },
        }
    }

    /// True for the 1st, 3rd, 5th… request under `key`: `rate-limited-once`
    /// answers those with a 429, so every run succeeds on its retry.
    pub fn first_of_two(&self, key: String) -> bool {
        let mut seen = self.seen.lock().expect("not poisoned");
        let n = seen.entry(key).or_insert(0);
        *n += 1;
        *n % 2 == 1
    }

    /// Issues an access token and a refresh token that carry `scenario`.
    pub fn issue_token(&self, scenario: Scenario) -> (String, String) {
        self.issue(scenario, None)
    }

    /// Issues tokens whose balance call answers with the fixture `name` (a
    /// `fixture:NAME` credential), so token vendors join the conformance suite.
    pub fn issue_fixture_token(&self, name: &str) -> (String, String) {
        self.issue(Scenario::Healthy, Some(name.to_owned()))
    }

    fn issue(&self, scenario: Scenario, fixture: Option<String>) -> (String, String) {
        let mut tokens = self.tokens.lock().expect("not poisoned");
        let now = Instant::now();
        let access = random_token();
        let refresh = random_token();
        tokens.insert(
            access.clone(),
            (scenario, fixture.clone(), now + self.token_ttl),
        );
        // Refresh tokens live 15 days at Yeastar: longer than any sandbox.
        tokens.insert(
            refresh.clone(),
            (scenario, fixture, now + Duration::from_secs(15 * 86_400)),
        );
        (access, refresh)
    }

    /// The scenario of a live token; `None` when unknown or expired.
    pub fn token(&self, token: &str) -> Option<Scenario> {
        let tokens = self.tokens.lock().expect("not poisoned");
        let (scenario, _, expires) = tokens.get(token)?;
        (Instant::now() < *expires).then_some(*scenario)
    }

    /// The fixture a live token was issued for, if any.
    pub fn token_fixture(&self, token: &str) -> Option<String> {
        let tokens = self.tokens.lock().expect("not poisoned");
        let (_, fixture, expires) = tokens.get(token)?;
        (Instant::now() < *expires).then(|| fixture.clone())?
    }

    /// Spends a refresh token (each works once, as OAuth refresh tokens do).
    pub fn take_refresh_token(&self, token: &str) -> Option<Scenario> {
        let scenario = self.token(token)?;
        self.tokens.lock().expect("not poisoned").remove(token);
        Some(scenario)
    }
}

fn random_token() -> String {
    (0..32)
        .map(|_| char::from(b"0123456789abcdef"[fastrand::usize(..16)]))
        .collect()
}

/// A request id such as vendors put in their bodies.
pub fn request_id() -> String {
    random_token()
}

/// A random (version 4) UUID, for bodies whose spec says `format: uuid`.
pub fn uuid() -> String {
    let hex = random_token();
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// The engine's second half: a vendor's description and documented answers,
/// answering as the vendor would. Requests reach it with the `/{provider}`
/// prefix already removed.
pub struct Described<'a> {
    pub provider: &'a str,
    pub description: &'a Description,
    pub fixtures: &'a [Fixture],
}

/// The amount a `low` answer carries (below the sandbox's `min_balance = 10`).
const LOW: &str = "3.75";
const LOW_WHOLE: &str = "-250";

impl Described<'_> {
    /// Whether the request is for this endpoint (its path and method).
    pub fn serves(&self, request: &Request) -> bool {
        path_match(&self.description.path, &request.path).is_some()
            && request.method == self.method()
    }

    fn method(&self) -> Method {
        match self.description.method {
            super::engine::Method::Get => Method::GET,
            super::engine::Method::Post => Method::POST,
        }
    }

    pub fn answer(&self, request: &Request, state: &State) -> Answer {
        let d = self.description;
        let Some(account) = path_match(&d.path, &request.path) else {
            return not_here(request);
        };
        if request.method != self.method() {
            return Answer::json(405, &serde_json::json!({"error": "method not allowed"}));
        }
        if d.body.is_some()
            && (request.header("content-type") != Some("application/json")
                || serde_json::from_slice::<serde_json::Value>(&request.body).is_err())
        {
            return Answer::json(
                415,
                &serde_json::json!({"error": "the body must be JSON, sent as application/json"}),
            );
        }
        for (name, value) in d
            .headers
            .iter()
            .filter(|(n, _)| d.required_headers.contains(n))
        {
            // A templated value (Textmagic's `X-TM-Username: {username}`) is the
            // profile's: present and non-empty is all the vendor can tell.
            let templated = value.contains('{');
            let got = request.header(name).filter(|v| !v.trim().is_empty());
            if got.is_none() || (!templated && got != Some(value.as_str())) {
                return Answer::json(
                    400,
                    &serde_json::json!({"error": format!("missing header {name}: {value}")}),
                );
            }
        }
        for (name, _) in &d.query {
            if request.query_param(name).is_none_or(|v| v.is_empty()) {
                return Answer::json(
                    400,
                    &serde_json::json!({"error": format!("missing query parameter {name}")}),
                );
            }
        }
        let key = d
            .auth
            .iter()
            .find_map(|auth| credential(auth, &d.path, request));
        if let Some(name) = key.as_deref().and_then(|k| k.strip_prefix("fixture:")) {
            return fixture_answer(self.fixtures, name);
        }
        let scenario = key.as_deref().and_then(Scenario::from_key);
        // The plain `balance.http` (no label) is the healthy answer, if there is one.
        let pick = |word: &str| {
            let of_kind = self.fixtures.iter().filter(|f| f.kind_word() == word);
            let plain = of_kind
                .clone()
                .find(|f| f.name[word.len()..].starts_with('.'));
            // Else the plainest status: a 401 before a 403.
            plain.or_else(|| of_kind.min_by_key(|f| f.status))
        };
        let unauthorized = || match pick("auth") {
            Some(f) => from_fixture(f),
            None => Answer::json(401, &serde_json::json!({"error": "unauthorized"})),
        };
        let healthy = || match pick("balance") {
            Some(f) => from_fixture(f),
            None => Answer::json(500, &serde_json::json!({"error": "no balance fixture"})),
        };
        let rate_limited = || match pick("rate-limited") {
            Some(f) => from_fixture(f),
            None => Answer::json(429, &serde_json::json!({"error": "too many requests"})),
        };
        let Some(scenario) = scenario else {
            return unauthorized();
        };
        match scenario {
            Scenario::Healthy => healthy(),
            Scenario::Low => {
                let mut answer = healthy();
                if let Some(body) = self.low_body(&answer.body) {
                    answer.body = body;
                }
                answer
            }
            Scenario::BadCredentials => unauthorized(),
            Scenario::NotPrepaid => match pick("not-prepaid") {
                Some(f) => from_fixture(f),
                None => self
                    .placeholder_body(&healthy())
                    .unwrap_or_else(unauthorized),
            },
            Scenario::RateLimitedOnce => {
                if state.first_of_two(format!("{} {account}", self.provider)) {
                    rate_limited()
                } else {
                    healthy()
                }
            }
            Scenario::RateLimited => rate_limited(),
            Scenario::ServerError => self
                .fixtures
                .iter()
                .find(|f| f.kind_word() == "provider" && f.status >= 500)
                .map_or_else(
                    || Answer::json(500, &serde_json::json!({"error": "internal"})),
                    from_fixture,
                ),
            Scenario::MalformedBody => {
                let mut answer = healthy();
                answer.body.truncate(answer.body.len() / 2);
                answer
            }
            Scenario::Slow => Answer {
                delay: SLOW,
                ..healthy()
            },
        }
    }

    /// The healthy body with a low amount, written as the vendor writes amounts
    /// (a string stays a string, scaled integers stay integers).
    fn low_body(&self, body: &[u8]) -> Option<Vec<u8>> {
        let text = std::str::from_utf8(body).ok()?;
        let d = self.description;
        let first_part = d.available_sum.first().and_then(|first| {
            d.parts
                .iter()
                .filter(|(p, _)| p == first)
                .map(|(_, at)| at)
                .find(|at| self.read(text, at).is_some())
        });
        let carrier = d
            .balance
            .iter()
            .find(|at| self.read(text, at).is_some())
            .or(first_part)?;
        let (_, raw) = self.read(text, carrier)?;
        let low = if raw.contains('.') { LOW } else { LOW_WHOLE };
        self.with_amount(text, crate::money::parse_decimal(low).ok()?)
            .map(String::into_bytes)
    }

    /// `text` answering `amount` as its available amount: the vendor's own
    /// figure rewritten, and the first part of a described sum set so that the
    /// parts still add up (Telnyx: balance = available − credit limit).
    fn with_amount(&self, text: &str, amount: rust_decimal::Decimal) -> Option<String> {
        // What the answer gives is the amount plus what it says was spent.
        let spent: rust_decimal::Decimal = (self.description.less.iter())
            .filter_map(|at| self.read(text, at).map(|(v, _)| v))
            .sum();
        self.with_gross(text, amount + spent)
    }

    /// `text` giving `gross` where the vendor gives its figure (before any
    /// spending it reports beside it is taken off).
    fn with_gross(&self, text: &str, amount: rust_decimal::Decimal) -> Option<String> {
        let d = self.description;
        let mut text = text.to_owned();
        let mut written = false;
        if let Some(at) = d.balance.iter().find(|at| self.read(&text, at).is_some()) {
            text = self.write(&text, at, amount)?;
            written = true;
        }
        if let Some((first, rest)) = d.available_sum.split_first() {
            let value_of = |text: &str, part: &super::Part| {
                d.parts
                    .iter()
                    .filter(|(p, _)| p == part)
                    .find_map(|(_, at)| Some((at, self.read(text, at)?.0)))
            };
            if let Some((at, _)) = value_of(&text, first) {
                let others: rust_decimal::Decimal = rest
                    .iter()
                    .filter_map(|p| value_of(&text, p).map(|(_, v)| v))
                    .sum();
                text = self.write(&text, at, amount - others)?;
                written = true;
            }
        }
        written.then_some(text)
    }

    /// The amount at `at` in `text` and its raw JSON, if present.
    fn read<'t>(
        &self,
        text: &'t str,
        at: &super::engine::AmountAt,
    ) -> Option<(rust_decimal::Decimal, &'t str)> {
        let doc = super::json::document(text.as_bytes())?;
        // Amounts, parts and spending are read where the engine reads them.
        let root = match (&self.description.entry, self.description.hooks.amount) {
            (Some(entry), _) => entry.pick(doc, None).ok()??,
            (None, Some(pick)) => pick(doc)?,
            (None, None) => match &self.description.scope {
                Some(scope) => scope.resolve(doc)?,
                None => doc,
            },
        };
        let raw = at
            .pointer
            .resolve(root)
            .filter(|v| !super::json::is_null(v))?;
        let value = super::json::amount(raw).ok()?.0;
        let value = value / rust_decimal::Decimal::from(at.scale.max(1));
        // The slice borrows from the document, which borrows from `text`.
        let start = raw.get().as_ptr() as usize - text.as_ptr() as usize;
        Some((value, &text[start..start + raw.get().len()]))
    }

    /// `text` with `value` written at `at`, in the form the vendor used there.
    fn write(
        &self,
        text: &str,
        at: &super::engine::AmountAt,
        value: rust_decimal::Decimal,
    ) -> Option<String> {
        let (_, original) = self.read(text, at)?;
        let number = if at.scale > 1 {
            (value * rust_decimal::Decimal::from(at.scale))
                .normalize()
                .to_string()
        } else {
            value.to_string()
        };
        let replacement =
            match super::json::document(original.as_bytes()).and_then(super::json::string) {
                Some(s) => {
                    // Keep a unit written inside the string ("KES 1785.50").
                    let old = s
                        .split_whitespace()
                        .find(|w| w.starts_with(|c: char| c.is_ascii_digit() || c == '-'))?;
                    serde_json::to_string(&s.replacen(old, &number, 1)).ok()?
                }
                None => number,
            };
        let start = original.as_ptr() as usize - text.as_ptr() as usize;
        let end = start + original.len();
        Some(format!("{}{replacement}{}", &text[..start], &text[end..]))
    }

    /// The healthy answer carrying the vendor's not-prepaid placeholder
    /// amount (SMSPortal's 1000000), where the description names one.
    fn placeholder_body(&self, healthy: &Answer) -> Option<Answer> {
        let amount = *self.description.not_prepaid_amounts.first()?;
        let text = std::str::from_utf8(&healthy.body).ok()?;
        Some(Answer {
            body: self.with_gross(text, amount)?.into_bytes(),
            ..healthy.clone()
        })
    }

    /// Config keys after `provider` for a profile of this vendor at `base_url`.
    pub fn profile(&self, base_url: &str, keys: &[KeySpec], secret: &str) -> String {
        let auth_keys = self
            .description
            .auth
            .first()
            .map(|a| a.keys())
            .unwrap_or_default();
        let mut out = format!("base_url = \"{base_url}\"\n");
        for k in keys {
            if k.name == "base_url" {
                continue;
            }
            if k.is_secret() && auth_keys.contains(&k.name) {
                out.push_str(&format!("{} = {secret}\n", k.name));
            } else if k.required || auth_keys.contains(&k.name) {
                out.push_str(&format!("{} = \"{}\"\n", k.name, k.example));
            }
        }
        out
    }
}

/// Matches a path template (`/v1/Account/{auth_id}/`) segment by segment; the
/// text of the placeholders, joined, identifies the account.
fn path_match(template: &str, path: &str) -> Option<String> {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    if t.len() != p.len() {
        return None;
    }
    let mut account = String::new();
    for (t, p) in t.iter().zip(&p) {
        if t.starts_with('{') && t.ends_with('}') {
            if p.is_empty() {
                return None;
            }
            account.push_str(p);
            account.push('/');
        } else if t != p {
            return None;
        }
    }
    Some(account)
}

/// The credential a request carries in `auth`'s form, if it does (`path` is
/// the description's path template).
fn credential(auth: &Auth, path: &str, request: &Request) -> Option<String> {
    match auth {
        Auth::Scheme { scheme, .. } if scheme.is_empty() => {
            let value = request.header("authorization")?.trim();
            // A raw key has no scheme word: a value with a space is some scheme.
            (!value.contains(' ')).then(|| value.to_owned())
        }
        Auth::Scheme { scheme, .. } => request.credential(scheme).map(str::to_owned),
        Auth::Basic { .. } => request
            .basic_auth()
            .filter(|(user, _)| !user.is_empty())
            .map(|(_, password)| password),
        Auth::Header { name, .. } => request.header(name).map(str::to_owned),
        Auth::Query { name, .. } => request.query_param(name),
        Auth::Form { name, .. } => request.form_field(name),
        Auth::Prefixed { prefix, .. } => request
            .header("authorization")?
            .strip_prefix(prefix.as_str())
            .map(|c| c.trim().to_owned()),
        Auth::Path { key } => {
            let at = path.split('/').position(|s| *s == format!("{{{key}}}"))?;
            let segment = request.path.split('/').nth(at)?;
            // Percent-decoded as a path segment: a `+` there is a plus.
            let query = format!("k={}", segment.replace('+', "%2B"));
            url::form_urlencoded::parse(query.as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
        }
        Auth::JsonField { name, .. } => {
            let body: serde_json::Value = serde_json::from_slice(&request.body).ok()?;
            body.get(name)?.as_str().map(str::to_owned)
        }
    }
}

/// The answer a `fixture:NAME` credential asks for: that fixture, else a 404.
pub fn fixture_answer(fixtures: &[Fixture], name: &str) -> Answer {
    match fixtures
        .iter()
        .find(|f| f.name.trim_end_matches(".http") == name)
    {
        Some(f) => from_fixture(f),
        None => Answer::json(404, &serde_json::json!({"error": "no such fixture"})),
    }
}

pub fn from_fixture(f: &Fixture) -> Answer {
    Answer {
        status: f.status,
        headers: f
            .headers
            .iter()
            .filter_map(|(k, v)| {
                Some((
                    HeaderName::from_bytes(k.as_bytes()).ok()?,
                    HeaderValue::from_str(v).ok()?,
                ))
            })
            .collect(),
        body: f.body.as_bytes().to_vec(),
        delay: Duration::ZERO,
    }
}

/// The sandbox's 404 for a path no vendor serves.
pub fn not_here(request: &Request) -> Answer {
    Answer::json(
        404,
        &serde_json::json!({
            "error": "no vendor balance endpoint at this path in the balance sandbox",
            "method": request.method.as_str(),
            "path": request.path,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(content_type: &str, body: &str) -> Request {
        let mut headers = HeaderMap::new();
        headers.insert(
            hyper::header::CONTENT_TYPE,
            HeaderValue::from_str(content_type).unwrap(),
        );
        Request {
            method: Method::POST,
            path: "/balance/".into(),
            query: String::new(),
            headers,
            body: Bytes::from(body.to_owned()),
        }
    }

    fn get(credential: &str) -> Request {
        let mut headers = HeaderMap::new();
        headers.insert(
            hyper::header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {credential}")).unwrap(),
        );
        Request {
            method: Method::GET,
            path: "/v2/balance".into(),
            query: String::new(),
            headers,
            body: Bytes::new(),
        }
    }

    /// What a check reads from the emulator's answer to `credential`.
    fn served(
        d: &Description,
        body: &'static str,
        credential: &str,
    ) -> Result<super::super::Balance, crate::error::CheckError> {
        let fixtures = [Fixture::parse("balance.http", body).unwrap()];
        let emulator = Described {
            provider: "test",
            description: d,
            fixtures: &fixtures,
        };
        let answer = emulator.answer(&get(credential), &State::new(Duration::from_secs(60)));
        d.interpret(&crate::http::Reply {
            status: reqwest::StatusCode::from_u16(answer.status).unwrap(),
            headers: reqwest::header::HeaderMap::new(),
            body: answer.body,
        })
    }

    /// A `low` answer keeps the parts adding up to the low amount, in the
    /// vendor's own forms (decimal strings here, scaled integers below).
    #[test]
    fn low_answers_keep_the_parts_consistent() {
        use super::super::Part;
        let d = Description::get("/v2/balance")
            .auth(Auth::bearer("api_key"))
            .balance("/data/available_credit")
            .available_sum(&[Part::Cash, Part::Credit])
            .part(Part::Cash, "/data/balance")
            .part(Part::Credit, "/data/credit_limit");
        let body = "# expect: balance 400.00 USD\nHTTP/1.1 200 OK\n\n{\"data\": {\"balance\": \"300.00\", \"credit_limit\": \"100.00\", \"available_credit\": \"400.00\"}}";
        let b = served(&d, body, "low").unwrap();
        assert_eq!(b.amount.to_string(), "3.75");
        assert_eq!(b.part(Part::Cash).unwrap().to_string(), "-96.25");
        assert_eq!(b.part(Part::Credit).unwrap().to_string(), "100.00");
        let b = served(&d, body, "healthy").unwrap();
        assert_eq!(b.amount.to_string(), "400.00");

        // Only parts: the sum is what the check computes.
        let d = Description::get("/v2/balance")
            .auth(Auth::bearer("api_key"))
            .available_sum(&[Part::Cash, Part::Credit])
            .scaled_part(Part::Cash, "/balance", 10000)
            .scaled_part(Part::Credit, "/creditlimit", 10000);
        let body = "# expect: balance 1467.05 -\nHTTP/1.1 200 OK\n\n{\"balance\": 9670500, \"creditlimit\": 5000000}";
        let b = served(&d, body, "low").unwrap();
        assert_eq!(b.amount.to_string(), "-250");
        assert_eq!(b.part(Part::Cash).unwrap().to_string(), "-750");
        assert_eq!(
            served(&d, body, "healthy").unwrap().amount.to_string(),
            "1467.05"
        );
    }

    /// A `low` answer of a vendor that reports spending beside a total keeps
    /// the spending and lowers the total.
    #[test]
    fn low_answers_keep_spending() {
        let d = Description::get("/v2/balance")
            .auth(Auth::bearer("api_key"))
            .balance("/total_credits")
            .less("/total_usage");
        let body = "# expect: balance 74.5 -\nHTTP/1.1 200 OK\n\n{\"total_credits\": 100.0, \"total_usage\": 25.5}";
        assert_eq!(served(&d, body, "low").unwrap().amount.to_string(), "3.75");
        assert_eq!(
            served(&d, body, "healthy").unwrap().amount.to_string(),
            "74.5"
        );
    }

    /// In a picked entry (DeepSeek's `balance_infos`), a `low` answer is
    /// written in that element, its spending and parts read there too.
    #[test]
    fn low_answers_are_written_in_the_picked_entry() {
        use super::super::Part;
        let d = Description::get("/v2/balance")
            .auth(Auth::bearer("api_key"))
            .entry("/infos", "/currency", "currency")
            .less("/used")
            .part(Part::Cash, "/cash")
            .part(Part::Bonus, "/bonus")
            .available_sum(&[Part::Cash, Part::Bonus]);
        let body = "# expect: balance 9.5 USD part.cash=8.0 part.bonus=2\nHTTP/1.1 200 OK\n\n{\"used\": 100, \"infos\": [{\"currency\": \"USD\", \"cash\": 8.0, \"bonus\": 2, \"used\": 0.5}]}";
        let b = served(&d, body, "low").unwrap();
        assert_eq!(b.amount.to_string(), "3.75");
        assert_eq!(b.part(Part::Bonus).unwrap().to_string(), "2");
        assert_eq!(
            served(&d, body, "healthy").unwrap().amount.to_string(),
            "9.5"
        );
    }

    /// Without a not-prepaid fixture, the vendor's placeholder amount is the
    /// not-prepaid answer, as the vendor sends it.
    #[test]
    fn placeholder_amounts_answer_not_prepaid() {
        let d = Description::get("/v2/balance")
            .auth(Auth::bearer("api_key"))
            .balance("/balance")
            .not_prepaid_if_amount("1000000");
        let body = "# expect: balance 250.5 -\nHTTP/1.1 200 OK\n\n{\"balance\": 250.5}";
        let e = served(&d, body, "not-prepaid").unwrap_err();
        assert_eq!(e.kind, crate::error::ErrorKind::NotPrepaid);
        assert_eq!(
            served(&d, body, "healthy").unwrap().amount.to_string(),
            "250.5"
        );
        // The placeholder is the vendor's own figure, before spending.
        let d = d.less("/used");
        let body =
            "# expect: balance 250 -\nHTTP/1.1 200 OK\n\n{\"balance\": 250.5, \"used\": 0.5}";
        let e = served(&d, body, "not-prepaid").unwrap_err();
        assert_eq!(e.kind, crate::error::ErrorKind::NotPrepaid);
    }

    /// A form field is read from a form body only, decoded; the same bytes
    /// sent as another type carry no field (as a form-reading server sees it).
    #[test]
    fn form_fields_come_from_form_bodies_only() {
        let form = "application/x-www-form-urlencoded; charset=UTF-8";
        let r = post(form, "apiKey=a%2Bb+c&x=1");
        assert_eq!(r.form_field("apiKey").as_deref(), Some("a+b c"));
        assert_eq!(r.form_field("apikey"), None);
        let r = post("application/json", "apiKey=a");
        assert_eq!(r.form_field("apiKey"), None);
        let auth = Auth::form("apiKey", "api_key");
        assert_eq!(
            credential(&auth, "/balance/", &post(form, "apiKey=k")).as_deref(),
            Some("k")
        );
        assert_eq!(
            credential(&auth, "/balance/", &post("text/plain", "apiKey=k")),
            None
        );
    }
}

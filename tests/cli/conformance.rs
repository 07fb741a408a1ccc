//! The conformance suite, generated from `providers::REGISTRY`: a vendor added
//! to the registry is checked here by existing. Its documented fixtures go
//! through the real binary against its emulator; its auth form is enforced by
//! that emulator; a marker secret never reaches any output; `balance
//! providers`, the README and config.example.toml list it; its emulator's routes
//! stay under its own mount.
//!
//! Failures are collected and reported together, each naming the provider and
//! fixture, so that a new vendor's author sees everything left to do at once.

use std::collections::BTreeMap;
use std::process::Output;

use balance::kit::engine::{Auth, Description};
use balance::kit::fixture::{Expect, Fixture};
use balance::kit::provider::{Build, ProviderSpec};
use balance::providers::REGISTRY;
use balance::sandbox::Scenario;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::common::{Home, Sandbox, code, stderr, stdout};

/// Fetch failures are reported, never retried: each fixture is one answer.
const SETTINGS: &str = "[settings]\nretries = 0\ntimeout = 5\n";

/// One row of `check --json`, with amounts as their raw JSON text.
#[derive(Debug, Deserialize)]
struct Row {
    profile: String,
    status: String,
    balance: Option<Box<RawValue>>,
    currency: Option<String>,
    unit: Option<String>,
    parts: BTreeMap<String, Box<RawValue>>,
    expires_at: Option<String>,
    details: BTreeMap<String, Box<RawValue>>,
    error: Option<RowError>,
}

#[derive(Debug, Deserialize)]
struct RowError {
    kind: String,
    message: String,
    http_status: Option<u16>,
    provider_code: Option<String>,
}

fn rows(out: &Output) -> Vec<Row> {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not check --json rows ({e})\nstdout: {}\nstderr: {}",
            stdout(out),
            stderr(out)
        )
    })
}

/// Panics with every failure at once.
fn report(what: &str, failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{what}: {} failure(s)\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The fixture's name without `.http`: what a `fixture:` credential names.
fn stem(f: &Fixture) -> &'static str {
    f.name.strip_suffix(".http").unwrap_or(f.name)
}

/// The value of a top-level `key = …` of a profile's keys, as TOML.
fn profile_value(keys: &str, key: &str) -> Option<toml::Value> {
    let table: toml::Table = keys.parse().ok()?;
    table.get(key).cloned()
}

/// The exit status a single profile with this outcome gives (SPEC §5).
fn exit_for(expect: &Expect) -> i32 {
    match expect {
        Expect::Balance { .. } => 0,
        Expect::Error { kind, .. } => match kind.as_str() {
            "auth" => 4,
            "rate_limited" => 5,
            "not_prepaid" => 6,
            _ => 8,
        },
    }
}

/// An object of raw JSON numbers as sorted `(name, digits)` pairs.
fn pairs(map: &BTreeMap<String, Box<RawValue>>) -> Vec<(String, String)> {
    map.iter()
        .map(|(k, v)| (k.clone(), v.get().to_owned()))
        .collect()
}

/// Why `row` is not what `f` expects, if it is not; `keys` are the profile's
/// (its own `currency` stands in when the vendor's answer has none).
fn mismatch(f: &Fixture, keys: &str, row: &Row) -> Option<String> {
    let got = format!(
        "got status {} balance {:?} currency {:?} unit {:?} parts {:?} expires_at {:?} details {:?} error {:?}",
        row.status,
        row.balance.as_ref().map(|b| b.get()),
        row.currency,
        row.unit,
        pairs(&row.parts),
        row.expires_at,
        pairs(&row.details),
        row.error
            .as_ref()
            .map(|e| (&e.kind, e.http_status, &e.provider_code, &e.message)),
    );
    let ok = match &f.expect {
        Expect::Balance {
            amount,
            currency,
            details,
            parts,
            unit,
            expires,
        } => {
            let currency = currency.clone().or_else(|| {
                profile_value(keys, "currency").and_then(|v| v.as_str().map(str::to_owned))
            });
            let mut want: Vec<(String, String)> = details.clone();
            want.sort();
            let mut want_parts: Vec<(String, String)> = parts
                .iter()
                .map(|(p, v)| (p.as_str().to_owned(), v.clone()))
                .collect();
            want_parts.sort();
            row.status == "ok"
                && row.balance.as_ref().map(|b| b.get()) == Some(amount.as_str())
                && row.currency == currency
                && pairs(&row.details) == want
                && pairs(&row.parts) == want_parts
                && unit.is_none_or(|u| row.unit.as_deref() == Some(u.as_str()))
                && row.expires_at == *expires
        }
        Expect::Error { kind, code } => row.error.as_ref().is_some_and(|e| {
            row.status == "error"
                && row.balance.is_none()
                && row.unit.is_none()
                && row.parts.is_empty()
                && e.kind == kind.as_str()
                && e.provider_code == *code
                && e.http_status == Some(f.status)
                && !e.message.is_empty()
                && !e.message.contains('\n')
        }),
    };
    (!ok).then(|| format!("expected {:?}, {got}", f.expect))
}

/// The emulator's answer to a `fixture:` credential it does not hold (another
/// API generation's fixture): a 404, which reads as a provider error.
fn is_no_such_fixture(row: &Row) -> bool {
    row.error
        .as_ref()
        .is_some_and(|e| e.kind == "provider" && e.http_status == Some(404))
}

/// Each fixture's profiles, one per API generation: (profile name, keys).
fn fixture_profiles(p: &ProviderSpec, mount: &str, f: &Fixture) -> Vec<(String, String)> {
    p.sandbox_profiles(
        mount,
        Scenario::Healthy,
        &format!("\"fixture:{}\"", stem(f)),
    )
    .into_iter()
    .map(|(suffix, keys)| (format!("{}{suffix}--{}", p.name, stem(f)), keys))
    .collect()
}

/// Every documented fixture of every provider, through `balance check --json`
/// against the sandbox: exact digits, currency, details, error kind, vendor
/// code and HTTP status; then one single-profile run per kind for its exit status.
#[test]
fn every_fixture_through_the_binary() {
    let sandbox = Sandbox::start(&[]);
    let failures: Vec<String> = std::thread::scope(|scope| {
        let runs: Vec<_> = REGISTRY
            .iter()
            .map(|p| {
                let mount = sandbox.url(p.name);
                scope.spawn(move || check_fixtures(p, &mount))
            })
            .collect();
        runs.into_iter()
            .flat_map(|r| r.join().expect("no panic"))
            .collect()
    });
    report("documented fixtures", failures);
}

fn check_fixtures(p: &ProviderSpec, mount: &str) -> Vec<String> {
    let mut failures = Vec::new();
    let fixtures = p.fixtures();
    if fixtures.len() + p.subaccount_fixtures().len() != p.fixtures.len() {
        failures.push(format!("{}: a fixture does not parse", p.name));
    }
    let home = Home::new();
    let mut config = String::from(SETTINGS);
    let profiles: Vec<(&Fixture, Vec<(String, String)>)> = fixtures
        .iter()
        .map(|f| (f, fixture_profiles(p, mount, f)))
        .collect();
    for (_, variants) in &profiles {
        for (name, keys) in variants {
            config.push_str(&format!(
                "\n[profiles.\"{name}\"]\nprovider = \"{}\"\n{keys}",
                p.name
            ));
        }
    }
    home.config(&config);
    let out = home.run(&["check", "--json"]);
    let rows = rows(&out);
    // The profile that served each kind first, for the exit-status runs.
    let mut by_kind: BTreeMap<&str, (String, i32)> = BTreeMap::new();
    for (f, variants) in &profiles {
        let what = format!("{} {}", p.name, f.name);
        let mut served = None;
        let mut misses = Vec::new();
        for (name, keys) in variants {
            // An answer with one balance per entry (DeepSeek's currencies)
            // gives `name/ENTRY` rows: the first stands for the fixture.
            let Some(row) = rows
                .iter()
                .find(|r| r.profile == *name || r.profile.starts_with(&format!("{name}/")))
            else {
                failures.push(format!("{what}: no row for {name}\n{}", stderr(&out)));
                continue;
            };
            match mismatch(f, keys, row) {
                None => served = served.or(Some(name.clone())),
                Some(why) if !is_no_such_fixture(row) => misses.push(format!("{name}: {why}")),
                Some(why) => misses.push(format!("{name} (not its generation?): {why}")),
            }
        }
        match served {
            // Other generations may only say that they hold no such fixture.
            Some(name) => {
                failures.extend(
                    misses
                        .into_iter()
                        .filter(|m| !m.contains("(not its generation?)"))
                        .map(|m| format!("{what}: {m}")),
                );
                by_kind
                    .entry(f.kind_word())
                    .or_insert((name, exit_for(&f.expect)));
            }
            None => failures.push(format!("{what}: {}", misses.join("; "))),
        }
    }
    for (kind, (profile, exit)) in by_kind {
        let out = home.run(&["check", &profile, "--json"]);
        if code(&out) != exit {
            failures.push(format!(
                "{}: a single `{kind}` profile ({profile}) exits {}, not {exit}\n{}",
                p.name,
                code(&out),
                stderr(&out)
            ));
        }
    }
    failures
}

/// Every documented answer of a subaccount list, through `balance check
/// --json` with `subaccounts = true` against the sandbox: the parent account's
/// row is what the fixture expects, and a listed subaccount with a balance of
/// its own is a row `profile/label` beside it.
#[test]
fn every_subaccount_fixture_through_the_binary() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    let mut config = String::from(SETTINGS);
    let mut cases = Vec::new();
    for p in REGISTRY {
        // A list that holds the account's own balance (Vonage's) is checked
        // by the profile's row; one of children only (Brevo's), by the first child's.
        let own = matches!(
            p.subaccounts(),
            Some(balance::kit::engine::Subaccounts::Listed { description, .. })
                if description.scope.is_some()
        );
        for f in p.subaccount_fixtures() {
            for (name, keys) in fixture_profiles(p, &sandbox.url(p.name), &f) {
                let name = format!("{name}--subaccounts");
                config.push_str(&format!(
                    "\n[profiles.\"{name}\"]\nprovider = \"{}\"\nsubaccounts = true\n{keys}",
                    p.name
                ));
                cases.push((p.name, own, f.clone(), name, keys));
            }
        }
    }
    assert!(
        cases.iter().any(|c| c.0 == "vonage") && cases.iter().any(|c| c.0 == "brevo"),
        "Vonage's and Brevo's subaccount lists have fixtures"
    );
    home.config(&config);
    let out = home.run(&["check", "--json"]);
    let rows = rows(&out);
    let mut failures = Vec::new();
    for (provider, own, f, name, keys) in &cases {
        let what = format!("{provider} subaccounts.{}", f.name);
        let is_balance = matches!(f.expect, Expect::Balance { .. });
        let child = format!("{name}/");
        let Some(row) = rows.iter().find(|r| {
            if *own || !is_balance {
                r.profile == *name
            } else {
                r.profile.starts_with(&child)
            }
        }) else {
            failures.push(format!("{what}: no row for {name}\n{}", stderr(&out)));
            continue;
        };
        if let Some(why) = mismatch(f, keys, row) {
            failures.push(format!("{what}: {why}"));
        }
        let children = rows
            .iter()
            .filter(|r| r.profile.starts_with(&child))
            .count();
        if is_balance == (children == 0) {
            failures.push(format!(
                "{what}: {children} subaccount rows beside {}",
                row.status
            ));
        }
    }
    report("documented subaccount fixtures", failures);
}

/// A healthy request of a described vendor, built from its description and
/// its sandbox profile, with the credential in a form of our choosing.
struct Probe {
    method: reqwest::Method,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
    /// The profile's text values (a Basic user, path ids).
    values: BTreeMap<String, String>,
    /// One client for every probe: building one reads the system's CA bundle,
    /// which in a debug build costs more than the request.
    client: reqwest::Client,
}

/// Where a credential goes, in the forms vendors use.
#[derive(Debug, Clone)]
enum Form {
    Nothing,
    Scheme(String),
    Basic,
    Header(String),
    Query(String),
    /// A field of a form-encoded POST body.
    Field(String),
    /// The credential as the path's `{key}` segment.
    Path(String),
    /// The credential as a JSON body member.
    Json(String),
}

impl Form {
    /// The form `auth` takes.
    fn of(auth: &Auth) -> Form {
        match auth {
            Auth::Scheme { scheme, .. } => Form::Scheme(scheme.clone()),
            // A prefixed key (`Bearer …`) is the whole Authorization value.
            Auth::Prefixed { prefix, .. } => Form::Scheme(prefix.trim().to_owned()),
            Auth::Basic { .. } => Form::Basic,
            Auth::Header { name, .. } => Form::Header(name.clone()),
            Auth::Query { name, .. } => Form::Query(name.clone()),
            Auth::Form { name, .. } => Form::Field(name.clone()),
            Auth::Path { key } => Form::Path(key.clone()),
            Auth::JsonField { name, .. } => Form::Json(name.clone()),
        }
    }

    /// Whether the description accepts a credential sent this way.
    fn accepted_by(&self, d: &Description) -> bool {
        d.auth.iter().any(|a| match (self, a) {
            (Form::Scheme(s), Auth::Scheme { scheme, .. }) => s.eq_ignore_ascii_case(scheme),
            (Form::Scheme(s), Auth::Prefixed { prefix, .. }) => {
                s.eq_ignore_ascii_case(prefix.trim())
            }
            (Form::Basic, Auth::Basic { .. }) => true,
            (Form::Header(n), Auth::Header { name, .. }) => n.eq_ignore_ascii_case(name),
            (Form::Query(n), Auth::Query { name, .. }) => n == name,
            (Form::Field(n), Auth::Form { name, .. }) => n == name,
            (Form::Path(k), Auth::Path { key }) => k == key,
            (Form::Json(n), Auth::JsonField { name, .. }) => n == name,
            _ => false,
        })
    }
}

/// What a secret path segment holds unless the credential goes there.
const PATH_KEY: &str = "no-key-here";

/// Wrong forms tried on every described vendor (those it accepts are skipped).
fn wrong_forms() -> Vec<Form> {
    let scheme = |s: &str| Form::Scheme(s.into());
    vec![
        Form::Nothing,
        scheme("Bearer"),
        scheme("App"),
        scheme("Token"),
        scheme(""),
        Form::Basic,
        Form::Header("X-Api-Key".into()),
        Form::Query("api_key".into()),
        Form::Field("api_key".into()),
    ]
}

impl Probe {
    fn new(d: &Description, p: &ProviderSpec, mount: &str, client: &reqwest::Client) -> Probe {
        let (_, keys) = p
            .sandbox_profiles(mount, Scenario::Healthy, "\"healthy\"")
            .remove(0);
        let table: toml::Table = keys.parse().expect("sandbox profiles are TOML");
        let values: BTreeMap<String, String> = table
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
            .collect();
        let render = |template: &str| {
            values.iter().fold(template.to_owned(), |t, (k, v)| {
                t.replace(&format!("{{{k}}}"), v)
            })
        };
        // A secret path segment stays a stand-in: only `Form::Path` fills it.
        let mut path = d.path.clone();
        for a in &d.auth {
            if let Auth::Path { key } = a {
                path = path.replace(&format!("{{{key}}}"), PATH_KEY);
            }
        }
        let mut url = url::Url::parse(&format!("{mount}{}", render(&path))).expect("a URL");
        for (name, template) in &d.query {
            url.query_pairs_mut().append_pair(name, &render(template));
        }
        let mut headers: Vec<(String, String)> = d
            .headers
            .iter()
            .map(|(n, t)| (n.clone(), render(t)))
            .collect();
        if d.body.is_some() {
            headers.push(("content-type".into(), "application/json".into()));
        }
        Probe {
            method: match d.method {
                balance::kit::engine::Method::Get => reqwest::Method::GET,
                balance::kit::engine::Method::Post => reqwest::Method::POST,
            },
            url: url.into(),
            headers,
            body: d.body.as_deref().map(render),
            values,
            client: client.clone(),
        }
    }

    /// The answer to this request with `credential` sent in `form`.
    async fn send(&self, form: &Form, credential: &str) -> balance::http::Reply {
        use base64::Engine;
        let mut url = url::Url::parse(&self.url).expect("a URL");
        let mut headers = self.headers.clone();
        let mut body: Option<serde_json::Map<String, serde_json::Value>> = None;
        match form {
            Form::Nothing => {}
            Form::Scheme(s) if s.is_empty() => {
                headers.push(("authorization".into(), credential.into()));
            }
            Form::Scheme(s) => headers.push(("authorization".into(), format!("{s} {credential}"))),
            Form::Basic => {
                // The profile's first text value stands in for the user.
                let user = self
                    .values
                    .iter()
                    .find(|(k, _)| *k != "base_url")
                    .map_or("sandbox", |(_, v)| v.as_str());
                let pair = base64::engine::general_purpose::STANDARD
                    .encode(format!("{user}:{credential}"));
                headers.push(("authorization".into(), format!("Basic {pair}")));
            }
            Form::Header(n) => headers.push((n.clone(), credential.into())),
            Form::Query(n) => {
                url.query_pairs_mut().append_pair(n, credential);
            }
            Form::Field(_) => {}
            Form::Path(_) => {
                url = url::Url::parse(&self.url.replace(PATH_KEY, credential)).expect("a URL");
            }
            Form::Json(n) => {
                let mut object: serde_json::Map<String, serde_json::Value> = self
                    .body
                    .as_deref()
                    .and_then(|b| serde_json::from_str(b).ok())
                    .unwrap_or_default();
                object.insert(n.clone(), credential.into());
                body = Some(object.into_iter().collect::<serde_json::Map<_, _>>());
            }
        }
        let mut request = self.client.request(self.method.clone(), url.as_str());
        for (n, v) in headers {
            request = request.header(n, v);
        }
        if let Some(object) = body {
            request = request.body(serde_json::Value::Object(object).to_string());
        } else if let Some(body) = &self.body {
            request = request.body(body.clone());
        }
        if let Form::Field(n) = form {
            let body = url::form_urlencoded::Serializer::new(String::new())
                .append_pair(n, credential)
                .finish();
            request = request
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body);
        }
        let response = request.send().await.expect("the sandbox answers");
        balance::http::Reply {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.bytes().await.expect("a body").to_vec(),
        }
    }
}

/// Each described vendor's emulator enforces its auth form: the healthy
/// credential in its own form is the balance, in any other form it is not.
#[tokio::test]
async fn the_healthy_credential_in_a_wrong_form_is_refused() {
    let sandbox = Sandbox::start(&[]);
    let client = reqwest::Client::new();
    let mut failures = Vec::new();
    for p in REGISTRY {
        let Build::Described(describe) = p.build else {
            continue;
        };
        let d = describe();
        let probe = Probe::new(&d, p, &sandbox.url(p.name), &client);
        let Some(right) = d.auth.first().map(Form::of) else {
            failures.push(format!("{}: no auth form", p.name));
            continue;
        };
        // The request itself is right, so each refusal below is about the form.
        if let Err(e) = d.interpret(&probe.send(&right, "healthy").await) {
            failures.push(format!("{}: {right:?} is refused: {e:?}", p.name));
        }
        for form in wrong_forms().iter().filter(|f| !f.accepted_by(&d)) {
            if let Ok(b) = d.interpret(&probe.send(form, "healthy").await) {
                failures.push(format!("{}: {form:?} is answered with {b:?}", p.name));
            }
        }
    }
    report("auth forms", failures);
}

/// A secret no output may carry, for `key` of `provider`.
fn marker(provider: &str, key: &str) -> String {
    format!("MARKER-{provider}-{key}-7f3a9c")
}

/// The key a `key = value` line sets.
fn line_key(line: &str) -> &str {
    line.split('=').next().unwrap_or_default().trim()
}

/// Marker profiles for the secrets: every secret key of every provider, in the
/// sandbox profile's shape, its value a marker written as a literal, an
/// environment variable or a file (in turn, across providers).
struct Markers {
    config: String,
    env: Vec<(String, String)>,
    profiles: usize,
    /// Every marker, and what must not appear with it (its base64 with a user).
    forbidden: Vec<String>,
}

impl Markers {
    fn new(home: &Home, sandbox: &Sandbox) -> Markers {
        let mut m = Markers {
            config: String::from(SETTINGS),
            env: Vec::new(),
            profiles: 0,
            forbidden: Vec::new(),
        };
        let placeholder = "\"@SECRET@\"";
        for (i, p) in REGISTRY.iter().enumerate() {
            for (suffix, keys) in
                p.sandbox_profiles(&sandbox.url(p.name), Scenario::Healthy, placeholder)
            {
                let lines: Vec<String> = keys.lines().map(str::to_owned).collect();
                let mut variants = vec![(format!("{}{suffix}", p.name), lines.clone())];
                for k in p.keys.iter().filter(|k| k.is_secret()) {
                    let covered = variants
                        .iter()
                        .any(|(_, v)| v.iter().any(|l| line_key(l) == k.name));
                    if !covered {
                        let alt = other_way_in(p, &lines, k.name, placeholder);
                        variants.push((format!("{}{suffix}-{}", p.name, k.name), alt));
                    }
                }
                for (j, (name, lines)) in variants.into_iter().enumerate() {
                    m.add(home, i + j, p.name, &name, &lines, placeholder);
                }
            }
        }
        m
    }

    fn add(
        &mut self,
        home: &Home,
        turn: usize,
        provider: &str,
        name: &str,
        lines: &[String],
        placeholder: &str,
    ) {
        use base64::Engine;
        let mut text = String::new();
        let users: Vec<String> = lines
            .iter()
            .filter_map(|l| {
                l.split_once('=')
                    .map(|(_, v)| v.trim().trim_matches('"').to_owned())
            })
            .chain([String::new()])
            .collect();
        for line in lines {
            if !line.contains(placeholder) {
                text.push_str(line);
                text.push('\n');
                continue;
            }
            let key = line_key(line);
            let secret = marker(provider, key);
            let n = self.forbidden.len();
            let value = match turn % 3 {
                0 => format!("\"{secret}\""),
                1 => {
                    let var = format!("BALANCE_TEST_MARKER_{n}");
                    self.env.push((var.clone(), secret.clone()));
                    format!("{{ env = \"{var}\" }}")
                }
                _ => {
                    let path = home.path().join(format!("marker-{n}"));
                    crate::common::write_private(&path, &format!("{secret}\n"));
                    format!(
                        "{{ file = {} }}",
                        toml::Value::String(path.display().to_string())
                    )
                }
            };
            text.push_str(&line.replace(placeholder, &value));
            text.push('\n');
            for user in &users {
                self.forbidden.push(
                    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{secret}")),
                );
            }
            self.forbidden.push(secret);
        }
        self.config.push_str(&format!(
            "\n[profiles.\"{name}\"]\nprovider = \"{provider}\"\n{text}"
        ));
        self.profiles += 1;
    }
}

/// `lines` changed to use the secret `key` (at `placeholder`): its `OneOf`
/// group's keys instead of the other groups' (Infobip's username + password
/// instead of api_key), or simply the key added.
fn other_way_in(p: &ProviderSpec, lines: &[String], key: &str, placeholder: &str) -> Vec<String> {
    let group = p.rules.iter().find_map(|r| match r {
        balance::kit::keys::Rule::OneOf(groups) => groups
            .iter()
            .find(|g| g.contains(&key))
            .map(|g| (*g, *groups)),
        _ => None,
    });
    let (others, add): (Vec<&str>, Vec<&str>) = match group {
        Some((group, groups)) => (
            groups
                .iter()
                .filter(|g| **g != group)
                .flat_map(|g| g.iter().copied())
                .collect(),
            group.to_vec(),
        ),
        None => (Vec::new(), vec![key]),
    };
    let mut out: Vec<String> = lines
        .iter()
        .filter(|l| !others.contains(&line_key(l)) && !add.contains(&line_key(l)))
        .cloned()
        .collect();
    for name in add {
        match p.keys.iter().find(|s| s.name == name) {
            Some(s) if s.is_secret() => out.push(format!("{name} = {placeholder}")),
            Some(s) => out.push(format!("{name} = \"{}\"", s.example)),
            None => {}
        }
    }
    out
}

/// A marker in every secret key of every provider, resolved from a literal, the
/// environment or a file, checked at `-vv` in every format: no output carries
/// it, nor its base64 with the profile's user (a Basic header echoed back).
#[test]
fn marker_secrets_appear_in_no_output() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    let markers = Markers::new(&home, &sandbox);
    let config = home.config(&markers.config);
    let failures: Vec<String> = std::thread::scope(|scope| {
        let runs: Vec<_> = ["table", "json", "prometheus", "nagios"]
            .into_iter()
            .map(|format| {
                let (markers, config, home) = (&markers, &config, &home);
                scope.spawn(move || {
                    let out = home
                        .cmd()
                        .arg("--config")
                        .arg(config)
                        .args(["check", "-vv", "--format", format])
                        .envs(markers.env.iter().map(|(k, v)| (k, v)))
                        .output()
                        .unwrap();
                    let mut failures = Vec::new();
                    let text = format!("{}{}", stdout(&out), stderr(&out));
                    if format == "json" {
                        let rows = rows(&out);
                        // Resolved (not a config error) and sent: the markers were used.
                        if rows.len() != markers.profiles
                            || rows
                                .iter()
                                .any(|r| r.error.as_ref().is_some_and(|e| e.kind == "config"))
                        {
                            failures.push(format!(
                                "json: not every marker profile was checked\n{text}"
                            ));
                        }
                    }
                    if !text.contains("reading secret") {
                        failures.push(format!("{format}: no -vv diagnostics\n{text}"));
                    }
                    for f in &markers.forbidden {
                        if text.contains(f.as_str()) {
                            failures.push(format!("{format}: `{f}` appears in the output"));
                        }
                    }
                    failures
                })
            })
            .collect();
        runs.into_iter()
            .flat_map(|r| r.join().expect("no panic"))
            .collect()
    });
    report("marker secrets", failures);
}

/// `balance providers`, in text and JSON, lists every provider with every key.
#[test]
fn providers_lists_every_key() {
    let home = Home::new();
    let text = stdout(&home.cmd().arg("providers").output().unwrap());
    let json: serde_json::Value = serde_json::from_slice(
        &home
            .cmd()
            .args(["providers", "--json"])
            .output()
            .unwrap()
            .stdout,
    )
    .expect("providers --json is JSON");
    let mut failures = Vec::new();
    for p in REGISTRY {
        let want: Vec<&str> = p.key_rows().iter().map(|r| r.name).collect();
        // Its section: from its heading line to the next blank line.
        let section: Vec<&str> = text
            .split("\n\n")
            .find(|s| s.lines().next().and_then(|l| l.split_whitespace().next()) == Some(p.name))
            .map(|s| {
                s.lines()
                    .skip(1)
                    .filter_map(|l| l.split_whitespace().next())
                    .collect()
            })
            .unwrap_or_default();
        for key in &want {
            if !section.contains(key) {
                failures.push(format!(
                    "{}: `{key}` missing from `balance providers`",
                    p.name
                ));
            }
        }
        let listed: Option<Vec<&str>> = json.as_array().and_then(|a| {
            a.iter().find(|e| e["name"] == p.name).map(|e| {
                e["keys"]
                    .as_array()
                    .map(|k| k.iter().filter_map(|k| k["name"].as_str()).collect())
                    .unwrap_or_default()
            })
        });
        if listed.as_ref() != Some(&want) {
            failures.push(format!(
                "{}: `providers --json` lists {listed:?}, not {want:?}",
                p.name
            ));
        }
    }
    report("balance providers", failures);
}

/// config.example.toml has a profile (commented or not) for every provider.
#[test]
fn config_example_has_every_provider() {
    let example = include_str!("../../config.example.toml");
    let failures: Vec<String> = REGISTRY
        .iter()
        .filter(|p| {
            !example.lines().any(|l| {
                l.trim_start_matches(['#', ' ']).trim_end() == format!("provider = \"{}\"", p.name)
            })
        })
        .map(|p| format!("{}: no `provider = \"{}\"` line", p.name, p.name))
        .collect();
    report("config.example.toml", failures);
}

/// Each emulator answers only under its own mount: every provider's healthy
/// profile pointed at every other provider's mount gets no balance.
#[test]
fn emulators_stay_under_their_own_mount() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    let mut config = String::from(SETTINGS);
    let mut pairs = 0;
    for a in REGISTRY {
        let own = sandbox.url(a.name);
        for (suffix, keys) in a.sandbox_profiles(&own, Scenario::Healthy, "\"healthy\"") {
            for b in REGISTRY.iter().filter(|b| b.name != a.name) {
                // The mount is the base URL's (or the `http` provider's `url`'s) prefix.
                let keys = keys.replace(&format!("{own}/"), &format!("{}/", sandbox.url(b.name)));
                let keys = keys.replace(
                    &format!("\"{own}\""),
                    &format!("\"{}\"", sandbox.url(b.name)),
                );
                config.push_str(&format!(
                    "\n[profiles.\"{}{suffix}--under--{}\"]\nprovider = \"{}\"\n{keys}",
                    a.name, b.name, a.name
                ));
                pairs += 1;
            }
        }
    }
    home.config(&config);
    let out = home.run(&["check", "--json"]);
    let rows = rows(&out);
    assert_eq!(rows.len(), pairs, "{}", stderr(&out));
    let failures: Vec<String> = rows
        .iter()
        .filter(|r| r.balance.is_some() || r.error.as_ref().is_none_or(|e| e.kind == "config"))
        .map(|r| {
            format!(
                "{}: {} {:?} {:?}",
                r.profile,
                r.status,
                r.balance.as_ref().map(|b| b.get()),
                r.error
            )
        })
        .collect();
    report("emulator routes", failures);
}

//! Alerts (SPEC §12): a message to a webhook or a command when a profile's state
//! changes (ok → low, → error, → recovered), not on every run. The caller keeps
//! the last state (in the history store) and hands it in; this module decides,
//! words and sends. A failed alert is retried, then one warning: it never changes
//! the check's exit status.

use std::collections::HashMap;
use std::process::Stdio;
use std::time::Duration;

use rust_decimal::Decimal;
use secrecy::ExposeSecret;
use serde::Serialize;
use tokio::io::AsyncWriteExt;

use crate::check::{CheckResult, Status};
use crate::http::{Http, Verdict};
use crate::secret::{SecretEnv, SecretSource};

/// Attempts per alert, and how long one may take.
const ATTEMPTS: u32 = 3;
const TIMEOUT: Duration = Duration::from_secs(10);
const BACKOFF: Duration = Duration::from_millis(500);

/// One `[[alerts]]` entry.
#[derive(Debug, Clone)]
pub enum Target {
    /// POST JSON with a Slack-compatible `text`; the URL is a secret.
    Webhook(SecretSource),
    /// Run without a shell, the message on stdin.
    Command(Vec<String>),
}

impl Target {
    /// Where it goes, fit to print (never the webhook's URL).
    pub fn describe(&self) -> String {
        match self {
            Target::Webhook(source) => format!("webhook ({})", source.describe()),
            Target::Command(argv) => format!("command {}", argv[0]),
        }
    }
}

/// Reads the `alerts` array of tables; `base_dir` anchors relative secret files.
pub fn parse(value: toml::Value, base_dir: &std::path::Path) -> Result<Vec<Target>, String> {
    let toml::Value::Array(entries) = value else {
        return Err("`alerts` must be an array of tables: [[alerts]]".into());
    };
    entries
        .into_iter()
        .enumerate()
        .map(|(i, entry)| {
            let n = i + 1;
            let toml::Value::Table(mut t) = entry else {
                return Err(format!("alert {n} must be a table: [[alerts]]"));
            };
            let target = match (t.remove("webhook"), t.remove("command")) {
                (Some(url), None) => Target::Webhook(
                    SecretSource::from_toml(&url, base_dir)
                        .map_err(|m| format!("alert {n}: `webhook` {m}"))?,
                ),
                (None, Some(toml::Value::Array(argv))) => {
                    let argv: Option<Vec<String>> =
                        argv.iter().map(|a| a.as_str().map(str::to_owned)).collect();
                    match argv {
                        Some(argv) if argv.first().is_some_and(|p| !p.is_empty()) => {
                            Target::Command(argv)
                        }
                        _ => {
                            return Err(format!(
                                "alert {n}: `command` must be a non-empty list of strings, e.g. [\"mail\", \"-s\", \"balance\", \"ops@example.com\"]"
                            ));
                        }
                    }
                }
                (None, Some(_)) => {
                    return Err(format!(
                        "alert {n}: `command` must be a list: [\"prog\", \"arg\"] (it runs without a shell)"
                    ));
                }
                (Some(_), Some(_)) => {
                    return Err(format!("alert {n}: set `webhook` or `command`, not both"));
                }
                (None, None) => return Err(format!("alert {n}: set `webhook` or `command`")),
            };
            if let Some(key) = t.keys().next() {
                return Err(format!(
                    "alert {n}: unknown key `{key}` (accepted: webhook, command)"
                ));
            }
            Ok(target)
        })
        .collect()
}

/// A profile's state as alerts see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Ok,
    Low,
    Error,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Low => "low",
            State::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Option<State> {
        [State::Ok, State::Low, State::Error]
            .into_iter()
            .find(|s| s.as_str() == text)
    }

    pub fn of(result: &CheckResult) -> State {
        match result.status() {
            Status::Ok => State::Ok,
            Status::Low => State::Low,
            Status::Error => State::Error,
        }
    }
}

/// What an alert says, as the webhook's JSON carries it.
#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub text: String,
    pub profile: String,
    pub provider: String,
    pub state: State,
    pub previous_state: Option<State>,
    #[serde(serialize_with = "exact")]
    pub balance: Option<Decimal>,
    pub currency: Option<String>,
    #[serde(serialize_with = "exact")]
    pub min_balance: Option<Decimal>,
    pub days_left: Option<f64>,
    pub error: Option<String>,
}

fn exact<S: serde::Serializer>(value: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    value.map(crate::money::json_number).serialize(s)
}

/// The alerts a run owes: one per profile whose state differs from the one
/// recorded before it. A profile seen for the first time is not a change.
pub fn changes(
    previous: &HashMap<String, State>,
    results: &[CheckResult],
    days_left: impl Fn(&CheckResult) -> Option<f64>,
) -> Vec<Message> {
    results
        .iter()
        .filter_map(|r| {
            let before = *previous.get(&r.profile)?;
            let now = State::of(r);
            (before != now).then(|| message(r, Some(before), now, days_left(r)))
        })
        .collect()
}

/// The words of an alert: profile, provider, balance, threshold, days left,
/// and the error's message (already free of secrets).
pub fn message(
    r: &CheckResult,
    previous: Option<State>,
    state: State,
    days: Option<f64>,
) -> Message {
    let (balance, currency) = match &r.outcome {
        Ok(b) => (Some(b.amount), b.currency.clone()),
        Err(_) => (None, None),
    };
    let error = r.outcome.as_ref().err().map(|e| e.message.clone());
    let amount = balance.map(|b| match &currency {
        Some(c) => format!("{b} {c}"),
        None => b.to_string(),
    });
    let mut text = match (previous, state) {
        (_, State::Low) => format!("balance: {} ({}) is LOW", r.profile, r.provider),
        (_, State::Error) => format!("balance: {} ({}) check FAILED", r.profile, r.provider),
        (Some(_), State::Ok) => format!("balance: {} ({}) recovered", r.profile, r.provider),
        (None, State::Ok) => format!("balance: {} ({}) is ok", r.profile, r.provider),
    };
    if let Some(amount) = &amount {
        text.push_str(&format!(": {amount}"));
    }
    if let Some(min) = r.min_balance {
        text.push_str(&format!(" (threshold {min})"));
    }
    // A failed check has no fresh balance to forecast from.
    let days = days.filter(|_| state != State::Error);
    if let Some(d) = days {
        text.push_str(&format!(", empty in {d:.1} days"));
    }
    if let Some(e) = &error {
        text.push_str(&format!(": {e}"));
    }
    Message {
        text,
        profile: r.profile.clone(),
        provider: r.provider.clone(),
        state,
        previous_state: previous,
        balance,
        currency,
        min_balance: r.min_balance,
        days_left: days.map(|d| (d * 10.0).round() / 10.0),
        error,
    }
}

/// Sends every message to every target, each retried with backoff. Returns one
/// warning line per alert that could not be delivered (never a secret).
pub async fn send(targets: &[Target], messages: &[Message], env: &SecretEnv) -> Vec<String> {
    let mut warnings = Vec::new();
    if messages.is_empty() {
        return warnings;
    }
    let http = match Http::new(ATTEMPTS - 1) {
        Ok(http) => http,
        Err(e) => return vec![format!("alerts not sent: {e}")],
    };
    let pool = http.pool();
    for target in targets {
        for m in messages {
            let sent = match target {
                Target::Webhook(source) => webhook(&pool, source, m, env).await,
                Target::Command(argv) => command(argv, m).await,
            };
            if let Err(why) = sent {
                warnings.push(format!(
                    "alert for {} to {} not sent: {why}",
                    m.profile,
                    target.describe()
                ));
            }
        }
    }
    warnings
}

async fn webhook(
    pool: &crate::http::Pool<'_>,
    source: &SecretSource,
    m: &Message,
    env: &SecretEnv,
) -> Result<(), String> {
    let url = source.resolve(env, TIMEOUT).await?;
    crate::redact::register(&url);
    let url = crate::kit::parse_base_url(url.expose_secret())
        .map_err(|_| "the webhook URL must be https:// (or http:// on loopback)".to_owned())?;
    let body = serde_json::to_vec(m).map_err(|e| e.to_string())?;
    let reply = pool
        .send(
            TIMEOUT,
            |c| {
                c.post(url.clone())
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.clone())
            },
            |reply| {
                // Any failure answer is worth another try: the receiver may be restarting.
                if reply.status.is_success() {
                    Verdict::Final
                } else {
                    Verdict::Retry { wait: None }
                }
            },
        )
        .await
        .map_err(|e| e.message)?;
    if reply.status.is_success() {
        Ok(())
    } else {
        Err(format!("the webhook answered HTTP {}", reply.code()))
    }
}

async fn command(argv: &[String], m: &Message) -> Result<(), String> {
    let mut last = String::new();
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            tokio::time::sleep(BACKOFF * 2u32.pow(attempt - 1)).await;
        }
        match run(argv, &m.text).await {
            Ok(()) => return Ok(()),
            Err(why) => last = why,
        }
    }
    Err(format!("{last} (after {ATTEMPTS} attempts)"))
}

/// Runs `argv` with `input` on stdin, within `TIMEOUT`; its output is not ours.
async fn run(argv: &[String], input: &str) -> Result<(), String> {
    let program = &argv[0];
    let (mut child, mut group) = crate::secret::spawn_in_group(argv, Stdio::piped(), Stdio::null())
        .map_err(|e| format!("cannot run `{program}`: {}", crate::secret::io_reason(&e)))?;
    let work = async {
        if let Some(mut stdin) = child.stdin.take() {
            // A command that does not read its input is not a failure.
            let _ = stdin.write_all(input.as_bytes()).await;
            let _ = stdin.write_all(b"\n").await;
        }
        child.wait().await
    };
    match tokio::time::timeout(TIMEOUT, work).await {
        Ok(Ok(status)) if status.success() => {
            group.forget();
            Ok(())
        }
        Ok(Ok(status)) => {
            group.forget();
            Err(format!("`{program}` failed ({status})"))
        }
        Ok(Err(e)) => Err(format!(
            "`{program}` failed: {}",
            crate::secret::io_reason(&e)
        )),
        Err(_) => Err(format!(
            "`{program}` did not finish within {}",
            crate::fmt_duration(TIMEOUT)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixtures::results;

    #[test]
    fn only_changes_are_alerts_and_first_sight_is_not_one() {
        let rs = results();
        let mut previous = HashMap::new();
        assert!(changes(&previous, &rs, |_| None).is_empty());
        for r in &rs {
            previous.insert(r.profile.clone(), State::of(r));
        }
        assert!(changes(&previous, &rs, |_| None).is_empty());
        previous.insert("sg".into(), State::Ok);
        previous.insert("engage".into(), State::Ok);
        previous.insert("infobip".into(), State::Error);
        let msgs = changes(&previous, &rs, |_| Some(3.24));
        let texts: Vec<&str> = msgs.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(msgs.len(), 3, "{texts:?}");
        assert!(texts[0].starts_with("balance: infobip (infobip) recovered: 47.79134 EUR"));
        assert!(
            texts[1].starts_with("balance: sg (8x8) check FAILED: account is not in prepaid mode"),
            "{texts:?}"
        );
        assert_eq!(
            texts[2],
            "balance: engage (engagelab) is LOW: 14.3456 (threshold 20), empty in 3.2 days"
        );
        let json = serde_json::to_string(&msgs[2]).unwrap();
        assert!(json.contains(r#""balance":14.3456"#), "{json}");
        assert!(
            json.contains(r#""state":"low","previous_state":"ok""#),
            "{json}"
        );
    }

    #[test]
    fn config_forms() {
        let parse_str = |text: &str| {
            let mut doc: toml::Table = toml::from_str(text).unwrap();
            parse(doc.remove("alerts").unwrap(), std::path::Path::new("/etc"))
        };
        let ok = parse_str(
            "[[alerts]]\nwebhook = { env = \"SLACK\" }\n[[alerts]]\ncommand = [\"mail\", \"-s\", \"x\"]\n",
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        for (text, needle) in [
            ("[[alerts]]\ncommand = \"mail x\"\n", "must be a list"),
            ("[[alerts]]\ncommand = []\n", "non-empty list"),
            ("[[alerts]]\nwebhok = \"x\"\n", "set `webhook` or `command`"),
            (
                "[[alerts]]\nwebhook = \"x\"\ncommand = [\"a\"]\n",
                "not both",
            ),
            ("[[alerts]]\nwebhook = \"x\"\nto = 1\n", "unknown key `to`"),
            ("alerts = 3\n", "array of tables"),
        ] {
            let err = parse_str(text).unwrap_err();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    fn env() -> SecretEnv {
        SecretEnv {
            config_path: "/tmp/c.toml".into(),
            config_shared: false,
        }
    }

    #[tokio::test]
    async fn webhook_gets_one_post_per_message_and_failures_are_retried_then_warned() {
        use wiremock::matchers::{body_partial_json, method};
        use wiremock::{Mock, MockServer, ResponseTemplate};
        let rs = results();
        let msgs = vec![message(&rs[2], Some(State::Ok), State::Low, None)];
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(body_partial_json(
                serde_json::json!({"profile": "engage", "state": "low"}),
            ))
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(&server)
            .await;
        let hook = Target::Webhook(SecretSource::Literal(server.uri().into()));
        assert!(send(&[hook], &msgs, &env()).await.is_empty());

        let failing = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(503))
            .expect(u64::from(ATTEMPTS))
            .mount(&failing)
            .await;
        let url = format!("{}/hooks/T000/SECRET-PATH", failing.uri());
        let hook = Target::Webhook(SecretSource::Literal(url.into()));
        let warnings = send(&[hook], &msgs, &env()).await;
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("HTTP 503"), "{warnings:?}");
        assert!(!warnings[0].contains("SECRET-PATH"), "{warnings:?}");
    }

    #[tokio::test]
    async fn command_gets_the_message_on_stdin() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("mail.txt");
        let rs = results();
        let msgs = vec![message(&rs[1], Some(State::Ok), State::Error, None)];
        let argv = vec![
            "sh".to_owned(),
            "-c".to_owned(),
            format!("cat >> {}", out.display()),
        ];
        assert!(
            send(&[Target::Command(argv)], &msgs, &env())
                .await
                .is_empty()
        );
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.starts_with("balance: sg (8x8) check FAILED"), "{text}");
        let warnings = send(&[Target::Command(vec!["false".into()])], &msgs, &env()).await;
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("after 3 attempts"), "{warnings:?}");
    }
}

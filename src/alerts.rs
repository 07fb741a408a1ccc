//! Alerts (SPEC §12): a message to a webhook or a command when a profile's state
//! changes (ok → low, → error, → recovered), not on every run. The caller keeps
//! the last state (in the history store) and hands it in; this module decides,
//! words and sends. A failed alert is retried, then one warning: it never changes
//! the check's exit status.

use std::collections::HashMap;
use std::process::Stdio;
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use rust_decimal::Decimal;
use secrecy::ExposeSecret;
use serde::Serialize;
use tokio::io::AsyncWriteExt;

use crate::config::{AlertKind, AlertTarget, parse_webhook_url};
use crate::http::{Http, Verdict};
use crate::result::{AlertState, CheckResult, Status};
use crate::secret::SecretEnv;

/// Attempts per alert, and how long one may take at most (the run's budget
/// cuts it shorter).
const ATTEMPTS: u32 = 3;
const TIMEOUT: Duration = Duration::from_secs(10);
const BACKOFF: Duration = Duration::from_millis(500);

/// A profile's state as one target sees it: its own `below`, when it has one,
/// replaces the profile's thresholds (a failure is a failure for every target).
pub fn state_for(target: &AlertTarget, r: &CheckResult) -> Status {
    match (r.status(), target.below, r.amount()) {
        (Status::Error, _, _) => Status::Error,
        (_, Some(below), Some(amount)) if amount < below => Status::Low,
        (_, Some(_), _) => Status::Ok,
        (status, None, _) => status,
    }
}

/// One message owed to one target (an index into the config's targets).
#[derive(Debug, Clone)]
pub struct Delivery {
    pub target: usize,
    pub message: Message,
}

/// What a run owes: the messages, and the states to keep for next time.
#[derive(Debug, Default)]
pub struct Decisions {
    pub deliveries: Vec<Delivery>,
    /// (profile, target key, state): only the ones that changed.
    pub keep: Vec<(String, String, AlertState)>,
}

/// Each (profile, target) pair whose state differs from the one kept before it
/// gets a message; with no state kept, OK is the baseline (a first LOW or ERROR
/// is told, a first OK is not). A target with `repeat` tells a not-OK state
/// again once that long has passed since it last did.
pub fn decide(
    targets: &[AlertTarget],
    previous: &HashMap<(String, String), AlertState>,
    results: &[CheckResult],
) -> Decisions {
    let mut out = Decisions::default();
    for r in results {
        let at = crate::history::micros(r.checked_at);
        let days = r.forecast.map(|f| f.days_left);
        for (i, target) in targets.iter().enumerate() {
            let key = target.key();
            // `*`: a state kept before targets had their own (schema 1).
            let kept = previous
                .get(&(r.profile.clone(), key.clone()))
                .or_else(|| previous.get(&(r.profile.clone(), "*".to_owned())));
            let before = kept.map_or(Status::Ok, |k| k.state);
            let now = state_for(target, r);
            let due_again = match (kept.and_then(|k| k.sent_at), target.repeat) {
                (Some(sent), Some(every)) => {
                    now != Status::Ok
                        && at.saturating_sub(sent)
                            >= i64::try_from(every.as_micros()).unwrap_or(i64::MAX)
                }
                _ => false,
            };
            if before == now && !due_again {
                continue;
            }
            out.deliveries.push(Delivery {
                target: i,
                message: message(r, Some(before), now, days, target.below),
            });
            let since = match kept {
                Some(k) if k.state == now => k.since,
                _ => at,
            };
            out.keep.push((
                r.profile.clone(),
                key,
                AlertState {
                    state: now,
                    since,
                    sent_at: Some(at),
                },
            ));
        }
    }
    out
}

/// What an alert says, as the webhook's JSON carries it.
#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub text: String,
    pub profile: String,
    pub provider: String,
    pub state: Status,
    pub previous_state: Option<Status>,
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

/// The words of an alert: profile, provider, balance, threshold, days left,
/// and the error's message (already free of secrets).
pub fn message(
    r: &CheckResult,
    previous: Option<Status>,
    state: Status,
    days: Option<f64>,
    below: Option<Decimal>,
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
    let still = if previous == Some(state) {
        "still "
    } else {
        ""
    };
    let mut text = match (previous, state) {
        (_, Status::Low) => format!("balance: {} ({}) is {still}LOW", r.profile, r.provider),
        (_, Status::Error) => format!(
            "balance: {} ({}) check {still}FAILED",
            r.profile, r.provider
        ),
        (Some(Status::Ok) | None, Status::Ok) => {
            format!("balance: {} ({}) is ok", r.profile, r.provider)
        }
        (Some(_), Status::Ok) => format!("balance: {} ({}) recovered", r.profile, r.provider),
    };
    if let Some(amount) = &amount {
        text.push_str(&format!(": {amount}"));
    }
    let threshold = below.or(r.min_balance);
    if let Some(min) = threshold {
        text.push_str(&format!(" (threshold {min})"));
    }
    // A failed check has no fresh balance to forecast from.
    let days = days.filter(|_| state != Status::Error);
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
        min_balance: threshold,
        days_left: days.map(|d| (d * 10.0).round() / 10.0),
        error,
    }
}

/// How one target fared with its messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub target: usize,
    /// The profiles whose message did not get there, and the first reason.
    pub failed: Vec<String>,
    pub reason: Option<String>,
}

impl Outcome {
    /// The one warning line a target that failed costs (never its URL).
    pub fn warning(&self, targets: &[AlertTarget]) -> Option<String> {
        let reason = self.reason.as_ref()?;
        Some(format!(
            "warning: {} not sent for {}: {reason}",
            targets[self.target].describe(),
            self.failed.join(", ")
        ))
    }
}

/// Delivers every message, all targets at once, each message retried with
/// backoff, the whole within `budget`; what has not arrived by then is given
/// up. One outcome per target that had messages, in target order.
pub async fn deliver(
    targets: &[AlertTarget],
    deliveries: Vec<Delivery>,
    env: &SecretEnv,
    budget: Duration,
) -> Vec<Outcome> {
    let mut by_target: Vec<Vec<Message>> = vec![Vec::new(); targets.len()];
    for d in deliveries {
        by_target[d.target].push(d.message);
    }
    let mut outcomes: Vec<Outcome> = by_target
        .iter()
        .enumerate()
        .filter(|(_, ms)| !ms.is_empty())
        .map(|(target, ms)| Outcome {
            target,
            failed: ms.iter().map(|m| m.profile.clone()).collect(),
            reason: Some(format!(
                "no answer within the {} alert budget ([settings] alert_timeout)",
                crate::fmt_duration(budget)
            )),
        })
        .collect();
    if outcomes.is_empty() {
        return outcomes;
    }
    let http = match Http::new(ATTEMPTS - 1) {
        Ok(http) => http,
        Err(e) => {
            for o in &mut outcomes {
                o.reason = Some(e.to_string());
            }
            return outcomes;
        }
    };
    let pool = http.pool();
    let timeout = TIMEOUT.min(budget);
    let mut sends: FuturesUnordered<_> = by_target
        .iter()
        .enumerate()
        .filter(|(_, ms)| !ms.is_empty())
        .map(|(i, ms)| {
            let pool = &pool;
            async move {
                let target = &targets[i];
                let url = match &target.kind {
                    AlertKind::Webhook(source) => match webhook_url(source, env, timeout).await {
                        Ok(url) => Some(url),
                        Err(why) => return (i, ms.iter().map(|m| (m, Err(why.clone()))).collect()),
                    },
                    AlertKind::Command(_) => None,
                };
                let each = ms.iter().map(|m| {
                    let url = url.as_ref();
                    async move {
                        let sent = match (&target.kind, url) {
                            (AlertKind::Webhook(_), Some(url)) => {
                                webhook(pool, url, m, timeout).await
                            }
                            (AlertKind::Command(argv), _) => command(argv, m, timeout).await,
                            (AlertKind::Webhook(_), None) => Err("no URL".into()),
                        };
                        (m, sent)
                    }
                });
                let results: Vec<(&Message, Result<(), String>)> =
                    futures_util::future::join_all(each).await;
                (i, results)
            }
        })
        .collect();
    let collect = async {
        while let Some((i, results)) = sends.next().await {
            let Some(o) = outcomes.iter_mut().find(|o| o.target == i) else {
                continue;
            };
            o.failed.clear();
            o.reason = None;
            for (m, sent) in results {
                if let Err(why) = sent {
                    o.failed.push(m.profile.clone());
                    o.reason.get_or_insert(why);
                }
            }
        }
    };
    // Past the budget the unfinished sends are dropped: their requests are
    // cancelled, their commands killed; their outcomes keep the budget's reason.
    let _ = tokio::time::timeout(budget, collect).await;
    outcomes
}

/// A webhook target's URL, resolved and checked; the reason never quotes it.
async fn webhook_url(
    source: &crate::secret::SecretSource,
    env: &SecretEnv,
    timeout: Duration,
) -> Result<reqwest::Url, String> {
    let url = source.resolve(env, timeout).await?;
    crate::redact::register(&url);
    parse_webhook_url(url.expose_secret())
}

async fn webhook(
    pool: &crate::http::Pool<'_>,
    url: &reqwest::Url,
    m: &Message,
    timeout: Duration,
) -> Result<(), String> {
    let body = serde_json::to_vec(m).map_err(|e| e.to_string())?;
    let reply = pool
        .send(
            timeout,
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

async fn command(argv: &[String], m: &Message, timeout: Duration) -> Result<(), String> {
    let mut last = String::new();
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            tokio::time::sleep(BACKOFF * 2u32.pow(attempt - 1)).await;
        }
        match run(argv, &m.text, timeout).await {
            Ok(()) => return Ok(()),
            Err(why) => last = why,
        }
    }
    Err(format!("{last} (after {ATTEMPTS} attempts)"))
}

/// Runs `argv` with `input` on stdin, within `timeout`; its output is not ours.
async fn run(argv: &[String], input: &str, timeout: Duration) -> Result<(), String> {
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
    match tokio::time::timeout(timeout, work).await {
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
            crate::fmt_duration(timeout)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixtures::results;
    use crate::secret::SecretSource;

    fn target(index: usize, kind: AlertKind) -> AlertTarget {
        AlertTarget {
            index,
            name: None,
            kind,
            repeat: None,
            below: None,
        }
    }

    fn hook(url: &str) -> AlertTarget {
        target(
            1,
            AlertKind::Webhook(SecretSource::Literal(url.to_owned().into())),
        )
    }

    fn texts(d: &Decisions) -> Vec<&str> {
        d.deliveries
            .iter()
            .map(|d| d.message.text.as_str())
            .collect()
    }

    fn kept(d: &Decisions) -> HashMap<(String, String), AlertState> {
        d.keep
            .iter()
            .map(|(p, t, s)| ((p.clone(), t.clone()), *s))
            .collect()
    }

    #[test]
    fn ok_is_the_baseline_and_only_changes_are_alerts() {
        let targets = [hook("https://hooks.example/x")];
        let rs = results();
        // First sight: the failed `sg` and the LOW `engage` are told, from "ok".
        let first = decide(&targets, &HashMap::new(), &rs);
        assert_eq!(
            texts(&first),
            [
                "balance: sg (8x8) check FAILED: account is not in prepaid mode (HTTP 403, code 1201): Account not in prepaid mode",
                "balance: engage (engagelab) is LOW: 14.3456 (threshold 20)",
            ]
        );
        let json = serde_json::to_string(&first.deliveries[1].message).unwrap();
        assert!(
            json.contains(r#""state":"low","previous_state":"ok""#),
            "{json}"
        );
        assert!(json.contains(r#""balance":14.3456"#), "{json}");
        // The same results again: nothing.
        let again = decide(&targets, &kept(&first), &rs);
        assert!(again.deliveries.is_empty(), "{:?}", texts(&again));
        // sg recovers.
        let mut rs2 = results();
        rs2[1] = rs2[0].clone();
        rs2[1].profile = "sg".into();
        rs2[1].provider = "8x8".into();
        let later = decide(&targets, &kept(&first), &rs2);
        assert_eq!(texts(&later), ["balance: sg (8x8) recovered: 47.79134 EUR"]);
    }

    #[test]
    fn repeat_resends_while_not_ok_and_below_escalates() {
        let mut warn = hook("https://hooks.example/warn");
        warn.repeat = Some(Duration::from_secs(86_400));
        let mut critical = target(2, AlertKind::Command(vec!["true".into()]));
        critical.below = Some(crate::money::parse_decimal("10").unwrap());
        let targets = [warn, critical];
        let mut rs = results();
        rs.truncate(3);
        let first = decide(&targets, &HashMap::new(), &rs);
        // engage (14.35, min 20) is LOW for the first, not below 10 for the second;
        // sg's failure goes to both.
        let to: Vec<(usize, &str)> = first
            .deliveries
            .iter()
            .map(|d| (d.target, d.message.profile.as_str()))
            .collect();
        assert_eq!(to, [(0, "sg"), (1, "sg"), (0, "engage")]);
        // A day later, still the same: the first target repeats, the second does not.
        let day = Duration::from_secs(86_400);
        for r in &mut rs {
            r.checked_at += day;
        }
        let later = decide(&targets, &kept(&first), &rs);
        let to: Vec<(usize, &str)> = later
            .deliveries
            .iter()
            .map(|d| (d.target, d.message.profile.as_str()))
            .collect();
        assert_eq!(to, [(0, "sg"), (0, "engage")]);
        assert!(
            later.deliveries[1].message.text.contains("is still LOW"),
            "{:?}",
            later.deliveries[1].message.text
        );
        // Half a day more: nothing is due.
        let mut half = rs.clone();
        for r in &mut half {
            r.checked_at += day / 2;
        }
        let mut memory = kept(&first);
        memory.extend(kept(&later));
        assert!(decide(&targets, &memory, &half).deliveries.is_empty());
        // engage falls below 10: the second target escalates, with its threshold.
        let mut low = half.clone();
        low[2].outcome = Ok(crate::kit::Balance::new(
            crate::money::parse_decimal("3").unwrap(),
            None,
        ));
        let escalated = decide(&targets, &memory, &low);
        assert_eq!(escalated.deliveries.len(), 1);
        assert_eq!(escalated.deliveries[0].target, 1);
        assert_eq!(
            escalated.deliveries[0].message.text,
            "balance: engage (engagelab) is LOW: 3 (threshold 10)"
        );
    }

    fn env() -> SecretEnv {
        SecretEnv {
            config_path: "/tmp/c.toml".into(),
            config_shared: false,
        }
    }

    /// `m` to every target.
    async fn deliver_all(targets: &[AlertTarget], m: &Message, budget: Duration) -> Vec<Outcome> {
        let owed = (0..targets.len())
            .map(|target| Delivery {
                target,
                message: m.clone(),
            })
            .collect();
        deliver(targets, owed, &env(), budget).await
    }

    #[tokio::test]
    async fn webhooks_are_posted_and_a_failing_one_is_named_never_shown() {
        use wiremock::matchers::{body_partial_json, method, query_param};
        use wiremock::{Mock, MockServer, ResponseTemplate};
        let rs = results();
        let m = message(&rs[2], Some(Status::Ok), Status::Low, None, None);
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(query_param("key", "Q-MARKER"))
            .and(body_partial_json(
                serde_json::json!({"profile": "engage", "state": "low"}),
            ))
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(&server)
            .await;
        let failing = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(503))
            // Two targets on it, each retried.
            .expect(2 * u64::from(ATTEMPTS))
            .mount(&failing)
            .await;
        let mut second = hook(&format!("{}/hooks/T000/SECRET-PATH", failing.uri()));
        second.index = 2;
        let mut third = hook(&format!("{}/x", failing.uri()));
        third.index = 3;
        third.name = Some("ops".into());
        let targets = [
            hook(&format!("{}/hook?key=Q-MARKER", server.uri())),
            second,
            third,
        ];
        let outcomes = deliver_all(&targets, &m, Duration::from_secs(20)).await;
        let warnings: Vec<String> = outcomes
            .iter()
            .filter_map(|o| o.warning(&targets))
            .collect();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].starts_with("warning: alert 2 (webhook) not sent for engage: "),
            "{warnings:?}"
        );
        assert!(warnings[0].contains("HTTP 503"), "{warnings:?}");
        assert!(
            warnings[1].starts_with("warning: alert \"ops\" (webhook) not sent"),
            "{warnings:?}"
        );
        assert!(!warnings.concat().contains("SECRET-PATH"), "{warnings:?}");
    }

    /// A target that accepts and never answers costs the budget, not the
    /// attempts times the timeout; the others are delivered meanwhile.
    #[tokio::test]
    async fn a_silent_target_is_given_up_at_the_budget() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("mail.txt");
        let rs = results();
        let m = message(&rs[1], Some(Status::Ok), Status::Error, None, None);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let silent = format!("http://{}/hook", listener.local_addr().unwrap());
        let mut mail = target(
            2,
            AlertKind::Command(vec![
                "sh".into(),
                "-c".into(),
                format!("cat >> {}", out.display()),
            ]),
        );
        mail.name = Some("mail".into());
        let targets = [hook(&silent), mail];
        let started = std::time::Instant::now();
        let outcomes = deliver_all(&targets, &m, Duration::from_millis(700)).await;
        let took = started.elapsed();
        assert!(took < Duration::from_secs(3), "{took:?}");
        assert_eq!(outcomes[1].reason, None, "{outcomes:?}");
        let w = outcomes[0].warning(&targets).unwrap();
        assert!(
            w.contains("alert 1 (webhook)") && w.contains("alert budget"),
            "{w}"
        );
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.starts_with("balance: sg (8x8) check FAILED"), "{text}");
        drop(listener);
    }

    #[tokio::test]
    async fn a_failing_command_is_retried_then_warned() {
        let rs = results();
        let m = message(&rs[1], Some(Status::Ok), Status::Error, None, None);
        let targets = [target(1, AlertKind::Command(vec!["false".into()]))];
        let outcomes = deliver_all(&targets, &m, Duration::from_secs(20)).await;
        let w = outcomes[0].warning(&targets).unwrap();
        assert!(w.contains("after 3 attempts"), "{w}");
        assert!(w.contains("alert 1 (command)"), "{w}");
    }
}

//! `balance serve` (SPEC §11) as a child process against the sandbox: what it
//! answers, its token, and its signals.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::{Home, Sandbox, code};
use crate::history::{now, spend_history};
use openmetrics_parser::prometheus::parse_prometheus;
use serde_json::Value;

/// A running `balance serve`, killed when dropped.
struct Serve {
    child: Child,
    addr: String,
    stderr: Arc<Mutex<String>>,
}

impl Serve {
    fn start(home: &Home) -> Serve {
        let mut child = home
            .cmd()
            .arg("--config")
            .arg(home.path().join("config.toml"))
            .args(["serve", "--listen", "127.0.0.1:0", "--interval", "1s"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let err = child.stderr.take().unwrap();
        let kept = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines() {
                let Ok(line) = line else { break };
                kept.lock().unwrap().push_str(&format!("{line}\n"));
                if let Some(rest) = line.strip_prefix("balance: serving on http://") {
                    let addr = rest.split_whitespace().next().unwrap_or("").to_owned();
                    let _ = tx.send(addr);
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(15))
            .expect("serve prints where it listens");
        Serve {
            child,
            addr,
            stderr,
        }
    }

    /// (status, body) of one request.
    fn request(&self, method: &str, path: &str, token: Option<&str>) -> (u16, String) {
        let auth = token.map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> = auth
            .as_deref()
            .map(|a| ("Authorization", a))
            .into_iter()
            .collect();
        let (status, _, body) = self.exchange(method, path, &headers);
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    /// (status, header lines, body bytes) of one request with these headers.
    fn exchange(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (u16, String, Vec<u8>) {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let extra: String = headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}\r\n"))
            .collect();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\n{extra}Connection: close\r\n\r\n",
            self.addr
        )
        .unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or(raw.len());
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let body = raw.get(split + 4..).unwrap_or_default().to_vec();
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, head, body)
    }

    fn get(&self, path: &str) -> (u16, String) {
        self.request("GET", path, None)
    }

    /// The rows of /api/v1/balances once `ready` holds for them (bounded).
    fn balances_until(
        &self,
        token: Option<&str>,
        mut ready: impl FnMut(&[Value]) -> bool,
    ) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let (status, body) = self.request("GET", "/api/v1/balances", token);
            if status == 200
                && let Ok(Value::Array(rows)) = serde_json::from_str::<Value>(&body)
                && ready(&rows)
            {
                return rows;
            }
            assert!(
                Instant::now() < deadline,
                "not ready in time: {status} {body}\nstderr: {}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn signal(&self, name: &str) {
        let status = std::process::Command::new("sh")
            .args(["-c", &format!("kill -{name} {}", self.child.id())])
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// SIGTERM, then the exit code, which must come within a few seconds.
    fn terminate(mut self) -> i32 {
        self.signal("TERM");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().expect("exited, not killed");
            }
            assert!(Instant::now() < deadline, "still running after SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn config(sandbox: &Sandbox, key: &str, extra_settings: &str) -> String {
    format!(
        "[settings]\ntimeout = 2\nretries = 0\n{extra_settings}\n\
         [profiles.ib]\nprovider = \"infobip\"\nbase_url = \"{}\"\napi_key = \"{key}\"\nmin_balance = 10\n",
        sandbox.url("infobip")
    )
}

fn status_of(rows: &[Value], profile: &str) -> Option<String> {
    rows.iter()
        .find(|r| r["profile"] == profile)
        .and_then(|r| r["status"].as_str())
        .map(str::to_owned)
}

#[test]
fn serves_metrics_json_page_and_health_from_memory() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    home.config(&config(&sandbox, "healthy", ""));
    let serve = Serve::start(&home);

    assert_eq!(serve.get("/healthz"), (200, "ok\n".to_owned()));
    let rows = serve.balances_until(None, |rows| status_of(rows, "ib").is_some());
    assert_eq!(status_of(&rows, "ib").as_deref(), Some("ok"), "{rows:?}");
    assert!(rows[0]["balance"].is_number(), "{rows:?}");

    let (status, metrics) = serve.get("/metrics");
    assert_eq!(status, 200);
    let parsed = parse_prometheus(&metrics).unwrap_or_else(|e| panic!("{e:?}\n{metrics}"));
    assert!(parsed.families.contains_key("balance_amount"), "{metrics}");
    assert!(
        parsed
            .families
            .contains_key("balance_last_success_timestamp_seconds"),
        "{metrics}"
    );
    assert!(metrics.contains("balance_amount{profile=\"ib\",provider=\"infobip\""));

    let (status, page) = serve.get("/");
    assert_eq!(status, 200);
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(page.contains("http-equiv=\"refresh\""));
    assert!(page.contains(">ib <span"), "the profile's card: {page}");

    assert_eq!(serve.get("/nope").0, 404);
    assert_eq!(serve.request("POST", "/metrics", None).0, 405);
    // Checked again on its interval, and recorded each time.
    let mut times = std::collections::BTreeSet::new();
    serve.balances_until(None, |rows| {
        if let Some(at) = rows.first().and_then(|r| r["checked_at"].as_str()) {
            times.insert(at.to_owned());
        }
        times.len() >= 2
    });
    assert_eq!(serve.terminate(), 0);
    let out = home.run(&["history", "--format", "csv"]);
    let rows = String::from_utf8_lossy(&out.stdout).lines().count();
    assert!(rows >= 3, "a header and two checks at least: {rows}");
}

#[test]
fn a_token_guards_everything_but_health() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    home.config(&config(
        &sandbox,
        "healthy",
        "serve_token = \"s3cret-token\"",
    ));
    let serve = Serve::start(&home);
    for path in ["/", "/metrics", "/api/v1/balances"] {
        assert_eq!(serve.get(path).0, 401, "{path}");
        assert_eq!(serve.request("GET", path, Some("wrong")).0, 401, "{path}");
        assert_eq!(
            serve.request("GET", path, Some("s3cret-token")).0,
            200,
            "{path}"
        );
    }
    assert_eq!(serve.get("/healthz").0, 200);
    // A browser: told Basic for the page, it sends the token as the password.
    let (status, head, _) = serve.exchange("GET", "/", &[]);
    assert_eq!(status, 401);
    assert!(
        head.contains("www-authenticate: Basic realm=\"balance\""),
        "{head}"
    );
    // base64("me:s3cret-token"), base64("me:wrong")
    for (pair, want) in [("bWU6czNjcmV0LXRva2Vu", 200), ("bWU6d3Jvbmc=", 401)] {
        let auth = format!("Basic {pair}");
        let (status, _, _) = serve.exchange("GET", "/", &[("Authorization", &auth)]);
        assert_eq!(status, want, "{pair}");
    }
    assert!(!serve.stderr().contains("s3cret-token"));
}

#[test]
fn sighup_reloads_a_fixed_credential_and_keeps_the_old_config_when_bad() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    home.config(&config(&sandbox, "bad-credentials", ""));
    let serve = Serve::start(&home);
    let rows = serve.balances_until(None, |rows| status_of(rows, "ib").is_some());
    assert_eq!(status_of(&rows, "ib").as_deref(), Some("error"), "{rows:?}");

    home.config(&config(&sandbox, "healthy", ""));
    serve.signal("HUP");
    serve.balances_until(None, |rows| status_of(rows, "ib").as_deref() == Some("ok"));

    home.config("[settings]\ntimeot = 3\n");
    serve.signal("HUP");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !serve.stderr().contains("config not reloaded") {
        assert!(Instant::now() < deadline, "{}", serve.stderr());
        std::thread::sleep(Duration::from_millis(50));
    }
    // Still serving, and still checking the old config's profile.
    assert_eq!(serve.get("/healthz").0, 200);
    let rows = serve.balances_until(None, |rows| status_of(rows, "ib").is_some());
    assert_eq!(status_of(&rows, "ib").as_deref(), Some("ok"));
    assert_eq!(serve.terminate(), 0);
}

#[test]
fn sigterm_lets_the_check_in_flight_finish_and_be_recorded() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    // `slow` answers after the 2 s timeout: the check is in flight when the signal comes.
    home.config(&config(&sandbox, "slow", ""));
    let serve = Serve::start(&home);
    let began = Instant::now();
    assert_eq!(serve.terminate(), 0);
    assert!(
        began.elapsed() >= Duration::from_secs(1),
        "it waited for the check"
    );
    let out = home.run(&["history", "--format", "csv"]);
    let csv = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(csv.lines().any(|l| l.contains(",ib,")), "recorded: {csv}");
}

#[test]
fn a_bad_config_at_start_is_a_config_error() {
    let home = Home::new();
    home.config("[settings]\ninterval = \"0s\"\n");
    let out = home.run(&["serve", "--listen", "127.0.0.1:0"]);
    assert_eq!(
        crate::common::code(&out),
        3,
        "{}",
        crate::common::stderr(&out)
    );
    assert!(crate::common::stderr(&out).contains("`interval`"));
}

/// What a card says in its `<span class="amount">`, and its status class.
fn card<'a>(page: &'a str, name: &str) -> Option<(&'a str, Option<&'a str>)> {
    let start = page.find(&format!(">{name} <span"))?;
    let opening = &page[..start];
    let class = opening[opening.rfind("<section class=\"card ")? + 21..]
        .split('"')
        .next()?;
    let body = page[start..].split("</section>").next()?;
    let amount = body
        .split("<span class=\"amount\">")
        .nth(1)
        .and_then(|a| a.split('<').next());
    Some((class, amount))
}

#[test]
fn the_page_shows_the_numbers_of_the_api_and_the_last_success_outlives_a_restart() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    crate::history::config(&home, &sandbox, "");
    crate::history::import(&home, &spend_history(now()));
    // `bad` answered once, an hour ago; its credentials have failed since.
    let an_hour_ago = now() - 3600;
    let file = home.path().join("bad.csv");
    std::fs::write(
        &file,
        format!(
            "checked_at,profile,provider,status,balance,currency,error_kind\r\n\
             {},bad,infobip,ok,12.5,EUR,\r\n",
            humantime::format_rfc3339_seconds(
                std::time::UNIX_EPOCH + Duration::from_secs(an_hour_ago as u64)
            )
        ),
    )
    .unwrap();
    assert_eq!(
        code(&home.run(&["history", "import", file.to_str().unwrap()])),
        0
    );

    let serve = Serve::start(&home);
    let rows = serve.balances_until(None, |rows| rows.len() == 3);
    let (status, api) = serve.get("/api/v1/balances");
    assert_eq!(status, 200);
    let (_, page) = serve.get("/");
    for row in &rows {
        let name = row["profile"].as_str().unwrap();
        let (class, amount) = card(&page, name).unwrap_or_else(|| panic!("{name}: {page}"));
        assert_eq!(Some(class), row["status"].as_str(), "{name}");
        match amount {
            // The exact digits, as the API wrote them.
            Some(a) => assert!(api.contains(&format!("\"balance\": {a},")), "{a}: {api}"),
            None => assert!(row["balance"].is_null(), "{name}"),
        }
    }
    let ib = rows.iter().find(|r| r["profile"] == "ib").unwrap();
    let days = ib["forecast"]["days_left"]
        .as_f64()
        .expect("ib has a forecast");
    let shown = crate::report::days_on_card(&page, "ib").unwrap();
    assert!((shown - days).abs() <= 0.051, "{shown} vs {days}");

    // The last success of `bad` is the recorded one, though this run never saw it.
    let (_, metrics) = serve.get("/metrics");
    let line = metrics
        .lines()
        .find(|l| l.starts_with("balance_last_success_timestamp_seconds{profile=\"bad\""))
        .unwrap_or_else(|| panic!("{metrics}"));
    let at: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
    assert_eq!(at as i64, an_hour_ago, "{line}");
    assert!(!metrics.contains("balance_amount{profile=\"bad\""));
    // The §10 gauges, from the same forecast as the API's, in base units.
    let gauge: f64 = metrics
        .lines()
        .find_map(|l| {
            l.strip_prefix("balance_empty_timestamp_seconds{profile=\"ib\",provider=\"infobip\"} ")
        })
        .unwrap_or_else(|| panic!("{metrics}"))
        .parse()
        .unwrap();
    let empty_at = humantime::parse_rfc3339(ib["forecast"]["empty_at"].as_str().unwrap())
        .unwrap()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    // The JSON rounds to the second.
    assert!((gauge - empty_at).abs() <= 1.0, "{gauge} vs {empty_at}");
    assert!(metrics.contains("balance_spend_rate{profile=\"ib\""));

    // Prometheus asks for gzip: the same text, compressed.
    let (status, head, body) = serve.exchange("GET", "/metrics", &[("Accept-Encoding", "gzip")]);
    assert_eq!(status, 200);
    assert!(
        head.to_ascii_lowercase().contains("content-encoding: gzip"),
        "{head}"
    );
    let mut text = String::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text.lines().next(), metrics.lines().next());
    assert!(text.contains("balance_last_success_timestamp_seconds{profile=\"bad\""));
    assert!(body.len() < text.len());
    assert_eq!(serve.terminate(), 0);
}

#[test]
fn a_vendor_failing_and_recovering_is_seen_and_alerted_once_each_way() {
    use crate::common::hostile::{Action, Hostile, json};
    use std::sync::atomic::{AtomicUsize, Ordering};
    // Answers 1: 50 EUR; 2-3: 401 (a failure that lasts: no second line or
    // alert); then 40 EUR. Checks are a second apart, so each answer costs one.
    let n = Arc::new(AtomicUsize::new(0));
    let count = n.clone();
    let vendor = Hostile::start(move |_| {
        let body = match count.fetch_add(1, Ordering::SeqCst) {
            0 => json(200, r#"{"balance": 50.00, "currency": "EUR"}"#),
            1..=2 => json(
                401,
                r#"{"requestError": {"serviceException": {"messageId": "UNAUTHORIZED", "text": "Invalid login details"}}}"#,
            ),
            _ => json(200, r#"{"balance": 40.00, "currency": "EUR"}"#),
        };
        Action::Respond(body)
    });
    let home = Home::new();
    let alerts = home.path().join("alerts.txt");
    home.config(&format!(
        "[settings]\ntimeout = 2\nretries = 0\n\n\
         [profiles.flaky]\nprovider = \"infobip\"\nbase_url = \"{}\"\napi_key = \"k-marker-9d1e\"\nmin_balance = 10\n\n\
         [[alerts]]\ncommand = [\"sh\", \"-c\", \"cat >> '{}'; echo >> '{}'\"]\n",
        vendor.url(),
        alerts.display(),
        alerts.display()
    ));
    let serve = Serve::start(&home);
    let mut seen = Vec::new();
    serve.balances_until(None, |rows| {
        if let Some(s) = status_of(rows, "flaky")
            && seen.last() != Some(&s)
        {
            seen.push(s);
        }
        seen.len() >= 3
    });
    assert_eq!(seen, ["ok", "error", "ok"]);
    let (_, metrics) = serve.get("/metrics");
    assert!(
        metrics.contains(
            "balance_amount{profile=\"flaky\",provider=\"infobip\",currency=\"EUR\"} 40.00"
        ),
        "{metrics}"
    );
    // Delivery runs beside the recorder: the page may show the recovery
    // before its alert's command has written it.
    let alert_count = || {
        std::fs::read_to_string(&alerts)
            .unwrap_or_default()
            .split("\n\n")
            .filter(|m| !m.trim().is_empty())
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while alert_count() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let log = serve.stderr.clone();
    assert_eq!(serve.terminate(), 0);
    // The journal says it too: the change and the recovery, once each, with
    // the reason, never the key.
    let log = log.lock().unwrap().clone();
    let changes: Vec<&str> = log.lines().filter(|l| l.contains("flaky:")).collect();
    assert_eq!(changes.len(), 2, "{log}");
    assert!(
        changes[0].starts_with("balance: flaky: ok -> error: credentials rejected (HTTP 401"),
        "{log}"
    );
    assert_eq!(changes[1], "balance: flaky: error -> ok", "{log}");
    assert!(
        log.lines()
            .next()
            .unwrap_or("")
            .contains(" (1 profile, every "),
        "{log}"
    );
    assert!(!log.contains("k-marker-9d1e"), "{log}");
    let sent = std::fs::read_to_string(&alerts).unwrap_or_default();
    let messages: Vec<&str> = sent
        .split("\n\n")
        .filter(|m| !m.trim().is_empty())
        .collect();
    assert_eq!(messages.len(), 2, "one alert each way: {sent}");
    assert!(
        messages[0].contains("flaky") && messages[0].to_lowercase().contains("failed"),
        "{sent}"
    );
    assert!(messages[1].to_lowercase().contains("recovered"), "{sent}");
    assert!(!sent.contains("k-marker-9d1e"), "no secret in alerts");
}

/// An alert target that accepts and never answers holds up nothing: checks
/// go on being recorded and served, and SIGTERM ends the process at once,
/// long before the alert's budget is spent.
#[test]
fn a_silent_alert_target_stalls_neither_recording_nor_answers_nor_stopping() {
    let sandbox = Sandbox::start(&[]);
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let home = Home::new();
    home.config(&format!(
        "{}\n[[alerts]]\nname = \"pager\"\nwebhook = \"http://{}/hooks/SECRET-PATH\"\n",
        config(&sandbox, "low", "alert_timeout = \"5m\""),
        silent.local_addr().unwrap()
    ));
    let serve = Serve::start(&home);
    let mut times = std::collections::BTreeSet::new();
    let started = Instant::now();
    // Checks a second apart keep coming while the first alert hangs.
    serve.balances_until(None, |rows| {
        if let Some(at) = rows.first().and_then(|r| r["checked_at"].as_str()) {
            times.insert(at.to_owned());
        }
        times.len() >= 3
    });
    assert!(started.elapsed() < Duration::from_secs(10));
    let log = serve.stderr();
    assert!(log.contains("balance: ib: low: min 10"), "{log}");
    assert!(!log.contains("SECRET-PATH"), "{log}");
    let stopping = Instant::now();
    assert_eq!(serve.terminate(), 0);
    assert!(stopping.elapsed() < Duration::from_secs(3));
    drop(silent);
}

/// Issue 18 item 1: SIGHUP onto a config that is a FIFO or a link to
/// /dev/zero keeps the old config: one line says why, `/healthz` and the API
/// still answer, and the scheduler still checks (the row's time moves on).
#[test]
fn sighup_onto_a_fifo_or_a_device_keeps_the_old_config_and_the_scheduler() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    let path = home.config(&config(&sandbox, "healthy", ""));
    let serve = Serve::start(&home);
    let checked = |rows: &[Value]| {
        rows.iter()
            .find(|r| r["profile"] == "ib")
            .and_then(|r| r["checked_at"].as_str().map(str::to_owned))
    };
    let mut last = checked(&serve.balances_until(None, |rows| checked(rows).is_some()));
    for (n, what) in ["a FIFO", "a character device"].into_iter().enumerate() {
        std::fs::remove_file(&path).unwrap();
        if n == 0 {
            let status = std::process::Command::new("mkfifo")
                .arg(&path)
                .status()
                .unwrap();
            assert!(status.success());
        } else {
            std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
        }
        serve.signal("HUP");
        let deadline = Instant::now() + Duration::from_secs(10);
        let needle = format!(
            "config not reloaded, the old one is kept: config file {} is {what}",
            path.display()
        );
        while !serve.stderr().contains(&needle) {
            assert!(Instant::now() < deadline, "{needle}\n{}", serve.stderr());
            std::thread::sleep(Duration::from_millis(50));
        }
        assert_eq!(serve.get("/healthz").0, 200);
        let rows = serve.balances_until(None, |rows| {
            checked(rows).is_some() && checked(rows) != last
        });
        assert_eq!(status_of(&rows, "ib").as_deref(), Some("ok"));
        last = checked(&rows);
    }
    assert_eq!(serve.terminate(), 0);
}

/// `balance serve` shows a profile's subaccounts after it, in the JSON API,
/// the metrics and the page, and no longer shows one the vendor stops listing.
#[test]
fn serve_shows_each_subaccount_and_forgets_one_no_longer_listed() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    let profile = |secret: &str| {
        format!(
            "[settings]\ntimeout = 2\nretries = 0\n\n[profiles.resell]\nprovider = \"vonage\"\nbase_url = \"{}\"\napi_key = \"a1b2c3d4\"\napi_secret = \"{secret}\"\nsubaccounts = true\n",
            sandbox.url("vonage")
        )
    };
    home.config(&profile("fixture:balance"));
    let serve = Serve::start(&home);
    let names = |rows: &[Value]| -> Vec<String> {
        rows.iter()
            .map(|r| r["profile"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let rows = serve.balances_until(None, |rows| rows.len() == 3);
    assert_eq!(
        names(&rows),
        [
            "resell",
            "resell/own balance subaccount",
            "resell/second own balance subacct"
        ]
    );
    let (_, metrics) = serve.get("/metrics");
    assert!(
        metrics.contains("balance_amount{profile=\"resell/own balance subaccount\""),
        "{metrics}"
    );
    let (_, page) = serve.get("/");
    assert!(page.contains("resell/own balance subaccount"), "{page}");

    // The list now holds one subaccount of its own (the other is shared).
    home.config(&profile("fixture:balance-shared"));
    serve.signal("HUP");
    let rows = serve.balances_until(None, |rows| rows.len() == 2);
    assert_eq!(names(&rows), ["resell", "resell/own balance subaccount"]);
    assert_eq!(serve.terminate(), 0);
}

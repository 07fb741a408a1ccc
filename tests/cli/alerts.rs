//! Alerts (SPEC §12): one message per change of a profile's state, however often
//! cron runs; failures are warnings that never change the exit status.

use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{Home, Sandbox, code, stderr, stdout};

const HOOK_MARKER: &str = "T000-HOOK-SECRET-7f3a9c";

/// One infobip profile whose key picks the sandbox scenario, and a webhook.
fn config(home: &Home, sandbox: &Sandbox, scenario: &str, alerts: &str) {
    home.config(&format!(
        "[settings]\ntimeout = 2\nretries = 0\n\n\
         [profiles.sms]\nprovider = \"infobip\"\nbase_url = \"{}\"\napi_key = \"{scenario}\"\nmin_balance = 10\n\n{alerts}",
        sandbox.url("infobip")
    ));
}

/// A webhook receiver answering `status`, expecting `posts` POSTs.
async fn hook_answering(status: u16, posts: u64) -> MockServer {
    let hook = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(status))
        .expect(posts)
        .mount(&hook)
        .await;
    hook
}

fn webhook_alert() -> String {
    "[[alerts]]\nwebhook = { env = \"BALANCE_TEST_HOOK\" }\n".to_owned()
}

async fn check(home: &Home, hook: &str, extra: &[&str]) -> std::process::Output {
    let mut cmd = home.cmd();
    cmd.env("BALANCE_TEST_HOOK", hook)
        .arg("--config")
        .arg(home.path().join("config.toml"))
        .args(["check", "--json"])
        .args(extra);
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn one_post_per_change_over_repeated_runs() {
    let sandbox = Sandbox::start(&[]);
    let hook = hook_answering(200, 3).await;
    let url = format!("{}/services/{HOOK_MARKER}", hook.uri());
    let home = Home::new();
    // ok (first sight: no alert), ok, low (alert), low, error (alert), ok (alert).
    let runs = [
        ("healthy", 0),
        ("healthy", 0),
        ("low", 9),
        ("low", 9),
        ("bad-credentials", 4),
        ("healthy", 0),
    ];
    for (scenario, exit) in runs {
        config(&home, &sandbox, scenario, &webhook_alert());
        let out = check(&home, &url, &["-vv"]).await;
        assert_eq!(code(&out), exit, "{scenario}: {}", stderr(&out));
        let all = stdout(&out) + &stderr(&out);
        assert!(
            !all.contains(HOOK_MARKER),
            "the webhook URL is a secret: {all}"
        );
    }
    let bodies: Vec<serde_json::Value> = hook
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    let states: Vec<(String, String)> = bodies
        .iter()
        .map(|b| {
            (
                b["previous_state"].as_str().unwrap().to_owned(),
                b["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("ok".into(), "low".into()),
            ("low".into(), "error".into()),
            ("error".into(), "ok".into())
        ]
    );
    assert_eq!(bodies[0]["profile"], "sms");
    assert_eq!(bodies[0]["balance"].to_string(), "3.75");
    assert!(
        bodies[0]["text"]
            .as_str()
            .unwrap()
            .contains("is LOW: 3.75 EUR (threshold 10)"),
        "{}",
        bodies[0]
    );
    assert!(
        bodies[2]["text"].as_str().unwrap().contains("recovered"),
        "{}",
        bodies[2]
    );
}

#[tokio::test]
async fn a_failing_webhook_is_one_warning_and_changes_no_exit_status() {
    let sandbox = Sandbox::start(&[]);
    let hook = hook_answering(500, 3).await;
    let home = Home::new();
    config(&home, &sandbox, "healthy", &webhook_alert());
    assert_eq!(code(&check(&home, &hook.uri(), &[]).await), 0);
    config(&home, &sandbox, "low", &webhook_alert());
    let out = check(&home, &hook.uri(), &[]).await;
    assert_eq!(code(&out), 9, "{}", stderr(&out));
    let warnings: Vec<&str> = std::str::from_utf8(&out.stderr)
        .unwrap()
        .lines()
        .filter(|l| l.contains("not sent"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", stderr(&out));
    assert!(warnings[0].contains("HTTP 500"), "{warnings:?}");
}

#[tokio::test]
async fn no_alerts_sends_nothing_and_a_command_gets_the_message() {
    let sandbox = Sandbox::start(&[]);
    let hook = hook_answering(200, 0).await;
    let home = Home::new();
    let mail = home.path().join("mail.txt");
    let alerts = format!(
        "{}[[alerts]]\ncommand = [\"sh\", \"-c\", \"cat >> {}\"]\n",
        webhook_alert(),
        mail.display()
    );
    config(&home, &sandbox, "healthy", &alerts);
    assert_eq!(code(&check(&home, &hook.uri(), &["--no-alerts"]).await), 0);
    config(&home, &sandbox, "low", &alerts);
    assert_eq!(code(&check(&home, &hook.uri(), &["--no-alerts"]).await), 9);
    assert!(!mail.exists());

    // Only the command now: the state change it reports is the first one it sees.
    let alerts = format!(
        "[[alerts]]\ncommand = [\"sh\", \"-c\", \"cat >> {}\"]\n",
        mail.display()
    );
    config(&home, &sandbox, "healthy", &alerts);
    assert_eq!(code(&check(&home, &hook.uri(), &[]).await), 0);
    config(&home, &sandbox, "bad-credentials", &alerts);
    assert_eq!(code(&check(&home, &hook.uri(), &[]).await), 4);
    let text = std::fs::read_to_string(&mail).unwrap();
    assert!(
        text.starts_with("balance: sms (infobip) check FAILED"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 1, "{text}");
}

#[tokio::test]
async fn alerts_test_reaches_every_target() {
    let hook = hook_answering(200, 1).await;
    let home = Home::new();
    home.config(&format!(
        "[[alerts]]\nwebhook = \"{}/hook\"\n[[alerts]]\ncommand = [\"false\"]\n",
        hook.uri()
    ));
    let out = home.run_async(&["alerts", "test"]).await;
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "alert 1 (webhook): sent\n\
         alert 2 (command): not sent: `false` failed (exit status: 1) (after 3 attempts)\n"
    );
}

/// A fresh `[[alerts]]` (no state kept yet) tells the first LOW, from "ok".
#[tokio::test]
async fn a_first_low_is_alerted_from_ok() {
    let sandbox = Sandbox::start(&[]);
    let hook = hook_answering(200, 1).await;
    let home = Home::new();
    config(&home, &sandbox, "low", &webhook_alert());
    assert_eq!(code(&check(&home, &hook.uri(), &[]).await), 9);
    assert_eq!(code(&check(&home, &hook.uri(), &[]).await), 9);
    let bodies = hook.received_requests().await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&bodies[0].body).unwrap();
    assert_eq!(
        (body["previous_state"].as_str(), body["state"].as_str()),
        (Some("ok"), Some("low")),
        "{body}"
    );
}

/// A webhook that accepts and never answers: the output is written first,
/// the alert is given up at the budget, and a signal meanwhile ends the run
/// at once with its own status.
#[test]
fn a_silent_webhook_never_delays_the_output_or_a_signal() {
    use std::io::Read;
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let sandbox = Sandbox::start(&[]);
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", silent.local_addr().unwrap());
    let home = Home::new();
    let alerts = "[[alerts]]\nname = \"slow\"\nwebhook = { env = \"BALANCE_TEST_HOOK\" }\n";

    // Within the budget: exit 9 as ever, one warning naming the alert.
    config(&home, &sandbox, "low", alerts);
    let text = std::fs::read_to_string(home.path().join("config.toml")).unwrap();
    home.config(&text.replace("retries = 0\n", "retries = 0\nalert_timeout = 1\n"));
    let started = Instant::now();
    let mut cmd = home.cmd();
    cmd.env("BALANCE_TEST_HOOK", &url)
        .arg("--config")
        .arg(home.path().join("config.toml"))
        .args(["check", "--json"]);
    let out = cmd.output().unwrap();
    let took = started.elapsed();
    assert_eq!(code(&out), 9, "{}", stderr(&out));
    assert!(took < Duration::from_secs(4), "{took:?}");
    let warnings: Vec<String> = stderr(&out)
        .lines()
        .filter(|l| l.contains("not sent"))
        .map(str::to_owned)
        .collect();
    assert_eq!(
        warnings,
        [
            "balance: warning: alert \"slow\" (webhook) not sent for sms: no answer within the 1s alert budget ([settings] alert_timeout)"
        ],
        "{}",
        stderr(&out)
    );

    // A long budget, and SIGINT once the output is out: 130 at once. (Another
    // name: an alert of its own, which has not told this LOW yet.)
    home.config(
        &text
            .replace("retries = 0\n", "retries = 0\nalert_timeout = \"5m\"\n")
            .replace("\"slow\"", "\"slower\""),
    );
    let mut cmd = home.cmd();
    cmd.env("BALANCE_TEST_HOOK", &url)
        .arg("--config")
        .arg(home.path().join("config.toml"))
        .args(["check", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).trim_end().ends_with(']') {
        let n = stdout.read(&mut buf).unwrap();
        assert!(n > 0, "the output comes before the alerts");
        seen.extend_from_slice(&buf[..n]);
    }
    assert!(String::from_utf8_lossy(&seen).contains("\"status\": \"low\""));
    // The alert is under way now (or about to be): SIGINT.
    std::thread::sleep(Duration::from_millis(200));
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let signalled = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(3),
            "still delivering after SIGINT"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(130));
    drop(silent);
}

//! `balance sandbox` and `balance demo`, through the real binary; the sandbox is
//! also probed by a client that is not `balance`.

use std::process::{Command, Output, Stdio};
use std::time::Duration;

use crate::common::{BIN, FAST, Home, Sandbox, code, json, literal, stderr, stdout};
use balance::providers::REGISTRY;
use balance::sandbox::{self, SCENARIOS, Scenario};
use serde_json::Value;

fn providers() -> Vec<&'static str> {
    REGISTRY.iter().map(|p| p.name).collect()
}

fn demo(home: &Home, args: &[&str]) -> Output {
    home.cmd().arg("demo").args(args).output().unwrap()
}

#[test]
fn demo_checks_every_provider_and_exits_0() {
    let home = Home::new();
    let out = demo(&home, &["--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rows = json(&out);
    for provider in providers() {
        assert!(
            rows.iter()
                .any(|r| r["provider"] == provider && r["status"] == "ok"),
            "{provider} missing from {rows:?}"
        );
    }
    assert!(rows.iter().all(|r| r["status"] == "ok"), "{rows:?}");
    assert!(stderr(&out).contains("simulated"), "{}", stderr(&out));
    // Exact digits, through the same adapters and renderers as `check`.
    let text = stdout(&out);
    assert!(text.contains("\"balance\": 149309.7985931,"), "{text}");
    assert!(text.contains("\"balance\": 14.3456,"), "{text}");

    let value = demo(&home, &["--format", "value"]);
    assert_eq!(code(&value), 2);
    assert_eq!(stderr(&value).lines().count(), 1, "{}", stderr(&value));

    let table = demo(&home, &[]);
    assert_eq!(code(&table), 0);
    assert!(stdout(&table).contains("149309.7985931"));
}

#[test]
fn demo_needs_no_home_and_leaves_no_cache() {
    let home = Home::new();
    let out = Command::new(BIN)
        .arg("demo")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TMPDIR", home.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // A header, then one healthy profile per provider and API generation.
    let profiles = balance::sandbox::config(
        "http://x",
        "",
        &balance::sandbox::healthy_profiles(),
        |_| "\"k\"".into(),
    );
    let generations = profiles.matches("[profiles.").count();
    // The footer's totals (one per currency of two or more rows) aside.
    assert_eq!(
        stdout(&out)
            .lines()
            .filter(|l| !l.starts_with("total "))
            .count(),
        1 + generations,
        "{}",
        stdout(&out)
    );
    // The demo's token cache was a temporary directory, removed at exit.
    assert_eq!(std::fs::read_dir(home.path()).unwrap().count(), 0);
}

#[test]
fn demo_faults_exit_with_their_code() {
    let home = Home::new();
    let out = demo(&home, &["--faults", "--json"]);
    // Bad credentials win over the other failures (SPEC §5 order).
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    let rows = json(&out);
    let row = |name: &str| {
        rows.iter()
            .find(|r| r["profile"] == name)
            .unwrap_or_else(|| panic!("{name} in {rows:?}"))
    };
    let kind = |name: &str| row(name)["error"]["kind"].clone();
    assert_eq!(row("frontier-low")["status"], "low");
    assert_eq!(row("frontier-low")["balance"], -250);
    assert_eq!(kind("infobip-bad-credentials"), "auth");
    assert_eq!(kind("8x8-not-prepaid"), "not_prepaid");
    assert_eq!(row("8x8-rate-limited-once")["status"], "ok");
    assert_eq!(kind("infobip-rate-limited"), "rate_limited");
    assert_eq!(kind("yeastar-server-error"), "provider");
    assert_eq!(kind("engagelab-malformed-body"), "provider");
    assert_eq!(kind("engagelab-slow"), "network");
    let healthy = balance::sandbox::config(
        "http://x",
        "",
        &balance::sandbox::healthy_profiles(),
        |_| "\"k\"".into(),
    );
    assert_eq!(rows.len(), healthy.matches("[profiles.").count() + 8);
}

/// Every provider, every scenario: the exit status the scenario table documents.
#[test]
fn each_scenario_gives_its_exit_code() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    let all: Vec<_> = providers()
        .into_iter()
        .flat_map(|p| SCENARIOS.iter().map(move |s| (s.scenario, p, None)))
        .collect();
    home.config(&sandbox::config(&sandbox.base, FAST, &all, literal));
    // One run per scenario with every provider's profile in it, the runs side
    // by side: `slow` and the retries wait in parallel, not one after another.
    std::thread::scope(|scope| {
        for info in SCENARIOS {
            let home = &home;
            scope.spawn(move || check_scenario(home, info.scenario));
        }
    });
}

/// Every provider's profile of `scenario` in one `check --json`: each row as the
/// scenario table says, and the run's status by SPEC §5's precedence.
fn check_scenario(home: &Home, scenario: Scenario) {
    use balance::error::Exit;
    let info = scenario.info();
    let expected = |provider: &str| match scenario {
        // A vendor without a "not prepaid" answer rejects the key instead.
        Scenario::NotPrepaid if !has_not_prepaid(provider) => 4,
        _ => i32::from(info.exit),
    };
    let name = |provider: &str| match scenario {
        Scenario::Healthy => provider.to_string(),
        s => format!("{provider}-{}", s.key()),
    };
    let names: Vec<String> = providers().into_iter().map(name).collect();
    let mut args = vec!["check", "--json"];
    args.extend(names.iter().map(String::as_str));
    let out = home.run(&args);
    let rows = json(&out);
    assert_eq!(rows.len(), names.len(), "{}", stderr(&out));
    for (provider, row) in providers().into_iter().zip(&rows) {
        let (status, kind) = match expected(provider) {
            0 => ("ok", None),
            9 => ("low", None),
            4 => ("error", Some("auth")),
            5 => ("error", Some("rate_limited")),
            6 => ("error", Some("not_prepaid")),
            7 => ("error", Some("network")),
            _ => ("error", Some("provider")),
        };
        // DeepSeek's answer holds one balance per currency: `name/CNY`.
        let profile = row["profile"].as_str().unwrap_or_default();
        assert!(
            profile == name(provider) || profile.starts_with(&format!("{}/", name(provider))),
            "{profile} for {}",
            name(provider)
        );
        assert_eq!(row["status"], status, "{}: {row}", name(provider));
        if let Some(kind) = kind {
            assert_eq!(row["error"]["kind"], kind, "{}: {row}", name(provider));
        }
    }
    let exit = |code: i32| match code {
        0 => Exit::Ok,
        4 => Exit::Auth,
        5 => Exit::RateLimited,
        6 => Exit::NotPrepaid,
        7 => Exit::Network,
        8 => Exit::Provider,
        _ => Exit::Low,
    };
    let want = Exit::combine(providers().into_iter().map(|p| exit(expected(p))));
    assert_eq!(
        code(&out),
        i32::from(want.code()),
        "{:?}: {}",
        scenario,
        stderr(&out)
    );
}

/// Whether `provider` documents a "not prepaid" answer: a `not-prepaid` fixture,
/// which its emulator serves for that scenario.
fn has_not_prepaid(provider: &str) -> bool {
    let spec = balance::providers::find(provider).unwrap();
    spec.fixtures()
        .iter()
        .any(|f| f.kind_word() == "not-prepaid")
}

#[test]
fn the_printed_snippet_works_as_pasted() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    let path = home.path().join("sandbox.toml");
    std::fs::write(&path, &sandbox.snippet).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // As a shell creates it: readable by others, which literal secrets forbid.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let out = home
        .cmd()
        .arg("--config")
        .arg(&path)
        .args(["check", "--json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}\n{}", sandbox.snippet, stderr(&out));
    let rows = json(&out);
    assert_eq!(
        rows.len(),
        REGISTRY.len() + 1,
        "frontier twice: rest and connect"
    );
    for s in SCENARIOS {
        assert!(sandbox.snippet.contains(s.key), "{}", s.key);
    }
}

#[test]
fn ctrl_c_stops_the_sandbox_cleanly() {
    let sandbox = Sandbox::start(&[]);
    let addr = sandbox.base.trim_start_matches("http://").to_owned();
    assert!(std::net::TcpStream::connect(&addr).is_ok());
    let (status, err) = sandbox.interrupt();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(err.contains("listening on http://127.0.0.1:"), "{err}");
    assert!(err.contains("sandbox stopped"), "{err}");
    assert!(std::net::TcpStream::connect(&addr).is_err());
}

#[test]
fn a_port_in_use_is_a_one_line_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = Command::new(BIN)
        .args(["sandbox", "--port", &port])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{err}"
    );
}

#[test]
fn help_shows_the_scenario_table() {
    let out = Command::new(BIN)
        .args(["sandbox", "--help"])
        .output()
        .unwrap();
    let help = stdout(&out);
    let readme = include_str!("../../docs/sandbox.md");
    for s in SCENARIOS {
        let line = format!("{:<18} exit {}", s.key, s.exit);
        assert!(help.contains(&line), "help lacks `{line}`:\n{help}");
        let row = format!("| `{}` | {} |", s.key, s.exit);
        assert!(readme.contains(&row), "docs/sandbox.md lacks `{row}`");
    }
}

/// What a client that is not `balance` sees.
async fn probe(
    method: reqwest::Method,
    url: String,
    auth: Option<&str>,
    body: Option<(&str, &str)>,
) -> (u16, Value) {
    let client = reqwest::Client::builder()
        .user_agent("probe/1")
        .build()
        .unwrap();
    let mut request = client.request(method, url);
    if let Some(auth) = auth {
        request = request.header("Authorization", auth);
    }
    if let Some((content_type, body)) = body {
        request = request
            .header("Content-Type", content_type)
            .body(body.to_owned());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (status, value)
}

/// Yeastar's token endpoint, as a client that is not `balance` calls it.
async fn yeastar_token(base: &str, client_secret: &str) -> (u16, Value) {
    let form = format!("client_id=probe&client_secret={client_secret}&grant_type=pp_credentials");
    probe(
        reqwest::Method::POST,
        format!("{base}/yeastar/auth/openapi/v1/oauth/token"),
        None,
        Some(("application/x-www-form-urlencoded", &form)),
    )
    .await
}

fn basic(user: &str, password: &str) -> String {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {encoded}")
}

#[tokio::test]
async fn wrong_auth_schemes_are_rejected_as_each_vendor_does() {
    use reqwest::Method;
    let sandbox = Sandbox::start(&[]);
    let base = &sandbox.base;
    let x8 = format!("{base}/8x8/api/v1/accounts/0b5c7e4a-1f3d-4c8e-9a6b-2d7f1e3c5a90/balance");
    let infobip = format!("{base}/infobip/account/1/balance");
    let rest = format!(
        "{base}/frontier/v1beta1/organizations/a1d4c7e2-3b6f-4a9d-8c2e-7f1b5d9e3a60/billing/5f0c2b9e-8a4d-4e1b-b7c3-9d2e6f1a4c80/balance"
    );
    let connect =
        format!("{base}/frontier/raystack.frontier.v1beta1.FrontierService/GetBillingBalance");
    let connect_body = Some((
        "application/json",
        r#"{"id":"5f0c2b9e-8a4d-4e1b-b7c3-9d2e6f1a4c80"}"#,
    ));
    let engagelab = format!("{base}/engagelab/v1/balance");
    let healthy_basic = basic("sandbox", "healthy");

    // The right scheme works, so each rejection below is about the scheme.
    for (url, auth) in [
        (&x8, "Bearer healthy"),
        (&infobip, "App healthy"),
        (&infobip, healthy_basic.as_str()),
        (&rest, healthy_basic.as_str()),
        (&engagelab, healthy_basic.as_str()),
    ] {
        let (status, _) = probe(Method::GET, url.clone(), Some(auth), None).await;
        assert_eq!(status, 200, "{url} {auth}");
    }
    let (status, body) = probe(
        Method::POST,
        connect.clone(),
        Some(&healthy_basic),
        connect_body,
    )
    .await;
    assert_eq!(
        (status, &body["balance"]["amount"]),
        (200, &Value::from("12500"))
    );

    for auth in [
        "App healthy",
        "Basic aGVhbHRoeQ==",
        "bearer-healthy",
        "Bearer sk_live_1",
    ] {
        let (status, body) = probe(Method::GET, x8.clone(), Some(auth), None).await;
        assert_eq!((status, &body["code"]), (401, &Value::from(1200)), "{auth}");
    }
    for auth in ["Bearer healthy", "Api healthy", "App sk_live_1"] {
        let (status, body) = probe(Method::GET, infobip.clone(), Some(auth), None).await;
        assert_eq!(status, 401, "{auth}");
        assert_eq!(
            body["requestError"]["serviceException"]["messageId"],
            "UNAUTHORIZED"
        );
    }
    let (status, body) = probe(Method::GET, rest.clone(), Some("Bearer healthy"), None).await;
    assert_eq!((status, &body["code"]), (401, &Value::from(16)));
    let (status, body) = probe(
        Method::POST,
        connect.clone(),
        Some("Bearer healthy"),
        connect_body,
    )
    .await;
    assert_eq!(
        (status, &body["code"]),
        (401, &Value::from("unauthenticated"))
    );
    let (status, body) = probe(Method::GET, engagelab.clone(), Some("Bearer healthy"), None).await;
    assert_eq!((status, &body["code"]), (401, &Value::from(2001)));
    let (status, _) = probe(Method::GET, engagelab, None, None).await;
    assert_eq!(status, 401);

    // Yeastar: a token from the token endpoint, then `tokenHead token`.
    let (status, body) = yeastar_token(base, "healthy").await;
    assert_eq!((status, &body["code"]), (200, &Value::from("success")));
    let token = body["result"]["token"].as_str().unwrap().to_owned();
    assert_eq!(body["result"]["tokenHead"], "Bearer");
    assert_eq!(body["result"]["expiresIn"], "1800");
    let balance = format!("{base}/yeastar/user/openapi/user/v1/client/account_balance");
    let (status, body) = probe(
        Method::GET,
        balance.clone(),
        Some(&format!("Bearer {token}")),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["accountBalance"], Value::from(675.24));
    for auth in [
        format!("Basic {token}"),
        format!("Bearer {token}x"),
        token.clone(),
    ] {
        let (status, body) = probe(Method::GET, balance.clone(), Some(&auth), None).await;
        assert_eq!(
            (status, &body["status"]),
            (401, &Value::from(401)),
            "{auth}"
        );
    }
    let (status, body) = yeastar_token(base, "nope").await;
    assert_eq!((status, &body["status"]), (401, &Value::from(401)));

    let (status, _) = probe(Method::GET, format!("{base}/no/such/path"), None, None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn yeastar_tokens_expire_and_refresh() {
    use reqwest::Method;
    let sandbox = Sandbox::start(&["--token-ttl", "1"]);
    let base = sandbox.base.clone();
    let (_, body) = yeastar_token(&base, "healthy").await;
    assert_eq!(body["result"]["expiresIn"], "1");
    let token = body["result"]["token"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, _) = probe(
        Method::GET,
        format!("{base}/yeastar/user/openapi/user/v1/client/account_balance"),
        Some(&format!("Bearer {token}")),
        None,
    )
    .await;
    assert_eq!(status, 401, "an expired token is refused");

    // `balance` sees a token about to expire and refreshes it on the next run.
    let home = Home::new();
    home.config(&sandbox::config(
        &base,
        "",
        &[(Scenario::Healthy, "yeastar", None)],
        literal,
    ));
    let first = home.run_async(&["-v", "check"]).await;
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    let second = home.run_async(&["-v", "check"]).await;
    assert_eq!(code(&second), 0, "{}", stderr(&second));
    let err = stderr(&second);
    assert!(err.contains("oauth/token -> 200"), "{err}");
    assert!(!err.contains("using cached"), "{err}");
}

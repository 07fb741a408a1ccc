//! The command line through the real binary: exit codes, config errors, output
//! order, formats, files and pipes.

use std::io::Read;
use std::process::Stdio;

use crate::common::{Home, code, fixture, json, stderr, stdout};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn infobip(name: &str, url: &str, extra: &str) -> String {
    format!(
        "[profiles.{name}]\nprovider = \"infobip\"\nbase_url = \"{url}/{name}\"\napi_key = \"k-{name}\"\n{extra}\n"
    )
}

/// Serves Infobip's balance body under `/{name}/account/1/balance`.
async fn balance_at(server: &MockServer, name: &str, balance: &str) {
    Mock::given(method("GET"))
        .and(path(format!("/{name}/account/1/balance")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            format!(r#"{{"balance": {balance}, "currency": "EUR"}}"#),
            "application/json",
        ))
        .expect(1..)
        .mount(server)
        .await;
}

async fn status_at(server: &MockServer, name: &str, status: u16, body: &str) {
    Mock::given(method("GET"))
        .and(path(format!("/{name}/account/1/balance")))
        .respond_with(
            ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json"),
        )
        .expect(1..)
        .mount(server)
        .await;
}

#[tokio::test]
async fn exit_0_when_all_ok_and_table_by_default() {
    let server = MockServer::start().await;
    balance_at(&server, "a", "47.79134").await;
    let home = Home::new();
    home.config(&infobip("a", &server.uri(), "min_balance = 20"));
    let out = home.run_async(&["check"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    let rows: Vec<Vec<&str>> = text
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        rows,
        [
            ["PROFILE", "PROVIDER", "BALANCE", "CURRENCY", "STATUS"],
            ["a", "infobip", "47.79134", "EUR", "ok"]
        ]
    );
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0].find("BALANCE").unwrap() + 7,
        lines[1].find("47.79134").unwrap() + 8,
        "balance right-aligned"
    );
    assert!(!text.contains('\x1b'), "no colour in a pipe");
    assert!(stderr(&out).is_empty());
}

#[tokio::test]
async fn exit_9_below_threshold_and_min_overrides() {
    let server = MockServer::start().await;
    balance_at(&server, "a", "15.5").await;
    let home = Home::new();
    home.config(&infobip("a", &server.uri(), "min_balance = 20"));
    let out = home.run_async(&["check"]).await;
    assert_eq!(code(&out), 9);
    assert!(stdout(&out).contains("LOW (min 20)"), "{}", stdout(&out));

    let out = home.run_async(&["check", "--json", "--min", "10"]).await;
    assert_eq!(code(&out), 0);
    let row = &json(&out)[0];
    assert_eq!(
        (row["status"].as_str(), row["min_balance"].as_i64()),
        (Some("ok"), Some(10))
    );

    let out = home
        .run_async(&["check", "--value", "--min", "100.25"])
        .await;
    assert_eq!(code(&out), 9);
    assert_eq!(stdout(&out), "15.5\n", "a low balance is still printed");
}

#[tokio::test]
async fn exit_7_on_network_failure() {
    let home = Home::new();
    // Port 9 (discard) on loopback: nothing listens, connect is refused at once.
    home.config(&format!(
        "[settings]\nretries = 1\n{}",
        infobip("a", "http://127.0.0.1:9", "")
    ));
    let out = home.run_async(&["check", "--json"]).await;
    assert_eq!(code(&out), 7);
    let row = &json(&out)[0];
    assert_eq!(row["error"]["kind"], "network");
    assert!(stderr(&out).contains("cannot connect"), "{}", stderr(&out));
}

#[tokio::test]
async fn exit_1_when_output_cannot_be_written() {
    // Refused before any request: the server needs no mock.
    let server = MockServer::start().await;
    let home = Home::new();
    home.config(&infobip("a", &server.uri(), ""));
    let target = home.path().join("no-such-dir/out.json");
    let out = home
        .run_async(&["check", "--json", "-o", target.to_str().unwrap()])
        .await;
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("cannot write"), "{}", stderr(&out));
    assert_eq!(stderr(&out).lines().count(), 1);
}

#[test]
fn exit_2_on_usage_errors() {
    let home = Home::new();
    for args in [
        &["check", "--bogus"][..],
        &["check", "--format", "xml"],
        &["check", "--json", "--value"],
        &["check", "--timeout", "-1"],
        &["check", "--min", "lots"],
        &["nope"],
    ] {
        let out = home.run(args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).is_empty());
    }
}

#[tokio::test]
async fn exit_2_when_value_has_several_profiles() {
    let home = Home::new();
    home.config(&format!(
        "{}{}",
        infobip("a", "http://127.0.0.1:9", ""),
        infobip("b", "http://127.0.0.1:9", "")
    ));
    let out = home.run_async(&["check", "--value"]).await;
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("exactly one profile"));
}

#[test]
fn exit_3_on_config_errors() {
    let home = Home::new();
    let cases = [
        (
            "[profiles.a\nprovider = 1",
            "invalid TOML at line 1, column ",
        ),
        ("[settings]\nconcurrency = \"x\"", "`concurrency`"),
        ("[profiles.\"a b\"]\nprovider = \"infobip\"", "profile name"),
        ("", "no profiles configured"),
    ];
    for (text, needle) in cases {
        home.config(text);
        let out = home.run(&["check"]);
        assert_eq!(code(&out), 3, "{text}");
        let err = stderr(&out);
        assert!(err.contains(needle), "{text}: {err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(stdout(&out).is_empty());
    }
    let out = home
        .cmd()
        .args(["--config", "/nonexistent/balance.toml", "check"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 3);
    assert!(stderr(&out).contains("/nonexistent/balance.toml"));
}

#[tokio::test]
async fn exit_3_for_unknown_profile_before_any_request() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let home = Home::new();
    home.config(&infobip("a", &server.uri(), ""));
    let out = home.run_async(&["check", "a", "zzz"]).await;
    assert_eq!(code(&out), 3);
    assert!(
        stderr(&out).contains("unknown profile `zzz`"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn profile_errors_fail_that_profile_only() {
    let server = MockServer::start().await;
    balance_at(&server, "good", "5").await;
    let home = Home::new();
    let config = format!(
        "{}[profiles.typo]\nprovider = \"infobip\"\napi_kye = \"x\"\n\n\
         [profiles.envless]\nprovider = \"infobip\"\napi_key = {{ env = \"BALANCE_TEST_UNSET_VAR\" }}\n\n\
         [profiles.plain]\nprovider = \"frontier\"\nbase_url = \"http://sms.example.com\"\nbilling_id = \"b\"\norg_id = \"o\"\nclient_id = \"c\"\nclient_secret = \"s\"\n\n\
         [profiles.nested]\nprovider = \"8x8\"\naccount_id = \"0123456789abcdef0123456789abcdef\"\napi_key = {{ envv = \"X\" }}\n",
        infobip("good", &server.uri(), "")
    );
    home.config(&config);
    let out = home.run_async(&["check", "--json"]).await;
    assert_eq!(code(&out), 3);
    let rows = json(&out);
    assert_eq!(rows[0]["status"], "ok");
    let messages: Vec<&str> = rows[1..]
        .iter()
        .map(|r| r["error"]["message"].as_str().unwrap())
        .collect();
    assert!(rows[1..].iter().all(|r| r["error"]["kind"] == "config"));
    assert!(
        messages[0].contains("unknown key `api_kye`") && messages[0].contains("api_key"),
        "{messages:?}"
    );
    assert!(
        messages[1].contains("BALANCE_TEST_UNSET_VAR is not set"),
        "{messages:?}"
    );
    assert!(messages[2].contains("loopback"), "{messages:?}");
    assert!(
        messages[3].contains("unknown secret form `envv`"),
        "{messages:?}"
    );
}

#[tokio::test]
async fn literal_secret_in_a_shared_file_needs_chmod() {
    let home = Home::new();
    let path = home.config(&infobip("a", "http://127.0.0.1:9", ""));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let out = home.run_async(&["check", "--json"]).await;
    assert_eq!(code(&out), 3);
    assert!(
        stderr(&out).contains(&format!("chmod 600 {}", path.display())),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn precedence_over_several_profiles() {
    let server = MockServer::start().await;
    balance_at(&server, "low", "1").await;
    balance_at(&server, "ok", "100").await;
    status_at(&server, "auth", 401, &fixture("infobip", "auth-legacy")).await;
    status_at(&server, "limited", 429, &fixture("infobip", "rate-limited")).await;
    status_at(
        &server,
        "broken",
        500,
        &fixture("infobip", "provider-general"),
    )
    .await;
    let url = server.uri();
    let home = Home::new();
    let mut config = String::from("[settings]\nretries = 0\n");
    for (name, extra) in [
        ("low", "min_balance = 5"),
        ("ok", ""),
        ("auth", ""),
        ("limited", ""),
        ("broken", ""),
    ] {
        config.push_str(&infobip(name, &url, extra));
    }
    config.push_str(&infobip("down", "http://127.0.0.1:9", ""));
    home.config(&config);
    for (profiles, exit) in [
        (&["ok"][..], 0),
        (&["ok", "low"], 9),
        (&["low", "limited"], 5),
        (&["limited", "down"], 7),
        (&["down", "broken"], 8),
        (&["broken", "auth", "low"], 4),
    ] {
        let mut args = vec!["check", "--json"];
        args.extend(profiles);
        let out = home.run_async(&args).await;
        assert_eq!(code(&out), exit, "{profiles:?}");
        assert_eq!(json(&out).len(), profiles.len(), "every result is printed");
    }
}

#[tokio::test]
async fn order_is_as_named_each_once_else_file_order() {
    let server = MockServer::start().await;
    // The first-named profile answers last: output order must not follow timing.
    Mock::given(method("GET"))
        .and(path("/slow/account/1/balance"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(r#"{"balance": 1, "currency": "EUR"}"#, "application/json")
                .set_delay(std::time::Duration::from_millis(400)),
        )
        .expect(1..)
        .mount(&server)
        .await;
    balance_at(&server, "fast", "2").await;
    balance_at(&server, "mid", "3").await;
    let home = Home::new();
    let url = server.uri();
    home.config(&format!(
        "{}{}{}",
        infobip("mid", &url, ""),
        infobip("fast", &url, ""),
        infobip("slow", &url, "")
    ));
    let names = |out: &std::process::Output| -> Vec<String> {
        json(out)
            .iter()
            .map(|r| r["profile"].as_str().unwrap().to_owned())
            .collect()
    };
    let out = home
        .run_async(&["check", "--json", "slow", "fast", "slow"])
        .await;
    assert_eq!(names(&out), ["slow", "fast"]);
    let out = home.run_async(&["check", "--json"]).await;
    assert_eq!(names(&out), ["mid", "fast", "slow"]);
}

#[tokio::test]
async fn value_prints_nothing_on_failure() {
    let server = MockServer::start().await;
    status_at(&server, "a", 401, &fixture("infobip", "auth-new-format")).await;
    let home = Home::new();
    home.config(&infobip("a", &server.uri(), ""));
    let out = home.run_async(&["check", "a", "--value"]).await;
    assert_eq!(code(&out), 4);
    assert!(stdout(&out).is_empty());
    assert!(
        stderr(&out).contains("a: credentials rejected"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn output_file_is_written_whole_and_nothing_left_behind() {
    let server = MockServer::start().await;
    balance_at(&server, "a", "149309.7985931").await;
    let home = Home::new();
    home.config(&infobip("a", &server.uri(), ""));
    let dir = home.path().join("out");
    std::fs::create_dir(&dir).unwrap();
    let target = dir.join("balance.json");
    std::fs::write(&target, "old").unwrap();
    let out = home
        .run_async(&["check", "--json", "-o", target.to_str().unwrap()])
        .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).is_empty(), "the output went to the file");
    let written = std::fs::read_to_string(&target).unwrap();
    assert!(written.contains("\"balance\": 149309.7985931"), "{written}");
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, [std::ffi::OsString::from("balance.json")]);
}

#[tokio::test]
async fn closed_stdout_is_not_an_error() {
    let server = MockServer::start().await;
    balance_at(&server, "a", "1").await;
    let home = Home::new();
    home.config(&infobip("a", &server.uri(), ""));
    let mut cmd = home.cmd();
    cmd.arg("--config")
        .arg(home.path().join("config.toml"))
        .args(["check", "--json"]);
    let (status, err) = tokio::task::spawn_blocking(move || {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the read end before the binary has anything to write.
        drop(child.stdout.take());
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        (child.wait().unwrap(), err)
    })
    .await
    .unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(err.is_empty(), "{err}");
}

#[tokio::test]
async fn config_found_through_env_and_xdg() {
    let server = MockServer::start().await;
    balance_at(&server, "a", "7").await;
    let home = Home::new();
    let text = infobip("a", &server.uri(), "");
    let elsewhere = home.path().join("elsewhere.toml");
    crate::common::write_private(&elsewhere, &text);
    let mut cmd = home.cmd();
    cmd.env("BALANCE_CONFIG", &elsewhere)
        .args(["check", "--value"]);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    assert_eq!(
        (code(&out), stdout(&out).as_str()),
        (0, "7\n"),
        "{}",
        stderr(&out)
    );

    let xdg = home.path().join("xdg-config/balance");
    std::fs::create_dir_all(&xdg).unwrap();
    crate::common::write_private(&xdg.join("config.toml"), &text);
    let mut cmd = home.cmd();
    cmd.args(["check", "--value"]);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    assert_eq!(
        (code(&out), stdout(&out).as_str()),
        (0, "7\n"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn profiles_lists_without_secrets() {
    let home = Home::new();
    home.config(
        "[profiles.sg]\nprovider = \"8x8\"\naccount_id = \"0123456789abcdef0123456789abcdef\"\n\
         api_key = \"LITERAL-SECRET-MARKER\"\nregion = \"eu\"\nmin_balance = 20\n\n\
         [profiles.ib]\nprovider = \"infobip\"\napi_key = { env = \"IB_KEY\" }\n",
    );
    let out = home.run(&["profiles"]);
    // IB_KEY is not set: `profiles` says so, as `check` would, and exits 3.
    assert_eq!(code(&out), 3);
    let text = stdout(&out);
    assert!(
        text.contains("https://sms.8x8.uk/")
            && text.contains("env IB_KEY")
            && text.contains("environment variable IB_KEY is not set"),
        "{text}"
    );
    assert!(!text.contains("LITERAL-SECRET-MARKER"));
    let out = home.run(&["profiles", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["min_balance"], 20);
    assert!(!stdout(&out).contains("LITERAL-SECRET-MARKER"));
}

#[test]
fn providers_lists_every_provider_and_key() {
    let home = Home::new();
    let out = home.cmd().args(["providers", "--json"]).output().unwrap();
    assert_eq!(code(&out), 0);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    let registry: Vec<&str> = balance::providers::REGISTRY
        .iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, registry);
    // Every key of every provider, in both forms, from the one description.
    let text = stdout(&home.cmd().arg("providers").output().unwrap());
    for (p, row) in balance::providers::REGISTRY
        .iter()
        .zip(list.as_array().unwrap())
    {
        let keys: Vec<&str> = row["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["name"].as_str().unwrap())
            .collect();
        for k in p.keys {
            assert!(
                keys.contains(&k.name),
                "{}: {} missing from --json",
                p.name,
                k.name
            );
            assert!(
                text.contains(&format!("  {} ", k.name)),
                "{}: {} missing from: {text}",
                p.name,
                k.name
            );
        }
    }
}

#[test]
fn completions_for_each_shell() {
    let home = Home::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = home.cmd().args(["completions", shell]).output().unwrap();
        assert_eq!(code(&out), 0, "{shell}");
        assert!(stdout(&out).contains("balance"), "{shell}");
    }
}

#[tokio::test]
async fn colour_only_when_asked_or_on_a_terminal() {
    let server = MockServer::start().await;
    balance_at(&server, "a", "1").await;
    let home = Home::new();
    home.config(&infobip("a", &server.uri(), ""));
    let out = home.run_async(&["--color", "always", "check"]).await;
    assert!(stdout(&out).contains('\x1b'));
    let out = home.run_async(&["--color", "auto", "check"]).await;
    assert!(!stdout(&out).contains('\x1b'));
}

/// Provider-specific keys are validated locally, as config errors naming the key.
#[test]
fn provider_key_errors() {
    let home = Home::new();
    let id = "account_id = \"0123456789abcdef0123456789abcdef\"\napi_key = \"k\"";
    let cases = [
        (
            "provider = \"8x8\"\naccount_id = \"acct-1\"\napi_key = \"k\"",
            "`account_id` `acct-1` is not an 8x8 account id",
        ),
        (
            &format!("provider = \"8x8\"\n{id}\nregion = \"mars\""),
            "`region` is `mars`; it must be one of: ap, us, eu, id",
        ),
        (
            &format!(
                "provider = \"8x8\"\n{id}\nregion = \"eu\"\nbase_url = \"https://sms.8x8.uk\""
            ),
            "not both",
        ),
        (
            "provider = \"8x8\"\napi_key = \"k\"",
            "`account_id` is required",
        ),
        (
            "provider = \"infobip\"\napi_key = \"k\"\nusername = \"u\"\npassword = \"p\"",
            "not both",
        ),
        (
            "provider = \"infobip\"\nusername = \"u\"",
            "`password` is required with `username`",
        ),
        (
            "provider = \"infobip\"",
            "set `api_key`, or `username` + `password`",
        ),
        (
            "provider = \"yeastar\"\nclient_id = \"c\"",
            "`client_secret` is required",
        ),
        (
            "provider = \"frontier\"\norg_id = \"o\"\nbilling_id = \"b\"\nclient_id = \"c\"\nclient_secret = \"s\"",
            "`base_url` is required",
        ),
        (
            "provider = \"frontier\"\nbase_url = \"https://f.example\"\nbilling_id = \"b\"\nclient_id = \"c\"\nclient_secret = \"s\"",
            "`org_id` is required with api = \"rest\"",
        ),
        (
            "provider = \"frontier\"\napi = \"grpc\"\nbase_url = \"https://f.example\"\nbilling_id = \"b\"\nclient_id = \"c\"\nclient_secret = \"s\"",
            "`api` is `grpc`; it must be one of: rest, connect",
        ),
        (
            "provider = \"engagelab\"\ndev_key = \"d\"\ndev_secret = \"s\"\nbillng_id = \"x\"",
            "unknown key `billng_id` in profile `p`",
        ),
        (
            "provider = \"engagelab\"\ndev_key = \"d\"\ndev_secret = \"s\"\nmin_balance = \"ten\"",
            "`min_balance`",
        ),
        (
            "provider = \"engagelab\"\ndev_key = \"d\"\ndev_secret = \"s\"\ntimeout = 0",
            "`timeout`",
        ),
        (
            "provider = \"engagelab\"\ndev_key = 5\ndev_secret = \"s\"",
            "`dev_key` must be a non-empty string",
        ),
    ];
    for (profile, needle) in cases {
        home.config(&format!("[profiles.p]\n{profile}\n"));
        let out = home.run(&["profiles", "--json"]);
        assert_eq!(code(&out), 3, "a broken profile: {profile}");
        let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let error = rows[0]["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{profile}: no error"));
        assert!(
            error.contains(needle),
            "{profile}:\n  {error}\n  should contain {needle}"
        );
        let out = home.run(&["check", "--json"]);
        assert_eq!(code(&out), 3, "{profile}");
        assert_eq!(json(&out)[0]["error"]["kind"], "config");
    }
}

/// Mistakes a newcomer makes get a message that says what to write instead.
#[test]
fn mistakes_say_what_to_write() {
    let home = Home::new();
    for (profile, needle) in [
        (
            "provider = \"infobip\"\napi_key = { command = \"pass show sms/infobip\" }",
            "`command` must be a list (it runs without a shell): command = [\"pass\", \"show\", \"sms/infobip\"]",
        ),
        (
            "provider = \"infobip\"\napi_key = \"${INFOBIP_KEY}\"",
            "to read the environment write { env = \"INFOBIP_KEY\" }",
        ),
        (
            "provider = \"infobip\"\napi_key = \"$INFOBIP_KEY\"",
            "{ env = \"INFOBIP_KEY\" }",
        ),
        (
            "provider = \"infobip\"\nbase_url = \"xxxxx.api.infobip.com\"\napi_key = \"k\"",
            "did you mean `https://xxxxx.api.infobip.com`?",
        ),
        (
            "provider = \"infobop\"\napi_key = \"k\"",
            "did you mean `infobip`?",
        ),
    ] {
        crate::common::assert_config_error(&home, &format!("[profiles.p]\n{profile}\n"), needle);
    }
    // Any case of a provider's name is that provider.
    home.config("[profiles.p]\nprovider = \"InfoBip\"\napi_key = \"k\"\n");
    let out = home.run(&["profiles", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["provider"], "infobip");
    assert!(rows[0]["error"].is_null(), "{rows}");
}

/// `sandbox --help`'s scenario table keeps its columns: no line is wider than
/// 80, and an answer that wraps continues under its own column, not at column 0.
#[test]
fn sandbox_help_scenarios_stay_in_their_columns() {
    let out = Home::new()
        .cmd()
        .args(["sandbox", "--help"])
        .env_remove("COLUMNS")
        .output()
        .unwrap();
    let help = stdout(&out);
    let table = help
        .split("picks one.\n")
        .nth(1)
        .and_then(|t| t.split("\n\n").next())
        .expect("the scenario table");
    for line in table.lines() {
        assert!(line.chars().count() <= 80, "{line:?}\n{help}");
        assert!(
            line.starts_with("  "),
            "a line at column 0: {line:?}\n{help}"
        );
    }
    assert!(
        table.lines().any(|l| l.starts_with(&" ".repeat(29))),
        "{table}"
    );
}

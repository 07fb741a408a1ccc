//! Secrets never reach stdout or stderr, at any verbosity, on success or failure,
//! even when a vendor echoes them back. And the four ways of writing one work.

mod common;

use common::{Home, code, json, stderr, stdout};
use wiremock::matchers::{basic_auth, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const MARKERS: &[&str] = &[
    "MARKER-8X8-KEY-5f1c",
    "MARKER-INFOBIP-KEY-9a2e",
    "MARKER-YEASTAR-SECRET-77b0",
    "MARKER-FRONTIER-SECRET-c3d4",
    "MARKER-ENGAGELAB-SECRET-e5f6",
    "MARKER-YEASTAR-TOKEN-0a0a",
    "MARKER-YEASTAR-REFRESH-0b0b",
    "MARKER-INFOBIP-PASSWORD-1c1c",
];

fn assert_clean(out: &std::process::Output, what: &str) {
    let (o, e) = (stdout(out), stderr(out));
    for marker in MARKERS {
        assert!(!o.contains(marker), "{what}: {marker} on stdout:\n{o}");
        assert!(!e.contains(marker), "{what}: {marker} on stderr:\n{e}");
    }
}

/// One profile per provider, each secret written a different way.
fn config(home: &Home, url: &str) -> String {
    let secret_file = home.path().join("frontier.secret");
    std::fs::write(&secret_file, "MARKER-FRONTIER-SECRET-c3d4\n").unwrap();
    format!(
        r#"[settings]
retries = 1
timeout = 2

[profiles.sg]
provider = "8x8"
base_url = "{url}"
account_id = "0123456789abcdef0123456789abcdef"
api_key = "MARKER-8X8-KEY-5f1c"

[profiles.ib]
provider = "infobip"
base_url = "{url}"
api_key = {{ env = "BALANCE_TEST_INFOBIP_KEY" }}

[profiles.ibb]
provider = "infobip"
base_url = "{url}"
username = "someone"
password = {{ command = ["printf", "MARKER-INFOBIP-PASSWORD-1c1c\n"] }}

[profiles.ys]
provider = "yeastar"
base_url = "{url}"
client_id = "ys-client"
client_secret = {{ command = ["printf", "MARKER-YEASTAR-SECRET-77b0\n"] }}

[profiles.fr]
provider = "frontier"
base_url = "{url}"
api = "connect"
billing_id = "b-1"
client_id = "svc"
client_secret = {{ file = "frontier.secret" }}

[profiles.el]
provider = "engagelab"
base_url = "{url}"
dev_key = "dev"
dev_secret = "MARKER-ENGAGELAB-SECRET-e5f6"
"#
    )
}

fn body(status: u16, text: String) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(text, "application/json")
}

/// Every endpoint answers with the credential it was given, echoed back.
async fn echoing_vendor() -> MockServer {
    let server = MockServer::start().await;
    let echo = |m: &str| {
        format!(
            r#"{{"code": 2001, "message": "bad key {m}", "errorCode": "{m}", "description": "{m}"}}"#
        )
    };
    Mock::given(path(
        "/api/v1/accounts/0123456789abcdef0123456789abcdef/balance",
    ))
    .respond_with(body(401, echo("MARKER-8X8-KEY-5f1c")))
    .mount(&server)
    .await;
    Mock::given(path("/account/1/balance"))
        .and(header("authorization", "App MARKER-INFOBIP-KEY-9a2e"))
        .respond_with(body(401, echo("MARKER-INFOBIP-KEY-9a2e")))
        .mount(&server)
        .await;
    Mock::given(path("/account/1/balance"))
        .and(basic_auth("someone", "MARKER-INFOBIP-PASSWORD-1c1c"))
        .respond_with(body(403, echo("MARKER-INFOBIP-PASSWORD-1c1c")))
        .mount(&server)
        .await;
    Mock::given(path("/auth/openapi/v1/oauth/token"))
        .respond_with(body(
            200,
            r#"{"code":"success","detailMessage":"","requestId":"r","result":{"token":"MARKER-YEASTAR-TOKEN-0a0a","tokenHead":"Bearer","expiresIn":"1800","refreshToken":"MARKER-YEASTAR-REFRESH-0b0b"},"status":200}"#.into(),
        ))
        .mount(&server)
        .await;
    Mock::given(path("/user/openapi/user/v1/client/account_balance"))
        .respond_with(body(
            401,
            r#"{"code":"MARKER-YEASTAR-TOKEN-0a0a","detailMessage":"token MARKER-YEASTAR-TOKEN-0a0a expired","requestId":"r","result":null,"status":401}"#.into(),
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(
            "/raystack.frontier.v1beta1.FrontierService/GetBillingBalance",
        ))
        .respond_with(body(
            401,
            r#"{"code":"unauthenticated","message":"secret MARKER-FRONTIER-SECRET-c3d4 rejected"}"#
                .into(),
        ))
        .mount(&server)
        .await;
    Mock::given(path("/v1/balance"))
        .respond_with(body(401, echo("MARKER-ENGAGELAB-SECRET-e5f6")))
        .mount(&server)
        .await;
    server
}

fn run(home: &Home, args: &[&str]) -> std::process::Output {
    let mut cmd = home.cmd();
    cmd.env("BALANCE_TEST_INFOBIP_KEY", "MARKER-INFOBIP-KEY-9a2e")
        .arg("--config")
        .arg(home.path().join("config.toml"))
        .args(args);
    cmd.output().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_in_any_output_even_when_echoed() {
    let server = echoing_vendor().await;
    let home = Home::new();
    home.config(&config(&home, &server.uri()));
    for args in [
        &["-vv", "check"][..],
        &["-vv", "check", "--json"],
        &["-vvv", "check", "--json", "ys"],
        &["-vv", "check", "--value", "sg"],
        &["-vv", "profiles"],
        &["-vv", "profiles", "--json"],
    ] {
        let home_ref = &home;
        let out = tokio::task::block_in_place(|| run(home_ref, args));
        assert_eq!(
            code(&out) == 0,
            args[1] == "profiles",
            "{args:?}: {}",
            stderr(&out)
        );
        assert_clean(&out, &format!("{args:?}"));
    }
    // The echoes were there to be removed: the messages still say what happened.
    let out = tokio::task::block_in_place(|| run(&home, &["check", "--json"]));
    assert_eq!(code(&out), 4);
    let rows = json(&out);
    assert!(
        rows.iter().all(|r| r["error"]["kind"] == "auth"),
        "{rows:?}"
    );
    assert!(stdout(&out).contains("[redacted]"));
}

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_on_network_failure_or_success() {
    let home = Home::new();
    home.config(&config(&home, "http://127.0.0.1:9"));
    let out = tokio::task::block_in_place(|| run(&home, &["-vv", "check", "--json"]));
    assert_eq!(code(&out), 7, "{}", stderr(&out));
    assert_clean(&out, "network failure");

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(body(200, r#"{"balance": 1, "currency": "EUR"}"#.into()))
        .mount(&server)
        .await;
    home.config(
        &config(&home, &server.uri()).replace("[profiles.ys]", "[profiles.ys]\ntimeout = 1"),
    );
    let out = tokio::task::block_in_place(|| run(&home, &["-vv", "check", "sg", "ib", "ibb"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_clean(&out, "success");
}

#[test]
fn secret_sources_that_fail_are_config_errors() {
    let home = Home::new();
    let base = "[settings]\nretries = 0\n[profiles.a]\nprovider = \"infobip\"\nbase_url = \"http://127.0.0.1:9\"\n";
    for (secret, needle) in [
        (r#"api_key = { command = ["false"] }"#, "failed"),
        (
            r#"api_key = { command = ["/nonexistent/prog"] }"#,
            "cannot run",
        ),
        (r#"api_key = { command = ["true"] }"#, "printed nothing"),
        (
            r#"api_key = { file = "missing.key" }"#,
            "cannot read secret file",
        ),
        (r#"api_key = { env = "BALANCE_TEST_EMPTY" }"#, "is empty"),
        (
            r#"api_key = { env = "BALANCE_TEST_NEWLINE" }"#,
            "not allowed in an HTTP header",
        ),
    ] {
        home.config(&format!("{base}{secret}\n"));
        let out = home
            .cmd()
            .env("BALANCE_TEST_EMPTY", "")
            .env("BALANCE_TEST_NEWLINE", "MARKER-8X8-KEY-5f1c\nsecond line")
            .arg("--config")
            .arg(home.path().join("config.toml"))
            .args(["check", "--json"])
            .output()
            .unwrap();
        assert_eq!(code(&out), 3, "{secret}: {}", stderr(&out));
        let message = json(&out)[0]["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(message.contains(needle), "{secret}: {message}");
        assert_clean(&out, secret);
    }
}

#[test]
fn slow_secret_command_is_bounded_by_the_timeout() {
    let home = Home::new();
    home.config(
        "[settings]\ntimeout = 0.3\n[profiles.a]\nprovider = \"infobip\"\nbase_url = \"http://127.0.0.1:9\"\n\
         api_key = { command = [\"sleep\", \"30\"] }\n",
    );
    let started = std::time::Instant::now();
    let out = home.run(&["check", "--json"]);
    assert_eq!(code(&out), 3);
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert!(
        stderr(&out).contains("no answer within 300 ms"),
        "{}",
        stderr(&out)
    );
}

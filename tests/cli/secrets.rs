//! Secrets never reach stdout or stderr, at any verbosity, on success or failure,
//! even when a vendor echoes them back. And the four ways of writing one work.

use crate::common::hostile::{self, Action, Hostile};
use crate::common::{Home, code, json, stderr, stdout};
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
    .expect(1..)
    .mount(&server)
    .await;
    Mock::given(path("/account/1/balance"))
        .and(header("authorization", "App MARKER-INFOBIP-KEY-9a2e"))
        .respond_with(body(401, echo("MARKER-INFOBIP-KEY-9a2e")))
        .expect(1..)
        .mount(&server)
        .await;
    Mock::given(path("/account/1/balance"))
        .and(basic_auth("someone", "MARKER-INFOBIP-PASSWORD-1c1c"))
        .respond_with(body(403, echo("MARKER-INFOBIP-PASSWORD-1c1c")))
        .expect(1..)
        .mount(&server)
        .await;
    Mock::given(path("/auth/openapi/v1/oauth/token"))
        .respond_with(body(
            200,
            r#"{"code":"success","detailMessage":"","requestId":"r","result":{"token":"MARKER-YEASTAR-TOKEN-0a0a","tokenHead":"Bearer","expiresIn":"1800","refreshToken":"MARKER-YEASTAR-REFRESH-0b0b"},"status":200}"#.into(),
        ))
        .expect(1..)
        .mount(&server)
        .await;
    Mock::given(path("/user/openapi/user/v1/client/account_balance"))
        .respond_with(body(
            401,
            r#"{"code":"MARKER-YEASTAR-TOKEN-0a0a","detailMessage":"token MARKER-YEASTAR-TOKEN-0a0a expired","requestId":"r","result":null,"status":401}"#.into(),
        ))
        .expect(1..)
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
        .expect(1..)
        .mount(&server)
        .await;
    Mock::given(path("/v1/balance"))
        .respond_with(body(401, echo("MARKER-ENGAGELAB-SECRET-e5f6")))
        .expect(1..)
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
        .expect(1..)
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

const MARKER: &str = "MARKER-SECRET-7f3a9c";
const MARKER_USER: &str = "marker-user";
/// Characters that percent- and form-encoding write differently from raw.
const MARKER_FORM: &str = "MARKER-SECRET-7f3a9c+/=& x";

/// A vendor that echoes the whole request (head with the Authorization header,
/// and body) in its error message: `pad` characters, then the request from its
/// credential on, then the whole request again. With `pad` 150 the credential
/// straddles both the 160-char cut vendor text used to get and the final 200.
fn echoing_hostile(pad: usize) -> Hostile {
    Hostile::start(move |request| {
        let at = ["App ", "Basic ", "Bearer ", "client_secret="]
            .iter()
            .find_map(|w| request.find(w).map(|i| i + w.len()))
            .unwrap_or(0);
        let echo = format!("{}{} || {request}", "x".repeat(pad), &request[at..]);
        let echo = serde_json::to_string(&echo).unwrap();
        let body = if request.contains("/account/1/balance") {
            format!(
                r#"{{"requestError":{{"serviceException":{{"messageId":"UNAUTHORIZED","text":{echo}}}}}}}"#
            )
        } else if request.contains("/api/v1/accounts/") {
            format!(r#"{{"code":1200,"message":{echo}}}"#)
        } else if request.contains("GetBillingBalance") {
            format!(r#"{{"code":"unauthenticated","message":{echo}}}"#)
        } else {
            format!(
                r#"{{"code":"10003","detailMessage":{echo},"requestId":"r","result":null,"status":401}}"#
            )
        };
        Action::Respond(hostile::json(401, &body))
    })
}

fn echo_config(url: &str) -> String {
    format!(
        r#"[settings]
retries = 0
timeout = 5

[profiles.ib]
provider = "infobip"
base_url = "{url}"
api_key = "{MARKER}"

[profiles.ibb]
provider = "infobip"
base_url = "{url}"
username = "{MARKER_USER}"
password = "{MARKER}"

[profiles.fr]
provider = "frontier"
base_url = "{url}"
api = "connect"
billing_id = "b-1"
client_id = "{MARKER_USER}"
client_secret = "{MARKER}"

[profiles.ys]
provider = "yeastar"
base_url = "{url}"
client_id = "{MARKER_USER}"
client_secret = "{MARKER_FORM}"

[profiles.sg]
provider = "8x8"
base_url = "{url}"
account_id = "0123456789abcdef0123456789abcdef"
api_key = "{MARKER}"
"#
    )
}

/// Every form of `secret` a vendor could echo, and the start of each, since a
/// cut may leave only that.
fn forms(user: &str, secret: &str) -> Vec<String> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let percent = form.replace('+', "%20");
    let pair = format!("{user}:{secret}");
    // `user:` is whole base64 groups here, so the secret's part starts at a group.
    assert_eq!((user.len() + 1) % 3, 0);
    let skip = (user.len() + 1) / 3 * 4;
    let mut forms = Vec::new();
    for whole in [
        secret.to_owned(),
        form,
        percent.clone(),
        percent.to_lowercase(),
        STANDARD.encode(secret),
        URL_SAFE_NO_PAD.encode(secret),
    ] {
        forms.push(whole[..8].to_owned());
        forms.push(whole);
    }
    let basic = STANDARD.encode(&pair);
    forms.push(basic[skip..skip + 8].to_owned());
    forms.push(basic);
    forms.sort();
    forms.dedup();
    forms
}

/// The forms found in stdout or stderr, said as `where: form`.
fn leaks(out: &std::process::Output, forms: &[String]) -> Vec<String> {
    let (o, e) = (stdout(out), stderr(out));
    let mut found = Vec::new();
    for form in forms {
        if o.contains(form.as_str()) {
            found.push(format!("stdout: {form}"));
        }
        if e.contains(form.as_str()) {
            found.push(format!("stderr: {form}"));
        }
    }
    found
}

#[test]
fn echoed_requests_leak_no_form_of_any_secret() {
    let mut forms = forms(MARKER_USER, MARKER);
    forms.extend(self::forms(MARKER_USER, MARKER_FORM));
    forms.sort();
    forms.dedup();
    // Every leak is listed, not only the first: a regression says what it broke.
    let mut found = Vec::new();
    for pad in [0, 150] {
        let server = echoing_hostile(pad);
        let home = Home::new();
        home.config(&echo_config(&server.url()));
        for profile in ["ib", "ibb", "fr", "ys", "sg"] {
            for format in ["json", "table", "nagios"] {
                let args = ["-vv", "check", "--format", format, profile];
                let out = home.run(&args);
                let what = format!("pad {pad}: {args:?}");
                let expected = if format == "nagios" { 2 } else { 4 };
                assert_eq!(code(&out), expected, "{what}: {}", stderr(&out));
                found.extend(
                    leaks(&out, &forms)
                        .into_iter()
                        .map(|l| format!("{what}: {l}")),
                );
                // The echo was there, and was removed rather than lost.
                if pad == 0 && !stdout(&out).contains("[redacted]") {
                    found.push(format!("{what}: nothing redacted on stdout"));
                }
            }
        }
        // Each profile really was asked with its credential in some form.
        let seen = server.requests().join("\n");
        assert!(seen.contains(&format!("App {MARKER}")), "{seen}");
        assert!(seen.contains(&format!("Bearer {MARKER}")), "{seen}");
        assert!(seen.contains("Basic "), "{seen}");
        assert!(
            seen.contains("client_secret=MARKER-SECRET-7f3a9c%2B%2F%3D%26+x"),
            "{seen}"
        );
    }
    assert!(
        found.is_empty(),
        "{} leaks:\n{}",
        found.len(),
        found.join("\n")
    );
}

/// A refresh that fails is logged at `-v` with the vendor's message; a vendor
/// that echoes the request body there must not print the refresh token.
#[test]
fn failed_yeastar_refresh_does_not_print_the_refresh_token() {
    const REFRESH: &str = "MARKER-REFRESH-4d2e+/=";
    let server = Hostile::start(|request| {
        let body = if request.contains("grant_type=refresh_token") {
            // The request's body first, so that no cut can spare the token.
            let (head, form) = request.split_once("\r\n\r\n").unwrap_or_default();
            let echo = serde_json::to_string(&format!("{form} || {head}")).unwrap();
            return Action::Respond(hostile::json(
                400,
                &format!(
                    r#"{{"code":"10005","detailMessage":{echo},"requestId":"r","result":null,"status":400}}"#
                ),
            ));
        } else if request.contains("oauth/token") {
            // Lives 30 s: within the refresh margin, so the next run refreshes.
            format!(
                r#"{{"code":"success","detailMessage":"","requestId":"r","result":{{"token":"tok-1234","tokenHead":"Bearer","expiresIn":"30","refreshToken":"{REFRESH}"}},"status":200}}"#
            )
        } else {
            crate::common::fixture("yeastar", "balance")
        };
        Action::Respond(hostile::json(200, &body))
    });
    let home = Home::new();
    home.config(&format!(
        "[settings]\nretries = 0\n[profiles.ys]\nprovider = \"yeastar\"\nbase_url = \"{}\"\nclient_id = \"cid\"\nclient_secret = \"csecret\"\n",
        server.url()
    ));
    let out = home.run(&["-vv", "check", "--value"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = home.run(&["-vv", "check", "--value"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("token refresh failed"),
        "{}",
        stderr(&out)
    );
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.contains("grant_type=refresh_token")),
        "the second run refreshed"
    );
    let form: String = url::form_urlencoded::byte_serialize(REFRESH.as_bytes()).collect();
    for leak in [REFRESH, &form, &REFRESH[..10]] {
        assert!(!stderr(&out).contains(leak), "{leak}:\n{}", stderr(&out));
        assert!(!stdout(&out).contains(leak), "{leak}:\n{}", stdout(&out));
    }
}

/// Issue 17 item 8: a name is printed as written even when a credential is a
/// short word inside it (`sg-healthy` with the key `healthy`), on `-v` stderr
/// and in a deadline message; the key itself still never appears on its own.
#[test]
fn names_are_never_redacted_and_short_keys_still_never_appear() {
    // Answers the first profile's request by echoing the key as a word; never
    // answers the second's, so the deadline ends it.
    let server = Hostile::start(|request| {
        if request.contains("/sg-healthy/") || !request.contains("/slow/") {
            Action::Respond(hostile::json(
                401,
                r#"{"requestError":{"serviceException":{"messageId":"UNAUTHORIZED","text":"key healthy rejected"}}}"#,
            ))
        } else {
            Action::Hang
        }
    });
    let home = Home::new();
    let url = server.url();
    home.config(&format!(
        "[settings]\ntimeout = 5\nretries = 0\n\
         [profiles.sg-healthy]\nprovider = \"infobip\"\nbase_url = \"{url}/sg-healthy\"\napi_key = \"healthy\"\n\
         [profiles.eu-healthy-slow]\nprovider = \"infobip\"\nbase_url = \"{url}/slow\"\napi_key = \"healthy\"\n"
    ));
    let out = home.run(&["-v", "check", "--json", "--deadline", "1"]);
    let (o, e) = (stdout(&out), stderr(&out));
    assert!(e.contains("balance: sg-healthy: "), "{e}");
    assert!(
        e.contains("eu-healthy-slow: not finished within the 1s deadline"),
        "{e}"
    );
    assert!(
        o.contains("sg-healthy") && o.contains("eu-healthy-slow"),
        "{o}"
    );
    assert!(
        e.contains("key [redacted] rejected") || o.contains("key [redacted] rejected"),
        "{o}\n{e}"
    );
    for text in [&o, &e] {
        // Every `healthy` left is inside one of the two names.
        let names = text
            .replace("sg-healthy", "")
            .replace("eu-healthy-slow", "");
        assert!(!names.contains("healthy"), "the key on its own:\n{text}");
        assert!(!text.contains("aGVhbHRoeQ"), "base64 of the key:\n{text}");
        assert!(
            !text.contains("[redacted]-") && !text.contains("-[redacted]"),
            "{text}"
        );
    }
}

//! seven, SMSAPI, Clickatell and Brevo through the real binary, for what their
//! fixtures alone do not show: the exact auth header each wants, and the
//! quirks of their error answers (bare codes, rate limiting as HTTP 400).

use std::time::{Duration, Instant};

use crate::common::{Home, code, json, raw_balance, stderr, stdout};
use serde_json::Value;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn body(status: u16, text: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(text.to_owned(), "application/json")
}

/// Runs `check --json` on one profile of `provider` at `server`; `keys` are its
/// TOML lines. Returns the exit status and the row.
async fn check(server: &MockServer, provider: &str, keys: &str, retries: u8) -> (i32, Value) {
    let home = Home::new();
    home.config(&format!(
        "[settings]\nretries = {retries}\n\n[profiles.p]\nprovider = \"{provider}\"\nbase_url = \"{}\"\n{keys}\n",
        server.uri()
    ));
    let out = home.run_async(&["check", "--json"]).await;
    let mut row = json(&out).remove(0);
    assert!(!stderr(&out).contains("key-"), "{}", stderr(&out));
    // The digits as written, not as a JSON reader would print them again.
    if row["status"] == "ok" {
        row["raw"] = Value::from(raw_balance(&out));
    }
    (code(&out), row)
}

fn no_header(name: &'static str) -> impl Fn(&Request) -> bool {
    move |r: &Request| !r.headers.contains_key(name)
}

#[tokio::test]
async fn seven_sends_x_api_key_and_accept() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/balance"))
        .and(header("x-api-key", "key-seven"))
        .and(header("accept", "application/json"))
        .and(no_header("authorization"))
        .respond_with(body(200, r#"{"amount":12.3456789,"currency":"EUR"}"#))
        .expect(1)
        .mount(&server)
        .await;
    let (exit, row) = check(&server, "seven", "api_key = \"key-seven\"", 0).await;
    assert_eq!(exit, 0, "{row}");
    assert_eq!(
        (row["raw"].as_str().unwrap().to_owned(), &row["currency"]),
        ("12.3456789".into(), &Value::from("EUR"))
    );
}

#[tokio::test]
async fn seven_sends_a_bearer_token_as_authorization() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/balance"))
        .and(header("authorization", "Bearer key-oauth"))
        .and(no_header("x-api-key"))
        .respond_with(body(200, r#"{"amount":47.35,"currency":"EUR"}"#))
        .expect(1)
        .mount(&server)
        .await;
    let (exit, row) = check(&server, "seven", "api_key = \"Bearer key-oauth\"", 0).await;
    assert_eq!(exit, 0, "{row}");
}

#[tokio::test]
async fn seven_bare_codes_decide_whatever_the_status() {
    // (status, body, exit, kind, code): 500 in the body is "insufficient
    // credits", not a server error; an unknown code is the vendor's even on 401.
    for (status, text, exit, kind, provider_code) in [
        (200, "900", 4, "auth", "900"),
        (200, "500", 8, "provider", "500"),
        (401, "901", 8, "provider", "901"),
        (403, "902", 4, "auth", "902"),
    ] {
        let server = MockServer::start().await;
        Mock::given(path("/api/balance"))
            .respond_with(body(status, text))
            .expect(1)
            .mount(&server)
            .await;
        let (got, row) = check(&server, "seven", "api_key = \"key-seven\"", 0).await;
        assert_eq!(
            (got, &row["error"]["kind"]),
            (exit, &Value::from(kind)),
            "{text}: {row}"
        );
        assert_eq!(row["error"]["provider_code"], provider_code, "{row}");
    }
}

#[tokio::test]
async fn smsapi_bearer_token_and_points() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/profile"))
        .and(header("authorization", "Bearer key-smsapi"))
        .respond_with(body(200, r#"{"payment_type":"prepaid","points":100.00}"#))
        .expect(1)
        .mount(&server)
        .await;
    let (exit, row) = check(&server, "smsapi", "token = \"key-smsapi\"", 0).await;
    assert_eq!(exit, 0, "{row}");
    assert_eq!(
        (row["raw"].as_str().unwrap().to_owned(), &row["currency"]),
        ("100.00".into(), &Value::from("points"))
    );
}

#[test]
fn smsapi_needs_a_region_or_a_base_url() {
    let home = Home::new();
    home.config("[profiles.p]\nprovider = \"smsapi\"\ntoken = \"key-smsapi\"\n");
    let out = home.run(&["check"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(said.contains("`region`"), "{said}");
}

#[tokio::test]
async fn clickatell_sends_the_raw_key_and_accept() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/public-client/balance"))
        .and(header("authorization", "key-clickatell"))
        .and(header("accept", "application/json"))
        .respond_with(body(200, r#"{"balance": 1267.92865, "currency": "ZAR"}"#))
        .expect(1)
        .mount(&server)
        .await;
    let (exit, row) = check(&server, "clickatell", "api_key = \"key-clickatell\"", 0).await;
    assert_eq!(exit, 0, "{row}");
    assert_eq!(row["raw"].as_str().unwrap().to_owned(), "1267.92865");
}

#[tokio::test]
async fn clickatell_rate_limit_is_a_400_and_is_retried() {
    // Code 43 under an unknown field name, or the words alone: both are rate
    // limiting, asked again once (retries = 1), then exit 5.
    for text in [
        r#"{"messages":[],"errorCode":43,"error":"Rate limit"}"#,
        r#"{"failure":{"code":"43"}}"#,
        r#"{"error":"Rate limit"}"#,
    ] {
        let server = MockServer::start().await;
        Mock::given(path("/public-client/balance"))
            .respond_with(body(400, text))
            .expect(2)
            .mount(&server)
            .await;
        let (exit, row) = check(&server, "clickatell", "api_key = \"key-clickatell\"", 1).await;
        assert_eq!(
            (exit, &row["error"]["kind"]),
            (5, &Value::from("rate_limited")),
            "{text}: {row}"
        );
        let wanted = if text.contains("43") {
            Value::from("43")
        } else {
            Value::Null
        };
        assert_eq!(row["error"]["provider_code"], wanted, "{row}");
    }
}

#[tokio::test]
async fn clickatell_other_400s() {
    for (text, exit, kind, provider_code) in [
        (
            r#"{"error":{"code":2,"description":"Account is not active"}}"#,
            4,
            "auth",
            "2",
        ),
        (
            r#"{"errorCode":41,"error":"Resource does not exist"}"#,
            8,
            "provider",
            "41",
        ),
    ] {
        let server = MockServer::start().await;
        Mock::given(path("/public-client/balance"))
            .respond_with(body(400, text))
            .expect(1)
            .mount(&server)
            .await;
        let (got, row) = check(&server, "clickatell", "api_key = \"key-clickatell\"", 1).await;
        assert_eq!(
            (got, &row["error"]["kind"]),
            (exit, &Value::from(kind)),
            "{text}: {row}"
        );
        assert_eq!(row["error"]["provider_code"], provider_code, "{row}");
    }
}

#[tokio::test]
async fn brevo_api_key_header_and_the_sms_plan() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/account"))
        .and(header("api-key", "key-brevo"))
        .and(no_header("authorization"))
        .respond_with(body(
            200,
            r#"{"plan":[{"type":"payAsYouGo","credits":1000},{"type":"sms","credits":999.5360000000001,"creditsType":"sendLimit"}]}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let (exit, row) = check(&server, "brevo", "api_key = \"key-brevo\"", 0).await;
    assert_eq!(exit, 0, "{row}");
    assert_eq!(
        (row["raw"].as_str().unwrap().to_owned(), &row["currency"]),
        ("999.5360000000001".into(), &Value::from("credits"))
    );
}

#[tokio::test]
async fn brevo_waits_for_its_rate_limit_reset() {
    let server = MockServer::start().await;
    Mock::given(path("/v3/account"))
        .respond_with(ResponseTemplate::new(429).insert_header("x-sib-ratelimit-reset", "2"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/v3/account"))
        .respond_with(body(200, r#"{"plan":[{"type":"sms","credits":250}]}"#))
        .expect(1)
        .mount(&server)
        .await;
    let start = Instant::now();
    let (exit, row) = check(&server, "brevo", "api_key = \"key-brevo\"", 1).await;
    assert_eq!(exit, 0, "{row}");
    assert!(
        start.elapsed() >= Duration::from_millis(1900),
        "{:?}",
        start.elapsed()
    );
}

//! Twilio, Vonage, Plivo, Telnyx and MessageBird through the real binary: what
//! their fixtures alone cannot show. Each mock matches the request the vendor
//! documents (auth shape, Accept, exact path, no query) and must be hit once.

use crate::common::{Home, code, json, stderr, stdout};
use serde_json::Value;
use wiremock::matchers::{basic_auth, header, method, path};
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

const SID: &str = "AC0123456789abcdef0123456789abcdef";
const AUTH_ID: &str = "MA2025RK4E639VJFZAGV";

/// The vendor's own documented answer, from its folder's fixtures.
pub(crate) fn fixture(vendor: &str, name: &str) -> ResponseTemplate {
    let spec = balance::providers::find(vendor).unwrap();
    let f = spec
        .fixtures()
        .into_iter()
        .find(|f| f.name == format!("{name}.http"))
        .unwrap_or_else(|| panic!("{vendor} has no fixture {name}"));
    let mut t = ResponseTemplate::new(f.status).set_body_raw(f.body, "application/json");
    for (k, v) in f.headers {
        t = t.insert_header(k, v);
    }
    t
}

/// No query string at all: secrets never ride in a URL.
pub(crate) fn no_query(r: &wiremock::Request) -> bool {
    r.url.query().is_none()
}

/// Mounts `mock` answering `answer` once, runs `check --json` on `profile`
/// without retries, and returns the exit status, the first row and the raw
/// text of stdout (to read digits exactly).
pub(crate) async fn run(
    mock: MockBuilder,
    answer: ResponseTemplate,
    profile: &str,
) -> (i32, Value, String) {
    let server = MockServer::start().await;
    mock.respond_with(answer).expect(1).mount(&server).await;
    let home = Home::new();
    home.config(&format!(
        "[settings]\nretries = 0\n{}",
        profile.replace("{url}", &server.uri())
    ));
    let out = home.run_async(&["check", "--json"]).await;
    let row = json(&out).remove(0);
    (code(&out), row, stdout(&out))
}

fn twilio() -> MockBuilder {
    Mock::given(method("GET"))
        .and(path(format!("/2010-04-01/Accounts/{SID}/Balance.json")))
        .and(header("accept", "application/json"))
        .and(no_query)
}

#[tokio::test]
async fn twilio_basic_with_auth_token() {
    let profile = format!(
        "[profiles.t]\nprovider = \"twilio\"\nbase_url = \"{{url}}\"\naccount_sid = \"{SID}\"\nauth_token = \"tok\"\n"
    );
    let mock = twilio().and(basic_auth(SID, "tok"));
    let (exit, row, text) = run(mock, fixture("twilio", "balance-spec-example"), &profile).await;
    assert_eq!(exit, 0, "{row}");
    assert!(text.contains("\"balance\": 0.05,"), "{text}");
    assert_eq!(row["currency"], "USD");
}

#[tokio::test]
async fn twilio_basic_with_api_key_and_the_account_in_the_path() {
    let profile = format!(
        "[profiles.t]\nprovider = \"twilio\"\nbase_url = \"{{url}}\"\naccount_sid = \"{SID}\"\napi_key_sid = \"SKkey\"\napi_key_secret = \"sec\"\ncurrency = \"EUR\"\n"
    );
    let mock = twilio().and(basic_auth("SKkey", "sec"));
    // A null currency leaves the profile's.
    let (exit, row, text) = run(mock, fixture("twilio", "balance-null-currency"), &profile).await;
    assert_eq!(exit, 0, "{row}");
    assert!(text.contains("\"balance\": 0.05,"), "{text}");
    assert_eq!(row["currency"], "EUR");
}

#[tokio::test]
async fn twilio_subaccount_is_not_prepaid() {
    let profile = format!(
        "[profiles.t]\nprovider = \"twilio\"\nbase_url = \"{{url}}\"\naccount_sid = \"{SID}\"\nauth_token = \"tok\"\n"
    );
    let (exit, row, _) = run(twilio(), fixture("twilio", "not-prepaid"), &profile).await;
    assert_eq!(exit, 6, "{row}");
    assert_eq!(row["error"]["provider_code"], "20404");
}

#[test]
fn twilio_config_errors() {
    let home = Home::new();
    for (keys, says) in [
        ("account_sid = \"AC123\"\nauth_token = \"t\"", "account SID"),
        (
            "account_sid = \"ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\nauth_token = \"t\"\napi_key_sid = \"SK1\"\napi_key_secret = \"s\"",
            "not both",
        ),
        (
            "account_sid = \"ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\napi_key_sid = \"SK1\"",
            "`api_key_secret` is required",
        ),
    ] {
        home.config(&format!("[profiles.t]\nprovider = \"twilio\"\n{keys}\n"));
        let out = home.run(&["check", "t"]);
        assert_eq!(code(&out), 3, "{keys}: {}", stderr(&out));
        // A profile's config error is its row's status.
        assert!(stdout(&out).contains(says), "{keys}: {}", stdout(&out));
    }
}

#[tokio::test]
async fn vonage_basic_not_query_and_always_eur() {
    let mock = Mock::given(method("GET"))
        .and(path("/account/get-balance"))
        .and(header("accept", "application/json"))
        .and(basic_auth("vk", "vs"))
        .and(no_query);
    // The profile says USD; the API always answers in EUR.
    let profile = "[profiles.v]\nprovider = \"vonage\"\nbase_url = \"{url}\"\napi_key = \"vk\"\napi_secret = \"vs\"\ncurrency = \"USD\"\n";
    let (exit, row, text) = run(mock, fixture("vonage", "balance"), profile).await;
    assert_eq!(exit, 0, "{row}");
    assert!(text.contains("\"balance\": 10.17127500,"), "{text}");
    assert_eq!(row["currency"], "EUR");
}

fn plivo() -> MockBuilder {
    // The trailing slash is part of the path: without it the mock does not match.
    Mock::given(method("GET"))
        .and(path(format!("/v1/Account/{AUTH_ID}/")))
        .and(basic_auth(AUTH_ID, "pt"))
        .and(no_query)
}

const PLIVO: &str = "[profiles.p]\nprovider = \"plivo\"\nbase_url = \"{url}\"\nauth_id = \"MA2025RK4E639VJFZAGV\"\nauth_token = \"pt\"\ncurrency = \"EUR\"\n";

#[tokio::test]
async fn plivo_trailing_slash_and_usd() {
    let (exit, row, text) = run(plivo(), fixture("plivo", "balance-docs-example"), PLIVO).await;
    assert_eq!(exit, 0, "{row}");
    assert!(text.contains("\"balance\": 1.80900,"), "{text}");
    assert_eq!(row["currency"], "USD");
}

#[tokio::test]
async fn plivo_postpaid_is_not_prepaid() {
    let (exit, row, _) = run(plivo(), fixture("plivo", "not-prepaid"), PLIVO).await;
    assert_eq!(exit, 6, "{row}");
    assert_eq!(row["error"]["http_status"], 200);
    assert_eq!(row["error"]["provider_code"], Value::Null);
}

#[test]
fn plivo_auth_id_is_checked_locally() {
    let home = Home::new();
    home.config("[profiles.p]\nprovider = \"plivo\"\nauth_id = \"XX2025RK4E639VJFZAGV\"\nauth_token = \"t\"\n");
    let out = home.run(&["check", "p"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stdout(&out).contains("Plivo Auth ID"), "{}", stdout(&out));
}

fn telnyx() -> MockBuilder {
    Mock::given(method("GET"))
        .and(path("/v2/balance"))
        .and(header("authorization", "Bearer KEYtelnyx"))
        .and(no_query)
}

const TELNYX: &str =
    "[profiles.x]\nprovider = \"telnyx\"\nbase_url = \"{url}\"\napi_key = \"KEYtelnyx\"\n";

#[tokio::test]
async fn telnyx_bearer_and_parts() {
    let (exit, row, text) = run(telnyx(), fixture("telnyx", "balance"), TELNYX).await;
    assert_eq!(exit, 0, "{row}");
    // The available credit is the balance; its parts beside it.
    assert!(text.contains("\"balance\": 400.00,"), "{text}");
    assert_eq!(row["unit"], "money");
    for exact in [
        "\"cash\": 300.00",
        "\"credit\": 100.00",
        "\"reserved\": 10.00",
    ] {
        assert!(text.contains(exact), "{exact} in {text}");
    }
}

/// A 429 says `x-ratelimit-reset: 1`: one retry after it succeeds.
#[tokio::test]
async fn telnyx_rate_limit_then_retry() {
    let server = MockServer::start().await;
    telnyx()
        .respond_with(fixture("telnyx", "rate-limited"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    telnyx()
        .respond_with(fixture("telnyx", "balance"))
        .expect(1)
        .mount(&server)
        .await;
    let home = Home::new();
    home.config(&format!(
        "[settings]\nretries = 1\n{}",
        TELNYX.replace("{url}", &server.uri())
    ));
    let started = std::time::Instant::now();
    let out = home.run_async(&["check", "--json"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(started.elapsed() >= std::time::Duration::from_millis(900));
    assert_eq!(json(&out)[0]["status"], "ok");
}

fn messagebird() -> MockBuilder {
    Mock::given(method("GET"))
        .and(path("/balance"))
        .and(header("authorization", "AccessKey test_bird"))
        .and(header("accept", "application/json"))
        .and(no_query)
}

const BIRD: &str =
    "[profiles.m]\nprovider = \"messagebird\"\nbase_url = \"{url}\"\naccess_key = \"test_bird\"\n";

#[tokio::test]
async fn messagebird_access_key_and_credits() {
    let (exit, row, text) = run(
        messagebird(),
        fixture("messagebird", "balance-credits"),
        BIRD,
    )
    .await;
    assert_eq!(exit, 0, "{row}");
    assert!(text.contains("\"balance\": 9.2,"), "{text}");
    assert_eq!(row["currency"], "credits");
}

#[tokio::test]
async fn messagebird_error_inside_200_is_auth() {
    let (exit, row, _) = run(messagebird(), fixture("messagebird", "auth-in-200"), BIRD).await;
    assert_eq!(exit, 4, "{row}");
    assert_eq!(row["error"]["provider_code"], "2");
    assert_eq!(row["error"]["http_status"], 200);
}

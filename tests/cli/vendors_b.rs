//! ClickSend, Textmagic, BulkSMS and Africa's Talking through the real binary:
//! what their fixtures alone cannot show (the request's exact shape, the
//! profile's `currency` against the vendor's unit, the sandbox host).

use crate::common::{Home, code, json, raw_balance, stderr, stdout};
use serde_json::Value;
use wiremock::matchers::{basic_auth, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// The body of a vendor's documented answer (`src/providers/<vendor>/fixtures`).
fn documented(vendor: &str, name: &str) -> String {
    let file = format!(
        "{}/src/providers/{vendor}/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
    let (_, body) = text.split_once("\n\n").expect("headers, then a blank line");
    body.trim_end_matches('\n').to_owned()
}

fn answer(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json")
}

/// Mounts `mock` (which must be hit once), runs `check --json` on `profile`
/// (TOML keys after `provider`), and returns the row and the raw output.
async fn run(
    mock: wiremock::MockBuilder,
    reply: ResponseTemplate,
    provider: &str,
    keys: &str,
    exit: i32,
) -> (Value, std::process::Output) {
    let server = MockServer::start().await;
    mock.respond_with(reply).expect(1).mount(&server).await;
    let home = Home::new();
    home.config(&format!(
        "[settings]\nretries = 0\n\n[profiles.p]\nprovider = \"{provider}\"\nbase_url = \"{}\"\n{keys}",
        server.uri()
    ));
    let out = home.run_async(&["check", "--json"]).await;
    assert_eq!(code(&out), exit, "stderr: {}", stderr(&out));
    (json(&out).remove(0), out)
}

fn no_authorization(request: &Request) -> bool {
    !request.headers.contains_key("authorization")
}

#[tokio::test]
async fn clicksend_basic_auth_keeps_the_string_digits() {
    let mock = Mock::given(method("GET"))
        .and(path("/v3/account"))
        .and(basic_auth("cs-user", "cs-key"))
        .and(header("content-type", "application/json"));
    let body = documented("clicksend", "balance-docs.http");
    let keys = "username = \"cs-user\"\napi_key = \"cs-key\"\nmin_balance = 1\n";
    let (row, out) = run(mock, answer(200, &body), "clicksend", keys, 0).await;
    assert_eq!(raw_balance(&out), "4.998000");
    assert_eq!(row["currency"], "AUD");
}

#[tokio::test]
async fn clicksend_without_currency_takes_the_profiles() {
    let mock = Mock::given(method("GET")).and(path("/v3/account"));
    let body = documented("clicksend", "balance-no-currency.http");
    let keys = "username = \"u\"\napi_key = \"k\"\ncurrency = \"NZD\"\n";
    let (row, _) = run(mock, answer(200, &body), "clicksend", keys, 0).await;
    assert_eq!(row["currency"], "NZD");
}

#[tokio::test]
async fn textmagic_sends_the_documented_headers_not_basic() {
    let mock = Mock::given(method("GET"))
        .and(path("/api/v2/user"))
        .and(header("x-tm-username", "tm-user"))
        .and(header("x-tm-key", "tm-key-secret-1"))
        .and(no_authorization);
    let body = documented("textmagic", "balance.http");
    let keys = "username = \"tm-user\"\napi_key = \"tm-key-secret-1\"\n";
    let (row, out) = run(mock, answer(200, &body), "textmagic", keys, 0).await;
    assert_eq!(raw_balance(&out), "208.64");
    assert_eq!(row["currency"], "GBP");
}

#[tokio::test]
async fn textmagic_key_stays_out_of_verbose_output() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/user"))
        .respond_with(answer(
            401,
            &documented("textmagic", "auth.http").replace("action", "action for tm-key-marker-9"),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let home = Home::new();
    home.config(&format!(
        "[profiles.p]\nprovider = \"textmagic\"\nbase_url = \"{}\"\nusername = \"u\"\napi_key = \"tm-key-marker-9\"\n",
        server.uri()
    ));
    let out = home.run_async(&["-vv", "check"]).await;
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!all.contains("tm-key-marker-9"), "{all}");
}

#[tokio::test]
async fn bulksms_credits_whatever_the_profile_says_with_quota_details() {
    let mock = Mock::given(method("GET"))
        .and(path("/v1/profile"))
        .and(basic_auth("bs-user", "bs-pass"))
        .and(header("content-type", "application/json"));
    let body = documented("bulksms", "balance.http");
    let keys = "username = \"bs-user\"\npassword = \"bs-pass\"\ncurrency = \"EUR\"\n";
    let (row, out) = run(mock, answer(200, &body), "bulksms", keys, 0).await;
    assert_eq!(raw_balance(&out), "1000.5");
    assert_eq!(row["currency"], "credits");
    assert_eq!(row["details"]["quota_size"], 100);
    assert_eq!(row["details"]["quota_remaining"], 100);
}

#[tokio::test]
async fn bulksms_out_of_credits_is_not_a_credentials_problem() {
    let mock = Mock::given(method("GET")).and(path("/v1/profile"));
    let body = documented("bulksms", "provider-insufficient-credits.http");
    let keys = "username = \"u\"\npassword = \"p\"\n";
    let (row, _) = run(mock, answer(403, &body), "bulksms", keys, 8).await;
    assert_eq!(row["error"]["kind"], "provider");
    assert_eq!(row["error"]["provider_code"], "insufficient-credits");
}

#[tokio::test]
async fn africastalking_key_header_accept_and_encoded_username() {
    let mock = Mock::given(method("GET"))
        .and(path("/version1/user"))
        .and(query_param("username", "my app&co"))
        .and(header("apikey", "at-key"))
        .and(header("accept", "application/json"))
        .and(no_authorization);
    let body = documented("africastalking", "balance-lowercase.http");
    let keys = "username = \"my app&co\"\napi_key = \"at-key\"\n";
    let (row, out) = run(mock, answer(200, &body), "africastalking", keys, 0).await;
    assert_eq!(raw_balance(&out), "1785.50");
    assert_eq!(row["currency"], "KES");
}

#[tokio::test]
async fn africastalking_text_errors_and_no_code_even_with_a_profile_currency() {
    let mock = Mock::given(method("GET")).and(path("/version1/user"));
    let reply = ResponseTemplate::new(401)
        .set_body_raw("The supplied authentication is invalid", "text/plain");
    let keys = "username = \"u\"\napi_key = \"k\"\n";
    let (row, _) = run(mock, reply, "africastalking", keys, 4).await;
    let message = row["error"]["message"].as_str().unwrap();
    assert!(
        message.ends_with("The supplied authentication is invalid"),
        "{message}"
    );

    let mock = Mock::given(method("GET")).and(path("/version1/user"));
    let body = documented("africastalking", "provider-no-currency.http");
    let keys = "username = \"u\"\napi_key = \"k\"\ncurrency = \"KES\"\n";
    let (row, _) = run(mock, answer(200, &body), "africastalking", keys, 8).await;
    assert_eq!(row["error"]["kind"], "provider");
}

#[test]
fn africastalking_sandbox_username_picks_the_sandbox_host() {
    let home = Home::new();
    home.config(
        "[profiles.sb]\nprovider = \"africastalking\"\nusername = \"sandbox\"\napi_key = \"k\"\n\n\
         [profiles.live]\nprovider = \"africastalking\"\nusername = \"myapp\"\napi_key = \"k\"\n",
    );
    let out = home.run(&["profiles"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    let host = |profile: &str| {
        text.lines()
            .find(|l| l.starts_with(profile))
            .unwrap_or_else(|| panic!("{text}"))
            .to_owned()
    };
    assert!(
        host("sb ").contains("https://api.sandbox.africastalking.com/"),
        "{text}"
    );
    assert!(
        host("live ").contains("https://api.africastalking.com/"),
        "{text}"
    );
}

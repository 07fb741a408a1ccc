//! 46elks, Textlocal, SMS.to and D7 Networks through the real
//! binary against mocks written from each vendor's documented request (not
//! from its description): method, path, where the credential goes, and the
//! numbers as the vendor means them.

use crate::common::{Home, code, stderr, stdout};
use crate::vendors_a::{fixture, no_query, run};
use wiremock::matchers::{basic_auth, bearer_token, body_string, header, method, path};
use wiremock::{Mock, MockBuilder};

const TEXTLOCAL: &str =
    "[profiles.t]\nprovider = \"textlocal\"\nbase_url = \"{url}\"\napi_key = \"k+ey &x\"\n";

/// As Textlocal's API class sends it: a form POST to `/balance/`, the key a
/// form field (encoded), nothing in the URL.
fn textlocal() -> MockBuilder {
    Mock::given(method("POST"))
        .and(path("/balance/"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string("apiKey=k%2Bey+%26x"))
        .and(no_query)
}

#[tokio::test]
async fn textlocal_posts_the_key_as_a_form_field_and_counts_credits() {
    let (exit, row, text) = run(textlocal(), fixture("textlocal", "balance"), TEXTLOCAL).await;
    assert_eq!(exit, 0, "{row}");
    assert!(text.contains("\"balance\": 1250,"), "{text}");
    assert_eq!(row["currency"], "credits");
    assert_eq!(row["details"]["mms"], 40);
}

#[tokio::test]
async fn textlocal_error_in_a_200_is_still_an_error() {
    let (exit, row, _) = run(textlocal(), fixture("textlocal", "auth"), TEXTLOCAL).await;
    assert_eq!(exit, 4, "{row}");
    assert_eq!(row["error"]["provider_code"], "3");
    let message = row["error"]["message"].as_str().unwrap();
    assert!(message.ends_with("Invalid login details"), "{message}");
    let (exit, row, _) = run(
        textlocal(),
        fixture("textlocal", "provider-failure"),
        TEXTLOCAL,
    )
    .await;
    assert_eq!(exit, 8, "{row}");
}

#[test]
fn textlocal_region_or_base_url() {
    let home = Home::new();
    home.config(
        "[profiles.t]\nprovider = \"textlocal\"\nregion = \"in\"\nbase_url = \"http://127.0.0.1:9\"\napi_key = \"k\"\n",
    );
    let out = home.run(&["check", "t"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stdout(&out).contains("not both"), "{}", stdout(&out));
    home.config("[profiles.t]\nprovider = \"textlocal\"\nregion = \"fr\"\napi_key = \"k\"\n");
    let out = home.run(&["check", "t"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
}

const ELKS: &str = "[profiles.e]\nprovider = \"46elks\"\nbase_url = \"{url}\"\nusername = \"u1\"\npassword = \"pw\"\n";

fn elks() -> MockBuilder {
    Mock::given(method("GET"))
        .and(path("/a1/me"))
        .and(basic_auth("u1", "pw"))
        .and(no_query)
}

#[tokio::test]
async fn elks46_basic_and_ten_thousandths() {
    let (exit, row, text) = run(elks(), fixture("46elks", "balance"), ELKS).await;
    assert_eq!(exit, 0, "{row}");
    // 9670500 / 10000, exactly.
    assert!(text.contains("\"balance\": 967.05,"), "{text}");
    assert_eq!(row["currency"], "SEK");
    assert!(text.contains("\"credit_alert\": 20"), "{text}");
    let (exit, _, text) = run(elks(), fixture("46elks", "balance-credit-limit"), ELKS).await;
    assert_eq!(exit, 0);
    // Spendable: the balance plus the credit limit.
    assert!(text.contains("\"balance\": 375,"), "{text}");
    assert!(text.contains("\"cash\": -125,"), "{text}");
    assert!(text.contains("\"credit\": 500"), "{text}");
}

#[tokio::test]
async fn elks46_account_without_a_currency_is_not_a_balance() {
    let (exit, row, _) = run(elks(), fixture("46elks", "provider-no-currency"), ELKS).await;
    assert_eq!(exit, 8, "{row}");
    assert!(row["balance"].is_null(), "{row}");
}

#[tokio::test]
async fn smsto_bearer_money_and_message_count() {
    let mock = Mock::given(method("GET"))
        .and(path("/api/balance"))
        .and(bearer_token("tk"))
        .and(header("accept", "application/json"))
        .and(no_query);
    let profile = "[profiles.s]\nprovider = \"smsto\"\nbase_url = \"{url}\"\napi_key = \"tk\"\ncurrency = \"USD\"\n";
    let (exit, row, text) = run(mock, fixture("smsto", "balance"), profile).await;
    assert_eq!(exit, 0, "{row}");
    assert!(text.contains("\"balance\": 1296.81,"), "{text}");
    // The vendor's currency wins over the profile's.
    assert_eq!(row["currency"], "EUR");
    assert_eq!(row["details"]["sms_count"], 6454);
}

#[tokio::test]
async fn d7_bearer_profile_currency_and_insufficient_credit() {
    let d7 = || {
        Mock::given(method("GET"))
            .and(path("/messages/v1/balance"))
            .and(bearer_token("dk"))
            .and(header("accept", "application/json"))
            .and(no_query)
    };
    let profile = "[profiles.d]\nprovider = \"d7\"\nbase_url = \"{url}\"\napi_key = \"dk\"\ncurrency = \"USD\"\n";
    let (exit, row, text) = run(d7(), fixture("d7", "balance"), profile).await;
    assert_eq!(exit, 0, "{row}");
    assert!(text.contains("\"balance\": 128.5042,"), "{text}");
    assert_eq!(row["currency"], "USD");
    // Out of credit is the vendor's answer, not a rejected token.
    let (exit, row, _) = run(d7(), fixture("d7", "provider-insufficient-credit"), profile).await;
    assert_eq!(exit, 8, "{row}");
    assert_eq!(row["error"]["http_status"], 402);
}

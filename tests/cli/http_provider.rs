//! `provider = "http"` (SPEC §9): a vendor described in the profile, run by the
//! same engine as the built-in adapters.

use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{Home, assert_config_error, code, json, raw_balance, stderr, stdout};

const MARKER: &str = "MARKER-http-7f3a9c+/=&";

fn profile(url: &str, extra: &str) -> String {
    format!(
        "[settings]\nretries = 1\ntimeout = 5\n\n[profiles.acme]\nprovider = \"http\"\nurl = \"{url}/v2/balance\"\n{extra}\n"
    )
}

fn ok(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.to_owned(), "application/json")
}

/// Each auth form puts the secret where it says, and nowhere a `-vv` line shows.
#[tokio::test]
async fn every_auth_form_sends_the_secret_where_it_says() {
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("ops:{MARKER}"));
    let forms: Vec<(String, wiremock::MockBuilder)> = vec![
        (
            format!("auth = {{ bearer = \"{MARKER}\" }}"),
            Mock::given(header("authorization", format!("Bearer {MARKER}").as_str())),
        ),
        (
            format!("auth = {{ basic = {{ username = \"ops\", password = \"{MARKER}\" }} }}"),
            Mock::given(header("authorization", format!("Basic {basic}").as_str())),
        ),
        (
            format!("auth = {{ scheme = \"AccessKey\", value = \"{MARKER}\" }}"),
            Mock::given(header(
                "authorization",
                format!("AccessKey {MARKER}").as_str(),
            )),
        ),
        (
            format!("auth = {{ header = \"X-Api-Key\", value = \"{MARKER}\" }}"),
            Mock::given(header("x-api-key", MARKER)),
        ),
        (
            format!("auth = {{ query = \"api_key\", value = \"{MARKER}\" }}"),
            Mock::given(query_param("api_key", MARKER)),
        ),
        (
            r#"headers = { "X-Client" = "ops", "X-Token" = { env = "ACME_TOKEN" } }"#.to_owned(),
            Mock::given(header("x-client", "ops")).and(header("x-token", MARKER)),
        ),
    ];
    for (auth, mock) in forms {
        let server = MockServer::start().await;
        mock.and(method("GET"))
            .and(path("/v2/balance"))
            .respond_with(ok(r#"{"data": {"balance": "300.00", "currency": "USD"}}"#))
            .expect(1)
            .mount(&server)
            .await;
        let home = Home::new();
        home.config(&profile(
            &server.uri(),
            &format!(
                "{auth}\nbalance_pointer = \"/data/balance\"\ncurrency_pointer = \"/data/currency\""
            ),
        ));
        let mut cmd = home.cmd();
        cmd.env("ACME_TOKEN", MARKER)
            .arg("--config")
            .arg(home.path().join("config.toml"))
            .args(["-vv", "check", "--json"]);
        let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap();
        assert_eq!(code(&out), 0, "{auth}: {}", stderr(&out));
        assert_eq!(raw_balance(&out), "300.00");
        let all = stdout(&out) + &stderr(&out);
        for leak in [
            MARKER.to_owned(),
            basic.clone(),
            url::form_urlencoded::byte_serialize(MARKER.as_bytes()).collect::<String>(),
        ] {
            assert!(!all.contains(&leak), "{auth}: {leak} in:\n{all}");
        }
    }
}

/// POST with a JSON body; the amount as scaled integers; details; a currency
/// inside the amount string.
#[tokio::test]
async fn post_scale_details_and_currency_in_the_amount() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/balance"))
        .and(header("content-type", "application/json"))
        .and(body_json(serde_json::json!({"account": "42"})))
        .respond_with(ok(r#"{"d": {"units": 1234567, "limit": 50000}}"#))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/balance"))
        .respond_with(ok(r#"{"UserData": {"balance": "KES 1785.50"}}"#))
        .expect(1)
        .mount(&server)
        .await;
    let home = Home::new();
    home.config(&format!(
        "{}\n[profiles.at]\nprovider = \"http\"\nurl = \"{}/v2/balance\"\nbalance_pointer = \"/UserData/balance\"\n",
        profile(
            &server.uri(),
            "method = \"POST\"\nbody = '{\"account\": \"42\"}'\nbalance_pointer = \"/d/units\"\n\
             scale = 10000\ndetails = { credit_limit = \"/d/limit\" }\ncurrency = \"EUR\""
        ),
        server.uri()
    ));
    let out = home.run_async(&["check", "--json"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("\"balance\": 123.4567"), "{text}");
    assert!(text.contains("\"credit_limit\": 5"), "{text}");
    let rows = json(&out);
    assert_eq!(rows[0]["currency"], "EUR");
    assert!(text.contains("\"balance\": 1785.50,"), "{text}");
    assert_eq!(rows[1]["currency"], "KES");
}

/// Codes inside HTTP 200 are errors all the same, looked up in the three lists
/// (numbers and strings alike); a rate-limit code is retried like a 429.
#[tokio::test]
async fn error_codes_inside_http_200() {
    let codes = "error_code_pointer = \"/errors/0/code\"\nerror_message_pointer = \"/errors/0/detail\"\n\
                 auth_codes = [\"10009\"]\nrate_limit_codes = [10011]\nnot_prepaid_codes = [\"postpaid\"]\n\
                 balance_pointer = \"/data/balance\"";
    for (body, exit, kind, hits) in [
        (
            r#"{"errors": [{"code": 10009, "detail": "bad key"}]}"#,
            4,
            "auth",
            1,
        ),
        (r#"{"errors": [{"code": "10011"}]}"#, 5, "rate_limited", 2),
        (r#"{"errors": [{"code": "postpaid"}]}"#, 6, "not_prepaid", 1),
        (
            r#"{"errors": [{"code": "E1", "detail": "nope"}]}"#,
            8,
            "provider",
            1,
        ),
        (r#"{"data": {"balance": true}}"#, 8, "provider", 1),
    ] {
        let server = MockServer::start().await;
        Mock::given(path("/v2/balance"))
            .respond_with(ok(body))
            .expect(hits)
            .mount(&server)
            .await;
        let home = Home::new();
        home.config(&profile(&server.uri(), codes));
        let out = home.run_async(&["check", "--json"]).await;
        assert_eq!(code(&out), exit, "{body}: {}", stderr(&out));
        assert_eq!(json(&out)[0]["error"]["kind"], kind, "{body}");
    }
}

/// Mistakes in the description are config errors (exit 3) naming the key.
#[test]
fn description_mistakes_name_the_key() {
    let home = Home::new();
    let url = "https://api.acme.example";
    for (extra, needle) in [
        (
            "balance_pointer = \"/b\"\nauth_code = []",
            "`auth_code` in profile `acme`: did you mean `auth_codes`?",
        ),
        (
            "balance_pointer = \"data/balance\"",
            "`balance_pointer` `data/balance` is not a JSON Pointer",
        ),
        (
            "balance_pointer = \"/b\"\nbody = '{}'",
            "`body` is only sent with method = \"POST\"",
        ),
        (
            "balance_pointer = \"/b\"\nscale = 0",
            "`scale` must be a positive whole number",
        ),
        (
            "balance_pointer = \"/b\"\nscale = 1.5",
            "`scale` must be a positive whole number",
        ),
        (
            "balance_pointer = \"/b\"\nmethod = \"PUT\"",
            "`method` is `PUT`; it must be one of: GET, POST",
        ),
        (
            "balance_pointer = \"/b\"\nauth = { bearer = \"x\", header = \"X-K\", value = \"y\" }",
            "names 2 forms (bearer, header)",
        ),
        (
            "balance_pointer = \"/b\"\nauth = { token = \"x\" }",
            "`auth` names no auth form",
        ),
        (
            "balance_pointer = \"/b\"\nauth = { header = \"X K\", value = \"y\" }",
            "is not a header name",
        ),
        (
            "balance_pointer = \"/b\"\nauth_codes = \"10009\"",
            "`auth_codes` must be a list of codes",
        ),
        (
            "balance_pointer = \"/b\"\ndetails = { x = \"nope\" }",
            "`details.x` `nope` is not a JSON Pointer",
        ),
        ("", "`balance_pointer` is required"),
    ] {
        assert_config_error(&home, &profile(url, extra), needle);
    }
    // `url` follows base_url's rules, and base_url itself is not the way.
    for (text, needle) in [
        (
            "[profiles.acme]\nprovider = \"http\"\nurl = \"http://api.acme.example/b\"\nbalance_pointer = \"/b\"\n",
            "allowed only for loopback",
        ),
        (
            "[profiles.acme]\nprovider = \"http\"\nbase_url = \"https://a.example\"\nurl = \"https://a.example/b\"\nbalance_pointer = \"/b\"\n",
            "`base_url` is not used by http",
        ),
        (
            "[profiles.acme]\nprovider = \"http\"\nbalance_pointer = \"/b\"\n",
            "`url` is required",
        ),
    ] {
        assert_config_error(&home, text, needle);
    }
}

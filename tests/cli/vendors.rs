//! Every vendor's documented success and error bodies, served on loopback,
//! through the real binary: the JSON row and the exit status. The mocks match
//! the exact auth header each vendor wants, so a wrong scheme fails the test.

use crate::common::{Home, code, fixture, json, raw_balance, stderr};
use serde_json::Value;
use wiremock::matchers::{
    basic_auth, body_json, body_string_contains, header, header_regex, method, path,
};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ACCOUNT: &str = "0123456789abcdef0123456789abcdef";

struct Vendor {
    /// The balance request, with every matcher the vendor's docs require.
    mock: fn() -> wiremock::MockBuilder,
    /// Requests that must come first (Yeastar's token).
    before: fn() -> Vec<Mock>,
    profile: fn(&str) -> String,
    fixtures: &'static str,
}

fn nothing() -> Vec<Mock> {
    Vec::new()
}

const EIGHT_BY_EIGHT: Vendor = Vendor {
    mock: || {
        Mock::given(method("GET"))
            .and(path(format!("/api/v1/accounts/{ACCOUNT}/balance")))
            .and(header("authorization", "Bearer key-8x8"))
    },
    before: nothing,
    profile: |url| {
        format!(
            "[profiles.sg]\nprovider = \"8x8\"\nbase_url = \"{url}\"\naccount_id = \"{ACCOUNT}\"\napi_key = \"key-8x8\"\n"
        )
    },
    fixtures: "8x8",
};

const INFOBIP: Vendor = Vendor {
    mock: || {
        Mock::given(method("GET"))
            .and(path("/account/1/balance"))
            .and(header("authorization", "App key-infobip"))
            .and(header("accept", "application/json"))
    },
    before: nothing,
    profile: |url| {
        format!(
            "[profiles.ib]\nprovider = \"infobip\"\nbase_url = \"{url}\"\napi_key = \"key-infobip\"\n"
        )
    },
    fixtures: "infobip",
};

const YEASTAR: Vendor = Vendor {
    mock: || {
        Mock::given(method("GET"))
            .and(path("/user/openapi/user/v1/client/account_balance"))
            .and(header("authorization", "Bearer ys-access-token-1"))
            .and(header_regex("user-agent", "^balance/"))
    },
    before: || vec![yeastar_token()],
    profile: |url| {
        format!(
            "[profiles.ys]\nprovider = \"yeastar\"\nbase_url = \"{url}\"\nclient_id = \"ys-client\"\nclient_secret = \"ys-secret\"\ncurrency = \"USD\"\n"
        )
    },
    fixtures: "yeastar",
};

fn yeastar_token() -> Mock {
    Mock::given(method("POST"))
        .and(path("/auth/openapi/v1/oauth/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(header_regex("user-agent", "^balance/"))
        .and(body_string_contains("grant_type=pp_credentials"))
        .and(body_string_contains("client_id=ys-client"))
        .and(body_string_contains("client_secret=ys-secret"))
        .respond_with(json_response(200, &fixture("yeastar", "token.json")))
        .expect(1)
}

const FRONTIER_REST: Vendor = Vendor {
    mock: || {
        Mock::given(method("GET"))
            .and(path(
                "/frontier/v1beta1/organizations/org-1/billing/bill-1/balance",
            ))
            .and(basic_auth("svc-id", "svc-secret"))
    },
    before: nothing,
    profile: |url| {
        format!(
            "[profiles.fr]\nprovider = \"frontier\"\nbase_url = \"{url}/frontier\"\norg_id = \"org-1\"\nbilling_id = \"bill-1\"\nclient_id = \"svc-id\"\nclient_secret = \"svc-secret\"\n"
        )
    },
    fixtures: "frontier",
};

const FRONTIER_CONNECT: Vendor = Vendor {
    mock: || {
        Mock::given(method("POST"))
            .and(path(
                "/raystack.frontier.v1beta1.FrontierService/GetBillingBalance",
            ))
            .and(basic_auth("svc-id", "svc-secret"))
            .and(header("content-type", "application/json"))
            .and(body_json(serde_json::json!({"id": "bill-1"})))
    },
    before: nothing,
    profile: |url| {
        format!(
            "[profiles.fc]\nprovider = \"frontier\"\napi = \"connect\"\nbase_url = \"{url}\"\nbilling_id = \"bill-1\"\nclient_id = \"svc-id\"\nclient_secret = \"svc-secret\"\n"
        )
    },
    fixtures: "frontier",
};

const ENGAGELAB: Vendor = Vendor {
    mock: || {
        Mock::given(method("GET"))
            .and(path("/v1/balance"))
            .and(basic_auth("dev-key", "dev-secret"))
    },
    before: nothing,
    profile: |url| {
        format!(
            "[profiles.el]\nprovider = \"engagelab\"\nbase_url = \"{url}\"\ndev_key = \"dev-key\"\ndev_secret = \"dev-secret\"\n"
        )
    },
    fixtures: "engagelab",
};

fn json_response(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json")
}

/// Serves `body` with `status` once and checks the profile; returns the JSON row
/// and the raw output.
async fn serve(
    vendor: &Vendor,
    status: u16,
    body: &str,
    exit: i32,
) -> (Value, std::process::Output) {
    let server = MockServer::start().await;
    for mock in (vendor.before)() {
        mock.mount(&server).await;
    }
    (vendor.mock)()
        .respond_with(json_response(status, body))
        .expect(1)
        .mount(&server)
        .await;
    let home = Home::new();
    home.config(&format!(
        "[settings]\nretries = 0\n\n{}",
        (vendor.profile)(&server.uri())
    ));
    let out = home.run_async(&["check", "--json"]).await;
    assert_eq!(code(&out), exit, "stderr: {}", stderr(&out));
    let row = json(&out).remove(0);
    (row, out)
}

/// A documented error body gives the right kind, code and exit status.
async fn error_case(
    vendor: &Vendor,
    file: &str,
    status: u16,
    exit: i32,
    kind: &str,
    provider_code: Option<&str>,
) {
    let (row, _) = serve(vendor, status, &fixture(vendor.fixtures, file), exit).await;
    assert_eq!(row["status"], "error", "{file}");
    assert_eq!(row["balance"], Value::Null, "{file}");
    assert_eq!(row["error"]["kind"], kind, "{file}: {row}");
    assert_eq!(row["error"]["http_status"], status, "{file}");
    assert_eq!(
        row["error"]["provider_code"].as_str(),
        provider_code,
        "{file}"
    );
    let message = row["error"]["message"].as_str().unwrap();
    assert!(!message.is_empty() && !message.contains('\n'), "{message}");
}

#[tokio::test]
async fn eight_by_eight_balance() {
    let (row, out) = serve(&EIGHT_BY_EIGHT, 200, &fixture("8x8", "balance.json"), 0).await;
    assert_eq!(raw_balance(&out), "149309.7985931");
    assert_eq!(row["currency"], "USD");
    assert_eq!(row["status"], "ok");
    assert_eq!(row["provider"], "8x8");
    assert_eq!(row["error"], Value::Null);
}

#[tokio::test]
async fn eight_by_eight_errors() {
    error_case(
        &EIGHT_BY_EIGHT,
        "401-not-authenticated.json",
        401,
        4,
        "auth",
        Some("1200"),
    )
    .await;
    error_case(
        &EIGHT_BY_EIGHT,
        "403-not-prepaid.json",
        403,
        6,
        "not_prepaid",
        Some("1201"),
    )
    .await;
    error_case(
        &EIGHT_BY_EIGHT,
        "429-quota.json",
        429,
        5,
        "rate_limited",
        Some("429"),
    )
    .await;
    error_case(
        &EIGHT_BY_EIGHT,
        "500-internal.json",
        500,
        8,
        "provider",
        Some("2000"),
    )
    .await;
}

#[tokio::test]
async fn eight_by_eight_other_403_is_auth() {
    let body = r#"{"code": 1300, "message": "Forbidden", "errorId": "x", "timestamp": "t"}"#;
    let (row, _) = serve(&EIGHT_BY_EIGHT, 403, body, 4).await;
    assert_eq!(row["error"]["kind"], "auth");
}

#[tokio::test]
async fn infobip_balance_with_app_key() {
    let (row, out) = serve(&INFOBIP, 200, &fixture("infobip", "balance.json"), 0).await;
    assert_eq!(raw_balance(&out), "47.79134");
    assert_eq!(row["currency"], "EUR");
}

#[tokio::test]
async fn infobip_errors_in_both_formats() {
    error_case(
        &INFOBIP,
        "401-legacy.json",
        401,
        4,
        "auth",
        Some("UNAUTHORIZED"),
    )
    .await;
    error_case(&INFOBIP, "401-new.json", 401, 4, "auth", Some("E401")).await;
    error_case(
        &INFOBIP,
        "403-forbidden.json",
        403,
        4,
        "auth",
        Some("FORBIDDEN"),
    )
    .await;
    error_case(
        &INFOBIP,
        "429-too-many.json",
        429,
        5,
        "rate_limited",
        Some("TOO_MANY_REQUESTS"),
    )
    .await;
    error_case(
        &INFOBIP,
        "500-general.json",
        500,
        8,
        "provider",
        Some("E500"),
    )
    .await;
}

#[tokio::test]
async fn infobip_basic_auth() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/account/1/balance"))
        .and(basic_auth("ib-user", "ib-pass"))
        .respond_with(json_response(200, &fixture("infobip", "balance.json")))
        .expect(1)
        .mount(&server)
        .await;
    let home = Home::new();
    home.config(&format!(
        "[profiles.ib]\nprovider = \"infobip\"\nbase_url = \"{}\"\nusername = \"ib-user\"\npassword = \"ib-pass\"\n",
        server.uri()
    ));
    let out = home.run_async(&["check", "ib", "--value"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(crate::common::stdout(&out), "47.79134\n");
}

#[tokio::test]
async fn yeastar_token_then_balance() {
    let (row, out) = serve(&YEASTAR, 200, &fixture("yeastar", "balance.json"), 0).await;
    assert_eq!(raw_balance(&out), "675.24");
    assert_eq!(
        row["currency"], "USD",
        "no currency in the answer: the profile's"
    );
}

#[tokio::test]
async fn yeastar_errors() {
    // A fresh token rejected at once is reported, not retried in a loop.
    error_case(
        &YEASTAR,
        "401-token.json",
        401,
        4,
        "auth",
        Some("UNAUTHORIZED"),
    )
    .await;
    error_case(
        &YEASTAR,
        "429.json",
        429,
        5,
        "rate_limited",
        Some("TOO_MANY_REQUESTS"),
    )
    .await;
    // HTTP 200 is not success without code "success".
    error_case(
        &YEASTAR,
        "200-failure.json",
        200,
        8,
        "provider",
        Some("SYSTEM_ERROR"),
    )
    .await;
}

#[tokio::test]
async fn yeastar_rejected_client_credentials() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/openapi/v1/oauth/token"))
        .respond_with(json_response(401, &fixture("yeastar", "401-token.json")))
        .expect(1)
        .mount(&server)
        .await;
    let home = Home::new();
    home.config(&format!(
        "[settings]\nretries = 0\n{}",
        (YEASTAR.profile)(&server.uri())
    ));
    let out = home.run_async(&["check", "--json"]).await;
    assert_eq!(code(&out), 4, "{}", stderr(&out));
}

#[tokio::test]
async fn frontier_rest_balance() {
    let (row, out) = serve(
        &FRONTIER_REST,
        200,
        &fixture("frontier", "rest-balance.json"),
        0,
    )
    .await;
    assert_eq!(raw_balance(&out), "12500");
    assert_eq!(row["currency"], "VC");
}

#[tokio::test]
async fn frontier_rest_errors() {
    error_case(&FRONTIER_REST, "rest-401.json", 401, 4, "auth", Some("16")).await;
    error_case(&FRONTIER_REST, "rest-403.json", 403, 4, "auth", Some("7")).await;
    error_case(
        &FRONTIER_REST,
        "rest-404.json",
        404,
        8,
        "provider",
        Some("5"),
    )
    .await;
    error_case(
        &FRONTIER_REST,
        "rest-400.json",
        400,
        8,
        "provider",
        Some("3"),
    )
    .await;
    error_case(
        &FRONTIER_REST,
        "rest-429.json",
        429,
        5,
        "rate_limited",
        Some("8"),
    )
    .await;
    error_case(
        &FRONTIER_REST,
        "rest-500.json",
        500,
        8,
        "provider",
        Some("13"),
    )
    .await;
}

#[tokio::test]
async fn frontier_amounts_negative_numeric_and_missing() {
    let (_, out) = serve(
        &FRONTIER_REST,
        200,
        r#"{"balance":{"amount":-300,"currency":"VC"}}"#,
        0,
    )
    .await;
    assert_eq!(raw_balance(&out), "-300");
    let (_, out) = serve(
        &FRONTIER_CONNECT,
        200,
        &fixture("frontier", "connect-zero.json"),
        0,
    )
    .await;
    assert_eq!(raw_balance(&out), "0");
}

#[tokio::test]
async fn frontier_connect_balance() {
    let (row, out) = serve(
        &FRONTIER_CONNECT,
        200,
        &fixture("frontier", "connect-balance.json"),
        0,
    )
    .await;
    assert_eq!(raw_balance(&out), "12500");
    assert_eq!(row["currency"], "VC");
}

#[tokio::test]
async fn frontier_connect_errors() {
    error_case(
        &FRONTIER_CONNECT,
        "connect-401.json",
        401,
        4,
        "auth",
        Some("unauthenticated"),
    )
    .await;
    error_case(
        &FRONTIER_CONNECT,
        "connect-403.json",
        403,
        4,
        "auth",
        Some("permission_denied"),
    )
    .await;
    error_case(
        &FRONTIER_CONNECT,
        "connect-404.json",
        404,
        8,
        "provider",
        Some("not_found"),
    )
    .await;
    error_case(
        &FRONTIER_CONNECT,
        "connect-429.json",
        429,
        5,
        "rate_limited",
        Some("resource_exhausted"),
    )
    .await;
    error_case(
        &FRONTIER_CONNECT,
        "connect-500.json",
        500,
        8,
        "provider",
        Some("internal"),
    )
    .await;
}

#[tokio::test]
async fn engagelab_total_from_exact_integers() {
    let (row, out) = serve(&ENGAGELAB, 200, &fixture("engagelab", "balance.json"), 0).await;
    assert_eq!(raw_balance(&out), "14.3456");
    let text = crate::common::stdout(&out);
    assert!(text.contains("\"general_balance\": 12.3456"), "{text}");
    assert!(text.contains("\"gift_balance\": 2"), "{text}");
    assert_eq!(row["currency"], Value::Null);
}

#[tokio::test]
async fn engagelab_float_fallback() {
    let body = r#"{"balance": 12.3456, "gift_balance": 2.5, "total_balance": 14.8456}"#;
    let (row, out) = serve(&ENGAGELAB, 200, body, 0).await;
    assert_eq!(raw_balance(&out), "14.8456");
    assert_eq!(row["details"]["gift_balance"], 2.5);
}

#[tokio::test]
async fn engagelab_errors() {
    error_case(
        &ENGAGELAB,
        "2001-invalid-token.json",
        401,
        4,
        "auth",
        Some("2001"),
    )
    .await;
    error_case(
        &ENGAGELAB,
        "2002-token-expired.json",
        403,
        4,
        "auth",
        Some("2002"),
    )
    .await;
    error_case(
        &ENGAGELAB,
        "2004-no-permission.json",
        403,
        4,
        "auth",
        Some("2004"),
    )
    .await;
    error_case(
        &ENGAGELAB,
        "1000-internal.json",
        500,
        8,
        "provider",
        Some("1000"),
    )
    .await;
    let (row, _) = serve(&ENGAGELAB, 429, "", 5).await;
    assert_eq!(row["error"]["kind"], "rate_limited");
}

/// A wrong scheme is not accepted by the mocks above: prove the matchers bite.
#[tokio::test]
async fn wrong_auth_scheme_is_not_matched() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/account/1/balance"))
        .and(header("authorization", "Bearer key-infobip"))
        .respond_with(json_response(200, &fixture("infobip", "balance.json")))
        .expect(0)
        .mount(&server)
        .await;
    let home = Home::new();
    home.config(&format!(
        "[settings]\nretries = 0\n{}",
        (INFOBIP.profile)(&server.uri())
    ));
    let out = home.run_async(&["check", "--json"]).await;
    assert_eq!(
        code(&out),
        8,
        "wiremock answers 404 to an unmatched request"
    );
}

//! The exact request each vendor's adapter sends (method, path, auth header,
//! body), matched by loopback mocks that must be hit; and answers its documented
//! fixtures do not cover. The fixtures themselves are the conformance suite's.

use crate::common::{Home, YEASTAR_TOKEN, code, fixture, json, raw_balance, stderr};
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
};

fn yeastar_token() -> Mock {
    Mock::given(method("POST"))
        .and(path("/auth/openapi/v1/oauth/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(header_regex("user-agent", "^balance/"))
        .and(body_string_contains("grant_type=pp_credentials"))
        .and(body_string_contains("client_id=ys-client"))
        .and(body_string_contains("client_secret=ys-secret"))
        .respond_with(json_response(200, YEASTAR_TOKEN))
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

/// Each vendor's documented request, answered with its documented balance:
/// every mock matcher (and the `.expect(1)`) must hold.
#[tokio::test]
async fn each_vendor_sends_its_documented_request() {
    for (vendor, provider, balance) in [
        (&EIGHT_BY_EIGHT, "8x8", "balance"),
        (&INFOBIP, "infobip", "balance"),
        (&YEASTAR, "yeastar", "balance"),
        (&FRONTIER_REST, "frontier", "balance"),
        (&FRONTIER_CONNECT, "frontier", "balance.connect"),
        (&ENGAGELAB, "engagelab", "balance"),
    ] {
        let (row, _) = serve(vendor, 200, &fixture(provider, balance), 0).await;
        assert_eq!(row["status"], "ok", "{provider}: {row}");
    }
}

#[tokio::test]
async fn eight_by_eight_other_403_is_auth() {
    let body = r#"{"code": 1300, "message": "Forbidden", "errorId": "x", "timestamp": "t"}"#;
    let (row, _) = serve(&EIGHT_BY_EIGHT, 403, body, 4).await;
    assert_eq!(row["error"]["kind"], "auth");
}

#[tokio::test]
async fn infobip_basic_auth() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/account/1/balance"))
        .and(basic_auth("ib-user", "ib-pass"))
        .respond_with(json_response(200, &fixture("infobip", "balance")))
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
async fn yeastar_rejected_client_credentials() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/openapi/v1/oauth/token"))
        .respond_with(json_response(
            401,
            &fixture("yeastar", "auth-invalid-token"),
        ))
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
async fn frontier_negative_numeric_amount() {
    let (row, out) = serve(
        &FRONTIER_REST,
        200,
        r#"{"balance":{"amount":-300,"currency":"VC"}}"#,
        0,
    )
    .await;
    assert_eq!(raw_balance(&out), "-300");
    assert_eq!(row["currency"], "VC");
}

#[tokio::test]
async fn engagelab_float_fallback() {
    let body = r#"{"balance": 12.3456, "gift_balance": 2.5, "total_balance": 14.8456}"#;
    let (row, out) = serve(&ENGAGELAB, 200, body, 0).await;
    assert_eq!(raw_balance(&out), "14.8456");
    assert_eq!(row["parts"]["bonus"], 2.5);
}

#[tokio::test]
async fn engagelab_429_without_a_body_is_rate_limited() {
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
        .respond_with(json_response(200, &fixture("infobip", "balance")))
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

//! Yeastar's token is cached on disk between runs (0600), refreshed when it is
//! about to expire, and fetched anew once when the vendor rejects it.

mod common;

use common::{Home, code, fixture, stderr};
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "/auth/openapi/v1/oauth/token";
const BALANCE: &str = "/user/openapi/user/v1/client/account_balance";

fn token_body(token: &str, expires_in: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(
        format!(
            r#"{{"code":"success","detailMessage":"","requestId":"r","result":{{"token":"{token}","tokenHead":"Bearer","expiresIn":"{expires_in}","refreshToken":"refresh-{token}"}},"status":200}}"#
        ),
        "application/json",
    )
}

fn balance_ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(fixture("yeastar", "balance.json"), "application/json")
}

fn setup(home: &Home, url: &str) {
    home.config(&format!(
        "[settings]\nretries = 0\n[profiles.ys]\nprovider = \"yeastar\"\nbase_url = \"{url}\"\nclient_id = \"cid\"\nclient_secret = \"csecret\"\n"
    ));
}

fn cache_files(home: &Home) -> Vec<std::path::PathBuf> {
    match std::fs::read_dir(home.cache_dir().join("balance")) {
        Ok(dir) => dir.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    }
}

#[tokio::test]
async fn second_run_reuses_the_cached_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN))
        .respond_with(token_body("tok-1", "1800"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path(BALANCE))
        .and(header("authorization", "Bearer tok-1"))
        .respond_with(balance_ok())
        .expect(2)
        .mount(&server)
        .await;
    let home = Home::new();
    setup(&home, &server.uri());
    for run in 0..2 {
        let out = home.run_async(&["-v", "check", "--value"]).await;
        assert_eq!(code(&out), 0, "run {run}: {}", stderr(&out));
        assert_eq!(common::stdout(&out), "675.24\n");
    }
    let files = cache_files(&home);
    assert_eq!(files.len(), 1, "{files:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let dir_mode = std::fs::metadata(files[0].parent().unwrap())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(dir_mode & 0o077, 0, "cache dir private");
    }
}

#[tokio::test]
async fn rejected_cached_token_is_replaced_once() {
    let home = Home::new();
    // First run caches tok-1.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN))
        .respond_with(token_body("tok-1", "1800"))
        .mount(&server)
        .await;
    Mock::given(path(BALANCE))
        .respond_with(balance_ok())
        .mount(&server)
        .await;
    setup(&home, &server.uri());
    assert_eq!(code(&home.run_async(&["check"]).await), 0);
    server.reset().await;

    // The vendor revoked tok-1: one new token by credentials, one retry.
    Mock::given(path(BALANCE))
        .and(header("authorization", "Bearer tok-1"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_raw(fixture("yeastar", "401-token.json"), "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN))
        .and(body_string_contains("grant_type=pp_credentials"))
        .respond_with(token_body("tok-2", "1800"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path(BALANCE))
        .and(header("authorization", "Bearer tok-2"))
        .respond_with(balance_ok())
        .expect(1)
        .mount(&server)
        .await;
    let out = home.run_async(&["check"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[tokio::test]
async fn token_near_expiry_is_refreshed_with_the_refresh_token() {
    let home = Home::new();
    let server = MockServer::start().await;
    // 30 s is inside the expiry margin, so the next run refreshes.
    Mock::given(method("POST"))
        .and(path(TOKEN))
        .and(body_string_contains("grant_type=pp_credentials"))
        .respond_with(token_body("tok-1", "30"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN))
        .and(body_string_contains("grant_type=refresh_token"))
        .and(body_string_contains("refresh_token=refresh-tok-1"))
        .respond_with(token_body("tok-2", "1800"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path(BALANCE))
        .respond_with(balance_ok())
        .expect(2)
        .mount(&server)
        .await;
    setup(&home, &server.uri());
    assert_eq!(code(&home.run_async(&["check"]).await), 0);
    let out = home.run_async(&["check"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

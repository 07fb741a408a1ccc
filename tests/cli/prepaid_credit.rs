//! The prepaid-credit vendors' own rules through the binary: DeepSeek's
//! balance per currency picked by the profile's `currency`, and TextBelt's key
//! in the URL path never shown.

use crate::common::hostile::{Hostile, json};
use crate::common::{Home, code, stderr};

#[test]
fn deepseek_currency_picks_the_balance() {
    let server = Hostile::fixed(json(
        200,
        r#"{"is_available":true,"balance_infos":[{"currency":"CNY","total_balance":"110.00","granted_balance":"10.00","topped_up_balance":"100.00"},{"currency":"USD","total_balance":"7.31","granted_balance":"0.00","topped_up_balance":"7.31"}]}"#,
    ));
    let home = Home::new();
    let profile = |name: &str, extra: &str| {
        format!(
            "[profiles.{name}]\nprovider = \"deepseek\"\nbase_url = \"{}\"\napi_key = \"sk-test\"\n{extra}",
            server.url()
        )
    };
    home.config(&format!(
        "[settings]\nretries = 0\n\n{}\n{}\n{}",
        profile("usd", "currency = \"USD\"\n"),
        profile("cny", "currency = \"cny\"\n"),
        profile("unset", ""),
    ));
    let out = home.run(&["check", "--json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let by = |name: &str| rows.iter().find(|r| r["profile"] == name).unwrap().clone();
    assert_eq!(by("usd")["currency"], "USD", "{}", stderr(&out));
    assert_eq!(by("cny")["currency"], "CNY");
    // Digits as the vendor wrote them (a JSON reader here would drop zeros).
    let text = String::from_utf8_lossy(&out.stdout).replace([' ', '\n'], "");
    for digits in [
        r#""balance":7.31"#,
        r#""balance":110.00"#,
        r#""bonus":10.00"#,
    ] {
        assert!(text.contains(digits), "{digits} in {text}");
    }
    let unset = by("unset");
    assert_eq!(unset["error"]["kind"], "config", "{unset}");
    let message = unset["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("CNY, USD") && message.contains("set `currency`"),
        "{message}"
    );
}

#[test]
fn textbelt_key_in_the_path_is_never_shown() {
    let server = Hostile::fixed(json(200, r#"{"success": true, "quotaRemaining": 98}"#));
    let home = Home::new();
    // A space and a slash: the URL carries them percent-encoded.
    let key = "MARKER tb/key-7f3a";
    home.config(&format!(
        "[profiles.tb]\nprovider = \"textbelt\"\nbase_url = \"{}\"\napi_key = \"{key}\"\n",
        server.url()
    ));
    let out = home.run(&["-vv", "check", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let request = server.requests().join("\n");
    assert!(
        request.starts_with("GET /quota/MARKER%20tb%2Fkey-7f3a "),
        "{request}"
    );
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(all.contains("/quota/"), "-vv shows the request: {all}");
    for shown in ["MARKER tb/key-7f3a", "MARKER%20tb%2Fkey-7f3a", "MARKER"] {
        assert!(!all.contains(shown), "{shown} in: {all}");
    }
}

#[test]
fn bulkgate_token_goes_in_the_json_body() {
    let server = Hostile::fixed(json(
        200,
        r#"{"data":{"wallet":"bg1","credit":215.8138,"currency":"credits","free_messages":51}}"#,
    ));
    let home = Home::new();
    home.config(&format!(
        "[profiles.bg]\nprovider = \"bulkgate\"\nbase_url = \"{}\"\napplication_id = \"36014\"\napplication_token = \"tok\\\"en\"\n",
        server.url()
    ));
    let out = home.run(&["check", "--format", "value"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let request = server.requests().join("\n");
    assert!(
        request.starts_with("POST /api/2.0/advanced/info "),
        "{request}"
    );
    assert!(
        request
            .to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{request}"
    );
    let body = request.split("\r\n\r\n").nth(1).unwrap_or_default();
    let body: serde_json::Value = serde_json::from_str(body).expect(&request);
    assert_eq!(
        body,
        serde_json::json!({"application_id": "36014", "application_token": "tok\"en"})
    );
}

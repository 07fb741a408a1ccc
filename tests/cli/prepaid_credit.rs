//! The prepaid-credit vendors' own rules through the binary: DeepSeek's
//! balance per currency picked by the profile's `currency`, and TextBelt's key
//! in the URL path never shown.

use crate::common::hostile::{Hostile, json};
use crate::common::{Home, code, stderr};

/// DeepSeek's documented entry and one in its other currency.
const TWO_CURRENCIES: &str = r#"{"is_available":true,"balance_infos":[{"currency":"CNY","total_balance":"110.00","granted_balance":"10.00","topped_up_balance":"100.00"},{"currency":"USD","total_balance":"7.31","granted_balance":"0.00","topped_up_balance":"7.31"}]}"#;

#[test]
fn deepseek_currency_picks_the_balance() {
    let server = Hostile::fixed(json(200, TWO_CURRENCIES));
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
    // Without `currency`, each entry is a result of its own, in the
    // vendor's order, named by its currency (issue 20 item 4).
    let unset: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| r["profile"].as_str().unwrap().starts_with("unset"))
        .map(|r| {
            (
                r["profile"].as_str().unwrap(),
                r["currency"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        unset,
        [("unset/CNY", "CNY"), ("unset/USD", "USD")],
        "{}",
        stderr(&out)
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

/// Per-currency thresholds by `overrides`, the table's totals per currency,
/// a single result by `profile/label` for `--value`, and `--json --totals`.
#[test]
fn deepseek_currencies_are_results_with_their_own_thresholds() {
    let server = Hostile::fixed(json(200, TWO_CURRENCIES));
    let home = Home::new();
    home.config(&format!(
        "[settings]\nretries = 0\nhistory = false\n\n[profiles.a]\nprovider = \"deepseek\"\nbase_url = \"{url}\"\napi_key = \"sk-test\"\nmin_balance = 5\n\n[profiles.a.overrides.USD]\nmin_balance = 10\n\n[profiles.b]\nprovider = \"deepseek\"\nbase_url = \"{url}\"\napi_key = \"sk-test\"\n",
        url = server.url()
    ));
    let out = home.run(&["check"]);
    let table = String::from_utf8_lossy(&out.stdout).into_owned();
    // USD 7.31 is below its own 10, CNY 110.00 above the profile's 5.
    assert_eq!(code(&out), 9, "{table}{}", stderr(&out));
    let line = |start: &str| {
        table
            .lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no {start} in {table}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(line("a/USD ").ends_with("LOW (min 10)"), "{table}");
    assert!(line("a/CNY ").ends_with("ok"), "{table}");
    // One total per currency, exact, never across them.
    let totals: Vec<&str> = table.lines().filter(|l| l.starts_with("total")).collect();
    assert_eq!(totals.len(), 2, "{table}");
    assert!(table.contains("220.00  CNY"), "{table}");
    assert!(table.contains("14.62  USD"), "{table}");

    let out = home.run(&["check", "a/USD", "--value"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "7.31\n",
        "{}",
        stderr(&out)
    );
    let out = home.run(&["check", "a", "--value"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("a/CNY, a/USD"), "{}", stderr(&out));

    let out = home.run(&["check", "--json", "--totals"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["results"].as_array().unwrap().len(), 4);
    let text = String::from_utf8_lossy(&out.stdout).replace([' ', '\n'], "");
    assert!(
        text.contains(
            r#"{"currency":"CNY","unit":"money","provider":null,"amount":220.00,"results":2}"#
        ) && text.contains(
            r#"{"currency":"USD","unit":"money","provider":null,"amount":14.62,"results":2}"#
        ),
        "{text}"
    );
    // Without --totals, --json stays the array scripts read.
    let out = home.run(&["check", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(rows.is_array());
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

//! Several results from one profile, through the real binary against the
//! sandbox: Vonage's subaccounts (the Subaccounts API's list), each named
//! `profile/label` with its own thresholds, in every output, the history and
//! alerts; and the vendors that refuse `subaccounts` with their reason.

use crate::common::{Home, Sandbox, assert_config_error, code, json, stderr, stdout};

fn vonage(sandbox: &Sandbox, name: &str, secret: &str, extra: &str) -> String {
    format!(
        "[profiles.{name}]\nprovider = \"vonage\"\nbase_url = \"{}\"\napi_key = \"a1b2c3d4\"\napi_secret = \"{secret}\"\n{extra}",
        sandbox.url("vonage")
    )
}

#[test]
fn each_subaccount_is_a_result_with_its_own_threshold() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    let mail = home.path().join("mail.txt");
    home.config(&format!(
        "[settings]\nretries = 0\n\n[[alerts]]\ncommand = [\"sh\", \"-c\", \"cat >> {}\"]\n\n{}\n[profiles.resell.overrides.1234qwer]\nmin_balance = 1\n",
        mail.display(),
        vonage(
            &sandbox,
            "resell",
            "fixture:balance",
            "subaccounts = true\nmin_balance = 10\n"
        ),
    ));
    let out = home.run(&["check", "--json"]);
    let rows = json(&out);
    let seen: Vec<(&str, &str, String, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["profile"].as_str().unwrap(),
                r["status"].as_str().unwrap(),
                r["balance"].to_string(),
                r["currency"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    // The SDK's fixture: the primary account, then each subaccount by name;
    // the override by id lifts one of them out of LOW.
    assert_eq!(
        seen,
        [
            ("resell", "ok", "27.4572".into(), "EUR"),
            (
                "resell/second own balance subacct",
                "low",
                "0.5".into(),
                "EUR"
            ),
            ("resell/own balance subaccount", "ok", "1.71".into(), "EUR"),
        ],
        "{}",
        stderr(&out)
    );
    assert_eq!(code(&out), 9);
    assert_eq!(rows[2]["min_balance"].to_string(), "1");
    // Exact digits and parts as the vendor wrote them.
    let text = stdout(&out).replace([' ', '\n'], "");
    assert!(text.contains(r#""credit":0.0000"#), "{text}");

    // Prometheus: the one `profile` label carries the result's name.
    let out = home.run(&["check", "--format", "prometheus", "--no-alerts"]);
    assert!(
        stdout(&out).contains(
            "balance_amount{profile=\"resell/own balance subaccount\",provider=\"vonage\",currency=\"EUR\"} 1.71"
        ),
        "{}",
        stdout(&out)
    );
    // Nagios names the LOW subaccount.
    let out = home.run(&["check", "--format", "nagios", "--no-alerts"]);
    assert!(
        stdout(&out).starts_with("BALANCE WARNING - resell/second own balance subacct: 0.5 EUR"),
        "{}",
        stdout(&out)
    );

    // The history keeps each result under its own name, and shows them after
    // their profile.
    let out = home.run(&["history", "--format", "json"]);
    let names: std::collections::BTreeSet<String> = json(&out)
        .iter()
        .map(|r| r["profile"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names.into_iter().collect::<Vec<_>>(),
        [
            "resell",
            "resell/own balance subaccount",
            "resell/second own balance subacct"
        ],
        "{}",
        stderr(&out)
    );
    // One alert, for the one result that went LOW.
    let sent = std::fs::read_to_string(&mail).unwrap_or_default();
    assert!(
        sent.contains("resell/second own balance subacct") && !sent.contains("resell (vonage)"),
        "{sent}"
    );
}

#[test]
fn a_list_picks_subaccounts_and_names_what_it_cannot_show() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    home.config(&format!(
        "[settings]\nretries = 0\nhistory = false\n\n{}\n{}",
        vonage(
            &sandbox,
            "pick",
            "fixture:balance-shared",
            "subaccounts = [\"1234qwer\", \"aaaa1111\", \"gone99\"]\n"
        ),
        vonage(
            &sandbox,
            "all",
            "fixture:balance-shared",
            "subaccounts = true\n"
        ),
    ));
    let out = home.run(&["check", "--json"]);
    let rows = json(&out);
    let seen: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["profile"].as_str().unwrap(),
                r["error"]["kind"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("pick", "-"),
            ("pick/own balance subaccount", "-"),
            // Spends the primary's money: asked for by id, an error of its own.
            ("pick/shared balance subaccount", "config"),
            ("pick/gone99", "config"),
            // With `true`, the shared one is left out: no money counted twice.
            ("all", "-"),
            ("all/own balance subaccount", "-"),
        ],
        "{}",
        stderr(&out)
    );
    assert!(
        rows[3]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no subaccount `gone99`")
    );
    assert_eq!(code(&out), 3);
    // One result by its name, for --value.
    let out = home.run(&["check", "all/own balance subaccount", "--value"]);
    assert_eq!(stdout(&out), "1.71\n", "{}", stderr(&out));
    let out = home.run(&["check", "all", "--value"]);
    assert_eq!(code(&out), 2);
    assert!(stdout(&out).is_empty());
}

#[test]
fn a_failed_list_is_one_error_for_the_profile() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    home.config(&format!(
        "[settings]\nretries = 0\nhistory = false\n\n{}",
        vonage(
            &sandbox,
            "resell",
            "bad-credentials",
            "subaccounts = true\n"
        ),
    ));
    let out = home.run(&["check", "--json"]);
    let rows = json(&out);
    assert_eq!(rows.len(), 1, "{}", stdout(&out));
    assert_eq!(rows[0]["profile"], "resell");
    assert_eq!(rows[0]["error"]["kind"], "auth");
    assert_eq!(rows[0]["error"]["provider_code"], "unauthorized");
    assert_eq!(code(&out), 4);
}

#[test]
fn subaccounts_where_the_vendor_has_no_balance_for_them_are_refused() {
    let home = Home::new();
    let twilio = "[profiles.t]\nprovider = \"twilio\"\naccount_sid = \"ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\nauth_token = \"x\"\n";
    assert_config_error(
        &home,
        &format!("{twilio}subaccounts = true\n"),
        "Child accounts do not contain balance information",
    );
    assert_config_error(
        &home,
        "[profiles.c]\nprovider = \"clicksend\"\nusername = \"u\"\napi_key = \"k\"\nsubaccounts = true\n",
        "subaccounts have no balance of their own",
    );
    assert_config_error(
        &home,
        "[profiles.i]\nprovider = \"infobip\"\napi_key = \"k\"\nsubaccounts = [\"a\"]\n",
        "`subaccounts` is not supported by infobip (supported by: vonage, brevo)",
    );
    assert_config_error(
        &home,
        "[profiles.i]\nprovider = \"infobip\"\napi_key = \"k\"\nsubacounts = true\n",
        "did you mean `subaccounts`?",
    );
    let v = "[profiles.v]\nprovider = \"vonage\"\napi_key = \"k\"\napi_secret = \"s\"\n";
    assert_config_error(
        &home,
        &format!("{v}[profiles.v.overrides.abc]\nmin_balance = 1\n"),
        "`overrides` sets thresholds for one of several balances",
    );
    assert_config_error(
        &home,
        &format!("{v}subaccounts = [\"abc\"]\n[profiles.v.overrides.xyz]\nmin_balance = 1\n"),
        "`overrides` names `xyz`, which `subaccounts` does not list",
    );
    assert_config_error(
        &home,
        &format!("{v}subaccounts = true\n[profiles.v.overrides.abc]\nmin_balanse = 1\n"),
        "did you mean `min_balance`?",
    );
    assert_config_error(
        &home,
        &format!("{v}subaccounts = \"yes\"\n"),
        "`subaccounts` must be",
    );
    // `balance providers` says which take it and why the others do not.
    let out = home.run(&["providers"]);
    assert!(
        stdout(&out).contains(
            "not supported: subaccounts have no balance of their own (Twilio's API reference"
        ),
        "{}",
        stdout(&out)
    );
}

/// Brevo's reseller children: a page of 20 at a time (`limit`, `offset`)
/// until the answer's `count`; the reseller's own credits from its account.
#[tokio::test]
async fn brevo_children_are_read_page_by_page() {
    use wiremock::matchers::{header, method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    let child = |i: usize| {
        serde_json::json!({"id": 1000 + i, "companyName": format!("child {i}"),
            "email": "x@example.com", "firstName": "A", "lastName": "B",
            "credits": {"emailCredits": 1, "smsCredits": i}})
    };
    let page = |from: usize, to: usize| serde_json::json!({"children": (from..to).map(child).collect::<Vec<_>>(), "count": 21});
    for (offset, body) in [("0", page(0, 20)), ("20", page(20, 21))] {
        Mock::given(method("GET"))
            .and(path("/v3/reseller/children"))
            .and(query_param("limit", "20"))
            .and(query_param("offset", offset))
            .and(header("api-key", "xkeysib-test"))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/v3/account"))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            r#"{"email":"r@example.com","plan":[{"type":"sms","credits":250,"creditsType":"sendLimit"}]}"#,
        ))
        .mount(&server)
        .await;
    let home = Home::new();
    home.config(&format!(
        "[settings]\nretries = 0\nhistory = false\n\n[profiles.br]\nprovider = \"brevo\"\nbase_url = \"{}\"\napi_key = \"xkeysib-test\"\nsubaccounts = true\n",
        server.uri()
    ));
    let out = home.run(&["check", "--json", "--totals"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = doc["results"].as_array().unwrap();
    assert_eq!(rows.len(), 22, "{}", stderr(&out));
    assert_eq!(rows[0]["profile"], "br");
    assert_eq!(rows[21]["profile"], "br/child 20");
    assert_eq!(rows[21]["unit"], "credits");
    // 250 + 0 + 1 + … + 20 = 460 credits, never mixed with money.
    assert_eq!(doc["totals"][0]["amount"], 460);
    assert_eq!(doc["totals"][0]["currency"], "credits");
    assert_eq!(doc["totals"][0]["provider"], "brevo");
    assert_eq!(code(&out), 0);
}

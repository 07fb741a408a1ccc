//! The money model through the binary: thresholds and every format use the
//! available amount, JSON shows its parts and unit, and the sandbox's answers
//! keep the parts adding up.

use serde_json::Value;

use crate::common::{Home, Sandbox, code, json, stderr, stdout};

/// A Telnyx credit account whose cash is negative: available is 98.11.
fn telnyx(sandbox: &Sandbox, name: &str, key: &str, min: &str) -> String {
    format!(
        "\n[profiles.{name}]\nprovider = \"telnyx\"\nbase_url = \"{}\"\napi_key = \"{key}\"\nmin_balance = {min}\n",
        sandbox.url("telnyx")
    )
}

#[test]
fn thresholds_apply_to_the_available_amount() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    let key = "fixture:balance-credit-account";
    home.config(&format!(
        "[settings]\nretries = 0\n{}{}",
        telnyx(&sandbox, "above", key, "50"),
        telnyx(&sandbox, "below", key, "100"),
    ));
    // -1.89 in cash is not low against 50: 98.11 can be spent.
    let out = home.run(&["check", "above", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let row = &json(&out)[0];
    assert_eq!(row["status"], "ok");
    assert_eq!(row["unit"], "money");
    assert!(row["expires_at"].is_null());
    let text = stdout(&out);
    for exact in [
        "\"balance\": 98.11,",
        "\"cash\": -1.89,",
        "\"credit\": 100.00,",
        "\"reserved\": 0.00",
    ] {
        assert!(text.contains(exact), "{exact} in {text}");
    }
    assert_eq!(row["details"], Value::Object(Default::default()));
    let out = home.run(&["check", "below", "--json"]);
    assert_eq!(code(&out), 9, "{}", stderr(&out));
    assert_eq!(json(&out)[0]["status"], "low");

    // The monitoring formats carry the same number.
    let out = home.run(&["check", "above", "--format", "prometheus"]);
    assert!(
        stdout(&out).contains("provider=\"telnyx\",currency=\"USD\"} 98.11\n"),
        "{}",
        stdout(&out)
    );
    let out = home.run(&["check", "below", "--format", "nagios"]);
    assert!(stdout(&out).contains("'below'=98.11;"), "{}", stdout(&out));
    let out = home.run(&["check", "above", "--format", "value"]);
    assert_eq!(stdout(&out), "98.11\n");
}

/// The sandbox's `low` answer is a credit account gone low: the vendor's
/// available figure and the balance under it agree.
#[test]
fn sandbox_low_keeps_parts_consistent() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    home.config(&format!(
        "[settings]\nretries = 0\n{}",
        telnyx(&sandbox, "t", "low", "10")
    ));
    let out = home.run(&["check", "--json"]);
    assert_eq!(code(&out), 9, "{}", stderr(&out));
    let text = stdout(&out);
    for exact in [
        "\"balance\": 3.75,",
        "\"cash\": -96.25,",
        "\"credit\": 100.00,",
    ] {
        assert!(text.contains(exact), "{exact} in {text}");
    }
}

/// Credits are credits: the unit kind is said, the currency text users see
/// is unchanged.
#[test]
fn credits_are_a_unit_kind() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    home.config(&format!(
        "[settings]\nretries = 0\n[profiles.b]\nprovider = \"bulksms\"\nbase_url = \"{}\"\nusername = \"u\"\npassword = \"healthy\"\n[profiles.m]\nprovider = \"messagebird\"\nbase_url = \"{}\"\naccess_key = \"fixture:balance-credits\"\n",
        sandbox.url("bulksms"),
        sandbox.url("messagebird"),
    ));
    let out = home.run(&["check", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rows = json(&out);
    for row in &rows {
        assert_eq!(
            (&row["unit"], &row["currency"]),
            (&Value::from("credits"), &Value::from("credits")),
            "{row}"
        );
    }
}

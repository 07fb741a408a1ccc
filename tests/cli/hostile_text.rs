//! Text from outside (vendor bodies, config values) reaches no output with a
//! control character in it, in any format: no escape sequence can reach a
//! terminal, and no newline can forge a second Nagios status line.

use crate::common::hostile::{self, Action, Hostile};
use crate::common::{Home, code, stderr, stdout};

/// A balance that is an escape-sequence attack with a forged Nagios line.
const BAD_BALANCE: &str =
    r#"{"balance": "\u001b[2J\u001b]0;PWNED\u0007x\nBALANCE OK", "currency":"\u001b[31mEUR"}"#;
/// A good balance in a currency that tries to colour the terminal and flip the line.
const BAD_CURRENCY: &str = r#"{"balance": 12.5, "currency":"\u001b[31mEUR\u202e\u0085"}"#;
/// An error whose message and code carry escapes, a C1 control and a newline.
const BAD_ERROR: &str = r#"{"requestError":{"serviceException":{"messageId":"E\u001b[5m401\u009b","text":"no\u001b]0;PWNED\u0007\r\nBALANCE OK - all fine\u2066"}}}"#;

fn vendor() -> Hostile {
    Hostile::start(|request| {
        let answer = if request.contains("App key-bad-body") {
            hostile::json(200, BAD_BALANCE)
        } else if request.contains("App key-bad-currency") {
            hostile::json(200, BAD_CURRENCY)
        } else {
            hostile::json(401, BAD_ERROR)
        };
        Action::Respond(answer)
    })
}

fn config(home: &Home, url: &str) {
    home.config(&format!(
        r#"[settings]
retries = 0
timeout = 5

[profiles.body]
provider = "infobip"
base_url = "{url}"
api_key = "key-bad-body"

[profiles.cur]
provider = "infobip"
base_url = "{url}"
api_key = "key-bad-currency"

[profiles.err]
provider = "infobip"
base_url = "{url}"
api_key = "key-bad-error"

[profiles.sg]
provider = "8x8"
base_url = "{url}"
account_id = "\u001b[2J\u001b]0;PWNED\u0007\nBALANCE OK"
api_key = "key-8x8-unused"

[profiles.prov]
provider = "\u001b[31mevil\u009b\nBALANCE OK"
"#
    ));
}

/// No C0 control but the line feed ending a line, no DEL, no C1, no bidi control.
fn assert_safe(bytes: &[u8], what: &str) {
    let text = String::from_utf8_lossy(bytes);
    for (i, c) in text.char_indices() {
        let bad = (c < ' ' && c != '\n')
            || ('\u{7f}'..='\u{9f}').contains(&c)
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c);
        assert!(!bad, "{what}: {c:?} at byte {i} in:\n{text}");
    }
}

/// Only the first line of a Nagios answer may be a status line; stderr has none.
fn assert_no_forged_status(out: &std::process::Output, what: &str) {
    let forged = stdout(out)
        .lines()
        .skip(1)
        .chain(stderr(out).lines())
        .any(|l| l.starts_with("BALANCE "));
    assert!(
        !forged,
        "{what}: a forged status line:\n{}{}",
        stdout(out),
        stderr(out)
    );
}

#[test]
fn hostile_vendor_and_config_text_is_one_clean_line_in_every_format() {
    let server = vendor();
    let home = Home::new();
    config(&home, &server.url());
    let all = ["body", "cur", "err", "sg", "prov"];
    let runs: Vec<Vec<&str>> = vec![
        [&["-vv", "check"][..], &all].concat(),
        [&["-vv", "check", "--json"][..], &all].concat(),
        [&["-vv", "check", "--format", "prometheus"][..], &all].concat(),
        [&["-vv", "check", "--format", "nagios"][..], &all].concat(),
        vec!["-vv", "check", "--format", "nagios", "body"],
        vec!["-vv", "check", "--value", "body"],
        vec!["-vv", "check", "--value", "cur"],
        vec!["-vv", "check", "--value", "err"],
        vec!["-vv", "check", "--value", "sg"],
    ];
    for args in &runs {
        let out = home.run(args);
        let what = format!("{args:?}");
        assert!(
            code(&out) != 0 || args.contains(&"cur"),
            "{what}: {}",
            stderr(&out)
        );
        assert_safe(&out.stdout, &format!("{what} stdout"));
        assert_safe(&out.stderr, &format!("{what} stderr"));
        assert_no_forged_status(&out, &what);
    }

    // What is left still says what happened.
    let out = home.run(&["check", "--json", "body", "cur", "err", "sg"]);
    let rows = crate::common::json(&out);
    let message = |i: usize| rows[i]["error"]["message"].as_str().unwrap().to_owned();
    assert!(message(0).contains("which is not an amount"), "{rows:?}");
    assert!(
        message(0).contains("BALANCE OK"),
        "quoted, on the same line"
    );
    assert_eq!(rows[1]["currency"], "[31mEUR");
    assert_eq!(rows[2]["error"]["provider_code"], "E [5m401");
    assert!(message(3).contains("is not an 8x8 account id"), "{rows:?}");
}

/// A config error is printed by the top level (stderr, or the Nagios line on
/// stdout), and it quotes the config file's path.
#[test]
fn path_quoted_in_a_top_level_error_is_gated() {
    let home = Home::new();
    let path = home.path().join("\u{1b}[2J\u{9b}31m\nBALANCE OK \u{7}");
    for args in [&["check"][..], &["check", "--format", "nagios"]] {
        let out = home
            .cmd()
            .arg("--config")
            .arg(&path)
            .args(args)
            .output()
            .unwrap();
        // Exit 3 is both §5's config error and Nagios's UNKNOWN.
        assert_eq!(code(&out), 3, "{args:?}: {}", stderr(&out));
        assert_safe(&out.stdout, &format!("{args:?} stdout"));
        assert_safe(&out.stderr, &format!("{args:?} stderr"));
        assert_no_forged_status(&out, &format!("{args:?}"));
    }
}

/// `balance profiles` echoes provider names, secret file paths and config
/// errors: all of them through the gate.
#[test]
fn profiles_table_is_gated() {
    let server = vendor();
    let home = Home::new();
    config(&home, &server.url());
    let path = home.config(
        &(std::fs::read_to_string(home.path().join("config.toml")).unwrap()
            + "\n[profiles.file]\nprovider = \"infobip\"\napi_key = { file = \"/x/\\u001b[31mkey\" }\n"),
    );
    let out = home
        .cmd()
        .arg("--config")
        .arg(path)
        .arg("profiles")
        .output()
        .unwrap();
    assert_safe(&out.stdout, "profiles stdout");
    assert_safe(&out.stderr, "profiles stderr");
    assert!(stdout(&out).contains("[31mevil"), "{}", stdout(&out));
}

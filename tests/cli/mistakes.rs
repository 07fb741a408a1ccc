//! Common mistakes get an answer that says what was meant: a mistyped profile
//! or provider, a vendor's other name, a loopback URL without its scheme, a
//! relative secret file, an empty config.

use crate::common::{Home, code, stderr, stdout};

/// `config check` on `config`: exit code and everything it said.
fn config_check(home: &Home, config: &str) -> (u8, String) {
    home.config(config);
    let out = home.run(&["config", "check"]);
    (code(&out) as u8, stdout(&out) + &stderr(&out))
}

#[test]
fn a_mistyped_profile_gets_a_suggestion() {
    let home = Home::new();
    home.config(
        "[profiles.infobip]\nprovider = \"infobip\"\nbase_url = \"https://x.api.infobip.com\"\n\
         api_key = \"k\"\n",
    );
    let out = home.run(&["check", "infobp"]);
    assert_eq!(code(&out), 3);
    assert!(
        stderr(&out).contains("unknown profile `infobp`: did you mean `infobip`?"),
        "{}",
        stderr(&out)
    );
    let out = home.run(&["check", "zzzzzzzz"]);
    assert_eq!(code(&out), 3);
    assert!(!stderr(&out).contains("did you mean"), "{}", stderr(&out));
}

#[test]
fn providers_are_found_by_typo_and_by_their_other_names() {
    let home = Home::new();
    for (written, meant) in [
        ("nexmo", "vonage"),
        ("Sendinblue", "brevo"),
        ("bird", "messagebird"),
        ("twillio", "twilio"),
    ] {
        let (exit, said) = config_check(
            &home,
            &format!("[profiles.a]\nprovider = \"{written}\"\napi_key = \"k\"\n"),
        );
        assert_eq!(exit, 3, "{said}");
        assert!(
            said.contains(&format!("did you mean `{meant}`?")),
            "{written}: {said}"
        );
    }
    // `balance providers` says so too.
    let listed = stdout(&home.cmd().arg("providers").output().unwrap());
    assert!(
        listed.contains("(also known as nexmo)") && listed.contains("(also known as sendinblue)"),
        "{listed}"
    );
    let json = stdout(&home.cmd().args(["providers", "--json"]).output().unwrap());
    assert!(
        json.contains("\"aliases\": [\n      \"bird\"\n    ]"),
        "{json}"
    );
}

#[test]
fn a_url_without_scheme_gets_http_only_on_loopback() {
    let home = Home::new();
    for (url, meant) in [
        ("127.0.0.1:8080/x", "http://127.0.0.1:8080/x"),
        ("localhost:8080", "http://localhost:8080"),
        ("[::1]:9000", "http://[::1]:9000"),
        ("x.api.infobip.com", "https://x.api.infobip.com"),
        ("10.0.0.1:8080", "https://10.0.0.1:8080"),
    ] {
        let (exit, said) = config_check(
            &home,
            &format!(
                "[profiles.a]\nprovider = \"infobip\"\nbase_url = \"{url}\"\napi_key = \"k\"\n"
            ),
        );
        assert_eq!(exit, 3, "{said}");
        assert!(
            said.contains(&format!("did you mean `{meant}`?")),
            "{url}: {said}"
        );
    }
}

#[test]
fn a_secret_file_error_names_the_resolved_path() {
    let home = Home::new();
    home.config(
        "[profiles.a]\nprovider = \"infobip\"\nbase_url = \"https://x.api.infobip.com\"\n\
         api_key = { file = \"missing-key\" }\n",
    );
    // A relative --config: the file is looked for beside it, and named in full.
    let out = home
        .cmd()
        .current_dir(home.path())
        .args(["--config", "config.toml", "config", "check"])
        .output()
        .unwrap();
    let said = stdout(&out) + &stderr(&out);
    assert_eq!(code(&out), 3, "{said}");
    let full = home.path().canonicalize().unwrap().join("missing-key");
    assert!(
        said.contains(&format!("secret file {}:", full.display())),
        "{said}"
    );
}

#[test]
fn an_empty_config_is_exit_3_everywhere_with_one_message() {
    let home = Home::new();
    home.config("# nothing yet\n");
    let mut messages = Vec::new();
    for args in [
        &["check"][..],
        &["profiles"],
        &["profiles", "--json"],
        &["config", "check"],
        &["serve", "--listen", "127.0.0.1:0"],
    ] {
        let out = home.run(args);
        assert_eq!(code(&out), 3, "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{args:?}: {}", stdout(&out));
        messages.push(stderr(&out));
    }
    assert!(
        messages[0].contains("no profiles configured"),
        "{}",
        messages[0]
    );
    assert!(messages.iter().all(|m| *m == messages[0]), "{messages:#?}");
}

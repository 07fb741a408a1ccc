//! A newcomer's first hour (issue 11): offline validation, a way in after `cargo
//! install`, control over run time, and what an interrupted or low run says.
//! Through the real binary, against loopback vendors that count their hits.
#![cfg(unix)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::hostile::{self, Action, Hostile};
use crate::common::{Home, code, fixture, json, stderr, stdout};

const ID_OK: &str = "0123456789abcdef0123456789abcdef";
const ID_SLOW: &str = "fedcba9876543210fedcba9876543210";

/// An 8x8 vendor: account `ID_OK` answers at once (149309.7985931 USD), any
/// other account never answers.
fn vendor() -> Hostile {
    let body = fixture("8x8", "balance");
    Hostile::start(move |request| {
        if request.contains(ID_OK) {
            Action::Respond(hostile::json(200, &body))
        } else {
            Action::Hang
        }
    })
}

fn eight(name: &str, server: &Hostile, account: &str, extra: &str) -> String {
    format!(
        "\n[profiles.{name}]\nprovider = \"8x8\"\nbase_url = \"{}\"\naccount_id = \"{account}\"\n\
         api_key = \"k\"\n{extra}",
        server.url()
    )
}

/// The child's output once it exits; killed, and the test failed, past `limit`.
fn wait_within(mut child: std::process::Child, limit: Duration) -> std::process::Output {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

fn chmod(path: &std::path::Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

// ---- 2. validate offline -------------------------------------------------

#[test]
fn config_check_resolves_every_secret_without_calling_a_vendor() {
    let server = vendor();
    let home = Home::new();
    let dir = home.path();
    fs::write(dir.join("empty.key"), "\n").unwrap();
    fs::create_dir(dir.join("a-dir")).unwrap();
    fs::write(dir.join("good.key"), "k\n").unwrap();
    let url = server.url();
    let profile = |name: &str, secret: &str| {
        format!(
            "\n[profiles.{name}]\nprovider = \"infobip\"\nbase_url = \"{url}\"\napi_key = {secret}\n"
        )
    };
    let mut text = String::new();
    for (name, secret) in [
        ("env-set", r#"{ env = "NEWCOMER_SET" }"#),
        ("env-unset", r#"{ env = "NEWCOMER_UNSET" }"#),
        ("env-empty", r#"{ env = "NEWCOMER_EMPTY" }"#),
        ("file-good", r#"{ file = "good.key" }"#),
        ("file-missing", r#"{ file = "missing.key" }"#),
        ("file-empty", r#"{ file = "empty.key" }"#),
        ("file-dir", r#"{ file = "a-dir" }"#),
        ("cmd-good", r#"{ command = ["echo", "k"] }"#),
        ("cmd-fails", r#"{ command = ["false"] }"#),
        ("cmd-silent", r#"{ command = ["true"] }"#),
    ] {
        text.push_str(&profile(name, secret));
    }
    text.push_str("\n[profiles.no-such]\nprovider = \"nosuch\"\n");
    text.push_str(
        "\n[profiles.plain-http]\nprovider = \"infobip\"\nbase_url = \"http://example.com\"\n\
         api_key = { env = \"NEWCOMER_SET\" }\n",
    );
    let config = home.config(&text);
    let run = |args: &[&str]| {
        home.cmd()
            .env("NEWCOMER_SET", "k")
            .env("NEWCOMER_EMPTY", "")
            .env_remove("NEWCOMER_UNSET")
            .arg("--config")
            .arg(&config)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["config", "check"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    let key = |p: &str| dir.join(p).display().to_string();
    let want = [
        "env-unset: environment variable NEWCOMER_UNSET is not set".to_owned(),
        "env-empty: environment variable NEWCOMER_EMPTY is empty".to_owned(),
        format!(
            "file-missing: cannot read secret file {}: No such file or directory",
            key("missing.key")
        ),
        format!("file-empty: secret file {} is empty", key("empty.key")),
        format!(
            "file-dir: secret file {} is a directory, not a regular file",
            key("a-dir")
        ),
        "cmd-fails: secret command `false` failed (exit status: 1)".to_owned(),
        "cmd-silent: secret command `true` printed nothing".to_owned(),
    ];
    assert_eq!(&lines[..want.len()], want, "{text}");
    assert!(
        lines[7].starts_with("no-such: unknown provider `nosuch`"),
        "{text}"
    );
    assert!(lines[8].starts_with("plain-http: `base_url`"), "{text}");
    assert_eq!(lines.len(), 9, "one line per problem: {text}");
    assert_eq!(server.hits(), 0, "no vendor called");

    // A literal secret in a file others can read: `check` refuses it, and so
    // do `config check` and `profiles`.
    let home = Home::new();
    let config = home.config(&eight("lit", &server, ID_OK, ""));
    chmod(&config, 0o644);
    let shown = config.display().to_string();
    let refused =
        format!("{shown} holds a literal secret but is readable by others: chmod 600 {shown}");
    let out = home.run(&["config", "check"]);
    assert_eq!(code(&out), 3);
    assert_eq!(stdout(&out), format!("lit: {refused}\n"));
    let out = home.run(&["profiles"]);
    assert_eq!(code(&out), 3, "a broken profile is exit 3");
    assert!(
        stdout(&out).contains(&format!("config error: {refused}")),
        "{}",
        stdout(&out)
    );
    let out = home.run(&["profiles", "--json"]);
    assert_eq!(code(&out), 3);
    assert_eq!(json(&out)[0]["error"], refused.as_str());
    let out = home.run(&["check", "--json"]);
    assert_eq!(code(&out), 3);
    assert_eq!(json(&out)[0]["error"]["message"], refused.as_str());

    chmod(&config, 0o600);
    let out = home.run(&["config", "check"]);
    assert_eq!((code(&out), stdout(&out).as_str()), (0, "1 profile ok\n"));
    let out = home.run(&["profiles"]);
    assert_eq!(code(&out), 0);
    assert_eq!(server.hits(), 0, "still no vendor called");
}

/// `profiles` is a listing: it never runs a secret command; `config check` does.
#[test]
fn profiles_runs_no_secret_command_but_config_check_does() {
    let home = Home::new();
    let marker = home.path().join("ran");
    home.config(&format!(
        "[profiles.a]\nprovider = \"infobip\"\napi_key = {{ command = [\"sh\", \"-c\", \"touch '{}'; echo k\"] }}\n",
        marker.display()
    ));
    let out = home.run(&["profiles"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(!marker.exists());
    let out = home.run(&["config", "check"]);
    assert_eq!((code(&out), stdout(&out).as_str()), (0, "1 profile ok\n"));
    assert!(marker.exists());
}

// ---- 3. a way in ---------------------------------------------------------

#[test]
fn init_writes_a_private_starter_once_and_check_points_to_it() {
    let home = Home::new();
    let path = home.path().join("xdg-config/balance/config.toml");
    let out = home.cmd().args(["check"]).output().unwrap();
    assert_eq!(code(&out), 3);
    assert!(
        stderr(&out).contains("`balance init` writes a starter there"),
        "{}",
        stderr(&out)
    );

    let out = home.cmd().args(["init"]).output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains(&path.display().to_string()));
    let meta = fs::metadata(&path).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let starter = fs::read_to_string(&path).unwrap();
    assert!(starter.contains("balance providers"));
    let printed = home.cmd().args(["init", "--stdout"]).output().unwrap();
    assert_eq!(stdout(&printed), starter);

    // Never overwritten, even by a second init.
    fs::write(&path, "# mine\n").unwrap();
    let out = home.cmd().args(["init"]).output().unwrap();
    assert_eq!(code(&out), 3);
    assert!(
        stderr(&out).contains("already exists; not overwritten"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), "# mine\n");

    // The starter parses; with no profile yet, `config check` says what to add.
    fs::write(&path, &starter).unwrap();
    let out = home.cmd().args(["config", "check"]).output().unwrap();
    assert_eq!(code(&out), 3);
    assert!(
        stderr(&out).contains("no profiles configured"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("invalid TOML"));

    // --config names where it goes.
    let other = home.path().join("elsewhere/b.toml");
    let out = home
        .cmd()
        .arg("init")
        .arg("--config")
        .arg(&other)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(other.is_file());
}

#[test]
fn man_prints_roff_that_man_renders() {
    let home = Home::new();
    let out = home.cmd().arg("man").output().unwrap();
    assert_eq!(code(&out), 0);
    let roff = stdout(&out);
    assert!(roff.contains(".TH BALANCE 1"), "{roff}");
    assert!(
        roff.contains("EXIT STATUS"),
        "the exit codes are in the page"
    );
    let check = stdout(&home.cmd().args(["man", "check"]).output().unwrap());
    assert!(check.contains(".TH BALANCE-CHECK 1") && check.contains("deadline"));
    assert_eq!(code(&home.cmd().args(["man", "nope"]).output().unwrap()), 2);

    let man = Command::new("man").arg("--version").output();
    if man.is_ok_and(|o| o.status.success()) {
        let mut child = Command::new("man")
            .args(["-l", "-"])
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), check.as_bytes()).unwrap();
        let shown = child.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&shown.stdout);
        assert!(
            text.contains("NAME") && text.contains("--retries"),
            "{text}"
        );
    }
}

// ---- 4. control over run time --------------------------------------------

#[test]
fn retries_on_the_command_line_and_attempts_in_the_message() {
    let server = vendor();
    let home = Home::new();
    home.config(&format!(
        "[settings]\nretries = 5\n{}",
        eight("slow", &server, ID_SLOW, "")
    ));
    let out = home.run(&["check", "--json", "--timeout", "0.3", "--retries", "1"]);
    assert_eq!(code(&out), 7, "{}", stderr(&out));
    let message = json(&out)[0]["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    let port = server.addr.port();
    assert_eq!(
        message,
        format!("no answer from 127.0.0.1:{port} within 300 ms (2 attempts)")
    );
    assert_eq!(
        server.hits(),
        2,
        "--retries 1 overrides [settings] retries = 5"
    );
    assert_eq!(
        code(&home.run(&["check", "--retries", "11"])),
        2,
        "out of range is a usage error"
    );
}

#[test]
fn a_deadline_reports_unfinished_profiles_and_still_writes_the_output() {
    let server = vendor();
    let home = Home::new();
    home.config(&format!(
        "[settings]\ntimeout = 30\n{}{}",
        eight("fast", &server, ID_OK, ""),
        eight("slow", &server, ID_SLOW, "")
    ));
    let started = Instant::now();
    let out = home.run(&["check", "--json", "--deadline", "1"]);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(code(&out), 7, "{}", stderr(&out));
    let rows = json(&out);
    assert_eq!(rows[0]["status"], "ok");
    assert_eq!(rows[1]["error"]["kind"], "network");
    assert_eq!(
        rows[1]["error"]["message"],
        "not finished within the 1s deadline"
    );
    assert!(stderr(&out).contains("slow: not finished within the 1s deadline"));

    let target = home.path().join("balance.prom");
    let out = home.run(
        &["check", "--format", "prometheus", "--deadline", "0.5", "-o"]
            .iter()
            .copied()
            .chain([target.to_str().unwrap()])
            .collect::<Vec<_>>(),
    );
    assert_eq!(code(&out), 7, "{}", stderr(&out));
    let written = fs::read_to_string(&target).unwrap();
    assert!(
        written.contains("balance_up{profile=\"fast\",provider=\"8x8\"} 1"),
        "{written}"
    );
    assert!(
        written.contains(
            "balance_check_error_info{profile=\"slow\",provider=\"8x8\",kind=\"network\"} 1"
        ),
        "{written}"
    );

    let out = home.run(&["check", "--deadline", "0.5"]);
    assert_eq!(code(&out), 7);
    assert!(stdout(&out).contains("not finished within the 500 ms deadline"));
}

// ---- 5. say what happened ------------------------------------------------

/// SIGINT mid-run: one line saying how far it got, the results fetched so far
/// (the unfinished profile left out), exit 130; Nagios: UNKNOWN, 3.
#[test]
fn ctrl_c_shows_what_was_fetched() {
    let server = vendor();
    let home = Home::new();
    home.config(&format!(
        "[settings]\ntimeout = 30\n{}{}",
        eight("fast", &server, ID_OK, ""),
        eight("slow", &server, ID_SLOW, "")
    ));
    for (format, want) in [("json", 130), ("nagios", 3), ("table", 130)] {
        let hits = server.hits();
        let child = home
            .cmd()
            .arg("--config")
            .arg(home.path().join("config.toml"))
            .args(["check", "--format", format])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while server.hits() < hits + 2 {
            assert!(start.elapsed() < Duration::from_secs(20), "no requests");
            std::thread::sleep(Duration::from_millis(10));
        }
        // The fast answer has been read by now.
        std::thread::sleep(Duration::from_millis(300));
        let kill = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        let out = wait_within(child, Duration::from_secs(10));
        assert_eq!(code(&out), want, "{format}: {}", stderr(&out));
        let said = "interrupted: 1 of 2 profiles checked";
        match format {
            "json" => {
                let rows = json(&out);
                assert_eq!(rows.len(), 1, "the unfinished profile is left out");
                assert_eq!(rows[0]["profile"], "fast");
                assert_eq!(stderr(&out), format!("balance: {said}\n"));
            }
            "nagios" => assert_eq!(stdout(&out), format!("BALANCE UNKNOWN - {said}\n")),
            _ => {
                assert!(stdout(&out).contains("149309.7985931"), "{}", stdout(&out));
                assert!(!stdout(&out).contains("slow"));
                assert_eq!(stderr(&out), format!("balance: {said}\n"));
            }
        }
    }
}

/// A low balance says so on stderr wherever stdout does not show it.
#[test]
fn a_low_balance_gets_its_stderr_line_in_machine_formats() {
    let server = vendor();
    let home = Home::new();
    home.config(&eight("sg", &server, ID_OK, "min_balance = 200000\n"));
    let line = "balance: sg: LOW (min 200000): 149309.7985931 USD\n";
    for args in [
        &["check", "--json"][..],
        &["check", "sg", "--value"],
        &["check", "--format", "prometheus"],
    ] {
        let out = home.run(args);
        assert_eq!(code(&out), 9, "{args:?}");
        assert_eq!(stderr(&out), line, "{args:?}");
    }
    let target = home.path().join("out.json");
    let out = home.run(&["check", "--json", "-o", target.to_str().unwrap()]);
    assert_eq!((code(&out), stderr(&out).as_str()), (9, line));
    let out = home.run(&["check"]);
    assert_eq!(
        (code(&out), stderr(&out).as_str()),
        (9, ""),
        "the table shows it"
    );
}

/// `config check` covers what `serve` and the alerts need too, offline, and
/// names every problem at once: a run that passes it starts.
#[test]
fn config_check_covers_settings_and_alert_targets() {
    let home = Home::new();
    let store_dir = home.path().join("a-dir.sqlite3");
    std::fs::create_dir(&store_dir).unwrap();
    let script = home.path().join("notify.sh");
    std::fs::write(&script, "#!/bin/sh\ncat >/dev/null\n").unwrap();
    home.config(&format!(
        "[settings]\nserve_token = {{ env = \"BALANCE_TEST_UNSET_TOKEN\" }}\nhistory = \"{}\"\n\n\
         [profiles.a]\nprovider = \"infobip\"\napi_key = \"k\"\n\n\
         [[alerts]]\nwebhook = \"hooks.example/T000/SECRETPATH\"\n\
         [[alerts]]\nname = \"pw\"\nwebhook = \"https://user:SECRETPW@hooks.example/x\"\n\
         [[alerts]]\nwebhook = \"https://chat.example/v1/spaces/X/messages?key=SECRETKEY\"\n\
         [[alerts]]\ncommand = [\"balance-no-such-mailer\", \"-s\", \"x\"]\n\
         [[alerts]]\ncommand = [\"{}\"]\n",
        store_dir.display(),
        script.display()
    ));
    let out = home.run(&["config", "check"]);
    assert_eq!(code(&out), 3, "{}", stdout(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "[settings] serve_token: environment variable BALANCE_TEST_UNSET_TOKEN is not set"
                .to_owned(),
            format!(
                "[settings] history: {} is not a regular file",
                store_dir.display()
            ),
            "alert 1 (webhook): webhook URL has no scheme: it must start with https:// (or http:// on loopback)".to_owned(),
            "alert \"pw\" (webhook): webhook URL must not carry user:password@".to_owned(),
            "alert 4 (command): command `balance-no-such-mailer` is not found on PATH".to_owned(),
            format!("alert 5 (command): command `{}` is not an executable file", script.display()),
        ],
        "{text}"
    );
    assert!(!text.contains("SECRET"), "{text}");

    // Fixed, it passes: a query string is part of a webhook's secret, not a fault.
    chmod(&script, 0o700);
    std::fs::remove_dir(&store_dir).unwrap();
    let fixed = std::fs::read_to_string(home.path().join("config.toml"))
        .unwrap()
        .replace("hooks.example/T000", "https://hooks.example/T000")
        .replace("user:SECRETPW@", "")
        .replace("balance-no-such-mailer", "sh");
    home.config(&fixed);
    let mut cmd = home.cmd();
    cmd.env("BALANCE_TEST_UNSET_TOKEN", "t0ken")
        .arg("--config")
        .arg(home.path().join("config.toml"))
        .args(["config", "check"]);
    let out = cmd.output().unwrap();
    assert_eq!(
        (code(&out), stdout(&out).as_str()),
        (0, "1 profile ok, 5 alert targets ok\n"),
        "{}",
        stderr(&out)
    );
}

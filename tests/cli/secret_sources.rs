//! Secret sources never hang or flood a run (SPEC §6): a `{ file }` is a small
//! regular file or a config error, a `{ command }` is read while it runs and is
//! killed with everything it started. Every form is trimmed by the same rule.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::common::{Home, Sandbox, code, json, stderr};
use crate::watchdog::run_within;

/// Every run here should take well under a second; the old code hung for good.
const LIMIT: Duration = Duration::from_secs(5);

/// Profile `ok` is healthy; profile `src` takes its `api_key` from `secret`.
fn setup(sandbox: &Sandbox, home: &Home, settings: &str, secret: &str) {
    home.config(&format!(
        "[settings]\nretries = 0\n{settings}\n\
         [profiles.ok]\nprovider = \"infobip\"\nbase_url = \"{b}\"\napi_key = \"healthy\"\n\n\
         [profiles.src]\nprovider = \"infobip\"\nbase_url = \"{b}\"\napi_key = {secret}\n",
        b = sandbox.url("infobip")
    ));
}

fn check(home: &Home, env: &[(&str, &str)]) -> (Output, Duration) {
    let mut cmd = home.cmd();
    cmd.envs(env.iter().copied())
        .arg("--config")
        .arg(home.path().join("config.toml"))
        .args(["check", "--json"]);
    run_within(cmd, LIMIT)
}

/// (status, error kind, error message) of one profile in `check --json`.
fn row(out: &Output, profile: &str) -> (String, String, String) {
    let rows = json(out);
    let row = rows
        .iter()
        .find(|r| r["profile"] == profile)
        .unwrap_or_else(|| panic!("no row {profile}: {rows:?}"));
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    (
        text(&row["status"]),
        text(&row["error"]["kind"]),
        text(&row["error"]["message"]),
    )
}

/// The healthy profile was checked and `src` is a config error whose message
/// contains `needle`; exit 3 as SPEC §5 orders it.
fn assert_config_error(out: &Output, needle: &str) {
    assert_eq!(code(out), 3, "{}", stderr(out));
    assert_eq!(row(out, "ok").0, "ok");
    let (status, kind, message) = row(out, "src");
    assert_eq!((status.as_str(), kind.as_str()), ("error", "config"));
    assert!(message.contains(needle), "{message}");
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

#[test]
fn a_fifo_is_refused_without_stalling_the_other_profiles() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    let fifo = home.path().join("key.fifo");
    mkfifo(&fifo);
    setup(&sandbox, &home, "timeout = 2", r#"{ file = "key.fifo" }"#);
    let (out, _) = check(&home, &[]);
    assert_config_error(
        &out,
        &format!(
            "secret file {} is a FIFO, not a regular file",
            fifo.display()
        ),
    );
}

#[test]
fn a_device_is_refused_before_any_read() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    setup(&sandbox, &home, "", r#"{ file = "/dev/zero" }"#);
    // 1 GiB of address space: reading /dev/zero to its end would run out of it.
    let mut cmd = Command::new("sh");
    cmd.args(["-c", r#"ulimit -v 1048576 && exec "$0" "$@""#])
        .arg(crate::common::BIN)
        .env_clear()
        .envs(home.cmd().get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .arg("--config")
        .arg(home.path().join("config.toml"))
        .args(["check", "--json"]);
    let (out, _) = run_within(cmd, LIMIT);
    assert_config_error(
        &out,
        "secret file /dev/zero is a character device, not a regular file",
    );
}

#[test]
fn a_file_over_64_kib_is_refused() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    let big = home.path().join("big.key");
    std::fs::write(&big, "k".repeat(100 * 1024)).unwrap();
    setup(&sandbox, &home, "", r#"{ file = "big.key" }"#);
    let (out, _) = check(&home, &[]);
    assert_config_error(
        &out,
        &format!("secret file {} is larger than 64 KiB", big.display()),
    );
}

#[test]
fn a_flooding_command_is_too_long_not_a_timeout() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    for argv in [
        r#"["sh", "-c", "yes"]"#,
        r#"["head", "-c", "10000000", "/dev/zero"]"#,
    ] {
        // A timeout far beyond LIMIT: only reading while it runs ends this in time.
        setup(
            &sandbox,
            &home,
            "timeout = 30",
            &format!("{{ command = {argv} }}"),
        );
        let (out, _) = check(&home, &[]);
        assert_config_error(&out, "output too long (over 64 KiB)");
    }
}

/// State letter of a process from /proc, `None` once it is gone.
fn process_state(pid: &str) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) S …": the state follows the last ')'.
    stat.rsplit(')').next()?.trim_start().chars().next()
}

#[test]
fn a_timeout_kills_the_commands_whole_process_group() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    let pid_file = home.path().join("grandchild.pid");
    setup(
        &sandbox,
        &home,
        "timeout = 0.5",
        &format!(
            r#"{{ command = ["sh", "-c", "sleep 100 & echo $! > {}; sleep 100"] }}"#,
            pid_file.display()
        ),
    );
    let (out, _) = check(&home, &[]);
    assert_config_error(&out, "no answer within 500 ms");
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let pid = pid.trim();
    // SIGKILL was sent before the run ended; give the kernel a moment to finish it.
    let deadline = Instant::now() + Duration::from_secs(2);
    let state = loop {
        let state = process_state(pid);
        if matches!(state, None | Some('Z')) || Instant::now() > deadline {
            break state;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    if !matches!(state, None | Some('Z')) {
        let _ = Command::new("kill").args(["-9", pid]).status();
        panic!("grandchild {pid} survived the timeout (state {state:?})");
    }
}

#[test]
fn a_grandchild_holding_stdout_does_not_delay_the_secret() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    // The background sleep keeps the pipe open 3 s after `sh` has answered.
    setup(
        &sandbox,
        &home,
        "timeout = 2",
        r#"{ command = ["sh", "-c", "sleep 3 & echo healthy"] }"#,
    );
    let (out, elapsed) = check(&home, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
}

#[test]
fn every_form_is_trimmed_the_same_way() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    let padded = "\t healthy \r\n";
    let blank = " \t\r\n";
    std::fs::write(home.path().join("padded.key"), padded).unwrap();
    std::fs::write(home.path().join("blank.key"), blank).unwrap();
    let b = &sandbox.url("infobip");
    let profile = |name: &str, secret: &str| {
        format!(
            "[profiles.{name}]\nprovider = \"infobip\"\nbase_url = \"{b}\"\napi_key = {secret}\n"
        )
    };
    let config = [
        "[settings]\nretries = 0\n".to_owned(),
        profile("literal", r#""\t healthy \r\n""#),
        profile("env", r#"{ env = "BALANCE_TEST_PADDED" }"#),
        profile("file", r#"{ file = "padded.key" }"#),
        profile("command", r#"{ command = ["printf", "\t healthy \r\n"] }"#),
        profile("blank-env", r#"{ env = "BALANCE_TEST_BLANK" }"#),
        profile("blank-file", r#"{ file = "blank.key" }"#),
        profile("blank-command", r#"{ command = ["printf", " \t\r\n"] }"#),
    ]
    .concat();
    home.config(&config);
    let env = [
        ("BALANCE_TEST_PADDED", padded),
        ("BALANCE_TEST_BLANK", blank),
    ];
    let (out, _) = check(&home, &env);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    for name in ["literal", "env", "file", "command"] {
        assert_eq!(row(&out, name).0, "ok", "{name}: {:?}", row(&out, name));
    }
    for (name, needle) in [
        (
            "blank-env",
            "environment variable BALANCE_TEST_BLANK is empty",
        ),
        ("blank-file", "blank.key is empty"),
        ("blank-command", "printed nothing"),
    ] {
        let (status, kind, message) = row(&out, name);
        assert_eq!((status.as_str(), kind.as_str()), ("error", "config"));
        assert!(message.contains(needle), "{name}: {message}");
    }
}

/// Issue 18 item 1: a program given by path (a secret command here; alert
/// commands start the same way) must be an executable regular file: a FIFO
/// or a directory there is named, never run or waited on.
#[test]
fn a_command_that_is_not_an_executable_file_is_refused() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    let fifo = home.path().join("prog.fifo");
    mkfifo(&fifo);
    let plain = home.path().join("prog.txt");
    std::fs::write(&plain, "#!/bin/sh\necho key\n").unwrap();
    for (path, needle) in [
        (&fifo, "is a FIFO, not a regular file"),
        (&plain, "is not executable"),
    ] {
        setup(
            &sandbox,
            &home,
            "",
            &format!("{{ command = [\"{}\"] }}", path.display()),
        );
        let (out, _) = check(&home, &[]);
        assert_config_error(&out, &format!("program {}", path.display()));
        assert_config_error(&out, needle);
    }
}

//! The command layer through the binary: Nagios mode from what clap parsed, the
//! exit-code table in help, global options accepted everywhere,
//! `-v` lines that name their profile.

use crate::common::{Home, code, stderr, stdout};
use balance::error::Exit;

fn unknown_line(home: &Home, args: &[&str]) {
    let out = home.cmd().args(args).output().unwrap();
    let text = stdout(&out);
    assert_eq!(code(&out), 3, "{args:?}: {text}{}", stderr(&out));
    assert!(text.starts_with("BALANCE UNKNOWN - "), "{args:?}: {text}");
    assert_eq!(text.lines().count(), 1, "{args:?}: {text}");
}

#[test]
fn a_usage_error_in_nagios_mode_is_unknown() {
    let home = Home::new();
    for args in [
        &["check", "-vc5:", "--bogus"][..],
        &["check", "--format", "nagios", "--bogus"],
        &["check", "--format=nagios", "--bogus"],
        &["check", "-w", "abc"],
        &["check", "-w5", "--bogus"],
        &["check", "--critical"],
        &["check", "--warning=1:", "--json"],
        &["-v", "check", "-c", "5", "--bogus"],
        &["demo", "--format", "nagios", "--bogus"],
    ] {
        unknown_line(&home, args);
    }
    // Not Nagios: clap's own error and 2. After `--`, `-w` is a profile name.
    for args in [
        &["check", "--bogus"][..],
        &["check", "--format", "json", "--bogus"],
        &["check", "--bogus", "--", "-w"],
        &["-vv", "--bogus"],
    ] {
        let out = home.cmd().args(args).output().unwrap();
        assert_eq!(code(&out), 2, "{args:?}: {}", stdout(&out));
        assert!(stdout(&out).is_empty(), "{args:?}: {}", stdout(&out));
        assert!(
            stderr(&out).starts_with("error: "),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn check_help_lists_its_options_first_and_the_exit_codes() {
    let home = Home::new();
    let out = home.cmd().args(["check", "--help"]).output().unwrap();
    assert_eq!(code(&out), 0);
    let help = stdout(&out);
    let at = |needle: &str| {
        help.find(needle)
            .unwrap_or_else(|| panic!("no `{needle}` in:\n{help}"))
    };
    assert!(at("--format <FORMAT>") < at("Global options:"), "{help}");
    assert!(at("--output <FILE>") < at("--verbose"), "{help}");
    assert!(at("Global options:") < at("--config <FILE>"), "{help}");
    let mut last = at("Exit status:");
    for (exit, meaning) in Exit::TABLE {
        let first_words: String = meaning.split(' ').take(4).collect::<Vec<_>>().join(" ");
        let row = at(&format!("  {}  {first_words}", exit.code()));
        assert!(row > last, "code {} out of order:\n{help}", exit.code());
        last = row;
    }
    assert!(help.contains("1, 3, 4, 6, 8, 7, 5, 9, 0"), "{help}");
}

/// `--config`, `--color` and `-v` are global, like `git -C`: an alias or wrapper
/// that always passes them works with every command, and commands that read no
/// config or draw no table ignore them.
#[test]
fn global_options_are_accepted_by_every_command() {
    let home = Home::new();
    let path = home.config("[profiles.one]\nprovider = \"no-such-vendor\"\n");
    let path = path.to_str().unwrap();
    for args in [
        &["demo", "--config", "/nonexistent"][..],
        &["--config", "/nonexistent", "demo"],
        &["--config", "/nonexistent", "providers"],
        &["providers", "--color", "never", "-v"],
        &["--color", "never", "providers"],
        &["completions", "bash", "--config", "x"],
        &["--config", "x", "-v", "man"],
        &["man", "--color", "always"],
        &["--config", path, "config", "path"],
        &["config", "--config", path, "path"],
        &["config", "path", "--config", path, "--color", "never"],
    ] {
        let out = home.cmd().args(args).output().unwrap();
        assert_eq!(code(&out), 0, "{args:?}: {}{}", stdout(&out), stderr(&out));
        assert!(!stdout(&out).is_empty(), "{args:?}");
    }
    // Read where it means something, wherever it stands: the file's profile is
    // found (and its unknown provider is exit 3, not a usage error).
    for args in [
        &["config", "--config", path, "check"][..],
        &["--color", "never", "config", "check", "--config", path],
        &["profiles", "--color", "always", "--config", path],
        &["history", "--config", path, "-v"],
    ] {
        let out = home.cmd().args(args).output().unwrap();
        assert_ne!(code(&out), 2, "{args:?}: {}{}", stdout(&out), stderr(&out));
        assert!(
            !stderr(&out).contains("--config"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let out = home
        .cmd()
        .args(["config", "--config", path, "check"])
        .output()
        .unwrap();
    assert!(stdout(&out).contains("no-such-vendor") || stderr(&out).contains("no-such-vendor"));
    let help = |args: &[&str]| stdout(&home.cmd().args(args).output().unwrap());
    let demo = help(&["demo", "--help"]);
    assert!(
        !demo.contains("- value") && !demo.contains(", value"),
        "{demo}"
    );
    for command in ["demo", "check", "profiles", "providers", "sandbox"] {
        let text = help(&[command, "--help"]);
        let global = text.split("Global options:").nth(1).unwrap_or_default();
        for flag in ["--config <FILE>", "--color <WHEN>", "--verbose"] {
            assert!(global.contains(flag), "{command}: {flag}:\n{text}");
        }
    }
}

#[test]
fn config_and_color_work_before_or_after_the_command() {
    let home = Home::new();
    home.config("[profiles.one]\nprovider = \"no-such-vendor\"\n");
    let path = home.path().join("config.toml");
    let path = path.to_str().unwrap();
    for args in [
        &["--config", path, "profiles", "--json"][..],
        &["profiles", "--json", "--config", path],
        &["profiles", "--config", path, "--json"],
    ] {
        let out = home.cmd().args(args).output().unwrap();
        // Exit 3: its provider is unknown; the file was read all the same.
        assert_eq!(code(&out), 3, "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).contains("\"profile\": \"one\""), "{args:?}");
    }
    // The later word wins, as for a global flag.
    let out = home
        .cmd()
        .args([
            "--config",
            "/nonexistent",
            "check",
            "--config",
            path,
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("\"profile\": \"one\""),
        "{}",
        stdout(&out)
    );
}

#[test]
fn verbose_lines_name_their_profile() {
    let home = Home::new();
    let out = home.cmd().args(["-v", "demo", "--json"]).output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let err = stderr(&out);
    for profile in ["8x8", "infobip", "engagelab"] {
        let prefix = format!("balance: {profile}: GET http://127.0.0.1:");
        assert!(
            err.lines()
                .any(|l| l.starts_with(&prefix) && l.contains(" -> 200 OK in ")),
            "no `{prefix}… -> 200 OK in` line:\n{err}"
        );
    }
}

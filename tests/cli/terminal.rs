//! Tables fit the terminal they are printed on, and only a terminal: in a pipe
//! or a file no line is cut.

use std::process::Command;

use crate::common::{BIN, Home, stdout};

/// Runs `args` on a pseudo-terminal `cols` wide (util-linux `script`), and
/// returns what it printed with colour codes removed.
fn on_terminal(cols: u16, args: &str) -> Option<String> {
    let out = Command::new("script")
        .args([
            "-qec",
            &format!("stty cols {cols} rows 50; {BIN} {args}"),
            "/dev/null",
        ])
        .env("NO_COLOR", "1")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    Some(strip_ansi(&text))
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn demo_faults_fit_80_columns_without_cutting_a_balance() {
    let Some(text) = on_terminal(80, "demo --faults 2>/dev/null") else {
        eprintln!("note: `script` (util-linux) is not installed; terminal test skipped");
        return;
    };
    assert!(text.contains("PROFILE"), "{text}");
    for line in text.lines() {
        assert!(
            line.chars().count() <= 80,
            "{} wide: {line:?}\n{text}",
            line.chars().count()
        );
    }
    assert!(text.contains("149309.7985931"), "{text}");
    // A wrapped status continues on lines of its own, under its column.
    let status = text.lines().next().unwrap().find("STATUS").unwrap();
    assert!(
        text.lines()
            .any(|l| l.len() > status && l[..status].trim().is_empty()),
        "{text}"
    );
}

#[test]
fn profiles_of_the_example_config_fit_80_columns() {
    let home = Home::new();
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml"))
        .unwrap();
    let path = home.config(&text);
    let Some(out) = on_terminal(80, &format!("--config {} profiles", path.display())) else {
        return;
    };
    assert!(out.contains("PROFILE"), "{out}");
    for line in out.lines() {
        assert!(line.chars().count() <= 80, "{line:?}\n{out}");
    }
}

#[test]
fn a_pipe_gets_whole_lines_whatever_columns_says() {
    let home = Home::new();
    let out = home
        .cmd()
        .env("COLUMNS", "40")
        .args(["demo", "--faults"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.contains("credentials rejected (HTTP 401")),
        "{text}"
    );
}

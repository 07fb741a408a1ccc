//! The manual pages: the sections a man page has, the exit codes as a table
//! from `Exit::TABLE`, a page for every page referenced, and roff that man(1),
//! lexgrog(1) and, where installed, mandoc(1) accept without a warning.

use std::process::Command;

use crate::common::{Home, code, stderr, stdout};
use balance::error::Exit;

const SECTIONS: [&str; 10] = [
    "NAME",
    "SYNOPSIS",
    "DESCRIPTION",
    "COMMANDS",
    "OPTIONS",
    "EXIT STATUS",
    "FILES",
    "ENVIRONMENT",
    "EXAMPLES",
    "SEE ALSO",
];

#[test]
fn the_page_has_a_man_pages_sections_and_the_exit_table() {
    let home = Home::new();
    let out = home.cmd().arg("man").output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let roff = stdout(&out);
    let headings: Vec<&str> = roff
        .lines()
        .filter_map(|l| l.strip_prefix(".SH "))
        .map(|h| h.trim_matches('"'))
        .filter(|h| SECTIONS.contains(h))
        .collect();
    assert_eq!(headings, SECTIONS, "{roff}");
    assert!(!roff.contains(".SH EXTRA"), "{roff}");
    let table = roff
        .split(".SH EXIT STATUS\n.TS\n")
        .nth(1)
        .and_then(|t| t.split(".TE\n").next())
        .expect("a tbl table under EXIT STATUS");
    for (exit, meaning) in Exit::TABLE {
        let row = format!(
            "\n{}\tT{{\n{}\nT}}\n",
            exit.code(),
            meaning.replace('-', "\\-")
        );
        assert!(table.contains(&row), "no row {row:?} in:\n{table}");
    }
    assert!(roff.contains("1, 3, 4, 6, 8, 7, 5, 9, 0."), "{roff}");
}

fn have(tool: &str, arg: &str) -> bool {
    Command::new(tool)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn every_page_referenced_is_written_and_renders_cleanly() {
    let home = Home::new();
    let dir = home.path().join("man1");
    let out = home
        .cmd()
        .args(["man", "--dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mut pages: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    assert!(pages.contains(&"balance.1".to_owned()), "{pages:?}");
    assert!(pages.contains(&"balance-check.1".to_owned()), "{pages:?}");
    assert!(
        pages.contains(&"balance-config-check.1".to_owned()),
        "{pages:?}"
    );
    // `balance man check` prints the page `--dir` writes.
    let check = stdout(&home.cmd().args(["man", "check"]).output().unwrap());
    assert_eq!(
        check,
        std::fs::read_to_string(dir.join("balance-check.1")).unwrap()
    );
    assert_eq!(code(&home.cmd().args(["man", "nope"]).output().unwrap()), 2);

    assert!(
        have("man", "--version") && have("lexgrog", "--version"),
        "man-db (man, lexgrog) is needed to test the manual pages: apt-get install man-db groff-base"
    );
    let mandoc = have("mandoc", "-V")
        || Command::new("mandoc")
            .arg("-Tlint")
            .arg("/dev/null")
            .output()
            .is_ok();
    if !mandoc {
        eprintln!(
            "NOTE: mandoc is not installed; the pages were not linted by it (apt-get install mandoc)"
        );
    }
    for page in &pages {
        let path = dir.join(page);
        let roff = std::fs::read_to_string(&path).unwrap();
        assert!(!roff.contains("SPEC"), "{page} cites the SPEC");
        for reference in roff.split("\\fBbalance").skip(1) {
            let Some(name) = reference.split("\\fR(1)").next() else {
                continue;
            };
            if name.len() < 40 && !name.contains(' ') && reference.contains("\\fR(1)") {
                let file = format!("balance{}.1", name.replace("\\-", "-"));
                assert!(
                    pages.contains(&file),
                    "{page} refers to {file}, not written"
                );
            }
        }
        let shown = Command::new("man")
            .args(["--warnings", "-l"])
            .arg(&path)
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .env("MANWIDTH", "80")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&shown.stdout);
        assert!(
            shown.status.success() && text.contains("NAME"),
            "{page}: {text}"
        );
        assert!(
            shown.stderr.is_empty(),
            "{page}: man warns: {}",
            String::from_utf8_lossy(&shown.stderr)
        );
        let lexgrog = Command::new("lexgrog").arg(&path).output().unwrap();
        assert!(lexgrog.status.success(), "{page}: lexgrog finds no NAME");
        if mandoc {
            let lint = Command::new("mandoc")
                .args(["-Tlint", "-W", "style"])
                .arg(&path)
                .output()
                .unwrap();
            let said =
                String::from_utf8_lossy(&lint.stdout) + String::from_utf8_lossy(&lint.stderr);
            assert!(said.trim().is_empty(), "{page}: mandoc -Tlint:\n{said}");
        }
    }
    let check = std::fs::read_to_string(dir.join("balance-check.1")).unwrap();
    assert!(check.contains(".SH EXIT STATUS"), "{check}");
}

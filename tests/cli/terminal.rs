//! Tables fit the terminal they are printed on, and only a terminal: in a pipe
//! or a file no line is cut.

use std::process::Command;

use crate::common::{BIN, Home, stdout};

/// Runs `args` on a pseudo-terminal `cols` wide (util-linux `script`), and
/// returns what it printed with colour codes removed.
fn on_terminal(cols: u16, args: &str) -> Option<String> {
    on_terminal_in(None, cols, args)
}

/// The same, with `home`'s private HOME and XDG dirs (`COLUMNS` unset: the
/// terminal's own size counts).
fn on_terminal_in(home: Option<&Home>, cols: u16, args: &str) -> Option<String> {
    let mut cmd = Command::new("script");
    cmd.args([
        "-qec",
        &format!("stty cols {cols} rows 50; {BIN} {args}"),
        "/dev/null",
    ])
    .env("NO_COLOR", "1")
    .env_remove("COLUMNS")
    .env_remove("BALANCE_CONFIG");
    if let Some(home) = home {
        cmd.env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("xdg-config"))
            .env("XDG_CACHE_HOME", home.cache_dir())
            .env("XDG_DATA_HOME", home.path().join("data"));
    }
    let out = cmd.output().ok()?;
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
    let text = on_terminal(80, "demo --faults 2>/dev/null").expect("script (util-linux)");
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
    let out = on_terminal(80, &format!("--config {} profiles", path.display())).expect("script");
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

/// The demo's port changes from run to run; the words around it do not.
fn without_port(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("127.0.0.1:") {
        let (head, tail) = rest.split_at(at + "127.0.0.1:".len());
        out.push_str(head);
        out.push_str("PORT");
        rest = tail.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    out + rest
}

/// Every line at most `cols` wide, and no word split over two lines: each word
/// on the terminal is a whole word of the unfitted output (`whole`, as a pipe
/// gets it), or the start of one ending in `…`. Sparklines are resampled, so
/// they are not words.
fn assert_fits(cols: usize, fitted: &str, whole: &str, what: &str) {
    for line in fitted.lines() {
        assert!(
            line.chars().count() <= cols,
            "{what} at {cols}: {} wide: {line:?}\n{fitted}",
            line.chars().count()
        );
    }
    let words: std::collections::HashSet<&str> = whole.split_whitespace().collect();
    for word in fitted.split_whitespace() {
        if word.chars().all(|c| ('▁'..='█').contains(&c)) {
            continue;
        }
        let whole_word = match word.strip_suffix('…') {
            Some(stem) => words.iter().any(|w| w.starts_with(stem)),
            None => words.contains(word),
        };
        assert!(
            whole_word,
            "{what} at {cols}: `{word}` is not a whole word of the output:\n{fitted}\n--- whole:\n{whole}"
        );
    }
}

const WIDTHS: [u16; 3] = [60, 80, 120];

#[test]
fn demo_faults_never_break_a_word_or_an_amount() {
    let home = Home::new();
    // Each run waits out the slow scenario's timeouts (~2 s): all at once.
    let (whole, runs) = std::thread::scope(|s| {
        let runs: Vec<_> = WIDTHS
            .map(|cols| {
                let home = &home;
                s.spawn(move || on_terminal_in(Some(home), cols, "demo --faults 2>/dev/null"))
            })
            .into_iter()
            .collect();
        let whole = stdout(&home.cmd().args(["demo", "--faults"]).output().unwrap());
        (
            whole,
            runs.into_iter()
                .map(|r| r.join().unwrap())
                .collect::<Vec<_>>(),
        )
    });
    for (cols, text) in WIDTHS.into_iter().zip(runs) {
        let text = text.expect("`script` (util-linux) is needed for the terminal tests");
        assert!(text.contains("PROFILE"), "{text}");
        assert_fits(
            cols.into(),
            &without_port(&text),
            &without_port(&whole),
            "demo",
        );
        for amount in ["149309.7985931", "999.5360000000001", "-250"] {
            assert!(text.contains(amount), "{amount} at {cols}:\n{text}");
        }
    }
}

#[test]
fn profiles_never_break_a_word() {
    let home = Home::new();
    let path = home.config(
        "[profiles.infobip-production-europe-west]\nprovider = \"infobip\"\n\
         base_url = \"https://a-rather-long-subdomain.api.infobip.com/with/a/prefix\"\n\
         api_key = { env = \"BALANCE_TEST_UNSET_KEY\" }\nmin_balance = 20\n\
         [profiles.sg]\nprovider = \"8x8\"\napi_key = \"k\"\nsubaccount = \"x\"\n",
    );
    let args = format!("--config {} profiles", path.display());
    let whole = stdout(
        &home
            .cmd()
            .args(["--config", path.to_str().unwrap(), "profiles"])
            .output()
            .unwrap(),
    );
    // The whole list of accepted keys, not cut at some bound.
    assert!(whole.contains("region)"), "{whole}");
    for cols in WIDTHS {
        let text = on_terminal_in(Some(&home), cols, &args).expect("script");
        assert!(text.contains("PROFILE"), "{text}");
        assert_fits(cols.into(), &text, &whole, "profiles");
    }
}

#[test]
fn history_fits_80_columns_and_never_cuts_an_amount() {
    let home = Home::new();
    let path = home.config("");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let mut csv =
        String::from("checked_at,profile,provider,status,balance,currency,error_kind\r\n");
    for h in (1..=72).rev() {
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs((now - h * 3600) as u64);
        let at = humantime::format_rfc3339_seconds(at);
        let b = format!("{}.7985931", 149309 - h);
        csv.push_str(&format!(
            "{at},messagebird-marketing-eu,messagebird,ok,{b},EUR,\r\n"
        ));
        csv.push_str(&format!("{at},sg,8x8,ok,{}.25,USD,\r\n", 1000 + h));
    }
    let file = home.path().join("import.csv");
    std::fs::write(&file, csv).unwrap();
    let out = home
        .cmd()
        .args(["--config", path.to_str().unwrap(), "history", "import"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        crate::common::code(&out),
        0,
        "{}",
        crate::common::stderr(&out)
    );
    let whole = stdout(
        &home
            .cmd()
            .args(["--config", path.to_str().unwrap(), "history", "--all"])
            .output()
            .unwrap(),
    );
    assert!(whole.contains("TREND"), "{whole}");
    for cols in WIDTHS {
        let args = format!("--config {} history --all", path.display());
        let text = on_terminal_in(Some(&home), cols, &args).expect("script");
        assert!(text.contains("DAYS LEFT"), "{text}");
        assert_fits(cols.into(), &text, &whole, "history");
        assert!(text.contains("149308.7985931"), "at {cols}:\n{text}");
        assert!(text.contains("1001.25"), "at {cols}:\n{text}");
    }
}

//! History and forecast (SPEC §10) through the real binary: overlapping runs,
//! damaged and read-only stores, the csv round trip, and a forecast checked
//! against an independent computation.

use std::process::Output;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::common::{FAST, Home, Sandbox, code, json, stderr, stdout};

const HEADER: &str = "checked_at,profile,provider,status,balance,currency,error_kind";

/// Profiles on the sandbox: two healthy, one with revoked credentials.
pub(crate) fn config(home: &Home, sandbox: &Sandbox, extra: &str) {
    let ib = sandbox.url("infobip");
    home.config(&format!(
        "{FAST}{extra}\n\
         [profiles.ib]\nprovider = \"infobip\"\nbase_url = \"{ib}\"\napi_key = \"healthy\"\n\
         [profiles.ib2]\nprovider = \"infobip\"\nbase_url = \"{ib}\"\napi_key = \"healthy\"\nmin_balance = 100\n\
         [profiles.bad]\nprovider = \"infobip\"\nbase_url = \"{ib}\"\napi_key = \"bad-credentials\"\n"
    ));
}

fn csv_rows(home: &Home) -> Vec<String> {
    let out = home.run(&["history", "--format", "csv"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    let mut lines = text.split("\r\n").filter(|l| !l.is_empty());
    assert_eq!(lines.next(), Some(HEADER));
    lines.map(str::to_owned).collect()
}

/// Check output with the one field that differs between two runs blanked out.
fn shape(out: &Output) -> String {
    let mut rows = json(out);
    for row in &mut rows {
        row["checked_at"] = serde_json::Value::Null;
    }
    serde_json::to_string(&rows).unwrap()
}

#[test]
fn every_check_is_recorded_and_demo_or_no_history_is_not() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    config(&home, &sandbox, "");
    let out = home.run(&["check", "--json"]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    let rows = csv_rows(&home);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(
        rows.iter()
            .any(|r| r.contains(",ib,infobip,ok,47.79134,EUR,")),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.contains(",ib2,infobip,low,47.79134,EUR,")),
        "{rows:?}"
    );
    assert!(
        rows.iter().any(|r| r.contains(",bad,infobip,error,,,auth")),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .all(|r| r.contains('T') && r.split(',').next().unwrap().ends_with('Z'))
    );

    home.run(&["check", "--no-history", "ib"]);
    home.run(&["demo"]);
    assert_eq!(
        csv_rows(&home).len(),
        3,
        "--no-history and demo record nothing"
    );

    let json_rows: serde_json::Value =
        serde_json::from_slice(&home.run(&["history", "--format", "json", "ib"]).stdout).unwrap();
    assert_eq!(json_rows.as_array().unwrap().len(), 1);
    assert_eq!(json_rows[0]["balance"].to_string(), "47.79134");

    let off = Home::new();
    config(&off, &sandbox, "history = false");
    off.run(&["check"]);
    assert!(!off.history_path().exists());
    assert!(!off.path().join("data").exists());
}

#[test]
fn twenty_overlapping_checks_all_record() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    config(&home, &sandbox, "");
    // All at once, from no store at all: creating it races too.
    let children: Vec<_> = (0..20)
        .map(|_| {
            let mut cmd = home.cmd();
            cmd.arg("--config")
                .arg(home.path().join("config.toml"))
                .args(["check", "--json"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            cmd.spawn().unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(code(&out), 4, "{}", stderr(&out));
        assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    }
    let rows = csv_rows(&home);
    assert_eq!(rows.len(), 60, "20 runs x 3 profiles");
}

#[test]
fn a_damaged_store_is_one_warning_and_never_overwritten() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    config(&home, &sandbox, "");
    let clean = home.run(&["check", "--json", "--no-history"]);

    let path = home.history_path();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let junk = b"not a database at all\n".repeat(500);
    std::fs::write(&path, &junk).unwrap();
    let out = home.run(&["check", "--json"]);
    assert_eq!(code(&out), code(&clean));
    assert_eq!(shape(&out), shape(&clean));
    let err = stderr(&out);
    let warnings: Vec<&str> = err.lines().filter(|l| l.contains("history")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(
        warnings[0].contains("warning") && warnings[0].contains("left untouched"),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), junk);

    // Table and Nagios alike.
    let out = home.run(&["check", "ib", "--format", "nagios"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(std::fs::read(&path).unwrap(), junk);
    // `history` itself fails, saying why.
    let out = home.run(&["history"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("not a valid history database"),
        "{}",
        stderr(&out)
    );
}

#[cfg(unix)]
#[test]
fn a_read_only_store_is_one_warning_and_still_forecasts() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    config(&home, &sandbox, "");
    import(&home, &spend_history(now()));
    let path = home.history_path();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = std::fs::read(&path).unwrap();
    let out = home.run(&["check", "--json", "ib"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("read-only"), "{err}");
    assert!(
        json(&out)[0]["forecast"].is_object(),
        "read for the forecast"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn rfc3339(secs: i64) -> String {
    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(secs as u64)).to_string()
}

/// `ib`: five days, hourly, spending 10 EUR a day, to meet the sandbox's 47.79134 now.
/// Before that a top-up, and an older stretch at a very different rate.
pub(crate) fn spend_history(now: i64) -> Vec<(i64, String)> {
    let mut points = Vec::new();
    for h in (121..=240).rev() {
        // Spending 1000 a day down to 5, then topped up.
        let t = now - h * 3600;
        points.push((t, format!("{:.5}", 5.0 + (h - 121) as f64 * 1000.0 / 24.0)));
    }
    for h in (1..=120).rev() {
        let t = now - h * 3600;
        points.push((t, format!("{:.5}", 47.79134 + 10.0 * h as f64 / 24.0)));
    }
    points
}

fn csv_of(points: &[(i64, String)]) -> String {
    let mut text = format!("{HEADER}\r\n");
    for (t, b) in points {
        text.push_str(&format!("{},ib,infobip,ok,{b},EUR,\r\n", rfc3339(*t)));
    }
    text
}

pub(crate) fn import(home: &Home, points: &[(i64, String)]) {
    let file = home.path().join("import.csv");
    std::fs::write(&file, csv_of(points)).unwrap();
    let out = home.run(&["history", "import", file.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

/// Least squares over (days, balance), written apart from the program's own.
fn slope(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let num: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let den: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    num / den
}

#[test]
fn forecast_from_imported_history_in_every_format() {
    let sandbox = Sandbox::start(&[]);
    let home = Home::new();
    config(&home, &sandbox, "");
    let t0 = now();
    let history = spend_history(t0);
    import(&home, &history);

    let out = home.run(&["check", "--json", "ib"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let row = &json(&out)[0];
    let f = &row["forecast"];
    // The current segment: after the top-up, within the 14-day window, plus now.
    let checked = humantime::parse_rfc3339(row["checked_at"].as_str().unwrap())
        .unwrap()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let mut segment: Vec<(f64, f64)> = history[120..]
        .iter()
        .map(|(t, b)| (*t as f64 / 86_400.0, b.parse().unwrap()))
        .collect();
    segment.push((checked as f64 / 86_400.0, 47.79134));
    let spend = -slope(&segment);
    assert!((spend - 10.0).abs() < 0.05, "{spend}");
    let spend_out = f["spend_per_day"].as_f64().unwrap();
    assert!((spend_out - spend).abs() < 1e-3, "{f} vs {spend}");
    let days = 47.79134 / spend;
    assert!(
        (f["days_left"].as_f64().unwrap() - days).abs() < 0.011,
        "{f} vs {days}"
    );
    let empty_at = humantime::parse_rfc3339(f["empty_at"].as_str().unwrap())
        .unwrap()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as f64;
    assert!(
        (empty_at - (checked as f64 + days * 86_400.0)).abs() < 60.0,
        "{f}"
    );
    assert!(json(&out)[0]["forecast"].is_object());

    // min_days: 7 > 4.8 days left is LOW; 3 is not.
    let out = home.run(&["check", "ib", "--min-days", "7"]);
    assert_eq!(code(&out), 9, "{}", stderr(&out));
    let table = stdout(&out);
    assert!(table.contains("DAYS LEFT"), "{table}");
    assert!(table.contains("LOW (empty in 4.8 d)"), "{table}");
    assert_eq!(code(&home.run(&["check", "ib", "--min-days", "3"])), 0);

    let out = home.run(&["check", "ib", "--min-days", "7", "--format", "nagios"]);
    assert_eq!(code(&out), 1, "WARNING: {}", stdout(&out));
    let line = stdout(&out);
    assert!(
        line.starts_with("BALANCE WARNING - ib: 47.79134 EUR (empty in 4.8 d) | "),
        "{line}"
    );
    assert!(line.contains("'ib_days_left'=4.7"), "{line}");
    assert!(line.contains(";7:;"), "{line}");

    let out = home.run(&["check", "ib", "--format", "prometheus"]);
    let text = stdout(&out);
    assert!(text.contains("# TYPE balance_spend_rate gauge"), "{text}");
    assert!(
        text.contains("balance_empty_timestamp_seconds{profile=\"ib\",provider=\"infobip\"} "),
        "{text}"
    );

    // Per profile, in config order: the table of `history`.
    let out = home.run(&["history"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let table = stdout(&out);
    let ib = table
        .lines()
        .find(|l| l.starts_with("ib "))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(ib.contains("47.79134") && ib.contains(" 4.8 "), "{table}");
    assert!(ib.contains('▁'), "a sparkline: {table}");

    // min_days as a profile key.
    let ib = sandbox.url("infobip");
    home.config(&format!(
        "{FAST}[profiles.ib]\nprovider = \"infobip\"\nbase_url = \"{ib}\"\napi_key = \"healthy\"\nmin_days = 7\n"
    ));
    let out = home.run(&["check", "--json"]);
    assert_eq!(code(&out), 9, "{}", stderr(&out));
    assert_eq!(json(&out)[0]["status"], "low");
}

#[test]
fn csv_round_trip_and_idempotent_import() {
    let home = Home::new();
    home.config("");
    let mut text = format!("{HEADER}\r\n");
    let t0 = 1_790_000_000;
    for i in 0..300 {
        let t = rfc3339(t0 + i * 300);
        text.push_str(&format!(
            "{t},a,infobip,ok,{}.{:02},EUR,\r\n",
            1000 - i,
            i % 100
        ));
        if i % 5 == 0 {
            // A profile's labelled balances (a subaccount, a currency) too.
            text.push_str(&format!("{t},a/Shop EU (2),vonage,ok,5.5,EUR,\r\n"));
        }
        if i % 7 == 0 {
            text.push_str(&format!("{t},b,8x8,error,,,network\r\n"));
        }
        if i % 11 == 0 {
            text.push_str(&format!("{t},c,http,low,0.000{i},\"V,C\"\"\",\r\n"));
        }
    }
    let file = home.path().join("in.csv");
    std::fs::write(&file, &text).unwrap();
    let out = home.run(&["history", "import", file.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let exported = stdout(&home.run(&["history", "--format", "csv", "--all"]));
    assert_eq!(exported, text);

    // Twice changes nothing.
    let out = home.run(&["history", "import", file.to_str().unwrap()]);
    assert!(stderr(&out).contains("imported 0 rows"), "{}", stderr(&out));
    assert_eq!(
        stdout(&home.run(&["history", "--format", "csv", "--all"])),
        text
    );

    // Export, import elsewhere, export again: identical.
    let other = Home::new();
    other.config("");
    let moved = other.path().join("moved.csv");
    std::fs::write(&moved, &exported).unwrap();
    assert_eq!(
        code(&other.run(&["history", "import", moved.to_str().unwrap()])),
        0
    );
    assert_eq!(
        stdout(&other.run(&["history", "--format", "csv", "--all"])),
        exported
    );
}

#[test]
fn a_bad_row_names_its_line_and_writes_nothing() {
    let home = Home::new();
    home.config("");
    let text = format!(
        "{HEADER}\n2026-11-01T00:00:00Z,a,infobip,ok,10,EUR,\n2026-11-01T01:00:00Z,a,infobip,ok,9,EUR,\n\
         2026-11-01T02:00:00Z,a,infobip,ok,8,EUR,\n2026-11-01T03:00:00Z,a,infobip,ok,eight,EUR,\n"
    );
    let file = home.path().join("bad.csv");
    std::fs::write(&file, text).unwrap();
    let out = home.run(&["history", "import", file.to_str().unwrap()]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(
        err.contains("line 5") && err.contains("nothing was imported"),
        "{err}"
    );
    let rows = stdout(&home.run(&["history", "--format", "csv", "--all"]));
    assert_eq!(rows, format!("{HEADER}\r\n"));
}

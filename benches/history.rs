//! `cargo bench --bench history`: a history store of 1,000,000 rows (100
//! profiles x 10,000 checks spread over a year, spending with monthly top-ups
//! on a different day for each profile),
//! then what history costs a `check` and what `balance history` takes.
//!
//! - the history step alone (open, read each profile's forecast window,
//!   forecast, record, prune), for a check of 1 and of 100 profiles;
//! - `balance check` of 100 profiles against a loopback vendor, release binary,
//!   with the store against `--no-history`;
//! - `balance history` (table, 30 days), `--since all`, and `--format csv`.
//!
//! `ROWS_PER_PROFILE=105120` gives a year at 5-minute intervals (10.5 M rows).

use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use balance::config::HistoryLocation as Location;
use balance::config::Settings;
use balance::history::{self, Record, Store};
use balance::kit::Balance;
use balance::result::{CheckResult, Status};
use rust_decimal::Decimal;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

const PROFILES: usize = 100;
const YEAR: i64 = 365 * 86_400_000_000;

fn main() {
    let per_profile: i64 = std::env::var("ROWS_PER_PROFILE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store_path = data.join("balance/history.sqlite3");
    let now = history::micros(SystemTime::now());

    // One transaction through the import path: what `history import` does.
    let started = Instant::now();
    let mut store = Store::open(&store_path).unwrap();
    let step = YEAR / per_profile;
    let mut rows = Vec::with_capacity(per_profile as usize);
    for p in 0..PROFILES {
        rows.clear();
        for i in 0..per_profile {
            let at = now - YEAR + i * step;
            // 30-day cycles: topped up to 10,000, spending ~300 a day; each
            // profile's cycle starts on another day, so the time since the last
            // top-up (which bounds what a forecast reads) is spread evenly.
            let month = 30 * 86_400_000_000;
            let into_cycle = (i * step + p as i64 * month / PROFILES as i64) % month;
            let cents = 1_000_000 - into_cycle / (86_400_000_000 / 30_000) - (i * 7919 % 97);
            rows.push(Record {
                checked_at: at,
                profile: format!("p{p:03}"),
                provider: "infobip".into(),
                status: Status::Ok,
                balance: Some(Decimal::new(cents, 2)),
                currency: Some("EUR".into()),
                error_kind: None,
                duration_ms: Some(120),
                ..Record::default()
            });
        }
        store.import(&rows).unwrap();
    }
    drop(store);
    let total = PROFILES as i64 * per_profile;
    let size = std::fs::metadata(&store_path).unwrap().len();
    println!(
        "built {total} rows in {:.1} s ({:.0} MB)",
        started.elapsed().as_secs_f64(),
        size as f64 / 1e6
    );

    // The history step alone, as `check` runs it.
    let settings = Settings {
        history: Location::Path(store_path.clone()),
        ..Settings::default()
    };
    for n in [1, PROFILES] {
        let mut times = Vec::new();
        let mut forecasts = 0;
        for _ in 0..21 {
            let mut results = results(n);
            let started = Instant::now();
            let store = history::record_run(&settings, &mut results);
            times.push(started.elapsed());
            assert!(store.is_some(), "recorded");
            forecasts = results.iter().filter(|r| r.forecast.is_some()).count();
        }
        report(
            &format!("history step of a check of {n} profile(s) ({forecasts} forecast)"),
            &mut times,
        );
    }

    // The release binary, end to end.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        Mock::given(path("/account/1/balance"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                r#"{"balance": 5000.5, "currency": "EUR"}"#,
                "application/json",
            ))
            .mount(&server)
            .await;
        server
    });
    let config = dir.path().join("config.toml");
    let mut text = String::from("[settings]\nretries = 0\nconcurrency = 16\n");
    for p in 0..PROFILES {
        text.push_str(&format!(
            "[profiles.p{p:03}]\nprovider = \"infobip\"\nbase_url = \"{}\"\napi_key = \"bench\"\n",
            server.uri()
        ));
    }
    std::fs::write(&config, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let run = |args: &[&str]| {
        let started = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_balance"))
            .arg("--config")
            .arg(&config)
            .args(args)
            .env("XDG_DATA_HOME", &data)
            .env("XDG_CACHE_HOME", dir.path())
            .output()
            .unwrap();
        let elapsed = started.elapsed();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        elapsed
    };
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for _ in 0..15 {
        with.push(run(&["check", "--json"]));
        without.push(run(&["check", "--json", "--no-history"]));
    }
    let a = report("balance check, 100 profiles, with history", &mut with);
    let b = report("balance check, 100 profiles, --no-history", &mut without);
    println!(
        "  history adds {:.1} ms to the check (median difference)",
        (a.as_secs_f64() - b.as_secs_f64()) * 1e3
    );
    for args in [
        &["history"][..],
        &["history", "--since", "all"],
        &["history", "--format", "csv"],
    ] {
        let mut times: Vec<Duration> = (0..5).map(|_| run(args)).collect();
        report(&format!("balance {}", args.join(" ")), &mut times);
    }
}

fn results(n: usize) -> Vec<CheckResult> {
    (0..n)
        .map(|p| CheckResult {
            profile: format!("p{p:03}"),
            provider: "infobip".into(),
            min_balance: None,
            outcome: Ok(Balance::new(Decimal::new(500_050, 2), Some("EUR".into()))),
            checked_at: SystemTime::now(),
            duration: Duration::from_millis(100),
            min_days: None,
            forecast: None,
        })
        .collect()
}

fn report(what: &str, times: &mut [Duration]) -> Duration {
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "{what}: median {:.2} ms, min {:.2} ms, max {:.2} ms ({} runs)",
        median.as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
        times.len()
    );
    median
}

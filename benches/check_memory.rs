//! `cargo bench --bench check_memory`: the peak resident memory and wall time
//! of `balance check` over PROFILES (5,000) profiles at CONCURRENCY (256),
//! release binary, under `/usr/bin/time -v`, RUNS (3) times.
//!
//! The vendors are HOSTS (8) wiremock servers on loopback, each its own host
//! and so its own connection pool, answering after LATENCY_MS (20). Every
//! profile has a secret of its own, as real accounts do, so the redaction
//! table holds 5,000 secrets with every encoding of each.
//!
//!   cargo bench --bench check_memory
//!   BALANCE_BIN=/path/to/other/balance cargo bench --bench check_memory   # compare
//!
//! Linux only (GNU time's `-v`).

use std::process::Command;
use std::time::Duration;

use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let profiles = env("PROFILES", 5000) as usize;
    let concurrency = env("CONCURRENCY", 256) as usize;
    let hosts = env("HOSTS", 8) as usize;
    let runs = env("RUNS", 3) as usize;
    let latency = Duration::from_millis(env("LATENCY_MS", 20));
    let bin = std::env::var("BALANCE_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_balance").into());

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let servers: Vec<MockServer> = runtime.block_on(async {
        let mut servers = Vec::new();
        for _ in 0..hosts {
            let server = MockServer::start().await;
            Mock::given(path("/account/1/balance"))
                .respond_with(
                    ResponseTemplate::new(200)
                        .set_body_raw(
                            r#"{"balance": 47.79134, "currency": "EUR"}"#,
                            "application/json",
                        )
                        .set_delay(latency),
                )
                .mount(&server)
                .await;
            servers.push(server);
        }
        servers
    });

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let mut text = format!("[settings]\nconcurrency = {concurrency}\nretries = 0\n");
    for i in 0..profiles {
        text.push_str(&format!(
            "[profiles.p{i}]\nprovider = \"infobip\"\nbase_url = \"{}\"\napi_key = \"bench-{i:05}-9f3c2a7e1d\"\nmin_balance = 10\n",
            servers[i % hosts].uri()
        ));
    }
    std::fs::write(&config, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    let mut rss = Vec::new();
    let mut wall = Vec::new();
    for run in 0..runs {
        let out = Command::new("/usr/bin/time")
            .arg("-v")
            .arg(&bin)
            .arg("--config")
            .arg(&config)
            .args(["check", "--json", "--no-history"])
            .env("XDG_CACHE_HOME", dir.path())
            .env("XDG_DATA_HOME", dir.path())
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&out.stderr);
        let field = |name: &str| {
            report
                .lines()
                .find_map(|l| l.trim().strip_prefix(name))
                .unwrap_or_else(|| panic!("no {name:?} in:\n{report}"))
                .trim()
                .to_owned()
        };
        assert!(
            out.status.success(),
            "balance check failed:\n{}",
            report.lines().take(20).collect::<Vec<_>>().join("\n")
        );
        let kib: u64 = field("Maximum resident set size (kbytes):")
            .parse()
            .unwrap();
        let elapsed = field("Elapsed (wall clock) time (h:mm:ss or m:ss):");
        let secs = elapsed
            .rsplit(':')
            .zip([1.0, 60.0, 3600.0])
            .map(|(part, unit)| part.parse::<f64>().unwrap() * unit)
            .sum::<f64>();
        println!(
            "run {run}: max RSS {:.1} MiB, wall {secs:.2} s, user {} s, sys {} s",
            kib as f64 / 1024.0,
            field("User time (seconds):"),
            field("System time (seconds):"),
        );
        rss.push(kib);
        wall.push(secs);
    }
    rss.sort();
    wall.sort_by(f64::total_cmp);
    println!(
        "{profiles} profiles over {hosts} hosts, concurrency {concurrency}, latency {} ms: \
         max RSS median {:.1} MiB (min {:.1}, max {:.1}), wall median {:.2} s",
        latency.as_millis(),
        rss[runs / 2] as f64 / 1024.0,
        rss[0] as f64 / 1024.0,
        rss[runs - 1] as f64 / 1024.0,
        wall[runs / 2],
    );
}

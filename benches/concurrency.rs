//! `cargo bench --bench concurrency`: 40 profiles whose vendor answers in 0.3 s,
//! checked at concurrency 8, through the release binary. The ideal is
//! ceil(40 / 8) x 0.3 s = 1.5 s; prints each run and the ratio of the median to it.

use std::process::Command;
use std::time::{Duration, Instant};

use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

const PROFILES: usize = 40;
const CONCURRENCY: usize = 8;
const LATENCY: Duration = Duration::from_millis(300);
const RUNS: usize = 7;

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        Mock::given(path("/account/1/balance"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(
                        r#"{"balance": 47.79134, "currency": "EUR"}"#,
                        "application/json",
                    )
                    .set_delay(LATENCY),
            )
            .mount(&server)
            .await;
        server
    });

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let mut text = format!("[settings]\nconcurrency = {CONCURRENCY}\nretries = 0\n");
    for i in 0..PROFILES {
        text.push_str(&format!(
            "[profiles.p{i}]\nprovider = \"infobip\"\nbase_url = \"{}\"\napi_key = \"bench\"\n",
            server.uri()
        ));
    }
    std::fs::write(&config, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    let ideal = LATENCY * PROFILES.div_ceil(CONCURRENCY) as u32;
    let mut times = Vec::new();
    for run in 0..RUNS {
        let started = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_balance"))
            .arg("--config")
            .arg(&config)
            .args(["check", "--json"])
            .env("XDG_CACHE_HOME", dir.path())
            .output()
            .unwrap();
        let elapsed = started.elapsed();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        println!("run {run}: {:.3} s", elapsed.as_secs_f64());
        times.push(elapsed);
    }
    times.sort();
    let median = times[RUNS / 2];
    println!(
        "{PROFILES} profiles, concurrency {CONCURRENCY}, vendor latency {} ms: median {:.3} s, min {:.3} s, ideal {:.3} s, median/ideal {:.3}",
        LATENCY.as_millis(),
        median.as_secs_f64(),
        times[0].as_secs_f64(),
        ideal.as_secs_f64(),
        median.as_secs_f64() / ideal.as_secs_f64()
    );
}

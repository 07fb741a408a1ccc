//! `cargo bench --bench serve`: `balance serve` at scale and over a long run,
//! release binary against `balance sandbox` on loopback (every vendor's
//! emulator, healthy, some answering 429 on every other request).
//!
//! 1. Scale: PROFILES (1,000) profiles at the default 5-minute interval. Once
//!    every profile has a result, SCRAPERS (50) clients scrape `/metrics` at
//!    once, SCRAPES (100) each over keep-alive connections: latency p50/p99/max,
//!    asking for gzip as Prometheus does, then again without.
//! 2. Soak: the same profiles checked every SOAK_INTERVAL (1 s: 300 times the
//!    default, so 288 s is a simulated day) for SOAK_SECS (300), with one client
//!    scraping `/metrics` every 100 ms and another fetching `/` every second.
//!    The resident memory of `serve` is sampled every 5 s; the checks are
//!    counted in the history store at the end. Before it, PREFILL (200) older
//!    checks per profile are imported, so that `serve` starts with its charts
//!    full (200 points each) as after a day's run: the soak then shows the
//!    steady state. PREFILL=0 shows the charts filling from nothing.
//!
//!   cargo bench --bench serve
//!   PROFILES=200 SOAK_SECS=60 cargo bench --bench serve     # a quick look
//!   BALANCE_BIN=/tmp/balance-before cargo bench --bench serve  # another build
//!
//! Linux only (memory is read from /proc).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Kills the child when the bench ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() {
    let profiles = env("PROFILES", 1000) as usize;
    let scrapers = env("SCRAPERS", 50) as usize;
    let scrapes = env("SCRAPES", 100) as usize;
    let soak_secs = env("SOAK_SECS", 300);
    let soak_interval = env("SOAK_INTERVAL", 1);
    let prefill = env("PREFILL", 200) as i64;
    // BALANCE_BIN: another build to measure (a saved binary from before a change).
    let bin_path =
        std::env::var("BALANCE_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_balance").into());
    let bin = bin_path.as_str();
    let dir = tempfile::tempdir().unwrap();

    // The sandbox, on its own port; its snippet gives one profile per vendor.
    let mut sandbox = Command::new(bin)
        .args(["sandbox", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut snippet = String::new();
    let mut lines = BufReader::new(sandbox.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        snippet.push_str(&line);
        snippet.push('\n');
        if line.starts_with("# Scenarios:") {
            break;
        }
    }
    let _sandbox = Running(sandbox);
    let config = dir.path().join("config.toml");
    std::fs::write(&config, config_text(&snippet, profiles, dir.path())).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(scrapers)
        .build()
        .unwrap();

    // 1. Scale.
    let (serve, base) = start_serve(bin, &config, dir.path(), None);
    let first_round = runtime.block_on(wait_for_all(&client, &base, profiles));
    println!(
        "scale: {profiles} profiles, default interval: every profile checked once in {:.1} s",
        first_round
            .expect("not every profile got a result in 10 minutes")
            .as_secs_f64()
    );
    let size = |gzip: bool| {
        let mut request = client.get(format!("{base}/metrics"));
        if gzip {
            request = request.header("accept-encoding", "gzip");
        }
        runtime
            .block_on(async { request.send().await?.bytes().await })
            .unwrap()
            .len()
    };
    let (metrics_bytes, gzip_bytes) = (size(false), size(true));
    for gzip in [true, false] {
        let mut times = runtime.block_on(scrape_all(&client, &base, scrapers, scrapes, gzip));
        println!(
            "scale: /metrics ({} KiB{}) under {scrapers} concurrent scrapers x {scrapes}: {}",
            (if gzip { gzip_bytes } else { metrics_bytes }) / 1024,
            if gzip { ", gzipped" } else { ", uncompressed" },
            summary(&mut times),
        );
    }
    println!("scale: serve RSS {} MiB", rss_kib(serve.0.id()) / 1024);
    drop(serve);

    // 2. Soak.
    let store = dir.path().join("history.sqlite3");
    if prefill > 0 {
        let started = Instant::now();
        import_history(bin, &config, &store, dir.path(), prefill);
        println!(
            "soak: {prefill} older checks per profile imported in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    let rows_before = rows(&store);
    let (serve, base) = start_serve(bin, &config, dir.path(), Some(soak_interval));
    let pid = serve.0.id();
    let stop = Arc::new(AtomicBool::new(false));
    let scraping = {
        let (client, base, stop) = (client.clone(), base.clone(), stop.clone());
        runtime.spawn(async move {
            let mut metrics = Vec::new();
            let mut page = Vec::new();
            let mut tick = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                if get(&client, &format!("{base}/metrics"), true).await {
                    metrics.push(t.elapsed());
                }
                if tick.is_multiple_of(10) {
                    let t = Instant::now();
                    if get(&client, &format!("{base}/"), true).await {
                        page.push(t.elapsed());
                    }
                }
                tick += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            (metrics, page)
        })
    };
    let soak_started = Instant::now();
    let mut samples = Vec::new();
    while soak_started.elapsed() < Duration::from_secs(soak_secs) {
        std::thread::sleep(Duration::from_secs(5));
        samples.push((soak_started.elapsed(), rss_kib(pid)));
    }
    stop.store(true, Ordering::Relaxed);
    let (mut metrics, mut page) = runtime.block_on(scraping).unwrap();
    let page_bytes = runtime
        .block_on(async { client.get(format!("{base}/")).send().await?.bytes().await })
        .map_or(0, |b| b.len());
    #[cfg(unix)]
    unsafe {
        libc::kill(pid as i32, libc::SIGTERM);
    }
    let mut serve = serve;
    let _ = serve.0.wait();
    let checks = rows(&store) - rows_before;
    let elapsed = soak_started.elapsed().as_secs_f64();
    let simulated_h = elapsed * 300.0 / soak_interval as f64 / 3600.0;
    println!(
        "soak: {profiles} profiles every {soak_interval} s for {elapsed:.0} s (~{simulated_h:.1} h at the default interval): {checks} checks recorded ({:.0}/s)",
        checks as f64 / elapsed
    );
    println!("soak: /metrics during the soak: {}", summary(&mut metrics));
    println!(
        "soak: / (status page, {} KiB) during the soak: {}",
        page_bytes / 1024,
        summary(&mut page)
    );
    let mib = |k: u64| k as f64 / 1024.0;
    // Per quarter of the run, the lowest and highest sample: the charts fill
    // to their bound in the first part, then the band should stay level.
    let quarter = samples.len().div_ceil(4).max(1);
    let bands: Vec<String> = samples
        .chunks(quarter)
        .map(|q| {
            let lo = q.iter().map(|s| s.1).min().unwrap_or(0);
            let hi = q.iter().map(|s| s.1).max().unwrap_or(0);
            format!("{:.1}-{:.1}", mib(lo), mib(hi))
        })
        .collect();
    println!(
        "soak: serve RSS by quarter of the run, MiB: {}",
        bands.join(", ")
    );
    print!("soak: RSS samples (s:MiB)");
    for (at, kib) in &samples {
        print!(" {}:{:.1}", at.as_secs(), mib(*kib));
    }
    println!();
}

/// `count` checks per profile before the one the scale phase recorded, five
/// minutes apart, spending 0.01 a check in the currency that check found.
/// A profile's `PROFILE/LABEL` results (subaccounts, DeepSeek's currencies)
/// too: builds before history import took them fail here (measure those
/// with PREFILL=0).
fn import_history(bin: &str, config: &Path, store: &Path, dir: &Path, count: i64) {
    let db = rusqlite::Connection::open(store).unwrap();
    let mut first = db
        .prepare(
            "SELECT profile, provider, min(checked_at), balance, coalesce(currency, '')
             FROM checks WHERE balance IS NOT NULL GROUP BY profile",
        )
        .unwrap();
    let rows: Vec<(String, String, i64, String, String)> = first
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut csv =
        String::from("checked_at,profile,provider,status,balance,currency,error_kind\r\n");
    for (profile, provider, at, balance, currency) in rows {
        let balance: rust_decimal::Decimal = balance.parse().unwrap();
        for k in (1..=count).rev() {
            let t = std::time::UNIX_EPOCH + Duration::from_micros((at - k * 300_000_000) as u64);
            let b = balance + rust_decimal::Decimal::new(k, 2);
            csv.push_str(&format!(
                "{},{profile},{provider},ok,{b},{currency},\r\n",
                humantime::format_rfc3339_micros(t)
            ));
        }
    }
    let file = dir.join("prefill.csv");
    std::fs::write(&file, csv).unwrap();
    let out = Command::new(bin)
        .arg("--config")
        .arg(config)
        .args(["history", "import"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// PROFILES profiles, cycling through the sandbox's vendors: every fifth one
/// answering 429 on every other request (so retries are part of the load),
/// secrets inline rather than a command per check.
fn config_text(snippet: &str, profiles: usize, dir: &Path) -> String {
    let table: toml::Table = snippet.parse().unwrap();
    let vendors: Vec<(&String, &toml::Value)> =
        table["profiles"].as_table().unwrap().iter().collect();
    // The soak checks every profile every second, 300 times the default rate,
    // and a fifth of them wait 0.1-1 s for a retry after their 429: 128 checks
    // in flight keep up with that (the default 8 does at the default interval).
    let mut out = format!(
        "[settings]\nhistory = \"{}\"\nretries = 2\nconcurrency = 128\n\n",
        dir.join("history.sqlite3").display()
    );
    for i in 0..profiles {
        let (vendor, profile) = vendors[i % vendors.len()];
        let scenario = if i % 5 == 4 {
            "rate-limited-once"
        } else {
            "healthy"
        };
        out.push_str(&format!("[profiles.{vendor}-{i}]\n"));
        for (key, value) in profile.as_table().unwrap() {
            let value = match value {
                toml::Value::Table(t) if t.contains_key("command") => {
                    toml::Value::String(scenario.to_owned())
                }
                // Yeastar caches a token per client id: one per profile.
                toml::Value::String(s) if key == "client_id" && s.starts_with("sandbox-") => {
                    toml::Value::String(format!("sandbox-{scenario}-{i}"))
                }
                v => v.clone(),
            };
            out.push_str(&format!("{key} = {value}\n"));
        }
        out.push('\n');
    }
    out
}

fn start_serve(bin: &str, config: &Path, dir: &Path, interval: Option<u64>) -> (Running, String) {
    let mut command = Command::new(bin);
    command
        .arg("--config")
        .arg(config)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(s) = interval {
        command.args(["--interval", &format!("{s}s")]);
    }
    let mut child = command.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let base = loop {
        let line = lines
            .next()
            .expect("serve ended before saying where it listens")
            .unwrap();
        // `balance: serving on http://127.0.0.1:PORT (1000 profiles, every 5m)`
        if let Some(rest) = line.split("serving on ").nth(1) {
            let addr = rest.split_whitespace().next().unwrap_or_default();
            break addr.trim_end_matches(':').to_owned();
        }
    };
    // Keep draining stderr so that serve never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (Running(child), base)
}

async fn wait_for_all(client: &reqwest::Client, base: &str, profiles: usize) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(600) {
        if let Ok(r) = client.get(format!("{base}/api/v1/balances")).send().await
            && let Ok(body) = r.bytes().await
            && let Ok(json) = serde_json::from_slice::<serde_json::Value>(&body)
            && json.as_array().map_or(0, Vec::len) >= profiles
        {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    None
}

/// A GET read to its end (not decoded: that is the scraper's own cost).
async fn get(client: &reqwest::Client, url: &str, gzip: bool) -> bool {
    let mut request = client.get(url);
    if gzip {
        request = request.header("accept-encoding", "gzip");
    }
    match request.send().await {
        Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
        _ => false,
    }
}

async fn scrape_all(
    client: &reqwest::Client,
    base: &str,
    scrapers: usize,
    scrapes: usize,
    gzip: bool,
) -> Vec<Duration> {
    let url = format!("{base}/metrics");
    // Connections first, so the figures are of answers rather than handshakes.
    let warm: Vec<_> = (0..scrapers)
        .map(|_| {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move { get(&client, &url, gzip).await })
        })
        .collect();
    for w in warm {
        w.await.unwrap();
    }
    let tasks: Vec<_> = (0..scrapers)
        .map(|_| {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move {
                let mut times = Vec::with_capacity(scrapes);
                for _ in 0..scrapes {
                    let t = Instant::now();
                    assert!(get(&client, &url, gzip).await, "a scrape failed");
                    times.push(t.elapsed());
                }
                times
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all
}

fn summary(times: &mut [Duration]) -> String {
    if times.is_empty() {
        return "no answers".to_owned();
    }
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "{} answers, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        times.len(),
        ms(at(0.50)),
        ms(at(0.99)),
        ms(times[times.len() - 1])
    )
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn rows(store: &Path) -> i64 {
    if !store.exists() {
        return 0;
    }
    let db = rusqlite::Connection::open(store).unwrap();
    db.query_row("SELECT count(*) FROM checks", [], |r| r.get(0))
        .unwrap()
}

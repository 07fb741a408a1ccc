//! The scheduler: each profile checked on its interval through the same
//! runner as `check`, each result recorded through the post-check pipeline
//! and published to the documents; alert delivery runs beside it.

use super::*;

/// The recorded balances each card's chart starts with.
pub(super) async fn load_charts(config: &Config, state: &State) {
    let Some(path) = config.settings.history.path() else {
        return;
    };
    let names: Vec<String> = config.profiles.iter().map(|p| p.name.clone()).collect();
    let since = crate::history::micros(SystemTime::now() - lock(state).options.chart_window);
    let read = tokio::task::spawn_blocking(move || {
        let Ok(Some(store)) = Store::open_read(&path) else {
            return HashMap::new();
        };
        names
            .into_iter()
            .filter_map(|n| {
                let mut points = store.points(&n, since).ok()?;
                bound(&mut points, since);
                Some((n, points))
            })
            .collect::<HashMap<String, Vec<Point>>>()
    })
    .await;
    if let Ok(chart) = read {
        let mut shared = lock(state);
        // The last recorded balance is the last success, from before this run too.
        for (name, points) in &chart {
            if let Some(p) = points.last() {
                shared
                    .last_success
                    .insert(name.clone(), crate::history::system_time(p.at));
            }
        }
        shared.chart = chart;
        shared.generation += 1;
    }
}

/// Keeps a chart's points within the window and, thinned, within `CHART_POINTS`.
pub(super) fn bound(points: &mut Vec<Point>, since: i64) {
    let old = points.partition_point(|p| p.at < since);
    points.drain(..old);
    if points.len() > CHART_POINTS {
        let all: Vec<&Point> = points.iter().collect();
        let mut kept: Vec<Point> = output::page::thin(&all, CHART_POINTS / 4)
            .into_iter()
            .cloned()
            .collect();
        // Room for the points until the next thinning, and no more: a doubling
        // Vec would hold twice that for each of a thousand profiles.
        kept.reserve_exact((CHART_POINTS + 1).saturating_sub(kept.len()));
        *points = kept;
    }
}

/// The profiles to start now (indexes into the config's): due, not in flight,
/// and no more than `concurrency` in flight with them, as in `check`. Each
/// check holds a connection and its buffers (about 50 KiB); with every due
/// profile started at once, a round of 1,000 profiles held 50 MB at its peak.
/// Those waiting longest go first, so that none starves when more are due than
/// can run.
pub(super) fn to_start(
    config: &Config,
    due: &HashMap<String, Instant>,
    in_flight: &HashSet<String>,
    now: Instant,
) -> Vec<usize> {
    let room = config.settings.concurrency.saturating_sub(in_flight.len());
    if room == 0 {
        return Vec::new();
    }
    let mut ready: Vec<(Instant, usize)> = config
        .profiles
        .iter()
        .enumerate()
        .filter(|(_, e)| !in_flight.contains(&e.name))
        .map(|(i, e)| (*due.get(&e.name).unwrap_or(&now), i))
        .filter(|(when, _)| *when <= now)
        .collect();
    ready.sort_unstable();
    ready.into_iter().take(room).map(|(_, i)| i).collect()
}

pub(super) type Check = Pin<Box<dyn Future<Output = (String, Vec<CheckResult>)>>>;

/// Checks each profile when it is due, one check per profile at a time, at most
/// `concurrency` at once; hands each result to the recorder. Returns once a
/// stop signal came and the checks then in flight are finished and recorded.
pub(super) async fn schedule(
    path: PathBuf,
    current: Current,
    mut signals: Signals,
    interval_flag: Option<Duration>,
    state: State,
    stop_serving: impl FnOnce(),
) {
    let mut current = Rc::new(current);
    let (to_recorder, results) = tokio::sync::mpsc::unbounded_channel();
    let recorder = tokio::task::spawn_local(record(results, state.clone()));
    let cache_dir =
        directories::ProjectDirs::from("", "", "balance").map(|d| d.cache_dir().to_path_buf());

    let mut due: HashMap<String, Instant> = HashMap::new();
    let mut in_flight: HashSet<String> = HashSet::new();
    let mut checks: FuturesUnordered<Check> = FuturesUnordered::new();
    let now = Instant::now();
    for entry in &current.config.profiles {
        due.insert(entry.name.clone(), now);
    }
    let token_timeout = lock(&state).options.token_timeout;
    let mut stopping = false;
    while !stopping {
        let now = Instant::now();
        for i in to_start(&current.config, &due, &in_flight, now) {
            in_flight.insert(current.config.profiles[i].name.clone());
            checks.push(check(current.clone(), i, cache_dir.clone()));
        }
        let next = if in_flight.len() >= current.config.settings.concurrency {
            // Woken by a check that finishes.
            now + Duration::from_secs(3600)
        } else {
            current
                .config
                .profiles
                .iter()
                .filter(|e| !in_flight.contains(&e.name))
                .filter_map(|e| due.get(&e.name))
                .min()
                .copied()
                .unwrap_or_else(|| now + Duration::from_secs(3600))
        };
        tokio::select! {
            Some((name, result)) = checks.next(), if !checks.is_empty() => {
                in_flight.remove(&name);
                let every = interval_of(&current.config, &name, interval_flag);
                due.insert(name, Instant::now() + jittered(every));
                for result in result {
                    let _ = to_recorder.send((result, current.clone()));
                }
            }
            () = tokio::time::sleep_until(next) => {}
            signal = signals.recv() => match signal {
                Signal::Stop => stopping = true,
                Signal::Reload => match reload(&path, token_timeout).await {
                    Ok((fresh, token)) => {
                        current = Rc::new(fresh);
                        let mut shared = lock(&state);
                        shared.order = current.config.profiles.iter().map(|p| p.name.clone()).collect();
                        shared.token = token;
                        shared.hosts = current.config.settings.serve_hosts.clone();
                        shared.generation += 1;
                        drop(shared);
                        // A reload is when credentials get fixed: every profile
                        // is checked again now rather than at its next turn.
                        let now = Instant::now();
                        due = current.config.profiles.iter().map(|e| (e.name.clone(), now)).collect();
                        crate::log::line(format_args!(
                            "config reloaded: {} profiles",
                            current.config.profiles.len()
                        ));
                    }
                    Err(e) => crate::log::line(format_args!(
                        "config not reloaded, the old one is kept: {e}"
                    )),
                },
            },
        }
    }
    // Stopping: no new connection and no new check; what is in flight
    // finishes and is recorded, unless a second signal says not to wait.
    stop_serving();
    if !checks.is_empty() {
        crate::log::line(format_args!(
            "stopping: waiting for {} checks in flight",
            checks.len()
        ));
    }
    loop {
        tokio::select! {
            next = checks.next() => match next {
                Some((_, results)) => for result in results {
                    let _ = to_recorder.send((result, current.clone()));
                },
                None => break,
            },
            signal = signals.recv() => if let Signal::Stop = signal { break },
        }
    }
    drop(checks);
    drop(to_recorder);
    let _ = recorder.await;
}

/// One profile's check, through the same runner as `check`.
pub(super) fn check(current: Rc<Current>, index: usize, cache_dir: Option<PathBuf>) -> Check {
    Box::pin(async move {
        let entry = &current.config.profiles[index];
        let runner = Runner {
            http: &current.http,
            settings: &current.config.settings,
            secret_env: &current.config.secret_env,
            cache_dir,
            overrides: Overrides::default(),
        };
        let results = runner.run(&[entry]).await;
        (entry.name.clone(), results)
    })
}

pub(super) fn interval_of(config: &Config, name: &str, flag: Option<Duration>) -> Duration {
    flag.or_else(|| {
        config
            .entry(name)
            .and_then(|e| e.profile.as_ref().ok())
            .and_then(|p| p.interval)
    })
    .unwrap_or(config.settings.interval)
}

/// ±10%, so that profiles started together drift apart and a vendor does not
/// see every account at the same second.
pub(super) fn jittered(every: Duration) -> Duration {
    every.mul_f64(0.9 + fastrand::f64() * 0.2)
}

/// Records results as they come (history, forecasts, alerts) and publishes
/// them; one at a time, so alert states follow the order of the checks.
pub(super) async fn record(
    mut results: tokio::sync::mpsc::UnboundedReceiver<(CheckResult, Rc<Current>)>,
    state: State,
) {
    while let Some((first, mut current)) = results.recv().await {
        let mut batch = vec![first];
        // What else is already waiting goes in the same transaction, as long
        // as it was checked under the same config.
        while let Ok((more, config)) = results.try_recv() {
            if !Rc::ptr_eq(&config, &current) {
                publish_and_alert(std::mem::take(&mut batch), &current, &state).await;
                current = config;
            }
            batch.push(more);
        }
        publish_and_alert(batch, &current, &state).await;
    }
}

pub(super) async fn publish_and_alert(
    batch: Vec<CheckResult>,
    current: &Rc<Current>,
    state: &State,
) {
    let (settings, targets) = (
        current.config.settings.clone(),
        current.config.alerts.clone(),
    );
    let recorded = tokio::task::spawn_blocking(move || {
        let mut batch = batch;
        let deliveries =
            pipeline::record_and_decide(&settings, &targets, &mut batch, true).deliveries;
        (batch, deliveries)
    })
    .await;
    let Ok((batch, deliveries)) = recorded else {
        return;
    };
    {
        let since = crate::history::micros(SystemTime::now() - lock(state).options.chart_window);
        let mut shared = lock(state);
        // A subaccount no longer listed is no longer shown: a profile's
        // results are replaced together.
        let fresh: HashSet<&str> = batch.iter().map(|r| r.profile.as_str()).collect();
        let parents: HashSet<&str> = batch.iter().map(|r| parent(&r.profile)).collect();
        shared
            .latest
            .retain(|name, _| fresh.contains(name.as_str()) || !parents.contains(parent(name)));
        for r in &batch {
            if let Ok(balance) = &r.outcome {
                shared.last_success.insert(r.profile.clone(), r.checked_at);
                let chart = shared.chart.entry(r.profile.clone()).or_default();
                let currency = match chart.last() {
                    Some(last) if last.currency.as_deref() == balance.currency.as_deref() => {
                        last.currency.clone()
                    }
                    _ => balance.currency.as_deref().map(Arc::from),
                };
                chart.push(Point {
                    at: crate::history::micros(r.checked_at),
                    balance: balance.amount,
                    currency,
                });
                bound(chart, since);
            }
            if let Some(line) = transition(shared.latest.get(&r.profile), r) {
                crate::log::line(format_args!("{line}"));
            }
            shared.latest.insert(r.profile.clone(), r.clone());
        }
        shared.generation += 1;
    }
    if !deliveries.is_empty() {
        // Beside the scheduler: a target that never answers holds up neither
        // the next record nor an answer, only its own budget.
        let current = current.clone();
        tokio::task::spawn_local(async move {
            let config = &current.config;
            for w in pipeline::deliver(
                &config.settings,
                &config.alerts,
                &config.secret_env,
                deliveries,
            )
            .await
            {
                crate::log::line(format_args!("{w}"));
            }
        });
    }
}

/// The profile a result belongs to: its name up to `/` (which no profile
/// name holds).
fn parent(name: &str) -> &str {
    name.split('/').next().unwrap_or(name)
}

/// The line a change of a profile's state is worth, with the reason: the
/// error's message (free of secrets since `check::finalize`) or why it is LOW.
/// A first result says only what is not OK; a result like the last, nothing.
pub(super) fn transition(before: Option<&CheckResult>, now: &CheckResult) -> Option<String> {
    let status = now.status();
    let reason = match (&now.outcome, status) {
        (Err(e), _) => format!(": {}", e.message),
        (Ok(_), crate::result::Status::Low) => format!(": {}", output::low_reason(now)),
        _ => String::new(),
    };
    match before.map(CheckResult::status) {
        Some(old) if old == status => None,
        Some(old) => Some(format!("{}: {old} -> {status}{reason}", now.profile)),
        None if status == crate::result::Status::Ok => None,
        None => Some(format!("{}: {status}{reason}", now.profile)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_stay_bounded() {
        let mut points = Vec::new();
        for m in 0..100_000i64 {
            points.push(Point {
                at: m * 60_000_000,
                balance: rust_decimal::Decimal::from(1_000_000 - m),
                currency: None,
            });
            bound(&mut points, 0);
            assert!(points.len() <= CHART_POINTS);
            // Nor does the room kept for them grow by doubling.
            assert!(
                m < 300 || points.capacity() <= CHART_POINTS + 1,
                "{}",
                points.capacity()
            );
        }
        assert_eq!(points.last().map(|p| p.at), Some(99_999 * 60_000_000));
        // Older than the window: gone.
        bound(&mut points, 50_000 * 60_000_000);
        assert!(points.iter().all(|p| p.at >= 50_000 * 60_000_000));
    }

    #[test]
    fn no_more_than_concurrency_in_flight_and_the_longest_waiting_first() {
        let mut text = String::from("[settings]\nconcurrency = 3\n");
        for i in 0..6 {
            text.push_str(&format!(
                "[profiles.p{i}]\nprovider = \"sandbox\"\napi_key = \"k\"\n"
            ));
        }
        let config =
            crate::config::parse(&text, Path::new("/etc/balance/config.toml"), false).unwrap();
        let now = Instant::now();
        let ago = |ms: u64| now - Duration::from_millis(ms);
        // p0 is not due yet; p5 has waited longest, then p3.
        let due: HashMap<String, Instant> = [
            ("p0", now + Duration::from_secs(1)),
            ("p1", ago(10)),
            ("p2", ago(20)),
            ("p3", ago(300)),
            ("p4", ago(30)),
            ("p5", ago(900)),
        ]
        .into_iter()
        .map(|(n, t)| (n.to_owned(), t))
        .collect();
        let none = HashSet::new();
        assert_eq!(to_start(&config, &due, &none, now), [5, 3, 4]);
        let one: HashSet<String> = ["p5".to_owned()].into();
        assert_eq!(to_start(&config, &due, &one, now), [3, 4]);
        let full: HashSet<String> = ["p1", "p2", "p3"].map(str::to_owned).into();
        assert!(to_start(&config, &due, &full, now).is_empty());
    }

    #[test]
    fn jitter_stays_within_ten_percent() {
        for _ in 0..1000 {
            let d = jittered(Duration::from_secs(100));
            assert!(d >= Duration::from_secs(90) && d <= Duration::from_secs(110));
        }
    }
}

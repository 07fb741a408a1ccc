//! `balance serve` (SPEC §11): a scheduler checks each profile on its interval
//! and records the results; an HTTP server answers from those results alone, so
//! a scrape never calls a vendor.
//!
//! The scheduler runs on one thread (a `LocalSet`): checks are I/O-bound, and
//! the only blocking work, the history store, goes to a blocking thread. The
//! HTTP side has threads of its own, so a burst of checks never holds up a
//! scrape, and each answer is rendered once per change of the results: a
//! scrape between two changes is a copy of bytes.

use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use secrecy::{ExposeSecret, SecretString};
use tokio::net::TcpListener;
use tokio::time::Instant;

use crate::check::{CheckResult, Overrides, Runner};
use crate::cli::ServeArgs;
use crate::config::{self, Config};
use crate::error::{AppError, Exit};
use crate::history::{Point, Store};
use crate::http::Http;
use crate::output::{self, Format, Style, nagios::Thresholds};

/// Points a card's chart keeps per profile before they are thinned (to at most
/// half as many, the same shape): the page draws a trend, and memory stays
/// bounded however long the process runs.
const CHART_POINTS: usize = 200;
/// How long a rendered page is served before it is made again (it tells the
/// time it was made), when no result changed meanwhile.
const PAGE_AGE: Duration = Duration::from_secs(15);
/// Threads answering requests.
const HTTP_THREADS: usize = 2;
/// How long a client may take to send a request's head, and a kept-alive
/// connection may stay idle: without it, clients that open connections and
/// send nothing would hold them (and file descriptors) for ever.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How far back the chart reads the store at start.
const CHART_WINDOW: Duration = Duration::from_secs(30 * 86_400);
/// How long a secret command for the token may run.
const TOKEN_TIMEOUT: Duration = Duration::from_secs(10);

pub fn run(config_flag: Option<&Path>, args: &ServeArgs) -> Result<u8, AppError> {
    let path = config::locate(config_flag)?;
    let config = config::load(&path)?;
    if config.profiles.is_empty() {
        return Err(super::check::no_profiles(&config));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)?;
    let http_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(HTTP_THREADS)
        .thread_name("balance-http")
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)?;
    let local = tokio::task::LocalSet::new();
    let outcome = local.block_on(
        &runtime,
        serve(path, config, args, http_runtime.handle().clone()),
    );
    http_runtime.shutdown_background();
    runtime.shutdown_background();
    outcome
}

/// What the answers are made of: the latest result of each profile, in memory.
#[derive(Default)]
struct Shared {
    /// The current config's profile names, in file order.
    order: Vec<String>,
    latest: HashMap<String, CheckResult>,
    last_success: HashMap<String, SystemTime>,
    chart: HashMap<String, Vec<Point>>,
    token: Option<SecretString>,
    /// `[settings] serve_hosts`: names allowed in `Host` besides localhost.
    hosts: Vec<String>,
    /// Counts the changes to what the answers show; each rendered answer
    /// carries the generation it shows.
    generation: u64,
    rendered: [Option<Rendered>; 3],
}

/// The documents served from the results.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Doc {
    Metrics = 0,
    Json = 1,
    Page = 2,
}

impl Doc {
    fn content_type(self) -> &'static str {
        match self {
            Doc::Metrics => "text/plain; version=0.0.4; charset=utf-8",
            Doc::Json => "application/json",
            Doc::Page => "text/html; charset=utf-8",
        }
    }
}

/// One document as last made, and gzipped once a client asked for that.
struct Rendered {
    generation: u64,
    made: SystemTime,
    plain: Bytes,
    gzip: Option<Bytes>,
}

impl Shared {
    fn results(&self) -> Vec<CheckResult> {
        self.order
            .iter()
            .filter_map(|n| self.latest.get(n).cloned())
            .collect()
    }

    /// The document, made again only when the results changed since (or, for
    /// the page, which tells the time, when it is older than `PAGE_AGE`).
    fn body(&mut self, doc: Doc, gzip: bool) -> Bytes {
        let now = SystemTime::now();
        let fresh = |r: &Rendered| {
            r.generation == self.generation
                && (doc != Doc::Page || now.duration_since(r.made).is_ok_and(|age| age < PAGE_AGE))
        };
        let slot = &self.rendered[doc as usize];
        if !slot.as_ref().is_some_and(fresh) {
            let plain = Bytes::from(self.render(doc, now));
            self.rendered[doc as usize] = Some(Rendered {
                generation: self.generation,
                made: now,
                plain,
                gzip: None,
            });
        }
        match &mut self.rendered[doc as usize] {
            Some(r) if gzip => r.gzip.get_or_insert_with(|| compress(&r.plain)).clone(),
            Some(r) => r.plain.clone(),
            None => Bytes::new(),
        }
    }

    fn render(&self, doc: Doc, now: SystemTime) -> Vec<u8> {
        let results = self.results();
        match doc {
            Doc::Metrics => {
                let mut text = output::render(
                    Format::Prometheus,
                    &results,
                    Style::default(),
                    &Thresholds::default(),
                );
                text.extend_from_slice(last_success(&results, &self.last_success).as_bytes());
                text
            }
            Doc::Json => output::render(
                Format::Json,
                &results,
                Style::default(),
                &Thresholds::default(),
            ),
            Doc::Page => {
                let pending: Vec<String> = self
                    .order
                    .iter()
                    .filter(|n| !self.latest.contains_key(*n))
                    .cloned()
                    .collect();
                output::page::render(&results, &self.chart, &pending, now)
                    .replacen(
                        "<head>\n",
                        "<head>\n<meta http-equiv=\"refresh\" content=\"60\">\n",
                        1,
                    )
                    .into_bytes()
            }
        }
    }
}

/// gzip at the fast level: a thousand profiles' metrics (390 KiB) shrink
/// about tenfold in a few milliseconds, made once per change of the results.
fn compress(plain: &[u8]) -> Bytes {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(plain.len() / 8),
        flate2::Compression::fast(),
    );
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(plain);
    Bytes::from(encoder.finish().unwrap_or_default())
}

type State = Arc<Mutex<Shared>>;

fn lock(state: &State) -> std::sync::MutexGuard<'_, Shared> {
    // A panic while holding the lock cannot leave `Shared` half-updated in a
    // way that matters more than stopping the answers would.
    state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn serve(
    path: PathBuf,
    config: Config,
    args: &ServeArgs,
    http: tokio::runtime::Handle,
) -> Result<u8, AppError> {
    // Caught from before the address is printed: whoever reads it may signal at once.
    let signals = Signals::install().map_err(anyhow::Error::from)?;
    let token = resolve_token(&config).await.map_err(AppError::Config)?;
    let state: State = Arc::new(Mutex::new(Shared {
        order: config.profiles.iter().map(|p| p.name.clone()).collect(),
        token,
        hosts: config.settings.serve_hosts.clone(),
        ..Shared::default()
    }));
    load_charts(&config, &state).await;

    let listener = std::net::TcpListener::bind(args.listen)
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", args.listen))?;
    listener
        .set_nonblocking(true)
        .map_err(anyhow::Error::from)?;
    let addr = listener.local_addr().map_err(anyhow::Error::from)?;
    let listener = {
        let _on = http.enter();
        TcpListener::from_std(listener).map_err(anyhow::Error::from)?
    };
    if !addr.ip().is_loopback() && lock(&state).token.is_none() {
        crate::log::line(format_args!(
            "warning: listening on {addr} without a serve_token: anyone who can reach it sees the balances"
        ));
    }
    crate::log::line(format_args!("serving on http://{addr}"));

    // Everything that can fail is done before the server starts.
    let current = Current::new(config)?;
    let running = Arc::new(AtomicBool::new(true));
    let (stop_server, server_stopped) = tokio::sync::oneshot::channel::<()>();
    let server = http.spawn(accept_loop(
        listener,
        state.clone(),
        running.clone(),
        async {
            let _ = server_stopped.await;
        },
    ));
    schedule(path, current, signals, args.interval, state, || {
        running.store(false, Ordering::SeqCst);
        let _ = stop_server.send(());
    })
    .await;
    let _ = server.await;
    Ok(Exit::Ok.code())
}

async fn resolve_token(config: &Config) -> Result<Option<SecretString>, String> {
    match &config.serve_token {
        None => Ok(None),
        Some(source) => {
            let token = source
                .resolve(&config.secret_env, TOKEN_TIMEOUT)
                .await
                .map_err(|e| format!("[settings] serve_token: {e}"))?;
            // A token echoed in any log line is removed like any other secret.
            crate::redact::register(&token);
            Ok(Some(token))
        }
    }
}

/// The recorded balances each card's chart starts with.
async fn load_charts(config: &Config, state: &State) {
    let Some(path) = config.settings.history.path() else {
        return;
    };
    let names: Vec<String> = config.profiles.iter().map(|p| p.name.clone()).collect();
    let since = crate::history::micros(SystemTime::now() - CHART_WINDOW);
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
fn bound(points: &mut Vec<Point>, since: i64) {
    let old = points.partition_point(|p| p.at < since);
    points.drain(..old);
    if points.len() > CHART_POINTS {
        let all: Vec<&Point> = points.iter().collect();
        let kept: Vec<Point> = output::page::thin(&all, CHART_POINTS / 4)
            .into_iter()
            .cloned()
            .collect();
        *points = kept;
    }
}

/// SIGINT/SIGTERM end the run; SIGHUP reloads.
struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hangup: tokio::signal::unix::Signal,
}

enum Signal {
    Stop,
    Reload,
}

impl Signals {
    fn install() -> std::io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
                hangup: signal(SignalKind::hangup())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    async fn recv(&mut self) -> Signal {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => Signal::Stop,
                _ = self.terminate.recv() => Signal::Stop,
                _ = self.hangup.recv() => Signal::Reload,
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            Signal::Stop
        }
    }
}

type Check = Pin<Box<dyn Future<Output = (String, Option<CheckResult>)>>>;

/// Checks each profile when it is due, one check per profile at a time, at most
/// `concurrency` at once; hands each result to the recorder. Returns once a
/// stop signal came and the checks then in flight are finished and recorded.
async fn schedule(
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
    let mut stopping = false;
    while !stopping {
        let now = Instant::now();
        for (i, entry) in current.config.profiles.iter().enumerate() {
            let when = *due.get(&entry.name).unwrap_or(&now);
            if when <= now && in_flight.insert(entry.name.clone()) {
                checks.push(check(current.clone(), i, cache_dir.clone()));
            }
        }
        let next = current
            .config
            .profiles
            .iter()
            .filter(|e| !in_flight.contains(&e.name))
            .filter_map(|e| due.get(&e.name))
            .min()
            .copied()
            .unwrap_or_else(|| now + Duration::from_secs(3600));
        tokio::select! {
            Some((name, result)) = checks.next(), if !checks.is_empty() => {
                in_flight.remove(&name);
                let every = interval_of(&current.config, &name, interval_flag);
                due.insert(name, Instant::now() + jittered(every));
                if let Some(result) = result {
                    let _ = to_recorder.send((result, current.clone()));
                }
            }
            () = tokio::time::sleep_until(next) => {}
            signal = signals.recv() => match signal {
                Signal::Stop => stopping = true,
                Signal::Reload => match reload(&path).await {
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
                Some((_, Some(result))) => { let _ = to_recorder.send((result, current.clone())); }
                Some((_, None)) => {}
                None => break,
            },
            signal = signals.recv() => if let Signal::Stop = signal { break },
        }
    }
    drop(checks);
    drop(to_recorder);
    let _ = recorder.await;
}

/// A config and the HTTP client its settings ask for.
struct Current {
    config: Config,
    http: Http,
}

impl Current {
    fn new(config: Config) -> Result<Current, AppError> {
        let http = Http::new(config.settings.retries)?;
        Ok(Current { config, http })
    }
}

/// The config read again; any problem keeps the old one.
async fn reload(path: &Path) -> Result<(Current, Option<SecretString>), String> {
    let config = config::load(path).map_err(|e| e.to_string())?;
    if config.profiles.is_empty() {
        return Err(super::check::no_profiles(&config).to_string());
    }
    let token = resolve_token(&config).await?;
    let current = Current::new(config).map_err(|e| e.to_string())?;
    Ok((current, token))
}

/// One profile's check, through the same runner as `check`.
fn check(current: Rc<Current>, index: usize, cache_dir: Option<PathBuf>) -> Check {
    Box::pin(async move {
        let entry = &current.config.profiles[index];
        let runner = Runner {
            http: &current.http,
            settings: &current.config.settings,
            secret_env: &current.config.secret_env,
            cache_dir,
            overrides: Overrides::default(),
        };
        let mut results = runner.run(&[entry]).await;
        (entry.name.clone(), results.pop())
    })
}

fn interval_of(config: &Config, name: &str, flag: Option<Duration>) -> Duration {
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
fn jittered(every: Duration) -> Duration {
    every.mul_f64(0.9 + fastrand::f64() * 0.2)
}

/// Records results as they come (history, forecasts, alerts) and publishes
/// them; one at a time, so alert states follow the order of the checks.
async fn record(
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

async fn publish_and_alert(mut batch: Vec<CheckResult>, current: &Current, state: &State) {
    let settings = current.config.settings.clone();
    let recorded = tokio::task::spawn_blocking(move || {
        let store = crate::history::record_run(&settings, &mut batch);
        (batch, store)
    })
    .await;
    let Ok((batch, store)) = recorded else {
        return;
    };
    {
        let since = crate::history::micros(SystemTime::now() - CHART_WINDOW);
        let mut shared = lock(state);
        for r in &batch {
            if let Ok(balance) = &r.outcome {
                shared.last_success.insert(r.profile.clone(), r.checked_at);
                let chart = shared.chart.entry(r.profile.clone()).or_default();
                chart.push(Point {
                    at: crate::history::micros(r.checked_at),
                    balance: balance.amount,
                    currency: balance.currency.clone(),
                });
                bound(chart, since);
            }
            shared.latest.insert(r.profile.clone(), r.clone());
        }
        shared.generation += 1;
    }
    if !current.config.alerts.is_empty() {
        super::check::send_alerts(&current.config, store, &batch).await;
    }
}

/// Serves until `shutdown` completes, one task per connection.
async fn accept_loop(
    listener: TcpListener,
    state: State,
    running: Arc<AtomicBool>,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let connections = crate::sandbox::Connections::for_fd_limit();
    while let Some((stream, conn)) =
        crate::sandbox::accept(&listener, &connections, shutdown.as_mut(), "serve").await
    {
        let (state, running) = (state.clone(), running.clone());
        tokio::spawn(async move {
            let busy = conn.busy();
            let service = service_fn(move |request| {
                let _busy = busy.enter();
                let answer = answer(&request, &state, &running);
                async move { Ok::<_, Infallible>(answer) }
            });
            let served = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service);
            if let Some(Err(e)) = conn.run(served).await {
                crate::debug!(2, "serve: connection ended: {e}");
            }
        });
    }
}

fn answer(
    request: &hyper::Request<Incoming>,
    state: &State,
    running: &AtomicBool,
) -> Response<Full<Bytes>> {
    let path = request.uri().path();
    let known = matches!(path, "/" | "/metrics" | "/api/v1/balances" | "/healthz");
    if !known {
        return reply(StatusCode::NOT_FOUND, "text/plain", "not found\n");
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut r = reply(
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain",
            "method not allowed\n",
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    if path == "/healthz" {
        return if running.load(Ordering::SeqCst) {
            reply(StatusCode::OK, "text/plain", "ok\n")
        } else {
            reply(StatusCode::SERVICE_UNAVAILABLE, "text/plain", "stopping\n")
        };
    }
    let mut shared = lock(state);
    if !crate::web::host_allowed(request.headers().get(header::HOST), &shared.hosts) {
        return reply(
            StatusCode::MISDIRECTED_REQUEST,
            "text/plain",
            "this Host is not served: add its name to [settings] serve_hosts\n",
        );
    }
    if let Some(token) = &shared.token {
        let given = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.as_bytes().strip_prefix(b"Bearer "));
        if !given.is_some_and(|g| same(g, token.expose_secret().as_bytes())) {
            let mut r = reply(
                StatusCode::UNAUTHORIZED,
                "text/plain",
                "a bearer token is required\n",
            );
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return r;
        }
    }
    let doc = match path {
        "/metrics" => Doc::Metrics,
        "/api/v1/balances" => Doc::Json,
        _ => Doc::Page,
    };
    let gzip = crate::web::accepts_gzip(request.headers().get(header::ACCEPT_ENCODING));
    let body = shared.body(doc, gzip);
    drop(shared);
    let mut response = reply(StatusCode::OK, doc.content_type(), body);
    let headers = response.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if gzip {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    response
}

/// `balance_last_success_timestamp_seconds`: when each profile last answered
/// with a balance, as recorded (before this run too) or seen since.
fn last_success(results: &[CheckResult], last: &HashMap<String, SystemTime>) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let samples: Vec<(&CheckResult, f64)> = results
        .iter()
        .filter_map(|r| {
            let at = last.get(&r.profile)?;
            let secs = at
                .duration_since(SystemTime::UNIX_EPOCH)
                .ok()?
                .as_secs_f64();
            Some((r, secs))
        })
        .collect();
    if samples.is_empty() {
        return out;
    }
    out.push_str("# HELP balance_last_success_timestamp_seconds When the profile's balance was last read (Unix time).\n");
    out.push_str("# TYPE balance_last_success_timestamp_seconds gauge\n");
    for (r, secs) in samples {
        let _ = writeln!(
            out,
            "balance_last_success_timestamp_seconds{{profile=\"{}\",provider=\"{}\"}} {:.3}",
            crate::output::prometheus::escape(&r.profile),
            crate::output::prometheus::escape(&r.provider),
            secs
        );
    }
    out
}

fn reply(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    crate::web::secure(headers);
    response
}

/// Compares in time that depends on the lengths only, not on where the first
/// difference is.
fn same(given: &[u8], token: &[u8]) -> bool {
    let mut diff = u8::from(given.len() != token.len());
    for (i, t) in token.iter().enumerate() {
        diff |= t ^ given.get(i).copied().unwrap_or(0);
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_whole() {
        assert!(same(b"secret", b"secret"));
        assert!(!same(b"secre", b"secret"));
        assert!(!same(b"secret!", b"secret"));
        assert!(!same(b"", b"secret"));
        assert!(!same(b"Secret", b"secret"));
    }

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
        }
        assert_eq!(points.last().map(|p| p.at), Some(99_999 * 60_000_000));
        // Older than the window: gone.
        bound(&mut points, 50_000 * 60_000_000);
        assert!(points.iter().all(|p| p.at >= 50_000 * 60_000_000));
    }

    #[test]
    fn jitter_stays_within_ten_percent() {
        for _ in 0..1000 {
            let d = jittered(Duration::from_secs(100));
            assert!(d >= Duration::from_secs(90) && d <= Duration::from_secs(110));
        }
    }
}

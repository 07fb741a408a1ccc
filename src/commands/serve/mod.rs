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

use crate::check::{Overrides, Runner};
use crate::cli::ServeArgs;
use crate::config::{self, Config};
use crate::error::{AppError, Exit};
use crate::history::Store;
use crate::http::Http;
use crate::output::{self, Format, Style, nagios::Thresholds};
use crate::pipeline;
use crate::result::{CheckResult, Point};

mod documents;
mod http;
mod scheduler;

use documents::*;
use http::*;
use scheduler::*;

/// Points a card's chart keeps per profile before they are thinned (to at most
/// half as many, the same shape): the page draws a trend, and memory stays
/// bounded however long the process runs.
const CHART_POINTS: usize = 200;

/// `serve`'s timings, in one value so that tests can shorten them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// How long a rendered page is served before it is made again (it tells
    /// the time it was made), when no result changed meanwhile.
    pub page_age: Duration,
    /// Threads answering requests.
    pub http_threads: usize,
    /// How long a client may take to send a request's head, and a kept-alive
    /// connection may stay idle: without it, clients that open connections and
    /// send nothing would hold them (and file descriptors) for ever.
    pub header_timeout: Duration,
    /// How far back the charts read and keep.
    pub chart_window: Duration,
    /// How long a secret command for the token may run.
    pub token_timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            page_age: Duration::from_secs(15),
            http_threads: 2,
            header_timeout: Duration::from_secs(10),
            chart_window: Duration::from_secs(30 * 86_400),
            token_timeout: Duration::from_secs(10),
        }
    }
}

pub fn run(config_flag: Option<&Path>, args: &ServeArgs) -> Result<u8, AppError> {
    let options = Options::default();
    allocate_for_a_long_run();
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
        .worker_threads(options.http_threads)
        .thread_name("balance-http")
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)?;
    let local = tokio::task::LocalSet::new();
    let outcome = local.block_on(
        &runtime,
        serve(path, config, args, options, http_runtime.handle().clone()),
    );
    http_runtime.shutdown_background();
    runtime.shutdown_background();
    outcome
}

/// glibc gives each thread that allocates an arena of its own (up to eight
/// per core), and an arena keeps the blocks freed in it: with the HTTP threads,
/// the scheduler and the history store's blocking threads each rendering or
/// recording in their own, resident memory at 1,000 profiles moved between 72
/// and 95 MiB. Two arenas bound what freed blocks can strand; the big buffers
/// are out of the arenas anyway (`commands::big_blocks_mapped`). One arena made
/// the HTTP threads queue for it (`/metrics` p99 48 ms).
fn allocate_for_a_long_run() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: as in `commands::big_blocks_mapped`.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
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
    options: Options,
    http: tokio::runtime::Handle,
) -> Result<u8, AppError> {
    // Caught from before the address is printed: whoever reads it may signal at once.
    let signals = Signals::install().map_err(anyhow::Error::from)?;
    let token = resolve_token(&config, options.token_timeout)
        .await
        .map_err(AppError::Config)?;
    let state: State = Arc::new(Mutex::new(Shared {
        order: config.profiles.iter().map(|p| p.name.clone()).collect(),
        token,
        hosts: config.settings.serve_hosts.clone(),
        options,
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
    crate::log::line(format_args!(
        // The URL stands alone, so that scripts can take it as one word.
        "serving on http://{addr} ({} profile{}, every {})",
        config.profiles.len(),
        if config.profiles.len() == 1 { "" } else { "s" },
        crate::fmt_duration(args.interval.unwrap_or(config.settings.interval))
    ));

    // Everything that can fail is done before the server starts.
    let current = Current::new(config)?;
    let running = Arc::new(AtomicBool::new(true));
    let (stop_server, server_stopped) = tokio::sync::oneshot::channel::<()>();
    let server = http.spawn(accept_loop(
        listener,
        options.header_timeout,
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

async fn resolve_token(config: &Config, timeout: Duration) -> Result<Option<SecretString>, String> {
    match &config.serve_token {
        None => Ok(None),
        Some(source) => {
            let token = source
                .resolve(&config.secret_env, timeout)
                .await
                .map_err(|e| format!("[settings] serve_token: {e}"))?;
            // A token echoed in any log line is removed like any other secret.
            crate::redact::register(&token);
            Ok(Some(token))
        }
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
async fn reload(
    path: &Path,
    token_timeout: Duration,
) -> Result<(Current, Option<SecretString>), String> {
    let config = config::load(path).map_err(|e| e.to_string())?;
    if config.profiles.is_empty() {
        return Err(super::check::no_profiles(&config).to_string());
    }
    let token = resolve_token(&config, token_timeout).await?;
    let current = Current::new(config).map_err(|e| e.to_string())?;
    Ok((current, token))
}

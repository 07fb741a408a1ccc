//! The sandbox's HTTP/1.1 server: hyper, one task per connection, every request
//! routed to the emulator whose path it is.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::Notify;

use super::{Answer, Request, State};
use crate::debug;

/// Balance requests are tiny; anything larger is not one.
const MAX_REQUEST_BODY: usize = 64 * 1024;

/// Open connections, oldest first, so that a flood of idle ones cannot use up
/// the file descriptors: at the cap, the oldest idle connection is shed to make
/// room for the new one (`/healthz` must always answer). Shared by the sandbox
/// and `balance serve`.
#[derive(Clone)]
pub struct Connections {
    open: Arc<Mutex<BTreeMap<u64, Slot>>>,
    next: Arc<AtomicU64>,
    cap: usize,
}

#[derive(Clone)]
struct Slot {
    /// Requests in progress on it.
    busy: Arc<AtomicUsize>,
    shed: Arc<Notify>,
}

impl Connections {
    pub fn new(cap: usize) -> Connections {
        Connections {
            open: Arc::default(),
            next: Arc::default(),
            cap: cap.max(1),
        }
    }

    /// Half the process's descriptor limit (the rest: the listener, outgoing
    /// checks, the store, the token cache), within [16, 4096].
    pub fn for_fd_limit() -> Connections {
        Connections::new((fd_limit() / 2).clamp(16, 4096) as usize)
    }

    pub fn cap(&self) -> usize {
        self.cap
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Slot>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a new connection, shedding the oldest idle one (else the
    /// oldest) when at the cap.
    fn admit(&self) -> Conn {
        let mut open = self.lock();
        while open.len() >= self.cap {
            let victim = open
                .iter()
                .find(|(_, s)| s.busy.load(Ordering::SeqCst) == 0)
                .or_else(|| open.iter().next())
                .map(|(id, _)| *id);
            let Some(victim) = victim else { break };
            if let Some(slot) = open.remove(&victim) {
                // A stored permit: the connection ends even if not yet waiting.
                slot.shed.notify_one();
            }
        }
        let id = self.next.fetch_add(1, Ordering::SeqCst);
        let slot = Slot {
            busy: Arc::default(),
            shed: Arc::default(),
        };
        open.insert(id, slot.clone());
        Conn {
            id,
            slot,
            connections: self.clone(),
        }
    }
}

/// One admitted connection; leaves the table when dropped.
pub struct Conn {
    id: u64,
    slot: Slot,
    connections: Connections,
}

impl Conn {
    /// Runs the connection until it ends or is shed (`None`).
    pub async fn run<F: Future>(&self, connection: F) -> Option<F::Output> {
        tokio::select! {
            out = connection => Some(out),
            () = self.slot.shed.notified() => None,
        }
    }

    /// Marks a request in progress for as long as the guard lives: a busy
    /// connection is shed only when none is idle.
    pub fn busy(&self) -> Busy {
        Busy(Arc::clone(&self.slot.busy))
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.connections.lock().remove(&self.id);
    }
}

/// A handle to mark requests on one connection; `enter` while answering.
#[derive(Clone)]
pub struct Busy(Arc<AtomicUsize>);

impl Busy {
    pub fn enter(&self) -> BusyGuard {
        self.0.fetch_add(1, Ordering::SeqCst);
        BusyGuard(Arc::clone(&self.0))
    }
}

pub struct BusyGuard(Arc<AtomicUsize>);

impl Drop for BusyGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(unix)]
fn fd_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we own.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return 1024;
    }
    limit.rlim_cur
}

#[cfg(not(unix))]
fn fd_limit() -> u64 {
    1024
}

/// The next connection, admitted to `connections`, or `None` once `shutdown`
/// completes. A failed accept (out of file descriptors, say) waits a moment
/// rather than spinning. Shared by the sandbox and `balance serve`.
pub async fn accept(
    listener: &TcpListener,
    connections: &Connections,
    mut shutdown: std::pin::Pin<&mut impl Future<Output = ()>>,
    who: &str,
) -> Option<(tokio::net::TcpStream, Conn)> {
    loop {
        tokio::select! {
            () = &mut shutdown => return None,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    return Some((stream, connections.admit()));
                }
                Err(e) => {
                    debug!(1, "{who}: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
        }
    }
}

/// Serves until `shutdown` completes. Connections still open then are dropped
/// with the runtime.
pub async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    latency: Duration,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let connections = Connections::for_fd_limit();
    while let Some((stream, conn)) =
        accept(&listener, &connections, shutdown.as_mut(), "sandbox").await
    {
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            let busy = conn.busy();
            let service = service_fn(move |request| {
                let state = Arc::clone(&state);
                let guard = busy.enter();
                async move {
                    let answer = handle(request, &state, latency).await;
                    drop(guard);
                    Ok::<_, Infallible>(answer)
                }
            });
            let served = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
            if let Some(Err(e)) = conn.run(served).await {
                debug!(2, "sandbox: connection ended: {e}");
            }
        });
    }
}

async fn handle(
    request: hyper::Request<Incoming>,
    state: &State,
    latency: Duration,
) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let answer = match Limited::new(body, MAX_REQUEST_BODY).collect().await {
        Ok(body) => super::answer(
            &Request {
                method: parts.method.clone(),
                path: parts.uri.path().to_owned(),
                query: parts.uri.query().unwrap_or_default().to_owned(),
                headers: parts.headers,
                body: body.to_bytes(),
            },
            state,
        ),
        Err(_) => Answer::json(
            413,
            &serde_json::json!({"error": "request body too large or cut off"}),
        ),
    };
    debug!(
        1,
        "sandbox: {} {} -> {}",
        parts.method,
        parts.uri.path(),
        answer.status
    );
    tokio::time::sleep(latency + answer.delay).await;
    let mut response = Response::new(Full::new(Bytes::from(answer.body)));
    *response.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    response.headers_mut().extend(answer.headers);
    response
}

/// A sandbox serving on a background thread (for `balance demo`); stops when dropped.
pub struct Running {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts a sandbox on 127.0.0.1 at `port` (0: any free port) on its own thread.
pub fn spawn(port: u16, latency: Duration, token_ttl: Duration) -> std::io::Result<Running> {
    // Bound here, so that a port in use is the caller's error and the address is known.
    let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("sandbox".into())
        .spawn(move || {
            runtime.block_on(async move {
                match TcpListener::from_std(listener) {
                    Ok(listener) => {
                        let state = Arc::new(State::new(token_ttl));
                        serve(listener, state, latency, async {
                            let _ = stopped.await;
                        })
                        .await;
                    }
                    Err(e) => debug!(1, "sandbox: cannot listen: {e}"),
                }
            });
        })?;
    Ok(Running {
        addr,
        stop: Some(stop),
        thread: Some(thread),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_the_cap_the_oldest_idle_connection_is_shed() {
        let connections = Connections::new(3);
        let a = connections.admit();
        let b = connections.admit();
        let c = connections.admit();
        // `a` is answering a request: `b` is the oldest idle one.
        let guard = a.busy().enter();
        let d = connections.admit();
        assert_eq!(connections.len(), 3);
        let ids: Vec<u64> = connections.lock().keys().copied().collect();
        assert_eq!(ids, vec![a.id, c.id, d.id]);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        // The shed one ends at once; the others keep running.
        assert_eq!(rt.block_on(b.run(std::future::pending::<()>())), None);
        assert_eq!(rt.block_on(c.run(async { 7 })), Some(7));
        drop(guard);
        // All idle now: the oldest, `a`, goes next.
        let _e = connections.admit();
        assert!(!connections.lock().contains_key(&a.id));
        drop(d);
        assert_eq!(connections.len(), 2);
    }
}

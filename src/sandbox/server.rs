//! The sandbox's HTTP/1.1 server: hyper, one task per connection, every request
//! routed to the emulator whose path it is.

use std::convert::Infallible;
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use super::{Answer, Request, State};
use crate::debug;

/// Balance requests are tiny; anything larger is not one.
const MAX_REQUEST_BODY: usize = 64 * 1024;

/// The next connection, or `None` once `shutdown` completes. A failed accept
/// (out of file descriptors, say) waits a moment rather than spinning. Shared by
/// the sandbox and `balance serve`.
pub async fn accept(
    listener: &TcpListener,
    mut shutdown: std::pin::Pin<&mut impl Future<Output = ()>>,
    who: &str,
) -> Option<tokio::net::TcpStream> {
    loop {
        tokio::select! {
            () = &mut shutdown => return None,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    return Some(stream);
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
    while let Some(stream) = accept(&listener, shutdown.as_mut(), "sandbox").await {
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let state = Arc::clone(&state);
                async move { Ok::<_, Infallible>(handle(request, &state, latency).await) }
            });
            if let Err(e) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
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

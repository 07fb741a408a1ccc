//! The HTTP side: one task per connection, answers from the documents only
//! (a request never calls a vendor), the token checked in constant time.

use super::*;

/// Serves until `shutdown` completes, one task per connection.
pub(super) async fn accept_loop(
    listener: TcpListener,
    header_timeout: Duration,
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
                .header_read_timeout(header_timeout)
                .serve_connection(TokioIo::new(stream), service);
            if let Some(Err(e)) = conn.run(served).await {
                crate::debug!(2, "serve: connection ended: {e}");
            }
        });
    }
}

pub(super) fn answer(
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
    if let Some(token) = &shared.token
        && !authorized(request.headers(), token.expose_secret().as_bytes())
    {
        drop(shared);
        // A browser asks for a password only when told Basic: the page says so.
        let challenge = if path == "/" {
            "Basic realm=\"balance\", charset=\"UTF-8\""
        } else {
            "Bearer, Basic realm=\"balance\""
        };
        let mut r = reply(
            StatusCode::UNAUTHORIZED,
            "text/plain",
            "the serve token is required: Authorization: Bearer TOKEN, or TOKEN as the HTTP Basic password\n",
        );
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(challenge),
        );
        return r;
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

pub(super) fn reply(
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

/// Whether the request carries the token: as a Bearer token, or as the
/// password of HTTP Basic with any user name (what a browser sends).
pub(super) fn authorized(headers: &hyper::HeaderMap, token: &[u8]) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .map(HeaderValue::as_bytes)
    else {
        return false;
    };
    let scheme = |name: &[u8]| {
        value
            .get(..name.len())
            .filter(|s| s.eq_ignore_ascii_case(name))
            .map(|_| value[name.len()..].trim_ascii())
    };
    if let Some(given) = scheme(b"Bearer ") {
        return same(given, token);
    }
    if let Some(encoded) = scheme(b"Basic ") {
        use base64::Engine;
        let Ok(pair) = base64::engine::general_purpose::STANDARD.decode(encoded) else {
            return false;
        };
        return match pair.iter().position(|&b| b == b':') {
            Some(colon) => same(&pair[colon + 1..], token),
            None => false,
        };
    }
    false
}

/// Constant time over the token's bytes (`subtle`): where the first
/// difference is never shows in how long an answer takes.
pub(super) fn same(given: &[u8], token: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    given.ct_eq(token).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Clients that send half a request head and nothing more are cut off at
    /// the header timeout (shortened here through the options), and others
    /// are answered meanwhile.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_client_that_never_sends_its_request_is_cut_off_and_others_are_served() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let timeout = Duration::from_millis(300);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state: State = Arc::new(Mutex::new(Shared::default()));
        let running = Arc::new(AtomicBool::new(true));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(accept_loop(listener, timeout, state, running, async {
            let _ = stopped.await;
        }));
        let started = std::time::Instant::now();
        let mut idle = Vec::new();
        for _ in 0..20 {
            let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
            s.write_all(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                .await
                .unwrap();
            idle.push(s);
        }
        let mut health = tokio::net::TcpStream::connect(addr).await.unwrap();
        health
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut answer = Vec::new();
        health.read_to_end(&mut answer).await.unwrap();
        assert!(answer.starts_with(b"HTTP/1.1 200"), "served meanwhile");
        for mut s in idle {
            let mut rest = Vec::new();
            // Closed by the server (possibly after a 408), not by our timeout.
            let read = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut rest)).await;
            assert!(read.is_ok(), "still open after 5s");
            let text = String::from_utf8_lossy(&rest);
            assert!(
                rest.is_empty() || text.starts_with("HTTP/1.1 408"),
                "{text}"
            );
        }
        let waited = started.elapsed();
        assert!(
            waited >= timeout && waited < Duration::from_secs(3),
            "cut off after {waited:?}"
        );
        let _ = stop.send(());
        server.await.unwrap();
    }

    #[test]
    fn the_token_as_bearer_or_basic_password() {
        use base64::Engine;
        let with = |value: &str| {
            let mut h = hyper::HeaderMap::new();
            h.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
            authorized(&h, b"s3cret")
        };
        let basic = |pair: &str| {
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(pair)
            )
        };
        assert!(with("Bearer s3cret"));
        assert!(with("bearer s3cret"));
        assert!(with(&basic("anyone:s3cret")));
        assert!(with(&basic(":s3cret")));
        assert!(!with(&basic("s3cret:")));
        assert!(!with(&basic("s3cret")));
        assert!(!with(&basic("a:s3cre")));
        assert!(!with("Basic !!!"));
        assert!(!with("Bearer s3cre"));
        assert!(!with("s3cret"));
        assert!(!authorized(&hyper::HeaderMap::new(), b"s3cret"));
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(same(b"secret", b"secret"));
        assert!(!same(b"secre", b"secret"));
        assert!(!same(b"secret!", b"secret"));
        assert!(!same(b"", b"secret"));
        assert!(!same(b"Secret", b"secret"));
    }
}

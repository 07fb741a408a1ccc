//! Behaviour under faults (SPEC §6): retries, timeouts, hostile bodies, redirects,
//! sockets, network error messages.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::common::hostile::{self, Action, Hostile};
use crate::common::{Home, YEASTAR_TOKEN, code, fixture, json, stderr};
use wiremock::matchers::{header_exists, method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn profile(url: &str, settings: &str) -> String {
    format!(
        "[settings]\n{settings}\n[profiles.a]\nprovider = \"8x8\"\nbase_url = \"{url}\"\n\
         account_id = \"0123456789abcdef0123456789abcdef\"\napi_key = \"k\"\n"
    )
}

const BALANCE_PATH: &str = "/api/v1/accounts/0123456789abcdef0123456789abcdef/balance";

fn ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(fixture("8x8", "balance"), "application/json")
}

#[tokio::test]
async fn retries_after_429_honouring_retry_after() {
    let server = MockServer::start().await;
    Mock::given(path(BALANCE_PATH))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_raw(fixture("8x8", "rate-limited-quota"), "application/json"),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path(BALANCE_PATH))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    let home = Home::new();
    home.config(&profile(&server.uri(), "retries = 2"));
    let started = Instant::now();
    let out = home.run_async(&["-v", "check", "--json"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited as Retry-After asked"
    );
    assert!(stderr(&out).contains("retrying in 1s"), "{}", stderr(&out));
}

#[tokio::test]
async fn eight_by_eight_message_sets_the_wait() {
    let server = MockServer::start().await;
    Mock::given(path(BALANCE_PATH))
        .respond_with(
            ResponseTemplate::new(429)
                .set_body_raw(fixture("8x8", "rate-limited-quota"), "application/json"),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path(BALANCE_PATH))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    let home = Home::new();
    home.config(&profile(&server.uri(), "retries = 1"));
    let out = home.run_async(&["-v", "check"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("retrying in 1s"), "{}", stderr(&out));
}

#[tokio::test]
async fn still_429_after_retries_is_exit_5() {
    let server = MockServer::start().await;
    Mock::given(path(BALANCE_PATH))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .expect(3)
        .mount(&server)
        .await;
    let home = Home::new();
    home.config(&profile(&server.uri(), "retries = 2"));
    let out = home.run_async(&["check", "--json"]).await;
    assert_eq!(code(&out), 5);
    assert_eq!(json(&out)[0]["error"]["kind"], "rate_limited");
}

#[tokio::test]
async fn retries_5xx_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(path(BALANCE_PATH))
        .respond_with(ResponseTemplate::new(503).set_body_string("<html>busy</html>"))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(path(BALANCE_PATH))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    let home = Home::new();
    home.config(&profile(&server.uri(), "retries = 2"));
    let out = home.run_async(&["check"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[tokio::test]
async fn persistent_5xx_is_exit_8_and_401_is_never_retried() {
    let server = MockServer::start().await;
    Mock::given(path(BALANCE_PATH))
        .respond_with(
            ResponseTemplate::new(502).set_body_string("<html><body>Bad Gateway</body></html>"),
        )
        .expect(3)
        .mount(&server)
        .await;
    let home = Home::new();
    home.config(&profile(&server.uri(), "retries = 2"));
    let out = home.run_async(&["check", "--json"]).await;
    assert_eq!(code(&out), 8);
    let row = &json(&out)[0];
    assert_eq!(
        (
            row["error"]["kind"].as_str(),
            row["error"]["http_status"].as_u64()
        ),
        (Some("provider"), Some(502))
    );

    let server = MockServer::start().await;
    Mock::given(path(BALANCE_PATH))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_raw(fixture("8x8", "auth-not-authenticated"), "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    home.config(&profile(&server.uri(), "retries = 2"));
    assert_eq!(code(&home.run_async(&["check"]).await), 4);
}

#[tokio::test]
async fn slow_vendor_costs_at_most_the_timeout_per_attempt() {
    let server = MockServer::start().await;
    Mock::given(path(BALANCE_PATH))
        .respond_with(ok().set_delay(Duration::from_secs(30)))
        // Two attempts, then one more under `--timeout`.
        .expect(3)
        .mount(&server)
        .await;
    let home = Home::new();
    home.config(&profile(&server.uri(), "retries = 1\ntimeout = 0.3"));
    let started = Instant::now();
    let out = home.run_async(&["check", "--json"]).await;
    assert_eq!(code(&out), 7, "{}", stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(10), "never hangs");
    let message = json(&out)[0]["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("no answer") && message.contains("300 ms"),
        "{message}"
    );

    // --timeout overrides the config.
    home.config(&profile(&server.uri(), "retries = 0\ntimeout = 60"));
    let started = Instant::now();
    let out = home.run_async(&["check", "--timeout", "0.2"]).await;
    assert_eq!(code(&out), 7);
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// A server that accepts connections and never says a word.
#[tokio::test]
async fn silent_server_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(4) {
            held.push(stream);
        }
        std::thread::sleep(Duration::from_secs(20));
    });
    let home = Home::new();
    home.config(&profile(&url, "retries = 1\ntimeout = 0.3"));
    let started = Instant::now();
    let out = home.run_async(&["check", "--json"]).await;
    assert_eq!(code(&out), 7, "{}", stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// A server that sends half a body and then stalls.
#[tokio::test]
async fn stalled_body_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(2) {
            let mut stream = stream.unwrap();
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"bal");
            held.push(stream);
        }
        std::thread::sleep(Duration::from_secs(20));
    });
    let home = Home::new();
    home.config(&profile(&url, "retries = 0\ntimeout = 0.5"));
    let out = home.run_async(&["check"]).await;
    assert_eq!(code(&out), 7, "{}", stderr(&out));
}

#[tokio::test]
async fn hostile_bodies_are_exit_8_with_one_line() {
    let huge = "x".repeat(3 * 1024 * 1024);
    let cases: Vec<(&str, String)> = vec![
        ("html", "<html><body>Maintenance</body></html>".into()),
        ("empty", String::new()),
        ("truncated", r#"{"balance": 149309.79"#.into()),
        (
            "wrong type",
            r#"{"balance": "lots", "currency": "USD"}"#.into(),
        ),
        ("null", r#"{"balance": null}"#.into()),
        ("array", "[1, 2, 3]".into()),
        (
            "too large",
            r#"{"balance": 1e400, "currency": "USD"}"#.into(),
        ),
        (
            "too many digits",
            r#"{"balance": 1234567890123456789012345678901234567890, "currency": "USD"}"#.into(),
        ),
        ("huge", huge),
        (
            "binary",
            String::from_utf8_lossy(&[0xff, 0xfe, 0x00, 0x01]).into_owned(),
        ),
    ];
    for (name, body) in cases {
        let server = MockServer::start().await;
        Mock::given(path(BALANCE_PATH))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
            .expect(1)
            .mount(&server)
            .await;
        let home = Home::new();
        home.config(&profile(&server.uri(), "retries = 0"));
        let out = home.run_async(&["check", "--json"]).await;
        assert_eq!(code(&out), 8, "{name}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
        assert!(err.len() < 300, "{name}: short message: {err}");
        assert_eq!(json(&out)[0]["error"]["kind"], "provider", "{name}");
    }
}

#[tokio::test]
async fn credentials_never_follow_a_redirect_to_another_host() {
    let other = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ok())
        .expect(0)
        .mount(&other)
        .await;
    let server = MockServer::start().await;
    // Same machine, other host name: a different origin for the client.
    let elsewhere = other.uri().replace("127.0.0.1", "localhost");
    Mock::given(path(BALANCE_PATH))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{elsewhere}{BALANCE_PATH}")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let home = Home::new();
    home.config(&profile(&server.uri(), "retries = 0"));
    let out = home.run_async(&["check", "--json"]).await;
    assert_eq!(code(&out), 8, "{}", stderr(&out));
    let message = json(&out)[0]["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("redirected to localhost; not followed"),
        "{message}"
    );
}

#[tokio::test]
async fn same_host_redirect_is_followed_with_credentials() {
    let server = MockServer::start().await;
    Mock::given(path("/moved"))
        .and(header_exists("authorization"))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path(BALANCE_PATH))
        .respond_with(ResponseTemplate::new(307).insert_header("location", "/moved"))
        .expect(1)
        .mount(&server)
        .await;
    let home = Home::new();
    home.config(&profile(&server.uri(), "retries = 0"));
    let out = home.run_async(&["check"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

/// A vendor that takes 200 ms per request and records how many were in flight
/// at once. `Connection: close` makes every request its own connection.
fn counting_server(requests: usize) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let in_flight = Arc::new(AtomicUsize::new(0));
    let max = Arc::new(AtomicUsize::new(0));
    let max_seen = max.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let (in_flight, max) = (in_flight.clone(), max.clone());
            std::thread::spawn(move || {
                let mut stream = stream.unwrap();
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                max.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(200));
                in_flight.fetch_sub(1, Ordering::SeqCst);
                let body = fixture("8x8", "balance");
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    (url, max_seen)
}

#[tokio::test]
async fn profiles_run_concurrently_up_to_the_bound() {
    for (concurrency, expected_max) in [(2, 2), (8, 6)] {
        let (url, max) = counting_server(6);
        let home = Home::new();
        let mut config = format!("[settings]\nconcurrency = {concurrency}\nretries = 0\n");
        for i in 0..6 {
            config.push_str(&format!(
                "[profiles.p{i}]\nprovider = \"8x8\"\nbase_url = \"{url}\"\naccount_id = \"0123456789abcdef0123456789abcdef\"\napi_key = \"k\"\n"
            ));
        }
        home.config(&config);
        let out = home.run_async(&["check", "--json"]).await;
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert_eq!(json(&out).len(), 6);
        assert_eq!(
            max.load(std::sync::atomic::Ordering::SeqCst),
            expected_max,
            "concurrency {concurrency}"
        );
    }
}

fn infobip(name: &str, url: &str) -> String {
    format!(
        "[profiles.{name}]\nprovider = \"infobip\"\nbase_url = \"{url}\"\napi_key = \"ib-key-123\"\n"
    )
}

const INFOBIP_OK: &str = r#"{"balance": 47.79134, "currency": "EUR"}"#;

/// SPEC §6: open sockets follow `concurrency`, not the number of hosts. Each host's
/// idle keep-alive connection used to stay pooled until the run ended.
#[tokio::test]
async fn sockets_stay_near_concurrency_however_many_hosts() {
    let servers: Vec<Hostile> = (0..300)
        .map(|_| Hostile::fixed(hostile::json(200, INFOBIP_OK)))
        .collect();
    let home = Home::new();
    let mut config = String::from("[settings]\nretries = 0\n");
    for (i, server) in servers.iter().enumerate() {
        config.push_str(&infobip(&format!("p{i}"), &server.url()));
    }
    let path = home.config(&config);

    let servers = std::sync::Arc::new(servers);
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = {
        let (servers, done) = (servers.clone(), done.clone());
        std::thread::spawn(move || {
            let mut most = 0;
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                let open: usize = servers.iter().map(|s| s.open_connections().0).sum();
                most = most.max(open);
                std::thread::sleep(Duration::from_millis(1));
            }
            most
        })
    };
    // The binary's own environment, under a shell that lowers the descriptor limit.
    let mut cmd = std::process::Command::new("sh");
    for (key, value) in home.cmd().get_envs() {
        match value {
            Some(value) => cmd.env(key, value),
            None => cmd.env_remove(key),
        };
    }
    let script = format!(
        "ulimit -n 128 && exec {} --config {} check --json",
        crate::common::BIN,
        path.display()
    );
    cmd.args(["-c", &script]).stdin(std::process::Stdio::null());
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let most_open = sampler.join().unwrap();
    eprintln!("300 hosts: at most {most_open} connections open at once");

    let rows = json(&out);
    let failed: Vec<_> = rows.iter().filter(|r| r["status"] != "ok").collect();
    assert!(
        failed.is_empty(),
        "{} failed, e.g. {:?}",
        failed.len(),
        failed.first()
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(rows.len(), 300);
    // 8 in flight, plus sockets on their way out: the client has dropped them, the
    // server's thread has not yet seen the end (12-15 here). Before: ~120, the limit.
    assert!(most_open <= 24, "{most_open} connections open at once");
    assert!(servers.iter().all(|s| s.hits() == 1));
}

/// The other half of the trade: profiles on one host still share a connection.
#[tokio::test]
async fn profiles_on_one_host_share_a_connection() {
    let server = Hostile::fixed(hostile::json(200, INFOBIP_OK));
    let home = Home::new();
    home.config(&format!(
        "[settings]\nconcurrency = 1\n{}{}{}",
        infobip("a", &server.url()),
        infobip("b", &server.url()),
        infobip("c", &server.url())
    ));
    let out = home.run_async(&["check", "--json"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(server.hits(), 3);
    assert_eq!(
        server.open_connections().1,
        1,
        "one connection for three requests"
    );
}

fn yeastar(url: &str) -> String {
    format!(
        "[settings]\nretries = 2\n[profiles.ys]\nprovider = \"yeastar\"\nbase_url = \"{url}\"\n\
         client_id = \"ys-client\"\nclient_secret = \"ys-secret\"\n"
    )
}

const YEASTAR_BALANCE: &str = "/user/openapi/user/v1/client/account_balance";

async fn yeastar_token(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/auth/openapi/v1/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(YEASTAR_TOKEN, "application/json"))
        .expect(1)
        .mount(server)
        .await;
}

/// Yeastar says "429" inside an HTTP 200: the adapter, not the status, knows it
/// is rate limiting, and it is retried like a 429 (SPEC §6).
#[tokio::test]
async fn yeastar_enveloped_429_is_retried() {
    let enveloped_429 = ResponseTemplate::new(200)
        .set_body_raw(fixture("yeastar", "rate-limited"), "application/json");
    let server = MockServer::start().await;
    yeastar_token(&server).await;
    Mock::given(path(YEASTAR_BALANCE))
        .respond_with(enveloped_429.clone())
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path(YEASTAR_BALANCE))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("yeastar", "balance"), "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let home = Home::new();
    home.config(&yeastar(&server.uri()));
    let out = home.run_async(&["check", "--json"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    server.verify().await;

    // Always rate limited: retries + 1 attempts, then exit 5.
    let server = MockServer::start().await;
    yeastar_token(&server).await;
    Mock::given(path(YEASTAR_BALANCE))
        .respond_with(enveloped_429)
        .expect(3)
        .mount(&server)
        .await;
    let home = Home::new();
    home.config(&yeastar(&server.uri()));
    let out = home.run_async(&["check", "--json"]).await;
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert_eq!(json(&out)[0]["error"]["kind"], "rate_limited");
}

/// An auth proxy in front of Frontier answers 401 with a code of its own: still
/// rejected credentials, in both API generations.
#[tokio::test]
async fn frontier_behind_an_auth_proxy_is_auth() {
    for body in [r#"{"code":1200}"#, r#"{"code":"1200","message":"denied"}"#] {
        for api in ["rest", "connect"] {
            let server = MockServer::start().await;
            Mock::given(path_regex(".*"))
                .respond_with(ResponseTemplate::new(401).set_body_raw(body, "application/json"))
                .expect(1)
                .mount(&server)
                .await;
            let home = Home::new();
            let org = if api == "rest" {
                "org_id = \"org-1\"\n"
            } else {
                ""
            };
            home.config(&format!(
                "[profiles.fr]\nprovider = \"frontier\"\napi = \"{api}\"\nbase_url = \"{}\"\n\
                 {org}billing_id = \"bill-1\"\nclient_id = \"svc-id\"\n\
                 client_secret = \"svc-secret\"\n",
                server.uri()
            ));
            let out = home.run_async(&["check", "--json"]).await;
            assert_eq!(code(&out), 4, "{api} {body}: {}", stderr(&out));
        }
    }
}

/// Telnyx's `x-ratelimit-reset` sets the wait, as `Retry-After` would.
#[tokio::test]
async fn rate_limit_reset_header_sets_the_wait() {
    let server = MockServer::start().await;
    Mock::given(path(BALANCE_PATH))
        .respond_with(ResponseTemplate::new(429).insert_header("x-ratelimit-reset", "1"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path(BALANCE_PATH))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    let home = Home::new();
    home.config(&profile(&server.uri(), "retries = 1"));
    let started = Instant::now();
    let out = home.run_async(&["check"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited as asked"
    );
}

/// Debug text of Rust types (`Some("…")`, `Other(OtherError(…))`) is no message.
fn assert_no_rust_syntax(text: &str) {
    for debug in ["Some(", "None", "Other(", "Error(", "Custom {", "kind:"] {
        assert!(!text.contains(debug), "{debug:?} in: {text}");
    }
}

#[tokio::test]
async fn refused_connection_names_host_and_port() {
    // Bound, then closed: nothing listens there now.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let home = Home::new();
    home.config(&format!(
        "[settings]\nretries = 0\n{}",
        infobip("a", &format!("http://127.0.0.1:{port}"))
    ));
    let out = home.run_async(&["-vv", "check", "--json"]).await;
    assert_eq!(code(&out), 7, "{}", stderr(&out));
    let message = json(&out)[0]["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        message,
        format!("cannot connect to 127.0.0.1:{port}: connection refused")
    );
    assert_no_rust_syntax(&stderr(&out));
}

/// A plain HTTP server, as most answer a TLS hello: 400 and close.
fn plain_http_server() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut hello = [0u8; 1024];
            let _ = stream.read(&mut hello);
            let _ = stream.write_all(
                b"HTTP/1.1 400 Bad Request\r\ncontent-length: 11\r\nconnection: close\r\n\r\nBad Request",
            );
        }
    });
    addr
}

/// `https://` to a server that speaks plain HTTP: said in words, and not retried
/// (the same server will answer the same way).
#[tokio::test]
async fn https_to_a_plain_http_server_says_so() {
    let addr = plain_http_server();
    let home = Home::new();
    home.config(&format!(
        "[settings]\nretries = 2\n{}",
        infobip("a", &format!("https://{addr}"))
    ));
    let started = Instant::now();
    let out = home.run_async(&["-vv", "check", "--json"]).await;
    assert_eq!(code(&out), 7, "{}", stderr(&out));
    let message = json(&out)[0]["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.starts_with(&format!("{addr} answered in plain HTTP, not TLS: ")),
        "{message}"
    );
    assert!(!stderr(&out).contains("retrying"), "{}", stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_no_rust_syntax(&stderr(&out));
}

/// Every -vv line, on a good answer too, is free of Rust debug syntax.
#[tokio::test]
async fn verbose_lines_carry_no_debug_text() {
    let server = Hostile::start(|_| Action::Respond(hostile::json(200, INFOBIP_OK)));
    let home = Home::new();
    home.config(&infobip("a", &server.url()));
    let out = home.run_async(&["-vv", "check"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("content-type application/json"),
        "{}",
        stderr(&out)
    );
    assert_no_rust_syntax(&stderr(&out));
}

/// The system's roots are read only for an `https` URL: a run against `http`
/// (the sandbox, an `http` provider on loopback) works on a machine without
/// them, and does not spend a fifth of its time reading them. An `https` URL
/// there still fails, saying why.
#[test]
fn plain_http_never_reads_the_system_roots() {
    let vendor = Hostile::fixed(hostile::json(200, &fixture("8x8", "balance")));
    let home = Home::new();
    home.config(&format!(
        "{}\n[profiles.b]\nprovider = \"8x8\"\nbase_url = \"https://127.0.0.1:9\"\n\
         account_id = \"0123456789abcdef0123456789abcdef\"\napi_key = \"k\"\n",
        profile(&vendor.url(), "retries = 0")
    ));
    let none = home.path().join("no-roots");
    let run = |profile: &str| {
        home.cmd()
            .arg("--config")
            .arg(home.path().join("config.toml"))
            .args(["check", "--json", profile])
            .env("SSL_CERT_FILE", &none)
            .env("SSL_CERT_DIR", &none)
            .output()
            .unwrap()
    };
    let plain = run("a");
    assert_eq!(code(&plain), 0, "{}", stderr(&plain));
    let tls = run("b");
    assert_eq!(code(&tls), 7, "{}", stderr(&tls));
    assert!(
        stderr(&tls).contains("cannot set up TLS"),
        "{}",
        stderr(&tls)
    );
}

//! Issue 18 item 9: `balance serve` under idle-connection floods, DNS
//! rebinding, framing and content sniffing, and q-valued Accept-Encoding.
//! Through the real binary on loopback.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{BIN, Home, Sandbox};

/// `balance serve` (under `prlimit` when `nofile` is given), killed when dropped.
struct Served {
    child: Child,
    addr: String,
}

impl Served {
    fn start(home: &Home, nofile: Option<u32>) -> Served {
        let mut cmd = match nofile {
            Some(n) => {
                let mut c = Command::new("prlimit");
                c.arg(format!("--nofile={n}:{n}")).arg("--").arg(BIN);
                c.env_clear()
                    .envs(home.cmd().get_envs().filter_map(|(k, v)| Some((k, v?))));
                c
            }
            None => home.cmd(),
        };
        let mut child = cmd
            .arg("--config")
            .arg(home.path().join("config.toml"))
            .args(["serve", "--listen", "127.0.0.1:0", "--interval", "1h"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut err = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        let addr = loop {
            line.clear();
            assert_ne!(err.read_line(&mut line).unwrap(), 0, "serve ended");
            if let Some(a) = line.trim().strip_prefix("balance: serving on http://") {
                // `127.0.0.1:PORT (1 profile, every 1h)`
                break a.split_whitespace().next().unwrap_or("").to_owned();
            }
        };
        // Keep draining stderr so that serve never blocks on it.
        std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
        Served { child, addr }
    }

    /// The raw answer (head and body) to one request, within `limit`.
    fn get(&self, path: &str, headers: &[(&str, &str)], limit: Duration) -> (u16, String, Vec<u8>) {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(limit)).unwrap();
        let mut request = format!("GET {path} HTTP/1.1\r\nConnection: close\r\n");
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            request.push_str(&format!("Host: {}\r\n", self.addr));
        }
        for (k, v) in headers {
            request.push_str(&format!("{k}: {v}\r\n"));
        }
        request.push_str("\r\n");
        s.write_all(request.as_bytes()).unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw)
            .unwrap_or_else(|e| panic!("no answer to {path} within {limit:?}: {e}"));
        let end = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a head");
        let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
        let status = head[9..12].parse().unwrap();
        (status, head, raw[end + 4..].to_vec())
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn home(sandbox: &Sandbox, settings: &str) -> Home {
    let home = Home::new();
    home.config(&format!(
        "[settings]\ntimeout = 2\nretries = 0\nhistory = false\n{settings}\n\
         [profiles.ib]\nprovider = \"infobip\"\nbase_url = \"{}\"\napi_key = \"healthy\"\n",
        sandbox.url("infobip")
    ));
    home
}

#[test]
fn healthz_answers_through_200_idle_connections_under_ulimit_128() {
    let sandbox = Sandbox::start(&[]);
    let home = home(&sandbox, "");
    let served = Served::start(&home, Some(128));
    let idle: Vec<TcpStream> = (0..200)
        .map(|_| TcpStream::connect(&served.addr).unwrap())
        .collect();
    // Give the accept loop the flood first.
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    let (status, _, body) = served.get("/healthz", &[], Duration::from_secs(1));
    assert_eq!((status, body.as_slice()), (200, &b"ok\n"[..]));
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    // Again, with the flood still open.
    let (status, _, _) = served.get("/healthz", &[], Duration::from_secs(1));
    assert_eq!(status, 200);
    drop(idle);
}

#[test]
fn hosts_headers_and_codings() {
    let sandbox = Sandbox::start(&[]);
    let home = home(&sandbox, "serve_hosts = [\"status.example.com\"]");
    let served = Served::start(&home, None);
    let second = Duration::from_secs(5);
    let port = served.addr.rsplit_once(':').unwrap().1.to_owned();

    // DNS rebinding: a name the operator did not list is refused, on every path
    // but /healthz.
    let evil = format!("rebind.evil.example:{port}");
    for path in ["/", "/metrics", "/api/v1/balances"] {
        let (status, head, body) = served.get(path, &[("Host", &evil)], second);
        assert_eq!(status, 421, "{path}");
        assert!(
            String::from_utf8_lossy(&body).contains("serve_hosts"),
            "{path}"
        );
        assert!(head.contains("x-frame-options: deny"), "{head}");
    }
    assert_eq!(served.get("/healthz", &[("Host", &evil)], second).0, 200);
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        "status.example.com".to_owned(),
    ] {
        assert_eq!(
            served.get("/metrics", &[("Host", &host)], second).0,
            200,
            "{host}"
        );
    }

    // Every answer carries the headers; the page has nothing the policy blocks.
    for path in ["/", "/metrics", "/api/v1/balances", "/healthz", "/nowhere"] {
        let (_, head, _) = served.get(path, &[], second);
        for h in [
            "content-security-policy: default-src 'none'; style-src 'unsafe-inline'; img-src data:",
            "x-content-type-options: nosniff",
            "x-frame-options: deny",
            "referrer-policy: no-referrer",
        ] {
            assert!(head.contains(h), "{path}: {h}\n{head}");
        }
    }
    let (_, _, page) = served.get("/", &[], second);
    let page = String::from_utf8_lossy(&page).to_ascii_lowercase();
    assert!(page.contains("<svg") || page.contains("<style"), "{page}");
    for blocked in [
        "<script",
        " src=",
        "<link",
        "<iframe",
        "url(",
        " onclick=",
        " onload=",
        " onerror=",
    ] {
        assert!(!page.contains(blocked), "{blocked} in the page");
    }

    // q-values: gzip only when acceptable and not less wanted than identity.
    for (accept, gzip) in [
        ("gzip", true),
        ("gzip;q=0, *;q=1", false),
        ("*;q=0.5", true),
        ("gzip;q=0.5, identity;q=1", false),
        ("identity", false),
    ] {
        let (status, head, _) = served.get("/metrics", &[("Accept-Encoding", accept)], second);
        assert_eq!(status, 200);
        assert_eq!(
            head.contains("content-encoding: gzip"),
            gzip,
            "{accept}: {head}"
        );
    }
}

/// Issue 18 item 2: a FIFO where the store should be never keeps serve from
/// listening, answering or recording its one warning.
#[test]
fn a_fifo_as_the_store_does_not_stop_serve() {
    let sandbox = Sandbox::start(&[]);
    let probe = Home::new();
    let fifo = probe.path().join("h.fifo");
    let status = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    let home = Home::new();
    home.config(&format!(
        "[settings]\ntimeout = 2\nretries = 0\nhistory = \"{}\"\n\
         [profiles.ib]\nprovider = \"infobip\"\nbase_url = \"{}\"\napi_key = \"healthy\"\n",
        fifo.display(),
        sandbox.url("infobip")
    ));
    let served = Served::start(&home, None);
    let second = Duration::from_secs(5);
    assert_eq!(served.get("/healthz", &[], second).0, 200);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, _, body) = served.get("/api/v1/balances", &[], second);
        if status == 200 && String::from_utf8_lossy(&body).contains("\"ok\"") {
            break;
        }
        assert!(Instant::now() < deadline, "{status}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

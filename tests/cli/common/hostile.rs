//! A loopback server that answers with raw bytes: for vendors that misbehave in
//! ways a well-mannered mock server cannot (escape codes, echoed headers,
//! never-ending chunks, silence). One thread per connection; stops with the process.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the server does with one request (its head and body, as text).
pub enum Action {
    /// Writes these bytes; the connection stays open for the next request.
    Respond(Vec<u8>),
    /// Writes these bytes, then closes the connection.
    RespondAndClose(Vec<u8>),
    /// Reads the request and never answers.
    Hang,
    /// Sends a chunked 200 whose chunks never end.
    EndlessChunks,
}

type Script = dyn Fn(&str) -> Action + Send + Sync;

pub struct Hostile {
    pub addr: SocketAddr,
    hits: Arc<AtomicUsize>,
    open: Arc<AtomicUsize>,
    max_open: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Hostile {
    /// Listens on 127.0.0.1 (an ephemeral port) and answers with `script`.
    pub fn start(script: impl Fn(&str) -> Action + Send + Sync + 'static) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = Hostile {
            addr,
            hits: Arc::default(),
            open: Arc::default(),
            max_open: Arc::default(),
            requests: Arc::default(),
        };
        let script: Arc<Script> = Arc::new(script);
        let (hits, open, max_open, requests) = (
            server.hits.clone(),
            server.open.clone(),
            server.max_open.clone(),
            server.requests.clone(),
        );
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let now = open.fetch_add(1, Ordering::SeqCst) + 1;
                max_open.fetch_max(now, Ordering::SeqCst);
                let (script, hits, open, requests) =
                    (script.clone(), hits.clone(), open.clone(), requests.clone());
                std::thread::spawn(move || {
                    serve(stream, &*script, &hits, &requests);
                    open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        server
    }

    /// Always the same answer.
    pub fn fixed(bytes: Vec<u8>) -> Hostile {
        Hostile::start(move |_| Action::Respond(bytes.clone()))
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests read so far.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    /// Connections open now, and the most ever open at once.
    pub fn open_connections(&self) -> (usize, usize) {
        (
            self.open.load(Ordering::SeqCst),
            self.max_open.load(Ordering::SeqCst),
        )
    }

    /// Every request seen, head and body, as text.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, script: &Script, hits: &AtomicUsize, requests: &Mutex<Vec<String>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(120)));
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut reader = BufReader::new(stream);
    loop {
        let Some(request) = read_request(&mut reader) else {
            return;
        };
        hits.fetch_add(1, Ordering::SeqCst);
        requests.lock().unwrap().push(request.clone());
        match script(&request) {
            Action::Respond(bytes) => {
                if writer.write_all(&bytes).is_err() {
                    return;
                }
            }
            Action::RespondAndClose(bytes) => {
                let _ = writer.write_all(&bytes);
                return;
            }
            Action::Hang => {
                // Keep the socket open until the client gives up.
                let mut sink = [0u8; 1024];
                while matches!(reader.get_mut().read(&mut sink), Ok(n) if n > 0) {}
                return;
            }
            Action::EndlessChunks => {
                let head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                if writer.write_all(head).is_err() {
                    return;
                }
                let chunk = format!("400\r\n{}\r\n", " ".repeat(0x400));
                loop {
                    if writer.write_all(chunk.as_bytes()).is_err() {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
        }
    }
}

/// One request's head and body (by Content-Length); `None` at end of stream.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<String> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let end = line == "\r\n" || line == "\n";
        head.push_str(&line);
        if end {
            break;
        }
    }
    let length = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    head.push_str(&String::from_utf8_lossy(&body));
    Some(head)
}

/// A complete HTTP/1.1 answer with a Content-Length.
pub fn response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// `response` with a JSON content type.
pub fn json(status: u16, body: &str) -> Vec<u8> {
    response(
        status,
        &[("content-type", "application/json")],
        body.as_bytes(),
    )
}

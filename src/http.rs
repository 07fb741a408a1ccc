//! The one HTTP client every check shares: timeouts, a body cap, retries with
//! jittered backoff, and no credentials across hosts.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{RequestBuilder, StatusCode};

use crate::debug;
use crate::error::CheckError;

/// Larger balance answers than this are not balance answers.
pub const MAX_BODY: usize = 1024 * 1024;
/// No single wait between attempts is longer than this, whatever the vendor asks.
pub const MAX_WAIT: Duration = Duration::from_secs(10);
const BACKOFF_BASE: Duration = Duration::from_millis(200);

/// A vendor's answer, body read in full (up to `MAX_BODY`).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn code(&self) -> u16 {
        self.status.as_u16()
    }
}

/// Whether asking again may help, as the adapter that read the answer judges it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The answer stands: hand it to the adapter.
    Final,
    /// Ask again (within `retries`), after `wait` if the vendor said how long.
    Retry { wait: Option<Duration> },
}

/// The rule for vendors that say everything with the HTTP status: 429 and 5xx are
/// worth another try, after the wait the vendor asked for.
pub fn by_status(reply: &Reply) -> Verdict {
    if reply.status == StatusCode::TOO_MANY_REQUESTS || reply.status.is_server_error() {
        Verdict::Retry {
            wait: retry_hint(reply),
        }
    } else {
        Verdict::Final
    }
}

/// Settings every check shares, and the TLS set-up that is too costly to repeat
/// for each connection pool (loading the system roots takes milliseconds; a pool
/// built on it, microseconds).
#[derive(Debug)]
pub struct Http {
    retries: u32,
    tls: OnceLock<Result<rustls::ClientConfig, String>>,
}

impl Http {
    /// Cheap: nothing is loaded until the first pool needs a client, and the
    /// system roots only once a request goes to an `https` URL.
    pub fn new(retries: u32) -> anyhow::Result<Self> {
        Ok(Http {
            retries,
            tls: OnceLock::new(),
        })
    }

    /// A connection pool of its own, for the profiles of one host: dropping it
    /// closes its idle connections, so open sockets follow the work in flight
    /// rather than the number of hosts a run has seen.
    pub fn pool(&self) -> Pool<'_> {
        self.pool_for(0, 0)
    }

    /// `pool` for a group of `profiles` checked at most `concurrency` at a
    /// time (see `Pool::start`).
    pub fn pool_for(&self, profiles: usize, concurrency: usize) -> Pool<'_> {
        Pool {
            http: self,
            client: OnceLock::new(),
            plain: OnceLock::new(),
            queued: AtomicUsize::new(profiles),
            concurrency,
        }
    }

    fn tls(&self) -> Result<rustls::ClientConfig, CheckError> {
        self.tls
            .get_or_init(tls_config)
            .clone()
            .map_err(|e| CheckError::network(format!("cannot set up TLS: {e}")))
    }
}

/// What reqwest's `rustls` feature builds for each client, built once: the
/// platform verifier (on Linux: the system roots, or `SSL_CERT_FILE` /
/// `SSL_CERT_DIR`), and HTTP/1.1 alone offered by ALPN: reqwest is built without
/// HTTP/2 (no vendor needs it), so a server must not be told it may pick `h2`.
fn tls_config() -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone())
        .map_err(|e| tls_error_words(&e).unwrap_or_else(|| e.to_string()))?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// The TLS set-up of the plain-`http` client, which never makes a TLS
/// connection: no roots to read, none trusted.
fn trust_nothing() -> Result<rustls::ClientConfig, rustls::Error> {
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(rustls::RootCertStore::empty())
    .with_no_client_auth())
}

/// One connection pool (see `Http::pool`); its clients are built on first use.
#[derive(Debug)]
pub struct Pool<'a> {
    http: &'a Http,
    /// For `https` URLs: verifies against the system roots.
    client: OnceLock<Result<reqwest::Client, CheckError>>,
    /// For `http` URLs (a sandbox, an `http` provider on loopback): reqwest
    /// wants a TLS set-up for every client, and reading the system roots costs
    /// a run that never speaks TLS a fifth of its CPU time. This one trusts
    /// nothing, and is never given an `https` request: redirects keep the scheme.
    plain: OnceLock<Result<reqwest::Client, CheckError>>,
    /// Profiles of the group not started yet.
    queued: AtomicUsize,
    concurrency: usize,
}

impl Pool<'_> {
    /// A profile of the group starts.
    pub fn start(&self) {
        let _ = self
            .queued
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
    }

    /// Once fewer profiles are left to start than requests can be in flight,
    /// a connection that answers now is one the group will not need again:
    /// it asks the vendor to close it. Kept idle instead, it stayed open until
    /// the group's last answer, beside the next host's connections: at 5,000
    /// profiles and concurrency 256 that was 575 connections at once, about
    /// 25 KiB of buffers each, the largest part of that run's memory.
    fn last_round(&self) -> bool {
        self.queued.load(Ordering::Relaxed) < self.concurrency
    }

    /// The client for `https` URLs (`tls`), or the one for `http` URLs.
    fn client(&self, tls: bool) -> Result<&reqwest::Client, CheckError> {
        let slot = if tls { &self.client } else { &self.plain };
        slot.get_or_init(|| {
            let config = if tls {
                self.http.tls()?
            } else {
                trust_nothing()
                    .map_err(|e| CheckError::network(format!("cannot set up HTTP: {e}")))?
            };
            reqwest::Client::builder()
                .user_agent(concat!("balance/", env!("CARGO_PKG_VERSION")))
                .redirect(same_host_redirects())
                .tls_backend_preconfigured(config)
                .build()
                .map_err(|e| CheckError::network(format!("cannot set up HTTP: {}", root_cause(&e))))
        })
        .as_ref()
        .map_err(Clone::clone)
    }

    /// Sends the request made by `build`, again after a network failure worth
    /// retrying or an answer `classify` calls retryable, up to `retries` more
    /// times. The last answer is returned for the adapter to interpret; a network
    /// failure becomes an error.
    pub async fn send(
        &self,
        timeout: Duration,
        build: impl Fn(&reqwest::Client) -> RequestBuilder,
        classify: impl Fn(&Reply) -> Verdict,
    ) -> Result<Reply, CheckError> {
        // Any client builds a request; the one for its scheme sends it.
        let builder = self.client(false)?;
        let retries = self.http.retries;
        let mut attempt = 0;
        loop {
            let mut request = build(builder).timeout(timeout).build().map_err(|e| {
                CheckError::provider(format!("cannot build request: {}", root_cause(&e)))
            })?;
            let client = self.client(request.url().scheme() != "http")?;
            if self.last_round() {
                request.headers_mut().insert(
                    reqwest::header::CONNECTION,
                    reqwest::header::HeaderValue::from_static("close"),
                );
            }
            let (method, url) = (request.method().clone(), request.url().clone());
            let started = Instant::now();
            let outcome = tokio::time::timeout(timeout, execute(client, request, timeout)).await;
            let elapsed = started.elapsed().as_millis();
            let (failure, retryable) = match outcome {
                Ok(Ok(reply)) => {
                    debug!(1, "{method} {url} -> {} in {elapsed} ms", reply.status);
                    let content_type = reply
                        .headers
                        .get(reqwest::header::CONTENT_TYPE)
                        .map_or("none".into(), |v| String::from_utf8_lossy(v.as_bytes()));
                    debug!(
                        2,
                        "  {} bytes, content-type {content_type}",
                        reply.body.len()
                    );
                    if reply.status.is_redirection() {
                        return Err(redirect_refused(&reply));
                    }
                    let Verdict::Retry { wait } = classify(&reply) else {
                        return Ok(reply);
                    };
                    if attempt >= retries {
                        return Ok(reply);
                    }
                    let wait = wait.unwrap_or_else(|| backoff(attempt));
                    pause(&mut attempt, retries, wait).await;
                    continue;
                }
                Ok(Err(Failure::TooLarge(status))) => {
                    return Err(CheckError::provider(format!(
                        "unexpected answer (HTTP {status}): body larger than {} KiB",
                        MAX_BODY / 1024
                    ))
                    .status(status));
                }
                Ok(Err(Failure::Network { message, retryable })) => (message, retryable),
                Err(_) => (
                    format!(
                        "no answer from {} within {}",
                        authority(&url),
                        crate::fmt_duration(timeout)
                    ),
                    true,
                ),
            };
            debug!(1, "{method} {url} failed after {elapsed} ms: {failure}");
            if !retryable || attempt >= retries {
                // Said, so that a 9 s run with `--timeout 3` explains itself.
                let failure = match attempt {
                    0 => failure,
                    n => format!("{failure} ({} attempts)", n + 1),
                };
                return Err(CheckError::network(failure));
            }
            let wait = backoff(attempt);
            pause(&mut attempt, retries, wait).await;
        }
    }
}

async fn pause(attempt: &mut u32, retries: u32, wait: Duration) {
    let wait = wait.min(MAX_WAIT);
    *attempt += 1;
    debug!(
        1,
        "retrying in {} (attempt {} of {})",
        crate::fmt_duration(wait),
        *attempt + 1,
        retries + 1
    );
    tokio::time::sleep(wait).await;
}

async fn execute(
    client: &reqwest::Client,
    request: reqwest::Request,
    timeout: Duration,
) -> Result<Reply, Failure> {
    let url = request.url().clone();
    let mut response = client
        .execute(request)
        .await
        .map_err(|e| describe(&e, &url, timeout))?;
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY as u64)
    {
        return Err(Failure::TooLarge(status.as_u16()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| describe(&e, &url, timeout))?
    {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(Failure::TooLarge(status.as_u16()));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Reply {
        status,
        headers,
        body,
    })
}

enum Failure {
    /// `retryable` is false where asking again cannot help (a certificate that is
    /// not trusted, a server that does not speak TLS).
    Network { message: String, retryable: bool },
    /// The body passed `MAX_BODY`; the status it came with.
    TooLarge(u16),
}

/// Redirects are followed only on the same scheme, host and port, so an
/// `Authorization` header never reaches another host.
fn same_host_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let first = &attempt.previous()[0];
        let next = attempt.url();
        let same = first.scheme() == next.scheme()
            && first.host_str() == next.host_str()
            && first.port_or_known_default() == next.port_or_known_default();
        if !same || attempt.previous().len() > 5 {
            attempt.stop()
        } else {
            attempt.follow()
        }
    })
}

/// A redirect the client did not follow: to another host (credentials stay home),
/// or one too many.
fn redirect_refused(reply: &Reply) -> CheckError {
    let target = reply
        .headers
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|l| url::Url::parse(l).ok())
        .and_then(|u| u.host_str().map(str::to_owned));
    let message = match target {
        Some(host) => format!(
            "vendor redirected to {host}; not followed, credentials are only sent to base_url's host"
        ),
        None => "vendor answered with a redirect that was not followed".to_owned(),
    };
    CheckError::provider(message).status(reply.code())
}

/// Full jitter between half and all of `base * 2^attempt`.
fn backoff(attempt: u32) -> Duration {
    let full = BACKOFF_BASE.saturating_mul(2u32.saturating_pow(attempt));
    full.mul_f64(0.5 + fastrand::f64() / 2.0)
}

/// Headers that say, in seconds, when a vendor's rate limit resets: Telnyx's and
/// Brevo's (neither sends `Retry-After`).
const RESET_HEADERS: [&str; 2] = ["x-ratelimit-reset", "x-sib-ratelimit-reset"];

/// How long the vendor asked us to wait: `Retry-After` (seconds or an HTTP date),
/// a rate-limit reset header, else 8x8's "Please try again in N second(s)." in the body.
pub fn retry_hint(reply: &Reply) -> Option<Duration> {
    let header = |name| {
        reply
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(value) = header(RETRY_AFTER.as_str()) {
        if let Ok(secs) = value.parse::<u64>() {
            return Some(Duration::from_secs(secs));
        }
        if let Ok(when) = httpdate::parse_http_date(value) {
            return Some(when.duration_since(SystemTime::now()).unwrap_or_default());
        }
    }
    for name in RESET_HEADERS {
        if let Some(secs) = header(name).and_then(|v| v.parse::<u64>().ok()) {
            return Some(reset_wait(secs));
        }
    }
    let body = std::str::from_utf8(&reply.body).ok()?;
    let lower = body.to_ascii_lowercase();
    let rest = &lower[lower.find("try again in ")? + "try again in ".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let secs: u64 = digits.parse().ok()?;
    rest[digits.len()..]
        .trim_start()
        .starts_with("second")
        .then(|| Duration::from_secs(secs))
}

/// Seconds until the reset; some servers send the reset's Unix time in the same
/// header, which no honest "seconds from now" reaches.
fn reset_wait(value: u64) -> Duration {
    const UNIX_TIME_FROM: u64 = 1_000_000_000;
    if value < UNIX_TIME_FROM {
        return Duration::from_secs(value);
    }
    (SystemTime::UNIX_EPOCH + Duration::from_secs(value))
        .duration_since(SystemTime::now())
        .unwrap_or_default()
}

/// `host:port` of a URL, the port spelt out even when it is the scheme's default.
fn authority(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or("vendor");
    match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

fn describe(e: &reqwest::Error, url: &url::Url, timeout: Duration) -> Failure {
    let at = authority(url);
    let network = |message: String| Failure::Network {
        message,
        retryable: true,
    };
    if e.is_timeout() {
        return network(format!(
            "no answer from {at} within {}",
            crate::fmt_duration(timeout)
        ));
    }
    if e.is_connect() && chain(e).any(|c| c.to_string() == "dns error") {
        // hyper-util says "dns error" one level above the resolver's own text.
        return network(format!(
            "cannot resolve {}: {}",
            url.host_str().unwrap_or("vendor"),
            root_cause(e)
        ));
    }
    if let Some(tls) = find_cause::<rustls::Error>(e) {
        let message = match tls {
            rustls::Error::InvalidMessage(_) if url.scheme() == "https" => {
                format!("{at} answered in plain HTTP, not TLS: check base_url's scheme and port")
            }
            rustls::Error::InvalidCertificate(_) => format!(
                "TLS certificate of {at} not trusted: {}",
                tls_error_words(tls).unwrap_or_default()
            ),
            other => format!(
                "TLS handshake with {at} failed: {}",
                tls_error_words(other).unwrap_or_else(|| words(&other.to_string()))
            ),
        };
        // The same server will present the same certificate, or the same plain text.
        return Failure::Network {
            message,
            retryable: false,
        };
    }
    if let Some(io) = find_cause::<std::io::Error>(e) {
        let what = io_words(io);
        return network(if e.is_connect() {
            format!("cannot connect to {at}: {what}")
        } else {
            format!("connection to {at} failed: {what}")
        });
    }
    let cause = root_cause(e);
    if e.is_connect() {
        return network(format!("cannot connect to {at}: {cause}"));
    }
    network(format!("request to {at} failed: {cause}"))
}

/// `e` and every error under it.
fn chain<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(e), |e| {
        // An `io::Error`'s `source` skips the error it wraps; look inside it too.
        match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        }
    })
}

fn find_cause<'a, T: std::error::Error + 'static>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    chain(e).find_map(|c| c.downcast_ref::<T>())
}

/// An OS error in words, without the "(os error 111)" no one can use.
fn io_words(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::ConnectionRefused => "connection refused".into(),
        K::ConnectionReset => "connection reset by the server".into(),
        K::ConnectionAborted => "connection aborted".into(),
        K::UnexpectedEof => "the server closed the connection".into(),
        K::TimedOut => "timed out".into(),
        _ => match e.get_ref() {
            Some(inner) => inner.to_string(),
            None => crate::without_os_error(e.to_string()),
        },
    }
}

/// What is wrong, in words, for the TLS failures a user can act on; rustls's own
/// text for some of them is Rust debug output (`Other(OtherError(CaUsedAsEndEntity))`).
fn tls_error_words(e: &rustls::Error) -> Option<String> {
    use rustls::CertificateError as C;
    let rustls::Error::InvalidCertificate(cert) = e else {
        return match e {
            rustls::Error::AlertReceived(alert) => Some(format!(
                "the server refused: {}",
                words(&format!("{alert:?}"))
            )),
            rustls::Error::General(text) => Some(text.clone()),
            _ => None,
        };
    };
    Some(match cert {
        C::UnknownIssuer => "issued by an unknown certificate authority (a private CA or self-signed? see docs/configuration.md: Private CA)".into(),
        C::Expired | C::ExpiredContext { .. } => "the certificate has expired".into(),
        C::NotValidYet | C::NotValidYetContext { .. } => "the certificate is not valid yet".into(),
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            "the certificate is for another host name".into()
        }
        C::Revoked => "the certificate has been revoked".into(),
        C::BadSignature => "the certificate's signature is invalid".into(),
        C::BadEncoding => "the certificate is malformed".into(),
        C::InvalidPurpose | C::InvalidPurposeContext { .. } => {
            "the certificate is not meant for a TLS server".into()
        }
        C::Other(other) if other.to_string() == "CaUsedAsEndEntity" => {
            "the server presented a CA certificate, not a server certificate".into()
        }
        other => words(&format!("{other:?}")),
    })
}

/// `CaUsedAsEndEntity` → "ca used as end entity", `Other(OtherError(X))` → "x":
/// for the rare variant nothing above names, words rather than Rust syntax.
fn words(debug: &str) -> String {
    let head = debug.split([' ', '{']).next().unwrap_or(debug);
    let inner = head
        .rsplit('(')
        .next()
        .unwrap_or(head)
        .trim_end_matches(')');
    let mut out = String::new();
    for (i, c) in inner.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// The innermost error's text: "connection refused", not "error sending request".
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut current = e;
    while let Some(next) = current.source() {
        current = next;
    }
    crate::without_os_error(current.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Connections are kept for reuse while a group has more profiles to start
    /// than can be in flight; after that, each answer closes its connection.
    #[test]
    fn only_the_last_round_of_a_group_closes_its_connections() {
        let http = Http::new(0).unwrap();
        let pool = http.pool_for(5, 2);
        let mut closing = Vec::new();
        for _ in 0..5 {
            pool.start();
            closing.push(pool.last_round());
        }
        assert_eq!(closing, [false, false, false, true, true]);
        // A pool outside `check`'s groups keeps its connections.
        let single = http.pool();
        single.start();
        assert!(!single.last_round());
    }
    use reqwest::header::HeaderValue;

    fn reply(headers: &[(&'static str, &str)], body: &str) -> Reply {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        Reply {
            status: StatusCode::TOO_MANY_REQUESTS,
            headers: map,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(
            retry_hint(&reply(&[("retry-after", "3")], "")),
            Some(Duration::from_secs(3))
        );
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        let wait = retry_hint(&reply(&[("retry-after", &later)], "")).unwrap();
        assert!(
            wait > Duration::from_secs(25) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        let past = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(30));
        assert_eq!(
            retry_hint(&reply(&[("retry-after", &past)], "")),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn eight_by_eight_message_is_a_hint() {
        let body = r#"{"code":429,"message":"Quota exceeded. Please try again in 2 second(s)."}"#;
        assert_eq!(retry_hint(&reply(&[], body)), Some(Duration::from_secs(2)));
        assert_eq!(retry_hint(&reply(&[], "try again in a while")), None);
        assert_eq!(retry_hint(&reply(&[], "")), None);
    }

    #[test]
    fn rate_limit_reset_headers_are_hints() {
        for name in ["x-ratelimit-reset", "x-sib-ratelimit-reset"] {
            assert_eq!(
                retry_hint(&reply(&[(name, "4")], "")),
                Some(Duration::from_secs(4)),
                "{name}"
            );
        }
        // Retry-After wins; a Unix time is read as one, not as 56 years.
        assert_eq!(
            retry_hint(&reply(
                &[("retry-after", "2"), ("x-ratelimit-reset", "9")],
                ""
            )),
            Some(Duration::from_secs(2))
        );
        let soon = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            + Duration::from_secs(5);
        let wait = retry_hint(&reply(
            &[("x-ratelimit-reset", &soon.as_secs().to_string())],
            "",
        ))
        .unwrap();
        assert!(wait <= Duration::from_secs(5), "{wait:?}");
    }

    #[test]
    fn certificate_errors_in_words() {
        use rustls::CertificateError as C;
        let ca_as_leaf = rustls::OtherError(Arc::new(std::io::Error::other("CaUsedAsEndEntity")));
        for (error, expected) in [
            (C::UnknownIssuer, "unknown certificate authority"),
            (C::Expired, "expired"),
            (C::NotValidForName, "another host name"),
            (
                C::Other(ca_as_leaf),
                "a CA certificate, not a server certificate",
            ),
        ] {
            let text = tls_error_words(&rustls::Error::InvalidCertificate(error)).unwrap();
            assert!(text.contains(expected), "{text}");
        }
        assert_eq!(words("Other(OtherError(SomeNewThing))"), "some new thing");
        assert_eq!(
            words("ExpiredContext { time: UnixTime(1) }"),
            "expired context"
        );
    }

    #[test]
    fn backoff_grows_with_jitter() {
        for attempt in 0..4 {
            let full = BACKOFF_BASE * 2u32.pow(attempt);
            let b = backoff(attempt);
            assert!(b >= full / 2 && b <= full, "{b:?}");
        }
    }
}

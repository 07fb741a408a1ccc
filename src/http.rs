//! The one HTTP client every check shares: timeouts, a body cap, retries with
//! jittered backoff, and no credentials across hosts.

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

#[derive(Debug, Clone)]
pub struct Http {
    client: reqwest::Client,
    retries: u32,
}

impl Http {
    pub fn new(retries: u32) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("balance/", env!("CARGO_PKG_VERSION")))
            .redirect(same_host_redirects())
            .build()?;
        Ok(Http { client, retries })
    }

    /// Sends the request made by `build`, again after a 429, a 5xx or a network
    /// failure, up to `retries` more times. The last 429/5xx is returned as a reply
    /// for the adapter to classify; a network failure becomes an error.
    pub async fn send(
        &self,
        timeout: Duration,
        build: impl Fn(&reqwest::Client) -> RequestBuilder,
    ) -> Result<Reply, CheckError> {
        let mut attempt = 0;
        loop {
            let request = build(&self.client).timeout(timeout).build().map_err(|e| {
                CheckError::provider(format!("cannot build request: {}", root_cause(&e)))
            })?;
            let (method, url) = (request.method().clone(), request.url().clone());
            let started = Instant::now();
            let outcome = tokio::time::timeout(timeout, self.execute(request, timeout)).await;
            let elapsed = started.elapsed().as_millis();
            let failure = match outcome {
                Ok(Ok(reply)) => {
                    debug!(1, "{method} {url} -> {} in {elapsed} ms", reply.status);
                    let content_type = reply.headers.get(reqwest::header::CONTENT_TYPE);
                    debug!(
                        2,
                        "  {} bytes, content-type {:?}",
                        reply.body.len(),
                        content_type
                    );
                    if reply.status.is_redirection() {
                        return Err(redirect_refused(&reply));
                    }
                    let retryable = reply.status == StatusCode::TOO_MANY_REQUESTS
                        || reply.status.is_server_error();
                    if !retryable || attempt >= self.retries {
                        return Ok(reply);
                    }
                    let wait = retry_hint(&reply).unwrap_or_else(|| backoff(attempt));
                    self.pause(&mut attempt, wait).await;
                    continue;
                }
                Ok(Err(Failure::TooLarge(status))) => {
                    return Err(CheckError::provider(format!(
                        "unexpected answer (HTTP {status}): body larger than {} KiB",
                        MAX_BODY / 1024
                    ))
                    .status(status));
                }
                Ok(Err(Failure::Network(message))) => message,
                Err(_) => format!(
                    "no answer from {} within {}",
                    url.host_str().unwrap_or("vendor"),
                    crate::fmt_duration(timeout)
                ),
            };
            debug!(1, "{method} {url} failed after {elapsed} ms: {failure}");
            if attempt >= self.retries {
                return Err(CheckError::network(failure));
            }
            let wait = backoff(attempt);
            self.pause(&mut attempt, wait).await;
        }
    }

    async fn pause(&self, attempt: &mut u32, wait: Duration) {
        let wait = wait.min(MAX_WAIT);
        *attempt += 1;
        debug!(
            1,
            "retrying in {} (attempt {} of {})",
            crate::fmt_duration(wait),
            *attempt + 1,
            self.retries + 1
        );
        tokio::time::sleep(wait).await;
    }

    async fn execute(
        &self,
        request: reqwest::Request,
        timeout: Duration,
    ) -> Result<Reply, Failure> {
        let host = request.url().host_str().unwrap_or("vendor").to_owned();
        let mut response = self
            .client
            .execute(request)
            .await
            .map_err(|e| Failure::Network(describe(&e, &host, timeout)))?;
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
            .map_err(|e| Failure::Network(describe(&e, &host, timeout)))?
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
}

enum Failure {
    Network(String),
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

/// How long the vendor asked us to wait: `Retry-After` (seconds or an HTTP date),
/// else 8x8's "Please try again in N second(s)." in the body.
pub fn retry_hint(reply: &Reply) -> Option<Duration> {
    if let Some(value) = reply.headers.get(RETRY_AFTER).and_then(|v| v.to_str().ok()) {
        let value = value.trim();
        if let Ok(secs) = value.parse::<u64>() {
            return Some(Duration::from_secs(secs));
        }
        if let Ok(when) = httpdate::parse_http_date(value) {
            return Some(when.duration_since(SystemTime::now()).unwrap_or_default());
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

fn describe(e: &reqwest::Error, host: &str, timeout: Duration) -> String {
    let cause = root_cause(e);
    if e.is_timeout() {
        format!(
            "no answer from {host} within {}",
            crate::fmt_duration(timeout)
        )
    } else if e.is_connect() {
        format!("cannot connect to {host}: {cause}")
    } else {
        format!("request to {host} failed: {cause}")
    }
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
    fn backoff_grows_with_jitter() {
        for attempt in 0..4 {
            let full = BACKOFF_BASE * 2u32.pow(attempt);
            let b = backoff(attempt);
            assert!(b >= full / 2 && b <= full, "{b:?}");
        }
    }
}

//! What every answer of `balance serve` must hold to whoever asks: the Host
//! allow-list (DNS rebinding), the security headers, and content-coding
//! negotiation by q-value. Pure functions, so serve's wiring is a few lines.

use hyper::header::{self, HeaderMap, HeaderValue};

/// The status page has no script, no frame, no fetch: inline CSS and SVG, and
/// a meta refresh, which no CSP directive governs.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// Adds the headers every answer carries.
pub fn secure(headers: &mut HeaderMap) {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
}

/// Whether a request's `Host` may be answered. A DNS-rebinding page reaches
/// the server under the attacker's own name, so names are allowed only when
/// known: `localhost` and the operator's `[settings] serve_hosts`. An IP
/// literal (the listen address, 127.0.0.1, [::1], the machine's address on a
/// 0.0.0.0 listener) cannot be rebound, and is allowed. No `Host` at all (an
/// HTTP/1.0 probe) is not a browser's request, and is allowed.
pub fn host_allowed(host: Option<&HeaderValue>, extra: &[String]) -> bool {
    let Some(host) = host else {
        return true;
    };
    let Ok(host) = host.to_str() else {
        return false;
    };
    let name = strip_port(host.trim());
    if name.is_empty() {
        return false;
    }
    if name.eq_ignore_ascii_case("localhost")
        || name.trim_end_matches('.').eq_ignore_ascii_case("localhost")
    {
        return true;
    }
    let bare = name.strip_prefix('[').and_then(|n| n.strip_suffix(']'));
    if let Some(v6) = bare {
        return v6.parse::<std::net::Ipv6Addr>().is_ok();
    }
    if name.parse::<std::net::Ipv4Addr>().is_ok() {
        return true;
    }
    let name = name.trim_end_matches('.');
    extra.iter().any(|h| {
        let h = strip_port(h.trim());
        let h = h.trim_end_matches('.');
        h.eq_ignore_ascii_case(name) || h.eq_ignore_ascii_case(&format!("[{name}]"))
    })
}

/// `host:port` → `host`; `[::1]:8080` → `[::1]`.
fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return match host.find(']') {
            Some(end) => &host[..=end],
            None => host,
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !name.contains(':') => {
            name
        }
        _ => host,
    }
}

/// Whether to answer gzip-encoded, by the q-values of `Accept-Encoding`
/// (RFC 9110 §12.5.3): gzip's own q, else `*`'s, must be above zero and not
/// below identity's when the client gave one (its own, else `*`'s; an unlisted
/// identity is only the fallback). `gzip;q=0, *;q=1` is identity; `*;q=0.5`
/// alone is gzip.
pub fn accepts_gzip(header: Option<&HeaderValue>) -> bool {
    let Some(value) = header.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let (mut gzip, mut identity, mut any) = (None, None, None);
    for item in value.split(',') {
        let mut parts = item.split(';').map(str::trim);
        let coding = parts.next().unwrap_or("");
        if coding.is_empty() {
            continue;
        }
        let mut q = Some(1000);
        for p in parts {
            if let Some(v) = p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")) {
                q = qvalue(v.trim());
            }
        }
        // A malformed q says nothing we can trust: the entry is ignored.
        let Some(q) = q else { continue };
        if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
            gzip = Some(q);
        } else if coding.eq_ignore_ascii_case("identity") {
            identity = Some(q);
        } else if coding == "*" {
            any = Some(q);
        }
    }
    let gzip = gzip.or(any).unwrap_or(0);
    let identity = identity.or(any).unwrap_or(0);
    gzip > 0 && gzip >= identity
}

/// A q-value in thousandths: `0`, `0.5`, `1`, `1.000`; `None` when malformed.
fn qvalue(text: &str) -> Option<u16> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{frac:0<3}").parse::<u16>().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &str) -> HeaderValue {
        HeaderValue::from_str(v).unwrap()
    }

    #[test]
    fn q_values_decide_the_coding() {
        let table = [
            ("gzip", true),
            ("deflate, GZIP;q=0.5", true),
            ("*", true),
            ("*;q=0.5", true),
            ("identity", false),
            ("gzip;q=0", false),
            ("gzip;q=0.000", false),
            ("gzip;q=0, *;q=1", false),
            ("*;q=1, gzip;q=0", false),
            ("x-gzip-like", false),
            ("gzip;q=0.5, identity;q=1", false),
            ("gzip;q=1, identity;q=0.5", true),
            ("identity;q=0, *;q=0.1", true),
            ("*;q=0", false),
            ("gzip;q=2", false),
            ("gzip;q=0.5x", false),
            ("br, gzip;q=0.8, *;q=0.1", true),
            ("", false),
        ];
        for (value, gzip) in table {
            assert_eq!(accepts_gzip(Some(&h(value))), gzip, "{value:?}");
        }
        assert!(!accepts_gzip(None));
    }

    #[test]
    fn hosts_are_ip_literals_localhost_or_listed() {
        let extra = vec!["status.example.com".to_owned(), "[fd00::1]".to_owned()];
        let table = [
            ("127.0.0.1:9184", true),
            ("127.0.0.1", true),
            ("[::1]:9184", true),
            ("[::1]", true),
            ("localhost:9184", true),
            ("LOCALHOST.", true),
            ("192.0.2.7:9184", true),
            ("status.example.com", true),
            ("Status.Example.com:443", true),
            ("evil.example:9184", false),
            ("127.0.0.1.nip.io:9184", false),
            ("localhost.evil.example", false),
            ("[not-an-ip]", false),
            ("", false),
        ];
        for (host, allowed) in table {
            assert_eq!(host_allowed(Some(&h(host)), &extra), allowed, "{host:?}");
        }
        assert!(host_allowed(None, &[]));
    }

    #[test]
    fn every_answer_gets_the_security_headers() {
        let mut headers = HeaderMap::new();
        secure(&mut headers);
        assert_eq!(
            headers["content-security-policy"],
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["referrer-policy"], "no-referrer");
    }
}

//! Error kinds of a single check, and the exit status they map to.
//!
//! The exit-code table lives here once (SPEC §5); README and tests follow it.

use std::fmt;

use serde::Serialize;

/// What went wrong with one profile's check. Serialised as `error.kind` in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    Config,
    Auth,
    RateLimited,
    NotPrepaid,
    Network,
    Provider,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Config => "config",
            ErrorKind::Auth => "auth",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::NotPrepaid => "not_prepaid",
            ErrorKind::Network => "network",
            ErrorKind::Provider => "provider",
        }
    }

    /// Every kind, in the order the docs list them.
    pub const ALL: [ErrorKind; 6] = [
        ErrorKind::Config,
        ErrorKind::Auth,
        ErrorKind::RateLimited,
        ErrorKind::NotPrepaid,
        ErrorKind::Network,
        ErrorKind::Provider,
    ];

    pub fn exit(self) -> Exit {
        match self {
            ErrorKind::Config => Exit::Config,
            ErrorKind::Auth => Exit::Auth,
            ErrorKind::RateLimited => Exit::RateLimited,
            ErrorKind::NotPrepaid => Exit::NotPrepaid,
            ErrorKind::Network => Exit::Network,
            ErrorKind::Provider => Exit::Provider,
        }
    }
}

impl std::str::FromStr for ErrorKind {
    type Err = String;

    /// The word `as_str` gives (the store's and the csv's `error_kind`).
    fn from_str(text: &str) -> Result<Self, String> {
        ErrorKind::ALL
            .into_iter()
            .find(|k| k.as_str() == text)
            .ok_or_else(|| {
                let words: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
                format!(
                    "error_kind `{}` is not one of {}",
                    crate::text::clean(text, 40),
                    words.join(", ")
                )
            })
    }
}

/// A failed check: the kind decides the exit status, the rest is reported as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckError {
    pub kind: ErrorKind,
    pub message: String,
    pub http_status: Option<u16>,
    pub provider_code: Option<String>,
}

impl CheckError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        CheckError {
            kind,
            message: message.into(),
            http_status: None,
            provider_code: None,
        }
    }

    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Config, message)
    }

    pub fn network(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Network, message)
    }

    pub fn provider(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Provider, message)
    }

    pub fn status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
        self
    }

    pub fn code(mut self, code: Option<String>) -> Self {
        self.provider_code = code.filter(|c| !c.is_empty());
        self
    }
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Process exit status (SPEC §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    Ok = 0,
    Internal = 1,
    Usage = 2,
    Config = 3,
    Auth = 4,
    RateLimited = 5,
    NotPrepaid = 6,
    Network = 7,
    Provider = 8,
    Low = 9,
}

impl Exit {
    /// Over several profiles the first code in this order that applies wins: the
    /// most actionable problem is reported, a low balance only when nothing broke.
    const PRECEDENCE: [Exit; 10] = [
        Exit::Internal,
        Exit::Usage,
        Exit::Config,
        Exit::Auth,
        Exit::NotPrepaid,
        Exit::Provider,
        Exit::Network,
        Exit::RateLimited,
        Exit::Low,
        Exit::Ok,
    ];

    fn rank(self) -> usize {
        Self::PRECEDENCE
            .iter()
            .position(|&e| e == self)
            .unwrap_or(0)
    }

    /// The status for a run whose profiles ended with `codes`.
    pub fn combine(codes: impl IntoIterator<Item = Exit>) -> Exit {
        codes
            .into_iter()
            .min_by_key(|e| e.rank())
            .unwrap_or(Exit::Ok)
    }

    pub fn code(self) -> u8 {
        self as u8
    }

    /// Every code in numeric order, with its meaning: `--help` prints this table
    /// and a test holds README's "Exit status" table to it, row for row.
    pub const TABLE: [(Exit, &'static str); 10] = [
        (
            Exit::Ok,
            "every checked balance fetched, none below its threshold",
        ),
        (
            Exit::Internal,
            "any other failure (an internal error, e.g. the `-o` file cannot be written)",
        ),
        (Exit::Usage, "usage error (bad flags or arguments)"),
        (
            Exit::Config,
            "configuration error: no or unreadable file, invalid TOML, unknown profile or key, \
             missing or unresolvable secret, insecure file mode, bad `base_url`",
        ),
        (
            Exit::Auth,
            "the vendor rejected the credentials (401/403, vendor auth codes)",
        ),
        (
            Exit::RateLimited,
            "rate limited: still 429 (or the vendor's equivalent) after the retries",
        ),
        (
            Exit::NotPrepaid,
            "the account has no prepaid balance (8x8 code 1201 \"not in prepaid mode\")",
        ),
        (
            Exit::Network,
            "network: DNS, connect, TLS, or no answer within the timeout, after the retries",
        ),
        (
            Exit::Provider,
            "the vendor answered, but not with a balance: 5xx after retries, another 4xx, \
             a body that is not the documented shape",
        ),
        (
            Exit::Low,
            "every balance fetched, but at least one is below its threshold",
        ),
    ];

    pub fn meaning(self) -> &'static str {
        Self::TABLE[self as usize].1
    }

    /// The order in which several profiles' codes give way, as SPEC §5 writes it:
    /// without 2, since no profile's check ends in a usage error.
    pub fn precedence() -> impl Iterator<Item = Exit> {
        Self::PRECEDENCE.into_iter().filter(|&e| e != Exit::Usage)
    }
}

/// The exit codes for `--help`, from `Exit::TABLE` and its precedence.
pub fn exit_help() -> String {
    const WIDTH: usize = 92;
    const INDENT: &str = "     ";
    let mut out = String::from("Exit status:\n");
    for (exit, meaning) in Exit::TABLE {
        let mut line = format!("  {}  ", exit.code());
        for word in meaning.split(' ') {
            if line.len() + word.len() > WIDTH && line.len() > INDENT.len() {
                out.push_str(line.trim_end());
                out.push('\n');
                line = INDENT.to_owned();
            }
            line.push_str(word);
            line.push(' ');
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let order: Vec<String> = Exit::precedence().map(|e| e.code().to_string()).collect();
    out.push_str(&format!(
        "Several profiles: the first code in this order that applies: {}.\n\
         Interrupted by SIGINT or SIGTERM: 130 or 143, after showing what was fetched.\n\
         With --format nagios (or -w/-c): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
        order.join(", ")
    ));
    out
}

/// An error that ends the run before (or instead of) any check.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Config(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
    /// SIGINT or SIGTERM, caught (with `-o`) to remove the temporary file first.
    #[error("interrupted by {name}")]
    Interrupted { name: &'static str, signal: u8 },
}

impl AppError {
    pub fn exit(&self) -> Exit {
        match self {
            AppError::Usage(_) => Exit::Usage,
            AppError::Config(_) => Exit::Config,
            AppError::Internal(_) | AppError::Interrupted { .. } => Exit::Internal,
        }
    }

    /// The process exit status: §5's, or 128 + the signal's number as a shell
    /// reports a process killed by it (130 for SIGINT, 143 for SIGTERM).
    pub fn code(&self) -> u8 {
        match self {
            AppError::Interrupted { signal, .. } => 128 + signal,
            other => other.exit().code(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_code_order() {
        for (i, (exit, _)) in Exit::TABLE.iter().enumerate() {
            assert_eq!(usize::from(exit.code()), i);
        }
        let order: Vec<u8> = Exit::precedence().map(Exit::code).collect();
        assert_eq!(order, [1, 3, 4, 6, 8, 7, 5, 9, 0]);
    }

    #[test]
    fn precedence_follows_spec_order() {
        use Exit::*;
        assert_eq!(Exit::combine([]), Ok);
        assert_eq!(Exit::combine([Ok, Low]), Low);
        assert_eq!(Exit::combine([Low, RateLimited]), RateLimited);
        assert_eq!(Exit::combine([RateLimited, Network]), Network);
        assert_eq!(Exit::combine([Network, Provider]), Provider);
        assert_eq!(Exit::combine([Provider, NotPrepaid]), NotPrepaid);
        assert_eq!(Exit::combine([NotPrepaid, Auth]), Auth);
        assert_eq!(Exit::combine([Auth, Config]), Config);
        assert_eq!(Exit::combine([Config, Internal, Ok]), Internal);
    }
}

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

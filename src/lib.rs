//! `balance`: how much prepaid credit is left on SMS / CPaaS vendor accounts.
//!
//! The binary is a thin wrapper over [`commands::main`]; everything is here so that
//! tests can reach it.

pub mod alerts;
pub mod check;
pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod fsafe;
pub mod history;
pub mod http;
pub mod kit;
pub mod log;
pub mod money;
pub mod outfile;
pub mod output;
pub mod pipeline;
pub mod providers;
pub mod range;
pub mod redact;
pub mod result;
pub mod sandbox;
pub mod secret;
pub mod text;
pub mod web;

use std::time::Duration;

/// `10s`, `2.5s`, `250 ms`: durations as people write them.
pub fn fmt_duration(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// "Connection refused (os error 111)" → "Connection refused": the number helps no one.
pub fn without_os_error(mut text: String) -> String {
    if let Some(i) = text.find(" (os error") {
        text.truncate(i);
    }
    text
}

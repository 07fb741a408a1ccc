//! The integration tests: one binary (linking the crate once), one module per
//! area, sharing `common` (a private HOME, the real binary, loopback servers).

mod common;
mod watchdog;

mod alerts;
mod basics;
mod commands;
mod conformance;
mod docs;
mod example_config;
mod faults;
mod files;
mod history;
mod hostile_text;
mod http_provider;
mod manual;
mod mistakes;
mod modules;
mod money;
mod monitoring;
mod newcomer;
mod output_file;
mod prepaid_a;
mod prepaid_credit;
mod report;
mod sandbox;
mod secret_sources;
mod secrets;
mod serve;
mod serve_hardening;
mod subaccounts;
mod terminal;
mod vendors;
mod vendors_a;
mod vendors_b;
mod vendors_c;
mod yeastar_cache;

//! `balance demo`: the sandbox in-process, checked through `check`'s plan.

use std::path::Path;
use std::time::Duration;

use super::check::{self, CheckPlan};
use super::use_color;
use crate::cli::{ColorWhen, DemoArgs};
use crate::config;
use crate::error::AppError;
use crate::output::Format;
use crate::output::nagios::Thresholds;
use crate::sandbox;

/// `--json` or `--format`.
pub fn format(args: &DemoArgs) -> Format {
    if args.json {
        Format::Json
    } else {
        args.format.into()
    }
}

pub fn run(args: &DemoArgs, color: ColorWhen) -> Result<u8, AppError> {
    if format(args) == Format::Value {
        return Err(AppError::Usage(
            "the demo checks several profiles; --format value needs exactly one".into(),
        ));
    }
    let running = sandbox::spawn(0, Duration::ZERO, Duration::from_secs(1800)).map_err(|e| {
        anyhow::anyhow!(
            "cannot start the demo sandbox: {}",
            crate::secret::io_reason(&e)
        )
    })?;
    let base = running.base_url();
    let mut profiles = sandbox::healthy_profiles();
    if args.faults {
        profiles.extend(sandbox::fault_profiles());
    }
    let text = sandbox::config(&base, "", &profiles, |s| format!("\"{}\"", s.key()));
    let config = config::parse(&text, Path::new("(demo)"), false)?;
    crate::log::line(format_args!(
        "demo: these accounts are simulated by the built-in sandbox at {base}; no vendor is called"
    ));
    // The demo's Yeastar tokens must not pile up in the user's cache.
    let cache = tempfile::tempdir().map_err(anyhow::Error::from)?;
    let plan = CheckPlan {
        selected: (0..config.profiles.len()).collect(),
        only: Vec::new(),
        totals: false,
        config,
        format: format(args),
        thresholds: Thresholds::default(),
        min: None,
        min_days: None,
        // Simulated accounts have no history worth keeping.
        history: false,
        alerts: false,
        timeout: None,
        retries: None,
        deadline: None,
        output: None,
        color: use_color(color, None),
        cache_dir: Some(cache.path().to_path_buf()),
    };
    let code = check::run(plan);
    drop(running);
    code
}

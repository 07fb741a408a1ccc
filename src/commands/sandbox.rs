//! `balance sandbox`: every vendor's emulator on loopback, until stopped.

use std::time::Duration;

use super::emit;
use crate::cli::SandboxArgs;
use crate::error::{AppError, Exit};
use crate::sandbox;

/// `balance sandbox`: serves until Ctrl-C or SIGTERM.
pub fn run(args: &SandboxArgs) -> Result<u8, AppError> {
    let running = sandbox::spawn(
        args.port,
        Duration::from_millis(args.latency),
        Duration::from_secs(args.token_ttl),
    )
    .map_err(|e| {
        anyhow::anyhow!(
            "cannot listen on 127.0.0.1:{}: {}",
            args.port,
            crate::secret::io_reason(&e)
        )
    })?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)?;
    // Handlers first: a Ctrl-C the moment the URL is printed must still stop cleanly.
    let stop = {
        let _context = runtime.enter();
        stop_signal().map_err(anyhow::Error::from)?
    };
    let base = running.base_url();
    // Scenario keys are not secrets; `echo` keeps the pasted file clear of the
    // chmod 600 rule for literal secrets.
    let snippet = sandbox::config(
        &base,
        &format!(
            "# balance sandbox at {base}: every vendor's balance API, simulated.\n\
             # Save as a file and run: balance --config FILE check\n\
             # Set a credential to another scenario to rehearse a failure (balance sandbox --help).\n"
        ),
        &sandbox::healthy_profiles(),
        |s| format!("{{ command = [\"echo\", \"{}\"] }}", s.key()),
    );
    let keys: Vec<&str> = sandbox::SCENARIOS.iter().map(|s| s.key).collect();
    let snippet = format!("{snippet}\n# Scenarios: {}\n", keys.join(", "));
    emit(snippet.as_bytes())?;
    crate::log::line(format_args!(
        "sandbox listening on {base} (latency {} ms); Ctrl-C stops it",
        args.latency
    ));
    runtime.block_on(stop);
    drop(running);
    crate::log::line(format_args!("sandbox stopped"));
    Ok(Exit::Ok.code())
}

/// Completes on Ctrl-C, or SIGTERM from a service manager. The handlers are
/// installed before this returns.
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

//! What follows a check, the same for `check` and `serve`: record the results
//! (and forecast from the store), decide the alerts the new states call for
//! and keep those states, then (after the caller has published the results)
//! deliver the alerts under one time budget.

use std::collections::HashMap;
use std::time::SystemTime;

use crate::alerts::{self, Delivery};
use crate::config::{AlertTarget, Settings};
use crate::history;
use crate::result::CheckResult;
use crate::secret::SecretEnv;

/// Records `results` (when `record` is set: not for `--no-history` nor the
/// demo), filling in their forecasts, and decides what `targets` are owed.
/// Blocking: the store is a file. A store that cannot be used costs one
/// warning and no forecasts; alerts need it (they compare with the state it
/// kept), so without it they are not sent, which is said once.
pub fn record_and_decide(
    settings: &Settings,
    targets: &[AlertTarget],
    results: &mut [CheckResult],
    record: bool,
) -> Decided {
    let store = if record {
        history::record_run(settings, results)
    } else {
        None
    };
    let last_success = store
        .as_ref()
        .map(|store| last_success(store, results))
        .unwrap_or_default();
    Decided {
        deliveries: decide(store, targets, results),
        last_success,
    }
}

/// What follows a run's recording.
pub struct Decided {
    /// The alerts owed, to deliver once the output is written.
    pub deliveries: Vec<Delivery>,
    /// When each profile that failed now last answered with a balance, as
    /// recorded (before this run): its last-success time survives the failure.
    pub last_success: HashMap<String, SystemTime>,
}

fn last_success(store: &history::Store, results: &[CheckResult]) -> HashMap<String, SystemTime> {
    results
        .iter()
        .filter(|r| r.outcome.is_err())
        .filter_map(|r| {
            let at = store.last_success(&r.profile).ok()??;
            Some((r.profile.clone(), history::system_time(at)))
        })
        .collect()
}

fn decide(
    store: Option<history::Store>,
    targets: &[AlertTarget],
    results: &[CheckResult],
) -> Vec<Delivery> {
    if targets.is_empty() {
        return Vec::new();
    }
    let Some(mut store) = store else {
        crate::log::line(format_args!(
            "warning: alerts not sent: they compare each profile with its last recorded state, \
             and the history store is off or unusable"
        ));
        return Vec::new();
    };
    let previous = match store.alert_states() {
        Ok(states) => states,
        Err(e) => {
            crate::log::line(format_args!("warning: alerts not sent: {e}"));
            return Vec::new();
        }
    };
    let decisions = alerts::decide(targets, &previous, results);
    if let Err(e) = store.keep_alert_states(&decisions.keep) {
        crate::log::line(format_args!("warning: alert states not kept: {e}"));
    }
    decisions.deliveries
}

/// Delivers the alerts decided, all targets at once within `settings`'
/// `alert_timeout`; one warning line per target that failed, naming it
/// (never its URL).
pub async fn deliver(
    settings: &Settings,
    targets: &[AlertTarget],
    env: &SecretEnv,
    deliveries: Vec<Delivery>,
) -> Vec<String> {
    if deliveries.is_empty() {
        return Vec::new();
    }
    alerts::deliver(targets, deliveries, env, settings.alert_timeout)
        .await
        .iter()
        .filter_map(|o| o.warning(targets))
        .collect()
}

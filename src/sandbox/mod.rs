//! `balance sandbox` and `balance demo`: local emulators of every vendor's
//! balance API. The credential picks a scenario, so that users can rehearse a
//! revoked key or a vendor outage, and benchmarks can add latency.
//!
//! Each provider is mounted under its own prefix (`/{provider}/…`), so no
//! vendor's path can shadow another's. Described vendors are answered by the
//! engine from their description and fixtures; code vendors by their own
//! emulator. This module is the server and the routing.

mod server;

pub use crate::kit::emulate::*;
pub use server::{Connections, Running, accept, serve, spawn};

use crate::providers::REGISTRY;

/// Routes a request to the provider its first path segment names.
pub fn answer(request: &Request, state: &State) -> Answer {
    let rest = request.path.strip_prefix('/').unwrap_or(&request.path);
    let (name, path) = rest.split_once('/').map_or((rest, ""), |(n, p)| (n, p));
    match REGISTRY.iter().find(|p| p.name == name) {
        Some(spec) => {
            let inner = Request {
                method: request.method.clone(),
                path: format!("/{path}"),
                query: request.query.clone(),
                headers: request.headers.clone(),
                body: request.body.clone(),
            };
            spec.answer(&inner, state)
        }
        None => not_here(request),
    }
}

/// Where a provider's emulator is mounted in a sandbox at `base_url`.
pub fn mount(base_url: &str, provider: &str) -> String {
    format!("{base_url}/{provider}")
}

/// The config a sandbox at `base_url` is checked with: `[settings]` (if any), then
/// one profile per provider (per API generation) for each scenario.
pub fn config(
    base_url: &str,
    settings: &str,
    profiles: &[(Scenario, &str, Option<&str>)],
    secret: impl Fn(Scenario) -> String,
) -> String {
    let mut out = String::from(settings);
    for (scenario, provider, extra) in profiles {
        let spec = crate::providers::find(provider).expect("sandbox profiles name providers");
        let mut variants =
            spec.sandbox_profiles(&mount(base_url, provider), *scenario, &secret(*scenario));
        // Every API generation works when healthy; one profile shows each fault.
        if *scenario != Scenario::Healthy {
            variants.truncate(1);
        }
        for (suffix, keys) in variants {
            let name = match scenario {
                Scenario::Healthy => format!("{provider}{suffix}"),
                s => format!("{provider}{suffix}-{}", s.key()),
            };
            out.push_str(&format!(
                "\n[profiles.{name}]\nprovider = \"{provider}\"\n{keys}min_balance = 10\n"
            ));
            if let Some(extra) = extra {
                out.push_str(extra);
                out.push('\n');
            }
        }
    }
    out
}

/// Healthy profiles of every provider: what `sandbox` prints and `demo` checks.
pub fn healthy_profiles() -> Vec<(Scenario, &'static str, Option<&'static str>)> {
    REGISTRY
        .iter()
        .map(|p| (Scenario::Healthy, p.name, None))
        .collect()
}

/// One profile per failure scenario, spread over the vendors, for `demo --faults`.
pub fn fault_profiles() -> Vec<(Scenario, &'static str, Option<&'static str>)> {
    vec![
        (Scenario::Low, "frontier", None),
        (Scenario::BadCredentials, "infobip", None),
        (Scenario::NotPrepaid, "8x8", None),
        (Scenario::RateLimitedOnce, "8x8", None),
        (Scenario::RateLimited, "infobip", None),
        (Scenario::ServerError, "yeastar", None),
        (Scenario::MalformedBody, "engagelab", None),
        // A demo should not sit out the default 10 s timeout three times.
        (Scenario::Slow, "engagelab", Some("timeout = 0.5")),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn every_scenario_has_one_key() {
        for (i, s) in SCENARIOS.iter().enumerate() {
            assert_eq!(Scenario::from_key(s.key), Some(s.scenario));
            assert!(SCENARIOS[i + 1..].iter().all(|t| t.scenario != s.scenario));
        }
        assert_eq!(Scenario::from_key("sk_live_123"), None);
    }

    #[test]
    fn fault_profiles_cover_every_failure_once() {
        let faults = fault_profiles();
        for s in SCENARIOS.iter().filter(|s| s.scenario != Scenario::Healthy) {
            assert_eq!(
                faults.iter().filter(|(f, _, _)| *f == s.scenario).count(),
                1,
                "{}",
                s.key
            );
        }
        for (_, provider, _) in faults {
            assert!(crate::providers::find(provider).is_some(), "{provider}");
        }
    }

    #[test]
    fn tokens_expire() {
        let state = State::new(Duration::ZERO);
        let (access, refresh) = state.issue_token(Scenario::Low);
        assert_eq!(state.token(&access), None);
        assert_eq!(state.take_refresh_token(&refresh), Some(Scenario::Low));
        assert_eq!(state.take_refresh_token(&refresh), None);
        let state = State::new(Duration::from_secs(60));
        let id = uuid();
        assert!(
            id.len() == 36 && id.split('-').map(str::len).eq([8, 4, 4, 4, 12]),
            "{id}"
        );
        let (access, _) = state.issue_token(Scenario::Low);
        assert_eq!(state.token(&access), Some(Scenario::Low));
    }
}

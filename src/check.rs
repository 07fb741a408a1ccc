//! Checking profiles: concurrently, through one HTTP client, into data that the
//! renderers turn into output. Nothing here prints.

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use futures_util::StreamExt;
use rust_decimal::Decimal;

use crate::config::{ProfileEntry, Settings, Thresholds};
use crate::debug;
use crate::error::CheckError;
use crate::http::{Http, Pool};
use crate::kit::{Balance, Ctx};
use crate::result::CheckResult;
use crate::secret::SecretEnv;
use crate::text;

/// Overrides from the command line.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub min: Option<Decimal>,
    pub min_days: Option<f64>,
    pub timeout: Option<Duration>,
}

/// Scheme, host and port of a profile's requests; `None` when it sends none.
fn host_key(entry: &ProfileEntry) -> Option<(String, String, Option<u16>)> {
    let url = entry.profile.as_ref().ok()?.adapter.base_url();
    Some((
        url.scheme().to_owned(),
        url.host_str()?.to_owned(),
        url.port_or_known_default(),
    ))
}

pub struct Runner<'a> {
    pub http: &'a Http,
    pub settings: &'a Settings,
    pub secret_env: &'a SecretEnv,
    pub cache_dir: Option<PathBuf>,
    pub overrides: Overrides,
}

impl Runner<'_> {
    /// Checks `entries` at most `concurrency` at a time; results come back in the
    /// order of `entries`, whichever finished first.
    ///
    /// Profiles on one host are scheduled together and share a connection pool,
    /// which is dropped (its idle connections closed) when the last of them is
    /// done: open sockets stay near `concurrency` however many hosts there are.
    pub async fn run(&self, entries: &[&ProfileEntry]) -> Vec<CheckResult> {
        let (results, _) = self.run_until(entries, std::future::pending::<()>()).await;
        flatten(results, |_| None)
    }

    /// `run`, cut short when `stop` completes first (a deadline, a signal): each
    /// entry's result if it finished by then, and what `stop` gave if it did.
    /// The unfinished checks are dropped, which cancels their requests and kills
    /// their secret commands.
    pub async fn run_until<S: std::future::Future>(
        &self,
        entries: &[&ProfileEntry],
        stop: S,
    ) -> (Vec<Option<Vec<CheckResult>>>, Option<S::Output>) {
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut by_host: std::collections::HashMap<_, usize> = std::collections::HashMap::new();
        for (i, entry) in entries.iter().enumerate() {
            match host_key(entry) {
                Some(key) => match by_host.entry(key) {
                    std::collections::hash_map::Entry::Occupied(group) => {
                        groups[*group.get()].push(i);
                    }
                    std::collections::hash_map::Entry::Vacant(slot) => {
                        slot.insert(groups.len());
                        groups.push(vec![i]);
                    }
                },
                None => groups.push(vec![i]),
            }
        }
        // Each queued profile holds its group's pool; the last one to finish drops it.
        let queue: Vec<(usize, std::sync::Arc<Pool<'_>>)> = groups
            .into_iter()
            .flat_map(|group| {
                let pool =
                    std::sync::Arc::new(self.http.pool_for(group.len(), self.settings.concurrency));
                group.into_iter().map(move |i| (i, pool.clone()))
            })
            .collect();
        let mut checks = futures_util::stream::iter(queue)
            .map(|(i, pool)| async move {
                pool.start();
                let entry = entries[i];
                (
                    i,
                    crate::log::for_profile(&entry.name, self.check(entry, &pool)).await,
                )
            })
            .buffer_unordered(self.settings.concurrency);
        let mut results: Vec<Option<Vec<CheckResult>>> = entries.iter().map(|_| None).collect();
        let mut stop = std::pin::pin!(stop);
        loop {
            tokio::select! {
                // A result that is ready wins over a stop that is too.
                biased;
                next = checks.next() => match next {
                    Some((i, result)) => results[i] = Some(result),
                    None => return (results, None),
                },
                stopped = &mut stop => return (results, Some(stopped)),
            }
        }
    }

    /// One profile's results: its own balance, then one per subaccount or
    /// per entry of an answer that holds several, named `profile/label`.
    /// A failed fetch is one error result, named by the profile.
    async fn check(&self, entry: &ProfileEntry, pool: &Pool<'_>) -> Vec<CheckResult> {
        let started = Instant::now();
        let checked_at = SystemTime::now();
        // Names are the user's own words, never secrets: gated, not scrubbed
        // (a sandbox key such as `healthy` would otherwise blank out names).
        let name = text::line(&entry.name);
        let result = |name: String, thresholds: Thresholds, outcome| CheckResult {
            profile: name,
            provider: text::line(&entry.provider),
            min_balance: self.overrides.min.or(thresholds.min_balance),
            outcome: finalize(outcome),
            checked_at,
            duration: started.elapsed(),
            min_days: self.overrides.min_days.or(thresholds.min_days),
            // Filled in from the history once the run's results are in.
            forecast: None,
        };
        let profile = match &entry.profile {
            Err(message) => {
                let outcome = Err(CheckError::config(message.clone()));
                return vec![result(name, Thresholds::default(), outcome)];
            }
            Ok(profile) => profile,
        };
        let timeout = self
            .overrides
            .timeout
            .or(profile.timeout)
            .unwrap_or(self.settings.timeout);
        let ctx = Ctx::new(pool, timeout, self.cache_dir.as_deref(), self.secret_env);
        debug!(1, "checking ({})", profile.provider.name);
        let with_currency = |mut balance: Balance| {
            if balance.currency.is_none() {
                balance.currency = profile.currency.clone();
            }
            balance
        };
        let fetched = match profile
            .adapter
            .fetch_all(&ctx, profile.subaccounts.as_ref())
            .await
        {
            Ok(fetched) => fetched,
            Err(e) => return vec![result(name, profile.thresholds(None), Err(e))],
        };
        // Exactly as many as there are: a Vec grown by push keeps room for
        // four, 1 KiB per profile held until the run ends.
        let mut results =
            Vec::with_capacity(usize::from(fetched.own.is_some()) + fetched.each.len());
        if let Some(own) = fetched.own {
            results.push(result(
                name.clone(),
                profile.thresholds(None),
                Ok(with_currency(own)),
            ));
        }
        let labels: Vec<String> = fetched.each.iter().map(|l| label(&l.label)).collect();
        for (item, mut shown) in fetched.each.into_iter().zip(labels.iter().cloned()) {
            // Two subaccounts of one name are told apart by their ids.
            if labels.iter().filter(|l| **l == shown).count() > 1 {
                shown = label(&item.id);
            }
            results.push(result(
                format!("{name}/{shown}"),
                profile.thresholds(Some(&item.id)),
                item.outcome.map(with_currency),
            ));
        }
        results
    }
}

/// Each profile's results in order, into one vector sized once (collecting a
/// flattened iterator doubles its way up: twice the results at the peak);
/// `missing` stands in for a profile that has none.
pub fn flatten(
    results: Vec<Option<Vec<CheckResult>>>,
    mut missing: impl FnMut(usize) -> Option<CheckResult>,
) -> Vec<CheckResult> {
    let total = results.iter().map(|r| r.as_ref().map_or(1, Vec::len)).sum();
    let mut out = Vec::with_capacity(total);
    for (i, r) in results.into_iter().enumerate() {
        match r {
            Some(r) => out.extend(r),
            None => out.extend(missing(i)),
        }
    }
    out
}

/// A vendor's name for one of a profile's balances, fit to name a result:
/// made safe as the rest of its text is, and never empty.
fn label(text: &str) -> String {
    let clean = text::clean(text, 64);
    if clean.trim().is_empty() {
        "?".to_owned()
    } else {
        clean
    }
}

/// The one place a result's outside text is made safe, so that every renderer
/// only ever sees clean text: secrets removed from the whole text first, then
/// control characters and length (`text::clean`).
fn finalize(outcome: Result<Balance, CheckError>) -> Result<Balance, CheckError> {
    let clean = |t: &str| text::clean(t, text::LINE_CHARS);
    match outcome {
        Ok(mut balance) => {
            balance.currency = balance
                .currency
                .map(|c| clean(&c))
                .filter(|c| !c.is_empty());
            Ok(balance)
        }
        Err(mut e) => {
            e.message = clean(&e.message);
            e.provider_code = e.provider_code.map(|c| clean(&c)).filter(|c| !c.is_empty());
            Err(e)
        }
    }
}

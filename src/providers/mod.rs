//! The supported providers. Each vendor lives in its own folder: a
//! `ProviderSpec` (its keys and a description for the engine, or code on the
//! kit) and `fixtures/`, its documented answers. Adding one is that folder plus
//! a line in `REGISTRY`; the conformance suite covers it by existing.

use crate::kit::provider::ProviderSpec;

mod africastalking;
mod brevo;
mod bulkgate;
mod bulksms;
mod clickatell;
mod clicksend;
mod d7;
mod deepseek;
mod eight_by_eight;
mod elks46;
mod engagelab;
mod frontier;
mod gupshup;
mod http;
mod infobip;
mod messagebird;
mod moonshot;
mod openrouter;
mod plivo;
mod seven;
mod smsapi;
mod smsportal;
mod smsto;
mod telnyx;
mod textbelt;
mod textlocal;
mod textmagic;
mod twilio;
mod vonage;
mod yeastar;

/// Every supported provider, in the order `balance providers` lists them.
pub static REGISTRY: &[&ProviderSpec] = &[
    &eight_by_eight::SPEC,
    &infobip::SPEC,
    &yeastar::SPEC,
    &frontier::SPEC,
    &engagelab::SPEC,
    &twilio::SPEC,
    &vonage::SPEC,
    &plivo::SPEC,
    &telnyx::SPEC,
    &messagebird::SPEC,
    &clicksend::SPEC,
    &textmagic::SPEC,
    &bulksms::SPEC,
    &africastalking::SPEC,
    &seven::SPEC,
    &smsapi::SPEC,
    &clickatell::SPEC,
    &brevo::SPEC,
    &elks46::SPEC,
    &textlocal::SPEC,
    &smsto::SPEC,
    &d7::SPEC,
    &textbelt::SPEC,
    &bulkgate::SPEC,
    &smsportal::SPEC,
    &gupshup::SPEC,
    &deepseek::SPEC,
    &openrouter::SPEC,
    &moonshot::SPEC,
    &http::SPEC,
];

pub fn find(name: &str) -> Option<&'static ProviderSpec> {
    REGISTRY.iter().copied().find(|p| p.name == name)
}

pub fn names() -> String {
    REGISTRY
        .iter()
        .map(|p| p.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Providers whose subaccounts' balances `subaccounts = …` can check.
pub fn with_subaccounts() -> Vec<&'static str> {
    REGISTRY
        .iter()
        .filter(|p| {
            matches!(
                p.subaccounts(),
                Some(crate::kit::engine::Subaccounts::Listed { .. })
            )
        })
        .map(|p| p.name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kit::fixture::Fixture;

    #[test]
    fn registry_names_are_unique_and_keys_known() {
        for (i, p) in REGISTRY.iter().enumerate() {
            assert!(REGISTRY[i + 1..].iter().all(|q| q.name != p.name));
            assert!(p.keys.iter().all(|k| k.name != "provider"));
        }
    }

    /// Each key's local check accepts its example and its listed good values,
    /// and refuses the bad ones.
    #[test]
    fn key_checks_accept_and_refuse_their_cases() {
        for p in REGISTRY {
            for k in p.keys {
                let Some(check) = k.check else { continue };
                for ok in std::iter::once(&k.example).chain(k.accepts) {
                    assert!(
                        check(ok).is_ok(),
                        "{} `{}` should accept {ok:?}",
                        p.name,
                        k.name
                    );
                }
                for bad in k.rejects {
                    assert!(
                        check(bad).is_err(),
                        "{} `{}` should refuse {bad:?}",
                        p.name,
                        k.name
                    );
                }
            }
        }
    }

    /// A form credential is a POST body: on a GET it would ride on a body
    /// servers ignore, or need a JSON body beside it.
    #[test]
    fn form_credentials_ride_on_form_posts() {
        use crate::kit::engine::{Auth, Method};
        use crate::kit::provider::Build;
        for p in REGISTRY {
            let Build::Described(describe) = p.build else {
                continue;
            };
            let d = describe();
            if d.auth.iter().any(|a| matches!(a, Auth::Form { .. })) {
                assert!(
                    d.method == Method::Post && d.body.is_none(),
                    "{}: a form credential needs Description::post_form",
                    p.name
                );
            }
        }
    }

    /// Every fixture file parses, and every vendor documents at least a
    /// balance and a rejected credential.
    #[test]
    fn every_vendor_brings_its_fixtures() {
        for p in REGISTRY {
            for (name, text) in p.fixtures {
                Fixture::parse(name, text).unwrap_or_else(|e| panic!("{}: {e}", p.name));
            }
            let fixtures = p.fixtures();
            for word in ["balance", "auth"] {
                assert!(
                    fixtures.iter().any(|f| f.kind_word() == word),
                    "{} has no `{word}` fixture",
                    p.name
                );
            }
        }
    }
}

/// Each described vendor's fixtures, read by its own description, give what
/// their `# expect:` line says: the engine and the vendor's facts agree before
/// any binary runs (the conformance suite then checks the same through it).
#[cfg(test)]
pub(crate) mod fixtures_read_as_expected {
    use super::REGISTRY;
    use crate::kit::fixture::Expect;
    use crate::kit::provider::Build;

    fn reply(f: &crate::kit::fixture::Fixture) -> crate::http::Reply {
        let mut headers = reqwest::header::HeaderMap::new();
        for (k, v) in &f.headers {
            headers.insert(
                reqwest::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                reqwest::header::HeaderValue::from_str(v).unwrap(),
            );
        }
        crate::http::Reply {
            status: reqwest::StatusCode::from_u16(f.status).unwrap(),
            headers,
            body: f.body.as_bytes().to_vec(),
        }
    }

    /// `fixtures` read by `d` give what they expect.
    pub(crate) fn check(
        vendor: &str,
        d: &crate::kit::engine::Description,
        fixtures: &[crate::kit::fixture::Fixture],
    ) {
        for f in fixtures {
            // The profile's own balance, else (one per entry) the first.
            let got = d
                .interpret_all(&reply(f))
                .and_then(|(own, each)| match (own, each.into_iter().next()) {
                    (Some(own), _) => Ok(own),
                    (None, Some(first)) => first.outcome,
                    (None, None) => panic!("{vendor} {}: no balance at all", f.name),
                })
                .map(|mut b| {
                    // What the adapter reports for a profile without `currency`.
                    b.currency = b.currency.or_else(|| d.default_currency_for(|_| None));
                    b
                });
            let what = format!("{vendor} {}", f.name);
            match (&f.expect, got) {
                (want @ Expect::Balance { currency, .. }, Ok(b)) => {
                    assert_eq!(&b.currency, currency, "{what}");
                    if let Some(why) = want.balance_mismatch(&b) {
                        panic!("{what}: expected {want:?}, {why}");
                    }
                }
                (Expect::Error { kind, code }, Err(e)) => {
                    assert_eq!(e.kind, *kind, "{what}: {}", e.message);
                    assert_eq!(&e.provider_code, code, "{what}: {}", e.message);
                    assert_eq!(e.http_status, Some(f.status), "{what}");
                }
                (want, got) => panic!("{what}: expected {want:?}, got {got:?}"),
            }
        }
    }

    /// Any answer, read by any described vendor (with and without a profile
    /// `currency` to pick an entry by), is a balance or a one-line error.
    #[test]
    fn every_description_handles_any_answer() {
        for p in REGISTRY {
            if let Build::Described(describe) = p.build {
                let d = describe();
                for wanted in [None, Some("USD")] {
                    crate::kit::check_any_answer(|r| d.interpret_for(r, wanted));
                }
            }
        }
    }

    #[test]
    fn every_described_fixture() {
        for p in REGISTRY {
            if let Build::Described(describe) = p.build {
                let d = describe();
                check(p.name, &d, &p.fixtures());
                if let Some(crate::kit::engine::Subaccounts::Listed { description, .. }) =
                    &d.subaccounts
                {
                    check(p.name, description, &p.subaccount_fixtures());
                }
            }
        }
    }
}

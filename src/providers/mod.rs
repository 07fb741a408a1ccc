//! The supported providers. Each vendor lives in its own folder: a
//! `ProviderSpec` (its keys and a description for the engine, or code on the
//! kit) and `fixtures/`, its documented answers. Adding one is that folder plus
//! a line in `REGISTRY`; the conformance suite covers it by existing.

use crate::kit::provider::ProviderSpec;

mod eight_by_eight;
mod engagelab;
mod frontier;
mod http;
mod infobip;
mod yeastar;

/// Every supported provider, in the order `balance providers` lists them.
pub static REGISTRY: &[&ProviderSpec] = &[
    &eight_by_eight::SPEC,
    &infobip::SPEC,
    &yeastar::SPEC,
    &frontier::SPEC,
    &engagelab::SPEC,
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

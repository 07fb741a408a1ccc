//! What a vendor folder declares: its name, its keys, where its API lives and
//! how it is checked, either as a description for the engine or as code.

use std::sync::{Arc, Mutex, PoisonError};

use url::Url;

use super::Adapter;
use super::described::Described;
use super::emulate::{self, Emulator, Request, Scenario, State};
use super::engine::{Description, Subaccounts};
use super::fixture::{self, Fixture};
use super::keys::{KeySpec, Rule, Values};

/// Where a provider's API lives when the profile has no `base_url`.
#[derive(Debug, Clone, Copy)]
pub enum BaseUrl {
    Default(&'static str),
    /// Self-hosted: no default.
    Required,
    /// The whole endpoint is this key's value (the `http` provider's `url`),
    /// under `base_url`'s rules.
    Key(&'static str),
    /// Picked by a key's value (8x8's and SMSAPI's `region`, Africa's
    /// Talking's `username = "sandbox"`); else `default`.
    ByKey {
        key: &'static str,
        urls: &'static [(&'static str, &'static str)],
        default: Option<&'static str>,
    },
}

/// How a provider's adapter is made.
#[derive(Clone, Copy)]
pub enum Build {
    /// A description the engine runs, and its emulator answers from.
    Described(fn() -> Description),
    /// Code on the kit, with an emulator of its own.
    Code {
        build: fn(Values, Url) -> Result<Box<dyn Adapter>, String>,
        emulator: &'static dyn Emulator,
    },
}

/// One supported provider: a vendor folder's whole declaration.
pub struct ProviderSpec {
    pub name: &'static str,
    /// Other names the vendor is or was known by (Nexmo for Vonage), so that a
    /// config written with one is answered with `name`.
    pub aliases: &'static [&'static str],
    pub about: &'static str,
    /// Its own keys; `base_url` appears here only to say something of its own.
    pub keys: &'static [KeySpec],
    pub rules: &'static [Rule],
    pub base_url: BaseUrl,
    pub build: Build,
    /// Its documented answers (`fixtures!("folder")`).
    pub fixtures: &'static [(&'static str, &'static str)],
}

impl std::fmt::Debug for ProviderSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// One row of `balance providers`: a key, what it takes, its tags.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KeyRow {
    pub name: &'static str,
    pub required: bool,
    pub secret: bool,
    /// The words it accepts, for a choice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choices: Option<&'static [&'static str]>,
    pub help: String,
}

impl ProviderSpec {
    /// Its keys as `balance providers` and the README show them: its own, then
    /// `base_url` with what it defaults to here.
    pub fn key_rows(&self) -> Vec<KeyRow> {
        let mut rows: Vec<KeyRow> = self
            .keys
            .iter()
            .map(|k| KeyRow {
                name: k.name,
                required: k.required,
                secret: k.is_secret(),
                choices: match k.kind {
                    super::keys::KeyKind::Choice(c) => Some(c),
                    _ => None,
                },
                help: k.help.to_owned(),
            })
            .collect();
        let base = match self.base_url {
            BaseUrl::Default(url) => Some((false, format!("API base URL (default {url})"))),
            BaseUrl::Required => Some((true, "your server's URL (self-hosted: no default)".into())),
            BaseUrl::ByKey { key, default, .. } => Some((
                false,
                match default {
                    Some(url) => format!("API base URL (default from `{key}`; else {url})"),
                    None => format!("API base URL (default from `{key}`)"),
                },
            )),
            BaseUrl::Key(_) => None,
        };
        if let Some((required, help)) = base {
            rows.push(KeyRow {
                name: "base_url",
                required,
                secret: false,
                choices: None,
                help,
            });
        }
        rows
    }

    /// How its keys combine, in words.
    pub fn rule_texts(&self) -> Vec<String> {
        self.rules.iter().map(super::keys::Rule::describe).collect()
    }

    /// The adapter for a profile: keys already read and checked, `base_url` the
    /// profile's own if it set one.
    pub fn adapter(
        &self,
        values: Values,
        base_url: Option<Url>,
    ) -> Result<Box<dyn Adapter>, String> {
        let own_base = base_url.clone();
        let base_url = match (base_url, self.base_url) {
            (Some(_), BaseUrl::Key(key)) => {
                return Err(format!(
                    "`base_url` is not used by {}; `{key}` is the whole endpoint URL",
                    self.name
                ));
            }
            (Some(url), _) => url,
            (None, BaseUrl::Key(key)) => {
                let text = values
                    .text(key)
                    .ok_or_else(|| format!("`{key}` is required"))?;
                super::parse_base_url(text).map_err(|m| format!("`{key}` {m}"))?
            }
            (None, BaseUrl::Default(url)) => known_url(url),
            (None, BaseUrl::Required) => {
                return Err(format!(
                    "`base_url` is required: {} is self-hosted",
                    self.name
                ));
            }
            (None, BaseUrl::ByKey { key, urls, default }) => {
                let picked = values
                    .text(key)
                    .and_then(|v| urls.iter().find(|(k, _)| *k == v).map(|(_, u)| *u));
                match picked.or(default) {
                    Some(url) => known_url(url),
                    None => return Err(format!("set `{key}` or `base_url`")),
                }
            }
        };
        Ok(match self.build {
            Build::Described(describe) => {
                let description = self.description(describe);
                // The profile's `base_url` serves both endpoints (a proxy, the
                // sandbox); else the list's own host.
                let subaccounts_url = match &description.subaccounts {
                    Some(Subaccounts::Listed { base_url, .. }) => {
                        Some(own_base.unwrap_or_else(|| known_url(base_url)))
                    }
                    _ => None,
                };
                Box::new(Described {
                    description,
                    base_url,
                    subaccounts_url,
                    values,
                })
            }
            Build::Code { build, .. } => build(values, base_url)?,
        })
    }

    /// What it offers for `subaccounts = …`, if anything.
    pub fn subaccounts(&self) -> Option<Subaccounts> {
        match self.build {
            Build::Described(describe) => self.description(describe).subaccounts.clone(),
            Build::Code { .. } => None,
        }
    }

    /// Whether its answer holds one balance per entry (DeepSeek's
    /// currencies), each a result unless the profile picks one.
    pub fn splits(&self) -> bool {
        match self.build {
            Build::Described(describe) => self.description(describe).entry.is_some(),
            Build::Code { .. } => false,
        }
    }

    /// The provider's description, made once and shared by all its profiles:
    /// it is the same for each (it depends on nothing but the provider), and a
    /// copy per profile was about 2 KiB, most of the memory of a 5,000-profile run.
    fn description(&self, describe: fn() -> Description) -> Arc<Description> {
        static MADE: Mutex<Vec<(&str, Arc<Description>)>> = Mutex::new(Vec::new());
        let mut made = MADE.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, d)) = made.iter().find(|(name, _)| *name == self.name) {
            return d.clone();
        }
        let d = Arc::new(describe());
        made.push((self.name, d.clone()));
        d
    }

    /// Its balance endpoint's documented answers.
    pub fn fixtures(&self) -> Vec<Fixture> {
        let mut all = fixture::parse_all(self.fixtures);
        all.retain(|f| f.endpoint.is_none());
        all
    }

    /// Its subaccount list's documented answers (`subaccounts.*.http`).
    pub fn subaccount_fixtures(&self) -> Vec<Fixture> {
        let mut all = fixture::parse_all(self.fixtures);
        all.retain(|f| f.endpoint.is_some());
        all
    }

    /// Answers a sandbox request (the `/{name}` prefix removed).
    pub fn answer(&self, request: &Request, state: &State) -> emulate::Answer {
        match self.build {
            Build::Described(describe) => {
                let description = self.description(describe);
                if let Some(Subaccounts::Listed {
                    description: list, ..
                }) = &description.subaccounts
                {
                    let fixtures = self.subaccount_fixtures();
                    let list = emulate::Described {
                        provider: self.name,
                        description: list,
                        fixtures: &fixtures,
                    };
                    if list.serves(request) {
                        return list.answer(request, state);
                    }
                }
                let fixtures = self.fixtures();
                emulate::Described {
                    provider: self.name,
                    description: &description,
                    fixtures: &fixtures,
                }
                .answer(request, state)
            }
            Build::Code { emulator, .. } => emulator
                .answer(request, state)
                .unwrap_or_else(|| emulate::not_here(request)),
        }
    }

    /// Config profiles (name suffix, TOML keys after `provider`) for a
    /// scenario, one per API generation; `secret` is the credential's TOML value.
    pub fn sandbox_profiles(
        &self,
        base_url: &str,
        scenario: Scenario,
        secret: &str,
    ) -> Vec<(String, String)> {
        match self.build {
            Build::Described(describe) => {
                let description = self.description(describe);
                let fixtures = self.fixtures();
                vec![(
                    String::new(),
                    emulate::Described {
                        provider: self.name,
                        description: &description,
                        fixtures: &fixtures,
                    }
                    .profile(base_url, self.keys, secret),
                )]
            }
            Build::Code { emulator, .. } => emulator.profiles(base_url, scenario, secret),
        }
    }
}

fn known_url(text: &str) -> Url {
    Url::parse(text).expect("built-in URLs are valid")
}

#[cfg(test)]
mod tests {
    /// Every profile of a vendor reads its answers through one description.
    #[test]
    fn profiles_of_a_vendor_share_its_description() {
        let spec = crate::providers::find("infobip").expect("infobip");
        let super::Build::Described(describe) = spec.build else {
            panic!("infobip is described");
        };
        let (a, b) = (spec.description(describe), spec.description(describe));
        assert!(std::sync::Arc::ptr_eq(&a, &b));
    }
}

//! A provider's config keys, described once: the key list, which are required
//! or secret, the checks on their values and how they combine. `balance
//! providers`, the README table and the unknown-key check all read this.

use std::path::Path;

use crate::secret::SecretSource;

/// What a key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// A non-empty string, trimmed.
    Text,
    /// A secret in any of the four forms (SPEC §3).
    Secret,
    /// One of these words.
    Choice(&'static [&'static str]),
    /// Any TOML value, read by the provider itself (the `http` provider's tables).
    Toml,
}

/// A local check of a key's value; the error completes "`key` `value` …".
pub type Check = fn(&str) -> Result<(), String>;

/// One config key of a provider.
#[derive(Debug, Clone, Copy)]
pub struct KeySpec {
    pub name: &'static str,
    pub kind: KeyKind,
    pub required: bool,
    pub help: &'static str,
    /// A local check of the value (an id's format, say); the error says why.
    pub check: Option<Check>,
    /// A value that passes the checks, for the sandbox's profiles and docs.
    pub example: &'static str,
    /// More values the check must accept, and values it must refuse: the
    /// registry's tests run them, so a vendor's id rules are data, not tests.
    pub accepts: &'static [&'static str],
    pub rejects: &'static [&'static str],
}

impl KeySpec {
    pub const fn text(name: &'static str, help: &'static str) -> Self {
        KeySpec {
            name,
            kind: KeyKind::Text,
            required: false,
            help,
            check: None,
            example: "example",
            accepts: &[],
            rejects: &[],
        }
    }

    pub const fn secret(name: &'static str, help: &'static str) -> Self {
        KeySpec {
            kind: KeyKind::Secret,
            ..KeySpec::text(name, help)
        }
    }

    pub const fn toml(name: &'static str, help: &'static str) -> Self {
        KeySpec {
            kind: KeyKind::Toml,
            ..KeySpec::text(name, help)
        }
    }

    pub const fn choice(
        name: &'static str,
        choices: &'static [&'static str],
        help: &'static str,
    ) -> Self {
        KeySpec {
            kind: KeyKind::Choice(choices),
            example: choices[0],
            ..KeySpec::text(name, help)
        }
    }

    pub const fn required(self) -> Self {
        KeySpec {
            required: true,
            ..self
        }
    }

    pub const fn check(self, check: Check, example: &'static str) -> Self {
        KeySpec {
            check: Some(check),
            example,
            ..self
        }
    }

    /// Values the check must accept (`ok`) and refuse (`bad`), tested for every provider.
    pub const fn cases(self, ok: &'static [&'static str], bad: &'static [&'static str]) -> Self {
        KeySpec {
            accepts: ok,
            rejects: bad,
            ..self
        }
    }

    pub const fn example(self, example: &'static str) -> Self {
        KeySpec { example, ..self }
    }

    pub fn is_secret(&self) -> bool {
        self.kind == KeyKind::Secret
    }
}

/// How keys combine, beyond each one's own rules.
#[derive(Debug, Clone, Copy)]
pub enum Rule {
    /// Exactly one of these groups is set; a group's keys go together.
    OneOf(&'static [&'static [&'static str]]),
    /// At most one of these keys.
    NotBoth(&'static str, &'static str),
    /// At least one of these keys (when no default can stand in).
    AnyOf(&'static [&'static str]),
    /// `key` is required when `when` is `value` (or unset and `value` is its
    /// default), and refused otherwise.
    OnlyWhen {
        key: &'static str,
        when: &'static str,
        value: &'static str,
        default: &'static str,
    },
}

impl Rule {
    /// The rule in words, for `balance providers` and the README.
    pub fn describe(&self) -> String {
        let list = |keys: &[&str]| {
            keys.iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(" + ")
        };
        match *self {
            Rule::OneOf(groups) => format!(
                "exactly one of: {}",
                groups
                    .iter()
                    .map(|g| list(g))
                    .collect::<Vec<_>>()
                    .join(", or ")
            ),
            Rule::NotBoth(a, b) => format!("`{a}` or `{b}`, not both"),
            Rule::AnyOf(keys) => format!(
                "at least one of {}",
                keys.iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Rule::OnlyWhen {
                key, when, value, ..
            } => {
                format!("`{key}` is required with {when} = \"{value}\", and only then")
            }
        }
    }
}

/// A key's value as read from the profile.
#[derive(Debug, Clone)]
pub enum Value {
    Text(String),
    Secret(SecretSource),
    Toml(toml::Value),
}

/// The keys a profile set, checked against the provider's description.
#[derive(Debug, Clone, Default)]
pub struct Values {
    values: Vec<(String, Value)>,
    /// Where relative secret file paths start: the config file's directory.
    base_dir: std::path::PathBuf,
}

impl Values {
    pub fn text(&self, key: &str) -> Option<&str> {
        self.values.iter().find_map(|(k, v)| match v {
            Value::Text(t) if *k == key => Some(t.as_str()),
            _ => None,
        })
    }

    pub fn secret(&self, key: &str) -> Option<&SecretSource> {
        self.values.iter().find_map(|(k, v)| match v {
            Value::Secret(s) if *k == key => Some(s),
            _ => None,
        })
    }

    pub fn toml(&self, key: &str) -> Option<&toml::Value> {
        self.values.iter().find_map(|(k, v)| match v {
            Value::Toml(t) if *k == key => Some(t),
            _ => None,
        })
    }

    pub fn base_dir(&self) -> &Path {
        &self.base_dir
    }

    pub fn has(&self, key: &str) -> bool {
        self.values.iter().any(|(k, _)| *k == key)
    }

    /// Every secret key set, with its source: `balance profiles` describes them,
    /// `balance config check` resolves them without calling the vendor.
    pub fn secrets(&self) -> Vec<(String, SecretSource)> {
        self.values
            .iter()
            .filter_map(|(k, v)| match v {
                Value::Secret(s) => Some((k.clone(), s.clone())),
                Value::Text(_) | Value::Toml(_) => None,
            })
            .collect::<Vec<_>>()
            .into_boxed_slice()
            .into_vec()
    }

    pub fn insert(&mut self, key: &str, value: Value) {
        self.values.retain(|(k, _)| k != key);
        self.values.push((key.to_owned(), value));
    }
}

/// Where a profile's keys are read: what the messages and rules need to know.
pub struct Context<'a> {
    /// Keys every profile takes (they are read by the caller).
    pub common: &'a [&'a str],
    /// Those of them this profile set.
    pub common_set: &'a [&'a str],
    /// Names the profile in messages: "in profile `sg`".
    pub who: &'a str,
    /// Where relative secret file paths start.
    pub base_dir: &'a Path,
}

/// Reads `table` (the profile minus its common keys) against `specs` and
/// `rules`. Every unknown key is reported at once, with a suggestion for each.
pub fn read(
    specs: &[KeySpec],
    rules: &[Rule],
    table: &toml::Table,
    cx: &Context<'_>,
) -> Result<Values, String> {
    let (common, base_dir) = (cx.common, cx.base_dir);
    let known: Vec<&str> = specs
        .iter()
        .map(|s| s.name)
        .chain(common.iter().copied())
        .collect();
    let unknown: Vec<&String> = table
        .keys()
        .filter(|k| !specs.iter().any(|s| s.name == k.as_str()))
        .collect();
    if !unknown.is_empty() {
        let names: Vec<String> = unknown.iter().map(|k| format!("`{k}`")).collect();
        let hints: Vec<String> = unknown
            .iter()
            .filter_map(|k| {
                let near = suggest(k, known.iter().copied())?;
                Some(if unknown.len() == 1 {
                    format!("`{near}`")
                } else {
                    format!("`{near}` for `{k}`")
                })
            })
            .collect();
        let hint = if hints.is_empty() {
            String::new()
        } else {
            format!(": did you mean {}?", hints.join(", "))
        };
        let noun = if unknown.len() == 1 { "key" } else { "keys" };
        return Err(format!(
            "unknown {noun} {} {}{hint} (accepted: {})",
            names.join(", "),
            cx.who,
            common
                .iter()
                .chain(specs.iter().map(|s| &s.name))
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }

    let mut values = Values {
        values: Vec::new(),
        base_dir: base_dir.to_owned(),
    };
    for spec in specs {
        let Some(raw) = table.get(spec.name) else {
            continue;
        };
        let name = spec.name;
        let value = match spec.kind {
            KeyKind::Toml => Value::Toml(raw.clone()),
            KeyKind::Secret => Value::Secret(
                SecretSource::from_toml(raw, base_dir).map_err(|m| format!("`{name}` {m}"))?,
            ),
            KeyKind::Text | KeyKind::Choice(_) => {
                let text = match raw {
                    toml::Value::String(s) if !s.trim().is_empty() => s.trim().to_owned(),
                    _ => return Err(format!("`{name}` must be a non-empty string")),
                };
                if let KeyKind::Choice(choices) = spec.kind
                    && !choices.contains(&text.as_str())
                {
                    return Err(format!(
                        "`{name}` is `{text}`; it must be one of: {}",
                        choices.join(", ")
                    ));
                }
                if let Some(check) = spec.check {
                    check(&text).map_err(|m| format!("`{name}` `{text}` {m}"))?;
                }
                Value::Text(text)
            }
        };
        values.insert(name, value);
    }

    for spec in specs.iter().filter(|s| s.required) {
        if !values.has(spec.name) {
            return Err(format!("`{}` is required ({})", spec.name, spec.help));
        }
    }
    for rule in rules {
        check_rule(rule, &values, &|k| {
            values.has(k) || cx.common_set.contains(&k)
        })?;
    }
    // A profile sets two or three keys; the Vec grew room for four, kept for
    // the whole run by each of thousands of profiles.
    values.values.shrink_to_fit();
    Ok(values)
}

fn check_rule(rule: &Rule, values: &Values, set: &dyn Fn(&str) -> bool) -> Result<(), String> {
    let list = |keys: &[&str]| {
        keys.iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(" + ")
    };
    match *rule {
        Rule::OneOf(groups) => {
            let touched: Vec<&&[&str]> =
                groups.iter().filter(|g| g.iter().any(|k| set(k))).collect();
            match touched.as_slice() {
                [] => {
                    let options: Vec<String> = groups.iter().map(|g| list(g)).collect();
                    Err(format!("set {}", options.join(", or ")))
                }
                [group] => match group.iter().find(|k| !set(k)) {
                    Some(missing) => Err(format!(
                        "`{missing}` is required with {}",
                        list(&group.iter().filter(|k| set(k)).copied().collect::<Vec<_>>())
                    )),
                    None => Ok(()),
                },
                [a, b, ..] => Err(format!("set either {} or {}, not both", list(a), list(b))),
            }
        }
        Rule::NotBoth(a, b) if set(a) && set(b) => Err(format!("set `{a}` or `{b}`, not both")),
        Rule::NotBoth(..) => Ok(()),
        Rule::AnyOf(keys) if !keys.iter().any(|k| set(k)) => {
            let names: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
            Err(format!("set {}", names.join(" or ")))
        }
        Rule::AnyOf(_) => Ok(()),
        Rule::OnlyWhen {
            key,
            when,
            value,
            default,
        } => {
            let actual = values.text(when).unwrap_or(default);
            match (actual == value, set(key)) {
                (true, false) => Err(format!("`{key}` is required with {when} = \"{value}\"")),
                (false, true) => Err(format!(
                    "`{key}` is only used with {when} = \"{value}\"; remove it (here {when} = \"{actual}\")"
                )),
                _ => Ok(()),
            }
        }
    }
}

/// `: did you mean `x`?` for the known word closest to `word`, or nothing: the
/// one wording for every name a user can mistype (keys, profiles, providers).
pub fn did_you_mean<'a>(word: &str, known: impl Iterator<Item = &'a str>) -> String {
    suggest(word, known).map_or(String::new(), |k| format!(": did you mean `{k}`?"))
}

/// The known word closest to `word`, if it is close enough to be a typo.
pub fn suggest<'a>(word: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    known
        .map(|k| (strsim::damerau_levenshtein(word, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4) && *d < k.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[KeySpec] = &[
        KeySpec::text("account_id", "the account").required(),
        KeySpec::secret("api_key", "the key"),
        KeySpec::text("username", "user"),
        KeySpec::secret("password", "pw"),
        KeySpec::choice("api", &["rest", "connect"], "generation"),
        KeySpec::text("org_id", "org"),
    ];
    const RULES: &[Rule] = &[
        Rule::OneOf(&[&["api_key"], &["username", "password"]]),
        Rule::OnlyWhen {
            key: "org_id",
            when: "api",
            value: "rest",
            default: "rest",
        },
    ];

    fn read_str(text: &str) -> Result<Values, String> {
        let table: toml::Table = toml::from_str(text).unwrap();
        let cx = Context {
            common: &["provider", "base_url"],
            common_set: &[],
            who: "in profile `a`",
            base_dir: Path::new("/"),
        };
        read(SPECS, RULES, &table, &cx)
    }

    #[test]
    fn every_unknown_key_at_once_with_suggestions() {
        let err =
            read_str("account_id = \"a\"\napi_kye = \"k\"\nbase_ulr = \"x\"\nzzz = 1").unwrap_err();
        assert!(
            err.starts_with("unknown keys `api_kye`, `base_ulr`, `zzz` in profile `a`: did you mean `api_key` for `api_kye`, `base_url` for `base_ulr`? (accepted: "),
            "{err}"
        );
        let table: toml::Table = toml::from_str("account_id = \"a\"\napi_kye = \"k\"").unwrap();
        let cx = Context {
            common: &["provider"],
            common_set: &[],
            who: "in profile `a`",
            base_dir: Path::new("/"),
        };
        let err = read(SPECS, RULES, &table, &cx).unwrap_err();
        assert!(
            err.starts_with(
                "unknown key `api_kye` in profile `a`: did you mean `api_key`? (accepted: "
            ),
            "{err}"
        );
    }

    #[test]
    fn rules() {
        let ok = "account_id = \"a\"\norg_id = \"o\"\n";
        assert!(read_str(&format!("{ok}api_key = \"k\"")).is_ok());
        assert!(read_str(&format!("{ok}username = \"u\"\npassword = \"p\"")).is_ok());
        let err = read_str(ok).unwrap_err();
        assert!(
            err.contains("set `api_key`, or `username` + `password`"),
            "{err}"
        );
        let err = read_str(&format!("{ok}api_key = \"k\"\nusername = \"u\"")).unwrap_err();
        assert!(err.contains("not both"), "{err}");
        let err = read_str(&format!("{ok}username = \"u\"")).unwrap_err();
        assert!(
            err.contains("`password` is required with `username`"),
            "{err}"
        );
        let err = read_str("account_id = \"a\"\napi_key = \"k\"").unwrap_err();
        assert!(
            err.contains("`org_id` is required with api = \"rest\""),
            "{err}"
        );
        let err =
            read_str("account_id = \"a\"\napi_key = \"k\"\napi = \"connect\"\norg_id = \"o\"")
                .unwrap_err();
        assert!(
            err.contains("`org_id` is only used with api = \"rest\""),
            "{err}"
        );
        let err = read_str("account_id = \"a\"\napi_key = \"k\"\napi = \"grpc\"").unwrap_err();
        assert!(err.contains("one of: rest, connect"), "{err}");
        let err = read_str("api_key = \"k\"\norg_id = \"o\"").unwrap_err();
        assert!(err.contains("`account_id` is required"), "{err}");
    }

    #[test]
    fn suggestions_are_for_typos_only() {
        let known = ["api_key", "account_sid", "auth_token"];
        assert_eq!(suggest("apikey", known.into_iter()), Some("api_key"));
        assert_eq!(
            suggest("acount_sid", known.into_iter()),
            Some("account_sid")
        );
        assert_eq!(suggest("region", known.into_iter()), None);
    }
}

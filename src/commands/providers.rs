//! `balance providers`: every provider's keys, from the registry; no config read.

use serde::Serialize;

use super::emit;
use crate::config::COMMON_KEYS;
use crate::error::{AppError, Exit};
use crate::providers::REGISTRY;

pub fn run(json: bool) -> Result<u8, AppError> {
    let text = if json {
        providers_json()
    } else {
        providers_text()
    };
    emit(text.as_bytes())?;
    Ok(Exit::Ok.code())
}

fn providers_text() -> String {
    let mut out = String::from("Keys every profile takes:\n");
    for key in COMMON_KEYS {
        let (key, help) = (key.spec.name, key.spec.help);
        out.push_str(&format!("  {key:<22} {help}\n"));
    }
    for p in REGISTRY {
        out.push_str(&format!("\n{}  {}", p.name, p.about));
        if !p.aliases.is_empty() {
            out.push_str(&format!(" (also known as {})", p.aliases.join(", ")));
        }
        out.push('\n');
        for k in p.key_rows() {
            let mut tags = Vec::new();
            if k.required {
                tags.push("required".to_owned());
            }
            if k.secret {
                tags.push("secret".to_owned());
            }
            if let Some(choices) = k.choices {
                tags.push(format!("one of: {}", choices.join(", ")));
            }
            let tags = if tags.is_empty() {
                String::new()
            } else {
                format!(" ({})", tags.join("; "))
            };
            out.push_str(&format!("  {:<22} {}{}\n", k.name, k.help, tags));
        }
        for rule in p.rule_texts() {
            out.push_str(&format!("  {:<22} {rule}\n", ""));
        }
        if let Some(text) = subaccounts_text(p) {
            out.push_str(&format!("  {:<22} {text}\n", "subaccounts"));
        }
    }
    out.push_str(&format!(
        "\nKeys for several balances (providers that list them):\n  {:<22} {}\n  {:<22} {}\n",
        "subaccounts",
        "true, or a list of ids: each subaccount is a result `profile/label`",
        "overrides",
        "[profiles.NAME.overrides.ID] min_balance / min_days for one of them"
    ));
    out
}

/// What `subaccounts = …` does on `p`: supported, or refused and why.
fn subaccounts_text(p: &crate::kit::provider::ProviderSpec) -> Option<String> {
    use crate::kit::engine::Subaccounts;
    match p.subaccounts()? {
        Subaccounts::Listed { .. } => Some(
            "supported: `subaccounts = true` (or a list of ids) checks each one with a balance of its own"
                .into(),
        ),
        Subaccounts::Refused(why) => Some(format!("not supported: {why}")),
    }
}

fn providers_json() -> String {
    #[derive(Serialize)]
    struct Provider {
        name: &'static str,
        about: &'static str,
        /// Other names the vendor is or was known by.
        aliases: &'static [&'static str],
        keys: Vec<crate::kit::provider::KeyRow>,
        rules: Vec<String>,
        /// `subaccounts = …` here: what it does, or why it is refused;
        /// absent where the vendor has no subaccounts to speak of.
        #[serde(skip_serializing_if = "Option::is_none")]
        subaccounts: Option<String>,
    }
    let list: Vec<Provider> = REGISTRY
        .iter()
        .map(|p| Provider {
            name: p.name,
            about: p.about,
            aliases: p.aliases,
            keys: p.key_rows(),
            rules: p.rule_texts(),
            subaccounts: subaccounts_text(p),
        })
        .collect();
    serde_json::to_string_pretty(&list).expect("serialisable") + "\n"
}

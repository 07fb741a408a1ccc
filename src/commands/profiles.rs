//! `balance profiles`: the configured profiles, never a secret. Each one's status
//! is what `check` would say of it before calling the vendor (secrets resolved as
//! `config check` does, but no secret command run); exit 3 when any is broken.

use serde::Serialize;

use super::config_check::{Commands, problems};
use super::emit;
use crate::config::Config;
use crate::error::{AppError, Exit};

pub fn run(config: &Config, json: bool) -> Result<u8, AppError> {
    // The same answer as `check` and `config check`: nothing to list is a config error.
    if config.profiles.is_empty() {
        return Err(super::check::no_profiles(config));
    }
    let found = problems(config, Commands::Skip)?;
    let errors: Vec<Option<String>> = found
        .iter()
        .map(|messages| (!messages.is_empty()).then(|| messages.join("; ")))
        .collect();
    let text = if json {
        profiles_json(config, &errors)
    } else {
        profiles_table(config, &errors)
    };
    emit(text.as_bytes())?;
    Ok(if errors.iter().any(Option::is_some) {
        Exit::Config.code()
    } else {
        Exit::Ok.code()
    })
}

/// `errors[i]`: what is wrong with profile `i`, if anything.
fn profiles_table(config: &Config, errors: &[Option<String>]) -> String {
    use crate::output::table;
    let header = [
        "PROFILE",
        "PROVIDER",
        "BASE URL",
        "MIN BALANCE",
        "SECRETS",
        "STATUS",
    ];
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (e, error) in config.profiles.iter().zip(errors) {
        let row = match &e.profile {
            Ok(p) => {
                let secrets: Vec<String> = p
                    .secrets
                    .iter()
                    .map(|(k, s)| format!("{k}: {}", s.describe()))
                    .collect();
                [
                    e.name.clone(),
                    e.provider.clone(),
                    p.adapter.base_url().to_string(),
                    p.min_balance.map_or("-".into(), |m| m.to_string()),
                    secrets.join(", "),
                    error
                        .as_ref()
                        .map_or("ok".into(), |m| format!("config error: {m}")),
                ]
            }
            Err(_) => [
                e.name.clone(),
                e.provider.clone(),
                "-".into(),
                "-".into(),
                "-".into(),
                format!("config error: {}", error.as_deref().unwrap_or_default()),
            ],
        };
        // Provider names, paths and config errors are the user's text, echoed.
        rows.push(
            row.iter()
                .map(|cell| crate::text::gate(cell, 1000))
                .collect(),
        );
    }
    // Names and URLs are cut with `…`; secrets and the status wrap at spaces.
    use table::Fit::{Cut, Keep, Wrap};
    let kept = table::fit_rows(
        &header,
        &mut rows,
        crate::output::terminal_width(),
        &[Cut, Cut, Cut, Keep, Wrap, Wrap],
        &[3],
    );
    let header: Vec<&str> = kept.iter().map(|&c| header[c]).collect();
    let mut t = table::plain(&header);
    for row in rows {
        t.add_row(row);
    }
    table::finish(&t)
}

fn profiles_json(config: &Config, errors: &[Option<String>]) -> String {
    #[derive(Serialize)]
    struct Row<'a> {
        profile: &'a str,
        provider: &'a str,
        base_url: Option<String>,
        min_balance: Option<Box<serde_json::value::RawValue>>,
        secrets: std::collections::BTreeMap<&'a str, String>,
        error: Option<&'a str>,
    }
    let rows: Vec<Row> = config
        .profiles
        .iter()
        .zip(errors)
        .map(|(e, error)| {
            let ok = e.profile.as_ref().ok();
            Row {
                profile: &e.name,
                provider: &e.provider,
                base_url: ok.map(|p| p.adapter.base_url().to_string()),
                min_balance: ok
                    .and_then(|p| p.min_balance)
                    .map(crate::money::json_number),
                secrets: ok
                    .map(|p| {
                        p.secrets
                            .iter()
                            .map(|(k, s)| (k.as_str(), s.describe()))
                            .collect()
                    })
                    .unwrap_or_default(),
                error: error.as_deref(),
            }
        })
        .collect();
    serde_json::to_string_pretty(&rows).expect("serialisable") + "\n"
}

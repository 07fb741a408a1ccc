//! `balance profiles`: the configured profiles, never a secret (none is resolved).

use serde::Serialize;

use super::emit;
use crate::config::Config;
use crate::error::{AppError, Exit};

pub fn run(config: &Config, json: bool) -> Result<u8, AppError> {
    let text = if json {
        profiles_json(config)
    } else {
        profiles_table(config)
    };
    emit(text.as_bytes())?;
    Ok(Exit::Ok.code())
}

fn profiles_table(config: &Config) -> String {
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
    for e in &config.profiles {
        let row = match &e.profile {
            Ok(p) => {
                let secrets: Vec<String> =
                    p.secrets.iter().map(|(k, d)| format!("{k}: {d}")).collect();
                [
                    e.name.clone(),
                    e.provider.clone(),
                    p.adapter.base_url().to_string(),
                    p.min_balance.map_or("-".into(), |m| m.to_string()),
                    secrets.join(", "),
                    "ok".into(),
                ]
            }
            Err(message) => [
                e.name.clone(),
                e.provider.clone(),
                "-".into(),
                "-".into(),
                "-".into(),
                format!("config error: {message}"),
            ],
        };
        // Provider names, paths and config errors are the user's text, echoed.
        rows.push(row.iter().map(|cell| crate::text::line(cell)).collect());
    }
    table::wrap_rows(
        &header,
        &mut rows,
        crate::output::terminal_width(),
        &[2, 4, 5, 0, 1],
    );
    let mut t = table::plain(&header);
    for row in rows {
        t.add_row(row);
    }
    table::finish(&t)
}

fn profiles_json(config: &Config) -> String {
    #[derive(Serialize)]
    struct Row<'a> {
        profile: &'a str,
        provider: &'a str,
        base_url: Option<String>,
        min_balance: Option<Box<serde_json::value::RawValue>>,
        secrets: std::collections::BTreeMap<&'a str, &'a str>,
        error: Option<&'a str>,
    }
    let rows: Vec<Row> = config
        .profiles
        .iter()
        .map(|e| {
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
                            .map(|(k, d)| (k.as_str(), d.as_str()))
                            .collect()
                    })
                    .unwrap_or_default(),
                error: e.profile.as_ref().err().map(String::as_str),
            }
        })
        .collect();
    serde_json::to_string_pretty(&rows).expect("serialisable") + "\n"
}

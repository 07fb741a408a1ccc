//! config.example.toml, the README's TOML examples and `balance init`'s starter
//! stay valid: every profile in them parses, and every provider has an example.

use crate::common::{Home, code, stderr};

fn parse_all(text: &str, what: &str) -> Vec<serde_json::Value> {
    let home = Home::new();
    home.config(text);
    let out = home.run(&["profiles", "--json"]);
    // `profiles` also resolves secrets (exit 3 when one does not): the examples'
    // env variables and secret files are not on this machine, and that is all
    // that may be wrong with them.
    assert!(matches!(code(&out), 0 | 3), "{what}: {}", stderr(&out));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap().clone();
    assert_eq!(rows.len(), text.matches("\n[profiles.").count(), "{what}");
    for row in &rows {
        let parsed = match row["error"].as_str() {
            None => true,
            Some(e) => e.split("; ").all(|e| {
                (e.starts_with("environment variable ") && e.ends_with(" is not set"))
                    || e.starts_with("cannot read secret file ")
            }),
        };
        assert!(parsed, "{what}: {row}");
    }
    rows
}

#[test]
fn example_config_parses_every_profile() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml"))
        .unwrap();
    let rows = parse_all(&text, "config.example.toml");
    let providers: Vec<&str> = rows
        .iter()
        .map(|r| r["provider"].as_str().unwrap())
        .collect();
    for p in balance::providers::REGISTRY {
        assert!(
            providers.contains(&p.name),
            "{} missing from the example",
            p.name
        );
    }
}

/// The README's ```toml blocks that define profiles parse as they stand.
#[test]
fn readme_profiles_parse() {
    let readme = include_str!("../../README.md");
    let mut blocks = 0;
    for block in readme.split("```toml\n").skip(1) {
        let block = block.split("```").next().unwrap();
        if block.contains("[profiles.") {
            parse_all(&format!("\n{block}"), block);
            blocks += 1;
        }
    }
    assert!(blocks > 0);
}

/// `balance init`'s starter teaches min_days, history, serve and alerts, all
/// commented out: `config check` finds nothing wrong with it but the missing
/// profile, and everything in it, uncommented, passes `config check`.
#[test]
fn init_starter_passes_config_check_commented_and_uncommented() {
    let home = Home::new();
    let out = home.cmd().args(["init", "--stdout"]).output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let starter = String::from_utf8(out.stdout).unwrap();

    home.config(&starter);
    let out = home.run(&["config", "check"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let said = stderr(&out);
    assert!(
        said.lines().count() == 1 && said.contains("no profiles configured"),
        "the starter's only problem is that it has no profile yet: {said}"
    );

    let uncommented: String = starter
        .lines()
        .filter(|l| !l.starts_with("#   "))
        .filter_map(|l| l.strip_prefix("# "))
        .filter(|l| l.starts_with('[') || l.contains(" = "))
        .map(|l| format!("{l}\n"))
        .collect();
    for taught in [
        "min_days = ",
        "history = ",
        "history_days = ",
        "forecast_window = ",
        "interval = ",
        "serve_token = ",
        "[[alerts]]",
        "webhook = ",
        "command = [",
        "[settings]",
    ] {
        assert!(uncommented.contains(taught), "{taught} in:\n{uncommented}");
    }
    home.config(&uncommented);
    let out = home
        .cmd()
        .arg("--config")
        .arg(home.path().join("config.toml"))
        .args(["config", "check"])
        .env("INFOBIP_API_KEY", "marker-infobip-key")
        .env("SLACK_WEBHOOK_URL", "https://hooks.example.com/marker")
        .env("BALANCE_SERVE_TOKEN", "marker-serve-token")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}\n{uncommented}", stderr(&out));
}

//! config.example.toml stays valid: every profile in it parses.

use crate::common::{Home, code, stderr};

#[test]
fn example_config_parses_every_profile() {
    let home = Home::new();
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml"))
        .unwrap();
    home.config(&text);
    let out = home.run(&["profiles", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 6);
    for row in rows {
        assert!(row["error"].is_null(), "{row}");
    }
    let providers: Vec<&str> = rows
        .iter()
        .map(|r| r["provider"].as_str().unwrap())
        .collect();
    for p in ["8x8", "infobip", "yeastar", "frontier", "engagelab"] {
        assert!(providers.contains(&p), "{p} missing from the example");
    }
}

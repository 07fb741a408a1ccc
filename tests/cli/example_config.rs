//! config.example.toml stays valid: every profile in it parses. (That it shows
//! every provider is the conformance suite's check.)

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
    let profiles = text.lines().filter(|l| l.starts_with("[profiles.")).count();
    assert_eq!(rows.len(), profiles);
    for row in rows {
        assert!(row["error"].is_null(), "{row}");
    }
}

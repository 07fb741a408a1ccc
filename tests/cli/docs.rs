//! README.md and docs/ cannot drift from the code.
//!
//! - Text that restates code is generated: each `<!-- generated: NAME -->` …
//!   `<!-- end generated -->` block must equal what `generated()` makes of the
//!   registry, `Exit::TABLE`, the config's key lists, the sandbox's scenarios and
//!   the binary's own `--help` and `demo`. `BALANCE_BLESS=1 cargo test --test cli
//!   docs::` rewrites the blocks instead of failing.
//! - Written text is checked against the code: every provider, key, command and
//!   flag the docs name exists, and every one that exists is named somewhere.
//! - The README stays a front door (at most 300 lines), and no user-facing text
//!   cites the SPEC, which does not ship.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use balance::config::{ALERT_KEYS, COMMON_KEYS, SETTINGS_KEYS};
use balance::error::Exit;
use balance::kit::provider::ProviderSpec;
use balance::providers::REGISTRY;
use balance::sandbox::SCENARIOS;
use clap::CommandFactory;

use crate::common::{Home, code, stdout};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// README.md and every docs/*.md, with their text.
fn documents() -> Vec<(PathBuf, String)> {
    let mut paths = vec![Path::new(ROOT).join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join("docs"))
        .expect("docs/")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    paths.extend(docs);
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect()
}

// ---- generated blocks --------------------------------------------------------

/// (file under the repository, block name, its content).
fn generated() -> Vec<(&'static str, &'static str, String)> {
    vec![
        ("README.md", "vendors", vendor_sentence()),
        ("README.md", "demo", demo_sample()),
        ("docs/providers.md", "provider-list", provider_list()),
        ("docs/providers.md", "provider-keys", key_table()),
        ("docs/configuration.md", "profile-keys", profile_keys()),
        ("docs/configuration.md", "settings-keys", settings_keys()),
        ("docs/outputs.md", "exit-codes", exit_codes()),
        ("docs/sandbox.md", "scenarios", scenarios()),
        ("docs/commands.md", "help", help(&["--help"])),
        ("docs/commands.md", "help-check", help(&["check", "--help"])),
    ]
}

fn vendor_sentence() -> String {
    let names: Vec<String> = REGISTRY
        .iter()
        .filter(|p| p.name != "http")
        .map(|p| format!("`{}`", p.name))
        .collect();
    format!(
        "Supported providers ({}): {}, and `http` for any other JSON balance endpoint. \
         Each one's keys: [docs/providers.md](docs/providers.md).\n",
        REGISTRY.len(),
        names.join(", ")
    )
}

fn demo_sample() -> String {
    let out = Home::new().cmd().arg("demo").output().unwrap();
    assert_eq!(code(&out), 0);
    format!("```\n$ balance demo\n{}```\n", stdout(&out))
}

fn provider_list() -> String {
    let mut out = String::from("| provider | vendor | also known as |\n| --- | --- | --- |\n");
    for p in REGISTRY {
        let aliases: Vec<String> = p.aliases.iter().map(|a| format!("`{a}`")).collect();
        out.push_str(&row(&[
            &format!("[`{}`](#{})", p.name, p.name),
            &cell(p.about),
            &aliases.join(", "),
        ]));
    }
    out
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// A provider's keys, then how they combine.
fn key_rows(p: &ProviderSpec) -> String {
    let mut out = String::new();
    for k in p.key_rows() {
        let mut what = cell(&k.help);
        if let Some(choices) = k.choices {
            let words: Vec<String> = choices.iter().map(|c| format!("`{c}`")).collect();
            what.push_str(&format!(" (one of {})", words.join(", ")));
        }
        out.push_str(&row(&[
            &format!("`{}`", k.name),
            if k.required { "yes" } else { "" },
            if k.secret { "yes" } else { "" },
            &what,
        ]));
    }
    for rule in p.rule_texts() {
        out.push_str(&row(&["", "", "", &cell(&rule)]));
    }
    out
}

/// One section per provider, with an anchor the list links to.
fn key_table() -> String {
    let mut out = String::new();
    for p in REGISTRY {
        out.push_str(&format!("### {}\n\n{}", p.name, cell(p.about)));
        if !p.aliases.is_empty() {
            let aliases: Vec<String> = p.aliases.iter().map(|a| format!("`{a}`")).collect();
            out.push_str(&format!(" (also known as {})", aliases.join(", ")));
        }
        out.push_str(
            ".\n\n| key | required | secret | what it holds |\n| --- | --- | --- | --- |\n",
        );
        out.push_str(&key_rows(p));
        out.push('\n');
    }
    out
}

fn profile_keys() -> String {
    let mut out = String::from("| key | meaning |\n| --- | --- |\n");
    for key in COMMON_KEYS {
        out.push_str(&row(&[
            &format!("`{}`", key.spec.name),
            &cell(key.spec.help),
        ]));
    }
    out
}

fn settings_keys() -> String {
    let mut out = String::from("| key | meaning |\n| --- | --- |\n");
    for key in SETTINGS_KEYS {
        out.push_str(&row(&[
            &format!("`{}`", key.spec.name),
            &cell(key.spec.help),
        ]));
    }
    out
}

fn exit_codes() -> String {
    let mut out = String::from("| code | meaning |\n| --- | --- |\n");
    for (exit, meaning) in Exit::TABLE {
        out.push_str(&row(&[&exit.code().to_string(), &cell(meaning)]));
    }
    let order: Vec<String> = Exit::precedence().map(|e| e.code().to_string()).collect();
    out.push_str(&format!(
        "\nWith several profiles, the exit status is the first code in this order that \
         applies to any of them: {}.\n",
        order.join(", ")
    ));
    out
}

fn scenarios() -> String {
    let mut out = String::from(
        "| credential | `check` exits | the emulator answers |\n| --- | --- | --- |\n",
    );
    for s in SCENARIOS {
        out.push_str(&row(&[
            &format!("`{}`", s.key),
            &s.exit.to_string(),
            &cell(s.answer),
        ]));
    }
    out
}

fn help(args: &[&str]) -> String {
    let out = Home::new()
        .cmd()
        .args(args)
        .env_remove("COLUMNS")
        .output()
        .unwrap();
    format!("```\n$ balance {}\n{}```\n", args.join(" "), stdout(&out))
}

/// A markdown table row; an empty cell is `| |`.
fn row(cells: &[&str]) -> String {
    let mut line = String::from("|");
    for c in cells {
        if c.is_empty() {
            line.push_str(" |");
        } else {
            line.push_str(&format!(" {c} |"));
        }
    }
    line.push('\n');
    line
}

/// `text` with the block `name` replaced by `content`; `None` when it has no
/// such block.
fn replace_block(text: &str, name: &str, content: &str) -> Option<String> {
    let start = format!("<!-- generated: {name} -->\n");
    let from = text.find(&start)? + start.len();
    let to = from + text[from..].find("<!-- end generated -->")?;
    Some(format!("{}{content}{}", &text[..from], &text[to..]))
}

#[test]
fn generated_blocks_match_the_code() {
    let bless = std::env::var_os("BALANCE_BLESS").is_some_and(|v| v == "1");
    let mut failures = Vec::new();
    for (file, name, content) in generated() {
        let path = Path::new(ROOT).join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let Some(new) = replace_block(&text, name, &content) else {
            failures.push(format!(
                "{file}: no `<!-- generated: {name} -->` … `<!-- end generated -->` block"
            ));
            continue;
        };
        if new == text {
            continue;
        }
        if bless {
            std::fs::write(&path, new).unwrap();
        } else {
            failures.push(format!(
                "{file}: block `{name}` is stale; run `BALANCE_BLESS=1 cargo test --test cli docs::` \
                 (it should read:\n{content})"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

// ---- written text ------------------------------------------------------------

/// Every long flag of every command, and every command's words (`config check`).
fn cli_names() -> (BTreeSet<String>, BTreeSet<String>) {
    fn walk(
        c: &clap::Command,
        path: &str,
        flags: &mut BTreeSet<String>,
        commands: &mut BTreeSet<String>,
    ) {
        for a in c.get_arguments() {
            if let Some(long) = a.get_long() {
                flags.insert(format!("--{long}"));
            }
        }
        for sub in c.get_subcommands().filter(|s| s.get_name() != "help") {
            let words = format!("{path} {}", sub.get_name()).trim().to_owned();
            commands.insert(words.clone());
            walk(sub, &words, flags, commands);
        }
    }
    let mut cli = balance::cli::Cli::command();
    cli.build();
    let (mut flags, mut commands) = (BTreeSet::new(), BTreeSet::new());
    walk(&cli, "", &mut flags, &mut commands);
    (flags, commands)
}

/// The pieces of a `balance …` command line in the docs: from `balance ` to the
/// end of its code span or line, a pipe, a `;`, `&&`, `||` or a comment.
fn balance_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_block = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        let pieces: Vec<&str> = if in_block {
            vec![line]
        } else {
            line.split('`').skip(1).step_by(2).collect()
        };
        for piece in pieces {
            for (at, _) in piece.match_indices("balance ") {
                // A command line: `balance` first, or after a prompt, a path, an
                // assignment, a pipe or a cron schedule; not prose (`the balance is`).
                let before = piece[..at].trim_end();
                let prev = before.split_whitespace().last().unwrap_or_default();
                let starts = prev.is_empty()
                    || [
                        "$", "sudo", "exec", "|", "||", "&&", ";", "then", "do", "*", "env",
                    ]
                    .contains(&prev)
                    || (before.len() == at && prev.ends_with(['/', '=', '(']))
                    || prev.ends_with('*');
                if !starts || before.contains('#') {
                    continue;
                }
                let rest = &piece[at..];
                let end = ["|", ";", "&&", " #", ")"]
                    .iter()
                    .filter_map(|s| rest.find(s))
                    .min()
                    .unwrap_or(rest.len());
                out.push(rest[..end].to_owned());
            }
        }
    }
    out
}

#[test]
fn docs_name_only_flags_commands_and_keys_that_exist_and_miss_none() {
    let (flags, commands) = cli_names();
    let docs = documents();
    let all: String = docs
        .iter()
        .map(|(_, t)| t.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let mut failures = Vec::new();
    for (path, text) in &docs {
        let file = path.strip_prefix(ROOT).unwrap().display().to_string();
        for line in balance_lines(text) {
            for word in line.split_whitespace() {
                let flag = word
                    .split('=')
                    .next()
                    .unwrap()
                    .trim_end_matches([',', '.', ']', ')', '`']);
                if flag.starts_with("--") && flag.len() > 2 && !flags.contains(flag) {
                    failures.push(format!("{file}: `{line}`: no flag {flag}"));
                }
            }
            // `balance WORD`: a command (or a profile name after `check`).
            if let Some(word) = line.split_whitespace().nth(1)
                && word.chars().all(|c| c.is_ascii_lowercase())
                && !commands.contains(word)
            {
                failures.push(format!("{file}: `{line}`: no command `{word}`"));
            }
        }
        // `provider = "NAME"` anywhere: a provider that exists (or a mistake the
        // text shows on purpose, marked as such).
        for (at, _) in text.match_indices("provider = \"") {
            let name: String = text[at + 12..].chars().take_while(|c| *c != '"').collect();
            let line = text[..at].lines().last().unwrap_or_default();
            if !REGISTRY.iter().any(|p| p.name == name) && !line.contains("# mistake") {
                failures.push(format!("{file}: provider `{name}` does not exist"));
            }
        }
    }
    for flag in &flags {
        if !all.contains(flag.as_str()) {
            failures.push(format!("no document mentions the flag {flag}"));
        }
    }
    for command in &commands {
        if !all.contains(&format!("balance {command}")) {
            failures.push(format!("no document mentions `balance {command}`"));
        }
    }
    for p in REGISTRY {
        if !all.contains(&format!("`{}`", p.name)) {
            failures.push(format!("no document names the provider `{}`", p.name));
        }
    }
    for key in SETTINGS_KEYS
        .iter()
        .map(|k| k.spec.name)
        .chain(COMMON_KEYS.iter().map(|k| k.spec.name))
        .chain(ALERT_KEYS.iter().map(|k| k.name))
    {
        if !all.contains(&format!("`{key}`")) {
            failures.push(format!("no document names the key `{key}`"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The TOML blocks of every document parse, and name no key the config refuses:
/// profiles through `profiles --json` (only absent secrets may be wrong), other
/// blocks (settings, alerts) through `config check`.
#[test]
fn docs_toml_blocks_use_only_keys_that_exist() {
    let mut failures = Vec::new();
    let mut blocks = 0;
    for (path, text) in documents() {
        let file = path.strip_prefix(ROOT).unwrap().display().to_string();
        for block in text.split("```toml\n").skip(1) {
            let block = block.split("```").next().unwrap();
            if block.contains("# mistake") {
                continue;
            }
            blocks += 1;
            let home = Home::new();
            let profile = if block.contains("[profiles.") {
                String::new()
            } else {
                // A block of settings or alerts alone: give it a profile to check.
                "\n[profiles.p]\nprovider = \"telnyx\"\napi_key = \"k\"\n".into()
            };
            home.config(&format!("{block}{profile}"));
            let out = home.run(&["config", "check"]);
            let said = stdout(&out) + &crate::common::stderr(&out);
            let only_absent_secrets = said.lines().all(|l| {
                l.contains("environment variable ")
                    || l.contains("cannot read secret file")
                    || l.contains("secret command")
                    || l.contains("command `")
                    || l.ends_with(" ok")
                    || l.contains("readable by others")
            });
            if !matches!(code(&out), 0 | 3) || !only_absent_secrets {
                failures.push(format!("{file}: a ```toml block fails:\n{block}\n→ {said}"));
            }
        }
    }
    assert!(blocks >= 4, "{blocks} blocks found");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn readme_is_a_front_door() {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let lines = readme.lines().count();
    assert!(
        lines <= 300,
        "README.md has {lines} lines; move detail to docs/"
    );
    for (path, text) in documents() {
        let file = path.strip_prefix(ROOT).unwrap().display().to_string();
        // Links between documents resolve.
        for link in text.split("](").skip(1) {
            let target = link.split(')').next().unwrap().split('#').next().unwrap();
            if target.is_empty() || target.starts_with("http") {
                continue;
            }
            let base = path.parent().unwrap();
            assert!(
                base.join(target).exists(),
                "{file}: broken link to {target}"
            );
        }
    }
}

/// No user-facing text cites the SPEC (it does not ship): not the docs, not
/// any command's `--help`.
#[test]
fn no_user_facing_text_cites_the_spec() {
    let mut failures = Vec::new();
    for (path, text) in documents() {
        if cites_spec(&text) {
            failures.push(format!("{} cites the SPEC", path.display()));
        }
    }
    let (_, commands) = cli_names();
    let home = Home::new();
    for command in std::iter::once(String::new()).chain(commands) {
        let mut args: Vec<&str> = command.split_whitespace().collect();
        args.push("--help");
        let text = stdout(&home.cmd().args(&args).output().unwrap());
        if cites_spec(&text) {
            failures.push(format!("balance {command} --help cites the SPEC:\n{text}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn cites_spec(text: &str) -> bool {
    text.contains("SPEC §") || text.contains("SPEC.md") || text.contains("SPEC section")
}

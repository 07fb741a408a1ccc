//! `balance man [COMMAND]`: the manual pages, roff from the same clap definition
//! as `--help`, so the two cannot disagree, plus the sections a man page has and
//! `--help` does not (exit status as a table, files, environment, examples). One
//! page per command, as git and cargo have it: `balance man check | man -l -`;
//! `balance man --dir DIR` writes them all, for a package to install.

use std::path::Path;

use clap::CommandFactory;

use super::emit;
use crate::cli::Cli;
use crate::error::{AppError, Exit};

pub fn run(command: Option<&str>, dir: Option<&Path>) -> Result<u8, AppError> {
    let pages = pages();
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir).map_err(|e| super::write_error(dir, &e))?;
        for page in &pages {
            let path = dir.join(format!("{}.1", page.name));
            std::fs::write(&path, render(page, &pages)?)
                .map_err(|e| super::write_error(&path, &e))?;
        }
        return Ok(Exit::Ok.code());
    }
    let wanted = match command {
        None => "balance".to_owned(),
        Some(name) => format!("balance-{}", name.replace(' ', "-")),
    };
    let page = pages.iter().find(|p| p.name == wanted).ok_or_else(|| {
        let names: Vec<&str> = pages[1..]
            .iter()
            .map(|p| &p.name["balance-".len()..])
            .collect();
        AppError::Usage(format!(
            "no command `{}`; one of: {}",
            command.unwrap_or_default(),
            names.join(", ")
        ))
    })?;
    emit(render(page, &pages)?.as_bytes())?;
    Ok(Exit::Ok.code())
}

/// One manual page: `balance`, `balance-check`, `balance-config-check`…
pub struct Page {
    pub name: String,
    command: clap::Command,
}

/// Every page, `balance`'s first, then each command's before its own commands'
/// (`balance-config`, `balance-config-check`), in `--help`'s order.
pub fn pages() -> Vec<Page> {
    fn walk(command: &clap::Command, name: String, out: &mut Vec<Page>) {
        out.push(Page {
            name: name.clone(),
            command: command.clone(),
        });
        for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(sub, format!("{name}-{}", sub.get_name()), out);
        }
    }
    let mut cli = Cli::command().disable_help_subcommand(true);
    cli.build();
    let mut out = Vec::new();
    walk(&cli, "balance".into(), &mut out);
    out
}

fn render(page: &Page, pages: &[Page]) -> Result<String, AppError> {
    let top = page.name == "balance";
    let man = clap_mangen::Man::new(page.command.clone())
        .title(page.name.to_uppercase())
        .date(env!("BALANCE_BUILD_DATE"))
        .source(format!("balance {}", env!("CARGO_PKG_VERSION")))
        .manual("User Commands");
    let mut out: Vec<u8> = Vec::new();
    // Tells man(1) to run tbl(1), for the exit status table.
    out.extend_from_slice(b"'\\\" t\n");
    let clap = |f: &dyn Fn(&mut Vec<u8>) -> std::io::Result<()>, out: &mut Vec<u8>| {
        f(out).map_err(|e| AppError::from(anyhow::Error::from(e)))
    };
    clap(&|o| man.render_title(o), &mut out)?;
    clap(&|o| man.render_name_section(o), &mut out)?;
    clap(&|o| man.render_synopsis_section(o), &mut out)?;
    let mut text = String::from_utf8(out).map_err(anyhow::Error::from)?;
    text.push_str(".SH DESCRIPTION\n");
    if top {
        text.push_str(DESCRIPTION);
    } else {
        let about = page
            .command
            .get_long_about()
            .or_else(|| page.command.get_about())
            .map(ToString::to_string)
            .unwrap_or_default();
        text.push_str(&escape(&about));
        text.push('\n');
    }
    let subs: Vec<&Page> = page
        .command
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .filter_map(|c| {
            let name = format!("{}-{}", page.name, c.get_name());
            pages.iter().find(|p| p.name == name)
        })
        .collect();
    if !subs.is_empty() {
        text.push_str(".SH COMMANDS\n");
        for sub in &subs {
            let words = sub.name.replace('-', " ");
            let about = sub
                .command
                .get_about()
                .map(ToString::to_string)
                .unwrap_or_default();
            let about = about.trim_end_matches('.');
            text.push_str(&format!(
                ".TP\n.B {}\n{}.\nSee \\fB{}\\fR(1).\n",
                escape(&words),
                escape(about),
                escape(&sub.name)
            ));
        }
    }
    let mut options = Vec::new();
    clap(&|o| man.render_options_section(o), &mut options)?;
    text.push_str(&String::from_utf8(options).map_err(anyhow::Error::from)?);
    let after = page
        .command
        .get_after_help()
        .map(ToString::to_string)
        .unwrap_or_default();
    if !after.is_empty() && after != crate::error::exit_help() {
        // The sandbox's scenario table: kept in its columns.
        text.push_str(".SH NOTES\n.nf\n");
        text.push_str(&escape(&after));
        text.push_str("\n.fi\n");
    }
    if top || page.name == "balance-check" {
        text.push_str(&exit_status());
    }
    if top {
        text.push_str(FILES);
        text.push_str(ENVIRONMENT);
        text.push_str(EXAMPLES);
    }
    text.push_str(".SH SEE ALSO\n");
    let see: Vec<String> = if top {
        pages[1..]
            .iter()
            .map(|p| format!("\\fB{}\\fR(1)", escape(&p.name)))
            .collect()
    } else {
        vec!["\\fBbalance\\fR(1)".into()]
    };
    text.push_str(&see.join(",\n"));
    text.push('\n');
    Ok(tidy(&text))
}

/// What `mandoc -Tlint` asks of clap_mangen's pieces, rendered one by one: one
/// copy of the quote-string preamble, no blank line (a paragraph break) beside
/// `.br`, and filled text in lines of at most 80 bytes.
fn tidy(text: &str) -> String {
    const PREAMBLE: &str = ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n";
    let first = text.find(PREAMBLE).map_or(0, |at| at + PREAMBLE.len());
    let text = text[..first].to_owned() + &text[first..].replace(PREAMBLE, "");
    let text = text
        .replace("\n.br\n\n.br\n", "\n.sp\n")
        .replace("\n\n.br\n", "\n.sp\n");
    let mut out = String::with_capacity(text.len());
    let mut filled = true;
    for line in text.lines() {
        match line {
            ".nf" | ".TS" => filled = false,
            ".fi" | ".TE" => filled = true,
            _ => {}
        }
        if !filled || line.len() <= 80 || line.starts_with(['.', '\'']) {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let mut current = String::new();
        for word in line.split(' ').filter(|w| !w.is_empty()) {
            if !current.is_empty() && current.len() + 1 + word.len() > 80 {
                out.push_str(&current);
                out.push('\n');
                current.clear();
            }
            if !current.is_empty() {
                current.push(' ');
            } else if word.starts_with(['.', '\'']) {
                current.push_str("\\&");
            }
            current.push_str(word);
        }
        out.push_str(&current);
        out.push('\n');
    }
    out
}

/// `Exit::TABLE` as a tbl(1) table, and the order several profiles' codes give
/// way in.
fn exit_status() -> String {
    let mut out = String::from(".SH EXIT STATUS\n.TS\nl lx.\n\\fBcode\\fR\t\\fBmeaning\\fR\n");
    for (exit, meaning) in Exit::TABLE {
        out.push_str(&format!("{}\tT{{\n{}\nT}}\n", exit.code(), escape(meaning)));
    }
    out.push_str(".TE\n.PP\n");
    let order: Vec<String> = Exit::precedence().map(|e| e.code().to_string()).collect();
    out.push_str(&format!(
        "With several profiles, the exit status is the first code in this order that \
         applies to any of them: {}.\nThe results of the profiles that worked are still \
         printed.\nWith \\fB\\-\\-format nagios\\fR (or \\fB\\-w\\fR/\\fB\\-c\\fR), the \
         codes are Nagios's: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n",
        order.join(", ")
    ));
    out
}

/// Roff for text: backslashes and hyphens escaped, no line starting a request.
fn escape(text: &str) -> String {
    text.replace('\\', "\\e")
        .replace('-', "\\-")
        .lines()
        .map(|l| {
            if l.starts_with(['.', '\'']) {
                format!("\\&{l}")
            } else if l.trim().is_empty() {
                ".sp".to_owned()
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

const DESCRIPTION: &str = r#"\fBbalance\fR checks the prepaid balance of accounts at SMS and CPaaS
vendors.
A TOML config file holds named \fIprofiles\fR; each names a \fIprovider\fR
(a vendor adapter, listed by \fBbalance providers\fR) and that account's
credentials.
\fBbalance check\fR calls every profile's vendor concurrently and prints a
table, JSON, the bare value, Prometheus text or a Nagios status line; the exit
status says what went wrong, so that scripts and cron jobs can act on it.
.PP
Every check is recorded in a local history (SQLite), from which
\fBbalance history\fR shows trends and a forecast of when each account runs
out; \fB[[alerts]]\fR in the config announce a profile turning low or failing.
\fBbalance serve\fR checks on an interval and serves Prometheus metrics, a JSON
API and a status page.
.PP
Secrets are never printed, logged or stored: a secret in the config may be a
literal (in a file only its owner can read), an environment variable, a file
or a command's output.
.PP
\fBbalance demo\fR runs every provider against a built-in emulator: no config,
credentials or network needed.
"#;

const FILES: &str = r#".SH FILES
.TP
.I $XDG_CONFIG_HOME/balance/config.toml
The config file when neither \fB\-\-config\fR nor \fBBALANCE_CONFIG\fR names one
(\fI~/.config/balance/config.toml\fR when \fBXDG_CONFIG_HOME\fR is unset).
\fBbalance init\fR writes a commented starter there;
\fBbalance config path\fR prints where it is looked for.
.TP
.I $XDG_DATA_HOME/balance/history.sqlite3
The history of checks (\fI~/.local/share/balance/\fR when unset), unless the
config's \fB[settings]\fR say otherwise.
.TP
.I $XDG_CACHE_HOME/balance/
Cached vendor access tokens (Yeastar), never a secret of the config.
.TP
.I /usr/share/doc/balance/config.example.toml
An example config with one profile of every provider (when installed from the
package).
"#;

const ENVIRONMENT: &str = r#".SH ENVIRONMENT
.TP
.B BALANCE_CONFIG
The config file, when \fB\-\-config\fR is not given.
.TP
.B XDG_CONFIG_HOME\fR, \fBXDG_DATA_HOME\fR, \fBXDG_CACHE_HOME
Where the config, the history and the cache live (also honoured on macOS).
.TP
.B NO_COLOR
Set and non\-empty: no colour, unless \fB\-\-color always\fR.
.TP
.B COLUMNS
The width a table fits on a terminal, instead of the terminal's own.
A pipe or a file always gets whole lines.
"#;

const EXAMPLES: &str = r#".SH EXAMPLES
Try it without a config or an account:
.PP
.RS
.nf
balance demo
balance demo \-\-faults
.fi
.RE
.PP
Write a starter config, validate it, check every profile:
.PP
.RS
.nf
balance init
balance config check
balance check
.fi
.RE
.PP
In a script: one balance, exact digits; or JSON for jq:
.PP
.RS
.nf
b=$(balance check infobip \-\-value)
balance check \-\-json | jq \-r '.[] | select(.status != "ok") | .profile'
.fi
.RE
.PP
From cron, for node_exporter's textfile collector (written atomically):
.PP
.RS
.nf
*/15 * * * * balance check \-\-format prometheus \-o /var/lib/node_exporter/balance.prom
.fi
.RE
.PP
As a Nagios or Icinga check, warning under 50, critical under 10:
.PP
.RS
.nf
balance check infobip \-w 50: \-c 10:
.fi
.RE
.PP
Always on, with metrics, a JSON API and a status page on port 9316:
.PP
.RS
.nf
balance serve \-\-listen 127.0.0.1:9316
.fi
.RE
"#;

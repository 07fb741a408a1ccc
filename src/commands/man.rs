//! `balance man [COMMAND]`: the manual page, roff from the same clap definition
//! as `--help`, so the two cannot disagree. One page per command, as git and
//! cargo have it: `balance man check | man -l -`.

use clap::CommandFactory;

use super::emit;
use crate::cli::Cli;
use crate::error::{AppError, Exit};

pub fn run(command: Option<&str>) -> Result<u8, AppError> {
    let mut cli = Cli::command();
    cli.build();
    let page = match command {
        None => cli.after_long_help(format!(
            "{}\n\nEach command's options: `balance man COMMAND` (e.g. `balance man check`), \
             or `balance COMMAND --help`.",
            crate::error::exit_help()
        )),
        Some(name) => {
            let names: Vec<String> = cli
                .get_subcommands()
                .map(|c| c.get_name().to_owned())
                .collect();
            // Built: its display name is `balance-check`, its bin name `balance check`.
            cli.find_subcommand(name).cloned().ok_or_else(|| {
                AppError::Usage(format!("no command `{name}`; one of: {}", names.join(", ")))
            })?
        }
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut out)
        .map_err(anyhow::Error::from)?;
    emit(&out)?;
    Ok(Exit::Ok.code())
}

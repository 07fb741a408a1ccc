//! `balance completions SHELL`.

use clap::CommandFactory;

use super::emit;
use crate::cli::Cli;
use crate::error::{AppError, Exit};

pub fn run(shell: clap_complete::Shell) -> Result<u8, AppError> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "balance", &mut out);
    emit(&out)?;
    Ok(Exit::Ok.code())
}

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(balance::commands::main())
}

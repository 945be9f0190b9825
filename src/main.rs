use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = palisade::cli::Cli::parse();
    ExitCode::from(palisade::cli::execute(cli))
}

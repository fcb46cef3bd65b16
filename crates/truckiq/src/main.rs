//! `truckiq`: the command-line face of TruckIQ, for cron jobs, servers and quick checks.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    cli::init_logging(args.verbose);
    match cli::run(args) {
        Ok(code) => code,
        Err(error) => {
            #[allow(clippy::print_stderr, reason = "the CLI reports its errors on stderr")]
            {
                eprintln!("error: {}", cli::printable(&format!("{error:#}")));
            }
            ExitCode::from(cli::EXIT_FAILURE)
        }
    }
}

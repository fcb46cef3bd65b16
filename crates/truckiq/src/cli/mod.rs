//! Argument parsing and dispatch for the `truckiq` binary.

mod bench;
mod status;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use truckiq::paths;
use truckiq::store::Store;

/// Something went wrong (the message says what).
pub const EXIT_FAILURE: u8 = 1;

const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  failure (the message on stderr says what went wrong)
  2  invalid command-line usage";

/// TruckIQ: PACCAR portal fault codes (J1939 SPN/FMI) for your fleet, synced into a local database.
#[derive(Debug, Parser)]
#[command(name = "truckiq", version, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    /// Database file. Defaults to the one the desktop app uses
    /// (the platform data folder, or $TRUCKIQ_DATA_DIR).
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,

    /// More log output on stderr (-v info, -vv debug). RUST_LOG overrides this.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show each account and its last sync run.
    Status,
    /// Measure performance and print the figures.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// Extract a simulated fleet through real Chromium at several concurrencies.
    Extract {
        #[arg(long, default_value_t = 500)]
        vehicles: usize,
        /// Simulated latency per page.
        #[arg(long, default_value_t = 150)]
        latency_ms: u64,
        /// Diagnostics pages read at once; repeat or comma-separate for several runs.
        #[arg(long, value_delimiter = ',', default_values_t = [1, 4, 8])]
        concurrency: Vec<usize>,
        /// Serve the simulator as plain HTTP/1.1 instead of HTTPS with HTTP/2 (as real portals do).
        #[arg(long)]
        http1: bool,
        /// Open each diagnostics page in a tab instead of fetching its HTML in the signed-in page.
        #[arg(long)]
        navigate: bool,
    },
    /// Upsert vehicles and fault episodes into a fresh database file.
    Store {
        #[arg(long, default_value_t = 10_000)]
        vehicles: usize,
        #[arg(long, default_value_t = 10)]
        faults_per_vehicle: usize,
    },
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let db_path = match cli.db {
        Some(path) => path,
        None => paths::default_db_path()
            .context("no home folder to keep the database in; pass --db PATH or set TRUCKIQ_DATA_DIR")?,
    };
    match cli.command {
        Command::Status => status::print(&Store::open(&db_path)?, &mut std::io::stdout().lock())?,
        Command::Bench(BenchCommand::Extract { vehicles, latency_ms, concurrency, http1, navigate }) => {
            bench::extract_bench(
                &bench::ExtractBench { vehicles, latency_ms, concurrency, tls: !http1, navigate },
                &mut std::io::stdout().lock(),
            )?
        }
        Command::Bench(BenchCommand::Store { vehicles, faults_per_vehicle }) => {
            bench::store_bench(vehicles, faults_per_vehicle, &mut std::io::stdout().lock())?
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

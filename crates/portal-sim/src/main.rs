//! `portal-sim`: run the simulator as a process, e.g. for manual testing or another language's tests.

use clap::Parser;
use portal_sim::{SimConfig, Simulator};

/// Serves simulated PACCAR portals and the Decisiv SRM API on 127.0.0.1.
#[derive(Debug, Parser)]
#[command(name = "portal-sim", version)]
struct Args {
    /// Port on 127.0.0.1; 0 picks a free port. The base URL is printed on stdout once listening.
    #[arg(long, default_value_t = 0)]
    port: u16,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let sim = Simulator::start(SimConfig { port: args.port }).await?;
    // The base URL on its own line lets scripts read it (`read -r url < <(portal-sim --port 0)`).
    #[allow(clippy::print_stdout, reason = "the base URL on stdout is the binary's interface")]
    {
        println!("{}", sim.base_url());
    }
    tokio::signal::ctrl_c().await?;
    sim.stop().await?;
    Ok(())
}

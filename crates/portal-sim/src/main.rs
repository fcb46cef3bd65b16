//! `portal-sim`: run the simulator as a process, for manual testing, the demo, or other tools.

use std::time::Duration;

use clap::Parser;
use portal_sim::{Portal, SimConfig, Simulator, UserSpec};

/// Serves simulated PACCAR portals (TruckTech+ at /paccar, Decisiv SRM at /decisiv, and the
/// layout families /cards, /ledger and /bulletin, where TruckTech+ users sign in), the Decisiv
/// SRM Gateway API (/srm-api, OAuth at /decisiv-login) and the control API (/__sim) on 127.0.0.1,
/// and PACCAR Solutions' app and API gateway on two more ports (logged, and at /__sim/solutions).
#[derive(Debug, Parser)]
#[command(name = "portal-sim", version)]
struct Args {
    /// Port on 127.0.0.1; 0 picks a free port. The base URL is printed on stdout once listening.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Seed for the fleet; the same seed always gives the same fleet.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Number of trucks, 1 to 20000.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=20_000))]
    vehicles: u32,
    /// Advance the simulated clock every this many seconds (faults appear and clear, meters grow).
    #[arg(long, value_name = "SECONDS")]
    tick_every: Option<u64>,
    /// Simulated minutes per tick.
    #[arg(long, default_value_t = 60)]
    tick_minutes: u32,
    /// Keep the clock on the wall clock: each tick moves the fleet on by --tick-minutes but stamps
    /// it with the real time (as the app's demo does).
    #[arg(long)]
    wall_clock: bool,
    /// Serve HTTPS with HTTP/2 under a fresh self-signed certificate; its SPKI hash (for Chromium's
    /// `--ignore-certificate-errors-spki-list`) is printed on stderr.
    #[arg(long)]
    tls: bool,
    /// Do not create the demo users.
    #[arg(long)]
    no_demo_users: bool,
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
    let sim = Simulator::start(SimConfig {
        port: args.port,
        seed: args.seed,
        vehicles: args.vehicles as usize,
        start_time: None,
        tick_every: args.tick_every.map(Duration::from_secs),
        tick_minutes: args.tick_minutes,
        wall_clock: args.wall_clock,
        tls: args.tls,
    })
    .await?;
    let solutions = sim.solutions();
    tracing::info!(app = %solutions.app, gateway = %solutions.gateway, "PACCAR Solutions");
    if let Some(certificate) = sim.certificate() {
        tracing::info!(spki_sha256 = certificate.spki_sha256(), "serving HTTPS with a self-signed certificate");
    }
    if !args.no_demo_users {
        let demo_users = [
            (Portal::Paccar, "demo@truckiq.example"),
            (Portal::Decisiv, "demo"),
            (Portal::PaccarSolutions, "demo@truckiq.example"),
        ];
        for (portal, username) in demo_users {
            sim.state().add_user(demo_user(portal, username)).map_err(anyhow::Error::msg)?;
            tracing::info!(?portal, username, password = DEMO_PASSWORD, "demo user");
        }
    }
    // The base URL on its own line lets scripts read it (`read -r url < <(portal-sim --port 0)`).
    #[allow(clippy::print_stdout, reason = "the base URL on stdout is the binary's interface")]
    {
        println!("{}", sim.base_url());
    }
    tokio::signal::ctrl_c().await?;
    sim.stop().await?;
    Ok(())
}

const DEMO_PASSWORD: &str = "demo-password";

fn demo_user(portal: Portal, username: &str) -> UserSpec {
    UserSpec { policies_pending: portal == Portal::Decisiv, ..UserSpec::new(portal, username, DEMO_PASSWORD) }
}

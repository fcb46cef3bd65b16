//! Argument parsing and dispatch for the `truckiq` binary.

mod accounts;
mod bench;
mod bench_api;
mod bench_crash;
mod bench_delivery;
mod bench_solutions;
mod channels;
mod demo;
mod health;
mod printable;
mod profile;
mod prompt;
mod status;
mod sync;

pub use printable::printable;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use truckiq::app::App;
use truckiq::paths;
use truckiq::secrets::SecretStore;
use truckiq::store::{MIN_SYNC_INTERVAL_MINUTES, PortalKind};
use truckiq::sync::EngineConfig;

/// Something went wrong (the message says what).
pub const EXIT_FAILURE: u8 = 1;
/// A sync finished, but some vehicles could not be read; they kept their stored data.
pub const EXIT_PARTIAL: u8 = 3;
/// A person has to act: the portal refused the password (the account is paused) or asks for a code.
pub const EXIT_NEEDS_PERSON: u8 = 4;
/// Data is stale or a health check failed.
pub const EXIT_STALE: u8 = 5;

const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  failure (the message on stderr says what went wrong)
  2  invalid command-line usage
  3  sync partial: some vehicles could not be read and kept their stored data
  4  a person must act: password refused (account paused) or a verification code needed
  5  check-stale found stale accounts, or health found a problem

Secrets are never taken from the command line: on a terminal they are asked for without echo,
otherwise read from stdin, one line each (password first, then the TOTP secret).";

/// TruckIQ: PACCAR portal fault codes (J1939 SPN/FMI) for your fleet, synced into a local database.
#[derive(Debug, Parser)]
#[command(name = "truckiq", version, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    /// Database file. Defaults to the one the desktop app uses
    /// (the platform data folder, or $TRUCKIQ_DATA_DIR). Browser profiles and kept pages go
    /// next to it.
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
    /// Add, list or remove portal accounts, or change their secrets.
    #[command(subcommand)]
    Accounts(AccountsCommand),
    /// Sync accounts now: those due (not synced within their interval), or all with --force.
    Sync {
        /// Only this account (by name).
        #[arg(long, value_name = "NAME")]
        account: Option<String>,
        /// Sync even accounts that synced within their interval.
        #[arg(long)]
        force: bool,
        /// JSON lines on stdout (alerts and one result per account) instead of text.
        #[arg(long)]
        json: bool,
        /// Diagnostics pages read at once (default: as in Settings, else 4).
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=16))]
        concurrency: Option<u16>,
        /// Read every truck's faults, also those the portal marks unchanged (PACCAR Solutions).
        #[arg(long)]
        full: bool,
    },
    /// Raise a stale_data alert for accounts without a successful sync for too long.
    CheckStale {
        /// Hours without a successful sync (default: as in Settings, else 23).
        #[arg(long, value_parser = clap::value_parser!(u32).range(0..=720))]
        hours: Option<u32>,
        #[arg(long)]
        json: bool,
    },
    /// Check the browser, database, keychain, recent failures and stale accounts.
    Health,
    /// Sync a simulated fleet (an in-process portal simulator) into a "Demo fleet" account.
    Demo {
        #[arg(long, default_value_t = 40)]
        vehicles: usize,
        /// Do nothing when the database already has an account (for first-run scripts).
        #[arg(long)]
        if_empty: bool,
    },
    /// Show a portal profile, or check what it finds on the portal's pages.
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// Add, list, test or remove alert channels (webhooks, Slack, Teams, Discord, ntfy, e-mail).
    #[command(subcommand)]
    Channels(ChannelsCommand),
    /// What the alert channels are still to be sent (with --all, also what was sent or given up).
    Outbox {
        #[arg(long)]
        all: bool,
    },
    /// Print the database path this command would use (for scripts).
    DbPath,
    /// Measure performance and print the figures.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Debug, Subcommand)]
enum AccountsCommand {
    /// Add a portal account; asks for its password (and TOTP secret with --totp).
    Add {
        #[arg(long)]
        name: String,
        /// Which portal (listed below; the old names paccar and decisiv work too). For decisiv_api a
        /// browser window opens for you to sign in, then every SRM account it reaches, or those
        /// given with --srm-account, is added.
        #[arg(long, value_parser = PortalParser, default_value = "paccar_solutions")]
        portal: PortalKind,
        /// The portal's address, e.g. https://paccarsolutions.com; for decisiv_api the API's
        /// (default https://srm-api.decisivapps.com).
        #[arg(long)]
        url: Option<String>,
        /// The portal login (not for decisiv_api).
        #[arg(long)]
        username: Option<String>,
        /// decisiv_api: the client id Decisiv registered TruckIQ under.
        #[arg(long)]
        client_id: Option<String>,
        /// decisiv_api: also ask for the client secret, where Decisiv gave one.
        #[arg(long)]
        client_secret: bool,
        /// decisiv_api: the authorization server (default https://login.decisiv.net).
        #[arg(long)]
        login_url: Option<String>,
        /// decisiv_api: sync only this SRM account (repeat for several).
        #[arg(long = "srm-account", value_name = "ID")]
        srm_accounts: Vec<String>,
        /// Minutes between scheduled syncs (at least 15).
        #[arg(long, default_value_t = 240, value_parser = clap::value_parser!(u32).range(i64::from(MIN_SYNC_INTERVAL_MINUTES)..))]
        interval_minutes: u32,
        /// Also ask for the TOTP secret (authenticator app) so codes are answered automatically.
        #[arg(long)]
        totp: bool,
        /// Leave the portal's "trust this device" unticked and keep no browser profile between
        /// runs (portals with MFA then ask at every sign-in).
        #[arg(long)]
        no_trust_device: bool,
    },
    /// List accounts with their state and last run.
    List,
    /// Delete an account with its data, keychain entries and browser profile.
    Remove { name: String },
    /// Save a new password; a paused account resumes.
    SetPassword { name: String },
    /// Save (or, with an empty line, remove) the TOTP secret.
    SetTotp { name: String },
    /// Leave an account out of scheduled syncs (it can still be synced with `sync --account`).
    Pause { name: String },
    /// Include a paused account in scheduled syncs again.
    Resume { name: String },
    /// Whether TruckIQ ticks the portal's "trust this device" and keeps the account's browser
    /// profile between runs (`on`, the default) or keeps nothing of the portal on disk (`off`).
    TrustDevice {
        name: String,
        #[arg(value_parser = ["on", "off"])]
        choice: String,
    },
    /// Sign in once to check the saved credentials.
    Test { name: String },
    /// Authorize a Decisiv API account again after the API refused it (a browser window opens for
    /// you to sign in); every account of its authorization resumes.
    Reauthorize { name: String },
    /// Read an account with its own portal profile file (see docs/PROFILES.md), or, without FILE,
    /// with its portal kind's profile again.
    SetProfile { name: String, file: Option<PathBuf> },
}

#[derive(Debug, Subcommand)]
enum ChannelsCommand {
    /// Add a channel. Its URL (and token or SMTP password) is asked for, or read from stdin one
    /// per line, and kept in the system keychain.
    Add(channels::AddChannel),
    List,
    /// Send a test message now and print what the channel answered (exit code 1 if not delivered).
    Test {
        name: String,
    },
    /// A channel's delivery log: each message and every attempt.
    Log {
        name: String,
    },
    /// Stop sending new alerts to a channel; what is already waiting still goes.
    Pause {
        name: String,
    },
    Resume {
        name: String,
    },
    Remove {
        name: String,
    },
}

#[derive(Debug, Subcommand)]
enum ProfileCommand {
    /// Print the effective profile: the built-in one with its comments, and every key your
    /// override file (or the account's own file) sets.
    Show {
        #[arg(long, value_parser = PortalParser, default_value = "trucktech")]
        portal: PortalKind,
        /// The profile this account reads with (its own file, if it has one).
        #[arg(long, value_name = "NAME")]
        account: Option<String>,
    },
    /// Sign in and show what the profile finds on a vehicle-list page and three trucks' pages:
    /// per field where it looked, how many rows matched and sample values, and every row that
    /// failed. Nothing is written to the database. Exit code 1 when anything did not fit.
    Check {
        #[arg(long, value_name = "NAME", required_unless_present = "html")]
        account: Option<String>,
        /// Read this saved page (or, for PACCAR Solutions, a kept JSON answer) instead, e.g. one a
        /// failed run kept; offline.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        /// With --html and no --account: the portal kind whose profile to read it with.
        #[arg(long, value_parser = PortalParser, default_value = "trucktech")]
        portal: PortalKind,
        /// The report as JSON on stdout instead of tables.
        #[arg(long)]
        json: bool,
    },
}

/// Reads `--portal`, and lists the portals in `--help` with the names the window and the first-run
/// text use ([`truckiq::portal_kinds::choices`]), so the three never disagree.
#[derive(Debug, Clone, Copy)]
struct PortalParser;

impl clap::builder::TypedValueParser for PortalParser {
    type Value = PortalKind;

    fn parse_ref(
        &self,
        _command: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<PortalKind, clap::Error> {
        let text = value.to_str().ok_or_else(|| clap::Error::new(clap::error::ErrorKind::InvalidUtf8))?;
        PortalKind::from_name(text)
            .map_err(|e| clap::Error::raw(clap::error::ErrorKind::InvalidValue, format!("{e}\n")))
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(truckiq::portal_kinds::choices().into_iter().map(|choice| {
            clap::builder::PossibleValue::new(choice.kind.as_str()).help(choice.label).aliases(choice.kind.aliases())
        })))
    }
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
        /// Which portal: trucktech (server-rendered pages), paccar-solutions (the app and its JSON
        /// gateway, in both reading modes) or decisiv-api (the SRM Gateway API); the last two run
        /// under scripts/with-keyring.sh.
        #[arg(long, default_value = "trucktech", value_parser = PortalParser)]
        layout: PortalKind,
    },
    /// Upsert vehicles and fault episodes into a fresh database file.
    Store {
        #[arg(long, default_value_t = 10_000)]
        vehicles: usize,
        #[arg(long, default_value_t = 10)]
        faults_per_vehicle: usize,
        /// Keep the database written, at this path (e.g. to benchmark the app on a large fleet).
        #[arg(long, value_name = "PATH")]
        keep: Option<PathBuf>,
    },
    /// The Vehicles first page and the fleet summary while a large sync writes, with and without
    /// the read pool.
    Reads {
        #[arg(long, default_value_t = 10_000)]
        vehicles: usize,
        #[arg(long, default_value_t = 10)]
        faults_per_vehicle: usize,
        /// Syncs written one after another while the reads are timed.
        #[arg(long, default_value_t = 3)]
        writes: usize,
    },
    /// SIGKILL a real `truckiq sync` at random points of its sign-in, extraction and write, and
    /// check the database, the stored data, Chromium and the next run after each kill (needs a
    /// keychain, e.g. scripts/with-keyring.sh).
    Crash {
        #[arg(long, default_value_t = 50)]
        runs: usize,
        #[arg(long, default_value_t = 200)]
        vehicles: usize,
        /// Simulated latency per page.
        #[arg(long, default_value_t = 20)]
        latency_ms: u64,
    },
    /// Alerts from many sync runs delivered to three channels (webhook, Slack, ntfy) against local
    /// receivers: deliveries per second, commit-to-receipt latency (needs a keychain).
    Delivery {
        #[arg(long, default_value_t = 100)]
        runs: usize,
        #[arg(long, default_value_t = 10)]
        alerts_per_run: usize,
        /// Between two runs' commits; 0 commits them back to back.
        #[arg(long, default_value_t = 0)]
        interval_ms: u64,
    },
    /// One end-to-end sync of a simulated fleet (needs a keychain, e.g. scripts/with-keyring.sh).
    Sync {
        #[arg(long, default_value_t = 500)]
        vehicles: usize,
        #[arg(long, default_value_t = 150)]
        latency_ms: u64,
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
    },
}

fn open_app(db_path: PathBuf, concurrency: Option<usize>) -> anyhow::Result<App> {
    let data_dir = db_path.parent().map(PathBuf::from).unwrap_or_default();
    let mut config = EngineConfig::new(db_path, data_dir);
    config.concurrency_override = concurrency;
    Ok(App::open(config, SecretStore::default())?)
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let db_path = match cli.db {
        Some(path) => path,
        None => paths::default_db_path()
            .context("no home folder to keep the database in; pass --db PATH or set TRUCKIQ_DATA_DIR")?,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let out = &mut printable::Printable(std::io::stdout().lock());
    let code = runtime.block_on(async {
        let done = |result: anyhow::Result<()>| result.map(|()| 0u8);
        let app = || open_app(db_path.clone(), None);
        match cli.command {
            Command::Status => done(status::print(&app()?, out).await),
            Command::Accounts(command) => done(run_accounts(&app()?, command, out).await),
            Command::Sync { account, force, json, concurrency, full } => {
                let app = open_app(db_path.clone(), concurrency.map(usize::from))?;
                sync::sync(&app, sync::SyncArgs { account, force, json, full }, out).await
            }
            Command::CheckStale { hours, json } => sync::check_stale(&app()?, hours, json, out).await,
            Command::Health => health::print(&app()?, out).await,
            Command::Demo { vehicles, if_empty } => {
                let app = app()?;
                if if_empty && !app.list_accounts().await?.is_empty() {
                    Ok(0)
                } else {
                    demo::demo(&app, vehicles, out).await
                }
            }
            Command::Profile(ProfileCommand::Show { portal, account }) => {
                done(profile::show(&app()?, portal, account.as_deref(), out).await)
            }
            Command::Profile(ProfileCommand::Check { account, html, portal, json }) => {
                let args = profile::CheckArgs { account: account.as_deref(), html: html.as_deref(), portal, json };
                profile::check(&app()?, &args, out).await
            }
            Command::Channels(command) => run_channels(&app()?, command, out).await,
            Command::Outbox { all } => done(channels::outbox(&app()?, all, out).await),
            Command::DbPath => {
                writeln!(out, "{}", db_path.display())?;
                Ok(0)
            }
            Command::Bench(bench) => done(run_bench(bench, out).await),
        }
    })?;
    Ok(ExitCode::from(code))
}

async fn run_accounts(app: &App, command: AccountsCommand, out: &mut impl std::io::Write) -> anyhow::Result<()> {
    match command {
        AccountsCommand::Add {
            name,
            portal: PortalKind::DecisivApi,
            url,
            client_id,
            client_secret,
            login_url,
            srm_accounts,
            interval_minutes,
            ..
        } => {
            let login = accounts::AddApiLogin {
                name,
                url,
                client_id,
                client_secret,
                login_url,
                srm_accounts,
                interval_minutes,
            };
            accounts::add_api(app, login, out).await
        }
        AccountsCommand::Add { name, portal, url, username, interval_minutes, totp, no_trust_device, .. } => {
            let url = url.context("give the portal's address with --url")?;
            let username = username.context("give the portal login with --username")?;
            let trust_device = !no_trust_device;
            let add = accounts::AddAccount { name, portal, url, username, interval_minutes, totp, trust_device };
            accounts::add(app, add, out).await
        }
        AccountsCommand::List => status::print(app, out).await,
        AccountsCommand::Remove { name } => accounts::remove(app, &name, out).await,
        AccountsCommand::SetPassword { name } => accounts::set_password(app, &name, out).await,
        AccountsCommand::SetTotp { name } => accounts::set_totp(app, &name, out).await,
        AccountsCommand::Pause { name } => accounts::set_enabled(app, &name, false, out).await,
        AccountsCommand::Resume { name } => accounts::set_enabled(app, &name, true, out).await,
        AccountsCommand::TrustDevice { name, choice } => {
            accounts::set_trust_device(app, &name, choice == "on", out).await
        }
        AccountsCommand::Test { name } => accounts::test_sign_in(app, &name, out).await,
        AccountsCommand::Reauthorize { name } => accounts::reauthorize(app, &name, out).await,
        AccountsCommand::SetProfile { name, file } => accounts::set_profile(app, &name, file.as_deref(), out).await,
    }
}

async fn run_channels(app: &App, command: ChannelsCommand, out: &mut impl std::io::Write) -> anyhow::Result<u8> {
    match command {
        ChannelsCommand::Add(add) => channels::add(app, add, out).await.map(|()| 0),
        ChannelsCommand::List => channels::list(app, out).await.map(|()| 0),
        ChannelsCommand::Test { name } => channels::test(app, &name, out).await,
        ChannelsCommand::Log { name } => channels::log(app, &name, out).await.map(|()| 0),
        ChannelsCommand::Pause { name } => channels::set_enabled(app, &name, false, out).await.map(|()| 0),
        ChannelsCommand::Resume { name } => channels::set_enabled(app, &name, true, out).await.map(|()| 0),
        ChannelsCommand::Remove { name } => channels::remove(app, &name, out).await.map(|()| 0),
    }
}

async fn run_bench(command: BenchCommand, out: &mut impl std::io::Write) -> anyhow::Result<()> {
    match command {
        BenchCommand::Extract { vehicles, latency_ms, concurrency, http1, navigate, layout } => match layout {
            PortalKind::TruckTech => {
                let bench = bench::ExtractBench { vehicles, latency_ms, concurrency, tls: !http1, navigate };
                bench::extract_bench(&bench, out).await
            }
            PortalKind::PaccarSolutions => {
                let bench = bench_solutions::SolutionsBench { vehicles, latency_ms, concurrency, tls: !http1 };
                bench_solutions::bench(&bench, out).await
            }
            PortalKind::DecisivApi => {
                let bench = bench_api::ApiBench { vehicles, latency_ms, concurrency };
                bench_api::bench(&bench, out).await
            }
            other => {
                anyhow::bail!("no extraction benchmark for {other}; use trucktech, paccar-solutions or decisiv-api")
            }
        },
        BenchCommand::Store { vehicles, faults_per_vehicle, keep } => {
            bench::store_bench(vehicles, faults_per_vehicle, keep.as_deref(), out)
        }
        BenchCommand::Reads { vehicles, faults_per_vehicle, writes } => {
            bench::reads_bench(vehicles, faults_per_vehicle, writes, out).await
        }
        BenchCommand::Delivery { runs, alerts_per_run, interval_ms } => {
            bench_delivery::bench(&bench_delivery::DeliveryBench { runs, alerts_per_run, interval_ms }, out).await
        }
        BenchCommand::Sync { vehicles, latency_ms, concurrency } => {
            bench::sync_bench(vehicles, latency_ms, concurrency, out).await
        }
        BenchCommand::Crash { runs, vehicles, latency_ms } => {
            bench_crash::crash_bench(&bench_crash::CrashBench { runs, vehicles, latency_ms }, out).await
        }
    }
}

pub fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    truckiq::logging::init(default, truckiq::logging::CLI_LOG);
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::*;

    #[test]
    fn the_portal_option_names_every_portal_as_the_window_does() {
        let mut command = Cli::command();
        let add = command
            .find_subcommand_mut("accounts")
            .and_then(|accounts| accounts.find_subcommand_mut("add"))
            .expect("accounts add");
        let help = add.render_long_help().to_string();
        for choice in truckiq::portal_kinds::choices() {
            let named =
                |line: &str| line.contains(&format!("- {}:", choice.kind.as_str())) && line.ends_with(&choice.label);
            assert!(help.lines().any(named), "{} is not listed as {:?}: {help}", choice.kind.as_str(), choice.label);
        }
        let refused =
            Cli::try_parse_from(["truckiq", "accounts", "add", "--name", "x", "--portal", "peterbilt"]).unwrap_err();
        assert!(
            refused.to_string().contains("unknown portal \"peterbilt\"; choose one of paccar_solutions"),
            "{refused}"
        );
        let old = Cli::try_parse_from(["truckiq", "accounts", "add", "--name", "x", "--portal", "paccar"]);
        assert!(old.is_ok(), "the old name still works: {:?}", old.err());
    }
}

//! `truckiq bench extract --layout decisiv-api`: the Decisiv SRM API client against the
//! simulator's published API, at several concurrencies, with the floor the latency allows. Needs a
//! keychain (the grant's refresh token is kept there): run it under scripts/with-keyring.sh.

use std::sync::Arc;
use std::time::{Duration, Instant};

use portal_sim::api::{ApiClientSpec, ApiUserSpec, Module};
use portal_sim::{Scenario, SimConfig, Simulator};
use truckiq::browser::BrowserOptions;
use truckiq::connector::{Connector, ReadContext};
use truckiq::decisiv_api::client::Api;
use truckiq::decisiv_api::grant::GrantTokens;
use truckiq::decisiv_api::oauth::{self, OAuthApp};
use truckiq::decisiv_api::simulated::SimulatedPerson;
use truckiq::decisiv_api::{DecisivApiConnector, ReadPlan, SIGN_IN_WAIT, plan, srm_accounts};
use truckiq::portal::profile::Words;
use truckiq::portal::run::RunMode;
use truckiq::secrets::SecretStore;
use truckiq::store::IncrementalState;

const USER: &str = "bench-api@fleet.example";
const PASSWORD: &str = "Bench-2026!";
const CLIENT: &str = "truckiq-bench";

pub struct ApiBench {
    pub vehicles: usize,
    pub latency_ms: u64,
    pub concurrency: Vec<usize>,
}

/// What one read asked of the API, and where a read of changes after it starts.
struct Counted {
    wall: Duration,
    asset_pages: usize,
    fault_pages: usize,
    case_pages: usize,
    /// Every call: lists, readings and single faults.
    requests: usize,
    after: IncrementalState,
}

pub async fn bench(bench: &ApiBench, out: &mut impl std::io::Write) -> anyhow::Result<()> {
    let sim = Simulator::start(SimConfig { vehicles: bench.vehicles, seed: 500, ..SimConfig::default() }).await?;
    let spec =
        ApiClientSpec { client_id: CLIENT.into(), client_secret: None, redirect_hosts: vec!["127.0.0.1".into()] };
    sim.state().api.add_client(spec).map_err(anyhow::Error::msg)?;
    let modules = vec![Module::AccountManagement, Module::AssetManagement, Module::Telematics];
    let user = ApiUserSpec { username: USER.into(), password: PASSWORD.into(), modules, account_name: None };
    sim.state().api.add_user(user).map_err(anyhow::Error::msg)?;
    let dir = tempfile::tempdir()?;
    let base = sim.base_url();
    let app = OAuthApp { client_id: CLIENT.into(), client_secret: None, login_url: format!("{base}/decisiv-login") };
    let secrets = SecretStore::with_service(format!("com.truckiq.fleet.bench-api-{}", std::process::id()));
    let timeout = Duration::from_secs(60);
    let grant = Arc::new(GrantTokens::new(uuid::Uuid::new_v4(), app.clone(), secrets));
    let http = oauth::http_client(timeout, None)?;
    let person = SimulatedPerson {
        username: USER.into(),
        password: PASSWORD.into(),
        browser: BrowserOptions::default(),
        profile_dir: dir.path().join("sign-in"),
        cancels: false,
    };
    grant.adopt(oauth::authorize(&app, &http, &person, SIGN_IN_WAIT).await?).await?;
    let api_url = format!("{base}/srm-api");
    let srm = srm_accounts(&Api::new(&api_url, Arc::clone(&grant), http.clone())).await?;
    let srm_account_id = srm.first().map(|a| a.id.clone()).ok_or_else(|| anyhow::anyhow!("no SRM account"))?;
    sim.state()
        .set_scenario(Scenario { latency_ms: bench.latency_ms, ..Scenario::default() })
        .map_err(anyhow::Error::msg)?;

    writeln!(
        out,
        "truckiq bench extract --layout decisiv-api: {} trucks, {} ms simulated latency per response, HTTP/1.1",
        bench.vehicles, bench.latency_ms
    )?;
    writeln!(
        out,
        "{:>11} {:>8} {:>8} {:>8} {:>6} {:>14}",
        "concurrency", "requests", "wall", "floor", "ratio", "no-change sync"
    )?;
    let latency = Duration::from_millis(bench.latency_ms);
    for &concurrency in &bench.concurrency {
        let connector = |plan: ReadPlan| -> anyhow::Result<DecisivApiConnector> {
            Ok(DecisivApiConnector {
                api: Api::new(&api_url, Arc::clone(&grant), http.clone()),
                srm_account_id: srm_account_id.clone(),
                words: Words::shared()?,
                concurrency,
                plan,
            })
        };
        let first = read(&sim, &connector(ReadPlan::default())?).await?;
        // Nothing changed in between: what a scheduled sync reads (the changes) when the fleet is
        // as it was.
        let again = read(&sim, &connector(plan(first.after.clone()))?).await?;
        let requests = first.requests;
        // The floor: the calls spread over the concurrency, or the longest chain of pages that must
        // wait for each other (totals are null, so each list's pages chain), whichever is longer.
        let longest = first.asset_pages.max(first.fault_pages).max(first.case_pages);
        let chain = if concurrency >= 2 { longest } else { requests };
        let spread = latency.mul_f64(requests as f64 / concurrency.max(1) as f64);
        let floor = spread.max(latency * u32::try_from(chain).unwrap_or(u32::MAX));
        writeln!(
            out,
            "{concurrency:>11} {requests:>8} {:>7.2}s {:>7.2}s {:>6.2} {:>7.2}s ({} requests)",
            first.wall.as_secs_f64(),
            floor.as_secs_f64(),
            first.wall.as_secs_f64() / floor.as_secs_f64(),
            again.wall.as_secs_f64(),
            again.requests,
        )?;
    }
    Ok(())
}

async fn read(sim: &Simulator, connector: &DecisivApiConnector) -> anyhow::Result<Counted> {
    let since = sim.state().requests(0).last().map_or(0, |e| e.seq);
    let (progress, _steps) = tokio::sync::mpsc::unbounded_channel();
    let started = Instant::now();
    let read = connector.read_fleet(ReadContext { mode: RunMode::Scheduled, progress: &progress }).await?;
    let wall = started.elapsed();
    anyhow::ensure!(!read.vehicles.is_empty(), "the read found no trucks");
    let log = sim.state().requests(since);
    let count = |part: &str| log.iter().filter(|e| e.path.contains(part)).count();
    let after = IncrementalState {
        vins: read.vehicles.iter().map(|v| v.vehicle.vin.clone()).collect(),
        changes_since: read.changes_since.clone(),
        ..IncrementalState::default()
    };
    Ok(Counted {
        wall,
        asset_pages: count("/registered_assets"),
        fault_pages: count("/v1/faults?"),
        case_pages: count("/v1/cases?"),
        requests: count("/srm-api/"),
        after,
    })
}

//! `truckiq bench extract --layout paccar-solutions`: the PACCAR Solutions connector against the
//! simulated app and gateway, in both reading modes, at several concurrencies. Needs a keychain
//! (the token is kept there between runs, as in real use): run it under scripts/with-keyring.sh.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use portal_sim::{Portal, Scenario, SimConfig, Simulator, UserSpec};
use truckiq::browser::BrowserOptions;
use truckiq::connector::{Connector, ReadContext, TruckFaults};
use truckiq::ids::AccountUid;
use truckiq::portal::login::Credentials;
use truckiq::portal::run::{RunMode, SessionVault};
use truckiq::secrets::{SecretStore, Sensitive};
use truckiq::solutions::{ReadMode, ReadPlan, SolutionsConnector, SolutionsProfile};

use super::bench::chromium_pss;

const USER: &str = "bench@fleet.example";
const PASSWORD: &str = "Bench-2026!";

pub struct SolutionsBench {
    pub vehicles: usize,
    pub latency_ms: u64,
    pub concurrency: Vec<usize>,
    pub tls: bool,
}

struct Row {
    sign_in: Duration,
    requests: usize,
    extraction: Duration,
    floor: Duration,
    end_to_end: Duration,
    resync: Duration,
    peak_pss: Option<u64>,
}

pub async fn bench(bench: &SolutionsBench, out: &mut impl std::io::Write) -> anyhow::Result<()> {
    writeln!(
        out,
        "truckiq bench extract --layout paccar-solutions: {} vehicles, {} ms simulated latency per response, {}",
        bench.vehicles,
        bench.latency_ms,
        if bench.tls { "HTTPS + HTTP/2" } else { "HTTP/1.1" },
    )?;
    writeln!(
        out,
        "{:>6} {:>11} {:>8} {:>8} {:>10} {:>8} {:>6} {:>10} {:>8} {:>8} {:>12}",
        "mode",
        "concurrency",
        "sign-in",
        "requests",
        "extraction",
        "floor",
        "ratio",
        "end-to-end",
        "re-sync",
        "re/full",
        "Chromium PSS"
    )?;
    for &concurrency in &bench.concurrency {
        for mode in [ReadMode::Page, ReadMode::Direct] {
            let row = run_once(bench, mode, concurrency).await?;
            let secs = |d: Duration| d.as_secs_f64();
            writeln!(
                out,
                "{:>6} {concurrency:>11} {:>7.1}s {:>8} {:>9.1}s {:>7.1}s {:>6.2} {:>9.1}s {:>7.1}s {:>8.2} {:>12}",
                if mode == ReadMode::Page { "page" } else { "direct" },
                secs(row.sign_in),
                row.requests,
                secs(row.extraction),
                secs(row.floor),
                secs(row.extraction) / secs(row.floor),
                secs(row.end_to_end),
                secs(row.resync),
                secs(row.resync) / secs(row.extraction),
                row.peak_pss.map_or_else(|| "closed".to_owned(), |b| format!("{:.0} MiB", b as f64 / 1048576.0)),
            )?;
        }
    }
    writeln!(
        out,
        "requests: what the read sends the gateway, preflights included; floor = requests × latency ÷ concurrency;\n\
         extraction: a read with the saved token (page mode launches Chromium for it); end-to-end: sign-in and read;\n\
         re-sync: a read when nothing changed. Targets at concurrency 8: ratio ≤ 1.15, page-mode PSS < 500 MiB, re/full ≤ 0.3"
    )?;
    Ok(())
}

async fn run_once(bench: &SolutionsBench, mode: ReadMode, concurrency: usize) -> anyhow::Result<Row> {
    let sim =
        Simulator::start(SimConfig { vehicles: bench.vehicles, seed: 500, tls: bench.tls, ..SimConfig::default() })
            .await?;
    sim.state().add_user(UserSpec::new(Portal::PaccarSolutions, USER, PASSWORD)).map_err(anyhow::Error::msg)?;
    sim.state()
        .set_scenario(Scenario { latency_ms: bench.latency_ms, ..Scenario::default() })
        .map_err(anyhow::Error::msg)?;
    let dir = tempfile::tempdir()?;
    let mut profile = SolutionsProfile::builtin()?;
    profile.reading.mode = mode;
    let vault = SessionVault {
        secrets: SecretStore::with_service(format!("com.truckiq.fleet.bench-{}", std::process::id())),
        owner: AccountUid::new().into(),
    };
    let mut connector = SolutionsConnector {
        base_url: sim.portal_url(Portal::PaccarSolutions),
        profile,
        credentials: Credentials {
            username: USER.into(),
            password: Sensitive::from(PASSWORD),
            totp: None,
            trust_device: true,
        },
        vault: vault.clone(),
        browser: BrowserOptions {
            trusted_spki: sim.certificate().map(|c| c.spki_sha256().to_owned()).into_iter().collect(),
            trusted_der: sim.certificate().map(|c| c.der().to_vec()).into_iter().collect(),
            ..BrowserOptions::default()
        },
        profile_dir: dir.path().join("profile"),
        artifacts_dir: dir.path().join("artifacts"),
        plan: ReadPlan { concurrency, full: true, ..ReadPlan::default() },
    };
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let context = ReadContext { mode: RunMode::Scheduled, progress: &tx };
    let result = async {
        let started = Instant::now();
        connector.sign_in(context).await?;
        let sign_in = started.elapsed();

        let gateway = sim.solutions().gateway.rsplit("//").next().unwrap_or_default().to_owned();
        let since = sim.state().requests(0).last().map_or(0, |e| e.seq);
        let sampling = Arc::new(AtomicBool::new(true));
        let sampler = {
            let (sampling, profile_dir) = (Arc::clone(&sampling), connector.profile_dir.clone());
            tokio::task::spawn_blocking(move || {
                let mut peak = 0;
                while sampling.load(Ordering::SeqCst) {
                    peak = peak.max(chromium_pss(&profile_dir));
                    std::thread::sleep(Duration::from_millis(200));
                }
                peak
            })
        };
        let started = Instant::now();
        let read = connector.read_fleet(context).await?;
        let extraction = started.elapsed();
        sampling.store(false, Ordering::SeqCst);
        let peak = sampler.await?;
        let read_all = read.vehicles.iter().all(|v| matches!(v.faults, TruckFaults::Read(_)));
        anyhow::ensure!(read.vehicles.len() == bench.vehicles && read_all, "the read did not read every vehicle");
        let requests = sim.state().requests(since).iter().filter(|e| e.host == gateway).count();
        let floor = Duration::from_millis(bench.latency_ms) * requests as u32 / concurrency as u32;

        let known =
            read.vehicles.iter().filter_map(|v| Some((v.vehicle.vin.clone(), v.vehicle.portal_timestamp.clone()?)));
        connector.plan = ReadPlan { known: known.collect(), full: false, concurrency };
        let started = Instant::now();
        let again = connector.read_fleet(context).await?;
        let resync = started.elapsed();
        anyhow::ensure!(
            again.vehicles.iter().all(|v| v.faults == TruckFaults::Unchanged),
            "a re-sync with nothing changed read faults"
        );

        vault.clear()?;
        connector.plan = ReadPlan { concurrency, full: true, ..ReadPlan::default() };
        let started = Instant::now();
        connector.read_fleet(context).await?;
        let end_to_end = started.elapsed();
        let peak_pss = (mode == ReadMode::Page).then_some(peak);
        Ok::<_, anyhow::Error>(Row { sign_in, requests, extraction, floor, end_to_end, resync, peak_pss })
    }
    .await;
    let _ = vault.clear();
    sim.stop().await?;
    result
}

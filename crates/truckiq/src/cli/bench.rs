//! `truckiq bench`: measurements that print figures (recorded in docs/BENCHMARKS.md).

use std::path::Path;
use std::time::{Duration, Instant};

use portal_sim::{Portal, Scenario, SimConfig, Simulator, UserSpec};
use truckiq::browser::{BrowserOptions, BrowserSession};
use truckiq::portal::extract::{ExtractOptions, PortalSite, extract};
use truckiq::portal::login::{Credentials, TotpLedger};
use truckiq::portal::profile::{Profile, ReadWith};
use truckiq::secrets::Sensitive;
use truckiq::store::PortalKind;

const USER: &str = "bench@fleet.example";

/// Proportional set size of every process started on `profile_dir` (Chromium and its helpers), in
/// bytes: summed RSS would count shared pages once per process.
pub(super) fn chromium_pss(profile_dir: &Path) -> u64 {
    truckiq::browser::profile_processes(profile_dir)
        .into_iter()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok())
        .filter_map(|rollup| {
            let line = rollup.lines().find(|l| l.starts_with("Pss:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kb| kb * 1024)
        })
        .sum()
}

pub struct ExtractBench {
    pub vehicles: usize,
    pub latency_ms: u64,
    pub concurrency: Vec<usize>,
    /// HTTPS with HTTP/2, as real portals; otherwise plain HTTP/1.1.
    pub tls: bool,
    /// Diagnostics by navigating tabs instead of the profile's in-page fetch.
    pub navigate: bool,
}

pub async fn extract_bench(bench: &ExtractBench, out: &mut impl std::io::Write) -> anyhow::Result<()> {
    writeln!(
        out,
        "truckiq bench extract: {} vehicles, {} ms simulated latency per page, TruckTech+ layout, {}, diagnostics by {}",
        bench.vehicles,
        bench.latency_ms,
        if bench.tls { "HTTPS + HTTP/2" } else { "HTTP/1.1" },
        if bench.navigate { "navigating tabs" } else { "in-page fetch" },
    )?;
    writeln!(
        out,
        "{:>11} {:>7} {:>10} {:>10} {:>7} {:>16}",
        "concurrency", "pages", "wall", "floor", "ratio", "Chromium PSS peak"
    )?;
    for &concurrency in &bench.concurrency {
        let row = run_once(bench, concurrency).await?;
        writeln!(
            out,
            "{concurrency:>11} {:>7} {:>9.1}s {:>9.1}s {:>7.2} {:>13.0} MiB",
            row.pages,
            row.wall.as_secs_f64(),
            row.floor.as_secs_f64(),
            row.wall.as_secs_f64() / row.floor.as_secs_f64(),
            row.peak_pss as f64 / (1024.0 * 1024.0)
        )?;
    }
    writeln!(out, "floor = pages × latency ÷ concurrency; targets at concurrency 8: ratio ≤ 1.3, PSS < 800 MiB")?;
    Ok(())
}

struct Row {
    pages: usize,
    wall: Duration,
    floor: Duration,
    peak_pss: u64,
}

async fn run_once(bench: &ExtractBench, concurrency: usize) -> anyhow::Result<Row> {
    let sim =
        Simulator::start(SimConfig { vehicles: bench.vehicles, seed: 500, tls: bench.tls, ..SimConfig::default() })
            .await?;
    sim.state().add_user(UserSpec::new(Portal::Paccar, USER, "bench")).map_err(anyhow::Error::msg)?;
    sim.state()
        .set_scenario(Scenario { latency_ms: bench.latency_ms, ..Scenario::default() })
        .map_err(anyhow::Error::msg)?;
    let dir = tempfile::tempdir()?;
    let profile_dir = dir.path().join("profile");
    let mut profile = Profile::builtin(PortalKind::TruckTech)?;
    if bench.navigate {
        profile.reading.diagnostics = ReadWith::Navigate;
    }
    let browser_options = BrowserOptions {
        trusted_spki: sim.certificate().map(|c| c.spki_sha256().to_owned()).into_iter().collect(),
        ..BrowserOptions::default()
    };
    let credentials =
        Credentials { username: USER.into(), password: Sensitive::from("bench"), totp: None, trust_device: true };
    let ledger = TotpLedger::default();
    let base = sim.portal_url(Portal::Paccar);
    let site = PortalSite { base_url: &base, profile: &profile, credentials: &credentials, ledger: &ledger };
    let options = ExtractOptions { concurrency, artifacts_dir: dir.path().join("artifacts") };
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();

    let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let (sampling, profile_dir) = (std::sync::Arc::clone(&sampling), profile_dir.clone());
        tokio::task::spawn_blocking(move || {
            let mut peak = 0;
            while sampling.load(std::sync::atomic::Ordering::SeqCst) {
                peak = peak.max(chromium_pss(&profile_dir));
                std::thread::sleep(Duration::from_millis(200));
            }
            peak
        })
    };
    let started = Instant::now();
    let extraction = BrowserSession::with(&browser_options, &profile_dir, async |browser| {
        extract(browser, &site, &options, &tx).await
    })
    .await?;
    let wall = started.elapsed();
    sampling.store(false, std::sync::atomic::Ordering::SeqCst);
    let peak_pss = sampler.await?;
    let failed = extraction.vehicles.iter().filter(|v| v.diagnostics.is_err()).count();
    anyhow::ensure!(extraction.vehicles.len() == bench.vehicles && failed == 0, "the run did not read every vehicle");
    let pages = sim.state().requests(0).len();
    let floor = Duration::from_millis(bench.latency_ms) * pages as u32 / concurrency as u32;
    sim.stop().await?;
    Ok(Row { pages, wall, floor, peak_pss })
}

/// A fleet of `vehicles` trucks with `faults_per_vehicle` active faults each, as a sync reports it.
fn synthetic_fleet(vehicles: usize, faults_per_vehicle: usize) -> Vec<truckiq::store::VehicleObservation> {
    use truckiq::j1939::Severity;
    use truckiq::store::{FaultObservation, VehicleObservation, VehicleSnapshot};
    (0..vehicles)
        .map(|i| VehicleObservation {
            vehicle: VehicleSnapshot {
                vin: format!("1XKYD49X0NJ{i:06}"),
                unit_number: Some(i.to_string()),
                model_year: Some(2022),
                make: Some("Kenworth".into()),
                model: Some("T680".into()),
                odometer_mi: Some(100_000.0 + i as f64),
                engine_hours: Some(2_500.0),
                ..VehicleSnapshot::default()
            },
            faults: truckiq::store::ObservedFaults::Read(
                (0..faults_per_vehicle)
                    .map(|f| FaultObservation {
                        source_address: 0,
                        spn: 100 + f as u32,
                        fmi: (f % 32) as u8,
                        description: Some("Engine Oil Pressure - Below Normal".into()),
                        severity: Severity::Major,
                        portal_severity_text: Some("Seek Service Immediately".into()),
                        portal_severity_score: None,
                        derate: false,
                        active: true,
                        first_seen: None,
                        occurrences: Some(1),
                        raw_json: None,
                    })
                    .collect(),
            ),
        })
        .collect()
}

/// A fresh database file holding one account.
fn bench_store(dir: &Path) -> anyhow::Result<(truckiq::store::Store, i64)> {
    use truckiq::store::{NewAccount, PortalKind, Store};
    let store = Store::open(dir.join("bench.sqlite3"))?;
    let account = store.insert_account(&NewAccount {
        name: "Bench".into(),
        portal_kind: PortalKind::TruckTech,
        base_url: "https://paccarsolutions.com".into(),
        username: "bench".into(),
        sync_interval_minutes: 240,
    })?;
    Ok((store, account))
}

/// Upserts `vehicles` vehicles with `faults_per_vehicle` fault episodes each into a fresh database
/// file, in one sync, and reports rows written per second.
pub fn store_bench(
    vehicles: usize,
    faults_per_vehicle: usize,
    keep: Option<&Path>,
    out: &mut impl std::io::Write,
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (mut store, account) = bench_store(dir.path())?;
    let observations = synthetic_fleet(vehicles, faults_per_vehicle);
    let now = chrono::Utc::now();
    let started = Instant::now();
    let first = store.apply_sync(account, now, &observations)?;
    let insert = started.elapsed();
    let started = Instant::now();
    let second = store.apply_sync(account, now + chrono::Duration::hours(4), &observations)?;
    let update = started.elapsed();
    let rows = |o: &truckiq::store::SyncOutcome| o.vehicles + o.readings_added + o.opened.len() + o.extended + o.closed;
    writeln!(
        out,
        "truckiq bench store: {vehicles} vehicles × {faults_per_vehicle} fault episodes, one transaction per sync"
    )?;
    for (name, outcome, took) in [("first sync (inserts)", &first, insert), ("second sync (updates)", &second, update)]
    {
        let rows = rows(outcome);
        writeln!(
            out,
            "{name:<22} {rows:>8} rows {:>8.2} s {:>10.0} rows/s",
            took.as_secs_f64(),
            rows as f64 / took.as_secs_f64()
        )?;
    }
    writeln!(out, "target: ≥ 200000 rows/s")?;
    if let Some(keep) = keep {
        // Closing the connection checkpoints the WAL, so the one file holds everything.
        let path = store.path().to_path_buf();
        drop(store);
        std::fs::copy(&path, keep)?;
        writeln!(out, "database kept at {}", keep.display())?;
    }
    Ok(())
}

/// One end-to-end sync (sign-in, extraction, store, alerts) of a simulated fleet over HTTPS with
/// HTTP/2, with the password in the system keychain as in real use.
pub async fn sync_bench(
    vehicles: usize,
    latency_ms: u64,
    concurrency: usize,
    out: &mut impl std::io::Write,
) -> anyhow::Result<()> {
    use truckiq::portal::run::RunMode;
    use truckiq::secrets::{SecretKind, SecretStore};
    use truckiq::store::{NewAccount, RunTrigger};
    use truckiq::sync::{EngineConfig, SyncEngine};

    let sim = Simulator::start(SimConfig { vehicles, seed: 500, tls: true, ..SimConfig::default() }).await?;
    sim.state().add_user(UserSpec::new(Portal::Paccar, USER, "bench")).map_err(anyhow::Error::msg)?;
    sim.state().set_scenario(Scenario { latency_ms, ..Scenario::default() }).map_err(anyhow::Error::msg)?;
    let dir = tempfile::tempdir()?;
    let mut config = EngineConfig::new(dir.path().join("bench.sqlite3"), dir.path().to_path_buf());
    config.concurrency = concurrency;
    config.browser.trusted_spki = sim.certificate().map(|c| c.spki_sha256().to_owned()).into_iter().collect();
    // Its own keychain namespace: a benchmark never touches the entries of the app's accounts.
    let secrets =
        SecretStore::with_service(format!("{}.bench-{}", truckiq::secrets::service_name(), std::process::id()));
    let engine = SyncEngine::open(config, secrets)?;
    let base_url = sim.portal_url(Portal::Paccar);
    let account = engine
        .db(move |s| {
            s.insert_account(&NewAccount {
                name: "Bench".into(),
                portal_kind: PortalKind::TruckTech,
                base_url,
                username: USER.into(),
                sync_interval_minutes: 240,
            })
        })
        .await?;
    let uid = engine.account(account).await?.uid;
    engine.secrets().set(uid, SecretKind::Password, &Sensitive::from("bench"))?;
    let started = Instant::now();
    let report = engine.sync(account, RunTrigger::Manual, RunMode::Scheduled).await;
    let wall = started.elapsed();
    engine.secrets().delete_all(uid)?;
    let report = report?;
    let pages = sim.state().requests(0).len();
    let floor = Duration::from_millis(latency_ms) * pages as u32 / concurrency as u32;
    sim.stop().await?;
    writeln!(
        out,
        "truckiq bench sync: {vehicles} vehicles, {latency_ms} ms per page, concurrency {concurrency}, HTTPS + HTTP/2"
    )?;
    writeln!(
        out,
        "status {} · {} vehicles stored, {} active faults, {} episodes opened",
        report.status,
        report.outcome.vehicles,
        report.outcome.active.values().sum::<usize>(),
        report.outcome.opened.len()
    )?;
    writeln!(
        out,
        "pages {pages} · wall {:.1} s · floor {:.1} s · ratio {:.2}",
        wall.as_secs_f64(),
        floor.as_secs_f64(),
        wall.as_secs_f64() / floor.as_secs_f64()
    )?;
    Ok(())
}

/// Latencies of one kind of read, in milliseconds.
struct Timings(Vec<f64>);

impl Timings {
    fn percentile(&self, p: f64) -> f64 {
        let mut sorted = self.0.clone();
        sorted.sort_by(f64::total_cmp);
        let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted.get(index).copied().unwrap_or(f64::NAN)
    }
}

/// What the window reads while a sync of `vehicles` trucks writes: the Vehicles table's first page
/// and the fleet summary, each timed through the application layer as its commands call it, once
/// with reads on the writer's connection (as before the read pool) and once with the pool.
pub async fn reads_bench(
    vehicles: usize,
    faults_per_vehicle: usize,
    writes: usize,
    out: &mut impl std::io::Write,
) -> anyhow::Result<()> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use truckiq::app::App;
    use truckiq::secrets::SecretStore;
    use truckiq::store::{READERS, VehicleQuery};
    use truckiq::sync::EngineConfig;

    let dir = tempfile::tempdir()?;
    let (mut store, account) = bench_store(dir.path())?;
    let observations = Arc::new(synthetic_fleet(vehicles, faults_per_vehicle));
    let start = chrono::Utc::now();
    store.apply_sync(account, start, &observations)?;
    let db_path = store.path().to_path_buf();
    drop(store);
    writeln!(
        out,
        "truckiq bench reads: {vehicles} trucks × {faults_per_vehicle} active faults; {writes} syncs of all of them write while the window reads"
    )?;
    writeln!(out, "{:<36} {:>8} {:>9} {:>9} {:>9} {:>10}", "reads", "queries", "p50 ms", "p95 ms", "max ms", "sync s")?;
    for readers in [0, READERS] {
        let mut config = EngineConfig::new(db_path.clone(), dir.path().to_path_buf());
        config.readers = readers;
        // No secret is read or written; the namespace only keeps the handle off the app's.
        let app = Arc::new(App::open(config, SecretStore::with_service("com.truckiq.fleet.bench-reads"))?);
        let writing = Arc::new(AtomicBool::new(true));
        let writer = {
            let (app, observations, writing) = (Arc::clone(&app), Arc::clone(&observations), Arc::clone(&writing));
            tokio::spawn(async move {
                let mut took = Vec::new();
                for n in 1..=writes {
                    let (observations, at) = (Arc::clone(&observations), start + chrono::Duration::hours(4 * n as i64));
                    let started = Instant::now();
                    app.engine().db(move |s| s.apply_sync(account, at, &observations)).await?;
                    took.push(started.elapsed().as_secs_f64());
                }
                writing.store(false, Ordering::SeqCst);
                anyhow::Ok(took)
            })
        };
        let (mut page, mut summary) = (Timings(Vec::new()), Timings(Vec::new()));
        let first_page = VehicleQuery { limit: 100, ..VehicleQuery::default() };
        while writing.load(Ordering::SeqCst) {
            let started = Instant::now();
            app.list_vehicles(first_page.clone()).await?;
            page.0.push(started.elapsed().as_secs_f64() * 1e3);
            let started = Instant::now();
            app.fleet_summary(8).await?;
            summary.0.push(started.elapsed().as_secs_f64() * 1e3);
            // About as often as a person scrolling and the views refreshing would ask.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let took = writer.await??;
        let sync = took.iter().sum::<f64>() / took.len().max(1) as f64;
        let mode = if readers == 0 { "on the writer" } else { "read pool" };
        for (what, timings) in [("Vehicles first page", &page), ("fleet summary", &summary)] {
            writeln!(
                out,
                "{:<36} {:>8} {:>9.1} {:>9.1} {:>9.1} {:>10.2}",
                format!("{what} ({mode})"),
                timings.0.len(),
                timings.percentile(0.5),
                timings.percentile(0.95),
                timings.percentile(1.0),
                sync
            )?;
        }
    }
    writeln!(out, "target: p95 ≤ 50 ms for both while the sync writes (read pool: {READERS} readers)")?;
    Ok(())
}

//! `truckiq bench crash`: kills a real `truckiq sync` (this program, as a child) with SIGKILL at
//! random points of each phase of a run (signing in, reading the trucks' pages, writing the
//! result) and checks after every kill that the database is whole, nothing stored before is gone,
//! no Chromium is left, and the next run completes.
//!
//! The write is a small part of a run, so random kills seldom land in it: each kill is steered
//! into its phase (the sign-in request, a random number of diagnostics pages, the write lock held)
//! and then judged by what was true at the moment of the kill.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use portal_sim::{Portal, Scenario, SimConfig, Simulator, UserSpec};
use rand::Rng as _;
use truckiq::browser::{kill_profile_processes, profile_processes};
use truckiq::secrets::{SecretKind, SecretStore, Sensitive};
use truckiq::store::{NewAccount, PortalKind, RunStatus, Store};

const USER: &str = "crash@fleet.example";
const PASSWORD: &str = "crash-bench";
const ACCOUNT: &str = "Crash bench";
/// How long a killed run's Chromium may take to follow it.
const CHROMIUM_GRACE: Duration = Duration::from_secs(5);
/// Kills each phase must get for the soak to count.
const MIN_PER_PHASE: usize = 5;

pub struct CrashBench {
    pub runs: usize,
    pub vehicles: usize,
    pub latency_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    SignIn,
    Extraction,
    Write,
}

impl Phase {
    const ALL: [Phase; 3] = [Phase::SignIn, Phase::Extraction, Phase::Write];

    fn label(self) -> &'static str {
        match self {
            Phase::SignIn => "sign-in",
            Phase::Extraction => "extraction",
            Phase::Write => "write",
        }
    }
}

/// What was stored before a kill: none of it may be missing after.
struct Stored {
    vehicles: BTreeSet<i64>,
    faults: BTreeSet<i64>,
    readings: BTreeSet<i64>,
}

fn ids(store: &Store, table: &str) -> anyhow::Result<BTreeSet<i64>> {
    let mut stmt = store.connection().prepare(&format!("SELECT id FROM {table}"))?;
    let ids = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    Ok(ids)
}

impl Stored {
    fn read(db: &Path) -> anyhow::Result<Self> {
        let store = Store::open(db)?;
        Ok(Self {
            vehicles: ids(&store, "vehicles")?,
            faults: ids(&store, "faults")?,
            readings: ids(&store, "vehicle_readings")?,
        })
    }

    /// Rows of `self` that `after` lacks.
    fn lost_in(&self, after: &Stored) -> usize {
        self.vehicles.difference(&after.vehicles).count()
            + self.faults.difference(&after.faults).count()
            + self.readings.difference(&after.readings).count()
    }
}

struct Soak {
    sim: Simulator,
    db: PathBuf,
    profile: PathBuf,
    namespace: String,
    account: i64,
    log: PathBuf,
}

impl Soak {
    fn child(&self) -> anyhow::Result<Child> {
        let exe = std::env::current_exe().context("cannot find this program to run it as the sync")?;
        Ok(Command::new(exe)
            .arg("--db")
            .arg(&self.db)
            .args(["sync", "--account", ACCOUNT, "--force", "--json"])
            .env(truckiq::secrets::NAMESPACE_ENV, &self.namespace)
            .env("RUST_LOG", "warn,chromiumoxide=error")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&self.log)?)
            .spawn()?)
    }

    /// A run that is left alone must complete.
    async fn completes(&self) -> anyhow::Result<bool> {
        let mut child = self.child()?;
        let started = Instant::now();
        while child.try_wait()?.is_none() {
            if started.elapsed() > Duration::from_secs(180) {
                let _ = child.kill();
                let _ = child.wait();
                return Ok(false);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let store = Store::open(&self.db)?;
        Ok(store.runs(self.account, 1)?.first().is_some_and(|r| r.status == RunStatus::Completed))
    }

    fn requests_since(&self, seq: u64) -> (u64, bool, usize) {
        let entries = self.sim.state().requests(seq);
        let last = entries.last().map_or(seq, |e| e.seq);
        let signing_in = entries.iter().any(|e| e.path.contains("/login"));
        let pages = entries.iter().filter(|e| e.path.contains("/diagnostics")).count();
        (last, signing_in, pages)
    }

    /// Whether another connection holds the write lock (the child, inside a write).
    fn writing(probe: &Store) -> anyhow::Result<bool> {
        match probe.connection().execute_batch("BEGIN IMMEDIATE; ROLLBACK;") {
            Ok(()) => Ok(false),
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::DatabaseBusy => Ok(true),
            Err(other) => Err(other.into()),
        }
    }

    /// Starts a run, waits for the point `aim` picks in its phase, kills it, and returns the phase
    /// it was in at the kill, or `None` if it ended first.
    async fn kill_in(&self, aim: Phase) -> anyhow::Result<Option<Phase>> {
        let mark = self.sim.state().requests(0).last().map_or(0, |e| e.seq);
        let pages_wanted = rand::rng().random_range(1..=self.sim.state().fleet_snapshot().vehicles.len().max(2) / 2);
        // Somewhere in the sign-in's few requests, from its first on.
        let sign_in_delay = Duration::from_millis(rand::rng().random_range(0..=100));
        let probe = Store::open(&self.db)?;
        probe.connection().busy_timeout(Duration::ZERO)?;
        let mut child = self.child()?;
        let started = Instant::now();
        let (mut seq, mut login_seen, mut pages, mut run_started) = (mark, None::<Instant>, 0, false);
        loop {
            if child.try_wait()?.is_some() {
                return Ok(None);
            }
            if started.elapsed() > Duration::from_secs(120) {
                bail!("the sync never reached its {} phase: {}", aim.label(), std::fs::read_to_string(&self.log)?);
            }
            let (last, login, served) = self.requests_since(seq);
            seq = last;
            if login && login_seen.is_none() {
                login_seen = Some(Instant::now());
            }
            pages += served;
            let ready = match aim {
                Phase::SignIn => login_seen.is_some_and(|at| at.elapsed() >= sign_in_delay),
                Phase::Extraction => pages >= pages_wanted,
                Phase::Write => {
                    // The run record is written first; the write after it is the sync's own.
                    run_started = run_started
                        || probe.runs(self.account, 1)?.first().is_some_and(|r| r.status == RunStatus::InProgress);
                    run_started && pages > 0 && Self::writing(&probe)?
                }
            };
            if ready {
                break;
            }
            if aim == Phase::Write {
                tokio::time::sleep(Duration::from_micros(200)).await;
            } else {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        }
        // Judged at the kill, not by the aim: a write may already have begun.
        let landed = if Self::writing(&probe)? {
            Phase::Write
        } else if pages > 0 || self.requests_since(seq).2 > 0 {
            Phase::Extraction
        } else {
            Phase::SignIn
        };
        child.kill()?; // SIGKILL
        child.wait()?;
        Ok(Some(landed))
    }

    /// Waits for the killed run's Chromium to follow it; returns how many processes stayed (and
    /// kills them, so the next run can start).
    async fn chromium_left(&self) -> usize {
        let deadline = Instant::now() + CHROMIUM_GRACE;
        loop {
            let left = profile_processes(&self.profile);
            if left.is_empty() {
                return 0;
            }
            if Instant::now() >= deadline {
                kill_profile_processes(&self.profile);
                return left.len();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

#[derive(Default)]
struct Tally {
    kills: BTreeMap<Phase, usize>,
    ended_first: usize,
    integrity_failures: usize,
    rows_lost: usize,
    chromium_left: usize,
    next_run_failed: usize,
}

pub async fn crash_bench(bench: &CrashBench, out: &mut impl std::io::Write) -> anyhow::Result<()> {
    let sim = Simulator::start(SimConfig { vehicles: bench.vehicles, seed: 77, ..SimConfig::default() }).await?;
    sim.state().add_user(UserSpec::new(Portal::Paccar, USER, PASSWORD)).map_err(anyhow::Error::msg)?;
    sim.state()
        .set_scenario(Scenario { latency_ms: bench.latency_ms, ..Scenario::default() })
        .map_err(anyhow::Error::msg)?;
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("crash.sqlite3");
    // Its own keychain namespace: the soak never touches the entries of the app's accounts.
    let namespace = format!("bench-crash-{}", std::process::id());
    let secrets = SecretStore::with_service(format!("{}.{namespace}", truckiq::paths::APP_IDENTIFIER));
    let store = Store::open(&db)?;
    let account = store.insert_account(&NewAccount {
        name: ACCOUNT.into(),
        portal_kind: PortalKind::TruckTech,
        base_url: sim.portal_url(Portal::Paccar),
        username: USER.into(),
        sync_interval_minutes: 240,
    })?;
    let uid = store.account(account)?.context("the account just added is gone")?.uid;
    drop(store);
    secrets.set(uid, SecretKind::Password, &Sensitive::from(PASSWORD))?;
    let soak = Soak {
        profile: truckiq::paths::browser_profile_dir(dir.path(), uid),
        log: dir.path().join("sync.log"),
        sim,
        db,
        namespace,
        account,
    };
    let result = soak_runs(bench, &soak, out).await;
    secrets.delete_all(uid)?;
    soak.sim.stop().await?;
    result
}

async fn soak_runs(bench: &CrashBench, soak: &Soak, out: &mut impl std::io::Write) -> anyhow::Result<()> {
    if !soak.completes().await? {
        bail!("the first sync did not complete: {}", std::fs::read_to_string(&soak.log)?);
    }
    let mut tally = Tally::default();
    let started = Instant::now();
    for run in 0..bench.runs {
        // New data for the write, and no portal session: every run signs in.
        soak.sim.state().tick(60);
        soak.sim.state().expire_sessions();
        let before = Stored::read(&soak.db)?;
        let aim = Phase::ALL[run % Phase::ALL.len()];
        let Some(landed) = soak.kill_in(aim).await? else {
            tally.ended_first += 1;
            continue;
        };
        *tally.kills.entry(landed).or_default() += 1;
        let store = Store::open(&soak.db)?;
        let integrity: String = store.connection().query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        drop(store);
        tally.integrity_failures += usize::from(integrity != "ok");
        tally.rows_lost += before.lost_in(&Stored::read(&soak.db)?);
        tally.chromium_left += soak.chromium_left().await;
        tally.next_run_failed += usize::from(!soak.completes().await?);
        writeln!(out, "kill {:>2}: aimed at {:<10} landed in {}", run + 1, aim.label(), landed.label())?;
    }
    let count = |phase: Phase| tally.kills.get(&phase).copied().unwrap_or(0);
    let killed: usize = tally.kills.values().sum();
    writeln!(
        out,
        "truckiq bench crash: {} runs of {} vehicles ({} ms per page), {:.0} s",
        bench.runs,
        bench.vehicles,
        bench.latency_ms,
        started.elapsed().as_secs_f64()
    )?;
    writeln!(
        out,
        "kills {killed}: sign-in {} · extraction {} · write {} · runs that ended before the kill {}",
        count(Phase::SignIn),
        count(Phase::Extraction),
        count(Phase::Write),
        tally.ended_first
    )?;
    writeln!(
        out,
        "integrity_check not ok {} · stored rows lost {} · Chromium processes left {} · next runs not completed {}",
        tally.integrity_failures, tally.rows_lost, tally.chromium_left, tally.next_run_failed
    )?;
    let thin: Vec<&str> = Phase::ALL.into_iter().filter(|p| count(*p) < MIN_PER_PHASE).map(Phase::label).collect();
    if !thin.is_empty() {
        bail!("fewer than {MIN_PER_PHASE} kills landed in: {}", thin.join(", "));
    }
    if tally.integrity_failures + tally.rows_lost + tally.chromium_left + tally.next_run_failed > 0 {
        bail!("a kill left damage behind (see the line above)");
    }
    Ok(())
}

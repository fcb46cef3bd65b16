//! The sync engine end to end: real Chromium, the portal simulator on 127.0.0.1, a real SQLite
//! file and the real Secret Service (run under scripts/with-keyring.sh).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use portal_sim::fleet::catalog::Urgency;
use portal_sim::{Fleet, Mfa, Portal, RateLimit, Scenario, SimConfig, Simulator, UserSpec};
use truckiq::failure::FailureReason;
use truckiq::ids::AccountUid;
use truckiq::j1939::Severity;
use truckiq::portal::run::RunMode;
use truckiq::secrets::{SecretKind, SecretStore, Sensitive};
use truckiq::store::{AlertKind, NewAccount, PortalKind, RunStatus, RunTrigger, Store};
use truckiq::sync::schedule::{Due, next_due};
use truckiq::sync::scheduler::times;
use truckiq::sync::{EngineConfig, RetryPolicy, SyncEngine, SyncError};

const USER: &str = "ops@fleet.example";
const PASSWORD: &str = "correct horse";
/// The portal's TOTP secret for the user, and another one (a typo, an old phone).
const TOTP: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const OTHER_TOTP: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

static NEXT: AtomicU32 = AtomicU32::new(0);

/// Keychain namespace per test, so parallel tests (whose accounts all have id 1) never share.
fn namespace() -> String {
    format!("test-sync-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst))
}

struct Harness {
    sim: Simulator,
    dir: tempfile::TempDir,
    engine: SyncEngine,
    account: i64,
    uid: AccountUid,
    namespace: String,
}

fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        first_delay: Duration::from_millis(300),
        max_delay: Duration::from_secs(3),
        longest_rate_limit_wait: Duration::from_secs(10),
    }
}

impl Harness {
    async fn new(vehicles: usize, seed: u64) -> Self {
        let sim = Simulator::start(SimConfig { vehicles, seed, ..SimConfig::default() }).await.unwrap();
        sim.state().add_user(UserSpec::new(Portal::Paccar, USER, PASSWORD)).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let namespace = namespace();
        let engine = Self::engine_at(&dir, &namespace);
        let base_url = sim.portal_url(Portal::Paccar);
        let account = engine
            .db(move |s| {
                s.insert_account(&NewAccount {
                    name: "Acme".into(),
                    portal_kind: PortalKind::TruckTech,
                    base_url,
                    username: USER.into(),
                    sync_interval_minutes: 240,
                })
            })
            .await
            .unwrap();
        let uid = engine.account(account).await.unwrap().uid;
        engine.secrets().set(uid, SecretKind::Password, &Sensitive::from(PASSWORD)).unwrap();
        Self { sim, dir, engine, account, uid, namespace }
    }

    fn engine_at(dir: &tempfile::TempDir, namespace: &str) -> SyncEngine {
        let mut config = EngineConfig::new(dir.path().join("truckiq.sqlite3"), dir.path().to_path_buf());
        config.retry = quick_retries();
        config.browser.page_timeout = Duration::from_secs(5);
        SyncEngine::open(config, SecretStore::with_service(format!("com.truckiq.fleet.{namespace}"))).unwrap()
    }

    async fn sync(&self) -> truckiq::sync::RunResult {
        self.engine.sync(self.account, RunTrigger::Manual, RunMode::Scheduled).await
    }

    fn store(&self) -> Store {
        Store::open(self.dir.path().join("truckiq.sqlite3")).unwrap()
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = self.engine.secrets().delete_all(self.uid);
    }
}

/// The tier TruckIQ must give a simulated fault: derate on an active fault is critical, else the
/// portal's wording.
fn expected_severity(fault: &portal_sim::fleet::Fault) -> Severity {
    if fault.derate && fault.active {
        return Severity::Critical;
    }
    match fault.urgency {
        Urgency::StopEngine => Severity::Critical,
        Urgency::SeekService => Severity::Major,
        Urgency::ServiceAdvised => Severity::Minor,
    }
}

type Code = (String, u8, u32, u8);

/// Open episodes in the database: (VIN, SA, SPN, FMI) -> (severity, active).
fn open_episodes(store: &Store) -> BTreeMap<Code, (String, bool)> {
    let mut stmt = store
        .connection()
        .prepare(
            "SELECT v.vin, f.source_address, f.spn, f.fmi, f.severity, f.active FROM faults f
               JOIN vehicles v ON v.id = f.vehicle_id WHERE f.cleared_at IS NULL",
        )
        .unwrap();
    stmt.query_map([], |r| Ok(((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?), (r.get(4)?, r.get(5)?))))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn truth_episodes(fleet: &Fleet) -> BTreeMap<Code, (String, bool)> {
    fleet
        .vehicles
        .iter()
        .flat_map(|v| {
            v.faults.iter().map(|f| {
                ((v.vin.clone(), f.source_address, f.spn, f.fmi), (expected_severity(f).to_string(), f.active))
            })
        })
        .collect()
}

fn critical_active(episodes: &BTreeMap<Code, (String, bool)>) -> BTreeSet<Code> {
    episodes.iter().filter(|(_, (sev, active))| sev == "critical" && *active).map(|(k, _)| k.clone()).collect()
}

fn assert_vehicles_match(store: &Store, fleet: &Fleet) {
    let mut stmt = store
        .connection()
        .prepare(
            "SELECT vin, unit_number, model_year, make, model, engine_make, engine_model, odometer_mi, engine_hours
               FROM vehicles ORDER BY vin",
        )
        .unwrap();
    #[allow(clippy::type_complexity)]
    let stored: Vec<(String, String, u16, String, String, String, String, f64, f64)> = stmt
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut truth: Vec<_> = fleet
        .vehicles
        .iter()
        .map(|v| {
            (
                v.vin.clone(),
                v.unit_number.clone(),
                v.year,
                v.make.to_owned(),
                v.model.to_owned(),
                v.engine_make.to_owned(),
                v.engine_model.to_owned(),
                v.odometer_mi,
                v.engine_hours,
            )
        })
        .collect();
    truth.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(stored, truth);
}

fn alerts_of(store: &Store, kind: AlertKind) -> Vec<truckiq::store::Alert> {
    store.alerts(10_000).unwrap().into_iter().filter(|a| a.kind == kind).collect()
}

/// VIN + code of the fault each new_critical_fault alert points at.
fn alerted_codes(store: &Store) -> Vec<Code> {
    let mut stmt = store
        .connection()
        .prepare(
            "SELECT v.vin, f.source_address, f.spn, f.fmi FROM alerts a JOIN faults f ON f.id = a.fault_id
               JOIN vehicles v ON v.id = f.vehicle_id WHERE a.kind = 'new_critical_fault' ORDER BY a.id",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap().collect::<Result<_, _>>().unwrap()
}

#[tokio::test]
async fn first_sync_matches_the_ground_truth_and_a_tick_alerts_once_per_new_critical_episode() {
    let h = Harness::new(80, 31).await;
    let mut alerts = h.engine.subscribe_alerts();
    let report = h.sync().await.unwrap();
    assert_eq!(report.status, RunStatus::Completed);
    let before = h.sim.state().fleet_snapshot();
    let store = h.store();
    assert_vehicles_match(&store, &before);
    let first = open_episodes(&store);
    assert_eq!(first, truth_episodes(&before), "every fault with SA/SPN/FMI/severity/active");
    assert!(!critical_active(&first).is_empty(), "the seed gives critical faults to alert on later");

    // The first sync: one summary, no per-fault alerts; subscribers got exactly what was stored.
    assert_eq!(alerts_of(&store, AlertKind::FirstSync).len(), 1);
    let summary = &alerts_of(&store, AlertKind::FirstSync)[0];
    assert_eq!(summary.severity, Severity::Info, "a summary, not an alarm");
    assert!(summary.read_at.is_some(), "it arrives read");
    assert!(alerted_codes(&store).is_empty());
    let published = alerts.try_recv().unwrap();
    assert_eq!(published.kind, AlertKind::FirstSync);
    assert!(alerts.try_recv().is_err());

    // Move the simulated clock until new critical faults have appeared.
    let mut after = before.clone();
    for _ in 0..48 {
        h.sim.state().tick(60);
        after = h.sim.state().fleet_snapshot();
        if !critical_active(&truth_episodes(&after)).is_subset(&critical_active(&first)) {
            break;
        }
    }
    let expected: BTreeSet<Code> =
        critical_active(&truth_episodes(&after)).difference(&critical_active(&first)).cloned().collect();
    assert!(!expected.is_empty(), "a day of ticks produced no new critical fault");

    let second = h.sync().await.unwrap();
    assert_eq!(second.status, RunStatus::Completed);
    let store = h.store();
    assert_vehicles_match(&store, &after);
    assert_eq!(open_episodes(&store), truth_episodes(&after));
    let alerted = alerted_codes(&store);
    assert_eq!(alerted.len(), expected.len(), "exactly one alert per new critical episode");
    assert_eq!(alerted.into_iter().collect::<BTreeSet<_>>(), expected);
    // One event, one alert: a truck made critical by a new critical fault gets no second alert
    // for its move to critical; the fault's alert says it.
    let critical_trucks: BTreeSet<Option<i64>> =
        second.alerts.iter().filter(|a| a.kind == AlertKind::NewCriticalFault).map(|a| a.vehicle_id).collect();
    let moves_to_critical: Vec<_> =
        second.alerts.iter().filter(|a| a.kind == AlertKind::RiskChange && a.title.ends_with("to critical")).collect();
    assert!(moves_to_critical.iter().all(|a| !critical_trucks.contains(&a.vehicle_id)), "{moves_to_critical:?}");
    let folded =
        second.alerts.iter().filter(|a| a.kind == AlertKind::NewCriticalFault && a.message.contains("went from"));
    assert!(folded.count() > 0, "the seed makes a good truck critical: its move is told in the fault's alert");
    assert!(
        second
            .alerts
            .iter()
            .filter(|a| a.kind == AlertKind::RiskChange)
            .all(|a| a.title.starts_with(char::is_uppercase)),
        "a title starts with the truck's name, capitalised"
    );

    // Faults the portal stopped listing are closed, kept as history.
    let gone: Vec<&Code> = first.keys().filter(|code| !truth_episodes(&after).contains_key(*code)).collect();
    let closed: u32 = store
        .connection()
        .query_row("SELECT count(*) FROM faults WHERE cleared_at IS NOT NULL AND active = 0", [], |r| r.get(0))
        .unwrap();
    assert_eq!(closed as usize, gone.len());
    assert_eq!(second.outcome.closed, gone.len());
    // Meters grew, and each change is a history row.
    let readings: u32 =
        store.connection().query_row("SELECT count(*) FROM vehicle_readings", [], |r| r.get(0)).unwrap();
    let moved = before
        .vehicles
        .iter()
        .zip(&after.vehicles)
        .filter(|(b, a)| (b.odometer_mi, b.engine_hours) != (a.odometer_mi, a.engine_hours))
        .count();
    assert!(moved > 0, "trucks in service drive between syncs");
    assert_eq!(readings as usize, before.vehicles.len() + moved, "a reading per truck, plus one per truck that moved");

    // The same faults again: no alert is repeated.
    let third = h.sync().await.unwrap();
    assert!(third.alerts.iter().all(|a| a.kind != AlertKind::NewCriticalFault), "{:?}", third.alerts);
    assert_eq!(alerted_codes(&h.store()).len(), expected.len());
}

#[tokio::test]
async fn failing_diagnostics_make_a_partial_run_and_those_trucks_keep_their_faults() {
    let h = Harness::new(60, 32).await;
    h.sync().await.unwrap();
    let before = open_episodes(&h.store());
    for _ in 0..24 {
        h.sim.state().tick(60);
    }
    h.sim
        .state()
        .set_scenario(Scenario { error_rate: 0.1, fail_paths: Some("/diagnostics".into()), ..Scenario::default() })
        .unwrap();
    let seq = h.sim.state().requests(0).last().map_or(0, |e| e.seq);
    let report = h.sync().await.unwrap();
    assert_eq!(report.status, RunStatus::Partial);
    assert_eq!(report.attempts, 1, "a partial run stored data: it is not retried");
    let failed: BTreeSet<String> = h
        .sim
        .state()
        .requests(seq)
        .iter()
        .filter(|e| e.status == 500 && e.path.ends_with("/diagnostics"))
        .filter_map(|e| e.path.split('/').nth(3).map(str::to_owned))
        .collect();
    assert!(!failed.is_empty() && failed.len() < 60, "about 10% failed: {}", failed.len());
    let after = open_episodes(&h.store());
    let truth = truth_episodes(&h.sim.state().fleet_snapshot());
    let of = |map: &BTreeMap<Code, (String, bool)>, vin: &str| -> BTreeMap<Code, (String, bool)> {
        map.iter().filter(|(k, _)| k.0 == vin).map(|(k, v)| (k.clone(), v.clone())).collect()
    };
    for vehicle in &h.sim.state().fleet_snapshot().vehicles {
        if failed.contains(&vehicle.vin) {
            assert_eq!(of(&after, &vehicle.vin), of(&before, &vehicle.vin), "{} kept its faults", vehicle.vin);
        } else {
            assert_eq!(of(&after, &vehicle.vin), of(&truth, &vehicle.vin), "{} was updated", vehicle.vin);
        }
    }
    let run = h.store().runs(h.account, 1).unwrap().remove(0);
    assert_eq!((run.status, run.vehicles_failed as usize), (RunStatus::Partial, failed.len()));
    let message = run.error_message.unwrap();
    let named = failed.iter().any(|vin| message.contains(&format!("The first: the page of {vin}: ")));
    assert!(named && message.contains("500"), "the run names its first problem: {message}");
}

#[tokio::test]
async fn a_run_in_which_no_fault_row_can_be_read_is_portal_changed_and_keeps_what_was_stored() {
    let h = Harness::new(30, 35).await;
    h.sync().await.unwrap();
    let before = open_episodes(&h.store());
    assert!(!before.is_empty());
    // As if the portal had moved its codes: the profile now finds a description where the code was.
    let profiles = h.dir.path().join("profiles");
    std::fs::create_dir_all(&profiles).unwrap();
    std::fs::write(profiles.join("trucktech.toml"), "[diagnostics]\ncode = [\".description\"]\n").unwrap();
    let error = h.sync().await.unwrap_err();
    assert_eq!(error.reason(), FailureReason::PortalChanged);
    let message = error.to_string();
    assert!(message.starts_with("none of the ") && message.contains("row 1: cannot read SPN/FMI from"), "{message}");
    assert_eq!(open_episodes(&h.store()), before, "nothing was stored");
    let run = h.store().runs(h.account, 1).unwrap().remove(0);
    assert_eq!((run.status, run.error_kind), (RunStatus::Failed, Some(FailureReason::PortalChanged)));
    assert_eq!(run.error_message.as_deref(), Some(message.as_str()));
    let kept_path = std::path::PathBuf::from(run.html_path.expect("the page is kept"));
    let kept = std::fs::read_to_string(&kept_path).unwrap();
    assert!(kept.contains("fault-row"), "the kept page is the truck's diagnostics page");
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!((mode(&kept_path), mode(kept_path.parent().unwrap())), (0o600, 0o700), "for this user only");
}

#[tokio::test]
async fn twenty_concurrent_sync_requests_share_one_browser_and_one_run() {
    let h = Harness::new(30, 33).await;
    h.sim.state().set_scenario(Scenario { latency_ms: 20, ..Scenario::default() }).unwrap();
    let requests: Vec<_> = (0..20).map(|_| h.engine.sync(h.account, RunTrigger::Manual, RunMode::Scheduled)).collect();
    assert!(h.engine.is_running(h.account));
    let results = futures::future::join_all(requests).await;
    let run_ids: BTreeSet<i64> = results.iter().map(|r| r.as_ref().unwrap().run_id).collect();
    assert_eq!(run_ids.len(), 1, "every request joined the same run");
    assert_eq!(h.store().runs(h.account, 100).unwrap().len(), 1);
    assert_eq!(h.sim.state().user(Portal::Paccar, USER).unwrap().login_attempts, 1, "one sign-in: one browser");
    let first_pages =
        h.sim.state().requests(0).iter().filter(|e| e.path == "/paccar/vehicles" && e.status == 200).count();
    assert_eq!(first_pages, 1, "the fleet list was read once");
    assert!(!h.engine.is_running(h.account));
}

#[tokio::test]
async fn a_refused_password_is_tried_once_pauses_the_account_and_a_new_password_resumes_it() {
    let h = Harness::new(10, 34).await;
    h.engine.secrets().set(h.uid, SecretKind::Password, &Sensitive::from("wrong")).unwrap();
    let error = h.sync().await.unwrap_err();
    assert_eq!(error.reason(), FailureReason::LoginRejected);
    assert_eq!(h.sim.state().user(Portal::Paccar, USER).unwrap().login_attempts, 1, "never retried");
    let store = h.store();
    let account = store.account(h.account).unwrap().unwrap();
    assert!(account.paused_reason.as_deref().unwrap().contains("refused"), "{account:?}");
    let failed = alerts_of(&store, AlertKind::SyncFailed);
    assert_eq!(failed.len(), 1);
    assert!(failed[0].title.contains("paused"), "{}", failed[0].title);
    let row = store.schedule_rows().unwrap().remove(0);
    assert_eq!(next_due(&times(&row), chrono::Utc::now()), Due::Never, "the scheduler leaves it alone");

    let again = h.sync().await.unwrap_err();
    assert!(matches!(again, SyncError::Paused { .. }), "{again:?}");
    assert_eq!(h.sim.state().user(Portal::Paccar, USER).unwrap().login_attempts, 1, "a paused account never signs in");

    h.engine.secrets().set(h.uid, SecretKind::Password, &Sensitive::from(PASSWORD)).unwrap();
    h.engine.credentials_changed(h.account).await.unwrap();
    assert_eq!(h.sync().await.unwrap().status, RunStatus::Completed);
    assert_eq!(h.store().account(h.account).unwrap().unwrap().paused_reason, None);
    let resolved = alerts_of(&h.store(), AlertKind::SyncFailed);
    assert!(
        resolved.iter().all(|a| a.acknowledged_at.is_some() && a.read_at.is_some()),
        "a sync that works again closes the alert that said it did not: {resolved:?}"
    );
}

/// A refused TOTP code pauses the account like a refused password: a wrong secret would otherwise
/// send a wrong code at every scheduled run until the portal locks the account.
#[tokio::test]
async fn a_refused_totp_code_is_sent_once_and_pauses_the_account() {
    let h = Harness::new(5, 35).await;
    let mfa =
        UserSpec { mfa: Mfa::Totp, totp_secret: Some(TOTP.into()), ..UserSpec::new(Portal::Paccar, USER, PASSWORD) };
    h.sim.state().add_user(mfa).unwrap();
    h.engine.secrets().set(h.uid, SecretKind::TotpSecret, &Sensitive::from(OTHER_TOTP)).unwrap();
    let error = h.sync().await.unwrap_err();
    assert_eq!(error.reason(), FailureReason::MfaRejected, "{error}");
    let user = h.sim.state().user(Portal::Paccar, USER).unwrap();
    assert_eq!((user.login_attempts, user.mfa_prompts), (1, 1), "one code, never retried");
    let store = h.store();
    let account = store.account(h.account).unwrap().unwrap();
    assert!(account.paused_reason.as_deref().unwrap().contains("set the TOTP secret again"), "{account:?}");
    assert!(alerts_of(&store, AlertKind::SyncFailed)[0].title.contains("refused the TOTP code; syncing is paused"));
    assert!(matches!(h.sync().await.unwrap_err(), SyncError::Paused { .. }));
    assert_eq!(h.sim.state().user(Portal::Paccar, USER).unwrap().login_attempts, 1, "a paused account sends nothing");

    h.engine.secrets().set(h.uid, SecretKind::TotpSecret, &Sensitive::from(TOTP)).unwrap();
    h.engine.credentials_changed(h.account).await.unwrap();
    assert_eq!(h.sync().await.unwrap().status, RunStatus::Completed, "the right secret resumes it");
}

/// "Trust this device" is the account's choice: on, the portal's trust cookie stays in the
/// account's profile and a later sign-in skips MFA; off, the box is left unticked and no profile
/// is left on disk after a run, so every sign-in answers MFA again.
#[tokio::test]
async fn trust_this_device_is_each_accounts_choice() {
    let h = Harness::new(5, 37).await;
    let mfa =
        UserSpec { mfa: Mfa::Totp, totp_secret: Some(TOTP.into()), ..UserSpec::new(Portal::Paccar, USER, PASSWORD) };
    h.sim.state().add_user(mfa).unwrap();
    h.engine.secrets().set(h.uid, SecretKind::TotpSecret, &Sensitive::from(TOTP)).unwrap();
    let profile = truckiq::paths::browser_profile_dir(h.dir.path(), h.uid);
    let prompts = || h.sim.state().user(Portal::Paccar, USER).unwrap().mfa_prompts;
    let trusted_devices = || h.sim.state().trusted.lock().unwrap().len();

    assert!(h.store().account(h.account).unwrap().unwrap().trust_device, "on by default");
    assert_eq!(h.sync().await.unwrap().status, RunStatus::Completed);
    assert_eq!((prompts(), trusted_devices()), (1, 1), "the box was ticked");
    assert!(profile.exists(), "the profile, with the trust cookie, stays");
    h.sim.state().expire_sessions();
    assert_eq!(h.sync().await.unwrap().status, RunStatus::Completed);
    assert_eq!(prompts(), 1, "the trusted device skipped MFA");

    // Turned off in the store alone (the app also removes the profile at once): the run still
    // finds the old trust cookie, and removes it with the profile when it ends.
    h.engine.db(move |s| s.set_trust_device(1, false)).await.unwrap();
    h.sim.state().expire_sessions();
    assert_eq!(h.sync().await.unwrap().status, RunStatus::Completed);
    assert!(!profile.exists(), "no browser profile is left on disk after a run");
    h.sim.state().expire_sessions();
    assert_eq!(h.sync().await.unwrap().status, RunStatus::Completed);
    assert_eq!(prompts(), 2, "without the profile, MFA is answered again");
    assert_eq!(trusted_devices(), 1, "and the box was left unticked: no new trusted device");
    assert!(!profile.exists());
}

#[tokio::test]
async fn a_429_storm_is_ridden_out_within_the_retry_budget() {
    let h = Harness::new(40, 35).await;
    h.sim
        .state()
        .set_scenario(Scenario {
            rate_limit: Some(RateLimit { max_requests: 15, window_secs: 2, retry_after: true }),
            ..Scenario::default()
        })
        .unwrap();
    let report = h.sync().await.unwrap();
    assert_eq!(report.status, RunStatus::Completed);
    // (The engine caps attempts at the policy's 3, so "within the budget" is completing at all.)
    let limited = h.sim.state().requests(0).iter().filter(|e| e.status == 429).count();
    assert!(limited >= 5, "it was a storm: {limited} answers were 429");
    assert_eq!(h.store().list_accounts().unwrap()[0].last_run.as_ref().unwrap().vehicles_count, 40);
}

// Multi-threaded: the simulator serving the child must keep running while this test polls.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_killed_mid_write_leaves_the_database_whole_and_the_next_run_completes() {
    let h = Harness::new(400, 36).await;
    h.sync().await.unwrap();
    let before = open_episodes(&h.store());
    let vehicles_before: u32 =
        h.store().connection().query_row("SELECT count(*) FROM vehicles", [], |r| r.get(0)).unwrap();
    for _ in 0..12 {
        h.sim.state().tick(60);
    }
    let db = h.dir.path().join("truckiq.sqlite3");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_truckiq"))
        .args(["--db", db.to_str().unwrap(), "sync", "--account", "Acme", "--force", "--json"])
        .env("TRUCKIQ_KEYRING_NAMESPACE", &h.namespace)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(h.dir.path().join("child.log")).unwrap())
        .env("RUST_LOG", "info,chromiumoxide=error")
        .spawn()
        .unwrap();
    // Wait for the run record; after it, the child's next write is the sync's one transaction.
    // Probe the write lock: when the child holds it, it is inside that transaction — kill then.
    let store = h.store();
    store.connection().busy_timeout(Duration::ZERO).unwrap();
    let started = std::time::Instant::now();
    let log = || std::fs::read_to_string(h.dir.path().join("child.log")).unwrap_or_default();
    while store.runs(h.account, 1).unwrap()[0].status != RunStatus::InProgress {
        assert!(started.elapsed() < Duration::from_secs(30), "the child never started its run: {}", log());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    loop {
        assert!(started.elapsed() < Duration::from_secs(60), "the child never wrote: {}", log());
        assert!(child.try_wait().unwrap().is_none(), "the child finished before it could be killed: {}", log());
        match store.connection().execute_batch("BEGIN IMMEDIATE; ROLLBACK;") {
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::DatabaseBusy => break,
            Err(other) => panic!("{other}"),
            Ok(()) => tokio::time::sleep(Duration::from_micros(200)).await,
        }
    }
    child.kill().unwrap(); // SIGKILL, inside the write transaction
    child.wait().unwrap();
    drop(store);

    let store = h.store();
    let integrity: String = store.connection().query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(integrity, "ok");
    let killed = store.runs(h.account, 1).unwrap().remove(0);
    let episodes = open_episodes(&store);
    let vehicles: u32 = store.connection().query_row("SELECT count(*) FROM vehicles", [], |r| r.get(0)).unwrap();
    assert_eq!(vehicles, vehicles_before, "nothing stored before was lost");
    assert_eq!(killed.status, RunStatus::InProgress, "killed before the commit");
    assert_eq!(episodes, before, "none of the killed run's writes survived");
    drop(store);

    // The next start marks the interrupted run failed; the next run completes.
    let engine = Harness::engine_at(&h.dir, &h.namespace);
    let runs = engine.db(move |s| s.runs(1, 10)).await.unwrap();
    assert!(runs.iter().all(|r| r.status != RunStatus::InProgress));
    assert_eq!((runs[0].status, runs[0].error_kind), (RunStatus::Failed, Some(FailureReason::Interrupted)));
    let report = engine.sync(h.account, RunTrigger::Manual, RunMode::Scheduled).await.unwrap();
    assert_eq!(report.status, RunStatus::Completed);
    assert_eq!(open_episodes(&h.store()), truth_episodes(&h.sim.state().fleet_snapshot()));
}

#[tokio::test]
async fn a_scheduled_run_that_needs_a_person_raises_mfa_needed_and_is_not_retried() {
    let h = Harness::new(5, 37).await;
    h.sim
        .state()
        .add_user(UserSpec { mfa: Mfa::Sms, ..UserSpec::new(Portal::Paccar, "sms@fleet.example", PASSWORD) })
        .unwrap();
    h.engine
        .db(|s| Ok(s.connection().execute("UPDATE accounts SET username = 'sms@fleet.example'", [])?))
        .await
        .unwrap();
    let error = h.engine.sync(h.account, RunTrigger::Scheduled, RunMode::Scheduled).await.unwrap_err();
    assert_eq!(error.reason(), FailureReason::MfaRequired);
    let store = h.store();
    assert_eq!(store.runs(h.account, 10).unwrap().len(), 1, "not retried: only a person can help");
    let needed = alerts_of(&store, AlertKind::MfaNeeded);
    assert_eq!(needed.len(), 1);
    assert!(needed[0].title.contains("verification code"), "{}", needed[0].title);
    assert_eq!(store.account(h.account).unwrap().unwrap().paused_reason, None, "not paused: the password was right");
}

#[tokio::test]
async fn the_scheduler_runs_an_overdue_account_at_once_and_not_again_within_its_interval() {
    let h = Harness::new(8, 38).await;
    let mut events = h.engine.subscribe_events();
    let stop = tokio_util::sync::CancellationToken::new();
    let scheduler = tokio::spawn(truckiq::sync::scheduler::run_scheduler(h.engine.clone(), stop.clone()));
    let finished = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            if let Ok(truckiq::sync::SyncEvent::Finished { result, .. }) = events.recv().await {
                break result;
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(finished.unwrap().status, RunStatus::Completed);
    // Another tick of the scheduler finds the account done for the next 4 hours.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.cancel();
    scheduler.await.unwrap();
    let runs = h.store().runs(h.account, 10).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].trigger, RunTrigger::Scheduled);
}

#[tokio::test]
async fn a_cancelled_sync_stores_nothing_is_recorded_as_cancelled_and_leaves_no_browser() {
    let h = Harness::new(40, 39).await;
    h.sim.state().set_scenario(Scenario { latency_ms: 200, ..Scenario::default() }).unwrap();
    let mut events = h.engine.subscribe_events();
    let run = h.engine.sync(h.account, RunTrigger::Manual, RunMode::Scheduled);
    // Cancel once diagnostics are being read: the browser is up and pages are in flight.
    loop {
        if let Ok(truckiq::sync::SyncEvent::Progress {
            progress: truckiq::connector::Progress::ReadingDiagnostics { done, .. },
            ..
        }) = events.recv().await
            && done >= 3
        {
            break;
        }
    }
    assert!(h.engine.cancel(h.account));
    let error = run.await.unwrap_err();
    assert!(matches!(error, SyncError::Cancelled), "{error:?}");
    let store = h.store();
    let runs = store.runs(h.account, 10).unwrap();
    assert_eq!(
        (runs.len(), runs[0].status, runs[0].error_kind),
        (1, RunStatus::Failed, Some(FailureReason::Cancelled))
    );
    let vehicles: u32 = store.connection().query_row("SELECT count(*) FROM vehicles", [], |r| r.get(0)).unwrap();
    assert_eq!(vehicles, 0, "nothing from a cancelled run is stored");
    assert!(alerts_of(&store, AlertKind::SyncFailed).is_empty(), "a cancel is not a failure to alert on");
    let profile = truckiq::paths::browser_profile_dir(h.dir.path(), h.uid);
    let started = std::time::Instant::now();
    while !truckiq::browser::profile_processes(&profile).is_empty() {
        assert!(started.elapsed() < Duration::from_secs(10), "Chromium outlived its cancelled run");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

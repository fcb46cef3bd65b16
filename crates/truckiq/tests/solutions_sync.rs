//! PACCAR Solutions end to end: the simulator's single-page app and gateway on their own origins,
//! real Chromium, a real SQLite file and the real Secret Service (run under
//! scripts/with-keyring.sh; the hand-over to a person also needs an X display).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use portal_sim::{Fleet, Portal, Recommendation, Scenario, SimConfig, Simulator, UserSpec};
use truckiq::browser::{BrowserOptions, BrowserSession};
use truckiq::failure::FailureReason;
use truckiq::ids::AccountUid;
use truckiq::portal::error::ConnectorError;
use truckiq::portal::run::RunMode;
use truckiq::secrets::{SecretKind, SecretStore, Sensitive};
use truckiq::store::{NewAccount, PortalKind, RunStatus, RunTrigger, Store};
use truckiq::sync::{EngineConfig, RetryPolicy, SyncEngine, SyncError};

const USER: &str = "fleet@example.com";
const PASSWORD: &str = "Diesel-2026!";

static NEXT: AtomicU32 = AtomicU32::new(0);

struct Harness {
    sim: Simulator,
    dir: tempfile::TempDir,
    engine: SyncEngine,
    account: i64,
    uid: AccountUid,
}

impl Harness {
    /// An account on the simulator's PACCAR Solutions app, read in `mode` ("page" or "direct"),
    /// with `profile` laid over the built-in profile.
    async fn new(vehicles: usize, user: UserSpec, mode: &str, profile: &str) -> Self {
        let sim = Simulator::start(SimConfig { vehicles, seed: 23, ..SimConfig::default() }).await.unwrap();
        sim.state().add_user(user).unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("profiles")).unwrap();
        let text = format!("[reading]\nmode = '{mode}'\n{profile}");
        std::fs::write(dir.path().join("profiles/paccar_solutions.toml"), text).unwrap();
        let mut config = EngineConfig::new(dir.path().join("truckiq.sqlite3"), dir.path().to_path_buf());
        config.retry =
            RetryPolicy { max_attempts: 1, first_delay: Duration::from_millis(100), ..RetryPolicy::default() };
        config.browser = BrowserOptions { page_timeout: Duration::from_secs(10), ..BrowserOptions::default() };
        config.mfa_wait = Duration::from_secs(60);
        let namespace = format!("test-solutions-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst));
        let engine =
            SyncEngine::open(config, SecretStore::with_service(format!("com.truckiq.fleet.{namespace}"))).unwrap();
        let base_url = sim.portal_url(Portal::PaccarSolutions);
        let account = engine
            .db(move |s| {
                s.insert_account(&NewAccount {
                    name: "Solutions fleet".into(),
                    portal_kind: PortalKind::PaccarSolutions,
                    base_url,
                    username: USER.into(),
                    sync_interval_minutes: 240,
                })
            })
            .await
            .unwrap();
        let uid = engine.account(account).await.unwrap().uid;
        engine.secrets().set(uid, SecretKind::Password, &Sensitive::from(PASSWORD)).unwrap();
        Self { sim, dir, engine, account, uid }
    }

    async fn sync(&self) -> truckiq::sync::RunResult {
        self.engine.sync(self.account, RunTrigger::Scheduled, RunMode::Scheduled).await
    }

    fn store(&self) -> Store {
        Store::open(self.dir.path().join("truckiq.sqlite3")).unwrap()
    }

    fn user(&self) -> portal_sim::UserState {
        self.sim.state().user(Portal::PaccarSolutions, USER).unwrap()
    }

    /// Gateway calls (not preflights) to a path starting with `path`, since log entry `since`.
    fn calls(&self, path: &str, since: u64) -> usize {
        let gateway = self.sim.solutions().gateway.trim_start_matches("http://").to_owned();
        self.sim
            .state()
            .requests(since)
            .iter()
            .filter(|e| e.host == gateway && e.method != "OPTIONS" && e.path.starts_with(path))
            .count()
    }

    fn last_seq(&self) -> u64 {
        self.sim.state().requests(0).last().map_or(0, |e| e.seq)
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = self.engine.secrets().delete_all(self.uid);
    }
}

fn plain() -> UserSpec {
    UserSpec::new(Portal::PaccarSolutions, USER, PASSWORD)
}

/// What TruckIQ must hold for the fleet: each truck's status and its open active faults with the
/// tier the recommendation means (no source address on this portal: 254).
/// Each truck's status by VIN, and its open active faults as (VIN, SPN, FMI, tier).
type Picture = (BTreeMap<String, Option<String>>, BTreeSet<(String, u32, u8, String)>);

fn truth(fleet: &Fleet) -> Picture {
    let statuses = fleet
        .vehicles
        .iter()
        .map(|v| {
            let status = match v.recommendation() {
                Recommendation::InRepair => Some("in_repair".to_owned()),
                Recommendation::NotCommunicating => Some("not_communicating".to_owned()),
                _ => None,
            };
            (v.vin.clone(), status)
        })
        .collect();
    let tier = |r: Recommendation| match r {
        Recommendation::StopNow => Some("critical"),
        Recommendation::ServiceNow => Some("major"),
        Recommendation::ServiceSoon => Some("minor"),
        Recommendation::Informational => Some("info"),
        _ => None,
    };
    let faults = fleet
        .vehicles
        .iter()
        .flat_map(|v| {
            v.faults
                .iter()
                .filter(|f| f.active)
                .filter_map(|f| tier(f.recommendation).map(|t| (v.vin.clone(), f.spn, f.fmi, t.to_owned())))
        })
        .collect();
    (statuses, faults)
}

fn stored(store: &Store) -> Picture {
    let conn = store.connection();
    let statuses = conn
        .prepare("SELECT vin, status FROM vehicles")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let faults = conn
        .prepare(
            "SELECT v.vin, f.spn, f.fmi, f.severity FROM faults f JOIN vehicles v ON v.id = f.vehicle_id
              WHERE f.cleared_at IS NULL AND f.active = 1 AND f.source_address = 254",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    (statuses, faults)
}

fn assert_matches_truth(h: &Harness) {
    let (statuses, faults) = truth(&h.sim.state().fleet_snapshot());
    let (got_statuses, got_faults) = stored(&h.store());
    assert_eq!(got_statuses, statuses, "every truck with its status");
    assert_eq!(got_faults, faults, "every open fault with its tier");
}

#[tokio::test]
async fn page_mode_syncs_the_fleet_then_reuses_the_token_with_zero_sign_ins() {
    let h = Harness::new(60, plain(), "page", "").await;
    let report = h.sync().await.unwrap();
    assert_eq!(report.status, RunStatus::Completed);
    assert_matches_truth(&h);
    let (statuses, _) = truth(&h.sim.state().fleet_snapshot());
    assert!(statuses.values().any(Option::is_some), "the fleet has trucks in repair or not communicating");
    assert_eq!(h.user().successful_logins, 1);
    let log = h.sim.state().requests(0);
    let app = h.sim.solutions().app.clone();
    assert!(
        log.iter().any(|e| e.method == "OPTIONS" && e.origin.as_deref() == Some(app.as_str())),
        "page mode calls from the app's origin, so the browser sends preflights"
    );
    assert!(
        log.iter().filter(|e| e.path.starts_with("/v2vehicles")).all(|e| e.origin.as_deref() == Some(app.as_str()))
    );

    let since = h.last_seq();
    assert_eq!(h.sync().await.unwrap().status, RunStatus::Completed);
    assert_eq!(h.user().successful_logins, 1, "the saved token was used: no second sign-in");
    assert_eq!(h.calls("/userLogin", since), 0);
    let store = h.store();
    let kept = store
        .connection()
        .query_row("SELECT count(*) FROM vehicles WHERE portal_timestamp IS NOT NULL", [], |r| r.get::<_, i64>(0))
        .unwrap();
    assert_eq!(kept, 60, "each truck's change marker is kept with its faults");
}

#[tokio::test]
async fn direct_mode_calls_the_gateway_without_an_origin_after_the_browser_sign_in() {
    let h = Harness::new(30, plain(), "direct", "").await;
    assert_eq!(h.sync().await.unwrap().status, RunStatus::Completed);
    assert_matches_truth(&h);
    let log = h.sim.state().requests(0);
    // The app's own dashboard calls during sign-in come from its page; TruckIQ's reads do not.
    let reads: Vec<_> = log.iter().filter(|e| e.path.contains("/faults")).collect();
    assert_eq!(reads.len(), 30);
    assert!(reads.iter().all(|e| e.origin.is_none() && e.method == "GET"), "not from a page: no Origin, no preflight");
    let login = log.iter().find(|e| e.path == "/userLogin").unwrap();
    assert_eq!(login.origin.as_deref(), Some(h.sim.solutions().app.as_str()), "the sign-in itself is the app's");
    assert_eq!(h.user().login_attempts, 1);
}

#[tokio::test]
async fn a_wrong_password_is_tried_once_and_a_locked_account_says_so() {
    let h = Harness::new(5, UserSpec::new(Portal::PaccarSolutions, USER, "another password"), "direct", "").await;
    let error = h.sync().await.unwrap_err();
    assert_eq!(error.reason(), FailureReason::LoginRejected, "{error}");
    assert!(error.to_string().contains("The username or password you entered is not correct"), "{error}");
    assert_eq!(h.user().login_attempts, 1, "exactly one attempt");
    let account = h.engine.account(h.account).await.unwrap();
    assert!(account.paused_reason.is_some(), "paused until the password changes");
    assert!(matches!(h.sync().await, Err(SyncError::Paused { .. })));
    assert_eq!(h.user().login_attempts, 1, "a paused account sends nothing");

    let locked = Harness::new(5, UserSpec { lockout_after: 1, ..plain() }, "direct", "").await;
    let wrong = serde_json::json!({ "username": USER, "password": "wrong", "clientId": "PaccarPortal" });
    let answer =
        reqwest::Client::new().post(format!("{}/userLogin", locked.sim.solutions().gateway)).json(&wrong).send();
    assert_eq!(answer.await.unwrap().status(), 403, "one wrong password locks this user");
    let error = locked.sync().await.unwrap_err();
    match &error {
        SyncError::Portal(e) => match e.as_ref() {
            ConnectorError::LoginRejected { locked, message } => {
                assert!(*locked, "{message}");
                assert!(message.contains("Your account is locked"), "{message}");
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn expiry_mid_run_with_four_readers_refreshes_once_and_a_hard_expiry_signs_in_once() {
    let h = Harness::new(40, plain(), "page", "").await;
    assert_eq!(h.sync().await.unwrap().status, RunStatus::Completed);
    h.engine.db(|s| s.request_full_read(1).map(|_| ())).await.unwrap();
    // The token's lifetime ends at the 10th call of the next run, with four readers in flight.
    let expiry = Scenario { latency_ms: 30, expire_tokens_after_calls: Some(10), ..Scenario::default() };
    h.sim.state().set_scenario(expiry).unwrap();
    let report = h.sync().await.unwrap();
    assert_eq!(report.status, RunStatus::Completed);
    assert_eq!(h.user().token_refreshes, 1, "four readers refused at once share one refresh");
    assert_eq!(h.user().successful_logins, 1, "a refresh, not a new sign-in");
    assert_matches_truth(&h);

    h.engine.db(|s| s.request_full_read(1).map(|_| ())).await.unwrap();
    let hard = Scenario { expire_tokens_after_calls: Some(10), expire_tokens_hard: true, ..Scenario::default() };
    h.sim.state().set_scenario(hard).unwrap();
    assert_eq!(h.sync().await.unwrap().status, RunStatus::Completed);
    assert_eq!(h.user().token_refreshes, 1, "past the hard expiry the refresh is refused");
    assert_eq!(h.user().successful_logins, 2, "then exactly one new sign-in");
    assert_matches_truth(&h);
}

#[tokio::test]
async fn a_gateway_that_keeps_refusing_fails_precisely_after_one_refresh_and_one_sign_in() {
    let h = Harness::new(5, plain(), "direct", "").await;
    assert_eq!(h.sync().await.unwrap().status, RunStatus::Completed);
    h.sim.state().set_scenario(Scenario { gateway_not_found: true, ..Scenario::default() }).unwrap();
    let error = h.sync().await.unwrap_err();
    assert_eq!(error.reason(), FailureReason::PortalChanged, "{error}");
    assert!(error.to_string().contains("404"), "{error}");
    assert_eq!((h.user().token_refreshes, h.user().successful_logins), (1, 2), "one refresh, one new sign-in");
}

#[tokio::test]
async fn json_drift_names_the_path_and_an_override_file_syncs_everything() {
    let h = Harness::new(25, plain(), "direct", "").await;
    h.sim.state().set_scenario(Scenario { json_drift: true, ..Scenario::default() }).unwrap();
    let error = h.sync().await.unwrap_err();
    assert_eq!(error.reason(), FailureReason::PortalChanged);
    let message = error.to_string();
    assert!(message.contains("/v2vehicles") && message.contains("`chassisInfo.make` finds nothing"), "{message}");
    let kept = std::fs::read_dir(h.dir.path().join("artifacts"))
        .unwrap()
        .flatten()
        .flat_map(|account| std::fs::read_dir(account.path()).into_iter().flatten().flatten().map(|f| f.path()));
    let kept: Vec<_> = kept.filter(|p| p.extension().is_some_and(|e| e == "json")).collect();
    assert!(!kept.is_empty(), "the answer is kept");
    let text = std::fs::read_to_string(&kept[0]).unwrap();
    assert!(text.contains("\"chassis\"") && !text.contains("pnet."), "kept, and no token in it");
    assert!(
        h.store().connection().query_row("SELECT count(*) FROM vehicles", [], |r| r.get::<_, i64>(0)).unwrap() == 0
    );

    // The doctor shows it too, path by path, on the live gateway and on the kept answer.
    let pages = h.engine.check_layout(h.account).await.unwrap();
    let list = &pages[0];
    assert_eq!((list.rows, list.rows_read()), (25, 0), "{list:?}");
    let make = list.fields.iter().find(|f| f.name == "make").unwrap();
    assert_eq!((make.looks.as_str(), make.matched), ("json chassisInfo.make", 0));
    assert_eq!(list.failed[0].reason, "`chassisInfo.make` finds nothing");
    let saved = truckiq::solutions::doctor::check_saved_answer(
        &serde_json::from_str(&text).unwrap(),
        "kept",
        &truckiq::solutions::SolutionsProfile::builtin().unwrap(),
    );
    assert_eq!((saved.rows, saved.failed.len()), (list.rows, list.rows));

    // An older file's bare paths still load.
    let fixed = "[reading]\nmode = 'direct'\n[vehicle]\nmake = 'chassis.make'\n[fault]\nspn = 'faultHeader.spn'\nfmi = 'faultHeader.fmi'\n";
    std::fs::write(h.dir.path().join("profiles/paccar_solutions.toml"), fixed).unwrap();
    assert_eq!(h.sync().await.unwrap().status, RunStatus::Completed);
    assert_matches_truth(&h);
    let pages = h.engine.check_layout(h.account).await.unwrap();
    assert_eq!(pages.len(), 4, "the list and three trucks' fault logs");
    assert!(pages.iter().all(|p| p.mismatch.is_none() && p.failed.is_empty()), "{pages:?}");
    let faults = &pages[1];
    let spn = faults.fields.iter().find(|f| f.name == "spn").unwrap();
    assert_eq!((spn.looks.as_str(), spn.matched), ("json faultHeader.spn", faults.rows));
    assert!(faults.rows > 0 && !spn.samples.is_empty(), "a truck with faults was found: {faults:?}");
}

#[tokio::test]
async fn incremental_sync_misses_nothing_across_20_clock_ticks() {
    let h = Harness::new(40, plain(), "direct", "").await;
    assert_eq!(h.sync().await.unwrap().status, RunStatus::Completed);
    assert_matches_truth(&h);
    let mut skipped = 0;
    for tick in 1..=20 {
        h.sim.state().tick(60);
        let since = h.last_seq();
        let report = h.sync().await.unwrap();
        assert_eq!(report.status, RunStatus::Completed, "tick {tick}");
        assert_matches_truth(&h);
        skipped += 40 - h.calls("/v2vehicles/", since);
    }
    assert!(skipped > 0, "unchanged trucks were skipped");
    let since = h.last_seq();
    assert_eq!(h.sync().await.unwrap().status, RunStatus::Completed);
    assert_eq!(h.calls("/v2vehicles/", since), 0, "nothing changed: no fault log read at all");
    h.engine.db(|s| s.request_full_read(1).map(|_| ())).await.unwrap();
    let since = h.last_seq();
    h.sync().await.unwrap();
    assert_eq!(h.calls("/v2vehicles/", since), 40, "a full read on demand reads every truck");
}

fn xdotool(args: &[&str]) -> Option<String> {
    let out = Command::new("xdotool").args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Waits for the hosted sign-in window and signs in there as a person would.
async fn play_the_person() {
    for _ in 0..120 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let Some(window) = xdotool(&["search", "--onlyvisible", "--name", "Log in \\| PACCAR"]) else { continue };
        let window = window.lines().next().unwrap().to_owned();
        xdotool(&["windowfocus", "--sync", &window]);
        tokio::time::sleep(Duration::from_millis(500)).await;
        xdotool(&["key", "Tab"]);
        xdotool(&["type", "--delay", "30", USER]).expect("typing works");
        xdotool(&["key", "Tab"]);
        xdotool(&["type", "--delay", "30", PASSWORD]).expect("typing works");
        xdotool(&["key", "Return"]).expect("Enter works");
        return;
    }
    panic!("no visible 'Log in | PACCAR' window appeared");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hosted_sign_in_page_is_typed_into_only_when_the_profile_lists_it() {
    let h = Harness::new(8, plain(), "direct", "").await;
    h.sim.state().set_scenario(Scenario { hosted_login: true, ..Scenario::default() }).unwrap();
    let error = h.sync().await.unwrap_err();
    assert!(
        matches!(&error, SyncError::Portal(e) if matches!(e.as_ref(), ConnectorError::SignInNeedsPerson { origin } if *origin == h.sim.solutions().hosted_login)),
        "{error:?}"
    );
    assert_eq!(error.reason(), FailureReason::MfaRequired, "a person is needed");
    assert_eq!(h.user().login_attempts, 0, "nothing was typed on an origin the profile does not list");

    let listed =
        format!("[reading]\nmode = 'direct'\n[login]\nsign_in_origins = ['{}']\n", h.sim.solutions().hosted_login);
    std::fs::write(h.dir.path().join("profiles/paccar_solutions.toml"), listed).unwrap();
    assert_eq!(h.sync().await.unwrap().status, RunStatus::Completed);
    assert_matches_truth(&h);
    assert_eq!((h.user().login_attempts, h.user().successful_logins), (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_hosted_page_a_person_signs_in_in_a_visible_window_and_the_sync_carries_on() {
    assert!(std::env::var_os("DISPLAY").is_some(), "needs an X display: run under xvfb-run (scripts/test.sh does)");
    let h = Harness::new(8, plain(), "page", "").await;
    h.sim.state().set_scenario(Scenario { hosted_login: true, ..Scenario::default() }).unwrap();
    let interactive = RunMode::Interactive { mfa_wait: Duration::from_secs(60) };
    let (report, ()) = tokio::join!(h.engine.sync(h.account, RunTrigger::Manual, interactive), play_the_person());
    assert_eq!(report.unwrap().status, RunStatus::Completed);
    assert_matches_truth(&h);
    assert_eq!((h.user().login_attempts, h.user().successful_logins), (1, 1), "the person's one sign-in");
}

#[tokio::test]
async fn chromium_refuses_gateway_answers_on_any_origin_but_the_apps() {
    let sim = Simulator::start(SimConfig { vehicles: 3, ..SimConfig::default() }).await.unwrap();
    sim.state().add_user(plain()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let browser = BrowserSession::launch(&BrowserOptions::default(), &dir.path().join("profile")).await.unwrap();
    let page = browser.new_page().await.unwrap();
    let gateway = format!("{}/userLogin", sim.solutions().gateway);
    let body = serde_json::json!({ "username": USER, "password": PASSWORD, "clientId": "PaccarPortal" }).to_string();
    let headers = [("Content-Type", "application/json"), ("X-OEM", "paccar")];

    page.goto(&format!("{}/", sim.solutions().app)).await.unwrap();
    let (status, answer) = page.fetch_api(&gateway, "POST", &headers, Some(&body)).await.unwrap();
    assert_eq!(status, 200, "{answer}");
    assert!(answer.contains("encodedToken"));

    page.goto(&format!("{}/paccar/login", sim.base_url())).await.unwrap();
    let refused = page.fetch_api(&gateway, "POST", &headers, Some(&body)).await;
    assert!(
        matches!(&refused, Err(truckiq::browser::BrowserError::Network(m)) if m.contains("TypeError")),
        "{refused:?}"
    );
    let preflights: Vec<_> = sim.state().requests(0).into_iter().filter(|e| e.method == "OPTIONS").collect();
    assert_eq!(preflights.len(), 2, "each origin's request was preflighted");
    assert_eq!(preflights[1].status, 403, "the foreign origin's preflight got no CORS answer");
    assert_eq!(
        sim.state().user(Portal::PaccarSolutions, USER).unwrap().successful_logins,
        1,
        "the refused request never ran"
    );
    page.close().await;
    browser.close().await;
}

#[tokio::test]
async fn a_truck_that_stops_communicating_raises_one_alert_and_shows_its_status() {
    let h = Harness::new(20, plain(), "direct", "").await;
    assert_eq!(h.sync().await.unwrap().status, RunStatus::Completed);
    let vin = {
        let mut fleet = portal_sim::state::write(&h.sim.state().fleet);
        let now = fleet.now;
        let truck = fleet.vehicles.iter_mut().find(|v| v.in_service && v.not_communicating_since.is_none()).unwrap();
        truck.not_communicating_since = Some(now - chrono::Duration::hours(3));
        truck.changed_at = now;
        truck.vin.clone()
    };
    for _ in 0..2 {
        assert_eq!(h.sync().await.unwrap().status, RunStatus::Completed);
    }
    let store = h.store();
    let alerts: Vec<_> = store
        .alerts(100)
        .unwrap()
        .into_iter()
        .filter(|a| a.kind == truckiq::store::AlertKind::NotCommunicating)
        .collect();
    assert_eq!(alerts.len(), 1, "one alert for the spell, not one per sync");
    assert!(
        alerts[0].title.contains(&vin) && alerts[0].title.ends_with("stopped communicating"),
        "{}",
        alerts[0].title
    );
    let query = truckiq::store::VehicleQuery {
        status: Some(truckiq::store::TruckStatus::NotCommunicating),
        ..truckiq::store::VehicleQuery::default()
    };
    let silent = store.list_vehicles(&query).unwrap();
    assert!(silent.rows.iter().any(|v| v.vin == vin && v.status_since.is_some()));
    let summary = store.fleet_summary(5, chrono::Utc::now()).unwrap();
    assert_eq!(summary.not_communicating as usize, silent.matching as usize);
    assert_matches_truth(&h);
}

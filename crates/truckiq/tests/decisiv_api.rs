//! The Decisiv SRM API end to end against portal-sim's published API: a real PKCE authorization on
//! a loopback redirect (the person's part played by a headless Chromium on the authorize page,
//! `SimulatedPerson`),
//! the grant's tokens in the real Secret Service (run under scripts/with-keyring.sh), a real
//! SQLite file, and the fleet compared with the simulator's ground truth.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/proxy.rs"]
mod proxy;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use portal_sim::api::{ApiClientSpec, ApiUserSpec, Module};
use portal_sim::{SimConfig, Simulator};
use tokio::sync::oneshot;
use truckiq::app::{ApiLoginInput, App};
use truckiq::browser::BrowserOptions;
use truckiq::decisiv_api::oauth::SignInWindow as _;
use truckiq::decisiv_api::simulated::SimulatedPerson;
use truckiq::failure::FailureReason;
use truckiq::portal::run::RunMode;
use truckiq::secrets::{SecretKind, SecretOwner, SecretStore};
use truckiq::store::{AlertKind, TruckStatus, VehicleQuery};
use truckiq::store::{PortalKind, RunStatus, RunTrigger, Store};
use truckiq::sync::clock::Clock;
use truckiq::sync::{EngineConfig, SyncEngine, SyncSettings};

const USER: &str = "fleet-api@example.com";
const PASSWORD: &str = "Torque-2026!";
const CLIENT: &str = "truckiq-desktop";

/// The simulator's clock, which its ticks move.
#[derive(Debug)]
struct PortalClock(Arc<portal_sim::state::SimState>);

impl Clock for PortalClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.fleet_snapshot().now
    }

    fn sleep(&self, duration: Duration) -> futures::future::BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

struct Harness {
    sim: Simulator,
    dir: tempfile::TempDir,
    app: App,
}

impl Harness {
    async fn new(vehicles: usize, tag: &str) -> Self {
        Self::with_modules(vehicles, tag, vec![Module::AccountManagement, Module::AssetManagement, Module::Telematics])
            .await
    }

    async fn with_modules(vehicles: usize, tag: &str, modules: Vec<Module>) -> Self {
        Self::start(vehicles, tag, modules, Vec::new(), false).await
    }

    /// A user reaching one SRM account, or one per name in `accounts` sharing the fleet out; with
    /// `portal_time`, the engine's clock is the simulator's, as a real portal's is the world's.
    async fn start(vehicles: usize, tag: &str, modules: Vec<Module>, accounts: Vec<String>, portal_time: bool) -> Self {
        let sim = Simulator::start(SimConfig { vehicles, seed: 51, ..SimConfig::default() }).await.unwrap();
        let spec =
            ApiClientSpec { client_id: CLIENT.into(), client_secret: None, redirect_hosts: vec!["127.0.0.1".into()] };
        sim.state().api.add_client(spec).unwrap();
        let user = ApiUserSpec { username: USER.into(), password: PASSWORD.into(), modules, account_name: None };
        sim.state().api.add_user_with_accounts(user, accounts).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let config = EngineConfig::new(dir.path().join("truckiq.sqlite3"), dir.path().to_path_buf());
        let secrets = SecretStore::with_service(format!("com.truckiq.fleet.test-api-{tag}-{}", std::process::id()));
        let app = if portal_time {
            let clock = Arc::new(PortalClock(Arc::clone(sim.state())));
            App::new(SyncEngine::with_clock(config, secrets, clock).unwrap())
        } else {
            App::open(config, secrets).unwrap()
        };
        Self { app, sim, dir }
    }

    fn input(&self) -> ApiLoginInput {
        let base = self.sim.base_url();
        ApiLoginInput {
            name: "Valley Freight API".into(),
            client_id: CLIENT.into(),
            client_secret: None,
            login_url: format!("{base}/decisiv-login"),
            api_url: format!("{base}/srm-api"),
            sync_interval_minutes: 240,
            srm_accounts: Vec::new(),
        }
    }

    fn store(&self) -> Store {
        Store::open(self.dir.path().join("truckiq.sqlite3")).unwrap()
    }

    /// The person on the authorize page, with a browser profile of their own.
    fn person(&self, password: &str) -> SimulatedPerson {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        SimulatedPerson {
            username: USER.into(),
            password: password.into(),
            browser: BrowserOptions::default(),
            profile_dir: self.dir.path().join(format!("sign-in-{n}")),
            cancels: false,
        }
    }

    fn token_calls(&self) -> usize {
        self.sim.state().requests(0).iter().filter(|e| e.path.ends_with("/oauth/token")).count()
    }

    async fn sync(&self, account_id: i64) -> truckiq::sync::RunResult {
        self.app.engine().sync(account_id, RunTrigger::Manual, RunMode::Scheduled).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_login_authorizes_with_pkce_and_syncs_the_whole_fleet_from_the_published_api() {
    let h = Harness::new(40, "fleet").await;
    let added = h.app.add_api_login(h.input(), &h.person(PASSWORD)).await.unwrap();
    assert_eq!(added.accounts.len(), 1, "one SRM account per API user in the simulator");
    let (account_id, srm) = &added.accounts[0];
    let account = h.app.engine().account(*account_id).await.unwrap();
    assert_eq!(
        (account.portal_kind, account.srm_account_id.as_deref()),
        (PortalKind::DecisivApi, Some(srm.id.as_str()))
    );
    assert_eq!(h.sim.state().api.token_requests(USER), Some(1), "the code was exchanged once");

    let report = h.app.engine().sync(*account_id, RunTrigger::Manual, RunMode::Scheduled).await.unwrap();
    assert_eq!(report.status, RunStatus::Completed);
    assert_eq!(h.sim.state().api.token_requests(USER), Some(1), "the access token from the authorization is used");

    let truth = h.sim.state().fleet_snapshot();
    let store = h.store();
    let vins: BTreeSet<String> = store
        .connection()
        .prepare("SELECT vin FROM vehicles")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(vins, truth.vehicles.iter().map(|v| v.vin.clone()).collect::<BTreeSet<_>>());
    let (stored, expected) = (stored_faults(&store), true_faults(&truth));
    assert!(expected.len() > 20, "{} faults compared", expected.len());
    assert_eq!(stored, expected, "every fault with its source address, code and state");
    let (make, unit, hours): (String, String, f64) = store
        .connection()
        .query_row(
            "SELECT make, unit_number, engine_hours FROM vehicles WHERE vin = ?1",
            [&truth.vehicles[0].vin],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (make.as_str(), unit.as_str(), hours),
        (truth.vehicles[0].make, truth.vehicles[0].unit_number.as_str(), truth.vehicles[0].engine_hours.round())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_syncs_go_through_an_authenticating_proxy_whose_password_stays_in_the_keychain() {
    const PROXY_PASSWORD: &str = "Corp-Proxy-2026!";
    let h = Harness::new(12, "proxy").await;
    let added = h.app.add_api_login(h.input(), &h.person(PASSWORD)).await.unwrap();
    let account_id = added.accounts[0].0;
    let proxy = proxy::TestProxy::start("fleet", PROXY_PASSWORD).await;
    // Pasted with its credentials, as people do, and the password mistyped.
    let pasted = proxy.url.replace("http://", "http://fleet:mistyped@");
    h.app.set_sync_settings(SyncSettings { proxy: Some(pasted), ..SyncSettings::default() }, None).await.unwrap();
    let shown = h.app.sync_settings().await.unwrap();
    assert_eq!(
        (shown.proxy.as_deref(), shown.proxy_username.as_deref(), shown.proxy_password_saved),
        (Some(proxy.url.as_str()), Some("fleet"), true),
        "the address is kept without the password"
    );

    let refused = h.sync(account_id).await.unwrap_err();
    assert_eq!(refused.reason(), FailureReason::ProxyRefused, "{refused}");
    assert_eq!(proxy.signed_in_requests(), 1, "{:?}", proxy.seen());
    assert!(h.app.sync_settings().await.unwrap().proxy_password_refused);
    let again = h.sync(account_id).await.unwrap_err();
    assert_eq!(again.reason(), FailureReason::ProxyRefused);
    assert_eq!(proxy.signed_in_requests(), 1, "the refused password is not sent again by the next run");
    assert_eq!(
        h.app.engine().account(account_id).await.unwrap().paused_reason,
        None,
        "the portal account itself is not paused"
    );

    let elsewhere = SyncSettings { proxy: Some("http://127.0.0.1:9".into()), ..shown.clone() };
    let moved = h.app.set_sync_settings(elsewhere, None).await.unwrap_err();
    assert!(moved.to_string().contains("enter its password again"), "{moved}");

    h.app.set_sync_settings(shown, Some(PROXY_PASSWORD.into())).await.unwrap();
    let report = h.sync(account_id).await.unwrap();
    assert_eq!(report.status, RunStatus::Completed);
    let api_calls: Vec<_> = proxy.seen().into_iter().filter(|s| s.url.contains("/srm-api/")).collect();
    assert!(api_calls.len() > 2, "the API was read through the proxy: {api_calls:?}");
    assert!(api_calls.iter().skip(2).all(|s| s.proxy_sign_in.as_deref() == Some("fleet:Corp-Proxy-2026!")));

    let secrets = h.app.engine().secrets();
    assert_eq!(secrets.get(SecretOwner::Settings, SecretKind::ProxyPassword).unwrap().expose(), PROXY_PASSWORD);
    for file in ["truckiq.sqlite3", "truckiq.sqlite3-wal"] {
        let bytes = std::fs::read(h.dir.path().join(file)).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(PROXY_PASSWORD) && !text.contains("mistyped"), "{file} holds a proxy password");
    }
    secrets.delete(SecretOwner::Settings, SecretKind::ProxyPassword).unwrap();
}

/// The open faults stored, by truck and code, with whether each is active.
fn stored_faults(store: &Store) -> BTreeSet<(String, u8, u32, u8, bool)> {
    store
        .connection()
        .prepare(
            "SELECT v.vin, f.source_address, f.spn, f.fmi, f.active FROM faults f JOIN vehicles v ON v.id = f.vehicle_id
              WHERE f.cleared_at IS NULL",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn true_faults(fleet: &portal_sim::fleet::Fleet) -> BTreeSet<(String, u8, u32, u8, bool)> {
    fleet
        .vehicles
        .iter()
        .flat_map(|v| v.faults.iter().map(move |f| (v.vin.clone(), f.source_address, f.spn, f.fmi, f.active)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_of_changes_miss_no_raised_fault_across_twenty_ticks_and_full_reads_reconcile() {
    let h = Harness::new(30, "changes").await;
    let added = h.app.add_api_login(h.input(), &h.person(PASSWORD)).await.unwrap();
    let account_id = added.accounts[0].0;
    assert_eq!(h.sync(account_id).await.unwrap().status, RunStatus::Completed);
    let (mut full_reads, mut change_reads, mut raised) = (0, 0, 0);
    for tick in 1..=20u32 {
        let before = true_faults(&h.sim.state().fleet_snapshot());
        h.sim.state().tick(60);
        let truth = true_faults(&h.sim.state().fleet_snapshot());
        raised += truth.iter().filter(|f| f.4 && !before.contains(f)).count();
        let since = h.sim.state().requests(0).last().map_or(0, |e| e.seq);
        assert_eq!(h.sync(account_id).await.unwrap().status, RunStatus::Completed, "tick {tick}");
        let log = h.sim.state().requests(since);
        let listed_faults = log.iter().any(|e| e.path.contains("/v1/faults?"));
        let stored = h.store();
        let stored = stored_faults(&stored);
        let active = |set: &BTreeSet<(String, u8, u32, u8, bool)>| -> BTreeSet<_> {
            set.iter().filter(|f| f.4).map(|f| (f.0.clone(), f.1, f.2, f.3)).collect()
        };
        let missing: Vec<_> = active(&truth).difference(&active(&stored)).cloned().collect();
        assert!(missing.is_empty(), "tick {tick}: active in the portal, not in TruckIQ: {missing:?}");
        if listed_faults {
            full_reads += 1;
            assert_eq!(stored, truth, "tick {tick}: a full read reconciles everything");
        } else {
            change_reads += 1;
            let readings: Vec<_> = log.iter().filter(|e| e.path.contains("/v1/diagnostic_readings?")).collect();
            assert!(
                !readings.is_empty() && readings.iter().all(|e| e.path.contains("filter%5Btriggered_at%3Agt%5D=")),
                "tick {tick}: changes come from the published time filter: {readings:?}"
            );
        }
    }
    assert!(raised > 5, "the clock raised {raised} faults over the ticks");
    let every = truckiq::decisiv_api::FULL_EVERY as usize;
    assert_eq!(full_reads, 20 / every, "a full read every {every}th sync ({change_reads} reads of changes)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_access_token_is_refreshed_once_and_a_refused_refresh_asks_for_a_person() {
    let h = Harness::new(10, "refresh").await;
    h.sim.state().api.set_token_lifetime(Duration::from_secs(2));
    let added = h.app.add_api_login(h.input(), &h.person(PASSWORD)).await.unwrap();
    let account_id = added.accounts[0].0;
    h.sim.state().api.set_token_lifetime(Duration::from_secs(3600));
    tokio::time::sleep(Duration::from_secs(3)).await; // the access token from the authorization expires
    let report = h.app.engine().sync(account_id, RunTrigger::Manual, RunMode::Scheduled).await.unwrap();
    assert_eq!(report.status, RunStatus::Completed);
    assert_eq!(h.sim.state().api.token_requests(USER), Some(2), "the code, then exactly one refresh on the 401");

    // A new process refreshes with the rotated refresh token the keychain holds.
    let secrets = h.app.engine().secrets().clone();
    let grant = h.store().grant(h.app.engine().account(account_id).await.unwrap().grant_id.unwrap()).unwrap().unwrap();
    let owner = SecretOwner::Grant(grant.uid);
    let kind = SecretKind::ApiRefreshToken;
    let before = secrets.get(owner, kind).unwrap();
    let open = || {
        let config = EngineConfig::new(h.dir.path().join("truckiq.sqlite3"), h.dir.path().to_path_buf());
        App::open(config, secrets.clone()).unwrap()
    };
    let restarted = open();
    let status = restarted.engine().sync(account_id, RunTrigger::Manual, RunMode::Scheduled).await.unwrap().status;
    assert_eq!(status, RunStatus::Completed);
    assert_eq!(h.sim.state().api.token_requests(USER), Some(3), "a new process refreshes once");
    assert_ne!(secrets.get(owner, kind).unwrap().expose(), before.expose(), "the refresh token was rotated and kept");

    // A spent refresh token (as if another copy of the keychain had used it) is refused: the run
    // asks for a person, and the refusal is never retried.
    secrets.set(owner, kind, &before).unwrap();
    let error = open().engine().sync(account_id, RunTrigger::Scheduled, RunMode::Scheduled).await.unwrap_err();
    assert_eq!(error.reason(), FailureReason::MfaRequired, "{error}");
    assert!(error.to_string().contains("sign in to the API again"), "{error}");
    assert_eq!(h.token_calls(), 4, "the code, two refreshes, then one refused refresh: never retried");
    let app = open();
    let paused = app.engine().account(account_id).await.unwrap();
    assert!(paused.paused_reason.as_deref().unwrap().contains("truckiq accounts reauthorize"), "{paused:?}");
    let alerts = app.list_alerts(None).await.unwrap();
    let refused: Vec<_> = alerts.iter().filter(|a| a.title.contains("authorization was refused")).collect();
    assert_eq!(refused.len(), 1, "one alert: {alerts:?}");
    assert!(app.engine().sync(account_id, RunTrigger::Scheduled, RunMode::Scheduled).await.is_err());
    assert_eq!(h.token_calls(), 4, "a paused account sends nothing");

    // A person authorizes again: the grant works and its accounts resume.
    app.reauthorize_api(account_id, &h.person(PASSWORD)).await.unwrap();
    assert_eq!(app.engine().account(account_id).await.unwrap().paused_reason, None);
    let status = app.engine().sync(account_id, RunTrigger::Manual, RunMode::Scheduled).await.unwrap().status;
    assert_eq!(status, RunStatus::Completed);
    assert_eq!(h.token_calls(), 5, "the new code; its access token serves the sync");
    let _ = h.app.remove_account(account_id).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_who_cancels_on_the_authorize_page_keeps_nothing() {
    let h = Harness::new(5, "cancelled").await;
    let person = SimulatedPerson { cancels: true, ..h.person(PASSWORD) };
    let error = h.app.add_api_login(h.input(), &person).await.unwrap_err();
    assert!(error.to_string().contains("the sign-in was not completed: access_denied"), "{error}");
    assert!(h.app.list_accounts().await.unwrap().is_empty(), "nothing kept");
    assert_eq!(h.token_calls(), 0, "no code, so nothing exchanged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_accounts_of_one_grant_syncing_at_once_make_exactly_one_refresh() {
    let h = Harness::new(12, "shared").await;
    h.sim.state().api.set_token_lifetime(Duration::from_secs(2));
    let added = h.app.add_api_login(h.input(), &h.person(PASSWORD)).await.unwrap();
    let (first, srm) = added.accounts[0].clone();
    h.sim.state().api.set_token_lifetime(Duration::from_secs(3600));
    // A second account on the same grant (the simulator gives each user one SRM account).
    let store = h.store();
    let grant_id = h.app.engine().account(first).await.unwrap().grant_id.unwrap();
    let second = store
        .insert_account(&truckiq::store::NewAccount {
            name: "Valley Freight API — yard".into(),
            portal_kind: PortalKind::DecisivApi,
            base_url: format!("{}/srm-api", h.sim.base_url()),
            username: srm.id.clone(),
            sync_interval_minutes: 240,
        })
        .unwrap();
    store.set_account_grant(second, grant_id, &srm.id).unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await; // the authorization's access token expires
    let (a, b) = futures::join!(h.sync(first), h.sync(second));
    assert_eq!((a.unwrap().status, b.unwrap().status), (RunStatus::Completed, RunStatus::Completed));
    assert_eq!(h.token_calls(), 2, "the code, then one refresh shared by both accounts");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_module_the_application_lacks_is_named_and_not_retried() {
    let h = Harness::with_modules(6, "module", vec![Module::AccountManagement, Module::AssetManagement]).await;
    let added = h.app.add_api_login(h.input(), &h.person(PASSWORD)).await.unwrap();
    let error = h.sync(added.accounts[0].0).await.unwrap_err();
    assert!(error.to_string().contains("not provisioned for the telematics module"), "{error}");
    assert!(error.to_string().contains("decisiv:access:003"), "{error}");
    let fault_calls = h.sim.state().requests(0).iter().filter(|e| e.path.contains("/telematics/")).count();
    assert_eq!(fault_calls, 1, "asked once, not in a retry loop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_storm_without_retry_after_is_ridden_out() {
    let h = Harness::new(30, "storm").await;
    let added = h.app.add_api_login(h.input(), &h.person(PASSWORD)).await.unwrap();
    let limit = portal_sim::RateLimit { max_requests: 1, window_secs: 1, retry_after: false };
    let storm = portal_sim::Scenario { rate_limit: Some(limit), ..portal_sim::Scenario::default() };
    h.sim.state().set_scenario(storm).unwrap();
    let report = h.sync(added.accounts[0].0).await.unwrap();
    assert_eq!(report.status, RunStatus::Completed);
    assert!(h.sim.state().requests(0).iter().any(|e| e.status == 429), "the storm happened");
    let vehicles: i64 = h.store().connection().query_row("SELECT count(*) FROM vehicles", [], |r| r.get(0)).unwrap();
    assert_eq!(vehicles, 30);
}

/// The window a person signs in in is a visible Chromium (under Xvfb here) that closes once the
/// redirect has come back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_visible_sign_in_window_opens_the_page_and_closes_when_the_redirect_is_back() {
    let h = Harness::new(3, "visible").await;
    let window = truckiq::decisiv_api::VisibleWindow::new(BrowserOptions::default()).unwrap();
    let (done, wait) = oneshot::channel();
    let url = format!("{}/decisiv-login/auth/api_gateway?client_id={CLIENT}", h.sim.base_url());
    let signal = async {
        // Until the page is there: the simulator logs the request.
        while !h.sim.state().requests(0).iter().any(|e| e.path.contains("/auth/api_gateway")) {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = done.send(());
    };
    let (opened, ()) =
        tokio::time::timeout(Duration::from_secs(30), async { futures::join!(window.open(&url, wait), signal) })
            .await
            .expect("the window closes once the redirect is back");
    opened.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_authorization_reaching_three_srm_accounts_adds_the_ones_chosen_and_each_syncs_its_share() {
    let names = ["Linehaul", "Regional", "Yard"].map(String::from).to_vec();
    let modules = vec![Module::AccountManagement, Module::AssetManagement, Module::Telematics];
    let h = Harness::start(24, "choose", modules, names, false).await;
    let pending = h.app.authorize_api_login(h.input(), &h.person(PASSWORD)).await.unwrap();
    let offered: Vec<&str> = pending.accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(offered, ["Linehaul", "Regional", "Yard"], "every SRM account the authorization reaches");
    assert!(h.app.list_accounts().await.unwrap().is_empty(), "nothing saved before the choice");

    let none = h.app.finish_api_login(&pending.id, Vec::new()).await.unwrap_err();
    assert!(none.to_string().contains("choose at least one"), "{none}");
    let stranger = h.app.finish_api_login(&pending.id, vec!["not-an-account".into()]).await.unwrap_err();
    assert!(stranger.to_string().contains("does not reach the SRM account not-an-account"), "{stranger}");
    let chosen = vec![pending.accounts[0].id.clone(), pending.accounts[2].id.clone()];
    let added = h.app.finish_api_login(&pending.id, chosen.clone()).await.unwrap();
    assert_eq!(added.accounts.iter().map(|(_, a)| a.id.clone()).collect::<Vec<_>>(), chosen);
    assert_eq!(added.left_out.len(), 1);
    let again = h.app.finish_api_login(&pending.id, chosen).await.unwrap_err();
    assert!(again.to_string().contains("no longer waiting"), "a finished sign-in cannot add twice: {again}");

    let (a, b) = (added.accounts[0].0, added.accounts[1].0);
    let (ra, rb) = tokio::join!(h.sync(a), h.sync(b));
    assert_eq!((ra.unwrap().status, rb.unwrap().status), (RunStatus::Completed, RunStatus::Completed));
    let fleet = h.sim.state().fleet_snapshot();
    let user = h.sim.state().api.users().into_iter().find(|u| u.username == USER).unwrap();
    for (account_id, srm) in &added.accounts {
        let truth: BTreeSet<String> = user.vehicles_in(&fleet, &srm.id).iter().map(|v| v.vin.clone()).collect();
        let stored: BTreeSet<String> = h
            .store()
            .connection()
            .prepare("SELECT vin FROM vehicles WHERE account_id = ?1")
            .unwrap()
            .query_map([account_id], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(stored, truth, "{} syncs its own share of the fleet", srm.name);
        assert_eq!(truth.len(), 8);
    }

    // Signing in and then cancelling keeps nothing, in the database or the keychain.
    let pending = h.app.authorize_api_login(h.input(), &h.person(PASSWORD)).await.unwrap();
    let uid = uuid::Uuid::parse_str(&pending.id).unwrap();
    let secrets = h.app.engine().secrets().clone();
    let owner = SecretOwner::Grant(uid);
    let kind = SecretKind::ApiRefreshToken;
    assert!(secrets.get_optional(owner, kind).unwrap().is_some(), "held while the person chooses");
    h.app.cancel_api_login(&pending.id).await.unwrap();
    assert!(secrets.get_optional(owner, kind).unwrap().is_none(), "the refresh token is gone");
    assert_eq!(h.app.list_accounts().await.unwrap().len(), 2);
    for (id, _) in &added.accounts {
        let _ = h.app.remove_account(*id).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_cases_make_trucks_in_repair_link_faults_by_time_and_flag_an_unattended_critical_fault_once() {
    let modules = vec![Module::AccountManagement, Module::AssetManagement, Module::Telematics];
    let h = Harness::start(200, "cases", modules, Vec::new(), true).await;
    let settings = SyncSettings { case_alert_hours: Some(2), ..SyncSettings::default() };
    h.app.set_sync_settings(settings, None).await.unwrap();
    // A day and a half of the fleet's life: faults fire, and cases open for some of them.
    for _ in 0..36 {
        h.sim.state().tick(60);
    }
    let added = h.app.add_api_login(h.input(), &h.person(PASSWORD)).await.unwrap();
    let account_id = added.accounts[0].0;
    assert_eq!(h.sync(account_id).await.unwrap().status, RunStatus::Completed);

    let fleet = h.sim.state().fleet_snapshot();
    let open: HashMap<&str, &portal_sim::fleet::cases::Case> =
        fleet.cases.iter().filter(|c| c.is_open()).map(|c| (c.vin.as_str(), c)).collect();
    assert!(open.len() >= 3, "{} trucks in the shop", open.len());
    let stored: i64 = h.store().connection().query_row("SELECT count(*) FROM service_cases", [], |r| r.get(0)).unwrap();
    assert_eq!(stored as usize, fleet.cases.len(), "every case, open and closed, once");

    // The one rule: an open case puts a truck in repair, on Vehicles and on Fleet.
    let query = VehicleQuery { status: Some(TruckStatus::InRepair), ..VehicleQuery::default() };
    let in_repair: BTreeSet<String> =
        h.app.list_vehicles(query).await.unwrap().rows.into_iter().map(|v| v.vin).collect();
    assert_eq!(in_repair, open.keys().map(|v| (*v).to_owned()).collect::<BTreeSet<_>>());
    let summary = h.app.fleet_summary(5).await.unwrap();
    assert_eq!(summary.in_repair as usize, open.len());
    let expected_days: f64 = open.values().map(|c| (fleet.now - c.asset_downtime).num_minutes() as f64 / 1440.0).sum();
    assert!((summary.downtime_days - expected_days).abs() < 0.01, "{} vs {expected_days}", summary.downtime_days);

    // The vehicle page: the open case, and the fault that brought the truck in, linked by time.
    let (vin, case) = open
        .iter()
        .find(|(_, c)| matches!(c.reason, portal_sim::fleet::cases::CaseReason::Fault { .. }))
        .expect("a case a fault brought in");
    let portal_sim::fleet::cases::CaseReason::Fault { spn, fmi, .. } = case.reason else { unreachable!() };
    let vehicle_id: i64 =
        h.store().connection().query_row("SELECT id FROM vehicles WHERE vin = ?1", [vin], |r| r.get(0)).unwrap();
    let detail = h.app.vehicle_detail(vehicle_id).await.unwrap();
    let shown = detail.cases.iter().find(|c| !c.closed).expect("its open case");
    assert_eq!(
        (shown.status.as_deref(), shown.repair_status.as_deref()),
        (Some(case.status), Some(case.repair_status))
    );
    assert_eq!(shown.reference.as_deref(), Some(case.reference_number.to_string().as_str()));
    assert!(shown.days_down.unwrap() > 0.0);
    let cause = detail.faults.iter().find(|f| (f.spn, f.fmi) == (spn, fmi));
    if let Some(cause) = cause {
        assert!(shown.fault_ids.contains(&cause.id), "the fault that brought it in is covered: {shown:?}");
    }
    assert!(!shown.fault_ids.is_empty(), "{shown:?}");

    // The clock runs: critical faults that stay without a case are flagged, once each.
    let mut flagged: Vec<i64> = Vec::new();
    for _ in 0..12 {
        h.sim.state().tick(60);
        assert_eq!(h.sync(account_id).await.unwrap().status, RunStatus::Completed);
        let alerts = h.app.list_alerts(Some(1000)).await.unwrap();
        flagged =
            alerts.iter().filter(|a| a.kind == AlertKind::CriticalWithoutCase).filter_map(|a| a.fault_id).collect();
    }
    let distinct: BTreeSet<i64> = flagged.iter().copied().collect();
    assert_eq!(distinct.len(), flagged.len(), "one alert per fault: {flagged:?}");
    assert!(!flagged.is_empty(), "some critical faults went without a case");
    let store = h.store();
    for fault_id in &distinct {
        let (vin, first_seen): (String, chrono::DateTime<chrono::Utc>) = store
            .connection()
            .query_row(
                "SELECT v.vin, f.first_seen_at FROM faults f JOIN vehicles v ON v.id = f.vehicle_id WHERE f.id = ?1",
                [fault_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let noted: chrono::DateTime<chrono::Utc> = store
            .connection()
            .query_row("SELECT no_case_noted_at FROM faults WHERE id = ?1", [fault_id], |r| r.get(0))
            .unwrap();
        assert!(noted - first_seen >= chrono::TimeDelta::hours(2), "{vin}: flagged only after the hours allowed");
        let fleet = h.sim.state().fleet_snapshot();
        let opened_before =
            fleet.cases.iter().any(|c| c.vin == vin && c.started_at <= noted && c.closed_at.is_none_or(|t| t > noted));
        assert!(!opened_before, "{vin} had an open case when it was flagged");
    }
    let _ = h.app.remove_account(account_id).await;
}

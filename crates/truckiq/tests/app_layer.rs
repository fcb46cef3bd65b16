//! The application layer on its own, without Tauri or a terminal: the use cases both front ends
//! call, against a real database file and the real Secret Service (run under
//! scripts/with-keyring.sh).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use truckiq::app::{AccountInput, AlertActionRequest, App, ErrorCode, MuteScope, SecretChange};
use truckiq::j1939::Severity;
use truckiq::secrets::{SecretKind, SecretStore, Sensitive};
use truckiq::store::{AlertKind, NewAlert, ObservedFaults, PortalKind, VehicleObservation, VehicleSnapshot};
use truckiq::sync::{EngineConfig, SyncSettings};

struct Setup {
    dir: tempfile::TempDir,
    app: App,
}

impl Setup {
    fn new(tag: &str) -> Self {
        assert!(std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(), "run through scripts/with-keyring.sh");
        let dir = tempfile::tempdir().unwrap();
        let config = EngineConfig::new(dir.path().join("truckiq.sqlite3"), dir.path().to_path_buf());
        let secrets = SecretStore::with_service(format!("com.truckiq.fleet.test-app-{tag}-{}", std::process::id()));
        Self { app: App::open(config, secrets).unwrap(), dir }
    }

    fn secrets(&self) -> &SecretStore {
        self.app.engine().secrets()
    }
}

fn input(name: &str) -> AccountInput {
    AccountInput {
        name: name.into(),
        portal_kind: PortalKind::TruckTech,
        base_url: "https://paccarsolutions.com/".into(),
        username: "ops@fleet.example".into(),
        sync_interval_minutes: 240,
        password: Some("first password".into()),
        totp_secret: Some("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP".into()),
        trust_device: true,
    }
}

#[tokio::test]
async fn accounts_are_added_changed_and_removed_with_their_secrets_and_folders() {
    let s = Setup::new("accounts");
    let id = s.app.add_account(input("Acme")).await.unwrap();
    let account = s.app.engine().account(id).await.unwrap();
    assert_eq!(account.base_url, "https://paccarsolutions.com", "the address is tidied");
    assert_eq!(s.secrets().get(account.uid, SecretKind::Password).unwrap().expose(), "first password");
    assert_eq!(s.app.account_secrets(id).await.unwrap(), truckiq::app::SecretsSet { password: true, totp: true });

    // Refused as given: nothing is written, and the code says so.
    let taken = s.app.add_account(input("acme")).await.unwrap_err();
    assert_eq!(taken.code(), ErrorCode::InvalidInput, "{taken}");
    assert!(taken.to_string().contains("already exists"), "{taken}");
    assert_eq!(s.app.list_accounts().await.unwrap().len(), 1);
    let typo = s.app.add_account(AccountInput { totp_secret: Some("not base32!".into()), ..input("Globex") }).await;
    assert_eq!(typo.unwrap_err().code(), ErrorCode::InvalidInput);
    assert_eq!(s.app.list_accounts().await.unwrap().len(), 1, "no account without its secrets");

    // An edit without a password keeps it; an empty TOTP secret removes it; a pause is lifted.
    s.app.engine().db(move |store| store.set_paused(id, Some("refused"))).await.unwrap();
    let edit =
        AccountInput { password: None, totp_secret: Some(String::new()), name: "Acme West".into(), ..input("x") };
    s.app.update_account(id, edit).await.unwrap();
    let edited = s.app.engine().account(id).await.unwrap();
    assert_eq!((edited.name.as_str(), edited.paused_reason.as_deref()), ("Acme West", None));
    assert_eq!(s.app.account_secrets(id).await.unwrap(), truckiq::app::SecretsSet { password: true, totp: false });
    assert_eq!(s.secrets().get(account.uid, SecretKind::Password).unwrap().expose(), "first password");
    let was_paused = s
        .app
        .change_secrets(id, SecretChange { password: Some(Sensitive::from("second password")), totp: None })
        .await
        .unwrap();
    assert!(!was_paused);
    assert_eq!(s.secrets().get(account.uid, SecretKind::Password).unwrap().expose(), "second password");
    let gone = s.app.update_account(id + 99, input("Nobody")).await.unwrap_err();
    assert_eq!(gone.code(), ErrorCode::NotFound);

    // The saved password never follows the account to another site: a new origin needs it again,
    // and a plain-http address off this machine is refused outright.
    s.app.engine().db(move |store| store.set_paused(id, Some("refused"))).await.unwrap();
    let elsewhere =
        AccountInput { password: None, base_url: "https://portal.evil.example".into(), ..input("Acme West") };
    let refused = s.app.update_account(id, elsewhere.clone()).await.unwrap_err();
    assert_eq!(refused.code(), ErrorCode::InvalidInput);
    assert!(refused.to_string().contains("enter the password again"), "{refused}");
    let kept = s.app.engine().account(id).await.unwrap();
    assert_eq!(
        (kept.base_url.as_str(), kept.paused_reason.as_deref()),
        ("https://paccarsolutions.com", Some("refused"))
    );
    let same_site =
        AccountInput { password: None, base_url: "https://paccarsolutions.com/fleet".into(), ..elsewhere.clone() };
    s.app.update_account(id, same_site).await.unwrap();
    let plain = AccountInput { base_url: "http://paccarsolutions.com".into(), ..input("Acme West") };
    let refused = s.app.update_account(id, plain).await.unwrap_err();
    assert!(refused.to_string().contains("plain http://"), "{refused}");
    let moved = AccountInput { password: Some("third password".into()), ..elsewhere };
    s.app.update_account(id, moved).await.unwrap();
    assert_eq!(s.app.engine().account(id).await.unwrap().base_url, "https://portal.evil.example");

    s.app.set_account_enabled(id, false).await.unwrap();
    assert!(!s.app.engine().account(id).await.unwrap().enabled);
    assert_eq!(s.app.set_account_enabled(id + 99, true).await.unwrap_err().code(), ErrorCode::NotFound);

    // Not trusting this device any more: the profile (and a trust cookie in it) goes at once.
    let profile = truckiq::paths::browser_profile_dir(s.dir.path(), account.uid);
    std::fs::create_dir_all(&profile).unwrap();
    let untrusted = AccountInput { base_url: "https://portal.evil.example".into(), ..input("Acme West") };
    s.app.update_account(id, AccountInput { password: None, trust_device: false, ..untrusted }).await.unwrap();
    assert!(!s.app.engine().account(id).await.unwrap().trust_device);
    assert!(!profile.exists(), "the browser profile was removed when trust was turned off");
    s.app.set_trust_device(id, true).await.unwrap();
    assert!(s.app.engine().account(id).await.unwrap().trust_device);

    let kept = truckiq::paths::artifacts_dir(s.dir.path(), account.uid);
    for folder in [&profile, &kept] {
        std::fs::create_dir_all(folder).unwrap();
    }
    s.app.remove_account(id).await.unwrap();
    assert!(s.app.list_accounts().await.unwrap().is_empty());
    assert!(s.secrets().get_optional(account.uid, SecretKind::Password).unwrap().is_none(), "keychain entry gone");
    assert!(!profile.exists() && !kept.exists(), "browser profile and kept pages gone");
    assert_eq!(s.app.remove_account(id).await.unwrap_err().code(), ErrorCode::NotFound);
}

#[tokio::test]
async fn alerts_settings_and_staleness_follow_one_set_of_rules() {
    let s = Setup::new("alerts");
    let id = s.app.add_account(input("Acme")).await.unwrap();
    let uid = s.app.engine().account(id).await.unwrap().uid;
    let vin = "1XKYD49X0NJ123456";
    let observed = vec![VehicleObservation {
        vehicle: VehicleSnapshot { vin: vin.into(), ..VehicleSnapshot::default() },
        faults: ObservedFaults::Read(vec![]),
    }];
    let alert = s
        .app
        .engine()
        .db(move |store| {
            store.apply_sync(id, chrono::Utc::now(), &observed)?;
            let vehicle: i64 = store.connection().query_row("SELECT id FROM vehicles", [], |r| r.get(0))?;
            store.insert_alert(
                &NewAlert {
                    kind: AlertKind::RiskChange,
                    severity: Severity::Critical,
                    account_id: Some(id),
                    vehicle_id: Some(vehicle),
                    fault_id: None,
                    sync_run_id: None,
                    channel_id: None,
                    title: "Unit 7 is now critical".into(),
                    message: String::new(),
                },
                chrono::Utc::now(),
                &truckiq::store::NoChannels,
            )
        })
        .await
        .unwrap();

    let prefs = s.app.mute_alert(alert.id, MuteScope::Vehicle).await.unwrap();
    assert_eq!(prefs.muted_vehicles.len(), 1);
    assert_eq!((prefs.muted_vehicles[0].account, prefs.muted_vehicles[0].vin.as_str()), (uid, vin));
    let again = s.app.mute_alert(alert.id, MuteScope::Vehicle).await.unwrap();
    assert_eq!(again.muted_vehicles.len(), 1, "muting twice keeps one entry");
    let no_code = s.app.mute_alert(alert.id, MuteScope::Code).await.unwrap_err();
    assert_eq!(no_code.code(), ErrorCode::InvalidInput);
    assert_eq!(s.app.mute_alert(alert.id + 99, MuteScope::Code).await.unwrap_err().code(), ErrorCode::NotFound);

    let code_on_truck = s.app.mute_alert(alert.id, MuteScope::CodeOnTruck).await.unwrap_err();
    assert_eq!(code_on_truck.code(), ErrorCode::InvalidInput, "no code to mute on the truck");
    let now = chrono::Utc::now();
    for until in [now - chrono::Duration::minutes(1), now + chrono::Duration::days(31)] {
        let snooze = s.app.act_on_alerts(vec![alert.id], AlertActionRequest::Snooze { until }).await;
        assert_eq!(snooze.unwrap_err().code(), ErrorCode::InvalidInput, "{until}");
    }
    let morning = now + chrono::Duration::hours(14);
    assert_eq!(s.app.act_on_alerts(vec![alert.id], AlertActionRequest::Snooze { until: morning }).await.unwrap(), 1);
    let listed = s.app.list_alerts(None).await.unwrap();
    assert_eq!(listed[0].snoozed_until.map(|t| t.timestamp()), Some(morning.timestamp()));
    assert_eq!(s.app.act_on_alerts(vec![alert.id], AlertActionRequest::Unsnooze).await.unwrap(), 1);
    let back = s.app.list_alerts(None).await.unwrap();
    assert_eq!((back[0].snoozed_until, back[0].read_at), (None, None), "back now, unread");
    assert_eq!(s.app.act_on_alerts(vec![alert.id], AlertActionRequest::Unsnooze).await.unwrap(), 0, "not snoozed");
    assert_eq!(s.app.act_on_alerts(vec![alert.id], AlertActionRequest::Acknowledge).await.unwrap(), 1);

    let bad = SyncSettings { stale_after_hours: Some(0), ..SyncSettings::default() };
    assert_eq!(s.app.set_sync_settings(bad, None).await.unwrap_err().code(), ErrorCode::InvalidInput);

    // The account synced (apply_sync) but has no completed run: never a success, added just now.
    let fresh = &s.app.list_accounts().await.unwrap()[0];
    assert!(!fresh.stale, "just added");
    let created = chrono::Utc::now() - chrono::Duration::hours(5);
    s.app
        .engine()
        .db(move |store| {
            store.connection().execute("UPDATE accounts SET created_at = ?1", [created])?;
            Ok(())
        })
        .await
        .unwrap();
    assert!(!s.app.list_accounts().await.unwrap()[0].stale, "5 h is within the default 23 h");
    s.app
        .set_sync_settings(SyncSettings { stale_after_hours: Some(4), ..SyncSettings::default() }, None)
        .await
        .unwrap();
    let stale = &s.app.list_accounts().await.unwrap()[0];
    assert!(stale.stale, "the limit in Settings decides");
    assert_eq!(s.app.fleet_summary(0).await.unwrap().stale_accounts, 1, "the tray's count agrees");
    let raised = s.app.check_stale(None).await.unwrap();
    assert_eq!((raised.len(), raised[0].hours), (1, 4), "the scheduler's check uses the same limit");
    let stale_alerts = || async {
        s.app
            .list_alerts(None)
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.kind == AlertKind::StaleData)
            .collect::<Vec<_>>()
    };
    let alerts = stale_alerts().await;
    assert_eq!(alerts.len(), 1);
    s.app.act_on_alerts(vec![alerts[0].id], AlertActionRequest::Acknowledge).await.unwrap();
    s.app.check_stale(None).await.unwrap();
    assert_eq!(stale_alerts().await.len(), 1, "one alert per stale spell, even once it was dealt with");
    assert_eq!(s.app.sync_settings().await.unwrap().stale_after_hours, Some(4));

    s.app.remove_account(id).await.unwrap();
    assert!(s.app.notification_prefs().await.unwrap().muted_vehicles.is_empty(), "its trucks' mutes go with it");
}

/// The demo finds its accounts by their flag: a real account a person happened to call "Demo
/// fleet" keeps its address and password, and is never synced or set aside as the demo's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_never_takes_over_an_account_a_person_named_like_it() {
    let s = Setup::new("demo-name");
    let mine = s.app.add_account(input("Demo fleet")).await.unwrap();
    let uid = s.app.engine().account(mine).await.unwrap().uid;
    let options = truckiq::app::DemoOptions { vehicles: 5, tick: None, scheduled: false };
    let demo = s.app.start_demo(options).await.unwrap();
    assert!(!demo.account_ids.contains(&mine), "{demo:?}");
    let kept = s.app.engine().account(mine).await.unwrap();
    assert_eq!(kept.base_url, "https://paccarsolutions.com", "not pointed at a simulator");
    assert_eq!(s.secrets().get(uid, SecretKind::Password).unwrap().expose(), "first password");
    let theirs = s.app.engine().account(demo.account_id).await.unwrap();
    assert_eq!(theirs.name, "Demo fleet (demo)");
    assert!(theirs.base_url.starts_with("http://127.0.0.1:"), "{}", theirs.base_url);

    // A second start finds the same demo accounts, and stopping sets aside only them.
    let again = s.app.start_demo(options).await.unwrap();
    assert_eq!(again.account_ids, demo.account_ids);
    s.app.stop_demo().await.unwrap();
    assert!(s.app.engine().account(mine).await.unwrap().enabled, "the person's account is not the demo's");
    assert!(!s.app.engine().account(demo.account_id).await.unwrap().enabled);
}

/// A new account is synced at once, as the window adds it: its first run starts with the add,
/// reports its progress, and stores its trucks, with nobody pressing Sync now.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_account_is_synced_at_once() {
    use portal_sim::{Portal, SimConfig, Simulator, UserSpec};
    let sim = Simulator::start(SimConfig { vehicles: 8, ..SimConfig::default() }).await.unwrap();
    sim.state().add_user(UserSpec::new(Portal::Paccar, "new@fleet.example", "first pw")).unwrap();
    let s = Setup::new("add-and-sync");
    let mut events = s.app.engine().subscribe_events();
    let fresh = AccountInput {
        base_url: sim.portal_url(Portal::Paccar),
        username: "new@fleet.example".into(),
        password: Some("first pw".into()),
        totp_secret: None,
        ..input("Fresh fleet")
    };
    let id = s.app.add_account_and_sync(fresh, truckiq::portal::run::RunMode::Scheduled).await.unwrap();
    let started = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            if let Ok(truckiq::sync::SyncEvent::Started { account_id, .. }) = events.recv().await
                && account_id == id
            {
                return;
            }
        }
    })
    .await;
    assert!(started.is_ok(), "the first run started with the add");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    let run = loop {
        let runs = s.app.engine().db(move |store| store.runs(id, 1)).await.unwrap();
        if let Some(run) = runs.into_iter().next().filter(|r| r.status != truckiq::store::RunStatus::InProgress) {
            break run;
        }
        assert!(std::time::Instant::now() < deadline, "the first sync did not end");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(run.status, truckiq::store::RunStatus::Completed, "{:?}", run.error_message);
    assert_eq!(run.vehicles_count, 8, "its trucks are stored");
    s.secrets().delete_all(s.app.engine().account(id).await.unwrap().uid).unwrap();
}

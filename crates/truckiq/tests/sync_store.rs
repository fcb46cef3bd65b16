//! Applying syncs to a real SQLite file: vehicles, meter history and fault episodes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use chrono::{DateTime, Duration, Utc};
use truckiq::j1939::Severity;
use truckiq::j1939::health::HealthBand;
use truckiq::store::{
    CaseObservation, FaultObservation, FaultTier, NewAccount, NoChannels, ObservedFaults, PortalKind, RunTrigger,
    Store, SyncRecord, TruckStatus, VehicleObservation, VehicleQuery, VehicleSnapshot, VehicleSort,
};

const VIN_A: &str = "1XKYD49X0NJ123456";
const VIN_B: &str = "1XPBD49X1MD765432";

fn t(hours: i64) -> DateTime<Utc> {
    "2026-11-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::hours(hours)
}

fn setup() -> (tempfile::TempDir, Store, i64) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("db.sqlite3")).unwrap();
    let account = store
        .insert_account(&NewAccount {
            name: "Acme".into(),
            portal_kind: PortalKind::TruckTech,
            base_url: "https://paccarsolutions.com".into(),
            username: "ops@acme.example".into(),
            sync_interval_minutes: 240,
        })
        .unwrap();
    (dir, store, account)
}

fn vehicle(vin: &str, odometer: f64) -> VehicleSnapshot {
    VehicleSnapshot {
        vin: vin.into(),
        unit_number: Some("1042".into()),
        model_year: Some(2022),
        make: Some("Kenworth".into()),
        model: Some("T680".into()),
        odometer_mi: Some(odometer),
        engine_hours: Some(odometer / 40.0),
        ..VehicleSnapshot::default()
    }
}

fn fault(spn: u32, fmi: u8, active: bool) -> FaultObservation {
    support::fault_observation(spn, fmi, active, Severity::Major)
}

fn observe(vin: &str, odometer: f64, faults: Option<Vec<FaultObservation>>) -> VehicleObservation {
    VehicleObservation { vehicle: vehicle(vin, odometer), faults: faults.into() }
}

fn time(store: &Store, sql: &str) -> Option<DateTime<Utc>> {
    store.connection().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn count(store: &Store, sql: &str) -> i64 {
    store.connection().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn episodes_extend_close_and_reopen_and_history_is_kept() {
    let (_dir, mut store, account) = setup();
    let first = store
        .apply_sync(account, t(0), &[observe(VIN_A, 1000.0, Some(vec![fault(100, 1, true), fault(3226, 4, true)]))])
        .unwrap();
    assert_eq!((first.new_vehicles, first.readings_added, first.opened.len()), (1, 1, 2));

    let again = store
        .apply_sync(account, t(4), &[observe(VIN_A, 1000.0, Some(vec![fault(100, 1, true), fault(3226, 4, true)]))])
        .unwrap();
    assert_eq!((again.new_vehicles, again.readings_added, again.opened.len(), again.extended), (0, 0, 0, 2));

    // 3226 is gone: its episode closes; 100 continues.
    let cleared = store.apply_sync(account, t(8), &[observe(VIN_A, 1100.0, Some(vec![fault(100, 1, true)]))]).unwrap();
    assert_eq!((cleared.closed, cleared.readings_added), (1, 1));
    let (active, cleared_at): (bool, Option<String>) = store
        .connection()
        .query_row("SELECT active, cleared_at FROM faults WHERE spn = 3226", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert!(!active && cleared_at.is_some());

    // It comes back: a new episode, the old one stays as history.
    let back = store
        .apply_sync(account, t(12), &[observe(VIN_A, 1200.0, Some(vec![fault(100, 1, true), fault(3226, 4, true)]))])
        .unwrap();
    assert_eq!(back.opened.len(), 1);
    assert_eq!(count(&store, "SELECT count(*) FROM faults WHERE spn = 3226"), 2);
    assert_eq!(count(&store, "SELECT count(*) FROM faults WHERE spn = 3226 AND cleared_at IS NULL"), 1);
    assert_eq!(count(&store, "SELECT count(*) FROM vehicle_readings"), 3, "readings only when meters changed");
    let last_seen: String =
        store.connection().query_row("SELECT last_seen_at FROM faults WHERE spn = 100", [], |r| r.get(0)).unwrap();
    assert!(last_seen.starts_with("2026-11-01 12:00"), "{last_seen}");
}

#[test]
fn a_vehicle_whose_diagnostics_failed_keeps_its_faults_and_empty_cells_keep_values() {
    let (_dir, mut store, account) = setup();
    store
        .apply_sync(
            account,
            t(0),
            &[observe(VIN_A, 1000.0, Some(vec![fault(100, 1, true)])), observe(VIN_B, 5.0, Some(vec![]))],
        )
        .unwrap();
    let mut blank = observe(VIN_A, 1000.0, None);
    blank.vehicle.unit_number = None;
    blank.vehicle.odometer_mi = None;
    let outcome = store.apply_sync(account, t(4), &[blank]).unwrap();
    assert_eq!(outcome.closed, 0, "unread diagnostics close nothing");
    assert_eq!(count(&store, "SELECT count(*) FROM faults WHERE cleared_at IS NULL AND active = 1"), 1);
    let (unit, odometer): (String, f64) = store
        .connection()
        .query_row("SELECT unit_number, odometer_mi FROM vehicles WHERE vin = ?1", [VIN_A], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((unit.as_str(), odometer), ("1042", 1000.0));
}

/// A truck the database refuses (a VIN of the wrong length) is set aside inside the sync's
/// transaction: what was written for it is undone, the other trucks are stored.
#[test]
fn a_refused_truck_is_undone_alone_and_the_rest_is_stored() {
    let (_dir, mut store, account) = setup();
    store.apply_sync(account, t(0), &[observe(VIN_A, 1000.0, Some(vec![fault(100, 1, true)]))]).unwrap();
    let before = count(&store, "SELECT count(*) FROM vehicles") + count(&store, "SELECT count(*) FROM faults");
    let outcome = store
        .apply_sync(
            account,
            t(4),
            &[observe(VIN_B, 10.0, Some(vec![fault(110, 0, true)])), observe("TOO-SHORT", 1.0, Some(vec![]))],
        )
        .unwrap();
    assert_eq!(outcome.set_aside.iter().map(|(vin, _)| vin.as_str()).collect::<Vec<_>>(), ["TOO-SHORT"]);
    let after = count(&store, "SELECT count(*) FROM vehicles") + count(&store, "SELECT count(*) FROM faults");
    assert_eq!(after, before + 2, "truck B and its fault, nothing of the refused one");
    let integrity: String = store.connection().query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(integrity, "ok");
}

/// Truck A with an active major and an inactive fault; truck B with `critical` and the same major.
fn sync_two_trucks(store: &mut Store, account: i64, critical: FaultObservation) {
    store
        .apply_sync(
            account,
            t(0),
            &[
                observe(VIN_A, 100.0, Some(vec![fault(3226, 4, true), fault(97, 3, false)])),
                observe(VIN_B, 200.0, Some(vec![critical, fault(3226, 4, true)])),
            ],
        )
        .unwrap();
}

#[test]
fn the_vehicle_list_counts_active_faults_by_tier_and_puts_the_sickest_first() {
    let (_dir, mut store, account) = setup();
    let critical = FaultObservation { severity: Severity::Critical, derate: true, ..fault(100, 1, true) };
    sync_two_trucks(&mut store, account, critical);
    let list = store.list_vehicles(&VehicleQuery::default()).unwrap().rows;
    assert_eq!(list.iter().map(|v| v.vin.as_str()).collect::<Vec<_>>(), [VIN_B, VIN_A], "least healthy first");
    let b = &list[0];
    assert_eq!((b.active_critical, b.active_major, b.active_faults), (1, 1, 2));
    assert_eq!(b.health_band, Some(HealthBand::Critical));
    assert_eq!((list[1].active_critical, list[1].active_faults), (0, 1), "inactive faults do not count");
    assert_eq!(b.account_name, "Acme");
}

/// A truck with `unit`, `odometer` and these active faults (severity, spn).
fn truck(vin: &str, unit: Option<&str>, odometer: Option<f64>, faults: &[(Severity, u32)]) -> VehicleObservation {
    VehicleObservation {
        vehicle: VehicleSnapshot { unit_number: unit.map(str::to_owned), odometer_mi: odometer, ..vehicle(vin, 0.0) },
        faults: ObservedFaults::Read(
            faults.iter().map(|&(severity, spn)| FaultObservation { severity, ..fault(spn, 1, true) }).collect(),
        ),
    }
}

fn vins(store: &Store, query: &VehicleQuery) -> Vec<String> {
    store.list_vehicles(query).unwrap().rows.into_iter().map(|v| v.vin).collect()
}

#[test]
fn the_vehicle_table_is_filtered_sorted_and_windowed_by_the_database() {
    use Severity::{Critical, Major, Minor};
    let (_dir, mut store, acme) = setup();
    let other = store
        .insert_account(&NewAccount {
            name: "Other".into(),
            portal_kind: PortalKind::TruckTech,
            base_url: "https://paccarsolutions.com".into(),
            username: "ops@other.example".into(),
            sync_interval_minutes: 240,
        })
        .unwrap();
    const V1: &str = "1XKYD49X0NJ000001";
    const V2: &str = "1XKYD49X0NJ000002";
    const V3: &str = "1XKYD49X0NJ000003";
    const V4: &str = "1XPBD49X1MD000004";
    const V5: &str = "1XPBD49X1MD000005";
    let acme_fleet = [
        truck(V1, Some("T-17"), Some(500.0), &[(Critical, 100), (Major, 3226)]),
        truck(V2, Some("T-9"), Some(90.0), &[(Major, 3226), (Minor, 97)]),
        truck(V3, Some("100"), None, &[]),
    ];
    let other_fleet = [truck(V4, Some("99"), Some(1000.0), &[(Minor, 97)]), truck(V5, None, Some(10.0), &[])];
    store.apply_sync(acme, t(0), &acme_fleet).unwrap();
    store.apply_sync(other, t(0), &other_fleet).unwrap();
    // A truck that was listed (unit 1042) but never had its diagnostics read has no health yet.
    const V6: &str = "3WKYD49X0NJ000006";
    store
        .apply_sync(other, t(1), &[VehicleObservation { vehicle: vehicle(V6, 5.0), faults: ObservedFaults::Unread }])
        .unwrap();

    let all = VehicleQuery::default();
    let page = store.list_vehicles(&all).unwrap();
    assert_eq!((page.total, page.matching, page.offset), (6, 6, 0));
    assert_eq!(vins(&store, &all), [V1, V2, V4, V3, V5, V6], "least healthy first; never read last");
    let v1 = &page.rows[0];
    assert_eq!((v1.active_critical, v1.active_major, v1.active_faults), (1, 1, 2));
    assert_eq!((v1.account_name.as_str(), v1.health_band), ("Acme", Some(HealthBand::Critical)));

    // Search: any case, part of the VIN or of the unit number.
    let search = |text: &str| VehicleQuery { search: text.into(), ..VehicleQuery::default() };
    assert_eq!(vins(&store, &search("1xpbd")), [V4, V5]);
    assert_eq!(vins(&store, &search(" t-1 ")), [V1]);
    assert_eq!(vins(&store, &search("99")), [V4], "a unit number no VIN contains");
    let nothing = store.list_vehicles(&search("%")).unwrap();
    assert_eq!((nothing.total, nothing.matching, nothing.rows.len()), (6, 0, 0), "% is text, not a wildcard");

    // Filters narrow; the total stays every truck.
    let band = VehicleQuery { band: Some(HealthBand::Good), ..VehicleQuery::default() };
    assert_eq!(vins(&store, &band), [V4, V3, V5]);
    let critical = VehicleQuery { tier: Some(FaultTier::Critical), ..VehicleQuery::default() };
    assert_eq!(vins(&store, &critical), [V1]);
    let major = VehicleQuery { tier: Some(FaultTier::Major), ..VehicleQuery::default() };
    assert_eq!(vins(&store, &major), [V1, V2]);
    let account = VehicleQuery { account_id: Some(other), tier: None, ..VehicleQuery::default() };
    let page = store.list_vehicles(&account).unwrap();
    assert_eq!((page.total, page.matching), (6, 3));

    // Each sort, both ways; unknown values last either way, ties by VIN.
    let sorted = |sort: VehicleSort, descending: bool| {
        vins(&store, &VehicleQuery { sort, descending, ..VehicleQuery::default() })
    };
    assert_eq!(sorted(VehicleSort::Unit, false), [V4, V3, V6, V2, V1, V5], "99 < 100 < 1042, T-9 < T-17, none last");
    assert_eq!(sorted(VehicleSort::Unit, true), [V1, V2, V6, V3, V4, V5]);
    assert_eq!(sorted(VehicleSort::Vin, true), [V6, V5, V4, V3, V2, V1]);
    assert_eq!(sorted(VehicleSort::Odometer, false), [V6, V5, V2, V1, V4, V3]);
    assert_eq!(sorted(VehicleSort::Odometer, true), [V4, V1, V2, V5, V6, V3]);
    assert_eq!(sorted(VehicleSort::Faults, true), [V1, V2, V4, V3, V5, V6]);
    assert_eq!(sorted(VehicleSort::Health, true), [V3, V5, V4, V2, V1, V6]);

    // Windows tile the list: no truck twice, none skipped.
    let window = |offset: u32| VehicleQuery { offset, limit: 4, sort: VehicleSort::Unit, ..VehicleQuery::default() };
    let mut tiled = vins(&store, &window(0));
    tiled.extend(vins(&store, &window(4)));
    assert_eq!(tiled, sorted(VehicleSort::Unit, false));
    assert_eq!(store.list_vehicles(&window(4)).unwrap().offset, 4);
    let huge = VehicleQuery { limit: u32::MAX, ..VehicleQuery::default() };
    assert_eq!(store.list_vehicles(&huge).unwrap().rows.len(), 6, "the limit is capped, not an error");
}

#[test]
fn a_vehicles_fault_counts_follow_each_read_and_survive_a_failed_one() {
    let (_dir, mut store, account) = setup();
    let critical = FaultObservation { severity: Severity::Critical, ..fault(100, 1, true) };
    store
        .apply_sync(account, t(0), &[observe(VIN_A, 1.0, Some(vec![critical.clone(), fault(3226, 4, true)]))])
        .unwrap();
    let counts = |store: &Store| {
        let v = store.list_vehicles(&VehicleQuery::default()).unwrap().rows.remove(0);
        (v.active_critical, v.active_major, v.active_faults)
    };
    assert_eq!(counts(&store), (1, 1, 2));
    // Diagnostics that could not be read leave the stored counts as they were.
    store.apply_sync(account, t(4), &[observe(VIN_A, 2.0, None)]).unwrap();
    assert_eq!(counts(&store), (1, 1, 2));
    // The critical one cleared, the major one went inactive.
    store.apply_sync(account, t(8), &[observe(VIN_A, 3.0, Some(vec![fault(3226, 4, false)]))]).unwrap();
    assert_eq!(counts(&store), (0, 0, 0));
    let critical_only = VehicleQuery { tier: Some(FaultTier::Critical), ..VehicleQuery::default() };
    assert_eq!(store.list_vehicles(&critical_only).unwrap().matching, 0);
    store.apply_sync(account, t(12), &[observe(VIN_A, 4.0, Some(vec![critical]))]).unwrap();
    assert_eq!(counts(&store), (1, 0, 1));
}

#[test]
fn the_vehicle_page_lists_active_faults_first_explains_them_and_keeps_history() {
    let (_dir, mut store, account) = setup();
    let critical = FaultObservation { severity: Severity::Critical, description: None, ..fault(100, 1, true) };
    store
        .apply_sync(account, t(0), &[observe(VIN_A, 100.0, Some(vec![fault(3226, 4, true), fault(97, 3, true)]))])
        .unwrap();
    store.apply_sync(account, t(4), &[observe(VIN_A, 180.0, Some(vec![critical, fault(3226, 4, true)]))]).unwrap();
    let id = store.list_vehicles(&VehicleQuery::default()).unwrap().rows[0].id;
    let detail = store.vehicle_detail(id, Utc::now()).unwrap().unwrap();
    let codes: Vec<(u32, bool)> = detail.faults.iter().map(|f| (f.spn, f.active)).collect();
    assert_eq!(codes, [(100, true), (3226, true), (97, false)], "active (worst first), then the cleared one");
    let oil = &detail.faults[0];
    assert_eq!(oil.source_name, "Engine #1 (SA 0)");
    assert_eq!(oil.fmi_meaning, "Reading valid but below normal range (most severe level)");
    assert!(oil.description.starts_with("Engine oil pressure"), "made from the SPN table: {}", oil.description);
    assert!(detail.faults[2].cleared_at.is_some());
    assert_eq!(detail.readings.iter().map(|r| r.odometer_mi).collect::<Vec<_>>(), [Some(100.0), Some(180.0)]);
    assert!(detail.health_reasons[0].starts_with("Critical: SPN 100/FMI 1"), "{:?}", detail.health_reasons);
    assert_eq!(store.vehicle_detail(id + 1000, Utc::now()).unwrap(), None);
}

/// A minor alert about `account`, not about any truck.
fn account_alert(account: i64, title: &str) -> truckiq::store::NewAlert {
    truckiq::store::NewAlert {
        kind: truckiq::store::AlertKind::SyncFailed,
        severity: Severity::Minor,
        account_id: Some(account),
        vehicle_id: None,
        fault_id: None,
        sync_run_id: None,
        channel_id: None,
        title: title.into(),
        message: String::new(),
    }
}

#[test]
fn alerts_are_read_snoozed_and_acknowledged_and_settings_survive_bad_values() {
    use truckiq::store::AlertAction;
    let (_dir, mut store, account) = setup();
    let a = store.insert_alert(&account_alert(account, "a"), t(0), &NoChannels).unwrap();
    let b = store.insert_alert(&account_alert(account, "b"), t(1), &NoChannels).unwrap();
    assert_eq!(store.act_on_alerts(&[a.id], AlertAction::Read, t(2)).unwrap(), 1);
    let titles = |store: &Store| store.alerts(10).unwrap().into_iter().map(|a| a.title).collect::<Vec<_>>();
    assert_eq!(titles(&store), ["b", "a"], "unread first");
    store.act_on_alerts(&[a.id], AlertAction::SnoozeUntil(t(30)), t(3)).unwrap();
    let snoozed = store.alert(a.id).unwrap().unwrap();
    assert_eq!((snoozed.read_at, snoozed.snoozed_until), (None, Some(t(30))), "back as unread later");
    assert_eq!(store.act_on_alerts(&[a.id], AlertAction::Unsnooze, t(31)).unwrap(), 0, "its snooze is over already");
    assert_eq!(store.act_on_alerts(&[a.id], AlertAction::Unsnooze, t(3)).unwrap(), 1);
    assert_eq!(store.alert(a.id).unwrap().unwrap().snoozed_until, None, "unsnoozed");
    store.act_on_alerts(&[a.id, b.id, 999], AlertAction::Acknowledge, t(4)).unwrap();
    assert!(store.alerts(10).unwrap().iter().all(|a| a.acknowledged_at == Some(t(4)) && a.snoozed_until.is_none()));

    use truckiq::sync::alerts::{NotificationPrefs, QuietHours};
    let prefs = NotificationPrefs {
        quiet_hours: Some(QuietHours { start_minute: 1320, end_minute: 360 }),
        ..Default::default()
    };
    store.set_setting("notifications", &prefs).unwrap();
    assert_eq!(store.setting::<NotificationPrefs>("notifications").unwrap(), prefs);
    store.connection().execute("UPDATE settings SET value = '\"nonsense\"' WHERE key = 'notifications'", []).unwrap();
    assert_eq!(store.setting::<NotificationPrefs>("notifications").unwrap(), NotificationPrefs::default());
}

#[test]
fn the_fleet_summary_counts_bands_tiers_and_the_most_common_faults() {
    let (_dir, mut store, account) = setup();
    let critical = FaultObservation { severity: Severity::Critical, ..fault(100, 1, true) };
    sync_two_trucks(&mut store, account, critical);
    let summary = store.fleet_summary(5, Utc::now()).unwrap();
    assert_eq!((summary.trucks, summary.good, summary.attention, summary.critical), (2, 0, 1, 1));
    assert_eq!((summary.active_critical, summary.active_major, summary.active_minor), (1, 2, 0));
    assert_eq!(summary.top_faults[0].spn, 3226, "on both trucks");
    assert_eq!(summary.top_faults[0].trucks, 2);
    assert_eq!(summary.last_success, None, "apply_sync alone records no run");
}

#[test]
fn faults_filter_across_the_fleet_and_export_as_csv() {
    use truckiq::store::{FaultFilter, FaultQuery, FaultSort};
    let (_dir, mut store, account) = setup();
    let critical = FaultObservation { severity: Severity::Critical, ..fault(100, 1, true) };
    let formula = FaultObservation { description: Some("=cmd|' /C calc'!A0".into()), ..fault(111, 17, true) };
    store
        .apply_sync(account, t(0), &[observe(VIN_A, 100.0, Some(vec![fault(3226, 4, true), fault(97, 3, true)]))])
        .unwrap();
    store
        .apply_sync(
            account,
            t(4),
            &[
                observe(VIN_A, 120.0, Some(vec![fault(3226, 4, true)])),
                observe(VIN_B, 200.0, Some(vec![critical, formula])),
            ],
        )
        .unwrap();
    let all = store.list_faults(&FaultQuery::first(FaultFilter::default(), 100)).unwrap();
    assert_eq!(all.total, 4, "the cleared one is history, still listed");
    assert_eq!(all.faults[0].episode.spn, 100, "active critical first");
    assert_eq!(all.faults.last().map(|f| (f.episode.spn, f.episode.active)), Some((97, false)));
    let active = store
        .list_faults(&FaultQuery::first(FaultFilter { active_only: true, ..FaultFilter::default() }, 100))
        .unwrap();
    assert_eq!(active.total, 3);
    let one_spn = FaultFilter { spn: Some(3226), ..FaultFilter::default() };
    assert_eq!(store.list_faults(&FaultQuery::first(one_spn, 100)).unwrap().faults[0].vin, VIN_A);
    let one_code = FaultFilter { spn: Some(111), fmi: Some(17), ..FaultFilter::default() };
    assert_eq!(store.list_faults(&FaultQuery::first(one_code, 100)).unwrap().total, 1, "SPN and FMI together");
    let fmi_only = FaultFilter { fmi: Some(4), ..FaultFilter::default() };
    assert_eq!(store.list_faults(&FaultQuery::first(fmi_only, 100)).unwrap().faults[0].episode.spn, 3226);
    let critical_only = FaultFilter { severity: Some(Severity::Critical), ..FaultFilter::default() };
    assert_eq!(store.list_faults(&FaultQuery::first(critical_only, 100)).unwrap().total, 1);
    let recent = FaultFilter { since: Some(t(2)), ..FaultFilter::default() };
    assert_eq!(
        store.list_faults(&FaultQuery::first(recent, 100)).unwrap().total,
        3,
        "the episode last seen at t0 is older"
    );
    assert_eq!(
        store.list_faults(&FaultQuery::first(FaultFilter::default(), 2)).unwrap().faults.len(),
        2,
        "a page, with the total"
    );

    // Sorted and windowed in SQLite: windows follow each other without overlap.
    let codes = |sort, descending, offset, limit| {
        let query = FaultQuery { sort, descending, offset, limit, ..FaultQuery::default() };
        let page = store.list_faults(&query).unwrap();
        assert_eq!((page.total, page.offset), (4, offset));
        page.faults.iter().map(|f| (f.episode.spn, f.episode.fmi)).collect::<Vec<_>>()
    };
    assert_eq!(codes(FaultSort::Code, false, 0, 10), [(97, 3), (100, 1), (111, 17), (3226, 4)]);
    assert_eq!(codes(FaultSort::Code, true, 0, 10), [(3226, 4), (111, 17), (100, 1), (97, 3)]);
    assert_eq!(codes(FaultSort::Code, false, 1, 2), [(100, 1), (111, 17)], "the second window");
    assert_eq!(codes(FaultSort::LastReported, false, 0, 1), [(97, 3)], "last reported at t0, the oldest");
    assert_eq!(codes(FaultSort::Severity, true, 0, 1), [(97, 3)], "reversed: the cleared one first");
    let by_truck: Vec<String> = store
        .list_faults(&FaultQuery { sort: FaultSort::Truck, ..FaultQuery::default() })
        .unwrap()
        .faults
        .into_iter()
        .map(|f| f.vin)
        .collect();
    assert_eq!(by_truck.iter().filter(|v| *v == VIN_A).count(), 2);
    assert!(by_truck.windows(2).all(|w| w[0] <= w[1]), "grouped by truck: {by_truck:?}");
    // Search by part of a VIN or unit, any case.
    let tail = VIN_B[VIN_B.len() - 6..].to_lowercase();
    let found =
        store.list_faults(&FaultQuery::first(FaultFilter { search: tail, ..FaultFilter::default() }, 10)).unwrap();
    assert_eq!((found.total, found.faults.iter().all(|f| f.vin == VIN_B)), (2, true));
    let sources = store.fault_sources().unwrap();
    assert_eq!(sources.iter().map(|s| s.faults).sum::<u32>(), 4, "every episode's source, counted once");
    assert!(sources.iter().all(|s| !s.name.is_empty()), "{sources:?}");

    let mut csv = Vec::new();
    assert_eq!(store.export_faults_csv(&FaultFilter::default(), &mut csv).unwrap(), 4);
    let text = String::from_utf8(csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5);
    assert!(lines[0].starts_with("vin,unit,account,source_address,source,spn,fmi,description,severity"));
    assert!(lines[1].starts_with(&format!("{VIN_B},1042,Acme,0,Engine #1 (SA 0),100,1,")), "{}", lines[1]);
    assert!(text.contains(",'=cmd|' /C calc'!A0,"), "a formula stays text: {text}");
}

#[test]
fn an_open_episode_that_changes_tier_or_goes_inactive_is_rewritten_and_counted_anew() {
    let (_dir, mut store, account) = setup();
    let minor = FaultObservation { severity: Severity::Minor, ..fault(100, 1, true) };
    store.apply_sync(account, t(0), &[observe(VIN_A, 1000.0, Some(vec![minor.clone(), fault(110, 0, true)]))]).unwrap();
    let summary = store.fleet_summary(5, Utc::now()).unwrap();
    assert_eq!((summary.active_major, summary.active_minor, summary.top_faults.len()), (1, 1, 2));

    // Same episodes; one is now critical, the other inactive but still reported (not cleared).
    let critical = FaultObservation { severity: Severity::Critical, ..minor };
    let changed =
        store.apply_sync(account, t(4), &[observe(VIN_A, 1000.0, Some(vec![critical, fault(110, 0, false)]))]).unwrap();
    assert_eq!((changed.extended, changed.opened.len(), changed.closed), (2, 0, 0));
    let stored: Vec<(u32, String, bool)> = store
        .connection()
        .prepare("SELECT spn, severity, active FROM faults ORDER BY spn")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(stored, vec![(100, "critical".into(), true), (110, "major".into(), false)]);
    let summary = store.fleet_summary(5, Utc::now()).unwrap();
    assert_eq!((summary.active_critical, summary.active_major, summary.active_minor), (1, 0, 0));
    assert_eq!(summary.top_faults.iter().map(|f| f.spn).collect::<Vec<_>>(), vec![100], "inactive is not active");
}

/// A service case read from the Decisiv API account is the truck's, whichever account shows it:
/// the same VIN synced from a portal login is in repair there too, and its page shows the case
/// with the faults it covers by time.
#[test]
fn a_case_from_one_account_puts_the_same_truck_in_repair_on_another_and_covers_its_faults_by_time() {
    let (_dir, mut store, portal) = setup();
    let api = store
        .insert_account(&NewAccount {
            name: "Acme API".into(),
            portal_kind: PortalKind::DecisivApi,
            base_url: "https://srm-api.decisivapps.com".into(),
            username: "dc8beef2-e304-11ea-86c2-1f9b5bc5281b".into(),
            sync_interval_minutes: 240,
        })
        .unwrap();
    let early = FaultObservation { first_seen: Some(t(1)), ..fault(100, 1, true) };
    let late = FaultObservation { first_seen: Some(t(30)), ..fault(3226, 4, true) };
    store.apply_sync(portal, t(2), &[observe(VIN_A, 1000.0, Some(vec![early]))]).unwrap();
    store.apply_sync(portal, t(31), &[observe(VIN_A, 1010.0, Some(vec![fault(100, 1, true), late]))]).unwrap();
    store.apply_sync(portal, t(31), &[observe(VIN_B, 500.0, Some(vec![]))]).unwrap();

    let case = |id: &str, opened: i64, closed: Option<i64>| CaseObservation {
        portal_case_id: id.into(),
        vin: VIN_A.into(),
        reference: Some(format!("1832{id}")),
        status: Some(if closed.is_some() { "Closed" } else { "Repair" }.into()),
        repair_status: Some("Hold (parts)".into()),
        complaint: None,
        closed: closed.is_some(),
        opened_at: Some(t(opened)),
        downtime_at: Some(t(opened - 2)),
        uptime_at: closed.map(t),
        closed_at: closed.map(t),
        updated_at: Some(t(opened)),
    };
    let cases = [case("1", 10, None), case("0", -100, Some(-80))];
    let run = store.start_run(api, RunTrigger::Manual, 1, t(40)).unwrap();
    let record = SyncRecord {
        account_id: api,
        run_id: run,
        now: t(40),
        observed: &[],
        list_problems: 0,
        first_problem: None,
        problem_page: None,
        cases: Some(&cases),
        case_alert_after: Duration::hours(4),
    };
    store.record_sync(&record, |_| Vec::new(), &NoChannels).unwrap();

    let in_repair = VehicleQuery { status: Some(TruckStatus::InRepair), ..VehicleQuery::default() };
    let rows = store.list_vehicles(&in_repair).unwrap().rows;
    assert_eq!(rows.iter().map(|v| (v.vin.as_str(), v.account_id)).collect::<Vec<_>>(), [(VIN_A, portal)]);
    assert_eq!(rows[0].status, Some(TruckStatus::InRepair), "the portal said nothing; the open case does");
    assert_eq!(store.fleet_summary(5, t(40)).unwrap().in_repair, 1);
    let down = store.fleet_summary(5, t(40)).unwrap().downtime_days;
    assert!((down - 32.0 / 24.0).abs() < 1e-9, "from the open case's downtime to now: {down}");

    let detail = store.vehicle_detail(rows[0].id, t(40)).unwrap().unwrap();
    let shown: Vec<(&str, bool)> =
        detail.cases.iter().map(|c| (c.reference.as_deref().unwrap_or_default(), c.closed)).collect();
    assert_eq!(shown, [("18321", false), ("18320", true)], "open first, from the other account");
    let mut covered: Vec<u32> = detail.cases[0]
        .fault_ids
        .iter()
        .filter_map(|id| detail.faults.iter().find(|f| f.id == *id).map(|f| f.spn))
        .collect();
    covered.sort_unstable();
    assert_eq!(covered, [100, 3226], "active when it opened, and first seen while it was open");
    assert!(detail.cases[1].fault_ids.is_empty(), "a visit long before any of these faults covers none");
    assert_eq!(detail.cases[1].days_down, Some(22.0 / 24.0));
}

/// Every text column of the CSV is someone else's words: a unit number or an account name that
/// starts like a formula (or with a tab or carriage return before one) stays text too.
#[test]
fn every_text_column_of_the_csv_is_kept_from_running_as_a_formula() {
    use truckiq::store::FaultFilter;
    let (_dir, mut store, _) = setup();
    let account = store
        .insert_account(&NewAccount {
            name: "+Ops dispatch".into(),
            portal_kind: PortalKind::TruckTech,
            base_url: "https://paccarsolutions.com".into(),
            username: "ops@acme.example".into(),
            sync_interval_minutes: 240,
        })
        .unwrap();
    let truck = VehicleSnapshot { unit_number: Some("\t=1+1".into()), ..vehicle(VIN_B, 10.0) };
    let observed = VehicleObservation { vehicle: truck, faults: Some(vec![fault(100, 1, true)]).into() };
    store.apply_sync(account, t(0), &[observed]).unwrap();
    let mut csv = Vec::new();
    store.export_faults_csv(&FaultFilter::default(), &mut csv).unwrap();
    let text = String::from_utf8(csv).unwrap();
    let row = text.lines().nth(1).unwrap();
    assert!(row.starts_with(&format!("{VIN_B},'\t=1+1,'+Ops dispatch,0,")), "{row:?}");
}

/// The vehicles CSV is the list as filtered and ordered on screen, every matching truck rather than
/// the page showing, and its count is the rows written.
#[test]
fn the_vehicles_csv_holds_every_truck_the_filter_matches_in_the_list_order() {
    let (_dir, mut store, account) = setup();
    let critical = FaultObservation { severity: Severity::Critical, ..fault(100, 1, true) };
    let trucks = [
        observe(VIN_A, 1000.0, Some(vec![critical])),
        VehicleObservation {
            vehicle: VehicleSnapshot { unit_number: Some("77".into()), ..vehicle(VIN_B, 2500.0) },
            faults: Some(vec![]).into(),
        },
    ];
    store.apply_sync(account, t(0), &trucks).unwrap();
    let export = |query: VehicleQuery| {
        let mut csv = Vec::new();
        let rows = store.export_vehicles_csv(&query, &mut csv).unwrap();
        (rows, String::from_utf8(csv).unwrap())
    };

    // The second page of one truck on screen still exports both, by VIN descending.
    let (rows, text) = export(VehicleQuery {
        sort: VehicleSort::Vin,
        descending: true,
        offset: 1,
        limit: 1,
        ..VehicleQuery::default()
    });
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!((rows, lines.len()), (2, 3), "{text}");
    assert_eq!(
        lines[0],
        "vin,unit,account,year,make,model,engine,odometer_mi,engine_hours,health_score,health_band,active_critical,active_major,active_faults,status,last_synced_utc"
    );
    assert!(lines[1].starts_with(&format!("{VIN_B},77,Acme,2022,Kenworth,T680,,2500,62,")), "{}", lines[1]);
    assert!(lines[2].starts_with(&format!("{VIN_A},1042,Acme,2022,Kenworth,T680,,1000,25,")), "{}", lines[2]);
    assert!(lines[2].contains(",1,0,1,"), "one active critical fault: {}", lines[2]);

    let (rows, text) = export(VehicleQuery { tier: Some(FaultTier::Critical), ..VehicleQuery::default() });
    assert_eq!((rows, text.lines().count()), (1, 2), "{text}");
    assert!(text.contains(VIN_A) && !text.contains(VIN_B));
}

/// Portal data the schema cannot hold never blocks syncing: values out of range are dropped, a
/// code listed twice is one episode, and a truck whose rows the database still refuses is set
/// aside with its reason while the rest is stored, and the run is partial, not failed for good.
#[test]
fn bad_portal_rows_are_tidied_or_set_aside_and_never_fail_every_sync() {
    let (_dir, mut store, account) = setup();
    let odd = VehicleSnapshot { model_year: Some(3000), odometer_mi: Some(f64::NAN), ..vehicle(VIN_A, 0.0) };
    let unknown_source = |active: bool| FaultObservation { source_address: 254, ..fault(100, 1, active) };
    let repeated = vec![
        unknown_source(false),
        FaultObservation { severity: Severity::Critical, ..unknown_source(true) },
        FaultObservation { portal_severity_score: Some(180), ..fault(3226, 4, true) },
        // No J1939 code has 20 bits of SPN: not a fault TruckIQ can keep.
        FaultObservation { spn: 600_000, ..fault(1, 1, true) },
    ];
    let a = VehicleObservation { vehicle: odd, faults: Some(repeated).into() };
    // A VIN one character short: the schema refuses the truck.
    let short_vin = &VIN_B[..16];
    let refused = observe(short_vin, 10.0, Some(vec![fault(1, 1, true)]));
    let run = store.start_run(account, RunTrigger::Manual, 1, t(0)).unwrap();
    let observed = [a, refused];
    let record = SyncRecord {
        account_id: account,
        run_id: run,
        now: t(0),
        observed: &observed,
        list_problems: 0,
        first_problem: None,
        problem_page: None,
        cases: None,
        case_alert_after: Duration::hours(4),
    };
    let recorded = store.record_sync(&record, |_| Vec::new(), &NoChannels).unwrap();
    assert_eq!(recorded.status, truckiq::store::RunStatus::Partial);
    assert_eq!(recorded.outcome.set_aside.len(), 1);
    assert_eq!(recorded.outcome.set_aside[0].0, short_vin);
    assert!(recorded.outcome.set_aside[0].1.contains("CHECK constraint"), "{:?}", recorded.outcome.set_aside);
    let runs = store.runs(account, 1).unwrap();
    let message = runs[0].error_message.clone().unwrap_or_default();
    assert!(message.contains("1 truck(s) set aside") && message.contains(short_vin), "{message}");

    let (year, odometer): (Option<u16>, Option<f64>) = store
        .connection()
        .query_row("SELECT model_year, odometer_mi FROM vehicles WHERE vin = ?1", [VIN_A], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((year, odometer), (None, None), "no year 3000, no NaN miles");
    let episodes: Vec<(u8, u32, bool, String)> = store
        .connection()
        .prepare("SELECT source_address, spn, active, severity FROM faults WHERE cleared_at IS NULL ORDER BY spn")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        episodes,
        [(254, 100, true, "critical".to_owned()), (0, 3226, true, "major".to_owned())],
        "the code listed twice is one episode, active and at its worst tier"
    );
    assert_eq!(
        count(&store, "SELECT count(*) FROM faults WHERE spn = 3226 AND portal_severity_score IS NULL"),
        1,
        "a score past 100 is dropped, its fault kept"
    );
    assert_eq!(
        count(&store, &format!("SELECT count(*) FROM vehicles WHERE vin = '{short_vin}'")),
        0,
        "set aside whole"
    );

    // The next sync is not blocked by the last one.
    let again = store.apply_sync(account, t(1), &[observe(VIN_B, 12.0, Some(vec![fault(1, 1, true)]))]).unwrap();
    assert_eq!((again.vehicles, again.set_aside.len()), (1, 0));
}

/// A fault is never first seen after the sync that saw it (a portal clock running ahead, as the
/// demo's does, once showed "first seen in 1 hour"), and each episode keeps when its derate began:
/// set when it is first seen derated, kept while it lasts, cleared when it ends.
#[test]
fn first_sightings_are_never_in_the_future_and_derates_keep_their_start() {
    let (_dir, mut store, account) = setup();
    let derated = |derate: bool| FaultObservation { derate, first_seen: Some(t(5)), ..fault(100, 1, true) };
    store.apply_sync(account, t(0), &[observe(VIN_A, 1.0, Some(vec![derated(true)]))]).unwrap();
    assert_eq!(
        time(&store, "SELECT first_seen_at FROM faults"),
        Some(t(0)),
        "reported 5 h ahead, stored as the sync's time"
    );
    assert_eq!(time(&store, "SELECT derate_since FROM faults"), Some(t(0)));
    store.apply_sync(account, t(1), &[observe(VIN_A, 1.0, Some(vec![derated(true)]))]).unwrap();
    assert_eq!(time(&store, "SELECT derate_since FROM faults"), Some(t(0)), "the derate clock keeps running");
    store.apply_sync(account, t(2), &[observe(VIN_A, 1.0, Some(vec![derated(false)]))]).unwrap();
    assert_eq!(time(&store, "SELECT derate_since FROM faults"), None, "a derate that ended has no start");
    store.apply_sync(account, t(3), &[observe(VIN_A, 1.0, Some(vec![derated(true)]))]).unwrap();
    assert_eq!(time(&store, "SELECT derate_since FROM faults"), Some(t(3)), "a new derate starts its own clock");
    let past = FaultObservation { first_seen: Some(t(-30)), ..fault(3226, 4, true) };
    store.apply_sync(account, t(4), &[observe(VIN_A, 1.0, Some(vec![derated(true), past]))]).unwrap();
    assert_eq!(
        time(&store, "SELECT first_seen_at FROM faults WHERE spn = 3226"),
        Some(t(-30)),
        "a past sighting is kept"
    );
}

/// Search finds a truck by what people call it: make, model, engine, year, as well as its unit
/// and VIN ("kenworth" found nothing when only unit and VIN were searched).
#[test]
fn search_finds_trucks_by_make_model_engine_and_year() {
    let (_dir, mut store, account) = setup();
    let peterbilt = VehicleSnapshot {
        unit_number: Some("77".into()),
        model_year: Some(2016),
        make: Some("Peterbilt".into()),
        model: Some("579".into()),
        engine_make: Some("PACCAR".into()),
        engine_model: Some("MX-13".into()),
        ..vehicle(VIN_B, 5.0)
    };
    let trucks =
        [observe(VIN_A, 1.0, Some(vec![])), VehicleObservation { vehicle: peterbilt, faults: Some(vec![]).into() }];
    store.apply_sync(account, t(0), &trucks).unwrap();
    let found = |search: &str| -> Vec<String> {
        let query = VehicleQuery { search: search.into(), ..VehicleQuery::default() };
        store.list_vehicles(&query).unwrap().rows.into_iter().map(|v| v.vin).collect()
    };
    assert_eq!(found("kenworth"), [VIN_A]);
    assert_eq!(found("t680"), [VIN_A]);
    assert_eq!(found("2016 peterbilt"), [VIN_B], "year and make as people say them");
    assert_eq!(found("mx-13"), [VIN_B], "the engine");
    assert_eq!(found("paccar"), [VIN_B]);
    assert_eq!(found("77"), [VIN_B], "the unit");
    assert_eq!(found("123456"), [VIN_A], "part of the VIN");
    assert!(found("volvo").is_empty());

    // The search text follows a truck renumbered by the portal, and a field the portal left empty
    // this time (kept in the database) stays searchable.
    let renumbered = VehicleSnapshot { unit_number: Some("T-900".into()), make: None, ..vehicle(VIN_A, 2.0) };
    store
        .apply_sync(account, t(1), &[VehicleObservation { vehicle: renumbered, faults: Some(vec![]).into() }])
        .unwrap();
    let found = |search: &str| -> Vec<String> {
        let query = VehicleQuery { search: search.into(), ..VehicleQuery::default() };
        store.list_vehicles(&query).unwrap().rows.into_iter().map(|v| v.vin).collect()
    };
    assert_eq!(found("t-900"), [VIN_A]);
    assert!(found("1042").is_empty(), "the old unit number no longer finds it");
    assert_eq!(found("kenworth t680"), [VIN_A]);
}

#[test]
fn needs_action_lists_derated_and_critical_trucks_worst_first_and_the_fleet_counts_unread_alerts() {
    use truckiq::store::AlertAction;
    const VIN_C: &str = "3WKYD49X0NJ000003";
    let (_dir, mut store, account) = setup();
    let derated = FaultObservation { derate: true, ..fault(3226, 4, true) };
    let critical = FaultObservation { severity: Severity::Critical, ..fault(100, 1, true) };
    store.apply_sync(account, t(0), &[observe(VIN_B, 100.0, Some(vec![critical.clone()]))]).unwrap();
    store
        .apply_sync(
            account,
            t(2),
            &[
                observe(VIN_A, 100.0, Some(vec![derated, fault(97, 3, true)])),
                observe(VIN_B, 110.0, Some(vec![critical])),
                observe(VIN_C, 120.0, Some(vec![fault(111, 17, true)])),
            ],
        )
        .unwrap();
    store
        .connection()
        .execute(
            "UPDATE vehicles SET location_text = 'I-80 near Laramie, WY', location_at = ?1 WHERE vin = ?2",
            rusqlite::params![t(2), VIN_A],
        )
        .unwrap();
    let list = store.needs_action(10).unwrap();
    assert_eq!(list.total, 2, "the truck with one major fault is not on it");
    let vins: Vec<&str> = list.trucks.iter().map(|t| t.vin.as_str()).collect();
    assert_eq!(vins, [VIN_A, VIN_B], "a derated truck first");
    let first = &list.trucks[0];
    assert_eq!(first.derate_since, Some(t(2)), "the derate clock starts when the derate was first seen");
    assert_eq!(first.worst_fault.as_deref(), Some("SPN 3226"), "the derated fault is the worst");
    assert_eq!(first.location.as_deref(), Some("I-80 near Laramie, WY"));
    let second = &list.trucks[1];
    assert_eq!((second.derate_since, second.critical_since), (None, Some(t(0))), "critical since first seen");
    assert_eq!(store.needs_action(1).unwrap().total, 2, "the count covers every truck, not only those listed");

    let new = account_alert(account, "a");
    let read = store.insert_alert(&new, t(0), &NoChannels).unwrap();
    let snoozed = store.insert_alert(&new, t(0), &NoChannels).unwrap();
    store.insert_alert(&new, t(0), &NoChannels).unwrap();
    store.act_on_alerts(&[read.id], AlertAction::Read, t(1)).unwrap();
    store.act_on_alerts(&[snoozed.id], AlertAction::SnoozeUntil(t(5)), t(1)).unwrap();
    assert_eq!(store.fleet_summary(5, t(3)).unwrap().unread_alerts, 1, "neither the read nor the snoozed one");
    assert_eq!(store.fleet_summary(5, t(6)).unwrap().unread_alerts, 2, "a snooze that ran out is unread again");
    assert_eq!(store.fleet_summary(5, t(3)).unwrap().needs_action.total, 2);
    assert_eq!(store.fleet_summary(1, t(3)).unwrap().needs_action.trucks.len(), 1, "as many as asked for");
    assert_eq!(store.fleet_summary(0, t(3)).unwrap().needs_action, Default::default(), "the tray asks for none");
}

#[test]
fn the_fault_trend_counts_each_tier_from_first_report_to_clearing() {
    use truckiq::store::TrendPoint;
    let (_dir, mut store, account) = setup();
    let critical = FaultObservation { severity: Severity::Critical, ..fault(100, 1, true) };
    let major = FaultObservation { severity: Severity::Major, ..fault(111, 17, true) };
    let minor = FaultObservation { severity: Severity::Minor, ..fault(3226, 4, true) };
    store.apply_sync(account, t(0), &[observe(VIN_A, 100.0, Some(vec![critical.clone(), minor]))]).unwrap();
    // Two days on the minor one has cleared and a major one appeared.
    store.apply_sync(account, t(48), &[observe(VIN_A, 120.0, Some(vec![critical, major]))]).unwrap();
    let tiers = |p: &TrendPoint| (p.critical, p.major, p.minor);
    let trend = store.fault_trend(3, t(72)).unwrap();
    assert_eq!(
        trend.iter().map(|p| p.at).collect::<Vec<_>>(),
        [t(0), t(24), t(48), t(72)],
        "oldest first, a day apart"
    );
    assert_eq!(trend.iter().map(tiers).collect::<Vec<_>>(), [(1, 0, 1), (1, 0, 1), (1, 1, 0), (1, 1, 0)]);
    let before = store.fault_trend(2, t(-1)).unwrap();
    assert!(before.iter().all(|p| tiers(p) == (0, 0, 0)), "nothing before the first report: {before:?}");
    let fleet = store.fleet_summary(0, t(72)).unwrap();
    assert_eq!(
        trend.last().map(tiers),
        Some((fleet.active_critical, fleet.active_major, fleet.active_minor)),
        "today's point is the fleet's count"
    );
}

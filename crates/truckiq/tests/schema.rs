//! The schema as migrations leave it: settings, every table, and the uniqueness rules.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rusqlite::{Connection, params};
use truckiq::ids::AccountUid;
use truckiq::store::Store;

fn temp_db() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/folder/truckiq.sqlite3");
    (dir, path)
}

fn schema_snapshot(conn: &Connection) -> Vec<(String, String, Option<String>)> {
    let mut stmt = conn
        .prepare("SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().collect::<Result<_, _>>().unwrap()
}

fn migration_count(conn: &Connection) -> i64 {
    conn.query_row("SELECT count(*) FROM refinery_schema_history", [], |r| r.get(0)).unwrap()
}

#[test]
fn migrations_apply_to_an_empty_db_and_reopen_without_change() {
    let (_dir, path) = temp_db();
    let first = Store::open(&path).unwrap();
    let tables: Vec<String> = schema_snapshot(first.connection())
        .into_iter()
        .filter(|(kind, _, _)| kind == "table")
        .map(|(_, name, _)| name)
        .collect();
    for expected in ["accounts", "alerts", "faults", "settings", "sync_runs", "vehicle_readings", "vehicles"] {
        assert!(tables.iter().any(|t| t == expected), "table {expected} missing from {tables:?}");
    }
    let before = schema_snapshot(first.connection());
    let applied = migration_count(first.connection());
    assert!(applied >= 1);
    drop(first);

    let second = Store::open(&path).unwrap();
    assert_eq!(schema_snapshot(second.connection()), before, "reopening changed the schema");
    assert_eq!(migration_count(second.connection()), applied, "reopening re-ran migrations");
}

#[test]
fn connections_use_wal_normal_sync_foreign_keys_and_a_busy_timeout() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let conn = store.connection();
    let pragma = |name: &str| -> String {
        conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get::<_, rusqlite::types::Value>(0))
            .map(|v| match v {
                rusqlite::types::Value::Integer(i) => i.to_string(),
                rusqlite::types::Value::Text(t) => t,
                other => format!("{other:?}"),
            })
            .unwrap()
    };
    assert_eq!(pragma("journal_mode"), "wal");
    assert_eq!(pragma("synchronous"), "1", "1 = NORMAL");
    assert_eq!(pragma("foreign_keys"), "1");
    assert_eq!(pragma("busy_timeout"), "5000");
}

/// An account as TruckIQ 0.1 (schema 1 to 3) wrote it: no identity.
fn insert_old_account(conn: &Connection, name: &str) -> i64 {
    conn.execute(
        "INSERT INTO accounts (name, portal_kind, base_url, username, created_at, updated_at)
         VALUES (?1, 'paccar', 'https://paccarsolutions.com', 'ops@example.com', '2026-11-01 08:00:00+00:00',
                 '2026-11-01 08:00:00+00:00')",
        [name],
    )
    .unwrap();
    conn.last_insert_rowid()
}

fn insert_account(conn: &Connection, name: &str) -> i64 {
    conn.execute(
        "INSERT INTO accounts (name, portal_kind, base_url, username, created_at, updated_at, uid)
         VALUES (?1, 'trucktech', 'https://paccarsolutions.com', 'ops@example.com', '2026-11-01 08:00:00+00:00',
                 '2026-11-01 08:00:00+00:00', ?2)",
        params![name, AccountUid::new()],
    )
    .unwrap();
    conn.last_insert_rowid()
}

fn insert_vehicle(conn: &Connection, account: i64, vin: &str) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO vehicles (account_id, vin, unit_number, model_year, make, model, engine_make, engine_model,
                               odometer_mi, engine_hours, first_seen_at, last_seen_at)
         VALUES (?1, ?2, 'T-101', 2022, 'Kenworth', 'T680', 'PACCAR', 'MX-13', 412345.5, 10234.25,
                 '2026-11-01 08:00:00+00:00', '2026-11-01 08:00:00+00:00')",
        params![account, vin],
    )?;
    Ok(conn.last_insert_rowid())
}

fn insert_fault(conn: &Connection, vehicle: i64, cleared_at: Option<&str>) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO faults (vehicle_id, source_address, spn, fmi, description, severity, portal_severity_text,
                             portal_severity_score, derate, lamp_amber_warning, active, first_seen_at, last_seen_at,
                             occurrence_count, cleared_at, raw_json)
         VALUES (?1, 61, 3226, 4, 'Aftertreatment 1 outlet NOx sensor: voltage low', 'major',
                 'Seek Service Immediately', 70, 0, 1, ?2, '2026-11-01 08:00:00+00:00', '2026-11-02 08:00:00+00:00',
                 3, ?3, '{\"code\":\"SPN 3226 / FMI 4\"}')",
        params![vehicle, cleared_at.is_none(), cleared_at],
    )?;
    Ok(conn.last_insert_rowid())
}

const VIN: &str = "1XKYD49X0NJ123456";

#[test]
fn every_table_can_be_written_and_read_back() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let conn = store.connection();

    let account = insert_account(conn, "Acme Kenworth");
    let vehicle = insert_vehicle(conn, account, VIN).unwrap();
    conn.execute(
        "INSERT INTO vehicle_readings (vehicle_id, recorded_at, odometer_mi, engine_hours)
         VALUES (?1, '2026-11-01 08:00:00+00:00', 412345.5, 10234.25)",
        [vehicle],
    )
    .unwrap();
    let fault = insert_fault(conn, vehicle, None).unwrap();
    conn.execute(
        "INSERT INTO sync_runs (account_id, trigger, status, started_at, finished_at, vehicles_count, faults_count,
                                error_kind, error_message, attempt, screenshot_path)
         VALUES (?1, 'scheduled', 'partial', '2026-11-01 08:00:00+00:00', '2026-11-01 08:03:00+00:00', 1, 1,
                 'timeout', 'diagnostics page for 1 vehicle timed out', 2, '/tmp/shot.png')",
        [account],
    )
    .unwrap();
    let run = conn.last_insert_rowid();
    conn.execute(
        "INSERT INTO alerts (uid, kind, severity, account_id, vehicle_id, fault_id, sync_run_id, title, message, created_at)
         VALUES ('1b4e28ba-2fa1-41d2-883f-0016d3cca427', 'new_critical_fault', 'critical', ?1, ?2, ?3, ?4,
                 'Oil pressure low', 'Stop engine', '2026-11-01 08:03:00+00:00')",
        params![account, vehicle, fault, run],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO settings (key, value, updated_at) VALUES ('stale_after_hours', '23', '2026-11-01 08:00:00+00:00')",
        [],
    )
    .unwrap();

    let (vin, odometer, hours, make): (String, f64, f64, String) = conn
        .query_row("SELECT vin, odometer_mi, engine_hours, make FROM vehicles WHERE id = ?1", [vehicle], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap();
    assert_eq!((vin.as_str(), odometer, hours, make.as_str()), (VIN, 412345.5, 10234.25, "Kenworth"));
    let readings: i64 =
        conn.query_row("SELECT count(*) FROM vehicle_readings WHERE vehicle_id = ?1", [vehicle], |r| r.get(0)).unwrap();
    assert_eq!(readings, 1);
    let (sa, spn, fmi, severity, occurrences, active, raw): (i64, i64, i64, String, i64, bool, String) = conn
        .query_row(
            "SELECT source_address, spn, fmi, severity, occurrence_count, active, raw_json FROM faults WHERE id = ?1",
            [fault],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
        )
        .unwrap();
    assert_eq!((sa, spn, fmi, severity.as_str(), occurrences, active), (61, 3226, 4, "major", 3, true));
    assert_eq!(raw, r#"{"code":"SPN 3226 / FMI 4"}"#);
    let (status, attempt, error_kind): (String, i64, String) = conn
        .query_row("SELECT status, attempt, error_kind FROM sync_runs WHERE id = ?1", [run], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!((status.as_str(), attempt, error_kind.as_str()), ("partial", 2, "timeout"));
    let unread: i64 = conn.query_row("SELECT count(*) FROM alerts WHERE read_at IS NULL", [], |r| r.get(0)).unwrap();
    assert_eq!(unread, 1);
    let value: String =
        conn.query_row("SELECT value FROM settings WHERE key = 'stale_after_hours'", [], |r| r.get(0)).unwrap();
    assert_eq!(value, "23");

    // The API sees the run written above as the account's latest.
    let accounts = store.list_accounts().unwrap();
    let last = accounts[0].last_run.as_ref().expect("latest run");
    assert_eq!(
        (last.id, last.vehicles_count, last.error_kind),
        (run, 1, Some(truckiq::failure::FailureReason::Timeout))
    );
}

#[test]
fn a_vin_is_unique_within_an_account_but_not_across_accounts() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let conn = store.connection();
    let first = insert_account(conn, "Acme Kenworth");
    let second = insert_account(conn, "Acme Peterbilt");

    insert_vehicle(conn, first, VIN).unwrap();
    let duplicate = insert_vehicle(conn, first, VIN).unwrap_err();
    assert!(duplicate.to_string().contains("UNIQUE"), "unexpected error: {duplicate}");
    insert_vehicle(conn, second, VIN).expect("the same VIN in another account is allowed");
}

#[test]
fn a_fault_has_at_most_one_open_episode_but_any_number_of_closed_ones() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let conn = store.connection();
    let vehicle = insert_vehicle(conn, insert_account(conn, "Acme"), VIN).unwrap();

    insert_fault(conn, vehicle, Some("2026-11-01 09:00:00+00:00")).unwrap();
    insert_fault(conn, vehicle, Some("2026-11-01 10:00:00+00:00")).unwrap();
    insert_fault(conn, vehicle, None).unwrap();
    let second_open = insert_fault(conn, vehicle, None).unwrap_err();
    assert!(second_open.to_string().contains("UNIQUE"), "unexpected error: {second_open}");
}

#[test]
fn constraints_reject_impossible_values() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let conn = store.connection();
    let account = insert_account(conn, "Acme");
    assert!(insert_vehicle(conn, account, "TOO-SHORT").is_err(), "a VIN is 17 characters");
    assert!(insert_vehicle(conn, 9999, VIN).is_err(), "foreign keys are enforced");
    let vehicle = insert_vehicle(conn, account, VIN).unwrap();
    let bad_fmi = conn.execute(
        "INSERT INTO faults (vehicle_id, source_address, spn, fmi, severity, active, first_seen_at, last_seen_at)
         VALUES (?1, 0, 100, 32, 'major', 1, 'x', 'x')",
        [vehicle],
    );
    assert!(bad_fmi.is_err(), "FMI is 0-31");
    let bad_kind = conn.execute(
        "INSERT INTO accounts (name, portal_kind, base_url, username, created_at, updated_at)
         VALUES ('x', 'ftp', 'https://x', 'u', 'x', 'x')",
        [],
    );
    assert!(bad_kind.is_err(), "portal kind is one of the three layouts");
}

mod embedded {
    refinery::embed_migrations!("../../migrations");
}

#[test]
fn version_3_counts_the_active_faults_a_version_2_database_already_holds() {
    let (_dir, path) = temp_db();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut conn = Connection::open(&path).unwrap();
    embedded::migrations::runner().set_target(refinery::Target::Version(2)).run(&mut conn).unwrap();
    let account = insert_old_account(&conn, "Acme");
    let sick = insert_vehicle(&conn, account, VIN).unwrap();
    let healthy = insert_vehicle(&conn, account, "1XPBD49X1MD765432").unwrap();
    insert_fault(&conn, sick, None).unwrap(); // active, major
    insert_fault(&conn, sick, Some("2026-11-03 08:00:00+00:00")).unwrap(); // cleared: history only
    conn.execute(
        "INSERT INTO faults (vehicle_id, source_address, spn, fmi, severity, active, first_seen_at, last_seen_at)
         VALUES (?1, 0, 100, 1, 'critical', 1, '2026-11-01 08:00:00+00:00', '2026-11-01 08:00:00+00:00'),
                (?1, 0, 110, 0, 'critical', 0, '2026-11-01 08:00:00+00:00', '2026-11-01 08:00:00+00:00')",
        [sick],
    )
    .unwrap();
    drop(conn);

    let store = Store::open(&path).unwrap();
    let counts = |id: i64| -> (u32, u32, u32) {
        store
            .connection()
            .query_row("SELECT active_critical, active_major, active_faults FROM vehicles WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap()
    };
    assert_eq!(counts(sick), (1, 1, 2), "the inactive and the cleared episodes do not count");
    assert_eq!(counts(healthy), (0, 0, 0));
}

#[test]
fn version_4_gives_every_account_its_own_identity_and_mutes_trucks_by_identity_and_vin() {
    let (_dir, path) = temp_db();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut conn = Connection::open(&path).unwrap();
    embedded::migrations::runner().set_target(refinery::Target::Version(3)).run(&mut conn).unwrap();
    let (acme, globex) = (insert_old_account(&conn, "Acme"), insert_old_account(&conn, "Globex"));
    let sick = insert_vehicle(&conn, globex, VIN).unwrap();
    conn.execute(
        "INSERT INTO settings (key, value, updated_at) VALUES ('notifications', ?1, '2026-11-01 08:00:00+00:00')",
        [format!(r#"{{"quietHours":null,"mutedCodes":[{{"spn":100,"fmi":1}}],"mutedVehicles":[{sick},999]}}"#)],
    )
    .unwrap();
    drop(conn);

    let store = Store::open(&path).unwrap();
    let (a, g) = (store.account(acme).unwrap().unwrap(), store.account(globex).unwrap().unwrap());
    assert_ne!(a.uid, g.uid);
    let text = a.uid.to_string();
    assert_eq!((&text[14..15], text[19..20].chars().all(|c| "89ab".contains(c))), ("4", true), "{text}");
    assert!(a.legacy_keychain && g.legacy_keychain, "their secrets may still be under row numbers");

    let prefs: serde_json::Value = store.setting("notifications").unwrap();
    assert_eq!(
        prefs["mutedVehicles"],
        serde_json::json!([{ "account": g.uid.to_string(), "vin": VIN }]),
        "a truck that no longer exists is dropped"
    );
    assert_eq!(prefs["mutedCodes"], serde_json::json!([{ "spn": 100, "fmi": 1 }]));

    let conn = store.connection();
    let changed = conn.execute("UPDATE accounts SET uid = ?1 WHERE id = ?2", params![AccountUid::new(), acme]);
    assert!(changed.unwrap_err().to_string().contains("never changes"));
    let missing = conn.execute(
        "INSERT INTO accounts (name, portal_kind, base_url, username, created_at, updated_at)
         VALUES ('Initech', 'trucktech', 'https://x.example', 'u', '2026-11-01', '2026-11-01')",
        [],
    );
    assert!(missing.unwrap_err().to_string().contains("needs a uid"));
    let copied = conn.execute(
        "INSERT INTO accounts (name, portal_kind, base_url, username, created_at, updated_at, uid)
         VALUES ('Initech', 'trucktech', 'https://x.example', 'u', '2026-11-01', '2026-11-01', ?1)",
        [a.uid],
    );
    assert!(copied.unwrap_err().to_string().contains("UNIQUE"));
}

#[test]
fn a_new_account_never_gets_the_identity_of_a_removed_one() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    let account = |name: &str| truckiq::store::NewAccount {
        name: name.into(),
        portal_kind: truckiq::store::PortalKind::TruckTech,
        base_url: "https://paccarsolutions.com".into(),
        username: "ops@example.com".into(),
        sync_interval_minutes: 240,
    };
    let first = store.insert_account(&account("Acme")).unwrap();
    let first_uid = store.account(first).unwrap().unwrap().uid;
    store.delete_account(first).unwrap();
    let second = store.insert_account(&account("Acme")).unwrap();
    assert_eq!(second, first, "SQLite hands the row id out again");
    let second = store.account(second).unwrap().unwrap();
    assert_ne!(second.uid, first_uid, "but never the identity");
    assert!(!second.legacy_keychain);
}

#[test]
fn runs_that_truckiq_0_1_failed_with_any_reason_it_stored_still_read() {
    let (_dir, path) = temp_db();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut conn = Connection::open(&path).unwrap();
    embedded::migrations::runner().set_target(refinery::Target::Version(3)).run(&mut conn).unwrap();
    let account = insert_old_account(&conn, "Acme");
    // Every text 0.1 could store: its connector, keychain and engine codes.
    let kinds = [
        "unknown_account",
        "paused",
        "unsupported",
        "login_rejected",
        "mfa_required",
        "mfa_rejected",
        "session_expired",
        "rate_limited",
        "portal_changed",
        "network",
        "timeout",
        "browser_unavailable",
        "keychain",
        "keychain_missing_secret",
        "keychain_locked",
        "keychain_unavailable",
        "keychain_error",
        "database",
        "portal_profile",
        "cancelled",
        "interrupted",
        "partial",
    ];
    for (n, kind) in kinds.iter().enumerate() {
        conn.execute(
            "INSERT INTO sync_runs (account_id, trigger, status, started_at, finished_at, error_kind)
             VALUES (?1, 'scheduled', 'failed', ?2, ?2, ?3)",
            params![account, format!("2026-11-01 08:{n:02}:00+00:00"), kind],
        )
        .unwrap();
    }
    drop(conn);
    let store = Store::open(&path).unwrap();
    let runs = store.runs(account, 100).unwrap();
    assert_eq!(runs.len(), kinds.len(), "every run reads");
    assert!(runs.iter().all(|r| r.error_kind.is_some()));
    assert_eq!(store.list_accounts().unwrap().len(), 1, "and so does the account with its latest run");
}

#[test]
fn version_6_renames_the_portal_kinds_and_rebuilds_accounts_and_alerts_without_losing_a_row() {
    let (_dir, path) = temp_db();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut conn = Connection::open(&path).unwrap();
    embedded::migrations::runner().set_target(refinery::Target::Version(5)).run(&mut conn).unwrap();
    let insert = |name: &str, kind: &str| {
        conn.execute(
            "INSERT INTO accounts (name, portal_kind, base_url, username, created_at, updated_at, uid)
             VALUES (?1, ?2, 'https://paccarsolutions.com', 'ops@example.com', '2026-11-01 08:00:00+00:00',
                     '2026-11-01 08:00:00+00:00', ?3)",
            params![name, kind, AccountUid::new()],
        )
        .unwrap();
        conn.last_insert_rowid()
    };
    let (old, srm) = (insert("Acme", "paccar"), insert("Globex", "decisiv"));
    let truck = insert_vehicle(&conn, old, VIN).unwrap();
    insert_fault(&conn, truck, None).unwrap();
    conn.execute(
        "INSERT INTO alerts (kind, severity, account_id, vehicle_id, title, created_at)
         VALUES ('risk_change', 'major', ?1, ?2, 'worse', '2026-11-01 08:00:00+00:00')",
        params![old, truck],
    )
    .unwrap();
    drop(conn);

    let store = Store::open(&path).unwrap();
    let conn = store.connection();
    let kind = |id: i64| -> String {
        conn.query_row("SELECT portal_kind FROM accounts WHERE id = ?1", [id], |r| r.get(0)).unwrap()
    };
    assert_eq!((kind(old).as_str(), kind(srm).as_str()), ("trucktech", "decisiv_srm"));
    let count =
        |table: &str| -> i64 { conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap() };
    assert_eq!(
        (count("vehicles"), count("faults"), count("alerts")),
        (1, 1, 1),
        "dropping the old tables deleted nothing"
    );
    assert_eq!(store.account(old).unwrap().unwrap().portal_kind, truckiq::store::PortalKind::TruckTech);
    let orphan = insert_vehicle(conn, 999, "1XKYD49X0NJ999999");
    assert!(orphan.unwrap_err().to_string().contains("FOREIGN KEY"), "foreign keys are on again after migrating");
    let no_uid = conn.execute(
        "INSERT INTO accounts (name, portal_kind, base_url, username, created_at, updated_at)
         VALUES ('Initech', 'paccar_solutions', 'https://x.example', 'u', '2026-11-01', '2026-11-01')",
        [],
    );
    assert!(no_uid.unwrap_err().to_string().contains("needs a uid"), "the identity triggers came back");
    conn.execute(
        "INSERT INTO alerts (uid, kind, severity, vehicle_id, title, created_at)
         VALUES ('1b4e28ba-2fa1-41d2-883f-0016d3cca428', 'not_communicating', 'major', ?1, 'silent',
                 '2026-11-02 08:00:00+00:00')",
        [truck],
    )
    .unwrap();
}

#[test]
fn version_14_makes_the_search_text_of_trucks_stored_before_it() {
    use truckiq::store::VehicleQuery;
    let (_dir, path) = temp_db();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut conn = Connection::open(&path).unwrap();
    embedded::migrations::runner().set_target(refinery::Target::Version(13)).run(&mut conn).unwrap();
    let account = insert_account(&conn, "Acme");
    insert_vehicle(&conn, account, VIN).unwrap();
    drop(conn);

    let store = Store::open(&path).unwrap();
    let found = |search: &str| {
        store.list_vehicles(&VehicleQuery { search: search.into(), ..VehicleQuery::default() }).unwrap().matching
    };
    assert_eq!(found("2022 kenworth t680"), 1);
    assert_eq!(found("paccar mx-13"), 1);
    assert_eq!(found("t-101"), 1);
    assert_eq!(found(&VIN[10..]), 1);
    assert_eq!(found("peterbilt"), 0);
    // A truck written straight to the table, as another tool might, is searchable too.
    store
        .connection()
        .execute(
            "INSERT INTO vehicles (account_id, vin, make, first_seen_at, last_seen_at)
             VALUES (?1, '1XPBD49X1MD765432', 'Peterbilt', '2026-11-01 08:00:00+00:00', '2026-11-01 08:00:00+00:00')",
            [account],
        )
        .unwrap();
    assert_eq!(found("peterbilt"), 1);
}

#[test]
fn version_15_gives_every_alert_stored_before_it_a_uid_of_its_own_and_keeps_the_rest() {
    let (_dir, path) = temp_db();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut conn = Connection::open(&path).unwrap();
    embedded::migrations::runner().set_target(refinery::Target::Version(14)).run(&mut conn).unwrap();
    let account = insert_account(&conn, "Acme");
    for i in 0..50 {
        conn.execute(
            "INSERT INTO alerts (kind, severity, account_id, title, created_at, read_at)
             VALUES ('sync_failed', 'minor', ?1, ?2, '2026-11-02 08:00:00+00:00', NULL)",
            rusqlite::params![account, format!("failed {i}")],
        )
        .unwrap();
    }
    drop(conn);

    let store = Store::open(&path).unwrap();
    let conn = store.connection();
    let (rows, distinct, titles): (i64, i64, i64) = conn
        .query_row("SELECT count(*), count(DISTINCT uid), count(DISTINCT title) FROM alerts", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!((rows, distinct, titles), (50, 50, 50));
    let uids: Vec<String> = conn
        .prepare("SELECT uid FROM alerts")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for uid in &uids {
        let parsed = uuid::Uuid::parse_str(uid).unwrap_or_else(|e| panic!("{uid}: {e}"));
        assert_eq!(parsed.get_version_num(), 4, "{uid}");
        assert_eq!(parsed.hyphenated().to_string(), *uid, "lower-case, hyphenated");
    }
    // A channel's "failing" alert is one at a time until it is dealt with.
    conn.execute(
        "INSERT INTO channels (uid, name, kind, target, created_at)
         VALUES ('6f9619ff-8b86-4011-b42d-00c04fc964ff', 'Ops', 'slack', 'https://hooks.slack.com', '2026-11-02')",
        [],
    )
    .unwrap();
    let failing = |uid: &str| {
        conn.execute(
            "INSERT INTO alerts (uid, kind, severity, channel_id, title, created_at)
             VALUES (?1, 'channel_failing', 'major', 1, 'Ops failing', '2026-11-02 09:00:00+00:00')",
            [uid],
        )
    };
    failing("00000000-0000-4000-8000-000000000001").unwrap();
    assert!(failing("00000000-0000-4000-8000-000000000002").is_err(), "a second one while the first is open");
    conn.execute("UPDATE alerts SET acknowledged_at = '2026-11-02 10:00:00+00:00' WHERE kind = 'channel_failing'", [])
        .unwrap();
    failing("00000000-0000-4000-8000-000000000003").unwrap();
}

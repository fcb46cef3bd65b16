//! `truckiq status` as a person runs it: the real binary against a real database file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use truckiq::store::{NewAccount, PortalKind, Store};

fn truckiq(args: &[&str], data_dir: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_truckiq"))
        .args(args)
        .env("TRUCKIQ_DATA_DIR", data_dir)
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

#[test]
fn status_on_a_new_database_is_friendly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fresh.sqlite3");
    let out = truckiq(&["--db", db.to_str().unwrap(), "status"], dir.path());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("No portal accounts yet"), "{stdout}");
    assert!(stdout.contains(db.to_str().unwrap()), "names the database it read: {stdout}");
    assert!(db.exists(), "the database was created and migrated");
}

#[test]
fn status_defaults_to_the_app_data_dir_and_lists_accounts_with_their_last_run() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("truckiq.sqlite3")).unwrap();
    let id = store
        .insert_account(&NewAccount {
            name: "Acme Kenworth".into(),
            portal_kind: PortalKind::TruckTech,
            base_url: "https://paccarsolutions.com".into(),
            username: "ops@acme.example".into(),
            sync_interval_minutes: 240,
        })
        .unwrap();
    store
        .connection()
        .execute(
            "INSERT INTO sync_runs (account_id, trigger, status, started_at, finished_at, vehicles_count, faults_count,
                                    error_kind, error_message)
             VALUES (?1, 'scheduled', 'failed', '2026-11-01 08:00:00+00:00', '2026-11-01 08:01:00+00:00', 0, 0,
                     'login_rejected', 'the portal rejected the password')",
            [id],
        )
        .unwrap();
    drop(store);

    let out = truckiq(&["status"], dir.path());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    for expected in [
        "Acme Kenworth",
        "TruckTech+ pages",
        "ops@acme.example",
        "4 h",
        "failed 2026-11-01 08:01 UTC",
        "login_rejected",
    ] {
        assert!(stdout.contains(expected), "missing {expected:?} in:\n{stdout}");
    }
}

#[test]
fn an_unreadable_database_is_a_clear_error_with_exit_code_1() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_db = dir.path().join("notes.txt");
    std::fs::write(&not_a_db, "this is not a database, but a file of notes that is long enough").unwrap();
    let out = truckiq(&["--db", not_a_db.to_str().unwrap(), "status"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("cannot open the database") && stderr.contains("notes.txt"), "{stderr}");
}

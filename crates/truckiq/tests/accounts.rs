//! Accounts through the store API: validation, uniqueness and the summary the UI shows.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use truckiq::store::{NewAccount, PortalKind, RunStatus, RunTrigger, Store, StoreError};

fn new_account(name: &str) -> NewAccount {
    NewAccount {
        name: name.to_owned(),
        portal_kind: PortalKind::DecisivSrm,
        base_url: "https://paccar.decisiv.net".to_owned(),
        username: "fleet.ops".to_owned(),
        sync_interval_minutes: 240,
    }
}

#[test]
fn accounts_are_listed_by_name_with_their_latest_run() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("db.sqlite3")).unwrap();
    let zulu = store.insert_account(&new_account("Zulu Freight")).unwrap();
    let alpha = store.insert_account(&new_account("alpha haulage")).unwrap();
    for (started, status) in [("2026-11-01 08:00:00+00:00", "failed"), ("2026-11-01 12:00:00+00:00", "completed")] {
        store
            .connection()
            .execute(
                "INSERT INTO sync_runs (account_id, trigger, status, started_at, finished_at, vehicles_count)
                 VALUES (?1, 'manual', ?2, ?3, ?3, 42)",
                rusqlite::params![zulu, status, started],
            )
            .unwrap();
    }

    let accounts = store.list_accounts().unwrap();
    assert_eq!(accounts.iter().map(|a| a.id).collect::<Vec<_>>(), vec![alpha, zulu]);
    assert_eq!(accounts[0].last_run, None);
    let run = accounts[1].last_run.as_ref().unwrap();
    assert_eq!((run.status, run.trigger, run.vehicles_count), (RunStatus::Completed, RunTrigger::Manual, 42));
    assert_eq!(store.account(zulu).unwrap().unwrap().name, "Zulu Freight");
    assert_eq!(store.account(9999).unwrap(), None);
}

#[test]
fn bad_accounts_are_refused_with_a_specific_message() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("db.sqlite3")).unwrap();
    store.insert_account(&new_account("Acme")).unwrap();

    let cases = [
        (new_account("Acme"), "already exists"),
        (new_account("  "), "name is empty"),
        (NewAccount { username: String::new(), ..new_account("B") }, "username is empty"),
        (NewAccount { base_url: "paccar.decisiv.net".into(), ..new_account("C") }, "must start with https://"),
        (NewAccount { sync_interval_minutes: 5, ..new_account("D") }, "at least 15 minutes"),
    ];
    for (account, expected) in cases {
        match store.insert_account(&account) {
            Err(StoreError::Invalid(message)) => assert!(message.contains(expected), "{message:?} lacks {expected:?}"),
            other => panic!("expected Invalid({expected:?}), got {other:?}"),
        }
    }
    assert_eq!(store.list_accounts().unwrap().len(), 1, "nothing half-written");
}

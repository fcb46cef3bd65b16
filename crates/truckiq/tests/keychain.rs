//! Secrets against the real Secret Service (gnome-keyring), read back through fresh entries.
//! Run under `scripts/with-keyring.sh`, which starts a private, unlocked keyring.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use truckiq::ids::AccountUid;
use truckiq::secrets::{SecretError, SecretKind, SecretStore, Sensitive, TotpSecret};

fn store() -> SecretStore {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "keychain tests need a Secret Service: run them through scripts/with-keyring.sh"
    );
    // A namespace per test run, so runs never see each other's entries.
    SecretStore::with_service(format!("com.truckiq.fleet.test-{}", std::process::id()))
}

#[test]
fn a_password_round_trips_through_a_fresh_entry_and_is_deleted() {
    let store = store();
    let account = AccountUid::new();
    store.set(account, SecretKind::Password, &Sensitive::from("correct horse battery staple")).unwrap();
    // A new store object opens a new keyring entry: the value really came back from the daemon.
    let again = SecretStore::with_service(store.service());
    assert_eq!(again.get(account, SecretKind::Password).unwrap().expose(), "correct horse battery staple");
    assert!(again.get_optional(account, SecretKind::TotpSecret).unwrap().is_none(), "no TOTP saved");

    store.delete_all(account).unwrap();
    match again.get(account, SecretKind::Password) {
        Err(error @ SecretError::Missing { .. }) => assert_eq!(error.reason().as_str(), "keychain_missing_secret"),
        other => panic!("expected Missing, got {other:?}"),
    }
    store.delete(account, SecretKind::Password).expect("deleting twice is fine");
}

#[test]
fn accounts_and_namespaces_do_not_share_secrets() {
    let store = store();
    let totp = TotpSecret::parse("jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp").unwrap();
    let (first, second) = (AccountUid::new(), AccountUid::new());
    store.set(first, SecretKind::TotpSecret, &Sensitive::from(totp.expose_base32())).unwrap();
    store.set(second, SecretKind::Password, &Sensitive::from("second")).unwrap();
    assert!(store.get_optional(second, SecretKind::TotpSecret).unwrap().is_none());
    assert_eq!(store.get(first, SecretKind::TotpSecret).unwrap().expose(), "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");

    let release = SecretStore::with_service(format!("{}-other", store.service()));
    assert!(release.get_optional(second, SecretKind::Password).unwrap().is_none(), "another namespace sees nothing");
    store.delete_all(first).unwrap();
    store.delete_all(second).unwrap();
}

/// What TruckIQ 0.1 wrote: an entry named by the account's row number.
fn legacy_entry(store: &SecretStore, row: i64, key: &str) -> keyring::Entry {
    keyring::Entry::new(store.service(), &format!("account-{row}/{key}")).unwrap()
}

#[test]
fn row_number_entries_move_to_the_identity_once_and_a_value_already_there_wins() {
    let store = store();
    let (uid, row) = (AccountUid::new(), 4_000 + i64::from(std::process::id() % 1_000));
    legacy_entry(&store, row, "password").set_password("old-password").unwrap();
    legacy_entry(&store, row, "totp-secret").set_password("JBSWY3DPEHPK3PXP").unwrap();
    store.set(uid, SecretKind::TotpSecret, &Sensitive::from("NEWERSECRETXXXXX")).unwrap();

    assert_eq!(store.adopt_row_entries(row, uid).unwrap(), 1, "the password moved; the TOTP secret was already set");
    assert_eq!(store.get(uid, SecretKind::Password).unwrap().expose(), "old-password");
    assert_eq!(store.get(uid, SecretKind::TotpSecret).unwrap().expose(), "NEWERSECRETXXXXX");
    assert!(matches!(legacy_entry(&store, row, "password").get_password(), Err(keyring::Error::NoEntry)));
    assert!(matches!(legacy_entry(&store, row, "totp-secret").get_password(), Err(keyring::Error::NoEntry)));
    assert_eq!(store.adopt_row_entries(row, uid).unwrap(), 0, "nothing is left to move");
    store.delete_all(uid).unwrap();
}

/// Runs in a child process (see below) whose environment points at no Secret Service at all.
#[test]
#[ignore = "run by keychain_without_a_secret_service_is_a_clear_error in its own process"]
fn child_reads_a_secret_without_a_secret_service() {
    let error = SecretStore::with_service("com.truckiq.fleet.test-nobus")
        .get(AccountUid::new(), SecretKind::Password)
        .unwrap_err();
    println!("CODE={} MESSAGE={error}", error.reason());
}

#[test]
fn keychain_without_a_secret_service_is_a_clear_error() {
    // The keyring picks its store once per process, so the missing bus is tried in a fresh one.
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_reads_a_secret_without_a_secret_service", "--include-ignored", "--nocapture"])
        .env("DBUS_SESSION_BUS_ADDRESS", format!("unix:path={}/no-such-bus", dir.path().display()))
        .env("XDG_RUNTIME_DIR", dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "the child must not panic: {stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("CODE=keychain_unavailable"), "{stdout}");
    assert!(stdout.contains("install and start a Secret Service"), "{stdout}");
}

/// Runs in a child process with its own D-Bus session and keyring (see below): saves a password,
/// locks the keyring the way a screen lock or `secret-tool lock` does, and reads it back, giving the
/// unlock prompt three seconds.
#[test]
#[ignore = "run by a_locked_keychain_fails_the_read_instead_of_waiting_for_its_prompt in its own keyring session"]
fn child_reads_a_secret_from_a_locked_keychain() {
    let store = SecretStore::with_service("com.truckiq.fleet.test-locked").with_unlock_wait(Duration::from_secs(3));
    let account = AccountUid::new();
    store.set(account, SecretKind::Password, &Sensitive::from("s3cret")).unwrap();
    lock_default_keyring();
    match store.get(account, SecretKind::Password) {
        Ok(_) => println!("READ=the locked keychain gave the password"),
        Err(error) => println!("CODE={} MESSAGE={error}", error.reason()),
    }
}

/// Runs one of the child tests above in its own D-Bus session and keyring: locking the shared one
/// would break the tests beside it.
fn run_in_own_keyring(child: &str) -> std::process::Output {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/with-keyring.sh");
    std::process::Command::new("timeout")
        .arg("90")
        .args(["bash", script, std::env::current_exe().unwrap().to_str().unwrap()])
        .args(["--exact", child, "--include-ignored", "--nocapture"])
        .env_remove("TRUCKIQ_KEYRING_SESSION")
        .output()
        .unwrap()
}

#[test]
fn a_locked_keychain_fails_the_read_instead_of_waiting_for_its_prompt() {
    let output = run_in_own_keyring("child_reads_a_secret_from_a_locked_keychain");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the child panicked or hung: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("CODE=keychain_locked"), "{stdout}");
    assert!(stdout.contains("unlock it (on Linux: your login keyring) and try again"), "{stdout}");
    if std::env::var_os("DISPLAY").is_some() {
        // With a display, gnome-keyring shows its unlock prompt and waits for a person (the tests
        // run under Xvfb); without one it dismisses the prompt at once.
        assert!(stdout.contains("no answer to its unlock prompt within 3 s"), "{stdout}");
    }
}

/// Runs in a child process with its own keyring (see below): on a runtime with one thread, a sync
/// and a password change each meet a locked keychain whose unlock prompt nobody answers, while a
/// task beside them counts 50 ms ticks. Had either call held the thread, no tick would land.
#[test]
#[ignore = "run by keychain_waits_leave_the_async_workers_free in its own keyring session"]
fn child_waits_on_a_locked_keychain_beside_a_ticking_task() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};
    use truckiq::app::{AccountInput, App, SecretChange};
    use truckiq::portal::run::RunMode;
    use truckiq::store::{PortalKind, RunTrigger};
    use truckiq::sync::EngineConfig;

    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let config = EngineConfig::new(dir.path().join("truckiq.sqlite3"), dir.path().to_path_buf());
        let secrets = SecretStore::with_service("com.truckiq.fleet.test-busy").with_unlock_wait(Duration::from_secs(3));
        let app = App::open(config, secrets).unwrap();
        let input = AccountInput {
            name: "Acme".into(),
            portal_kind: PortalKind::TruckTech,
            base_url: "https://paccarsolutions.com/".into(),
            username: "ops@fleet.example".into(),
            sync_interval_minutes: 240,
            password: Some("s3cret".into()),
            totp_secret: None,
            trust_device: true,
        };
        let id = app.add_account(input).await.unwrap();
        lock_default_keyring();

        let ticks = Arc::new(AtomicU32::new(0));
        let ticker = tokio::spawn({
            let ticks = Arc::clone(&ticks);
            async move {
                loop {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    ticks.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        let run = app.engine().sync(id, RunTrigger::Manual, RunMode::Scheduled).await;
        let during_sync = ticks.swap(0, Ordering::Relaxed);
        match run {
            Ok(report) => println!("SYNC=ran with status {:?}", report.status),
            Err(error) => println!("SYNC_CODE={}", error.reason()),
        }
        let change = SecretChange { password: Some(Sensitive::from("new s3cret")), totp: None };
        let changed = app.change_secrets(id, change).await;
        let during_change = ticks.load(Ordering::Relaxed);
        ticker.abort();
        println!("CHANGE_FAILED={}", changed.is_err());
        println!("TICKS_SYNC={during_sync} TICKS_CHANGE={during_change}");
    });
}

/// Locks the keyring the way a screen lock or `secret-tool lock` does.
fn lock_default_keyring() {
    let locked = std::process::Command::new("dbus-send")
        .args(["--session", "--print-reply", "--dest=org.freedesktop.secrets", "/org/freedesktop/secrets"])
        .args(["org.freedesktop.Secret.Service.Lock", "array:objpath:/org/freedesktop/secrets/aliases/default"])
        .output()
        .unwrap();
    assert!(locked.status.success(), "Lock failed: {}", String::from_utf8_lossy(&locked.stderr));
}

/// Reads a number printed by the child as `NAME=value`.
fn printed_number(stdout: &str, name: &str) -> u32 {
    let prefix = format!("{name}=");
    stdout
        .split_whitespace()
        .find_map(|word| word.strip_prefix(prefix.as_str()))
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("the child printed no {name}: {stdout}"))
}

#[test]
fn keychain_waits_leave_the_async_workers_free() {
    // Without a display gnome-keyring dismisses its unlock prompt at once: there would be no wait
    // to overlap, and the test would prove nothing. scripts/test.sh runs the suite under Xvfb.
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "this test needs a display for the keychain's unlock prompt to wait: run it under xvfb-run"
    );
    let output = run_in_own_keyring("child_waits_on_a_locked_keychain_beside_a_ticking_task");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "the child failed: {stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("SYNC_CODE=keychain_locked"), "the run fails on the locked keychain: {stdout}");
    assert!(stdout.contains("CHANGE_FAILED=true"), "{stdout}");
    // Each wait lasts the 3 s unlock wait: about 60 ticks when the thread is free, none when held.
    assert!(printed_number(&stdout, "TICKS_SYNC") >= 30, "the sync held the only worker thread: {stdout}");
    assert!(printed_number(&stdout, "TICKS_CHANGE") >= 30, "the password change held the worker thread: {stdout}");
}

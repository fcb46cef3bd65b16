//! Secrets against the real Secret Service (gnome-keyring), read back through fresh entries.
//! Run under `scripts/with-keyring.sh`, which starts a private, unlocked keyring.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

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
    store.set(7, SecretKind::Password, &Sensitive::from("correct horse battery staple")).unwrap();
    // A new store object opens a new keyring entry: the value really came back from the daemon.
    let again = SecretStore::with_service(store.service());
    assert_eq!(again.get(7, SecretKind::Password).unwrap().expose(), "correct horse battery staple");
    assert!(again.get_optional(7, SecretKind::TotpSecret).unwrap().is_none(), "no TOTP saved");

    store.delete_account(7).unwrap();
    match again.get(7, SecretKind::Password) {
        Err(error @ SecretError::Missing { .. }) => assert_eq!(error.code(), "keychain_missing_secret"),
        other => panic!("expected Missing, got {other:?}"),
    }
    store.delete(7, SecretKind::Password).expect("deleting twice is fine");
}

#[test]
fn accounts_and_namespaces_do_not_share_secrets() {
    let store = store();
    let totp = TotpSecret::parse("jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp").unwrap();
    store.set(1, SecretKind::TotpSecret, &Sensitive::from(totp.expose_base32())).unwrap();
    store.set(2, SecretKind::Password, &Sensitive::from("second")).unwrap();
    assert!(store.get_optional(2, SecretKind::TotpSecret).unwrap().is_none());
    assert_eq!(store.get(1, SecretKind::TotpSecret).unwrap().expose(), "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");

    let release = SecretStore::with_service(format!("{}-other", store.service()));
    assert!(release.get_optional(2, SecretKind::Password).unwrap().is_none(), "another namespace sees nothing");
    store.delete_account(1).unwrap();
    store.delete_account(2).unwrap();
}

/// Runs in a child process (see below) whose environment points at no Secret Service at all.
#[test]
#[ignore = "run by keychain_without_a_secret_service_is_a_clear_error in its own process"]
fn child_reads_a_secret_without_a_secret_service() {
    let error = SecretStore::with_service("com.truckiq.fleet.test-nobus").get(1, SecretKind::Password).unwrap_err();
    println!("CODE={} MESSAGE={error}", error.code());
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
    store.set(3, SecretKind::Password, &Sensitive::from("s3cret")).unwrap();
    let locked = std::process::Command::new("dbus-send")
        .args(["--session", "--print-reply", "--dest=org.freedesktop.secrets", "/org/freedesktop/secrets"])
        .args(["org.freedesktop.Secret.Service.Lock", "array:objpath:/org/freedesktop/secrets/aliases/default"])
        .output()
        .unwrap();
    assert!(locked.status.success(), "Lock failed: {}", String::from_utf8_lossy(&locked.stderr));
    match store.get(3, SecretKind::Password) {
        Ok(_) => println!("READ=the locked keychain gave the password"),
        Err(error) => println!("CODE={} MESSAGE={error}", error.code()),
    }
}

#[test]
fn a_locked_keychain_fails_the_read_instead_of_waiting_for_its_prompt() {
    // Its own D-Bus session and keyring: locking the shared one would break the tests beside it.
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/with-keyring.sh");
    let output = std::process::Command::new("timeout")
        .arg("60")
        .args(["bash", script, std::env::current_exe().unwrap().to_str().unwrap()])
        .args(["--exact", "child_reads_a_secret_from_a_locked_keychain", "--include-ignored", "--nocapture"])
        .env_remove("TRUCKIQ_KEYRING_SESSION")
        .output()
        .unwrap();
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

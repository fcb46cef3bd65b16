//! Each account's keychain entries belong to it alone, whatever database is open: the entries
//! TruckIQ 0.1 kept under row numbers move only into the app's own database, and nothing run on
//! another database (a benchmark, `--db`, the demo) touches the app's accounts. Real `truckiq`
//! processes against the real Secret Service (run under scripts/with-keyring.sh).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use portal_sim::{Portal, SimConfig, Simulator, UserSpec};
use rusqlite::Connection;
use support::{text, truckiq};
use truckiq::ids::AccountUid;
use truckiq::secrets::{SecretKind, SecretStore};
use truckiq::store::Store;

const TOTP: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

mod embedded {
    refinery::embed_migrations!("../../migrations");
}

/// The app's data folder (`TRUCKIQ_DATA_DIR`, so its database is the default one) and another
/// folder for `--db`, in one keychain namespace of their own.
struct Setup {
    app_dir: tempfile::TempDir,
    other_dir: tempfile::TempDir,
    namespace: String,
}

impl Setup {
    fn new(tag: &str) -> Self {
        assert!(std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(), "run through scripts/with-keyring.sh");
        Self {
            app_dir: tempfile::tempdir().unwrap(),
            other_dir: tempfile::tempdir().unwrap(),
            namespace: format!("test-identity-{tag}-{}", std::process::id()),
        }
    }

    fn app_db(&self) -> PathBuf {
        self.app_dir.path().join("truckiq.sqlite3")
    }

    fn other_db(&self) -> PathBuf {
        self.other_dir.path().join("truckiq.sqlite3")
    }

    /// `truckiq args…` as the app's user runs it, with `stdin` piped in.
    fn run(&self, args: &[&str], stdin: &str) -> Output {
        let envs = [
            ("TRUCKIQ_DATA_DIR", self.app_dir.path().as_os_str()),
            ("TRUCKIQ_KEYRING_NAMESPACE", self.namespace.as_ref()),
        ];
        truckiq(args, &envs, stdin)
    }

    fn on_other_db(&self, args: &[&str], stdin: &str) -> Output {
        let db = self.other_db().display().to_string();
        self.run(&[&["--db", db.as_str()], args].concat(), stdin)
    }

    fn secrets(&self) -> SecretStore {
        SecretStore::with_service(format!("com.truckiq.fleet.{}", self.namespace))
    }

    /// What TruckIQ 0.1 wrote for account `row`: an entry named by the row number.
    fn legacy_entry(&self, row: i64, key: &str) -> keyring::Entry {
        keyring::Entry::new(self.secrets().service(), &format!("account-{row}/{key}")).unwrap()
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        for db in [self.app_db(), self.other_db()] {
            if let Ok(store) = Store::open(&db) {
                for account in store.list_accounts().unwrap_or_default() {
                    let _ = self.secrets().delete_all(account.uid);
                    let _ = self.legacy_entry(account.id, "password").delete_credential();
                    let _ = self.legacy_entry(account.id, "totp-secret").delete_credential();
                }
            }
        }
    }
}

/// A database as TruckIQ 0.1 left it (schema 3), with one account pointed at `url`.
fn old_database(path: &Path, name: &str, url: &str, user: &str) {
    let mut conn = Connection::open(path).unwrap();
    embedded::migrations::runner().set_target(refinery::Target::Version(3)).run(&mut conn).unwrap();
    conn.execute(
        "INSERT INTO accounts (name, portal_kind, base_url, username, created_at, updated_at)
         VALUES (?1, 'paccar', ?2, ?3, '2026-11-01 08:00:00+00:00', '2026-11-01 08:00:00+00:00')",
        [name, url, user],
    )
    .unwrap();
}

fn uid_of(db: &Path, name: &str) -> AccountUid {
    Store::open(db).unwrap().account_by_name(name).unwrap().unwrap().uid
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn row_number_secrets_move_only_into_the_apps_own_database() {
    let sim = Simulator::start(SimConfig { vehicles: 4, seed: 12, ..SimConfig::default() }).await.unwrap();
    sim.state().add_user(UserSpec::new(Portal::Paccar, "acme@fleet.example", "acme-password")).unwrap();
    sim.state().add_user(UserSpec::new(Portal::Paccar, "globex@fleet.example", "globex-password")).unwrap();
    let url = sim.portal_url(Portal::Paccar);
    let setup = Setup::new("adopt");
    // Both databases have an account 1; the keychain has one set of `account-1` entries, Acme's,
    // saved by the app on its own database.
    old_database(&setup.app_db(), "Acme", &url, "acme@fleet.example");
    old_database(&setup.other_db(), "Globex", &url, "globex@fleet.example");
    setup.legacy_entry(1, "password").set_password("acme-password").unwrap();
    setup.legacy_entry(1, "totp-secret").set_password(TOTP).unwrap();
    let old_profile = setup.app_dir.path().join("browser/account-1");
    std::fs::create_dir_all(&old_profile).unwrap();
    std::fs::write(old_profile.join("kept-by-0.1"), "").unwrap();

    // Another database's account 1 must not take them: it asks for its own, and says why.
    let other = setup.on_other_db(&["sync", "--account", "Globex"], "");
    assert_eq!(other.status.code(), Some(1), "{}", text(&other));
    assert!(text(&other).contains("failed (keychain_missing_secret)"), "{}", text(&other));
    assert!(text(&other).contains("only the app's own database takes those entries over"), "{}", text(&other));
    assert_eq!(setup.legacy_entry(1, "password").get_password().unwrap(), "acme-password", "left for the app");
    let globex = uid_of(&setup.other_db(), "Globex");
    assert!(setup.secrets().get_optional(globex, SecretKind::Password).unwrap().is_none());

    // The app's own database takes them over and syncs with them.
    let app = setup.run(&["sync", "--account", "Acme"], "");
    assert_eq!(app.status.code(), Some(0), "{}", text(&app));
    assert!(text(&app).contains("Acme: completed"), "{}", text(&app));
    let acme = uid_of(&setup.app_db(), "Acme");
    assert_eq!(setup.secrets().get(acme, SecretKind::Password).unwrap().expose(), "acme-password");
    assert_eq!(setup.secrets().get(acme, SecretKind::TotpSecret).unwrap().expose(), TOTP);
    assert!(matches!(setup.legacy_entry(1, "password").get_password(), Err(keyring::Error::NoEntry)));
    assert!(!Store::open(setup.app_db()).unwrap().account_by_name("Acme").unwrap().unwrap().legacy_keychain);
    let profile = truckiq::paths::browser_profile_dir(setup.app_dir.path(), acme);
    assert!(profile.join("kept-by-0.1").exists() && !old_profile.exists(), "the browser profile moved with them");

    // Globex's password, entered again for its own database, is its own from then on.
    let set = setup.on_other_db(&["accounts", "set-password", "Globex"], "globex-password\n");
    assert!(set.status.success(), "{}", text(&set));
    let synced = setup.on_other_db(&["sync", "--account", "Globex"], "");
    assert_eq!(synced.status.code(), Some(0), "{}", text(&synced));
    assert_eq!(setup.secrets().get(acme, SecretKind::Password).unwrap().expose(), "acme-password", "untouched");
    assert_eq!(setup.secrets().get(globex, SecretKind::Password).unwrap().expose(), "globex-password");
}

#[test]
fn nothing_run_on_another_database_touches_the_apps_account() {
    let setup = Setup::new("apart");
    let add = setup
        .run(&["accounts", "add", "--name", "Acme", "--portal", "paccar", "--url", "https://paccarsolutions.com"], "");
    assert!(!add.status.success(), "--username is required: {}", text(&add));
    let added = setup.run(
        &[
            "accounts",
            "add",
            "--name",
            "Acme",
            "--portal",
            "paccar",
            "--url",
            "https://paccarsolutions.com",
            "--username",
            "ops@fleet.example",
            "--totp",
        ],
        &format!("app-password\n{TOTP}\n"),
    );
    assert!(added.status.success(), "{}", text(&added));
    let acme = uid_of(&setup.app_db(), "Acme");
    let intact = |after: &str| {
        let secrets = setup.secrets();
        assert_eq!(secrets.get(acme, SecretKind::Password).unwrap().expose(), "app-password", "after {after}");
        assert_eq!(secrets.get(acme, SecretKind::TotpSecret).unwrap().expose(), TOTP, "after {after}");
    };

    let bench = setup.run(&["bench", "sync", "--vehicles", "5", "--latency-ms", "1", "--concurrency", "2"], "");
    assert!(bench.status.success(), "{}", text(&bench));
    assert!(text(&bench).contains("status completed"), "{}", text(&bench));
    intact("bench sync");

    let add_other = setup.on_other_db(
        &["accounts", "add", "--name", "Other", "--portal", "paccar", "--url", "https://x.example", "--username", "u"],
        "other-password\n",
    );
    assert!(add_other.status.success(), "{}", text(&add_other));
    assert_eq!(Store::open(setup.other_db()).unwrap().account_by_name("Other").unwrap().unwrap().id, 1);
    intact("--db B accounts add");
    let removed = setup.on_other_db(&["accounts", "remove", "Other"], "");
    assert!(removed.status.success(), "{}", text(&removed));
    intact("--db B accounts remove");

    let demo = setup.on_other_db(&["demo", "--vehicles", "3"], "");
    assert!(demo.status.success(), "{}", text(&demo));
    assert_eq!(Store::open(setup.other_db()).unwrap().account_by_name("Demo fleet").unwrap().unwrap().id, 1);
    intact("--db B demo");
}

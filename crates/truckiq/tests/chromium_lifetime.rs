//! Chromium lives exactly as long as the run that started it. A `truckiq sync` killed with SIGKILL
//! (a crash, a logout, `kill -9` of the app) in sign-in, in the middle of extraction or inside the
//! database write leaves no Chromium behind, and the next sync of that account completes. Two
//! accounts syncing at once never kill each other's browser. Real processes, the real keychain
//! (run under scripts/with-keyring.sh).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use portal_sim::{Portal, Scenario, SimConfig, Simulator, UserSpec};
use support::{text, truckiq};
use truckiq::secrets::SecretStore;
use truckiq::store::Store;

const USER: &str = "ops@fleet.example";
const PASSWORD: &str = "correct horse";

struct Setup {
    dir: tempfile::TempDir,
    namespace: String,
}

impl Setup {
    fn new(tag: &str) -> Self {
        assert!(std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(), "run through scripts/with-keyring.sh");
        Self { dir: tempfile::tempdir().unwrap(), namespace: format!("test-chromium-{tag}-{}", std::process::id()) }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("truckiq.sqlite3")
    }

    fn run(&self, args: &[&str], stdin: &str) -> std::process::Output {
        let db = self.db().display().to_string();
        truckiq(
            &[&["--db", db.as_str()], args].concat(),
            &[("TRUCKIQ_KEYRING_NAMESPACE", self.namespace.as_ref())],
            stdin,
        )
    }

    /// `truckiq sync` in the background, to be killed.
    fn spawn_sync(&self, account: &str) -> Child {
        Command::new(env!("CARGO_BIN_EXE_truckiq"))
            .arg("--db")
            .arg(self.db())
            .args(["sync", "--force", "--account", account])
            .env("TRUCKIQ_KEYRING_NAMESPACE", &self.namespace)
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }

    fn add(&self, name: &str, url: &str) {
        let added = self.run(
            &["accounts", "add", "--name", name, "--portal", "paccar", "--url", url, "--username", USER],
            &format!("{PASSWORD}\n"),
        );
        assert!(added.status.success(), "{}", text(&added));
    }

    fn profile(&self, name: &str) -> PathBuf {
        let uid = Store::open(self.db()).unwrap().account_by_name(name).unwrap().unwrap().uid;
        truckiq::paths::browser_profile_dir(self.dir.path(), uid)
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let secrets = SecretStore::with_service(format!("com.truckiq.fleet.{}", self.namespace));
        if let Ok(store) = Store::open(self.db()) {
            for account in store.list_accounts().unwrap_or_default() {
                let _ = secrets.delete_all(account.uid);
            }
        }
    }
}

async fn until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Whether another connection holds the database's write lock right now (a write transaction is
/// open): this one cannot begin one without waiting.
fn write_in_progress(setup: &Setup) -> bool {
    let conn = rusqlite::Connection::open(setup.db()).unwrap();
    conn.busy_timeout(Duration::ZERO).unwrap();
    match conn.execute_batch("BEGIN IMMEDIATE") {
        Ok(()) => {
            conn.execute_batch("ROLLBACK").unwrap();
            false
        }
        Err(_) => true,
    }
}

/// Where a run is killed.
#[derive(Debug, Clone, Copy)]
enum Moment {
    SignIn,
    Extraction,
    Write,
}

// Multi-threaded: the simulator must keep serving while the test waits for the child process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_killed_anywhere_leaves_no_chromium_and_the_next_one_completes() {
    const TRUCKS: usize = 1_500;
    let sim = Simulator::start(SimConfig { vehicles: TRUCKS, seed: 13, ..SimConfig::default() }).await.unwrap();
    sim.state().add_user(UserSpec::new(Portal::Paccar, USER, PASSWORD)).unwrap();
    let setup = Setup::new("kill");
    setup.add("Acme", &sim.portal_url(Portal::Paccar));
    let profile = setup.profile("Acme");

    for moment in [Moment::SignIn, Moment::Extraction, Moment::Write] {
        // Slow pages make sign-in and extraction long enough to be caught in; the write of 1 500
        // trucks in a debug build takes long enough on its own.
        let latency_ms = match moment {
            Moment::SignIn => 400,
            Moment::Extraction => 20,
            Moment::Write => 0,
        };
        sim.state().set_scenario(Scenario { latency_ms, ..Scenario::default() }).unwrap();
        let seen = sim.state().requests(0).last().map_or(0, |e| e.seq);
        let mut child = setup.spawn_sync("Acme");
        let diagnostics =
            |sim: &Simulator| sim.state().requests(seen).iter().filter(|e| e.path.ends_with("/diagnostics")).count();
        match moment {
            Moment::SignIn => {
                until("the sign-in page", Duration::from_secs(60), || {
                    sim.state().requests(seen).iter().any(|e| e.path.ends_with("/login"))
                })
                .await;
            }
            Moment::Extraction => {
                until("diagnostics pages", Duration::from_secs(120), || diagnostics(&sim) >= 40).await
            }
            Moment::Write => {
                until("every diagnostics page", Duration::from_secs(300), || diagnostics(&sim) >= TRUCKS).await;
                // Every page is read: the next write transaction is the one that stores them all.
                until("the write", Duration::from_secs(120), || write_in_progress(&setup)).await;
            }
        }
        assert!(
            !truckiq::browser::profile_processes(&profile).is_empty() || matches!(moment, Moment::Write),
            "{moment:?}: Chromium runs while the sync does"
        );
        child.kill().unwrap(); // SIGKILL: no chance to clean up
        child.wait().unwrap();
        let killed = Instant::now();
        while !truckiq::browser::profile_processes(&profile).is_empty() {
            assert!(killed.elapsed() < Duration::from_secs(2), "{moment:?}: Chromium outlived its sync by 2 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    // Nothing of the killed runs was stored; the next sync completes and stores everything.
    let store = Store::open(setup.db()).unwrap();
    let vehicles: u32 = store.connection().query_row("SELECT count(*) FROM vehicles", [], |r| r.get(0)).unwrap();
    assert_eq!(vehicles, 0, "a killed write commits nothing");
    sim.state().set_scenario(Scenario::default()).unwrap();
    let synced = setup.run(&["sync", "--force", "--account", "Acme"], "");
    assert_eq!(synced.status.code(), Some(0), "{}", text(&synced));
    let vehicles: u32 = store.connection().query_row("SELECT count(*) FROM vehicles", [], |r| r.get(0)).unwrap();
    assert_eq!(vehicles as usize, TRUCKS);
    let interrupted: u32 = store
        .connection()
        .query_row("SELECT count(*) FROM sync_runs WHERE error_kind = 'interrupted'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(interrupted, 3, "each killed run is recorded as interrupted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_1_and_10_syncing_at_once_never_kill_each_others_browser() {
    let fast = Simulator::start(SimConfig { vehicles: 5, seed: 3, ..SimConfig::default() }).await.unwrap();
    let slow = Simulator::start(SimConfig { vehicles: 30, seed: 4, ..SimConfig::default() }).await.unwrap();
    for sim in [&fast, &slow] {
        sim.state().add_user(UserSpec::new(Portal::Paccar, USER, PASSWORD)).unwrap();
    }
    slow.state().set_scenario(Scenario { latency_ms: 150, ..Scenario::default() }).unwrap();
    let setup = Setup::new("pair");
    setup.add("Account 1", &fast.portal_url(Portal::Paccar));
    for n in 2..=9 {
        setup.add(&format!("Account {n}"), "https://127.0.0.1:9/paccar");
    }
    setup.add("Account 10", &slow.portal_url(Portal::Paccar));
    let (one, ten) = (setup.profile("Account 1"), setup.profile("Account 10"));

    let mut long = setup.spawn_sync("Account 10");
    until("account 10's browser", Duration::from_secs(60), || !truckiq::browser::profile_processes(&ten).is_empty())
        .await;
    // Account 1 syncs, closes and cleans up its browser while account 10's is mid-run.
    let short = setup.run(&["sync", "--force", "--account", "Account 1"], "");
    assert_eq!(short.status.code(), Some(0), "{}", text(&short));
    assert!(truckiq::browser::profile_processes(&one).is_empty(), "account 1 left no Chromium");
    assert!(!truckiq::browser::profile_processes(&ten).is_empty(), "account 10's Chromium was left alone");
    assert_eq!(long.wait().unwrap().code(), Some(0), "account 10's sync completed");
    let store = Store::open(setup.db()).unwrap();
    let runs: Vec<(String, String)> = store
        .connection()
        .prepare("SELECT a.name, r.status FROM sync_runs r JOIN accounts a ON a.id = r.account_id ORDER BY a.id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(runs, vec![("Account 1".into(), "completed".into()), ("Account 10".into(), "completed".into())]);
}

/// A Chromium on `profile` whose parent is gone at once (an older TruckIQ's leftover): started
/// through a shell that exits, so init adopts it. It holds the profile's lock.
fn orphan_chromium(profile: &std::path::Path) -> u32 {
    std::fs::create_dir_all(profile).unwrap();
    let out = Command::new("sh")
        .arg("-c")
        .arg(
            "/usr/bin/chromium --headless=new --no-sandbox --disable-gpu --no-first-run \
             --disable-background-networking --disable-component-update --disable-sync \
             \"--user-data-dir=$1\" about:blank >/dev/null 2>&1 & echo $!",
        )
        .arg("sh")
        .arg(profile)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_left_behind_on_a_profile_is_cleared_and_only_that_profiles() {
    let sim = Simulator::start(SimConfig { vehicles: 4, seed: 8, ..SimConfig::default() }).await.unwrap();
    sim.state().add_user(UserSpec::new(Portal::Paccar, USER, PASSWORD)).unwrap();
    let setup = Setup::new("orphan");
    setup.add("Acme", &sim.portal_url(Portal::Paccar));
    let profile = setup.profile("Acme");
    // Another profile whose name starts with this one's: a substring match would take it too.
    let neighbour = profile.with_file_name(format!("{}0", profile.file_name().unwrap().to_string_lossy()));
    let (left, other) = (orphan_chromium(&profile), orphan_chromium(&neighbour));
    until("the leftover to take the profile lock", Duration::from_secs(30), || {
        profile.join("SingletonLock").symlink_metadata().is_ok()
    })
    .await;
    assert!(truckiq::browser::profile_processes(&profile).contains(&left));

    let synced = setup.run(&["sync", "--account", "Acme"], "");
    assert_eq!(synced.status.code(), Some(0), "{}", text(&synced));
    assert!(!std::path::Path::new(&format!("/proc/{left}")).exists(), "the leftover was killed");
    assert!(
        truckiq::browser::profile_processes(&neighbour).contains(&other),
        "the other profile's Chromium was left alone"
    );
    let _ = Command::new("kill").arg("-9").arg(other.to_string()).status();
}

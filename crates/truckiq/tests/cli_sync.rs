//! The `truckiq` binary as cron and people use it: accounts with secrets from stdin, `sync`,
//! `check-stale`, `health` and `demo`, against the simulator, a real database file and the real
//! Secret Service (run under scripts/with-keyring.sh).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::Output;

use portal_sim::{Portal, SimConfig, Simulator, UserSpec};
use support::{text, truckiq};
use truckiq::secrets::{SecretKind, SecretStore};
use truckiq::store::Store;

const PASSWORD: &str = "correct horse";

struct Cli {
    dir: tempfile::TempDir,
    namespace: String,
}

impl Cli {
    fn new(tag: &str) -> Self {
        Self { dir: tempfile::tempdir().unwrap(), namespace: format!("test-cli-{tag}-{}", std::process::id()) }
    }

    fn db(&self) -> String {
        self.dir.path().join("truckiq.sqlite3").display().to_string()
    }

    /// Runs `truckiq --db DB args…` with `stdin` piped in (never on the command line).
    fn run(&self, args: &[&str], stdin: &str) -> Output {
        let db = self.db();
        truckiq(
            &[&["--db", db.as_str()], args].concat(),
            &[("TRUCKIQ_KEYRING_NAMESPACE", self.namespace.as_ref())],
            stdin,
        )
    }

    fn secrets(&self) -> SecretStore {
        SecretStore::with_service(format!("com.truckiq.fleet.{}", self.namespace))
    }
}

async fn sim() -> Simulator {
    let sim = Simulator::start(SimConfig { vehicles: 15, seed: 41, ..SimConfig::default() }).await.unwrap();
    sim.state().add_user(UserSpec::new(Portal::Paccar, "ops@fleet.example", PASSWORD)).unwrap();
    sim
}

fn add_account(cli: &Cli, sim: &Simulator, password: &str) -> Output {
    let url = sim.portal_url(Portal::Paccar);
    cli.run(
        &["accounts", "add", "--name", "Acme", "--portal", "paccar", "--url", &url, "--username", "ops@fleet.example"],
        &format!("{password}\n"),
    )
}

// Multi-threaded: the simulator must keep serving while the test waits for the child process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_sync_and_stale_checks_from_the_command_line() {
    let sim = sim().await;
    let cli = Cli::new("flow");
    let added = add_account(&cli, &sim, PASSWORD);
    assert!(added.status.success(), "{}", text(&added));
    let id = Store::open(cli.db()).unwrap().account_by_name("acme").unwrap().unwrap().uid;
    assert_eq!(cli.secrets().get(id, SecretKind::Password).unwrap().expose(), PASSWORD, "in the keychain");
    let raw: String = Store::open(cli.db())
        .unwrap()
        .connection()
        .query_row("SELECT group_concat(quote(a.username) || a.base_url) FROM accounts a", [], |r| r.get(0))
        .unwrap();
    assert!(!raw.contains(PASSWORD), "never in the database");

    let synced = cli.run(&["sync", "--json"], "");
    assert_eq!(synced.status.code(), Some(0), "{}", text(&synced));
    let lines: Vec<serde_json::Value> =
        String::from_utf8(synced.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0]["event"], "alert");
    assert_eq!(lines[0]["alert"]["kind"], "first_sync");
    assert_eq!((lines[1]["event"].as_str(), lines[1]["status"].as_str()), (Some("result"), Some("completed")));
    assert_eq!(lines[1]["vehicles"], 15);

    // Synced within its interval: skipped unless forced.
    let again = cli.run(&["sync"], "");
    assert!(text(&again).contains("Acme: skipped"), "{}", text(&again));
    let forced = cli.run(&["sync", "--account", "Acme", "--force"], "");
    assert_eq!(forced.status.code(), Some(0), "{}", text(&forced));
    assert!(text(&forced).contains("Acme: completed · 15 vehicles (0 new)"), "{}", text(&forced));

    let fresh = cli.run(&["check-stale", "--hours", "23"], "");
    assert_eq!(fresh.status.code(), Some(0), "{}", text(&fresh));
    // With a zero-hour limit everything is stale: exit 5 and one alert, not one per check.
    for _ in 0..2 {
        let stale = cli.run(&["check-stale", "--hours", "0"], "");
        assert_eq!(stale.status.code(), Some(5), "{}", text(&stale));
        assert!(text(&stale).contains("Acme: no successful sync for over 0 h"), "{}", text(&stale));
    }
    let stale_alerts: u32 = Store::open(cli.db())
        .unwrap()
        .connection()
        .query_row("SELECT count(*) FROM alerts WHERE kind = 'stale_data'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stale_alerts, 1);

    let health = cli.run(&["health"], "");
    assert!(text(&health).contains("ok   browser"), "{}", text(&health));
    assert!(text(&health).contains("ok   account Acme"), "{}", text(&health));

    let removed = cli.run(&["accounts", "remove", "Acme"], "");
    assert!(removed.status.success(), "{}", text(&removed));
    assert!(cli.secrets().get_optional(id, SecretKind::Password).unwrap().is_none(), "keychain entry gone");
    assert!(cli.secrets().get_optional(id, SecretKind::PortalSession).unwrap().is_none(), "saved session gone");
    assert!(Store::open(cli.db()).unwrap().list_accounts().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_password_exits_4_and_a_new_one_from_stdin_resumes_syncing() {
    let sim = sim().await;
    let cli = Cli::new("refused");
    assert!(add_account(&cli, &sim, "wrong password").status.success());
    let refused = cli.run(&["-v", "sync"], "");
    assert_eq!(refused.status.code(), Some(4), "{}", text(&refused));
    assert!(text(&refused).contains("login_rejected"), "{}", text(&refused));
    // The log says each run's start and end, and why it failed; never the password.
    let log = String::from_utf8_lossy(&refused.stderr).into_owned();
    assert!(
        log.contains("sync started") && log.contains("sync failed") && log.contains("reason=\"login_rejected\""),
        "{log}"
    );
    assert!(!log.contains("wrong password"), "{log}");
    let status = cli.run(&["accounts", "list"], "");
    assert!(text(&status).contains("paused"), "{}", text(&status));
    assert_eq!(cli.run(&["sync"], "").status.code(), Some(4), "still paused: no second sign-in");
    assert_eq!(sim.state().user(Portal::Paccar, "ops@fleet.example").unwrap().login_attempts, 1);

    let fixed = cli.run(&["accounts", "set-password", "Acme"], &format!("{PASSWORD}\n"));
    assert!(text(&fixed).contains("Syncing resumes."), "{}", text(&fixed));
    let synced = cli.run(&["-vv", "sync"], "");
    assert_eq!(synced.status.code(), Some(0), "{}", text(&synced));
    let log = String::from_utf8_lossy(&synced.stderr).into_owned();
    assert!(log.contains("sync finished") && log.contains("vehicles=15") && log.contains("status=completed"), "{log}");
    assert!(!log.contains(PASSWORD), "not even at debug level");
    let id = Store::open(cli.db()).unwrap().account_by_name("Acme").unwrap().unwrap().uid;
    cli.secrets().delete_all(id).unwrap();
}

#[test]
fn bad_secrets_are_refused_at_entry_and_nothing_is_half_saved() {
    let cli = Cli::new("bad");
    let args = ["accounts", "add", "--name", "Acme", "--portal", "paccar", "--url", "https://paccarsolutions.com"];
    let out = cli.run(&[&args[..], &["--username", "ops@fleet.example", "--totp"]].concat(), "pw\nnot-base32!\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("base32"), "{}", text(&out));
    assert!(Store::open(cli.db()).unwrap().list_accounts().unwrap().is_empty(), "no account without its secrets");
    let api = cli.run(
        &["accounts", "add", "--name", "X", "--portal", "decisiv_api", "--url", "https://x.example", "--username", "u"],
        "pw\n",
    );
    assert_eq!(api.status.code(), Some(1));
    assert!(
        text(&api).contains("give the client id Decisiv registered TruckIQ under with --client-id"),
        "{}",
        text(&api)
    );
    assert!(Store::open(cli.db()).unwrap().list_accounts().unwrap().is_empty());
    let help = cli.run(&["--help"], "");
    assert!(text(&help).contains("4  a person must act"), "exit codes are documented: {}", text(&help));
}

#[test]
fn demo_syncs_a_simulated_fleet_and_keeps_the_scheduler_off_it() {
    let cli = Cli::new("demo");
    let out = cli.run(&["demo", "--vehicles", "12"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("Demo fleet: completed: 12 trucks"), "{}", text(&out));
    assert!(text(&out).contains("first sync found 12 trucks"), "{}", text(&out));
    assert!(text(&out).contains("Demo fleet — PACCAR Solutions: completed: 6 trucks"), "{}", text(&out));
    let store = Store::open(cli.db()).unwrap();
    assert!(text(&out).contains("Demo fleet — Decisiv API: completed: 6 trucks"), "{}", text(&out));
    for name in ["Demo fleet", "Demo fleet — PACCAR Solutions", "Demo fleet — Decisiv API"] {
        let account = store.account_by_name(name).unwrap().unwrap();
        assert!(!account.enabled, "the simulator is gone once demo exits");
        cli.secrets().delete_all(account.uid).unwrap();
    }
    let kinds: Vec<String> = store
        .connection()
        .prepare("SELECT portal_kind FROM accounts ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        kinds,
        ["trucktech", "paccar_solutions", "decisiv_api"],
        "a layout with derates, one with truck statuses, and the API with service cases"
    );
    let vehicles: u32 = store.connection().query_row("SELECT count(*) FROM vehicles", [], |r| r.get(0)).unwrap();
    assert_eq!(vehicles, 24);
}

/// A sync logged at trace, every target asked for, signing in with a password and a TOTP code and
/// saving the portal's session: the log file holds what each step did and none of the secrets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trace_level_sync_logs_to_its_file_and_no_secret_reaches_it() {
    const TOTP: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    let sim = Simulator::start(SimConfig { vehicles: 6, seed: 43, ..SimConfig::default() }).await.unwrap();
    let mut user = UserSpec::new(Portal::Paccar, "ops@fleet.example", PASSWORD);
    user.mfa = portal_sim::Mfa::Totp;
    user.totp_secret = Some(TOTP.into());
    sim.state().add_user(user).unwrap();
    let cli = Cli::new("logs");
    let logs = cli.dir.path().join("logs");
    let url = sim.portal_url(Portal::Paccar);
    let db = cli.db();
    let env = [
        ("TRUCKIQ_KEYRING_NAMESPACE", std::ffi::OsStr::new(&cli.namespace)),
        ("TRUCKIQ_LOG_DIR", logs.as_os_str()),
        ("RUST_LOG", std::ffi::OsStr::new("trace")),
    ];
    let add = ["--db", db.as_str(), "accounts", "add", "--name", "Acme", "--portal", "paccar", "--url", &url];
    let added = truckiq(
        &[&add[..], &["--username", "ops@fleet.example", "--totp"]].concat(),
        &env,
        &format!("{PASSWORD}\n{TOTP}\n"),
    );
    assert!(added.status.success(), "{}", text(&added));
    let synced = truckiq(&["--db", db.as_str(), "-vv", "sync"], &env, "");
    assert_eq!(synced.status.code(), Some(0), "{}", text(&synced));

    let uid = Store::open(cli.db()).unwrap().account_by_name("acme").unwrap().unwrap().uid;
    let session = cli.secrets().get(uid, SecretKind::PortalSession).unwrap().expose().to_owned();
    let files: Vec<_> = std::fs::read_dir(&logs).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(files.iter().all(|f| f.file_name().unwrap().to_string_lossy().starts_with("truckiq.")), "{files:?}");
    let logged: String = files.iter().map(|f| std::fs::read_to_string(f).unwrap()).collect();
    assert!(logged.contains("TRACE") && logged.contains("DEBUG"), "logged at the verbosity asked for");
    assert!(logged.contains(" truckiq::sync"), "the run is in the file:\n{}", &logged[..logged.len().min(2000)]);
    // The saved session holds the portal's cookies: no cookie value may appear either.
    let mut cookies = Vec::new();
    cookie_values(&serde_json::from_str(&session).expect("the saved session is JSON"), &mut cookies);
    assert!(!cookies.is_empty(), "the session keeps cookies: {session}");
    for secret in [PASSWORD, TOTP].into_iter().map(str::to_owned).chain(cookies) {
        assert!(!logged.contains(&secret), "a secret reached the log file: {secret}");
    }
}

fn cookie_values(json: &serde_json::Value, out: &mut Vec<String>) {
    match json {
        serde_json::Value::Array(items) => items.iter().for_each(|item| cookie_values(item, out)),
        serde_json::Value::Object(fields) => {
            for (key, value) in fields {
                match value.as_str() {
                    Some(text) if key == "value" && text.len() >= 8 => out.push(text.to_owned()),
                    _ => cookie_values(value, out),
                }
            }
        }
        _ => {}
    }
}

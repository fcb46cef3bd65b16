//! Credentials go only where they belong: typed only on the portal's own origin, never written to
//! the logs, the data folder or the database, and Chromium keeps its sandbox unless it runs as root.
//! Real `truckiq` processes, the simulator and the real keychain (run under scripts/with-keyring.sh).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use portal_sim::{Mfa, Portal, Scenario, SimConfig, Simulator, UserSpec};
use support::{text, truckiq};
use truckiq::secrets::{SecretKind, SecretStore};
use truckiq::store::Store;

const USER: &str = "ops@fleet.example";
const PASSWORD: &str = "tr0ub4dor&3-never-logged";
const TOTP: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

struct Cli {
    dir: tempfile::TempDir,
    namespace: String,
}

impl Cli {
    fn new(tag: &str) -> Self {
        assert!(std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(), "run through scripts/with-keyring.sh");
        Self { dir: tempfile::tempdir().unwrap(), namespace: format!("test-safety-{tag}-{}", std::process::id()) }
    }

    fn run(&self, args: &[&str], stdin: &str, rust_log: Option<&str>) -> std::process::Output {
        let db = self.dir.path().join("truckiq.sqlite3").display().to_string();
        let mut envs = vec![("TRUCKIQ_KEYRING_NAMESPACE", self.namespace.as_ref())];
        if let Some(level) = rust_log {
            envs.push(("RUST_LOG", level.as_ref()));
        }
        truckiq(&[&["--db", db.as_str()], args].concat(), &envs, stdin)
    }

    fn add(&self, url: &str, totp: bool) {
        let mut args =
            vec!["accounts", "add", "--name", "Acme", "--portal", "paccar", "--url", url, "--username", USER];
        if totp {
            args.push("--totp");
        }
        let added = self.run(&args, &format!("{PASSWORD}\n{TOTP}\n"), None);
        assert!(added.status.success(), "{}", text(&added));
    }

    fn secrets(&self) -> SecretStore {
        SecretStore::with_service(format!("com.truckiq.fleet.{}", self.namespace))
    }
}

impl Drop for Cli {
    fn drop(&mut self) {
        if let Ok(store) = Store::open(self.dir.path().join("truckiq.sqlite3")) {
            for account in store.list_accounts().unwrap_or_default() {
                let _ = self.secrets().delete_all(account.uid);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_page_on_another_origin_gets_nothing_typed_into_it() {
    let portal = Simulator::start(SimConfig { vehicles: 3, seed: 5, ..SimConfig::default() }).await.unwrap();
    let elsewhere = Simulator::start(SimConfig { vehicles: 3, seed: 5, ..SimConfig::default() }).await.unwrap();
    for sim in [&portal, &elsewhere] {
        sim.state().add_user(UserSpec::new(Portal::Paccar, USER, PASSWORD)).unwrap();
    }
    let trap = format!("{}/login", elsewhere.portal_url(Portal::Paccar));
    portal.state().set_scenario(Scenario { login_redirect: Some(trap), ..Scenario::default() }).unwrap();
    let cli = Cli::new("origin");
    cli.add(&portal.portal_url(Portal::Paccar), false);

    let out = cli.run(&["sync", "--json"], "", None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let origin = |sim: &Simulator| {
        let url = url::Url::parse(&sim.portal_url(Portal::Paccar)).unwrap();
        url.origin().ascii_serialization()
    };
    let said = text(&out);
    assert!(said.contains(r#""code":"credentials_origin_mismatch""#), "{said}");
    assert!(said.contains(&origin(&portal)) && said.contains(&origin(&elsewhere)), "both origins named: {said}");
    assert!(said.contains("no credentials were typed"), "{said}");

    // The other origin served its sign-in page and received nothing back.
    let requests = elsewhere.state().requests(0);
    assert!(requests.iter().any(|e| e.method == "GET" && e.path.ends_with("/login")), "{requests:?}");
    assert!(!requests.iter().any(|e| e.method == "POST"), "nothing was submitted there: {requests:?}");
    assert_eq!(elsewhere.state().user(Portal::Paccar, USER).unwrap().login_attempts, 0);
    assert_eq!(portal.state().user(Portal::Paccar, USER).unwrap().login_attempts, 0);
}

/// Every file below `dir`, read as bytes.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => pending.push(path),
                Ok(kind) if kind.is_file() => {
                    if let Ok(bytes) = std::fs::read(&path) {
                        found.push((path, bytes));
                    }
                }
                _ => {}
            }
        }
    }
    found
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_logged_at_trace_level_keeps_no_secret_in_the_output_the_data_folder_or_the_database() {
    let sim = Simulator::start(SimConfig { vehicles: 4, seed: 6, ..SimConfig::default() }).await.unwrap();
    let user =
        UserSpec { mfa: Mfa::Totp, totp_secret: Some(TOTP.into()), ..UserSpec::new(Portal::Paccar, USER, PASSWORD) };
    sim.state().add_user(user).unwrap();
    let cli = Cli::new("logs");
    cli.add(&sim.portal_url(Portal::Paccar), true);

    let mut output = Vec::new();
    for rust_log in ["trace", "tungstenite=trace,chromiumoxide=trace,trace"] {
        let out = cli.run(&["-vv", "sync", "--force"], "", Some(rust_log));
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert!(text(&out).contains("TRACE"), "really at trace level");
        output.extend_from_slice(&out.stdout);
        output.extend_from_slice(&out.stderr);
    }
    // The session the portal gave, as it was kept in the keychain.
    let uid =
        Store::open(cli.dir.path().join("truckiq.sqlite3")).unwrap().account_by_name("Acme").unwrap().unwrap().uid;
    let saved = cli.secrets().get(uid, SecretKind::PortalSession).unwrap();
    let cookies: Vec<serde_json::Value> = serde_json::from_str(saved.expose()).unwrap();
    let session: Vec<String> = cookies.iter().filter_map(|c| c["value"].as_str().map(str::to_owned)).collect();
    assert!(!session.is_empty(), "the portal set a session cookie");

    let secrets: Vec<&str> = [PASSWORD, TOTP].into_iter().chain(session.iter().map(String::as_str)).collect();
    for secret in &secrets {
        assert!(!contains(&output, secret), "the output holds a secret");
        for (path, bytes) in files(cli.dir.path()) {
            assert!(!contains(&bytes, secret), "{} holds a secret", path.display());
        }
    }
}

/// `truckiq bench extract` run as an unprivileged user: Chromium starts with its sandbox.
#[test]
fn chromium_keeps_its_sandbox_when_not_run_as_root() {
    assert!(rustix::process::getuid().is_root(), "the test suite runs as root; it starts an unprivileged user itself");
    // A folder that user can reach, with a copy of the binary (the build folder may not be).
    let home = tempfile::Builder::new().prefix("truckiq-nobody-").tempdir().unwrap();
    let open_up = |path: &Path, mode| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    open_up(home.path(), 0o777);
    let binary = home.path().join("truckiq");
    std::fs::copy(env!("CARGO_BIN_EXE_truckiq"), &binary).unwrap();
    open_up(&binary, 0o755);
    let mut child = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(&binary)
        .args(["--db"])
        .arg(home.path().join("t.sqlite3"))
        .args(["bench", "extract", "--vehicles", "12", "--latency-ms", "250", "--concurrency", "2"])
        .env("HOME", home.path())
        .env("TMPDIR", home.path())
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();

    // While it runs: its Chromium processes run as that user, none told --no-sandbox, and some
    // (the zygote that renderers are forked from) live in a PID namespace of their own: the
    // sandbox's.
    let ours = std::fs::read_link("/proc/self/ns/pid").unwrap();
    let (mut seen, mut sandboxed) = (0, 0);
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() && Instant::now() < deadline {
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let proc = entry.path();
            let Ok(cmdline) = std::fs::read(proc.join("cmdline")) else { continue };
            let args: Vec<&[u8]> = cmdline.split(|&b| b == 0).collect();
            let chromium = args.first().is_some_and(|a| contains(a, "chromium"));
            let owner = std::fs::read_to_string(proc.join("status")).ok().and_then(|s| {
                s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(1) == Some("65534"))
            });
            if !chromium || owner != Some(true) {
                continue;
            }
            seen += 1;
            assert!(!args.iter().any(|a| *a == b"--no-sandbox"), "an unprivileged Chromium was told --no-sandbox");
            if std::fs::read_link(proc.join("ns/pid")).is_ok_and(|ns| ns != ours) {
                sandboxed += 1;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("concurrency"), "{}", text(&out));
    assert!(seen > 0, "no Chromium of that user was seen");
    assert!(sandboxed > 0, "no Chromium process ran in the sandbox's own PID namespace");
}

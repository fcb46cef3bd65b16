//! `truckiq profile` as a person uses it to fix a profile: `show` for the effective profile with
//! its comments, `check` on a saved page (offline) and on a live portal layout (the simulator's
//! Cards family, real Chromium and the real Secret Service: run under scripts/with-keyring.sh).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use portal_sim::{Layout, Portal, SimConfig, Simulator, UserSpec};
use support::{text, truckiq};
use truckiq::store::Store;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/portals").join(name)
}

fn run(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let db = dir.join("truckiq.sqlite3").display().to_string();
    let namespace = format!("test-cli-profile-{}", std::process::id());
    truckiq(&[&["--db", db.as_str()], args].concat(), &[("TRUCKIQ_KEYRING_NAMESPACE", namespace.as_ref())], stdin)
}

#[test]
fn a_saved_page_that_fits_shows_each_field_with_samples() {
    let dir = tempfile::tempdir().unwrap();
    let page = fixture("decisiv_diagnostics.html");
    let args = ["profile", "check", "--portal", "decisiv_srm", "--html", page.to_str().unwrap()];
    let out = run(dir.path(), &args, "");
    let printed = text(&out);
    assert!(out.status.success(), "{printed}");
    assert!(printed.contains("Profile: built into TruckIQ (decisiv_srm)"), "{printed}");
    assert!(printed.contains("Truck page: ") && printed.contains(": 2 found, 2 read"), "{printed}");
    assert!(printed.contains("│ code ") && printed.contains("2/2"), "{printed}");
    assert!(!printed.contains("could not be read"), "{printed}");

    // A page with one unreadable row among good ones: the row, and why.
    let page = fixture("paccar_diagnostics.html");
    let out = run(dir.path(), &["profile", "check", "--html", page.to_str().unwrap()], "");
    let printed = text(&out);
    assert_eq!(out.status.code(), Some(1), "{printed}");
    assert!(printed.contains("rows (.fault-row, .dtc-row): 4 found, 3 read"), "{printed}");
    assert!(printed.contains("\"SPN 3226 / FMI 4\""), "samples as the page shows them: {printed}");
    assert!(printed.contains("row 4: cannot read SPN/FMI from \"SPN -- / FMI --\""), "{printed}");
}

#[test]
fn a_drifted_page_says_what_the_profile_did_not_find() {
    let dir = tempfile::tempdir().unwrap();
    let page = fixture("paccar_diagnostics_redesigned.html");
    let out = run(dir.path(), &["profile", "check", "--html", page.to_str().unwrap()], "");
    let printed = text(&out);
    assert_eq!(out.status.code(), Some(1), "{printed}");
    assert!(printed.contains("PAGE DOES NOT FIT: no row matches .fault-row, .dtc-row"), "{printed}");

    // A row the profile reads wrongly: each failed row with its field and what it saw.
    let profiles = dir.path().join("profiles");
    std::fs::create_dir_all(&profiles).unwrap();
    std::fs::write(profiles.join("trucktech.toml"), "[diagnostics]\nfirst_seen = ['.description']\n").unwrap();
    let page = fixture("paccar_diagnostics.html");
    let out = run(dir.path(), &["profile", "check", "--html", page.to_str().unwrap()], "");
    let printed = text(&out);
    assert_eq!(out.status.code(), Some(1), "{printed}");
    assert!(printed.contains(&format!("Profile: {}", profiles.join("trucktech.toml").display())), "{printed}");
    assert!(printed.contains("rows that could not be read:"), "{printed}");
    let why = "row 1: first_seen: cannot read \"Aftertreatment 1 Outlet NOx Sensor - Voltage Below Normal\" as a date";
    assert!(printed.contains(why), "{printed}");
}

#[test]
fn show_prints_the_built_in_profile_with_its_comments_and_marks_what_an_override_sets() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["profile", "show", "--portal", "trucktech"], "");
    let printed = text(&out);
    assert!(out.status.success(), "{printed}");
    assert!(printed.contains("# The trucktech profile as built into TruckIQ. Override keys in"), "{printed}");
    assert!(printed.contains("# A field is where its text comes from"), "the built-in comments: {printed}");
    assert!(printed.contains("[words.severity]") && printed.contains("row = [\".fault-row\", \".dtc-row\"]"));

    let profiles = dir.path().join("profiles");
    std::fs::create_dir_all(&profiles).unwrap();
    let file = profiles.join("paccar.toml"); // the kind's older name still counts
    std::fs::write(&file, "[diagnostics]\nstatus = ['.state']\n").unwrap();
    let printed = text(&run(dir.path(), &["profile", "show", "--portal", "trucktech"], ""));
    assert!(printed.contains(&format!("# ↓ from {}\nactive = ['.state']", file.display())), "{printed}");

    std::fs::write(&file, "[diagnostics]\nrows = ['.x']\n").unwrap();
    let out = run(dir.path(), &["profile", "show", "--portal", "trucktech"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("unknown field `rows`"), "a profile that would not load is not shown: {}", text(&out));
}

/// The Cards family's profile as an account's own file, with the code's label guessed wrong.
fn cards_guessed_wrong() -> String {
    let cards = include_str!("../../../tests/fixtures/profiles/cards.toml");
    assert!(cards.contains("code = { label = \"Code\" }"));
    format!("based_on = \"trucktech\"\n{}", cards.replace("label = \"Code\"", "label = \"Fault code\""))
}

// Multi-threaded: the simulator must keep serving while the test waits for the child process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_signs_in_reads_a_few_pages_shows_what_failed_and_writes_nothing() {
    let sim = Simulator::start(SimConfig { vehicles: 30, seed: 43, ..SimConfig::default() }).await.unwrap();
    sim.state().add_user(UserSpec::new(Portal::Paccar, "ops@fleet.example", "pw")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = sim.layout_url(Layout::Cards);
    let add = [
        "accounts",
        "add",
        "--name",
        "Cards",
        "--portal",
        "trucktech",
        "--url",
        &url,
        "--username",
        "ops@fleet.example",
    ];
    assert!(run(dir.path(), &add, "pw\n").status.success());
    let file = dir.path().join("cards.toml");
    std::fs::write(&file, cards_guessed_wrong()).unwrap();
    let set = run(dir.path(), &["accounts", "set-profile", "Cards", file.to_str().unwrap()], "");
    assert!(text(&set).contains("now reads with the profile"), "{}", text(&set));

    // The code's label guessed wrong: every fault row fails, and says where it looked.
    let out = run(dir.path(), &["profile", "check", "--account", "Cards"], "");
    let printed = text(&out);
    assert_eq!(out.status.code(), Some(1), "{printed}");
    assert!(
        printed.contains(&format!("Vehicle list: {url}/units")) && printed.contains("12 found, 12 read"),
        "{printed}"
    );
    assert!(printed.matches("Truck page: ").count() == 3, "{printed}");
    assert!(printed.contains("no fault code (code: label \"Fault code\" found nothing)"), "{printed}");

    std::fs::write(&file, cards_guessed_wrong().replace("label = \"Fault code\"", "label = \"Code\"")).unwrap();
    let out = run(dir.path(), &["profile", "check", "--account", "Cards"], "");
    let printed = text(&out);
    assert!(out.status.success(), "{printed}");
    assert!(!printed.contains("could not be read"), "{printed}");
    assert_eq!(sim.state().user(Portal::Paccar, "ops@fleet.example").unwrap().login_attempts, 1, "the session is kept");

    let store = Store::open(dir.path().join("truckiq.sqlite3")).unwrap();
    let count = |table: &str| -> i64 {
        store.connection().query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap()
    };
    assert_eq!((count("sync_runs"), count("vehicles"), count("faults")), (0, 0, 0), "the doctor writes nothing");
    let id = store.account_by_name("Cards").unwrap().unwrap().id;
    store.set_paused(id, Some("the portal refused the password")).unwrap();
    let out = run(dir.path(), &["profile", "check", "--account", "Cards"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("is paused (the portal refused the password); set its password again"),
        "{}",
        text(&out)
    );
    assert_eq!(sim.state().user(Portal::Paccar, "ops@fleet.example").unwrap().login_attempts, 1, "not sent again");
    let _ = run(dir.path(), &["accounts", "remove", "Cards"], "");
}

//! The manual-MFA path: a code sent by text message, a visible Chromium window, and a test playing
//! the person: it reads the code from the simulator's admin API and types it into the window with
//! xdotool. Needs an X display (scripts/test.sh runs the Rust tests under xvfb-run).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::time::Duration;

use portal_sim::{Mfa, Portal, SimConfig, Simulator, UserSpec};
use truckiq::browser::BrowserOptions;
use truckiq::connector::Progress;
use truckiq::portal::extract::{ExtractOptions, PortalSite};
use truckiq::portal::login::{Credentials, TotpLedger};
use truckiq::portal::profile::Profile;
use truckiq::portal::run::{RunConfig, RunMode, SessionVault, read_account};
use truckiq::secrets::{SecretStore, Sensitive};
use truckiq::store::PortalKind;

const USER: &str = "sms@fleet.example";

fn xdotool(args: &[&str]) -> Option<String> {
    let out = Command::new("xdotool").args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Waits for the verification window, then types the code the portal "sent" and presses Enter.
async fn play_the_person(sim: &Simulator) {
    for _ in 0..120 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let Some(window) = xdotool(&["search", "--onlyvisible", "--name", "Verify your identity"]) else { continue };
        let window = window.lines().next().unwrap().to_owned();
        let code = sim.state().user(Portal::Paccar, USER).unwrap().last_sent_code.expect("a code was sent");
        xdotool(&["windowfocus", "--sync", &window]);
        tokio::time::sleep(Duration::from_millis(300)).await;
        xdotool(&["type", "--delay", "40", &code]).expect("typing works");
        xdotool(&["key", "Return"]).expect("Enter works");
        return;
    }
    panic!("no visible 'Verify your identity' window appeared");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_finishes_sms_mfa_in_a_visible_window_and_the_run_completes() {
    assert!(std::env::var_os("DISPLAY").is_some(), "needs an X display: run under xvfb-run (scripts/test.sh does)");
    assert!(std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(), "run through scripts/with-keyring.sh");
    let sim = Simulator::start(SimConfig { vehicles: 12, ..SimConfig::default() }).await.unwrap();
    sim.state().add_user(UserSpec { mfa: Mfa::Sms, ..UserSpec::new(Portal::Paccar, USER, "pw") }).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let profile = Profile::builtin(PortalKind::TruckTech).unwrap();
    let credentials =
        Credentials { username: USER.into(), password: Sensitive::from("pw"), totp: None, trust_device: true };
    let ledger = TotpLedger::default();
    let base = sim.portal_url(Portal::Paccar);
    let vault = SessionVault {
        secrets: SecretStore::with_service(format!("com.truckiq.fleet.test-mfa-{}", std::process::id())),
        owner: truckiq::ids::AccountUid::new().into(),
    };
    let profile_dir = dir.path().join("profile");
    let config = RunConfig {
        site: PortalSite { base_url: &base, profile: &profile, credentials: &credentials, ledger: &ledger },
        browser: BrowserOptions { page_timeout: Duration::from_secs(15), ..BrowserOptions::default() },
        profile_dir: &profile_dir,
        extract: ExtractOptions { concurrency: 2, artifacts_dir: dir.path().join("artifacts") },
        vault: &vault,
        mode: RunMode::Interactive { mfa_wait: Duration::from_secs(60) },
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let (result, ()) = tokio::join!(read_account(&config, &tx), play_the_person(&sim));
    let extraction = result.unwrap();
    assert_eq!(extraction.vehicles.len(), 12);
    assert!(extraction.vehicles.iter().all(|v| v.diagnostics.is_ok()));
    drop(tx);
    let mut saw_hand_over = false;
    while let Some(step) = rx.recv().await {
        saw_hand_over |= step == Progress::WaitingForPerson;
    }
    assert!(saw_hand_over, "the run told its watcher it was waiting for a person");
    let user = sim.state().user(Portal::Paccar, USER).unwrap();
    assert_eq!((user.login_attempts, user.successful_logins), (1, 1), "one password attempt in all");
    vault.clear().unwrap();

    // Scheduled, with nobody there, the same challenge ends the run with MfaRequired.
    sim.state().expire_sessions();
    let scheduled = RunConfig { mode: RunMode::Scheduled, ..config };
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let result = read_account(&scheduled, &tx).await;
    assert!(matches!(result, Err(truckiq::portal::error::ConnectorError::MfaRequired)), "{result:?}");
}

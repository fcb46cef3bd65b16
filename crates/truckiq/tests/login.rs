//! Signing in on a real Chromium against both simulated portals, checked with the simulator's own
//! counters (login attempts, MFA prompts, policies accepted).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

use portal_sim::{Mfa, Portal, SimConfig, Simulator, UserSpec};
use truckiq::browser::{BrowserOptions, BrowserSession};
use truckiq::ids::AccountUid;
use truckiq::portal::error::ConnectorError;
use truckiq::portal::login::{Credentials, SignIn, TotpLedger, sign_in};
use truckiq::portal::profile::Profile;
use truckiq::secrets::{SecretKind, SecretStore, Sensitive, TotpSecret};
use truckiq::store::PortalKind;

const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

fn user(portal: Portal, name: &str) -> UserSpec {
    UserSpec::new(portal, name, "correct horse")
}

fn credentials(name: &str, password: &str, totp: bool) -> Credentials {
    Credentials {
        username: name.into(),
        password: Sensitive::from(password),
        totp: totp.then(|| TotpSecret::parse(SECRET).unwrap()),
        trust_device: true,
    }
}

fn kind(portal: Portal) -> PortalKind {
    match portal {
        Portal::Paccar => PortalKind::TruckTech,
        Portal::Decisiv => PortalKind::DecisivSrm,
        Portal::PaccarSolutions => PortalKind::PaccarSolutions,
    }
}

/// One run as the connector will do it: restore the saved session from the keychain, sign in,
/// save the session back.
async fn run(
    sim: &Simulator,
    portal: Portal,
    account: AccountUid,
    profile_dir: &Path,
    creds: &Credentials,
    ledger: &TotpLedger,
) -> Result<SignIn, ConnectorError> {
    assert!(std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(), "run through scripts/with-keyring.sh");
    let secrets = SecretStore::with_service(format!("com.truckiq.fleet.test-login-{}", std::process::id()));
    let options = BrowserOptions { page_timeout: Duration::from_secs(10), ..BrowserOptions::default() };
    let profile = Profile::builtin(kind(portal)).unwrap();
    let base = sim.portal_url(portal);
    BrowserSession::with(&options, profile_dir, async |browser| {
        if let Some(saved) = secrets.get_optional(account, SecretKind::PortalSession)? {
            browser.restore_cookies(&saved).await?;
        }
        let page = browser.new_page().await?;
        let result = sign_in(&page, &base, &profile, creds, ledger).await;
        page.close().await;
        if result.is_ok() {
            secrets.set(account, SecretKind::PortalSession, &browser.session_cookies().await?)?;
        }
        result
    })
    .await
}

#[tokio::test]
async fn decisiv_first_login_accepts_policies_and_the_next_run_reuses_the_session() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    sim.state().add_user(UserSpec { policies_pending: true, ..user(Portal::Decisiv, "fleetops") }).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let account = AccountUid::new();
    let ledger = TotpLedger::default();
    let creds = credentials("fleetops", "correct horse", false);

    assert_eq!(run(&sim, Portal::Decisiv, account, dir.path(), &creds, &ledger).await.unwrap(), SignIn::SignedIn);
    let state = sim.state().user(Portal::Decisiv, "fleetops").unwrap();
    assert_eq!((state.login_attempts, state.policies_accepted), (1, true));

    assert_eq!(run(&sim, Portal::Decisiv, account, dir.path(), &creds, &ledger).await.unwrap(), SignIn::Reused);
    assert_eq!(
        sim.state().user(Portal::Decisiv, "fleetops").unwrap().login_attempts,
        1,
        "zero attempts the second time"
    );
}

#[tokio::test]
async fn totp_is_answered_and_trust_device_skips_mfa_next_time() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    sim.state()
        .add_user(UserSpec {
            mfa: Mfa::Totp,
            totp_secret: Some(SECRET.into()),
            ..user(Portal::Paccar, "t@fleet.example")
        })
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let account = AccountUid::new();
    let ledger = TotpLedger::default();
    let creds = credentials("t@fleet.example", "correct horse", true);
    assert_eq!(run(&sim, Portal::Paccar, account, dir.path(), &creds, &ledger).await.unwrap(), SignIn::SignedIn);
    assert_eq!(sim.state().user(Portal::Paccar, "t@fleet.example").unwrap().mfa_prompts, 1);

    // End the portal session (as an expiry would) so the next run must sign in again; a short TTL
    // instead would race a loaded machine.
    sim.state().expire_sessions();
    assert_eq!(run(&sim, Portal::Paccar, account, dir.path(), &creds, &ledger).await.unwrap(), SignIn::SignedIn);
    let state = sim.state().user(Portal::Paccar, "t@fleet.example").unwrap();
    assert_eq!((state.login_attempts, state.mfa_prompts), (2, 1), "the trusted device skipped MFA");
}

#[tokio::test]
async fn a_wrong_password_is_one_attempt_and_login_rejected() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    sim.state().add_user(user(Portal::Paccar, "w@fleet.example")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let result = run(
        &sim,
        Portal::Paccar,
        AccountUid::new(),
        dir.path(),
        &credentials("w@fleet.example", "wrong", false),
        &TotpLedger::default(),
    )
    .await;
    match result {
        Err(ConnectorError::LoginRejected { message, locked }) => {
            assert_eq!((message.as_str(), locked), ("Invalid email or password.", false));
        }
        other => panic!("expected LoginRejected, got {other:?}"),
    }
    assert_eq!(sim.state().user(Portal::Paccar, "w@fleet.example").unwrap().login_attempts, 1);
}

#[tokio::test]
async fn a_code_sent_by_text_needs_a_person_and_the_dialog_is_continued() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    sim.state()
        .add_user(UserSpec { mfa: Mfa::Sms, conflict_dialog: true, ..user(Portal::Paccar, "s@fleet.example") })
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let result = run(
        &sim,
        Portal::Paccar,
        AccountUid::new(),
        dir.path(),
        &credentials("s@fleet.example", "correct horse", true),
        &TotpLedger::default(),
    )
    .await;
    assert!(matches!(result, Err(ConnectorError::MfaRequired)), "{result:?}");
    let state = sim.state().user(Portal::Paccar, "s@fleet.example").unwrap();
    assert_eq!((state.login_attempts, state.mfa_prompts), (1, 1), "past the dialog, stopped at the SMS code");
}

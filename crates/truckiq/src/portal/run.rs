//! One complete read of a portal account: restore the saved session, extract, save the session
//! again, and, when a person is at the keyboard, hand an MFA challenge that needs them to a visible
//! browser window, then carry on headless.

use std::path::Path;
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedSender;

use super::doctor::PageReport;
use super::error::ConnectorError;
use super::extract::{ExtractOptions, Extraction, PortalSite, check_pages, extract};
use super::login::{SignIn, SignInPage, classify, sign_in};
use crate::browser::{BrowserOptions, BrowserSession};
use crate::connector::Progress;
use crate::secrets::{SecretError, SecretKind, SecretOwner, SecretStore, Sensitive};

/// How long a person gets to finish an MFA challenge in the visible window.
pub const MFA_WAIT: Duration = Duration::from_secs(5 * 60);

/// Who is waiting for the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunMode {
    /// Nobody: an MFA challenge only a person can answer ends the run with `MfaRequired`.
    Scheduled,
    /// Someone clicked "Sync now": such a challenge opens a visible window for them.
    Interactive { mfa_wait: Duration },
}

/// Where a portal session is kept between runs (the keychain), under whoever holds it.
#[derive(Debug, Clone)]
pub struct SessionVault {
    pub secrets: SecretStore,
    pub owner: SecretOwner,
}

impl SessionVault {
    pub(crate) async fn load(&self) -> Result<Option<Sensitive<String>>, SecretError> {
        let (secrets, owner) = (self.secrets.clone(), self.owner);
        crate::secrets::off_thread(move || secrets.get_optional(owner, SecretKind::PortalSession)).await
    }

    pub(crate) async fn save(&self, cookies: &Sensitive<String>) -> Result<(), SecretError> {
        let (secrets, owner, cookies) = (self.secrets.clone(), self.owner, cookies.clone());
        crate::secrets::off_thread(move || secrets.set(owner, SecretKind::PortalSession, &cookies)).await
    }

    /// Forgets the session, e.g. after the credentials change.
    pub fn clear(&self) -> Result<(), SecretError> {
        self.secrets.delete(self.owner, SecretKind::PortalSession)
    }
}

pub struct RunConfig<'a> {
    pub site: PortalSite<'a>,
    pub browser: BrowserOptions,
    /// This account's browser profile folder.
    pub profile_dir: &'a Path,
    pub extract: ExtractOptions,
    pub vault: &'a SessionVault,
    pub mode: RunMode,
}

/// Reads the account's fleet. At most one hand-over to a person per run.
pub async fn read_account(
    config: &RunConfig<'_>,
    progress: &UnboundedSender<Progress>,
) -> Result<Extraction, ConnectorError> {
    let mut handed_over = false;
    loop {
        let browser = BrowserSession::launch(&config.browser, config.profile_dir).await?;
        let result = read_once(config, &browser, progress).await;
        browser.close().await;
        match (result, config.mode) {
            (Err(ConnectorError::MfaRequired), RunMode::Interactive { mfa_wait }) if !handed_over => {
                handed_over = true;
                let _ = progress.send(Progress::WaitingForPerson);
                person_finishes_sign_in(config, mfa_wait).await?;
            }
            (result, _) => return result,
        }
    }
}

// Launch and close are spelled out rather than using `BrowserSession::with`: its async closure is
// higher-ranked, which keeps a spawned sync from being provably `Send`.
async fn read_once(
    config: &RunConfig<'_>,
    browser: &BrowserSession,
    progress: &UnboundedSender<Progress>,
) -> Result<Extraction, ConnectorError> {
    restore_session(config, browser).await?;
    let result = extract(browser, &config.site, &config.extract, progress).await;
    // Keep the session also when MFA stopped us: it carries the half-finished sign-in.
    if result.is_ok() || matches!(result, Err(ConnectorError::MfaRequired)) {
        config.vault.save(&browser.session_cookies().await?).await?;
    }
    result
}

/// Signs in and nothing more, to check credentials when a person asks ("Test sign-in"); the
/// session is saved like after a sync. A challenge only a person can answer is `MfaRequired`.
pub async fn test_sign_in(config: &RunConfig<'_>) -> Result<SignIn, ConnectorError> {
    let browser = BrowserSession::launch(&config.browser, config.profile_dir).await?;
    let result = sign_in_once(config, &browser).await;
    browser.close().await;
    result
}

/// Puts the session kept after the last run back into `browser`, so no password is sent while it
/// is still valid.
async fn restore_session(config: &RunConfig<'_>, browser: &BrowserSession) -> Result<(), ConnectorError> {
    if let Some(saved) = config.vault.load().await? {
        browser.restore_cookies(&saved).await?;
    }
    Ok(())
}

/// Signs in and reports what the profile finds on a few pages, for `truckiq profile check`.
/// Nothing is stored but the session, as after a sync.
pub async fn check_layout(config: &RunConfig<'_>, pages: usize) -> Result<Vec<PageReport>, ConnectorError> {
    let browser = BrowserSession::launch(&config.browser, config.profile_dir).await?;
    let result = async {
        restore_session(config, &browser).await?;
        let reports = check_pages(&browser, &config.site, pages).await?;
        config.vault.save(&browser.session_cookies().await?).await?;
        Ok(reports)
    }
    .await;
    browser.close().await;
    result
}

async fn sign_in_once(config: &RunConfig<'_>, browser: &BrowserSession) -> Result<SignIn, ConnectorError> {
    restore_session(config, browser).await?;
    let page = browser.new_page().await?;
    let site = &config.site;
    let result = sign_in(&page, site.base_url, site.profile, site.credentials, site.ledger).await;
    if result.is_ok() {
        config.vault.save(&browser.session_cookies().await?).await?;
    }
    page.close().await;
    result
}

/// Opens a visible window on the challenge and waits until the portal's own pages show, then saves
/// the session for the headless run that follows.
async fn person_finishes_sign_in(config: &RunConfig<'_>, wait: Duration) -> Result<(), ConnectorError> {
    let visible = BrowserOptions { headless: false, block_heavy_resources: false, ..config.browser.clone() };
    let browser = BrowserSession::launch(&visible, config.profile_dir).await?;
    let result = wait_for_person(config, &browser, wait).await;
    browser.close().await;
    result
}

async fn wait_for_person(
    config: &RunConfig<'_>,
    browser: &BrowserSession,
    wait: Duration,
) -> Result<(), ConnectorError> {
    restore_session(config, browser).await?;
    let page = browser.new_page().await?;
    let site = &config.site;
    // Lands on the challenge when the half-finished session survived (no second password
    // attempt); otherwise the password is entered again and it stops at the challenge.
    match sign_in(&page, site.base_url, site.profile, site.credentials, site.ledger).await {
        Ok(_) | Err(ConnectorError::MfaRequired) => {}
        Err(other) => return Err(other),
    }
    // The window opened behind the app the person was using: raise it where they will see it.
    if let Err(error) = page.bring_to_front().await {
        tracing::warn!(%error, "could not raise the sign-in window");
    }
    tracing::warn!("waiting up to {} s for a person to finish signing in", wait.as_secs());
    let deadline = Instant::now() + wait;
    loop {
        // The page is mid-navigation while the person submits; a failed read just means "not yet".
        if let Ok(html) = page.html().await
            && classify(&html, site.profile) == SignInPage::SignedIn
        {
            break;
        }
        if Instant::now() >= deadline {
            return Err(ConnectorError::MfaRequired);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    config.vault.save(&browser.session_cookies().await?).await?;
    page.close().await;
    Ok(())
}

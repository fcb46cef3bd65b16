//! The demo fleet: simulated portals in this process with the demo accounts on them.

use std::time::Duration;

use super::{App, AppError, Result};
use crate::demo::{DEMO_API_ACCOUNT, DemoPortal, demo_accounts};
use crate::store::PortalKind;

/// How the demo runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoOptions {
    pub vehicles: usize,
    /// The simulated clock moves an hour this often, so faults come and go while it runs.
    pub tick: Option<Duration>,
    /// Whether the scheduler may sync the demo account: only while its portal keeps running.
    pub scheduled: bool,
}

impl DemoOptions {
    /// The desktop app's demo: 60 trucks whose faults change every two minutes, kept syncing.
    pub const APP: DemoOptions = DemoOptions { vehicles: 60, tick: Some(Duration::from_secs(120)), scheduled: true };
}

/// The demo portals that are running, with their accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoStarted {
    /// The TruckTech+ demo account, the one the window opens on.
    pub account_id: i64,
    /// Every demo account: the TruckTech+ one, the PACCAR Solutions one, then the Decisiv API one
    /// (unless its authorization could not be made).
    pub account_ids: Vec<i64>,
    /// The TruckTech+ demo portal's address.
    pub url: String,
}

impl App {
    /// Starts the demo portals (or keeps the ones running), points the demo accounts at them
    /// (creating them) and saves their password; the caller syncs them.
    pub async fn start_demo(&self, options: DemoOptions) -> Result<DemoStarted> {
        let mut demo = self.demo.lock().await;
        if demo.is_none() {
            let portal = DemoPortal::start(options.vehicles, options.tick)
                .await
                .map_err(|e| AppError::Internal(format!("the demo portal could not start: {e}")))?;
            *demo = Some(portal);
        }
        let portal = demo.as_ref().ok_or_else(|| AppError::Internal("the demo portal stopped".into()))?;
        let mut account_ids = portal.attach(&self.engine, options.scheduled).await?;
        match self.attach_demo_api(portal, options.scheduled).await {
            Ok(id) => account_ids.push(id),
            // The other demo accounts show the product; the API one needs a browser to sign in.
            Err(error) => tracing::warn!(%error, "the Decisiv API demo account was not set up"),
        }
        let account_id = *account_ids.first().ok_or_else(|| AppError::Internal("the demo made no account".into()))?;
        Ok(DemoStarted { account_id, account_ids, url: portal.url() })
    }

    /// Authorizes the Decisiv API demo account on the demo's sign-in page (a simulated person
    /// signs in in a headless browser), adding it the first time. Every start is a new simulator,
    /// which knows nothing of an earlier authorization: an existing account is moved to it and
    /// authorized again.
    async fn attach_demo_api(&self, portal: &DemoPortal, scheduled: bool) -> Result<i64> {
        let mut input = portal.api_login();
        let profile = tempfile::tempdir().map_err(|e| AppError::Internal(format!("no browser profile: {e}")))?;
        let person = portal.api_person(self.engine.browser_options().await?, profile.path().join("sign-in"));
        let existing = self.read(|store| store.demo_account(PortalKind::DecisivApi)).await?;
        let id = match existing.and_then(|a| Some((a.id, a.grant_id?))) {
            Some((id, grant_id)) => {
                let (login_url, api_url) = (input.login_url.clone(), input.api_url.clone());
                self.write(move |store| store.move_grant(grant_id, &login_url, &api_url)).await?;
                self.reauthorize_api(id, &person).await?;
                id
            }
            None => {
                input.name = self.read(|store| store.free_name(DEMO_API_ACCOUNT)).await?;
                let added = self.add_api_login(input, &person).await?;
                let id = added.accounts.first().map(|(id, _)| *id);
                let id = id.ok_or_else(|| AppError::Internal("the demo's API login reached no SRM account".into()))?;
                self.write(move |store| store.mark_demo(id)).await?;
                id
            }
        };
        self.write(move |store| store.set_enabled(id, scheduled)).await?;
        Ok(id)
    }

    /// A demo account from an earlier run points at a portal that went with that process: start a
    /// new one for it, so the demo fleet keeps syncing. `None` when there is no demo account.
    pub async fn revive_demo(&self, options: DemoOptions) -> Result<Option<DemoStarted>> {
        if demo_accounts(&self.engine).await?.is_empty() {
            return Ok(None);
        }
        self.start_demo(options).await.map(Some)
    }

    /// Stops the demo portals. Their accounts are set aside (left out of scheduled syncs), so
    /// nothing syncs a portal that is gone until the demo starts again.
    pub async fn stop_demo(&self) -> Result<()> {
        for id in demo_accounts(&self.engine).await? {
            self.write(move |store| store.set_enabled(id, false)).await?;
        }
        if let Some(portal) = self.demo.lock().await.take() {
            portal.stop().await;
        }
        Ok(())
    }
}

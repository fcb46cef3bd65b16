//! The demo fleet: simulated portals in this process with the demo accounts on them.

use std::time::Duration;

use super::{App, AppError, Result};
use crate::demo::{DemoPortal, demo_accounts};

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
    /// Every demo account: the TruckTech+ one, then the PACCAR Solutions one.
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
        let account_ids = portal.attach(&self.engine, options.scheduled).await?;
        let account_id = *account_ids.first().ok_or_else(|| AppError::Internal("the demo made no account".into()))?;
        Ok(DemoStarted { account_id, account_ids, url: portal.url() })
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

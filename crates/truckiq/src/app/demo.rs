//! The demo fleet: a simulated portal in this process with a "Demo fleet" account on it.

use std::time::Duration;

use super::{App, AppError, Result};
use crate::demo::{DemoPortal, demo_account};

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

/// A demo portal that is running, with its account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoStarted {
    pub account_id: i64,
    pub url: String,
}

impl App {
    /// Starts the demo portal (or keeps the one running), points the demo account at it (creating
    /// it) and saves its password; the caller syncs it.
    pub async fn start_demo(&self, options: DemoOptions) -> Result<DemoStarted> {
        let mut demo = self.demo.lock().await;
        if demo.is_none() {
            let portal = DemoPortal::start(options.vehicles, options.tick)
                .await
                .map_err(|e| AppError::Internal(format!("the demo portal could not start: {e}")))?;
            *demo = Some(portal);
        }
        let portal = demo.as_ref().ok_or_else(|| AppError::Internal("the demo portal stopped".into()))?;
        let account_id = portal.attach(&self.engine, options.scheduled).await?;
        Ok(DemoStarted { account_id, url: portal.url() })
    }

    /// A demo account from an earlier run points at a portal that went with that process: start a
    /// new one for it, so the demo fleet keeps syncing. `None` when there is no demo account.
    pub async fn revive_demo(&self, options: DemoOptions) -> Result<Option<DemoStarted>> {
        if demo_account(&self.engine).await?.is_none() {
            return Ok(None);
        }
        self.start_demo(options).await.map(Some)
    }

    /// Stops the demo portal. Its account is set aside (left out of scheduled syncs), so nothing
    /// syncs a portal that is gone until the demo starts again.
    pub async fn stop_demo(&self) -> Result<()> {
        if let Some(id) = demo_account(&self.engine).await? {
            self.write(move |store| store.set_enabled(id, false)).await?;
        }
        if let Some(portal) = self.demo.lock().await.take() {
            portal.stop().await;
        }
        Ok(())
    }
}

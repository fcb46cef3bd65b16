//! Syncing on request and the stale-data check.

use super::{App, Result};
use crate::portal::run::RunMode;
use crate::store::RunTrigger;
use crate::sync::StaleAccount;

impl App {
    /// Starts syncing one account, or every enabled one that is not paused, and returns at once
    /// with the ids started; progress arrives as engine events. An account already syncing is
    /// joined, not started twice.
    pub async fn sync_now(&self, account_id: Option<i64>, mode: RunMode) -> Result<Vec<i64>> {
        let ids = match account_id {
            Some(id) => vec![self.engine.account(id).await?.id],
            None => {
                let rows = self.read(|store| store.schedule_rows()).await?;
                rows.into_iter().filter(|row| row.enabled && !row.paused).map(|row| row.id).collect()
            }
        };
        for &id in &ids {
            // The run goes on by itself; callers follow it through the engine's events.
            drop(self.engine.sync(id, RunTrigger::Manual, mode));
        }
        Ok(ids)
    }

    /// Raises `stale_data` for accounts without fresh data (once per stale spell) and returns
    /// them. The limit is `hours`, or the one in Settings.
    pub async fn check_stale(&self, hours: Option<u32>) -> Result<Vec<StaleAccount>> {
        Ok(self.engine.check_stale(hours).await?)
    }
}

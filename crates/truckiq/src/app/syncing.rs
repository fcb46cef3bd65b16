//! Syncing on request and the stale-data check.

use super::{AccountInput, App, AppError, Result};
use crate::portal::run::RunMode;
use crate::store::{RunTrigger, ScheduleRow};
use crate::sync::StaleAccount;

impl App {
    /// The accounts a sync on request covers: the one named (ignoring case), or every enabled
    /// one. A paused account is included: its run ends at once, saying a person must act.
    pub async fn accounts_to_sync(&self, name: Option<&str>) -> Result<Vec<ScheduleRow>> {
        let rows = self.read(|store| store.schedule_rows()).await?;
        match name.map(str::trim) {
            None => Ok(rows.into_iter().filter(|row| row.enabled).collect()),
            Some(name) => {
                rows.into_iter().find(|row| row.name.eq_ignore_ascii_case(name)).map(|row| vec![row]).ok_or_else(|| {
                    AppError::not_found(format!("no account named {name:?}; `truckiq accounts list` shows them"))
                })
            }
        }
    }

    /// The account's next sync reads every truck, also those its portal marks unchanged.
    pub async fn request_full_read(&self, account_id: i64) -> Result<()> {
        let account_id = self.engine.account(account_id).await?.id;
        self.write(move |store| store.request_full_read(account_id).map(|_| ())).await
    }

    /// Adds an account and starts its first sync at once, so the person sees the fleet without
    /// pressing Sync now; returns its id. Progress arrives as engine events.
    pub async fn add_account_and_sync(&self, input: AccountInput, mode: RunMode) -> Result<i64> {
        let id = self.add_account(input).await?;
        self.sync_now(Some(id), mode).await?;
        Ok(id)
    }

    /// Starts syncing one account, or every enabled one that is not paused, and returns at once
    /// with the ids started; progress arrives as engine events. An account already syncing is
    /// joined, not started twice.
    pub async fn sync_now(&self, account_id: Option<i64>, mode: RunMode) -> Result<Vec<i64>> {
        let ids = match account_id {
            Some(id) => vec![self.engine.account(id).await?.id],
            // The window says which accounts are paused; "Sync all" leaves them be.
            None => {
                self.accounts_to_sync(None).await?.into_iter().filter(|row| !row.paused).map(|row| row.id).collect()
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

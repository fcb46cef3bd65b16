//! The commands the UI may call. Each is declared in `build.rs` and granted in
//! `capabilities/default.json`; anything not listed there is refused by Tauri.

use tauri::State;
use truckiq::portal::run::{MFA_WAIT, RunMode};
use truckiq::store::{AccountSummary, Alert, RunTrigger};

use crate::error::IpcError;
use crate::state::{AppInfo, AppState};

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    state.info().clone()
}

#[tauri::command]
pub async fn list_accounts(state: State<'_, AppState>) -> Result<Vec<AccountSummary>, IpcError> {
    state.with_store(|store| Ok(store.list_accounts()?)).await
}

/// Starts a sync of one account, or of every enabled account not paused, and returns at once with
/// the ids started; progress arrives as `sync-progress` events. An account already syncing is
/// joined, not started twice. A person is at the window, so a code only they can enter opens a
/// visible browser window for them.
#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>, account_id: Option<i64>) -> Result<Vec<i64>, IpcError> {
    let engine = state.engine()?.clone();
    let ids = match account_id {
        Some(id) => vec![id],
        None => {
            let rows = engine.db(|store| store.schedule_rows()).await?;
            rows.into_iter().filter(|row| row.enabled && !row.paused).map(|row| row.id).collect()
        }
    };
    for &id in &ids {
        drop(engine.sync(id, RunTrigger::Manual, RunMode::Interactive { mfa_wait: MFA_WAIT }));
    }
    Ok(ids)
}

/// Alerts, unread first, newest first.
#[tauri::command]
pub async fn list_alerts(state: State<'_, AppState>, limit: Option<u32>) -> Result<Vec<Alert>, IpcError> {
    let limit = limit.unwrap_or(500).min(5_000);
    state.with_store(move |store| Ok(store.alerts(limit)?)).await
}

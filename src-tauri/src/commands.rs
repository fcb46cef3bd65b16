//! The commands the UI may call. Each is declared in `build.rs` and granted in
//! `capabilities/default.json`; anything not listed there is refused by Tauri.

use tauri::State;
use truckiq::store::AccountSummary;

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

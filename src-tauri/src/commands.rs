//! The commands the UI may call. Each is declared in `build.rs` and granted in
//! `capabilities/default.json`; anything not listed there is refused by Tauri.

use tauri::State;
use truckiq::demo::DemoPortal;
use truckiq::portal::run::{MFA_WAIT, RunMode};
use truckiq::store::{AccountSummary, Alert, RunTrigger, VehicleDetail, VehicleListItem};

use crate::error::{ErrorCode, IpcError};
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

/// Every truck with its health and active fault counts, least healthy first.
#[tauri::command]
pub async fn list_vehicles(state: State<'_, AppState>) -> Result<Vec<VehicleListItem>, IpcError> {
    state.with_store(|store| Ok(store.list_vehicles()?)).await
}

/// One truck with its faults (active first, then history), health reasons and meter history.
#[tauri::command]
pub async fn vehicle_detail(state: State<'_, AppState>, vehicle_id: i64) -> Result<VehicleDetail, IpcError> {
    state
        .with_store(move |store| {
            store.vehicle_detail(vehicle_id)?.ok_or_else(|| {
                IpcError::new(ErrorCode::NotFound, format!("vehicle {vehicle_id} is no longer in the database"))
            })
        })
        .await
}

/// Trucks in the demo fleet.
pub const DEMO_VEHICLES: usize = 60;
/// The demo portal's clock moves an hour this often, so faults come and go while the app runs.
pub const DEMO_TICK: std::time::Duration = std::time::Duration::from_secs(120);

/// Starts the demo portal (or keeps the running one), points the demo account at it and syncs it.
/// Returns the demo account's id; progress arrives as `sync-progress` events.
#[tauri::command]
pub async fn start_demo(state: State<'_, AppState>) -> Result<i64, IpcError> {
    let engine = state.engine()?.clone();
    let mut demo = state.demo.lock().await;
    if demo.is_none() {
        let portal = DemoPortal::start(DEMO_VEHICLES, Some(DEMO_TICK))
            .await
            .map_err(|e| IpcError::new(ErrorCode::Internal, format!("the demo portal could not start: {e}")))?;
        *demo = Some(portal);
    }
    let portal = demo.as_ref().ok_or_else(|| IpcError::new(ErrorCode::Internal, "the demo portal stopped"))?;
    let account_id = portal.attach(&engine, true).await?;
    drop(engine.sync(account_id, RunTrigger::Manual, RunMode::Interactive { mfa_wait: MFA_WAIT }));
    Ok(account_id)
}

//! The commands the UI may call. Each is declared in `build.rs` and granted in
//! `capabilities/default.json`; anything not listed there is refused by Tauri.

use serde::Deserialize;
use tauri::State;
use truckiq::demo::DemoPortal;
use truckiq::portal::run::{MFA_WAIT, RunMode};
use truckiq::store::{
    AccountSummary, Alert, AlertAction, FaultFilter, FaultPage, RunTrigger, VehicleDetail, VehicleListItem,
};
use truckiq::sync::alerts::{MutedCode, NOTIFICATION_PREFS_KEY, NotificationPrefs};
use truckiq::sync::{SYNC_SETTINGS_KEY, SyncSettings};
use ts_rs::TS;

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
    start_syncs(&state, account_id).await
}

/// "Sync now" from the window or the tray.
pub async fn start_syncs(state: &AppState, account_id: Option<i64>) -> Result<Vec<i64>, IpcError> {
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

/// The fleet at a glance for the Fleet view.
#[tauri::command]
pub async fn fleet_summary(state: State<'_, AppState>) -> Result<truckiq::store::FleetSummary, IpcError> {
    state.with_store(|store| Ok(store.fleet_summary(8)?)).await
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

/// What the Alerts view can do with alerts.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum AlertActionRequest {
    Read,
    Acknowledge,
    /// Back as unread after this many hours (1 to 720).
    Snooze {
        hours: u32,
    },
}

#[tauri::command]
pub async fn act_on_alerts(
    state: State<'_, AppState>,
    alert_ids: Vec<i64>,
    action: AlertActionRequest,
) -> Result<usize, IpcError> {
    let now = chrono::Utc::now();
    let action = match action {
        AlertActionRequest::Read => AlertAction::Read,
        AlertActionRequest::Acknowledge => AlertAction::Acknowledge,
        AlertActionRequest::Snooze { hours } if (1..=720).contains(&hours) => {
            AlertAction::SnoozeUntil(now + chrono::Duration::hours(i64::from(hours)))
        }
        AlertActionRequest::Snooze { hours } => {
            return Err(IpcError::new(ErrorCode::InvalidInput, format!("snooze for 1 to 720 hours, not {hours}")));
        }
    };
    state.with_store(move |store| Ok(store.act_on_alerts(&alert_ids, action, now)?)).await
}

/// What a mute silences: the alert's fault code on every truck, or everything about its truck.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MuteScope {
    Code,
    Vehicle,
}

/// Stops desktop notifications like this alert's (alerts are still kept); returns the new preferences.
#[tauri::command]
pub async fn mute_alert(
    state: State<'_, AppState>,
    alert_id: i64,
    scope: MuteScope,
) -> Result<NotificationPrefs, IpcError> {
    state
        .with_store(move |store| {
            let alert = store
                .alert(alert_id)?
                .ok_or_else(|| IpcError::new(ErrorCode::NotFound, format!("alert {alert_id} is gone")))?;
            let mut prefs: NotificationPrefs = store.setting(NOTIFICATION_PREFS_KEY)?;
            match scope {
                MuteScope::Code => {
                    let (spn, fmi) = store.alert_fault_code(alert_id)?.ok_or_else(|| {
                        IpcError::new(ErrorCode::InvalidInput, "this alert is not about a fault code")
                    })?;
                    let code = MutedCode { spn, fmi };
                    if !prefs.muted_codes.contains(&code) {
                        prefs.muted_codes.push(code);
                    }
                }
                MuteScope::Vehicle => {
                    let vehicle = alert
                        .vehicle_id
                        .ok_or_else(|| IpcError::new(ErrorCode::InvalidInput, "this alert is not about a truck"))?;
                    if !prefs.muted_vehicles.contains(&vehicle) {
                        prefs.muted_vehicles.push(vehicle);
                    }
                }
            }
            store.set_setting(NOTIFICATION_PREFS_KEY, &prefs)?;
            Ok(prefs)
        })
        .await
}

#[tauri::command]
pub async fn notification_prefs(state: State<'_, AppState>) -> Result<NotificationPrefs, IpcError> {
    state.with_store(|store| Ok(store.setting(NOTIFICATION_PREFS_KEY)?)).await
}

#[tauri::command]
pub async fn set_notification_prefs(state: State<'_, AppState>, prefs: NotificationPrefs) -> Result<(), IpcError> {
    let valid = |q: &truckiq::sync::alerts::QuietHours| q.start_minute < 1440 && q.end_minute < 1440;
    if !prefs.quiet_hours.as_ref().is_none_or(valid) {
        return Err(IpcError::new(ErrorCode::InvalidInput, "quiet hours must be times of day (00:00 to 23:59)"));
    }
    state.with_store(move |store| Ok(store.set_setting(NOTIFICATION_PREFS_KEY, &prefs)?)).await
}

/// Fault episodes across the fleet matching `filter`, worst and newest first: a page of at most
/// `limit` (up to 5 000) with the full count.
#[tauri::command]
pub async fn list_faults(
    state: State<'_, AppState>,
    filter: FaultFilter,
    limit: Option<u32>,
) -> Result<FaultPage, IpcError> {
    let limit = limit.unwrap_or(1_000).min(5_000);
    state.with_store(move |store| Ok(store.list_faults(&filter, limit)?)).await
}

/// Writes every episode matching `filter` to a CSV file in the Downloads folder; returns its path.
#[tauri::command]
pub async fn export_faults_csv(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    filter: FaultFilter,
) -> Result<String, IpcError> {
    use tauri::Manager as _;
    let folder = app
        .path()
        .download_dir()
        .or_else(|_| app.path().home_dir())
        .map_err(|e| IpcError::new(ErrorCode::Internal, format!("no folder to save the CSV in: {e}")))?;
    let path = folder.join(format!("truckiq-faults-{}.csv", chrono::Local::now().format("%Y%m%d-%H%M%S")));
    let target = path.clone();
    state
        .with_store(move |store| {
            std::fs::create_dir_all(&folder)
                .map_err(|e| IpcError::new(ErrorCode::Internal, format!("cannot create {}: {e}", folder.display())))?;
            let file = std::fs::File::create(&target)
                .map_err(|e| IpcError::new(ErrorCode::Internal, format!("cannot write {}: {e}", target.display())))?;
            store.export_faults_csv(&filter, std::io::BufWriter::new(file))?;
            Ok(())
        })
        .await?;
    Ok(path.display().to_string())
}

#[tauri::command]
pub async fn sync_settings(state: State<'_, AppState>) -> Result<SyncSettings, IpcError> {
    state.with_store(|store| Ok(store.setting(SYNC_SETTINGS_KEY)?)).await
}

/// Saves the sync preferences; they apply from the next run.
#[tauri::command]
pub async fn set_sync_settings(state: State<'_, AppState>, settings: SyncSettings) -> Result<(), IpcError> {
    settings.check().map_err(|message| IpcError::new(ErrorCode::InvalidInput, message))?;
    state.with_store(move |store| Ok(store.set_setting(SYNC_SETTINGS_KEY, &settings)?)).await
}

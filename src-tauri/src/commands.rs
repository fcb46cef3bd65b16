//! The commands the window may call: each adapts one use case of `truckiq::app::App` to IPC.
//! They are listed once, in `command_names.rs`; anything not listed is refused by Tauri.

use tauri::{AppHandle, State};
use truckiq::app::{
    AccountInput, AlertActionRequest, ApiLoginInput, ChannelAdded, ChannelInput, ChannelRef, Delivery, DemoOptions,
    ErrorCode, Exported, LayoutCheck, MuteScope, PendingApiLogin, SecretsSet, TestAnswer,
};
use truckiq::portal::run::{MFA_WAIT, RunMode};
use truckiq::store::{
    AccountSummary, Alert, Channel, ChannelRules, FaultFilter, FaultPage, FaultQuery, FaultSource, FleetSummary,
    RunSummary, TrendPoint, VehicleDetail, VehiclePage, VehicleQuery,
};
use truckiq::sync::SyncSettings;
use truckiq::sync::alerts::NotificationPrefs;

use crate::error::{IpcError, Result};
use crate::events::{RunningSyncs, SyncProgress};
use crate::save_dialog;
use crate::state::{AppInfo, AppState};

/// A person is at the window, so a code only they can enter opens a visible browser for them.
const INTERACTIVE: RunMode = RunMode::Interactive { mfa_wait: MFA_WAIT };

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    state.info().clone()
}

#[tauri::command]
pub async fn list_accounts(state: State<'_, AppState>) -> Result<Vec<AccountSummary>> {
    Ok(state.app()?.list_accounts().await?)
}

/// Adds (`account_id` `None`) or changes an account; returns its id.
#[tauri::command]
pub async fn save_account(
    handle: AppHandle,
    state: State<'_, AppState>,
    account_id: Option<i64>,
    input: AccountInput,
) -> Result<i64> {
    let app = state.app()?;
    match account_id {
        // A new account syncs at once: the person came to see its trucks.
        None => {
            let id = app.add_account_and_sync(input, INTERACTIVE).await?;
            if app.own_account_count().await? == 1 {
                crate::startup::turn_on_for_first_account(&handle);
            }
            Ok(id)
        }
        Some(id) => Ok(app.update_account(id, input).await.map(|()| id)?),
    }
}

/// Opens Decisiv's sign-in page in a browser window for the person to authorize TruckIQ; resolves
/// once they have, with the SRM accounts to choose from. Nothing is saved yet.
#[tauri::command]
pub async fn authorize_api_login(state: State<'_, AppState>, input: ApiLoginInput) -> Result<PendingApiLogin> {
    let app = state.app()?;
    let window = app.sign_in_window().await?;
    Ok(app.authorize_api_login(input, &window).await?)
}

/// Adds one account per chosen SRM account of a waiting authorization; returns their ids.
#[tauri::command]
pub async fn finish_api_login(
    state: State<'_, AppState>,
    pending_id: String,
    srm_account_ids: Vec<String>,
) -> Result<Vec<i64>> {
    let app = state.app()?;
    let added = app.finish_api_login(&pending_id, srm_account_ids).await?;
    let ids: Vec<i64> = added.accounts.into_iter().map(|(id, _)| id).collect();
    // Synced at once, as a new portal login is.
    for &id in &ids {
        app.sync_now(Some(id), INTERACTIVE).await?;
    }
    Ok(ids)
}

#[tauri::command]
pub async fn cancel_api_login(state: State<'_, AppState>, pending_id: String) -> Result<()> {
    Ok(state.app()?.cancel_api_login(&pending_id).await?)
}

/// Opens Decisiv's sign-in page again for an API account whose authorization was refused; every
/// account of that authorization resumes.
#[tauri::command]
pub async fn reauthorize_api(state: State<'_, AppState>, account_id: i64) -> Result<()> {
    let app = state.app()?;
    let window = app.sign_in_window().await?;
    Ok(app.reauthorize_api(account_id, &window).await?)
}

#[tauri::command]
pub async fn account_secrets(state: State<'_, AppState>, account_id: i64) -> Result<SecretsSet> {
    Ok(state.app()?.account_secrets(account_id).await?)
}

/// Pauses (`false`) or resumes (`true`) scheduled syncing.
#[tauri::command]
pub async fn set_account_enabled(state: State<'_, AppState>, account_id: i64, enabled: bool) -> Result<()> {
    Ok(state.app()?.set_account_enabled(account_id, enabled).await?)
}

#[tauri::command]
pub async fn remove_account(state: State<'_, AppState>, account_id: i64) -> Result<()> {
    Ok(state.app()?.remove_account(account_id).await?)
}

#[tauri::command]
pub async fn test_sign_in(state: State<'_, AppState>, account_id: i64) -> Result<String> {
    Ok(state.app()?.test_sign_in(account_id).await?)
}

/// Signs in and shows what the account's portal profile finds on a few pages; writes nothing.
#[tauri::command]
pub async fn check_layout(state: State<'_, AppState>, account_id: i64) -> Result<LayoutCheck> {
    Ok(state.app()?.check_layout(account_id).await?)
}

/// Opens the folder where portal profile overrides go (made if missing); returns its path.
#[tauri::command]
pub async fn open_profiles_folder(app: AppHandle, state: State<'_, AppState>) -> Result<String> {
    let folder = state.app()?.ensure_profiles_folder().await?;
    open_folder(&app, &folder)
}

/// Whether TruckIQ starts, hidden in the tray, when the person logs in.
#[tauri::command]
pub fn autostart(handle: AppHandle) -> Result<bool> {
    crate::startup::enabled(&handle)
}

#[tauri::command]
pub fn set_autostart(handle: AppHandle, enabled: bool) -> Result<bool> {
    crate::startup::set(&handle, enabled)?;
    crate::startup::enabled(&handle)
}

/// Opens the folder of log files in the file manager; returns its path.
#[tauri::command]
pub async fn open_log_folder(app: AppHandle) -> Result<String> {
    let folder = truckiq::paths::log_dir()
        .ok_or_else(|| IpcError::new(ErrorCode::Internal, "this system has no home folder for log files"))?;
    std::fs::create_dir_all(&folder).map_err(|e| {
        IpcError::new(ErrorCode::Internal, format!("cannot make the log folder {}: {e}", folder.display()))
    })?;
    open_folder(&app, &folder)
}

/// Opens `folder` in the file manager; returns it as shown to the person.
fn open_folder(app: &AppHandle, folder: &std::path::Path) -> Result<String> {
    use tauri_plugin_opener::OpenerExt as _;
    let shown = folder.display().to_string();
    app.opener()
        .open_path(&shown, None::<&str>)
        .map_err(|e| IpcError::new(ErrorCode::Internal, format!("cannot open {shown} in the file manager: {e}")))?;
    Ok(shown)
}

/// What to paste into a request for help: version, system, browser, keychain, last runs. No secrets.
#[tauri::command]
pub async fn diagnostics(state: State<'_, AppState>) -> Result<String> {
    Ok(state.app()?.diagnostics().await?.to_text())
}

#[tauri::command]
pub async fn list_runs(state: State<'_, AppState>, account_id: i64, limit: Option<u32>) -> Result<Vec<RunSummary>> {
    Ok(state.app()?.list_runs(account_id, limit).await?)
}

#[tauri::command]
pub async fn run_screenshot(state: State<'_, AppState>, account_id: i64, run_id: i64) -> Result<String> {
    Ok(state.app()?.run_screenshot(account_id, run_id).await?)
}

/// Starts syncing one account, or every enabled one not paused; returns at once with the ids
/// started. Progress arrives as `sync-progress` events.
#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>, account_id: Option<i64>) -> Result<Vec<i64>> {
    Ok(state.app()?.sync_now(account_id, INTERACTIVE).await?)
}

/// The syncs going on now, each at its latest step: a window that opens mid-run starts from these.
#[tauri::command]
pub fn sync_progress(running: State<'_, RunningSyncs>) -> Vec<SyncProgress> {
    running.snapshot()
}

#[tauri::command]
pub async fn list_alerts(state: State<'_, AppState>, limit: Option<u32>) -> Result<Vec<Alert>> {
    Ok(state.app()?.list_alerts(limit).await?)
}

#[tauri::command]
pub async fn act_on_alerts(
    app: AppHandle,
    state: State<'_, AppState>,
    alert_ids: Vec<i64>,
    action: AlertActionRequest,
) -> Result<usize> {
    let changed = state.app()?.act_on_alerts(alert_ids, action).await?;
    crate::tray::refresh(&app).await;
    Ok(changed)
}

#[tauri::command]
pub async fn mute_alert(state: State<'_, AppState>, alert_id: i64, scope: MuteScope) -> Result<NotificationPrefs> {
    Ok(state.app()?.mute_alert(alert_id, scope).await?)
}

#[tauri::command]
pub async fn notification_prefs(state: State<'_, AppState>) -> Result<NotificationPrefs> {
    Ok(state.app()?.notification_prefs().await?)
}

#[tauri::command]
pub async fn set_notification_prefs(state: State<'_, AppState>, prefs: NotificationPrefs) -> Result<()> {
    Ok(state.app()?.set_notification_prefs(prefs).await?)
}

#[tauri::command]
pub async fn sync_settings(state: State<'_, AppState>) -> Result<SyncSettings> {
    Ok(state.app()?.sync_settings().await?)
}

/// `proxy_password` is `None` to keep the saved one; it goes only to the keychain.
#[tauri::command]
pub async fn set_sync_settings(
    state: State<'_, AppState>,
    settings: SyncSettings,
    proxy_password: Option<String>,
) -> Result<()> {
    let proxy_password = proxy_password.map(truckiq::secrets::Sensitive::new);
    Ok(state.app()?.set_sync_settings(settings, proxy_password).await?)
}

#[tauri::command]
pub async fn list_vehicles(state: State<'_, AppState>, query: VehicleQuery) -> Result<VehiclePage> {
    Ok(state.app()?.list_vehicles(query).await?)
}

#[tauri::command]
pub async fn fleet_summary(state: State<'_, AppState>) -> Result<FleetSummary> {
    Ok(state.app()?.fleet_summary(8).await?)
}

#[tauri::command]
pub async fn list_faults(state: State<'_, AppState>, query: FaultQuery) -> Result<FaultPage> {
    Ok(state.app()?.list_faults(query).await?)
}

#[tauri::command]
pub async fn fault_trend(state: State<'_, AppState>, days: u32) -> Result<Vec<TrendPoint>> {
    Ok(state.app()?.fault_trend(days).await?)
}

#[tauri::command]
pub async fn fault_sources(state: State<'_, AppState>) -> Result<Vec<FaultSource>> {
    Ok(state.app()?.fault_sources().await?)
}

/// Asks where to save every episode matching `filter`, then writes them there; `None` when the
/// person cancelled the dialog.
#[tauri::command]
pub async fn export_faults_csv(
    app: AppHandle,
    state: State<'_, AppState>,
    filter: FaultFilter,
) -> Result<Option<Exported>> {
    let core = state.app()?;
    save_dialog::export(&app, "faults", |path| core.export_faults_csv(filter, path)).await
}

/// Asks where to save every truck `query` matches (its window ignored), then writes them there.
#[tauri::command]
pub async fn export_vehicles_csv(
    app: AppHandle,
    state: State<'_, AppState>,
    query: VehicleQuery,
) -> Result<Option<Exported>> {
    let core = state.app()?;
    save_dialog::export(&app, "vehicles", |path| core.export_vehicles_csv(query, path)).await
}

/// Shows the file the last export wrote in the file manager; returns its path.
#[tauri::command]
pub fn show_export_in_folder(app: AppHandle) -> Result<String> {
    save_dialog::show_last(&app)
}

#[tauri::command]
pub async fn vehicle_detail(state: State<'_, AppState>, vehicle_id: i64) -> Result<VehicleDetail> {
    Ok(state.app()?.vehicle_detail(vehicle_id).await?)
}

/// Starts the demo portals (or keeps the running ones), points the demo accounts at them and syncs
/// them; returns the first demo account's id. Progress arrives as `sync-progress` events.
#[tauri::command]
pub async fn start_demo(state: State<'_, AppState>) -> Result<i64> {
    let app = state.app()?;
    let demo = app.start_demo(DemoOptions::APP).await?;
    for &account_id in &demo.account_ids {
        app.sync_now(Some(account_id), INTERACTIVE).await?;
    }
    Ok(demo.account_id)
}

#[tauri::command]
pub async fn list_channels(state: State<'_, AppState>) -> Result<Vec<Channel>> {
    Ok(state.app()?.channels().await?)
}

/// Adds an alert channel; its URL and secrets go to the keychain. A webhook's signing secret comes
/// back once, to show.
#[tauri::command]
pub async fn add_channel(state: State<'_, AppState>, input: ChannelInput) -> Result<ChannelAdded> {
    Ok(state.app()?.add_channel(input).await?)
}

/// Changes which alerts a channel is sent, or pauses and resumes it.
#[tauri::command]
pub async fn update_channel(
    state: State<'_, AppState>,
    channel_id: i64,
    rules: ChannelRules,
    enabled: bool,
) -> Result<Channel> {
    Ok(state.app()?.update_channel(ChannelRef::Id(channel_id), Some(rules), Some(enabled)).await?)
}

#[tauri::command]
pub async fn remove_channel(state: State<'_, AppState>, channel_id: i64) -> Result<()> {
    state.app()?.remove_channel(ChannelRef::Id(channel_id)).await?;
    Ok(())
}

/// Sends a test message now; says what the channel answered.
#[tauri::command]
pub async fn test_channel(state: State<'_, AppState>, channel_id: i64) -> Result<TestAnswer> {
    Ok(state.app()?.test_channel(ChannelRef::Id(channel_id)).await?)
}

/// The channel's delivery log: its latest messages, each with its attempts.
#[tauri::command]
pub async fn channel_deliveries(state: State<'_, AppState>, channel_id: i64) -> Result<Vec<Delivery>> {
    Ok(state.app()?.channel_deliveries(ChannelRef::Id(channel_id), 50).await?)
}

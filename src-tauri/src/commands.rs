//! The commands the UI may call. Each is declared in `build.rs` and granted in
//! `capabilities/default.json`; anything not listed there is refused by Tauri.

use serde::{Deserialize, Serialize};
use tauri::State;
use truckiq::demo::DemoPortal;
use truckiq::portal::login::SignIn;
use truckiq::portal::run::{MFA_WAIT, RunMode};
use truckiq::secrets::{SecretError, SecretKind, Sensitive, TotpSecret};
use truckiq::store::{
    AccountSummary, Alert, AlertAction, FaultFilter, FaultPage, NewAccount, PortalKind, RunTrigger, VehicleDetail,
    VehiclePage, VehicleQuery,
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

/// The syncs going on now, each at its latest step: a window that opens mid-run starts from these.
#[tauri::command]
pub fn sync_progress(running: State<'_, crate::background::RunningSyncs>) -> Vec<crate::background::SyncProgress> {
    running.snapshot()
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

/// The window of trucks the Vehicles table shows, filtered and sorted, with the match count.
#[tauri::command]
pub async fn list_vehicles(state: State<'_, AppState>, query: VehicleQuery) -> Result<VehiclePage, IpcError> {
    state.with_store(move |store| Ok(store.list_vehicles(&query)?)).await
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

/// An account as the form sends it. Secrets travel only this way, into the keychain: `password`
/// `None` keeps the saved one; `totp_secret` `None` keeps it, `Some("")` removes it.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountInput {
    pub name: String,
    pub portal_kind: PortalKind,
    pub base_url: String,
    pub username: String,
    pub sync_interval_minutes: u32,
    pub password: Option<String>,
    pub totp_secret: Option<String>,
}

/// Which secrets an account has, without the secrets themselves.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SecretsSet {
    pub password: bool,
    pub totp: bool,
}

fn keychain_error(error: SecretError) -> IpcError {
    IpcError::new(ErrorCode::Internal, error.to_string())
}

/// Adds (`account_id` `None`) or changes an account; returns its id.
#[tauri::command]
pub async fn save_account(
    state: State<'_, AppState>,
    account_id: Option<i64>,
    input: AccountInput,
) -> Result<i64, IpcError> {
    let engine = state.engine()?.clone();
    if input.portal_kind == PortalKind::DecisivApi {
        return Err(IpcError::new(
            ErrorCode::InvalidInput,
            "Decisiv API accounts cannot be synced by this version yet",
        ));
    }
    let password = input.password.as_deref().filter(|p| !p.is_empty()).map(Sensitive::from);
    if account_id.is_none() && password.is_none() {
        return Err(IpcError::new(ErrorCode::InvalidInput, "enter the portal password"));
    }
    // Checked before anything is written, so a typo in the secret leaves nothing half-saved.
    let totp = match input.totp_secret.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(text) => {
            Some(Some(TotpSecret::parse(text).map_err(|e| IpcError::new(ErrorCode::InvalidInput, e.to_string()))?))
        }
    };
    let account = NewAccount {
        name: input.name.clone(),
        portal_kind: input.portal_kind,
        base_url: input.base_url.trim().trim_end_matches('/').to_owned(),
        username: input.username.clone(),
        sync_interval_minutes: input.sync_interval_minutes,
    };
    let id = match account_id {
        None => engine.db(move |store| store.insert_account(&account)).await?,
        Some(id) => {
            if !engine.db(move |store| store.update_account(id, &account)).await? {
                return Err(IpcError::new(ErrorCode::NotFound, format!("account {id} was removed")));
            }
            id
        }
    };
    let secrets = engine.secrets().clone();
    let saved = tauri::async_runtime::spawn_blocking(move || -> Result<(), SecretError> {
        if let Some(password) = &password {
            secrets.set(id, SecretKind::Password, password)?;
        }
        match &totp {
            Some(Some(secret)) => secrets.set(id, SecretKind::TotpSecret, &Sensitive::from(secret.expose_base32()))?,
            Some(None) => secrets.delete(id, SecretKind::TotpSecret)?,
            None => {}
        }
        Ok(())
    })
    .await
    .map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))?;
    if let Err(error) = saved {
        if account_id.is_none() {
            // No account without its password.
            let _ = engine.db(move |store| store.delete_account(id)).await;
        }
        return Err(keychain_error(error));
    }
    // New credentials or a new address: forget the old session and lift a pause.
    engine.credentials_changed(id).await?;
    Ok(id)
}

#[tauri::command]
pub async fn account_secrets(state: State<'_, AppState>, account_id: i64) -> Result<SecretsSet, IpcError> {
    let secrets = state.engine()?.secrets().clone();
    tauri::async_runtime::spawn_blocking(move || -> Result<SecretsSet, SecretError> {
        Ok(SecretsSet {
            password: secrets.get_optional(account_id, SecretKind::Password)?.is_some(),
            totp: secrets.get_optional(account_id, SecretKind::TotpSecret)?.is_some(),
        })
    })
    .await
    .map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))?
    .map_err(keychain_error)
}

/// Pauses (`false`) or resumes (`true`) scheduled syncing.
#[tauri::command]
pub async fn set_account_enabled(state: State<'_, AppState>, account_id: i64, enabled: bool) -> Result<(), IpcError> {
    state.with_store(move |store| Ok(store.set_enabled(account_id, enabled)?)).await
}

/// Deletes an account with its data, keychain entries and browser profile.
#[tauri::command]
pub async fn remove_account(state: State<'_, AppState>, account_id: i64) -> Result<(), IpcError> {
    let engine = state.engine()?.clone();
    engine.cancel(account_id);
    let secrets = engine.secrets().clone();
    tauri::async_runtime::spawn_blocking(move || secrets.delete_account(account_id))
        .await
        .map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))?
        .map_err(keychain_error)?;
    engine.db(move |store| store.delete_account(account_id)).await?;
    let profile = engine.config().data_dir.join("browser").join(format!("account-{account_id}"));
    if profile.exists()
        && let Err(error) = std::fs::remove_dir_all(&profile)
    {
        tracing::warn!(%error, path = %profile.display(), "could not remove a browser profile");
    }
    Ok(())
}

/// Signs in once to check the credentials; says how it went in words a person can act on.
#[tauri::command]
pub async fn test_sign_in(state: State<'_, AppState>, account_id: i64) -> Result<String, IpcError> {
    let engine = state.engine()?.clone();
    match engine.test_sign_in(account_id).await {
        Ok(SignIn::Reused) => Ok("Signed in: the saved session is still valid.".into()),
        Ok(SignIn::SignedIn) => Ok("Signed in: the portal accepted the credentials.".into()),
        Err(error) => Err(IpcError::new(ErrorCode::InvalidInput, error.to_string())),
    }
}

/// An account's runs, newest first.
#[tauri::command]
pub async fn list_runs(
    state: State<'_, AppState>,
    account_id: i64,
    limit: Option<u32>,
) -> Result<Vec<truckiq::store::RunSummary>, IpcError> {
    let limit = limit.unwrap_or(20).min(500);
    state.with_store(move |store| Ok(store.runs(account_id, limit)?)).await
}

/// The screenshot kept when a run found a portal page changed, as a `data:` URL the window can
/// show under its CSP. Only files in the app's own artifacts folder are read.
#[tauri::command]
pub async fn run_screenshot(state: State<'_, AppState>, account_id: i64, run_id: i64) -> Result<String, IpcError> {
    use base64::Engine as _;
    let engine = state.engine()?.clone();
    let artifacts = engine.config().data_dir.join("artifacts");
    let runs = engine.db(move |store| store.runs(account_id, 500)).await?;
    let path = runs
        .into_iter()
        .find(|run| run.id == run_id)
        .and_then(|run| run.screenshot_path)
        .ok_or_else(|| IpcError::new(ErrorCode::NotFound, format!("run {run_id} kept no screenshot")))?;
    let path = std::path::PathBuf::from(path);
    let inside = path.canonicalize().ok().zip(artifacts.canonicalize().ok()).is_some_and(|(p, a)| p.starts_with(a));
    if !inside {
        return Err(IpcError::new(ErrorCode::NotFound, "the screenshot is not in TruckIQ's artifacts folder"));
    }
    let bytes = tokio::fs::read(&path).await.map_err(|e| {
        IpcError::new(ErrorCode::NotFound, format!("the screenshot {} cannot be read: {e}", path.display()))
    })?;
    Ok(format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes)))
}

//! Start at login: an entry in the desktop's autostart list (`~/.config/autostart/TruckIQ.desktop`
//! on Linux) that starts the app with `--hidden`, so scheduled syncs go on after a reboot with
//! nobody opening the window.

use tauri::AppHandle;
use tauri_plugin_autostart::ManagerExt as _;
use tauri_plugin_notification::NotificationExt as _;
use truckiq::app::ErrorCode;

use crate::error::{IpcError, Result};

pub fn enabled(handle: &AppHandle) -> Result<bool> {
    handle.autolaunch().is_enabled().map_err(|e| failed("read", &e))
}

pub fn set(handle: &AppHandle, on: bool) -> Result<()> {
    let manager = handle.autolaunch();
    let changed = if on { manager.enable() } else { manager.disable() };
    changed.map_err(|e| failed("change", &e))
}

fn failed(what: &str, error: &tauri_plugin_autostart::Error) -> IpcError {
    IpcError::new(ErrorCode::Internal, format!("cannot {what} the start-at-login entry: {error}"))
}

/// The first real account is when syncing starts to matter: start at login from now on, and say
/// so, with where to turn it off.
pub fn turn_on_for_first_account(handle: &AppHandle) {
    if matches!(enabled(handle), Ok(true)) {
        return;
    }
    if let Err(error) = set(handle, true) {
        tracing::warn!(message = %error.message, "start at login stays off");
        return;
    }
    tracing::info!("start at login turned on with the first account");
    let shown = handle
        .notification()
        .builder()
        .title("TruckIQ now starts when you log in")
        .body("It waits in the tray and keeps syncing your trucks. Turn this off in Settings.")
        .show();
    if let Err(error) = shown {
        tracing::warn!(%error, "could not show a desktop notification");
    }
}

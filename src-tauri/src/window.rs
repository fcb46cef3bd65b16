//! The main window, made when it is wanted and let go when it is closed. With a tray, TruckIQ spends
//! most of its life with no window: syncs, notifications and the tray run in this process alone, and
//! WebKit's web process (most of the app's memory) is gone until the window opens again.

use tauri::{AppHandle, Emitter as _, Manager as _, WebviewUrl, WebviewWindowBuilder};

use crate::events::NAVIGATE_EVENT;

const MAIN: &str = "main";

/// Brings the window to the front, making it if it was closed, on `route` ("#/vehicles/12") when given.
pub fn open(app: &AppHandle, route: Option<&str>) {
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
        if let Some(route) = route {
            let _ = app.emit(NAVIGATE_EVENT, route);
        }
        return;
    }
    // The window in tauri.conf.json, so a reopened one looks the same as the first.
    let Some(mut config) = app.config().app.windows.iter().find(|w| w.label == MAIN).cloned() else {
        tracing::error!("tauri.conf.json has no main window");
        return;
    };
    // A new page loads on the route itself: an event sent now would arrive before anyone listens.
    config.url = WebviewUrl::App(format!("index.html{}", route.unwrap_or_default()).into());
    match WebviewWindowBuilder::from_config(app, &config).map(|builder| builder.focused(true).build()) {
        Ok(Ok(_)) => tracing::info!(?route, "main window opened"),
        Ok(Err(error)) | Err(error) => tracing::error!(%error, "cannot open the main window"),
    }
}

//! The main window, made when it is wanted and let go when it is closed. With a tray, TruckIQ spends
//! most of its life with no window: syncs, notifications and the tray run in this process alone, and
//! WebKit's web process (most of the app's memory) is gone until the window opens again.

use tauri::{AppHandle, Emitter as _, Manager as _, WebviewUrl, WebviewWindowBuilder};

use crate::events::NAVIGATE_EVENT;
use crate::state::AppState;

const MAIN: &str = "main";

/// What is remembered of the window: where it was and how big, not whether it was showing (the app
/// decides that: hidden at login, shown from the menu).
fn remembered() -> tauri_plugin_window_state::StateFlags {
    tauri_plugin_window_state::StateFlags::all() - tauri_plugin_window_state::StateFlags::VISIBLE
}

pub fn state_plugin<R: tauri::Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_window_state::Builder::new().with_state_flags(remembered()).build()
}

/// Writes the window's place to disk when it closes. The plugin writes only when the app exits, and
/// with a tray TruckIQ rarely does: it runs until the session ends, so the place would be lost.
fn remember_when_closed(window: &tauri::WebviewWindow) {
    use tauri_plugin_window_state::AppHandleExt as _;
    let app = window.app_handle().clone();
    window.on_window_event(move |event| {
        if let tauri::WindowEvent::Destroyed = event
            && let Err(error) = app.save_window_state(remembered())
        {
            tracing::warn!(%error, "cannot save where the window was");
        }
    });
}

/// Opens the window on the truck a `truckiq://vehicle/{vin}` link names, or just brings it to the
/// front. A truck not in the database opens Vehicles searching for the VIN, which says so.
pub fn open_vehicle_or_front(app: &AppHandle, vin: Option<String>) {
    let Some(vin) = vin else {
        open(app, None);
        return;
    };
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let found = match app.state::<AppState>().app() {
            Ok(core) => core.vehicle_id_by_vin(&vin).await.unwrap_or_else(|error| {
                tracing::warn!(%error, "cannot look the linked truck up");
                None
            }),
            Err(_) => None,
        };
        let route = match found {
            Some(id) => format!("#/vehicles/{id}"),
            None => format!("#/vehicles?q={vin}"),
        };
        open(&app, Some(&route));
    });
}

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
    // Made hidden and shown only after the window-state plugin has asked for the remembered place:
    // the plugin restores from a task on the main thread, after `build` returns, so a window made
    // visible would first map at the default size and then jump (or, on a busy machine, be seen at
    // the default size). Tasks on the main thread and window requests both run in order, so a show
    // queued after the plugin's task maps the window once, where it was left.
    config.visible = false;
    match WebviewWindowBuilder::from_config(app, &config).map(|builder| builder.build()) {
        Ok(Ok(window)) => {
            remember_when_closed(&window);
            let shown = window.clone();
            let queued = window.run_on_main_thread(move || {
                let _ = shown.show();
                let _ = shown.set_focus();
            });
            if let Err(error) = queued {
                tracing::error!(%error, "cannot show the main window");
            }
            tracing::info!(?route, "main window opened");
        }
        Ok(Err(error)) | Err(error) => tracing::error!(%error, "cannot open the main window"),
    }
}

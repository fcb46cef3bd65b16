//! TruckIQ desktop shell: a thin Tauri layer over the `truckiq` core. Commands translate between
//! IPC and core calls; all logic lives in the core.

#[macro_use]
mod command_names;

mod background;
mod commands;
mod error;
mod events;
mod launch;
mod notifications;
mod save_dialog;
mod startup;
mod state;
mod tray;
mod window;

#[cfg(test)]
mod bindings;

use tauri::Manager as _;

pub use error::IpcError;
pub use events::{SyncProgress, SyncStep};
pub use state::AppInfo;

/// Every command the window may call (see `command_names.rs`).
pub const COMMANDS: &[&str] = with_commands!(command_names);

// The handlers, registered from the same list the permissions are declared from.
macro_rules! handlers {
    ($($command:ident),* $(,)?) => {
        tauri::generate_handler![$(commands::$command),*]
    };
}

pub fn run() {
    truckiq::logging::init("info", truckiq::logging::APP_LOG);
    let launch = launch::parse(std::env::args().skip(1));
    let app = tauri::Builder::default()
        // First, so a second launch (the menu, a truckiq:// link) hands over to the running app and exits.
        .plugin(tauri_plugin_single_instance::init(|app, args, _cwd| {
            let again = launch::parse(args.iter().skip(1));
            // Login starting a second copy must not pop the window up.
            if !again.hidden || again.vehicle_vin.is_some() {
                window::open_vehicle_or_front(app, again.vehicle_vin);
            }
        }))
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec![launch::HIDDEN]),
        ))
        .plugin(window::state_plugin())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| {
            match tray::install(app.handle()) {
                Ok(status) => {
                    app.manage(status);
                }
                Err(error) => tracing::warn!(%error, "no tray icon on this desktop; closing the window quits"),
            }
            app.manage(events::RunningSyncs::default());
            app.manage(save_dialog::LastExport::default());
            // The database opens before the window asks for anything; a failure is kept and
            // reported by every command so the window can explain it instead of the app vanishing.
            let state = state::AppState::open();
            if let Ok(core) = state.app() {
                background::start(app.handle(), core, &state.stop);
            }
            app.manage(state);
            exit_on_termination(app.handle());
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move { tray::refresh(&handle).await });
            // Started at login: the tray and the scheduler only, until someone opens the window.
            if launch.hidden {
                tracing::info!("started hidden in the tray");
            } else {
                window::open_vehicle_or_front(app.handle(), launch.vehicle_vin.clone());
            }
            Ok(())
        })
        .invoke_handler(with_commands!(handlers))
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|handle, event| match event {
            // The window closed (no exit code): with a tray, syncing and notifications go on.
            tauri::RunEvent::ExitRequested { code: None, api, .. } if tray::keep_running_without_window(handle) => {
                api.prevent_exit();
            }
            tauri::RunEvent::Exit => {
                // Runs in progress are cancelled and recorded as such; nothing half-written stays.
                let state = handle.state::<state::AppState>();
                state.stop.cancel();
                if let Ok(core) = state.app() {
                    core.engine().cancel_all();
                    // The demo portal lives in this process: keep `truckiq sync` away from its
                    // account until the app starts the portal again.
                    if let Err(error) = tauri::async_runtime::block_on(core.stop_demo()) {
                        tracing::warn!(%error, "could not set the demo account aside");
                    }
                }
            }
            _ => {}
        }),
        Err(error) => {
            tracing::error!(%error, "TruckIQ could not start");
            std::process::exit(1);
        }
    }
}

/// The session ending (logout, shutdown) sends SIGTERM: leave as Quit does, so runs in progress
/// are recorded as cancelled and the window's place is saved, instead of dying mid-write.
fn exit_on_termination(app: &tauri::AppHandle) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            let (mut term, mut int) = match (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) {
                (Ok(term), Ok(int)) => (term, int),
                (Err(error), _) | (_, Err(error)) => {
                    tracing::warn!(%error, "cannot listen for SIGTERM; a logout will not save the window's place");
                    return;
                }
            };
            tokio::select! {
                _ = term.recv() => tracing::info!("SIGTERM: quitting"),
                _ = int.recv() => tracing::info!("SIGINT: quitting"),
            }
            app.exit(0);
        });
    }
    #[cfg(not(unix))]
    let _ = app;
}

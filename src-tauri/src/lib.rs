//! TruckIQ desktop shell: a thin Tauri layer over the `truckiq` core. Commands translate between
//! IPC and core calls; all logic lives in the core.

mod commands;
mod error;
mod state;

#[cfg(test)]
mod bindings;

use tauri::Manager as _;

pub use error::{ErrorCode, IpcError};
pub use state::AppInfo;

pub fn run() {
    init_logging();
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .setup(|app| {
            // The database opens before the window asks for anything; a failure is kept and
            // reported by every command so the window can explain it instead of the app vanishing.
            app.manage(state::AppState::open());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![commands::app_info, commands::list_accounts])
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|_, _| {}),
        Err(error) => {
            tracing::error!(%error, "TruckIQ could not start");
            std::process::exit(1);
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

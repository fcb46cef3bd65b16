//! TruckIQ desktop shell: a thin Tauri layer over the `truckiq` core. Commands translate between
//! IPC and core calls; all logic lives in the core.

mod background;
pub(crate) mod commands;
mod error;
mod state;
mod tray;
mod window;

#[cfg(test)]
mod bindings;

use tauri::Manager as _;

pub use background::{SyncProgress, SyncStep};
pub use error::{ErrorCode, IpcError};
pub use state::AppInfo;

pub fn run() {
    init_logging();
    let app = tauri::Builder::default()
        // First, so a second launch hands over to the running app (which shows its window) and exits.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| window::open(app, None)))
        .plugin(tauri_plugin_notification::init())
        .setup(|app| {
            match tray::install(app.handle()) {
                Ok(status) => {
                    app.manage(status);
                }
                Err(error) => tracing::warn!(%error, "no tray icon on this desktop; closing the window quits"),
            }
            app.manage(background::RunningSyncs::default());
            // The database opens before the window asks for anything; a failure is kept and
            // reported by every command so the window can explain it instead of the app vanishing.
            let state = state::AppState::open();
            let running = state.engine().is_ok();
            if let Ok(engine) = state.engine() {
                background::start(app.handle(), engine, &state.stop);
            }
            app.manage(state);
            if running {
                // After `manage`: the task reads the state.
                background::revive_demo(app.handle().clone());
            }
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move { tray::refresh(&handle).await });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::list_accounts,
            commands::save_account,
            commands::account_secrets,
            commands::set_account_enabled,
            commands::remove_account,
            commands::test_sign_in,
            commands::list_runs,
            commands::run_screenshot,
            commands::sync_now,
            commands::sync_progress,
            commands::list_alerts,
            commands::act_on_alerts,
            commands::mute_alert,
            commands::notification_prefs,
            commands::set_notification_prefs,
            commands::sync_settings,
            commands::set_sync_settings,
            commands::list_vehicles,
            commands::fleet_summary,
            commands::list_faults,
            commands::export_faults_csv,
            commands::vehicle_detail,
            commands::start_demo
        ])
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|handle, event| match event {
            // The window closed (no exit code): with a tray, syncing and notifications go on.
            tauri::RunEvent::ExitRequested { code: None, api, .. } if window::keep_running_without_window(handle) => {
                api.prevent_exit();
            }
            tauri::RunEvent::Exit => {
                // Runs in progress are cancelled and recorded as such; nothing half-written stays.
                let state = handle.state::<state::AppState>();
                state.stop.cancel();
                if let Ok(engine) = state.engine() {
                    engine.cancel_all();
                    // The demo portal lives in this process: keep `truckiq sync` away from its
                    // account until the app starts the portal again.
                    tauri::async_runtime::block_on(async {
                        if let Ok(Some(id)) = truckiq::demo::demo_account(engine).await
                            && let Err(error) = engine.db(move |store| store.set_enabled(id, false)).await
                        {
                            tracing::warn!(%error, "could not set the demo account aside");
                        }
                    });
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

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("info,{}", truckiq::browser::QUIET_CDP_NOISE)));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

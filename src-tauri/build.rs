fn main() {
    // Declaring our commands makes Tauri generate an `allow-<command>` permission for each,
    // so the webview can call only what a capability file grants.
    let manifest = tauri_build::AppManifest::new().commands(&[
        "app_info",
        "list_accounts",
        "save_account",
        "account_secrets",
        "set_account_enabled",
        "remove_account",
        "test_sign_in",
        "list_runs",
        "run_screenshot",
        "sync_now",
        "sync_progress",
        "list_alerts",
        "act_on_alerts",
        "mute_alert",
        "notification_prefs",
        "set_notification_prefs",
        "sync_settings",
        "set_sync_settings",
        "list_vehicles",
        "fleet_summary",
        "list_faults",
        "export_faults_csv",
        "vehicle_detail",
        "start_demo",
    ]);
    if let Err(error) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)) {
        panic!("tauri build step failed: {error:#}");
    }
}

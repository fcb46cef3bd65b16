// Generated from src-tauri/src/command_names.rs and events.rs by the bindings test. Do not edit.

/** Every command the window may call. */
export const COMMANDS = [
  'app_info',
  'list_accounts',
  'save_account',
  'authorize_api_login',
  'finish_api_login',
  'cancel_api_login',
  'reauthorize_api',
  'account_secrets',
  'set_account_enabled',
  'remove_account',
  'test_sign_in',
  'check_layout',
  'open_profiles_folder',
  'autostart',
  'set_autostart',
  'open_log_folder',
  'diagnostics',
  'list_runs',
  'run_screenshot',
  'sync_now',
  'sync_progress',
  'list_alerts',
  'act_on_alerts',
  'mute_alert',
  'notification_prefs',
  'set_notification_prefs',
  'sync_settings',
  'set_sync_settings',
  'list_vehicles',
  'fleet_summary',
  'list_faults',
  'fault_sources',
  'fault_trend',
  'export_faults_csv',
  'export_vehicles_csv',
  'show_export_in_folder',
  'vehicle_detail',
  'start_demo',
  'list_channels',
  'add_channel',
  'update_channel',
  'remove_channel',
  'test_channel',
  'channel_deliveries',
] as const;

export type CommandName = (typeof COMMANDS)[number];

/** The events the app sends the window. */
export const EVENTS = {
  alert: 'alert',
  syncProgress: 'sync-progress',
  navigate: 'navigate',
} as const;

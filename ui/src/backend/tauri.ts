import { invoke, type InvokeArgs } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { AccountInput } from '../bindings/AccountInput';
import type { AccountSummary } from '../bindings/AccountSummary';
import type { ApiLoginInput } from '../bindings/ApiLoginInput';
import type { PendingApiLogin } from '../bindings/PendingApiLogin';
import type { LayoutCheck } from '../bindings/LayoutCheck';
import type { RunSummary } from '../bindings/RunSummary';
import type { SecretsSet } from '../bindings/SecretsSet';
import type { Alert } from '../bindings/Alert';
import type { AlertActionRequest } from '../bindings/AlertActionRequest';
import type { MuteScope } from '../bindings/MuteScope';
import type { NotificationPrefs } from '../bindings/NotificationPrefs';
import type { AppInfo } from '../bindings/AppInfo';
import type { FaultFilter } from '../bindings/FaultFilter';
import type { FaultPage } from '../bindings/FaultPage';
import type { FaultQuery } from '../bindings/FaultQuery';
import type { FaultSource } from '../bindings/FaultSource';
import type { TrendPoint } from '../bindings/TrendPoint';
import type { Exported } from '../bindings/Exported';
import type { FleetSummary } from '../bindings/FleetSummary';
import type { SyncProgress } from '../bindings/SyncProgress';
import type { SyncSettings } from '../bindings/SyncSettings';
import type { VehicleDetail } from '../bindings/VehicleDetail';
import type { VehiclePage } from '../bindings/VehiclePage';
import type { VehicleQuery } from '../bindings/VehicleQuery';
import type { Channel } from '../bindings/Channel';
import type { ChannelAdded } from '../bindings/ChannelAdded';
import type { ChannelInput } from '../bindings/ChannelInput';
import type { ChannelRules } from '../bindings/ChannelRules';
import type { Delivery } from '../bindings/Delivery';
import type { TestAnswer } from '../bindings/TestAnswer';
import { type CommandName, EVENTS } from '../bindings/commands';
import type { Backend, Unlisten } from './backend';
import { normaliseError, notInApp } from './errors';


/** The real backend: the Tauri commands in `src-tauri/src/commands.rs`, listed in `command_names.rs`. */
export class TauriBackend implements Backend {
  appInfo(): Promise<AppInfo> {
    return call<AppInfo>('app_info');
  }

  listAccounts(): Promise<AccountSummary[]> {
    return call<AccountSummary[]>('list_accounts');
  }

  saveAccount(accountId: number | null, input: AccountInput): Promise<number> {
    return call<number>('save_account', { accountId, input });
  }

  authorizeApiLogin(input: ApiLoginInput): Promise<PendingApiLogin> {
    return call<PendingApiLogin>('authorize_api_login', { input });
  }

  finishApiLogin(pendingId: string, srmAccountIds: string[]): Promise<number[]> {
    return call<number[]>('finish_api_login', { pendingId, srmAccountIds });
  }

  cancelApiLogin(pendingId: string): Promise<void> {
    return call<void>('cancel_api_login', { pendingId });
  }

  reauthorizeApi(accountId: number): Promise<void> {
    return call<void>('reauthorize_api', { accountId });
  }

  accountSecrets(accountId: number): Promise<SecretsSet> {
    return call<SecretsSet>('account_secrets', { accountId });
  }

  setAccountEnabled(accountId: number, enabled: boolean): Promise<void> {
    return call<void>('set_account_enabled', { accountId, enabled });
  }

  removeAccount(accountId: number): Promise<void> {
    return call<void>('remove_account', { accountId });
  }

  testSignIn(accountId: number): Promise<string> {
    return call<string>('test_sign_in', { accountId });
  }

  checkLayout(accountId: number): Promise<LayoutCheck> {
    return call<LayoutCheck>('check_layout', { accountId });
  }

  openProfilesFolder(): Promise<string> {
    return call<string>('open_profiles_folder');
  }

  autostart(): Promise<boolean> {
    return call<boolean>('autostart');
  }

  setAutostart(enabled: boolean): Promise<boolean> {
    return call<boolean>('set_autostart', { enabled });
  }

  openLogFolder(): Promise<string> {
    return call<string>('open_log_folder');
  }

  diagnostics(): Promise<string> {
    return call<string>('diagnostics');
  }

  listRuns(accountId: number): Promise<RunSummary[]> {
    return call<RunSummary[]>('list_runs', { accountId });
  }

  runScreenshot(accountId: number, runId: number): Promise<string> {
    return call<string>('run_screenshot', { accountId, runId });
  }

  listVehicles(query: VehicleQuery): Promise<VehiclePage> {
    return call<VehiclePage>('list_vehicles', { query });
  }

  listFaults(query: FaultQuery): Promise<FaultPage> {
    return call<FaultPage>('list_faults', { query });
  }

  faultSources(): Promise<FaultSource[]> {
    return call<FaultSource[]>('fault_sources');
  }

  faultTrend(days: number): Promise<TrendPoint[]> {
    return call<TrendPoint[]>('fault_trend', { days });
  }

  exportFaultsCsv(filter: FaultFilter): Promise<Exported | null> {
    return call<Exported | null>('export_faults_csv', { filter });
  }

  exportVehiclesCsv(query: VehicleQuery): Promise<Exported | null> {
    return call<Exported | null>('export_vehicles_csv', { query });
  }

  showExportInFolder(): Promise<string> {
    return call<string>('show_export_in_folder');
  }

  syncSettings(): Promise<SyncSettings> {
    return call<SyncSettings>('sync_settings');
  }

  setSyncSettings(settings: SyncSettings, proxyPassword: string | null): Promise<void> {
    return call<void>('set_sync_settings', { settings, proxyPassword });
  }

  notificationPrefs(): Promise<NotificationPrefs> {
    return call<NotificationPrefs>('notification_prefs');
  }

  setNotificationPrefs(prefs: NotificationPrefs): Promise<void> {
    return call<void>('set_notification_prefs', { prefs });
  }

  fleetSummary(): Promise<FleetSummary> {
    return call<FleetSummary>('fleet_summary');
  }

  vehicleDetail(vehicleId: number): Promise<VehicleDetail> {
    return call<VehicleDetail>('vehicle_detail', { vehicleId });
  }

  listAlerts(): Promise<Alert[]> {
    return call<Alert[]>('list_alerts');
  }

  actOnAlerts(alertIds: number[], action: AlertActionRequest): Promise<number> {
    return call<number>('act_on_alerts', { alertIds, action });
  }

  muteAlert(alertId: number, scope: MuteScope): Promise<NotificationPrefs> {
    return call<NotificationPrefs>('mute_alert', { alertId, scope });
  }

  syncNow(accountId: number | null): Promise<number[]> {
    return call<number[]>('sync_now', { accountId });
  }

  startDemo(): Promise<number> {
    return call<number>('start_demo');
  }

  syncProgress(): Promise<SyncProgress[]> {
    return call<SyncProgress[]>('sync_progress');
  }

  onSyncProgress(handler: (progress: SyncProgress) => void): Promise<Unlisten> {
    return subscribe<SyncProgress>(EVENTS.syncProgress, handler);
  }

  onAlert(handler: (alert: Alert) => void): Promise<Unlisten> {
    return subscribe<Alert>(EVENTS.alert, handler);
  }

  onNavigate(handler: (route: string) => void): Promise<Unlisten> {
    return subscribe<string>(EVENTS.navigate, handler);
  }

  listChannels(): Promise<Channel[]> {
    return call<Channel[]>('list_channels');
  }

  addChannel(input: ChannelInput): Promise<ChannelAdded> {
    return call<ChannelAdded>('add_channel', { input });
  }

  updateChannel(channelId: number, rules: ChannelRules, enabled: boolean): Promise<Channel> {
    return call<Channel>('update_channel', { channelId, rules, enabled });
  }

  removeChannel(channelId: number): Promise<void> {
    return call<void>('remove_channel', { channelId });
  }

  testChannel(channelId: number): Promise<TestAnswer> {
    return call<TestAnswer>('test_channel', { channelId });
  }

  channelDeliveries(channelId: number): Promise<Delivery[]> {
    return call<Delivery[]>('channel_deliveries', { channelId });
  }
}

/** Only the commands the app declares (`bindings/commands.ts`, generated from Rust) type-check. */
async function call<T>(command: CommandName, args?: InvokeArgs): Promise<T> {
  // Opened in a plain browser (e.g. `vite dev`) there is nobody to answer.
  if (!('__TAURI_INTERNALS__' in window)) throw notInApp();
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw normaliseError(error);
  }
}

async function subscribe<T>(event: string, handler: (payload: T) => void): Promise<Unlisten> {
  if (!('__TAURI_INTERNALS__' in window)) return () => {};
  try {
    return await listen<T>(event, (e) => handler(e.payload));
  } catch (error) {
    throw normaliseError(error);
  }
}

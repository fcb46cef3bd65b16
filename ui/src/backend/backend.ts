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

/** Stops listening to a backend event. */
export type Unlisten = () => void;

/**
 * Everything the UI asks of the Rust side, in one place. Components never call `invoke`
 * themselves: they get a `Backend` from context (see `context.tsx`), so the transport can be
 * swapped (Tauri IPC in the app, a fake in tests) without touching them.
 *
 * Every method rejects with an `IpcError` (`{code, message}`), never with anything else.
 */
export interface Backend {
  appInfo(): Promise<AppInfo>;
  listAccounts(): Promise<AccountSummary[]>;
  /** Adds (`accountId` null) or changes an account; resolves with its id. */
  saveAccount(accountId: number | null, input: AccountInput): Promise<number>;
  /**
   * Opens Decisiv's sign-in page in a browser window; resolves once the person has authorized
   * TruckIQ there, with the SRM accounts to choose from. Nothing is saved yet.
   */
  authorizeApiLogin(input: ApiLoginInput): Promise<PendingApiLogin>;
  /** Adds one account per chosen SRM account of a waiting authorization; resolves with their ids. */
  finishApiLogin(pendingId: string, srmAccountIds: string[]): Promise<number[]>;
  /** Drops a waiting authorization nobody chose accounts for. */
  cancelApiLogin(pendingId: string): Promise<void>;
  /** Signs in to Decisiv again for an API account whose authorization was refused. */
  reauthorizeApi(accountId: number): Promise<void>;
  accountSecrets(accountId: number): Promise<SecretsSet>;
  setAccountEnabled(accountId: number, enabled: boolean): Promise<void>;
  removeAccount(accountId: number): Promise<void>;
  /** Signs in once; resolves with what happened, rejects with why it failed. */
  testSignIn(accountId: number): Promise<string>;
  /** Signs in and reports what the account's portal profile finds on a few pages; saves nothing. */
  checkLayout(accountId: number): Promise<LayoutCheck>;
  /** Opens the folder portal profile overrides go in; resolves with its path. */
  openProfilesFolder(): Promise<string>;
  /** Whether TruckIQ starts, hidden in the tray, at login. */
  autostart(): Promise<boolean>;
  /** Resolves with the state now in effect. */
  setAutostart(enabled: boolean): Promise<boolean>;
  /** Opens the log files' folder; resolves with its path. */
  openLogFolder(): Promise<string>;
  /** Version, system, browser, keychain and last runs as plain text, without secrets. */
  diagnostics(): Promise<string>;
  listRuns(accountId: number): Promise<RunSummary[]>;
  /** A run's kept screenshot as a `data:` URL. */
  runScreenshot(accountId: number, runId: number): Promise<string>;
  /** One window of the trucks the query matches, filtered and sorted by the database. */
  listVehicles(query: VehicleQuery): Promise<VehiclePage>;
  fleetSummary(): Promise<FleetSummary>;
  syncSettings(): Promise<SyncSettings>;
  /** `proxyPassword` null keeps the saved one; it goes only to the keychain. */
  setSyncSettings(settings: SyncSettings, proxyPassword: string | null): Promise<void>;
  notificationPrefs(): Promise<NotificationPrefs>;
  setNotificationPrefs(prefs: NotificationPrefs): Promise<void>;
  /** One window of the fault episodes the query matches, filtered and sorted by the database. */
  listFaults(query: FaultQuery): Promise<FaultPage>;
  faultSources(): Promise<FaultSource[]>;
  /** Active faults per tier now and at this time on each of the `days` days before, oldest first. */
  faultTrend(days: number): Promise<TrendPoint[]>;
  /** Asks where to save the matching faults as CSV and writes them; `null` when the person cancelled. */
  exportFaultsCsv(filter: FaultFilter): Promise<Exported | null>;
  /** The same for every truck the query matches, in its order. */
  exportVehiclesCsv(query: VehicleQuery): Promise<Exported | null>;
  /** Shows the last exported file in the file manager; resolves with its path. */
  showExportInFolder(): Promise<string>;
  vehicleDetail(vehicleId: number): Promise<VehicleDetail>;
  listAlerts(): Promise<Alert[]>;
  actOnAlerts(alertIds: number[], action: AlertActionRequest): Promise<number>;
  muteAlert(alertId: number, scope: MuteScope): Promise<NotificationPrefs>;
  /** Starts syncing one account (or every enabled one); resolves at once with the ids started. */
  syncNow(accountId: number | null): Promise<number[]>;
  /** Starts the simulated demo portal, points the demo account at it and syncs it. */
  startDemo(): Promise<number>;
  /** The syncs going on now, each at its latest step (for a window opened mid-run). */
  syncProgress(): Promise<SyncProgress[]>;
  onSyncProgress(handler: (progress: SyncProgress) => void): Promise<Unlisten>;
  onAlert(handler: (alert: Alert) => void): Promise<Unlisten>;
  /** The app asks the window to show a route, e.g. after a click on a notification. */
  onNavigate(handler: (route: string) => void): Promise<Unlisten>;
  listChannels(): Promise<Channel[]>;
  /** Adds an alert channel (its URL and secrets go to the keychain); a webhook's signing secret comes back once. */
  addChannel(input: ChannelInput): Promise<ChannelAdded>;
  /** New rules for a channel, or paused (`enabled: false`); what is queued still goes. */
  updateChannel(channelId: number, rules: ChannelRules, enabled: boolean): Promise<Channel>;
  removeChannel(channelId: number): Promise<void>;
  /** Sends a test message now; resolves with what the channel answered, delivered or not. */
  testChannel(channelId: number): Promise<TestAnswer>;
  /** The channel's latest messages, each with every attempt. */
  channelDeliveries(channelId: number): Promise<Delivery[]>;
}

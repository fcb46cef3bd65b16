import { QueryClient, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AccountInput } from '../bindings/AccountInput';
import type { AlertActionRequest } from '../bindings/AlertActionRequest';
import type { ChannelInput } from '../bindings/ChannelInput';
import type { ChannelRules } from '../bindings/ChannelRules';
import type { ApiLoginInput } from '../bindings/ApiLoginInput';
import type { FaultFilter } from '../bindings/FaultFilter';
import type { FaultQuery } from '../bindings/FaultQuery';
import type { IpcError } from '../bindings/IpcError';
import type { MuteScope } from '../bindings/MuteScope';
import type { NotificationPrefs } from '../bindings/NotificationPrefs';
import type { SyncSettings } from '../bindings/SyncSettings';
import type { VehicleQuery } from '../bindings/VehicleQuery';
import type { Backend } from './backend';
import { useBackend } from './context';

// Every query rejects with an IpcError (the facade normalises), so say so once for all hooks.
declare module '@tanstack/react-query' {
  interface Register {
    defaultError: IpcError;
  }
}

export const queryKeys = {
  appInfo: ['app_info'],
  accounts: ['accounts'],
  vehicles: ['vehicles'],
  alerts: ['alerts'],
  settings: ['settings'],
  channels: ['channels'],
} as const;

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Local IPC either answers or fails for a reason a retry will not fix (the error state
        // has a Retry button). Backend events will drive refetches once sync lands.
        retry: false,
        staleTime: 30_000,
      },
    },
  });
}

export function useAppInfo() {
  const backend = useBackend();
  return useQuery({
    queryKey: queryKeys.appInfo,
    queryFn: () => backend.appInfo(),
    staleTime: Infinity,
  });
}

export function useAccounts() {
  const backend = useBackend();
  return useQuery({
    queryKey: queryKeys.accounts,
    queryFn: () => backend.listAccounts(),
    // Staleness is judged by the backend at each read; an open window asks again now and then.
    refetchInterval: 5 * 60_000,
  });
}

function vehiclePageQuery(backend: Backend, query: VehicleQuery) {
  return { queryKey: [...queryKeys.vehicles, 'list', query], queryFn: () => backend.listVehicles(query) };
}

/** The Vehicles table's first page; while a new filter's answer is on its way, the last one stays. */
export function useVehiclePage(query: VehicleQuery) {
  const backend = useBackend();
  return useQuery({ ...vehiclePageQuery(backend, query), placeholderData: (previous) => previous });
}

/** Further pages of the Vehicles table, as scrolling reaches them. */
export function useVehiclePages(queries: VehicleQuery[]) {
  const backend = useBackend();
  return useQueries({ queries: queries.map((query) => vehiclePageQuery(backend, query)) });
}

function faultPageQuery(backend: Backend, query: FaultQuery) {
  return { queryKey: [...queryKeys.vehicles, 'faults', query], queryFn: () => backend.listFaults(query) };
}

/** The Faults table's first window; while a new filter's answer is on its way, the last one stays. */
export function useFaultPage(query: FaultQuery) {
  const backend = useBackend();
  return useQuery({ ...faultPageQuery(backend, query), placeholderData: (previous) => previous });
}

/** Further windows of the Faults table, as scrolling reaches them. */
export function useFaultPages(queries: FaultQuery[]) {
  const backend = useBackend();
  return useQueries({ queries: queries.map((query) => faultPageQuery(backend, query)) });
}

/** Active faults per tier at this time of day on each of the last `days` days, oldest first. */
export function useFaultTrend(days: number) {
  const backend = useBackend();
  return useQuery({ queryKey: [...queryKeys.vehicles, 'trend', days], queryFn: () => backend.faultTrend(days) });
}

/** The source addresses that have faults, named, for the Faults view's picker. */
export function useFaultSources() {
  const backend = useBackend();
  return useQuery({ queryKey: [...queryKeys.vehicles, 'fault-sources'], queryFn: () => backend.faultSources() });
}

export function useExportFaults() {
  const backend = useBackend();
  return useMutation({ mutationFn: (filter: FaultFilter) => backend.exportFaultsCsv(filter) });
}

export function useExportVehicles() {
  const backend = useBackend();
  return useMutation({ mutationFn: (query: VehicleQuery) => backend.exportVehiclesCsv(query) });
}

export function useShowExportInFolder() {
  const backend = useBackend();
  return useMutation({ mutationFn: () => backend.showExportInFolder() });
}

export function useFleetSummary() {
  const backend = useBackend();
  return useQuery({
    queryKey: [...queryKeys.vehicles, 'summary'],
    queryFn: () => backend.fleetSummary(),
  });
}

export function useVehicleDetail(vehicleId: number) {
  const backend = useBackend();
  return useQuery({
    queryKey: [...queryKeys.vehicles, vehicleId],
    queryFn: () => backend.vehicleDetail(vehicleId),
  });
}

export function useAlerts() {
  const backend = useBackend();
  return useQuery({
    queryKey: queryKeys.alerts,
    queryFn: () => backend.listAlerts(),
  });
}

/** "Sync now" for one account (`null`: all). Progress then arrives as events (see `live.tsx`). */
export function useSyncNow() {
  const backend = useBackend();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (accountId: number | null) => backend.syncNow(accountId),
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.accounts }),
  });
}

export function useStartDemo() {
  const backend = useBackend();
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => backend.startDemo(),
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.accounts }),
  });
}

export function useAlertAction() {
  const backend = useBackend();
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ ids, action }: { ids: number[]; action: AlertActionRequest }) => backend.actOnAlerts(ids, action),
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.alerts }),
  });
}

export function useMuteAlert() {
  const backend = useBackend();
  const client = useQueryClient();
  return useMutation({
    // The preferences before the mute are kept: Undo saves them back.
    mutationFn: async ({ alertId, scope }: { alertId: number; scope: MuteScope }) => {
      const before = await backend.notificationPrefs();
      return { before, after: await backend.muteAlert(alertId, scope) };
    },
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.settings }),
  });
}

export function useSyncSettings() {
  const backend = useBackend();
  return useQuery({ queryKey: [...queryKeys.settings, 'sync'], queryFn: () => backend.syncSettings() });
}

export function useSaveSyncSettings() {
  const backend = useBackend();
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ settings, proxyPassword }: { settings: SyncSettings; proxyPassword: string | null }) =>
      backend.setSyncSettings(settings, proxyPassword),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.settings });
      // A new stale-data limit changes which accounts are stale.
      void client.invalidateQueries({ queryKey: queryKeys.accounts });
      void client.invalidateQueries({ queryKey: [...queryKeys.vehicles, 'summary'] });
    },
  });
}

export function useNotificationPrefs() {
  const backend = useBackend();
  return useQuery({ queryKey: [...queryKeys.settings, 'notifications'], queryFn: () => backend.notificationPrefs() });
}

export function useSaveNotificationPrefs() {
  const backend = useBackend();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (prefs: NotificationPrefs) => backend.setNotificationPrefs(prefs),
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.settings }),
  });
}

/** After any change to accounts, everything shown about them is refreshed. */
function useAccountMutation<A, R>(run: (backend: Backend, args: A) => Promise<R>) {
  const backend = useBackend();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (args: A) => run(backend, args),
    onSettled: () => void client.invalidateQueries(),
  });
}

export const useSaveAccount = () =>
  useAccountMutation((b, { id, input }: { id: number | null; input: AccountInput }) => b.saveAccount(id, input));
export const useSetAccountEnabled = () =>
  useAccountMutation((b, { id, enabled }: { id: number; enabled: boolean }) => b.setAccountEnabled(id, enabled));
export const useRemoveAccount = () => useAccountMutation((b, id: number) => b.removeAccount(id));
export const useFinishApiLogin = () =>
  useAccountMutation((b, { pendingId, srmAccountIds }: { pendingId: string; srmAccountIds: string[] }) =>
    b.finishApiLogin(pendingId, srmAccountIds),
  );
export const useReauthorizeApi = () => useAccountMutation((b, id: number) => b.reauthorizeApi(id));

/** The sign-in on Decisiv's page: nothing is saved until the accounts are chosen. */
export function useAuthorizeApiLogin() {
  const backend = useBackend();
  return useMutation({ mutationFn: (input: ApiLoginInput) => backend.authorizeApiLogin(input) });
}

export function useCancelApiLogin() {
  const backend = useBackend();
  return useMutation({ mutationFn: (pendingId: string) => backend.cancelApiLogin(pendingId) });
}

export function useTestSignIn() {
  const backend = useBackend();
  return useMutation({ mutationFn: (id: number) => backend.testSignIn(id) });
}

/**
 * What the account's portal profile finds on its pages: a mutation, run only when a person asks.
 * (A query would be refetched whenever account data is invalidated, and each check signs in to the
 * portal: a refused password must never be sent twice.)
 */
export function useLayoutCheck() {
  const backend = useBackend();
  return useMutation({ mutationFn: (accountId: number) => backend.checkLayout(accountId) });
}

export function useOpenProfilesFolder() {
  const backend = useBackend();
  return useMutation({ mutationFn: () => backend.openProfilesFolder() });
}

export function useAutostart() {
  const backend = useBackend();
  return useQuery({ queryKey: [...queryKeys.settings, 'autostart'], queryFn: () => backend.autostart() });
}

export function useSetAutostart() {
  const backend = useBackend();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (enabled: boolean) => backend.setAutostart(enabled),
    onSuccess: (enabled) => client.setQueryData([...queryKeys.settings, 'autostart'], enabled),
  });
}

export function useOpenLogFolder() {
  const backend = useBackend();
  return useMutation({ mutationFn: () => backend.openLogFolder() });
}

export function useDiagnostics() {
  const backend = useBackend();
  return useMutation({ mutationFn: () => backend.diagnostics() });
}

export function useAccountSecrets(accountId: number | null) {
  const backend = useBackend();
  return useQuery({
    queryKey: [...queryKeys.accounts, 'secrets', accountId],
    queryFn: () => backend.accountSecrets(accountId ?? 0),
    enabled: accountId !== null,
  });
}

export function useRuns(accountId: number, enabled: boolean) {
  const backend = useBackend();
  return useQuery({
    queryKey: [...queryKeys.accounts, 'runs', accountId],
    queryFn: () => backend.listRuns(accountId),
    enabled,
  });
}

export function useRunScreenshot(accountId: number, runId: number, enabled: boolean) {
  const backend = useBackend();
  return useQuery({
    queryKey: [...queryKeys.accounts, 'screenshot', runId],
    queryFn: () => backend.runScreenshot(accountId, runId),
    enabled,
    staleTime: Infinity,
  });
}

export function useChannels() {
  const backend = useBackend();
  return useQuery({ queryKey: queryKeys.channels, queryFn: () => backend.listChannels() });
}

/** A channel's delivery log, asked again every few seconds while it is open (retries come and go). */
export function useChannelDeliveries(channelId: number) {
  const backend = useBackend();
  return useQuery({
    queryKey: [...queryKeys.channels, channelId, 'deliveries'],
    queryFn: () => backend.channelDeliveries(channelId),
    refetchInterval: 5_000,
  });
}

export function useAddChannel() {
  const backend = useBackend();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: ChannelInput) => backend.addChannel(input),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.channels }),
  });
}

export function useUpdateChannel() {
  const backend = useBackend();
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ channelId, rules, enabled }: { channelId: number; rules: ChannelRules; enabled: boolean }) =>
      backend.updateChannel(channelId, rules, enabled),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.channels }),
  });
}

export function useRemoveChannel() {
  const backend = useBackend();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (channelId: number) => backend.removeChannel(channelId),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.channels }),
  });
}

/** A test message: a mutation, sent only when a person asks. */
export function useTestChannel() {
  const backend = useBackend();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (channelId: number) => backend.testChannel(channelId),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.channels }),
  });
}

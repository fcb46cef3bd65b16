import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { SyncProgress } from '../bindings/SyncProgress';
import type { Unlisten } from './backend';
import { useBackend } from './context';
import { parseHash } from '../lib/routes';
import { queryKeys } from './queries';

type ProgressByAccount = Readonly<Record<number, SyncProgress>>;

const LiveContext = createContext<ProgressByAccount>({});

/**
 * Listens to the backend's events once for the whole window: keeps the latest sync step of each
 * account, refreshes the data a finished run or a new alert changed, and shows the route the app
 * asks for (a clicked notification's truck).
 */
export function LiveUpdates({ children }: { children: ReactNode }) {
  const backend = useBackend();
  const client = useQueryClient();
  const [progress, setProgress] = useState<ProgressByAccount>({});

  useEffect(() => {
    let stopped = false;
    const unlisteners: Unlisten[] = [];
    const keep = (unlisten: Unlisten) => (stopped ? unlisten() : unlisteners.push(unlisten));
    backend
      .onSyncProgress((step) => {
        setProgress((previous) => ({ ...previous, [step.accountId]: step }));
        if (step.step === 'finished' || step.step === 'failed') {
          void client.invalidateQueries({ queryKey: queryKeys.accounts });
          void client.invalidateQueries({ queryKey: queryKeys.vehicles });
          void client.invalidateQueries({ queryKey: queryKeys.alerts });
        }
      })
      .then(keep, () => {})
      // Runs already going when this window opened; once listening, so none slips between the
      // two. A step that arrived meanwhile is newer and wins.
      .then(() => backend.syncProgress())
      .then(
        (running) => {
          if (!stopped) setProgress((previous) => ({ ...Object.fromEntries(running.map((p) => [p.accountId, p])), ...previous }));
        },
        () => {},
      );
    backend
      .onAlert(() => void client.invalidateQueries({ queryKey: queryKeys.alerts }))
      .then(keep, () => {});
    backend
      .onNavigate((route) => {
        // Only routes of this window; anything else is ignored rather than followed.
        if (parseHash(route) !== null) window.location.hash = route;
      })
      .then(keep, () => {});
    return () => {
      stopped = true;
      for (const unlisten of unlisteners) unlisten();
    };
  }, [backend, client]);

  return <LiveContext value={progress}>{children}</LiveContext>;
}

/** The accounts whose sync waits for a person to finish signing in, by id. */
export function useWaitingForPerson(): number[] {
  const progress = useContext(LiveContext);
  return Object.values(progress)
    .filter((p) => p.step === 'waiting_for_person')
    .map((p) => p.accountId);
}

/** The latest step of an account's sync, if one is going or has run while the window was open. */
export function useSyncProgress(accountId: number): SyncProgress | undefined {
  return useContext(LiveContext)[accountId];
}

/** The accounts with a sync going now, by id. */
export function useRunningSyncs(): number[] {
  const progress = useContext(LiveContext);
  return Object.values(progress)
    .filter(isRunning)
    .map((p) => p.accountId);
}

/** Whether a step means the run is still going. */
export function isRunning(progress: SyncProgress | undefined): boolean {
  return progress !== undefined && progress.step !== 'finished' && progress.step !== 'failed';
}

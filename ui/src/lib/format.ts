import type { AccountSummary } from '../bindings/AccountSummary';
import type { RunStatus } from '../bindings/RunStatus';
import type { RunSummary } from '../bindings/RunSummary';

/** "every 15 min", "every 4 h", "every 1 h 30 min". */
export function formatInterval(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `every ${rest} min`;
  if (rest === 0) return `every ${hours} h`;
  return `every ${hours} h ${rest} min`;
}

export type Tone = 'neutral' | 'success' | 'warning' | 'danger' | 'progress';

export const RUN_STATUS: Record<RunStatus, { label: string; tone: Tone }> = {
  pending: { label: 'Waiting to start', tone: 'neutral' },
  in_progress: { label: 'Syncing', tone: 'progress' },
  completed: { label: 'Synced', tone: 'success' },
  partial: { label: 'Partly synced', tone: 'warning' },
  failed: { label: 'Sync failed', tone: 'danger' },
};

/** `login_rejected` → "Login rejected". Error kinds are snake_case identifiers from the core. */
export function humaniseKind(kind: string): string {
  const words = kind.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** When a run ended, or when it started if it has not ended yet. */
export function runTime(run: RunSummary): string {
  return run.finishedAt ?? run.startedAt;
}

/** "12 vehicles · 3 faults". */
export function runCounts(run: RunSummary): string {
  return `${plural(run.vehiclesCount, 'vehicle')} · ${plural(run.faultsCount, 'fault')}`;
}

export function plural(count: number, noun: string): string {
  return `${count.toLocaleString('en')} ${noun}${count === 1 ? '' : 's'}`;
}

export type AccountState =
  | { kind: 'enabled' }
  | { kind: 'paused'; reason: string }
  | { kind: 'disabled' };

/** Same precedence as `truckiq status`: a pause reason wins over the enabled flag. */
export function accountState(account: AccountSummary): AccountState {
  if (account.pausedReason !== null) return { kind: 'paused', reason: account.pausedReason };
  return account.enabled ? { kind: 'enabled' } : { kind: 'disabled' };
}

/**
 * True when an account needs a person: its last run failed, syncing is paused/disabled, or its data
 * is stale (`account.stale`: the core's one rule, hours since the last successful sync against the
 * limit in Settings).
 */
export function needsAttention(account: AccountSummary): boolean {
  return accountState(account).kind !== 'enabled' || account.lastRun?.status === 'failed' || account.stale;
}

/** "3.4 days", "5 hours": how long a truck has been down. */
export function formatDaysDown(days: number): string {
  if (days < 1) {
    const hours = Math.max(1, Math.round(days * 24));
    return hours === 1 ? '1 hour' : `${hours} hours`;
  }
  return `${days.toFixed(1)} days`;
}

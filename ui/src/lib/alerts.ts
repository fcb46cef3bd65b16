import type { Alert } from '../bindings/Alert';
import type { AlertKind } from '../bindings/AlertKind';

export const ALERT_KIND: Record<AlertKind, string> = {
  new_critical_fault: 'New critical fault',
  first_sync: 'First sync',
  risk_change: 'Health changed',
  sync_failed: 'Sync failed',
  stale_data: 'Stale data',
  mfa_needed: 'Sign-in needs you',
  not_communicating: 'Not communicating',
  critical_without_case: 'No service case',
};

export interface AlertGroups {
  unread: Alert[];
  snoozed: Alert[];
  earlier: Alert[];
}

/** Unread first (a snooze that has run out is unread again), then snoozed, then the rest. */
export function groupAlerts(alerts: readonly Alert[], now: Date): AlertGroups {
  const groups: AlertGroups = { unread: [], snoozed: [], earlier: [] };
  for (const alert of alerts) {
    if (alert.snoozedUntil !== null && Date.parse(alert.snoozedUntil) > now.getTime()) groups.snoozed.push(alert);
    else if (alert.readAt === null && alert.acknowledgedAt === null) groups.unread.push(alert);
    else groups.earlier.push(alert);
  }
  return groups;
}

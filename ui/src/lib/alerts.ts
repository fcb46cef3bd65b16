import type { Alert } from '../bindings/Alert';
import type { AlertKind } from '../bindings/AlertKind';
import type { MuteScope } from '../bindings/MuteScope';

export const ALERT_KIND: Record<AlertKind, string> = {
  new_critical_fault: 'New critical fault',
  first_sync: 'First sync',
  risk_change: 'Health changed',
  sync_failed: 'Sync failed',
  stale_data: 'Stale data',
  mfa_needed: 'Sign-in needs you',
  not_communicating: 'Not communicating',
  critical_without_case: 'No service case',
  channel_failing: 'Alert channel failing',
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

export interface SnoozeChoice {
  label: string;
  until: Date;
}

/** When "tomorrow morning" is: 8 a.m. on the next day, in the computer's own time zone. */
const MORNING_HOUR = 8;

/** The snooze menu: an hour, four hours, tomorrow morning and a week, from `now`. */
export function snoozeChoices(now: Date): SnoozeChoice[] {
  const hours = (n: number) => new Date(now.getTime() + n * 3600_000);
  const morning = new Date(now);
  morning.setDate(morning.getDate() + 1);
  morning.setHours(MORNING_HOUR, 0, 0, 0);
  return [
    { label: '1 hour', until: hours(1) },
    { label: '4 hours', until: hours(4) },
    { label: 'Until tomorrow morning', until: morning },
    { label: 'A week', until: hours(7 * 24) },
  ];
}

/** What each mute choice silences, as the menu words it (and, lower-cased, the confirmation). */
export const MUTE_SCOPE: Record<MuteScope, string> = {
  code_on_truck: 'This fault code on this truck',
  code: 'This fault code on every truck',
  vehicle: 'Everything about this truck',
};

/** The mute choices that fit an alert: code mutes need a fault, truck mutes a truck. */
export function muteScopes(alert: Pick<Alert, 'faultId' | 'vehicleId'>): MuteScope[] {
  const scopes: MuteScope[] = [];
  if (alert.faultId !== null && alert.vehicleId !== null) scopes.push('code_on_truck');
  if (alert.faultId !== null) scopes.push('code');
  if (alert.vehicleId !== null) scopes.push('vehicle');
  return scopes;
}

import { describe, expect, it } from 'vitest';
import type { Alert } from '../bindings/Alert';
import { groupAlerts, muteScopes, snoozeChoices } from './alerts';

const alert = (id: number, overrides: Partial<Alert> = {}): Alert => ({
  id,
  uid: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`,
  kind: 'new_critical_fault',
  severity: 'critical',
  accountId: 1,
  vehicleId: 2,
  faultId: 3,
  syncRunId: 4,
  channelId: null,
  title: `alert ${id}`,
  message: '',
  createdAt: '2026-11-23T08:00:00Z',
  readAt: null,
  acknowledgedAt: null,
  snoozedUntil: null,
  ...overrides,
});

describe('groupAlerts', () => {
  const now = new Date('2026-11-23T09:00:00Z');

  it('puts unread first, snoozed apart and the rest after', () => {
    const groups = groupAlerts(
      [
        alert(1),
        alert(2, { readAt: '2026-11-23T08:30:00Z' }),
        alert(3, { snoozedUntil: '2026-11-24T09:00:00Z' }),
        alert(4, { acknowledgedAt: '2026-11-23T08:40:00Z', readAt: '2026-11-23T08:40:00Z' }),
      ],
      now,
    );
    expect(groups.unread.map((a) => a.id)).toEqual([1]);
    expect(groups.snoozed.map((a) => a.id)).toEqual([3]);
    expect(groups.earlier.map((a) => a.id)).toEqual([2, 4]);
  });

  it('brings a snoozed alert back as unread once its time has come', () => {
    const groups = groupAlerts([alert(5, { snoozedUntil: '2026-11-23T08:59:00Z' })], now);
    expect(groups.unread.map((a) => a.id)).toEqual([5]);
  });
});

describe('snoozeChoices', () => {
  it('offers an hour, four hours, tomorrow at 8 a.m. local time and a week', () => {
    const now = new Date(2026, 11, 3, 22, 15); // 10:15 p.m. local
    const choices = snoozeChoices(now);
    expect(choices.map((c) => c.label)).toEqual(['1 hour', '4 hours', 'Until tomorrow morning', 'A week']);
    const hoursAhead = choices.map((c) => (c.until.getTime() - now.getTime()) / 3600_000);
    expect([hoursAhead[0], hoursAhead[1], hoursAhead[3]]).toEqual([1, 4, 168]);
    const morning = choices[2]!.until;
    expect([morning.getDate(), morning.getHours(), morning.getMinutes()]).toEqual([4, 8, 0]);
  });

  it('after midnight, tomorrow morning is still the next day', () => {
    const morning = snoozeChoices(new Date(2026, 11, 4, 0, 30))[2]!.until;
    expect([morning.getDate(), morning.getHours()]).toEqual([5, 8]);
  });
});

describe('muteScopes', () => {
  it('offers only what the alert is about', () => {
    expect(muteScopes(alert(1))).toEqual(['code_on_truck', 'code', 'vehicle']);
    expect(muteScopes(alert(1, { faultId: null }))).toEqual(['vehicle']);
    expect(muteScopes(alert(1, { faultId: null, vehicleId: null }))).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import type { Alert } from '../bindings/Alert';
import { groupAlerts } from './alerts';

const alert = (id: number, overrides: Partial<Alert> = {}): Alert => ({
  id,
  kind: 'new_critical_fault',
  severity: 'critical',
  accountId: 1,
  vehicleId: 2,
  faultId: 3,
  syncRunId: 4,
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

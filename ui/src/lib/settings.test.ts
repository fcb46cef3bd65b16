import { describe, expect, it } from 'vitest';
import { describeQuietHours, formatClock, parseClock } from './settings';

describe('clock times', () => {
  it('reads and writes times of day', () => {
    expect(parseClock('22:00')).toBe(1320);
    expect(parseClock(' 6:05 ')).toBe(365);
    expect(parseClock('24:00')).toBeNull();
    expect(parseClock('noon')).toBeNull();
    expect(formatClock(365)).toBe('06:05');
  });

  it('says when notifications are quiet', () => {
    expect(describeQuietHours({ startMinute: 1320, endMinute: 360 })).toBe('Quiet from 22:00 to 06:00 (overnight)');
    expect(describeQuietHours(null)).toBe('Notifications at any hour');
  });
});

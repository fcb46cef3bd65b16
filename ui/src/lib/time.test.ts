import { describe, expect, it } from 'vitest';
import { earliest, formatAbsolute, formatAgo, formatPrecise, formatRelative, formatSince, latest } from './time';

const NOW = new Date('2026-11-23T08:30:00Z');
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString();

describe('formatAgo', () => {
  it('never puts an event after now', () => {
    expect(formatAgo(ago(-3600), NOW)).toBe('just now');
    expect(formatAgo(ago(3 * 3600), NOW)).toBe('3 hours ago');
    expect(formatAgo('not a time', NOW)).toBe('not a time');
  });
});

describe('formatRelative', () => {
  it('says "just now" within 45 seconds either way', () => {
    expect(formatRelative(ago(0), NOW)).toBe('just now');
    expect(formatRelative(ago(44), NOW)).toBe('just now');
    expect(formatRelative(ago(-30), NOW)).toBe('just now');
  });

  it('rounds 45–59 s up to a minute', () => {
    expect(formatRelative(ago(50), NOW)).toBe('1 minute ago');
  });

  it('uses whole units, rounding towards zero', () => {
    expect(formatRelative(ago(5 * 60), NOW)).toBe('5 minutes ago');
    expect(formatRelative(ago(59 * 60 + 59), NOW)).toBe('59 minutes ago');
    expect(formatRelative(ago(3600), NOW)).toBe('1 hour ago');
    expect(formatRelative(ago(3 * 3600 + 17 * 60), NOW)).toBe('3 hours ago');
    expect(formatRelative(ago(26 * 3600), NOW)).toBe('1 day ago');
    expect(formatRelative(ago(9 * 86400), NOW)).toBe('1 week ago');
    expect(formatRelative(ago(45 * 86400), NOW)).toBe('1 month ago');
    expect(formatRelative(ago(400 * 86400), NOW)).toBe('1 year ago');
  });

  it('handles times in the future (a clock that is ahead)', () => {
    expect(formatRelative(ago(-2 * 3600), NOW)).toBe('in 2 hours');
  });

  it('reads the RFC 3339 forms chrono writes, with and without fractions or offsets', () => {
    expect(formatRelative('2026-11-23T05:12:41.907Z', NOW)).toBe('3 hours ago');
    expect(formatRelative('2026-11-23T05:12:41.907123Z', NOW)).toBe('3 hours ago');
    expect(formatRelative('2026-11-23T06:12:41+01:00', NOW)).toBe('3 hours ago');
  });

  it('returns unparseable input unchanged rather than "NaN"', () => {
    expect(formatRelative('not a date', NOW)).toBe('not a date');
  });
});

describe('formatPrecise', () => {
  it('keeps the seconds, in the requested time zone', () => {
    expect(formatPrecise('2026-11-23T05:12:41.907Z', 'en-US', 'America/Chicago')).toBe('Nov 22, 11:12:41 PM');
  });

  it('gives back what it cannot read', () => {
    expect(formatPrecise('not a time')).toBe('not a time');
  });
});

describe('formatAbsolute', () => {
  it('gives date, time and zone for the tooltip', () => {
    expect(formatAbsolute('2026-11-23T05:12:41.907Z', 'en-US', 'UTC')).toBe('Nov 23, 2026, 5:12 AM UTC');
  });

  it('follows the requested time zone', () => {
    expect(formatAbsolute('2026-11-23T05:12:41Z', 'en-US', 'America/Los_Angeles')).toBe(
      'Nov 22, 2026, 9:12 PM PST',
    );
  });

  it('returns unparseable input unchanged', () => {
    expect(formatAbsolute('', 'en-US', 'UTC')).toBe('');
  });
});

describe('latest', () => {
  it('picks the latest time by instant, not by string order', () => {
    expect(latest(['2026-11-23T05:00:00Z', null, '2026-11-23T06:30:00+02:00', undefined])).toBe(
      '2026-11-23T05:00:00Z',
    );
  });

  it('is null when there is nothing to compare', () => {
    expect(latest([])).toBeNull();
    expect(latest([null, 'garbage'])).toBeNull();
  });

  it('has a twin for the earliest', () => {
    expect(earliest(['2026-11-23T05:00:00Z', null, '2026-11-23T06:30:00+02:00'])).toBe('2026-11-23T06:30:00+02:00');
    expect(earliest([])).toBeNull();
  });
});

describe('formatSince', () => {
  it('says how long in the two largest units', () => {
    expect(formatSince(ago(40 * 60), NOW)).toBe('40 min');
    expect(formatSince(ago(3 * 3600), NOW)).toBe('3 h');
    expect(formatSince(ago(3 * 3600 + 20 * 60), NOW)).toBe('3 h 20 min');
    expect(formatSince(ago(24 * 3600), NOW)).toBe('1 day');
    expect(formatSince(ago(52 * 3600), NOW)).toBe('2 days 4 h');
  });

  it('never goes negative for a time after now', () => {
    expect(formatSince(ago(-3600), NOW)).toBe('0 min');
  });
});

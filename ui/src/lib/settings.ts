import type { QuietHours } from '../bindings/QuietHours';

/** "22:00" -> 1320; `null` for anything that is not a time of day. */
export function parseClock(text: string): number | null {
  const match = /^([01]?[0-9]|2[0-3]):([0-5][0-9])$/.exec(text.trim());
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/** 1320 -> "22:00" */
export function formatClock(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

export function describeQuietHours(quiet: QuietHours | null): string {
  if (!quiet) return 'Notifications at any hour';
  const overnight = quiet.startMinute > quiet.endMinute ? ' (overnight)' : '';
  return `Quiet from ${formatClock(quiet.startMinute)} to ${formatClock(quiet.endMinute)}${overnight}`;
}

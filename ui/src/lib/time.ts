// Dates cross IPC as RFC 3339 strings (chrono's `DateTime<Utc>`). The UI shows them relative to
// now ("3 hours ago") with the absolute time in a tooltip; Intl does all the work.

const UNITS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** Below this many seconds either way, a time reads as "just now". */
const JUST_NOW_SECONDS = 45;

/**
 * "just now", "5 minutes ago", "3 hours ago", "in 2 days". Whole units, rounded towards zero
 * (1 h 59 min is "1 hour ago"). An unparseable input is returned unchanged.
 */
export function formatRelative(iso: string, now: Date = new Date(), locale = 'en'): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  const seconds = (then - now.getTime()) / 1000;
  const magnitude = Math.abs(seconds);
  if (magnitude < JUST_NOW_SECONDS) return 'just now';
  const format = relativeFormat(locale);
  for (const [unit, size] of UNITS) {
    if (magnitude >= size) return format.format(Math.trunc(seconds / size), unit);
  }
  // 45–59 s: closer to a minute than to "just now".
  return format.format(seconds < 0 ? -1 : 1, 'minute');
}

/**
 * When something happened, relative to now. A time after now (a portal whose clock runs ahead)
 * reads as "just now": an event that was seen cannot lie in the future.
 */
export function formatAgo(iso: string, now: Date = new Date(), locale = 'en'): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  return formatRelative(new Date(Math.min(then, now.getTime())).toISOString(), now, locale);
}

/** "Nov 23, 2026, 8:35 AM UTC" in the user's locale and time zone (for tooltips). */
export function formatAbsolute(iso: string, locale?: string, timeZone?: string): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  return absoluteFormat(locale, timeZone).format(then);
}

/** "Nov 22, 11:12:42 PM": to the second, for attempts at one message that come seconds apart. */
export function formatPrecise(iso: string, locale?: string, timeZone?: string): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  return cached(
    `precise|${locale ?? ''}|${timeZone ?? ''}`,
    () =>
      new Intl.DateTimeFormat(locale, {
        month: 'short',
        day: 'numeric',
        hour: 'numeric',
        minute: '2-digit',
        second: '2-digit',
        ...(timeZone ? { timeZone } : {}),
      }),
  ).format(then);
}

// Making an Intl formatter costs far more than using one, and a table of trucks formats two
// times per row on every render: each formatter is made once per locale and time zone.
const formatters = new Map<string, Intl.RelativeTimeFormat | Intl.DateTimeFormat>();

function cached<F extends Intl.RelativeTimeFormat | Intl.DateTimeFormat>(key: string, make: () => F): F {
  let format = formatters.get(key) as F | undefined;
  if (!format) {
    format = make();
    formatters.set(key, format);
  }
  return format;
}

function relativeFormat(locale: string): Intl.RelativeTimeFormat {
  return cached(`relative|${locale}`, () => new Intl.RelativeTimeFormat(locale, { numeric: 'always', style: 'long' }));
}

function absoluteFormat(locale: string | undefined, timeZone: string | undefined): Intl.DateTimeFormat {
  return cached(
    `absolute|${locale ?? ''}|${timeZone ?? ''}`,
    () =>
      new Intl.DateTimeFormat(locale, {
        year: 'numeric',
        month: 'short',
        day: 'numeric',
        hour: 'numeric',
        minute: '2-digit',
        timeZoneName: 'short',
        ...(timeZone ? { timeZone } : {}),
      }),
  );
}

/**
 * A chart's time tick: the day ("Nov 20") when the chart spans two days or more, else the time of
 * day ("3:05 PM"), so ticks of a single day's syncs do not all read the same.
 */
export function formatTick(ms: number, spanMs: number, locale?: string, timeZone?: string): string {
  const days = spanMs >= 2 * 24 * 3600 * 1000;
  const options: Intl.DateTimeFormatOptions = days ? { month: 'short', day: 'numeric' } : { hour: 'numeric', minute: '2-digit' };
  return cached(`tick|${days}|${locale ?? ''}|${timeZone ?? ''}`, () => new Intl.DateTimeFormat(locale, { ...options, ...(timeZone ? { timeZone } : {}) })).format(ms);
}

/** The latest of some RFC 3339 times (null when there are none). */
export function latest(times: Iterable<string | null | undefined>): string | null {
  return extreme(times, (a, b) => a > b);
}

/** The earliest of some RFC 3339 times (null when there are none). */
export function earliest(times: Iterable<string | null | undefined>): string | null {
  return extreme(times, (a, b) => a < b);
}

function extreme(times: Iterable<string | null | undefined>, better: (a: number, b: number) => boolean): string | null {
  let best: string | null = null;
  let bestMs = NaN;
  for (const time of times) {
    if (!time) continue;
    const ms = Date.parse(time);
    if (!Number.isNaN(ms) && (best === null || better(ms, bestMs))) {
      best = time;
      bestMs = ms;
    }
  }
  return best;
}

/**
 * How long since `iso`, in the two largest units: "40 min", "3 h 20 min", "2 days 4 h". A time
 * after `now` counts as now: a clock running ahead never shows a negative span.
 */
export function formatSince(iso: string, now: Date = new Date()): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  const minutes = Math.max(0, Math.floor((now.getTime() - then) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  const unit = days === 1 ? 'day' : 'days';
  return hours % 24 === 0 ? `${days} ${unit}` : `${days} ${unit} ${hours % 24} h`;
}

import { useEffect, useMemo, useSyncExternalStore } from 'react';

/** The app's pages, in sidebar order. Each is reached at `#/<id>`. */
export const PAGES = [
  { id: 'fleet', label: 'Fleet' },
  { id: 'vehicles', label: 'Vehicles' },
  { id: 'faults', label: 'Faults' },
  { id: 'alerts', label: 'Alerts' },
  { id: 'accounts', label: 'Accounts' },
  { id: 'settings', label: 'Settings' },
] as const;

export type PageId = (typeof PAGES)[number]['id'];

export const DEFAULT_PAGE: PageId = 'fleet';

const PAGE_IDS: ReadonlySet<string> = new Set(PAGES.map((page) => page.id));

export function isPageId(value: string): value is PageId {
  return PAGE_IDS.has(value);
}

/**
 * The page a location hash points at: `#/accounts`, `#accounts`, `#/accounts/` and
 * `#/accounts/7?tab=runs` all mean Accounts (deeper paths are for later detail views).
 * No hash means the default page; an unknown page is `null`.
 */
export function parseHash(hash: string): PageId | null {
  const path = hash.replace(/^#/, '').replace(/[?].*$/, '');
  const first = path.split('/').find((segment) => segment !== '');
  if (first === undefined) return DEFAULT_PAGE;
  const id = safeDecode(first).toLowerCase();
  return isPageId(id) ? id : null;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a stray "%" is just an unknown page, not a crash
  }
}

export function hrefFor(page: PageId): string {
  return `#/${page}`;
}

/**
 * A page with its filters, `#/vehicles?band=critical`: what a link from Fleet opens, and what a
 * list keeps in the address so that going to a truck and back finds it as it was.
 */
export function hrefWith(page: PageId, params: HashParams): string {
  const text = queryOf(params);
  return text ? `${hrefFor(page)}?${text}` : hrefFor(page);
}

export type HashParams = Record<string, string | number | boolean | null | undefined>;

/** `params` as a query string, empty values left out: what `useHashParams` reads back. */
export function queryOf(params: HashParams): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '' && value !== false) query.set(key, String(value));
  }
  return query.toString();
}

/** The query part of the current location's hash (`band=critical` in `#/vehicles?band=critical`). */
export function useHashParams(): URLSearchParams {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return useMemo(() => new URLSearchParams(hash.split('?')[1] ?? ''), [hash]);
}

/**
 * Puts a list's filters in the address without a history entry per keystroke, and tells the
 * page (a replaced hash fires no `hashchange` of its own).
 */
export function replaceHashParams(page: PageId, params: HashParams): void {
  const next = hrefWith(page, params);
  if (next === window.location.hash) return;
  window.history.replaceState(window.history.state, '', next);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

/** The numeric id after the page in `#/vehicles/42`, for detail views; `null` without one. */
export function parseDetailId(hash: string): number | null {
  const path = hash.replace(/^#/, '').replace(/[?].*$/, '');
  const segments = path.split('/').filter((segment) => segment !== '');
  const id = segments[1];
  return id !== undefined && /^[0-9]{1,15}$/.test(id) ? Number(id) : null;
}

export function hrefForVehicle(id: number): string {
  return `#/vehicles/${id}`;
}

/** The detail id in the current location (see `parseDetailId`). */
export function useDetailId(): number | null {
  // The id, not the hash, is the snapshot: a filter typed into the list changes the hash on every
  // keystroke, and only what this hook returns should re-render its caller.
  return useSyncExternalStore(subscribe, () => parseDetailId(window.location.hash));
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/**
 * The current page, following `location.hash`. Navigation is plain `<a href="#/…">` links, so
 * the webview's history gives back/forward for free. An unknown hash shows the default page and
 * replaces the history entry rather than leaving a dead one behind.
 */
export function useHashRoute(): PageId {
  // The page, not the hash: the whole window would re-render on each keystroke of a list's filter.
  const page = useSyncExternalStore(subscribe, () => parseHash(window.location.hash));
  useEffect(() => {
    if (page === null) window.history.replaceState(null, '', hrefFor(DEFAULT_PAGE));
  }, [page]);
  return page ?? DEFAULT_PAGE;
}

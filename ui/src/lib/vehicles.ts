import type { HealthBand } from '../bindings/HealthBand';
import type { Severity } from '../bindings/Severity';
import type { FaultTier } from '../bindings/FaultTier';
import type { TruckStatus } from '../bindings/TruckStatus';
import type { VehicleListItem } from '../bindings/VehicleListItem';
import type { VehicleQuery } from '../bindings/VehicleQuery';
import type { VehicleSort } from '../bindings/VehicleSort';
import type { Tone } from './format';

export const HEALTH_BAND: Record<HealthBand, { label: string; tone: Tone }> = {
  good: { label: 'Good', tone: 'success' },
  attention: { label: 'Attention', tone: 'warning' },
  critical: { label: 'Critical', tone: 'danger' },
};

export const SEVERITY: Record<Severity, { label: string; tone: Tone }> = {
  critical: { label: 'Critical', tone: 'danger' },
  major: { label: 'Major', tone: 'warning' },
  minor: { label: 'Minor', tone: 'progress' },
  info: { label: 'Info', tone: 'neutral' },
};

/** What the portal says about a truck itself, as every truck view words it. */
export const TRUCK_STATUS: Record<TruckStatus, string> = {
  not_communicating: 'Not communicating',
  in_repair: 'In repair',
};

export interface VehicleFilter {
  /** Part of a VIN or unit number, any case. */
  search: string;
  band: HealthBand | null;
  /** Trucks with at least one active fault of this tier (major: critical or major). */
  tier: FaultTier | null;
  accountId: number | null;
  status: TruckStatus | null;
}

export interface VehicleOrder {
  sort: VehicleSort;
  descending: boolean;
}

export const NO_FILTER: VehicleFilter = { search: '', band: null, tier: null, accountId: null, status: null };
export const HEALTH_FIRST: VehicleOrder = { sort: 'health', descending: false };

export function isFiltered(filter: VehicleFilter): boolean {
  return (
    filter.search.trim() !== '' ||
    filter.band !== null ||
    filter.tier !== null ||
    filter.accountId !== null ||
    filter.status !== null
  );
}

/** Clicking a column's header: the same column flips, another starts where people look first. */
export function nextOrder(current: VehicleOrder, sort: VehicleSort): VehicleOrder {
  return current.sort === sort ? { sort, descending: !current.descending } : { sort, descending: sort === 'faults' };
}

const BANDS: readonly HealthBand[] = ['good', 'attention', 'critical'];
const TIERS: readonly FaultTier[] = ['critical', 'major'];
const STATUSES: readonly TruckStatus[] = ['not_communicating', 'in_repair'];
const SORTS: readonly VehicleSort[] = ['unit', 'vin', 'odometer', 'health', 'faults'];

function oneOf<T extends string>(value: string | null, allowed: readonly T[]): T | null {
  return allowed.find((a) => a === value) ?? null;
}

/**
 * The filters and order in the address (`#/vehicles?band=critical&sort=faults&desc=1`), so that a
 * link can open a filtered list and going to a truck and back finds the list as it was. Anything
 * unknown is ignored, not an error: an old bookmark still opens the list.
 */
export function vehicleViewFromParams(params: URLSearchParams): { filter: VehicleFilter; order: VehicleOrder } {
  const account = Number(params.get('account'));
  const sort = oneOf(params.get('sort'), SORTS);
  return {
    filter: {
      search: params.get('q') ?? '',
      band: oneOf(params.get('band'), BANDS),
      tier: oneOf(params.get('tier'), TIERS),
      status: oneOf(params.get('status'), STATUSES),
      accountId: Number.isSafeInteger(account) && account > 0 ? account : null,
    },
    order: sort ? { sort, descending: params.get('desc') === '1' } : HEALTH_FIRST,
  };
}

/** The address parameters for a view (the default order is left out). */
export function vehicleViewParams(filter: VehicleFilter, order: VehicleOrder): Record<string, string | number | null> {
  const isDefault = order.sort === HEALTH_FIRST.sort && order.descending === HEALTH_FIRST.descending;
  return {
    q: filter.search,
    band: filter.band,
    tier: filter.tier,
    status: filter.status,
    account: filter.accountId,
    sort: isDefault ? null : order.sort,
    desc: isDefault || !order.descending ? null : 1,
  };
}

/** Rows the backend sends per answer: a few screens, so scrolling rarely waits. */
export const PAGE_SIZE = 100;

/** The pages that hold rows `first` to `last` (inclusive). */
export function pagesFor(first: number, last: number): number[] {
  const from = Math.floor(Math.max(0, first) / PAGE_SIZE);
  const to = Math.floor(Math.max(first, last) / PAGE_SIZE);
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

export function vehicleQuery(filter: VehicleFilter, order: VehicleOrder, page: number): VehicleQuery {
  return { ...filter, ...order, offset: page * PAGE_SIZE, limit: PAGE_SIZE };
}

const miles = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const hours = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

export function formatMiles(value: number | null): string {
  return value === null ? '—' : `${miles.format(value)} mi`;
}

export function formatHours(value: number | null): string {
  return value === null ? '—' : `${hours.format(value)} h`;
}

export function describeTruck(v: VehicleListItem): string {
  return [v.modelYear, v.make, v.model].filter((part) => part !== null && part !== '').join(' ') || '—';
}

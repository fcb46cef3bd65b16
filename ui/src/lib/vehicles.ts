import type { HealthBand } from '../bindings/HealthBand';
import type { Severity } from '../bindings/Severity';
import type { VehicleListItem } from '../bindings/VehicleListItem';
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

export type VehicleSortKey = 'health' | 'unit' | 'vin' | 'odometer' | 'faults';
export type SortDirection = 'asc' | 'desc';

export interface VehicleFilter {
  /** Part of a VIN or unit number, any case. */
  search: string;
  band: HealthBand | 'all';
  /** Trucks with at least one active fault of this tier. */
  severity: 'all' | 'critical' | 'major';
  accountId: number | 'all';
}

export const NO_FILTER: VehicleFilter = { search: '', band: 'all', severity: 'all', accountId: 'all' };

export function isFiltered(filter: VehicleFilter): boolean {
  return (
    filter.search.trim() !== '' || filter.band !== 'all' || filter.severity !== 'all' || filter.accountId !== 'all'
  );
}

export function filterVehicles(rows: readonly VehicleListItem[], filter: VehicleFilter): VehicleListItem[] {
  const needle = filter.search.trim().toUpperCase();
  return rows.filter(
    (v) =>
      (needle === '' || v.vin.includes(needle) || (v.unitNumber ?? '').toUpperCase().includes(needle)) &&
      (filter.band === 'all' || v.healthBand === filter.band) &&
      (filter.severity === 'all' ||
        (filter.severity === 'critical' ? v.activeCritical > 0 : v.activeCritical + v.activeMajor > 0)) &&
      (filter.accountId === 'all' || v.accountId === filter.accountId),
  );
}

/** Unit numbers are text ("1042", "T-17"): compare digits as numbers so 99 comes before 100. */
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

function compare(a: VehicleListItem, b: VehicleListItem, key: VehicleSortKey): number {
  switch (key) {
    // Unknown health sorts after every score, like the database does.
    case 'health':
      return (a.healthScore ?? 101) - (b.healthScore ?? 101);
    case 'unit':
      return collator.compare(a.unitNumber ?? '', b.unitNumber ?? '');
    case 'vin':
      return a.vin.localeCompare(b.vin);
    case 'odometer':
      return (a.odometerMi ?? -1) - (b.odometerMi ?? -1);
    case 'faults':
      return a.activeCritical - b.activeCritical || a.activeMajor - b.activeMajor || a.activeFaults - b.activeFaults;
  }
}

export function sortVehicles(
  rows: readonly VehicleListItem[],
  key: VehicleSortKey,
  direction: SortDirection,
): VehicleListItem[] {
  const sign = direction === 'asc' ? 1 : -1;
  // Ties fall back to the VIN so the order never jumps between renders.
  return [...rows].sort((a, b) => sign * compare(a, b, key) || a.vin.localeCompare(b.vin));
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

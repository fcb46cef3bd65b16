import { describe, expect, it } from 'vitest';
import type { VehicleListItem } from '../bindings/VehicleListItem';
import { NO_FILTER, describeTruck, filterVehicles, formatMiles, isFiltered, sortVehicles } from './vehicles';

const truck = (overrides: Partial<VehicleListItem>): VehicleListItem => ({
  id: 1,
  accountId: 1,
  accountName: 'Acme',
  vin: '1XKYD49X0NJ123456',
  unitNumber: '1042',
  modelYear: 2022,
  make: 'Kenworth',
  model: 'T680',
  engine: 'PACCAR MX-13',
  odometerMi: 123456,
  engineHours: 3000.5,
  healthScore: 100,
  healthBand: 'good',
  activeCritical: 0,
  activeMajor: 0,
  activeFaults: 0,
  lastSyncedAt: '2026-11-23T08:00:00Z',
  ...overrides,
});

const fleet = [
  truck({ id: 1, vin: '1XKYD49X0NJ000001', unitNumber: '100', healthScore: 40, healthBand: 'critical', activeCritical: 1, activeFaults: 1 }),
  truck({ id: 2, vin: '2NP000000000000002', unitNumber: '99', healthScore: 75, healthBand: 'attention', activeMajor: 1, activeFaults: 1, accountId: 2 }),
  truck({ id: 3, vin: 'XLR000000000000003', unitNumber: 'T-7', healthScore: null, healthBand: null }),
];

describe('filterVehicles', () => {
  it('finds a truck by part of its VIN or unit, in any case', () => {
    expect(filterVehicles(fleet, { ...NO_FILTER, search: 'xlr' }).map((v) => v.id)).toEqual([3]);
    expect(filterVehicles(fleet, { ...NO_FILTER, search: ' t-7 ' }).map((v) => v.id)).toEqual([3]);
    expect(filterVehicles(fleet, { ...NO_FILTER, search: '99' }).map((v) => v.id)).toEqual([2]);
  });

  it('filters by band, by the worst active tier and by account', () => {
    expect(filterVehicles(fleet, { ...NO_FILTER, band: 'critical' }).map((v) => v.id)).toEqual([1]);
    expect(filterVehicles(fleet, { ...NO_FILTER, severity: 'critical' }).map((v) => v.id)).toEqual([1]);
    expect(filterVehicles(fleet, { ...NO_FILTER, severity: 'major' }).map((v) => v.id)).toEqual([1, 2]);
    expect(filterVehicles(fleet, { ...NO_FILTER, accountId: 2 }).map((v) => v.id)).toEqual([2]);
    expect(isFiltered(NO_FILTER)).toBe(false);
    expect(isFiltered({ ...NO_FILTER, search: 'x' })).toBe(true);
  });
});

describe('sortVehicles', () => {
  it('sorts unit numbers as people read them and keeps unknown health last', () => {
    expect(sortVehicles(fleet, 'unit', 'asc').map((v) => v.unitNumber)).toEqual(['99', '100', 'T-7']);
    expect(sortVehicles(fleet, 'health', 'asc').map((v) => v.id)).toEqual([1, 2, 3]);
    expect(sortVehicles(fleet, 'faults', 'desc').map((v) => v.id)).toEqual([1, 2, 3]);
  });

  it('does not change the list it was given', () => {
    const copy = [...fleet];
    sortVehicles(fleet, 'vin', 'desc');
    expect(fleet).toEqual(copy);
  });
});

describe('formatting', () => {
  it('writes miles and the truck the way a fleet manager says them', () => {
    expect(formatMiles(123456.4)).toBe('123,456 mi');
    expect(formatMiles(null)).toBe('—');
    expect(describeTruck(truck({}))).toBe('2022 Kenworth T680');
    expect(describeTruck(truck({ modelYear: null, make: null, model: null }))).toBe('—');
  });
});

describe('seriesPoints', () => {
  it('scales each series into the chart and skips missing readings', async () => {
    const { seriesPoints } = await import('../components/MeterChart');
    expect(seriesPoints([0, 10], [100, 200])).toBe('8.0,188.0 712.0,12.0');
    expect(seriesPoints([0, 5, 10], [100, null, 100])).toBe('8.0,188.0 712.0,188.0');
    expect(seriesPoints([0, 10], [null, null])).toBe('');
  });
});

import { describe, expect, it } from 'vitest';
import type { VehicleListItem } from '../bindings/VehicleListItem';
import {
  HEALTH_FIRST,
  NO_FILTER,
  PAGE_SIZE,
  describeTruck,
  formatMiles,
  isFiltered,
  nextOrder,
  pagesFor,
  vehicleQuery,
  vehicleViewFromParams,
  vehicleViewParams,
} from './vehicles';
import { hrefWith } from './routes';

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
  status: null,
  statusSince: null,
  activeFaults: 0,
  lastSyncedAt: '2026-11-23T08:00:00Z',
  ...overrides,
});

describe('the vehicle query', () => {
  it('asks for the page of rows in view, with the filter and order as they are', () => {
    const filter = { ...NO_FILTER, search: 'T-7', tier: 'major' as const };
    expect(vehicleQuery(filter, { sort: 'unit', descending: true }, 2)).toEqual({
      search: 'T-7',
      band: null,
      tier: 'major',
      accountId: null,
      status: null,
      sort: 'unit',
      descending: true,
      offset: 2 * PAGE_SIZE,
      limit: PAGE_SIZE,
    });
    expect(isFiltered(NO_FILTER)).toBe(false);
    expect(isFiltered({ ...NO_FILTER, search: ' ' })).toBe(false);
    expect(isFiltered({ ...NO_FILTER, accountId: 2 })).toBe(true);
    expect(isFiltered({ ...NO_FILTER, status: 'in_repair' })).toBe(true);
  });

  it('finds the pages that hold the rows in view', () => {
    expect(pagesFor(0, 20)).toEqual([0]);
    expect(pagesFor(PAGE_SIZE - 5, PAGE_SIZE + 5)).toEqual([0, 1]);
    expect(pagesFor(3 * PAGE_SIZE, 3 * PAGE_SIZE)).toEqual([3]);
    // An empty range still asks for its first page.
    expect(pagesFor(10, 0)).toEqual([0]);
  });

  it('flips the order on the same column and starts the fault count worst first', () => {
    expect(nextOrder(HEALTH_FIRST, 'health')).toEqual({ sort: 'health', descending: true });
    expect(nextOrder(HEALTH_FIRST, 'unit')).toEqual({ sort: 'unit', descending: false });
    expect(nextOrder(HEALTH_FIRST, 'faults')).toEqual({ sort: 'faults', descending: true });
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

describe('plot', () => {
  it('scales a series into its chart with ticks on both axes and skips missing readings', async () => {
    const { plot } = await import('../components/MeterChart');
    const line = plot([0, 10], [100, 200]);
    expect(line.points.map((p) => [p.x, p.y])).toEqual([
      [78, 142],
      [346, 12],
    ]);
    expect(line.yTicks.map((t) => t.v)).toEqual([100, 150, 200]);
    expect(line.xTicks.map((t) => t.t)).toEqual([0, 5, 10]);
    const gap = plot([0, 5, 10], [100, null, 100]);
    expect(gap.points.map((p) => p.t)).toEqual([0, 10]);
    // A meter that did not move sits in the middle.
    expect(gap.points[0]?.y).toBe(77);
    expect(plot([0, 10], [null, null]).points).toEqual([]);
  });
});

describe('the view in the address', () => {
  it('round-trips filters and order through the hash', () => {
    const filter = { search: 'kenworth 2016', band: 'critical' as const, tier: 'major' as const, status: null, accountId: 3 };
    const order = { sort: 'faults' as const, descending: true };
    const href = hrefWith('vehicles', vehicleViewParams(filter, order));
    expect(href).toBe('#/vehicles?q=kenworth+2016&band=critical&tier=major&account=3&sort=faults&desc=1');
    expect(vehicleViewFromParams(new URLSearchParams(href.split('?')[1]))).toEqual({ filter, order });
  });

  it('leaves the default view out and ignores what it does not know', () => {
    expect(hrefWith('vehicles', vehicleViewParams(NO_FILTER, HEALTH_FIRST))).toBe('#/vehicles');
    const odd = vehicleViewFromParams(new URLSearchParams('band=purple&sort=colour&account=-2&tier=major'));
    expect(odd).toEqual({ filter: { ...NO_FILTER, tier: 'major' }, order: HEALTH_FIRST });
  });
});

describe('timelineLayout', () => {
  it('puts each code on a row, worst first, with bars from first report to clearing or now', async () => {
    const { timelineLayout } = await import('../components/EpisodeTimeline');
    const now = Date.parse('2026-11-23T12:00:00Z');
    const episode = (id: number, spn: number, severity: 'critical' | 'minor', first: string, cleared: string | null) => ({
      id,
      sourceAddress: 0,
      sourceName: 'Engine #1 (SA 0)',
      spn,
      fmi: 1,
      fmiMeaning: '',
      description: `code ${spn}`,
      severity,
      portalSeverityText: null,
      derate: false,
      derateSince: null,
      active: cleared === null,
      occurrenceCount: 1,
      firstSeenAt: first,
      lastSeenAt: cleared ?? '2026-11-23T11:00:00Z',
      clearedAt: cleared,
    });
    const layout = timelineLayout(
      [
        episode(1, 97, 'minor', '2026-11-21T12:00:00Z', '2026-11-22T12:00:00Z'),
        episode(2, 100, 'critical', '2026-11-22T12:00:00Z', null),
        episode(3, 97, 'minor', '2026-11-23T00:00:00Z', null),
        // A portal clock ahead of this one never draws past now.
        episode(4, 111, 'minor', '2026-11-24T00:00:00Z', null),
      ],
      now,
    );
    expect(layout.rows.map((r) => r.label)).toEqual(['SPN 100 / FMI 1', 'SPN 97 / FMI 1', 'SPN 111 / FMI 1']);
    expect(layout.start).toBe(Date.parse('2026-11-21T12:00:00Z'));
    const [first, critical, again, ahead] = layout.bars;
    expect([first?.row, first?.from, first?.to, first?.open]).toEqual([1, 0, 0.5, false]);
    expect([critical?.row, critical?.from, critical?.to, critical?.open]).toEqual([0, 0.5, 1, true]);
    expect(again?.row).toBe(1);
    expect([ahead?.from, ahead?.to]).toEqual([1, 1]);
    expect(layout.ticks).toHaveLength(4);
  });
});

import { useVirtualizer } from '@tanstack/react-virtual';
import { useDeferredValue, useMemo, useRef, useState } from 'react';
import type { VehicleListItem } from '../bindings/VehicleListItem';
import { shouldReport } from '../backend/errors';
import { useAccounts, useVehicles } from '../backend/queries';
import { Badge } from '../components/Badge';
import { DemoButton } from '../components/DemoButton';
import { PageHeader } from '../components/PageHeader';
import { RelativeTime } from '../components/RelativeTime';
import { TruckIcon } from '../components/icons';
import { EmptyState, ErrorState, LoadingRegion, Skeleton, StaleBanner } from '../components/states';
import { plural } from '../lib/format';
import {
  HEALTH_BAND,
  NO_FILTER,
  describeTruck,
  filterVehicles,
  formatMiles,
  isFiltered,
  sortVehicles,
  type SortDirection,
  type VehicleFilter,
  type VehicleSortKey,
} from '../lib/vehicles';
import { hrefForVehicle, useDetailId } from '../lib/routes';
import { GoToAccounts } from './placeholders';
import { VehicleDetailPage } from './VehicleDetailPage';

const ROW_HEIGHT = 44;

export function VehiclesPage() {
  const detailId = useDetailId();
  return detailId === null ? <VehicleList /> : <VehicleDetailPage id={detailId} />;
}

function VehicleList() {
  const vehicles = useVehicles();
  const count = vehicles.data?.length;
  return (
    <>
      <PageHeader
        title="Vehicles"
        description={
          count ? `${plural(count, 'truck')} across your portal accounts.` : 'Every truck your portal accounts can see.'
        }
      />
      <VehiclesBody query={vehicles} />
    </>
  );
}

function VehiclesBody({ query }: { query: ReturnType<typeof useVehicles> }) {
  if (query.isPending) {
    return (
      <LoadingRegion label="Loading vehicles">
        <div className="table-card vtable-loading">
          {Array.from({ length: 8 }, (_, i) => (
            <Skeleton key={i} className="skeleton-row" />
          ))}
        </div>
      </LoadingRegion>
    );
  }
  if (query.isError && !query.data) {
    return <ErrorState what="vehicles" error={query.error} onRetry={() => void query.refetch()} />;
  }
  const rows = query.data ?? [];
  return (
    <>
      {query.isError && shouldReport(query.error) ? <StaleBanner error={query.error} /> : null}
      {rows.length === 0 ? <NoVehicles /> : <VehicleTable rows={rows} />}
    </>
  );
}

function NoVehicles() {
  return (
    <EmptyState
      icon={<TruckIcon size={28} />}
      title="No vehicles yet — add a portal account and run a sync"
      action={
        <>
          <DemoButton />
          <GoToAccounts />
        </>
      }
    >
      <p>
        Once an account has synced, its Kenworth, Peterbilt and DAF trucks are listed here with VIN, unit
        number, model, engine, odometer and health, and how many active faults each one has.
      </p>
    </EmptyState>
  );
}

const COLUMNS: { key: VehicleSortKey | null; label: string; className: string }[] = [
  { key: 'unit', label: 'Unit', className: 'vcol-unit' },
  { key: 'vin', label: 'VIN', className: 'vcol-vin' },
  { key: null, label: 'Truck', className: 'vcol-truck' },
  { key: 'odometer', label: 'Odometer', className: 'vcol-odometer' },
  { key: 'health', label: 'Health', className: 'vcol-health' },
  { key: 'faults', label: 'Active faults', className: 'vcol-faults' },
  { key: null, label: 'Account', className: 'vcol-account' },
  { key: null, label: 'Last sync', className: 'vcol-sync' },
];

function VehicleTable({ rows }: { rows: VehicleListItem[] }) {
  const accounts = useAccounts();
  const [filter, setFilter] = useState<VehicleFilter>(NO_FILTER);
  const [sort, setSort] = useState<{ key: VehicleSortKey; direction: SortDirection }>({
    key: 'health',
    direction: 'asc',
  });
  // The input updates at once; the filtered list follows in a lower-priority render.
  const deferredFilter = useDeferredValue(filter);
  // Sorted once per data or sort change; a keystroke only filters, which keeps the order.
  const sorted = useMemo(() => sortVehicles(rows, sort.key, sort.direction), [rows, sort]);
  const shown = useMemo(() => filterVehicles(sorted, deferredFilter), [sorted, deferredFilter]);
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });

  const toggleSort = (key: VehicleSortKey) =>
    setSort((current) =>
      current.key === key
        ? { key, direction: current.direction === 'asc' ? 'desc' : 'asc' }
        : { key, direction: key === 'faults' ? 'desc' : 'asc' },
    );

  return (
    <section className="table-card vtable-card" aria-label="Vehicles">
      <div className="toolbar" role="search">
        <input
          type="search"
          className="input"
          placeholder="Search VIN or unit"
          aria-label="Search by VIN or unit number"
          value={filter.search}
          onChange={(e) => setFilter({ ...filter, search: e.target.value })}
        />
        <select
          className="input"
          aria-label="Health"
          value={filter.band}
          onChange={(e) => setFilter({ ...filter, band: e.target.value as VehicleFilter['band'] })}
        >
          <option value="all">Any health</option>
          <option value="critical">Critical</option>
          <option value="attention">Attention</option>
          <option value="good">Good</option>
        </select>
        <select
          className="input"
          aria-label="Active faults"
          value={filter.severity}
          onChange={(e) => setFilter({ ...filter, severity: e.target.value as VehicleFilter['severity'] })}
        >
          <option value="all">Any faults</option>
          <option value="critical">With critical faults</option>
          <option value="major">With critical or major faults</option>
        </select>
        {accounts.data && accounts.data.length > 1 ? (
          <select
            className="input"
            aria-label="Account"
            value={String(filter.accountId)}
            onChange={(e) =>
              setFilter({ ...filter, accountId: e.target.value === 'all' ? 'all' : Number(e.target.value) })
            }
          >
            <option value="all">All accounts</option>
            {accounts.data.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        ) : null}
        <span className="toolbar-count" role="status">
          {shown.length === rows.length ? plural(rows.length, 'truck') : `${shown.length} of ${rows.length} trucks`}
        </span>
      </div>
      <div className="vtable" role="table" aria-rowcount={shown.length + 1} aria-label="Vehicles">
        <div className="vtable-head" role="rowgroup">
          <div className="vtable-row" role="row">
            {COLUMNS.map((column) => (
              <div
                key={column.label}
                className={`vtable-cell ${column.className}`}
                role="columnheader"
                aria-sort={
                  column.key === sort.key ? (sort.direction === 'asc' ? 'ascending' : 'descending') : undefined
                }
              >
                {column.key ? (
                  <button type="button" className="sort-button" onClick={() => toggleSort(column.key as VehicleSortKey)}>
                    {column.label}
                    <span aria-hidden="true">
                      {column.key === sort.key ? (sort.direction === 'asc' ? ' ↑' : ' ↓') : ''}
                    </span>
                  </button>
                ) : (
                  column.label
                )}
              </div>
            ))}
          </div>
        </div>
        {shown.length === 0 ? (
          <div className="vtable-empty" role="row">
            <p role="cell">
              No trucks match these filters.{' '}
              {isFiltered(filter) ? (
                <button type="button" className="link-button" onClick={() => setFilter(NO_FILTER)}>
                  Clear filters
                </button>
              ) : null}
            </p>
          </div>
        ) : (
          <div className="vtable-body" ref={scroller} role="rowgroup">
            <div style={{ height: virtualizer.getTotalSize() }} className="vtable-sizer">
              {virtualizer.getVirtualItems().map((item) => {
                const vehicle = shown[item.index];
                return vehicle ? <VehicleRow key={vehicle.id} vehicle={vehicle} top={item.start} /> : null;
              })}
            </div>
          </div>
        )}
      </div>
    </section>
  );
}

function VehicleRow({ vehicle: v, top }: { vehicle: VehicleListItem; top: number }) {
  const band = v.healthBand ? HEALTH_BAND[v.healthBand] : null;
  return (
    <div className="vtable-row" role="row" style={{ transform: `translateY(${top}px)` }}>
      <div className="vtable-cell vcol-unit" role="cell">
        {v.unitNumber ?? '—'}
      </div>
      <div className="vtable-cell vcol-vin mono" role="cell">
        <a className="link" href={hrefForVehicle(v.id)}>
          {v.vin}
        </a>
      </div>
      <div className="vtable-cell vcol-truck" role="cell" title={v.engine ?? undefined}>
        {describeTruck(v)}
      </div>
      <div className="vtable-cell vcol-odometer num" role="cell">
        {formatMiles(v.odometerMi)}
      </div>
      <div className="vtable-cell vcol-health" role="cell">
        {band ? (
          <Badge tone={band.tone}>
            {band.label} · {v.healthScore}
          </Badge>
        ) : (
          <span className="muted">not read yet</span>
        )}
      </div>
      <div className="vtable-cell vcol-faults" role="cell">
        {v.activeCritical > 0 ? <Badge tone="danger">{v.activeCritical} critical</Badge> : null}
        {v.activeMajor > 0 ? <Badge tone="warning">{v.activeMajor} major</Badge> : null}
        {v.activeFaults === 0 ? <span className="muted">none</span> : null}
        {v.activeFaults > v.activeCritical + v.activeMajor ? (
          <span className="muted">+{v.activeFaults - v.activeCritical - v.activeMajor} minor</span>
        ) : null}
      </div>
      <div className="vtable-cell vcol-account" role="cell" title={v.accountName}>
        {v.accountName}
      </div>
      <div className="vtable-cell vcol-sync" role="cell">
        {v.lastSyncedAt ? <RelativeTime iso={v.lastSyncedAt} /> : '—'}
      </div>
    </div>
  );
}

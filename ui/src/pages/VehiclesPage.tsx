import { memo, useMemo, useState } from 'react';
import type { FaultTier } from '../bindings/FaultTier';
import type { HealthBand } from '../bindings/HealthBand';
import type { TruckStatus } from '../bindings/TruckStatus';
import type { VehicleListItem } from '../bindings/VehicleListItem';
import type { VehiclePage } from '../bindings/VehiclePage';
import type { VehicleSort } from '../bindings/VehicleSort';
import { shouldReport } from '../backend/errors';
import { useAccounts, useExportVehicles, useVehiclePage, useVehiclePages } from '../backend/queries';
import { Badge } from '../components/Badge';
import { DemoButton } from '../components/DemoButton';
import { ExportResult } from '../components/ExportResult';
import { PageHeader } from '../components/PageHeader';
import { RelativeTime } from '../components/RelativeTime';
import { TruckStatusBadge } from '../components/TruckStatusBadge';
import { TruckIcon } from '../components/icons';
import { ColumnHeader, LoadingRow, rowIn, useWindowedRows } from '../components/WindowedTable';
import { EmptyState, ErrorState, LoadingRegion, Skeleton, StaleBanner } from '../components/states';
import { plural } from '../lib/format';
import {
  HEALTH_BAND,
  NO_FILTER,
  describeTruck,
  formatMiles,
  isFiltered,
  nextOrder,
  vehicleQuery,
  vehicleViewFromParams,
  vehicleViewParams,
  type VehicleFilter,
  type VehicleOrder,
} from '../lib/vehicles';
import { hrefForVehicle, replaceHashParams, useDetailId, useHashParams } from '../lib/routes';
import { GoToAccounts } from './placeholders';
import { VehicleDetailPage } from './VehicleDetailPage';

const ROW_HEIGHT = 44;

export function VehiclesPage() {
  const detailId = useDetailId();
  return detailId === null ? <VehicleList /> : <VehicleDetailPage id={detailId} />;
}

function VehicleList() {
  // The address holds the view: a link from Fleet opens it filtered, and back from a truck finds it as it was.
  const params = useHashParams();
  const { filter, order } = useMemo(() => vehicleViewFromParams(params), [params]);
  const setFilter = (next: VehicleFilter) => replaceHashParams('vehicles', vehicleViewParams(next, order));
  const setOrder = (next: VehicleOrder) => replaceHashParams('vehicles', vehicleViewParams(filter, next));
  // The first page also tells how many trucks there are and how many match.
  const first = useVehiclePage(vehicleQuery(filter, order, 0));
  const total = first.data?.total;
  const matching = first.data?.matching;
  const exporter = useExportVehicles();
  return (
    <>
      <PageHeader
        title="Vehicles"
        description={
          total ? `${plural(total, 'truck')} across your portal accounts.` : 'Every truck your portal accounts can see.'
        }
        actions={
          <button
            type="button"
            className="button"
            onClick={() => exporter.mutate(vehicleQuery(filter, order, 0))}
            disabled={exporter.isPending || !matching}
          >
            {exporter.isPending ? 'Exporting…' : `Export ${matching ? plural(matching, 'truck') : ''} to CSV`}
          </button>
        }
      />
      <ExportResult exporter={exporter} rowName="truck" />
      {first.isPending ? (
        <LoadingRegion label="Loading vehicles">
          <div className="table-card vtable-loading">
            {Array.from({ length: 8 }, (_, i) => (
              <Skeleton key={i} className="skeleton-row" />
            ))}
          </div>
        </LoadingRegion>
      ) : !first.data ? (
        <ErrorState what="vehicles" error={first.error} onRetry={() => void first.refetch()} />
      ) : (
        <>
          {first.isError && shouldReport(first.error) ? <StaleBanner error={first.error} /> : null}
          {first.data.total === 0 ? (
            <NoVehicles />
          ) : (
            <VehicleTable firstPage={first.data} filter={filter} order={order} onFilter={setFilter} onOrder={setOrder} />
          )}
        </>
      )}
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

type ColumnId = 'unit' | 'vin' | 'truck' | 'odometer' | 'health' | 'faults' | 'account' | 'sync';

const COLUMNS: { id: ColumnId; key: VehicleSort | null; label: string; hideable: boolean }[] = [
  { id: 'unit', key: 'unit', label: 'Unit', hideable: false },
  { id: 'vin', key: 'vin', label: 'VIN', hideable: false },
  { id: 'truck', key: null, label: 'Truck', hideable: true },
  { id: 'odometer', key: 'odometer', label: 'Odometer', hideable: true },
  { id: 'health', key: 'health', label: 'Health', hideable: false },
  { id: 'faults', key: 'faults', label: 'Active faults', hideable: false },
  { id: 'account', key: null, label: 'Account', hideable: true },
  { id: 'sync', key: null, label: 'Synced', hideable: true },
];

const HIDDEN_KEY = 'truckiq.vehicles.hiddenColumns';

/**
 * The columns a person has hidden, kept on this computer. Until they choose, a narrow window
 * starts without Account and Odometer (both are on the truck's page), so the table fits.
 */
function useHiddenColumns(): [ReadonlySet<ColumnId>, (id: ColumnId, hidden: boolean) => void] {
  const [hidden, setHidden] = useState<ReadonlySet<ColumnId>>(() => {
    try {
      const saved = window.localStorage.getItem(HIDDEN_KEY);
      if (saved !== null) {
        const ids = JSON.parse(saved) as unknown;
        if (Array.isArray(ids)) return new Set(COLUMNS.filter((c) => c.hideable && ids.includes(c.id)).map((c) => c.id));
      }
    } catch {
      // Unreadable: fall back to the default below.
    }
    return new Set<ColumnId>(window.innerWidth < 1200 ? ['account', 'odometer'] : []);
  });
  const toggle = (id: ColumnId, hide: boolean) => {
    const next = new Set(hidden);
    if (hide) next.add(id);
    else next.delete(id);
    setHidden(next);
    try {
      window.localStorage.setItem(HIDDEN_KEY, JSON.stringify([...next]));
    } catch {
      // Storage refused: the choice holds for this window only.
    }
  };
  return [hidden, toggle];
}

interface TableProps {
  firstPage: VehiclePage;
  filter: VehicleFilter;
  order: VehicleOrder;
  onFilter: (filter: VehicleFilter) => void;
  onOrder: (order: VehicleOrder) => void;
}

function VehicleTable({ firstPage, filter, order, onFilter, onOrder }: TableProps) {
  const accounts = useAccounts();
  const [hidden, setHidden] = useHiddenColumns();
  const columns = COLUMNS.filter((c) => !hidden.has(c.id));
  const { total, matching } = firstPage;
  const { scroller, virtualizer, items, deeper } = useWindowedRows(matching, ROW_HEIGHT, JSON.stringify([filter, order]));
  // The caller holds page 0; only the deeper pages in view are asked for here.
  const deeperPages = useVehiclePages(deeper.map((page) => vehicleQuery(filter, order, page)));
  const rowAt = (index: number) =>
    rowIn(
      index,
      firstPage.rows,
      deeper,
      deeperPages.map((p) => p.data?.rows),
    );

  const change = (part: Partial<VehicleFilter>) => onFilter({ ...filter, ...part });

  return (
    <section className="table-card vtable-card" aria-label="Vehicles">
      <div className="toolbar" role="search">
        <input
          type="search"
          className="input"
          placeholder="Search unit, VIN, make, model…"
          aria-label="Search by unit, VIN, make, model, engine or year"
          value={filter.search}
          onChange={(e) => change({ search: e.target.value })}
        />
        <FilterSelect
          label="Health"
          value={filter.band}
          options={[['all', 'Any health'], ['critical', 'Critical'], ['attention', 'Attention'], ['good', 'Good']]}
          onChange={(band: HealthBand | null) => change({ band })}
        />
        <FilterSelect
          label="Active faults"
          value={filter.tier}
          options={[['all', 'Any faults'], ['critical', 'With critical faults'], ['major', 'With critical or major faults']]}
          onChange={(tier: FaultTier | null) => change({ tier })}
        />
        <FilterSelect
          label="Truck status"
          value={filter.status}
          options={[['all', 'Any status'], ['not_communicating', 'Not communicating'], ['in_repair', 'In repair']]}
          onChange={(status: TruckStatus | null) => change({ status })}
        />
        {accounts.data && accounts.data.length > 1 ? (
          <select
            className="input"
            aria-label="Account"
            value={String(filter.accountId ?? 'all')}
            onChange={(e) => change({ accountId: e.target.value === 'all' ? null : Number(e.target.value) })}
          >
            <option value="all">All accounts</option>
            {accounts.data.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        ) : null}
        <details className="columns-menu">
          <summary className="button button-small button-quiet">Columns</summary>
          <fieldset className="columns-menu-list">
            <legend className="visually-hidden">Columns shown</legend>
            {COLUMNS.filter((c) => c.hideable).map((c) => (
              <label key={c.id} className="check">
                <input type="checkbox" checked={!hidden.has(c.id)} onChange={(e) => setHidden(c.id, !e.target.checked)} />
                {c.label}
              </label>
            ))}
          </fieldset>
        </details>
        <span className="toolbar-count" role="status">
          {matching === total ? plural(total, 'truck') : `${matching.toLocaleString('en-US')} of ${plural(total, 'truck')}`}
        </span>
      </div>
      <div className="vtable" role="table" aria-rowcount={matching + 1} aria-label="Vehicles">
        <div className="vtable-head" role="rowgroup">
          <div className="vtable-row" role="row">
            {columns.map(({ id, key, label }) => (
              <ColumnHeader
                key={id}
                className={`vcol-${id}`}
                label={label}
                sorted={key === order.sort}
                descending={order.descending}
                onSort={key ? () => onOrder(nextOrder(order, key)) : null}
              />
            ))}
          </div>
        </div>
        {matching === 0 ? (
          <div className="vtable-empty" role="row">
            <p role="cell">
              No trucks match these filters.{' '}
              {isFiltered(filter) ? (
                <button type="button" className="link-button" onClick={() => onFilter(NO_FILTER)}>
                  Clear filters
                </button>
              ) : null}
            </p>
          </div>
        ) : (
          <div className="vtable-body" ref={scroller} role="rowgroup">
            <div style={{ height: virtualizer.getTotalSize() }} className="vtable-sizer">
              {items.map((item) => {
                const vehicle = rowAt(item.index);
                return vehicle ? (
                  <VehicleRow key={vehicle.id} vehicle={vehicle} top={item.start} hidden={hidden} />
                ) : (
                  <LoadingRow key={`loading-${item.index}`} top={item.start} />
                );
              })}
            </div>
          </div>
        )}
      </div>
    </section>
  );
}

/** One of the toolbar's filters: "all" (no filter) or one value. */
function FilterSelect<T extends string>({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: T | null;
  options: [T | 'all', string][];
  onChange: (value: T | null) => void;
}) {
  return (
    <select
      className="input"
      aria-label={label}
      value={value ?? 'all'}
      onChange={(e) => onChange(e.target.value === 'all' ? null : (e.target.value as T))}
    >
      {options.map(([option, text]) => (
        <option key={option} value={option}>
          {text}
        </option>
      ))}
    </select>
  );
}

// Memoised: a keystroke re-renders the table twice (with the last answer, then the new one), and
// rows whose truck and place did not change are skipped.
const VehicleRow = memo(function VehicleRow({
  vehicle: v,
  top,
  hidden,
}: {
  vehicle: VehicleListItem;
  top: number;
  hidden: ReadonlySet<ColumnId>;
}) {
  const band = v.healthBand ? HEALTH_BAND[v.healthBand] : null;
  const href = hrefForVehicle(v.id);
  const truck = describeTruck(v);
  return (
    // The whole row opens the truck; the VIN stays a real link for the keyboard and a new window.
    <div
      className="vtable-row vtable-row-link"
      role="row"
      style={{ transform: `translateY(${top}px)` }}
      onClick={(e) => {
        if (!(e.target instanceof HTMLElement && e.target.closest('a'))) window.location.hash = href;
      }}
    >
      <div className="vtable-cell vcol-unit" role="cell">
        <span className="cell-text">{v.unitNumber ?? '—'}</span>
      </div>
      <div className="vtable-cell vcol-vin mono" role="cell">
        <a className="link" href={href}>
          {v.vin}
        </a>
      </div>
      {hidden.has('truck') ? null : (
        // Year and make above the model, so a narrow column cuts neither.
        <div className="vtable-cell vcol-truck cell-lines" role="cell" title={v.engine ? `${truck} · ${v.engine}` : truck}>
          <span className="cell-text">{[v.modelYear, v.make].filter((part) => part !== null && part !== '').join(' ') || '—'}</span>
          {v.model ? <span className="cell-text cell-faint">{v.model}</span> : null}
        </div>
      )}
      {hidden.has('odometer') ? null : (
        <div className="vtable-cell vcol-odometer num" role="cell">
          {formatMiles(v.odometerMi)}
        </div>
      )}
      <div className="vtable-cell vcol-health" role="cell">
        {v.status ? (
          // The portal's word on the truck comes first; its health is as last reported.
          <TruckStatusBadge
            status={v.status}
            since={v.statusSince}
            detail={band ? `health as last reported: ${band.label} · ${v.healthScore}` : undefined}
          />
        ) : band ? (
          <Badge tone={band.tone}>
            {band.label} · {v.healthScore}
          </Badge>
        ) : (
          <span className="muted">not read yet</span>
        )}
      </div>
      <div className="vtable-cell vcol-faults" role="cell" title={faultsTitle(v)}>
        {v.activeCritical > 0 ? <Badge tone="danger">{v.activeCritical} critical</Badge> : null}
        {v.activeMajor > 0 ? <Badge tone="warning">{v.activeMajor} major</Badge> : null}
        {v.activeFaults === 0 ? <span className="muted">none</span> : null}
        {v.activeFaults > v.activeCritical + v.activeMajor ? (
          <span className="muted cell-text">+{v.activeFaults - v.activeCritical - v.activeMajor} minor</span>
        ) : null}
      </div>
      {hidden.has('account') ? null : (
        <div className="vtable-cell vcol-account" role="cell" title={v.accountName}>
          <span className="cell-text">{v.accountName}</span>
        </div>
      )}
      {hidden.has('sync') ? null : (
        <div className="vtable-cell vcol-sync" role="cell">
          {v.lastSyncedAt ? <RelativeTime iso={v.lastSyncedAt} className="cell-text" /> : '—'}
        </div>
      )}
    </div>
  );
});

/** The fault counts in words, for a cell too narrow to show them all. */
function faultsTitle(v: VehicleListItem): string {
  const minor = v.activeFaults - v.activeCritical - v.activeMajor;
  const parts = [
    v.activeCritical > 0 ? `${v.activeCritical} critical` : null,
    v.activeMajor > 0 ? `${v.activeMajor} major` : null,
    minor > 0 ? `${minor} minor` : null,
  ].filter((p) => p !== null);
  return parts.length > 0 ? `Active faults: ${parts.join(', ')}` : 'No active faults';
}

import { useEffect, useMemo, useState, type ChangeEvent } from 'react';
import type { FaultFilter } from '../bindings/FaultFilter';
import type { FaultListItem } from '../bindings/FaultListItem';
import type { FaultPage } from '../bindings/FaultPage';
import type { FaultSort } from '../bindings/FaultSort';
import { ExportResult } from '../components/ExportResult';
import { useExportFaults, useFaultPage, useFaultPages, useFaultSources } from '../backend/queries';
import { Badge } from '../components/Badge';
import { TruckStatusBadge } from '../components/TruckStatusBadge';
import { DemoButton } from '../components/DemoButton';
import { PageHeader } from '../components/PageHeader';
import { RelativeTime } from '../components/RelativeTime';
import { FaultIcon } from '../components/icons';
import { EmptyState, ErrorState, LoadingRegion, Skeleton } from '../components/states';
import {
  EMPTY_FORM,
  activeFields,
  faultQuery,
  formFromParams,
  formParams,
  isProblem,
  nextFaultOrder,
  orderFromParams,
  orderParams,
  toFilter,
  type FaultForm,
  type FaultOrder,
} from '../lib/faults';
import { plural } from '../lib/format';
import { hrefForVehicle, queryOf, replaceHashParams, useHashParams } from '../lib/routes';
import { SEVERITY } from '../lib/vehicles';
import { ColumnHeader, LoadingRow, rowIn, useWindowedRows } from '../components/WindowedTable';

const ROW_HEIGHT = 56;

export function FaultsPage() {
  // The address holds the filters that apply (a link from Fleet opens them); the form holds what
  // is typed, which applies once it makes sense.
  const params = useHashParams();
  const fromAddress = useMemo(() => formFromParams(params), [params]);
  const order = useMemo(() => orderFromParams(params), [params]);
  const [form, setForm] = useState<FaultForm>(fromAddress);
  // A new address from elsewhere (a link from Fleet) replaces the form; one the form wrote keeps it.
  useEffect(() => {
    setForm((current) =>
      queryOf({ ...formParams(current), ...orderParams(order) }) === params.toString() ? current : fromAddress,
    );
  }, [params, fromAddress, order]);
  const fromUrl = toFilter(fromAddress);
  const applied = isProblem(fromUrl) ? (toFilter(EMPTY_FORM) as FaultFilter) : fromUrl;
  const checked = toFilter(form);
  const problem = isProblem(checked) ? checked : null;
  const faults = useFaultPage(faultQuery(applied, order, 0));
  const sources = useFaultSources();
  const exporter = useExportFaults();
  const marked = new Set(activeFields(form));

  const apply = (next: FaultForm) => {
    setForm(next);
    if (!isProblem(toFilter(next))) replaceHashParams('faults', { ...formParams(next), ...orderParams(order) });
  };
  const setOrder = (next: FaultOrder) => replaceHashParams('faults', { ...formParams(fromAddress), ...orderParams(next) });
  const text = (field: 'search' | 'spn' | 'fmi' | 'from' | 'to') => ({
    value: form[field],
    onChange: (e: ChangeEvent<HTMLInputElement>) => apply({ ...form, [field]: e.target.value }),
    'aria-invalid': problem?.field === field ? true : undefined,
    className: `input${field === 'from' || field === 'to' ? ' input-date' : field === 'search' ? '' : ' input-narrow'}${marked.has(field) ? ' input-set' : ''}`,
  });

  return (
    <>
      <PageHeader
        title="Faults"
        description="Every fault code across the fleet, worst and newest first."
        actions={
          <button
            type="button"
            className="button"
            onClick={() => exporter.mutate(applied)}
            disabled={exporter.isPending || !faults.data?.total}
          >
            {exporter.isPending ? 'Exporting…' : `Export ${faults.data ? plural(faults.data.total, 'row') : ''} to CSV`}
          </button>
        }
      />
      <ExportResult exporter={exporter} rowName="fault" />
      <form className="toolbar filter-bar" aria-label="Filter faults" onSubmit={(e) => e.preventDefault()}>
        <input type="search" placeholder="Unit or VIN" aria-label="Unit or VIN" {...text('search')} />
        <select
          className={`input${marked.has('severity') ? ' input-set' : ''}`}
          aria-label="Severity"
          value={form.severity}
          onChange={(e) => apply({ ...form, severity: e.target.value as FaultForm['severity'] })}
        >
          <option value="any">Any severity</option>
          <option value="critical">Critical</option>
          <option value="major">Major</option>
          <option value="minor">Minor</option>
          <option value="info">Info</option>
        </select>
        <label className={`check${marked.has('activeOnly') ? ' check-set' : ''}`}>
          <input
            type="checkbox"
            checked={form.activeOnly}
            onChange={(e) => apply({ ...form, activeOnly: e.target.checked })}
          />
          Active only
        </label>
        <input inputMode="numeric" placeholder="SPN" aria-label="SPN" {...text('spn')} />
        <input inputMode="numeric" placeholder="FMI" aria-label="FMI" {...text('fmi')} />
        <select
          className={`input input-source${marked.has('sourceAddress') ? ' input-set' : ''}`}
          aria-label="Source"
          value={form.sourceAddress}
          onChange={(e) => apply({ ...form, sourceAddress: e.target.value })}
        >
          <option value="">Any source</option>
          {/* An address from a link that no fault has (yet) still shows what is applied. */}
          {form.sourceAddress !== '' && !sources.data?.some((s) => String(s.address) === form.sourceAddress) ? (
            <option value={form.sourceAddress}>SA {form.sourceAddress}</option>
          ) : null}
          {sources.data?.map((source) => (
            <option key={source.address} value={String(source.address)}>
              {source.name}
            </option>
          ))}
        </select>
        <input placeholder="From YYYY-MM-DD" aria-label="Seen from" {...text('from')} />
        <input placeholder="Until YYYY-MM-DD" aria-label="Seen until" {...text('to')} />
        {marked.size > 0 ? (
          <button type="button" className="link-button" onClick={() => apply(EMPTY_FORM)}>
            Clear filters
          </button>
        ) : null}
        {problem ? (
          <span className="form-error form-error-warning" role="alert">
            {problem.message}
          </span>
        ) : null}
      </form>
      {faults.isPending ? (
        <LoadingRegion label="Loading faults">
          <Skeleton className="skeleton-row" />
        </LoadingRegion>
      ) : faults.isError ? (
        <ErrorState what="faults" error={faults.error} onRetry={() => void faults.refetch()} />
      ) : faults.data.total === 0 ? (
        JSON.stringify(applied) === JSON.stringify(toFilter(EMPTY_FORM)) ? (
          <EmptyState icon={<FaultIcon size={28} />} title="No active faults" action={<DemoButton />}>
            <p>When a sync finds fault codes on your trucks, they are listed here, worst first.</p>
          </EmptyState>
        ) : (
          <p className="muted">
            No faults match these filters.{' '}
            <button type="button" className="link-button" onClick={() => apply(EMPTY_FORM)}>
              Clear filters
            </button>
          </p>
        )
      ) : (
        <FaultTable firstPage={faults.data} filter={applied} order={order} onOrder={setOrder} />
      )}
    </>
  );
}

const COLUMNS: { id: string; sort: FaultSort | null; label: string }[] = [
  { id: 'severity', sort: 'severity', label: 'Severity' },
  { id: 'truck', sort: 'truck', label: 'Truck' },
  { id: 'code', sort: 'code', label: 'Code' },
  { id: 'fault', sort: null, label: 'Fault' },
  { id: 'reported', sort: 'last_reported', label: 'Last reported' },
];

interface TableProps {
  firstPage: FaultPage;
  filter: FaultFilter;
  order: FaultOrder;
  onOrder: (order: FaultOrder) => void;
}

/** Every matching episode, a window at a time from SQLite as scrolling reaches it. */
function FaultTable({ firstPage, filter, order, onOrder }: TableProps) {
  const { total } = firstPage;
  const { scroller, virtualizer, items, deeper } = useWindowedRows(total, ROW_HEIGHT, JSON.stringify([filter, order]));
  const deeperPages = useFaultPages(deeper.map((page) => faultQuery(filter, order, page)));
  const rowAt = (index: number) =>
    rowIn(
      index,
      firstPage.faults,
      deeper,
      deeperPages.map((p) => p.data?.faults),
    );

  return (
    <section className="table-card vtable-card ftable" aria-label="Fault list">
      <p className="table-caption muted" role="status">
        {plural(total, 'fault')}
      </p>
      <div className="vtable" role="table" aria-rowcount={total + 1} aria-label="Faults">
        <div className="vtable-head" role="rowgroup">
          <div className="vtable-row" role="row">
            {COLUMNS.map(({ id, sort, label }) => (
              <ColumnHeader
                key={id}
                className={`fcol-${id}`}
                label={label}
                sorted={sort === order.sort}
                descending={order.descending}
                onSort={sort ? () => onOrder(nextFaultOrder(order, sort)) : null}
              />
            ))}
          </div>
        </div>
        <div className="vtable-body" ref={scroller} role="rowgroup">
          <div style={{ height: virtualizer.getTotalSize() }} className="vtable-sizer">
            {items.map((item) => {
              const fault = rowAt(item.index);
              return fault ? (
                <FaultRow key={fault.id} fault={fault} top={item.start} />
              ) : (
                <LoadingRow key={`loading-${item.index}`} top={item.start} />
              );
            })}
          </div>
        </div>
      </div>
    </section>
  );
}

function FaultRow({ fault: f, top }: { fault: FaultListItem; top: number }) {
  const active = f.active && f.clearedAt === null;
  return (
    <div className="vtable-row" role="row" style={{ transform: `translateY(${top}px)` }}>
      <div className="vtable-cell fcol-severity cell-lines" role="cell">
        <Badge tone={SEVERITY[f.severity].tone}>{SEVERITY[f.severity].label}</Badge>
        {active ? null : <span className="muted">inactive</span>}
        {/* A derate that ended is history, not a truck limited now. */}
        {f.derate && active ? <Badge tone="danger">Derate</Badge> : null}
      </div>
      <div className="vtable-cell fcol-truck cell-lines" role="cell">
        <a className="link cell-text" href={hrefForVehicle(f.vehicleId)}>
          {f.unitNumber ? `Unit ${f.unitNumber}` : f.vin}
        </a>
        <span className="cell-faint mono cell-text">{f.vin}</span>
      </div>
      <div className="vtable-cell fcol-code cell-lines mono" role="cell">
        <span>SPN {f.spn}</span>
        <span>FMI {f.fmi}</span>
      </div>
      <div className="vtable-cell fcol-fault cell-lines" role="cell" title={`${f.description} · ${f.sourceName}`}>
        <span className="cell-text">{f.description}</span>
        <span className="cell-faint cell-text">
          {f.sourceName}
          {f.truckStatus ? ' · ' : null}
          {f.truckStatus ? <TruckStatusBadge status={f.truckStatus} since={f.truckStatusSince} /> : null}
        </span>
      </div>
      <div className="vtable-cell fcol-reported cell-lines" role="cell">
        <RelativeTime iso={f.lastSeenAt} className="cell-text" />
        <span className="cell-faint">{f.occurrenceCount} ×</span>
      </div>
    </div>
  );
}

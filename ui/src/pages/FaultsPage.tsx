import { useState, type ChangeEvent } from 'react';
import type { FaultFilter } from '../bindings/FaultFilter';
import type { FaultListItem } from '../bindings/FaultListItem';
import { useExportFaults, useFaults } from '../backend/queries';
import { Badge } from '../components/Badge';
import { TruckStatusBadge } from '../components/TruckStatusBadge';
import { DemoButton } from '../components/DemoButton';
import { PageHeader } from '../components/PageHeader';
import { RelativeTime } from '../components/RelativeTime';
import { FaultIcon } from '../components/icons';
import { EmptyState, ErrorState, LoadingRegion, Skeleton } from '../components/states';
import { EMPTY_FORM, isProblem, toFilter, type FaultForm } from '../lib/faults';
import { plural } from '../lib/format';
import { hrefForVehicle } from '../lib/routes';
import { SEVERITY } from '../lib/vehicles';

/** Rows shown at once; the count and the CSV cover every match. */
const PAGE = 500;

export function FaultsPage() {
  const [form, setForm] = useState<FaultForm>(EMPTY_FORM);
  const [applied, setApplied] = useState<FaultFilter>(() => toFilter(EMPTY_FORM) as FaultFilter);
  const checked = toFilter(form);
  const problem = isProblem(checked) ? checked : null;
  const faults = useFaults(applied, PAGE);
  const exporter = useExportFaults();

  const apply = (next: FaultForm) => {
    setForm(next);
    const filter = toFilter(next);
    if (!isProblem(filter)) setApplied(filter);
  };
  const text = (field: 'spn' | 'sourceAddress' | 'from' | 'to') => ({
    value: form[field],
    onChange: (e: ChangeEvent<HTMLInputElement>) => apply({ ...form, [field]: e.target.value }),
    'aria-invalid': problem?.field === field ? true : undefined,
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
      {exporter.isSuccess ? (
        <p className="stale-banner stale-banner-success" role="status">
          Saved {exporter.data}
        </p>
      ) : null}
      {exporter.isError ? (
        <p className="form-error form-error-error" role="alert">
          The CSV was not saved: {exporter.error.message}
        </p>
      ) : null}
      <form className="toolbar filter-bar" aria-label="Filter faults" onSubmit={(e) => e.preventDefault()}>
        <select
          className="input"
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
        <label className="check">
          <input
            type="checkbox"
            checked={form.activeOnly}
            onChange={(e) => apply({ ...form, activeOnly: e.target.checked })}
          />
          Active only
        </label>
        <input className="input input-narrow" inputMode="numeric" placeholder="SPN" aria-label="SPN" {...text('spn')} />
        <input
          className="input input-narrow"
          inputMode="numeric"
          placeholder="Source address"
          aria-label="Source address"
          {...text('sourceAddress')}
        />
        <label className="check">
          From <input className="input" type="date" aria-label="Seen from" {...text('from')} />
        </label>
        <label className="check">
          To <input className="input" type="date" aria-label="Seen until" {...text('to')} />
        </label>
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
        <FaultTable faults={faults.data.faults} total={faults.data.total} />
      )}
    </>
  );
}

function FaultTable({ faults, total }: { faults: FaultListItem[]; total: number }) {
  return (
    <div className="table-card">
      <p className="table-caption muted" role="status">
        {faults.length < total ? `Showing the first ${faults.length} of ${plural(total, 'fault')}` : plural(total, 'fault')}
      </p>
      <table className="table" aria-label="Faults">
        <thead>
          <tr>
            <th scope="col">Severity</th>
            <th scope="col">Truck</th>
            <th scope="col">Code</th>
            <th scope="col">Fault</th>
            <th scope="col">Source</th>
            <th scope="col">Last seen</th>
          </tr>
        </thead>
        <tbody>
          {faults.map((f) => (
            <tr key={f.id}>
              <td>
                <div className="stack">
                  <Badge tone={SEVERITY[f.severity].tone}>{SEVERITY[f.severity].label}</Badge>
                  {f.active ? null : <span className="muted">{f.clearedAt ? 'cleared' : 'inactive'}</span>}
                  {f.derate ? <Badge tone="danger">Derate</Badge> : null}
                </div>
              </td>
              <td>
                <a className="link" href={hrefForVehicle(f.vehicleId)}>
                  {f.unitNumber ? `Unit ${f.unitNumber}` : f.vin}
                </a>
                <div className="cell-faint mono">{f.vin}</div>
                <TruckStatusBadge status={f.truckStatus} since={f.truckStatusSince} />
              </td>
              <td className="mono">
                SPN {f.spn} / FMI {f.fmi}
              </td>
              <td className="cell-wrap">{f.description}</td>
              <td className="cell-wrap">{f.sourceName}</td>
              <td>
                <RelativeTime iso={f.lastSeenAt} />
                <div className="cell-faint">{f.occurrenceCount} ×</div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

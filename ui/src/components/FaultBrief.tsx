import type { VehicleDetail } from '../bindings/VehicleDetail';
import { DRIVER_ACTION } from '../lib/faults';
import { formatDaysDown } from '../lib/format';
import { formatAbsolute } from '../lib/time';
import { SEVERITY, describeTruck, formatHours, formatMiles } from '../lib/vehicles';

/**
 * One truck's fault brief for the dealer: what the print view (and "Save as PDF") shows instead of
 * the page. Absolute times only: paper does not know when "3 hours ago" was.
 */
export function FaultBrief({ detail, printedAt }: { detail: VehicleDetail; printedAt: string }) {
  const v = detail.vehicle;
  const active = detail.faults.filter((f) => f.active && f.clearedAt === null);
  const openCase = detail.cases.find((c) => !c.closed) ?? null;
  const fact = (label: string, value: string) => (
    <div className="brief-fact">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
  return (
    <article className="fault-brief" aria-label="Fault brief">
      <header className="brief-head">
        <h1>Fault brief · {v.unitNumber ? `Unit ${v.unitNumber}` : v.vin}</h1>
        <p>
          {describeTruck(v)} · VIN {v.vin} · {v.accountName}
        </p>
      </header>
      <dl className="brief-facts">
        {fact('VIN', v.vin)}
        {fact('Unit', v.unitNumber ?? '—')}
        {fact('Last location', detail.location ?? 'not reported')}
        {fact('Odometer', formatMiles(v.odometerMi))}
        {fact('Engine hours', formatHours(v.engineHours))}
        {fact('Engine', v.engine ?? '—')}
        {fact('Health', v.healthBand && v.healthScore !== null ? `${v.healthScore} of 100` : 'not read yet')}
        {fact('Data synced', v.lastSyncedAt ? formatAbsolute(v.lastSyncedAt) : 'never')}
      </dl>

      <h2>Active faults ({active.length})</h2>
      {active.length === 0 ? (
        <p>No active faults at the last sync.</p>
      ) : (
        <table className="brief-table">
          <colgroup>
            {['code', 'source', 'fault', 'urgency', 'seen', 'derate'].map((column) => (
              <col key={column} className={`brief-col-${column}`} />
            ))}
          </colgroup>
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">Source</th>
              <th scope="col">Fault</th>
              <th scope="col">Urgency</th>
              <th scope="col">Seen</th>
              <th scope="col">Derate</th>
            </tr>
          </thead>
          <tbody>
            {active.map((f) => (
              <tr key={f.id}>
                <td className="brief-code">
                  SPN {f.spn}
                  <br />
                  FMI {f.fmi}
                </td>
                <td>{f.sourceName}</td>
                <td>
                  <strong>{f.description}</strong>
                  <br />
                  {f.fmiMeaning}
                </td>
                <td>
                  {f.portalSeverityText ?? SEVERITY[f.severity].label}
                  <br />
                  {DRIVER_ACTION[f.severity]}
                </td>
                <td>
                  {f.occurrenceCount} ×<br />
                  first {formatAbsolute(f.firstSeenAt)}
                  <br />
                  last {formatAbsolute(f.lastSeenAt)}
                </td>
                <td>{f.derate ? `Yes, since ${formatAbsolute(f.derateSince ?? f.firstSeenAt)}` : 'No'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>Service case</h2>
      {openCase ? (
        <p>
          Case {openCase.reference ?? '—'} ({openCase.accountName}): {openCase.status ?? 'open'}
          {openCase.repairStatus && openCase.repairStatus !== openCase.status ? `, ${openCase.repairStatus}` : ''}
          {openCase.openedAt ? `; opened ${formatAbsolute(openCase.openedAt)}` : ''}
          {openCase.daysDown !== null ? `; down ${formatDaysDown(openCase.daysDown)}` : ''}
          {openCase.complaint ? `. Complaint: “${openCase.complaint}”` : ''}
        </p>
      ) : (
        <p>No open service case is known for this truck.</p>
      )}
      <footer className="brief-foot">Printed from TruckIQ {formatAbsolute(printedAt)}. Times are this computer's.</footer>
    </article>
  );
}

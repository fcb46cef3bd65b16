import type { FaultEpisode } from '../bindings/FaultEpisode';
import type { ServiceCase } from '../bindings/ServiceCase';
import { Badge } from './Badge';
import { RelativeTime } from './RelativeTime';
import { formatDaysDown } from '../lib/format';

/**
 * The truck's service cases (Decisiv Asset Management), open first. The published case names no
 * faults, so the faults it covers are the truck's episodes that overlap it in time: the page says
 * "linked by time" wherever it shows them.
 */
export function ServiceCases({ cases, faults }: { cases: ServiceCase[]; faults: FaultEpisode[] }) {
  const byId = new Map(faults.map((f) => [f.id, f]));
  return (
    <div className="case-list">
      {cases.map((c) => {
        const covered = c.faultIds.map((id) => byId.get(id)).filter((f): f is FaultEpisode => f !== undefined);
        return (
          <article key={c.id} className={`card case-card${c.closed ? ' case-closed' : ''}`} aria-label={`Service case ${c.reference ?? c.id}`}>
            <header className="case-head">
              <Badge tone={c.closed ? 'neutral' : 'warning'}>{c.closed ? 'Closed' : 'Open'}</Badge>
              <strong>Case {c.reference ?? '—'}</strong>
              {c.status ? <span>{c.status}</span> : null}
              {c.repairStatus && c.repairStatus !== c.status ? <span className="muted">· {c.repairStatus}</span> : null}
              <span className="muted case-source">from {c.accountName}</span>
            </header>
            <p className="case-facts">
              {c.daysDown !== null ? (
                <span>
                  {c.closed ? 'Was down' : 'Down'} <strong>{formatDaysDown(c.daysDown)}</strong>
                </span>
              ) : null}
              {c.openedAt ? (
                <span className="muted">
                  opened <RelativeTime iso={c.openedAt} />
                </span>
              ) : null}
              {c.closedAt ? (
                <span className="muted">
                  closed <RelativeTime iso={c.closedAt} />
                </span>
              ) : null}
            </p>
            {c.complaint ? <p className="cell-secondary">“{c.complaint}”</p> : null}
            {covered.length > 0 ? (
              <div className="case-faults">
                <span className="fact-label">Faults it covers · linked by time</span>
                <ul>
                  {covered.map((f) => (
                    <li key={f.id}>
                      <span className="mono">
                        SPN {f.spn} / FMI {f.fmi}
                      </span>{' '}
                      {f.description}
                      {f.active && f.clearedAt === null ? null : <span className="muted"> (cleared)</span>}
                    </li>
                  ))}
                </ul>
              </div>
            ) : (
              <p className="muted">No fault of this truck falls within the case (linked by time).</p>
            )}
          </article>
        );
      })}
    </div>
  );
}

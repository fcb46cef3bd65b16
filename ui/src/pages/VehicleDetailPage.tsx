import type { ReactNode } from 'react';
import type { FaultEpisode } from '../bindings/FaultEpisode';
import type { VehicleDetail } from '../bindings/VehicleDetail';
import { useVehicleDetail } from '../backend/queries';
import { Badge } from '../components/Badge';
import { EpisodeTimeline } from '../components/EpisodeTimeline';
import { FaultBrief } from '../components/FaultBrief';
import { MeterChart } from '../components/MeterChart';
import { PageHeader } from '../components/PageHeader';
import { ServiceCases } from '../components/ServiceCases';
import { TruckStatusBadge } from '../components/TruckStatusBadge';
import { RelativeTime } from '../components/RelativeTime';
import { EmptyState, ErrorState, LoadingRegion, Skeleton } from '../components/states';
import { TruckIcon } from '../components/icons';
import { DRIVER_ACTION } from '../lib/faults';
import { hrefFor } from '../lib/routes';
import { earliest, formatSince } from '../lib/time';
import { useNow } from '../lib/useNow';
import { HEALTH_BAND, SEVERITY, describeTruck, formatHours, formatMiles } from '../lib/vehicles';

/** One truck: what is wrong with it now, what was wrong before, and how it has been driven. */
export function VehicleDetailPage({ id }: { id: number }) {
  const detail = useVehicleDetail(id);
  const back = (
    <a className="button button-quiet" href={hrefFor('vehicles')}>
      ← All vehicles
    </a>
  );
  if (detail.isPending) {
    return (
      <>
        <PageHeader title="Vehicle" description="Faults, health and meters of one truck." actions={back} />
        <LoadingRegion label="Loading the vehicle">
          <Skeleton className="skeleton-row" />
        </LoadingRegion>
      </>
    );
  }
  if (detail.isError) {
    return (
      <>
        <PageHeader title="Vehicle" description="Faults, health and meters of one truck." actions={back} />
        {detail.error.code === 'not_found' ? (
          <EmptyState icon={<TruckIcon size={28} />} title="This vehicle is no longer in TruckIQ">
            <p>{detail.error.message}. Its account may have been removed.</p>
          </EmptyState>
        ) : (
          <ErrorState what="the vehicle" error={detail.error} onRetry={() => void detail.refetch()} />
        )}
      </>
    );
  }
  return <Detail detail={detail.data} back={back} />;
}

function Detail({ detail, back }: { detail: VehicleDetail; back: ReactNode }) {
  const v = detail.vehicle;
  const active = detail.faults.filter((f) => f.active && f.clearedAt === null);
  const history = detail.faults.filter((f) => !f.active || f.clearedAt !== null);
  const band = v.healthBand ? HEALTH_BAND[v.healthBand] : null;
  const now = useNow();
  // The longest-running derate is how long the truck has been limited.
  const derateSince = earliest(active.filter((f) => f.derate).map((f) => f.derateSince ?? f.firstSeenAt));
  return (
    <>
      <div className="screen-only">
        <PageHeader
          title={v.unitNumber ? `Unit ${v.unitNumber}` : v.vin}
          description={`${describeTruck(v)} · VIN ${v.vin} · ${v.accountName}`}
          actions={
            <>
              <button type="button" className="button" onClick={() => window.print()} title="A fault brief for the dealer">
                Print / Save as PDF
              </button>
              {back}
            </>
          }
        />
        <section className="vehicle-facts" aria-label="Truck">
          <div className="fact">
            <span className="fact-label">Health</span>
            {band ? (
              <Badge tone={band.tone}>
                {band.label} · {v.healthScore}/100
              </Badge>
            ) : (
              <span className="muted">not read yet</span>
            )}
          </div>
          {v.status ? (
            <div className="fact">
              <span className="fact-label">Status</span>
              <TruckStatusBadge status={v.status} since={v.statusSince} />
              {v.statusSince ? (
                <span className="muted">
                  since <RelativeTime iso={v.statusSince} />
                </span>
              ) : null}
            </div>
          ) : null}
          <div className="fact">
            <span className="fact-label">Engine power</span>
            {derateSince ? (
              <>
                <Badge tone="danger">Derated</Badge>
                <span className="muted">
                  for {formatSince(derateSince, new Date(now))}
                </span>
              </>
            ) : (
              <span>Not derated</span>
            )}
          </div>
          <div className="fact">
            <span className="fact-label">Odometer</span>
            {formatMiles(v.odometerMi)}
          </div>
          <div className="fact">
            <span className="fact-label">Engine hours</span>
            {formatHours(v.engineHours)}
          </div>
          <div className="fact">
            <span className="fact-label">Engine</span>
            {v.engine ?? '—'}
          </div>
          <div className="fact">
            <span className="fact-label">Location</span>
            {detail.location ?? '—'}
          </div>
          <div className="fact">
            <span className="fact-label">Synced</span>
            {v.lastSyncedAt ? <RelativeTime iso={v.lastSyncedAt} /> : '—'}
          </div>
        </section>
        <section className="health-why" aria-label="Why the health score is what it is">
          {detail.healthReasons.length > 0 ? (
            <ul className="reasons">
              {detail.healthReasons.map((reason) => (
                <li key={reason}>{reason}</li>
              ))}
            </ul>
          ) : null}
          <p className="muted health-rule">{detail.healthRule}</p>
        </section>

        {detail.cases.length > 0 ? (
          <>
            <h2 className="section-title">Service</h2>
            <ServiceCases cases={detail.cases} faults={detail.faults} />
          </>
        ) : null}

        <h2 className="section-title">Active faults ({active.length})</h2>
        {active.length === 0 ? (
          <p className="muted">No active faults on the last sync.</p>
        ) : (
          <div className="table-card">
            <table className="table" aria-label="Active faults">
              <thead>
                <tr>
                  <th scope="col">Severity</th>
                  <th scope="col">Code</th>
                  <th scope="col">Fault</th>
                  <th scope="col">Source</th>
                  <th scope="col">Reported</th>
                </tr>
              </thead>
              <tbody>
                {active.map((fault) => (
                  <FaultRow key={fault.id} fault={fault} />
                ))}
              </tbody>
            </table>
          </div>
        )}

        <h2 className="section-title">Fault timeline</h2>
        <EpisodeTimeline faults={detail.faults} now={now} />

        <h2 className="section-title">Fault history ({history.length})</h2>
        {history.length === 0 ? (
          <p className="muted">Nothing has cleared yet: every fault seen is still listed above.</p>
        ) : (
          <ol className="timeline" aria-label="Fault history">
            {history.map((fault) => (
              <li key={fault.id} className="timeline-item">
                <span className="timeline-when">
                  <RelativeTime iso={fault.clearedAt ?? fault.lastSeenAt} />
                </span>
                <span className="mono">
                  SPN {fault.spn} / FMI {fault.fmi}
                </span>{' '}
                {fault.description}{' '}
                <span className="muted">
                  cleared · first reported <RelativeTime iso={fault.firstSeenAt} /> ·{' '}
                  {SEVERITY[fault.severity].label.toLowerCase()}
                </span>
              </li>
            ))}
          </ol>
        )}

        <h2 className="section-title">Odometer and engine hours</h2>
        <MeterChart readings={detail.readings} />
      </div>
      {/* After the page, so the page's own heading stays the first. */}
      <div className="print-only">
        <FaultBrief detail={detail} printedAt={new Date(now).toISOString()} />
      </div>
    </>
  );
}

function FaultRow({ fault }: { fault: FaultEpisode }) {
  const severity = SEVERITY[fault.severity];
  return (
    <tr>
      <td>
        <div className="stack">
          <Badge tone={severity.tone}>{severity.label}</Badge>
          {fault.derate && fault.active ? <Badge tone="danger">Derates the engine</Badge> : null}
        </div>
      </td>
      <td className="mono">
        SPN {fault.spn}
        <br />
        FMI {fault.fmi}
      </td>
      <td className="cell-wrap">
        <div className="driver-action">{DRIVER_ACTION[fault.severity]}</div>
        <div className="cell-primary">{fault.description}</div>
        <div className="cell-secondary">{fault.fmiMeaning}</div>
        {fault.portalSeverityText ? <div className="cell-faint">Portal: {fault.portalSeverityText}</div> : null}
      </td>
      <td className="cell-wrap">{fault.sourceName}</td>
      <td>
        <div className="cell-secondary">
          {fault.occurrenceCount} × · last reported <RelativeTime iso={fault.lastSeenAt} />
        </div>
        <div className="cell-faint">
          first reported <RelativeTime iso={fault.firstSeenAt} />
        </div>
      </td>
    </tr>
  );
}

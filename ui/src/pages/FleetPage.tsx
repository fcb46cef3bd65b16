import type { ReactNode } from 'react';
import type { AccountSummary } from '../bindings/AccountSummary';
import type { FleetSummary } from '../bindings/FleetSummary';
import type { NeedsAction } from '../bindings/NeedsAction';
import { useRunningSyncs } from '../backend/live';
import { shouldReport } from '../backend/errors';
import { useAccounts, useFaultTrend, useFleetSummary } from '../backend/queries';
import { Badge } from '../components/Badge';
import { FaultTrend } from '../components/FaultTrend';
import { PageHeader } from '../components/PageHeader';
import { RelativeTime } from '../components/RelativeTime';
import { CheckCircleIcon, FleetIcon } from '../components/icons';
import { EmptyState, ErrorState, LoadingRegion, Skeleton, StaleBanner } from '../components/states';
import { RUN_STATUS, accountState, formatDaysDown, humaniseKind, needsAttention, plural, runTime } from '../lib/format';
import { formatAbsolute, formatSince, latest } from '../lib/time';
import { hrefFor, hrefForVehicle, hrefWith } from '../lib/routes';
import { useNow } from '../lib/useNow';
import { DemoButton } from '../components/DemoButton';
import { PortalNames } from '../components/PortalNames';
import { GoToAccounts } from './placeholders';

export function FleetPage() {
  const accounts = useAccounts();
  return (
    <>
      <PageHeader title="Fleet" description="How your portal accounts are syncing, at a glance." />
      {accounts.isPending ? (
        <FleetLoading />
      ) : accounts.isError && !accounts.data ? (
        <ErrorState what="the fleet summary" error={accounts.error} onRetry={() => void accounts.refetch()} />
      ) : (
        <>
          {accounts.isError && shouldReport(accounts.error) ? <StaleBanner error={accounts.error} /> : null}
          {accounts.data.length === 0 ? <Welcome /> : <Summary accounts={accounts.data} />}
        </>
      )}
    </>
  );
}

function Summary({ accounts }: { accounts: AccountSummary[] }) {
  const syncedOk = accounts.filter((a) => a.lastRun?.status === 'completed').length;
  const attention = accounts.filter(needsAttention);
  const enabled = accounts.filter((a) => accountState(a).kind === 'enabled').length;
  const never = accounts.filter((a) => a.lastRun === null).length;
  // When data last arrived: a failed run brings none, so it does not count (the tray agrees).
  const lastSync = latest(accounts.map((a) => a.lastSuccessAt));
  return (
    <>
      <SyncLine accounts={accounts} lastSuccess={lastSync} />
      {attention.length > 0 ? (
        <section className="card card-danger" aria-labelledby="attention-heading">
          <header className="card-header">
            <h2 id="attention-heading">Accounts that need you</h2>
            <a className="link" href={hrefFor('accounts')}>
              All accounts
            </a>
          </header>
          <ul className="attention-list">
            {attention.map((account) => (
              <AttentionItem key={account.id} account={account} />
            ))}
          </ul>
        </section>
      ) : null}

      <FleetHealth />

      <h2 className="section-title">Portal accounts</h2>
      <div className="stats" role="list" aria-label="Accounts">
        <Stat label="Accounts" value={accounts.length} detail={`${enabled} enabled`} href={hrefFor('accounts')} />
        <Stat
          label="Last sync completed"
          value={syncedOk}
          detail={never > 0 ? `${plural(never, 'account')} never synced` : plural(accounts.length, 'account')}
          tone={syncedOk > 0 ? 'success' : undefined}
          href={hrefFor('accounts')}
        />
        <Stat
          label="Accounts needing you"
          value={attention.length}
          detail="failed, paused or stale"
          tone={attention.length > 0 ? 'danger' : undefined}
          href={hrefFor('accounts')}
        />
        <Stat
          label="Last successful sync"
          value={lastSync ? <RelativeTime iso={lastSync} /> : 'Never'}
          detail={lastSync ? formatAbsolute(lastSync) : 'no account has synced successfully yet'}
        />
      </div>
    </>
  );
}

/**
 * What syncing is doing now: a running sync is told apart from the last one that brought data,
 * and a failed latest run does not pass for a fresh one.
 */
function SyncLine({ accounts, lastSuccess }: { accounts: AccountSummary[]; lastSuccess: string | null }) {
  const running = useRunningSyncs();
  const names = accounts.filter((a) => running.includes(a.id)).map((a) => a.name);
  const failed = accounts.filter((a) => a.lastRun?.status === 'failed').length;
  return (
    <p className="fleet-sync-line" role="status">
      {names.length > 0 ? (
        <span className="fleet-syncing">
          <span className="spinner" aria-hidden="true" /> Syncing {names.join(', ')}…
        </span>
      ) : null}
      <span>
        {lastSuccess ? (
          <>
            Data from the last successful sync, <RelativeTime iso={lastSuccess} /> ({formatAbsolute(lastSuccess)}).
          </>
        ) : names.length > 0 ? (
          'No data yet: the first sync is under way.'
        ) : (
          'No sync has brought data yet.'
        )}
        {failed > 0 && names.length === 0 ? ` The latest sync of ${plural(failed, 'account')} failed.` : null}
      </span>
    </p>
  );
}

/** The truck cards: each counts trucks, and says what puts a truck in it. */
function TruckCards({ s }: { s: FleetSummary }) {
  return (
    <div className="stats" role="list" aria-label="Trucks">
      <Stat label="Trucks" value={s.trucks} detail={trucksDetail(s)} href={hrefFor('vehicles')} />
      <Stat
        label="Critical trucks"
        value={s.critical}
        detail="a critical fault, or health under 50"
        tone={s.critical > 0 ? 'danger' : undefined}
        href={hrefWith('vehicles', { band: 'critical' })}
      />
      <Stat
        label="Trucks needing attention"
        value={s.attention}
        detail="a major fault, or health 50 to 79"
        href={hrefWith('vehicles', { band: 'attention' })}
      />
      <Stat
        label="Good trucks"
        value={s.good}
        detail="health 80 or more, no major fault"
        tone={s.good > 0 ? 'success' : undefined}
        href={hrefWith('vehicles', { band: 'good' })}
      />
    </div>
  );
}

/** The fault cards: each counts active faults of one severity, across every truck. */
function FaultCards({ s }: { s: FleetSummary }) {
  return (
    <div className="stats stats-3" role="list" aria-label="Active faults">
      <Stat
        label="Active critical faults"
        value={s.activeCritical}
        detail="stop the truck or service at once"
        tone={s.activeCritical > 0 ? 'danger' : undefined}
        href={hrefWith('faults', { severity: 'critical', active: 1 })}
      />
      <Stat
        label="Active major faults"
        value={s.activeMajor}
        detail="service soon"
        href={hrefWith('faults', { severity: 'major', active: 1 })}
      />
      <Stat
        label="Active minor faults"
        value={s.activeMinor}
        detail="at the next service"
        href={hrefWith('faults', { severity: 'minor', active: 1 })}
      />
    </div>
  );
}

/**
 * Under the truck count: what keeps trucks from being seen or on the road, "3 not communicating ·
 * 2 in repair, 6.5 days down in all" (the downtime of the open service cases).
 */
function trucksDetail(s: FleetSummary): string {
  const parts = [
    s.notCommunicating > 0 ? `${plural(s.notCommunicating, 'truck')} not communicating` : null,
    s.inRepair > 0
      ? `${s.inRepair} in repair${s.downtimeDays > 0 ? `, ${formatDaysDown(s.downtimeDays)} down in all` : ''}`
      : null,
    s.unknown > 0 ? `${s.unknown} not read yet` : null,
  ].filter((p) => p !== null);
  return parts.length > 0 ? parts.join(' · ') : 'all read';
}

/** Needs action now, trucks by health band, active faults by tier, and the faults found on the most trucks. */
function FleetHealth() {
  const summary = useFleetSummary();
  if (summary.isPending) return null;
  if (summary.isError) {
    return <ErrorState what="the trucks" error={summary.error} onRetry={() => void summary.refetch()} />;
  }
  const s = summary.data;
  if (s.trucks === 0) {
    return (
      <p className="muted fleet-no-trucks">
        No trucks yet: they appear here after an account's first successful sync.
      </p>
    );
  }
  return (
    <>
      <NeedsActionNow list={s.needsAction} />
      <TruckCards s={s} />
      <FaultCards s={s} />
      <TrendCard />
      <section className="card" aria-labelledby="frequent-heading">
        <header className="card-header">
          <h2 id="frequent-heading">Most frequent active faults</h2>
          <a className="link" href={hrefWith('faults', { active: 1 })}>
            All active faults
          </a>
        </header>
        {s.topFaults.length === 0 ? (
          <p className="all-good">
            <CheckCircleIcon size={18} />
            No active faults on any truck.
          </p>
        ) : (
          <table className="table table-links" aria-label="Most frequent active faults">
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Fault</th>
                <th scope="col">Trucks</th>
              </tr>
            </thead>
            <tbody>
              {s.topFaults.map((f) => {
                const href = hrefWith('faults', { spn: f.spn, fmi: f.fmi, active: 1 });
                return (
                  <tr key={`${f.spn}/${f.fmi}`} onClick={() => (window.location.hash = href)}>
                    <td className="mono">
                      <a className="link" href={href}>
                        SPN {f.spn} / FMI {f.fmi}
                      </a>
                    </td>
                    <td className="cell-wrap">{f.description}</td>
                    <td className="num">{f.trucks}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

/** Derated and critical trucks, worst first, with what it takes to act on each. */
function NeedsActionNow({ list }: { list: NeedsAction }) {
  const now = new Date(useNow());
  return (
    <section className="card needs-action" aria-labelledby="needs-action-heading">
      <header className="card-header">
        <h2 id="needs-action-heading">Needs action now</h2>
        {list.total > list.trucks.length ? (
          <a className="link" href={hrefWith('vehicles', { band: 'critical' })}>
            All {list.total} trucks
          </a>
        ) : null}
      </header>
      {list.trucks.length === 0 ? (
        <p className="all-good">
          <CheckCircleIcon size={18} />
          No truck is derated or critical.
        </p>
      ) : (
        <ul className="action-list">
          {list.trucks.map((t) => (
            <li key={t.vehicleId} className="action-item">
              <a className={`action-truck${t.unitNumber ? '' : ' action-vin'}`} href={hrefForVehicle(t.vehicleId)}>
                {t.unitNumber ? `Unit ${t.unitNumber}` : t.vin}
              </a>
              <span className="action-badges">
                {t.derateSince ? (
                  <Badge tone="danger">Derated {formatSince(t.derateSince, now)}</Badge>
                ) : null}
                {t.healthBand === 'critical' ? (
                  <Badge tone="danger">Critical · {t.healthScore}</Badge>
                ) : t.healthScore !== null ? (
                  <Badge tone="warning">Health {t.healthScore}</Badge>
                ) : null}
              </span>
              <span className="action-fault">
                {t.worstFault ?? 'No active fault listed'}
                {t.criticalSince ? <span className="muted"> · critical for {formatSince(t.criticalSince, now)}</span> : null}
              </span>
              <span className="action-where muted">
                {t.location ?? 'Location not reported'}
                {t.openCase ? ` · Service case ${t.openCase}` : ' · No open service case'}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function AttentionItem({ account }: { account: AccountSummary }) {
  const state = accountState(account);
  const run = account.lastRun;
  const stale = account.stale;
  return (
    <li className="attention-item">
      <div className="attention-line">
        <a className="attention-name link" href={hrefFor('accounts')}>
          {account.name}
        </a>
        {run?.status === 'failed' ? <Badge tone={RUN_STATUS.failed.tone}>{RUN_STATUS.failed.label}</Badge> : null}
        {state.kind === 'paused' ? <Badge tone="danger">Stopped by TruckIQ</Badge> : null}
        {state.kind === 'disabled' ? <Badge tone="neutral">Turned off</Badge> : null}
        {stale ? <Badge tone="warning">Stale</Badge> : null}
        <span className="attention-time">{run ? <RelativeTime iso={runTime(run)} /> : null}</span>
      </div>
      <div className="attention-detail">
        {[
          state.kind === 'paused' ? state.reason : null,
          state.kind === 'disabled' ? 'You turned syncing off for this account.' : null,
          run?.status === 'failed' && state.kind !== 'paused' ? failure(run.errorKind, run.errorMessage) : null,
          stale ? staleness(account.lastSuccessAt) : null,
        ]
          .filter(Boolean)
          .join(' · ')}
      </div>
    </li>
  );
}

function staleness(lastSuccessAt: string | null): string {
  return lastSuccessAt === null
    ? 'It has never synced successfully.'
    : `No new data since ${formatAbsolute(lastSuccessAt)}.`;
}

function failure(kind: string | null, message: string | null): string {
  const text = [kind ? humaniseKind(kind) : null, message].filter(Boolean).join(': ');
  return text || 'The last sync failed.';
}

/** A card with one number; with `href` the whole card opens the list behind the number. */
function Stat({
  label,
  value,
  detail,
  tone,
  href,
}: {
  label: string;
  value: ReactNode;
  detail: string;
  tone?: 'success' | 'danger' | undefined;
  href?: string;
}) {
  const body = (
    <>
      <span className="stat-label">{label}</span>
      <span className="stat-value">{value}</span>
      <span className="stat-detail">{detail}</span>
    </>
  );
  const className = `stat${tone ? ` stat-${tone}` : ''}${href ? ' stat-link' : ''}`;
  return (
    <div role="listitem" className="stat-cell">
      {href ? (
        <a className={className} href={href}>
          {body}
        </a>
      ) : (
        <div className={className}>{body}</div>
      )}
    </div>
  );
}

function Welcome() {
  return (
    <EmptyState icon={<FleetIcon size={28} />} title="No portal accounts yet" action={<><DemoButton /><GoToAccounts /></>}>
      <p>TruckIQ watches your PACCAR trucks for you. Getting started takes three steps:</p>
      <ol className="steps">
        <li>
          <strong>Add a portal account</strong> — your login to <PortalNames />.
        </li>
        <li>
          <strong>Sync</strong> — TruckIQ signs in on a schedule and stores vehicles and fault codes on this
          computer.
        </li>
        <li>
          <strong>Get alerted</strong> — a notification for every new critical fault.
        </li>
      </ol>
    </EmptyState>
  );
}

function FleetLoading() {
  return (
    <LoadingRegion label="Loading the fleet summary…">
      <div className="stats">
        {[0, 1, 2, 3].map((i) => (
          <div className="stat" key={i}>
            <Skeleton className="skeleton-line skeleton-short" />
            <Skeleton className="skeleton-value" />
            <Skeleton className="skeleton-line" />
          </div>
        ))}
      </div>
      <div className="card">
        <Skeleton className="skeleton-line skeleton-short" />
        <Skeleton className="skeleton-line" />
        <Skeleton className="skeleton-line" />
      </div>
    </LoadingRegion>
  );
}

/** Active faults per tier over the last 30 days; nothing while it loads or if it cannot be read. */
function TrendCard() {
  const trend = useFaultTrend(30);
  if (!trend.data || trend.data.length < 2) return null;
  return (
    <section className="card fleet-trend" aria-labelledby="trend-heading">
      <header className="card-header">
        <h2 id="trend-heading">Active faults, last 30 days</h2>
      </header>
      <FaultTrend points={trend.data} />
    </section>
  );
}

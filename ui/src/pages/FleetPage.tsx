import type { ReactNode } from 'react';
import type { AccountSummary } from '../bindings/AccountSummary';
import type { FleetSummary } from '../bindings/FleetSummary';
import { shouldReport } from '../backend/errors';
import { useAccounts, useFleetSummary } from '../backend/queries';
import { Badge } from '../components/Badge';
import { PageHeader } from '../components/PageHeader';
import { RelativeTime } from '../components/RelativeTime';
import { CheckCircleIcon, FleetIcon } from '../components/icons';
import { EmptyState, ErrorState, LoadingRegion, Skeleton, StaleBanner } from '../components/states';
import { RUN_STATUS, accountState, formatDaysDown, humaniseKind, needsAttention, plural, runTime } from '../lib/format';
import { formatAbsolute, latest } from '../lib/time';
import { hrefFor } from '../lib/routes';
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
      <div className="stats" role="list" aria-label="Summary">
        <Stat label="Portal accounts" value={accounts.length} detail={`${enabled} enabled`} />
        <Stat
          label="Synced OK"
          value={syncedOk}
          detail={never > 0 ? `${never} never synced` : 'last run completed'}
          tone={syncedOk > 0 ? 'success' : undefined}
        />
        <Stat
          label="Need attention"
          value={attention.length}
          detail="failed, paused or stale"
          tone={attention.length > 0 ? 'danger' : undefined}
        />
        <Stat
          label="Last sync"
          value={lastSync ? <RelativeTime iso={lastSync} /> : 'Never'}
          detail={lastSync ? formatAbsolute(lastSync) : 'no account has synced successfully yet'}
        />
      </div>

      <FleetHealth />

      <section className="card" aria-labelledby="attention-heading">
        <header className="card-header">
          <h2 id="attention-heading">Needs attention</h2>
          <a className="link" href={hrefFor('accounts')}>
            All accounts
          </a>
        </header>
        {attention.length === 0 ? (
          <p className="all-good">
            <CheckCircleIcon size={18} />
            Every account is enabled, its last sync did not fail and its data is fresh.
          </p>
        ) : (
          <ul className="attention-list">
            {attention.map((account) => (
              <AttentionItem key={account.id} account={account} />
            ))}
          </ul>
        )}
      </section>
    </>
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

/** Trucks by health band, active faults by tier, and the faults found on the most trucks. */
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
      <div className="stats" role="list" aria-label="Trucks">
        <Stat label="Trucks" value={s.trucks} detail={trucksDetail(s)} />
        <Stat
          label="Critical"
          value={s.critical}
          detail={`${s.activeCritical} critical faults active`}
          tone={s.critical > 0 ? 'danger' : undefined}
        />
        <Stat label="Attention" value={s.attention} detail={`${s.activeMajor} major faults active`} />
        <Stat label="Good" value={s.good} detail={`${s.activeMinor} minor faults active`} tone={s.good > 0 ? 'success' : undefined} />
      </div>
      <section className="card" aria-labelledby="frequent-heading">
        <header className="card-header">
          <h2 id="frequent-heading">Most frequent active faults</h2>
          <a className="link" href={hrefFor('vehicles')}>
            All trucks
          </a>
        </header>
        {s.topFaults.length === 0 ? (
          <p className="all-good">
            <CheckCircleIcon size={18} />
            No active faults on any truck.
          </p>
        ) : (
          <table className="table" aria-label="Most frequent active faults">
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Fault</th>
                <th scope="col">Trucks</th>
              </tr>
            </thead>
            <tbody>
              {s.topFaults.map((f) => (
                <tr key={`${f.spn}/${f.fmi}`}>
                  <td className="mono">
                    SPN {f.spn} / FMI {f.fmi}
                  </td>
                  <td className="cell-wrap">{f.description}</td>
                  <td className="num">{f.trucks}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

function AttentionItem({ account }: { account: AccountSummary }) {
  const state = accountState(account);
  const run = account.lastRun;
  const stale = account.stale;
  return (
    <li className="attention-item">
      <div className="attention-line">
        <span className="attention-name">{account.name}</span>
        {run?.status === 'failed' ? <Badge tone={RUN_STATUS.failed.tone}>{RUN_STATUS.failed.label}</Badge> : null}
        {state.kind === 'paused' ? <Badge tone="warning">Paused</Badge> : null}
        {state.kind === 'disabled' ? <Badge tone="neutral">Disabled</Badge> : null}
        {stale ? <Badge tone="warning">Stale</Badge> : null}
        <span className="attention-time">{run ? <RelativeTime iso={runTime(run)} /> : null}</span>
      </div>
      <div className="attention-detail">
        {[
          state.kind === 'paused' ? state.reason : null,
          state.kind === 'disabled' ? 'Syncing is turned off for this account.' : null,
          run?.status === 'failed' ? failure(run.errorKind, run.errorMessage) : null,
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

function Stat({
  label,
  value,
  detail,
  tone,
}: {
  label: string;
  value: ReactNode;
  detail: string;
  tone?: 'success' | 'danger' | undefined;
}) {
  return (
    <div className={tone ? `stat stat-${tone}` : 'stat'} role="listitem">
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      <div className="stat-detail">{detail}</div>
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

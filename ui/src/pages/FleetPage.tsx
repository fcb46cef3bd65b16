import type { ReactNode } from 'react';
import type { AccountSummary } from '../bindings/AccountSummary';
import { shouldReport } from '../backend/errors';
import { useAccounts } from '../backend/queries';
import { Badge } from '../components/Badge';
import { PageHeader } from '../components/PageHeader';
import { RelativeTime } from '../components/RelativeTime';
import { CheckCircleIcon, FleetIcon } from '../components/icons';
import { EmptyState, ErrorState, LoadingRegion, Skeleton, StaleBanner } from '../components/states';
import { RUN_STATUS, accountState, humaniseKind, needsAttention, runTime } from '../lib/format';
import { formatAbsolute, latest } from '../lib/time';
import { hrefFor } from '../lib/routes';
import { DemoButton } from '../components/DemoButton';
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
  const lastSync = latest(accounts.map((a) => (a.lastRun ? runTime(a.lastRun) : null)));
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
          detail="failed or paused"
          tone={attention.length > 0 ? 'danger' : undefined}
        />
        <Stat
          label="Last sync"
          value={lastSync ? <RelativeTime iso={lastSync} /> : 'Never'}
          detail={lastSync ? formatAbsolute(lastSync) : 'no account has synced yet'}
        />
      </div>

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
            Every account is enabled and its last sync did not fail.
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

function AttentionItem({ account }: { account: AccountSummary }) {
  const state = accountState(account);
  const run = account.lastRun;
  return (
    <li className="attention-item">
      <div className="attention-line">
        <span className="attention-name">{account.name}</span>
        {run?.status === 'failed' ? <Badge tone={RUN_STATUS.failed.tone}>{RUN_STATUS.failed.label}</Badge> : null}
        {state.kind === 'paused' ? <Badge tone="warning">Paused</Badge> : null}
        {state.kind === 'disabled' ? <Badge tone="neutral">Disabled</Badge> : null}
        <span className="attention-time">{run ? <RelativeTime iso={runTime(run)} /> : null}</span>
      </div>
      <div className="attention-detail">
        {[
          state.kind === 'paused' ? state.reason : null,
          state.kind === 'disabled' ? 'Syncing is turned off for this account.' : null,
          run?.status === 'failed' ? failure(run.errorKind, run.errorMessage) : null,
        ]
          .filter(Boolean)
          .join(' · ')}
      </div>
    </li>
  );
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
          <strong>Add a portal account</strong> — your TruckTech+ or PACCAR Solutions login.
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

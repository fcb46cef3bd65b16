import type { AccountSummary } from '../bindings/AccountSummary';
import type { RunSummary } from '../bindings/RunSummary';
import { shouldReport } from '../backend/errors';
import { isRunning, useSyncProgress } from '../backend/live';
import { useState } from 'react';
import {
  useAccounts,
  useLayoutCheck,
  useRemoveAccount,
  useSetAccountEnabled,
  useSyncNow,
  useTestSignIn,
  useReauthorizeApi,
} from '../backend/queries';
import { AccountForm } from '../components/AccountForm';
import { LayoutCheckPanel } from '../components/LayoutCheck';
import { PortalNames } from '../components/PortalNames';
import { RunHistory } from '../components/RunHistory';
import { Badge } from '../components/Badge';
import { DemoButton } from '../components/DemoButton';
import { SyncProgressBar } from '../components/SyncProgressBar';
import { PageHeader } from '../components/PageHeader';
import { RelativeTime } from '../components/RelativeTime';
import { KeyIcon, RefreshIcon } from '../components/icons';
import { EmptyState, ErrorState, LoadingRegion, Skeleton, StaleBanner } from '../components/states';
import {
  RUN_STATUS,
  accountState,
  formatInterval,
  humaniseKind,
  runCounts,
  runTime,
} from '../lib/format';

export function AccountsPage() {
  const accounts = useAccounts();
  const syncAll = useSyncNow();
  // null: closed; 'new': adding; an account: editing it.
  const [editing, setEditing] = useState<AccountSummary | 'new' | null>(null);
  // The account whose portal layout is being checked, and the check (it signs in: only on a click).
  const [checking, setChecking] = useState<AccountSummary | null>(null);
  const layout = useLayoutCheck();
  const checkLayout = (account: AccountSummary) => {
    setChecking(account);
    layout.mutate(account.id);
  };
  const refresh = (
    <>
      <button type="button" className="button" onClick={() => setEditing('new')} disabled={editing !== null}>
        <KeyIcon size={15} />
        Add account
      </button>
      <button
        type="button"
        className="button button-quiet"
        onClick={() => void accounts.refetch()}
        disabled={accounts.isFetching}
      >
        <RefreshIcon size={15} />
        Refresh
      </button>
      {accounts.data?.length ? (
        <button
          type="button"
          className="button button-primary"
          onClick={() => syncAll.mutate(null)}
          disabled={syncAll.isPending}
        >
          <RefreshIcon size={15} />
          Sync all now
        </button>
      ) : null}
    </>
  );
  return (
    <>
      <PageHeader
        title="Accounts"
        description="The portal logins TruckIQ syncs from, and how their last sync went."
        actions={accounts.data ? refresh : undefined}
      />
      {editing !== null ? (
        <AccountForm
          key={editing === 'new' ? 'new' : editing.id}
          account={editing === 'new' ? null : editing}
          onDone={() => setEditing(null)}
        />
      ) : null}
      {checking !== null ? (
        <LayoutCheckPanel
          key={checking.id}
          account={checking}
          check={layout}
          onAgain={() => layout.mutate(checking.id)}
          onClose={() => {
            setChecking(null);
            layout.reset();
          }}
        />
      ) : null}
      <AccountsBody query={accounts} onEdit={setEditing} onCheckLayout={checkLayout} />
    </>
  );
}

function AccountsBody({
  query,
  onEdit,
  onCheckLayout,
}: {
  query: ReturnType<typeof useAccounts>;
  onEdit: (account: AccountSummary) => void;
  onCheckLayout: (account: AccountSummary) => void;
}) {
  if (query.isPending) return <AccountsLoading />;
  if (query.isError && !query.data) {
    return <ErrorState what="accounts" error={query.error} onRetry={() => void query.refetch()} />;
  }
  const accounts = query.data ?? [];
  return (
    <>
      {query.isError && shouldReport(query.error) ? <StaleBanner error={query.error} /> : null}
      {accounts.length === 0 ? <NoAccounts /> : <AccountsTable accounts={accounts} onEdit={onEdit} onCheckLayout={onCheckLayout} />}
    </>
  );
}

export function NoAccounts() {
  return (
    <EmptyState icon={<KeyIcon size={28} />} title="No portal accounts yet" action={<DemoButton />}>
      <p>
        An account is a login to <PortalNames />. TruckIQ signs in with it on a schedule and brings your
        vehicles and fault codes here.
      </p>
      <p>
        No login at hand? The demo fleet is two simulated PACCAR portals inside TruckIQ, 90 trucks whose
        faults come and go (some stop communicating or go in for repair), synced exactly like real
        accounts.
      </p>
      <p className="empty-state-note">
        Use <strong>Add account</strong> above, or <code>truckiq accounts add</code> in a terminal.
      </p>
    </EmptyState>
  );
}

/** Column widths and headings, shared by the table and its loading skeleton so they line up. */
function AccountsTableHead() {
  return (
    <>
      <colgroup>
        <col className="col-account" />
        <col className="col-username" />
        <col className="col-sync" />
        <col className="col-run" />
      </colgroup>
      <thead>
        <tr>
          <th scope="col">Account</th>
          <th scope="col">Username</th>
          <th scope="col">Sync</th>
          <th scope="col">Last run</th>
        </tr>
      </thead>
    </>
  );
}

function AccountsTable({
  accounts,
  onEdit,
  onCheckLayout,
}: {
  accounts: AccountSummary[];
  onEdit: (a: AccountSummary) => void;
  onCheckLayout: (a: AccountSummary) => void;
}) {
  return (
    <div className="table-card">
      <table className="table">
        <AccountsTableHead />
        <tbody>
          {accounts.map((account) => (
            <tr key={account.id} data-account-id={account.id}>
              <td>
                <div className="cell-primary">{account.name}</div>
                <div className="cell-secondary">{account.portalLabel}</div>
                <div className="cell-faint" title={account.baseUrl}>
                  {hostOf(account.baseUrl)}
                </div>
              </td>
              <td className="cell-username">
                <BreakableUsername username={account.username} />
              </td>
              <td>
                <SyncState account={account} />
              </td>
              <td>
                <RunCell account={account} />
                <AccountActions
                  account={account}
                  onEdit={() => onEdit(account)}
                  onCheckLayout={() => onCheckLayout(account)}
                />
                <RunHistory accountId={account.id} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SyncState({ account }: { account: AccountSummary }) {
  const state = accountState(account);
  return (
    <div className="stack">
      {state.kind === 'enabled' ? <Badge tone="success">Enabled</Badge> : null}
      {state.kind === 'paused' ? <Badge tone="warning">Paused</Badge> : null}
      {state.kind === 'disabled' ? <Badge tone="neutral">Disabled</Badge> : null}
      {state.kind === 'paused' ? (
        <div className="cell-secondary cell-wrap">{state.reason}</div>
      ) : (
        <div className="cell-secondary">{formatInterval(account.syncIntervalMinutes)}</div>
      )}
    </div>
  );
}

/** Edit, pause or resume, test the sign-in, check the portal layout, remove (after a second click). */
function AccountActions({
  account,
  onEdit,
  onCheckLayout,
}: {
  account: AccountSummary;
  onEdit: () => void;
  onCheckLayout: () => void;
}) {
  const enable = useSetAccountEnabled();
  const remove = useRemoveAccount();
  const test = useTestSignIn();
  const reauthorize = useReauthorizeApi();
  const [confirming, setConfirming] = useState(false);
  const api = account.portalKind === 'decisiv_api';
  return (
    <div className="account-actions">
      <button type="button" className="button button-small button-quiet" onClick={onEdit}>
        Edit
      </button>
      <button
        type="button"
        className="button button-small button-quiet"
        onClick={() => enable.mutate({ id: account.id, enabled: !account.enabled })}
      >
        {account.enabled ? 'Pause' : 'Resume'}
      </button>
      <button
        type="button"
        className="button button-small button-quiet"
        onClick={() => test.mutate(account.id)}
        disabled={test.isPending}
      >
        {test.isPending ? 'Signing in…' : 'Test sign-in'}
      </button>
      {api && account.pausedReason !== null ? (
        <button
          type="button"
          className="button button-small button-primary"
          onClick={() => reauthorize.mutate(account.id)}
          disabled={reauthorize.isPending}
          title="Opens Decisiv's sign-in page in a browser window; every account of this authorization resumes"
        >
          {reauthorize.isPending ? 'Waiting for you to sign in…' : 'Sign in to Decisiv again'}
        </button>
      ) : null}
      {api ? null : (
        <button
          type="button"
          className="button button-small button-quiet"
          onClick={onCheckLayout}
          disabled={account.pausedReason !== null}
          title={account.pausedReason ? 'Paused: set the password again first (the check signs in)' : undefined}
        >
          Check portal layout
        </button>
      )}
      {confirming ? (
        <button type="button" className="button button-small button-danger" onClick={() => remove.mutate(account.id)}>
          Remove with its data?
        </button>
      ) : (
        <button type="button" className="button button-small button-quiet" onClick={() => setConfirming(true)}>
          Remove
        </button>
      )}
      {test.isSuccess ? (
        <span className="muted" role="status">
          {test.data}
        </span>
      ) : null}
      {test.isError ? (
        <span className="form-error form-error-warning" role="alert">
          {test.error.message}
        </span>
      ) : null}
      {enable.isError || remove.isError || reauthorize.isError ? (
        <span className="form-error form-error-error" role="alert">
          {(enable.error ?? remove.error ?? reauthorize.error)?.message}
        </span>
      ) : null}
    </div>
  );
}

/** The live progress while a sync runs, else the last run; with a "Sync now" button. */
function RunCell({ account }: { account: AccountSummary }) {
  const progress = useSyncProgress(account.id);
  const syncNow = useSyncNow();
  const running = isRunning(progress) || syncNow.isPending;
  return (
    <div className="run-cell">
      {progress && isRunning(progress) ? (
        <SyncProgressBar progress={progress} />
      ) : account.lastRun ? (
        <LastRun run={account.lastRun} />
      ) : (
        <span className="muted">Never synced</span>
      )}
      <button
        type="button"
        className="button button-quiet button-small"
        onClick={() => syncNow.mutate(account.id)}
        disabled={running || account.pausedReason !== null}
        title={account.pausedReason ? 'Paused: set the password again to resume' : undefined}
      >
        <RefreshIcon size={13} />
        {running ? 'Syncing…' : 'Sync now'}
      </button>
      {syncNow.isError ? <p className="form-error form-error-error">{syncNow.error.message}</p> : null}
    </div>
  );
}

function LastRun({ run }: { run: RunSummary }) {
  const status = RUN_STATUS[run.status];
  const failed = run.status === 'failed';
  return (
    <div className="stack">
      <div className="run-line">
        <Badge tone={status.tone}>{status.label}</Badge>
        <RelativeTime iso={runTime(run)} className="muted" />
      </div>
      {failed ? (
        <div className="cell-secondary cell-wrap">
          {run.errorKind ? <strong className="run-error-kind">{humaniseKind(run.errorKind)}</strong> : null}
          {run.errorKind && run.errorMessage ? ': ' : null}
          {run.errorMessage}
        </div>
      ) : (
        <div className="cell-secondary">{runCounts(run)}</div>
      )}
      {run.status === 'partial' && run.errorMessage ? (
        <div className="cell-secondary cell-wrap">{run.errorMessage}</div>
      ) : null}
    </div>
  );
}

function AccountsLoading() {
  return (
    <LoadingRegion label="Loading accounts…">
      <div className="table-card">
        <table className="table">
          <AccountsTableHead />
          <tbody>
            {[0, 1, 2].map((row) => (
              <tr key={row}>
                {[0, 1, 2, 3].map((cell) => (
                  <td key={cell}>
                    <Skeleton className="skeleton-line" />
                    {cell !== 1 ? <Skeleton className="skeleton-line skeleton-short" /> : null}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </LoadingRegion>
  );
}

/** E-mail style usernames may wrap after the "@", never mid-word. */
function BreakableUsername({ username }: { username: string }) {
  const at = username.indexOf('@');
  if (at <= 0) return <>{username}</>;
  return (
    <>
      {username.slice(0, at)}
      <wbr />
      {username.slice(at)}
    </>
  );
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

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
import { formatAbsolute } from '../lib/time';
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
    <ul className="account-cards" aria-label="Portal accounts">
      {accounts.map((account) => (
        <li key={account.id} className="card account-card" data-account-id={account.id}>
          <header className="account-card-head">
            <div className="account-card-title">
              <h2 className="cell-primary">{account.name}</h2>
              <div className="cell-secondary">
                {account.portalLabel} · <span title={account.baseUrl}>{hostOf(account.baseUrl)}</span>
              </div>
              <div className="cell-faint cell-username">
                <BreakableUsername username={account.username} />
              </div>
            </div>
            <SyncState account={account} />
          </header>
          <AccountProblem account={account} onEdit={() => onEdit(account)} />
          <RunCell account={account} />
          <AccountActions
            // A new run or pause starts the actions afresh: no old test result stays beside a new problem.
            key={`${account.lastRun?.id ?? 0}-${account.pausedReason ?? ''}`}
            account={account}
            onEdit={() => onEdit(account)}
            onCheckLayout={() => onCheckLayout(account)}
          />
          <RunHistory accountId={account.id} />
        </li>
      ))}
    </ul>
  );
}

/**
 * Who stopped syncing decides the words: TruckIQ stops an account whose password or code the
 * portal refused (sending it again would lock the account), a person turns one off.
 */
function SyncState({ account }: { account: AccountSummary }) {
  const state = accountState(account);
  return (
    <div className="account-state">
      {state.kind === 'enabled' ? <Badge tone="success">Syncing {formatInterval(account.syncIntervalMinutes)}</Badge> : null}
      {state.kind === 'paused' ? <Badge tone="danger">Stopped by TruckIQ</Badge> : null}
      {state.kind === 'disabled' ? <Badge tone="neutral">Turned off</Badge> : null}
    </div>
  );
}

/** A sentence: a capital first and a full stop last. */
function sentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return trimmed;
  const capital = trimmed[0]!.toUpperCase() + trimmed.slice(1);
  return /[.!?)]$/.test(capital) ? capital : `${capital}.`;
}

/** The one thing wrong with an account, said once, with what fixes it beside it. */
function AccountProblem({ account, onEdit }: { account: AccountSummary; onEdit: () => void }) {
  const reauthorize = useReauthorizeApi();
  const state = accountState(account);
  const run = account.lastRun;
  const api = account.portalKind === 'decisiv_api';
  if (state.kind === 'paused') {
    const code = run?.errorKind === 'mfa_rejected';
    return (
      <div className="account-problem">
        <p>
          {sentence(state.reason)} TruckIQ will not sign in again until then, so the portal does not lock the account.
        </p>
        {api ? (
          <button
            type="button"
            className="button button-small button-primary"
            onClick={() => reauthorize.mutate(account.id)}
            disabled={reauthorize.isPending}
            title="Opens Decisiv's sign-in page in a browser window; every account of this authorization resumes"
          >
            {reauthorize.isPending ? 'Waiting for you to sign in…' : 'Sign in to Decisiv again'}
          </button>
        ) : (
          <button type="button" className="button button-small button-primary" onClick={onEdit}>
            {code ? 'Update TOTP secret' : 'Update password'}
          </button>
        )}
        {reauthorize.isError ? (
          <span className="form-error form-error-error">{reauthorize.error.message}</span>
        ) : null}
      </div>
    );
  }
  if (state.kind === 'disabled') {
    return (
      <p className="account-note">
        You turned syncing off for this account. Its trucks stay as last synced; Sync now still reads it once.
      </p>
    );
  }
  if (run?.status === 'failed') {
    return (
      <div className="account-problem account-problem-warning">
        <p>{sentence(failureWords(run))} TruckIQ tries again at the next scheduled sync.</p>
      </div>
    );
  }
  if (account.stale) {
    return (
      <p className="account-note account-note-warning">
        {account.lastSuccessAt
          ? `No new data since ${formatAbsolute(account.lastSuccessAt)}.`
          : 'It has never synced successfully.'}
      </p>
    );
  }
  return null;
}

function failureWords(run: RunSummary): string {
  const kind = run.errorKind ? humaniseKind(run.errorKind) : null;
  return [kind, run.errorMessage].filter(Boolean).join(': ') || 'The last sync failed';
}

/** Edit, turn syncing off or on, test the sign-in, check the portal layout, remove (after a second click). */
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
        {account.enabled ? 'Turn syncing off' : 'Turn syncing on'}
      </button>
      <button
        type="button"
        className="button button-small button-quiet"
        onClick={() => test.mutate(account.id)}
        disabled={test.isPending || account.pausedReason !== null}
        title={account.pausedReason ? 'Update the password first: a refused one is not sent again' : undefined}
      >
        {test.isPending ? 'Signing in…' : 'Test sign-in'}
      </button>
      {api ? null : (
        <button
          type="button"
          className="button button-small button-quiet"
          onClick={onCheckLayout}
          disabled={account.pausedReason !== null}
          title={account.pausedReason ? 'Update the password first: the check signs in' : undefined}
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
      {enable.isError || remove.isError ? (
        <span className="form-error form-error-error" role="alert">
          {(enable.error ?? remove.error)?.message}
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
        aria-describedby={account.pausedReason ? `sync-off-${account.id}` : undefined}
      >
        <RefreshIcon size={13} />
        {running ? 'Syncing…' : 'Sync now'}
      </button>
      {account.pausedReason && !running ? (
        <span className="muted" id={`sync-off-${account.id}`}>
          Sync now waits for the new {account.portalKind === 'decisiv_api' ? 'sign-in' : 'password'}.
        </span>
      ) : null}
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
      {/* A failure's words are in the problem line above, once. */}
      {failed ? null : <div className="cell-secondary">{runCounts(run)}</div>}
      {run.status === 'partial' && run.errorMessage ? (
        <div className="cell-secondary cell-wrap">{run.errorMessage}</div>
      ) : null}
    </div>
  );
}

function AccountsLoading() {
  return (
    <LoadingRegion label="Loading accounts…">
      <div className="account-cards">
        {[0, 1, 2].map((card) => (
          <div className="card account-card" key={card}>
            <Skeleton className="skeleton-line skeleton-short" />
            <Skeleton className="skeleton-line" />
            <Skeleton className="skeleton-line skeleton-short" />
          </div>
        ))}
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

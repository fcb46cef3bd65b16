import { useState } from 'react';
import type { RunSummary } from '../bindings/RunSummary';
import { useRunScreenshot, useRuns } from '../backend/queries';
import { Badge } from './Badge';
import { RelativeTime } from './RelativeTime';
import { RUN_STATUS, humaniseKind, runCounts } from '../lib/format';

/** The last runs of an account, with what went wrong and, when a page changed, what it looked like. */
export function RunHistory({ accountId }: { accountId: number }) {
  const [open, setOpen] = useState(false);
  const runs = useRuns(accountId, open);
  return (
    <div className="run-history">
      <button
        type="button"
        className="link-button"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        {open ? 'Hide run history' : 'Run history'}
      </button>
      {open ? (
        runs.isPending ? (
          <p className="muted">Loading runs…</p>
        ) : runs.isError ? (
          <p className="form-error form-error-error">{runs.error.message}</p>
        ) : runs.data.length === 0 ? (
          <p className="muted">No runs yet.</p>
        ) : (
          <ol className="run-list" aria-label="Run history">
            {runs.data.map((run) => (
              <RunItem key={run.id} accountId={accountId} run={run} />
            ))}
          </ol>
        )
      ) : null}
    </div>
  );
}

function duration(run: RunSummary): string | null {
  if (!run.finishedAt) return null;
  const seconds = Math.max(0, Math.round((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000));
  return seconds < 90 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
}

function RunItem({ accountId, run }: { accountId: number; run: RunSummary }) {
  const [showShot, setShowShot] = useState(false);
  const shot = useRunScreenshot(accountId, run.id, showShot);
  const status = RUN_STATUS[run.status];
  const took = duration(run);
  return (
    <li className="run-item">
      <div className="run-line">
        <Badge tone={status.tone}>{status.label}</Badge>
        <RelativeTime iso={run.startedAt} className="muted" />
        {took ? <span className="muted">· {took}</span> : null}
        {run.attempt > 1 ? <span className="muted">· attempt {run.attempt}</span> : null}
        <span className="muted">· {run.trigger}</span>
      </div>
      {run.status === 'completed' || run.status === 'partial' ? (
        <div className="cell-secondary">
          {runCounts(run)} · {run.faultsOpened} new, {run.faultsClosed} cleared
          {run.vehiclesFailed > 0 ? ` · ${run.vehiclesFailed} trucks unread` : ''}
        </div>
      ) : null}
      {run.errorMessage ? (
        <div className="cell-secondary cell-wrap">
          {run.errorKind ? <strong>{humaniseKind(run.errorKind)}</strong> : null}
          {run.errorKind ? ': ' : null}
          {run.errorMessage}
        </div>
      ) : null}
      {run.screenshotPath ? (
        <div>
          <button type="button" className="link-button" onClick={() => setShowShot(!showShot)}>
            {showShot ? 'Hide the page TruckIQ saw' : 'Show the page TruckIQ saw'}
          </button>
          {showShot && shot.data ? (
            <img className="run-shot" src={shot.data} alt={`The portal page when run ${run.id} stopped`} />
          ) : null}
          {showShot && shot.isError ? <p className="form-error form-error-error">{shot.error.message}</p> : null}
          {run.htmlPath ? <div className="cell-faint path">HTML kept at {run.htmlPath}</div> : null}
        </div>
      ) : null}
    </li>
  );
}

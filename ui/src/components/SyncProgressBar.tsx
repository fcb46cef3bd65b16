import type { SyncProgress } from '../bindings/SyncProgress';
import type { SyncStep } from '../bindings/SyncStep';

const STEP_LABEL: Record<SyncStep, string> = {
  started: 'Starting',
  signing_in: 'Signing in',
  waiting_for_person: 'Finish signing in in the browser window',
  listing: 'Listing vehicles',
  reading: 'Reading diagnostics',
  retrying: 'Retrying',
  finished: 'Done',
  failed: 'Failed',
};

/** A running sync: its step and, while diagnostics are read, trucks done out of the total. */
export function SyncProgressBar({ progress }: { progress: SyncProgress }) {
  const { done, total, step } = progress;
  const counted = done !== null && total !== null && total > 0;
  const label = counted ? `${STEP_LABEL[step]} ${done} / ${total}` : STEP_LABEL[step];
  return (
    <div className="sync-progress">
      <div
        className={`sync-progress-track${counted ? '' : ' sync-progress-indeterminate'}`}
        role="progressbar"
        aria-label="Sync progress"
        aria-valuetext={label}
        aria-valuemin={counted ? 0 : undefined}
        aria-valuemax={counted ? total : undefined}
        aria-valuenow={counted ? done : undefined}
      >
        <div className="sync-progress-fill" style={counted ? { width: `${(100 * done) / total}%` } : undefined} />
      </div>
      <div className="cell-secondary">{label}</div>
      {progress.message ? <div className="cell-secondary cell-wrap">{progress.message}</div> : null}
    </div>
  );
}

import type { ReactNode } from 'react';
import type { IpcError } from '../bindings/IpcError';
import { classifyError } from '../backend/errors';
import { AlertCircleIcon, RefreshIcon } from './icons';

/** A designed "nothing here yet": what will appear, and what to do to get it. */
export function EmptyState({
  icon,
  title,
  children,
  action,
}: {
  icon: ReactNode;
  title: string;
  children: ReactNode;
  action?: ReactNode;
}) {
  return (
    <section className="empty-state" aria-label={title}>
      <div className="empty-state-icon">{icon}</div>
      <h2>{title}</h2>
      <div className="empty-state-body">{children}</div>
      {action ? <div className="empty-state-action">{action}</div> : null}
    </section>
  );
}

/** A failed load: the classified heading, the backend's own message and a way to try again. */
export function ErrorState({ what, error, onRetry }: { what: string; error: IpcError; onRetry?: () => void }) {
  const { treatment, title } = classifyError(error);
  return (
    <section className={`error-state error-state-${treatment}`} role="alert">
      <div className="error-state-icon">
        <AlertCircleIcon size={20} />
      </div>
      <div className="error-state-text">
        <h2>
          Couldn’t load {what}
          <span className="error-state-title"> · {title}</span>
        </h2>
        <p className="error-state-message">{error.message}</p>
        <p className="error-state-code">Error code: {error.code}</p>
      </div>
      {onRetry ? (
        <button type="button" className="button" onClick={onRetry}>
          <RefreshIcon size={15} />
          Try again
        </button>
      ) : null}
    </section>
  );
}

/** A banner shown above data that is still displayed but could not be refreshed. */
export function StaleBanner({ error }: { error: IpcError }) {
  return (
    <p className={`stale-banner stale-banner-${classifyError(error).treatment}`} role="status">
      <AlertCircleIcon size={16} />
      Showing the last data loaded: refreshing failed ({error.message}).
    </p>
  );
}

/** Placeholder blocks while a query is in flight. */
export function Skeleton({ className }: { className?: string }) {
  return <span className={`skeleton ${className ?? ''}`} aria-hidden="true" />;
}

export function LoadingRegion({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="loading-region" aria-busy="true">
      <span className="visually-hidden" role="status">
        {label}
      </span>
      {children}
    </div>
  );
}

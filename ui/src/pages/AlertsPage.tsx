import type { Alert } from '../bindings/Alert';
import { shouldReport } from '../backend/errors';
import { useAlertAction, useAlerts, useMuteAlert } from '../backend/queries';
import { Badge } from '../components/Badge';
import { DemoButton } from '../components/DemoButton';
import { PageHeader } from '../components/PageHeader';
import { RelativeTime } from '../components/RelativeTime';
import { BellIcon } from '../components/icons';
import { EmptyState, ErrorState, LoadingRegion, Skeleton, StaleBanner } from '../components/states';
import { ALERT_KIND, groupAlerts } from '../lib/alerts';
import { hrefForVehicle } from '../lib/routes';
import { useNow } from '../lib/useNow';
import { SEVERITY } from '../lib/vehicles';

export function AlertsPage() {
  const alerts = useAlerts();
  const act = useAlertAction();
  const now = useNow();
  const groups = alerts.data ? groupAlerts(alerts.data, new Date(now)) : null;
  const markAll =
    groups && groups.unread.length > 0 ? (
      <button
        type="button"
        className="button"
        onClick={() => act.mutate({ ids: groups.unread.map((a) => a.id), action: { kind: 'read' } })}
        disabled={act.isPending}
      >
        Mark all read
      </button>
    ) : undefined;
  return (
    <>
      <PageHeader title="Alerts" description="What needs your attention, unread first." actions={markAll} />
      {alerts.isPending ? (
        <LoadingRegion label="Loading alerts">
          <Skeleton className="skeleton-row" />
        </LoadingRegion>
      ) : alerts.isError && !alerts.data ? (
        <ErrorState what="alerts" error={alerts.error} onRetry={() => void alerts.refetch()} />
      ) : (
        <>
          {alerts.isError && shouldReport(alerts.error) ? <StaleBanner error={alerts.error} /> : null}
          {groups && alerts.data.length > 0 ? (
            <>
              <AlertGroup
                title={`Unread (${groups.unread.length})`}
                alerts={groups.unread}
                empty="You are all caught up."
                unread
              />
              {groups.snoozed.length > 0 ? <AlertGroup title="Snoozed" alerts={groups.snoozed} /> : null}
              {groups.earlier.length > 0 ? <AlertGroup title="Earlier" alerts={groups.earlier} /> : null}
            </>
          ) : (
            <NoAlerts />
          )}
        </>
      )}
    </>
  );
}

function NoAlerts() {
  return (
    <EmptyState icon={<BellIcon size={28} />} title="No alerts yet" action={<DemoButton />}>
      <p>
        Once accounts sync, TruckIQ raises an alert, with a desktop notification, for every new critical
        fault, and tells you when a sync fails, data goes stale or a portal needs you to sign in.
      </p>
    </EmptyState>
  );
}

function AlertGroup({
  title,
  alerts,
  empty,
  unread = false,
}: {
  title: string;
  alerts: Alert[];
  empty?: string;
  unread?: boolean;
}) {
  return (
    <section className="alert-group" aria-label={title}>
      <h2 className="section-title">{title}</h2>
      {alerts.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <ul className="alert-list">
          {alerts.map((alert) => (
            <AlertItem key={alert.id} alert={alert} unread={unread} />
          ))}
        </ul>
      )}
    </section>
  );
}

function AlertItem({ alert, unread }: { alert: Alert; unread: boolean }) {
  const act = useAlertAction();
  const mute = useMuteAlert();
  const severity = SEVERITY[alert.severity];
  return (
    <li className={`alert-item${unread ? ' alert-unread' : ''}`} data-alert-id={alert.id}>
      <div className="alert-head">
        <Badge tone={severity.tone}>{severity.label}</Badge>
        <span className="alert-kind">{ALERT_KIND[alert.kind]}</span>
        <RelativeTime iso={alert.createdAt} className="muted" />
        {alert.snoozedUntil ? (
          <span className="muted">
            · snoozed until <RelativeTime iso={alert.snoozedUntil} />
          </span>
        ) : null}
      </div>
      <div className="cell-primary">{alert.title}</div>
      {alert.message ? <p className="alert-message">{alert.message}</p> : null}
      <div className="alert-actions">
        {alert.vehicleId !== null ? (
          <a className="button button-small button-quiet" href={hrefForVehicle(alert.vehicleId)}>
            Open truck
          </a>
        ) : null}
        {alert.acknowledgedAt === null ? (
          <button
            type="button"
            className="button button-small"
            onClick={() => act.mutate({ ids: [alert.id], action: { kind: 'acknowledge' } })}
          >
            Acknowledge
          </button>
        ) : (
          <span className="muted">Acknowledged</span>
        )}
        {alert.acknowledgedAt === null ? (
          <button
            type="button"
            className="button button-small button-quiet"
            onClick={() => act.mutate({ ids: [alert.id], action: { kind: 'snooze', hours: 24 } })}
          >
            Snooze a day
          </button>
        ) : null}
        {alert.faultId !== null ? (
          <button
            type="button"
            className="button button-small button-quiet"
            onClick={() => mute.mutate({ alertId: alert.id, scope: 'code' })}
          >
            Mute this fault code
          </button>
        ) : null}
        {alert.vehicleId !== null ? (
          <button
            type="button"
            className="button button-small button-quiet"
            onClick={() => mute.mutate({ alertId: alert.id, scope: 'vehicle' })}
          >
            Mute this truck
          </button>
        ) : null}
        {mute.isSuccess ? <span className="muted" role="status">Muted: no more desktop notifications for it.</span> : null}
        {act.isError || mute.isError ? (
          <span className="form-error form-error-error" role="alert">
            {(act.error ?? mute.error)?.message}
          </span>
        ) : null}
      </div>
    </li>
  );
}

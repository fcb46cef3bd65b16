import type { Alert } from '../bindings/Alert';
import type { MuteScope } from '../bindings/MuteScope';
import { shouldReport } from '../backend/errors';
import { useAlertAction, useAlerts, useMuteAlert, useSaveNotificationPrefs } from '../backend/queries';
import { Badge } from '../components/Badge';
import { DemoButton } from '../components/DemoButton';
import { PageHeader } from '../components/PageHeader';
import { RelativeTime } from '../components/RelativeTime';
import { BellIcon } from '../components/icons';
import { EmptyState, ErrorState, LoadingRegion, Skeleton, StaleBanner } from '../components/states';
import { ALERT_KIND, MUTE_SCOPE, groupAlerts, muteScopes, snoozeChoices } from '../lib/alerts';
import { formatAbsolute } from '../lib/time';
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
  const undo = useSaveNotificationPrefs();
  const now = useNow();
  const severity = SEVERITY[alert.severity];
  const snoozed = alert.snoozedUntil !== null && Date.parse(alert.snoozedUntil) > now;
  const scopes = muteScopes(alert);
  const error = act.error ?? mute.error ?? undo.error;
  return (
    <li className={`alert-item${unread ? ' alert-unread' : ''}`} data-alert-id={alert.id}>
      <div className="alert-head">
        <Badge tone={severity.tone}>{severity.label}</Badge>
        <span className="alert-kind">{ALERT_KIND[alert.kind]}</span>
        <RelativeTime iso={alert.createdAt} className="muted" />
        {snoozed && alert.snoozedUntil ? (
          <span className="muted">· snoozed until {formatAbsolute(alert.snoozedUntil)}</span>
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
        {alert.channelId !== null ? (
          <a className="button button-small button-quiet" href="#/settings">
            Check the channel
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
        {snoozed ? (
          <button
            type="button"
            className="button button-small button-quiet"
            onClick={() => act.mutate({ ids: [alert.id], action: { kind: 'unsnooze' } })}
          >
            Unsnooze
          </button>
        ) : alert.acknowledgedAt === null ? (
          <MenuSelect
            label="Snooze"
            options={snoozeChoices(new Date(now)).map((c) => [c.until.toISOString(), c.label])}
            onChoose={(until) => act.mutate({ ids: [alert.id], action: { kind: 'snooze', until } })}
          />
        ) : null}
        {mute.isSuccess && !undo.isSuccess ? (
          <span className="alert-muted" role="status">
            Muted {MUTE_SCOPE[mute.variables.scope].toLowerCase()}: no more desktop notifications for it.{' '}
            <button type="button" className="link-button" onClick={() => undo.mutate(mute.data.before)}>
              Undo
            </button>
          </span>
        ) : scopes.length > 0 ? (
          <MenuSelect
            label="Mute"
            options={scopes.map((scope) => [scope, MUTE_SCOPE[scope]])}
            onChoose={(scope) => {
              undo.reset();
              mute.mutate({ alertId: alert.id, scope: scope as MuteScope });
            }}
          />
        ) : null}
        {undo.isSuccess ? (
          <span className="muted" role="status">
            Unmuted.
          </span>
        ) : null}
        {error ? (
          <span className="form-error form-error-error" role="alert">
            {error.message}
          </span>
        ) : null}
      </div>
    </li>
  );
}

/** A small menu as a native select: its first line names it, choosing runs the action. */
function MenuSelect({
  label,
  options,
  onChoose,
}: {
  label: string;
  options: [string, string][];
  onChoose: (value: string) => void;
}) {
  return (
    <select
      className="input input-small"
      aria-label={label}
      value=""
      onChange={(e) => {
        if (e.target.value !== '') onChoose(e.target.value);
      }}
    >
      <option value="" disabled>
        {label}…
      </option>
      {options.map(([value, text]) => (
        <option key={value} value={value}>
          {text}
        </option>
      ))}
    </select>
  );
}

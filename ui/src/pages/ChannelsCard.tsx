import { useState } from 'react';
import type { Channel } from '../bindings/Channel';
import type { ChannelAdded } from '../bindings/ChannelAdded';
import { classifyError } from '../backend/errors';
import { useChannelDeliveries, useChannels, useRemoveChannel, useTestChannel, useUpdateChannel } from '../backend/queries';
import { Badge } from '../components/Badge';
import { ChannelForm } from '../components/ChannelForm';
import { ChannelRulesFields } from '../components/ChannelRulesFields';
import { RelativeTime } from '../components/RelativeTime';
import { ErrorState, Skeleton } from '../components/states';
import { ATTEMPT_OUTCOME, CHANNEL_KIND, DELIVERY_STATUS, describeAnswer, describeRules, draftOf, rulesOf } from '../lib/channels';
import { plural } from '../lib/format';
import { formatAbsolute, formatPrecise } from '../lib/time';

/** Settings → Alert channels: where alerts are pushed besides this window. */
export function ChannelsCard() {
  const channels = useChannels();
  const [adding, setAdding] = useState(false);
  const [added, setAdded] = useState<ChannelAdded | null>(null);
  return (
    <>
      <section className="card" aria-labelledby="channels-heading">
        <header className="card-header">
          <h2 id="channels-heading">Alert channels</h2>
          {adding ? null : (
            <button type="button" className="button button-small" onClick={() => (setAdding(true), setAdded(null))}>
              Add channel
            </button>
          )}
        </header>
        <p className="muted">
          Push alerts to where people already look: Slack, Microsoft Teams, Discord, ntfy on a phone, e-mail, or a webhook
          of your own. Each alert is delivered at least once, retried while the other side is down, and kept here if it
          cannot be.
        </p>
        {added ? <AddedNotice added={added} onDismiss={() => setAdded(null)} /> : null}
        {channels.isPending ? (
          <Skeleton className="skeleton-row" />
        ) : channels.isError ? (
          <ErrorState what="alert channels" error={channels.error} onRetry={() => void channels.refetch()} />
        ) : channels.data.length === 0 ? (
          <p className="empty-inline">No channels yet: alerts show in this window and as desktop notifications only.</p>
        ) : (
          <ul className="channel-list">
            {channels.data.map((channel) => (
              <ChannelItem key={channel.id} channel={channel} />
            ))}
          </ul>
        )}
      </section>
      {adding ? (
        <ChannelForm onAdded={(result) => (setAdded(result), setAdding(false))} onCancel={() => setAdding(false)} />
      ) : null}
    </>
  );
}

function AddedNotice({ added, onDismiss }: { added: ChannelAdded; onDismiss: () => void }) {
  return (
    <div className="stale-banner stale-banner-success added-notice" role="status">
      <p>
        Added <strong>{added.channel.name}</strong>. Send a test to check it answers.
      </p>
      {added.signingSecret ? (
        <>
          <p>
            The receiver checks each message’s <code>webhook-signature</code> with this secret. It is shown this once;
            TruckIQ keeps it in the keychain.
          </p>
          <code className="secret-once">{added.signingSecret}</code>
        </>
      ) : null}
      <button type="button" className="link-button" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}

function ChannelItem({ channel }: { channel: Channel }) {
  const test = useTestChannel();
  const remove = useRemoveChannel();
  const [confirming, setConfirming] = useState(false);
  const [showLog, setShowLog] = useState(false);
  const [editing, setEditing] = useState(false);
  const update = useUpdateChannel();
  const problem = test.error ?? remove.error ?? update.error;
  return (
    <li className="channel-item" data-channel-id={channel.id}>
      <div className="channel-head">
        <span className="cell-primary">{channel.name}</span>
        <Badge tone="neutral">{CHANNEL_KIND[channel.kind].label}</Badge>
        {channel.enabled ? null : <Badge tone="warning">Paused</Badge>}
        <span className="muted path">{channel.target}</span>
      </div>
      <div className="muted">
        {channel.enabled ? describeRules(channel.rules) : 'Paused: new alerts are not sent here; what was already waiting still goes.'}
      </div>
      {editing ? <RulesEditor channel={channel} onDone={() => setEditing(false)} /> : null}
      <div className="alert-actions">
        <button type="button" className="button button-small" onClick={() => test.mutate(channel.id)} disabled={test.isPending}>
          {test.isPending ? 'Sending…' : 'Send test'}
        </button>
        {editing ? null : (
          <button type="button" className="button button-small button-quiet" onClick={() => setEditing(true)}>
            Edit rules
          </button>
        )}
        <button
          type="button"
          className="button button-small button-quiet"
          disabled={update.isPending}
          onClick={() => update.mutate({ channelId: channel.id, rules: channel.rules, enabled: !channel.enabled })}
        >
          {channel.enabled ? 'Pause' : 'Resume'}
        </button>
        <button type="button" className="button button-small button-quiet" onClick={() => setShowLog(!showLog)} aria-expanded={showLog}>
          {showLog ? 'Hide delivery log' : 'Delivery log'}
        </button>
        {confirming ? (
          <button type="button" className="button button-small button-danger" onClick={() => remove.mutate(channel.id)}>
            Remove, with its log?
          </button>
        ) : (
          <button type="button" className="button button-small button-quiet" onClick={() => setConfirming(true)}>
            Remove
          </button>
        )}
      </div>
      {test.isSuccess ? (
        <p className={test.data.delivered ? 'test-answer test-answer-ok' : 'form-error form-error-warning'} role="status">
          {describeAnswer(test.data)}
        </p>
      ) : null}
      {problem ? (
        <p className={`form-error form-error-${classifyError(problem).treatment}`} role="alert">
          {problem.message}
        </p>
      ) : null}
      {showLog ? <DeliveryLog channelId={channel.id} /> : null}
    </li>
  );
}

/** A channel's rules, changed in place; they apply to alerts raised from the save on. */
function RulesEditor({ channel, onDone }: { channel: Channel; onDone: () => void }) {
  const update = useUpdateChannel();
  const [draft, setDraft] = useState(() => draftOf(channel.rules));
  const checked = rulesOf(draft);
  return (
    <form
      className="settings-form rules-editor"
      aria-label={`Rules for ${channel.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        if ('rules' in checked) update.mutate({ channelId: channel.id, rules: checked.rules, enabled: channel.enabled }, { onSuccess: onDone });
      }}
    >
      <ChannelRulesFields draft={draft} onChange={setDraft} />
      <div className="save-row">
        <button type="submit" className="button button-primary button-small" disabled={update.isPending || 'problem' in checked}>
          {update.isPending ? 'Saving…' : 'Save rules'}
        </button>
        <button type="button" className="button button-quiet button-small" onClick={onDone}>
          Cancel
        </button>
        {'problem' in checked ? <span className="form-error form-error-warning">{checked.problem}</span> : null}
        {update.isError ? (
          <span className={`form-error form-error-${classifyError(update.error).treatment}`} role="alert">
            {update.error.message}
          </span>
        ) : null}
      </div>
    </form>
  );
}

function DeliveryLog({ channelId }: { channelId: number }) {
  const log = useChannelDeliveries(channelId);
  if (log.isPending) return <Skeleton className="skeleton-row" />;
  if (log.isError) return <ErrorState what="the delivery log" error={log.error} onRetry={() => void log.refetch()} />;
  if (log.data.length === 0) return <p className="empty-inline">Nothing sent yet. Alerts that match this channel’s rules appear here.</p>;
  return (
    <table className="table delivery-log" aria-label="Delivery log">
      <thead>
        <tr>
          <th>Raised</th>
          <th>Message</th>
          <th>Status</th>
          <th>Attempts</th>
          <th>What the channel answered</th>
        </tr>
      </thead>
      <tbody>
        {log.data.map(({ message, attempts }) => {
          const status = DELIVERY_STATUS[message.status];
          const last = attempts[attempts.length - 1];
          return (
            <tr key={message.id}>
              <td>
                <RelativeTime iso={message.createdAt} />
              </td>
              <td>
                {message.title}
                {message.alerts > 1 ? <span className="muted"> · {plural(message.alerts, 'alert')}</span> : null}
                {message.urgent ? <span className="muted"> · urgent</span> : null}
              </td>
              <td>
                <Badge tone={status.tone}>{status.label}</Badge>
                {message.status === 'pending' ? (
                  <div className="muted">next try {formatAbsolute(message.nextAttemptAt)}</div>
                ) : null}
              </td>
              <td>
                {attempts.length === 0 ? (
                  '0'
                ) : (
                  <details className="attempts">
                    <summary>{attempts.length}</summary>
                    <ol>
                      {attempts.map((a) => (
                        <li key={a.at}>
                          <time dateTime={a.at}>{formatPrecise(a.at)}</time> · {ATTEMPT_OUTCOME[a.outcome]} · {a.answer}{' '}
                          <span className="muted">({a.durationMs} ms)</span>
                        </li>
                      ))}
                    </ol>
                  </details>
                )}
              </td>
              <td className="answer">{last ? last.answer : <span className="muted">not tried yet</span>}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

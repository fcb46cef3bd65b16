import type { RulesDraft } from '../lib/channels';
import { useAccounts } from '../backend/queries';
import { ALERT_KIND } from '../lib/alerts';
import { CHANNEL_ALERT_KINDS, CHANNEL_TIERS } from '../lib/channels';
import { SEVERITY } from '../lib/vehicles';

/** Toggles `item` in `list`, keeping the order of `all`. */
function toggled<T>(all: T[], list: T[], item: T, on: boolean): T[] {
  return all.filter((x) => (x === item ? on : list.includes(x)));
}

/** Which alerts a channel is sent: kinds, tiers, accounts, quiet hours. Used to add and to edit. */
export function ChannelRulesFields({ draft, onChange }: { draft: RulesDraft; onChange: (next: RulesDraft) => void }) {
  const accounts = useAccounts().data ?? [];
  const accountUids = accounts.map((a) => a.uid);
  const set = (change: Partial<RulesDraft>) => onChange({ ...draft, ...change });
  return (
    <>
      <fieldset className="choice-group">
        <legend>Alerts to send</legend>
        {CHANNEL_ALERT_KINDS.map((k) => (
          <label className="check" key={k}>
            <input
              type="checkbox"
              checked={draft.kinds.includes(k)}
              onChange={(e) => set({ kinds: toggled(CHANNEL_ALERT_KINDS, draft.kinds, k, e.target.checked) })}
            />
            {ALERT_KIND[k]}
          </label>
        ))}
      </fieldset>
      <fieldset className="choice-group">
        <legend>Tiers</legend>
        {CHANNEL_TIERS.map((t) => (
          <label className="check" key={t}>
            <input
              type="checkbox"
              checked={draft.tiers.includes(t)}
              onChange={(e) => set({ tiers: toggled(CHANNEL_TIERS, draft.tiers, t, e.target.checked) })}
            />
            {SEVERITY[t].label}
          </label>
        ))}
      </fieldset>
      {accounts.length > 1 ? (
        <fieldset className="choice-group">
          <legend>Accounts</legend>
          <label className="check">
            <input type="checkbox" checked={draft.accounts.length === 0} onChange={(e) => e.target.checked && set({ accounts: [] })} />
            All, and any added later
          </label>
          {accounts.map((a) => (
            <label className="check" key={a.uid}>
              <input
                type="checkbox"
                checked={draft.accounts.includes(a.uid)}
                onChange={(e) => set({ accounts: toggled(accountUids, draft.accounts, a.uid, e.target.checked) })}
              />
              {a.name}
            </label>
          ))}
        </fieldset>
      ) : null}
      <label className="check">
        <input type="checkbox" checked={draft.quiet} onChange={(e) => set({ quiet: e.target.checked })} />
        Quiet hours: alerts raised then wait until they end
      </label>
      {draft.quiet ? (
        <div className="quiet-hours">
          <label>
            <span>From</span>
            <input className="input" type="time" value={draft.quietFrom} onChange={(e) => set({ quietFrom: e.target.value })} />
          </label>
          <label>
            <span>To</span>
            <input className="input" type="time" value={draft.quietTo} onChange={(e) => set({ quietTo: e.target.value })} />
          </label>
        </div>
      ) : null}
      <label className="check">
        <input type="checkbox" checked={draft.urgentThrough} onChange={(e) => set({ urgentThrough: e.target.checked })} />
        Critical alerts go through quiet hours and mutes
      </label>
      <p className="muted">Critical alerts are sent one by one, at once. Several other alerts from one sync come as one message.</p>
    </>
  );
}

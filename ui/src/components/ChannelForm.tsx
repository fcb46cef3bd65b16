import { useState } from 'react';
import type { ChannelAdded } from '../bindings/ChannelAdded';
import type { ChannelKind } from '../bindings/ChannelKind';
import type { SmtpSecurity } from '../bindings/SmtpSecurity';
import { classifyError } from '../backend/errors';
import { useAddChannel } from '../backend/queries';
import { CHANNEL_KIND, CHANNEL_KINDS, DEFAULT_RULES, draftOf, parseRecipients, rulesOf } from '../lib/channels';
import { ChannelRulesFields } from './ChannelRulesFields';

const SMTP_PORT: Record<SmtpSecurity, number> = { starttls: 587, tls: 465, none: 25 };

/**
 * Adds an alert channel. The URL, token and SMTP password go to the keychain through the backend
 * and never come back; a webhook's signing secret is shown once, after adding (`onAdded`).
 */
export function ChannelForm({ onAdded, onCancel }: { onAdded: (added: ChannelAdded) => void; onCancel: () => void }) {
  const add = useAddChannel();
  const [kind, setKind] = useState<ChannelKind>('slack');
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [secret, setSecret] = useState('');
  const [server, setServer] = useState('');
  const [security, setSecurity] = useState<SmtpSecurity>('starttls');
  const [port, setPort] = useState(String(SMTP_PORT.starttls));
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [draft, setDraft] = useState(() => draftOf(DEFAULT_RULES));
  const email = kind === 'email';
  const info = CHANNEL_KIND[kind];
  const portNumber = Number(port);
  const checked = rulesOf(draft);
  const problem =
    'problem' in checked
      ? checked.problem
      : email && !(Number.isInteger(portNumber) && portNumber > 0 && portNumber < 65536)
        ? 'The SMTP port is a number from 1 to 65535.'
        : null;

  const submit = () => {
    if (problem || !('rules' in checked)) return;
    add.mutate(
      {
        name,
        kind,
        url: email ? null : url,
        signingSecret: kind === 'webhook' && secret.trim() !== '' ? secret : null,
        accessToken: kind === 'ntfy' && token.trim() !== '' ? token : null,
        email: email
          ? {
              server,
              port: portNumber,
              security,
              username: user.trim() === '' ? null : user,
              from,
              to: parseRecipients(to),
            }
          : null,
        smtpPassword: email && password !== '' ? password : null,
        rules: checked.rules,
      },
      { onSuccess: onAdded },
    );
  };

  return (
    <section className="card channel-form" aria-label="Add an alert channel">
      <header className="card-header">
        <h2>Add an alert channel</h2>
      </header>
      <form className="settings-form" onSubmit={(e) => (e.preventDefault(), submit())} autoComplete="off">
        <label>
          <span>Where</span>
          <select className="input input-wide" value={kind} onChange={(e) => setKind(e.target.value as ChannelKind)}>
            {CHANNEL_KINDS.map((k) => (
              <option key={k} value={k}>
                {CHANNEL_KIND[k].label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Name</span>
          <input
            className="input input-wide"
            required
            placeholder={email ? 'Shop e-mail' : `${info.label} — maintenance`}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        {email ? (
          <>
            <div className="form-row">
              <label>
                <span>SMTP server</span>
                <input className="input input-wide" required placeholder="smtp.example.com" value={server} onChange={(e) => setServer(e.target.value)} />
              </label>
              <label>
                <span>Security</span>
                <select
                  className="input"
                  value={security}
                  onChange={(e) => {
                    const next = e.target.value as SmtpSecurity;
                    if (port === String(SMTP_PORT[security])) setPort(String(SMTP_PORT[next]));
                    setSecurity(next);
                  }}
                >
                  <option value="starttls">STARTTLS</option>
                  <option value="tls">TLS</option>
                  <option value="none">None (this computer only)</option>
                </select>
              </label>
              <label>
                <span>Port</span>
                <input className="input input-narrow" inputMode="numeric" value={port} onChange={(e) => setPort(e.target.value)} />
              </label>
            </div>
            <div className="form-row">
              <label>
                <span>User, optional</span>
                <input className="input" value={user} onChange={(e) => setUser(e.target.value)} />
              </label>
              <label>
                <span>Password</span>
                <input
                  className="input"
                  type="password"
                  autoComplete="new-password"
                  disabled={user.trim() === ''}
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                />
              </label>
            </div>
            <label>
              <span>From</span>
              <input className="input input-wide" required placeholder="TruckIQ <truckiq@fleet.example>" value={from} onChange={(e) => setFrom(e.target.value)} />
            </label>
            <label>
              <span>To (commas between addresses)</span>
              <input className="input input-wide" required placeholder="shop@fleet.example" value={to} onChange={(e) => setTo(e.target.value)} />
            </label>
          </>
        ) : (
          <label>
            <span>{info.url}</span>
            <input
              className="input input-wide"
              type="password"
              required
              autoComplete="off"
              placeholder={info.example}
              value={url}
              onChange={(e) => setUrl(e.target.value)}
            />
            <small className="field-hint">
              Whoever has this address can post to it: TruckIQ keeps it in the system keychain and shows only its host.
            </small>
          </label>
        )}
        {kind === 'ntfy' ? (
          <label>
            <span>Access token, for a protected topic (optional)</span>
            <input className="input input-wide" type="password" autoComplete="off" placeholder="tk_…" value={token} onChange={(e) => setToken(e.target.value)} />
          </label>
        ) : null}
        {kind === 'webhook' ? (
          <label>
            <span>Signing secret (optional)</span>
            <input
              className="input input-wide"
              type="password"
              autoComplete="off"
              placeholder="whsec_… — leave empty and TruckIQ makes one"
              value={secret}
              onChange={(e) => setSecret(e.target.value)}
            />
          </label>
        ) : null}
        <ChannelRulesFields draft={draft} onChange={setDraft} />
        <div className="save-row">
          <button type="submit" className="button button-primary" disabled={add.isPending}>
            {add.isPending ? 'Adding…' : 'Add channel'}
          </button>
          <button type="button" className="button button-quiet" onClick={onCancel}>
            Cancel
          </button>
          {problem ? <span className="form-error form-error-warning">{problem}</span> : null}
          {add.isError ? (
            <span className={`form-error form-error-${classifyError(add.error).treatment}`} role="alert">
              {add.error.message}
            </span>
          ) : null}
        </div>
      </form>
    </section>
  );
}

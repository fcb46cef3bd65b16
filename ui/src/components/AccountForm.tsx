import { useState } from 'react';
import type { AccountSummary } from '../bindings/AccountSummary';
import type { PortalKind } from '../bindings/PortalKind';
import { classifyError } from '../backend/errors';
import { useAccountSecrets, useSaveAccount } from '../backend/queries';

const INTERVALS = [15, 30, 60, 120, 240, 480, 720, 1440];
const DEFAULT_URL: Record<Exclude<PortalKind, 'decisiv_api'>, string> = {
  paccar: 'https://www.paccarsolutions.com',
  decisiv: 'https://paccar.decisiv.net',
};

/**
 * Add or edit a portal account. Secrets go to the keychain through the backend and never come
 * back: for a saved account the form only says whether a password and TOTP secret are set.
 */
export function AccountForm({ account, onDone }: { account: AccountSummary | null; onDone: () => void }) {
  const save = useSaveAccount();
  const secrets = useAccountSecrets(account?.id ?? null);
  const [name, setName] = useState(account?.name ?? '');
  const [portal, setPortal] = useState<'paccar' | 'decisiv'>(account?.portalKind === 'decisiv' ? 'decisiv' : 'paccar');
  const [url, setUrl] = useState(account?.baseUrl ?? DEFAULT_URL.paccar);
  const [username, setUsername] = useState(account?.username ?? '');
  const [interval, setInterval] = useState(account?.syncIntervalMinutes ?? 240);
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [removeTotp, setRemoveTotp] = useState(false);
  const urlProblem = /^https?:\/\/[^\s/]+/.test(url.trim()) ? null : 'The address must start with https://';

  const submit = () => {
    if (urlProblem) return;
    save.mutate(
      {
        id: account?.id ?? null,
        input: {
          name,
          portalKind: portal,
          baseUrl: url,
          username,
          syncIntervalMinutes: interval,
          password: password === '' ? null : password,
          totpSecret: removeTotp ? '' : totp.trim() === '' ? null : totp,
        },
      },
      { onSuccess: onDone },
    );
  };

  const saved = (set: boolean | undefined) => (set ? 'Saved — leave empty to keep it' : '');
  return (
    <section className="card account-form" aria-label={account ? `Edit ${account.name}` : 'Add a portal account'}>
      <header className="card-header">
        <h2>{account ? `Edit ${account.name}` : 'Add a portal account'}</h2>
      </header>
      <form className="settings-form" onSubmit={(e) => (e.preventDefault(), submit())} autoComplete="off">
        <label>
          <span>Name</span>
          <input className="input input-wide" required value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          <span>Portal</span>
          <select
            className="input input-wide"
            value={portal}
            onChange={(e) => {
              const next = e.target.value as 'paccar' | 'decisiv';
              if (url === DEFAULT_URL[portal]) setUrl(DEFAULT_URL[next]);
              setPortal(next);
            }}
          >
            <option value="paccar">PACCAR TruckTech+ / SmartLINQ (e-mail sign-in)</option>
            <option value="decisiv">PACCAR Solutions on Decisiv (user ID sign-in)</option>
          </select>
        </label>
        <label>
          <span>Portal address</span>
          <input
            className="input input-wide"
            value={url}
            aria-invalid={urlProblem ? true : undefined}
            onChange={(e) => setUrl(e.target.value)}
          />
        </label>
        <label>
          <span>Username</span>
          <input className="input input-wide" required value={username} onChange={(e) => setUsername(e.target.value)} />
        </label>
        <label>
          <span>Password</span>
          <input
            className="input input-wide"
            type="password"
            autoComplete="new-password"
            required={account === null}
            placeholder={saved(secrets.data?.password)}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <label>
          <span>TOTP secret (authenticator app), optional</span>
          <input
            className="input input-wide"
            type="password"
            autoComplete="off"
            placeholder={saved(secrets.data?.totp) || 'Base32 key or otpauth:// link'}
            value={totp}
            disabled={removeTotp}
            onChange={(e) => setTotp(e.target.value)}
          />
        </label>
        {secrets.data?.totp ? (
          <label className="check">
            <input type="checkbox" checked={removeTotp} onChange={(e) => setRemoveTotp(e.target.checked)} />
            Remove the saved TOTP secret
          </label>
        ) : null}
        <label>
          <span>Sync every</span>
          <select className="input input-narrow" value={interval} onChange={(e) => setInterval(Number(e.target.value))}>
            {INTERVALS.map((m) => (
              <option key={m} value={m}>
                {m < 60 ? `${m} min` : `${m / 60} h`}
              </option>
            ))}
          </select>
        </label>
        <div className="save-row">
          <button type="submit" className="button button-primary" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : account ? 'Save changes' : 'Add account'}
          </button>
          <button type="button" className="button button-quiet" onClick={onDone}>
            Cancel
          </button>
          {urlProblem ? <span className="form-error form-error-warning">{urlProblem}</span> : null}
          {save.isError ? (
            <span className={`form-error form-error-${classifyError(save.error).treatment}`} role="alert">
              {save.error.message}
            </span>
          ) : null}
        </div>
      </form>
    </section>
  );
}

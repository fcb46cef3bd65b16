import { useState } from 'react';
import type { AccountSummary } from '../bindings/AccountSummary';
import type { PortalChoice } from '../bindings/PortalChoice';
import type { PortalKind } from '../bindings/PortalKind';
import { classifyError } from '../backend/errors';
import { useAccountSecrets, useAppInfo, useSaveAccount } from '../backend/queries';
import { ApiLoginForm } from './ApiLoginForm';
import { IntervalSelect } from './IntervalSelect';

/**
 * Add or edit a portal account. Secrets go to the keychain through the backend and never come
 * back: for a saved account the form only says whether a password and TOTP secret are set. A
 * Decisiv API login is added with its own steps (`ApiLoginForm`); once added, only its name and
 * schedule change here.
 */
export function AccountForm({ account, onDone }: { account: AccountSummary | null; onDone: () => void }) {
  const save = useSaveAccount();
  const secrets = useAccountSecrets(account?.id ?? null);
  // The portals on offer, best first, as the core lists them for the window, the CLI and the
  // first-run text alike.
  const choices: PortalChoice[] = useAppInfo().data?.portals ?? [];
  const [name, setName] = useState(account?.name ?? '');
  const [portal, setPortal] = useState<PortalKind>(account?.portalKind ?? choices[0]?.kind ?? 'paccar_solutions');
  const choice = choices.find((c) => c.kind === portal);
  const [url, setUrl] = useState(account?.baseUrl ?? choice?.defaultUrl ?? '');
  const [username, setUsername] = useState(account?.username ?? '');
  const [interval, setInterval] = useState(account?.syncIntervalMinutes ?? 240);
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [removeTotp, setRemoveTotp] = useState(false);
  const [trustDevice, setTrustDevice] = useState(account?.trustDevice ?? true);
  const urlProblem = /^https?:\/\/[^\s/]+/.test(url.trim()) ? null : 'The address must start with https://';
  const api = portal === 'decisiv_api';

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
          trustDevice,
        },
      },
      { onSuccess: onDone },
    );
  };

  const saved = (set: boolean | undefined) => (set ? 'Saved — leave empty to keep it' : '');
  const portalPicker = (
    <label>
      <span>Portal</span>
      <select
        className="input input-wide"
        value={portal}
        disabled={account !== null && api}
        onChange={(e) => {
          const next = choices.find((c) => c.kind === e.target.value);
          if (!next) return;
          if (url === '' || url === choice?.defaultUrl) setUrl(next.defaultUrl);
          setPortal(next.kind);
        }}
      >
        {choices.map((c) => (
          <option key={c.kind} value={c.kind}>
            {c.label}
          </option>
        ))}
      </select>
      {choice ? <small className="field-hint">{choice.hint}</small> : null}
    </label>
  );
  if (api && account === null && choice) {
    return <ApiLoginForm choice={choice} portalPicker={portalPicker} onDone={onDone} />;
  }
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
        {portalPicker}
        {api ? null : (
          <>
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
              <span>{choice?.usernameLabel ?? 'Username'}</span>
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
            <label className="check check-explained">
              <input type="checkbox" checked={trustDevice} onChange={(e) => setTrustDevice(e.target.checked)} />
              <span>
                Trust this device
                <small>
                  {trustDevice
                    ? 'TruckIQ ticks the portal’s “trust this device”, so it asks for a code less often. Its cookie stays in this account’s private browser folder on this computer.'
                    : 'Nothing of the portal stays on disk between syncs; portals with two-step sign-in ask for a code every time.'}
                </small>
              </span>
            </label>
          </>
        )}
        <IntervalSelect value={interval} onChange={setInterval} />
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

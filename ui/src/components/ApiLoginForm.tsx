import { useState, type ReactNode } from 'react';
import type { PendingApiLogin } from '../bindings/PendingApiLogin';
import type { PortalChoice } from '../bindings/PortalChoice';
import { classifyError } from '../backend/errors';
import { useAuthorizeApiLogin, useCancelApiLogin, useFinishApiLogin } from '../backend/queries';
import { IntervalSelect } from './IntervalSelect';

const ADDRESS = /^https?:\/\/[^\s/]+/;

/** "Asset Management, Telematics": the SRM modules an account's application is provisioned for. */
function moduleNames(keys: string[]): string {
  if (keys.length === 0) return 'no modules listed';
  return keys.map((k) => k.split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ')).join(', ');
}

/**
 * Adding a Decisiv SRM API login: the details, then the person signs in on Decisiv's own page in a
 * browser window TruckIQ opens (TruckIQ never sees the password), then picks which of the SRM
 * accounts the authorization reaches to sync. Nothing is saved before the last step.
 */
export function ApiLoginForm({
  choice,
  portalPicker,
  onDone,
}: {
  choice: PortalChoice;
  portalPicker: ReactNode;
  onDone: () => void;
}) {
  const authorize = useAuthorizeApiLogin();
  const finish = useFinishApiLogin();
  const cancel = useCancelApiLogin();
  const [name, setName] = useState('');
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [loginUrl, setLoginUrl] = useState(choice.signInUrl ?? '');
  const [apiUrl, setApiUrl] = useState(choice.defaultUrl);
  const [interval, setInterval] = useState(240);
  const [pending, setPending] = useState<PendingApiLogin | null>(null);
  const [chosen, setChosen] = useState<string[]>([]);
  const addressProblem =
    ADDRESS.test(loginUrl.trim()) && ADDRESS.test(apiUrl.trim()) ? null : 'Both addresses must start with https://';

  const signIn = () => {
    if (addressProblem) return;
    authorize.mutate(
      {
        name,
        clientId,
        clientSecret: clientSecret === '' ? null : clientSecret,
        loginUrl,
        apiUrl,
        syncIntervalMinutes: interval,
        srmAccounts: [],
      },
      {
        onSuccess: (answer) => {
          setPending(answer);
          setChosen(answer.accounts.map((a) => a.id));
        },
      },
    );
  };
  const close = () => {
    if (pending) cancel.mutate(pending.id);
    onDone();
  };

  if (pending) {
    const toggle = (id: string, on: boolean) =>
      setChosen((now) => (on ? [...now.filter((c) => c !== id), id] : now.filter((c) => c !== id)));
    return (
      <section className="card account-form" aria-label="Choose the SRM accounts to sync">
        <header className="card-header">
          <h2>Choose the SRM accounts to sync</h2>
        </header>
        <form
          className="settings-form"
          onSubmit={(e) => (e.preventDefault(), finish.mutate({ pendingId: pending.id, srmAccountIds: chosen }, { onSuccess: onDone }))}
        >
          <p className="muted">
            You are signed in. The authorization reaches {pending.accounts.length === 1 ? 'one SRM account' : `${pending.accounts.length} SRM accounts`};
            each one you choose becomes an account here, sharing this one authorization.
          </p>
          <fieldset className="srm-accounts">
            <legend>SRM accounts</legend>
            {pending.accounts.map((srm) => (
              <label key={srm.id} className="check">
                <input
                  type="checkbox"
                  checked={chosen.includes(srm.id)}
                  onChange={(e) => toggle(srm.id, e.target.checked)}
                />
                <span>
                  {srm.name} <small className="muted">{moduleNames(srm.modules)}</small>
                  {srm.modules.includes('telematics') ? null : (
                    <small className="form-error form-error-warning srm-warning">
                      no Telematics module: its faults cannot be read
                    </small>
                  )}
                </span>
              </label>
            ))}
          </fieldset>
          <div className="save-row">
            <button type="submit" className="button button-primary" disabled={finish.isPending || chosen.length === 0}>
              {finish.isPending ? 'Adding…' : chosen.length === 1 ? 'Add 1 account' : `Add ${chosen.length} accounts`}
            </button>
            <button type="button" className="button button-quiet" onClick={close}>
              Cancel
            </button>
            {chosen.length === 0 ? <span className="form-error form-error-warning">Choose at least one</span> : null}
            {finish.isError ? (
              <span className={`form-error form-error-${classifyError(finish.error).treatment}`} role="alert">
                {finish.error.message}
              </span>
            ) : null}
          </div>
        </form>
      </section>
    );
  }

  return (
    <section className="card account-form" aria-label="Add a Decisiv API login">
      <header className="card-header">
        <h2>Add a Decisiv API login</h2>
      </header>
      <form className="settings-form" onSubmit={(e) => (e.preventDefault(), signIn())} autoComplete="off">
        <label>
          <span>Name</span>
          <input className="input input-wide" required value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        {portalPicker}
        <label>
          <span>Client id</span>
          <input className="input input-wide" required value={clientId} onChange={(e) => setClientId(e.target.value)} />
          <small className="field-hint">The id Decisiv registered TruckIQ under for your fleet.</small>
        </label>
        <label>
          <span>Client secret, if Decisiv gave one</span>
          <input
            className="input input-wide"
            type="password"
            autoComplete="off"
            value={clientSecret}
            onChange={(e) => setClientSecret(e.target.value)}
          />
        </label>
        <label>
          <span>Sign-in address</span>
          <input className="input input-wide" value={loginUrl} onChange={(e) => setLoginUrl(e.target.value)} />
        </label>
        <label>
          <span>API address</span>
          <input className="input input-wide" value={apiUrl} onChange={(e) => setApiUrl(e.target.value)} />
        </label>
        <IntervalSelect value={interval} onChange={setInterval} />
        <div className="save-row">
          <button type="submit" className="button button-primary" disabled={authorize.isPending}>
            {authorize.isPending ? 'Waiting for you to sign in…' : 'Sign in with Decisiv'}
          </button>
          <button type="button" className="button button-quiet" onClick={close}>
            Cancel
          </button>
          {addressProblem ? <span className="form-error form-error-warning">{addressProblem}</span> : null}
          {authorize.isPending ? (
            <span className="muted" role="status">
              Sign in on Decisiv's page in the browser window that opened; this form carries on when you are done.
            </span>
          ) : null}
          {authorize.isError ? (
            <span className={`form-error form-error-${classifyError(authorize.error).treatment}`} role="alert">
              {authorize.error.message}
            </span>
          ) : null}
        </div>
      </form>
    </section>
  );
}

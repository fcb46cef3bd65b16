import { useState } from 'react';
import type { IpcError } from '../bindings/IpcError';
import type { NotificationPrefs } from '../bindings/NotificationPrefs';
import type { SyncSettings } from '../bindings/SyncSettings';
import { classifyError } from '../backend/errors';
import {
  useAccounts,
  useNotificationPrefs,
  useSaveNotificationPrefs,
  useSaveSyncSettings,
  useSyncSettings,
} from '../backend/queries';
import { ErrorState, Skeleton } from '../components/states';
import { describeQuietHours, formatClock, parseClock } from '../lib/settings';

/** How syncs run: pages at once, which browser, which proxy. */
export function SyncSettingsCard() {
  const query = useSyncSettings();
  if (query.isPending) return <Skeleton className="skeleton-row" />;
  if (query.isError) return <ErrorState what="sync settings" error={query.error} onRetry={() => void query.refetch()} />;
  return <SyncForm initial={query.data} />;
}

function SyncForm({ initial }: { initial: SyncSettings }) {
  const save = useSaveSyncSettings();
  const [concurrency, setConcurrency] = useState(String(initial.concurrency ?? 4));
  const [browserPath, setBrowserPath] = useState(initial.browserPath ?? '');
  const [proxy, setProxy] = useState(initial.proxy ?? '');
  const [proxyUser, setProxyUser] = useState(initial.proxyUsername ?? '');
  const [proxyPassword, setProxyPassword] = useState('');
  // The backend fills in the limit in effect.
  const [staleAfter, setStaleAfter] = useState(String(initial.staleAfterHours ?? ''));
  const [caseAlert, setCaseAlert] = useState(String(initial.caseAlertHours ?? ''));
  const submit = () =>
    save.mutate(
      {
        settings: {
          ...initial,
          concurrency: Number(concurrency),
          browserPath: browserPath.trim() || null,
          proxy: proxy.trim() || null,
          proxyUsername: proxyUser.trim() || null,
          staleAfterHours: Number(staleAfter),
          caseAlertHours: Number(caseAlert),
        },
        proxyPassword: proxyPassword || null,
      },
      // The password went to the keychain; the field never shows it again.
      { onSuccess: () => setProxyPassword('') },
    );
  const proxyPasswordHint = initial.proxyPasswordRefused
    ? 'The proxy refused the saved password — enter it again'
    : initial.proxyPasswordSaved
      ? 'Saved in the keychain — leave empty to keep it'
      : 'Only if the proxy asks for one';
  return (
    <section className="card" aria-labelledby="sync-heading">
      <header className="card-header">
        <h2 id="sync-heading">Sync</h2>
      </header>
      <form className="settings-form" onSubmit={(e) => (e.preventDefault(), submit())}>
        <TextField label="Trucks read at the same time" value={concurrency} onChange={setConcurrency} numeric />
        <TextField
          label="Browser"
          placeholder="Found automatically (Chrome, Chromium, Edge or Brave)"
          value={browserPath}
          onChange={setBrowserPath}
        />
        <TextField
          label="Proxy"
          placeholder="None — e.g. http://proxy.example:3128"
          value={proxy}
          onChange={setProxy}
        />
        {proxy.trim() ? (
          <div className="proxy-sign-in">
            <TextField label="Proxy user name" placeholder="None" value={proxyUser} onChange={setProxyUser} />
            <label>
              <span>Proxy password</span>
              <input
                className="input input-wide"
                type="password"
                autoComplete="off"
                placeholder={proxyPasswordHint}
                aria-invalid={initial.proxyPasswordRefused || undefined}
                value={proxyPassword}
                onChange={(e) => setProxyPassword(e.target.value)}
              />
            </label>
            {initial.proxyPasswordRefused ? (
              <p className="field-warning" role="alert">
                The proxy refused its saved password, so no sync goes through it until you enter the password again.
              </p>
            ) : null}
          </div>
        ) : null}
        <TextField
          label="Stale after (hours without a successful sync)"
          value={staleAfter}
          onChange={setStaleAfter}
          numeric
        />
        <TextField
          label="Flag a critical fault with no service case after (hours; Decisiv API accounts)"
          value={caseAlert}
          onChange={setCaseAlert}
          numeric
        />
        <SaveRow pending={save.isPending} saved={save.isSuccess} error={save.error} note="Applies from the next sync." />
      </form>
    </section>
  );
}

/** When desktop notifications stay quiet, and which trucks and codes never pop up. */
export function NotificationSettingsCard() {
  const query = useNotificationPrefs();
  if (query.isPending) return <Skeleton className="skeleton-row" />;
  if (query.isError) {
    return <ErrorState what="notification settings" error={query.error} onRetry={() => void query.refetch()} />;
  }
  return <NotificationForm key={JSON.stringify(query.data)} initial={query.data} />;
}

function NotificationForm({ initial }: { initial: NotificationPrefs }) {
  const save = useSaveNotificationPrefs();
  const [quiet, setQuiet] = useState(initial.quietHours !== null);
  const [from, setFrom] = useState(formatClock(initial.quietHours?.startMinute ?? 22 * 60));
  const [to, setTo] = useState(formatClock(initial.quietHours?.endMinute ?? 6 * 60));
  const [prefs, setPrefs] = useState(initial);
  // Muted trucks are kept by account identity and VIN; the account's name says which login.
  const accounts = useAccounts();
  const accountNames = new Map((accounts.data ?? []).map((account) => [account.uid, account.name]));
  const [start, end] = [parseClock(from), parseClock(to)];
  const invalid = quiet && (start === null || end === null);
  const next: NotificationPrefs = {
    ...prefs,
    quietHours: quiet && start !== null && end !== null ? { startMinute: start, endMinute: end } : null,
  };
  return (
    <section className="card" aria-labelledby="notify-heading">
      <header className="card-header">
        <h2 id="notify-heading">Desktop notifications</h2>
      </header>
      <form className="settings-form" onSubmit={(e) => (e.preventDefault(), invalid ? null : save.mutate(next))}>
        <label className="check">
          <input type="checkbox" checked={quiet} onChange={(e) => setQuiet(e.target.checked)} />
          Quiet hours
        </label>
        {quiet ? (
          <div className="quiet-hours">
            <label>
              <span>From</span>
              <input className="input" type="time" value={from} onChange={(e) => setFrom(e.target.value)} />
            </label>
            <label>
              <span>To</span>
              <input className="input" type="time" value={to} onChange={(e) => setTo(e.target.value)} />
            </label>
          </div>
        ) : null}
        {quiet ? (
          <label className="check">
            <input
              type="checkbox"
              checked={!prefs.quietHoursHoldCritical}
              onChange={(e) => setPrefs({ ...prefs, quietHoursHoldCritical: !e.target.checked })}
            />
            Critical faults still notify during quiet hours
          </label>
        ) : null}
        <p className="muted">
          {invalid ? 'Enter both times as HH:MM.' : describeQuietHours(next.quietHours)}. Alerts are always kept in
          the app.
        </p>
        <label className="check">
          <input
            type="checkbox"
            checked={prefs.notCommunicating}
            onChange={(e) => setPrefs({ ...prefs, notCommunicating: e.target.checked })}
          />
          Also when a truck stops communicating (its telematics device stops reporting)
        </label>
        <div>
          <span className="fact-label">Muted fault codes</span>
          {prefs.mutedCodes.length + prefs.mutedTruckCodes.length === 0 ? (
            <p className="muted">None. Mute a code from an alert.</p>
          ) : (
            <ul className="mute-list">
              {prefs.mutedCodes.map((code) => (
                <li key={`${code.spn}/${code.fmi}`}>
                  <span>
                    <span className="mono">
                      SPN {code.spn} / FMI {code.fmi}
                    </span>
                    <span className="muted"> · every truck</span>
                  </span>
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => setPrefs({ ...prefs, mutedCodes: prefs.mutedCodes.filter((c) => c !== code) })}
                  >
                    Unmute
                  </button>
                </li>
              ))}
              {prefs.mutedTruckCodes.map((muted) => (
                <li key={`${muted.vehicle.account}/${muted.vehicle.vin}/${muted.code.spn}/${muted.code.fmi}`}>
                  <span>
                    <span className="mono">
                      SPN {muted.code.spn} / FMI {muted.code.fmi}
                    </span>
                    <span className="muted">
                      {' '}
                      · only on <span className="mono">{muted.vehicle.vin}</span>
                    </span>
                  </span>
                  <button
                    type="button"
                    className="link-button"
                    onClick={() =>
                      setPrefs({ ...prefs, mutedTruckCodes: prefs.mutedTruckCodes.filter((m) => m !== muted) })
                    }
                  >
                    Unmute
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div>
          <span className="fact-label">Muted trucks</span>
          {prefs.mutedVehicles.length === 0 ? (
            <p className="muted">None. Mute a truck from an alert.</p>
          ) : (
            <ul className="mute-list">
              {prefs.mutedVehicles.map((truck) => (
                <li key={`${truck.account}/${truck.vin}`}>
                  <span>
                    <span className="mono">{truck.vin}</span>
                    <span className="muted"> · {accountNames.get(truck.account) ?? 'an account no longer here'}</span>
                  </span>
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => setPrefs({ ...prefs, mutedVehicles: prefs.mutedVehicles.filter((v) => v !== truck) })}
                  >
                    Unmute
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
        <SaveRow
          pending={save.isPending}
          saved={save.isSuccess}
          error={save.error}
          note="Applies from the next notification, unmutes included."
        />
      </form>
    </section>
  );
}

/** A labelled text input: narrow for a number, wide for a path or address. */
function TextField({
  label,
  value,
  onChange,
  placeholder,
  numeric = false,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  numeric?: boolean;
}) {
  return (
    <label>
      <span>{label}</span>
      <input
        className={numeric ? 'input input-narrow' : 'input input-wide'}
        inputMode={numeric ? 'numeric' : undefined}
        placeholder={placeholder}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
}

function SaveRow({
  pending,
  saved,
  error,
  note,
}: {
  pending: boolean;
  saved: boolean;
  error: IpcError | null;
  note?: string;
}) {
  return (
    <div className="save-row">
      <button type="submit" className="button button-primary" disabled={pending}>
        {pending ? 'Saving…' : 'Save'}
      </button>
      {saved ? (
        <span className="muted" role="status">
          Saved. {note}
        </span>
      ) : null}
      {error ? (
        <span className={`form-error form-error-${classifyError(error).treatment}`} role="alert">
          {error.message}
        </span>
      ) : null}
    </div>
  );
}

import { useState } from 'react';
import { useAutostart, useDiagnostics, useOpenLogFolder, useSetAutostart } from '../backend/queries';

/** Start at login, and what to send when asking for help: the log folder and the diagnostics. */
export function StartupCard() {
  const autostart = useAutostart();
  const setAutostart = useSetAutostart();
  const openLogs = useOpenLogFolder();
  const diagnostics = useDiagnostics();
  const [copied, setCopied] = useState<boolean | null>(null);

  const copy = () => {
    setCopied(null);
    diagnostics.mutate(undefined, {
      // The text stays on screen either way, so it can be selected by hand if the clipboard refuses.
      onSuccess: (text) => navigator.clipboard.writeText(text).then(() => setCopied(true), () => setCopied(false)),
    });
  };

  return (
    <section className="card" aria-labelledby="startup-heading">
      <header className="card-header">
        <h2 id="startup-heading">Start and logs</h2>
      </header>
      <div className="settings-form">
        <label className="check">
          <input
            type="checkbox"
            checked={setAutostart.isPending ? setAutostart.variables : (autostart.data ?? false)}
            disabled={!autostart.isSuccess || setAutostart.isPending}
            onChange={(e) => setAutostart.mutate(e.target.checked)}
          />
          Start TruckIQ when I log in, hidden in the tray, so scheduled syncs keep running
        </label>
        {autostart.isError || setAutostart.isError ? (
          <p className="form-error form-error-warning" role="alert">
            {(setAutostart.error ?? autostart.error)?.message}
          </p>
        ) : null}
        <div className="button-row">
          <button type="button" className="button button-small button-quiet" onClick={() => openLogs.mutate()}>
            Open log folder
          </button>
          <button type="button" className="button button-small button-quiet" onClick={copy} disabled={diagnostics.isPending}>
            Copy diagnostics
          </button>
        </div>
        {openLogs.isSuccess ? (
          <p className="muted" role="status">
            Opened {openLogs.data}. One file per day, the last seven kept.
          </p>
        ) : null}
        {openLogs.isError || diagnostics.isError ? (
          <p className="form-error form-error-warning" role="alert">
            {(openLogs.error ?? diagnostics.error)?.message}
          </p>
        ) : null}
        {diagnostics.isSuccess ? (
          <div role="status">
            <p className="muted">
              {copied === true
                ? 'Copied. Paste it into your message to support; it holds no password, code or token.'
                : copied === false
                  ? 'The clipboard refused; select the text below and copy it.'
                  : 'Copying…'}
            </p>
            <pre className="diagnostics" aria-label="Diagnostics">
              {diagnostics.data}
            </pre>
          </div>
        ) : null}
      </div>
    </section>
  );
}

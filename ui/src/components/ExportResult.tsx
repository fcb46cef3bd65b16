import type { UseMutationResult } from '@tanstack/react-query';
import type { Exported } from '../bindings/Exported';
import type { IpcError } from '../bindings/IpcError';
import { useShowExportInFolder } from '../backend/queries';
import { plural } from '../lib/format';

/** What an export came to: saved (with "Show in folder"), refused, or nothing when cancelled. */
export function ExportResult<A>({ exporter, rowName }: { exporter: UseMutationResult<Exported | null, IpcError, A>; rowName: string }) {
  const show = useShowExportInFolder();
  if (exporter.isError) {
    return (
      <p className="form-error form-error-error" role="alert">
        The CSV was not saved: {exporter.error.message}
      </p>
    );
  }
  if (!exporter.isSuccess || exporter.data === null) return null;
  return (
    <div className="stale-banner stale-banner-success" role="status">
      <span>
        Saved {plural(exporter.data.rows, rowName)} to <span className="path">{exporter.data.path}</span>
      </span>
      <button type="button" className="link-button" onClick={() => show.mutate()}>
        Show in folder
      </button>
      <button type="button" className="link-button" onClick={() => (exporter.reset(), show.reset())}>
        Dismiss
      </button>
      {show.isError ? <span className="form-error form-error-warning">{show.error.message}</span> : null}
    </div>
  );
}

import type { AccountSummary } from '../bindings/AccountSummary';
import type { FieldReport } from '../bindings/FieldReport';
import type { LayoutCheck } from '../bindings/LayoutCheck';
import type { PageReport } from '../bindings/PageReport';
import type { IpcError } from '../bindings/IpcError';
import { useOpenProfilesFolder } from '../backend/queries';
import { Badge } from './Badge';

/**
 * "Check portal layout": what the account's portal profile finds on a vehicle-list page and three
 * trucks' pages, field by field, and every row it could not read, as `truckiq profile check` prints
 * it. A person fixes the profile file from this, then checks again.
 */
export function LayoutCheckPanel({
  account,
  check,
  onAgain,
  onClose,
}: {
  account: AccountSummary;
  check: { isPending: boolean; error: IpcError | null; data: LayoutCheck | undefined };
  onAgain: () => void;
  onClose: () => void;
}) {
  const open = useOpenProfilesFolder();
  const title = `Portal layout of ${account.name}`;
  return (
    <section className="card layout-check" aria-label={title}>
      <header className="card-header layout-check-header">
        <div>
          <h2>{title}</h2>
          <p className="muted">
            What its portal profile finds on the pages: where each field is looked for, on how many rows it was found,
            and sample values. Nothing is saved.
          </p>
        </div>
        <div className="layout-check-actions">
          <button type="button" className="button button-small" onClick={onAgain} disabled={check.isPending}>
            Check again
          </button>
          <button type="button" className="button button-small button-quiet" onClick={() => open.mutate()}>
            Open profiles folder
          </button>
          <button type="button" className="button button-small button-quiet" onClick={onClose}>
            Close
          </button>
        </div>
      </header>
      {open.isSuccess ? (
        <p className="muted layout-check-note" role="status">
          Opened {open.data}. Put an override file there, or give this account its own file with{' '}
          <code>truckiq accounts set-profile</code>.
        </p>
      ) : null}
      {open.isError ? (
        <p className="form-error form-error-warning" role="alert">
          {open.error.message}
        </p>
      ) : null}
      {check.isPending ? (
        <div className="layout-check-progress" role="status">
          <div className="sync-progress">
            <div className="sync-progress-track sync-progress-indeterminate">
              <div className="sync-progress-fill" />
            </div>
          </div>
          <p className="muted">
            Signing in to {account.name} and reading a vehicle list page and three trucks' pages…
          </p>
        </div>
      ) : null}
      {check.error ? (
        <p className="form-error form-error-error" role="alert">
          {check.error.message}
        </p>
      ) : null}
      {check.data && !check.isPending ? <LayoutReport check={check.data} /> : null}
    </section>
  );
}

function LayoutReport({ check }: { check: LayoutCheck }) {
  const fits = check.pages.every((p) => p.mismatch === null && p.failed.length === 0);
  return (
    <div className="layout-report">
      <p className="layout-check-summary">
        <Badge tone={fits ? 'success' : 'warning'}>{fits ? 'Every page fits' : 'Needs a profile fix'}</Badge>
        <span className="muted">
          Profile: <code className="layout-path">{check.profile}</code>
        </span>
      </p>
      {check.pages.map((page, index) => (
        <PageSection key={`${page.source}-${index}`} page={page} />
      ))}
    </div>
  );
}

function PageSection({ page }: { page: PageReport }) {
  const title = page.kind === 'vehicle_list' ? 'Vehicle list' : 'Truck page';
  const read = page.rows - page.failed.length;
  const linkLabel = page.kind === 'vehicle_list' ? 'Next page link' : 'More faults link';
  const fits = page.mismatch === null && page.failed.length === 0;
  // A page that fits is folded away: what needs fixing is what a person came to see.
  return (
    <details className="layout-page" open={!fits} aria-label={`${title} ${page.source}`}>
      <summary>
        <h3>
          {title} <span className="layout-path cell-faint">{page.source}</span>
        </h3>
        <p className="layout-rows">
          <Badge tone={fits ? 'success' : 'warning'}>{fits ? 'Fits' : 'Does not fit'}</Badge>
          <span>
            Rows <code>{page.rowSelector}</code>: {page.rows} found, {read} read
            {page.rows === 0 && page.emptyMarker
              ? page.kind === 'vehicle_list'
                ? ' — the page says there are no vehicles'
                : ' — the page says there are no faults'
              : ''}
          </span>
        </p>
      </summary>
      {page.mismatch ? (
        <p className="form-error form-error-error" role="alert">
          This page does not fit the profile: {page.mismatch}
        </p>
      ) : null}
      {page.failed.length > 0 ? (
        <div className="layout-failed">
          <h4>Rows that could not be read</h4>
          <ul>
            {page.failed.map((problem) => (
              <li key={problem.row}>
                <strong>Row {problem.row + 1}:</strong> {problem.reason}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {page.rows > 0 ? <FieldTable fields={page.fields} of={page.rows} label={`${title} fields`} /> : null}
      {page.truckFields.length > 0 && !page.mismatch ? (
        <FieldTable fields={page.truckFields} of={1} label="The truck, anywhere on the page" />
      ) : null}
      {!page.mismatch ? (
        <p className="cell-secondary">
          {linkLabel}: {page.next ? <code className="layout-path">{page.next}</code> : 'none found'}
        </p>
      ) : null}
    </details>
  );
}

function FieldTable({ fields, of, label }: { fields: FieldReport[]; of: number; label: string }) {
  return (
    <table className="table layout-fields" aria-label={label}>
      <caption className="layout-caption">{label}</caption>
      <thead>
        <tr>
          <th className="col-field">Field</th>
          <th className="col-looks">Looks at</th>
          <th className="col-found">Found</th>
          <th>Samples</th>
        </tr>
      </thead>
      <tbody>
        {fields.map((field) => {
          const missing = field.matched === 0 && field.looks !== 'not in the profile';
          return (
            <tr key={field.name} className={missing ? 'layout-field-missing' : undefined}>
              <td>
                <code>{field.name}</code>
              </td>
              <td className="cell-wrap">
                {field.looks === 'not in the profile' ? <span className="cell-faint">not in the profile</span> : <code>{field.looks}</code>}
              </td>
              <td>
                {field.matched}/{of}
                {field.unmatched > 0 ? <div className="cell-secondary">{field.unmatched} not matching</div> : null}
              </td>
              <td className="cell-wrap">
                {field.samples.length === 0 ? (
                  <span className="cell-faint">—</span>
                ) : (
                  field.samples.map((sample) => (
                    <span key={sample} className="layout-sample">
                      {sample}
                    </span>
                  ))
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

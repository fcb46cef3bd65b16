import { useStartDemo } from '../backend/queries';
import { classifyError } from '../backend/errors';
import { TruckIcon } from './icons';

/** "Try the demo fleet": a simulated PACCAR portal inside the app, synced like a real one. */
export function DemoButton() {
  const demo = useStartDemo();
  return (
    <div className="demo-button">
      <button type="button" className="button button-primary" onClick={() => demo.mutate()} disabled={demo.isPending}>
        <TruckIcon size={15} />
        {demo.isPending ? 'Starting the demo…' : 'Try the demo fleet'}
      </button>
      {demo.isError ? (
        <p className={`form-error form-error-${classifyError(demo.error).treatment}`} role="alert">
          {demo.error.message}
        </p>
      ) : null}
    </div>
  );
}

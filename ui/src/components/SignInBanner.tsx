import { useAccounts } from '../backend/queries';
import { useWaitingForPerson } from '../backend/live';
import { hrefFor } from '../lib/routes';
import { AlertCircleIcon } from './icons';

/**
 * Shown on every page while a sync waits for a person to finish signing in (a portal asked for a
 * code TruckIQ cannot answer): the browser window that needs them has been brought to the front,
 * and the sync carries on by itself once they are through.
 */
export function SignInBanner() {
  const waiting = useWaitingForPerson();
  const accounts = useAccounts();
  if (waiting.length === 0) return null;
  const names = waiting.map((id) => accounts.data?.find((a) => a.id === id)?.name ?? `account ${id}`);
  return (
    <div className="signin-banner" role="alert">
      <AlertCircleIcon size={18} />
      <p>
        <strong>Finish signing in to {names.join(', ')}</strong> in the browser window that opened. The portal asked
        for a verification step only you can complete; the sync carries on by itself when you are done.
      </p>
      <a className="link" href={hrefFor('accounts')}>
        Accounts
      </a>
    </div>
  );
}

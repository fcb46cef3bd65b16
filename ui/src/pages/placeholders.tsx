import type { ReactNode } from 'react';
import { hrefFor } from '../lib/routes';
import { KeyIcon } from '../components/icons';

/** The call to action every "nothing synced yet" page shares. */
export function GoToAccounts(): ReactNode {
  return (
    <a className="button" href={hrefFor('accounts')}>
      <KeyIcon size={15} />
      Open Accounts
    </a>
  );
}

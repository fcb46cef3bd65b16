import { PageHeader } from '../components/PageHeader';
import { BellIcon } from '../components/icons';
import { EmptyState } from '../components/states';
import { GoToAccounts } from './placeholders';

export function AlertsPage() {
  return (
    <>
      <PageHeader title="Alerts" description="What needs your attention, newest first." />
      <EmptyState
        icon={<BellIcon size={28} />}
        title="No alerts — nothing has synced yet"
        action={<GoToAccounts />}
      >
        <p>
          Once accounts sync, TruckIQ raises an alert, with a desktop notification, for every new critical
          fault, and tells you when a sync fails or a portal needs you to sign in again.
        </p>
      </EmptyState>
    </>
  );
}

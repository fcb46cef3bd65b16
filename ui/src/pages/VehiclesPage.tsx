import { PageHeader } from '../components/PageHeader';
import { TruckIcon } from '../components/icons';
import { EmptyState } from '../components/states';
import { GoToAccounts } from './placeholders';

export function VehiclesPage() {
  return (
    <>
      <PageHeader title="Vehicles" description="Every truck your portal accounts can see." />
      <EmptyState
        icon={<TruckIcon size={28} />}
        title="No vehicles yet — add a portal account and run a sync"
        action={<GoToAccounts />}
      >
        <p>
          Once an account has synced, its Kenworth, Peterbilt and DAF trucks are listed here with VIN,
          unit number, model, engine, odometer and engine hours, and how many active faults each one has.
        </p>
      </EmptyState>
    </>
  );
}

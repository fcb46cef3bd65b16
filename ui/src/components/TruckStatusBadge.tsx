import type { TruckStatus } from '../bindings/TruckStatus';
import { TRUCK_STATUS } from '../lib/vehicles';
import { Badge } from './Badge';
import { RelativeTime } from './RelativeTime';

/** "Not communicating since 3 hours ago", "In repair": what the portal says about the truck itself. */
export function TruckStatusBadge({ status, since }: { status: TruckStatus | null; since: string | null }) {
  if (status === null) return null;
  return (
    <Badge tone={status === 'not_communicating' ? 'warning' : 'neutral'}>
      {TRUCK_STATUS[status]}
      {since ? (
        <>
          {' since '}
          <RelativeTime iso={since} />
        </>
      ) : null}
    </Badge>
  );
}

import type { TruckStatus } from '../bindings/TruckStatus';
import { formatAbsolute } from '../lib/time';
import { TRUCK_STATUS } from '../lib/vehicles';
import { Badge } from './Badge';
import { RelativeTime } from './RelativeTime';

/**
 * What the portal says about the truck itself: "Not communicating since 3 hours ago", "In repair".
 * `compact` (a table cell) keeps the words and puts the time, and `detail`, in the tooltip.
 */
export function TruckStatusBadge({
  status,
  since,
  compact = false,
  detail,
}: {
  status: TruckStatus | null;
  since: string | null;
  compact?: boolean;
  detail?: string | undefined;
}) {
  if (status === null) return null;
  const tone = status === 'not_communicating' ? 'warning' : 'neutral';
  if (compact) {
    const title = [since ? `${TRUCK_STATUS[status]} since ${formatAbsolute(since)}` : TRUCK_STATUS[status], detail]
      .filter(Boolean)
      .join('; ');
    return (
      <Badge tone={tone} title={title}>
        {TRUCK_STATUS[status]}
      </Badge>
    );
  }
  return (
    <Badge tone={tone}>
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

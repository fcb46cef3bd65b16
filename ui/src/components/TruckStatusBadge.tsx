import type { TruckStatus } from '../bindings/TruckStatus';
import { formatAbsolute } from '../lib/time';
import { TRUCK_STATUS } from '../lib/vehicles';
import { Badge } from './Badge';

/**
 * What the portal says about the truck itself ("Not communicating", "In repair"), short enough for a
 * table cell; since when, and `detail`, are in the tooltip.
 */
export function TruckStatusBadge({
  status,
  since,
  detail,
}: {
  status: TruckStatus | null;
  since: string | null;
  detail?: string | undefined;
}) {
  if (status === null) return null;
  const title = [since ? `${TRUCK_STATUS[status]} since ${formatAbsolute(since)}` : TRUCK_STATUS[status], detail]
    .filter(Boolean)
    .join('; ');
  return (
    <Badge tone={status === 'not_communicating' ? 'warning' : 'neutral'} title={title}>
      {TRUCK_STATUS[status]}
    </Badge>
  );
}

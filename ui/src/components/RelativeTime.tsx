import { formatAbsolute, formatAgo } from '../lib/time';
import { useNow } from '../lib/useNow';

/** When something happened, "3 hours ago" (never a time after now), with the exact time in the tooltip. */
export function RelativeTime({ iso, className }: { iso: string; className?: string }) {
  const now = useNow();
  return (
    <time className={className} dateTime={iso} title={formatAbsolute(iso)}>
      {formatAgo(iso, new Date(now))}
    </time>
  );
}

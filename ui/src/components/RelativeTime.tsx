import { formatAbsolute, formatRelative } from '../lib/time';
import { useNow } from '../lib/useNow';

/** "3 hours ago", with the exact time in the tooltip. */
export function RelativeTime({ iso, className }: { iso: string; className?: string }) {
  const now = useNow();
  return (
    <time className={className} dateTime={iso} title={formatAbsolute(iso)}>
      {formatRelative(iso, new Date(now))}
    </time>
  );
}

import { useAppInfo } from '../backend/queries';

/**
 * The portals TruckIQ can add, named as the core names them ("A, B or C"), so the first-run text
 * never lists a portal the form does not offer.
 */
export function PortalNames() {
  const labels = (useAppInfo().data?.portals ?? []).map((p) => p.label);
  if (labels.length === 0) return <>a PACCAR portal</>;
  if (labels.length === 1) return <>{labels[0]}</>;
  return (
    <>
      {labels.slice(0, -1).join(', ')} or {labels[labels.length - 1]}
    </>
  );
}

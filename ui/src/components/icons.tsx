import type { ReactNode } from 'react';
import type { PageId } from '../lib/routes';

// Our own 24×24 stroke icons: a handful, so no icon library.

export type IconProps = { size?: number | undefined };

function Svg({ children, size = 18 }: { children: ReactNode } & IconProps) {
  return (
    <svg
      className="icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.75}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {children}
    </svg>
  );
}

export function FleetIcon({ size }: IconProps) {
  return (
    <Svg size={size}>
      <rect x="3.5" y="3.5" width="7" height="7" rx="1.5" />
      <rect x="13.5" y="3.5" width="7" height="7" rx="1.5" />
      <rect x="3.5" y="13.5" width="7" height="7" rx="1.5" />
      <rect x="13.5" y="13.5" width="7" height="7" rx="1.5" />
    </Svg>
  );
}

export function TruckIcon({ size }: IconProps) {
  return (
    <Svg size={size}>
      <path d="M2.5 15.5v-9a1 1 0 0 1 1-1h9a1 1 0 0 1 1 1v9" />
      <path d="M13.5 9h3.8l3.2 3.6v2.9h-1" />
      <path d="M2.5 15.5h1.2M9.8 15.5h5.4" />
      <circle cx="6.8" cy="16.5" r="2" />
      <circle cx="17.3" cy="16.5" r="2" />
    </Svg>
  );
}

export function FaultIcon({ size }: IconProps) {
  return (
    <Svg size={size}>
      <path d="M10.3 4.2 2.8 17.3A2 2 0 0 0 4.5 20.3h15a2 2 0 0 0 1.7-3L13.7 4.2a2 2 0 0 0-3.4 0Z" />
      <path d="M12 9.5v4.5" />
      <path d="M12 17h.01" />
    </Svg>
  );
}

export function BellIcon({ size }: IconProps) {
  return (
    <Svg size={size}>
      <path d="M6 16.5V11a6 6 0 0 1 12 0v5.5l1.5 1.5h-15Z" />
      <path d="M10 20.5a2.2 2.2 0 0 0 4 0" />
    </Svg>
  );
}

export function KeyIcon({ size }: IconProps) {
  return (
    <Svg size={size}>
      <circle cx="8" cy="15.5" r="4" />
      <path d="m11 12.5 8.5-8.5" />
      <path d="m16.5 7 2.5 2.5" />
      <path d="m14 9.5 2 2" />
    </Svg>
  );
}

export function SlidersIcon({ size }: IconProps) {
  return (
    <Svg size={size}>
      <path d="M4 7h9M19 7h1M4 17h3M11 17h9" />
      <circle cx="16" cy="7" r="2.5" />
      <circle cx="9" cy="17" r="2.5" />
    </Svg>
  );
}

export function RefreshIcon({ size }: IconProps) {
  return (
    <Svg size={size}>
      <path d="M20 11.5A8 8 0 0 0 5.6 6.6L4 8.5" />
      <path d="M4 4v4.5h4.5" />
      <path d="M4 12.5a8 8 0 0 0 14.4 4.9l1.6-1.9" />
      <path d="M20 20v-4.5h-4.5" />
    </Svg>
  );
}

export function AlertCircleIcon({ size }: IconProps) {
  return (
    <Svg size={size}>
      <circle cx="12" cy="12" r="8.5" />
      <path d="M12 7.5v5.5" />
      <path d="M12 16.3h.01" />
    </Svg>
  );
}

export function CheckCircleIcon({ size }: IconProps) {
  return (
    <Svg size={size}>
      <circle cx="12" cy="12" r="8.5" />
      <path d="m8.3 12.3 2.5 2.5 5-5.3" />
    </Svg>
  );
}

export function DatabaseIcon({ size }: IconProps) {
  return (
    <Svg size={size}>
      <ellipse cx="12" cy="6" rx="7" ry="2.8" />
      <path d="M5 6v12c0 1.5 3.1 2.8 7 2.8s7-1.3 7-2.8V6" />
      <path d="M5 12c0 1.5 3.1 2.8 7 2.8s7-1.3 7-2.8" />
    </Svg>
  );
}

export const PAGE_ICONS: Record<PageId, (props: IconProps) => ReactNode> = {
  fleet: FleetIcon,
  vehicles: TruckIcon,
  faults: FaultIcon,
  alerts: BellIcon,
  accounts: KeyIcon,
  settings: SlidersIcon,
};

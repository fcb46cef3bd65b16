import { PageHeader } from '../components/PageHeader';
import { FaultIcon } from '../components/icons';
import { EmptyState } from '../components/states';
import { GoToAccounts } from './placeholders';

const SEVERITIES = [
  { id: 'critical', label: 'Critical', hint: 'stop engine, derate' },
  { id: 'major', label: 'Major', hint: 'seek service soon' },
  { id: 'minor', label: 'Minor', hint: 'fix at next service' },
  { id: 'info', label: 'Info', hint: 'informational' },
] as const;

export function FaultsPage() {
  return (
    <>
      <PageHeader title="Faults" description="J1939 fault codes (SPN/FMI) reported by your trucks." />
      <EmptyState
        icon={<FaultIcon size={28} />}
        title="No fault codes yet — add a portal account and run a sync"
        action={<GoToAccounts />}
      >
        <p>
          After a sync, every active fault appears here, most severe first: the SPN and FMI, the module
          that reported it, when it was first and last seen, and its history once it clears.
        </p>
        <ul className="severity-legend" aria-label="Severity levels">
          {SEVERITIES.map(({ id, label, hint }) => (
            <li key={id} className={`severity severity-${id}`}>
              <span className="severity-dot" aria-hidden="true" />
              <strong>{label}</strong>
              <span className="severity-hint">{hint}</span>
            </li>
          ))}
        </ul>
      </EmptyState>
    </>
  );
}

import { useAppInfo } from '../backend/queries';
import { PageHeader } from '../components/PageHeader';
import { ErrorState, LoadingRegion, Skeleton } from '../components/states';
import { ChannelsCard } from './ChannelsCard';
import { NotificationSettingsCard, SyncSettingsCard } from './SettingsForms';
import { StartupCard } from './StartupCard';

export function SettingsPage() {
  const info = useAppInfo();
  return (
    <>
      <PageHeader title="Settings" description="How TruckIQ syncs and notifies, and where it keeps its data." />
      {info.isPending ? (
        <LoadingRegion label="Loading app information…">
          <div className="card">
            <Skeleton className="skeleton-line skeleton-short" />
            <Skeleton className="skeleton-line" />
            <Skeleton className="skeleton-line" />
          </div>
        </LoadingRegion>
      ) : info.isError ? (
        <ErrorState what="app information" error={info.error} onRetry={() => void info.refetch()} />
      ) : (
        <>
          <section className="card" aria-labelledby="about-heading">
            <header className="card-header">
              <h2 id="about-heading">About this installation</h2>
            </header>
            <dl className="facts">
              <dt>Version</dt>
              <dd>{info.data.version}</dd>
              <dt>Data folder</dt>
              <dd className="path">{info.data.dataDir}</dd>
              <dt>Database</dt>
              <dd className="path">{info.data.dbPath}</dd>
            </dl>
          </section>
          <SyncSettingsCard />
          <NotificationSettingsCard />
          <ChannelsCard />
          <StartupCard />
          <p className="footnote">
            Vehicles, faults and sync history live in the SQLite database above, on this computer only.
            Portal passwords, MFA secrets, the proxy password and alert channels’ URLs, tokens and passwords are kept in the
            operating system’s keychain, never in the database.
          </p>
        </>
      )}
    </>
  );
}

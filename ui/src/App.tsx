import type { ReactNode } from 'react';
import { SignInBanner } from './components/SignInBanner';
import { Sidebar } from './components/Sidebar';
import { useHashRoute, type PageId } from './lib/routes';
import { AccountsPage } from './pages/AccountsPage';
import { AlertsPage } from './pages/AlertsPage';
import { FaultsPage } from './pages/FaultsPage';
import { FleetPage } from './pages/FleetPage';
import { SettingsPage } from './pages/SettingsPage';
import { VehiclesPage } from './pages/VehiclesPage';

const PAGE_COMPONENTS: Record<PageId, () => ReactNode> = {
  fleet: FleetPage,
  vehicles: VehiclesPage,
  faults: FaultsPage,
  alerts: AlertsPage,
  accounts: AccountsPage,
  settings: SettingsPage,
};

export function App() {
  const page = useHashRoute();
  const Page = PAGE_COMPONENTS[page];
  return (
    <div className="shell">
      <Sidebar current={page} />
      <main className="main" id="main">
        <div className="page">
          <SignInBanner />
          <Page key={page} />
        </div>
      </main>
    </div>
  );
}

import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { BackendProvider } from './backend/context';
import { LiveUpdates } from './backend/live';
import { createQueryClient } from './backend/queries';
import { TauriBackend } from './backend/tauri';
import './styles/tokens.css';
import './styles/base.css';
import './styles/components/sidebar.css';
import './styles/components/buttons.css';
import './styles/components/card.css';
import './styles/components/table.css';
import './styles/components/badges.css';
import './styles/components/states.css';
import './styles/components/signin-banner.css';
import './styles/components/forms.css';
import './styles/components/layout-check.css';
import './styles/components/progress.css';
import './styles/components/chart.css';
import './styles/components/run-history.css';
import './styles/pages/fleet.css';
import './styles/pages/vehicles.css';
import './styles/pages/vehicle-detail.css';
import './styles/pages/faults.css';
import './styles/pages/alerts.css';
import './styles/pages/accounts.css';
import './styles/pages/settings.css';
import './styles/pages/channels.css';
import './styles/print.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

/**
 * A render that throws leaves React with nothing to show; say what happened instead of leaving a
 * blank window. Plain text only: the message may quote portal data.
 */
function showFatal(error: unknown) {
  const target = document.getElementById('root');
  if (!target) return;
  const box = document.createElement('section');
  box.className = 'fatal';
  box.setAttribute('role', 'alert');
  const title = document.createElement('h1');
  title.textContent = 'TruckIQ could not show this window';
  const detail = document.createElement('pre');
  detail.textContent = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error);
  const hint = document.createElement('p');
  hint.textContent = 'Syncing and notifications go on in the background. Restart TruckIQ; if this stays, report the text above.';
  box.append(title, hint, detail);
  target.replaceChildren(box);
}

createRoot(root, { onUncaughtError: showFatal }).render(
  <StrictMode>
    <BackendProvider backend={new TauriBackend()}>
      <QueryClientProvider client={createQueryClient()}>
        <LiveUpdates>
          <App />
        </LiveUpdates>
      </QueryClientProvider>
    </BackendProvider>
  </StrictMode>,
);

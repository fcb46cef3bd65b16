import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { BackendProvider } from './backend/context';
import { LiveUpdates } from './backend/live';
import { createQueryClient } from './backend/queries';
import { TauriBackend } from './backend/tauri';
import './styles/tokens.css';
import './styles/app.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

createRoot(root).render(
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

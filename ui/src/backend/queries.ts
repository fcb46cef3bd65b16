import { QueryClient, useQuery } from '@tanstack/react-query';
import type { IpcError } from '../bindings/IpcError';
import { useBackend } from './context';

// Every query rejects with an IpcError (the facade normalises), so say so once for all hooks.
declare module '@tanstack/react-query' {
  interface Register {
    defaultError: IpcError;
  }
}

export const queryKeys = {
  appInfo: ['app_info'],
  accounts: ['accounts'],
} as const;

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Local IPC either answers or fails for a reason a retry will not fix (the error state
        // has a Retry button). Backend events will drive refetches once sync lands.
        retry: false,
        staleTime: 30_000,
      },
    },
  });
}

export function useAppInfo() {
  const backend = useBackend();
  return useQuery({
    queryKey: queryKeys.appInfo,
    queryFn: () => backend.appInfo(),
    staleTime: Infinity,
  });
}

export function useAccounts() {
  const backend = useBackend();
  return useQuery({
    queryKey: queryKeys.accounts,
    queryFn: () => backend.listAccounts(),
  });
}

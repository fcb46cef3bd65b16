import { invoke, type InvokeArgs } from '@tauri-apps/api/core';
import type { AccountSummary } from '../bindings/AccountSummary';
import type { AppInfo } from '../bindings/AppInfo';
import type { Backend } from './backend';
import { normaliseError, notInApp } from './errors';

/** The real backend: Tauri commands defined in `src-tauri/src/commands.rs`. */
export class TauriBackend implements Backend {
  appInfo(): Promise<AppInfo> {
    return call<AppInfo>('app_info');
  }

  listAccounts(): Promise<AccountSummary[]> {
    return call<AccountSummary[]>('list_accounts');
  }
}

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  // Opened in a plain browser (e.g. `vite dev`) there is nobody to answer.
  if (!('__TAURI_INTERNALS__' in window)) throw notInApp();
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw normaliseError(error);
  }
}

import type { AccountSummary } from '../bindings/AccountSummary';
import type { AppInfo } from '../bindings/AppInfo';

/**
 * Everything the UI asks of the Rust side, in one place. Components never call `invoke`
 * themselves: they get a `Backend` from context (see `context.tsx`), so the transport can be
 * swapped (Tauri IPC in the app, a fake in tests) without touching them.
 *
 * Every method rejects with an `IpcError` (`{code, message}`), never with anything else.
 */
export interface Backend {
  appInfo(): Promise<AppInfo>;
  listAccounts(): Promise<AccountSummary[]>;
}

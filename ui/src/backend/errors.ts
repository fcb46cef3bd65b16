import type { ErrorCode } from '../bindings/ErrorCode';
import type { IpcError } from '../bindings/IpcError';

/** How the UI treats a failure with a given code. */
export type ErrorTreatment =
  /** Shown prominently (red): the user cannot go on without something changing. */
  | 'error'
  /** Shown as a caution (amber): the request was refused as given; the message says what to fix. */
  | 'warning'
  /** Not reported: the UI recovers on its own (refetches, or the thing is simply gone). */
  | 'silent';

export interface ErrorClass {
  treatment: ErrorTreatment;
  /** A short heading; the backend's message goes underneath. */
  title: string;
}

/**
 * The one table mapping each backend error code to its treatment. `Record<ErrorCode, …>` makes
 * this fail to compile when the Rust side adds a code (the bindings are regenerated from Rust).
 */
export const ERROR_CLASSES: Record<ErrorCode, ErrorClass> = {
  database: { treatment: 'error', title: 'The local database could not be read' },
  internal: { treatment: 'error', title: 'Something went wrong' },
  invalid_input: { treatment: 'warning', title: 'That was not accepted' },
  not_found: { treatment: 'silent', title: 'This is no longer there' },
  keychain_unavailable: { treatment: 'error', title: 'The system keychain is not available' },
  keychain_locked: { treatment: 'warning', title: 'The system keychain is locked' },
  secret_missing: { treatment: 'warning', title: 'A saved password is missing' },
  password_refused: { treatment: 'warning', title: 'The portal refused the password' },
  mfa_needed: { treatment: 'warning', title: 'The portal asks for a verification code' },
  mfa_rejected: { treatment: 'warning', title: 'The verification code was not accepted' },
  portal_changed: { treatment: 'error', title: 'The portal’s pages have changed' },
  network: { treatment: 'warning', title: 'The portal could not be reached' },
  timeout: { treatment: 'warning', title: 'The portal did not answer in time' },
  rate_limited: { treatment: 'warning', title: 'The portal is limiting requests' },
  browser_missing: { treatment: 'error', title: 'No browser to sync with' },
  proxy_refused: { treatment: 'warning', title: 'The proxy refused its password' },
  cancelled: { treatment: 'silent', title: 'Stopped' },
};

export function classifyError(error: IpcError): ErrorClass {
  return ERROR_CLASSES[error.code];
}

/** True when the user should be told about `error` (the treatment is not `silent`). */
export function shouldReport(error: IpcError): boolean {
  return classifyError(error).treatment !== 'silent';
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CLASSES, value);
}

export function isIpcError(value: unknown): value is IpcError {
  return (
    typeof value === 'object' &&
    value !== null &&
    isErrorCode((value as { code?: unknown }).code) &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/**
 * Turns whatever a command rejected with into an `IpcError`. Our commands reject with
 * `{code, message}`; anything else (a Tauri error string, a JS exception, an unknown code from a
 * newer backend) becomes `internal`, keeping as much of the original text as possible.
 */
export function normaliseError(error: unknown): IpcError {
  if (isIpcError(error)) return { code: error.code, message: error.message };
  if (typeof error === 'object' && error !== null && !(error instanceof Error)) {
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string') return { code: 'internal', message };
    return { code: 'internal', message: describeObject(error) };
  }
  return { code: 'internal', message: String(error) };
}

function describeObject(value: object): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** The error the facade gives when the page is not running inside the desktop app. */
export function notInApp(): IpcError {
  return {
    code: 'internal',
    message: 'The TruckIQ backend is not available: this page is not running inside the desktop app.',
  };
}

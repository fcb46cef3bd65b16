import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../bindings/ErrorCode';
import { ERROR_CLASSES, classifyError, isIpcError, normaliseError, shouldReport } from './errors';

describe('normaliseError', () => {
  it('keeps a backend IpcError as it is', () => {
    expect(normaliseError({ code: 'database', message: 'database is locked' })).toEqual({
      code: 'database',
      message: 'database is locked',
    });
  });

  it('drops extra fields so only {code, message} travels on', () => {
    expect(normaliseError({ code: 'not_found', message: 'account 7 was removed', extra: 1 })).toEqual({
      code: 'not_found',
      message: 'account 7 was removed',
    });
  });

  it('turns a plain string rejection (Tauri’s own errors) into internal', () => {
    expect(normaliseError('command list_accounts not found')).toEqual({
      code: 'internal',
      message: 'command list_accounts not found',
    });
  });

  it('turns a JS exception into internal with its String() form', () => {
    expect(normaliseError(new TypeError('x is undefined'))).toEqual({
      code: 'internal',
      message: 'TypeError: x is undefined',
    });
  });

  it('treats an unknown code from a newer backend as internal but keeps the message', () => {
    expect(normaliseError({ code: 'quota_exceeded', message: 'too many trucks' })).toEqual({
      code: 'internal',
      message: 'too many trucks',
    });
  });

  it('describes objects without a message instead of printing [object Object]', () => {
    expect(normaliseError({ status: 500 })).toEqual({ code: 'internal', message: '{"status":500}' });
  });

  it('copes with null and undefined', () => {
    expect(normaliseError(null)).toEqual({ code: 'internal', message: 'null' });
    expect(normaliseError(undefined)).toEqual({ code: 'internal', message: 'undefined' });
  });

  it('always yields something isIpcError accepts', () => {
    for (const input of [42, 'x', null, {}, [], new Error('e'), { code: 'database' }, { message: 3 }]) {
      expect(isIpcError(normaliseError(input))).toBe(true);
    }
  });
});

describe('error classification', () => {
  it('has a treatment and a title for every ErrorCode', () => {
    const codes: ErrorCode[] = [
      'database',
      'not_found',
      'invalid_input',
      'keychain_unavailable',
      'keychain_locked',
      'secret_missing',
      'password_refused',
      'mfa_needed',
      'mfa_rejected',
      'portal_changed',
      'network',
      'timeout',
      'rate_limited',
      'browser_missing',
      'proxy_refused',
      'cancelled',
      'internal',
    ];
    expect(Object.keys(ERROR_CLASSES).sort()).toEqual([...codes].sort());
    for (const code of codes) {
      expect(['error', 'warning', 'silent']).toContain(ERROR_CLASSES[code].treatment);
      expect(ERROR_CLASSES[code].title.length).toBeGreaterThan(0);
    }
  });

  it('shows database and internal failures as errors', () => {
    expect(classifyError({ code: 'database', message: '' }).treatment).toBe('error');
    expect(classifyError({ code: 'internal', message: '' }).treatment).toBe('error');
  });

  it('shows refused input as a warning and keeps not_found silent', () => {
    expect(classifyError({ code: 'invalid_input', message: '' }).treatment).toBe('warning');
    expect(shouldReport({ code: 'not_found', message: 'gone' })).toBe(false);
    expect(shouldReport({ code: 'database', message: 'locked' })).toBe(true);
  });

  it('does not mistake inherited properties for codes', () => {
    expect(isIpcError({ code: 'toString', message: 'x' })).toBe(false);
    expect(normaliseError({ code: '__proto__', message: 'x' }).code).toBe('internal');
  });
});

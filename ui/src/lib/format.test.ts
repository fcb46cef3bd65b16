import { describe, expect, it } from 'vitest';
import type { AccountSummary } from '../bindings/AccountSummary';
import type { RunSummary } from '../bindings/RunSummary';
import {
  accountState,
  formatDaysDown,
  formatInterval,
  humaniseKind,
  needsAttention,
  plural,
  runCounts,
  runTime,
} from './format';

const run = (overrides: Partial<RunSummary> = {}): RunSummary => ({
  id: 1,
  trigger: 'scheduled',
  status: 'completed',
  startedAt: '2026-11-23T05:10:03Z',
  finishedAt: '2026-11-23T05:12:41Z',
  vehiclesCount: 48,
  faultsCount: 7,
  errorKind: null,
  errorMessage: null,
  attempt: 1,
  vehiclesFailed: 0,
  faultsOpened: 0,
  faultsClosed: 0,
  screenshotPath: null,
  htmlPath: null,
  ...overrides,
});

const account = (overrides: Partial<AccountSummary> = {}): AccountSummary => ({
  id: 1,
  uid: '5f0c2f4e-8a4b-4c1d-9e2f-3a6b7c8d9e01',
  lastSuccessAt: '2026-11-23T07:12:41Z',
  stale: false,
  name: 'Valley Freight',
  portalKind: 'paccar_solutions',
  portalLabel: 'PACCAR Solutions (paccarsolutions.com)',
  baseUrl: 'https://www.paccarsolutions.com/',
  username: 'dispatch@example.com',
  syncIntervalMinutes: 240,
  enabled: true,
  pausedReason: null,
  profileFile: null,
  grantId: null,
  srmAccountId: null,
  trustDevice: true,
  createdAt: '2026-10-02T14:20:11Z',
  lastRun: run(),
  ...overrides,
});

describe('formatInterval', () => {
  it('uses minutes, hours, or both', () => {
    expect(formatInterval(15)).toBe('every 15 min');
    expect(formatInterval(60)).toBe('every 1 h');
    expect(formatInterval(240)).toBe('every 4 h');
    expect(formatInterval(90)).toBe('every 1 h 30 min');
    expect(formatInterval(1440)).toBe('every 24 h');
  });
});

describe('runs', () => {
  it('humanises error kinds', () => {
    expect(humaniseKind('login_rejected')).toBe('Login rejected');
    expect(humaniseKind('mfa-required')).toBe('Mfa required');
  });

  it('counts with singular and plural nouns', () => {
    expect(runCounts(run())).toBe('48 vehicles · 7 faults');
    expect(runCounts(run({ vehiclesCount: 1, faultsCount: 0 }))).toBe('1 vehicle · 0 faults');
    expect(plural(1200, 'vehicle')).toBe('1,200 vehicles');
  });

  it('times a run by when it finished, or started while still running', () => {
    expect(runTime(run())).toBe('2026-11-23T05:12:41Z');
    expect(runTime(run({ status: 'in_progress', finishedAt: null }))).toBe('2026-11-23T05:10:03Z');
  });
});

describe('account state', () => {
  it('lets a pause reason win over the enabled flag, like the CLI', () => {
    expect(accountState(account({ pausedReason: 'password rejected' }))).toEqual({
      kind: 'paused',
      reason: 'password rejected',
    });
    expect(accountState(account())).toEqual({ kind: 'enabled' });
    expect(accountState(account({ enabled: false }))).toEqual({ kind: 'disabled' });
  });

  it('needs attention when paused, disabled, stale or the last run failed', () => {
    expect(needsAttention(account())).toBe(false);
    expect(needsAttention(account({ stale: true }))).toBe(true); // the backend's judgement, not ours
    expect(needsAttention(account({ lastRun: run({ status: 'failed' }) }))).toBe(true);
    expect(needsAttention(account({ pausedReason: 'x' }))).toBe(true);
    expect(needsAttention(account({ enabled: false }))).toBe(true);
    expect(needsAttention(account({ lastRun: run({ status: 'partial' }) }))).toBe(false);
  });
});

describe('formatDaysDown', () => {
  it('says hours under a day and days from one on, never zero', () => {
    expect(formatDaysDown(0)).toBe('1 hour');
    expect(formatDaysDown(0.79)).toBe('19 hours');
    expect(formatDaysDown(2.333)).toBe('2.3 days');
  });
});

// The built UI (ui/dist) in headless Chromium, behind the same kind of strict CSP the app has,
// talking to a fake Tauri IPC that answers from tests/fixtures/ui/. Screenshots of every page and
// state land in tests/artifacts/ui/ (ignored by git).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '../..');
const dist = join(root, 'ui/dist');
const fixtures = join(root, 'tests/fixtures/ui');
const artifacts = join(root, 'tests/artifacts/ui');

const NAV = ['Fleet', 'Vehicles', 'Faults', 'Alerts', 'Accounts', 'Settings'];
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; connect-src 'self'";
// The fixtures' times are read against this clock (the completed run finished 3 h 17 min earlier).
const NOW = new Date('2026-11-23T08:30:00Z');
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const fixture = (name) => JSON.parse(readFileSync(join(fixtures, name), 'utf8'));
const APP_INFO = fixture('app_info.json');
/** An authorization that reaches three SRM accounts, as the simulator's multi-account user does. */
const PENDING_API_LOGIN = {
  id: '0b7a4c52-3f1e-4d8a-9c61-2e5f7a9b1c03',
  accounts: [
    { id: 'dc8beef2-e304-11ea-86c2-1f9b5bc5281b', name: 'Valley Freight — Linehaul', modules: ['account_management', 'asset_management', 'telematics'] },
    { id: 'dc8beef2-e304-11ea-86c2-1f9b5bc5281c', name: 'Valley Freight — Regional', modules: ['account_management', 'asset_management', 'telematics'] },
    { id: 'dc8beef2-e304-11ea-86c2-1f9b5bc5281d', name: 'Valley Freight — Yard', modules: ['account_management', 'asset_management'] },
  ],
};
const ACCOUNTS = fixture('accounts.json');
const NO_ACCOUNTS = fixture('accounts_empty.json');
const VEHICLES = fixture('vehicles.json');
const VEHICLE_11 = fixture('vehicle_detail_11.json');
const ALERTS = fixture('alerts.json');
const FLEET = fixture('fleet_summary.json');
const FAULTS = fixture('faults.json');
const FAULT_SOURCES = [
  { address: 0, name: 'Engine #1 (SA 0)', faults: 800 },
  { address: 61, name: 'Exhaust emission controller (aftertreatment) (SA 61)', faults: 403 },
];
const RUNS = fixture('runs.json');
const DELIVERIES = fixture('deliveries.json');
// What `truckiq profile check --json` printed for the simulator's Cards layout read with a profile
// whose code label was guessed wrong.
const LAYOUT_CHECK = fixture('layout_check.json');
// A 1×1 PNG, standing in for a kept screenshot.
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const NO_TRUCKS = { ...FLEET, trucks: 0, good: 0, attention: 0, critical: 0, unknown: 0, topFaults: [] };
const DB_LOCKED = { code: 'database', message: 'database is locked' };

let server;
let baseUrl;
let context;
let profileDir;

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Serves ui/dist the way a plain static host would, with our CSP on every response. */
function serveDist() {
  return createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = normalize(join(dist, path === '/' ? 'index.html' : path));
    if (file !== dist && !file.startsWith(dist + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Content-Security-Policy': CSP,
        'Cache-Control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(404, { 'Content-Security-Policy': CSP }).end('not found');
    }
  });
}

before(async () => {
  assert.ok(
    existsSync(join(dist, 'index.html')),
    `${dist}/index.html is missing: run npm run build -w ui first`,
  );
  mkdirSync(artifacts, { recursive: true });
  server = serveDist();
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  baseUrl = `http://127.0.0.1:${server.address().port}`;
  profileDir = mkdtempSync(join(tmpdir(), 'truckiq-ui-test-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1280, height: 800 },
    deviceScaleFactor: 1,
    colorScheme: 'light',
    reducedMotion: 'reduce',
    // Not UTC, on purpose: times must follow the computer's zone (issue 18).
    timezoneId: 'America/Chicago',
    locale: 'en-US',
  });
});

after(async () => {
  await context?.close();
  await new Promise((ok) => (server ? server.close(ok) : ok()));
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

/**
 * Installed before any page script: a stand-in for what Tauri injects (`__TAURI_INTERNALS__`),
 * shaped like `mockIPC` in @tauri-apps/api/mocks. `accounts` is what `list_accounts` does:
 * `{ resolve: [...] }`, `{ reject: {...} }` or `{ pending: true }` (never answers). Tests can
 * change it later through `window.__fakeIpc.accounts`. Every call is logged in `__fakeIpc.calls`.
 * Also freezes Object.prototype like the app's `freezePrototype` and records CSP violations.
 */
function installFakeTauri(answers) {
  // tauri.conf.json sets `freezePrototype`: Tauri runs exactly this first in every page, and a
  // library that assigns over an inherited property (the "override mistake") throws under it.
  Object.freeze(Object.prototype);
  const state = { ...answers, calls: [], args: [], unknown: [], csp: [], listeners: [] };
  window.__fakeIpc = state;
  document.addEventListener('securitypolicyviolation', (event) => {
    state.csp.push(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'} (${event.sourceFile}:${event.lineNumber})`);
  });
  const clone = (value) => JSON.parse(JSON.stringify(value));
  const answer = (spec) => {
    if (spec.pending) return new Promise(() => {});
    if (spec.reject) return Promise.reject(clone(spec.reject));
    if (spec.delayMs) return new Promise((ok) => setTimeout(() => ok(clone(spec.resolve)), spec.delayMs));
    return Promise.resolve(clone(spec.resolve));
  };

  // What the database does with a VehicleQuery, roughly: enough for the table to page, filter
  // and sort through a fixture (the real query is tested against SQLite in crates/truckiq).
  const numeric = new Intl.Collator('en', { numeric: true });
  const sortKey = {
    health: (v) => v.healthScore ?? 999,
    unit: (v) => v.unitNumber ?? '',
    vin: (v) => v.vin,
    odometer: (v) => v.odometerMi ?? -1,
    faults: (v) => v.activeCritical * 1e6 + v.activeMajor * 1e3 + v.activeFaults,
  };
  const vehiclePage = (all, query) => {
    const needle = query.search.trim().toUpperCase();
    const key = sortKey[query.sort];
    const matching = all
      .filter(
        (v) =>
          (v.vin.includes(needle) || (v.unitNumber ?? '').toUpperCase().includes(needle)) &&
          (query.band === null || v.healthBand === query.band) &&
          (query.tier === null || v.activeCritical > 0 || (query.tier === 'major' && v.activeMajor > 0)) &&
          (query.accountId === null || v.accountId === query.accountId) &&
          (query.status === null || v.status === query.status),
      )
      .sort((a, b) => (query.descending ? -1 : 1) * numeric.compare(String(key(a)), String(key(b))));
    return {
      total: all.length,
      matching: matching.length,
      offset: query.offset,
      rows: matching.slice(query.offset, query.offset + query.limit),
    };
  };

  // The fixture's faults, then fillers up to its total: the list is windowed like the database's.
  const faultPage = (fixture, query) => {
    const fillers = Array.from({ length: Math.max(0, fixture.total - fixture.faults.length) }, (_, i) => ({
      ...fixture.faults[fixture.faults.length - 1],
      id: 100000 + i,
      unitNumber: String(2000 + i),
    }));
    const all = [...fixture.faults, ...fillers];
    return { total: all.length, offset: query.offset, faults: all.slice(query.offset, query.offset + query.limit) };
  };

  const callbacks = new Map();
  function transformCallback(callback, once = false) {
    const id = window.crypto.getRandomValues(new Uint32Array(1))[0];
    callbacks.set(id, (data) => {
      if (once) callbacks.delete(id);
      return callback && callback(data);
    });
    return id;
  }
  // What the backend's `app.emit(event, payload)` does: every listener of that event is called.
  state.emit = (event, payload) => {
    for (const listener of state.listeners.filter((l) => l.event === event)) {
      callbacks.get(listener.handler)?.({ event, id: listener.id, payload });
    }
  };

  window.__TAURI_INTERNALS__ = {
    async invoke(cmd, args, _options) {
      state.calls.push(cmd);
      state.args.push({ cmd, args: clone(args ?? {}) });
      switch (cmd) {
        case 'plugin:event|listen': {
          const id = state.listeners.length + 1;
          state.listeners.push({ id, event: args.event, handler: args.handler });
          return id;
        }
        case 'plugin:event|unlisten':
          return null;
        case 'app_info':
          return answer(state.appInfo);
        case 'list_accounts':
          return answer(state.accounts);
        case 'list_vehicles':
          // Answered after a moment, as the database does: the table must stay usable meanwhile.
          return state.vehicles.resolve
            ? new Promise((ok) => setTimeout(() => ok(clone(vehiclePage(state.vehicles.resolve, args.query))), 40))
            : answer(state.vehicles);
        case 'fleet_summary':
          return answer(state.fleetSummary);
        case 'list_faults':
          return state.faults.resolve ? answer({ resolve: faultPage(state.faults.resolve, args.query) }) : answer(state.faults);
        case 'fault_sources':
          return answer({ resolve: state.faultSources });
        case 'fault_trend':
          // A month of counts that move, ending at the fixed clock's now.
          return answer({
            resolve: Array.from({ length: args.days + 1 }, (_, i) => ({
              at: new Date(Date.parse('2026-11-23T08:30:00Z') - (args.days - i) * 86_400_000).toISOString(),
              critical: i % 3,
              major: 5 + (i % 4),
              minor: 12 + (i % 5),
            })),
          });
        case 'save_account':
          if (args.input.totpSecret === 'not-base32!') {
            return Promise.reject({ code: 'invalid_input', message: "the TOTP secret is not base32: '-' cannot appear in it (base32 uses A-Z and 2-7)" });
          }
          return answer({ resolve: args.accountId ?? 3 });
        case 'list_runs':
          return answer({ resolve: state.runs });
        case 'run_screenshot':
          return answer({ resolve: state.png });
        case 'authorize_api_login':
          return answer(state.apiLogin);
        case 'finish_api_login':
          return args.srmAccountIds.length === 0
            ? Promise.reject({ code: 'invalid_input', message: 'choose at least one SRM account to sync' })
            : answer({ resolve: args.srmAccountIds.map((_, n) => 20 + n) });
        case 'cancel_api_login':
        case 'reauthorize_api':
          return null;
        case 'account_secrets':
          return answer({ resolve: { password: true, totp: false } });
        case 'test_sign_in':
          return answer({ resolve: 'Signed in: the portal accepted the credentials.' });
        case 'check_layout':
          return answer(state.layoutCheck);
        case 'open_profiles_folder':
          return answer({ resolve: '/home/fleet/.local/share/com.truckiq.fleet/profiles' });
        case 'autostart':
          return answer({ resolve: state.autostart ?? false });
        case 'set_autostart':
          state.autostart = args.enabled;
          return answer({ resolve: args.enabled });
        case 'open_log_folder':
          return answer({ resolve: '/home/fleet/.local/share/com.truckiq.fleet/logs' });
        case 'diagnostics':
          return answer({ resolve: 'TruckIQ 0.1.0\nsystem: linux Debian GNU/Linux 12 (bookworm) (x86_64)\n\nok   browser                /usr/bin/chromium\n' });
        case 'set_account_enabled':
        case 'remove_account':
          return null;
        case 'sync_settings':
          return answer({ resolve: state.savedSync ?? { concurrency: null, browserPath: null, proxy: null, proxyUsername: null, proxyPasswordSaved: false, proxyPasswordRefused: false, staleAfterHours: 23, caseAlertHours: 4 } });
        case 'set_sync_settings':
          if (args.settings.concurrency > 16) {
            return Promise.reject({ code: 'invalid_input', message: `TruckIQ can read 1 to 16 trucks at the same time, not ${args.settings.concurrency}` });
          }
          // As the core does: the password goes to the keychain, the settings only say it is saved.
          state.proxyPasswords = [...(state.proxyPasswords ?? []), args.proxyPassword];
          state.savedSync = { ...args.settings, proxyPasswordSaved: args.settings.proxyPasswordSaved || Boolean(args.proxyPassword) };
          return null;
        case 'notification_prefs':
          return answer({ resolve: state.savedPrefs ?? { quietHours: null, quietHoursHoldCritical: false, notCommunicating: false, mutedCodes: [{ spn: 100, fmi: 1 }], mutedVehicles: [{ account: '5f0c2f4e-8a4b-4c1d-9e2f-3a6b7c8d9e01', vin: '1XKYD49X0NJ123456' }], mutedTruckCodes: [] } });
        case 'set_notification_prefs':
          state.savedPrefs = args.prefs;
          return null;
        case 'export_faults_csv':
          return answer({ resolve: { path: '/home/fleet/Downloads/truckiq-faults-20261123-0830.csv', rows: 1203 } });
        case 'export_vehicles_csv':
          // The person cancelled the save dialog the first time.
          state.vehicleExports = (state.vehicleExports ?? 0) + 1;
          return answer({ resolve: state.vehicleExports === 1 ? null : { path: '/home/fleet/Downloads/truckiq-vehicles-20261123-0830.csv', rows: 12 } });
        case 'show_export_in_folder':
          return answer({ resolve: '/home/fleet/Downloads/truckiq-faults-20261123-0830.csv' });
        // Alert channels, kept in the page like the core keeps them in SQLite: secrets are taken
        // and never given back; a webhook's signing secret is made and returned once.
        case 'list_channels':
          return answer({ resolve: state.channels ?? [] });
        case 'add_channel': {
          const input = args.input;
          if (!input.name.trim()) return Promise.reject({ code: 'invalid_input', message: 'give the channel a name' });
          if (input.kind !== 'email' && !/^https:\/\//.test(input.url ?? '')) {
            const host = new URL(input.url).host;
            return Promise.reject({ code: 'invalid_input', message: `the channel's URL is http:// to ${host}: it must be a valid https:// URL (http:// only to this computer)` });
          }
          state.channelSecrets = [...(state.channelSecrets ?? []), input.url ?? input.smtpPassword];
          const channel = {
            id: (state.channels ?? []).length + 1,
            uid: '0b9f4d6e-7c1a-4e2b-9f3d-5a6b7c8d9e0' + ((state.channels ?? []).length + 1),
            name: input.name,
            kind: input.kind,
            target: input.kind === 'email' ? `${input.email.to.join(', ')} via ${input.email.server}` : new URL(input.url).host,
            settings: { email: input.email },
            rules: input.rules,
            enabled: true,
            createdAt: new Date().toISOString(),
          };
          state.channels = [...(state.channels ?? []), channel];
          const secret = input.kind === 'webhook' && !input.signingSecret ? 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' : null;
          return answer({ resolve: { channel, signingSecret: secret } });
        }
        case 'update_channel':
          state.channels = state.channels.map((c) => (c.id === args.channelId ? { ...c, rules: args.rules, enabled: args.enabled } : c));
          return answer({ resolve: state.channels.find((c) => c.id === args.channelId) });
        case 'remove_channel':
          state.channels = state.channels.filter((c) => c.id !== args.channelId);
          return null;
        case 'test_channel':
          return answer({
            resolve: args.channelId === 1
              ? { delivered: true, status: 200, answer: 'HTTP 200 OK: ok', durationMs: 84 }
              : { delivered: false, status: 404, answer: 'HTTP 404 Not Found: no_team', durationMs: 131 },
            delayMs: 200,
          });
        case 'channel_deliveries':
          return answer({ resolve: args.channelId === 1 ? state.deliveries : [] });
        case 'list_alerts':
          return answer(state.alerts);
        case 'act_on_alerts':
          return answer({ resolve: args.alertIds.length });
        case 'mute_alert':
          return answer({ resolve: { quietHours: null, quietHoursHoldCritical: false, notCommunicating: false, mutedCodes: [{ spn: 100, fmi: 1 }], mutedVehicles: [], mutedTruckCodes: [] } });
        case 'vehicle_detail':
          return args.vehicleId === 11
            ? answer(state.vehicleDetail)
            : Promise.reject({ code: 'not_found', message: `vehicle ${args.vehicleId} is no longer in the database` });
        case 'sync_now':
          return answer(state.syncNow);
        case 'sync_progress':
          return answer(state.running);
        case 'start_demo':
          return answer(state.startDemo);
        default:
          state.unknown.push(cmd);
          throw `command ${cmd} not found`;
      }
    },
    transformCallback,
    unregisterCallback: (id) => callbacks.delete(id),
    runCallback: (id, data) => callbacks.get(id)?.(data),
    callbacks,
    convertFileSrc: (path, protocol = 'asset') => `${protocol}://localhost/${encodeURIComponent(path)}`,
    metadata: {
      currentWindow: { label: 'main' },
      currentWebview: { windowLabel: 'main', label: 'main' },
    },
  };
}

/** A fresh page on the app with the given backend answers; `problems` collects what must stay empty. */
async function openApp(
  t,
  {
    accounts = { resolve: ACCOUNTS },
    appInfo = { resolve: APP_INFO },
    vehicles = { resolve: VEHICLES },
    alerts = { resolve: [] },
    syncNow = { resolve: [1] },
    startDemo = { resolve: 3 },
    vehicleDetail = { resolve: VEHICLE_11 },
    fleetSummary = { resolve: FLEET },
    faults = { resolve: FAULTS },
    running = { resolve: [] },
    layoutCheck = { resolve: LAYOUT_CHECK, delayMs: 300 },
    apiLogin = { resolve: PENDING_API_LOGIN, delayMs: 400 },
    hash = '',
    viewport = null,
  } = {},
) {
  const page = await context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  const problems = { console: [], pageErrors: [] };
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.console.push(`${message.type()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.pageErrors.push(String(error)));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.console.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  page.on('requestfailed', (request) => problems.console.push(`request failed: ${request.url()}`));
  await page.clock.setFixedTime(NOW);
  await page.addInitScript(installFakeTauri, {
    appInfo,
    accounts,
    vehicles,
    alerts,
    syncNow,
    startDemo,
    vehicleDetail,
    fleetSummary,
    faults,
    running,
    layoutCheck,
    apiLogin,
    runs: RUNS,
    png: PNG,
    faultSources: FAULT_SOURCES,
    deliveries: DELIVERIES,
  });
  await page.goto(`${baseUrl}/${hash}`);
  await page.locator('nav[aria-label="Main"]').waitFor();
  t.after(async () => {
    await assertClean(page, problems);
    await page.close();
  });
  return page;
}

/** (f) No console errors or warnings, no uncaught exceptions, no CSP violations, no unknown commands. */
async function assertClean(page, problems) {
  const fake = await page.evaluate(() => ({ csp: window.__fakeIpc.csp, unknown: window.__fakeIpc.unknown }));
  assert.deepEqual(problems.pageErrors, [], 'uncaught exceptions in the page');
  assert.deepEqual(problems.console, [], 'console errors or warnings');
  assert.deepEqual(fake.csp, [], 'Content-Security-Policy violations');
  assert.deepEqual(fake.unknown, [], 'the UI called commands the backend does not have');
}

const nav = (page) => page.locator('nav[aria-label="Main"]');
const heading = (page) => page.locator('main h1');
const shot = (page, name) => page.screenshot({ path: join(artifacts, `${name}.png`) });

async function go(page, label) {
  await nav(page).getByRole('link', { name: label, exact: true }).click();
  await page.waitForFunction((text) => document.querySelector('main h1')?.textContent === text, label);
}

test('(a) the document is titled TruckIQ and opens on Fleet', async (t) => {
  const page = await openApp(t);
  assert.equal(await page.title(), 'TruckIQ');
  assert.equal(await heading(page).textContent(), 'Fleet');
  assert.equal(await nav(page).locator('[aria-current="page"]').textContent(), 'Fleet');
  await page.locator('.stat').first().waitFor();
  const env = await page.evaluate(() => ({
    frozen: Object.isFrozen(Object.prototype),
    calls: [...new Set(window.__fakeIpc.calls)].sort(),
  }));
  assert.deepEqual(
    env,
    { frozen: true, calls: ['app_info', 'fault_trend', 'fleet_summary', 'list_accounts', 'list_alerts', 'plugin:event|listen', 'sync_progress'] },
    'talks to the backend through invoke, listens to its events and asks which syncs are going',
  );
  const events = await page.evaluate(() => window.__fakeIpc.listeners.map((l) => l.event).sort());
  assert.deepEqual(events, ['alert', 'navigate', 'sync-progress']);
});

test('(b) the six nav items open their pages, mark themselves current and follow history', async (t) => {
  const page = await openApp(t);
  const links = nav(page).locator('a, button');
  assert.deepEqual((await links.allTextContents()).map((s) => s.trim()), NAV);

  for (const label of NAV) {
    await go(page, label);
    const link = nav(page).getByRole('link', { name: label, exact: true });
    assert.equal(await link.getAttribute('aria-current'), 'page', `${label} is not aria-current`);
    assert.equal(await nav(page).locator('[aria-current]').count(), 1, 'exactly one current item');
    assert.equal(new URL(page.url()).hash, `#/${label.toLowerCase()}`);
    assert.equal(await page.locator('h1').count(), 1, `${label} has one h1`);
    await page.locator('.skeleton').first().waitFor({ state: 'detached' });
    await shot(page, label.toLowerCase());
  }

  await page.goBack();
  await page.waitForFunction(() => document.querySelector('main h1')?.textContent === 'Accounts');
  assert.equal(await nav(page).locator('[aria-current="page"]').textContent(), 'Accounts');
  await page.goForward();
  await page.waitForFunction(() => document.querySelector('main h1')?.textContent === 'Settings');

  // Settings shows app_info.
  const main = await page.locator('main').innerText();
  for (const value of [APP_INFO.version, APP_INFO.dataDir, APP_INFO.dbPath]) {
    assert.ok(main.includes(value), `Settings does not show ${value}`);
  }
});

test('an unknown route falls back to Fleet', async (t) => {
  const page = await openApp(t, { hash: '#/no-such-page' });
  assert.equal(await heading(page).textContent(), 'Fleet');
  await page.waitForFunction(() => location.hash === '#/fleet');
});

test('(c) Accounts lists both fixture accounts with their sync status', async (t) => {
  const page = await openApp(t, { hash: '#/accounts' });
  const rows = page.locator('main .account-card');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 2);

  const ok = await rows.nth(0).innerText();
  for (const text of [
    'Valley Freight — Kenworth',
    'www.paccarsolutions.com',
    'TruckTech+ pages (integration spec v1 layout)',
    'dispatch@valleyfreight.example',
    'Syncing every 4 h',
    'Synced',
    '3 hours ago',
    '48 vehicles · 7 faults',
  ]) {
    assert.ok(ok.includes(text), `first row lacks "${text}": ${ok}`);
  }
  const time = rows.nth(0).locator('time');
  assert.equal(await time.getAttribute('datetime'), ACCOUNTS[0].lastRun.finishedAt);
  assert.match(await time.getAttribute('title'), /2026/, 'the absolute time is in the tooltip');

  const failed = await rows.nth(1).innerText();
  for (const text of [
    'Valley Freight — Peterbilt service',
    'Decisiv SRM pages (integration spec v2 layout)',
    'vf-fleet-7781',
    'Stopped by TruckIQ',
    ACCOUNTS[1].pausedReason,
    'Sync failed',
    '11 hours ago',
    'Sync now waits for the new password.',
  ]) {
    assert.ok(failed.includes(text), `second row lacks "${text}": ${failed}`);
  }
  // One problem, said once, with what fixes it beside it.
  assert.equal(failed.split('rejected the password').length - 1, 1, `the refusal is said once: ${failed}`);
  assert.ok(!failed.includes('Invalid username or password.'), 'the run error is not repeated under the pause');
  assert.ok(!failed.includes('Turn syncing on'), "TruckIQ's stop is not the person's switch");
  const second = rows.nth(1);
  assert.ok(await second.getByRole('button', { name: 'Sync now' }).isDisabled());

  await shot(page, 'accounts');

  // The smallest window the app allows: nothing may overflow sideways.
  await page.setViewportSize({ width: 1024, height: 700 });
  const overflow = await page.evaluate(() => {
    const main = document.querySelector('main');
    return {
      page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      main: main.scrollWidth - main.clientWidth,
      cards: document.querySelector('.account-cards').scrollWidth - document.querySelector('.account-cards').clientWidth,
    };
  });
  assert.deepEqual(overflow, { page: 0, main: 0, cards: 0 }, 'horizontal overflow at 1024×700');
  await shot(page, 'accounts-1024x700');

  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, 'accounts-dark-1024x700');
  await page.emulateMedia({ colorScheme: 'light' });
  await second.getByRole('button', { name: 'Update password' }).click();
  await page.getByRole('region', { name: `Edit ${ACCOUNTS[1].name}` }).waitFor();
});

test('Fleet summarises the fixture accounts', async (t) => {
  const page = await openApp(t);
  const stats = page.locator('.stat');
  await stats.first().waitFor();
  await page.getByRole('list', { name: 'Trucks' }).waitFor();
  const values = await page.getByRole('list', { name: 'Accounts' }).locator('.stat-value').allInnerTexts();
  assert.deepEqual(values, ['2', '1', '1', '3 hours ago']);
  const attention = await page.locator('.attention-item').allInnerTexts();
  assert.equal(attention.length, 1);
  assert.match(attention[0], /Peterbilt service/);
  assert.match(attention[0], /Stopped by TruckIQ/);
  assert.match(attention[0], /Stale/, 'the backend judged it stale');
  assert.match(attention[0], /No new data since/);
  await page.setViewportSize({ width: 1024, height: 700 });
  await shot(page, 'fleet-1024x700');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, 'fleet-dark-1024x700');
});

test('(d) with no accounts, Accounts and Fleet show their empty states', async (t) => {
  const page = await openApp(t, { accounts: { resolve: NO_ACCOUNTS }, hash: '#/accounts' });
  const empty = page.locator('main .empty-state');
  await empty.waitFor();
  assert.match(await empty.innerText(), /No portal accounts yet/);
  assert.match(await empty.innerText(), /truckiq accounts add/);
  assert.equal(await page.locator('main table').count(), 0);
  await shot(page, 'accounts-empty');

  await go(page, 'Fleet');
  await page.locator('main .empty-state').waitFor();
  assert.match(await page.locator('main').innerText(), /No portal accounts yet/);
  await shot(page, 'fleet-empty');
});

test('(e) a list_accounts rejection shows the error state, and Try again recovers', async (t) => {
  const page = await openApp(t, { accounts: { reject: DB_LOCKED }, hash: '#/accounts' });
  const alert = page.locator('main [role="alert"]');
  await alert.waitFor();
  const text = await alert.innerText();
  assert.match(text, /database is locked/);
  assert.match(text, /Couldn’t load accounts/);
  assert.match(text, /Error code: database/);
  await shot(page, 'accounts-error');

  await go(page, 'Fleet');
  await page.locator('main [role="alert"]').waitFor();
  assert.match(await page.locator('main [role="alert"]').innerText(), /database is locked/);
  await shot(page, 'fleet-error');

  await page.evaluate((accounts) => {
    window.__fakeIpc.accounts = { resolve: accounts };
  }, ACCOUNTS);
  await page.getByRole('button', { name: 'Try again' }).click();
  await page.locator('.stat').first().waitFor();
  assert.equal(await page.locator('main [role="alert"]').count(), 0);
});

test('a backend that has not answered yet shows loading states', async (t) => {
  const page = await openApp(t, { accounts: { pending: true }, appInfo: { pending: true }, hash: '#/accounts' });
  await page.locator('main [aria-busy="true"]').waitFor();
  assert.match(await page.locator('main').innerText(), /Loading accounts/);
  await shot(page, 'accounts-loading');
  await go(page, 'Fleet');
  await page.locator('main [aria-busy="true"]').waitFor();
  await shot(page, 'fleet-loading');
  await go(page, 'Settings');
  await page.locator('main [aria-busy="true"]').waitFor();
});

test('(f) the CSP watch works: an inline style is reported as a violation', async () => {
  // Guards the guard: if violations were not caught, every "no CSP violations" check above would
  // pass vacuously.
  const page = await context.newPage();
  try {
    await page.addInitScript(installFakeTauri, { appInfo: { resolve: APP_INFO }, accounts: { resolve: [] } });
    await page.goto(`${baseUrl}/`);
    await page.evaluate(() => {
      const style = document.createElement('style');
      style.textContent = 'body { color: red }';
      document.head.append(style);
    });
    await page.waitForFunction(() => window.__fakeIpc.csp.length > 0);
    assert.match((await page.evaluate(() => window.__fakeIpc.csp))[0], /style-src/);
  } finally {
    await page.close();
  }
});

test('Vehicles lists the trucks least healthy first, searches and filters, and shows HTML as text', async (t) => {
  const page = await openApp(t, { hash: '#/vehicles' });
  const rows = page.locator('.vtable-body [role="row"]');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 4);
  const units = await page.locator('.vtable-body .vcol-unit').allTextContents();
  assert.deepEqual(units, ['1042', '99', 'P-7', 'D-2'], 'least healthy first, never-read last');
  const first = await rows.nth(0).innerText();
  for (const text of ['1XKYD49X0NJ123456', '2022 Kenworth\nT680', '412,876 mi', 'Critical · 30', '1 critical', '+1 minor']) {
    assert.ok(first.includes(text), `row 1 lacks ${text}: ${first}`);
  }
  // A portal value that is HTML stays text: no element is made of it and nothing runs.
  const hostile = await rows.nth(1).innerText();
  assert.ok(hostile.includes('<img src=x onerror="window.__pwned=1">'), hostile);
  assert.equal(await page.locator('.vtable img').count(), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  await shot(page, 'vehicles');
  // Times follow the computer's zone (this browser's is Chicago, UTC−6 in November): the sync at
  // 05:12 UTC shows as 11:12 PM the evening before.
  const synced = rows.nth(0).locator('time').last();
  assert.equal(await synced.getAttribute('datetime'), '2026-11-23T05:12:41.907Z');
  assert.equal(await synced.getAttribute('title'), 'Nov 22, 2026, 11:12 PM CST');

  // The database filters and sorts: each control changes the query the table sends.
  const lastQuery = () =>
    page.evaluate(() => window.__fakeIpc.args.filter((a) => a.cmd === 'list_vehicles').at(-1).args.query);
  assert.deepEqual(await lastQuery(), {
    search: '',
    band: null,
    tier: null,
    accountId: null,
    status: null,
    sort: 'health',
    descending: false,
    offset: 0,
    limit: 100,
  });
  // Typed key by key while answers are still on their way: the box keeps focus and every key.
  await page.getByLabel('Search by unit, VIN, make, model, engine or year').pressSequentially('p-7', { delay: 10 });
  await page.waitForFunction(() => document.querySelectorAll('.vtable-body [role="row"]').length === 1);
  assert.ok((await rows.nth(0).innerText()).includes('1XPBD49X1MD765432'));
  assert.equal(await page.locator('.toolbar-count').textContent(), '1 of 4 trucks');
  assert.equal((await lastQuery()).search, 'p-7');
  await page.getByLabel('Search by unit, VIN, make, model, engine or year').fill('');
  await page.getByLabel('Active faults').selectOption('major');
  await page.waitForFunction(() => document.querySelectorAll('.vtable-body [role="row"]').length === 2);
  assert.equal((await lastQuery()).tier, 'major');
  await page.getByLabel('Health').selectOption('good');
  await page.getByText('No trucks match these filters.').waitFor();
  assert.deepEqual([(await lastQuery()).band, (await lastQuery()).tier], ['good', 'major']);
  await shot(page, 'vehicles-no-match');
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.waitForFunction(() => document.querySelectorAll('.vtable-body [role="row"]').length === 4);
  await page.getByRole('combobox', { name: 'Account' }).selectOption('2');
  await page.waitForFunction(() => document.querySelectorAll('.vtable-body [role="row"]').length === 2);
  assert.equal((await lastQuery()).accountId, 2);
  await page.getByRole('combobox', { name: 'Account' }).selectOption('all');
  // What the portal says about the truck itself shows on its row, and filters the list.
  assert.ok((await rows.nth(1).innerText()).includes('Not communicating'));
  const silent = rows.nth(1).locator('.badge', { hasText: 'Not communicating' });
  assert.match(await silent.getAttribute('title'), /^Not communicating since .*2026.*; health as last reported: Attention · 75$/);
  await page.getByLabel('Truck status').selectOption('not_communicating');
  await page.waitForFunction(() => document.querySelectorAll('.vtable-body [role="row"]').length === 1);
  assert.equal((await lastQuery()).status, 'not_communicating');
  assert.ok((await rows.nth(0).innerText()).includes('1XKYD49X2NJ123457'));
  await page.getByLabel('Truck status').selectOption('all');

  // Sorting asks for another order; a second click reverses it.
  await page.getByRole('button', { name: /^Unit/ }).click();
  await page.waitForFunction(() => document.querySelector('.vtable-body .vcol-unit')?.textContent === '99');
  assert.deepEqual(await page.locator('.vtable-body .vcol-unit').allTextContents(), ['99', '1042', 'D-2', 'P-7']);
  assert.equal(await page.locator('[role="columnheader"][aria-sort="ascending"]').innerText(), 'UNIT ↑');
  assert.deepEqual([(await lastQuery()).sort, (await lastQuery()).descending], ['unit', false]);
  await page.getByRole('button', { name: /^Unit/ }).click();
  await page.waitForFunction(() => document.querySelector('.vtable-body .vcol-unit')?.textContent === 'P-7');
  assert.equal((await lastQuery()).descending, true);

  // The view is in the address: a click anywhere on a row opens the truck, and Back finds the
  // list as it was left, filter and order.
  await page.getByLabel('Health').selectOption('critical');
  await page.waitForFunction(() => location.hash === '#/vehicles?band=critical&sort=unit&desc=1');
  await page.waitForFunction(() => document.querySelectorAll('.vtable-body [role="row"]').length === 1);
  await rows.nth(0).locator('.vcol-health').click();
  await page.waitForFunction(() => location.hash === '#/vehicles/11');
  await page.goBack();
  await page.waitForFunction(() => document.querySelectorAll('.vtable-body [role="row"]').length === 1);
  assert.equal(await page.getByLabel('Health').inputValue(), 'critical');
  assert.equal(await page.locator('[role="columnheader"][aria-sort="descending"]').innerText(), 'UNIT ↓');
  const back = await lastQuery();
  assert.deepEqual([back.band, back.sort, back.descending], ['critical', 'unit', true]);

  // Columns can be hidden, and stay hidden.
  await page.getByText('Columns', { exact: true }).click();
  await page.getByRole('checkbox', { name: 'Account' }).uncheck();
  assert.equal(await page.locator('.vtable-body .vcol-account').count(), 0);
  assert.equal(await page.locator('[role="columnheader"]', { hasText: 'Account' }).count(), 0);
  await page.reload();
  await rows.first().waitFor();
  assert.equal(await page.locator('.vtable-body .vcol-account').count(), 0, 'the choice is kept');
  await page.evaluate(() => localStorage.removeItem('truckiq.vehicles.hiddenColumns'));
});

test('Vehicles exports the trucks shown to a CSV where the person chose; a cancelled dialog says nothing', async (t) => {
  const page = await openApp(t, { hash: '#/vehicles?band=critical' });
  const button = page.getByRole('button', { name: /^Export \d+ trucks? to CSV$/ });
  await button.waitFor();
  await button.click();
  await page.waitForFunction(() => window.__fakeIpc.vehicleExports === 1);
  await button.click();
  await page.getByText('Saved 12 trucks to /home/fleet/Downloads/truckiq-vehicles-20261123-0830.csv').waitFor();
  const sent = await page.evaluate(() => window.__fakeIpc.args.filter((a) => a.cmd === 'export_vehicles_csv').map((a) => a.args.query));
  assert.equal(sent.length, 2);
  assert.equal(sent[1].band, 'critical', 'the CSV covers the filtered trucks');
  assert.equal(await page.getByRole('alert').count(), 0, 'a cancelled dialog is no error');
  await shot(page, 'vehicles-exported');
});

test('Vehicles fits a 1024 px window without sideways scrolling, every cell whole or ellipsised', async (t) => {
  const page = await openApp(t, { hash: '#/vehicles', viewport: { width: 1024, height: 700 } });
  const rows = page.locator('.vtable-body [role="row"]');
  await rows.first().waitFor();
  const fit = await page.evaluate(() => {
    const card = document.querySelector('.vtable-card');
    const cells = [...document.querySelectorAll('.vtable-body .vtable-cell')];
    // A cell whose content is wider than it must end in an ellipsis (its text is in a .cell-text).
    const ellipsised = (c) => [c, ...c.querySelectorAll('*')].some((e) => getComputedStyle(e).textOverflow === 'ellipsis' && e.scrollWidth > e.clientWidth);
    const clipped = cells.filter((c) => c.scrollWidth > c.clientWidth + 1 && !ellipsised(c)).map((c) => c.className);
    return { sideways: card.scrollWidth - card.clientWidth, clipped };
  });
  assert.deepEqual(fit, { sideways: 0, clipped: [] });
  // The truck is whole: its year and make above its model; the portal's word on a truck too. (The
  // HTML payload standing in for one model is longer than any model, and may end in an ellipsis.)
  const cut = await page.evaluate(() =>
    [...document.querySelectorAll('.vtable-body .vcol-truck .cell-text, .vtable-body .vcol-health .badge')]
      .filter((e) => e.scrollWidth > e.clientWidth + 1 && !e.textContent.includes('<img'))
      .map((e) => e.textContent),
  );
  assert.deepEqual(cut, []);
  assert.equal(await page.locator('.vtable-body .vcol-account').count(), 0, 'a narrow window starts without Account');
  await shot(page, 'vehicles-1024x700');
});

test('Vehicles renders only the rows in view at 10 000 trucks', async (t) => {
  const many = Array.from({ length: 10_000 }, (_, i) => ({
    ...VEHICLES[0],
    id: i + 1,
    vin: `1XKYD49X0NJ${String(i).padStart(6, '0')}`,
    unitNumber: String(1000 + i),
    healthScore: i % 101,
  }));
  const page = await openApp(t, { hash: '#/vehicles', vehicles: { resolve: many } });
  const rows = page.locator('.vtable-body [role="row"]');
  await rows.first().waitFor();
  assert.ok((await rows.count()) < 80, `only the visible rows exist, not ${await rows.count()}`);
  assert.equal(await page.locator('.toolbar-count').textContent(), '10,000 trucks');
  // Only the first page of rows crossed IPC, not 10 000 trucks.
  const windows = () =>
    page.evaluate(() => window.__fakeIpc.args.filter((a) => a.cmd === 'list_vehicles').map((a) => a.args.query.offset));
  assert.deepEqual(await windows(), [0]);
  await page.locator('.vtable-body').evaluate((el) => el.scrollTo(0, el.scrollHeight));
  // Sorted by health, the bottom of the list holds the healthiest trucks (score 100), from the last page.
  await page.waitForFunction(() =>
    [...document.querySelectorAll('.vtable-body .vcol-health')].some((c) => c.textContent.endsWith('· 100')),
  );
  assert.ok((await windows()).includes(9900), `the last page was asked for: ${await windows()}`);
  assert.ok((await rows.count()) < 80, 'still only the visible rows after scrolling');
  await page.getByLabel('Search by unit, VIN, make, model, engine or year').fill('1XKYD49X0NJ004242');
  await page.waitForFunction(() => document.querySelectorAll('.vtable-body [role="row"]').length === 1);
});

test('with no vehicles, Vehicles offers the demo fleet, which starts it', async (t) => {
  const page = await openApp(t, { hash: '#/vehicles', vehicles: { resolve: [] } });
  await page.getByRole('button', { name: 'Try the demo fleet' }).click();
  await page.waitForFunction(() => window.__fakeIpc.calls.includes('start_demo'));
  await shot(page, 'vehicles-empty');
});

test('Sync now on an account shows live progress from backend events, then the refreshed run', async (t) => {
  const page = await openApp(t, { hash: '#/accounts' });
  const row = page.locator('main [data-account-id="1"]');
  await row.getByRole('button', { name: 'Sync now' }).click();
  await page.waitForFunction(() => window.__fakeIpc.args.some((a) => a.cmd === 'sync_now' && a.args.accountId === 1));
  const emit = (payload) =>
    page.evaluate((p) => window.__fakeIpc.emit('sync-progress', p), {
      accountId: 1,
      done: null,
      total: null,
      message: null,
      ...payload,
    });
  await emit({ step: 'signing_in' });
  await row.getByText('Signing in').waitFor();
  await emit({ step: 'reading', done: 12, total: 48 });
  const bar = row.getByRole('progressbar', { name: 'Sync progress' });
  await bar.waitFor();
  assert.equal(await bar.getAttribute('aria-valuenow'), '12');
  assert.equal(await bar.getAttribute('aria-valuemax'), '48');
  assert.ok((await row.innerText()).includes('Reading diagnostics 12 / 48'));
  // The bar is filled to the share of trucks read (after its short transition).
  await page.waitForTimeout(400);
  const filled = await row
    .locator('.sync-progress-fill')
    .evaluate((el) => el.getBoundingClientRect().width / el.parentElement.getBoundingClientRect().width);
  assert.ok(Math.abs(filled - 0.25) < 0.02, `12 of 48 fills a quarter, not ${filled}`);
  assert.equal(await row.getByRole('button', { name: 'Syncing…' }).isDisabled(), true, 'one run at a time');
  await shot(page, 'accounts-syncing');
  const before = await page.evaluate(() => window.__fakeIpc.calls.filter((c) => c === 'list_accounts').length);
  await emit({ step: 'finished', done: 48, total: 48 });
  await row.getByRole('button', { name: 'Sync now' }).waitFor();
  await page.waitForFunction(
    (n) => window.__fakeIpc.calls.filter((c) => c === 'list_accounts').length > n,
    before,
  );
  assert.equal(await row.getByRole('progressbar').count(), 0);
});

test('while a sync waits for a person to sign in, every page says so until the sync moves on', async (t) => {
  const page = await openApp(t, { hash: '#/fleet' });
  await page.waitForFunction(() => window.__fakeIpc.listeners.some((l) => l.event === 'sync-progress'));
  const emit = (step) =>
    page.evaluate((s) => window.__fakeIpc.emit('sync-progress', { accountId: 1, step: s, done: null, total: null, message: null }), step);
  await emit('waiting_for_person');
  const banner = page.getByRole('alert');
  await banner.waitFor();
  assert.match(await banner.innerText(), /Finish signing in to Valley Freight — Kenworth in the browser window that opened/);
  await shot(page, 'signin-banner');
  await page.getByRole('link', { name: 'Vehicles' }).first().click();
  await banner.waitFor();
  await emit('reading');
  await banner.waitFor({ state: 'detached' });
});

test('a window opened while a sync runs shows it at once: the sign-in banner and the progress bar', async (t) => {
  const page = await openApp(t, {
    hash: '#/accounts',
    running: {
      resolve: [
        { accountId: 1, step: 'waiting_for_person', done: null, total: null, message: null },
        { accountId: 2, step: 'reading', done: 5, total: 20, message: null },
      ],
    },
  });
  const banner = page.getByRole('alert');
  await banner.waitFor();
  assert.match(await banner.innerText(), /Finish signing in to Valley Freight — Kenworth/);
  const bar = page.locator('main [data-account-id="2"]').getByRole('progressbar', { name: 'Sync progress' });
  await bar.waitFor();
  assert.equal(await bar.getAttribute('aria-valuenow'), '5');
  // Asked once the window listens, so no step can slip between the answer and the first event.
  const order = await page.evaluate(() => window.__fakeIpc.calls.filter((c) => c === 'plugin:event|listen' || c === 'sync_progress'));
  assert.ok(order.indexOf('sync_progress') > order.indexOf('plugin:event|listen'), order.join(', '));
  await page.evaluate(() =>
    window.__fakeIpc.emit('sync-progress', { accountId: 1, step: 'reading', done: 1, total: 12, message: null }),
  );
  await banner.waitFor({ state: 'detached' });
});

test('a step that arrives before the answer about running syncs is newer and stays', async (t) => {
  const page = await openApp(t, {
    hash: '#/accounts',
    running: {
      delayMs: 400,
      resolve: [
        { accountId: 1, step: 'waiting_for_person', done: null, total: null, message: null },
        { accountId: 2, step: 'reading', done: 5, total: 20, message: null },
      ],
    },
  });
  await page.waitForFunction(() => window.__fakeIpc.listeners.some((l) => l.event === 'sync-progress'));
  // The person finished signing in while the window was asking: the answer that arrives later is older.
  await page.evaluate(() =>
    window.__fakeIpc.emit('sync-progress', { accountId: 1, step: 'reading', done: 1, total: 12, message: null }),
  );
  await page.locator('main [data-account-id="2"]').getByRole('progressbar').waitFor();
  assert.equal(await page.getByRole('alert').count(), 0, 'the older "waiting for a person" step came back');
  const first = page.locator('main [data-account-id="1"]').getByRole('progressbar');
  assert.equal(await first.getAttribute('aria-valuenow'), '1');
});

test('Vehicles works from the keyboard: search, filters, sort, then Enter on a truck opens it', async (t) => {
  const page = await openApp(t, { hash: '#/vehicles' });
  await page.locator('.vtable-body [role="row"]').first().waitFor();
  const search = page.getByLabel('Search by unit, VIN, make, model, engine or year');
  await search.focus();
  await page.keyboard.type('1042');
  await page.waitForFunction(() => document.querySelectorAll('.vtable-body [role="row"]').length === 1);
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent);
  // Tab walks the filters, then the sortable column headers, then the truck's link.
  const stops = [];
  for (let i = 0; i < 12; i += 1) {
    await page.keyboard.press('Tab');
    stops.push(await focused());
    if (stops.at(-1) === '1XKYD49X0NJ123456') break;
  }
  assert.deepEqual(stops.slice(0, 4), ['Health', 'Active faults', 'Truck status', 'Account'], stops.join(' | '));
  assert.ok(stops.some((s) => s?.startsWith('Unit')), `the sort headers are on the way: ${stops.join(' | ')}`);
  assert.equal(stops.at(-1), '1XKYD49X0NJ123456', stops.join(' | '));
  // Focus is visible where it is.
  const ring = await page.evaluate(() => getComputedStyle(document.activeElement).boxShadow + getComputedStyle(document.activeElement).outlineStyle);
  assert.ok(!/^none\s*none$/.test(ring), `no visible focus: ${ring}`);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('main h1')?.textContent === 'Unit 1042');
});

test('a vehicle page shows active faults first, explained, the history and the meter chart; HTML stays text', async (t) => {
  const page = await openApp(t, { hash: '#/vehicles' });
  await page.getByRole('link', { name: '1XKYD49X0NJ123456' }).click();
  await page.waitForFunction(() => document.querySelector('main h1')?.textContent === 'Unit 1042');
  assert.equal(new URL(page.url()).hash, '#/vehicles/11');
  const active = page.getByRole('table', { name: 'Active faults' });
  const rows = active.locator('tbody tr');
  assert.equal(await rows.count(), 2);
  const first = await rows.nth(0).innerText();
  for (const text of ['Critical', 'Derates the engine', 'Stop safely now', 'SPN 100', 'FMI 1', 'Engine Oil Pressure', 'below normal range', 'Engine #1 (SA 0)', 'Portal: Stop Engine Immediately', '3 ×', 'last reported', 'first reported']) {
    assert.ok(first.includes(text), `the critical fault row lacks ${text}: ${first}`);
  }
  const hostile = await rows.nth(1).innerText();
  assert.ok(hostile.includes('<img src=x onerror="window.__pwned=1">'), hostile);
  assert.ok(hostile.includes('At next service'), `a minor fault waits for the next service: ${hostile}`);
  // Its last report carries a portal clock an hour ahead of this one: it reads "just now", and no
  // time on the page lies after now.
  assert.ok(hostile.includes('last reported just now'), hostile);
  const times = await page.locator('main time').allTextContents();
  assert.deepEqual(times.filter((text) => text.startsWith('in ')), [], times.join(' | '));
  const why = await page.getByLabel('Why the health score is what it is').innerText();
  assert.ok(why.includes('<img src=x'), why);
  assert.ok(why.includes('engine derated: \u221270 points of 100'), `the points say what they are: ${why}`);
  assert.ok(why.includes('Every truck starts at 100 and each active fault takes points off'), `how the score is made: ${why}`);
  assert.equal(await page.locator('main img').count(), 0, 'no element made from portal text');
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  const history = await page.getByRole('list', { name: 'Fault history' }).innerText();
  assert.ok(history.includes('SPN 97 / FMI 3') && history.includes('cleared'), history);
  // Every episode on a timeline, one row per code; pointing at a bar says when it ran.
  const timeline = page.getByRole('img', { name: 'Fault episodes over time' });
  assert.equal(await timeline.locator('rect').count(), 3);
  assert.deepEqual(await timeline.locator('.timeline-label').allTextContents(), ['SPN 100 / FMI 1', 'SPN 97 / FMI 3', 'SPN 3226 / FMI 4']);
  assert.equal(await timeline.locator('.timeline-axis text').last().textContent(), 'now');
  await timeline.locator('rect.timeline-critical').hover();
  assert.match(await page.locator('.timeline-readout').innerText(), /SPN 100 \/ FMI 1 · Critical · .* → now \(active\)/);
  await timeline.scrollIntoViewIfNeeded();
  await shot(page, 'vehicle-timeline');
  // Two charts, each on its own scale, with values up the side and dates along the bottom (in
  // Chicago, where the first reading, 05:00 UTC on Nov 20, fell on Nov 19).
  const odometer = page.getByRole('img', { name: 'Odometer at each sync' });
  const hours = page.getByRole('img', { name: 'Engine hours at each sync' });
  assert.equal((await odometer.locator('polyline').getAttribute('points')).split(' ').length, 4, 'one point per reading');
  assert.equal(await hours.locator('circle').count(), 4);
  const odometerAxes = await odometer.locator('text').allTextContents();
  for (const label of ['411,000 mi', '412,876 mi', 'Nov 19', 'Nov 22']) {
    assert.ok(odometerAxes.includes(label), `the odometer chart lacks ${label}: ${odometerAxes.join(' | ')}`);
  }
  assert.ok((await hours.locator('text').allTextContents()).includes('9,080 h'));
  assert.ok((await page.locator('.meter-odometer figcaption').innerText()).includes('411,000 mi → 412,876 mi'));
  const status = page.getByRole('region', { name: 'Truck' });
  const facts = await status.innerText();
  assert.match(facts, /STATUS\s+In repair\s+since \d+ hours ago/i, 'what the portal says about the truck');
  assert.match(facts, /ENGINE POWER\s+Derated\s+for 6 h 20 min/i, 'how long the engine has been derated');
  assert.match(facts, /SYNCED\s+3 hours ago/i, 'the sync time says it is one');
  await shot(page, 'vehicle');
  await page.getByRole('table', { name: 'Active faults' }).scrollIntoViewIfNeeded();
  await shot(page, 'vehicle-faults');
  await odometer.scrollIntoViewIfNeeded();
  await shot(page, 'vehicle-charts');
  await page.getByRole('link', { name: '← All vehicles' }).click();
  await page.waitForFunction(() => document.querySelector('main h1')?.textContent === 'Vehicles');
});

test("a clicked notification's route opens that truck; a route of no page is ignored", async (t) => {
  const page = await openApp(t, { hash: '#/alerts' });
  await page.waitForFunction(() => window.__fakeIpc.listeners.some((l) => l.event === 'navigate'));
  await page.evaluate(() => window.__fakeIpc.emit('navigate', '#/vehicles/11'));
  await page.waitForFunction(() => document.querySelector('main h1')?.textContent?.includes('1042'));
  assert.equal(new URL(page.url()).hash, '#/vehicles/11');
  await page.evaluate(() => window.__fakeIpc.emit('navigate', 'https://example.com/'));
  await page.evaluate(() => window.__fakeIpc.emit('navigate', '#/nowhere'));
  assert.equal(new URL(page.url()).hash, '#/vehicles/11');
});

test('a vehicle that is gone shows a not-found state, not an error', async (t) => {
  const page = await openApp(t, { hash: '#/vehicles/999' });
  await page.getByText('This vehicle is no longer in TruckIQ').waitFor();
  assert.equal(await page.getByRole('alert').count(), 0);
});

test('Alerts puts unread first, keeps snoozed apart, shows HTML as text, and acknowledges and mutes', async (t) => {
  const page = await openApp(t, { hash: '#/alerts', alerts: { resolve: ALERTS } });
  const unread = page.getByRole('region', { name: 'Unread (1)' });
  await unread.waitFor();
  const item = unread.locator('li[data-alert-id="31"]');
  const text = await item.innerText();
  for (const expected of ['Critical', 'New critical fault', 'Critical fault on Unit 1042 (1XKYD49X0NJ123456)', '<img src=x onerror=']) {
    assert.ok(text.includes(expected), `the unread alert lacks ${expected}: ${text}`);
  }
  assert.equal(await page.locator('main img').count(), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.ok((await page.getByRole('region', { name: 'Snoozed' }).innerText()).includes('refused the password'));
  assert.ok((await page.getByRole('region', { name: 'Earlier' }).innerText()).includes('Acknowledged'));
  assert.equal(await item.getByRole('link', { name: 'Open truck' }).getAttribute('href'), '#/vehicles/11');
  await shot(page, 'alerts');
  assert.equal(await nav(page).locator('.nav-count').innerText(), '1', 'the unread count is on Alerts in the sidebar');

  // Snooze for an hour, four hours, until tomorrow morning (8 a.m. here) or a week; and back.
  const snooze = item.getByLabel('Snooze');
  assert.deepEqual(await snooze.locator('option:not([disabled])').allInnerTexts(), ['1 hour', '4 hours', 'Until tomorrow morning', 'A week']);
  await snooze.selectOption({ label: 'Until tomorrow morning' });
  const snoozed = () =>
    page.evaluate(() => window.__fakeIpc.args.find((a) => a.cmd === 'act_on_alerts' && a.args.action.kind === 'snooze')?.args);
  await page.waitForFunction(() => window.__fakeIpc.args.some((a) => a.cmd === 'act_on_alerts' && a.args.action.kind === 'snooze'));
  assert.deepEqual(await snoozed(), { alertIds: [31], action: { kind: 'snooze', until: '2026-11-24T14:00:00.000Z' } }, '8 a.m. tomorrow in Chicago');
  const later = page.getByRole('region', { name: 'Snoozed' });
  assert.match(await later.innerText(), /snoozed until Nov 24, 2026, 2:00 AM CST/);
  await later.getByRole('button', { name: 'Unsnooze' }).click();
  await page.waitForFunction(() =>
    window.__fakeIpc.args.some((a) => a.cmd === 'act_on_alerts' && a.args.action.kind === 'unsnooze' && a.args.alertIds[0] === 30),
  );

  await item.getByRole('button', { name: 'Acknowledge' }).click();
  await page.waitForFunction(() =>
    window.__fakeIpc.args.some((a) => a.cmd === 'act_on_alerts' && a.args.alertIds[0] === 31 && a.args.action.kind === 'acknowledge'),
  );
  // A mute says what it silences, for this truck or every truck, and can be undone.
  const muteMenu = item.getByLabel('Mute');
  assert.deepEqual(await muteMenu.locator('option:not([disabled])').allInnerTexts(), [
    'This fault code on this truck',
    'This fault code on every truck',
    'Everything about this truck',
  ]);
  await muteMenu.selectOption('code');
  await item.getByText('Muted this fault code on every truck: no more desktop notifications for it.').waitFor();
  const mute = await page.evaluate(() => window.__fakeIpc.args.find((a) => a.cmd === 'mute_alert').args);
  assert.deepEqual(mute, { alertId: 31, scope: 'code' });
  assert.equal(await item.getByLabel('Mute').count(), 0, 'the mute menu gives way to what was done');
  await shot(page, 'alerts-muted');
  await item.getByRole('button', { name: 'Undo' }).click();
  await item.getByText('Unmuted.').waitFor();
  const restored = await page.evaluate(() => window.__fakeIpc.args.filter((a) => a.cmd === 'set_notification_prefs').at(-1).args.prefs);
  assert.deepEqual(restored.mutedCodes, [{ spn: 100, fmi: 1 }], 'the preferences from before the mute are back');
  await page.getByRole('button', { name: 'Mark all read' }).click();
  await page.waitForFunction(() => window.__fakeIpc.args.some((a) => a.cmd === 'act_on_alerts' && a.args.action.kind === 'read'));
});

test('Fleet shows trucks by health, active faults by tier and the most frequent faults as text', async (t) => {
  const page = await openApp(t);
  const trucks = page.getByRole('list', { name: 'Trucks' });
  await trucks.waitFor();
  const text = await trucks.innerText();
  for (const expected of ['48', '2 trucks not communicating · 1 in repair, 19 hours down in all · 1 not read yet', 'Critical trucks', '39']) {
    assert.ok(text.includes(expected), `the truck stats lack ${expected}: ${text}`);
  }
  // One unit per card: truck cards count trucks, fault cards count faults.
  assert.ok(!text.includes('faults active'), `no fault count under a truck count: ${text}`);
  const faults = await page.getByRole('list', { name: 'Active faults' }).innerText();
  for (const expected of ['Active critical faults\n2', 'Active major faults\n7', 'Active minor faults\n15']) {
    assert.ok(faults.includes(expected), `the fault cards lack ${JSON.stringify(expected)}: ${faults}`);
  }

  // Needs action now: derated and critical trucks, worst first, with where they are, how long,
  // and their service case; each opens its truck.
  const action = page.getByRole('region', { name: 'Needs action now' });
  const items = action.locator('.action-item');
  assert.equal(await items.count(), 2);
  const worst = await items.nth(0).innerText();
  for (const expected of ['Unit 1042', 'Derated 6 h 30 min', 'Critical · 22', 'Engine Oil Pressure', 'critical for 12 h 18 min', 'I-80 near Laramie, WY', 'Service case RO-88412']) {
    assert.ok(worst.includes(expected), `the first truck lacks ${expected}: ${worst}`);
  }
  const second = await items.nth(1).innerText();
  assert.ok(second.includes('2NP2HJ7X5NM654321') && second.includes('Location not reported') && second.includes('No open service case'), second);
  assert.ok(!second.includes('Derated'), 'a truck not derated has no derate clock');
  assert.equal(await items.nth(0).getByRole('link', { name: 'Unit 1042' }).getAttribute('href'), '#/vehicles/11');
  const frequent = page.getByRole('table', { name: 'Most frequent active faults' });
  const rows = frequent.locator('tbody tr');
  assert.equal(await rows.count(), 3);
  assert.ok((await rows.nth(0).innerText()).includes('SPN 3226 / FMI 4'));
  assert.ok((await rows.nth(2).innerText()).includes('<b>Engine Oil Pressure</b>'), 'markup stays text');
  // The month's trend, per tier, with its axes; pointing at a day reads it out.
  const trend = page.getByRole('img', { name: 'Active faults per tier over the last 30 days' });
  assert.equal(await trend.locator('polyline').count(), 3);
  assert.equal((await trend.locator('polyline.trend-major').getAttribute('points')).split(' ').length, 31, 'a point a day');
  assert.deepEqual(await trend.locator('g.trend-axis text').allTextContents(), ['0', '10', '20']);
  assert.equal(await trend.locator('text.trend-axis').last().textContent(), 'today');
  const readout = page.locator('.trend-readout');
  assert.match(await readout.innerText(), /^Nov 23: 0 critical, 7 major, 12 minor active$/);
  await trend.locator('rect.trend-hit').first().hover();
  assert.match(await readout.innerText(), /^Oct 24: 0 critical, 5 major, 12 minor active$/);
  assert.equal(await frequent.locator('b').count(), 0);
  await shot(page, 'fleet');

  // Every card and row opens the list behind its number.
  const links = {
    'Critical trucks': '#/vehicles?band=critical',
    'Trucks needing attention': '#/vehicles?band=attention',
    'Active critical faults': '#/faults?severity=critical&active=1',
  };
  for (const [label, href] of Object.entries(links)) {
    assert.equal(await page.locator('a.stat', { hasText: label }).getAttribute('href'), href, label);
  }
  await page.locator('a.stat', { hasText: 'Critical trucks' }).click();
  await page.waitForFunction(() => document.querySelector('main h1')?.textContent === 'Vehicles');
  assert.equal(await page.getByLabel('Health').inputValue(), 'critical', 'the list opens filtered');
  await page.goBack();
  await rows.nth(0).locator('td').nth(1).click();
  await page.waitForFunction(() => document.querySelector('main h1')?.textContent === 'Faults');
  assert.deepEqual([await page.getByLabel('SPN').inputValue(), await page.getByLabel('FMI').inputValue()], ['3226', '4']);
  await page.waitForFunction(() =>
    window.__fakeIpc.args.some((a) => a.cmd === 'list_faults' && a.args.query.filter.spn === 3226 && a.args.query.filter.fmi === 4 && a.args.query.filter.activeOnly),
  );
});

test('Fleet tells a running sync from the last successful one', async (t) => {
  const running = [{ accountId: 1, step: 'reading', done: 3, total: 48, reason: null, message: null }];
  const page = await openApp(t, { running: { resolve: running } });
  const line = page.locator('.fleet-sync-line');
  await line.getByText('Syncing Valley Freight — Kenworth…').waitFor();
  assert.match(await line.innerText(), /Data from the last successful sync, 3 hours ago/);
  await shot(page, 'fleet-syncing');
});

test('Fleet before any truck is read says where trucks will come from', async (t) => {
  const page = await openApp(t, { fleetSummary: { resolve: NO_TRUCKS } });
  await page.getByText('No trucks yet: they appear here after').waitFor();
});

test('Faults lists the fleet\'s faults, checks the filters, sends them, and exports every match to CSV', async (t) => {
  const page = await openApp(t, { hash: '#/faults' });
  const table = page.getByRole('table', { name: 'Faults' });
  await table.waitFor();
  const rows = table.locator('.vtable-body [role=row]');
  await rows.first().waitFor();
  assert.equal((await page.locator('.table-caption').innerText()).trim(), '1,203 faults', 'every match, no cap');
  const first = await rows.nth(0).innerText();
  for (const text of ['Critical', 'Derate', 'Unit 1042', 'SPN 100\nFMI 1', 'Engine #1 (SA 0)', 'Not communicating']) {
    assert.ok(first.includes(text), `the first fault lacks ${text}: ${first}`);
  }
  assert.ok((await rows.nth(1).innerText()).includes('<img src=x'));
  // A fault no longer active says "inactive", and its derate, over, is no current derate.
  const ended = await rows.nth(2).innerText();
  assert.ok(ended.includes('inactive') && !ended.includes('Derate'), ended);
  assert.ok((await rows.count()) < 40, 'only the rows in view are drawn');
  assert.equal(await page.locator('main img').count(), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  await shot(page, 'faults');

  // The last of 1,203 is one scroll away: its window is asked for by offset.
  await page.locator('.ftable .vtable-body').evaluate((body) => body.scrollTo({ top: body.scrollHeight }));
  await table.getByText('Unit 3199').waitFor();
  assert.ok(await page.evaluate(() => window.__fakeIpc.args.some((a) => a.cmd === 'list_faults' && a.args.query.offset === 1200)));

  // Sorted by the database: the header sends the order and keeps it in the address.
  await table.getByRole('button', { name: 'Last reported' }).click();
  await page.waitForFunction(() =>
    window.__fakeIpc.args.some((a) => a.cmd === 'list_faults' && a.args.query.sort === 'last_reported' && a.args.query.descending),
  );
  assert.match(new URL(page.url()).hash, /sort=last_reported&desc=1/);
  assert.equal(await table.locator('[role=columnheader][aria-sort=descending]').textContent(), 'Last reported ↓');
  // Search by unit or VIN, and a source picked by name.
  await page.getByLabel('Unit or VIN').fill('1042');
  await page.getByLabel('Source').selectOption({ label: 'Engine #1 (SA 0)' });
  await page.waitForFunction(() =>
    window.__fakeIpc.args.some(
      (a) => a.cmd === 'list_faults' && a.args.query.filter.search === '1042' && a.args.query.filter.sourceAddress === 0 && a.args.query.sort === 'last_reported',
    ),
  );
  await page.getByRole('button', { name: 'Clear filters' }).first().click();

  await page.getByLabel('SPN').fill('3226x');
  await page.getByText('An SPN is a whole number from 0 to 524287.').waitFor();
  await page.getByLabel('SPN').fill('3226');
  await page.getByLabel('Severity').selectOption('critical');
  await page.getByLabel('Seen from').fill('2026-11-01');
  await page.waitForFunction(() =>
    window.__fakeIpc.args.some(
      (a) =>
        a.cmd === 'list_faults' &&
        a.args.query.filter.spn === 3226 &&
        a.args.query.filter.severity === 'critical' &&
        a.args.query.filter.since === '2026-11-01T05:00:00.000Z',
    ),
  );
  await page.getByRole('button', { name: /^Export 1,203 rows to CSV$/ }).click();
  await page.getByText('Saved 1,203 faults to /home/fleet/Downloads/truckiq-faults-20261123-0830.csv').waitFor();
  await page.getByRole('button', { name: 'Show in folder' }).click();
  await page.waitForFunction(() => window.__fakeIpc.calls.includes('show_export_in_folder'));
  const exported = await page.evaluate(() => window.__fakeIpc.args.find((a) => a.cmd === 'export_faults_csv').args.filter);
  assert.equal(exported.spn, 3226, 'the CSV covers the filtered rows');
});

test('Settings turns start at login on and off, opens the log folder and shows the diagnostics it copies', async (t) => {
  const page = await openApp(t, { hash: '#/settings' });
  const card = page.getByRole('region', { name: 'Start and logs' });
  const start = card.getByLabel(/Start TruckIQ when I log in/);
  await start.waitFor();
  assert.equal(await start.isChecked(), false);
  // Clicked, not check(): the switch shows the backend's answer, which comes after the click.
  const settled = async (on) => {
    await page.waitForFunction((want) => window.__fakeIpc.autostart === want, on);
    await page.waitForFunction((want) => {
      const input = [...document.querySelectorAll('input[type="checkbox"]')].find((i) => i.parentElement?.textContent?.includes('Start TruckIQ when I log in'));
      return input && !input.disabled && input.checked === want;
    }, on);
  };
  await start.click();
  await settled(true);
  await start.click();
  await settled(false);

  await card.getByRole('button', { name: 'Open log folder' }).click();
  await card.getByText('Opened /home/fleet/.local/share/com.truckiq.fleet/logs.').waitFor();
  await card.getByRole('button', { name: 'Copy diagnostics' }).click();
  const shown = card.getByLabel('Diagnostics');
  await shown.waitFor();
  assert.match(await shown.innerText(), /ok {3}browser +\/usr\/bin\/chromium/);
  // Headless Chromium without a user gesture grant may refuse the clipboard: either way it says which.
  await card.getByText(/^(Copied\.|The clipboard refused)/).waitFor();
  await card.screenshot({ path: join(artifacts, 'settings-start-and-logs.png') });
});

test('Settings adds alert channels, sends a test, shows the delivery log with its attempts, and removes one', async (t) => {
  const page = await openApp(t, { hash: '#/settings' });
  const card = page.getByRole('region', { name: 'Alert channels' });
  await card.getByText('No channels yet: alerts show in this window and as desktop notifications only.').waitFor();

  await card.getByRole('button', { name: 'Add channel' }).click();
  const form = page.getByRole('region', { name: 'Add an alert channel' });
  await form.getByLabel('Where').selectOption('slack');
  await form.getByLabel('Name').fill('Shop Slack');
  await form.getByLabel('Incoming webhook URL').fill('http://hooks.slack.com/services/T0/B0/x');
  await form.getByLabel('Stale data').uncheck();
  // Two accounts: this channel is only for the Kenworth one.
  await form.getByLabel('Valley Freight — Kenworth').check();
  assert.equal(await form.getByLabel('All, and any added later').isChecked(), false);
  await form.getByLabel(/^Quiet hours/).check();
  await form.getByLabel('From', { exact: true }).fill('22:30');
  await form.screenshot({ path: join(artifacts, 'settings-channel-form.png') });
  await form.getByRole('button', { name: 'Add channel' }).click();
  // The backend's refusal, word for word, and nothing typed is lost.
  await form.getByText("the channel's URL is http:// to hooks.slack.com: it must be a valid https:// URL (http:// only to this computer)").waitFor();
  assert.equal(await form.getByLabel('Name').inputValue(), 'Shop Slack');
  await form.getByLabel('Incoming webhook URL').fill('https://hooks.slack.com/services/T0/B0/x');
  await form.getByRole('button', { name: 'Add channel' }).click();
  await card.getByText('Added Shop Slack. Send a test to check it answers.').waitFor();
  assert.equal(await form.count(), 0, 'the form closes once the channel is added');
  const sent = await page.evaluate(() => window.__fakeIpc.args.filter((a) => a.cmd === 'add_channel').at(-1).args.input);
  assert.equal(sent.url, 'https://hooks.slack.com/services/T0/B0/x');
  assert.deepEqual(sent.rules, {
    kinds: ['new_critical_fault', 'critical_without_case', 'risk_change', 'not_communicating', 'sync_failed', 'mfa_needed'],
    tiers: ['critical', 'major'],
    accounts: ['5f0c2f4e-8a4b-4c1d-9e2f-3a6b7c8d9e01'],
    quietHours: { startMinute: 22 * 60 + 30, endMinute: 6 * 60 },
    urgentThrough: true,
  });
  const slack = card.locator('.channel-item').filter({ hasText: 'Shop Slack' });
  await slack.getByText('hooks.slack.com', { exact: true }).waitFor();
  assert.equal(await card.getByText('/services/T0/B0/x').count(), 0, 'the URL is a credential: only its host shows');
  await slack.getByText('Critical and major · 6 kinds of alert · 1 account · quiet 22:30–06:00, critical goes through').waitFor();

  await slack.getByRole('button', { name: 'Send test' }).click();
  await slack.getByRole('button', { name: 'Sending…' }).waitFor();
  await slack.getByText('Delivered in 84 ms — HTTP 200 OK: ok').waitFor();

  await slack.getByRole('button', { name: 'Delivery log' }).click();
  const log = slack.getByRole('table', { name: 'Delivery log' });
  await log.waitFor();
  const rows = log.locator('tbody tr');
  assert.equal(await rows.count(), 2);
  assert.match(await rows.nth(0).innerText(), /Critical fault on Unit 1042 <b>\(1XKYD49X0NJ123456\)<\/b> · urgent\s+Delivered\s+2\s+HTTP 200 OK: ok/);
  assert.match(await rows.nth(1).innerText(), /4 TruckIQ alerts for Valley Freight · 4 alerts\s+Waiting\s+next try .*2:31.*\s+1\s+HTTP 429 Too Many Requests: rate_limited/);
  await rows.nth(0).getByText('2', { exact: true }).click();
  await rows.nth(0).getByText(/^Nov 22, 11:12:42 PM · will retry · HTTP 503 Service Unavailable: upstream down \(212 ms\)/).waitFor();
  await rows.nth(0).getByText(/delivered · HTTP 200 OK: ok \(90 ms\)/).waitFor();
  await card.screenshot({ path: join(artifacts, 'settings-alert-channels.png') });

  // The rules change in place, and a channel can rest without losing its URL or its log.
  await slack.getByRole('button', { name: 'Edit rules' }).click();
  const editor = slack.getByRole('form', { name: 'Rules for Shop Slack' });
  assert.equal(await editor.getByLabel('Major').isChecked(), true, 'the editor starts from the saved rules');
  assert.equal(await editor.getByLabel('From', { exact: true }).inputValue(), '22:30');
  await editor.getByLabel('Major').uncheck();
  await editor.getByLabel('Critical', { exact: true }).uncheck();
  await editor.getByText('Choose at least one kind of alert and one tier.').waitFor();
  assert.equal(await editor.getByRole('button', { name: 'Save rules' }).isDisabled(), true);
  await editor.getByLabel('Critical', { exact: true }).check();
  await editor.getByRole('button', { name: 'Save rules' }).click();
  await slack.getByText('Critical · 6 kinds of alert · 1 account · quiet 22:30–06:00, critical goes through').waitFor();
  assert.equal(await editor.count(), 0, 'the editor closes once saved');
  await slack.getByRole('button', { name: 'Pause' }).click();
  await slack.getByText('Paused: new alerts are not sent here; what was already waiting still goes.').waitFor();
  await slack.getByRole('button', { name: 'Resume' }).click();
  await slack.getByText('Critical · 6 kinds of alert').waitFor();
  const updates = await page.evaluate(() => window.__fakeIpc.args.filter((a) => a.cmd === 'update_channel').map((a) => [a.args.rules.tiers, a.args.enabled]));
  assert.deepEqual(updates, [[['critical'], true], [['critical'], false], [['critical'], true]]);

  // A webhook with no secret given: TruckIQ makes one and shows it this once.
  await card.getByRole('button', { name: 'Add channel' }).click();
  await form.getByLabel('Where').selectOption('webhook');
  await form.getByLabel('Name').fill('Dispatch board');
  await form.getByLabel('Endpoint URL').fill('https://board.fleet.example/truckiq');
  await form.getByRole('button', { name: 'Add channel' }).click();
  await card.getByText('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').waitFor();
  await card.getByRole('button', { name: 'Dismiss' }).click();
  assert.equal(await page.getByText(/whsec_/).count(), 0, 'the secret is not shown again');
  const board = card.locator('.channel-item').filter({ hasText: 'Dispatch board' });
  await board.getByRole('button', { name: 'Send test' }).click();
  const refused = board.getByText('Not delivered in 131 ms — HTTP 404 Not Found: no_team');
  await refused.waitFor();
  assert.match(await refused.getAttribute('class'), /form-error-warning/);
  await board.getByRole('button', { name: 'Delivery log' }).click();
  await board.getByText('Nothing sent yet. Alerts that match this channel’s rules appear here.').waitFor();

  await board.getByRole('button', { name: 'Remove' }).click();
  await board.getByRole('button', { name: 'Remove, with its log?' }).click();
  await page.waitForFunction(() => document.querySelectorAll('.channel-item').length === 1);
  const secrets = await page.evaluate(() => window.__fakeIpc.channelSecrets);
  assert.deepEqual(secrets, ['https://hooks.slack.com/services/T0/B0/x', 'https://board.fleet.example/truckiq']);
});

test('Settings saves sync and notification preferences, and shows a refused value as a warning', async (t) => {
  const page = await openApp(t, { hash: '#/settings' });
  await page.getByLabel('Trucks read at the same time').fill('40');
  const sync = page.getByRole('region', { name: 'Sync' });
  assert.equal(await sync.getByLabel('Proxy password').count(), 0, 'no proxy, no proxy sign-in');
  await page.getByLabel('Proxy', { exact: true }).fill('http://proxy.example:3128');
  await sync.getByLabel('Proxy user name').fill('fleet');
  await sync.getByLabel('Proxy password').fill('proxy-secret');
  await sync.getByRole('button', { name: 'Save' }).click();
  await sync.getByText('TruckIQ can read 1 to 16 trucks at the same time, not 40').waitFor();
  assert.equal(await sync.locator('.form-error-warning').count(), 1, 'refused input is a warning, not an error');
  await page.getByLabel('Trucks read at the same time').fill('8');
  await sync.getByLabel('Flag a critical fault with no service case after (hours; Decisiv API accounts)').fill('6');
  await sync.getByRole('button', { name: 'Save' }).click();
  await sync.getByText('Saved. Applies from the next sync.').waitFor();
  assert.deepEqual(await page.evaluate(() => window.__fakeIpc.savedSync), {
    concurrency: 8,
    browserPath: null,
    proxy: 'http://proxy.example:3128',
    proxyUsername: 'fleet',
    proxyPasswordSaved: true,
    proxyPasswordRefused: false,
    staleAfterHours: 23,
    caseAlertHours: 6,
  });
  assert.deepEqual(await page.evaluate(() => window.__fakeIpc.proxyPasswords), ['proxy-secret']);
  assert.equal(await sync.getByLabel('Proxy password').inputValue(), '', 'a saved password is not shown again');
  assert.equal(
    await sync.getByLabel('Proxy password').getAttribute('placeholder'),
    'Saved in the keychain — leave empty to keep it',
  );

  const notify = page.getByRole('region', { name: 'Desktop notifications' });
  assert.ok((await notify.innerText()).includes('SPN 100 / FMI 1'), 'the muted code is listed');
  await notify.getByText('1XKYD49X0NJ123456 · Valley Freight — Kenworth').waitFor();
  await notify.getByLabel('Quiet hours').check();
  await notify.getByText('Quiet from 22:00 to 06:00 (overnight)').waitFor();
  assert.ok(await notify.getByLabel('Critical faults still notify during quiet hours').isChecked(), 'by default');
  await notify.getByLabel('Also when a truck stops communicating (its telematics device stops reporting)').check();
  await notify.getByRole('button', { name: 'Unmute' }).first().click();
  await notify.getByRole('button', { name: 'Save' }).click();
  await page.waitForFunction(() => window.__fakeIpc.savedPrefs !== undefined);
  assert.deepEqual(await page.evaluate(() => window.__fakeIpc.savedPrefs), {
    quietHours: { startMinute: 1320, endMinute: 360 },
    quietHoursHoldCritical: false,
    notCommunicating: true,
    mutedCodes: [],
    mutedVehicles: [{ account: '5f0c2f4e-8a4b-4c1d-9e2f-3a6b7c8d9e01', vin: '1XKYD49X0NJ123456' }],
    mutedTruckCodes: [],
  });
  await shot(page, 'settings-forms');
});

test('Accounts adds and edits an account; secrets go to the backend once and never come back', async (t) => {
  const page = await openApp(t, { hash: '#/accounts' });
  await page.getByRole('button', { name: 'Add account' }).click();
  const form = page.getByRole('region', { name: 'Add a portal account' });
  await form.getByLabel('Name', { exact: true }).fill('Valley Freight — DAF');
  const portal = form.getByRole('combobox').first();
  assert.equal(await portal.inputValue(), 'paccar_solutions', 'PACCAR Solutions is offered first');
  assert.deepEqual(await portal.locator('option').allInnerTexts(), [
    'PACCAR Solutions (paccarsolutions.com)',
    'TruckTech+ pages (integration spec v1 layout)',
    'Decisiv SRM pages (integration spec v2 layout)',
    'Decisiv SRM Gateway API',
  ]);
  assert.equal(await form.getByLabel('Portal address').inputValue(), 'https://www.paccarsolutions.com');
  await form.getByLabel('E-mail', { exact: true }).waitFor();
  await portal.selectOption('decisiv_srm');
  assert.equal(await form.getByLabel('Portal address').inputValue(), 'https://paccar.decisiv.net', 'the layout\'s address');
  await form.getByLabel('User ID', { exact: true }).fill('vf-daf');
  await form.getByLabel('Password').fill('s3cret pass');
  await form.getByLabel('TOTP secret (authenticator app), optional').fill('not-base32!');
  await form.getByRole('button', { name: 'Add account' }).click();
  await form.getByText("the TOTP secret is not base32: '-' cannot appear in it").waitFor();
  await form.getByLabel('TOTP secret (authenticator app), optional').fill('');
  await form.getByLabel('Sync every').selectOption('60');
  await form.getByRole('button', { name: 'Add account' }).click();
  await form.waitFor({ state: 'detached' });
  const added = await page.evaluate(() => window.__fakeIpc.args.filter((a) => a.cmd === 'save_account').at(-1).args);
  assert.deepEqual(added, {
    accountId: null,
    input: {
      name: 'Valley Freight — DAF',
      portalKind: 'decisiv_srm',
      baseUrl: 'https://paccar.decisiv.net',
      username: 'vf-daf',
      syncIntervalMinutes: 60,
      password: 's3cret pass',
      totpSecret: null,
      trustDevice: true,
    },
  });

  const row = page.locator('main [data-account-id="1"]');
  await row.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('region', { name: 'Edit Valley Freight — Kenworth' });
  await edit.getByLabel('Password').waitFor();
  await page.waitForFunction(() => document.querySelector('input[type="password"]')?.placeholder.startsWith('Saved'));
  assert.equal(await edit.getByLabel('Password').inputValue(), '', 'a saved password is never shown');
  assert.ok(await edit.getByLabel(/Trust this device/).isChecked(), 'trusting the device is the default');
  await edit.getByLabel(/Trust this device/).uncheck();
  await edit.getByText('Nothing of the portal stays on disk between syncs').waitFor();
  await shot(page, 'account-edit');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await edit.waitFor({ state: 'detached' });
  const edited = await page.evaluate(() => window.__fakeIpc.args.filter((a) => a.cmd === 'save_account').at(-1).args);
  assert.equal(edited.accountId, 1);
  assert.equal(edited.input.password, null, 'left empty: the saved one is kept');
  assert.equal(edited.input.trustDevice, false);

  await row.getByRole('button', { name: 'Test sign-in' }).click();
  await row.getByText('Signed in: the portal accepted the credentials.').waitFor();
  await row.getByRole('button', { name: 'Turn syncing off' }).click();
  await row.getByRole('button', { name: 'Remove', exact: true }).click();
  await row.getByRole('button', { name: 'Remove with its data?' }).click();
  await page.waitForFunction(() => window.__fakeIpc.calls.includes('remove_account'));
  const calls = await page.evaluate(() => window.__fakeIpc.args.filter((a) => ['set_account_enabled', 'remove_account'].includes(a.cmd)).map((a) => a.args));
  assert.deepEqual(calls, [{ accountId: 1, enabled: false }, { accountId: 1 }]);
});

test('an account\'s run history shows errors, partial runs and the page a failed run saw', async (t) => {
  const page = await openApp(t, { hash: '#/accounts' });
  const row = page.locator('main [data-account-id="1"]');
  await row.getByRole('button', { name: 'Run history' }).click();
  const history = row.getByRole('list', { name: 'Run history' });
  await history.waitFor();
  const text = await history.innerText();
  for (const expected of ['Portal changed', 'nothing matches .vehicle-row', '21 s', 'attempt 2', '2 trucks unread', '3 new, 1 cleared']) {
    assert.ok(text.includes(expected), `the history lacks ${expected}: ${text}`);
  }
  await history.getByRole('button', { name: 'Show the page TruckIQ saw' }).click();
  const image = history.getByRole('img', { name: 'The portal page when run 43 stopped' });
  await image.waitFor();
  assert.ok((await image.getAttribute('src')).startsWith('data:image/png;base64,'));
  await shot(page, 'run-history');
});

test('"Check portal layout" shows what the profile finds, field by field, and the rows it could not read', async (t) => {
  const page = await openApp(t, { hash: '#/accounts' });
  const row = page.locator('main [data-account-id="1"]');
  await row.getByRole('button', { name: 'Check portal layout' }).click();
  const panel = page.getByRole('region', { name: 'Portal layout of Valley Freight — Kenworth' });
  await panel.getByText('Signing in to Valley Freight — Kenworth and reading a vehicle list page').waitFor();
  await shot(page, 'layout-check-running');
  await panel.getByText('Needs a profile fix').waitFor();
  const text = await panel.innerText();
  assert.match(text, /Vehicle list/);
  assert.match(text, /article\.unit-card/);
  assert.match(text, /Fits\s+Rows article\.unit-card: 12 found, 12 read/, 'the list page fits');
  assert.equal(await panel.locator('details.layout-page:not([open])').count(), 2, 'the pages that fit are folded');
  assert.match(text, /3 found, 0 read/, 'a truck page whose rows all failed');
  assert.match(text, /Row 1: no fault code \(code: label "Fault code" found nothing\)/);
  const fields = panel.getByRole('table', { name: 'Truck page fields' }).first();
  assert.match(await fields.innerText(), /label "Urgency"/);
  await shot(page, 'layout-check');
  await panel.locator('details.layout-page[open]').first().scrollIntoViewIfNeeded();
  await shot(page, 'layout-check-truck-page');
  await panel.getByRole('button', { name: 'Open profiles folder' }).click();
  await panel.getByText('Opened /home/fleet/.local/share/com.truckiq.fleet/profiles').waitFor();
  await panel.getByRole('button', { name: 'Check again' }).click();
  await page.waitForFunction(() => window.__fakeIpc.calls.filter((c) => c === 'check_layout').length === 2);
  const asked = await page.evaluate(() => window.__fakeIpc.args.filter((a) => a.cmd === 'check_layout').map((a) => a.args));
  assert.deepEqual(asked, [{ accountId: 1 }, { accountId: 1 }], 'a check only when asked: it signs in');
  await panel.getByRole('button', { name: 'Close' }).click();
  await panel.waitFor({ state: 'detached' });
  const paused = page.locator('main [data-account-id="2"]');
  assert.ok(await paused.getByRole('button', { name: 'Check portal layout' }).isDisabled(), 'a refused password is not sent again');
});

test('a layout check that cannot sign in says why', async (t) => {
  const refused = { code: 'password_refused', message: 'the portal refused the sign-in: Invalid user ID or password.' };
  const page = await openApp(t, { hash: '#/accounts', layoutCheck: { reject: refused } });
  const row = page.locator('main [data-account-id="1"]');
  await row.getByRole('button', { name: 'Check portal layout' }).click();
  const panel = page.getByRole('region', { name: 'Portal layout of Valley Freight — Kenworth' });
  await panel.getByRole('alert').getByText('Invalid user ID or password.').waitFor();
  await shot(page, 'layout-check-error');
});

test('a partial run names its first problem on Accounts, and an API account has no layout to check', async (t) => {
  const first = 'vehicle list page 2, row 3: no VIN (vin: label "VIN" found nothing)';
  const partial = {
    ...ACCOUNTS[0],
    lastRun: {
      ...ACCOUNTS[0].lastRun,
      status: 'partial',
      errorKind: 'partial',
      vehiclesFailed: 1,
      errorMessage: `1 vehicle(s) could not be read and kept their stored faults; 1 list row(s) unreadable. The first: ${first}`,
    },
  };
  const api = {
    ...ACCOUNTS[0],
    id: 7,
    name: 'Valley Freight API',
    portalKind: 'decisiv_api',
    portalLabel: 'Decisiv SRM Gateway API',
    username: 'dc8beef2-e304-11ea-86c2-1f9b5bc5281b',
    grantId: 1,
    srmAccountId: 'dc8beef2-e304-11ea-86c2-1f9b5bc5281b',
  };
  const page = await openApp(t, { hash: '#/accounts', accounts: { resolve: [partial, api] } });
  const row = page.locator('main [data-account-id="1"]');
  await row.getByText(`The first: ${first}`).waitFor();
  await shot(page, 'accounts-partial-and-api');
  assert.equal(await row.getByRole('button', { name: 'Check portal layout' }).count(), 1);
  const apiRow = page.locator('main [data-account-id="7"]');
  await apiRow.getByRole('button', { name: 'Test sign-in' }).waitFor();
  assert.equal(await apiRow.getByRole('button', { name: 'Check portal layout' }).count(), 0, 'read through the API: no layout');
});

test('adding a Decisiv API login: sign in on Decisiv\'s page, then choose the SRM accounts to sync', async (t) => {
  const page = await openApp(t, { hash: '#/accounts' });
  await page.getByRole('button', { name: 'Add account' }).click();
  const form = page.getByRole('region', { name: 'Add a portal account' });
  await form.getByRole('combobox').first().selectOption('decisiv_api');
  const api = page.getByRole('region', { name: 'Add a Decisiv API login' });
  await api.getByLabel('Name').fill('Valley Freight API');
  await api.getByLabel('Client id').fill('truckiq-valley');
  assert.equal(await api.getByLabel('Sign-in address').inputValue(), 'https://login.decisiv.net');
  assert.equal(await api.getByLabel('API address').inputValue(), 'https://srm-api.decisivapps.com');
  await shot(page, 'api-login-details');
  await api.getByRole('button', { name: 'Sign in with Decisiv' }).click();
  await api.getByText("Sign in on Decisiv's page in the browser window that opened").waitFor();
  await shot(page, 'api-login-waiting');
  const choose = page.getByRole('region', { name: 'Choose the SRM accounts to sync' });
  await choose.getByText('The authorization reaches 3 SRM accounts').waitFor();
  const asked = await page.evaluate(() => window.__fakeIpc.args.find((a) => a.cmd === 'authorize_api_login').args);
  assert.equal(asked.input.clientId, 'truckiq-valley');
  assert.equal(asked.input.clientSecret, null, 'no secret entered, none sent');
  assert.equal(await choose.getByRole('checkbox').count(), 3);
  await choose.getByRole('checkbox', { name: /Valley Freight — Yard/ }).uncheck();
  await shot(page, 'api-login-choose');
  await choose.getByRole('button', { name: 'Add 2 accounts' }).click();
  await choose.waitFor({ state: 'detached' });
  const finished = await page.evaluate(() => window.__fakeIpc.args.find((a) => a.cmd === 'finish_api_login').args);
  assert.deepEqual(finished, {
    pendingId: PENDING_API_LOGIN.id,
    srmAccountIds: [PENDING_API_LOGIN.accounts[0].id, PENDING_API_LOGIN.accounts[1].id],
  });
  const calls = await page.evaluate(() => window.__fakeIpc.calls);
  assert.ok(!calls.includes('save_account') && !calls.includes('cancel_api_login'), 'added through the authorization only');
});

test('a Decisiv API sign-in that is cancelled keeps nothing, and a refused authorization can be renewed', async (t) => {
  const paused = {
    ...ACCOUNTS[0],
    id: 7,
    name: 'Valley Freight API',
    portalKind: 'decisiv_api',
    portalLabel: 'Decisiv SRM Gateway API',
    grantId: 1,
    srmAccountId: 'dc8beef2-e304-11ea-86c2-1f9b5bc5281b',
    pausedReason: 'the Decisiv authorization was refused; sign in to the API again (truckiq accounts reauthorize)',
  };
  const page = await openApp(t, { hash: '#/accounts', accounts: { resolve: [paused] } });
  await page.getByRole('button', { name: 'Add account' }).click();
  await page.getByRole('region', { name: 'Add a portal account' }).getByRole('combobox').first().selectOption('decisiv_api');
  const api = page.getByRole('region', { name: 'Add a Decisiv API login' });
  await api.getByLabel('Name').fill('Second API');
  await api.getByLabel('Client id').fill('truckiq-valley');
  await api.getByRole('button', { name: 'Sign in with Decisiv' }).click();
  const choose = page.getByRole('region', { name: 'Choose the SRM accounts to sync' });
  await choose.getByRole('button', { name: 'Cancel' }).click();
  await choose.waitFor({ state: 'detached' });
  const cancelled = await page.evaluate(() => window.__fakeIpc.args.filter((a) => a.cmd === 'cancel_api_login').map((a) => a.args));
  assert.deepEqual(cancelled, [{ pendingId: PENDING_API_LOGIN.id }], 'the waiting authorization is dropped');

  const row = page.locator('main [data-account-id="7"]');
  await row.getByRole('button', { name: 'Sign in to Decisiv again' }).click();
  await page.waitForFunction(() => window.__fakeIpc.calls.includes('reauthorize_api'));
  const renewed = await page.evaluate(() => window.__fakeIpc.args.find((a) => a.cmd === 'reauthorize_api').args);
  assert.deepEqual(renewed, { accountId: 7 });
  await shot(page, 'api-account-paused');
});

test('a truck in the shop shows its service case, how long it has been down and the faults it covers, linked by time', async (t) => {
  const page = await openApp(t, { hash: '#/vehicles/11' });
  const open = page.getByRole('article', { name: 'Service case 18328893' });
  await open.waitFor();
  const text = await open.innerText();
  for (const part of ['Open', 'Case 18328893', 'Repair', 'Hold (parts)', 'from Valley Freight API', 'Down 19 hours', 'linked by time']) {
    assert.ok(text.toLowerCase().includes(part.toLowerCase()), `the open case lacks ${part}: ${text}`);
  }
  assert.ok(text.includes('SPN 100 / FMI 1') && text.includes('SPN 3226 / FMI 4'), 'both active faults are covered');
  assert.ok(text.includes('<b>derate</b>'), 'the complaint is portal text: shown as text');
  const closed = await page.getByRole('article', { name: 'Service case 18110452' }).innerText();
  assert.match(closed, /Closed/);
  assert.match(closed, /Was down 2\.3 days/);
  assert.ok(closed.includes('SPN 97 / FMI 3') && closed.includes('(cleared)'), closed);
  await shot(page, 'vehicle-service-case');
  await go(page, 'Fleet');
  await page.getByText('1 in repair, 19 hours down in all').waitFor();
});

test('every main page fits 1280×800 and 1024×700 without sideways scrolling (the screenshots in docs/screenshots)', async (t) => {
  const pages = [
    ['fleet', '#/'],
    ['vehicles', '#/vehicles'],
    ['truck', '#/vehicles/11'],
    ['faults', '#/faults'],
    ['alerts', '#/alerts'],
    ['accounts', '#/accounts'],
  ];
  for (const [width, height] of [
    [1280, 800],
    [1024, 700],
  ]) {
    for (const [name, hash] of pages) {
      const page = await openApp(t, { hash, alerts: { resolve: ALERTS }, viewport: { width, height } });
      await page.locator('main h1').first().waitFor();
      await page.waitForFunction(() => !document.querySelector('main [aria-busy="true"]'));
      const sideways = await page.evaluate(() => {
        const main = document.querySelector('main');
        return [main, ...main.querySelectorAll('.table-card, .vtable-card, .card')]
          .filter((e) => e.scrollWidth > e.clientWidth + 1)
          .map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
      });
      await shot(page, `page-${name}-${width}x${height}`);
      assert.deepEqual(sideways, [], `${name} at ${width}×${height} scrolls sideways`);
      // In the virtualized tables, headers and badges are whole; longer text ends in an ellipsis.
      const cut = await page.evaluate(() =>
        [...document.querySelectorAll('.vtable [role=columnheader], .vtable-body .badge')]
          .filter((e) => e.scrollWidth > e.clientWidth + 1 && !e.textContent.includes('<img'))
          .map((e) => e.textContent),
      );
      assert.deepEqual(cut, [], `${name} at ${width}×${height} cuts these`);
    }
  }
});

test('a truck prints as a fault brief for the dealer: every active fault, the case, the meters and the sync time', async (t) => {
  const page = await openApp(t, { hash: '#/vehicles/11' });
  await page.waitForFunction(() => document.querySelector('main h1')?.textContent === 'Unit 1042');
  // On screen the brief stays out of sight; the button prints.
  assert.equal(await page.getByRole('article', { name: 'Fault brief' }).isVisible(), false);
  await page.evaluate(() => {
    window.__printed = 0;
    window.print = () => (window.__printed += 1);
  });
  await page.getByRole('button', { name: 'Print / Save as PDF' }).click();
  assert.equal(await page.evaluate(() => window.__printed), 1);

  // The print stylesheet, rendered by Chromium as WebKitGTK's print dialog would print it.
  const pdf = join(artifacts, 'fault-brief.pdf');
  await page.emulateMedia({ media: 'print' });
  await page.pdf({ path: pdf, format: 'Letter', printBackground: true });
  // Words as read from the PDF, whatever line a narrow column wrapped them onto.
  const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  for (const expected of [
    'Fault brief · Unit 1042',
    'VIN 1XKYD49X0NJ123456',
    'Denton, TX',
    '412,876 mi',
    '9,120.4 h',
    'SPN 100',
    'Engine Oil Pressure',
    'Most Severe',
    'Engine #1 (SA 0)',
    'Stop Engine Immediately',
    'Stop safely now',
    'SPN 3226',
    'Service Advised',
    'Case 18328893',
    'Hold (parts)',
    'DATA SYNCED',
    'Nov 22, 2026, 11:12 PM',
  ]) {
    assert.ok(text.includes(expected), `the brief lacks ${expected}:\n${text}`);
  }
  assert.ok(/Yes, since Nov 22, 2026/.test(text), `the derate and since when (Chicago time): ${text}`);
  for (const absent of ['All vehicles', 'Fleet diagnostics', 'Fault history', 'ago']) {
    assert.ok(!text.includes(absent), `the printed brief carries "${absent}" from the screen: ${text}`);
  }
  execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', pdf, join(artifacts, 'fault-brief')]);
  await page.emulateMedia({ media: 'screen' });
});

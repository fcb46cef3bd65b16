// The real app notices stale data on its own: an account whose last successful sync is older than
// the limit in Settings gets one stale_data alert from the app's scheduler (no `truckiq check-stale`
// anywhere), a desktop notification really sent over D-Bus, and a Stale mark on the Fleet page.
// Run under Xvfb inside scripts/with-keyring.sh (scripts/test.sh does both).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startApp } from '../support/app-driver.mjs';
import { recordNotifications } from '../support/notifications.mjs';

const target = resolve(import.meta.dirname, '../../target/debug');
const app = resolve(process.env.TRUCKIQ_APP_BIN ?? join(target, 'truckiq-desktop'));
const cli = join(target, 'truckiq');
const artifacts = join(import.meta.dirname, '../artifacts/app');
const env = { ...process.env, TRUCKIQ_KEYRING_NAMESPACE: `apptest-stale-${process.pid}`, NO_AT_BRIDGE: '1' };

let app$;
let dataDir;
let notifier;

/** Runs SQL on the app's database file with Python's sqlite3 (the app must not be running yet). */
function sql(statements) {
  const script = `import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nc.executescript(sys.argv[2])\nc.commit()`;
  const run = spawnSync('python3', ['-c', script, join(dataDir, 'truckiq.sqlite3'), statements], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
}

function query(select) {
  const script = `import sqlite3, sys, json\nc = sqlite3.connect(sys.argv[1])\nprint(json.dumps(c.execute(sys.argv[2]).fetchall()))`;
  const run = spawnSync('python3', ['-c', script, join(dataDir, 'truckiq.sqlite3'), select], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

/** A time `hours` ago as TruckIQ stores times. */
function hoursAgo(hours) {
  return new Date(Date.now() - hours * 3_600_000).toISOString().replace('T', ' ').replace('Z', '+00:00');
}

before(async () => {
  for (const bin of [app, cli]) assert.ok(existsSync(bin), `${bin} missing: build the workspace first`);
  mkdirSync(artifacts, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'truckiq-app-stale-'));
  const added = spawnSync(cli, [
    '--db', join(dataDir, 'truckiq.sqlite3'), 'accounts', 'add', '--name', 'Quiet fleet', '--portal', 'paccar',
    '--url', 'https://127.0.0.1:9/paccar', '--username', 'ops@fleet.example',
  ], { env, input: 'a-password\n', encoding: 'utf8' });
  assert.equal(added.status, 0, added.stderr);
  // Its last success was 30 hours ago; a failed run a minute ago means the scheduler does not try
  // the portal again now, so only the stale check can speak.
  sql(`
    UPDATE accounts SET created_at = '${hoursAgo(40)}';
    INSERT INTO sync_runs (account_id, trigger, status, started_at, finished_at, vehicles_count)
         VALUES (1, 'scheduled', 'completed', '${hoursAgo(30.1)}', '${hoursAgo(30)}', 12),
                (1, 'scheduled', 'failed', '${hoursAgo(0.02)}', '${hoursAgo(0.01)}', 0);
    INSERT INTO settings (key, value, updated_at) VALUES ('sync', '{"staleAfterHours":24}', '${hoursAgo(1)}');
  `);
  notifier = await recordNotifications(env);
  app$ = await startApp(app, { env: { ...env, TRUCKIQ_DATA_DIR: dataDir } });
});

after(async () => {
  await app$?.stop();
  notifier?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('the scheduler raises stale_data once and the desktop notification follows', async () => {
  const deadline = Date.now() + 60_000;
  while (!notifier.log().includes('Quiet fleet: no fresh data for over 24 h')) {
    assert.ok(Date.now() < deadline, `no stale-data notification:\n${notifier.log()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(notifier.log().includes('The last successful sync was at'), notifier.log());
  assert.deepEqual(query("SELECT kind, account_id FROM alerts"), [['stale_data', 1]], 'one alert, from the app itself');

  const browser = app$.browser;
  await browser.waitUntil(async () => (await (await browser.$('main')).getText()).includes('Quiet fleet'), {
    timeout: 15_000,
    timeoutMsg: 'Fleet never listed the account that needs attention',
  });
  const attention = await (await browser.$('.attention-item')).getText();
  assert.match(attention, /Stale/);
  assert.match(attention, /No new data since/);
  await browser.saveScreenshot(join(artifacts, 'fleet-stale.png'));
});

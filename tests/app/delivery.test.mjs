// The real app delivering alerts to a channel, killed with SIGKILL in the middle and started again:
// every alert reaches the receiver, and after dropping duplicates by their key each arrives once.
// The app runs hidden (`--hidden`, as at login: tray, scheduler and delivery, no window), so no
// WebDriver is needed. Its scheduler raises the alerts itself: five accounts whose data is stale.
// Run under Xvfb inside scripts/with-keyring.sh (scripts/test.sh does both).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const target = resolve(import.meta.dirname, '../../target/debug');
const app = resolve(process.env.TRUCKIQ_APP_BIN ?? join(target, 'truckiq-desktop'));
const cli = join(target, 'truckiq');
const ACCOUNTS = 5;
const env = { ...process.env, TRUCKIQ_KEYRING_NAMESPACE: `apptest-delivery-${process.pid}`, NO_AT_BRIDGE: '1' };

let dataDir;
let receiver;
/** Every request the receiver read, in order; it answers each after `delayMs`. */
const received = [];
let delayMs = 1500;
const running = [];

const db = () => join(dataDir, 'truckiq.sqlite3');
const truckiq = (args, input = '') => spawnSync(cli, ['--db', db(), ...args], { env, input, encoding: 'utf8', timeout: 30_000 });

/** Rows of a query on the app's database, through Python's sqlite3 (read-only). */
function query(select) {
  const script = `import sqlite3, sys, json\nc = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)\nprint(json.dumps(c.execute(sys.argv[2]).fetchall()))`;
  const run = spawnSync('python3', ['-c', script, db(), select], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

function sql(statements) {
  const script = `import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nc.executescript(sys.argv[2])\nc.commit()`;
  const run = spawnSync('python3', ['-c', script, db(), statements], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
}

function hoursAgo(hours) {
  return new Date(Date.now() - hours * 3_600_000).toISOString().replace('T', ' ').replace('Z', '+00:00');
}

async function until(what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function launch() {
  const child = spawn(app, ['--hidden'], { env: { ...env, TRUCKIQ_DATA_DIR: dataDir }, stdio: 'ignore' });
  running.push(child);
  return child;
}

before(async () => {
  for (const bin of [app, cli]) assert.ok(existsSync(bin), `${bin} missing: build the workspace first`);
  dataDir = mkdtempSync(join(tmpdir(), 'truckiq-app-delivery-'));
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ key: request.headers['webhook-id'], body });
      setTimeout(() => response.end('ok'), delayMs);
    });
  });
  await new Promise((ok) => receiver.listen(0, '127.0.0.1', ok));

  for (let n = 1; n <= ACCOUNTS; n += 1) {
    const added = truckiq(
      ['accounts', 'add', '--name', `Quiet fleet ${n}`, '--portal', 'paccar', '--url', 'https://127.0.0.1:9/paccar', '--username', `ops${n}@fleet.example`],
      'a-password\n',
    );
    assert.equal(added.status, 0, added.stderr);
  }
  const url = `http://127.0.0.1:${receiver.address().port}/truckiq`;
  const channel = truckiq(['channels', 'add', '--name', 'Dispatch board', '--kind', 'webhook', '--tier', 'critical,major'], `${url}\n`);
  assert.equal(channel.status, 0, channel.stderr);
  // Each account's last success was 30 h ago and a run failed a minute ago: the scheduler does not
  // sync now, but raises one stale_data alert per account, each a message of its own.
  const runs = [];
  for (let n = 1; n <= ACCOUNTS; n += 1) {
    runs.push(`(${n}, 'scheduled', 'completed', '${hoursAgo(30.1)}', '${hoursAgo(30)}', 12)`, `(${n}, 'scheduled', 'failed', '${hoursAgo(0.02)}', '${hoursAgo(0.01)}', 0)`);
  }
  sql(`
    UPDATE accounts SET created_at = '${hoursAgo(40)}';
    INSERT INTO sync_runs (account_id, trigger, status, started_at, finished_at, vehicles_count) VALUES ${runs.join(', ')};
    INSERT INTO settings (key, value, updated_at) VALUES ('sync', '{"staleAfterHours":24}', '${hoursAgo(1)}');
  `);
});

after(async () => {
  for (const child of running) child.kill('SIGKILL');
  receiver?.close();
  truckiq(['channels', 'remove', 'Dispatch board']);
  for (let n = 1; n <= ACCOUNTS; n += 1) truckiq(['accounts', 'remove', `Quiet fleet ${n}`]);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('SIGKILL of the app mid-delivery, then a restart: every alert arrives, none twice after dedup by key', async () => {
  const first = launch();
  // Slow answers: the first message is in flight, answered or not, when the app is killed.
  await until('the first delivery', () => received.length > 0, 60_000);
  first.kill('SIGKILL');
  await until('the killed app to be gone', () => first.exitCode !== null || first.signalCode !== null, 10_000);
  const alerts = query("SELECT uid FROM alerts WHERE kind = 'stale_data'").map(([uid]) => uid);
  assert.equal(alerts.length, ACCOUNTS, 'one stale alert per account, from the app itself');
  const pending = query("SELECT count(*) FROM outbox WHERE status = 'pending'")[0][0];
  assert.ok(pending > 0, 'killed with messages still to send');
  // What the killed app had already written may still be read: counted after a moment.
  await new Promise((r) => setTimeout(r, 500));
  const sentBefore = received.length;

  // The dead process's lease runs out (45 s); the restarted app takes over and sends the rest.
  delayMs = 0;
  const second = launch();
  await until('every message delivered', () => query("SELECT count(*) FROM outbox WHERE status = 'delivered'")[0][0] === ACCOUNTS, 120_000);
  assert.equal(second.exitCode, null, 'the restarted app is running');

  const keys = received.map((r) => r.key);
  assert.deepEqual([...new Set(keys)].sort(), [...alerts].sort(), 'every alert arrived, under its own uid as key');
  assert.ok(keys.length - new Set(keys).size <= sentBefore, 'only what the killed app had in flight came twice');
  for (const { key, body } of received) {
    const event = JSON.parse(body);
    assert.equal(event.data.id, key, 'the key in the body is the header’s');
    assert.equal(event.data.alerts[0].kind, 'stale_data');
  }
  second.kill('SIGTERM');
  await until('the app to quit on SIGTERM', () => second.exitCode !== null, 15_000);
});

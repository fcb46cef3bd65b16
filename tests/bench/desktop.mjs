// Desktop benchmark (prints figures; not a test): the real app on a database of 10 000 trucks and
// 100 000 fault episodes. Measures, in the app's own webview through WebDriver:
//   - time from opening Vehicles to its first rendered rows (target ≤ 300 ms),
//   - time from a keystroke in the search box to the filtered rows on screen (target ≤ 50 ms): to
//     the first animation frame after they are in the DOM, and to the DOM update itself,
//   - the app's memory when idle, without any Chromium (target ≤ 150 MB PSS, app + its WebKit processes),
//     with the window open and after it is closed to the tray.
// Run: npm run build -w ui && cargo build --release -p truckiq -p truckiq-desktop &&
//      xvfb-run -a -s "-screen 0 1280x1024x24" bash scripts/with-keyring.sh npm run bench:desktop -w tests
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startApp } from '../support/app-driver.mjs';

const app = resolve(process.env.TRUCKIQ_APP_BIN ?? join(import.meta.dirname, '../../target/release/truckiq-desktop'));
// The `truckiq` CLI built alongside the app seeds the database.
const target = dirname(app);
const dataDir = mkdtempSync(join(tmpdir(), 'truckiq-bench-desktop-'));

const seeded = spawnSync(
  join(target, 'truckiq'),
  ['bench', 'store', '--vehicles', '10000', '--faults-per-vehicle', '10', '--keep', join(dataDir, 'truckiq.sqlite3')],
  { encoding: 'utf8' },
);
if (seeded.status !== 0) throw new Error(seeded.stderr);

const { browser, stop } = await startApp(app, {
  env: { ...process.env, TRUCKIQ_DATA_DIR: dataDir, RUST_LOG: 'warn' },
  stdio: 'ignore',
  logLevel: 'error',
});

/** PSS of the app and every process under it, read from /proc. */
function memory(appPid) {
  const family = [appPid];
  for (let i = 0; i < family.length; i += 1) {
    const children = spawnSync('pgrep', ['-P', String(family[i])], { encoding: 'utf8' }).stdout.trim();
    for (const child of children.split('\n').filter(Boolean)) family.push(Number(child));
  }
  const processes = family.flatMap((pid) => {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').split('\n').find((l) => l.startsWith('Pss:'));
      return [{ name: readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), pss: Number(rollup.split(/\s+/)[1]) * 1024 }];
    } catch {
      return []; // exited while being read
    }
  });
  return {
    processes,
    total: processes.reduce((sum, p) => sum + p.pss, 0),
    chromium: processes.filter((p) => /chrom/i.test(p.name)).length,
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

try {
  await (await browser.$('nav[aria-label="Main"]')).waitForDisplayed({ timeout: 30_000 });
  // From the click to the first frame that shows truck rows: IPC, the query, JSON, React, layout.
  const firstPage = await browser.executeAsync((done) => {
    const start = performance.now();
    window.location.hash = '#/vehicles';
    const check = () =>
      document.querySelector('.vtable-body [role="row"]')
        ? requestAnimationFrame(() => done(performance.now() - start))
        : requestAnimationFrame(check);
    check();
  });

  // One keystroke (the search box gains a character) to the frame showing the filtered rows.
  const keystrokes = [];
  for (const needle of ['1XKYD49X0NJ00424', '1XKYD49X0NJ0042', '1XKYD49X0NJ00']) {
    keystrokes.push(
      await browser.executeAsync((text, done) => {
        const input = document.querySelector('input[type="search"]');
        const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
        const count = () => document.querySelectorAll('.vtable-body [role="row"]').length;
        const before = document.querySelector('.toolbar-count')?.textContent;
        const start = performance.now();
        setter.call(input, text);
        input.dispatchEvent(new Event('input', { bubbles: true }));
        // When the DOM first shows the new count (React's commit), apart from when it is painted.
        let committed = null;
        const observer = new MutationObserver(() => {
          if (committed === null && document.querySelector('.toolbar-count')?.textContent !== before) {
            committed = performance.now() - start;
          }
        });
        observer.observe(document.querySelector('main'), { subtree: true, childList: true, characterData: true });
        const check = () =>
          document.querySelector('.toolbar-count')?.textContent !== before && count() > 0
            ? requestAnimationFrame(() => {
                observer.disconnect();
                done({ painted: performance.now() - start, committed });
              })
            : requestAnimationFrame(check);
        check();
      }, needle),
    );
  }

  // Idle: no sync runs (the bench account has no password), the window shows Vehicles.
  await new Promise((r) => setTimeout(r, 10_000));
  const appPid = Number(spawnSync('pgrep', ['-o', '-f', `^${app}`], { encoding: 'utf8' }).stdout.trim());
  const windowOpen = memory(appPid);

  // Then closed to the tray, where the app spends most of its day: the window and its web process go.
  const [windowId] = spawnSync('xdotool', ['search', '--name', '^TruckIQ$'], { encoding: 'utf8' }).stdout.split('\n');
  spawnSync('python3', [join(import.meta.dirname, '../support/close-window.py'), windowId]);
  const webProcess = () => memory(appPid).processes.some((p) => /WebKitWebProc/.test(p.name));
  for (let i = 0; i < 100 && webProcess(); i += 1) await new Promise((r) => setTimeout(r, 100));
  if (webProcess()) throw new Error(`window ${windowId} closed, but its web process is still running after 10 s`);
  await new Promise((r) => setTimeout(r, 10_000));
  const inTray = memory(appPid);

  console.log(`TruckIQ desktop benchmark: 10 000 trucks, 100 000 fault episodes, ${app.includes('/release/') ? 'release' : 'debug'} build, Xvfb`);
  console.log(`first Vehicles page rendered   ${firstPage.toFixed(0)} ms   (target ≤ 300 ms)`);
  const painted = keystrokes.map((k) => k.painted);
  const committed = keystrokes.map((k) => k.committed);
  console.log(
    `filter keystroke to rows       ${median(painted).toFixed(0)} ms median to the painted frame (${painted.map((k) => k.toFixed(0)).join(', ')}); ` +
      `${median(committed).toFixed(0)} ms to the DOM update   (target ≤ 50 ms)`,
  );
  for (const [state, m] of [['window open', windowOpen], ['closed to tray', inTray]]) {
    console.log(
      `idle memory (PSS), ${state.padEnd(14)} ${(m.total / 1e6).toFixed(0)} MB (${(m.total / 1048576).toFixed(0)} MiB): ` +
        `${m.processes.map((p) => `${p.name} ${(p.pss / 1048576).toFixed(0)}`).join(', ')} MiB; Chromium processes: ${m.chromium}   (target ≤ 150 MB)`,
    );
  }
} finally {
  await stop();
  rmSync(dataDir, { recursive: true, force: true });
}

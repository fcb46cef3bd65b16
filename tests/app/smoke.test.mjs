// The real desktop app, driven through WebDriver: tauri-driver in front of WebKitWebDriver, which
// launches the built binary. Run under Xvfb and a private D-Bus session (scripts/test.sh does both).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startApp } from '../support/app-driver.mjs';

const app = resolve(process.env.TRUCKIQ_APP_BIN ?? join(import.meta.dirname, '../../target/debug/truckiq-desktop'));
const artifacts = join(import.meta.dirname, '../artifacts/app');
const NAV = ['Fleet', 'Vehicles', 'Faults', 'Alerts', 'Accounts', 'Settings'];

let app$;
let browser;
let dataDir;

before(async () => {
  assert.ok(existsSync(app), `app binary ${app} missing: run cargo build -p truckiq-desktop first`);
  mkdirSync(artifacts, { recursive: true });
  // A fresh data folder: the app must create and migrate its database there, touching nothing else.
  dataDir = mkdtempSync(join(tmpdir(), 'truckiq-app-test-'));
  app$ = await startApp(app, { env: { ...process.env, TRUCKIQ_DATA_DIR: dataDir } });
  browser = app$.browser;
});

after(async () => {
  await app$?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('the window is titled TruckIQ', async () => {
  assert.equal(await browser.getTitle(), 'TruckIQ');
});

test('the navigation lists the six sections and each opens its page', async () => {
  const nav = await browser.$('nav[aria-label="Main"]');
  await nav.waitForDisplayed({ timeout: 15_000 });
  const labels = await nav.$$('a, button').map((el) => el.getText());
  assert.deepEqual(labels.map((l) => l.trim()).filter(Boolean), NAV);

  for (const label of NAV) {
    const link = await nav.$(`*=${label}`);
    await link.click();
    const heading = await browser.$('h1');
    await browser.waitUntil(async () => (await heading.getText()) === label, {
      timeout: 5_000,
      timeoutMsg: `h1 never became ${label}`,
    });
    assert.equal(await link.getAttribute('aria-current'), 'page', `${label} is not marked current`);
  }
  await browser.saveScreenshot(join(artifacts, 'settings.png'));
});

test('the real backend answers: Settings shows the data folder, Accounts the empty state', async () => {
  const nav = await browser.$('nav[aria-label="Main"]');
  await (await nav.$('*=Settings')).click();
  await browser.waitUntil(async () => (await (await browser.$('main')).getText()).includes(dataDir), {
    timeout: 10_000,
    timeoutMsg: `Settings never showed the data folder ${dataDir}`,
  });
  assert.ok(existsSync(join(dataDir, 'truckiq.sqlite3')), 'the app created its database in TRUCKIQ_DATA_DIR');

  await (await nav.$('*=Accounts')).click();
  await browser.waitUntil(async () => (await (await browser.$('main')).getText()).includes('No portal accounts yet'), {
    timeout: 10_000,
    timeoutMsg: 'Accounts never showed its empty state',
  });
  await browser.saveScreenshot(join(artifacts, 'accounts-empty.png'));
});

test('with no account, "Try the demo fleet" starts a simulated portal and its trucks appear', async () => {
  const nav = await browser.$('nav[aria-label="Main"]');
  await (await nav.$('*=Fleet')).click();
  await (await browser.$('button=Try the demo fleet')).click();
  await (await nav.$('*=Vehicles')).click();
  await browser.waitUntil(async () => (await (await browser.$('main')).getText()).includes('120 trucks across your portal accounts'), {
    timeout: 120_000,
    timeoutMsg: 'the demo fleet never appeared',
  });
  await browser.saveScreenshot(join(artifacts, 'demo-fleet.png'));
});

test('a demo truck in the shop shows its Decisiv service case and the faults it covers, linked by time', async () => {
  const nav = await browser.$('nav[aria-label="Main"]');
  await (await nav.$('*=Vehicles')).click();
  const account = await browser.$('select[aria-label="Account"]');
  await account.waitForDisplayed({ timeout: 10_000 });
  await account.selectByVisibleText('Demo fleet — Decisiv API');
  await (await browser.$('select[aria-label="Truck status"]')).selectByAttribute('value', 'in_repair');
  const truck = await browser.$('.vtable a[href^="#/vehicles/"]');
  await truck.waitForDisplayed({ timeout: 10_000, timeoutMsg: 'no truck of the API account is in repair' });
  await truck.click();
  const main = await browser.$('main');
  await browser.waitUntil(async () => (await main.getText()).includes('FAULTS IT COVERS · LINKED BY TIME') || (await main.getText()).includes('(linked by time)'), {
    timeout: 10_000,
    timeoutMsg: 'the truck page never showed its service case',
  });
  await browser.saveScreenshot(join(artifacts, 'demo-service-case.png'));
  const service = await (await browser.$('article.case-card')).getText();
  assert.match(service, /Open/i, service);
  assert.match(service, /Case \d+/, `its open case, by the number the dealer uses: ${service}`);
  assert.match(service, /Down \d/, `how long it has been down: ${service}`);
  assert.match(service, /from Demo fleet — Decisiv API/, service);
});

// Starts the real TruckIQ app under tauri-driver + WebKitWebDriver and connects webdriverio to it.
// Shared by the app tests and the desktop benchmark.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { remote } from 'webdriverio';

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

// tauri-driver opens its port before WebKitWebDriver is ready; only /status tells.
async function waitUntilReady(port, child, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`tauri-driver exited with ${child.exitCode}`);
    try {
      const body = await (await fetch(`http://127.0.0.1:${port}/status`)).json();
      if (body?.value?.ready) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`tauri-driver on port ${port} not ready after ${timeoutMs} ms`);
}

/**
 * Launches `app` with `env` (e.g. `TRUCKIQ_DATA_DIR`) and returns the webdriverio session and a
 * `stop()` that ends it and the driver. `stdio` is tauri-driver's (the app's logs go through it).
 */
export async function startApp(app, { env = process.env, stdio = ['ignore', 'inherit', 'inherit'], logLevel = 'warn' } = {}) {
  const [port, nativePort] = [await freePort(), await freePort()];
  const driver = spawn(
    'tauri-driver',
    ['--port', String(port), '--native-port', String(nativePort), '--native-driver', '/usr/bin/WebKitWebDriver'],
    { env: { ...env, NO_AT_BRIDGE: '1' }, stdio },
  );
  await waitUntilReady(port, driver);
  const browser = await remote({
    hostname: '127.0.0.1',
    port,
    logLevel,
    // Classic WebDriver only: WebKitWebDriver rejects the BiDi capability webdriverio adds by default.
    capabilities: { browserName: 'wry', 'tauri:options': { application: app }, 'wdio:enforceWebDriverClassic': true },
  });
  const stop = async () => {
    await browser.deleteSession().catch(() => {});
    driver.kill();
  };
  return { browser, stop };
}

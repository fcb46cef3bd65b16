// A notification server on the test's D-Bus session (notification-daemon) and a recorder of the
// Notify calls sent to it, with the ids it answered: what the app's desktop notifications really
// did. Shared by the app tests.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';

async function until(what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Starts the server and the recorder; `stop()` ends both. */
export async function recordNotifications(env) {
  const server = spawn('/usr/lib/notification-daemon/notification-daemon', [], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  await until('the notification server', () => {
    const out = spawnSync('dbus-send', [
      '--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus',
      'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.Notifications',
    ], { env, encoding: 'utf8' });
    return out.stdout.includes('boolean true');
  }, 30_000);
  // Notify calls and the server's replies to them (which carry the ids a click is reported with).
  const monitor = spawn('dbus-monitor', [
    '--session',
    "interface='org.freedesktop.Notifications',member='Notify'",
    "type='method_return',sender='org.freedesktop.Notifications'",
  ], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let log = '';
  monitor.stdout.on('data', (chunk) => (log += chunk));
  return {
    /** Everything recorded so far. */
    log: () => log,
    /** The Notify calls so far, one text each. */
    calls: () => log.split('member=Notify').slice(1),
    /** The id the server returned for the first Notify call whose text has `text`. */
    notificationId(text) {
      const messages = log.split(/\n(?=method call|method return|signal)/);
      const call = messages.find((c) => c.startsWith('method call') && c.includes('member=Notify') && c.includes(text));
      assert.ok(call, `no Notify call with ${text}`);
      const [, sender, serial] = call.match(/sender=(\S+) .*? serial=(\d+)/);
      const reply = messages.find((c) => c.startsWith('method return') && c.includes(`destination=${sender} `) && c.includes(`reply_serial=${serial}\n`));
      assert.ok(reply, `no reply to Notify call ${serial} of ${sender}`);
      return Number(reply.match(/uint32 (\d+)/)[1]);
    },
    /** What the server sends when notification `id` is clicked. */
    click(id) {
      const click = spawnSync('dbus-send', [
        '--session', '--type=signal', '/org/freedesktop/Notifications',
        'org.freedesktop.Notifications.ActionInvoked', `uint32:${id}`, 'string:default',
      ], { env, encoding: 'utf8' });
      assert.equal(click.status, 0, click.stderr);
    },
    stop() {
      monitor.kill();
      server.kill();
    },
  };
}

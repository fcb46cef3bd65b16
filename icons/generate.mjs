// Regenerates the app icons from icons/source.svg: `npm run icons` at the repository root.
//
//   source.svg ──rsvg-convert──▶ source.png (1024×1024 RGBA) ──tauri icon──▶ the five files
//   src-tauri/tauri.conf.json bundles: 32x32.png, 128x128.png, 128x128@2x.png, icon.icns, icon.ico.
//
// Needs `rsvg-convert` (Debian: librsvg2-bin) or ImageMagick's `convert`, and @tauri-apps/cli
// (a root devDependency). Everything else `tauri icon` writes (Android, iOS, Windows Store) is
// thrown away.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const here = import.meta.dirname;
const root = resolve(here, '..');
const svg = join(here, 'source.svg');
const png = join(here, 'source.png');
const KEEP = ['32x32.png', '128x128.png', '128x128@2x.png', 'icon.icns', 'icon.ico'];

function run(command, args) {
  execFileSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], cwd: root });
}

function has(command) {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// 1. The master PNG, always 8-bit RGBA.
if (has('rsvg-convert')) {
  run('rsvg-convert', ['--width', '1024', '--height', '1024', '--format', 'png', '--output', png, svg]);
} else if (has('convert')) {
  run('convert', ['-background', 'none', '-density', '384', svg, '-resize', '1024x1024', `PNG32:${png}`]);
} else {
  throw new Error('Install rsvg-convert (apt-get install librsvg2-bin) or ImageMagick to render icons/source.svg');
}

// 2. Every size from the master, with the Tauri CLI.
const out = mkdtempSync(join(tmpdir(), 'truckiq-icons-'));
try {
  run(join(root, 'node_modules/.bin/tauri'), ['icon', png, '--output', out]);
  for (const name of KEEP) copyFileSync(join(out, name), join(here, name));
} finally {
  rmSync(out, { recursive: true, force: true });
}

// 3. Tauri refuses icons without an alpha channel: check rather than trust.
if (has('identify')) {
  for (const name of ['source.png', ...KEEP.filter((n) => n.endsWith('.png'))]) {
    const info = execFileSync('identify', ['-format', '%wx%h %[channels]', join(here, name)], { encoding: 'utf8' });
    if (!/srgba|rgba/i.test(info)) throw new Error(`icons/${name} is not RGBA: ${info}`);
    console.log(`icons/${name}: ${info}`);
  }
}

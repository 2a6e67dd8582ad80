#!/usr/bin/env node
// `npm start`: build, then open the desktop app on the sandbox profile. Electron downloads its runtime on first
// start; where that cannot happen (no access to Electron's downloads, or no display), serve the same UI from the
// loopback web host and print its address with the token.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const passThrough = process.argv.slice(2);

const build = spawnSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (build.status !== 0) {
  console.error('The build failed (see above). Fix it, or run "npm run build" to see the whole output.');
  process.exit(1);
}

function electronBinary() {
  // Resolving the package triggers Electron's lazy download; do it in a child so its noise stays out of sight.
  const probe = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
    cwd: root,
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (probe.status === 0 && probe.stdout) return { path: probe.stdout };
  return { reason: "Electron's runtime could not be downloaded (this machine cannot reach Electron's downloads)" };
}

function noDisplayReason() {
  if (process.platform !== 'linux') return null;
  if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return null;
  return 'there is no desktop session here (DISPLAY and WAYLAND_DISPLAY are unset)';
}

function serveFromWebHost(reason) {
  console.log(`${reason}: serving the same UI from the web host on 127.0.0.1 instead.`);
  const child = spawn(process.execPath, [join(root, 'bin', 'image-sealer.js'), 'serve', ...passThrough], {
    cwd: root,
    stdio: 'inherit',
  });
  forwardSignals(child);
}

function forwardSignals(child) {
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const displayProblem = noDisplayReason();
if (displayProblem) {
  serveFromWebHost(`Not starting the desktop window: ${displayProblem}`);
} else {
  const electron = electronBinary();
  if (!electron.path) {
    serveFromWebHost(electron.reason);
  } else {
    const child = spawn(electron.path, [root, ...passThrough], { cwd: root, stdio: 'inherit' });
    forwardSignals(child);
  }
}

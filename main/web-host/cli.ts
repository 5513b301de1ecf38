/**
 * `npm run console:web`: the console for machines without Electron. Runs the same main-process
 * core in Node and serves the built renderer to a browser on 127.0.0.1.
 *
 *   npm run console:web -- [--port N] [--open] [--launch-url-file PATH] [--prefs PATH]
 *
 * The launch address holds a one-time secret: it is printed once (or written to
 * --launch-url-file with mode 0600, or handed to the system browser with --open) and never logged.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConsoleCore } from '../core/console-core';
import { createFetchTransport } from '../core/http-transport';
import { probeKeyringBackend } from '../core/keyring-backend';
import { takeLaunchSettings } from '../core/launch';
import { createStderrLogger } from '../core/logger';
import { TokenVault } from '../core/vault';
import { wsSocketFactory } from '../core/ws-socket';
import { createEventSink } from '../ipc/events';
import { createIpcGate } from '../ipc/ipc-gate';
import { defaultPrefsFile, filePrefsStore } from './file-prefs';
import { startWebHost, type WebHost } from './server';

const projectRoot = resolve(import.meta.dirname, '../..');

function ensureRendererBuilt(rendererDir: string): void {
  if (existsSync(join(rendererDir, 'index.html'))) return;
  console.log(`The console's renderer is not built yet (${rendererDir}); building it with: npx electron-vite build`);
  const build = spawnSync('npx', ['electron-vite', 'build'], { cwd: projectRoot, stdio: 'inherit' });
  if (build.status !== 0 || !existsSync(join(rendererDir, 'index.html'))) {
    throw new Error('Building the renderer failed; run "npx electron-vite build" and try again');
  }
}

/** Hands the address to the system browser, if there is an opener on this machine. */
function openBrowser(url: string): boolean {
  const opener = process.platform === 'darwin' ? ['open'] : process.platform === 'win32' ? ['cmd', '/c', 'start', '""'] : ['xdg-open'];
  const probe = spawnSync(process.platform === 'win32' ? 'where' : 'which', [opener[0]!], { stdio: 'ignore' });
  if (probe.status !== 0) return false;
  const child = spawn(opener[0]!, [...opener.slice(1), url], { detached: true, stdio: 'ignore' });
  child.on('error', () => undefined);
  child.unref();
  return true;
}

async function main(): Promise<void> {
  const log = createStderrLogger();
  // Before anything is spawned (renderer build, browser opener): they must not inherit the first-run token.
  const launch = takeLaunchSettings(process.env, log);
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      open: { type: 'boolean', default: false },
      'launch-url-file': { type: 'string' },
      prefs: { type: 'string' },
      'renderer-dir': { type: 'string' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, not "${values.port}"`);
  const rendererDir = resolve(values['renderer-dir'] ?? join(projectRoot, 'out/renderer'));
  ensureRendererBuilt(rendererDir);

  const backend = await probeKeyringBackend();
  if (!backend) console.log('No system keychain is available: sessions will be kept in memory only and not remembered.');
  let host: WebHost | null = null;
  const core = new ConsoleCore({
    host: 'browser',
    version: process.env.npm_package_version ?? '0.0.0',
    prefs: filePrefsStore(values.prefs ?? defaultPrefsFile()),
    vault: new TokenVault(backend, log),
    transportFor: (origin) => createFetchTransport(origin),
    socketFactory: wsSocketFactory,
    emit: createEventSink((event, payload) => host?.broadcast(event, payload), log),
    log,
    openAllowedLink: () => Promise.resolve(false),
    clientName: `Bulwark console (browser) on ${hostname()}`,
    launch,
  });
  host = await startWebHost({
    rendererDir,
    port,
    log,
    createGate: (appOrigin) => createIpcGate({ appOrigin, handlers: core.handlers, log }),
  });

  console.log(`Bulwark console (browser host) listening on ${host.origin}`);
  if (values['launch-url-file']) {
    writeFileSync(values['launch-url-file'], `${host.launchUrl}\n`, { mode: 0o600 });
    console.log(`The one-time launch address was written to ${values['launch-url-file']}`);
  } else if (values.open && openBrowser(host.launchUrl)) {
    console.log('Opened it in your browser.');
  } else {
    // The hand-off to the person at this terminal: printed once, not logged.
    console.log(`Open this address once to authorise your browser (it works one time):\n\n  ${host.launchUrl}\n`);
  }

  const stop = () => {
    core.shutdown();
    void host?.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});

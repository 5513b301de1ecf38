/**
 * Electron main process: the hardened shell. Logic lives in Electron-free modules; this file
 * only wires Electron to them.
 */
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, normalize, relative, isAbsolute } from 'node:path';
import { app, BrowserWindow, protocol, session } from 'electron';
import ElectronStore from 'electron-store';
import { ConsoleCore } from './core/console-core';
import { createFetchTransport } from './core/http-transport';
import { probeKeyringBackend } from './core/keyring-backend';
import { profileDirFrom, takeLaunchSettings } from './core/launch';
import { createStderrLogger } from './core/logger';
import { ConsolePrefs, type PrefsStore } from './core/prefs';
import { TokenVault } from './core/vault';
import { wsSocketFactory } from './core/ws-socket';
import { createEventSink } from './ipc/events';
import { createIpcGate, originOf } from './ipc/ipc-gate';
import { registerValidatedIpc } from './ipc/validated-ipc';
import { CONSOLE_CSP } from './security/content-security-policy';
import { openExternal } from './security/external-links';
import { rendererContentType } from './security/renderer-files';

const APP_SCHEME = 'app';
const APP_ORIGIN = `${APP_SCHEME}://console`;
const RENDERER_DIR = join(import.meta.dirname, '../renderer');

// Served like https: secure context, standard URL parsing, no file:// privileges.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

async function serveRendererFile(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const wanted = normalize(decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname));
  const file = join(RENDERER_DIR, wanted);
  const rel = relative(RENDERER_DIR, file);
  if (url.host !== 'console' || rel.startsWith('..') || isAbsolute(rel)) return new Response('Not found', { status: 404 });
  try {
    const body = await readFile(file);
    const ext = file.slice(file.lastIndexOf('.'));
    return new Response(body, {
      headers: {
        'content-type': rendererContentType(ext),
        'content-security-policy': CONSOLE_CSP,
        'x-content-type-options': 'nosniff',
      },
    });
  } catch {
    return new Response('Not found', { status: 404 });
  }
}

/** Non-secret preferences only (server URL, last account); tokens live in the keychain. */
function electronPrefs(): PrefsStore {
  const store = new ElectronStore<{ prefs: ConsolePrefs }>({ name: 'preferences', defaults: { prefs: ConsolePrefs.parse({}) } });
  return {
    read: () => ConsolePrefs.parse(store.get('prefs')),
    write: (prefs) => store.set('prefs', ConsolePrefs.parse(prefs)),
  };
}

/** Builds the Electron-free core and puts it behind the validated IPC gate. */
async function startCore(): Promise<ConsoleCore> {
  const log = createStderrLogger();
  const launch = takeLaunchSettings(process.env, log);
  const core = new ConsoleCore({
    host: 'electron',
    version: app.getVersion(),
    prefs: electronPrefs(),
    vault: new TokenVault(await probeKeyringBackend(), log),
    transportFor: (origin) => createFetchTransport(origin),
    socketFactory: wsSocketFactory,
    emit: createEventSink((event, payload) => {
      for (const win of BrowserWindow.getAllWindows()) {
        if (originOf(win.webContents.getURL()) === APP_ORIGIN) win.webContents.send(event, payload);
      }
    }, log),
    log,
    openAllowedLink: openExternal,
    clientName: `Bulwark console on ${hostname()}`,
    launch,
  });
  registerValidatedIpc(createIpcGate({ appOrigin: APP_ORIGIN, handlers: core.handlers, log }));
  return core;
}

function createWindow(): void {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    show: false,
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      // Middle-click would otherwise open links in a new window, bypassing will-navigate.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${APP_ORIGIN}/index.html`);
}

// Before anything reads userData: the profile also scopes the single-instance lock.
const profileDir = profileDirFrom(process.env, createStderrLogger());
if (profileDir) app.setPath('userData', profileDir);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.focus());

  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      void openExternal(url);
      return { action: 'deny' };
    });
  });

  void app.whenReady().then(async () => {
    session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
    protocol.handle(APP_SCHEME, serveRendererFile);
    const core = await startCore();
    app.on('before-quit', () => core.shutdown());
    createWindow();
  });

  app.on('window-all-closed', () => app.quit());
}

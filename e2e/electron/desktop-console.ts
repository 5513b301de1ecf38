/**
 * The Electron console for the `electron` project: whether it can run on this machine (and if
 * not, why), and launching the built app (`electron-vite build` → out/main, out/preload,
 * out/renderer; playwright.config.ts's webServer builds them) through Playwright's `_electron`.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, type ElectronApplication, type Page } from '@playwright/test';

const root = path.resolve(import.meta.dirname, '../..');
const ELECTRON_DIST = path.join(root, 'node_modules/electron/dist');
const MAIN_ENTRY = path.join(root, 'out/main/index.js');
/** The main process's own last words kept for a failure report. */
const KEPT_OUTPUT_LINES = 200;

/** Why the Electron console cannot run here, or null when it can. */
export function electronUnavailable(): string | null {
  if (!existsSync(ELECTRON_DIST))
    return `Electron binary not present (${path.relative(root, ELECTRON_DIST)} missing): the _electron specs run where it can be downloaded.`;
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return 'no display for Electron windows (DISPLAY and WAYLAND_DISPLAY unset): run the electron project under xvfb-run.';
  return null;
}

export interface DesktopConsole {
  app: ElectronApplication;
  /** The console's window (app://console), a Playwright Page like a browser tab. */
  window: Page;
  /** What the main process printed (its logger writes to stderr), newest last. */
  output(): string;
  /** Closes the app and removes its throwaway profile. */
  close(): Promise<void>;
}

/**
 * Launches the built console with `env` added to this process's environment and waits for its
 * first window.
 *
 * The console gets a throwaway profile (BULWARK_CONSOLE_PROFILE_DIR: its preferences, session data
 * and single-instance lock are the test's own, so a console already open does not interfere). On
 * Linux it also gets no session bus: like the journeys' browser hosts it keeps its session in
 * memory, never in this machine's keychain. On macOS and Windows it uses the OS keychain (a
 * journey signs out at the end, which deletes its keychain entry).
 */
export async function launchDesktopConsole(env: Record<string, string> = {}): Promise<DesktopConsole> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'bulwark-electron-'));
  const app = await electron.launch({
    args: [MAIN_ENTRY],
    cwd: root,
    env: { ...definedEnv(), DBUS_SESSION_BUS_ADDRESS: '', XDG_CONFIG_HOME: profile, BULWARK_CONSOLE_PROFILE_DIR: profile, ...env },
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - KEPT_OUTPUT_LINES));
  };
  app.process().stdout?.on('data', keep);
  app.process().stderr?.on('data', keep);
  try {
    const window = await app.firstWindow();
    return {
      app,
      window,
      output: () => lines.join('\n'),
      async close() {
        await app.close().catch(() => undefined);
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await app.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
    throw new Error(
      `the Electron console opened no window: ${(error as Error).message}\n` + `Its output:\n${lines.join('\n') || '(nothing)'}`,
    );
  }
}

/** process.env without unset entries (what `_electron.launch` takes). */
function definedEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/**
 * Which Chromium the browser tests drive: Debian's /usr/bin/chromium where it exists (this
 * machine and CI; no browser download possible), otherwise Playwright's own.
 */
import { existsSync } from 'node:fs';

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/** Flags that keep Chromium off the (closed) network and quiet on a headless server. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export function chromiumLaunchOptions(): { executablePath?: string; args: string[] } {
  return existsSync(SYSTEM_CHROMIUM) ? { executablePath: SYSTEM_CHROMIUM, args: CHROMIUM_ARGS } : { args: [] };
}

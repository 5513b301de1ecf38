/**
 * What the launcher (`npm start`, scripts/start.ts) tells the console through its environment:
 * the control plane it started (BULWARK_CONSOLE_SERVER_URL, a non-secret preference) and that
 * server's one-time first-run token (BULWARK_FIRST_RUN_TOKEN). The token stays in main: it is
 * added to the first-admin request by main itself, only for that very server, and never
 * crosses IPC.
 */
import { isAbsolute } from 'node:path';
import { checkServerUrl } from '../../shared/ipc/server-url';
import type { ConsoleLogger } from './logger';

export interface LaunchSettings {
  /** Origin of the control plane the launcher started, or null. */
  serverUrl: string | null;
  /** The launcher's one-time token for `serverUrl` (null without a server URL). */
  firstRunToken: string | null;
}

export const NO_LAUNCH_SETTINGS: LaunchSettings = { serverUrl: null, firstRunToken: null };

/** Reads the launcher's settings and removes the token from `env`, so child processes (the browser opener) never inherit it. */
export function takeLaunchSettings(env: NodeJS.ProcessEnv, log: ConsoleLogger): LaunchSettings {
  const rawUrl = env.BULWARK_CONSOLE_SERVER_URL?.trim();
  const rawToken = env.BULWARK_FIRST_RUN_TOKEN?.trim();
  delete env.BULWARK_FIRST_RUN_TOKEN;
  let serverUrl: string | null = null;
  if (rawUrl) {
    const check = checkServerUrl(rawUrl);
    if (check.ok) serverUrl = check.origin;
    else log.warn('BULWARK_CONSOLE_SERVER_URL ignored', { reason: check.message });
  }
  return { serverUrl, firstRunToken: serverUrl && rawToken ? rawToken : null };
}

/**
 * BULWARK_CONSOLE_PROFILE_DIR: a separate console profile (preferences, session data and the
 * single-instance lock), for tests and for a second console on the same account. Must be an
 * absolute path; anything else is ignored with a warning rather than resolved against the cwd.
 */
export function profileDirFrom(env: NodeJS.ProcessEnv, log: ConsoleLogger): string | null {
  const raw = env.BULWARK_CONSOLE_PROFILE_DIR?.trim();
  if (!raw) return null;
  if (!isAbsolute(raw) || raw.includes('\0')) {
    log.warn('BULWARK_CONSOLE_PROFILE_DIR ignored', { reason: 'it must be an absolute path' });
    return null;
  }
  return raw;
}

/**
 * The token vault against a real Secret Service: a child process runs inside its own D-Bus
 * session with a throwaway gnome-keyring (its own HOME and XDG_DATA_HOME), so the developer's
 * keychain is never touched. Skips with the reason printed when dbus-run-session or
 * gnome-keyring-daemon are missing, unless BULWARK_REQUIRE_SERVICES=1 (CI) makes that a failure.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const child = path.join(import.meta.dirname, 'test-helpers/vault-roundtrip-child.ts');
const required = process.env.BULWARK_REQUIRE_SERVICES === '1';

function which(binary: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const missing = ['dbus-run-session', 'gnome-keyring-daemon'].filter((binary) => !which(binary));
const skipReason = missing.length > 0 ? `${missing.join(' and ')} not installed (Debian: dbus, gnome-keyring)` : null;
if (skipReason && !required) console.log(`skipped: vault keychain round trip: ${skipReason}`);

const scratch = mkdtempSync(path.join(tmpdir(), 'bulwark-vault-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface ChildReport {
  backendAvailable: boolean;
  saved: { remembered: boolean; message: string | null };
  loaded: unknown;
  raw: string | null;
  otherServer: unknown;
  afterRemove: unknown;
  rawAfterRemove: string | null;
}

function runChild(command: string[], env: Record<string, string>): ChildReport {
  const result = spawnSync(command[0]!, command.slice(1), {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const line = result.stdout.trim().split('\n').pop() ?? '';
  if (result.status !== 0 || !line.startsWith('{')) throw new Error(`child failed (${String(result.status)}): ${result.stderr}`);
  return JSON.parse(line) as ChildReport;
}

const nodeWithTsx = `${JSON.stringify(process.execPath)} --import tsx ${JSON.stringify(child)}`;

describe.skipIf(skipReason !== null && !required)('token vault on a real Secret Service', () => {
  it('has dbus-run-session and gnome-keyring-daemon', () => {
    expect(skipReason).toBeNull();
  });

  it('stores, reads back and deletes a session keyed by server origin and account', () => {
    const home = mkdtempSync(path.join(scratch, 'home-'));
    const runtime = mkdtempSync(path.join(scratch, 'run-'));
    // gnome-keyring creates the login keyring from the password on stdin (it must not be empty).
    const script = `printf 'throwaway-keyring-password' | gnome-keyring-daemon --unlock --components=secrets >/dev/null && ${nodeWithTsx}`;
    const report = runChild(['dbus-run-session', '--', 'sh', '-c', script], {
      HOME: home,
      XDG_DATA_HOME: path.join(home, 'data'),
      XDG_RUNTIME_DIR: runtime,
    });
    expect(report.backendAvailable).toBe(true);
    expect(report.saved).toEqual({ remembered: true, message: null });
    expect(report.loaded).toMatchObject({ refreshToken: 'rt_roundtrip_secret_value', sessionId: '11111111-1111-4111-8111-111111111111' });
    expect(JSON.parse(report.raw ?? 'null')).toMatchObject({ refreshToken: 'rt_roundtrip_secret_value' });
    expect(report.otherServer).toBeNull();
    expect(report.afterRemove).toBeNull();
    expect(report.rawAfterRemove).toBeNull();
  });
});

describe('token vault without any keychain', () => {
  it('refuses to remember the session and says why', () => {
    const home = mkdtempSync(path.join(scratch, 'nokeychain-'));
    // No D-Bus session at all: there is no Secret Service to talk to.
    const report = runChild(['sh', '-c', nodeWithTsx], { HOME: home, DBUS_SESSION_BUS_ADDRESS: `unix:path=${path.join(home, 'no-bus')}` });
    expect(report.backendAvailable).toBe(false);
    expect(report.saved.remembered).toBe(false);
    expect(report.saved.message).toMatch(/No system keychain/);
    expect(report.loaded).toBeNull();
  });
});

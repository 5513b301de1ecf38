import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../test-support/services';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bulwark-cli-'));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', BULWARK_DATA_DIR: dataDir, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.end(options.stdin ?? '');
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const noStackTrace = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('server CLI', () => {
  it('prints help', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('create-admin --email EMAIL');
    expect(run.stdout).toContain('BULWARK_ADMIN_PORT');
  });

  it('explains bad configuration without a stack trace', async () => {
    const run = await cli([], { env: { BULWARK_HOST: '0.0.0.0', BULWARK_ADMIN_PORT: 'eighty' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('BULWARK_ADMIN_PORT');
    expect(run.stderr).toContain('plain HTTP is only allowed on a loopback address');
    noStackTrace(run.stderr);
  });

  it('creates the first admin: refuses a weak password, prints the otpauth URL, and only once', async () => {
    const weak = await cli(['create-admin', '--email', 'root@example.test'], { stdin: 'password1234\n' });
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/too common/);
    noStackTrace(weak.stderr);

    const ok = await cli(['create-admin', '--email', 'root@example.test'], { stdin: 'correct horse battery staple\n' });
    expect(ok.code, ok.stderr).toBe(0);
    const printed = JSON.parse(ok.stdout);
    expect(printed.otpauthUrl).toMatch(/^otpauth:\/\/totp\/Bulwark:root%40example\.test\?.*secret=[A-Z2-7]+/);
    expect(printed.role).toBe('platform_admin');

    const again = await cli(['create-admin', '--email', 'second@example.test'], { stdin: 'correct horse battery staple\n' });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
  });

  it('migrates', async () => {
    const run = await cli(['migrate']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/up to date/);
  });

  it('starts, reports a port in use clearly, and stops cleanly on SIGTERM', async () => {
    const adminPort = await freePort();
    const agentPort = await freePort();
    const env = { BULWARK_ADMIN_PORT: String(adminPort), BULWARK_AGENT_PORT: String(agentPort), BULWARK_LOG_LEVEL: 'warn' };
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', BULWARK_DATA_DIR: dataDir, ...env },
    });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      await expect.poll(() => stdout, { timeout: 20_000, interval: 100 }).toContain('Press Ctrl-C to stop');
      expect(stdout).toContain(`http://127.0.0.1:${adminPort}/api/v1`);
      expect(stdout).toContain(`http://127.0.0.1:${agentPort}/agent/v1`);
      const health = await fetch(`http://127.0.0.1:${adminPort}/healthz`);
      expect(health.status).toBe(200);

      // A second process on the same embedded data directory is refused (it would corrupt it).
      const sameDir = await cli(['migrate']);
      expect(sameDir.code).toBe(1);
      expect(sameDir.stderr).toMatch(/in use by another Bulwark process/);
      noStackTrace(sameDir.stderr);

      const otherDir = mkdtempSync(path.join(os.tmpdir(), 'bulwark-cli-2-'));
      const busy = await cli([], { env: { ...env, BULWARK_DATA_DIR: otherDir, BULWARK_AGENT_PORT: String(await freePort()) } });
      rmSync(otherDir, { recursive: true, force: true });
      expect(busy.code).toBe(1);
      expect(busy.stderr).toContain(`port ${adminPort} on 127.0.0.1 is already in use`);
      noStackTrace(busy.stderr);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stdout).toContain('Bulwark server stopped.');
  });
});

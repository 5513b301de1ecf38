import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, isLoopbackHost, loadConfig } from './config';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('has safe defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ host: '127.0.0.1', adminPort: 4780, agentPort: 4781, stepUpWindowSeconds: 300 });
    expect(config.argon2).toEqual({ memoryKiB: 19456, iterations: 2, parallelism: 1 });
    expect(path.isAbsolute(config.dataDir)).toBe(true);
  });

  it('reads the environment', () => {
    const config = loadConfig({
      BULWARK_HOST: '::1',
      BULWARK_ADMIN_PORT: '9000',
      BULWARK_AGENT_PORT: '9001',
      DATABASE_URL: 'postgres://u:p@db/bulwark',
      REDIS_URL: 'redis://cache:6379',
      BULWARK_STEP_UP_WINDOW_SECONDS: '120',
      BULWARK_TRUST_PROXY: '10.0.0.1, 10.1.0.0/16',
    });
    expect(config).toMatchObject({
      host: '::1',
      adminPort: 9000,
      agentPort: 9001,
      stepUpWindowSeconds: 120,
      trustProxy: ['10.0.0.1', '10.1.0.0/16'],
    });
  });

  it('reports every wrong value at once, by variable name, and never echoes secrets', () => {
    const found = problems({
      BULWARK_HOST: '0.0.0.0',
      BULWARK_ADMIN_PORT: '70000',
      BULWARK_STEP_UP_WINDOW_SECONDS: 'soon',
      DATABASE_URL: 'mysql://root:hunter2@db',
      BULWARK_SECRET_KEY: 'c2hvcnQ=',
      BULWARK_TLS_CERT: '/etc/cert.pem',
    });
    const text = found.join('\n');
    expect(text).toMatch(/BULWARK_ADMIN_PORT: .*65535.*"70000"/);
    expect(text).toMatch(/BULWARK_STEP_UP_WINDOW_SECONDS/);
    expect(text).toMatch(/DATABASE_URL: must start with postgres/);
    expect(text).toMatch(/BULWARK_SECRET_KEY: must be 32 bytes/);
    expect(text).toMatch(/tlsKeyFile|BULWARK_TLS_KEY/);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('c2hvcnQ=');
  });

  it('refuses plain HTTP beyond loopback', () => {
    expect(problems({ BULWARK_HOST: '192.0.2.10' }).join()).toMatch(/plain HTTP is only allowed on a loopback address/);
    expect(problems({ BULWARK_HOST: '192.0.2.10', BULWARK_TLS_CERT: '/c.pem', BULWARK_TLS_KEY: '/k.pem' })).toEqual([]);
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('127.8.9.1')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('::')).toBe(false);
  });

  it('reads a JSON or YAML config file, with the environment taking precedence, and never weakens Argon2', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bulwark-config-'));
    const yamlFile = path.join(dir, 'bulwark.yaml');
    writeFileSync(yamlFile, 'adminPort: 5000\nagentPort: 5001\nthrottle:\n  accountFreeFailures: 3\n');
    const config = loadConfig({ BULWARK_CONFIG: yamlFile, BULWARK_AGENT_PORT: '6001' });
    expect(config.adminPort).toBe(5000);
    expect(config.agentPort).toBe(6001);
    expect(config.throttle.accountFreeFailures).toBe(3);

    const jsonFile = path.join(dir, 'weak.json');
    writeFileSync(jsonFile, JSON.stringify({ argon2: { memoryKiB: 1024, iterations: 1 }, unknownSetting: true }));
    const text = problems({ BULWARK_CONFIG: jsonFile }).join('\n');
    expect(text).toMatch(/argon2\.memoryKiB/);
    expect(text).toMatch(/argon2\.iterations/);
    expect(text).toMatch(/unknownSetting/);

    expect(problems({ BULWARK_CONFIG: path.join(dir, 'missing.json') }).join()).toMatch(/missing\.json/);
  });
});

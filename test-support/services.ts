import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

/**
 * When BULWARK_REQUIRE_SERVICES=1 (CI), a missing PostgreSQL or Redis is a failure;
 * otherwise the suites that need it are skipped with a printed reason.
 */
export const servicesRequired = process.env.BULWARK_REQUIRE_SERVICES === '1';

export interface ServiceAvailability {
  available: boolean;
  /** Why it is not available (printed when suites skip). */
  reason: string;
}

/** A free TCP port on the loopback interface (there is a small race until it is used). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Locates PostgreSQL server binaries: $PG_BIN, Debian's /usr/lib/postgresql/<v>/bin (newest), or pg_config. */
export function findPostgresBin(): string | null {
  const candidates: string[] = [];
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN);
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => path.join(debianRoot, v, 'bin')));
  }
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    // not installed
  }
  return candidates.find((dir) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl'))) ?? null;
}

export function postgresAvailability(): ServiceAvailability {
  const bin = findPostgresBin();
  if (!bin)
    return {
      available: false,
      reason: 'PostgreSQL server binaries (initdb, pg_ctl) not found; install the Debian package "postgresql" or set PG_BIN',
    };
  if (process.getuid?.() === 0) {
    try {
      execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
    } catch {
      return { available: false, reason: 'running as root and there is no "postgres" user to run initdb as' };
    }
  }
  return { available: true, reason: '' };
}

export function findRedisServer(): string | null {
  for (const candidate of [process.env.REDIS_SERVER_BIN, '/usr/bin/redis-server', '/usr/local/bin/redis-server']) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

export function redisAvailability(): ServiceAvailability {
  return findRedisServer()
    ? { available: true, reason: '' }
    : { available: false, reason: 'redis-server not found; install the Debian package "redis-server" or set REDIS_SERVER_BIN' };
}

/**
 * Decides what a suite needing `services` does here: run, skip (printing why), or — when
 * services are required — fail loudly.
 */
export function serviceGate(label: string, ...availabilities: ServiceAvailability[]): { run: boolean; missing: string | null } {
  const missing = availabilities.filter((a) => !a.available).map((a) => a.reason);
  if (missing.length === 0) return { run: true, missing: null };
  const reason = `${label}: ${missing.join('; ')}`;
  if (servicesRequired) return { run: false, missing: reason };
  console.warn(`[skipped] ${reason}`);
  return { run: false, missing: null };
}

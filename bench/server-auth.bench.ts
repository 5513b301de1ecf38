/**
 * Control-plane benchmark: sign-in throughput (bound by Argon2id at the configured,
 * OWASP-level parameters) and authenticated request throughput (GET /api/v1/me).
 * Run: npx tsx bench/server-auth.bench.ts [--seconds 5] [--concurrency 16] [--database-url postgres://…]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultConfig } from '../server/config/config';
import { createFirstAdmin } from '../server/identity/users';
import { totpCodeAt } from '../server/identity/totp';
import { createLogger } from '../server/logging/logger';
import { startServer } from '../server/server';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 && args[index + 1] ? args[index + 1]! : fallback;
};
const seconds = Number(option('seconds', '5'));
const concurrency = Number(option('concurrency', '16'));
const databaseUrl = option('database-url', process.env.DATABASE_URL ?? '');

async function post(url: string, body: unknown, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

/** Runs `task` from `workers` loops for `durationMs`; returns completed count and latencies. */
async function loadLoop(durationMs: number, workers: number, task: () => Promise<boolean>) {
  const latencies: number[] = [];
  let failures = 0;
  const end = performance.now() + durationMs;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < end) {
        const start = performance.now();
        if (await task()) latencies.push(performance.now() - start);
        else failures++;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return { count: latencies.length, failures, perSecond: latencies.length / (durationMs / 1000), p50: pct(50), p99: pct(99) };
}

async function main() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bulwark-bench-'));
  const config = defaultConfig({ dataDir, adminPort: 0, agentPort: 0, logLevel: 'warn', ...(databaseUrl ? { databaseUrl } : {}) });
  const server = await startServer(config, {
    logger: createLogger({ level: 'warn' }),
    ...(databaseUrl ? {} : { pgliteDataDir: 'memory://' }),
  });
  try {
    const email = 'bench-admin@example.test';
    const password = 'correct horse battery staple';
    const admin = await createFirstAdmin(server.ctx, { email, password });
    const secret = new URL(admin.otpauthUrl).searchParams.get('secret')!;
    const base = server.adminUrl;

    const login = await post(`${base}/api/v1/auth/login`, { email, password });
    const enrolled = await post(`${base}/api/v1/auth/mfa/enroll/verify`, {
      challengeToken: login.body.challengeToken,
      code: totpCodeAt(secret, Date.now()),
    });
    if (enrolled.status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(enrolled.body)}`);
    const token = enrolled.body.accessToken as string;

    console.log(`Bulwark control-plane benchmark — ${server.database.description}, Node ${process.version}, ${os.cpus().length} CPUs`);
    console.log(
      `Argon2id m=${config.argon2.memoryKiB} KiB t=${config.argon2.iterations} p=${config.argon2.parallelism}; ${concurrency} concurrent clients; ${seconds} s per measurement\n`,
    );

    // Sign-in step 1 (password check): each request is one Argon2id verification plus a challenge row.
    const signIn = await loadLoop(seconds * 1000, concurrency, async () => {
      const r = await post(`${base}/api/v1/auth/login`, { email, password });
      return r.status === 200;
    });
    console.log(
      `sign-in (password step, Argon2-bound): ${signIn.perSecond.toFixed(1)} /s  p50 ${signIn.p50.toFixed(1)} ms  p99 ${signIn.p99.toFixed(1)} ms  (${signIn.failures} failed)`,
    );

    const me = await loadLoop(seconds * 1000, concurrency, async () => {
      const response = await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
      await response.arrayBuffer();
      return response.status === 200;
    });
    console.log(
      `GET /api/v1/me (authenticated):        ${me.perSecond.toFixed(0)} req/s  p50 ${me.p50.toFixed(2)} ms  p99 ${me.p99.toFixed(2)} ms  (${me.failures} failed)`,
    );
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`benchmark failed: ${(error as Error).message}`);
  process.exit(1);
});

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { EnrollResponse, LoginResponse, TokenResponse } from '../../shared/api/auth';
import type { User } from '../../shared/api/users';
import type { Tenant } from '../../shared/api/tenants';
import { defaultConfig, type Config } from '../config/config';
import type { Clock } from '../context';
import { createFirstAdmin } from '../identity/users';
import { totpCodeAt, TOTP_PERIOD_MS } from '../identity/totp';
import { createLogger } from '../logging/logger';
import { startServer, type RunningServer } from '../server';
import { startPostgres, type ThrowawayPostgres } from '../../test-support/postgres';
import { startRedis, type ThrowawayRedis } from '../../test-support/redis';
import { postgresAvailability, redisAvailability, serviceGate } from '../../test-support/services';

/** A clock tests move forward instead of sleeping (timeouts, lockouts, step-up expiry, TOTP steps). */
export class ManualClock implements Clock {
  private current: number;
  constructor(start = Date.now()) {
    this.current = start;
  }
  now() {
    return new Date(this.current);
  }
  advance(ms: number) {
    this.current += ms;
  }
}

/** Argon2 made cheap for tests only; the configuration loader refuses these values. */
export const TEST_ARGON2 = { memoryKiB: 256, iterations: 1, parallelism: 1 };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert on loosely typed JSON bodies
export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export async function http<T = any>(base: string, method: string, url: string, options: RequestOptions = {}): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(base + url, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  totpSecret: string;
}

export interface SignedIn {
  tokens: TokenResponse;
  token: string;
}

/**
 * One running server for a test file, with helpers that speak to it over HTTP only
 * (except the very first admin, which the CLI creates in production).
 */
export class TestServer {
  /** Last TOTP step used per secret, so helpers never replay a code by accident. */
  private lastStep = new Map<string, number>();
  private counter = 0;
  readonly logLines: string[] = [];

  constructor(
    readonly server: RunningServer,
    readonly clock: ManualClock,
    private readonly cleanup: () => Promise<void>,
  ) {}

  get url() {
    return this.server.adminUrl;
  }
  get agentUrl() {
    return this.server.agentUrl;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
  request<T = any>(method: string, url: string, options: RequestOptions = {}) {
    return http<T>(this.url, method, url, options);
  }

  unique(prefix: string) {
    return `${prefix}-${Date.now().toString(36)}-${++this.counter}`;
  }

  /**
   * A code for a time step this secret has not used yet. The server accepts the previous,
   * current and next step; when all three are used, the clock moves on one step.
   */
  totp(secret: string): string {
    const currentStep = () => Math.floor(this.clock.now().getTime() / TOTP_PERIOD_MS);
    const last = this.lastStep.get(secret) ?? -Infinity;
    let use = Math.max(currentStep() - 1, last + 1);
    while (use > currentStep() + 1) this.clock.advance(TOTP_PERIOD_MS);
    use = Math.max(use, currentStep() - 1);
    this.lastStep.set(secret, use);
    return totpCodeAt(secret, use * TOTP_PERIOD_MS);
  }

  /** A code that is correct for this secret but already used (for replay tests). */
  lastUsedCode(secret: string): string {
    const last = this.lastStep.get(secret);
    if (last === undefined) throw new Error('no code used yet');
    return totpCodeAt(secret, last * TOTP_PERIOD_MS);
  }

  async createPlatformAdmin(): Promise<TestUser> {
    const email = `${this.unique('admin')}@example.test`;
    const password = 'correct horse battery staple';
    const result = await createFirstAdmin(this.server.ctx, { email, password });
    const totpSecret = new URL(result.otpauthUrl).searchParams.get('secret')!;
    const login = await this.request<LoginResponse>('POST', '/api/v1/auth/login', { body: { email, password } });
    const verify = await this.request<TokenResponse>('POST', '/api/v1/auth/mfa/enroll/verify', {
      body: { challengeToken: login.body.challengeToken, code: this.totp(totpSecret) },
    });
    if (verify.status !== 200) throw new Error(`admin enrollment failed: ${verify.text}`);
    return { id: result.user.id, email, password, totpSecret };
  }

  /** Creates a user through the API (as `creator`), then enrolls their TOTP through the API. */
  async createUser(creator: SignedIn, input: { role: string; tenantId?: string; email?: string; password?: string }): Promise<TestUser> {
    const email = input.email ?? `${this.unique(input.role)}@example.test`;
    const password = input.password ?? 'violet staple engine orbit';
    const created = await this.request<User>('POST', '/api/v1/users', {
      token: creator.token,
      body: { email, password, role: input.role, displayName: email, ...(input.tenantId ? { tenantId: input.tenantId } : {}) },
    });
    if (created.status !== 201) throw new Error(`create user failed: ${created.status} ${created.text}`);
    const login = await this.request<LoginResponse>('POST', '/api/v1/auth/login', { body: { email, password } });
    const enroll = await this.request<EnrollResponse>('POST', '/api/v1/auth/mfa/enroll', {
      body: { challengeToken: login.body.challengeToken },
    });
    const totpSecret = enroll.body.secret;
    const verify = await this.request<TokenResponse>('POST', '/api/v1/auth/mfa/enroll/verify', {
      body: { challengeToken: login.body.challengeToken, code: this.totp(totpSecret) },
    });
    if (verify.status !== 200) throw new Error(`enrollment failed: ${verify.text}`);
    return { id: created.body.id, email, password, totpSecret };
  }

  async signIn(user: TestUser, clientName?: string): Promise<SignedIn> {
    const login = await this.request<LoginResponse>('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: user.password, ...(clientName ? { clientName } : {}) },
    });
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
    const mfa = await this.request<TokenResponse>('POST', '/api/v1/auth/mfa', {
      body: { challengeToken: login.body.challengeToken, code: this.totp(user.totpSecret) },
    });
    if (mfa.status !== 200) throw new Error(`mfa failed: ${mfa.status} ${mfa.text}`);
    return { tokens: mfa.body, token: mfa.body.accessToken };
  }

  async stepUp(user: TestUser, session: SignedIn, action: string) {
    return this.request('POST', '/api/v1/auth/step-up', { token: session.token, body: { action, code: this.totp(user.totpSecret) } });
  }

  async createTenant(admin: SignedIn, name = this.unique('tenant')): Promise<string> {
    const created = await this.request<Tenant>('POST', '/api/v1/tenants', { token: admin.token, body: { name } });
    if (created.status !== 201) throw new Error(`create tenant failed: ${created.text}`);
    return created.body.id;
  }

  close() {
    return this.cleanup();
  }
}

export type BackendName = 'pglite' | 'postgres+redis';

export interface Backend {
  name: BackendName;
  /** Starts a server on this back end for one test file. */
  start(overrides?: Partial<Config>): Promise<TestServer>;
}

async function launch(
  overrides: Partial<Config>,
  storage: { databaseUrl?: string; redisUrl?: string },
  extraCleanup: () => Promise<void>,
): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bulwark-test-'));
  const clock = new ManualClock();
  const logLines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logLines.push(chunk.toString());
      callback();
    },
  });
  const config = defaultConfig({
    dataDir,
    adminPort: 0,
    agentPort: 0,
    argon2: TEST_ARGON2,
    logLevel: 'info',
    ...storage,
    ...overrides,
  });
  const server = await startServer(config, {
    clock,
    logger: createLogger({ level: 'debug', destination }),
    pgliteDataDir: 'memory://',
  });
  const test = new TestServer(server, clock, async () => {
    await server.close();
    await extraCleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });
  (test as { logLines: string[] }).logLines = logLines;
  return test;
}

const pgliteBackend: Backend = {
  name: 'pglite',
  start: (overrides = {}) => launch(overrides, {}, () => Promise.resolve()),
};

/** A server on embedded PGlite only, for tests that need their own fresh instance. */
export const startPgliteTestServer = (overrides: Partial<Config> = {}) => pgliteBackend.start(overrides);

let databaseCounter = 0;
const postgresBackend: Backend = {
  name: 'postgres+redis',
  async start(overrides = {}) {
    let postgres: ThrowawayPostgres | null = null;
    let redis: ThrowawayRedis | null = null;
    try {
      postgres = await startPostgres();
      redis = await startRedis();
      const databaseUrl = await postgres.createDatabase(`bulwark_test_${process.pid}_${++databaseCounter}`);
      const pg = postgres;
      const rd = redis;
      return await launch(overrides, { databaseUrl, redisUrl: redis.url }, async () => {
        await rd.stop();
        await pg.stop();
      });
    } catch (error) {
      await redis?.stop();
      await postgres?.stop();
      throw error;
    }
  },
};

/**
 * Runs `suite` once per storage back end: embedded PGlite with database-backed shared state,
 * and a real PostgreSQL with Redis. The second is skipped (with the reason printed) where the
 * binaries are missing, unless BULWARK_REQUIRE_SERVICES=1 makes that a failure.
 */
export function describeEachBackend(title: string, suite: (getServer: () => TestServer, backend: BackendName) => void) {
  const gates: Record<BackendName, ReturnType<typeof serviceGate>> = {
    pglite: { run: true, missing: null },
    'postgres+redis': serviceGate(`${title} on PostgreSQL + Redis`, postgresAvailability(), redisAvailability()),
  };
  for (const backend of [pgliteBackend, postgresBackend]) {
    const gate = gates[backend.name];
    if (gate.missing) {
      describe(`${title} [${backend.name}]`, () => {
        it('has the services it needs', () => {
          throw new Error(`required service missing: ${gate.missing}`);
        });
      });
      continue;
    }
    describe.skipIf(!gate.run)(`${title} [${backend.name}]`, () => {
      let server: TestServer | null = null;
      beforeAll(async () => {
        server = await backend.start();
      });
      afterAll(async () => {
        await server?.close();
      });
      suite(() => {
        if (!server) throw new Error('server not started');
        return server;
      }, backend.name);
    });
  }
}

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent, request as httpsRequest } from 'node:https';
import Fastify, { type FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyHttpHygiene } from '../http/hygiene';
import { createLogger } from '../logging/logger';
import { defaultConfig } from '../config/config';
import { startServer } from '../server';
import { describeEachBackend, http, ManualClock, TEST_ARGON2, type SignedIn } from './harness';
import { adminApi, ApiCallError, callApi, type ApiTransport } from '../../shared/api';

function expectSecurityHeaders(headers: Headers) {
  expect(headers.get('content-security-policy')).toContain("default-src 'none'");
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  expect(headers.get('x-frame-options')).toBe('DENY');
}

describeEachBackend('HTTP hygiene', (server) => {
  let session: SignedIn;
  beforeAll(async () => {
    const admin = await server().createPlatformAdmin();
    session = await server().signIn(admin);
  });

  it('serves robots.txt and health, with security headers on every response, errors included', async () => {
    const s = server();
    const robots = await s.request('GET', '/robots.txt');
    expect(robots.status).toBe(200);
    expect(robots.text).toBe('User-agent: *\nDisallow: /\n');
    expectSecurityHeaders(robots.headers);
    const health = await s.request('GET', '/healthz');
    expect(health.body).toEqual({ status: 'ok' });
    expectSecurityHeaders(health.headers);
    const missing = await s.request('GET', '/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    expectSecurityHeaders(missing.headers);
    const me = await s.request('GET', '/api/v1/me', { token: session.token });
    expectSecurityHeaders(me.headers);
    expect(me.headers.get('cache-control')).toBe('no-store');
    // No HSTS over plain HTTP (it is only meaningful over TLS).
    expect(me.headers.get('strict-transport-security')).toBeNull();
  });

  it('keeps the two listeners apart', async () => {
    const s = server();
    const agentHealth = await http(s.agentUrl, 'GET', '/agent/v1/healthz');
    expect(agentHealth.status).toBe(200);
    expectSecurityHeaders(agentHealth.headers);
    expect((await http(s.agentUrl, 'POST', '/api/v1/auth/login', { body: { email: 'a@b.test', password: 'x' } })).status).toBe(404);
    expect((await http(s.agentUrl, 'GET', '/api/v1/me', { token: session.token })).status).toBe(404);
    expect((await http(s.agentUrl, 'GET', '/robots.txt')).text).toContain('Disallow: /');
    expect((await s.request('GET', '/agent/v1/healthz')).status).toBe(404);
  });

  it('answers malformed, oversized and mistyped bodies with clear 4xx errors', async () => {
    const s = server();
    const malformed = await s.request('POST', '/api/v1/auth/login', {
      rawBody: '{"email": "a@b',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatchObject({ code: 'malformed_body', message: 'The body is not valid JSON' });

    const limit = s.server.ctx.config.bodyLimitBytes;
    const oversized = await s.request('POST', '/api/v1/auth/login', { body: { email: 'a@b.test', password: 'x'.repeat(limit) } });
    expect(oversized.status).toBe(413);
    expect(oversized.body.error.code).toBe('body_too_large');

    const text = await s.request('POST', '/api/v1/auth/login', { rawBody: 'email=a', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('unsupported_media_type');

    const empty = await s.request('POST', '/api/v1/auth/login', { rawBody: '', headers: { 'content-type': 'application/json' } });
    expect(empty.status).toBe(400);
    expect(empty.body.error.fields).toEqual({ body: 'Send a JSON object as the body' });
    // Routes without a body accept an empty one whatever the content type says.
    const emptyDelete = await s.request('DELETE', '/api/v1/sessions', {
      token: session.token,
      rawBody: '',
      headers: { 'content-type': 'application/json' },
    });
    expect(emptyDelete.status).toBe(200);

    const array = await s.request('POST', '/api/v1/auth/login', { body: [1, 2] });
    expect(array.status).toBe(400);
    expect(array.body.error.fields).toEqual({ body: 'Send a JSON object as the body' });

    const fields = await s.request('POST', '/api/v1/auth/login', { body: { email: 'not-an-email', password: '', extra: 1 } });
    expect(fields.status).toBe(400);
    expect(fields.body.error.code).toBe('validation_failed');
    expect(Object.keys(fields.body.error.fields).sort()).toEqual(['email', 'extra', 'password']);

    const poisoned = await s.request('POST', '/api/v1/auth/login', {
      rawBody: '{"__proto__": {"admin": true}, "email": "a@b.test", "password": "x"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(poisoned.status).toBe(400);

    const badId = await s.request('GET', '/api/v1/users/not-a-uuid', { token: session.token });
    expect(badId.status).toBe(400);
    expect(badId.body.error.fields).toHaveProperty(['params.id']);
    const badQuery = await s.request('GET', '/api/v1/audit/logins?limit=100000&bogus=1', { token: session.token });
    expect(badQuery.status).toBe(400);
    expect(Object.keys(badQuery.body.error.fields).sort()).toEqual(['query.bogus', 'query.limit']);
    for (const response of [malformed, oversized, text, fields]) {
      expect(response.text).not.toMatch(/at .*\.(ts|js):\d+/);
    }
  });

  it('speaks the shared contract: the typed client of shared/api works against the real server', async () => {
    const s = server();
    const transport: ApiTransport = async ({ method, path, headers, body }) => {
      const response = await fetch(s.url + path, { method, headers, ...(body ? { body } : {}) });
      return { status: response.status, body: (await response.json()) as unknown };
    };
    const me = await callApi(transport, adminApi.me, { token: session.token });
    expect(me.user?.role).toBe('platform_admin');
    const tenants = await callApi(transport, adminApi.listTenants, { token: session.token });
    expect(Array.isArray(tenants.tenants)).toBe(true);
    const refused = callApi(transport, adminApi.getTenant, { token: session.token, params: { id: crypto.randomUUID() } });
    await expect(refused).rejects.toBeInstanceOf(ApiCallError);
    await expect(refused).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });

  it('serves the OpenAPI document, generated from the shared schemas, to signed-in users only', async () => {
    const s = server();
    expect((await s.request('GET', '/api/v1/openapi.json')).status).toBe(401);
    const doc = await s.request('GET', '/api/v1/openapi.json', { token: session.token });
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/auth/login', '/api/v1/tenants/{id}/state', '/api/v1/api-keys/{id}']),
    );
    const login = doc.body.paths['/api/v1/auth/login'].post;
    expect(login.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['email', 'password']));
    expect(doc.body.paths['/api/v1/api-keys'].post['x-bulwark-access'].stepUp).toBe('api_key');
    // File exports are described as files, not as JSON.
    const exportRoute = Object.values(doc.body.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>)
      .flatMap((methods) => Object.values(methods))
      .find((operation) => JSON.stringify(operation.responses).includes('text/csv'));
    expect(exportRoute).toBeDefined();
  });
});

describe('HTTP hygiene without a database', () => {
  it('never sends stack traces or internal messages to clients', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'error', destination: { write: (line: string) => lines.push(line) } });
    const app = Fastify({ loggerInstance: logger }) as unknown as FastifyInstance;
    applyHttpHygiene(app, { tls: false, bodyLimitBytes: 1024, logger });
    app.get('/boom', () => {
      throw new Error('connection to 10.1.2.3 failed: password authentication failed');
    });
    const response = await app.inject({ method: 'GET', url: '/boom' });
    expect(response.statusCode).toBe(500);
    expect(response.json().error.code).toBe('internal_error');
    expect(response.body).not.toContain('10.1.2.3');
    expect(response.body).not.toMatch(/\.ts:\d+/);
    expect(lines.join('')).toContain('10.1.2.3'); // the operator still sees it in the log
    await app.close();
  });

  const hasOpenssl = (() => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!hasOpenssl)('sends HSTS when serving TLS, and may then listen beyond loopback', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bulwark-tls-'));
    try {
      const cert = path.join(dir, 'cert.pem');
      const key = path.join(dir, 'key.pem');
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-keyout',
          key,
          '-out',
          cert,
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
        ],
        { stdio: 'ignore' },
      );
      writeFileSync(path.join(dir, 'unused'), '');
      const config = defaultConfig({ dataDir: dir, adminPort: 0, agentPort: 0, tlsCertFile: cert, tlsKeyFile: key, argon2: TEST_ARGON2 });
      const running = await startServer(config, {
        clock: new ManualClock(),
        logger: createLogger({ level: 'silent' }),
        pgliteDataDir: 'memory://',
      });
      try {
        expect(running.adminUrl).toMatch(/^https:/);
        const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
          const req = httpsRequest(`${running.adminUrl}/healthz`, { agent: new Agent({ rejectUnauthorized: false }) }, (res) => {
            res.resume();
            resolve(res.headers);
          });
          req.on('error', reject);
          req.end();
        });
        expect(headers['strict-transport-security']).toMatch(/max-age=\d+/);
      } finally {
        await running.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

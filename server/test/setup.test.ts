import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPgliteTestServer, type TestServer } from './harness';

const FIRST_RUN_TOKEN = 'first-run-token-for-tests-0123456789abcdef';
const admin = { email: 'first.admin@example.test', password: 'correct horse battery staple', displayName: 'First Admin' };

describe('first-run setup', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startPgliteTestServer({ firstRunToken: FIRST_RUN_TOKEN });
  });
  afterAll(async () => {
    await server.close();
  });

  it('reports that the first admin is needed and that setup is enabled', async () => {
    const status = await server.request('GET', '/api/v1/setup');
    expect(status.status).toBe(200);
    expect(status.body).toEqual({ firstAdminNeeded: true, firstRunEnabled: true });
  });

  it('refuses a wrong token and a weak password without creating anyone', async () => {
    const wrong = await server.request('POST', '/api/v1/setup/first-admin', { body: { ...admin, firstRunToken: 'x'.repeat(40) } });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('invalid_token');
    const weak = await server.request('POST', '/api/v1/setup/first-admin', {
      body: { ...admin, password: 'password', firstRunToken: FIRST_RUN_TOKEN },
    });
    expect(weak.status).toBe(400);
    expect((await server.request('GET', '/api/v1/setup')).body.firstAdminNeeded).toBe(true);
  });

  it('creates the first platform admin once, who then enrolls TOTP at sign-in', async () => {
    const created = await server.request('POST', '/api/v1/setup/first-admin', { body: { ...admin, firstRunToken: FIRST_RUN_TOKEN } });
    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({ email: admin.email, role: 'platform_admin', tenantId: null, mfaEnrolled: false });
    expect((await server.request('GET', '/api/v1/setup')).body).toEqual({ firstAdminNeeded: false, firstRunEnabled: true });

    const again = await server.request('POST', '/api/v1/setup/first-admin', {
      body: { ...admin, email: 'second@example.test', firstRunToken: FIRST_RUN_TOKEN },
    });
    expect(again.status).toBe(409);

    const login = await server.request('POST', '/api/v1/auth/login', { body: { email: admin.email, password: admin.password } });
    expect(login.status).toBe(200);
    expect(login.body.next).toBe('enroll');
  });

  it('never writes the token to the log', () => {
    expect(server.logLines.join('')).not.toContain(FIRST_RUN_TOKEN);
  });
});

describe('first-run setup without a token', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startPgliteTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('is refused with a pointer to the CLI', async () => {
    expect((await server.request('GET', '/api/v1/setup')).body).toEqual({ firstAdminNeeded: true, firstRunEnabled: false });
    const refused = await server.request('POST', '/api/v1/setup/first-admin', { body: { ...admin, firstRunToken: 'y'.repeat(40) } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain('create-admin');
  });
});

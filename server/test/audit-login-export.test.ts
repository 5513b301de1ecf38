import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPgliteTestServer, type SignedIn, type TestServer, type TestUser } from './harness';

/** Login-event export (CSV and JSON Lines), black-box over HTTP: content, filters, tenant scoping, bad input. */
let s: TestServer;
let support: SignedIn;
let tenantA: string;
let adminA: SignedIn;
let adminB: SignedIn;
let technicianA: TestUser;

/** A user agent a spreadsheet would run as a formula if the CSV did not neutralise it. */
const FORMULA_AGENT = '=HYPERLINK("http://evil.example","click")';

beforeAll(async () => {
  s = await startPgliteTestServer();
  const admin = await s.signIn(await s.createPlatformAdmin());
  tenantA = await s.createTenant(admin);
  const tenantB = await s.createTenant(admin);
  support = await s.signIn(await s.createUser(admin, { role: 'support' }));
  adminA = await s.signIn(await s.createUser(admin, { role: 'tenant_admin', tenantId: tenantA }));
  adminB = await s.signIn(await s.createUser(admin, { role: 'tenant_admin', tenantId: tenantB }));
  technicianA = await s.createUser(admin, { role: 'technician', tenantId: tenantA });
  await s.signIn(technicianA);
  const failed = await s.request('POST', '/api/v1/auth/login', {
    body: { email: technicianA.email, password: 'not the password at all' },
    headers: { 'user-agent': FORMULA_AGENT },
  });
  expect(failed.status).toBe(401);
}, 60_000);

afterAll(async () => {
  await s?.close();
});

describe('login event export', () => {
  it('exports the filtered events as CSV, formula-looking cells neutralised', async () => {
    const csv = await s.request('GET', `/api/v1/audit/logins/export?format=csv&tenantId=${tenantA}&userId=${technicianA.id}`, {
      token: support.token,
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="bulwark-login-events-.*\.csv"/);
    const rows = csv.text.split('\r\n').filter(Boolean);
    expect(rows[0]).toBe('"at","id","kind","result","reason","user_id","email","tenant_id","api_key_id","ip","user_agent"');
    const failure = rows.find((row) => row.includes('"failure"'));
    expect(failure).toBeDefined();
    expect(failure).toContain(`"${technicianA.email}"`);
    expect(failure).toContain(`"${tenantA}"`);
    expect(failure).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(rows.some((row) => row.includes('"success"'))).toBe(true);
    // Only this user's events: other users of the tenant signed in too.
    expect(rows.slice(1).every((row) => row.includes(`"${technicianA.id}"`))).toBe(true);
  });

  it('exports JSON Lines with the list’s filters (result)', async () => {
    const jsonl = await s.request('GET', `/api/v1/audit/logins/export?format=jsonl&userId=${technicianA.id}&result=failure`, {
      token: support.token,
    });
    expect(jsonl.status).toBe(200);
    expect(jsonl.headers.get('content-type')).toContain('application/x-ndjson');
    const events = jsonl.text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ result: 'failure', email: technicianA.email, tenantId: tenantA, userAgent: FORMULA_AGENT });
  });

  it('gives tenant admins their own tenant only', async () => {
    const own = await s.request('GET', '/api/v1/audit/logins/export?format=jsonl', { token: adminA.token });
    expect(own.status).toBe(200);
    expect(own.text).toContain(technicianA.email);

    const other = await s.request('GET', '/api/v1/audit/logins/export?format=jsonl', { token: adminB.token });
    expect(other.status).toBe(200);
    expect(other.text).not.toContain(technicianA.email);
    expect(other.text).not.toContain(tenantA);

    const asked = await s.request('GET', `/api/v1/audit/logins/export?format=csv&tenantId=${tenantA}`, { token: adminB.token });
    expect(asked.status).toBe(404);
  });

  it('exports nothing after the time range ends', async () => {
    const csv = await s.request('GET', '/api/v1/audit/logins/export?format=csv&to=2000-01-01T00:00:00.000Z', { token: support.token });
    expect(csv.status).toBe(200);
    expect(csv.text.split('\r\n').filter(Boolean)).toHaveLength(1);
  });

  it('refuses an unknown format and unauthenticated callers', async () => {
    const bad = await s.request('GET', '/api/v1/audit/logins/export?format=xlsx', { token: support.token });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('format');
    const anonymous = await s.request('GET', '/api/v1/audit/logins/export?format=csv');
    expect(anonymous.status).toBe(401);
  });
});

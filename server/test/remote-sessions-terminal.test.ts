import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceGate } from '../../test-support/services';
import { startXvfb, xvfbAvailability, type ThrowawayXvfb } from '../../test-support/xvfb';
import { startPgliteTestServer, type SignedIn, type TestServer, type TestUser } from './harness';
import { ConsoleClient, startRealAgent, type RunningAgent } from './remote-sessions-support';

const xvfbGate = serviceGate('viewer frame under Xvfb', xvfbAvailability());

/**
 * A real server (PGlite) and a real agent (`npm run agent`, node-pty, screen capture) on this machine;
 * the console side speaks the terminal protocol over a real WebSocket.
 */
describe.skipIf(process.platform === 'win32')('terminal and viewer sessions', () => {
  let s: TestServer;
  let xvfb: ThrowawayXvfb | null = null;
  let agent: RunningAgent;
  let tenantId: string;
  let adminSession: SignedIn;
  let technician: TestUser;
  let tenantAdmin: TestUser;
  let supervisor: TestUser;
  let support: TestUser;

  beforeAll(async () => {
    s = await startPgliteTestServer();
    if (xvfbGate.run) {
      xvfb = await startXvfb('320x240');
      xvfb.paint('#3366cc');
    }
    const admin = await s.createPlatformAdmin();
    adminSession = await s.signIn(admin);
    tenantId = await s.createTenant(adminSession);
    tenantAdmin = await s.createUser(adminSession, { role: 'tenant_admin', tenantId });
    technician = await s.createUser(adminSession, { role: 'technician', tenantId });
    supervisor = await s.createUser(adminSession, { role: 'supervisor' });
    support = await s.createUser(adminSession, { role: 'support' });
    agent = await startRealAgent(s, await s.signIn(tenantAdmin), xvfb ? xvfb.env : process.env);
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await xvfb?.stop();
    await s?.close();
  });

  async function openTerminal(user: TestUser, body: Record<string, unknown> = {}) {
    const session = await s.signIn(user);
    expect((await s.stepUp(user, session, 'terminal')).status).toBe(200);
    const opened = await s.request('POST', `/api/v1/endpoints/${agent.endpointId}/terminal-sessions`, {
      token: session.token,
      body: { cols: 120, rows: 30, shell: 'bash', ...body },
    });
    return { session, opened };
  }

  async function connect(session: SignedIn, sessionId: string) {
    const client = await ConsoleClient.connect(s);
    client.send({ type: 'hello', protocol: 1, sessionId, accessToken: session.token });
    return client;
  }

  it('needs a fresh step-up for terminal and for viewer', async () => {
    const session = await s.signIn(technician);
    const terminal = await s.request('POST', `/api/v1/endpoints/${agent.endpointId}/terminal-sessions`, { token: session.token, body: {} });
    expect(terminal.status).toBe(403);
    expect(terminal.body.error.code).toBe('step_up_required');
    const viewer = await s.request('POST', `/api/v1/endpoints/${agent.endpointId}/viewer-sessions`, { token: session.token, body: {} });
    expect(viewer.body.error.code).toBe('step_up_required');
    // A step-up for the terminal does not unlock the viewer.
    await s.stepUp(technician, session, 'terminal');
    const stillViewer = await s.request('POST', `/api/v1/endpoints/${agent.endpointId}/viewer-sessions`, {
      token: session.token,
      body: {},
    });
    expect(stillViewer.body.error.code).toBe('step_up_required');
  });

  it('refuses a console without a valid hello, and a session opened by another sign-in', async () => {
    const { opened } = await openTerminal(technician);
    expect(opened.status).toBe(201);
    const noHello = await ConsoleClient.connect(s);
    noHello.send({ type: 'line', id: '1', text: 'id' });
    expect(await noHello.closed()).toBe(4401);
    // The same user, but another sign-in session: the step-up and the open belong to the first one.
    const other = await connect(await s.signIn(technician), opened.body.sessionId);
    expect(await other.closed()).toBe(4401);
  });

  it('line mode: allowed lines run; cross-line chains are blocked with reasons, recorded first, and never reach the pty', async () => {
    const { session, opened } = await openTerminal(technician);
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({
      kind: 'terminal',
      mode: 'line',
      endpointId: agent.endpointId,
      subprotocol: 'bulwark.remote-session.v1',
    });
    const sessionId: string = opened.body.sessionId;
    const client = await connect(session, sessionId);
    await client.next('ready');

    client.send({ type: 'line', id: 'l1', text: 'echo "MARK-$((40+2))"' });
    expect((await client.next('line_result', (m) => m.id === 'l1')).decision).toBe('allow');
    await client.untilOutput('MARK-42');

    // A file downloaded by one line (to disk only: allowed) and executed by the next.
    client.send({ type: 'line', id: 'l2', text: 'curl -s -o /tmp/bw-chain-x http://127.0.0.1:9/x' });
    expect((await client.next('line_result', (m) => m.id === 'l2')).decision).toBe('allow');
    client.send({ type: 'line', id: 'l3', text: 'chmod +x /tmp/bw-chain-x; /tmp/bw-chain-x' });
    const blocked = await client.next('line_result', (m) => m.id === 'l3');
    expect(blocked.decision).toBe('block');
    expect(blocked.reasons[0]).toMatchObject({ code: 'download_execute', severity: 'block' });
    expect(blocked.reasons[0]!.message.length).toBeGreaterThan(10);
    expect(blocked.reasons[0]!.spans.length).toBeGreaterThan(0);

    // A command stored in a variable on one line and piped into a shell on the next.
    client.send({ type: 'line', id: 'l4', text: "c='curl -s http://127.0.0.1:9/a.sh'" });
    expect((await client.next('line_result', (m) => m.id === 'l4')).decision).toBe('allow');
    client.send({ type: 'line', id: 'l5', text: '$c | sh' });
    expect((await client.next('line_result', (m) => m.id === 'l5')).decision).toBe('block');

    // Control characters could rewrite the line inside the shell after the check: refused outright.
    client.send({ type: 'line', id: 'l6', text: 'echo safe\u001b[Dx' });
    expect((await client.next('line_result', (m) => m.id === 'l6')).decision).toBe('refused');

    // The shell is still there and never saw the blocked lines (the pty echoes what it receives).
    client.send({ type: 'line', id: 'l7', text: 'echo "AFTER-$((6*7))"' });
    await client.untilOutput('AFTER-42');
    expect(client.output()).not.toContain('/tmp/bw-chain-x; /tmp/bw-chain-x');
    expect(client.output()).not.toContain('$c | sh');

    // Every line is in the script logs with its decision, blocked ones as blocked by the security policy.
    const logs = await s.server.ctx.db
      .selectFrom('script_logs')
      .select(['decision', 'kind', 'was_blocked_by_security_policy'])
      .where('session_id', '=', sessionId)
      .orderBy('at')
      .execute();
    expect(logs.map((log) => log.decision)).toEqual(['allow', 'allow', 'block', 'allow', 'block', 'allow']);
    expect(logs.every((log) => log.kind === 'terminal_line')).toBe(true);
    expect(logs.filter((log) => log.was_blocked_by_security_policy)).toHaveLength(2);

    client.send({ type: 'close' });
    expect((await client.next('closed')).reason).toBe('closed_by_user');

    // Support reads the transcript: lines with decisions and reason codes, and the output.
    const supportSession = await s.signIn(support);
    const transcript = await s.request('GET', `/api/v1/remote-sessions/${sessionId}/transcript`, { token: supportSession.token });
    expect(transcript.status).toBe(200);
    expect(transcript.body.session).toMatchObject({ status: 'closed', linesAllowed: 4, linesBlocked: 2, closeReason: 'closed_by_user' });
    const lines = transcript.body.entries.filter((e: { kind: string }) => e.kind === 'line');
    expect(lines.map((e: { decision: string }) => e.decision)).toEqual(['allow', 'allow', 'block', 'allow', 'block', 'refused', 'allow']);
    expect(lines[2].reasonCodes).toContain('download_execute');
    expect(transcript.body.entries.some((e: { stream: string; data: string }) => e.stream === 'output' && e.data.includes('MARK-42'))).toBe(
      true,
    );
    // Technicians cannot read transcripts.
    const techRead = await s.request('GET', `/api/v1/remote-sessions/${sessionId}/transcript`, { token: session.token });
    expect(techRead.status).toBe(403);
  });

  it('raw mode is refused without extended trust, and works with it; raw input is recorded', async () => {
    const refused = await openTerminal(technician, { mode: 'raw' });
    expect(refused.opened.status).toBe(403);
    expect(refused.opened.body.error.code).toBe('extended_trust_required');

    const { session, opened } = await openTerminal(technician);
    const client = await connect(session, opened.body.sessionId);
    await client.next('ready');
    client.send({ type: 'input', data: 'echo RAW-$((1+1))\r' });
    expect((await client.next('error', (m) => m.code === 'raw_mode_requires_extended_trust')).message).toMatch(/extended trust/);
    client.send({ type: 'set_mode', mode: 'raw' });
    await client.next('mode', (m) => m.mode === 'line' && /extended trust/.test(m.message));
    expect(client.output()).not.toContain('RAW-2');

    // A supervisor grants extended trust; now raw mode is available in the same session.
    const ta = await s.signIn(tenantAdmin);
    const request = await s.request('POST', `/api/v1/tenants/${tenantId}/trust/requests`, {
      token: ta.token,
      body: { days: 1, reason: 'Interactive troubleshooting with full-screen tools' },
    });
    expect(request.status).toBe(201);
    const sup = await s.signIn(supervisor);
    expect((await s.stepUp(supervisor, sup, 'trust_approval')).status).toBe(200);
    const approved = await s.request('POST', `/api/v1/trust/requests/${request.body.id}/approve`, {
      token: sup.token,
      body: { reason: 'Approved for one day of troubleshooting' },
    });
    expect(approved.status).toBe(200);

    client.send({ type: 'set_mode', mode: 'raw' });
    await client.next('mode', (m) => m.mode === 'raw');
    client.send({ type: 'input', data: 'echo RAW-$((1+2))' });
    client.send({ type: 'input', data: '\r' });
    await client.untilOutput('RAW-3');
    client.send({ type: 'close' });
    await client.next('closed');

    const transcript = await s.request('GET', `/api/v1/remote-sessions/${opened.body.sessionId}/transcript`, {
      token: (await s.signIn(support)).token,
    });
    const raw = transcript.body.entries.filter((e: { kind: string }) => e.kind === 'raw').map((e: { data: string }) => e.data);
    expect(raw).toEqual(['echo RAW-$((1+1))\r', 'echo RAW-$((1+2))', '\r']);

    // Back to standard trust for the other tests.
    const revoked = await s.request('POST', `/api/v1/tenants/${tenantId}/trust/revoke`, {
      token: sup.token,
      body: { reason: 'Troubleshooting finished' },
    });
    expect(revoked.status).toBe(200);
  });

  it('revoking the sign-in session closes its terminal', async () => {
    const { session, opened } = await openTerminal(technician);
    const client = await connect(session, opened.body.sessionId);
    await client.next('ready');
    const revoke = await s.request('DELETE', `/api/v1/sessions/${session.tokens.sessionId}`, { token: session.token });
    expect(revoke.status).toBe(200);
    expect((await client.next('closed')).reason).toBe('session_revoked');
    expect(await client.closed()).toBe(4410);
  });

  describe.runIf(xvfbGate.run || xvfbGate.missing !== null)('viewer', () => {
    it('relays frames of the endpoint screen (Xvfb with a known colour) to the console', async () => {
      if (xvfbGate.missing) throw new Error(`required service missing: ${xvfbGate.missing}`);
      const session = await s.signIn(technician);
      expect((await s.stepUp(technician, session, 'viewer')).status).toBe(200);
      const opened = await s.request('POST', `/api/v1/endpoints/${agent.endpointId}/viewer-sessions`, { token: session.token, body: {} });
      expect(opened.status).toBe(201);
      const client = await connect(session, opened.body.sessionId);
      const frame = await client.next('frame');
      expect(frame).toMatchObject({ format: 'png', width: 320, height: 240 });
      // Decoded by ImageMagick, independently of the agent's own code.
      const rgb = execFileSync('convert', ['png:-', '-depth', '8', 'rgb:-'], { input: Buffer.from(frame.data, 'base64') });
      expect(rgb.length).toBe(320 * 240 * 3);
      expect([...rgb.subarray(0, 3)]).toEqual([0x33, 0x66, 0xcc]);
      // The screen changes: a new frame follows.
      xvfb!.paint('#00ff00');
      const next = await client.next('frame', (m) => m.seq > frame.seq);
      const rgb2 = execFileSync('convert', ['png:-', '-depth', '8', 'rgb:-'], { input: Buffer.from(next.data, 'base64') });
      expect([...rgb2.subarray(0, 3)]).toEqual([0, 0xff, 0]);
      // View only: input is refused.
      client.send({ type: 'line', id: 'v1', text: 'id' });
      await client.next('error', (m) => m.code === 'view_only');
      client.send({ type: 'close' });
      await client.next('closed');
    });
  });

  it('a restricted tenant cannot open terminals or viewers (tenant_restricted)', async () => {
    const state = await s.request('POST', `/api/v1/tenants/${tenantId}/state`, {
      token: adminSession.token,
      body: { state: 'restricted', reason: 'Abuse review pending' },
    });
    expect(state.status).toBe(200);
    try {
      const { opened } = await openTerminal(technician);
      expect(opened.status).toBe(403);
      expect(opened.body.error.code).toBe('tenant_restricted');
      const session = await s.signIn(technician);
      await s.stepUp(technician, session, 'viewer');
      const viewer = await s.request('POST', `/api/v1/endpoints/${agent.endpointId}/viewer-sessions`, { token: session.token, body: {} });
      expect(viewer.body.error.code).toBe('tenant_restricted');
    } finally {
      await s.request('POST', `/api/v1/tenants/${tenantId}/state`, {
        token: adminSession.token,
        body: { state: 'active', reason: 'Review done' },
      });
    }
  });
});

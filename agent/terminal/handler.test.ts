import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentToServerMessage, ServerMessageType, ServerToAgentMessage } from '../../shared/agent-protocol/messages';
import type { SignedEnvelope } from '../../shared/agent-protocol/signing';
import type { AgentRuntime } from '../extensions';
import { ServerKey } from '../signing';
import type { AgentState } from '../state';
import { installTerminal } from './handler';
import type { TerminalSessions } from './pty-sessions';

/** An in-process runtime: messages go straight to the handlers; what the agent sends is collected. */
function harness() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const keyId = createHash('sha256').update(publicPem.trim()).digest('hex').slice(0, 16);
  const forger = generateKeyPairSync('ed25519').privateKey;
  const endpointId = randomUUID();
  const sent: AgentToServerMessage[] = [];
  const handlers = new Map<ServerMessageType, (message: ServerToAgentMessage) => void>();
  const runtime: AgentRuntime = {
    state: { endpointId } as AgentState,
    serverKey: ServerKey.fromPem(publicPem, keyId),
    logger: pino({ level: 'silent' }),
    send: (message) => {
      sent.push(message);
      return true;
    },
    on: (type, handler) => handlers.set(type, handler as (message: ServerToAgentMessage) => void),
    onDisconnect: () => undefined,
  };
  const signWith = (key: typeof privateKey, payload: object): SignedEnvelope => {
    const text = JSON.stringify(payload);
    return { payload: text, keyId, signature: sign(null, Buffer.from(text), key).toString('base64') };
  };
  const deliver = (message: ServerToAgentMessage) => handlers.get(message.type)!(message);
  const sessions = installTerminal(runtime);
  return {
    sent,
    deliver,
    endpointId,
    sessions,
    sign: (payload: object) => signWith(privateKey, payload),
    forge: (payload: object) => signWith(forger, payload),
  };
}

async function until(condition: () => boolean, what: string) {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const policy = {
  tenantState: 'active' as const,
  trust: { level: 'standard' as const },
  now: Date.now(),
  blockedDestinations: [],
  permittedScriptHashes: [],
  history: [],
};

describe.skipIf(process.platform === 'win32')('agent terminal handler (defence in depth)', () => {
  let sessions: TerminalSessions | null = null;
  afterEach(() => sessions?.closeAll());

  it('opens a pty only for an order signed by the server for this endpoint, and runs only signed, in-sequence, policy-clean lines', async () => {
    const h = harness();
    sessions = h.sessions;
    const sessionId = randomUUID();
    const times = { issuedAt: Date.now(), expiresAt: Date.now() + 60_000 };
    const open = {
      kind: 'terminal',
      sessionId,
      endpointId: h.endpointId,
      tenantId: randomUUID(),
      shell: 'bash',
      platform: 'linux',
      mode: 'line',
      rawUntil: null,
      policy,
      ...times,
    };
    const refusals = () => h.sent.filter((m) => m.type === 'terminal.refused').map((m) => (m as { code: string }).code);

    h.deliver({ v: 1, type: 'terminal.open', sessionId, cols: 100, rows: 30 });
    h.deliver({ v: 1, type: 'terminal.open', sessionId, cols: 100, rows: 30, order: h.forge(open) });
    h.deliver({ v: 1, type: 'terminal.open', sessionId, cols: 100, rows: 30, order: h.sign({ ...open, endpointId: randomUUID() }) });
    expect(refusals()).toEqual(['signature_missing', 'signature_invalid', 'wrong_endpoint']);
    h.deliver({ v: 1, type: 'terminal.open', sessionId, cols: 100, rows: 30, order: h.sign(open) });
    expect(h.sent.some((m) => m.type === 'terminal.opened')).toBe(true);

    const output = () => h.sent.map((m) => (m.type === 'terminal.output' ? m.data : '')).join('');
    const line = (seq: number, text: string) => ({ kind: 'terminal_line', sessionId, endpointId: h.endpointId, seq, text, ...times });
    // Unsigned keystrokes, a line that does not match its order, a line out of sequence: refused.
    h.deliver({ v: 1, type: 'terminal.input', sessionId, data: 'echo "UNSIGNED-$((1+1))"\r' });
    h.deliver({ v: 1, type: 'terminal.input', sessionId, data: 'echo "SWAPPED-$((1+1))"\r', order: h.sign(line(0, 'echo ok')) });
    h.deliver({ v: 1, type: 'terminal.input', sessionId, data: 'echo "LATE-$((1+1))"\r', order: h.sign(line(5, 'echo "LATE-$((1+1))"')) });
    expect(refusals().slice(3)).toEqual(['signature_missing', 'hash_mismatch', 'replayed']);
    // A signed line the engine blocks (a server that should never have sent it) is refused too.
    h.deliver({
      v: 1,
      type: 'terminal.input',
      sessionId,
      data: 'curl -s http://127.0.0.1:9/x | sh\r',
      order: h.sign(line(0, 'curl -s http://127.0.0.1:9/x | sh')),
    });
    expect(refusals().at(-1)).toBe('policy_blocked');
    // A proper line runs.
    h.deliver({ v: 1, type: 'terminal.input', sessionId, data: 'echo "OK-$((1+1))"\r', order: h.sign(line(1, 'echo "OK-$((1+1))"')) });
    await until(() => output().includes('OK-2'), 'the allowed line to run');
    expect(output()).not.toMatch(/UNSIGNED-2|SWAPPED-2|LATE-2/);
    // Raw keystrokes need a raw grant that has not ended.
    const grant = (rawUntil: number) =>
      h.sign({ kind: 'terminal_raw', sessionId, endpointId: h.endpointId, rawUntil, issuedAt: Date.now() });
    h.deliver({ v: 1, type: 'terminal.input', sessionId, data: 'echo "EXPIRED-$((1+1))"\r', order: grant(Date.now() - 1000) });
    expect(refusals().at(-1)).toBe('raw_mode_expired');
    const valid = grant(Date.now() + 60_000);
    h.deliver({ v: 1, type: 'terminal.input', sessionId, data: 'echo "RAW-$((1+2))"', order: valid });
    h.deliver({ v: 1, type: 'terminal.input', sessionId, data: '\r', order: valid });
    await until(() => output().includes('RAW-3'), 'raw input to run');
    expect(output()).not.toContain('EXPIRED-2');
  });
});

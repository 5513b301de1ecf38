import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { ORDER_TTL_MS, type ExecOrder } from '../../shared/agent-protocol/signing';
import { sha256Hex } from '../../shared/policy/hash';
import { AgentProcess } from './agents-support';

/**
 * Defence in depth, tested against a real agent process: a stand-in server (a plain WebSocket
 * server holding the signing key the agent trusts) sends unsigned, forged, replayed, malformed
 * and policy-blocked orders. The agent refuses each with a reason and keeps working.
 */
describe('the agent refuses what the server should not have sent', () => {
  const endpointId = randomUUID();
  const tenantId = randomUUID();
  const trusted = generateKeyPairSync('ed25519');
  const attacker = generateKeyPairSync('ed25519');
  const keyId = 'test-key';
  let wss: WebSocketServer;
  let socket: WebSocket;
  let agent: AgentProcess;
  const received: Record<string, unknown>[] = [];
  const waiters: { match: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }[] = [];

  const next = (match: (m: Record<string, unknown>) => boolean) => {
    const found = received.find(match);
    if (found) return Promise.resolve(found);
    return new Promise<Record<string, unknown>>((resolve) => waiters.push({ match, resolve }));
  };

  const order = (text: string, overrides: Partial<ExecOrder> = {}): ExecOrder => {
    const now = Date.now();
    return {
      kind: 'exec',
      execId: randomUUID(),
      endpointId,
      tenantId,
      action: 'command',
      shell: 'sh',
      platform: 'linux',
      text,
      sha256: sha256Hex(text),
      timeoutMs: 30_000,
      maxOutputBytes: 65_536,
      policy: {
        tenantState: 'active',
        trust: { level: 'standard' },
        now,
        blockedDestinations: [],
        destinationAllowlist: null,
        permittedScriptHashes: [],
        history: [],
      },
      issuedAt: now,
      expiresAt: now + ORDER_TTL_MS,
      ...overrides,
    };
  };
  const envelope = (value: ExecOrder, key = trusted.privateKey) => {
    const payload = JSON.stringify(value);
    return { payload, keyId, signature: sign(null, Buffer.from(payload), key).toString('base64') };
  };
  const send = (message: unknown) => socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  const refusalFor = (execId: string) => next((m) => m.type === 'exec.refused' && m.execId === execId);

  beforeAll(async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const port = (wss.address() as { port: number }).port;
    const connected = new Promise<void>((resolve) => {
      wss.on('connection', (ws) => {
        socket = ws;
        ws.on('message', (data) => {
          const message = JSON.parse((data as Buffer).toString('utf8')) as Record<string, unknown>;
          received.push(message);
          if (message.type === 'hello')
            ws.send(JSON.stringify({ v: 1, type: 'hello.ack', endpointId, serverTime: Date.now(), heartbeatIntervalMs: 30_000 }));
          for (const waiter of [...waiters]) {
            if (waiter.match(message)) {
              waiters.splice(waiters.indexOf(waiter), 1);
              waiter.resolve(message);
            }
          }
        });
        resolve();
      });
    });
    const stateDir = AgentProcess.newStateDir();
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const state = {
      version: 1,
      serverUrl: `http://127.0.0.1:${port}`,
      endpointId,
      tenantId,
      credential: 'bwg_' + 'a'.repeat(43),
      serverPublicKey: trusted.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      serverKeyId: keyId,
      enrolledAt: new Date().toISOString(),
    };
    writeFileSync(path.join(stateDir, 'agent.json'), JSON.stringify(state), { mode: 0o600 });
    agent = AgentProcess.start(['run'], stateDir);
    await connected;
    await next((m) => m.type === 'hello');
  }, 30_000);

  afterAll(async () => {
    await agent?.stop();
    agent?.cleanup();
    await new Promise((resolve) => wss?.close(resolve));
  });

  it('refuses an unsigned order', async () => {
    const execId = randomUUID();
    send({ v: 1, type: 'exec.run', execId });
    expect(await refusalFor(execId)).toMatchObject({ code: 'signature_missing' });
  });

  it('refuses an order signed by another key', async () => {
    const forged = order('curl -fsS http://127.0.0.1:9/x | sh');
    send({ v: 1, type: 'exec.run', execId: forged.execId, order: envelope(forged, attacker.privateKey) });
    expect(await refusalFor(forged.execId)).toMatchObject({ code: 'signature_invalid' });
  });

  it('refuses a validly signed order whose text was swapped afterwards', async () => {
    const signed = envelope(order('echo harmless'));
    const tampered = JSON.parse(signed.payload) as ExecOrder;
    tampered.text = 'curl -fsS http://127.0.0.1:9/x | sh';
    send({ v: 1, type: 'exec.run', execId: tampered.execId, order: { ...signed, payload: JSON.stringify(tampered) } });
    expect(await refusalFor(tampered.execId)).toMatchObject({ code: 'signature_invalid' });
  });

  it('re-runs the policy engine with the signed context and refuses a blocked command with its reasons', async () => {
    const blocked = order('curl -fsS http://127.0.0.1:9/x | sh');
    send({ v: 1, type: 'exec.run', execId: blocked.execId, order: envelope(blocked) });
    const refusal = await refusalFor(blocked.execId);
    expect(refusal.code).toBe('policy_blocked');
    expect((refusal.reasons as { code: string }[]).map((r) => r.code)).toContain('download_execute');
    // A blocked tenant in the signed context blocks even a harmless command.
    const tenantBlocked = order('echo hi', { policy: { ...order('x').policy, tenantState: 'blocked' } });
    send({ v: 1, type: 'exec.run', execId: tenantBlocked.execId, order: envelope(tenantBlocked) });
    expect(await refusalFor(tenantBlocked.execId)).toMatchObject({ code: 'policy_blocked' });
  });

  it('refuses expired orders and orders for another endpoint', async () => {
    const old = order('echo hi', { issuedAt: Date.now() - 3_600_000, expiresAt: Date.now() - 3_000_000 });
    send({ v: 1, type: 'exec.run', execId: old.execId, order: envelope(old) });
    expect(await refusalFor(old.execId)).toMatchObject({ code: 'order_expired' });
    const elsewhere = order('echo hi', { endpointId: randomUUID() });
    send({ v: 1, type: 'exec.run', execId: elsewhere.execId, order: envelope(elsewhere) });
    expect(await refusalFor(elsewhere.execId)).toMatchObject({ code: 'wrong_endpoint' });
  });

  it('answers malformed frames with an error and keeps working: runs a valid order once, refuses its replay', async () => {
    send('{not json');
    expect(await next((m) => m.type === 'error' && m.code === 'malformed_json')).toBeTruthy();
    send({ v: 2, type: 'exec.run' });
    expect(await next((m) => m.type === 'error' && m.code === 'unsupported_version')).toBeTruthy();
    send({ v: 1, type: 'exec.run', execId: 'not-a-uuid' });
    expect(await next((m) => m.type === 'error' && m.code === 'invalid_message')).toBeTruthy();

    const valid = order('echo defence-in-depth-ok');
    const signed = envelope(valid);
    send({ v: 1, type: 'exec.run', execId: valid.execId, order: signed });
    const finished = await next((m) => m.type === 'exec.finished' && m.execId === valid.execId);
    expect(finished).toMatchObject({ exitCode: 0, timedOut: false, truncated: false });
    const output = received
      .filter((m) => m.type === 'exec.output' && m.execId === valid.execId)
      .map((m) => m.data)
      .join('');
    expect(output).toContain('defence-in-depth-ok');

    send({ v: 1, type: 'exec.run', execId: valid.execId, order: signed });
    expect(await next((m) => m.type === 'exec.refused' && m.execId === valid.execId)).toMatchObject({ code: 'replayed' });
  });

  it('stops a command at its output limit and reports it truncated', async () => {
    const noisy = order('yes bulwark', { maxOutputBytes: 4096 });
    send({ v: 1, type: 'exec.run', execId: noisy.execId, order: envelope(noisy) });
    const finished = await next((m) => m.type === 'exec.finished' && m.execId === noisy.execId);
    expect(finished.truncated).toBe(true);
    const bytes = received
      .filter((m) => m.type === 'exec.output' && m.execId === noisy.execId)
      .reduce((sum, m) => sum + Buffer.byteLength(String(m.data)), 0);
    expect(bytes).toBeLessThanOrEqual(4096);
  });
});

/**
 * Helpers for the terminal/viewer tests: a real agent (`npm run agent` as a child process,
 * enrolled with a real enroll token) and a console WebSocket client speaking terminal-protocol.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import {
  REMOTE_SESSION_SOCKET_PATH,
  REMOTE_SESSION_SUBPROTOCOL,
  type ConsoleMessage,
  type ServerMessage,
} from '../../shared/api/terminal-protocol';
import type { SignedIn, TestServer } from './harness';

const ROOT = path.resolve(import.meta.dirname, '../..');

function runAgentCli(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'agent/cli.ts'), ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export interface RunningAgent {
  endpointId: string;
  output: () => string;
  stop(): Promise<void>;
}

/** Enrolls a real agent for the tenant (token created by `tenantAdmin`) and runs it until stopped. */
export async function startRealAgent(s: TestServer, tenantAdmin: SignedIn, env: NodeJS.ProcessEnv = process.env): Promise<RunningAgent> {
  const created = await s.request<{ secret: string }>('POST', '/api/v1/enroll-tokens', {
    token: tenantAdmin.token,
    body: { name: s.unique('agent'), maxUses: 1 },
  });
  if (created.status !== 201) throw new Error(`enroll token: ${created.status} ${created.text}`);
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'bulwark-agent-'));
  const agentEnv = { ...env, BULWARK_AGENT_STATE_DIR: stateDir };
  const enroll = runAgentCli(['enroll', '--server', s.agentUrl, '--token', created.body.secret, '--state-dir', stateDir], agentEnv);
  let enrollOut = '';
  enroll.stdout!.on('data', (d: Buffer) => (enrollOut += d.toString()));
  enroll.stderr!.on('data', (d: Buffer) => (enrollOut += d.toString()));
  const code = await new Promise<number | null>((resolve) => enroll.on('close', resolve));
  if (code !== 0) throw new Error(`agent enroll failed (${code}): ${enrollOut}`);
  const endpointId = (JSON.parse(enrollOut.trim().split('\n').pop()!) as { endpointId: string }).endpointId;

  const child = runAgentCli(['run', '--state-dir', stateDir], agentEnv);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  let exited = false;
  child.on('exit', () => (exited = true));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const endpoint = await s.request<{ online?: boolean }>('GET', `/api/v1/endpoints/${endpointId}`, { token: tenantAdmin.token });
    if (endpoint.body?.online === true) break;
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the agent did not come online: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    endpointId,
    output: () => output,
    stop: async () => {
      if (!exited) {
        const gone = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await gone;
      }
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** A console connection: collects server messages and lets tests wait for one. */
export class ConsoleClient {
  readonly messages: ServerMessage[] = [];
  closeCode: number | null = null;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.messages.push(JSON.parse((data as Buffer).toString('utf8')) as ServerMessage);
      this.wake();
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      this.wake();
    });
  }

  static async connect(s: TestServer): Promise<ConsoleClient> {
    const socket = new WebSocket(s.url.replace(/^http/, 'ws') + REMOTE_SESSION_SOCKET_PATH, [REMOTE_SESSION_SUBPROTOCOL]);
    const client = new ConsoleClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  send(message: ConsoleMessage | Record<string, unknown>) {
    this.socket.send(JSON.stringify(message));
  }

  private wake() {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** The first message (from index `from`) matching `predicate`. */
  async next<T extends ServerMessage['type']>(
    type: T,
    predicate: (message: Extract<ServerMessage, { type: T }>) => boolean = () => true,
    timeoutMs = 20_000,
  ): Promise<Extract<ServerMessage, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(
        (m): m is Extract<ServerMessage, { type: T }> => m.type === type && predicate(m as Extract<ServerMessage, { type: T }>),
      );
      if (found) return found;
      if (this.closeCode !== null)
        throw new Error(`socket closed (${this.closeCode}) before ${type}; got ${JSON.stringify(this.messages.slice(-5))}`);
      if (Date.now() > deadline) throw new Error(`no ${type} within ${timeoutMs} ms; got ${JSON.stringify(this.messages.slice(-5))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  /** All terminal output received so far. */
  output(): string {
    return this.messages.map((m) => (m.type === 'output' ? m.data : '')).join('');
  }

  async untilOutput(text: string, timeoutMs = 20_000) {
    await this.next('output', () => this.output().includes(text), timeoutMs);
  }

  async closed(timeoutMs = 20_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.closeCode === null) {
      if (Date.now() > deadline) throw new Error('socket did not close');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
    return this.closeCode;
  }

  close() {
    this.socket.close();
  }
}

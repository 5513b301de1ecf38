import WebSocket, { type RawData } from 'ws';
import {
  AGENT_PROTOCOL_VERSION,
  AGENT_SOCKET_PATH,
  AgentCloseCode,
  MAX_AGENT_FRAME_BYTES,
  parseServerMessage,
  type AgentToServerMessage,
  type ServerMessageType,
  type ServerToAgentMessage,
} from '../shared/agent-protocol/messages';
import type { AgentRuntime } from './extensions';
import { AGENT_EXTENSIONS } from './extensions';
import { runExec, type RunningExec } from './executor';
import { collectInventory } from './inventory';
import type { AgentLogger } from './logger';
import { checkExecOrder, ReplayGuard } from './order-check';
import { ServerKey } from './signing';
import type { AgentState } from './state';

export interface RunnerOptions {
  state: AgentState;
  logger: AgentLogger;
  /** Back-off bounds (ms); tests may lower them. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Longer ceiling while the tenant is blocked. */
  blockedBackoffMs?: number;
}

/** Why `run()` returned. */
export type RunnerExit = { kind: 'stopped' } | { kind: 'credential_revoked'; message: string };

type Handler = (message: ServerToAgentMessage) => void;

function frameText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

const SESSION_TYPES = new Set<ServerMessageType>([
  'terminal.open',
  'terminal.input',
  'terminal.resize',
  'terminal.close',
  'viewer.start',
  'viewer.stop',
]);

/**
 * The agent's connection loop: connect with the credential, say hello with the inventory,
 * heartbeat, execute verified orders, and reconnect with jittered exponential back-off
 * ("full jitter": a random delay up to the current ceiling, the ceiling doubling per failure).
 */
export class AgentRunner implements AgentRuntime {
  readonly state: AgentState;
  readonly serverKey: ServerKey;
  readonly logger: AgentLogger;
  private socket: WebSocket | null = null;
  private stopped = false;
  private attempt = 0;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private heartbeatSeq = 0;
  private readonly startedAt = Date.now();
  private readonly handlers = new Map<ServerMessageType, Handler>();
  private readonly disconnectHandlers: (() => void)[] = [];
  private readonly running = new Map<string, RunningExec>();
  private readonly replay = new ReplayGuard();
  private wake: (() => void) | null = null;
  private tenantBlocked = false;
  private exit: RunnerExit | null = null;

  constructor(private readonly options: RunnerOptions) {
    this.state = options.state;
    this.logger = options.logger;
    this.serverKey = ServerKey.fromPem(options.state.serverPublicKey, options.state.serverKeyId);
    this.on('exec.run', (message) => this.handleExecRun(message));
    this.on('exec.cancel', (message) => this.running.get(message.execId)?.cancel());
    this.on('heartbeat.ack', () => undefined);
    this.on('hello.ack', () => undefined);
    this.on('error', (message) =>
      this.logger.warn({ code: message.code, refType: message.refType, detail: message.message }, 'server refused a message'),
    );
    this.on('disconnect', (message) => {
      this.logger.warn({ reason: message.reason, detail: message.message }, 'server is disconnecting this agent');
      if (message.reason === 'tenant_blocked') this.tenantBlocked = true;
      if (message.reason === 'endpoint_revoked') this.finish({ kind: 'credential_revoked', message: message.message });
    });
    for (const install of AGENT_EXTENSIONS) install(this);
  }

  on<T extends ServerMessageType>(type: T, handler: (message: Extract<ServerToAgentMessage, { type: T }>) => void): void {
    this.handlers.set(type, handler as Handler);
  }

  onDisconnect(handler: () => void): void {
    this.disconnectHandlers.push(handler);
  }

  send(message: AgentToServerMessage): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(message));
    return true;
  }

  /** Runs until stopped or until the credential stops working. */
  async run(): Promise<RunnerExit> {
    while (!this.exit) {
      const connected = await this.connectOnce();
      if (this.exit) break;
      if (connected) this.attempt = 0;
      const ceiling = this.tenantBlocked
        ? (this.options.blockedBackoffMs ?? 300_000)
        : Math.min(this.options.maxBackoffMs ?? 60_000, (this.options.minBackoffMs ?? 1000) * 2 ** this.attempt);
      this.attempt = Math.min(this.attempt + 1, 30);
      const delay = Math.max(this.options.minBackoffMs ?? 1000, Math.round(Math.random() * ceiling));
      this.logger.info({ delayMs: delay, tenantBlocked: this.tenantBlocked }, 'reconnecting after a pause');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
    return this.exit;
  }

  stop() {
    this.finish({ kind: 'stopped' });
  }

  private finish(exit: RunnerExit) {
    this.exit ??= exit;
    this.stopped = true;
    for (const exec of this.running.values()) exec.cancel();
    this.socket?.close(AgentCloseCode.normal, 'agent stopping');
    this.wake?.();
  }

  /** One connection's life; resolves when it ends. True when the server accepted the hello. */
  private connectOnce(): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.stopped) return resolve(false);
      const url = new URL(AGENT_SOCKET_PATH, this.state.serverUrl);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      let accepted = false;
      const socket = new WebSocket(url, {
        headers: { authorization: `Bearer ${this.state.credential}` },
        maxPayload: MAX_AGENT_FRAME_BYTES,
        handshakeTimeout: 15_000,
      });
      this.socket = socket;

      socket.on('unexpected-response', (_request, response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (body.length < 4096) body += chunk;
        });
        response.on('end', () => {
          let code = '';
          let message = '';
          try {
            const parsed = JSON.parse(body) as { error?: { code?: string; message?: string } };
            code = parsed.error?.code ?? '';
            message = parsed.error?.message ?? '';
          } catch {
            // not our JSON error
          }
          this.logger.warn({ status: response.statusCode, code, detail: message }, 'the server refused the connection');
          if (response.statusCode === 401)
            this.finish({ kind: 'credential_revoked', message: message || 'the agent credential is not accepted' });
          this.tenantBlocked = response.statusCode === 403 && code === 'tenant_blocked';
          socket.terminate();
        });
      });
      socket.on('open', () => {
        this.send({ v: AGENT_PROTOCOL_VERSION, type: 'hello', inventory: collectInventory() });
      });
      socket.on('message', (data, isBinary) => {
        if (isBinary) {
          this.send({ v: 1, type: 'error', code: 'invalid_message', message: 'binary frames are not part of the protocol', refType: null });
          return;
        }
        const parsed = parseServerMessage(frameText(data));
        if (!parsed.ok) {
          this.logger.warn({ code: parsed.error.code, detail: parsed.error.message }, 'refused a malformed message from the server');
          // Never answer an error with an error (two peers could ping-pong forever).
          if (parsed.error.refType !== 'error') this.send(parsed.error);
          return;
        }
        const message = parsed.message;
        if (message.type === 'hello.ack') {
          accepted = true;
          this.tenantBlocked = false;
          this.logger.info({ endpointId: message.endpointId }, 'connected');
          this.startHeartbeat(message.heartbeatIntervalMs);
        }
        this.dispatch(message);
      });
      socket.on('error', (error) => this.logger.warn({ err: { message: error.message } }, 'connection problem'));
      socket.on('close', (code, reason) => {
        this.stopHeartbeat();
        if (this.socket === socket) this.socket = null;
        if (accepted) this.logger.info({ code, reason: reason.toString() }, 'disconnected');
        if (code === AgentCloseCode.credentialRevoked)
          this.finish({ kind: 'credential_revoked', message: reason.toString() || 'endpoint revoked' });
        if (code === AgentCloseCode.tenantBlocked) this.tenantBlocked = true;
        for (const handler of this.disconnectHandlers) {
          try {
            handler();
          } catch (error) {
            this.logger.error({ err: error }, 'a disconnect handler failed');
          }
        }
        resolve(accepted);
      });
    });
  }

  private dispatch(message: ServerToAgentMessage) {
    const handler = this.handlers.get(message.type);
    if (!handler) {
      if (SESSION_TYPES.has(message.type) && 'sessionId' in message) {
        const refusal = message.type.startsWith('viewer.')
          ? ({
              v: 1,
              type: 'viewer.error',
              sessionId: message.sessionId,
              code: 'unsupported',
              message: 'this agent has no screen viewer',
            } as const)
          : ({
              v: 1,
              type: 'terminal.refused',
              sessionId: message.sessionId,
              code: 'unsupported',
              message: 'this agent has no terminal support',
            } as const);
        this.send(refusal);
      } else {
        this.send({
          v: 1,
          type: 'error',
          code: 'unexpected_message',
          message: `this agent does not handle ${message.type}`,
          refType: message.type,
        });
      }
      return;
    }
    try {
      handler(message);
    } catch (error) {
      this.logger.error({ err: error, type: message.type }, 'a message handler failed');
    }
  }

  private startHeartbeat(intervalMs: number) {
    this.stopHeartbeat();
    const beat = () =>
      this.send({ v: 1, type: 'heartbeat', seq: this.heartbeatSeq++, uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000) });
    this.heartbeatTimer = setInterval(beat, intervalMs);
  }

  private stopHeartbeat() {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private handleExecRun(message: Extract<ServerToAgentMessage, { type: 'exec.run' }>) {
    const check = checkExecOrder({
      envelope: message.order,
      execId: message.execId,
      key: this.serverKey,
      endpointId: this.state.endpointId,
      replay: this.replay,
      now: Date.now(),
    });
    if (!check.ok) {
      this.logger.warn({ execId: message.execId, code: check.code, detail: check.message }, 'refused an order');
      this.send({
        v: 1,
        type: 'exec.refused',
        execId: message.execId,
        code: check.code,
        message: check.message,
        ...(check.reasons ? { reasons: check.reasons } : {}),
      });
      return;
    }
    const { order } = check;
    const execId = order.execId;
    let seq = 0;
    this.logger.info({ execId, action: order.action, shell: order.shell, sha256: order.sha256 }, 'running an order');
    const exec = runExec(
      { shell: order.shell, text: order.text, timeoutMs: order.timeoutMs, maxOutputBytes: order.maxOutputBytes },
      {
        started: (pid) => this.send({ v: 1, type: 'exec.started', execId, pid }),
        output: (stream, data) => this.send({ v: 1, type: 'exec.output', execId, stream, seq: seq++, data }),
        finished: (result) => {
          this.running.delete(execId);
          this.send({ v: 1, type: 'exec.finished', execId, ...result });
        },
      },
    );
    this.running.set(execId, exec);
  }
}

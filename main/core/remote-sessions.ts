/**
 * Terminal and viewer sessions: a WebSocket per session to the server, speaking
 * shared/api/terminal-protocol.ts. The access token goes in the first message (`hello`),
 * never in the URL, and never to the renderer. Every terminal line passes the policy
 * pre-check first; a blocked line is answered locally and never written to the socket.
 */
import { randomUUID } from 'node:crypto';
import {
  parseServerMessage,
  REMOTE_SESSION_SOCKET_PATH,
  REMOTE_SESSION_SUBPROTOCOL,
  RemoteSessionCloseCode,
  TERMINAL_PROTOCOL_VERSION,
  type ConsoleMessage,
  type LineResultMessage,
  type ServerMessage,
  type TerminalMode,
} from '../../shared/api/terminal-protocol';
import type { Platform, Shell } from '../../shared/policy';
import type { IpcEventName } from '../../shared/ipc/channels';
import { IpcEvent } from '../../shared/ipc/channels';
import type { IpcEventPayload, Verdict } from '../../shared/ipc/schemas';
import { ConsoleErrorCode } from '../../shared/ipc/schemas';
import { ConsoleFailure } from './failure';
import type { ConsoleLogger } from './logger';
import { blockSummary, type PolicyPrecheck } from './policy-precheck';

/** The slice of a WebSocket the bridge needs (ws in Node; tests pass a fake server's socket). */
export interface RemoteSocket {
  send(data: string): void;
  close(code?: number): void;
  onOpen(listener: () => void): void;
  onMessage(listener: (data: string) => void): void;
  onClose(listener: (code: number) => void): void;
  onError(listener: (error: Error) => void): void;
}

export type SocketFactory = (url: string, subprotocol: string) => RemoteSocket;

export type EmitEvent = <E extends IpcEventName>(event: E, payload: IpcEventPayload<E>) => void;

/** What the server said when the session was opened over HTTP. */
export interface OpenedRemoteSession {
  sessionId: string;
  endpointId: string;
  tenantId: string;
  platform: Platform;
  shell: Shell;
}

export interface RemoteSessionDeps {
  origin: () => string;
  accessToken: () => string;
  socketFactory: SocketFactory;
  precheck: PolicyPrecheck;
  emit: EmitEvent;
  log: ConsoleLogger;
  /** Called when the server closes a socket because the sign-in session was revoked. */
  onSessionRevoked: () => void;
  /** Reports a line the console refused (so it is audited); awaited before the refusal is shown. */
  reportRefusal: (refusal: ConsoleRefusal) => Promise<void>;
}

/** A line, script or schedule the console's own check refused; it never left the console. */
export interface ConsoleRefusal {
  endpointId: string;
  kind: 'terminal_line' | 'script_run' | 'schedule_run';
  text: string;
  shell: Shell;
  remoteSessionId?: string;
  reasonCodes: string[];
}

/** Lines kept for the engine's multi-line analysis (it reads at most its own MAX_HISTORY_LINES). */
const HISTORY_LIMIT = 50;

interface LiveSession {
  kind: 'terminal' | 'viewer';
  opened: OpenedRemoteSession;
  socket: RemoteSocket;
  history: string[];
  /** The mode the server last confirmed (`ready`, then `mode` messages); raw keystrokes only in `raw`. */
  mode: TerminalMode;
  pendingLines: Map<string, { resolve: (message: LineResultMessage) => void; reject: (error: Error) => void }>;
  closed: boolean;
}

export class RemoteSessions {
  readonly #live = new Map<string, LiveSession>();

  constructor(private readonly deps: RemoteSessionDeps) {}

  /** Connects the socket for a session the server has opened, and waits for `ready`. */
  connect(kind: 'terminal' | 'viewer', opened: OpenedRemoteSession, size?: { cols: number; rows: number }): Promise<void> {
    const url = new URL(REMOTE_SESSION_SOCKET_PATH, this.deps.origin());
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = this.deps.socketFactory(url.href, REMOTE_SESSION_SUBPROTOCOL);
    const live: LiveSession = { kind, opened, socket, history: [], mode: 'line', pendingLines: new Map(), closed: false };
    this.#live.set(opened.sessionId, live);
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      socket.onOpen(() => {
        this.#send(live, {
          type: 'hello',
          protocol: TERMINAL_PROTOCOL_VERSION,
          sessionId: opened.sessionId,
          accessToken: this.deps.accessToken(),
        });
      });
      socket.onMessage((data) => {
        const parsed = parseServerMessage(data);
        if (!parsed.ok) {
          this.deps.log.warn('ignored a malformed message from the server', { sessionId: opened.sessionId, error: parsed.error });
          return;
        }
        if (parsed.message.type === 'ready') {
          ready = true;
          live.mode = parsed.message.mode ?? 'line';
          if (size && kind === 'terminal') this.#send(live, { type: 'resize', size });
          resolve();
          return;
        }
        this.#onServerMessage(live, parsed.message);
      });
      socket.onError((error) => this.deps.log.warn('remote session socket error', { sessionId: opened.sessionId, error: error.message }));
      socket.onClose((code) => {
        this.#onClosed(live, code);
        if (!ready) reject(new ConsoleFailure(closeCodeError(code), closeCodeMessage(code)));
      });
    });
  }

  /** Pre-checks, then sends one line and waits for the server's verdict. */
  async sendLine(terminalId: string, line: string): Promise<Verdict> {
    const live = this.#terminal(terminalId);
    const outcome = await this.deps.precheck.check({
      tenantId: live.opened.tenantId,
      text: line,
      shell: live.opened.shell,
      platform: live.opened.platform,
      action: 'terminal_line',
      history: live.history,
    });
    if (outcome.blocked) {
      this.deps.log.info('line blocked by the console pre-check; not sent', {
        terminalId,
        codes: outcome.block.reasons.map((r) => r.code).join(','),
      });
      await this.deps.reportRefusal({
        endpointId: live.opened.endpointId,
        kind: 'terminal_line',
        text: line,
        shell: live.opened.shell,
        remoteSessionId: live.opened.sessionId,
        reasonCodes: outcome.block.reasons.map((r) => r.code),
      });
      return { sent: false, block: outcome.block };
    }
    const id = randomUUID();
    const result = await new Promise<LineResultMessage>((resolve, reject) => {
      live.pendingLines.set(id, { resolve, reject });
      this.#send(live, { type: 'line', id, text: line });
    });
    if (result.decision === 'allow' || result.decision === 'flag') {
      live.history.push(line);
      if (live.history.length > HISTORY_LIMIT) live.history.shift();
      return { sent: true, flagged: result.reasons };
    }
    const reasons = result.reasons;
    return {
      sent: false,
      block: {
        source: 'server',
        text: line,
        sha256: null,
        message: result.message ?? blockSummary(reasons),
        reasons,
      },
    };
  }

  /** Control keys only (the IPC schema enforces it): Ctrl-C is `interrupt`, others are raw input. */
  input(terminalId: string, data: string): void {
    const live = this.#terminal(terminalId);
    if (data === '\u0003') this.#send(live, { type: 'interrupt' });
    else this.#send(live, { type: 'input', data });
  }

  /** Asks the server for a mode; it answers with `mode` (raw only while the tenant has extended trust). */
  setMode(terminalId: string, mode: TerminalMode): void {
    this.#send(this.#terminal(terminalId), { type: 'set_mode', mode });
  }

  /** Keystrokes as typed: only once the server has confirmed raw mode for this terminal. */
  rawInput(terminalId: string, data: string): void {
    const live = this.#terminal(terminalId);
    if (live.mode !== 'raw') {
      throw new ConsoleFailure(
        ConsoleErrorCode.terminalNotRaw,
        'This terminal is in line mode: type a line and press Enter so it can be checked. Raw keystrokes need extended trust.',
      );
    }
    this.#send(live, { type: 'input', data });
  }

  mode(terminalId: string): TerminalMode {
    return this.#terminal(terminalId).mode;
  }

  resize(terminalId: string, cols: number, rows: number): void {
    this.#send(this.#terminal(terminalId), { type: 'resize', size: { cols: Math.max(2, cols), rows } });
  }

  close(id: string): void {
    const live = this.#live.get(id);
    if (!live) return;
    if (!live.closed) this.#send(live, { type: 'close' });
    live.socket.close(RemoteSessionCloseCode.normal);
    this.#onClosed(live, RemoteSessionCloseCode.normal);
  }

  closeAll(): void {
    for (const id of [...this.#live.keys()]) this.close(id);
  }

  get(id: string): OpenedRemoteSession | null {
    return this.#live.get(id)?.opened ?? null;
  }

  #terminal(terminalId: string): LiveSession {
    const live = this.#live.get(terminalId);
    if (!live || live.kind !== 'terminal' || live.closed) {
      throw new ConsoleFailure(ConsoleErrorCode.terminalNotOpen, 'This terminal is closed; open it again');
    }
    return live;
  }

  #send(live: LiveSession, message: ConsoleMessage): void {
    live.socket.send(JSON.stringify(message));
  }

  #onServerMessage(live: LiveSession, message: ServerMessage): void {
    const id = live.opened.sessionId;
    switch (message.type) {
      case 'output':
        this.deps.emit(IpcEvent.TerminalOutput, { terminalId: id, data: message.data });
        return;
      case 'line_result': {
        const pending = live.pendingLines.get(message.id);
        live.pendingLines.delete(message.id);
        if (pending) pending.resolve(message);
        return;
      }
      case 'frame':
        this.deps.emit(IpcEvent.ViewerFrame, {
          viewerId: id,
          mime: message.format === 'png' ? 'image/png' : 'image/jpeg',
          width: message.width,
          height: message.height,
          data: message.data,
        });
        return;
      case 'mode':
        live.mode = message.mode;
        this.deps.emit(IpcEvent.TerminalMode, { terminalId: id, mode: message.mode, message: message.message });
        this.deps.emit(IpcEvent.TerminalOutput, { terminalId: id, data: `\r\n\u001b[2m[Bulwark] ${message.message}\u001b[0m\r\n` });
        return;
      case 'error':
        // Shown in the terminal itself, dimmed, so the technician sees it where they are looking.
        if (live.kind === 'terminal')
          this.deps.emit(IpcEvent.TerminalOutput, { terminalId: id, data: `\r\n\u001b[2m[Bulwark] ${message.message}\u001b[0m\r\n` });
        return;
      case 'closed':
        this.deps.emit(IpcEvent.TerminalClosed, { terminalId: id, reason: message.reason, exitCode: message.exitCode ?? null });
        live.closed = true;
        return;
      case 'pong':
      case 'ready':
        return;
    }
  }

  #onClosed(live: LiveSession, code: number): void {
    const id = live.opened.sessionId;
    if (!this.#live.has(id)) return;
    this.#live.delete(id);
    for (const pending of live.pendingLines.values()) {
      pending.reject(
        new ConsoleFailure(ConsoleErrorCode.terminalNotOpen, 'The terminal closed before the server answered; the line may not have run'),
      );
    }
    live.pendingLines.clear();
    if (!live.closed) {
      live.closed = true;
      this.deps.emit(IpcEvent.TerminalClosed, { terminalId: id, reason: closeCodeReason(code), exitCode: null });
    }
    if (code === RemoteSessionCloseCode.revoked || code === RemoteSessionCloseCode.unauthenticated) this.deps.onSessionRevoked();
  }
}

function closeCodeReason(code: number): string {
  for (const [name, value] of Object.entries(RemoteSessionCloseCode)) if (value === code) return name;
  return `closed_${code}`;
}

function closeCodeError(code: number): string {
  if (code === RemoteSessionCloseCode.forbidden) return 'forbidden';
  if (code === RemoteSessionCloseCode.agentUnavailable) return 'agent_unavailable';
  if (code === RemoteSessionCloseCode.unauthenticated || code === RemoteSessionCloseCode.revoked) return 'session_revoked';
  return ConsoleErrorCode.serverUnreachable;
}

function closeCodeMessage(code: number): string {
  switch (code) {
    case RemoteSessionCloseCode.forbidden:
      return 'The server refused this session (tenant restricted, or step-up needed)';
    case RemoteSessionCloseCode.agentUnavailable:
      return 'The endpoint is offline: its agent is not connected';
    case RemoteSessionCloseCode.unauthenticated:
    case RemoteSessionCloseCode.revoked:
      return 'Your session has ended; sign in again';
    default:
      return `The server closed the session before it was ready (code ${code})`;
  }
}

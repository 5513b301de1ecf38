/**
 * Terminal sessions on the endpoint, through node-pty. Transport-free: the agent's message
 * dispatcher calls open / write / resize / close and forwards the `onOutput` / `onExit` events.
 *
 * Output is bounded: pty data is coalesced into chunks of at most `outputChunkChars`, and when the
 * transport reports congestion the pty is paused (the child blocks on its full pty buffer) instead
 * of buffering without limit. Idle sessions (no input for `idleTimeoutMs`) are closed. A close from
 * either side ends the process (SIGHUP, then SIGKILL after a grace period) and fires `onExit` once.
 */
import os from 'node:os';
import * as pty from 'node-pty';

export type TerminalShell = 'powershell' | 'cmd' | 'bash' | 'sh' | 'zsh';

export type TerminalCloseReason =
  'process_exited' | 'closed_by_server' | 'idle_timeout' | 'agent_shutdown' | 'output_limit' | 'spawn_failed';

export interface TerminalExit {
  reason: TerminalCloseReason;
  exitCode: number | null;
  signal: number | null;
}

export interface OpenTerminalOptions {
  shell?: TerminalShell;
  cols: number;
  rows: number;
  cwd?: string;
}

export interface TerminalEvents {
  onOutput(data: string): void;
  onExit(exit: TerminalExit): void;
  /** True while the transport cannot take more output (e.g. WebSocket bufferedAmount over a limit). */
  isCongested?(): boolean;
}

export interface TerminalSessionLimits {
  maxSessions: number;
  idleTimeoutMs: number;
  /** Largest output chunk handed to `onOutput`. */
  outputChunkChars: number;
  /** Output held while congested before the pty is paused. */
  maxPendingOutputChars: number;
  /** Optional cap on the total output of one session; the session closes with `output_limit` beyond it. */
  maxTotalOutputChars: number | null;
  killGraceMs: number;
}

export const DEFAULT_TERMINAL_LIMITS: TerminalSessionLimits = {
  maxSessions: 8,
  idleTimeoutMs: 15 * 60_000,
  outputChunkChars: 16 * 1024,
  maxPendingOutputChars: 256 * 1024,
  maxTotalOutputChars: null,
  killGraceMs: 2_000,
};

export class TerminalError extends Error {
  constructor(
    readonly code: 'too_many_sessions' | 'duplicate_session' | 'no_such_session' | 'spawn_failed' | 'bad_size',
    message: string,
  ) {
    super(message);
    this.name = 'TerminalError';
  }
}

/** Environment variables never passed to an interactive shell: the agent's own settings and anything secret-looking. */
const SECRET_ENV = /(^BULWARK_)|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|API_?KEY|PRIVATE/i;

export function shellEnvironment(source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    if (value !== undefined && !SECRET_ENV.test(key)) env[key] = value;
  }
  env.TERM = 'xterm-256color';
  return env;
}

export function defaultShell(platform: NodeJS.Platform = process.platform): TerminalShell {
  if (platform === 'win32') return 'powershell';
  if (platform === 'darwin') return 'zsh';
  return 'bash';
}

/** Program and arguments for a shell on this platform. */
export function shellCommand(shell: TerminalShell, platform: NodeJS.Platform = process.platform): { file: string; args: string[] } {
  switch (shell) {
    case 'powershell':
      return platform === 'win32' ? { file: 'powershell.exe', args: ['-NoLogo'] } : { file: 'pwsh', args: ['-NoLogo'] };
    case 'cmd':
      if (platform !== 'win32') throw new TerminalError('spawn_failed', 'cmd is only available on Windows');
      return { file: 'cmd.exe', args: [] };
    case 'bash':
      // +H: no history expansion, so `!!` / `!$` cannot re-run text the policy engine never saw on this line.
      return { file: 'bash', args: ['+H'] };
    case 'zsh':
      // The same for zsh (NO_BANG_HIST).
      return { file: 'zsh', args: ['+o', 'BANG_HIST'] };
    case 'sh':
      return { file: 'sh', args: [] };
  }
}

function validSize(cols: number, rows: number) {
  return Number.isInteger(cols) && Number.isInteger(rows) && cols >= 2 && cols <= 1000 && rows >= 1 && rows <= 500;
}

class TerminalSession {
  private pending = '';
  private flushTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private resumeTimer: NodeJS.Timeout | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private paused = false;
  private totalOutput = 0;
  private closeReason: TerminalCloseReason | null = null;
  private exited = false;

  constructor(
    readonly id: string,
    private readonly process: pty.IPty,
    private readonly events: TerminalEvents,
    private readonly limits: TerminalSessionLimits,
    private readonly onGone: () => void,
  ) {
    process.onData((data) => this.take(data));
    process.onExit(({ exitCode, signal }) => this.finish(exitCode, signal ?? null));
    this.touch();
  }

  get pid() {
    return this.process.pid;
  }

  /** Output held back by congestion (bounded by `maxPendingOutputChars` plus one pty read). */
  get pendingChars() {
    return this.pending.length;
  }

  get isPaused() {
    return this.paused;
  }

  write(data: string) {
    if (this.closeReason) return;
    this.touch();
    this.process.write(data);
  }

  resize(cols: number, rows: number) {
    if (!validSize(cols, rows)) throw new TerminalError('bad_size', `Terminal size ${cols}x${rows} is out of range`);
    if (!this.closeReason) this.process.resize(cols, rows);
  }

  close(reason: TerminalCloseReason) {
    if (this.closeReason) return;
    this.closeReason = reason;
    this.flush(true);
    try {
      // SIGHUP is what a closing terminal sends; shells and most programs exit on it.
      this.process.kill(os.platform() === 'win32' ? undefined : 'SIGHUP');
    } catch {
      // already gone
    }
    this.killTimer = setTimeout(() => {
      try {
        if (!this.exited) this.process.kill(os.platform() === 'win32' ? undefined : 'SIGKILL');
      } catch {
        // already gone
      }
    }, this.limits.killGraceMs);
    this.killTimer.unref();
  }

  private touch() {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.close('idle_timeout'), this.limits.idleTimeoutMs);
    this.idleTimer.unref();
  }

  private take(data: string) {
    if (this.exited) return;
    this.totalOutput += data.length;
    if (this.limits.maxTotalOutputChars !== null && this.totalOutput > this.limits.maxTotalOutputChars) {
      this.pending += data.slice(0, Math.max(0, data.length - (this.totalOutput - this.limits.maxTotalOutputChars)));
      this.close('output_limit');
      return;
    }
    this.pending += data;
    if (this.pending.length >= this.limits.outputChunkChars) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), 5);
  }

  /** `force`: deliver everything now (closing or exited: nothing may be lost, nothing more will come). */
  private flush(force = false) {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (!force && this.events.isCongested?.()) {
      // Hold the output; once too much is held, stop reading so the child blocks instead of memory growing.
      if (this.pending.length >= this.limits.maxPendingOutputChars) this.pause();
      else this.flushTimer = setTimeout(() => this.flush(), 20);
      return;
    }
    while (this.pending.length > 0) {
      const chunk = this.pending.slice(0, this.limits.outputChunkChars);
      this.pending = this.pending.slice(chunk.length);
      this.events.onOutput(chunk);
    }
    if (this.paused) this.resume();
  }

  private pause() {
    if (this.paused) return;
    this.paused = true;
    this.process.pause();
    this.resumeTimer = setInterval(() => {
      if (!this.events.isCongested?.()) this.flush();
    }, 20);
  }

  private resume() {
    this.paused = false;
    if (this.resumeTimer) clearInterval(this.resumeTimer);
    this.resumeTimer = null;
    this.process.resume();
  }

  private finish(exitCode: number, signal: number | null) {
    if (this.exited) return;
    this.exited = true;
    this.flush(true);
    for (const timer of [this.flushTimer, this.idleTimer, this.killTimer]) if (timer) clearTimeout(timer);
    if (this.resumeTimer) clearInterval(this.resumeTimer);
    this.onGone();
    this.events.onExit({ reason: this.closeReason ?? 'process_exited', exitCode, signal: signal || null });
  }
}

/** All terminal sessions of one agent. */
export class TerminalSessions {
  private readonly sessions = new Map<string, TerminalSession>();
  readonly limits: TerminalSessionLimits;

  constructor(limits: Partial<TerminalSessionLimits> = {}) {
    this.limits = { ...DEFAULT_TERMINAL_LIMITS, ...limits };
  }

  get size() {
    return this.sessions.size;
  }

  has(id: string) {
    return this.sessions.has(id);
  }

  pid(id: string): number | null {
    return this.sessions.get(id)?.pid ?? null;
  }

  /** Flow-control state of one session, for monitoring and tests. */
  flowState(id: string): { pendingChars: number; paused: boolean } | null {
    const session = this.sessions.get(id);
    return session ? { pendingChars: session.pendingChars, paused: session.isPaused } : null;
  }

  open(id: string, options: OpenTerminalOptions, events: TerminalEvents): void {
    if (this.sessions.has(id)) throw new TerminalError('duplicate_session', `Terminal session ${id} is already open`);
    if (this.sessions.size >= this.limits.maxSessions) {
      throw new TerminalError('too_many_sessions', `This endpoint already has ${this.limits.maxSessions} terminal sessions open`);
    }
    if (!validSize(options.cols, options.rows)) {
      throw new TerminalError('bad_size', `Terminal size ${options.cols}x${options.rows} is out of range`);
    }
    const { file, args } = shellCommand(options.shell ?? defaultShell());
    let child: pty.IPty;
    try {
      child = pty.spawn(file, args, {
        name: 'xterm-256color',
        cols: options.cols,
        rows: options.rows,
        cwd: options.cwd ?? os.homedir(),
        env: shellEnvironment(),
      });
    } catch (error) {
      throw new TerminalError('spawn_failed', `Could not start ${file}: ${(error as Error).message}`);
    }
    const session = new TerminalSession(id, child, events, this.limits, () => this.sessions.delete(id));
    this.sessions.set(id, session);
  }

  write(id: string, data: string) {
    this.get(id).write(data);
  }

  resize(id: string, cols: number, rows: number) {
    this.get(id).resize(cols, rows);
  }

  /** Ends the session; `onExit` follows when the process is gone. Unknown ids are ignored (already closed). */
  close(id: string, reason: TerminalCloseReason = 'closed_by_server') {
    this.sessions.get(id)?.close(reason);
  }

  closeAll(reason: TerminalCloseReason = 'agent_shutdown') {
    for (const session of this.sessions.values()) session.close(reason);
  }

  private get(id: string): TerminalSession {
    const session = this.sessions.get(id);
    if (!session) throw new TerminalError('no_such_session', `No terminal session ${id}`);
    return session;
  }
}

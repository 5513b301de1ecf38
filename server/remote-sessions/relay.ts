/**
 * One live terminal or viewer session: the console's WebSocket on one side, the endpoint's agent
 * (through the agent hub) on the other.
 *
 * Terminal, line mode: each line is checked (line-checker.ts: engine + tenant context + session
 * history, script log awaited) before anything is sent; allowed lines go to the agent as signed line
 * orders, blocked ones are answered with the engine's reasons and never leave the server. Lines are
 * processed one at a time, in order. Raw mode: keystrokes are relayed under a signed raw grant that
 * ends with the tenant's extended trust; trust is re-read every few seconds and raw mode drops back to
 * line mode when it ends. Every input, in both modes, goes to the transcript.
 */
import type { WebSocket } from 'ws';
import type { AgentMessageOf, ServerToAgentMessage } from '../../shared/agent-protocol/messages';
import { ORDER_TTL_MS, type SignedEnvelope } from '../../shared/agent-protocol/signing';
import { toWirePolicyContext } from '../../shared/agent-protocol/policy-wire';
import type {
  TerminalInterruptOrder,
  TerminalLineOrder,
  TerminalOrder,
  TerminalRawGrant,
  ViewerOrder,
} from '../../shared/agent-protocol/sessions';
import { RemoteSessionCloseCode, type ConsoleMessage, type ServerMessage, type TerminalMode } from '../../shared/api/terminal-protocol';
import type { Platform, Shell } from '../../shared/policy/types';
import type { AgentHub } from '../agents/hub';
import type { ServerContext } from '../context';
import { loadTenantPolicyContext } from '../controls/policy-context';
import { recordAudit } from '../identity/events';
import type { RequestMeta, UserPrincipal } from '../identity/principal';
import { TerminalLineChecker, type LineCheckerDeps } from './line-checker';
import type { RemoteSessionRow } from './store';
import { TranscriptRecorder } from './transcript';

export type SessionAgentMessage =
  | AgentMessageOf<'terminal.opened'>
  | AgentMessageOf<'terminal.output'>
  | AgentMessageOf<'terminal.exit'>
  | AgentMessageOf<'terminal.refused'>
  | AgentMessageOf<'viewer.frame'>
  | AgentMessageOf<'viewer.error'>;

export interface RelayOptions {
  /** Closed after this long without a message from the console. */
  idleTimeoutMs: number;
  /** How long the agent has to confirm the pty / the first frame. */
  agentOpenTimeoutMs: number;
  /** Raw mode re-reads the tenant's trust at most this often. */
  trustRecheckMs: number;
  /** The tenant's state and the sign-in session are re-read this often; a restricted tenant's or an expired sign-in's sessions end. */
  tenantRecheckMs: number;
  /** The console is too slow when this much is queued on its socket: the session is closed. */
  maxConsoleBufferedBytes: number;
  lineCheckerDeps?: LineCheckerDeps;
}

export const DEFAULT_RELAY_OPTIONS: RelayOptions = {
  idleTimeoutMs: 15 * 60_000,
  agentOpenTimeoutMs: 15_000,
  trustRecheckMs: 5_000,
  tenantRecheckMs: 30_000,
  maxConsoleBufferedBytes: 16 * 1024 * 1024,
};

export interface RelayEnvironment {
  ctx: ServerContext;
  hub: AgentHub;
  options: RelayOptions;
  /** Called once when the relay is finished (the service forgets it). */
  onFinished(relay: SessionRelay): void;
}

export abstract class SessionRelay {
  protected closed = false;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly tenantTimer: NodeJS.Timeout;
  protected readonly transcript: TranscriptRecorder;
  protected counters = { allowed: 0, flagged: 0, blocked: 0, frames: 0 };

  constructor(
    protected readonly env: RelayEnvironment,
    readonly row: RemoteSessionRow,
    readonly principal: UserPrincipal,
    protected readonly socket: WebSocket,
    protected readonly meta: RequestMeta,
  ) {
    this.transcript = new TranscriptRecorder(env.ctx, row.id);
    this.touch();
    // Blocking and revocation arrive as notices; restriction and the sign-in session's expiry do not, so they are polled.
    this.tenantTimer = setInterval(() => void this.recheckTenant(), env.options.tenantRecheckMs);
    this.tenantTimer.unref();
  }

  private async recheckTenant() {
    try {
      const tenant = await this.ctx.db.selectFrom('tenants').select('state').where('id', '=', this.row.tenant_id).executeTakeFirst();
      if (tenant && tenant.state !== 'active') {
        return this.close(tenant.state === 'blocked' ? 'tenant_blocked' : 'tenant_restricted', RemoteSessionCloseCode.forbidden);
      }
      // The sign-in session's absolute end applies to its terminals too (revocation is pushed; expiry is not).
      const signIn = await this.ctx.db
        .selectFrom('sessions')
        .select(['revoked_at', 'absolute_expires_at'])
        .where('id', '=', this.row.auth_session_id)
        .executeTakeFirst();
      if (!signIn || signIn.revoked_at || new Date(signIn.absolute_expires_at) <= this.ctx.clock.now()) {
        this.close('session_ended', RemoteSessionCloseCode.revoked);
      }
    } catch (error) {
      this.ctx.logger.warn({ err: error, sessionId: this.id }, 'could not re-check the tenant of a remote session');
    }
  }

  get id() {
    return this.row.id;
  }
  get endpointId() {
    return this.row.endpoint_id;
  }
  protected get ctx() {
    return this.env.ctx;
  }

  abstract start(): Promise<void>;
  protected abstract handleConsole(message: ConsoleMessage): Promise<void> | void;
  abstract handleAgent(message: SessionAgentMessage): void;
  /** Tells the agent to stop (pty closed / capture stopped). */
  protected abstract stopAgentSide(reason: string): void;

  consoleMessage(message: ConsoleMessage): Promise<void> | void {
    if (this.closed) return;
    this.touch();
    if (message.type === 'ping') return this.send({ type: 'pong', id: message.id });
    if (message.type === 'close') return this.close('closed_by_user', RemoteSessionCloseCode.normal);
    if (message.type === 'hello') return this.send({ type: 'error', code: 'bad_message', message: 'hello was already accepted' });
    return this.handleConsole(message);
  }

  protected send(message: ServerMessage) {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > this.env.options.maxConsoleBufferedBytes) {
      // Bounded memory: a console that cannot keep up loses the session rather than the server its memory.
      this.close('console_too_slow', RemoteSessionCloseCode.serverError);
      return;
    }
    this.socket.send(JSON.stringify(message));
  }

  protected sendAgent(message: ServerToAgentMessage): boolean {
    return this.env.hub.sendToAgent(this.endpointId, message);
  }

  private touch() {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.close('idle_timeout', RemoteSessionCloseCode.idleTimeout), this.env.options.idleTimeoutMs);
    this.idleTimer.unref();
  }

  protected orderTimes() {
    const issuedAt = this.ctx.clock.now().getTime();
    return { issuedAt, expiresAt: issuedAt + ORDER_TTL_MS };
  }

  /** Ends the session: tells the console and the agent, stores counters and transcript, audits. Idempotent. */
  close(reason: string, code: number = RemoteSessionCloseCode.normal, exitCode: number | null = null) {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    clearInterval(this.tenantTimer);
    if (reason !== 'closed_by_agent' && reason !== 'process_exited' && reason !== 'agent_disconnected') this.stopAgentSide(reason);
    if (this.socket.readyState === this.socket.OPEN) {
      this.socket.send(JSON.stringify({ type: 'closed', reason, exitCode } satisfies ServerMessage));
      this.socket.close(code, reason.slice(0, 100));
    }
    this.transcript.event('closed', reason);
    this.finished = this.finish(reason);
  }

  /** Settles when the end of the session is stored (after `close`). */
  finished: Promise<void> | null = null;

  flushTranscript(): Promise<void> {
    return this.transcript.flush();
  }

  private async finish(reason: string) {
    try {
      await this.transcript.close();
      const totals = this.transcript.totals;
      await this.ctx.db
        .updateTable('remote_sessions')
        .set({
          status: 'closed',
          closed_at: this.ctx.clock.now(),
          close_reason: reason,
          lines_allowed: this.counters.allowed,
          lines_flagged: this.counters.flagged,
          lines_blocked: this.counters.blocked,
          frames: this.counters.frames,
          input_chars: totals.inputChars,
          output_chars: totals.outputChars,
          transcript_truncated: totals.truncated,
        })
        .where('id', '=', this.id)
        .execute();
      const terminal = this.row.kind === 'terminal';
      await recordAudit(this.ctx, {
        action: terminal ? 'terminal.closed' : 'viewer.closed',
        principal: this.principal,
        meta: this.meta,
        tenantId: this.row.tenant_id,
        targetType: 'endpoint',
        targetId: this.endpointId,
        details: terminal
          ? { sessionId: this.id, reason, linesAllowed: this.counters.allowed, linesBlocked: this.counters.blocked }
          : { sessionId: this.id, reason, frames: this.counters.frames },
      });
    } catch (error) {
      this.ctx.logger.error({ err: error, sessionId: this.id }, 'could not record the end of a remote session');
    } finally {
      this.env.onFinished(this);
    }
  }
}

// ------------------------------------------------------------------ terminal

export class TerminalRelay extends SessionRelay {
  private mode: TerminalMode;
  private checker: TerminalLineChecker;
  private seq = 0;
  private rawGrant: { envelope: SignedEnvelope; rawUntil: number } | null = null;
  private trustCheckedAt = 0;
  private queue: Promise<void> = Promise.resolve();
  private opened = false;
  private openTimer: NodeJS.Timeout | null = null;

  constructor(
    env: RelayEnvironment,
    row: RemoteSessionRow,
    principal: UserPrincipal,
    socket: WebSocket,
    meta: RequestMeta,
    private readonly size: { cols: number; rows: number },
    private readonly platform: Platform,
  ) {
    super(env, row, principal, socket, meta);
    this.mode = row.mode ?? 'line';
    this.checker = new TerminalLineChecker(
      env.ctx,
      {
        sessionId: row.id,
        tenantId: row.tenant_id,
        endpointId: row.endpoint_id,
        userId: row.user_id,
        shell: this.shell,
        platform,
        meta,
      },
      env.options.lineCheckerDeps,
    );
  }

  private get shell(): Shell {
    return (this.row.shell ?? 'bash') as Shell;
  }

  async start() {
    const snapshot = await loadTenantPolicyContext(this.ctx, this.row.tenant_id);
    if (snapshot.state !== 'active')
      return this.close(snapshot.state === 'blocked' ? 'tenant_blocked' : 'tenant_restricted', RemoteSessionCloseCode.forbidden);
    if (this.mode === 'raw' && !(await this.grantRaw())) this.mode = 'line';
    const order: TerminalOrder = {
      kind: 'terminal',
      sessionId: this.id,
      endpointId: this.endpointId,
      tenantId: this.row.tenant_id,
      shell: this.shell,
      platform: this.platform,
      mode: this.mode,
      rawUntil: this.rawGrant?.rawUntil ?? null,
      policy: toWirePolicyContext(snapshot.policy),
      ...this.orderTimes(),
    };
    const envelope = await this.env.hub.signOrder(order);
    if (this.closed) return;
    this.transcript.event('opened', `${this.shell} ${this.size.cols}x${this.size.rows} ${this.mode} mode`);
    const sent = this.sendAgent({
      v: 1,
      type: 'terminal.open',
      sessionId: this.id,
      shell: this.shell,
      cols: this.size.cols,
      rows: this.size.rows,
      order: envelope,
    });
    if (!sent) return this.close('agent_disconnected', RemoteSessionCloseCode.agentUnavailable);
    this.openTimer = setTimeout(() => {
      if (!this.opened) this.close('agent_did_not_answer', RemoteSessionCloseCode.agentUnavailable);
    }, this.env.options.agentOpenTimeoutMs);
    this.openTimer.unref();
  }

  /** Signs a raw grant until the end of the tenant's extended trust; false (and line mode) without it. */
  private async grantRaw(): Promise<boolean> {
    const snapshot = await loadTenantPolicyContext(this.ctx, this.row.tenant_id);
    const now = this.ctx.clock.now().getTime();
    this.trustCheckedAt = now;
    const trust = snapshot.policy.trust;
    if (snapshot.state !== 'active' || trust.level !== 'extended' || trust.expiresAt <= now) {
      this.rawGrant = null;
      return false;
    }
    const grant: TerminalRawGrant = {
      kind: 'terminal_raw',
      sessionId: this.id,
      endpointId: this.endpointId,
      rawUntil: trust.expiresAt,
      issuedAt: now,
    };
    this.rawGrant = { envelope: await this.env.hub.signOrder(grant), rawUntil: trust.expiresAt };
    return true;
  }

  private toLineMode(message: string) {
    this.mode = 'line';
    this.rawGrant = null;
    this.transcript.event('mode', `line: ${message}`);
    this.send({ type: 'mode', mode: 'line', message });
  }

  protected handleConsole(message: ConsoleMessage) {
    if (!this.opened) {
      if (message.type === 'resize') return;
      return this.send({ type: 'error', code: 'not_ready', message: 'the terminal is still opening on the endpoint' });
    }
    // One at a time and in order: a line's history must include every earlier line.
    this.queue = this.queue
      .then(() => this.process(message))
      .catch((error: unknown) => {
        this.ctx.logger.error({ err: error, sessionId: this.id }, 'terminal message failed');
        this.send({ type: 'error', code: 'server_error', message: 'the server could not process this message' });
      });
    return this.queue;
  }

  private async process(message: ConsoleMessage) {
    if (this.closed) return;
    switch (message.type) {
      case 'line':
        return this.line(message.id, message.text);
      case 'input':
        return this.raw(message.data);
      case 'interrupt': {
        this.transcript.input('interrupt', '^C');
        if (this.mode === 'raw') return this.raw('\u0003', true);
        const order: TerminalInterruptOrder = {
          kind: 'terminal_interrupt',
          sessionId: this.id,
          endpointId: this.endpointId,
          seq: this.seq++,
          ...this.orderTimes(),
        };
        this.sendAgent({ v: 1, type: 'terminal.input', sessionId: this.id, data: '\u0003', order: await this.env.hub.signOrder(order) });
        return;
      }
      case 'resize':
        this.sendAgent({ v: 1, type: 'terminal.resize', sessionId: this.id, cols: message.size.cols, rows: message.size.rows });
        return;
      case 'set_mode':
        if (message.mode === 'line') {
          if (this.mode !== 'line') this.toLineMode('line mode as requested');
          else this.send({ type: 'mode', mode: 'line', message: 'line mode' });
          return;
        }
        if (await this.grantRaw()) {
          this.mode = 'raw';
          this.transcript.event('mode', `raw until ${new Date(this.rawGrant!.rawUntil).toISOString()}`);
          this.send({
            type: 'mode',
            mode: 'raw',
            message: `raw mode until extended trust ends (${new Date(this.rawGrant!.rawUntil).toISOString()})`,
          });
        } else {
          this.transcript.event('mode', 'raw mode refused: no extended trust');
          this.send({
            type: 'error',
            code: 'raw_mode_requires_extended_trust',
            message: 'Raw mode needs extended trust for your organisation; lines are checked one by one instead',
          });
          this.send({ type: 'mode', mode: 'line', message: 'line mode (raw mode needs extended trust)' });
        }
        return;
      default:
        return;
    }
  }

  private async line(id: string, text: string) {
    if (this.mode !== 'line') {
      this.transcript.input('line', text, 'refused');
      this.send({ type: 'line_result', id, decision: 'refused', reasons: [], message: 'In raw mode send keystrokes (input), not lines' });
      return;
    }
    const verdict = await this.checker.check(text);
    if (this.closed) return;
    if (verdict.decision === 'refused') {
      this.transcript.input('line', text, 'refused');
      this.send({ type: 'line_result', id, decision: 'refused', reasons: [], message: verdict.message });
      return;
    }
    const codes = verdict.reasons.map((reason) => reason.code);
    this.transcript.input('line', text, verdict.decision, codes.length > 0 ? codes : null);
    if (!verdict.forward) {
      this.counters.blocked++;
      this.send({ type: 'line_result', id, decision: 'block', reasons: verdict.reasons });
      return;
    }
    const order: TerminalLineOrder = {
      kind: 'terminal_line',
      sessionId: this.id,
      endpointId: this.endpointId,
      seq: this.seq++,
      text,
      ...this.orderTimes(),
    };
    const sent = this.sendAgent({
      v: 1,
      type: 'terminal.input',
      sessionId: this.id,
      data: text + '\r',
      order: await this.env.hub.signOrder(order),
    });
    if (!sent) return this.close('agent_disconnected', RemoteSessionCloseCode.agentUnavailable);
    if (verdict.decision === 'flag') this.counters.flagged++;
    else this.counters.allowed++;
    this.send({ type: 'line_result', id, decision: verdict.decision, reasons: verdict.reasons });
  }

  private async raw(data: string, recorded = false) {
    if (!recorded) this.transcript.input('raw', data, this.mode === 'raw' ? null : 'refused');
    if (this.mode !== 'raw' || !this.rawGrant) {
      this.send({
        type: 'error',
        code: 'raw_mode_requires_extended_trust',
        message: 'Keystrokes are only relayed in raw mode, which needs extended trust; send whole lines',
      });
      return;
    }
    const now = this.ctx.clock.now().getTime();
    if (now >= this.rawGrant.rawUntil || now - this.trustCheckedAt >= this.env.options.trustRecheckMs) {
      // Trust may have ended or been revoked early (on any instance): read it again before relaying.
      if (!(await this.grantRaw())) {
        this.toLineMode('extended trust ended: back to line mode; this input was not sent');
        return;
      }
    }
    if (!this.sendAgent({ v: 1, type: 'terminal.input', sessionId: this.id, data, order: this.rawGrant.envelope })) {
      this.close('agent_disconnected', RemoteSessionCloseCode.agentUnavailable);
    }
  }

  handleAgent(message: SessionAgentMessage) {
    if (this.closed) return;
    switch (message.type) {
      case 'terminal.opened':
        if (this.opened) return;
        this.opened = true;
        if (this.openTimer) clearTimeout(this.openTimer);
        this.send({
          type: 'ready',
          protocol: 1,
          sessionId: this.id,
          kind: 'terminal',
          mode: this.mode,
          endpointId: this.endpointId,
          idleTimeoutSeconds: Math.round(this.env.options.idleTimeoutMs / 1000),
        });
        return;
      case 'terminal.output':
        this.transcript.output(message.data);
        this.send({ type: 'output', data: message.data });
        return;
      case 'terminal.exit':
        this.close(message.reason === 'idle_timeout' ? 'idle_timeout' : 'process_exited', RemoteSessionCloseCode.normal, message.exitCode);
        return;
      case 'terminal.refused':
        this.transcript.event('agent_refused', `${message.code}: ${message.message}`);
        if (!this.opened) return this.close(`agent_refused:${message.code}`.slice(0, 60), RemoteSessionCloseCode.agentUnavailable);
        this.send({ type: 'error', code: 'agent_refused', message: `The endpoint refused: ${message.message}` });
        return;
      default:
        return;
    }
  }

  protected stopAgentSide(reason: string) {
    if (this.openTimer) clearTimeout(this.openTimer);
    this.sendAgent({ v: 1, type: 'terminal.close', sessionId: this.id, reason: reason.slice(0, 200) });
  }
}

// ------------------------------------------------------------------ viewer

export class ViewerRelay extends SessionRelay {
  private started = false;
  private openTimer: NodeJS.Timeout | null = null;

  async start() {
    const snapshot = await loadTenantPolicyContext(this.ctx, this.row.tenant_id);
    if (snapshot.state !== 'active')
      return this.close(snapshot.state === 'blocked' ? 'tenant_blocked' : 'tenant_restricted', RemoteSessionCloseCode.forbidden);
    const order: ViewerOrder = {
      kind: 'viewer',
      sessionId: this.id,
      endpointId: this.endpointId,
      tenantId: this.row.tenant_id,
      ...this.orderTimes(),
    };
    const envelope = await this.env.hub.signOrder(order);
    if (this.closed) return;
    this.transcript.event('opened', 'viewer');
    if (!this.sendAgent({ v: 1, type: 'viewer.start', sessionId: this.id, maxFps: 2, order: envelope })) {
      return this.close('agent_disconnected', RemoteSessionCloseCode.agentUnavailable);
    }
    this.send({
      type: 'ready',
      protocol: 1,
      sessionId: this.id,
      kind: 'viewer',
      endpointId: this.endpointId,
      idleTimeoutSeconds: Math.round(this.env.options.idleTimeoutMs / 1000),
    });
    this.openTimer = setTimeout(() => {
      if (!this.started) this.close('agent_did_not_answer', RemoteSessionCloseCode.agentUnavailable);
    }, this.env.options.agentOpenTimeoutMs);
    this.openTimer.unref();
  }

  protected handleConsole(message: ConsoleMessage) {
    // View only: nothing from the console reaches the endpoint.
    if (
      message.type === 'line' ||
      message.type === 'input' ||
      message.type === 'interrupt' ||
      message.type === 'set_mode' ||
      message.type === 'resize'
    ) {
      this.send({ type: 'error', code: 'view_only', message: 'A viewer session is view-only' });
    }
  }

  handleAgent(message: SessionAgentMessage) {
    if (this.closed) return;
    if (message.type === 'viewer.frame') {
      this.started = true;
      this.counters.frames++;
      this.send({
        type: 'frame',
        seq: message.seq,
        format: message.mime === 'image/jpeg' ? 'jpeg' : 'png',
        width: message.width,
        height: message.height,
        data: message.data,
        capturedAt: this.ctx.clock.now().toISOString(),
      });
    } else if (message.type === 'viewer.error') {
      this.transcript.event('agent_refused', `${message.code}: ${message.message}`);
      if (!this.started) return this.close(`agent_refused:${message.code}`.slice(0, 60), RemoteSessionCloseCode.agentUnavailable);
      this.send({ type: 'error', code: 'agent_error', message: message.message });
    }
  }

  protected stopAgentSide() {
    if (this.openTimer) clearTimeout(this.openTimer);
    this.sendAgent({ v: 1, type: 'viewer.stop', sessionId: this.id });
  }
}

/**
 * The console's main-process logic, free of Electron: sign-in flows, the session and its
 * vault entry, admin-API calls, the policy pre-check, terminals and viewers. Electron
 * (main/index.ts) and the browser host (main/web-host) both build one of these and put
 * its handlers behind the validated IPC gate.
 */
import { adminApi } from '../../shared/api/routes';
import { ApiCallError, callApi, type ApiTransport } from '../../shared/api/client';
import { controlsRoutes } from '../../shared/api/controls-routes';
import type { MeResponse, TokenResponse } from '../../shared/api/auth';
import type { ExecutionStatus } from '../../shared/api/endpoints';
import type { RouteContract } from '../../shared/api/route-contract';
import type { Platform, Shell } from '../../shared/policy';
import { IpcEvent } from '../../shared/ipc/channels';
import { checkServerUrl } from '../../shared/ipc/server-url';
import { ConsoleErrorCode, type SessionView } from '../../shared/ipc/schemas';
import { MAX_DOWNLOAD_CHARS, type ConsoleDownloadRouteName } from '../../shared/ipc/api-routes';
import type { IpcHandlers } from '../ipc/ipc-gate';
import { fieldMessages } from '../ipc/ipc-gate';
import { scrubCredentials } from '../ipc/scrub';
import { ConsoleFailure } from './failure';
import type { ConsoleLogger } from './logger';
import { PolicyPrecheck } from './policy-precheck';
import type { PrefsStore } from './prefs';
import { NO_LAUNCH_SETTINGS, type LaunchSettings } from './launch';
import { RemoteSessions, type ConsoleRefusal, type EmitEvent, type OpenedRemoteSession, type SocketFactory } from './remote-sessions';
import { ServerSession, SessionEndedError, type RouteCallInput, type SessionEnd } from './server-session';
import type { TokenVault } from './vault';

export interface Timers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface ConsoleCoreDeps {
  host: 'electron' | 'browser';
  version: string;
  prefs: PrefsStore;
  vault: TokenVault;
  transportFor: (origin: string) => ApiTransport;
  socketFactory: SocketFactory;
  /** Validated event sink to the renderer (see main/ipc/events.ts). */
  emit: EmitEvent;
  log: ConsoleLogger;
  /** Opens an allow-listed link outside the app (Electron: main/security/external-links.ts). */
  openAllowedLink: (url: string) => Promise<boolean>;
  /** Shown in the server's session list. */
  clientName: string;
  timers?: Timers;
  /** How often `me` is polled so a revocation elsewhere reaches the console within seconds. */
  pollIntervalMs?: number;
  /** What the launcher (`npm start`) passed: its server (becomes the preferred one) and first-run token. */
  launch?: LaunchSettings;
}

interface PendingSignIn {
  origin: string;
  email: string;
  challengeToken: string;
  next: 'mfa' | 'enroll';
}

const DEFAULT_POLL_MS = 5_000;

export class ConsoleCore {
  #pending: PendingSignIn | null = null;
  #session: ServerSession | null = null;
  #poll: unknown = null;
  readonly #precheck: PolicyPrecheck;
  readonly #remote: RemoteSessions;
  readonly #timers: Timers;
  #launch: LaunchSettings;

  constructor(private readonly deps: ConsoleCoreDeps) {
    this.#launch = deps.launch ?? NO_LAUNCH_SETTINGS;
    // The launcher's server is the one to use now; a remembered account of another server is not resumed there.
    const prefs = deps.prefs.read();
    if (this.#launch.serverUrl && prefs.serverUrl !== this.#launch.serverUrl) {
      deps.prefs.write({ ...prefs, serverUrl: this.#launch.serverUrl, lastAccount: null });
    }
    this.#timers = deps.timers ?? {
      setInterval: (cb, ms) => setInterval(cb, ms),
      clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
    };
    this.#precheck = new PolicyPrecheck((tenantId) =>
      this.#requireSession().call(controlsRoutes.policyContext, { params: { id: tenantId } }),
    );
    this.#remote = new RemoteSessions({
      origin: () => this.#requireSession().origin,
      accessToken: () => this.#requireSession().accessToken(),
      socketFactory: deps.socketFactory,
      precheck: this.#precheck,
      emit: deps.emit,
      log: deps.log,
      onSessionRevoked: () => void this.pollNow(),
      reportRefusal: (refusal) => this.#reportRefusal(refusal),
    });
  }

  get signedIn(): boolean {
    return this.#session !== null;
  }

  /** Asks the server whether the session is still alive; ends it locally if not. */
  async pollNow(): Promise<void> {
    const session = this.#session;
    if (!session) return;
    try {
      await session.call(adminApi.me, {});
    } catch (error) {
      // Network trouble is not a revocation; a revocation was already handled by onEnded.
      if (!(error instanceof SessionEndedError))
        this.deps.log.info('session check failed', { error: error instanceof Error ? error.name : 'unknown' });
    }
  }

  /** Stops timers and sockets (app quit). The keychain entry stays so the next start resumes. */
  shutdown(): void {
    this.#stopPolling();
    this.#remote.closeAll();
  }

  readonly handlers: IpcHandlers = {
    'app:info': () => ({ name: 'Bulwark', version: this.deps.version, host: this.deps.host }),

    'prefs:get-server-url': () => ({ serverUrl: this.deps.prefs.read().serverUrl }),
    'prefs:set-server-url': ({ serverUrl }) => {
      const origin = this.#origin(serverUrl);
      this.deps.prefs.write({ ...this.deps.prefs.read(), serverUrl: origin });
      return { serverUrl: origin };
    },

    'setup:status': async ({ serverUrl }) => {
      const origin = this.#origin(serverUrl);
      const status = await callApi(this.deps.transportFor(origin), adminApi.setupStatus, {});
      return {
        firstAdminNeeded: status.firstAdminNeeded,
        firstRunEnabled: status.firstRunEnabled,
        canCreateFirstAdmin: status.firstAdminNeeded && status.firstRunEnabled && this.#firstRunTokenFor(origin) !== null,
      };
    },
    'setup:create-first-admin': async ({ serverUrl, email, displayName, password }) => {
      const origin = this.#origin(serverUrl);
      const firstRunToken = this.#firstRunTokenFor(origin);
      if (!firstRunToken) {
        throw new ConsoleFailure(
          ConsoleErrorCode.firstRunUnavailable,
          'This console was not started with this server’s first-run token: start Bulwark with `npm start`, ' +
            'or create the first admin on the server with `npm run server -- create-admin`',
        );
      }
      try {
        const { user } = await callApi(this.deps.transportFor(origin), adminApi.createFirstAdmin, {
          body: { firstRunToken, email, password, ...(displayName ? { displayName } : {}) },
        });
        // Used: the server accepts it only while no platform admin exists, so main forgets it.
        this.#launch = { ...this.#launch, firstRunToken: null };
        this.deps.prefs.write({ ...this.deps.prefs.read(), serverUrl: origin });
        return { user: { id: user.id, email: user.email, displayName: user.displayName, role: user.role } };
      } catch (error) {
        throw withFormFields(error);
      }
    },

    'auth:sign-in': async ({ serverUrl, email, password }) => {
      const origin = this.#origin(serverUrl);
      this.#pending = null;
      const answer = await callApi(this.deps.transportFor(origin), adminApi.login, {
        body: { email, password, clientName: this.deps.clientName },
      });
      this.#pending = { origin, email, challengeToken: answer.challengeToken, next: answer.next };
      this.deps.prefs.write({ ...this.deps.prefs.read(), serverUrl: origin });
      return { next: answer.next, challengeExpiresAt: answer.expiresAt };
    },
    'auth:start-enrollment': async () => {
      const pending = this.#requirePending('enroll');
      const answer = await callApi(this.deps.transportFor(pending.origin), adminApi.enroll, {
        body: { challengeToken: pending.challengeToken },
      });
      return { otpauthUri: answer.otpauthUrl };
    },
    'auth:verify-code': async ({ code }) => {
      const pending = this.#requirePending();
      const route = pending.next === 'mfa' ? adminApi.mfa : adminApi.enrollVerify;
      const tokens = await callApi(this.deps.transportFor(pending.origin), route, {
        body: { challengeToken: pending.challengeToken, code },
      });
      this.#pending = null;
      const session = this.#startSession(pending.origin, pending.email, tokens);
      await session.remember();
      this.deps.prefs.write({ ...this.deps.prefs.read(), serverUrl: pending.origin, lastAccount: pending.email });
      return this.#view(session, await session.call(adminApi.me, {}));
    },
    'auth:resume': async () => {
      if (this.#session) return this.#view(this.#session, await this.#session.call(adminApi.me, {}));
      const { serverUrl, lastAccount } = this.deps.prefs.read();
      if (!serverUrl || !lastAccount) return null;
      const origin = this.#origin(serverUrl);
      const remembered = await this.deps.vault.load(origin, lastAccount);
      if (!remembered) return null;
      const session = this.#startSession(origin, lastAccount, {
        sessionId: remembered.sessionId,
        accessToken: '',
        accessTokenExpiresAt: new Date(0).toISOString(),
        refreshToken: remembered.refreshToken,
        refreshTokenExpiresAt: remembered.refreshTokenExpiresAt,
        sessionExpiresAt: remembered.sessionExpiresAt,
      });
      session.vault = { remembered: true, message: null };
      try {
        await session.refresh();
        return this.#view(session, await session.call(adminApi.me, {}));
      } catch (error) {
        if (error instanceof SessionEndedError) return null;
        this.#dropSession();
        throw error;
      }
    },
    'auth:sign-out': async () => {
      const session = this.#session;
      this.#dropSession();
      this.#pending = null;
      if (session) await session.signOut();
      return { signedOut: true as const };
    },
    'auth:me': async () => {
      const session = this.#requireSession();
      return this.#view(session, await session.call(adminApi.me, {}));
    },
    'auth:step-up': async ({ action, code }) => this.#requireSession().call(adminApi.stepUp, { body: { action, code } }),

    'api:call': async ({ route: name, input }) => {
      const route = adminApi[name] as RouteContract;
      const answer = await this.#requireSession().callRoute(route, validateRouteInput(route, input));
      // Enroll-token creation must show its one-time secret; everything else is scrubbed of credential-named strings.
      return name === 'createEnrollToken' ? answer : scrubCredentials(answer);
    },

    'api:download': async ({ route: name, input }) => {
      const route = adminApi[name] as RouteContract;
      const validated = validateRouteInput(route, input);
      const content = await this.#requireSession().download(route, validated);
      if (content.length > MAX_DOWNLOAD_CHARS) {
        throw new ConsoleFailure(
          ConsoleErrorCode.downloadTooLarge,
          `This export is larger than ${MAX_DOWNLOAD_CHARS / 1024 / 1024} MiB; narrow the filters (time range, tenant) and export again`,
        );
      }
      const format = (validated.query as { format?: string } | undefined)?.format === 'jsonl' ? 'jsonl' : 'csv';
      return {
        filename: `${DOWNLOAD_NAMES[name]}-${new Date().toISOString().replace(/[:.]/g, '-')}.${format}`,
        contentType: format === 'csv' ? ('text/csv' as const) : ('application/x-ndjson' as const),
        content,
      };
    },

    'policy:check': async ({ endpointId, text, action }) => {
      const endpoint = await this.#endpointFacts(endpointId);
      const outcome = await this.#precheck.check({ ...endpoint, text, action });
      return outcome.blocked ? { sent: false as const, block: outcome.block } : { sent: true as const, flagged: outcome.flagged };
    },

    'terminal:open': async ({ endpointId, cols, rows }) => {
      const opened = await this.#openRemote('terminal', endpointId, { cols, rows });
      await this.#remote.connect('terminal', opened, { cols, rows });
      return { terminalId: opened.sessionId, endpointId, shell: opened.shell, platform: opened.platform };
    },
    'terminal:send-line': async ({ terminalId, line }) => this.#remote.sendLine(terminalId, line),
    'terminal:input': ({ terminalId, data }) => {
      this.#remote.input(terminalId, data);
      return { sent: true as const };
    },
    'terminal:set-mode': async ({ terminalId, mode }) => {
      const opened = this.#remote.get(terminalId);
      if (!opened) throw new ConsoleFailure(ConsoleErrorCode.terminalNotOpen, 'This terminal is closed; open it again');
      if (mode === 'raw') {
        // The server decides (and answers with event:terminal-mode); main does not even ask without extended trust.
        const context = await this.#requireSession().call(controlsRoutes.policyContext, { params: { id: opened.tenantId } });
        const expiresAt = context.trust.expiresAt ? Date.parse(context.trust.expiresAt) : 0;
        if (context.trust.level !== 'extended' || expiresAt <= Date.parse(context.now)) {
          throw new ConsoleFailure(
            'raw_mode_requires_extended_trust',
            'Raw keystrokes are allowed only while the tenant has extended trust; ask a supervisor for it',
          );
        }
      }
      this.#remote.setMode(terminalId, mode);
      return { requested: mode };
    },
    'terminal:raw-input': ({ terminalId, data }) => {
      this.#remote.rawInput(terminalId, data);
      return { sent: true as const };
    },
    'terminal:resize': ({ terminalId, cols, rows }) => {
      this.#remote.resize(terminalId, cols, rows);
      return { resized: true as const };
    },
    'terminal:close': ({ terminalId }) => {
      this.#remote.close(terminalId);
      return { closed: true as const };
    },

    'viewer:start': async ({ endpointId }) => {
      const opened = await this.#openRemote('viewer', endpointId);
      await this.#remote.connect('viewer', opened);
      return { viewerId: opened.sessionId, endpointId };
    },
    'viewer:stop': ({ viewerId }) => {
      this.#remote.close(viewerId);
      return { stopped: true as const };
    },

    'scripts:run': async ({ scriptId, endpointIds }) => {
      const session = this.#requireSession();
      const script = await session.call(adminApi.getScript, { params: { id: scriptId } });
      const runs = [];
      for (const endpointId of endpointIds) {
        try {
          const endpoint = await this.#endpointFacts(endpointId);
          const outcome = await this.#precheck.check({ ...endpoint, shell: script.shell, text: script.body, action: 'script' });
          if (outcome.blocked) {
            await this.#reportRefusal({
              endpointId,
              kind: 'script_run',
              text: script.body,
              shell: script.shell,
              reasonCodes: outcome.block.reasons.map((r) => r.code),
            });
            runs.push({ endpointId, status: 'blocked' as const, runId: null, block: outcome.block, error: null });
            continue;
          }
          const answer = await session.call(adminApi.runScript, { params: { id: scriptId }, body: { endpointIds: [endpointId] } });
          runs.push({ endpointId, status: 'dispatched' as const, runId: answer.run.id, block: null, error: null });
          for (const execution of answer.executions) void this.#followExecution(session, answer.run.id, execution.id, execution.endpointId);
        } catch (error) {
          if (error instanceof SessionEndedError) throw error;
          runs.push({ endpointId, status: 'failed' as const, runId: null, block: null, error: describeFailure(error) });
        }
      }
      return { runs };
    },
    'schedules:create': async ({ scriptId, endpointIds, cron, name }) => {
      const session = this.#requireSession();
      const script = await session.call(adminApi.getScript, { params: { id: scriptId } });
      for (const endpointId of endpointIds) {
        const endpoint = await this.#endpointFacts(endpointId);
        const outcome = await this.#precheck.check({ ...endpoint, shell: script.shell, text: script.body, action: 'schedule' });
        if (outcome.blocked) {
          await this.#reportRefusal({
            endpointId,
            kind: 'schedule_run',
            text: script.body,
            shell: script.shell,
            reasonCodes: outcome.block.reasons.map((r) => r.code),
          });
          return { sent: false as const, block: outcome.block };
        }
      }
      await session.call(adminApi.createSchedule, { body: { scriptId, endpointIds, cron, name: name ?? `${script.name} (${cron})` } });
      return { sent: true as const, flagged: [] };
    },

    'external:open': async ({ url }) => ({ opened: await this.deps.openAllowedLink(url) }),
  };

  #origin(serverUrl: string): string {
    const check = checkServerUrl(serverUrl);
    if (!check.ok) throw new ConsoleFailure(ConsoleErrorCode.insecureServerUrl, check.message, { serverUrl: check.message });
    return check.origin;
  }

  /**
   * Reports a refusal by the console's own check, so it is in the server's audit trail like any
   * block. Awaited before the refusal is shown; if the server cannot take it (unreachable, older
   * server), the refusal still stands — nothing was sent — and the failure is logged.
   */
  async #reportRefusal(refusal: ConsoleRefusal): Promise<void> {
    try {
      await this.#requireSession().call(adminApi.reportConsoleRefusal, {
        body: {
          endpointId: refusal.endpointId,
          kind: refusal.kind,
          text: refusal.text.slice(0, MAX_REFUSAL_TEXT),
          shell: refusal.shell,
          ...(refusal.remoteSessionId ? { remoteSessionId: refusal.remoteSessionId } : {}),
          reasonCodes: refusal.reasonCodes.slice(0, 32),
        },
      });
    } catch (error) {
      if (error instanceof SessionEndedError) throw error;
      this.deps.log.warn('the console refusal could not be reported to the server', {
        kind: refusal.kind,
        error: error instanceof Error && 'code' in error ? String(error.code) : error instanceof Error ? error.name : 'unknown',
      });
    }
  }

  /**
   * Live progress of one dispatched execution for the renderer: long-polls the execution and
   * forwards new output until it is done (or the session ends).
   */
  async #followExecution(session: ServerSession, runId: string, executionId: string, endpointId: string): Promise<void> {
    let after = -1;
    try {
      for (;;) {
        if (this.#session !== session) return;
        const execution = await session.call(adminApi.getExecution, { params: { id: executionId }, query: { waitSeconds: 10 } });
        let output = '';
        for (;;) {
          const page = await session.call(adminApi.executionOutput, { params: { id: executionId }, query: { after } });
          output += page.chunks.map((chunk) => chunk.data).join('');
          if (page.nextAfter === after || page.chunks.length === 0) break;
          after = page.nextAfter;
        }
        this.deps.emit(IpcEvent.ScriptRunProgress, {
          runId,
          endpointId,
          status: progressStatus(execution.status, execution.exitCode),
          ...(output ? { output } : {}),
          exitCode: execution.exitCode,
        });
        if (execution.done) return;
      }
    } catch (error) {
      this.deps.log.info('stopped following a script run', { error: error instanceof Error ? error.name : 'unknown' });
    }
  }

  /** The launcher's token, only for the very server it was issued for. */
  #firstRunTokenFor(origin: string): string | null {
    return this.#launch.serverUrl === origin ? this.#launch.firstRunToken : null;
  }

  #requirePending(next?: 'enroll'): PendingSignIn {
    const pending = this.#pending;
    if (!pending || (next && pending.next !== next)) {
      throw new ConsoleFailure(ConsoleErrorCode.noPendingSignIn, 'Start again with your email and password');
    }
    return pending;
  }

  #requireSession(): ServerSession {
    if (!this.#session) throw new ConsoleFailure(ConsoleErrorCode.notSignedIn, 'Sign in to continue');
    return this.#session;
  }

  #startSession(origin: string, account: string, tokens: TokenResponse): ServerSession {
    this.#dropSession();
    const session = new ServerSession(
      {
        origin,
        account,
        transport: this.deps.transportFor(origin),
        vault: this.deps.vault,
        log: this.deps.log,
        onEnded: (end) => this.#onEnded(session, end),
      },
      tokens,
    );
    this.#session = session;
    this.#poll = this.#timers.setInterval(() => void this.pollNow(), this.deps.pollIntervalMs ?? DEFAULT_POLL_MS);
    return session;
  }

  #onEnded(session: ServerSession, end: SessionEnd): void {
    if (this.#session !== session) return;
    this.#dropSession();
    this.deps.emit(IpcEvent.SignedOut, { reason: end.reason, message: end.message });
  }

  #dropSession(): void {
    this.#stopPolling();
    this.#remote.closeAll();
    this.#session = null;
  }

  #stopPolling(): void {
    if (this.#poll !== null) this.#timers.clearInterval(this.#poll);
    this.#poll = null;
  }

  #view(session: ServerSession, me: MeResponse): SessionView {
    if (!me.user || !me.session) throw new ConsoleFailure(ConsoleErrorCode.notSignedIn, 'This sign-in is not a user session');
    return {
      serverUrl: session.origin,
      user: me.user,
      tenant: me.tenant,
      sessionId: me.session.id,
      sessionExpiresAt: me.session.expiresAt,
      stepUps: me.session.stepUps,
      vault: session.vault,
    };
  }

  async #endpointFacts(endpointId: string): Promise<{ tenantId: string; platform: Platform; shell: Shell }> {
    const endpoint = await this.#requireSession().call(adminApi.getEndpoint, { params: { id: endpointId } });
    const platform = endpoint.os.family;
    return { tenantId: endpoint.tenantId, platform, shell: defaultShell(platform) };
  }

  async #openRemote(kind: 'terminal' | 'viewer', endpointId: string, size?: { cols: number; rows: number }): Promise<OpenedRemoteSession> {
    const endpoint = await this.#endpointFacts(endpointId);
    const session = this.#requireSession();
    const opened =
      kind === 'terminal'
        ? await session.call(adminApi.openTerminalSession, {
            params: { id: endpointId },
            body: { cols: Math.max(2, size?.cols ?? 80), rows: size?.rows ?? 24 },
          })
        : await session.call(adminApi.openViewerSession, { params: { id: endpointId }, body: {} });
    return {
      sessionId: opened.sessionId,
      endpointId,
      tenantId: endpoint.tenantId,
      platform: endpoint.platform,
      shell: opened.shell ?? endpoint.shell,
    };
  }
}

/** Checks api:call input with the route's own schemas; parts the route does not take are refused. */
export function validateRouteInput(route: RouteContract, input: RouteCallInput): RouteCallInput {
  const out: RouteCallInput = {};
  const fields: Record<string, string> = {};
  for (const part of ['params', 'query', 'body'] as const) {
    const schema = route[part];
    // An absent query means "no filters".
    const value = part === 'query' ? (input.query ?? {}) : input[part];
    if (!schema) {
      if (input[part] !== undefined) fields[part] = `This action takes no ${part}`;
      continue;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) out[part] = parsed.data;
    else for (const [path, message] of Object.entries(fieldMessages(parsed.error))) fields[`${part}.${path}`] = message;
  }
  if (Object.keys(fields).length > 0) throw new ConsoleFailure(ConsoleErrorCode.invalidRequest, 'Some fields are not valid', fields);
  return out;
}

/** The longest refused text reported (the server's limit); the stored excerpt is shorter still. */
const MAX_REFUSAL_TEXT = 60_000;

const DOWNLOAD_NAMES: Record<ConsoleDownloadRouteName, string> = {
  exportScriptLogs: 'script-logs',
  exportAuditTimeline: 'audit-events',
  exportLoginEvents: 'login-events',
};

/** The server names body fields `body.password`; forms know them as `password`. */
function withFormFields(error: unknown): unknown {
  if (!(error instanceof ApiCallError) || Object.keys(error.fields).length === 0) return error;
  const fields = Object.fromEntries(Object.entries(error.fields).map(([key, message]) => [key.replace(/^body\./, ''), message]));
  return new ApiCallError(error.status, error.code, error.message, fields);
}

function describeFailure(error: unknown): { code: string; message: string } {
  if (error instanceof ConsoleFailure) return { code: error.code, message: error.message };
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return { code: error.code, message: error.message };
  return { code: ConsoleErrorCode.internal, message: 'The run could not be started' };
}

/** The server's execution status as the renderer's per-endpoint progress. */
function progressStatus(status: ExecutionStatus, exitCode: number | null): 'queued' | 'running' | 'succeeded' | 'failed' | 'blocked' {
  switch (status) {
    case 'dispatched':
      return 'queued';
    case 'running':
      return 'running';
    case 'completed':
      return exitCode === 0 ? 'succeeded' : 'failed';
    case 'refused_by_agent':
      return 'blocked';
    default:
      return 'failed';
  }
}

/** The server's default shell per platform (see OpenTerminalRequest). */
function defaultShell(platform: Platform): Shell {
  return platform === 'windows' ? 'powershell' : platform === 'macos' ? 'zsh' : 'bash';
}

/**
 * The live terminal and viewer sessions of this server process, and the console WebSocket that
 * carries them (`REMOTE_SESSION_SOCKET_PATH` on the admin listener).
 *
 * Authentication: the console sends `hello` (with its access token) as the first message; the token
 * never appears in the URL. The session must have been opened over HTTP by the same sign-in session
 * (step-up checked there) and not yet connected. The connection registers with LiveConnections, so
 * revoking the sign-in session or blocking the tenant (on any instance) closes it, and the endpoint's
 * pty or screen capture with it.
 */
import type { FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import type { WebSocket } from 'ws';
import {
  HELLO_TIMEOUT_MS,
  MAX_CONSOLE_MESSAGE_BYTES,
  parseConsoleMessage,
  REMOTE_SESSION_SOCKET_PATH,
  REMOTE_SESSION_SUBPROTOCOL,
  RemoteSessionCloseCode,
  type ConsoleMessage,
  type ServerMessage,
} from '../../shared/api/terminal-protocol';
import { agentHub, type AgentHub } from '../agents/hub';
import type { ServerContext } from '../context';
import { ApiError } from '../errors';
import { requestMeta } from '../http/routing';
import type { RequestMeta } from '../identity/principal';
import { authenticateAccessToken } from '../identity/sessions';
import { LiveConnections } from '../state/live-connections';
import { DEFAULT_RELAY_OPTIONS, TerminalRelay, ViewerRelay, type RelayOptions, type SessionRelay } from './relay';

const SESSION_AGENT_TYPES = [
  'terminal.opened',
  'terminal.output',
  'terminal.exit',
  'terminal.refused',
  'viewer.frame',
  'viewer.error',
] as const;

export class RemoteSessionService {
  private readonly relays = new Map<string, SessionRelay>();
  private live: LiveConnections | null = null;
  private starting: Promise<void> | null = null;
  private readonly unsubscribe: (() => void)[] = [];
  options: RelayOptions = DEFAULT_RELAY_OPTIONS;

  constructor(
    private readonly ctx: ServerContext,
    private readonly hub: AgentHub,
  ) {}

  start(): Promise<void> {
    this.starting ??= (async () => {
      this.live = await LiveConnections.attach(this.ctx.state);
      if (!this.ctx.config.databaseUrl) {
        // The embedded database serves one process only, so nothing can still be live after a restart:
        // close what a crash left open (it would otherwise count against the tenant's session limit).
        await this.ctx.db
          .updateTable('remote_sessions')
          .set({ status: 'closed', closed_at: this.ctx.clock.now(), close_reason: 'server_restart' })
          .where('status', '<>', 'closed')
          .execute();
      }
      this.unsubscribe.push(
        this.hub.onAgentMessage(SESSION_AGENT_TYPES, (endpointId, message) => {
          const relay = this.relays.get(message.sessionId);
          // An agent can only speak for sessions on its own endpoint.
          if (!relay || relay.endpointId !== endpointId) return;
          relay.handleAgent(message);
        }),
        this.hub.onAgentDisconnect((endpointId) => {
          for (const relay of [...this.relays.values()]) {
            if (relay.endpointId === endpointId) relay.close('agent_disconnected', RemoteSessionCloseCode.agentUnavailable);
          }
        }),
      );
    })();
    return this.starting;
  }

  get size() {
    return this.relays.size;
  }

  relay(id: string): SessionRelay | undefined {
    return this.relays.get(id);
  }

  /** Closes a live session (any instance only closes its own; others close through revocation or the DB status). */
  async closeSession(id: string, reason: string): Promise<boolean> {
    const relay = this.relays.get(id);
    if (!relay) return false;
    relay.close(reason, RemoteSessionCloseCode.normal);
    await relay.finished;
    return true;
  }

  async stop(): Promise<void> {
    const relays = [...this.relays.values()];
    for (const relay of relays) relay.close('server_shutdown', 1001);
    await Promise.allSettled(relays.map((relay) => relay.finished ?? Promise.resolve()));
    for (const off of this.unsubscribe.splice(0)) off();
    await this.live?.detach();
    this.live = null;
    this.starting = null;
  }

  /** Handles one console connection from upgrade to close. */
  accept(socket: WebSocket, meta: RequestMeta) {
    let relay: SessionRelay | null = null;
    let authenticating = false;
    const fail = (code: number, errorCode: string, message: string) => {
      if (socket.readyState === socket.OPEN) {
        socket.send(JSON.stringify({ type: 'error', code: errorCode, message } satisfies ServerMessage));
        socket.close(code, errorCode.slice(0, 100));
      }
    };
    const helloTimer = setTimeout(() => {
      if (!relay) fail(RemoteSessionCloseCode.unauthenticated, 'hello_timeout', `send hello within ${HELLO_TIMEOUT_MS / 1000} seconds`);
    }, HELLO_TIMEOUT_MS);
    helloTimer.unref();

    socket.on('message', (data, isBinary) => {
      if (isBinary) return fail(RemoteSessionCloseCode.protocolError, 'bad_message', 'binary frames are not part of the protocol');
      const parsed = parseConsoleMessage((data as Buffer).toString('utf8'));
      if (!parsed.ok) {
        if (socket.readyState === socket.OPEN)
          socket.send(JSON.stringify({ type: 'error', code: 'bad_message', message: parsed.error } satisfies ServerMessage));
        return;
      }
      if (relay) return void relay.consoleMessage(parsed.message);
      if (authenticating) return; // messages before the hello is accepted are dropped
      if (parsed.message.type !== 'hello') return fail(RemoteSessionCloseCode.unauthenticated, 'hello_required', 'send hello first');
      authenticating = true;
      this.hello(socket, parsed.message, meta).then(
        (accepted) => {
          clearTimeout(helloTimer);
          relay = accepted;
        },
        (error: unknown) => {
          clearTimeout(helloTimer);
          if (error instanceof ApiError) {
            const code =
              error.status === 401 || error.status === 404
                ? RemoteSessionCloseCode.unauthenticated
                : error.status === 409
                  ? RemoteSessionCloseCode.agentUnavailable
                  : RemoteSessionCloseCode.forbidden;
            return fail(code, error.code, error.message);
          }
          this.ctx.logger.error({ err: error }, 'remote session hello failed');
          fail(RemoteSessionCloseCode.serverError, 'internal_error', 'the server could not open this session');
        },
      );
    });
    socket.on('close', () => {
      clearTimeout(helloTimer);
      relay?.close('console_disconnected');
    });
    socket.on('error', (error) => this.ctx.logger.warn({ err: { message: error.message } }, 'console socket error'));
  }

  private async hello(socket: WebSocket, hello: Extract<ConsoleMessage, { type: 'hello' }>, meta: RequestMeta): Promise<SessionRelay> {
    await this.start();
    const principal = await authenticateAccessToken(this.ctx, hello.accessToken, meta);
    const row = await this.ctx.db.selectFrom('remote_sessions').selectAll().where('id', '=', hello.sessionId).executeTakeFirst();
    // Only the sign-in session that opened it (and passed the step-up) may connect it.
    if (!row || row.user_id !== principal.userId || row.auth_session_id !== principal.sessionId) {
      throw new ApiError(404, 'not_found', 'No such session; open one first');
    }
    const now = this.ctx.clock.now();
    if (row.status !== 'pending') throw new ApiError(409, 'session_used', 'This session was already connected or closed; open a new one');
    if (new Date(row.connect_by) <= now)
      throw new ApiError(401, 'session_expired', 'The session was not connected in time; open a new one');
    const claimed = await this.ctx.db
      .updateTable('remote_sessions')
      .set({ status: 'open', opened_at: now })
      .where('id', '=', row.id)
      .where('status', '=', 'pending')
      .returningAll()
      .executeTakeFirst();
    if (!claimed) throw new ApiError(409, 'session_used', 'This session was already connected; open a new one');
    if (socket.readyState !== socket.OPEN) {
      await this.ctx.db
        .updateTable('remote_sessions')
        .set({ status: 'closed', closed_at: now, close_reason: 'console_disconnected' })
        .where('id', '=', row.id)
        .execute();
      throw new ApiError(400, 'gone', 'the console went away');
    }
    const endpoint = await this.ctx.db.selectFrom('endpoints').select('os_family').where('id', '=', row.endpoint_id).executeTakeFirst();
    let unregister = () => {};
    const env = {
      ctx: this.ctx,
      hub: this.hub,
      options: this.options,
      onFinished: (finished: SessionRelay) => {
        unregister();
        if (this.relays.get(finished.id) === finished) this.relays.delete(finished.id);
      },
    };
    const relay: SessionRelay =
      claimed.kind === 'viewer'
        ? new ViewerRelay(env, claimed, principal, socket, meta)
        : new TerminalRelay(
            env,
            claimed,
            principal,
            socket,
            meta,
            { cols: claimed.cols ?? 80, rows: claimed.rows ?? 24 },
            endpoint?.os_family ?? 'linux',
          );
    this.relays.set(relay.id, relay);
    unregister =
      this.live?.register({ sessionId: principal.sessionId, userId: principal.userId, tenantId: row.tenant_id }, (reason) =>
        relay.close(reason.startsWith('tenant') ? 'tenant_blocked' : 'session_revoked', RemoteSessionCloseCode.revoked),
      ) ?? (() => {});
    await relay.start();
    return relay;
  }
}

const services = new WeakMap<ServerContext, RemoteSessionService>();

/** The service of this server process (one per ServerContext). */
export function remoteSessions(ctx: ServerContext): RemoteSessionService {
  let service = services.get(ctx);
  if (!service) services.set(ctx, (service = new RemoteSessionService(ctx, agentHub(ctx))));
  return service;
}

/** Registers the console WebSocket on the admin app (one line in buildAdminApp). */
export function registerRemoteSessionSocket(app: FastifyInstance, ctx: ServerContext) {
  const service = remoteSessions(ctx);
  void app.register(async (scope) => {
    await scope.register(websocket, {
      options: {
        maxPayload: MAX_CONSOLE_MESSAGE_BYTES,
        // Only our subprotocol is spoken; a client may also offer none.
        handleProtocols: (protocols) => (protocols.has(REMOTE_SESSION_SUBPROTOCOL) ? REMOTE_SESSION_SUBPROTOCOL : false),
      },
    });
    scope.get(REMOTE_SESSION_SOCKET_PATH, { websocket: true }, (socket, request) => service.accept(socket, requestMeta(request)));
  });
  // Before the first request: the start-up clean-up must not close sessions opened after it.
  app.addHook('onReady', () => service.start());
  app.addHook('onClose', async () => {
    await service.stop();
  });
}

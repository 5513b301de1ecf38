import type { WebSocket } from 'ws';
import {
  AGENT_PROTOCOL_VERSION,
  AgentCloseCode,
  parseAgentMessage,
  type AgentMessageType,
  type AgentToServerMessage,
  type Inventory,
  type ServerToAgentMessage,
} from '../../shared/agent-protocol/messages';
import type { SignedEnvelope } from '../../shared/agent-protocol/signing';
import type { ServerContext } from '../context';
import { LiveConnections } from '../state/live-connections';
import { inventoryColumns } from './endpoints';
import { loadAgentSigner, type AgentSigner } from './signing-key';

export const HEARTBEAT_INTERVAL_MS = 30_000;
const HELLO_TIMEOUT_MS = 10_000;
/** WebSocket pings find half-open TCP connections the heartbeat alone would leave hanging. */
const PING_INTERVAL_MS = 30_000;

export type DisconnectReason = 'tenant_blocked' | 'endpoint_revoked' | 'replaced' | 'server_shutdown' | 'protocol_error';

export interface AgentIdentity {
  endpointId: string;
  tenantId: string;
}

type AgentMessageHandler<T extends AgentMessageType> = (endpointId: string, message: Extract<AgentToServerMessage, { type: T }>) => void;
type AnyHandler = (endpointId: string, message: AgentToServerMessage) => void;

interface AgentConnection extends AgentIdentity {
  socket: WebSocket;
  ready: boolean;
  inventory: Inventory | null;
  connectedAt: Date;
  alive: boolean;
  unregister: () => void;
  timers: NodeJS.Timeout[];
}

const CLOSE_CODES: Record<DisconnectReason, number> = {
  tenant_blocked: AgentCloseCode.tenantBlocked,
  endpoint_revoked: AgentCloseCode.credentialRevoked,
  replaced: AgentCloseCode.replaced,
  server_shutdown: AgentCloseCode.serverShutdown,
  protocol_error: AgentCloseCode.protocolError,
};

/**
 * The live agent connections of this server instance, and the one place that talks to them.
 *
 * For other areas (terminal and viewer sessions):
 * - `isOnline(endpointId)`, `onlineEndpointIds()`
 * - `sendToAgent(endpointId, message)` → false when the agent is not connected here
 * - `onAgentMessage(type | types[], (endpointId, message) => void)` → unsubscribe; messages are
 *   already validated against the protocol schemas
 * - `waitForAgentMessage(endpointId, type, predicate, timeoutMs)` → the first matching message
 * - `onAgentDisconnect((endpointId, reason) => void)` → unsubscribe
 * - `signOrder(payloadObject)` → SignedEnvelope (Ed25519) for any order the agent should verify
 * - `disconnect(endpointId, reason)`
 * Get the hub with `agentHub(ctx)`; every listener of the same process shares it.
 */
export class AgentHub {
  private readonly connections = new Map<string, AgentConnection>();
  private readonly handlers = new Map<AgentMessageType, Set<AnyHandler>>();
  private readonly disconnectHandlers = new Set<(endpointId: string, reason: string) => void>();
  private readonly connectHandlers = new Set<(endpointId: string) => void>();
  private live: LiveConnections | null = null;
  private signer: Promise<AgentSigner> | null = null;
  private starting: Promise<void> | null = null;

  constructor(
    private readonly ctx: ServerContext,
    readonly heartbeatIntervalMs = HEARTBEAT_INTERVAL_MS,
  ) {}

  /** Subscribes to revocation notices (a blocked tenant's agents are cut off on every instance). */
  start(): Promise<void> {
    this.starting ??= LiveConnections.attach(this.ctx.state).then((live) => {
      this.live = live;
    });
    return this.starting;
  }

  async stop(): Promise<void> {
    for (const connection of [...this.connections.values()]) this.close(connection, 'server_shutdown', 'the server is shutting down');
    await this.live?.detach();
    this.live = null;
    this.starting = null;
  }

  get size(): number {
    return this.connections.size;
  }

  isOnline(endpointId: string): boolean {
    return this.connections.get(endpointId)?.ready === true;
  }

  onlineEndpointIds(): string[] {
    return [...this.connections.values()].filter((connection) => connection.ready).map((connection) => connection.endpointId);
  }

  signer$(): Promise<AgentSigner> {
    this.signer ??= loadAgentSigner(this.ctx).catch((error: unknown) => {
      this.signer = null;
      throw error;
    });
    return this.signer;
  }

  async signOrder(order: object): Promise<SignedEnvelope> {
    return (await this.signer$()).sign(JSON.stringify(order));
  }

  sendToAgent(endpointId: string, message: ServerToAgentMessage): boolean {
    const connection = this.connections.get(endpointId);
    if (!connection?.ready || connection.socket.readyState !== connection.socket.OPEN) return false;
    connection.socket.send(JSON.stringify(message));
    return true;
  }

  onAgentMessage<T extends AgentMessageType>(types: T | readonly T[], handler: AgentMessageHandler<T>): () => void {
    const list = (Array.isArray(types) ? types : [types]) as T[];
    for (const type of list) {
      let set = this.handlers.get(type);
      if (!set) this.handlers.set(type, (set = new Set()));
      set.add(handler as AnyHandler);
    }
    return () => {
      for (const type of list) this.handlers.get(type)?.delete(handler as AnyHandler);
    };
  }

  onAgentDisconnect(handler: (endpointId: string, reason: string) => void): () => void {
    this.disconnectHandlers.add(handler);
    return () => this.disconnectHandlers.delete(handler);
  }

  onAgentConnect(handler: (endpointId: string) => void): () => void {
    this.connectHandlers.add(handler);
    return () => this.connectHandlers.delete(handler);
  }

  /** Resolves with the first message of `type` from the endpoint that satisfies `predicate`; rejects on timeout or disconnect. */
  waitForAgentMessage<T extends AgentMessageType>(
    endpointId: string,
    type: T,
    predicate: (message: Extract<AgentToServerMessage, { type: T }>) => boolean,
    timeoutMs: number,
  ): Promise<Extract<AgentToServerMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        offMessage();
        offDisconnect();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${type} from the agent within ${timeoutMs} ms`));
      }, timeoutMs);
      const offMessage = this.onAgentMessage(type, (from, message) => {
        if (from !== endpointId || !predicate(message)) return;
        cleanup();
        resolve(message);
      });
      const offDisconnect = this.onAgentDisconnect((from, reason) => {
        if (from !== endpointId) return;
        cleanup();
        reject(new Error(`the agent disconnected (${reason})`));
      });
    });
  }

  /** Closes an endpoint's connection (after telling the agent why). Returns whether one was open. */
  disconnect(endpointId: string, reason: DisconnectReason, message = reason.replace('_', ' ')): boolean {
    const connection = this.connections.get(endpointId);
    if (!connection) return false;
    this.close(connection, reason, message);
    return true;
  }

  /** Takes over an authenticated WebSocket (see socket.ts). */
  accept(socket: WebSocket, identity: AgentIdentity) {
    const previous = this.connections.get(identity.endpointId);
    if (previous) this.close(previous, 'replaced', 'another connection with this credential replaced this one');
    const connection: AgentConnection = {
      ...identity,
      socket,
      ready: false,
      inventory: null,
      connectedAt: this.ctx.clock.now(),
      alive: true,
      unregister: () => undefined,
      timers: [],
    };
    this.connections.set(identity.endpointId, connection);
    connection.unregister =
      this.live?.register({ tenantId: identity.tenantId }, (reason) =>
        this.close(connection, 'tenant_blocked', `the tenant was blocked (${reason}); this agent is disconnected`),
      ) ?? (() => undefined);
    connection.timers.push(
      setTimeout(() => {
        if (!connection.ready) this.close(connection, 'protocol_error', 'no hello within 10 seconds', AgentCloseCode.helloTimeout);
      }, HELLO_TIMEOUT_MS),
    );
    const ping = setInterval(() => {
      if (!connection.alive) {
        socket.terminate();
        return;
      }
      connection.alive = false;
      socket.ping();
    }, PING_INTERVAL_MS);
    ping.unref();
    connection.timers.push(ping);
    socket.on('pong', () => {
      connection.alive = true;
    });
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        this.sendRaw(connection, {
          v: 1,
          type: 'error',
          code: 'invalid_message',
          message: 'binary frames are not part of the protocol',
          refType: null,
        });
        return;
      }
      this.receive(connection, (data as Buffer).toString('utf8'));
    });
    socket.on('error', (error) =>
      this.ctx.logger.warn({ endpointId: identity.endpointId, err: { message: error.message } }, 'agent socket error'),
    );
    socket.on('close', () => this.closed(connection, 'connection closed'));
  }

  private sendRaw(connection: AgentConnection, message: ServerToAgentMessage) {
    if (connection.socket.readyState === connection.socket.OPEN) connection.socket.send(JSON.stringify(message));
  }

  private receive(connection: AgentConnection, frame: string) {
    const parsed = parseAgentMessage(frame);
    if (!parsed.ok) {
      this.ctx.logger.warn(
        { endpointId: connection.endpointId, code: parsed.error.code, detail: parsed.error.message },
        'refused a malformed agent message',
      );
      if (parsed.error.refType !== 'error') this.sendRaw(connection, parsed.error);
      return;
    }
    const message = parsed.message;
    if (!connection.ready) {
      if (message.type !== 'hello') {
        this.sendRaw(connection, { v: 1, type: 'error', code: 'unexpected_message', message: 'send hello first', refType: message.type });
        return;
      }
      void this.hello(connection, message.inventory);
      return;
    }
    if (message.type === 'hello') {
      this.sendRaw(connection, {
        v: 1,
        type: 'error',
        code: 'unexpected_message',
        message: 'hello was already received',
        refType: 'hello',
      });
      return;
    }
    if (message.type === 'heartbeat') {
      void this.heartbeat(connection, message.seq);
      return;
    }
    if (message.type === 'error') {
      this.ctx.logger.warn(
        { endpointId: connection.endpointId, code: message.code, detail: message.message },
        'the agent refused a message',
      );
    }
    for (const handler of this.handlers.get(message.type) ?? []) {
      try {
        handler(connection.endpointId, message);
      } catch (error) {
        this.ctx.logger.error({ err: error, type: message.type }, 'an agent message handler failed');
      }
    }
  }

  private async hello(connection: AgentConnection, inventory: Inventory) {
    const now = this.ctx.clock.now();
    try {
      await this.ctx.db
        .updateTable('endpoints')
        .set({
          ...inventoryColumns(inventory),
          connected_at: now,
          last_seen_at: now,
        })
        .where('id', '=', connection.endpointId)
        .execute();
    } catch (error) {
      this.ctx.logger.error({ err: error, endpointId: connection.endpointId }, 'could not record an agent connection');
    }
    if (this.connections.get(connection.endpointId) !== connection || connection.socket.readyState !== connection.socket.OPEN) return;
    connection.ready = true;
    connection.inventory = inventory;
    this.sendRaw(connection, {
      v: AGENT_PROTOCOL_VERSION,
      type: 'hello.ack',
      endpointId: connection.endpointId,
      serverTime: now.getTime(),
      heartbeatIntervalMs: this.heartbeatIntervalMs,
    });
    this.ctx.logger.info({ endpointId: connection.endpointId, tenantId: connection.tenantId }, 'agent connected');
    for (const handler of this.connectHandlers) handler(connection.endpointId);
  }

  /** Each heartbeat also re-checks the credential and the tenant (revocations made on another instance). */
  private async heartbeat(connection: AgentConnection, seq: number) {
    const now = this.ctx.clock.now();
    try {
      const row = await this.ctx.db
        .updateTable('endpoints')
        .set({ last_seen_at: now })
        .from('tenants')
        .whereRef('tenants.id', '=', 'endpoints.tenant_id')
        .where('endpoints.id', '=', connection.endpointId)
        .returning(['endpoints.revoked_at', 'tenants.state'])
        .executeTakeFirst();
      if (!row || row.revoked_at) return void this.close(connection, 'endpoint_revoked', 'this endpoint was revoked');
      if (row.state === 'blocked') return void this.close(connection, 'tenant_blocked', 'the tenant is blocked');
    } catch (error) {
      this.ctx.logger.warn({ err: error, endpointId: connection.endpointId }, 'could not record a heartbeat');
    }
    this.sendRaw(connection, { v: 1, type: 'heartbeat.ack', seq, serverTime: now.getTime() });
  }

  private close(connection: AgentConnection, reason: DisconnectReason, message: string, code = CLOSE_CODES[reason]) {
    this.sendRaw(connection, { v: 1, type: 'disconnect', reason, message: message.slice(0, 500) });
    this.closed(connection, reason);
    try {
      connection.socket.close(code, reason);
    } catch {
      connection.socket.terminate();
    }
  }

  private closed(connection: AgentConnection, reason: string) {
    for (const timer of connection.timers) clearTimeout(timer);
    connection.timers = [];
    connection.unregister();
    if (this.connections.get(connection.endpointId) !== connection) return;
    this.connections.delete(connection.endpointId);
    const wasReady = connection.ready;
    connection.ready = false;
    if (!wasReady) return;
    this.ctx.logger.info({ endpointId: connection.endpointId, reason }, 'agent disconnected');
    void this.ctx.db
      .updateTable('endpoints')
      .set({ disconnected_at: this.ctx.clock.now() })
      .where('id', '=', connection.endpointId)
      .execute()
      .catch(() => undefined);
    for (const handler of this.disconnectHandlers) {
      try {
        handler(connection.endpointId, reason);
      } catch (error) {
        this.ctx.logger.error({ err: error }, 'an agent disconnect handler failed');
      }
    }
  }
}

const hubs = new WeakMap<ServerContext, AgentHub>();

/** The hub of this server process (one per ServerContext, shared by the admin and agent listeners). */
export function agentHub(ctx: ServerContext): AgentHub {
  let hub = hubs.get(ctx);
  if (!hub) hubs.set(ctx, (hub = new AgentHub(ctx)));
  return hub;
}

import { z } from 'zod';
import { WireReason } from './policy-wire';
import { SESSION_AGENT_MESSAGES, SESSION_SERVER_MESSAGES } from './sessions';
import { SignedEnvelope } from './signing';

/**
 * The server <-> agent protocol, version 1: one JSON object per WebSocket text frame, each with
 * `v` (protocol version) and `type`. Both ends validate every frame with these schemas; a frame
 * that fails is answered with an `error` message and the connection stays up.
 *
 * Connection: the agent opens `AGENT_SOCKET_PATH` on the agent listener with
 * `Authorization: Bearer <agent credential>` and sends `hello` first; the server answers
 * `hello.ack`. Refusals before the upgrade are plain HTTP errors (401 credential invalid or
 * endpoint revoked, 403 tenant blocked). `disconnect` precedes a close the server initiates.
 */
export const AGENT_PROTOCOL_VERSION = 1;
export const AGENT_SOCKET_PATH = '/agent/v1/connect';
export const AGENT_ENROLL_PATH = '/agent/v1/enroll';
/** Largest frame either side accepts. */
export const MAX_AGENT_FRAME_BYTES = 16 * 1024 * 1024;
/** An agent credential: `bwg_` + 256 random bits. */
export const AGENT_CREDENTIAL_PREFIX = 'bwg_';
/** An enroll token: `bwe_` + 256 random bits. */
export const ENROLL_TOKEN_PREFIX = 'bwe_';

/** Close codes (4000-4999 are application-defined). */
export const AgentCloseCode = {
  normal: 1000,
  protocolError: 4400,
  /** The credential stopped working (endpoint revoked): do not reconnect with it. */
  credentialRevoked: 4401,
  /** The tenant is blocked: reconnecting is refused until it is unblocked. */
  tenantBlocked: 4403,
  /** No hello in time. */
  helloTimeout: 4408,
  /** Another connection with the same credential replaced this one. */
  replaced: 4409,
  serverShutdown: 1001,
} as const;

const V = z.literal(AGENT_PROTOCOL_VERSION);
const ExecId = z.uuid();

export const Inventory = z.strictObject({
  hostname: z.string().min(1).max(255),
  os: z.strictObject({
    /** node's process.platform: win32, darwin, linux, ... */
    platform: z.string().min(1).max(40),
    release: z.string().max(200),
    version: z.string().max(500),
    arch: z.string().max(40),
  }),
  user: z.string().max(255),
  ips: z.array(z.string().max(64)).max(64),
  agentVersion: z.string().max(40),
});
export type Inventory = z.infer<typeof Inventory>;

// ------------------------------------------------------------------ agent -> server

export const Hello = z.strictObject({ v: V, type: z.literal('hello'), inventory: Inventory });
export const Heartbeat = z.strictObject({
  v: V,
  type: z.literal('heartbeat'),
  seq: z.number().int().min(0),
  uptimeSeconds: z.number().min(0),
});
export const ExecStarted = z.strictObject({ v: V, type: z.literal('exec.started'), execId: ExecId, pid: z.number().int().nullable() });
export const ExecOutput = z.strictObject({
  v: V,
  type: z.literal('exec.output'),
  execId: ExecId,
  stream: z.enum(['stdout', 'stderr']),
  /** Per execution, increasing from 0, so the server can order and de-duplicate. */
  seq: z.number().int().min(0),
  data: z.string().max(1024 * 1024),
});
export const ExecFinished = z.strictObject({
  v: V,
  type: z.literal('exec.finished'),
  execId: ExecId,
  exitCode: z.number().int().nullable(),
  signal: z.string().max(40).nullable(),
  timedOut: z.boolean(),
  /** Output went past maxOutputBytes: the rest was not sent and the process was stopped. */
  truncated: z.boolean(),
  durationMs: z.number().min(0),
  /** Set when the process could not be started (shell missing, spawn failure). */
  error: z.string().max(2000).nullable(),
});
export const REFUSAL_CODES = [
  'signature_missing',
  'signature_invalid',
  'unknown_key',
  'order_expired',
  'wrong_endpoint',
  'replayed',
  'hash_mismatch',
  'policy_blocked',
  'unsupported_shell',
  'malformed_order',
] as const;
export const RefusalCode = z.enum(REFUSAL_CODES);
export type RefusalCode = z.infer<typeof RefusalCode>;
/** The agent refused an order: what it checked and why (policy reasons when the engine blocked it). */
export const ExecRefused = z.strictObject({
  v: V,
  type: z.literal('exec.refused'),
  /** Null when the order was too malformed to read an id from. */
  execId: ExecId.nullable(),
  code: RefusalCode,
  message: z.string().max(2000),
  reasons: z.array(WireReason).max(200).optional(),
});
/** Either side: a frame it could not accept. Never answered with another error. */
export const ProtocolError = z.strictObject({
  v: V,
  type: z.literal('error'),
  code: z.enum(['malformed_json', 'invalid_message', 'unsupported_version', 'unexpected_message', 'frame_too_large']),
  message: z.string().max(2000),
  /** The offending message's type, when readable. */
  refType: z.string().max(100).nullable(),
});

export const AgentToServerMessage = z.discriminatedUnion('type', [
  Hello,
  Heartbeat,
  ExecStarted,
  ExecOutput,
  ExecFinished,
  ExecRefused,
  ProtocolError,
  ...SESSION_AGENT_MESSAGES,
]);
export type AgentToServerMessage = z.infer<typeof AgentToServerMessage>;

// ------------------------------------------------------------------ server -> agent

export const HelloAck = z.strictObject({
  v: V,
  type: z.literal('hello.ack'),
  endpointId: z.uuid(),
  serverTime: z.number(),
  heartbeatIntervalMs: z.number().int().min(1000).max(600_000),
});
export const HeartbeatAck = z.strictObject({
  v: V,
  type: z.literal('heartbeat.ack'),
  seq: z.number().int().min(0),
  serverTime: z.number(),
});
/** Run a command or script: `order` is a SignedEnvelope whose payload is an ExecOrder. Optional in the schema so the agent can answer an unsigned order with a `signature_missing` refusal instead of a parse error. */
export const ExecRun = z.strictObject({ v: V, type: z.literal('exec.run'), execId: ExecId, order: SignedEnvelope.optional() });
export const ExecCancel = z.strictObject({ v: V, type: z.literal('exec.cancel'), execId: ExecId });
export const Disconnect = z.strictObject({
  v: V,
  type: z.literal('disconnect'),
  reason: z.enum(['tenant_blocked', 'endpoint_revoked', 'replaced', 'server_shutdown', 'protocol_error']),
  message: z.string().max(500),
});

export const ServerToAgentMessage = z.discriminatedUnion('type', [
  HelloAck,
  HeartbeatAck,
  ExecRun,
  ExecCancel,
  Disconnect,
  ProtocolError,
  ...SESSION_SERVER_MESSAGES,
]);
export type ServerToAgentMessage = z.infer<typeof ServerToAgentMessage>;

export type AgentMessageType = AgentToServerMessage['type'];
export type ServerMessageType = ServerToAgentMessage['type'];
export type AgentMessageOf<T extends AgentMessageType> = Extract<AgentToServerMessage, { type: T }>;
export type ServerMessageOf<T extends ServerMessageType> = Extract<ServerToAgentMessage, { type: T }>;

export type ProtocolErrorMessage = z.infer<typeof ProtocolError>;
export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: ProtocolErrorMessage };

/**
 * Decodes one frame. Never throws: anything wrong becomes the `error` message to send back
 * (the caller must not answer an incoming `error` with another one).
 */
function parseFrame<T>(schema: z.ZodType<T>, frame: string, maxBytes = MAX_AGENT_FRAME_BYTES): ParseResult<T> {
  const fail = (code: ProtocolErrorMessage['code'], message: string, refType: string | null = null): ParseResult<T> => ({
    ok: false,
    error: { v: AGENT_PROTOCOL_VERSION, type: 'error', code, message: message.slice(0, 2000), refType },
  });
  if (frame.length > maxBytes) return fail('frame_too_large', `frame of ${frame.length} characters is over the ${maxBytes} limit`);
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    return fail('malformed_json', 'frame is not valid JSON');
  }
  const record = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  const refType = record && typeof record.type === 'string' ? record.type.slice(0, 100) : null;
  if (!record) return fail('invalid_message', 'a message must be a JSON object');
  if (record.v !== AGENT_PROTOCOL_VERSION) {
    return fail(
      'unsupported_version',
      `protocol version ${JSON.stringify(record.v ?? null)} is not supported (expected ${AGENT_PROTOCOL_VERSION})`,
      refType,
    );
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(message)'}: ${issue.message}`)
      .join('; ');
    return fail('invalid_message', `invalid ${refType ?? 'message'}: ${issues}`, refType);
  }
  return { ok: true, message: result.data };
}

export const parseAgentMessage = (frame: string) => parseFrame(AgentToServerMessage, frame);
export const parseServerMessage = (frame: string) => parseFrame(ServerToAgentMessage, frame);

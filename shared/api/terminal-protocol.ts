/**
 * Console <-> server WebSocket protocol for terminal and viewer sessions (version 1).
 *
 * Flow: the console opens a session over HTTP (`POST /api/v1/endpoints/:id/terminal-sessions`
 * or `.../viewer-sessions`, fresh step-up required), then connects a WebSocket to
 * `REMOTE_SESSION_SOCKET_PATH` on the admin listener with subprotocol `REMOTE_SESSION_SUBPROTOCOL`
 * and sends `hello` as its FIRST message, carrying the access token. The token never goes in the
 * URL (URLs end up in proxy and server logs). Until `hello` is accepted nothing else is read;
 * a connection without a valid `hello` within `HELLO_TIMEOUT_MS` is closed.
 *
 * Every message is one JSON text frame validated with the schemas below on both ends; a malformed
 * message is answered with `error` (code `bad_message`) and the connection stays open.
 */
import { z } from 'zod';
import { REASON_CODES } from '../policy/types';

export const TERMINAL_PROTOCOL_VERSION = 1;
export const REMOTE_SESSION_SOCKET_PATH = '/api/v1/remote-sessions/socket';
export const REMOTE_SESSION_SUBPROTOCOL = 'bulwark.remote-session.v1';
export const HELLO_TIMEOUT_MS = 10_000;

/** Largest accepted console message (one line, one raw-input chunk). */
export const MAX_CONSOLE_MESSAGE_BYTES = 64 * 1024;
/** Longest terminal line in line mode (characters). */
export const MAX_TERMINAL_LINE_CHARS = 16 * 1024;
export const MAX_RAW_INPUT_CHARS = 8 * 1024;

/** WebSocket close codes the server uses (4000-4999 are application-defined). */
export const RemoteSessionCloseCode = {
  normal: 1000,
  /** No or invalid `hello` (token missing, expired, session not found or not yours). */
  unauthenticated: 4401,
  /** The session is not allowed (tenant restricted/blocked, step-up missing, raw mode without trust). */
  forbidden: 4403,
  /** The endpoint's agent is not connected, or went away. */
  agentUnavailable: 4404,
  /** The user's sign-in session was revoked or the tenant was blocked while the session was open. */
  revoked: 4410,
  idleTimeout: 4408,
  protocolError: 4400,
  serverError: 4500,
} as const;

export const RemoteSessionKind = z.enum(['terminal', 'viewer']);
export type RemoteSessionKind = z.infer<typeof RemoteSessionKind>;
/** `line`: whole lines, each checked by the policy engine. `raw`: keystrokes; only with active extended trust. */
export const TerminalMode = z.enum(['line', 'raw']);
export type TerminalMode = z.infer<typeof TerminalMode>;

export const TerminalSize = z.strictObject({
  cols: z.number().int().min(2).max(1000),
  rows: z.number().int().min(1).max(500),
});
export type TerminalSize = z.infer<typeof TerminalSize>;

// ------------------------------------------------------------------ console -> server

const ClientMessageId = z.string().min(1).max(64);

export const HelloMessage = z.strictObject({
  type: z.literal('hello'),
  protocol: z.literal(TERMINAL_PROTOCOL_VERSION),
  /** The session id returned by the open-session route. */
  sessionId: z.uuid(),
  accessToken: z.string().min(1).max(200),
});

/** Line mode: one line (no control characters; the server adds the line ending). */
export const LineMessage = z.strictObject({
  type: z.literal('line'),
  /** Chosen by the console; echoed in `line_result` so the answer lands in place. */
  id: ClientMessageId,
  text: z.string().max(MAX_TERMINAL_LINE_CHARS),
});

/** Raw mode: keystrokes as typed (escape sequences included). Refused in line mode. */
export const RawInputMessage = z.strictObject({
  type: z.literal('input'),
  data: z.string().min(1).max(MAX_RAW_INPUT_CHARS),
});

/** Ctrl-C for the running program; allowed in line mode too (it cannot start anything). */
export const InterruptMessage = z.strictObject({ type: z.literal('interrupt') });

export const ResizeMessage = z.strictObject({ type: z.literal('resize'), size: TerminalSize });

/** Ask for raw or line mode; raw is granted only with active extended trust. */
export const SetModeMessage = z.strictObject({ type: z.literal('set_mode'), mode: TerminalMode });

export const CloseMessage = z.strictObject({ type: z.literal('close') });

export const PingMessage = z.strictObject({ type: z.literal('ping'), id: ClientMessageId });

export const ConsoleMessage = z.discriminatedUnion('type', [
  HelloMessage,
  LineMessage,
  RawInputMessage,
  InterruptMessage,
  ResizeMessage,
  SetModeMessage,
  CloseMessage,
  PingMessage,
]);
export type ConsoleMessage = z.infer<typeof ConsoleMessage>;

// ------------------------------------------------------------------ server -> console

export const PolicyReasonView = z.object({
  code: z.enum(REASON_CODES),
  severity: z.enum(['block', 'flag']),
  ruleId: z.string(),
  message: z.string(),
  /** Half-open UTF-16 offsets into the line as sent, for highlighting in place. */
  spans: z.array(z.object({ start: z.number().int(), end: z.number().int() })),
  remedy: z.string().optional(),
});
export type PolicyReasonView = z.infer<typeof PolicyReasonView>;

export const ReadyMessage = z.object({
  type: z.literal('ready'),
  protocol: z.literal(TERMINAL_PROTOCOL_VERSION),
  sessionId: z.uuid(),
  kind: RemoteSessionKind,
  /** Terminal sessions only. */
  mode: TerminalMode.optional(),
  endpointId: z.uuid(),
  /** Closed after this long without input from the console. */
  idleTimeoutSeconds: z.number().int(),
});

export const OutputMessage = z.object({
  type: z.literal('output'),
  /** Terminal output as UTF-8 text, escape sequences included (feed it to xterm as is). */
  data: z.string(),
});

/**
 * The answer to one `line`: `allow`/`flag` means it was sent to the terminal (flagged lines are
 * recorded for review); `block` means it never left the server; `refused` means it was not even
 * evaluated (e.g. control characters, wrong mode, trust ended) — `message` says why.
 */
export const LineResultMessage = z.object({
  type: z.literal('line_result'),
  id: ClientMessageId,
  decision: z.enum(['allow', 'flag', 'block', 'refused']),
  reasons: z.array(PolicyReasonView),
  message: z.string().optional(),
});

export const ModeMessage = z.object({
  type: z.literal('mode'),
  mode: TerminalMode,
  /** Why the mode is what it is now (e.g. extended trust ended, raw mode refused). */
  message: z.string(),
});

export const FrameMessage = z.object({
  type: z.literal('frame'),
  seq: z.number().int().nonnegative(),
  format: z.enum(['png', 'jpeg']),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Base64 of the compressed image. */
  data: z.string(),
  capturedAt: z.string(),
});

export const PongMessage = z.object({ type: z.literal('pong'), id: ClientMessageId });

export const ErrorMessage = z.object({
  type: z.literal('error'),
  /** `bad_message`, `wrong_mode`, `raw_mode_requires_extended_trust`, `rate_limited`, `agent_error` … */
  code: z.string(),
  message: z.string(),
});

export const ClosedMessage = z.object({
  type: z.literal('closed'),
  /** `closed_by_user`, `closed_by_agent`, `process_exited`, `idle_timeout`, `session_revoked`, `tenant_blocked`, `agent_disconnected` … */
  reason: z.string(),
  exitCode: z.number().int().nullable().optional(),
});

export const ServerMessage = z.discriminatedUnion('type', [
  ReadyMessage,
  OutputMessage,
  LineResultMessage,
  ModeMessage,
  FrameMessage,
  PongMessage,
  ErrorMessage,
  ClosedMessage,
]);
export type ServerMessage = z.infer<typeof ServerMessage>;
export type LineResultMessage = z.infer<typeof LineResultMessage>;
export type FrameMessage = z.infer<typeof FrameMessage>;

/**
 * Characters a line-mode line may not contain: C0 controls (tab included: it triggers completion,
 * so the shell would run text the engine never saw), DEL and C1 controls (line editing keys and
 * escape sequences could rewrite the line after it was checked). Returns the first offending offset.
 */
export function findControlCharacter(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || (c >= 0x80 && c <= 0x9f)) return i;
  }
  return -1;
}

/** Parses one console message; a readable error instead of throwing. */
export function parseConsoleMessage(raw: string): { ok: true; message: ConsoleMessage } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'Not JSON' };
  }
  const result = ConsoleMessage.safeParse(json);
  if (result.success) return { ok: true, message: result.data };
  const issue = result.error.issues[0];
  return { ok: false, error: issue ? `${issue.path.join('.') || 'message'}: ${issue.message}` : 'Invalid message' };
}

export function parseServerMessage(raw: string): { ok: true; message: ServerMessage } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'Not JSON' };
  }
  const result = ServerMessage.safeParse(json);
  if (result.success) return { ok: true, message: result.data };
  const issue = result.error.issues[0];
  return { ok: false, error: issue ? `${issue.path.join('.') || 'message'}: ${issue.message}` : 'Invalid message' };
}

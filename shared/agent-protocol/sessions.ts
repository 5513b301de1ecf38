import { z } from 'zod';
import { PlatformName, ShellName, WirePolicyContext } from './policy-wire';
import { SignedEnvelope } from './signing';

/**
 * Terminal (pty) and viewer (screen) messages between server and agent.
 *
 * EXTENSION POINT owned by the sessions area: these schemas are included in the protocol's
 * message unions (messages.ts), so refining a schema here or adding a message to one of the
 * two arrays at the bottom is all it takes; the hub routes every validated message of these
 * types to the handlers registered with `hub.onAgentMessage(...)`.
 *
 * Correlation: every message carries the `sessionId` the server chose when opening.
 */

const SessionId = z.uuid();
const Size = { cols: z.number().int().min(2).max(1000), rows: z.number().int().min(1).max(500) };

// ------------------------------------------------------------------ server -> agent

/** Opens a pty. `order` is a signed TerminalOrder (mode, shell, policy context) for defence in depth. */
export const TerminalOpen = z.strictObject({
  v: z.literal(1),
  type: z.literal('terminal.open'),
  sessionId: SessionId,
  shell: z.enum(['powershell', 'cmd', 'bash', 'sh', 'zsh']).optional(),
  ...Size,
  order: SignedEnvelope.optional(),
});
/** Input for the pty: a checked line (line mode, with its ending) or raw keystrokes (raw mode). */
export const TerminalInput = z.strictObject({
  v: z.literal(1),
  type: z.literal('terminal.input'),
  sessionId: SessionId,
  data: z.string().max(64 * 1024),
  /** Line mode: the line as checked by the server, signed, so the agent can re-check it. */
  order: SignedEnvelope.optional(),
});
export const TerminalResize = z.strictObject({ v: z.literal(1), type: z.literal('terminal.resize'), sessionId: SessionId, ...Size });
export const TerminalClose = z.strictObject({
  v: z.literal(1),
  type: z.literal('terminal.close'),
  sessionId: SessionId,
  reason: z.string().max(200).optional(),
});
export const ViewerStart = z.strictObject({
  v: z.literal(1),
  type: z.literal('viewer.start'),
  sessionId: SessionId,
  maxFps: z.number().min(0.2).max(30).optional(),
  order: SignedEnvelope.optional(),
});
export const ViewerStop = z.strictObject({ v: z.literal(1), type: z.literal('viewer.stop'), sessionId: SessionId });

// ------------------------------------------------------------------ agent -> server

export const TerminalOpened = z.strictObject({
  v: z.literal(1),
  type: z.literal('terminal.opened'),
  sessionId: SessionId,
  shell: z.string().max(100),
  pid: z.number().int().optional(),
});
export const TerminalOutput = z.strictObject({
  v: z.literal(1),
  type: z.literal('terminal.output'),
  sessionId: SessionId,
  data: z.string().max(1024 * 1024),
});
export const TerminalExit = z.strictObject({
  v: z.literal(1),
  type: z.literal('terminal.exit'),
  sessionId: SessionId,
  exitCode: z.number().int().nullable(),
  signal: z.string().max(40).nullable().optional(),
  /** Why it ended: process_exited, closed_by_server, idle_timeout, agent_shutdown, output_limit. */
  reason: z.string().max(60).optional(),
});
export const TerminalRefused = z.strictObject({
  v: z.literal(1),
  type: z.literal('terminal.refused'),
  sessionId: SessionId,
  code: z.string().max(60),
  message: z.string().max(2000),
});
export const ViewerFrame = z.strictObject({
  v: z.literal(1),
  type: z.literal('viewer.frame'),
  sessionId: SessionId,
  /** e.g. image/png, image/jpeg */
  mime: z.string().max(40),
  width: z.number().int().min(1).max(20_000),
  height: z.number().int().min(1).max(20_000),
  seq: z.number().int().min(0),
  /** Base64 of the compressed image. */
  data: z.string().max(12 * 1024 * 1024),
});
export const ViewerError = z.strictObject({
  v: z.literal(1),
  type: z.literal('viewer.error'),
  sessionId: SessionId,
  code: z.string().max(60),
  message: z.string().max(2000),
});

/** Added to the server -> agent union. */
export const SESSION_SERVER_MESSAGES = [TerminalOpen, TerminalInput, TerminalResize, TerminalClose, ViewerStart, ViewerStop] as const;
/** Added to the agent -> server union. */
export const SESSION_AGENT_MESSAGES = [TerminalOpened, TerminalOutput, TerminalExit, TerminalRefused, ViewerFrame, ViewerError] as const;

// ------------------------------------------------------------------ signed session orders (payloads of `order`)

const EpochMs = z.number().int().min(0);

/**
 * Payload of `terminal.open`'s order: which pty to start, in which mode, and the policy context the
 * server decided with (history empty). The agent re-checks every line with this context, its own
 * record of the session's earlier lines, and the later of its clock and the line's signing time.
 */
export const TerminalOrder = z.strictObject({
  kind: z.literal('terminal'),
  sessionId: SessionId,
  endpointId: z.uuid(),
  tenantId: z.uuid(),
  shell: ShellName,
  platform: PlatformName,
  mode: z.enum(['line', 'raw']),
  /** Raw mode only: the end of the tenant's extended trust; raw input after it is refused. */
  rawUntil: EpochMs.nullable(),
  policy: WirePolicyContext,
  issuedAt: EpochMs,
  expiresAt: EpochMs,
});
export type TerminalOrder = z.infer<typeof TerminalOrder>;

/**
 * Payload of a line-mode `terminal.input`'s order: the line as the server checked it. The message's
 * `data` must be exactly `text` + `\r`; `seq` increases by one per line, so lines cannot be replayed
 * or reordered within the session.
 */
export const TerminalLineOrder = z.strictObject({
  kind: z.literal('terminal_line'),
  sessionId: SessionId,
  endpointId: z.uuid(),
  seq: z.number().int().min(0),
  text: z.string().max(16 * 1024),
  issuedAt: EpochMs,
  expiresAt: EpochMs,
});
export type TerminalLineOrder = z.infer<typeof TerminalLineOrder>;

/** Payload of a line-mode Ctrl-C: `data` must be exactly `\u0003`; shares the line sequence. */
export const TerminalInterruptOrder = z.strictObject({
  kind: z.literal('terminal_interrupt'),
  sessionId: SessionId,
  endpointId: z.uuid(),
  seq: z.number().int().min(0),
  issuedAt: EpochMs,
  expiresAt: EpochMs,
});
export type TerminalInterruptOrder = z.infer<typeof TerminalInterruptOrder>;

/**
 * Payload of a raw-mode `terminal.input`'s order: permission for raw keystrokes in this session until
 * `rawUntil` (the end of extended trust). Signed once when raw mode starts and sent with every raw chunk.
 */
export const TerminalRawGrant = z.strictObject({
  kind: z.literal('terminal_raw'),
  sessionId: SessionId,
  endpointId: z.uuid(),
  rawUntil: EpochMs,
  issuedAt: EpochMs,
});
export type TerminalRawGrant = z.infer<typeof TerminalRawGrant>;

/** Payload of `viewer.start`'s order. */
export const ViewerOrder = z.strictObject({
  kind: z.literal('viewer'),
  sessionId: SessionId,
  endpointId: z.uuid(),
  tenantId: z.uuid(),
  issuedAt: EpochMs,
  expiresAt: EpochMs,
});
export type ViewerOrder = z.infer<typeof ViewerOrder>;

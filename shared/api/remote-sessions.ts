import { z } from 'zod';
import { Id, PageQuery, Timestamp } from './common';
import { RemoteSessionKind, TerminalMode, TERMINAL_PROTOCOL_VERSION } from './terminal-protocol';

/** Terminal and viewer sessions: opening one (HTTP, step-up), then the WebSocket of terminal-protocol.ts. */

export const TerminalShellName = z.enum(['powershell', 'cmd', 'bash', 'sh', 'zsh']);

export const OpenTerminalRequest = z.strictObject({
  cols: z.number().int().min(2).max(1000).default(80),
  rows: z.number().int().min(1).max(500).default(24),
  /** Default: PowerShell on Windows, zsh on macOS, bash on Linux. */
  shell: TerminalShellName.optional(),
  /** `raw` needs the tenant's extended trust to be in force. */
  mode: TerminalMode.default('line'),
});
export type OpenTerminalRequest = z.input<typeof OpenTerminalRequest>;

export const OpenViewerRequest = z.strictObject({});

/** What the console needs to connect the session's WebSocket. */
export const OpenRemoteSessionResponse = z.object({
  sessionId: Id,
  kind: RemoteSessionKind,
  mode: TerminalMode.nullable(),
  shell: TerminalShellName.nullable(),
  endpointId: Id,
  /** Path on the admin listener; send `hello` with the access token as the first message. */
  socketPath: z.string(),
  subprotocol: z.string(),
  protocol: z.literal(TERMINAL_PROTOCOL_VERSION),
  /** Connect before this, or open a new session. */
  connectBy: Timestamp,
});
export type OpenRemoteSessionResponse = z.infer<typeof OpenRemoteSessionResponse>;

export const RemoteSessionStatus = z.enum(['pending', 'open', 'closed']);

export const RemoteSessionSummary = z.object({
  id: Id,
  tenantId: Id,
  endpointId: Id,
  userId: Id,
  kind: RemoteSessionKind,
  mode: TerminalMode.nullable(),
  shell: z.string().nullable(),
  status: RemoteSessionStatus,
  createdAt: Timestamp,
  openedAt: Timestamp.nullable(),
  closedAt: Timestamp.nullable(),
  closeReason: z.string().nullable(),
  linesAllowed: z.number().int(),
  linesFlagged: z.number().int(),
  linesBlocked: z.number().int(),
  inputChars: z.number().int(),
  outputChars: z.number().int(),
  frames: z.number().int(),
  /** True when the transcript hit its size limit (counts above stay exact). */
  transcriptTruncated: z.boolean(),
  ip: z.string().nullable(),
});
export type RemoteSessionSummary = z.infer<typeof RemoteSessionSummary>;

export const RemoteSessionListQuery = PageQuery.extend({
  tenantId: Id.optional(),
  endpointId: Id.optional(),
  userId: Id.optional(),
  kind: RemoteSessionKind.optional(),
  status: RemoteSessionStatus.optional(),
});
export const RemoteSessionListResponse = z.object({ sessions: z.array(RemoteSessionSummary) });
export type RemoteSessionListResponse = z.infer<typeof RemoteSessionListResponse>;

export const TranscriptEntry = z.object({
  seq: z.number().int(),
  at: Timestamp,
  /** input: what the console sent; output: what the terminal printed; event: opened, mode changes, closed. */
  stream: z.enum(['input', 'output', 'event']),
  /** input: line | raw | interrupt; event: opened | mode | closed | agent_refused; output: output. */
  kind: z.string(),
  data: z.string(),
  /** For lines: the policy decision; `refused` = not evaluated (control characters, wrong mode). */
  decision: z.enum(['allow', 'flag', 'block', 'refused']).nullable(),
  reasonCodes: z.array(z.string()).nullable(),
});
export type TranscriptEntry = z.infer<typeof TranscriptEntry>;

export const TranscriptQuery = z.strictObject({
  /** Entries after this sequence number (page forward with the last entry's seq). */
  afterSeq: z.coerce.number().int().min(-1).default(-1),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
});
export const TranscriptResponse = z.object({
  session: RemoteSessionSummary,
  entries: z.array(TranscriptEntry),
  /** More entries follow; ask again with afterSeq = the last entry's seq. */
  more: z.boolean(),
});
export type TranscriptResponse = z.infer<typeof TranscriptResponse>;

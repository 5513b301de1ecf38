import { z } from 'zod';
import { PlatformName, ShellName, WireReason } from '../agent-protocol/policy-wire';
import { Id, Timestamp } from './common';

/** A managed endpoint: one enrolled agent. */
export const Endpoint = z.object({
  id: Id,
  tenantId: Id,
  hostname: z.string(),
  os: z.object({ family: PlatformName, platform: z.string(), release: z.string(), version: z.string(), arch: z.string() }),
  user: z.string(),
  ips: z.array(z.string()),
  agentVersion: z.string(),
  enrolledAt: Timestamp,
  enrollTokenId: Id.nullable(),
  lastSeenAt: Timestamp.nullable(),
  online: z.boolean(),
  revokedAt: Timestamp.nullable(),
  revokedReason: z.string().nullable(),
});
export type Endpoint = z.infer<typeof Endpoint>;

export const EndpointListQuery = z.strictObject({
  /** Matches hostname, user or an IP address (substring, case-insensitive). */
  search: z.string().trim().max(200).optional(),
  tenantId: Id.optional(),
  online: z.enum(['true', 'false']).optional(),
  os: PlatformName.optional(),
  includeRevoked: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export const EndpointListResponse = z.object({ endpoints: z.array(Endpoint), total: z.number().int() });

export const RevokeEndpointRequest = z.strictObject({ reason: z.string().trim().min(1).max(500) });

/** A policy reason as the API returns it: code, message, the offending spans, and a remedy where one exists. */
export const PolicyReason = WireReason;
export type PolicyReason = z.infer<typeof PolicyReason>;

/** Why something was not run: an API error code, a message and the engine's reasons. */
export const Refusal = z.object({ code: z.string(), message: z.string(), reasons: z.array(PolicyReason) });
export type Refusal = z.infer<typeof Refusal>;

export const ExecutionStatus = z.enum(['dispatched', 'running', 'completed', 'failed', 'refused_by_agent', 'agent_offline', 'lost']);
export type ExecutionStatus = z.infer<typeof ExecutionStatus>;

/** One command or script on one endpoint. */
export const Execution = z.object({
  id: Id,
  runId: Id,
  tenantId: Id,
  endpointId: Id,
  action: z.string(),
  shell: ShellName,
  sha256: z.string(),
  textExcerpt: z.string(),
  status: ExecutionStatus,
  /** True once nothing more will happen (completed, failed, refused, offline, lost). */
  done: z.boolean(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  timedOut: z.boolean(),
  truncated: z.boolean(),
  outputBytes: z.number().int(),
  error: z.string().nullable(),
  refusal: Refusal.nullable(),
  createdAt: Timestamp,
  startedAt: Timestamp.nullable(),
  finishedAt: Timestamp.nullable(),
});
export type Execution = z.infer<typeof Execution>;

export const DispatchRun = z.object({
  id: Id,
  tenantId: Id,
  kind: z.enum(['command', 'script_run', 'schedule_run']),
  scriptId: Id.nullable(),
  scheduleId: Id.nullable(),
  requestedBy: Id.nullable(),
  decision: z.enum(['allow', 'flag', 'block']),
  refusal: Refusal.nullable(),
  sha256: z.string(),
  endpointCount: z.number().int(),
  createdAt: Timestamp,
});
export type DispatchRun = z.infer<typeof DispatchRun>;

/** What a dispatch returns: the run, one execution per endpoint, and the engine's flags (if any). */
export const DispatchResponse = z.object({
  run: DispatchRun,
  executions: z.array(Execution),
  decision: z.enum(['allow', 'flag']),
  reasons: z.array(PolicyReason),
});
export type DispatchResponse = z.infer<typeof DispatchResponse>;

export const CommandRequest = z.strictObject({
  text: z
    .string()
    .min(1)
    .max(16 * 1024),
  /** Default: PowerShell on Windows, sh elsewhere. */
  shell: ShellName.optional(),
  timeoutSeconds: z.number().int().min(1).max(86_400).default(300),
});

export const ExecutionQuery = z.strictObject({
  /** Wait up to this long for the execution to finish before answering (long poll). */
  waitSeconds: z.coerce.number().int().min(0).max(30).default(0),
});
export const ExecutionOutputQuery = z.strictObject({
  /** Return chunks with seq greater than this (start with -1, then pass `nextAfter`). */
  after: z.coerce.number().int().min(-1).default(-1),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export const OutputChunk = z.object({ seq: z.number().int(), stream: z.enum(['stdout', 'stderr']), data: z.string() });
export const ExecutionOutputResponse = z.object({
  chunks: z.array(OutputChunk),
  nextAfter: z.number().int(),
  /** The execution has finished and every chunk up to `nextAfter` is all there is. */
  done: z.boolean(),
});
export const ExecutionListQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50) });
export const ExecutionListResponse = z.object({ executions: z.array(Execution) });
export const RunDetail = z.object({ run: DispatchRun, executions: z.array(Execution) });

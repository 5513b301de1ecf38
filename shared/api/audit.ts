import { z } from 'zod';
import { Id, PageQuery, Timestamp } from './common';
import { TenantState } from './roles';

/**
 * Audit actions recorded through the one audit model (`recordAudit` on the server). Dotted
 * names: `<subject>.<what happened>`. Other areas record these; the list is the shared vocabulary
 * for filters, SIEM event types and the console. Unlisted actions are still stored and exported.
 */
export const AUDIT_ACTIONS = [
  // identity (part 1)
  'tenant.created',
  'tenant.renamed',
  'tenant.state_changed',
  'user.created',
  'session.revoked',
  'api_key.created',
  'api_key.revoked',
  'api_key.source_refused',
  // controls (part 2)
  'trust.requested',
  'trust.approved',
  'trust.denied',
  'trust.revoked',
  'trust.expired',
  'trust.request_cancelled',
  'tenant.signed_up',
  'user.email_changed',
  'tenant.verified',
  'tenant.limits_changed',
  'destination.added',
  'destination.removed',
  'enroll_token.created',
  'enroll_token.revoked',
  'enroll_token.used',
  // agents, dispatch and sessions
  'installer.downloaded',
  'endpoint.enrolled',
  'endpoint.revoked',
  'script.created',
  'script.updated',
  'script.deleted',
  'script.hash_permitted',
  'script.hash_revoked',
  'schedule.created',
  'schedule.updated',
  'schedule.deleted',
  'terminal.opened',
  'terminal.closed',
  'viewer.opened',
  'viewer.closed',
  // audit area
  'abuse.flagged',
  'abuse.auto_restricted',
  'abuse.review_resolved',
  'siem.events_dropped',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const LOGIN_EVENT_KINDS = ['password', 'mfa', 'enroll', 'refresh', 'step_up', 'api_key', 'logout'] as const;
export const LoginEventKind = z.enum(LOGIN_EVENT_KINDS);
export const LoginEventResult = z.enum(['success', 'failure']);

/**
 * An opaque position in a newest-first list (keyset paging on time and insertion order):
 * pass a response's `nextCursor` to get the next page. Stable while new events arrive.
 */
export const Cursor = z.string().min(1).max(200);

/** One sign-in related attempt: who (as claimed), from where, what happened and why. */
export const LoginEvent = z.object({
  id: Id,
  at: Timestamp,
  kind: LoginEventKind,
  result: LoginEventResult,
  /** Stable reason code, e.g. `bad_password`, `unknown_user`, `locked`, `code_replayed`, `source_not_allowed`. */
  reason: z.string().nullable(),
  userId: Id.nullable(),
  email: z.string().nullable(),
  tenantId: Id.nullable(),
  apiKeyId: Id.nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});
export type LoginEvent = z.infer<typeof LoginEvent>;

/** Filters shared by the login-event list and its export. */
const LoginEventFilters = {
  tenantId: Id.optional(),
  userId: Id.optional(),
  result: LoginEventResult.optional(),
  /** Events at or after this time. */
  from: Timestamp.optional(),
  /** Events strictly before this time. */
  to: Timestamp.optional(),
};

export const LoginEventQuery = PageQuery.extend({
  ...LoginEventFilters,
  cursor: Cursor.optional(),
});
export const LoginEventListResponse = z.object({ events: z.array(LoginEvent), nextCursor: z.string().nullable().optional() });

// ---------------------------------------------------------------------------------------------
// Script logs: every attempted execution and its decision

export const SCRIPT_LOG_KINDS = ['terminal_line', 'command', 'script_run', 'schedule_run'] as const;
export const ScriptLogKind = z.enum(SCRIPT_LOG_KINDS);
export type ScriptLogKind = z.infer<typeof ScriptLogKind>;
export const ScriptDecision = z.enum(['allow', 'flag', 'block']);
export type ScriptDecision = z.infer<typeof ScriptDecision>;

/** Largest stored excerpt of an executed text (characters); the sha256 covers the full text. */
export const SCRIPT_LOG_EXCERPT_CHARS = 2048;
/** Largest stored reason text (characters). */
export const SCRIPT_LOG_REASON_TEXT_CHARS = 1000;

export const ScriptLogSpan = z.object({ start: z.number().int().min(0), end: z.number().int().min(0) });
export const ScriptLogReason = z.object({
  code: z.string(),
  severity: z.enum(['block', 'flag']).nullable(),
  ruleId: z.string().nullable(),
  message: z.string(),
  /** Offsets into the original text; only spans inside the stored excerpt are kept. */
  spans: z.array(ScriptLogSpan),
  remedy: z.string().nullable(),
});
export type ScriptLogReason = z.infer<typeof ScriptLogReason>;

export const ScriptLogEntry = z.object({
  id: Id,
  at: Timestamp,
  tenantId: Id,
  tenantName: z.string().nullable(),
  endpointId: z.string().nullable(),
  userId: Id.nullable(),
  userEmail: z.string().nullable(),
  apiKeyId: Id.nullable(),
  sessionId: z.string().nullable(),
  kind: ScriptLogKind,
  /** The first characters of the text (at most SCRIPT_LOG_EXCERPT_CHARS). */
  excerpt: z.string(),
  excerptTruncated: z.boolean(),
  /** Length of the full text, in characters. */
  textLength: z.number().int(),
  sha256: z.string(),
  decision: ScriptDecision,
  wasBlockedBySecurityPolicy: z.boolean(),
  reasonCodes: z.array(z.string()),
  reasonText: z.string(),
  ip: z.string().nullable(),
});
export type ScriptLogEntry = z.infer<typeof ScriptLogEntry>;

export const ScriptLogDetail = ScriptLogEntry.extend({
  reasons: z.array(ScriptLogReason),
  userAgent: z.string().nullable(),
});
export type ScriptLogDetail = z.infer<typeof ScriptLogDetail>;

/** Which decisions a review lists: blocked events by default. */
export const ScriptLogDecisionFilter = z.enum(['block', 'flag', 'block_or_flag', 'allow', 'any']);

const ReasonCodeFilter = z.string().regex(/^[a-z0-9_]{1,64}$/, 'expected a reason code such as download_execute');

const ScriptLogFilters = {
  tenantId: Id.optional(),
  endpointId: z.string().min(1).max(100).optional(),
  userId: Id.optional(),
  reasonCode: ReasonCodeFilter.optional(),
  decision: ScriptLogDecisionFilter.default('block'),
  kind: ScriptLogKind.optional(),
  /** Events at or after this time. */
  from: Timestamp.optional(),
  /** Events strictly before this time. */
  to: Timestamp.optional(),
  /** Case-insensitive text search in the stored excerpt (a plain substring, no wildcards). */
  q: z.string().min(1).max(200).optional(),
};

export const ScriptLogQuery = z.strictObject({
  ...ScriptLogFilters,
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: Cursor.optional(),
});
export type ScriptLogQuery = z.infer<typeof ScriptLogQuery>;
export const ScriptLogListResponse = z.object({ events: z.array(ScriptLogEntry), nextCursor: z.string().nullable() });

export const EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export const ExportFormat = z.enum(EXPORT_FORMATS);
/** Most rows one export returns; narrow the filters (time range) for more. */
export const EXPORT_MAX_ROWS = 100_000;

export const ScriptLogExportQuery = z.strictObject({
  ...ScriptLogFilters,
  format: ExportFormat.default('csv'),
  limit: z.coerce.number().int().min(1).max(EXPORT_MAX_ROWS).default(EXPORT_MAX_ROWS),
});
export type ScriptLogExportQuery = z.infer<typeof ScriptLogExportQuery>;

export const LoginEventExportQuery = z.strictObject({
  ...LoginEventFilters,
  format: ExportFormat.default('csv'),
  limit: z.coerce.number().int().min(1).max(EXPORT_MAX_ROWS).default(EXPORT_MAX_ROWS),
});
export type LoginEventExportQuery = z.infer<typeof LoginEventExportQuery>;

// ---------------------------------------------------------------------------------------------
// The audit timeline: audit events, login events and script logs as one model

export const AUDIT_SOURCES = ['audit', 'login', 'script'] as const;
export const AuditSource = z.enum(AUDIT_SOURCES);

export const AuditTimelineEntry = z.object({
  source: AuditSource,
  id: Id,
  at: Timestamp,
  /** Audit action (`trust.approved`), `login.<kind>.<result>` or `script.<decision>`. */
  action: z.string(),
  tenantId: Id.nullable(),
  actorUserId: Id.nullable(),
  actorApiKeyId: Id.nullable(),
  ip: z.string().nullable(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  /** Login result or script decision. */
  result: z.string().nullable(),
  /** Login failure reason or the first script reason code. */
  reasonCode: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditTimelineEntry = z.infer<typeof AuditTimelineEntry>;

const TimelineFilters = {
  tenantId: Id.optional(),
  source: AuditSource.optional(),
  /** An exact action, or a prefix ending in a dot (`trust.`) for a family. */
  action: z
    .string()
    .regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*\.?$/, 'expected an action such as trust.approved, or a prefix such as trust.')
    .max(64)
    .optional(),
  actorUserId: Id.optional(),
  targetType: z.string().min(1).max(64).optional(),
  targetId: z.string().min(1).max(100).optional(),
  from: Timestamp.optional(),
  to: Timestamp.optional(),
};

export const AuditTimelineQuery = z.strictObject({
  ...TimelineFilters,
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: Cursor.optional(),
});
export type AuditTimelineQuery = z.infer<typeof AuditTimelineQuery>;
export const AuditTimelineResponse = z.object({ events: z.array(AuditTimelineEntry), nextCursor: z.string().nullable() });

export const AuditTimelineExportQuery = z.strictObject({
  ...TimelineFilters,
  format: ExportFormat.default('csv'),
  limit: z.coerce.number().int().min(1).max(EXPORT_MAX_ROWS).default(EXPORT_MAX_ROWS),
});
export type AuditTimelineExportQuery = z.infer<typeof AuditTimelineExportQuery>;

// ---------------------------------------------------------------------------------------------
// SIEM export status

export const SiemStatus = z.object({
  enabled: z.boolean(),
  protocol: z.enum(['tcp', 'tls', 'udp']).nullable(),
  /** host:port of the collector. */
  target: z.string().nullable(),
  connected: z.boolean(),
  /** Messages waiting in the bounded buffer. */
  queued: z.number().int(),
  bufferSize: z.number().int(),
  sent: z.number().int(),
  /** Messages dropped because the buffer was full (since start). */
  dropped: z.number().int(),
  lastError: z.string().nullable(),
  lastDropAt: Timestamp.nullable(),
});
export type SiemStatus = z.infer<typeof SiemStatus>;

// ---------------------------------------------------------------------------------------------
// Abuse signals and the review queue

export const AbuseSignal = z.object({
  /** e.g. `enroll_token_burst`, `fast_enrollment`, `blocked_commands`, `blocked_destinations`, `shared_signup_domain`, `shared_signup_network`. */
  code: z.string(),
  points: z.number().int(),
  count: z.number().int(),
  threshold: z.number().int(),
  windowHours: z.number(),
  summary: z.string(),
  /** The records behind the signal (bounded): ids, times, reason codes, domains, addresses. */
  evidence: z.array(z.record(z.string(), z.unknown())),
});
export type AbuseSignal = z.infer<typeof AbuseSignal>;

export const AbuseAssessment = z.object({
  tenantId: Id,
  tenantName: z.string().nullable(),
  tenantState: TenantState.nullable(),
  score: z.number().int(),
  /** Score at which a tenant enters the review queue. */
  reviewThreshold: z.number().int(),
  signals: z.array(AbuseSignal),
  computedAt: Timestamp,
});
export type AbuseAssessment = z.infer<typeof AbuseAssessment>;

export const AbuseReviewStatus = z.enum(['open', 'dismissed', 'actioned']);
export const AbuseReview = z.object({
  id: Id,
  tenantId: Id,
  tenantName: z.string().nullable(),
  tenantState: TenantState.nullable(),
  status: AbuseReviewStatus,
  score: z.number().int(),
  signals: z.array(AbuseSignal),
  openedAt: Timestamp,
  updatedAt: Timestamp,
  autoRestricted: z.boolean(),
  resolvedAt: Timestamp.nullable(),
  resolvedBy: Id.nullable(),
  resolutionNote: z.string().nullable(),
});
export type AbuseReview = z.infer<typeof AbuseReview>;

export const AbuseReviewQuery = z.strictObject({
  status: AbuseReviewStatus.default('open'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const AbuseReviewListResponse = z.object({ reviews: z.array(AbuseReview) });
export const ResolveAbuseReviewRequest = z.strictObject({
  status: z.enum(['dismissed', 'actioned']),
  note: z.string().trim().min(3, 'Give a note of at least 3 characters').max(1000),
});
export const AbuseSweepResponse = z.object({ assessed: z.number().int(), queued: z.number().int(), autoRestricted: z.number().int() });

/**
 * A line or script the console refused by its own policy check before sending (it never left
 * the console); reported so the refusal is audited like any other block.
 */
export const ConsoleRefusalRequest = z.strictObject({
  endpointId: Id,
  kind: ScriptLogKind,
  /** The refused text (the console sends at most this much; the excerpt stored is shorter). */
  text: z.string().min(1).max(60_000),
  shell: z.enum(['powershell', 'cmd', 'bash', 'sh', 'zsh', 'auto']),
  remoteSessionId: Id.optional(),
  /** The console's reason codes; unknown codes are ignored. */
  reasonCodes: z.array(z.string().max(64)).max(32),
});
export type ConsoleRefusalRequest = z.infer<typeof ConsoleRefusalRequest>;
export const ConsoleRefusalResponse = z.object({
  scriptLogId: Id,
  /** Whether the server's own check (without the console's session history) also blocks it. */
  serverAgrees: z.boolean(),
});
export type ConsoleRefusalResponse = z.infer<typeof ConsoleRefusalResponse>;

import type { ColumnType, Generated } from 'kysely';

/** Row types of the audit area (migration 0003-audit). */
type Timestamp = ColumnType<Date, Date, Date>;
type Json<T> = ColumnType<T, string, string>;

export interface StoredScriptLogReason {
  code: string;
  severity: 'block' | 'flag' | null;
  ruleId: string | null;
  message: string;
  /** Spans that lie within the stored excerpt (offsets into the original text). */
  spans: { start: number; end: number }[];
  remedy: string | null;
}

export interface ScriptLogsTable {
  id: string;
  seq: Generated<string>;
  at: Timestamp;
  tenant_id: string;
  endpoint_id: string | null;
  user_id: string | null;
  api_key_id: string | null;
  session_id: string | null;
  kind: 'terminal_line' | 'command' | 'script_run' | 'schedule_run';
  text_excerpt: string;
  text_sha256: string;
  text_length: number;
  excerpt_truncated: boolean;
  decision: 'allow' | 'flag' | 'block';
  was_blocked_by_security_policy: boolean;
  reason_codes: ColumnType<string[], string[], string[]>;
  reason_text: string;
  reasons: Json<StoredScriptLogReason[]>;
  ip: string | null;
  user_agent: string | null;
}

/** The read-only view over audit_events, login_events and script_logs. */
export interface AuditTimelineView {
  source: 'audit' | 'login' | 'script';
  id: string;
  seq: string;
  at: Timestamp;
  action: string;
  tenant_id: string | null;
  actor_user_id: string | null;
  actor_api_key_id: string | null;
  ip: string | null;
  target_type: string | null;
  target_id: string | null;
  result: string | null;
  reason_code: string | null;
  details: Record<string, unknown>;
}

export interface AbuseSignalRecord {
  code: string;
  points: number;
  count: number;
  threshold: number;
  windowHours: number;
  summary: string;
  evidence: Record<string, unknown>[];
}

export interface AbuseAssessmentsTable {
  tenant_id: string;
  score: number;
  signals: Json<AbuseSignalRecord[]>;
  computed_at: Timestamp;
}

export interface AbuseReviewsTable {
  id: string;
  seq: Generated<string>;
  tenant_id: string;
  status: 'open' | 'dismissed' | 'actioned';
  score: number;
  signals: Json<AbuseSignalRecord[]>;
  opened_at: Timestamp;
  updated_at: Timestamp;
  auto_restricted: Generated<boolean>;
  resolved_at: Timestamp | null;
  resolved_by: string | null;
  resolution_note: string | null;
}

export interface AuditTables {
  script_logs: ScriptLogsTable;
  audit_timeline: AuditTimelineView;
  abuse_assessments: AbuseAssessmentsTable;
  abuse_reviews: AbuseReviewsTable;
}

import type { SchemaMigration } from './index';

/**
 * Audit trail (issue 5): script logs (every attempted execution, with its decision), the abuse
 * assessments and review queue, and a timeline view that reads login events, audit events and
 * script logs as one model.
 */
export const auditMigration: SchemaMigration = {
  name: '0003_audit',
  statements: [
    // One row per attempted execution. Hostile input cannot bloat it: the text is kept as a
    // bounded excerpt plus the sha256 and length of the full text; reason text is bounded too.
    `CREATE TABLE script_logs (
        id uuid PRIMARY KEY,
        -- insertion order, to sort records that share a timestamp (keyset paging on (at, seq))
        seq bigint GENERATED ALWAYS AS IDENTITY,
        at timestamptz NOT NULL,
        tenant_id uuid NOT NULL,
        endpoint_id text,
        user_id uuid,
        api_key_id uuid,
        session_id text,
        kind text NOT NULL CHECK (kind IN ('terminal_line', 'command', 'script_run', 'schedule_run')),
        text_excerpt text NOT NULL,
        text_sha256 char(64) NOT NULL,
        text_length integer NOT NULL,
        excerpt_truncated boolean NOT NULL,
        decision text NOT NULL CHECK (decision IN ('allow', 'flag', 'block')),
        was_blocked_by_security_policy boolean NOT NULL,
        reason_codes text[] NOT NULL DEFAULT '{}',
        reason_text text NOT NULL DEFAULT '',
        -- the engine's reasons (code, rule, message, spans within the excerpt, remedy), bounded
        reasons jsonb NOT NULL DEFAULT '[]',
        ip text,
        user_agent text
      )`,
    `CREATE INDEX script_logs_at ON script_logs (at DESC, seq DESC)`,
    `CREATE INDEX script_logs_tenant ON script_logs (tenant_id, at DESC, seq DESC)`,
    // The review screen's default: blocked (and flagged) events, newest first.
    `CREATE INDEX script_logs_decision ON script_logs (decision, at DESC, seq DESC) WHERE decision <> 'allow'`,
    `CREATE INDEX script_logs_endpoint ON script_logs (endpoint_id, at DESC, seq DESC) WHERE endpoint_id IS NOT NULL`,
    `CREATE INDEX script_logs_user ON script_logs (user_id, at DESC, seq DESC) WHERE user_id IS NOT NULL`,
    `CREATE INDEX script_logs_reason_codes ON script_logs USING gin (reason_codes)`,
    `CREATE INDEX script_logs_sha256 ON script_logs (text_sha256)`,
    `CREATE INDEX audit_events_at ON audit_events (at DESC, seq DESC)`,
    `CREATE INDEX audit_events_action ON audit_events (action, at DESC, seq DESC)`,
    // Login events, audit events and script logs as one queryable timeline. Each source keeps
    // its own seq, so the timeline orders by (at, seq, source).
    `CREATE VIEW audit_timeline AS
        SELECT 'audit'::text AS source, id, seq, at, action, tenant_id,
               actor_user_id, actor_api_key_id, actor_ip AS ip, target_type, target_id,
               NULL::text AS result, NULL::text AS reason_code, details
          FROM audit_events
        UNION ALL
        SELECT 'login'::text, id, seq, at, 'login.' || kind || '.' || result, tenant_id,
               user_id, api_key_id, ip, CASE WHEN user_id IS NULL THEN NULL ELSE 'user' END, user_id::text,
               result, reason,
               jsonb_build_object('kind', kind, 'email', email, 'userAgent', user_agent)
          FROM login_events
        UNION ALL
        SELECT 'script'::text, id, seq, at, 'script.' || decision, tenant_id,
               user_id, api_key_id, ip, CASE WHEN endpoint_id IS NULL THEN NULL ELSE 'endpoint' END, endpoint_id,
               decision, reason_codes[1],
               jsonb_build_object('kind', kind, 'sha256', text_sha256, 'reasonCodes', to_jsonb(reason_codes), 'sessionId', session_id)
          FROM script_logs`,
    // Latest abuse assessment per tenant (recomputed on relevant events and by a sweeper).
    `CREATE TABLE abuse_assessments (
        tenant_id uuid PRIMARY KEY,
        score integer NOT NULL,
        signals jsonb NOT NULL DEFAULT '[]',
        computed_at timestamptz NOT NULL
      )`,
    // The internal review queue: at most one open entry per tenant.
    `CREATE TABLE abuse_reviews (
        id uuid PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        tenant_id uuid NOT NULL,
        status text NOT NULL CHECK (status IN ('open', 'dismissed', 'actioned')),
        score integer NOT NULL,
        signals jsonb NOT NULL DEFAULT '[]',
        opened_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        auto_restricted boolean NOT NULL DEFAULT false,
        resolved_at timestamptz,
        resolved_by uuid,
        resolution_note text
      )`,
    `CREATE UNIQUE INDEX abuse_reviews_one_open ON abuse_reviews (tenant_id) WHERE status = 'open'`,
    `CREATE INDEX abuse_reviews_status ON abuse_reviews (status, updated_at DESC)`,
  ],
};

import type { SchemaMigration } from './index';

/**
 * Controls (issue 5): per-tenant verification, limits and allowlist, extended trust (requests,
 * current grant, history), blocked-destination rules and permitted script hashes.
 */
export const controlsMigration: SchemaMigration = {
  name: '0002_controls',
  statements: [
    // One row per tenant that has anything set. A tenant without a row was created by a platform
    // admin before or without sign-up: verified, standard trust, limits from the configuration.
    `CREATE TABLE tenant_controls (
        tenant_id uuid PRIMARY KEY REFERENCES tenants(id),
        verified boolean NOT NULL DEFAULT true,
        verified_at timestamptz,
        verified_by uuid,
        -- how the tenant came to be: 'admin' (created by a platform admin) or 'signup'
        origin text NOT NULL DEFAULT 'admin' CHECK (origin IN ('admin', 'signup')),
        signup_ip text,
        signup_email_domain text,
        -- extended trust in force until this instant; NULL or in the past means standard
        trust_expires_at timestamptz,
        trust_granted_at timestamptz,
        trust_request_id uuid,
        -- set once the expiry of the current grant has been recorded (trust.expired)
        trust_expiry_recorded boolean NOT NULL DEFAULT false,
        -- per-tenant limits; NULL means the configured default for verified / trial tenants
        dispatches_per_minute integer CHECK (dispatches_per_minute >= 0),
        concurrent_terminal_sessions integer CHECK (concurrent_terminal_sessions >= 0),
        enroll_max_active_tokens integer CHECK (enroll_max_active_tokens >= 0),
        enroll_max_uses_per_token integer CHECK (enroll_max_uses_per_token >= 1),
        enroll_max_validity_hours integer CHECK (enroll_max_validity_hours >= 1),
        -- JSON array of {id, kind, value}; NULL = no tenant-specific allowlist (see configuration)
        destination_allowlist jsonb,
        updated_at timestamptz NOT NULL,
        updated_by uuid
      )`,
    `CREATE TABLE trust_requests (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        requested_by uuid NOT NULL,
        requested_days integer NOT NULL CHECK (requested_days BETWEEN 1 AND 30),
        reason text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'cancelled')),
        created_at timestamptz NOT NULL,
        decided_by uuid,
        decided_at timestamptz,
        decision_reason text,
        approved_days integer CHECK (approved_days BETWEEN 1 AND 30),
        expires_at timestamptz
      )`,
    `CREATE INDEX trust_requests_status ON trust_requests (status, created_at)`,
    `CREATE INDEX trust_requests_tenant ON trust_requests (tenant_id, created_at DESC)`,
    // At most one pending request per tenant.
    `CREATE UNIQUE INDEX trust_requests_one_pending ON trust_requests (tenant_id) WHERE status = 'pending'`,
    `CREATE TABLE trust_changes (
        id uuid PRIMARY KEY,
        -- insertion order, to sort events that share a timestamp
        seq bigint GENERATED ALWAYS AS IDENTITY,
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        event text NOT NULL CHECK (event IN ('requested', 'approved', 'denied', 'revoked', 'expired')),
        request_id uuid,
        actor_user_id uuid,
        from_level text NOT NULL CHECK (from_level IN ('standard', 'extended')),
        to_level text NOT NULL CHECK (to_level IN ('standard', 'extended')),
        expires_at timestamptz,
        days integer,
        reason text NOT NULL,
        at timestamptz NOT NULL
      )`,
    `CREATE INDEX trust_changes_tenant ON trust_changes (tenant_id, at DESC, seq DESC)`,
    `CREATE TABLE destination_rules (
        id uuid PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        -- NULL: a global rule (platform admins); otherwise the tenant's own rule
        tenant_id uuid REFERENCES tenants(id),
        kind text NOT NULL CHECK (kind IN ('domain', 'ip', 'cidr', 'url_prefix')),
        value text NOT NULL,
        reason text NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL,
        removed_at timestamptz,
        removed_by uuid,
        removed_reason text
      )`,
    `CREATE INDEX destination_rules_active ON destination_rules (tenant_id, seq) WHERE removed_at IS NULL`,
    `CREATE UNIQUE INDEX destination_rules_unique_global ON destination_rules (kind, value) WHERE removed_at IS NULL AND tenant_id IS NULL`,
    `CREATE UNIQUE INDEX destination_rules_unique_tenant ON destination_rules (tenant_id, kind, value) WHERE removed_at IS NULL AND tenant_id IS NOT NULL`,
    `CREATE TABLE permitted_script_hashes (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        permitted_by uuid,
        reason text NOT NULL,
        at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_by uuid,
        revoked_reason text
      )`,
    `CREATE UNIQUE INDEX permitted_script_hashes_active ON permitted_script_hashes (tenant_id, sha256) WHERE revoked_at IS NULL`,
  ],
};

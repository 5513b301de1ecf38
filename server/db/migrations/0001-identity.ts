import type { SchemaMigration } from './index';

/** Tenants, users, sessions, API keys, sign-in events and the first audit table. */
export const identityMigration: SchemaMigration = {
  name: '0001_identity',
  statements: [
    `CREATE TABLE tenants (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'restricted', 'blocked')),
        state_reason text,
        state_changed_at timestamptz,
        state_changed_by uuid,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
    `CREATE UNIQUE INDEX tenants_name_unique ON tenants (lower(name))`,
    `CREATE TABLE tenant_state_changes (
        id uuid PRIMARY KEY,
        -- insertion order, to sort events that share a timestamp
        seq bigint GENERATED ALWAYS AS IDENTITY,
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        from_state text NOT NULL,
        to_state text NOT NULL,
        reason text NOT NULL,
        actor_user_id uuid,
        at timestamptz NOT NULL
      )`,
    `CREATE INDEX tenant_state_changes_tenant ON tenant_state_changes (tenant_id, at DESC, seq DESC)`,
    `CREATE TABLE users (
        id uuid PRIMARY KEY,
        tenant_id uuid REFERENCES tenants(id),
        email text NOT NULL,
        email_normalized text NOT NULL UNIQUE,
        display_name text NOT NULL,
        role text NOT NULL CHECK (role IN ('platform_admin', 'supervisor', 'support', 'tenant_admin', 'technician')),
        password_hash text NOT NULL,
        totp_secret_enc text,
        totp_confirmed_at timestamptz,
        totp_pending_secret_enc text,
        totp_last_step integer,
        created_at timestamptz NOT NULL,
        created_by uuid,
        disabled_at timestamptz,
        CONSTRAINT users_role_matches_tenant CHECK (
          (role IN ('platform_admin', 'supervisor', 'support') AND tenant_id IS NULL)
          OR (role IN ('tenant_admin', 'technician') AND tenant_id IS NOT NULL)
        )
      )`,
    `CREATE INDEX users_tenant ON users (tenant_id)`,
    `CREATE TABLE login_challenges (
        id uuid PRIMARY KEY,
        token_hash text NOT NULL UNIQUE,
        user_id uuid NOT NULL REFERENCES users(id),
        purpose text NOT NULL CHECK (purpose IN ('mfa', 'enroll')),
        client_name text,
        ip text,
        user_agent text,
        attempts integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        consumed_at timestamptz
      )`,
    `CREATE TABLE sessions (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users(id),
        tenant_id uuid REFERENCES tenants(id),
        client_name text,
        user_agent text,
        ip text,
        last_seen_ip text,
        created_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        absolute_expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_reason text,
        revoked_by uuid
      )`,
    `CREATE INDEX sessions_user ON sessions (user_id) WHERE revoked_at IS NULL`,
    `CREATE INDEX sessions_tenant ON sessions (tenant_id) WHERE revoked_at IS NULL`,
    `CREATE TABLE session_tokens (
        token_hash text PRIMARY KEY,
        session_id uuid NOT NULL REFERENCES sessions(id),
        kind text NOT NULL CHECK (kind IN ('access', 'refresh')),
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`,
    `CREATE INDEX session_tokens_session ON session_tokens (session_id)`,
    `CREATE TABLE session_step_ups (
        session_id uuid NOT NULL REFERENCES sessions(id),
        action text NOT NULL,
        granted_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (session_id, action)
      )`,
    `CREATE TABLE api_keys (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('tenant_admin', 'technician')),
        token_hash text NOT NULL UNIQUE,
        prefix text NOT NULL,
        allowed_cidrs text[] NOT NULL DEFAULT '{}',
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        created_by uuid,
        revoked_at timestamptz,
        revoked_by uuid,
        last_used_at timestamptz,
        last_used_ip text
      )`,
    `CREATE INDEX api_keys_tenant ON api_keys (tenant_id)`,
    `CREATE TABLE login_events (
        id uuid PRIMARY KEY,
        -- insertion order, to sort events that share a timestamp
        seq bigint GENERATED ALWAYS AS IDENTITY,
        at timestamptz NOT NULL,
        kind text NOT NULL,
        result text NOT NULL CHECK (result IN ('success', 'failure')),
        reason text,
        user_id uuid,
        email text,
        tenant_id uuid,
        api_key_id uuid,
        ip text,
        user_agent text
      )`,
    `CREATE INDEX login_events_at ON login_events (at DESC, seq DESC)`,
    `CREATE INDEX login_events_tenant ON login_events (tenant_id, at DESC, seq DESC)`,
    `CREATE TABLE audit_events (
        id uuid PRIMARY KEY,
        -- insertion order, to sort events that share a timestamp
        seq bigint GENERATED ALWAYS AS IDENTITY,
        at timestamptz NOT NULL,
        action text NOT NULL,
        tenant_id uuid,
        actor_user_id uuid,
        actor_api_key_id uuid,
        actor_ip text,
        target_type text,
        target_id text,
        details jsonb NOT NULL DEFAULT '{}'
      )`,
    `CREATE INDEX audit_events_tenant ON audit_events (tenant_id, at DESC, seq DESC)`,
    `CREATE TABLE throttle_counters (
        key text PRIMARY KEY,
        failures integer NOT NULL,
        last_failure_at timestamptz NOT NULL
      )`,
  ],
};

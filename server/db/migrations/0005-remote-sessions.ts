import type { SchemaMigration } from './index';

/** Terminal and viewer sessions, and their bounded transcripts (issue 6, sessions area). */
export const remoteSessionsMigration: SchemaMigration = {
  name: '0005_remote_sessions',
  statements: [
    `CREATE TABLE remote_sessions (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id),
        endpoint_id uuid NOT NULL REFERENCES endpoints(id),
        user_id uuid NOT NULL REFERENCES users(id),
        -- the sign-in session that opened it: revoking that session closes this one
        auth_session_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('terminal', 'viewer')),
        mode text CHECK (mode IN ('line', 'raw')),
        shell text,
        -- terminal size asked for at open (the pty starts with it)
        cols integer,
        rows integer,
        status text NOT NULL CHECK (status IN ('pending', 'open', 'closed')),
        created_at timestamptz NOT NULL,
        connect_by timestamptz NOT NULL,
        opened_at timestamptz,
        closed_at timestamptz,
        close_reason text,
        lines_allowed integer NOT NULL DEFAULT 0,
        lines_flagged integer NOT NULL DEFAULT 0,
        lines_blocked integer NOT NULL DEFAULT 0,
        input_chars bigint NOT NULL DEFAULT 0,
        output_chars bigint NOT NULL DEFAULT 0,
        frames integer NOT NULL DEFAULT 0,
        transcript_chars bigint NOT NULL DEFAULT 0,
        transcript_truncated boolean NOT NULL DEFAULT false,
        ip text,
        user_agent text
      )`,
    `CREATE INDEX remote_sessions_tenant ON remote_sessions (tenant_id, created_at DESC)`,
    `CREATE INDEX remote_sessions_endpoint_live ON remote_sessions (endpoint_id) WHERE status <> 'closed'`,
    `CREATE INDEX remote_sessions_auth_session ON remote_sessions (auth_session_id) WHERE status <> 'closed'`,
    `CREATE TABLE remote_session_transcript (
        session_id uuid NOT NULL REFERENCES remote_sessions(id),
        seq integer NOT NULL,
        at timestamptz NOT NULL,
        -- input: what the console sent (line, raw keystrokes, interrupt); output: what the terminal printed;
        -- event: mode changes, refusals, open/close
        stream text NOT NULL CHECK (stream IN ('input', 'output', 'event')),
        kind text NOT NULL,
        data text NOT NULL,
        decision text CHECK (decision IN ('allow', 'flag', 'block', 'refused')),
        reason_codes jsonb,
        PRIMARY KEY (session_id, seq)
      )`,
  ],
};

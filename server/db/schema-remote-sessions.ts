import type { ColumnType } from 'kysely';

/** Row types of migration 0005 (terminal and viewer sessions). */
export interface RemoteSessionsTable {
  id: string;
  tenant_id: string;
  endpoint_id: string;
  user_id: string;
  auth_session_id: string;
  kind: 'terminal' | 'viewer';
  mode: 'line' | 'raw' | null;
  shell: string | null;
  cols: number | null;
  rows: number | null;
  status: 'pending' | 'open' | 'closed';
  created_at: Date;
  connect_by: Date;
  opened_at: Date | null;
  closed_at: Date | null;
  close_reason: string | null;
  lines_allowed: ColumnType<number, number | undefined, number>;
  lines_flagged: ColumnType<number, number | undefined, number>;
  lines_blocked: ColumnType<number, number | undefined, number>;
  // bigint columns come back as strings from pg; callers use Number()
  input_chars: ColumnType<string | number, number | undefined, number>;
  output_chars: ColumnType<string | number, number | undefined, number>;
  frames: ColumnType<number, number | undefined, number>;
  transcript_chars: ColumnType<string | number, number | undefined, number>;
  transcript_truncated: ColumnType<boolean, boolean | undefined, boolean>;
  ip: string | null;
  user_agent: string | null;
}

export interface RemoteSessionTranscriptTable {
  session_id: string;
  seq: number;
  at: Date;
  stream: 'input' | 'output' | 'event';
  kind: string;
  data: string;
  decision: 'allow' | 'flag' | 'block' | 'refused' | null;
  reason_codes: ColumnType<string[] | null, string | null, string | null>;
}

export interface RemoteSessionsTables {
  remote_sessions: RemoteSessionsTable;
  remote_session_transcript: RemoteSessionTranscriptTable;
}

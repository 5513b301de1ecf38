import type { ColumnType, Generated, Selectable } from 'kysely';

/** Row types of the agents and dispatch tables (migration 0004). */
type Timestamp = ColumnType<Date, Date, Date>;
type Json<T> = ColumnType<T, string, string>;

export interface EnrollTokensTable {
  id: string;
  tenant_id: string;
  name: string;
  token_hash: string;
  prefix: string;
  max_uses: number;
  use_count: Generated<number>;
  expires_at: Timestamp;
  created_at: Timestamp;
  created_by: string | null;
  last_used_at: Timestamp | null;
  last_used_endpoint_id: string | null;
  revoked_at: Timestamp | null;
  revoked_by: string | null;
}

export interface EnrollTokenUsesTable {
  id: string;
  token_id: string;
  endpoint_id: string;
  at: Timestamp;
  ip: string | null;
}

export interface EndpointsTable {
  id: string;
  tenant_id: string;
  enroll_token_id: string | null;
  credential_hash: string;
  hostname: string;
  os_platform: string;
  os_release: string;
  os_version: string;
  arch: string;
  os_family: 'windows' | 'linux' | 'macos';
  username: string;
  ips: Json<string[]>;
  agent_version: string;
  enrolled_at: Timestamp;
  enrolled_ip: string | null;
  last_seen_at: Timestamp | null;
  connected_at: Timestamp | null;
  disconnected_at: Timestamp | null;
  revoked_at: Timestamp | null;
  revoked_by: string | null;
  revoked_reason: string | null;
}

export interface AgentSigningKeysTable {
  id: string;
  public_key: string;
  private_key_enc: string;
  created_at: Timestamp;
}

export interface ScriptsTable {
  id: string;
  tenant_id: string;
  name: string;
  description: Generated<string>;
  shell: 'powershell' | 'cmd' | 'bash' | 'sh' | 'zsh';
  body: string;
  sha256: string;
  created_at: Timestamp;
  created_by: string | null;
  updated_at: Timestamp;
  updated_by: string | null;
  deleted_at: Timestamp | null;
}

export interface SchedulesTable {
  id: string;
  tenant_id: string;
  script_id: string;
  name: string;
  cron: string;
  timezone: Generated<string>;
  endpoint_ids: Json<string[]>;
  enabled: Generated<boolean>;
  next_run_at: Timestamp | null;
  last_run_at: Timestamp | null;
  created_at: Timestamp;
  created_by: string | null;
  deleted_at: Timestamp | null;
}

export interface DispatchRunsTable {
  id: string;
  tenant_id: string;
  kind: 'command' | 'script_run' | 'schedule_run';
  script_id: string | null;
  schedule_id: string | null;
  requested_by: string | null;
  api_key_id: string | null;
  decision: 'allow' | 'flag' | 'block';
  refusal: Json<StoredRefusal | null>;
  script_log_id: string | null;
  sha256: string;
  endpoint_count: number;
  created_at: Timestamp;
}

/** A refusal as stored: the API error code, message and the engine's reasons. */
export interface StoredRefusal {
  code: string;
  message: string;
  reasons: unknown[];
}

export interface ExecutionsTable {
  id: string;
  run_id: string;
  tenant_id: string;
  endpoint_id: string;
  action: string;
  shell: string;
  sha256: string;
  text_excerpt: string;
  status: ExecutionStatus;
  exit_code: number | null;
  signal: string | null;
  timed_out: Generated<boolean>;
  truncated: Generated<boolean>;
  output_bytes: Generated<number>;
  error: string | null;
  refusal: Json<StoredRefusal | null>;
  created_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
}

export type ExecutionStatus = 'dispatched' | 'running' | 'completed' | 'failed' | 'refused_by_agent' | 'agent_offline' | 'lost';

export interface ExecutionOutputTable {
  execution_id: string;
  seq: number;
  stream: 'stdout' | 'stderr';
  data: string;
}

export interface AgentsTables {
  enroll_tokens: EnrollTokensTable;
  enroll_token_uses: EnrollTokenUsesTable;
  endpoints: EndpointsTable;
  agent_signing_keys: AgentSigningKeysTable;
  scripts: ScriptsTable;
  schedules: SchedulesTable;
  dispatch_runs: DispatchRunsTable;
  executions: ExecutionsTable;
  execution_output: ExecutionOutputTable;
}

export type EnrollTokenRow = Selectable<EnrollTokensTable>;
export type EndpointRow = Selectable<EndpointsTable>;
export type ScriptRow = Selectable<ScriptsTable>;
export type ScheduleRow = Selectable<SchedulesTable>;
export type DispatchRunRow = Selectable<DispatchRunsTable>;
export type ExecutionRow = Selectable<ExecutionsTable>;

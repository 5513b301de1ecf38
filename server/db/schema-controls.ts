import type { ColumnType, Generated, Selectable } from 'kysely';
import type { DestinationRuleKind } from '../../shared/policy/types';

/** Row types of the controls tables (migration 0002): trust, destinations, tenant limits, permitted hashes. */
type Timestamp = ColumnType<Date, Date, Date>;

/** A stored allowlist entry; the id is generated when the allowlist is set. */
export interface StoredAllowlistEntry {
  id: string;
  kind: DestinationRuleKind;
  value: string;
}

export interface TenantControlsTable {
  tenant_id: string;
  verified: boolean;
  verified_at: Timestamp | null;
  verified_by: string | null;
  origin: 'admin' | 'signup';
  signup_ip: string | null;
  signup_email_domain: string | null;
  trust_expires_at: Timestamp | null;
  trust_granted_at: Timestamp | null;
  trust_request_id: string | null;
  trust_expiry_recorded: boolean;
  dispatches_per_minute: number | null;
  concurrent_terminal_sessions: number | null;
  enroll_max_active_tokens: number | null;
  enroll_max_uses_per_token: number | null;
  enroll_max_validity_hours: number | null;
  destination_allowlist: ColumnType<StoredAllowlistEntry[] | null, string | null, string | null>;
  updated_at: Timestamp;
  updated_by: string | null;
}

export type TrustRequestStatus = 'pending' | 'approved' | 'denied' | 'cancelled';

export interface TrustRequestsTable {
  id: string;
  tenant_id: string;
  requested_by: string;
  requested_days: number;
  reason: string;
  status: TrustRequestStatus;
  created_at: Timestamp;
  decided_by: string | null;
  decided_at: Timestamp | null;
  decision_reason: string | null;
  approved_days: number | null;
  expires_at: Timestamp | null;
}

export type TrustEvent = 'requested' | 'approved' | 'denied' | 'revoked' | 'expired';
export type TrustLevel = 'standard' | 'extended';

export interface TrustChangesTable {
  id: string;
  seq: Generated<string>;
  tenant_id: string;
  event: TrustEvent;
  request_id: string | null;
  actor_user_id: string | null;
  from_level: TrustLevel;
  to_level: TrustLevel;
  expires_at: Timestamp | null;
  days: number | null;
  reason: string;
  at: Timestamp;
}

export interface DestinationRulesTable {
  id: string;
  seq: Generated<string>;
  tenant_id: string | null;
  kind: DestinationRuleKind;
  value: string;
  reason: string;
  created_by: string | null;
  created_at: Timestamp;
  removed_at: Timestamp | null;
  removed_by: string | null;
  removed_reason: string | null;
}

export interface PermittedScriptHashesTable {
  id: string;
  tenant_id: string;
  sha256: string;
  permitted_by: string | null;
  reason: string;
  at: Timestamp;
  revoked_at: Timestamp | null;
  revoked_by: string | null;
  revoked_reason: string | null;
}

export interface ControlsTables {
  tenant_controls: TenantControlsTable;
  trust_requests: TrustRequestsTable;
  trust_changes: TrustChangesTable;
  destination_rules: DestinationRulesTable;
  permitted_script_hashes: PermittedScriptHashesTable;
}

export type TenantControlsRow = Selectable<TenantControlsTable>;
export type TrustRequestRow = Selectable<TrustRequestsTable>;
export type TrustChangeRow = Selectable<TrustChangesTable>;
export type DestinationRuleRow = Selectable<DestinationRulesTable>;
export type PermittedScriptHashRow = Selectable<PermittedScriptHashesTable>;

import { z } from 'zod';
import { Id, Timestamp } from './common';
import { TenantState } from './roles';

export const TenantName = z.string().trim().min(1).max(120);
export const Reason = z.string().trim().min(3, 'Give a reason of at least 3 characters').max(1000);

export const Tenant = z.object({
  id: Id,
  name: z.string(),
  state: TenantState,
  stateReason: z.string().nullable(),
  stateChangedAt: Timestamp.nullable(),
  stateChangedBy: Id.nullable(),
  createdAt: Timestamp,
});
export type Tenant = z.infer<typeof Tenant>;

export const TenantListResponse = z.object({ tenants: z.array(Tenant) });
export const CreateTenantRequest = z.strictObject({ name: TenantName });
export type CreateTenantRequest = z.infer<typeof CreateTenantRequest>;
export const RenameTenantRequest = z.strictObject({ name: TenantName });

export const SetTenantStateRequest = z.strictObject({ state: TenantState, reason: Reason });
export type SetTenantStateRequest = z.infer<typeof SetTenantStateRequest>;

export const TenantStateChange = z.object({
  id: Id,
  tenantId: Id,
  fromState: TenantState,
  toState: TenantState,
  reason: z.string(),
  actorUserId: Id.nullable(),
  at: Timestamp,
});
export type TenantStateChange = z.infer<typeof TenantStateChange>;
export const TenantStateHistoryResponse = z.object({ changes: z.array(TenantStateChange) });
export const SetTenantStateResponse = z.object({
  tenant: Tenant,
  /** Sessions ended because the tenant was blocked. */
  revokedSessions: z.number().int(),
});

import type { TenantState } from '../../shared/api/roles';
import type { DestinationRule, PolicyContext, Trust } from '../../shared/policy/types';
import type { ServerContext } from '../context';
import type { DbOrTransaction } from '../db/database';
import type { DestinationRuleRow, TenantControlsRow } from '../db/schema-controls';
import { errors } from '../errors';
import { effectiveAllowlist, effectiveLimits, isVerified, loadTenantControls, type TenantLimits } from './tenant-controls';

/**
 * Everything the policy engine and the dispatch limits need to decide for one tenant, read
 * from the database at the moment of the decision (contract 1 in the team notes). Nothing is
 * cached, so a rule added or a trust revoked on any instance counts on the next decision.
 */
export interface TenantPolicySnapshot {
  tenantId: string;
  state: TenantState;
  verified: boolean;
  /** `history` is left empty for the caller (terminal sessions) to fill. */
  policy: PolicyContext;
  limits: TenantLimits;
}

export function toDestinationRule(row: Pick<DestinationRuleRow, 'id' | 'kind' | 'value' | 'reason' | 'tenant_id'>): DestinationRule {
  return { id: row.id, kind: row.kind, value: row.value, reason: row.reason, scope: row.tenant_id === null ? 'global' : 'tenant' };
}

/** Active blocked-destination rules: the global ones first, then the tenant's own (or only global ones for null). */
export async function activeDestinationRules(db: DbOrTransaction, tenantId: string | null): Promise<DestinationRule[]> {
  let query = db
    .selectFrom('destination_rules')
    .select(['id', 'kind', 'value', 'reason', 'tenant_id'])
    .where('removed_at', 'is', null)
    // Global rules first (NULLS FIRST), then in the order they were added.
    .orderBy((eb) => eb.case().when('tenant_id', 'is', null).then(0).else(1).end())
    .orderBy('seq');
  query =
    tenantId === null
      ? query.where('tenant_id', 'is', null)
      : query.where((eb) => eb.or([eb('tenant_id', 'is', null), eb('tenant_id', '=', tenantId)]));
  return (await query.execute()).map(toDestinationRule);
}

export async function activePermittedHashes(db: DbOrTransaction, tenantId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('permitted_script_hashes')
    .select('sha256')
    .where('tenant_id', '=', tenantId)
    .where('revoked_at', 'is', null)
    .orderBy('at')
    .execute();
  return rows.map((row) => row.sha256);
}

/** Extended trust is in force only while its end lies in the future; everything else is standard. */
export function trustAt(row: Pick<TenantControlsRow, 'trust_expires_at'> | undefined, now: Date): Trust {
  const expires = row?.trust_expires_at ? new Date(row.trust_expires_at).getTime() : null;
  return expires !== null && expires > now.getTime() ? { level: 'extended', expiresAt: expires } : { level: 'standard' };
}

export async function loadTenantPolicyContext(
  ctx: ServerContext,
  tenantId: string,
  db: DbOrTransaction = ctx.db,
): Promise<TenantPolicySnapshot> {
  const tenant = await db.selectFrom('tenants').select(['id', 'state']).where('id', '=', tenantId).executeTakeFirst();
  if (!tenant) throw errors.notFound('tenant');
  // Sequential on purpose: `db` may be a transaction, which runs one query at a time anyway.
  const controls = await loadTenantControls(db, tenantId);
  const blockedDestinations = await activeDestinationRules(db, tenantId);
  const permittedScriptHashes = await activePermittedHashes(db, tenantId);
  const now = ctx.clock.now();
  return {
    tenantId,
    state: tenant.state,
    verified: isVerified(controls),
    policy: {
      tenantState: tenant.state,
      trust: trustAt(controls, now),
      now: now.getTime(),
      blockedDestinations,
      destinationAllowlist: effectiveAllowlist(ctx.config, controls),
      permittedScriptHashes,
      history: [],
    },
    limits: effectiveLimits(ctx.config, controls),
  };
}

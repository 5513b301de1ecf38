import { randomUUID } from 'node:crypto';
import type { TenantState } from '../../shared/api/roles';
import type { Tenant, TenantStateChange } from '../../shared/api/tenants';
import type { ServerContext } from '../context';
import type { TenantRow } from '../db/schema';
import { errors } from '../errors';
import { recordAudit } from './events';
import { tenantScope, type Principal, type RequestMeta } from './principal';
import { revokeSessions } from './sessions';
import { inTransaction } from '../db/transaction';

const iso = (date: Date | null) => (date ? new Date(date).toISOString() : null);

export function toApiTenant(row: TenantRow): Tenant {
  return {
    id: row.id,
    name: row.name,
    state: row.state,
    stateReason: row.state_reason,
    stateChangedAt: iso(row.state_changed_at),
    stateChangedBy: row.state_changed_by,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === '23505';

export async function listTenants(ctx: ServerContext, principal: Principal): Promise<Tenant[]> {
  let query = ctx.db.selectFrom('tenants').selectAll().orderBy('name');
  const scope = tenantScope(principal);
  if (scope) query = query.where('id', '=', scope);
  return (await query.execute()).map(toApiTenant);
}

/** A tenant the principal may see; anything else is "not found", so foreign ids are not confirmed. */
export async function getVisibleTenant(ctx: ServerContext, principal: Principal, id: string): Promise<TenantRow> {
  const scope = tenantScope(principal);
  if (scope && scope !== id) throw errors.notFound('tenant');
  const row = await ctx.db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw errors.notFound('tenant');
  return row;
}

export async function createTenant(
  ctx: ServerContext,
  principal: Principal | null,
  name: string,
  meta: RequestMeta | null,
): Promise<Tenant> {
  const now = ctx.clock.now();
  const row: TenantRow = {
    id: randomUUID(),
    name,
    state: 'active',
    state_reason: null,
    state_changed_at: null,
    state_changed_by: null,
    created_at: now,
    updated_at: now,
  };
  try {
    await ctx.db.insertInto('tenants').values(row).execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw errors.conflict(`A tenant named "${name}" already exists`);
    throw error;
  }
  await recordAudit(ctx, {
    action: 'tenant.created',
    principal,
    meta,
    tenantId: row.id,
    targetType: 'tenant',
    targetId: row.id,
    details: { name },
  });
  return toApiTenant(row);
}

export async function renameTenant(ctx: ServerContext, principal: Principal, id: string, name: string, meta: RequestMeta): Promise<Tenant> {
  const before = await getVisibleTenant(ctx, principal, id);
  try {
    const row = await ctx.db
      .updateTable('tenants')
      .set({ name, updated_at: ctx.clock.now() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(ctx, {
      action: 'tenant.renamed',
      principal,
      meta,
      tenantId: id,
      targetType: 'tenant',
      targetId: id,
      details: { from: before.name, to: name },
    });
    return toApiTenant(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw errors.conflict(`A tenant named "${name}" already exists`);
    throw error;
  }
}

/**
 * Changes a tenant's state with a reason, keeping the history. Nothing is deleted: blocking
 * ends the tenant's sessions (and its API keys stop working while blocked); unblocking
 * restores everything.
 */
export async function setTenantState(
  ctx: ServerContext,
  principal: Principal,
  id: string,
  input: { state: TenantState; reason: string },
  meta: RequestMeta,
): Promise<{ tenant: Tenant; revokedSessions: number }> {
  await getVisibleTenant(ctx, principal, id);
  const now = ctx.clock.now();
  const actorUserId = principal.kind === 'user' ? principal.userId : null;
  const { row, fromState } = await inTransaction(ctx.db, async (trx) => {
    const current = await trx.selectFrom('tenants').select('state').where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
    await trx
      .insertInto('tenant_state_changes')
      .values({
        id: randomUUID(),
        tenant_id: id,
        from_state: current.state,
        to_state: input.state,
        reason: input.reason,
        actor_user_id: actorUserId,
        at: now,
      })
      .execute();
    const updated = await trx
      .updateTable('tenants')
      .set({ state: input.state, state_reason: input.reason, state_changed_at: now, state_changed_by: actorUserId, updated_at: now })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(
      ctx,
      {
        action: 'tenant.state_changed',
        principal,
        meta,
        tenantId: id,
        targetType: 'tenant',
        targetId: id,
        details: { from: current.state, to: input.state, reason: input.reason },
      },
      trx,
    );
    return { row: updated, fromState: current.state };
  });
  let revokedSessions = 0;
  if (input.state === 'blocked') {
    revokedSessions = await revokeSessions(ctx, { tenantId: id }, 'tenant_blocked', principal, meta);
    await ctx.state
      .publishRevocation({ kind: 'tenant', tenantId: id, reason: 'tenant_blocked' })
      .catch((error: unknown) => ctx.logger.error({ err: error }, 'could not publish a tenant revocation notice'));
  }
  ctx.logger.info({ tenantId: id, from: fromState, to: input.state, revokedSessions }, 'tenant state changed');
  return { tenant: toApiTenant(row), revokedSessions };
}

export async function tenantStateHistory(ctx: ServerContext, principal: Principal, id: string): Promise<TenantStateChange[]> {
  await getVisibleTenant(ctx, principal, id);
  const rows = await ctx.db
    .selectFrom('tenant_state_changes')
    .selectAll()
    .where('tenant_id', '=', id)
    .orderBy('at', 'desc')
    .orderBy('seq', 'desc')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    tenantId: row.tenant_id,
    fromState: row.from_state,
    toState: row.to_state,
    reason: row.reason,
    actorUserId: row.actor_user_id,
    at: new Date(row.at).toISOString(),
  }));
}

import { randomUUID } from 'node:crypto';
import type { Insertable } from 'kysely';
import type { TrustChange, TrustRequest, TrustStatus } from '../../shared/api/controls';
import { MAX_TRUST_DAYS } from '../../shared/api/controls';
import type { ServerContext } from '../context';
import type { DbOrTransaction } from '../db/database';
import type { TrustChangesTable, TrustEvent, TrustLevel, TrustRequestRow, TrustRequestStatus } from '../db/schema-controls';
import { ApiError, errors } from '../errors';
import { recordAudit } from '../identity/events';
import { tenantScope, type Principal, type RequestMeta } from '../identity/principal';
import { getVisibleTenant } from '../identity/tenants';
import { trustAt } from './policy-context';
import { loadTenantControls, lockTenantControls } from './tenant-controls';
import { inTransaction } from '../db/transaction';

/**
 * Extended trust: a tenant admin asks, a supervisor decides (approval needs a fresh step-up,
 * enforced by the route contract), and the grant ends by itself at its end time: whatever reads
 * trust compares `trust_expires_at` with the clock, so no job is needed for it to lapse.
 */

const DAY_MS = 86_400_000;
const iso = (date: Date | null) => (date ? new Date(date).toISOString() : null);
const userIdOf = (principal: Principal | null) => (principal?.kind === 'user' ? principal.userId : null);

type RequestWithTenant = TrustRequestRow & { tenant_name: string };

function toApiRequest(row: RequestWithTenant): TrustRequest {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    tenantName: row.tenant_name,
    requestedBy: row.requested_by,
    requestedDays: row.requested_days,
    reason: row.reason,
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
    decidedBy: row.decided_by,
    decidedAt: iso(row.decided_at),
    decisionReason: row.decision_reason,
    approvedDays: row.approved_days,
    expiresAt: iso(row.expires_at),
  };
}

function selectRequests(db: DbOrTransaction) {
  return db
    .selectFrom('trust_requests as r')
    .innerJoin('tenants as t', 't.id', 'r.tenant_id')
    .selectAll('r')
    .select('t.name as tenant_name');
}

/** A request the principal may see (tenant users: their tenant's only; others answer 404). */
async function getVisibleRequest(db: DbOrTransaction, principal: Principal, id: string, forUpdate = false): Promise<RequestWithTenant> {
  let query = selectRequests(db).where('r.id', '=', id);
  const scope = tenantScope(principal);
  if (scope) query = query.where('r.tenant_id', '=', scope);
  if (forUpdate) query = query.forUpdate('r');
  const row = await query.executeTakeFirst();
  if (!row) throw errors.notFound('trust request');
  return row;
}

async function recordTrustChange(
  ctx: ServerContext,
  db: DbOrTransaction,
  change: Omit<Insertable<TrustChangesTable>, 'id' | 'seq' | 'at'>,
  principal: Principal | null,
  meta: RequestMeta | null,
) {
  const at = ctx.clock.now();
  await db
    .insertInto('trust_changes')
    .values({ id: randomUUID(), at, ...change })
    .execute();
  await recordAudit(
    ctx,
    {
      action: `trust.${change.event}`,
      principal,
      meta,
      tenantId: change.tenant_id,
      targetType: change.request_id ? 'trust_request' : 'tenant',
      targetId: change.request_id ?? change.tenant_id,
      details: {
        from: change.from_level,
        to: change.to_level,
        expiresAt: iso(change.expires_at ?? null),
        days: change.days,
        reason: change.reason,
      },
    },
    db,
  );
}

const levelAt = (expiresAt: Date | null | undefined, now: Date): TrustLevel => trustAt({ trust_expires_at: expiresAt ?? null }, now).level;

/** Tenant admins ask for extended trust for their own tenant: 1–30 days and a reason. One pending request at a time. */
export async function requestTrust(
  ctx: ServerContext,
  principal: Principal,
  tenantId: string,
  input: { days: number; reason: string },
  meta: RequestMeta,
): Promise<TrustRequest> {
  await getVisibleTenant(ctx, principal, tenantId);
  const requestedBy = userIdOf(principal);
  if (!requestedBy || principal.role !== 'tenant_admin') throw errors.forbidden('Only tenant admins request extended trust');
  if (input.days > MAX_TRUST_DAYS) throw errors.validation({ days: `Extended trust lasts at most ${MAX_TRUST_DAYS} days` });
  const id = randomUUID();
  await inTransaction(ctx.db, async (trx) => {
    const controls = await lockTenantControls(ctx, trx, tenantId);
    const pending = await trx
      .selectFrom('trust_requests')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (pending) throw errors.conflict('This tenant already has a pending extended-trust request; wait for the decision or cancel it');
    await trx
      .insertInto('trust_requests')
      .values({
        id,
        tenant_id: tenantId,
        requested_by: requestedBy,
        requested_days: input.days,
        reason: input.reason,
        status: 'pending',
        created_at: ctx.clock.now(),
        decided_by: null,
        decided_at: null,
        decision_reason: null,
        approved_days: null,
        expires_at: null,
      })
      .execute();
    const level = levelAt(controls.trust_expires_at, ctx.clock.now());
    await recordTrustChange(
      ctx,
      trx,
      {
        tenant_id: tenantId,
        event: 'requested',
        request_id: id,
        actor_user_id: requestedBy,
        from_level: level,
        to_level: level,
        expires_at: null,
        days: input.days,
        reason: input.reason,
      },
      principal,
      meta,
    );
  });
  return toApiRequest(await getVisibleRequest(ctx.db, principal, id));
}

export async function listTrustRequests(
  ctx: ServerContext,
  principal: Principal,
  filter: { status?: TrustRequestStatus | undefined; tenantId?: string | undefined },
): Promise<TrustRequest[]> {
  await recordTrustExpiries(ctx);
  const scope = tenantScope(principal);
  if (scope && filter.tenantId && filter.tenantId !== scope) throw errors.notFound('tenant');
  let query = selectRequests(ctx.db).orderBy('r.created_at', 'desc').limit(500);
  const tenantId = scope ?? filter.tenantId;
  if (tenantId) query = query.where('r.tenant_id', '=', tenantId);
  if (filter.status) query = query.where('r.status', '=', filter.status);
  return (await query.execute()).map(toApiRequest);
}

/**
 * A supervisor approves: own reason, a duration no longer than requested (and never more than
 * 30 days). The requester can never approve their own request. The step-up is checked by the
 * route contract before this runs.
 */
export async function approveTrustRequest(
  ctx: ServerContext,
  principal: Principal,
  id: string,
  input: { days?: number | undefined; reason: string },
  meta: RequestMeta,
): Promise<TrustRequest> {
  const approver = userIdOf(principal);
  if (!approver || principal.role !== 'supervisor') throw errors.forbidden('Only supervisors approve extended trust');
  await inTransaction(ctx.db, async (trx) => {
    const request = await getVisibleRequest(trx, principal, id, true);
    if (request.requested_by === approver) throw errors.forbidden('You cannot approve your own extended-trust request');
    if (request.status !== 'pending') throw errors.conflict(`This request was already ${request.status}`);
    const days = input.days ?? request.requested_days;
    if (days > request.requested_days) {
      throw errors.validation({ days: `At most the ${request.requested_days} days requested` });
    }
    if (days > MAX_TRUST_DAYS) throw errors.validation({ days: `Extended trust lasts at most ${MAX_TRUST_DAYS} days` });
    const controls = await lockTenantControls(ctx, trx, request.tenant_id);
    const now = ctx.clock.now();
    const expiresAt = new Date(now.getTime() + days * DAY_MS);
    await trx
      .updateTable('trust_requests')
      .set({
        status: 'approved',
        decided_by: approver,
        decided_at: now,
        decision_reason: input.reason,
        approved_days: days,
        expires_at: expiresAt,
      })
      .where('id', '=', id)
      .execute();
    await trx
      .updateTable('tenant_controls')
      .set({
        trust_expires_at: expiresAt,
        trust_granted_at: now,
        trust_request_id: id,
        trust_expiry_recorded: false,
        updated_at: now,
        updated_by: approver,
      })
      .where('tenant_id', '=', request.tenant_id)
      .execute();
    await recordTrustChange(
      ctx,
      trx,
      {
        tenant_id: request.tenant_id,
        event: 'approved',
        request_id: id,
        actor_user_id: approver,
        from_level: levelAt(controls.trust_expires_at, now),
        to_level: 'extended',
        expires_at: expiresAt,
        days,
        reason: input.reason,
      },
      principal,
      meta,
    );
  });
  return toApiRequest(await getVisibleRequest(ctx.db, principal, id));
}

/** A supervisor denies (reason required), or the tenant's admin withdraws a pending request. */
export async function closeTrustRequest(
  ctx: ServerContext,
  principal: Principal,
  id: string,
  outcome: 'denied' | 'cancelled',
  reason: string,
  meta: RequestMeta,
): Promise<TrustRequest> {
  const actor = userIdOf(principal);
  if (!actor) throw errors.forbidden();
  if (outcome === 'denied' && principal.role !== 'supervisor') throw errors.forbidden('Only supervisors deny extended trust');
  if (outcome === 'cancelled' && principal.role !== 'tenant_admin') throw errors.forbidden('Only the tenant’s admins withdraw a request');
  await inTransaction(ctx.db, async (trx) => {
    const request = await getVisibleRequest(trx, principal, id, true);
    if (request.status !== 'pending') throw errors.conflict(`This request was already ${request.status}`);
    const now = ctx.clock.now();
    await trx
      .updateTable('trust_requests')
      .set({ status: outcome, decided_by: actor, decided_at: now, decision_reason: reason })
      .where('id', '=', id)
      .execute();
    if (outcome === 'denied') {
      const level = levelAt((await loadTenantControls(trx, request.tenant_id))?.trust_expires_at, now);
      await recordTrustChange(
        ctx,
        trx,
        {
          tenant_id: request.tenant_id,
          event: 'denied',
          request_id: id,
          actor_user_id: actor,
          from_level: level,
          to_level: level,
          expires_at: null,
          days: request.requested_days,
          reason,
        },
        principal,
        meta,
      );
    } else {
      await recordAudit(
        ctx,
        { action: 'trust.request_cancelled', principal, meta, tenantId: request.tenant_id, targetType: 'trust_request', targetId: id },
        trx,
      );
    }
  });
  return toApiRequest(await getVisibleRequest(ctx.db, principal, id));
}

/** Ends extended trust before its time, with a reason. */
export async function revokeTrust(
  ctx: ServerContext,
  principal: Principal,
  tenantId: string,
  reason: string,
  meta: RequestMeta,
): Promise<TrustStatus> {
  await getVisibleTenant(ctx, principal, tenantId);
  const actor = userIdOf(principal);
  await inTransaction(ctx.db, async (trx) => {
    const controls = await lockTenantControls(ctx, trx, tenantId);
    const now = ctx.clock.now();
    if (levelAt(controls.trust_expires_at, now) !== 'extended') {
      throw new ApiError(409, 'trust_not_extended', 'This tenant has no extended trust in force; there is nothing to revoke');
    }
    await trx
      .updateTable('tenant_controls')
      .set({ trust_expires_at: null, trust_expiry_recorded: true, updated_at: now, updated_by: actor })
      .where('tenant_id', '=', tenantId)
      .execute();
    // The approved request's end is when its trust ended: lists of active trust read it.
    if (controls.trust_request_id) {
      await trx
        .updateTable('trust_requests')
        .set({ expires_at: now })
        .where('id', '=', controls.trust_request_id)
        .where('expires_at', '>', now)
        .execute();
    }
    await recordTrustChange(
      ctx,
      trx,
      {
        tenant_id: tenantId,
        event: 'revoked',
        request_id: controls.trust_request_id,
        actor_user_id: actor,
        from_level: 'extended',
        to_level: 'standard',
        expires_at: controls.trust_expires_at,
        days: null,
        reason,
      },
      principal,
      meta,
    );
  });
  return getTrustStatus(ctx, principal, tenantId);
}

export async function getTrustStatus(ctx: ServerContext, principal: Principal, tenantId: string): Promise<TrustStatus> {
  await getVisibleTenant(ctx, principal, tenantId);
  await recordTrustExpiries(ctx, tenantId);
  const controls = await loadTenantControls(ctx.db, tenantId);
  const now = ctx.clock.now();
  const trust = trustAt(controls, now);
  const pending = await selectRequests(ctx.db).where('r.tenant_id', '=', tenantId).where('r.status', '=', 'pending').executeTakeFirst();
  return {
    tenantId,
    level: trust.level,
    expiresAt: trust.level === 'extended' ? new Date(trust.expiresAt).toISOString() : null,
    grantedAt: trust.level === 'extended' ? iso(controls?.trust_granted_at ?? null) : null,
    pendingRequest: pending ? toApiRequest(pending) : null,
  };
}

export async function trustHistory(ctx: ServerContext, principal: Principal, tenantId: string): Promise<TrustChange[]> {
  await getVisibleTenant(ctx, principal, tenantId);
  await recordTrustExpiries(ctx, tenantId);
  const rows = await ctx.db
    .selectFrom('trust_changes')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('at', 'desc')
    .orderBy('seq', 'desc')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    tenantId: row.tenant_id,
    event: row.event,
    requestId: row.request_id,
    actorUserId: row.actor_user_id,
    from: row.from_level,
    to: row.to_level,
    expiresAt: iso(row.expires_at),
    days: row.days,
    reason: row.reason,
    at: new Date(row.at).toISOString(),
  }));
}

/**
 * Records `trust.expired` once for each grant whose end has passed. Not needed for the expiry
 * to take effect (every reader compares with the clock); it only completes the history. Runs
 * before history and status reads, and may be called periodically (housekeeping).
 */
export async function recordTrustExpiries(ctx: ServerContext, tenantId?: string): Promise<number> {
  const now = ctx.clock.now();
  let query = ctx.db
    .updateTable('tenant_controls')
    .set({ trust_expiry_recorded: true })
    .where('trust_expires_at', '<=', now)
    .where('trust_expiry_recorded', '=', false);
  if (tenantId) query = query.where('tenant_id', '=', tenantId);
  // The conditional update claims each expiry once, even with several instances sweeping.
  const expired = await query.returning(['tenant_id', 'trust_expires_at', 'trust_request_id']).execute();
  for (const row of expired) {
    const event: TrustEvent = 'expired';
    await recordTrustChange(
      ctx,
      ctx.db,
      {
        tenant_id: row.tenant_id,
        event,
        request_id: row.trust_request_id,
        actor_user_id: null,
        from_level: 'extended',
        to_level: 'standard',
        expires_at: row.trust_expires_at,
        days: null,
        reason: 'Extended trust reached its end time',
      },
      null,
      null,
    );
  }
  return expired.length;
}

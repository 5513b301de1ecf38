import { randomUUID } from 'node:crypto';
import { ENROLL_TOKEN_PREFIX } from '../../shared/agent-protocol/messages';
import type { EnrollToken } from '../../shared/api/enroll-tokens';
import type { ServerContext } from '../context';
import { loadTenantPolicyContext } from '../controls/policy-context';
import { hashToken, newToken } from '../crypto/tokens';
import type { EnrollTokenRow } from '../db/schema-agents';
import { ApiError, errors } from '../errors';
import { recordAudit } from '../identity/events';
import { tenantScope, type Principal, type RequestMeta } from '../identity/principal';
import { inTransaction } from '../db/transaction';

const iso = (date: Date | null) => (date ? new Date(date).toISOString() : null);

export function enrollTokenStatus(row: EnrollTokenRow, now: Date): EnrollToken['status'] {
  if (row.revoked_at) return 'revoked';
  if (row.use_count >= row.max_uses) return 'used_up';
  if (new Date(row.expires_at).getTime() <= now.getTime()) return 'expired';
  return 'active';
}

export function toApiEnrollToken(row: EnrollTokenRow, now: Date): EnrollToken {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    prefix: row.prefix,
    maxUses: row.max_uses,
    useCount: row.use_count,
    expiresAt: new Date(row.expires_at).toISOString(),
    createdAt: new Date(row.created_at).toISOString(),
    createdBy: row.created_by,
    lastUsedAt: iso(row.last_used_at),
    lastUsedEndpointId: row.last_used_endpoint_id,
    revokedAt: iso(row.revoked_at),
    status: enrollTokenStatus(row, now),
  };
}

/** The tenant a tenant-scoped action applies to: the caller's own, or the one a platform admin names. */
export function targetTenant(principal: Principal, requested: string | undefined): string {
  const scope = tenantScope(principal);
  if (scope) {
    if (requested && requested !== scope) throw errors.notFound('tenant');
    return scope;
  }
  if (!requested) throw errors.validation({ tenantId: 'Choose the tenant' });
  return requested;
}

const limitError = (message: string) => new ApiError(403, 'enroll_token_limit', message);

export interface NewEnrollToken {
  name: string;
  validityHours: number;
  maxUses: number;
}

export async function createEnrollToken(
  ctx: ServerContext,
  principal: Principal,
  input: NewEnrollToken & { tenantId?: string | undefined },
  meta: RequestMeta,
): Promise<{ token: EnrollToken; secret: string }> {
  return issueEnrollToken(ctx, targetTenant(principal, input.tenantId), input, principal, meta);
}

/**
 * Issues a token for a tenant within the tenant's limits. `principal` is null only for the
 * launcher's own bootstrap of this machine (see local-machine.ts); the audit shows no actor then.
 */
export async function issueEnrollToken(
  ctx: ServerContext,
  tenantId: string,
  input: NewEnrollToken,
  principal: Principal | null,
  meta: RequestMeta | null,
): Promise<{ token: EnrollToken; secret: string }> {
  const snapshot = await loadTenantPolicyContext(ctx, tenantId);
  if (snapshot.state !== 'active') {
    throw new ApiError(
      403,
      snapshot.state === 'blocked' ? 'tenant_blocked' : 'tenant_restricted',
      `The tenant is ${snapshot.state}: no new agents can enroll`,
    );
  }
  const limits = snapshot.limits.enrollTokens;
  const trial = snapshot.verified ? '' : ' (trial tenants have lower limits until a platform admin verifies the tenant)';
  if (input.validityHours > limits.maxValidityHours) {
    throw limitError(`A token may be valid for at most ${limits.maxValidityHours} hours for this tenant${trial}`);
  }
  if (input.maxUses > limits.maxUsesPerToken)
    throw limitError(`A token may be used at most ${limits.maxUsesPerToken} times for this tenant${trial}`);
  const now = ctx.clock.now();
  const secret = newToken(ENROLL_TOKEN_PREFIX);
  const row = await inTransaction(ctx.db, async (trx) => {
    // Serialise token creation per tenant so two requests cannot both pass the cap.
    await trx.selectFrom('tenants').select('id').where('id', '=', tenantId).forUpdate().executeTakeFirstOrThrow();
    const active = await trx
      .selectFrom('enroll_tokens')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('tenant_id', '=', tenantId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .whereRef('use_count', '<', 'max_uses')
      .executeTakeFirstOrThrow();
    if (Number(active.count) >= limits.maxActive) {
      throw limitError(`This tenant already has ${active.count} active enroll tokens, the most it may have${trial}; revoke one first`);
    }
    const inserted = await trx
      .insertInto('enroll_tokens')
      .values({
        id: randomUUID(),
        tenant_id: tenantId,
        name: input.name,
        token_hash: hashToken(secret),
        prefix: secret.slice(0, ENROLL_TOKEN_PREFIX.length + 6),
        max_uses: input.maxUses,
        expires_at: new Date(now.getTime() + input.validityHours * 3_600_000),
        created_at: now,
        created_by: principal?.kind === 'user' ? principal.userId : null,
        last_used_at: null,
        last_used_endpoint_id: null,
        revoked_at: null,
        revoked_by: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(
      ctx,
      {
        action: 'enroll_token.created',
        principal,
        meta,
        tenantId,
        targetType: 'enroll_token',
        targetId: inserted.id,
        details: { name: input.name, maxUses: input.maxUses, validityHours: input.validityHours, prefix: inserted.prefix },
      },
      trx,
    );
    return inserted;
  });
  return { token: toApiEnrollToken(row, now), secret };
}

async function visibleToken(ctx: ServerContext, principal: Principal, id: string): Promise<EnrollTokenRow> {
  const row = await ctx.db.selectFrom('enroll_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  const scope = tenantScope(principal);
  if (!row || (scope && row.tenant_id !== scope)) throw errors.notFound('enroll token');
  return row;
}

export async function listEnrollTokens(
  ctx: ServerContext,
  principal: Principal,
  query: { tenantId?: string | undefined; all?: string | undefined },
) {
  const scope = tenantScope(principal);
  if (scope && query.tenantId && query.tenantId !== scope) throw errors.notFound('tenant');
  let select = ctx.db.selectFrom('enroll_tokens').selectAll().orderBy('created_at', 'desc').limit(1000);
  const tenantId = scope ?? query.tenantId;
  if (tenantId) select = select.where('tenant_id', '=', tenantId);
  const now = ctx.clock.now();
  const tokens = (await select.execute()).map((row) => toApiEnrollToken(row, now));
  return query.all === 'true' ? tokens : tokens.filter((token) => token.status === 'active');
}

/** Revokes one token; the tenant's other tokens and the endpoints it already enrolled are untouched. */
export async function revokeEnrollToken(ctx: ServerContext, principal: Principal, id: string, meta: RequestMeta): Promise<EnrollToken> {
  const before = await visibleToken(ctx, principal, id);
  const now = ctx.clock.now();
  if (before.revoked_at) return toApiEnrollToken(before, now);
  const row = await ctx.db
    .updateTable('enroll_tokens')
    .set({ revoked_at: now, revoked_by: principal.kind === 'user' ? principal.userId : null })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAudit(ctx, {
    action: 'enroll_token.revoked',
    principal,
    meta,
    tenantId: row.tenant_id,
    targetType: 'enroll_token',
    targetId: id,
    details: { name: row.name, useCount: row.use_count },
  });
  return toApiEnrollToken(row, now);
}

export async function enrollTokenUses(ctx: ServerContext, principal: Principal, id: string) {
  await visibleToken(ctx, principal, id);
  const rows = await ctx.db
    .selectFrom('enroll_token_uses')
    .innerJoin('endpoints', 'endpoints.id', 'enroll_token_uses.endpoint_id')
    .select([
      'enroll_token_uses.id',
      'enroll_token_uses.token_id',
      'enroll_token_uses.endpoint_id',
      'enroll_token_uses.at',
      'enroll_token_uses.ip',
      'endpoints.hostname',
    ])
    .where('enroll_token_uses.token_id', '=', id)
    .orderBy('enroll_token_uses.at', 'desc')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    tokenId: row.token_id,
    endpointId: row.endpoint_id,
    hostname: row.hostname,
    at: new Date(row.at).toISOString(),
    ip: row.ip,
  }));
}

import { randomUUID } from 'node:crypto';
import type { BlockedDestinationRule, MatchedDestinationRule } from '../../shared/api/controls';
import { checkEmailDomain, parseDestinationRule } from '../../shared/policy/destinations/index';
import type { DestinationRule, DestinationRuleKind } from '../../shared/policy/types';
import type { ServerContext } from '../context';
import type { DbOrTransaction } from '../db/database';
import type { DestinationRuleRow } from '../db/schema-controls';
import { ApiError, errors } from '../errors';
import { recordAudit } from '../identity/events';
import { tenantScope, type Principal, type RequestMeta } from '../identity/principal';
import { getVisibleTenant } from '../identity/tenants';
import { activeDestinationRules } from './policy-context';

/**
 * Blocked destinations: global rules (platform admins) and each tenant's own rules (its
 * admins). Stored in the database and read on every decision (loadTenantPolicyContext), so a
 * change counts on the next decision on every instance. Values are validated and normalised
 * by the policy engine's own parser, the same code that matches them later.
 */

const iso = (date: Date | null) => (date ? new Date(date).toISOString() : null);

export function toApiDestinationRule(row: DestinationRuleRow): BlockedDestinationRule {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    scope: row.tenant_id === null ? 'global' : 'tenant',
    kind: row.kind,
    value: row.value,
    reason: row.reason,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    removedAt: iso(row.removed_at),
    removedBy: row.removed_by,
    removedReason: row.removed_reason,
  };
}

export function describeRule(rule: DestinationRule): MatchedDestinationRule {
  return { id: rule.id, kind: rule.kind, value: rule.value, reason: rule.reason ?? null, scope: rule.scope ?? 'tenant' };
}

export async function listDestinationRules(
  ctx: ServerContext,
  principal: Principal,
  filter: { tenantId?: string | undefined; scope: 'global' | 'tenant' | 'all'; includeRemoved: 'true' | 'false' },
): Promise<BlockedDestinationRule[]> {
  const scope = tenantScope(principal);
  if (scope && filter.tenantId && filter.tenantId !== scope) throw errors.notFound('tenant');
  const tenantId = scope ?? filter.tenantId ?? null;
  let query = ctx.db.selectFrom('destination_rules').selectAll().orderBy('seq');
  if (filter.includeRemoved !== 'true') query = query.where('removed_at', 'is', null);
  if (filter.scope === 'global') {
    query = query.where('tenant_id', 'is', null);
  } else if (filter.scope === 'tenant') {
    // Staff without a tenant filter see every tenant's rules.
    query = tenantId ? query.where('tenant_id', '=', tenantId) : query.where('tenant_id', 'is not', null);
  } else if (tenantId) {
    query = query.where((eb) => eb.or([eb('tenant_id', 'is', null), eb('tenant_id', '=', tenantId)]));
  }
  return (await query.limit(5000).execute()).map(toApiDestinationRule);
}

/**
 * Adds a rule. Platform admins add global rules (no tenantId) or a tenant's; tenant admins add
 * rules for their own tenant only, never global ones.
 */
export async function addDestinationRule(
  ctx: ServerContext,
  principal: Principal,
  input: { kind: DestinationRuleKind; value: string; tenantId?: string | undefined; reason: string },
  meta: RequestMeta,
): Promise<BlockedDestinationRule> {
  const scope = tenantScope(principal);
  let tenantId: string | null = input.tenantId ?? null;
  if (scope) {
    if (principal.role !== 'tenant_admin') throw errors.forbidden();
    if (tenantId && tenantId !== scope) throw errors.notFound('tenant');
    tenantId = scope;
  } else if (principal.role !== 'platform_admin') {
    throw errors.forbidden('Only platform admins manage global blocked destinations');
  }
  if (tenantId) await getVisibleTenant(ctx, principal, tenantId);
  const parsed = parseDestinationRule(input.kind, input.value);
  if (!parsed.ok) throw errors.validation({ value: parsed.error });
  const values = {
    id: randomUUID(),
    tenant_id: tenantId,
    kind: parsed.kind,
    value: parsed.value,
    reason: input.reason,
    created_by: principal.kind === 'user' ? principal.userId : null,
    created_at: ctx.clock.now(),
    removed_at: null,
    removed_by: null,
    removed_reason: null,
  };
  try {
    const inserted = await ctx.db.insertInto('destination_rules').values(values).returningAll().executeTakeFirstOrThrow();
    await recordAudit(ctx, {
      action: 'destination.added',
      principal,
      meta,
      tenantId,
      targetType: 'destination_rule',
      targetId: inserted.id,
      details: { scope: tenantId ? 'tenant' : 'global', kind: inserted.kind, value: inserted.value, reason: inserted.reason },
    });
    return toApiDestinationRule(inserted);
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      throw errors.conflict(`${parsed.kind} "${parsed.value}" is already blocked ${tenantId ? 'for this tenant' : 'globally'}`);
    }
    throw error;
  }
}

/** Removes a rule (kept, marked removed). Tenant admins may remove only their own tenant's rules. */
export async function removeDestinationRule(
  ctx: ServerContext,
  principal: Principal,
  id: string,
  reason: string,
  meta: RequestMeta,
): Promise<BlockedDestinationRule> {
  const scope = tenantScope(principal);
  const rule = await ctx.db.selectFrom('destination_rules').selectAll().where('id', '=', id).executeTakeFirst();
  // Another tenant's rule is "not found"; a global rule is visible to everyone, so say why it cannot be removed.
  if (!rule || (scope && rule.tenant_id !== null && rule.tenant_id !== scope)) throw errors.notFound('destination rule');
  if (rule.tenant_id === null && principal.role !== 'platform_admin') {
    throw errors.forbidden('Global blocked destinations are managed by platform admins; tenant admins cannot remove them');
  }
  if (scope && principal.role !== 'tenant_admin') throw errors.forbidden();
  const removed = await ctx.db
    .updateTable('destination_rules')
    .set({ removed_at: ctx.clock.now(), removed_by: principal.kind === 'user' ? principal.userId : null, removed_reason: reason })
    .where('id', '=', id)
    .where('removed_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (!removed) throw errors.conflict('This rule was already removed');
  await recordAudit(ctx, {
    action: 'destination.removed',
    principal,
    meta,
    tenantId: removed.tenant_id,
    targetType: 'destination_rule',
    targetId: removed.id,
    details: { scope: removed.tenant_id ? 'tenant' : 'global', kind: removed.kind, value: removed.value, reason },
  });
  return toApiDestinationRule(removed);
}

/** The refusal when an email's domain matches a blocked-destination rule; it names the rule. */
export function blockedEmailDomainError(domain: string, rule: DestinationRule): ApiError {
  const described = describeRule(rule);
  const message =
    `The email domain "${domain}" is blocked by ${described.scope} rule ${described.id} ` +
    `(${described.kind} ${described.value})${described.reason ? `: ${described.reason}` : ''}`;
  return new ApiError(400, 'blocked_destination', message, {
    email: message,
    'rule.id': described.id,
    'rule.kind': described.kind,
    'rule.value': described.value,
    'rule.reason': described.reason ?? '',
    'rule.scope': described.scope,
  });
}

/**
 * Refuses an email address whose domain is blocked: global rules, plus the tenant's own
 * rules when the address belongs to a tenant user. Used at sign-up, user creation and email changes.
 */
export async function assertEmailDomainAllowed(
  ctx: ServerContext,
  email: string,
  tenantId: string | null,
  db: DbOrTransaction = ctx.db,
): Promise<void> {
  const rules = await activeDestinationRules(db, tenantId);
  const check = checkEmailDomain(email, rules);
  if (check.error) throw errors.validation({ email: check.error });
  if (check.blocked && check.rule) throw blockedEmailDomainError(check.normalized, check.rule);
}

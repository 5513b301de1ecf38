import { randomUUID } from 'node:crypto';
import type { SetTenantLimitsRequest, TenantControls } from '../../shared/api/controls';
import { parseDestinationRule } from '../../shared/policy/destinations/index';
import type { ServerContext } from '../context';
import type { StoredAllowlistEntry, TenantControlsRow } from '../db/schema-controls';
import { errors } from '../errors';
import { recordAudit } from '../identity/events';
import type { Principal, RequestMeta } from '../identity/principal';
import { getVisibleTenant } from '../identity/tenants';
import {
  allowlistJson,
  effectiveAllowlist,
  effectiveLimits,
  isVerified,
  loadTenantControls,
  lockTenantControls,
  overridesOf,
} from './tenant-controls';
import { inTransaction } from '../db/transaction';

/** Tenant verification (lifts trial limits) and per-tenant limits and allowlist, set by platform admins. */

const iso = (date: Date | null) => (date ? new Date(date).toISOString() : null);

export function toApiTenantControls(ctx: ServerContext, tenantId: string, row: TenantControlsRow | undefined): TenantControls {
  const allowlist = effectiveAllowlist(ctx.config, row);
  return {
    tenantId,
    verified: isVerified(row),
    verifiedAt: iso(row?.verified_at ?? null),
    verifiedBy: row?.verified_by ?? null,
    origin: row?.origin ?? 'admin',
    limits: effectiveLimits(ctx.config, row),
    overrides: overridesOf(row),
    destinationAllowlist: allowlist ? allowlist.map((rule) => ({ id: rule.id, kind: rule.kind, value: rule.value })) : null,
    ownAllowlist: Boolean(row?.destination_allowlist),
  };
}

export async function getTenantControls(ctx: ServerContext, principal: Principal, tenantId: string): Promise<TenantControls> {
  await getVisibleTenant(ctx, principal, tenantId);
  return toApiTenantControls(ctx, tenantId, await loadTenantControls(ctx.db, tenantId));
}

export async function verifyTenant(
  ctx: ServerContext,
  principal: Principal,
  tenantId: string,
  reason: string,
  meta: RequestMeta,
): Promise<TenantControls> {
  await getVisibleTenant(ctx, principal, tenantId);
  const actor = principal.kind === 'user' ? principal.userId : null;
  const row = await inTransaction(ctx.db, async (trx) => {
    const current = await lockTenantControls(ctx, trx, tenantId);
    if (current.verified) throw errors.conflict('This tenant is already verified');
    const now = ctx.clock.now();
    const updated = await trx
      .updateTable('tenant_controls')
      .set({ verified: true, verified_at: now, verified_by: actor, updated_at: now, updated_by: actor })
      .where('tenant_id', '=', tenantId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(
      ctx,
      { action: 'tenant.verified', principal, meta, tenantId, targetType: 'tenant', targetId: tenantId, details: { reason } },
      trx,
    );
    return updated;
  });
  return toApiTenantControls(ctx, tenantId, row);
}

export async function setTenantLimits(
  ctx: ServerContext,
  principal: Principal,
  tenantId: string,
  input: SetTenantLimitsRequest,
  meta: RequestMeta,
): Promise<TenantControls> {
  await getVisibleTenant(ctx, principal, tenantId);
  const actor = principal.kind === 'user' ? principal.userId : null;
  const changes: Partial<Record<keyof TenantControlsRow, unknown>> = {};
  const set = <K extends keyof TenantControlsRow>(column: K, value: number | null | undefined) => {
    if (value !== undefined) changes[column] = value;
  };
  set('dispatches_per_minute', input.dispatchesPerMinute);
  set('concurrent_terminal_sessions', input.concurrentTerminalSessions);
  set('enroll_max_active_tokens', input.enrollMaxActiveTokens);
  set('enroll_max_uses_per_token', input.enrollMaxUsesPerToken);
  set('enroll_max_validity_hours', input.enrollMaxValidityHours);
  let allowlist: StoredAllowlistEntry[] | null | undefined;
  if (input.destinationAllowlist !== undefined) {
    allowlist =
      input.destinationAllowlist === null
        ? null
        : input.destinationAllowlist.map((entry, index) => {
            const parsed = parseDestinationRule(entry.kind, entry.value);
            if (!parsed.ok) throw errors.validation({ [`destinationAllowlist.${index}.value`]: parsed.error });
            return { id: randomUUID(), kind: parsed.kind, value: parsed.value };
          });
  }
  if (Object.keys(changes).length === 0 && allowlist === undefined) {
    throw errors.validation({ body: 'Change at least one limit or the allowlist' });
  }
  const row = await inTransaction(ctx.db, async (trx) => {
    const before = await lockTenantControls(ctx, trx, tenantId);
    const now = ctx.clock.now();
    const updated = await trx
      .updateTable('tenant_controls')
      .set({
        ...(changes as Record<string, number | null>),
        ...(allowlist !== undefined ? { destination_allowlist: allowlistJson(allowlist) } : {}),
        updated_at: now,
        updated_by: actor,
      })
      .where('tenant_id', '=', tenantId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(
      ctx,
      {
        action: 'tenant.limits_changed',
        principal,
        meta,
        tenantId,
        targetType: 'tenant',
        targetId: tenantId,
        details: {
          reason: input.reason,
          from: { ...overridesOf(before), destinationAllowlist: before.destination_allowlist?.map((e) => `${e.kind}:${e.value}`) ?? null },
          to: { ...overridesOf(updated), destinationAllowlist: updated.destination_allowlist?.map((e) => `${e.kind}:${e.value}`) ?? null },
        },
      },
      trx,
    );
    return updated;
  });
  return toApiTenantControls(ctx, tenantId, row);
}

import type { Config } from '../config/config';
import { parseAllowlistSetting } from '../config/config';
import type { ServerContext } from '../context';
import type { DbOrTransaction } from '../db/database';
import type { StoredAllowlistEntry, TenantControlsRow } from '../db/schema-controls';
import type { DestinationRule } from '../../shared/policy/types';

/** Limits that apply to one tenant: per-tenant overrides, else the configured default for its verification status. */
export interface TenantLimits {
  dispatchesPerMinute: number;
  concurrentTerminalSessions: number;
  enrollTokens: { maxActive: number; maxUsesPerToken: number; maxValidityHours: number };
}

/** The stored overrides (null: the configured default applies). */
export interface TenantLimitOverrides {
  dispatchesPerMinute: number | null;
  concurrentTerminalSessions: number | null;
  enrollMaxActiveTokens: number | null;
  enrollMaxUsesPerToken: number | null;
  enrollMaxValidityHours: number | null;
}

export function defaultLimits(config: Config, verified: boolean): TenantLimits {
  return verified
    ? {
        dispatchesPerMinute: config.dispatchesPerMinute,
        concurrentTerminalSessions: config.concurrentTerminalSessions,
        enrollTokens: {
          maxActive: config.enrollMaxActiveTokens,
          maxUsesPerToken: config.enrollMaxUsesPerToken,
          maxValidityHours: config.enrollMaxValidityHours,
        },
      }
    : {
        dispatchesPerMinute: config.trialDispatchesPerMinute,
        concurrentTerminalSessions: config.trialConcurrentTerminalSessions,
        enrollTokens: {
          maxActive: config.trialEnrollMaxActiveTokens,
          maxUsesPerToken: config.trialEnrollMaxUsesPerToken,
          maxValidityHours: config.trialEnrollMaxValidityHours,
        },
      };
}

export function overridesOf(row: TenantControlsRow | undefined): TenantLimitOverrides {
  return {
    dispatchesPerMinute: row?.dispatches_per_minute ?? null,
    concurrentTerminalSessions: row?.concurrent_terminal_sessions ?? null,
    enrollMaxActiveTokens: row?.enroll_max_active_tokens ?? null,
    enrollMaxUsesPerToken: row?.enroll_max_uses_per_token ?? null,
    enrollMaxValidityHours: row?.enroll_max_validity_hours ?? null,
  };
}

/** A tenant without a controls row was created by a platform admin: verified. Sign-up creates an unverified row. */
export function isVerified(row: TenantControlsRow | undefined): boolean {
  return row?.verified ?? true;
}

export function effectiveLimits(config: Config, row: TenantControlsRow | undefined): TenantLimits {
  const base = defaultLimits(config, isVerified(row));
  const o = overridesOf(row);
  return {
    dispatchesPerMinute: o.dispatchesPerMinute ?? base.dispatchesPerMinute,
    concurrentTerminalSessions: o.concurrentTerminalSessions ?? base.concurrentTerminalSessions,
    enrollTokens: {
      maxActive: o.enrollMaxActiveTokens ?? base.enrollTokens.maxActive,
      maxUsesPerToken: o.enrollMaxUsesPerToken ?? base.enrollTokens.maxUsesPerToken,
      maxValidityHours: o.enrollMaxValidityHours ?? base.enrollTokens.maxValidityHours,
    },
  };
}

/**
 * The allowlist in force: the tenant's own (set by a platform admin) when there is one;
 * otherwise, for trial tenants, the configured trial allowlist; otherwise none (null).
 */
export function effectiveAllowlist(config: Config, row: TenantControlsRow | undefined): DestinationRule[] | null {
  const own = row?.destination_allowlist ?? null;
  if (own) return own.map((entry) => ({ id: entry.id, kind: entry.kind, value: entry.value, scope: 'tenant' as const }));
  if (isVerified(row) || !config.trialDestinationAllowlist) return null;
  const rules: DestinationRule[] = [];
  config.trialDestinationAllowlist.forEach((setting, index) => {
    const parsed = parseAllowlistSetting(setting);
    if (parsed.ok) rules.push({ id: `config-trial-allowlist-${index}`, kind: parsed.kind, value: parsed.value, scope: 'global' });
  });
  return rules;
}

export async function loadTenantControls(db: DbOrTransaction, tenantId: string): Promise<TenantControlsRow | undefined> {
  return db.selectFrom('tenant_controls').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
}

/**
 * Makes sure the tenant has a controls row (defaults: verified, admin-created) and locks it
 * for the rest of the transaction, so concurrent changes to one tenant's controls serialise.
 */
export async function lockTenantControls(ctx: ServerContext, trx: DbOrTransaction, tenantId: string): Promise<TenantControlsRow> {
  await trx
    .insertInto('tenant_controls')
    .values({ tenant_id: tenantId, updated_at: ctx.clock.now(), verified: true, origin: 'admin', trust_expiry_recorded: false })
    .onConflict((oc) => oc.column('tenant_id').doNothing())
    .execute();
  return trx.selectFrom('tenant_controls').selectAll().where('tenant_id', '=', tenantId).forUpdate().executeTakeFirstOrThrow();
}

export function allowlistJson(entries: StoredAllowlistEntry[] | null): string | null {
  return entries === null ? null : JSON.stringify(entries);
}

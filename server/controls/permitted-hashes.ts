import { randomUUID } from 'node:crypto';
import type { ServerContext } from '../context';
import type { DbOrTransaction } from '../db/database';
import type { PermittedScriptHashRow } from '../db/schema-controls';
import { errors } from '../errors';
import { recordAudit } from '../identity/events';
import { tenantScope, type Principal, type RequestMeta } from '../identity/principal';

/**
 * Permit-by-hash: a script whose exact text (sha256 of its UTF-8) is permitted for a tenant is
 * allowed by the policy engine even where a rule would flag it. Callers decide who may permit
 * (the scripts routes); these functions keep tenant users inside their own tenant.
 */
export interface PermittedHash {
  id: string;
  tenantId: string;
  sha256: string;
  permittedBy: string | null;
  reason: string;
  at: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function toPermittedHash(row: PermittedScriptHashRow): PermittedHash {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    sha256: row.sha256,
    permittedBy: row.permitted_by,
    reason: row.reason,
    at: new Date(row.at).toISOString(),
  };
}

function checkScope(principal: Principal | null, tenantId: string) {
  const scope = principal ? tenantScope(principal) : null;
  if (scope && scope !== tenantId) throw errors.notFound('tenant');
}

function normalizeSha256(sha256: string): string {
  const value = sha256.trim().toLowerCase();
  if (!SHA256_HEX.test(value)) throw errors.validation({ sha256: 'Expected a sha256 as 64 hexadecimal characters' });
  return value;
}

/** Permits one script hash for a tenant (idempotent: an already permitted hash is returned as it is). */
export async function permitScriptHash(
  ctx: ServerContext,
  principal: Principal | null,
  input: { tenantId: string; sha256: string; reason: string },
  meta: RequestMeta | null,
  db: DbOrTransaction = ctx.db,
): Promise<PermittedHash> {
  checkScope(principal, input.tenantId);
  const sha256 = normalizeSha256(input.sha256);
  const tenant = await db.selectFrom('tenants').select('id').where('id', '=', input.tenantId).executeTakeFirst();
  if (!tenant) throw errors.notFound('tenant');
  const existing = await db
    .selectFrom('permitted_script_hashes')
    .selectAll()
    .where('tenant_id', '=', input.tenantId)
    .where('sha256', '=', sha256)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (existing) return toPermittedHash(existing);
  const row: PermittedScriptHashRow = {
    id: randomUUID(),
    tenant_id: input.tenantId,
    sha256,
    permitted_by: principal?.kind === 'user' ? principal.userId : null,
    reason: input.reason,
    at: ctx.clock.now(),
    revoked_at: null,
    revoked_by: null,
    revoked_reason: null,
  };
  await db.insertInto('permitted_script_hashes').values(row).execute();
  await recordAudit(
    ctx,
    {
      action: 'script.hash_permitted',
      principal,
      meta,
      tenantId: input.tenantId,
      targetType: 'script_hash',
      targetId: sha256,
      details: { sha256, reason: input.reason },
    },
    db,
  );
  return toPermittedHash(row);
}

/** Withdraws a permitted hash; returns false when it was not permitted. Audited as script.hash_revoked. */
export async function revokePermittedHash(
  ctx: ServerContext,
  principal: Principal | null,
  input: { tenantId: string; sha256: string; reason: string },
  meta: RequestMeta | null,
  db: DbOrTransaction = ctx.db,
): Promise<boolean> {
  checkScope(principal, input.tenantId);
  const sha256 = normalizeSha256(input.sha256);
  const revoked = await db
    .updateTable('permitted_script_hashes')
    .set({ revoked_at: ctx.clock.now(), revoked_by: principal?.kind === 'user' ? principal.userId : null, revoked_reason: input.reason })
    .where('tenant_id', '=', input.tenantId)
    .where('sha256', '=', sha256)
    .where('revoked_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  if (!revoked) return false;
  await recordAudit(
    ctx,
    {
      action: 'script.hash_revoked',
      principal,
      meta,
      tenantId: input.tenantId,
      targetType: 'script_hash',
      targetId: sha256,
      details: { sha256, reason: input.reason },
    },
    db,
  );
  return true;
}

/** The tenant's permitted hashes in force, oldest first. */
export async function listPermittedHashes(
  ctx: ServerContext,
  tenantId: string,
  principal: Principal | null = null,
  db: DbOrTransaction = ctx.db,
): Promise<PermittedHash[]> {
  checkScope(principal, tenantId);
  const rows = await db
    .selectFrom('permitted_script_hashes')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('revoked_at', 'is', null)
    .orderBy('at')
    .execute();
  return rows.map(toPermittedHash);
}

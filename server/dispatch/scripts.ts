import { randomUUID } from 'node:crypto';
import type { ShellName } from '../../shared/agent-protocol/policy-wire';
import type { Script } from '../../shared/api/scripts';
import { sha256Hex } from '../../shared/policy/hash';
import type { AgentHub } from '../agents/hub';
import { targetTenant } from '../agents/enroll-tokens';
import type { ServerContext } from '../context';
import { listPermittedHashes, permitScriptHash } from '../controls/permitted-hashes';
import type { EndpointRow, ScriptRow } from '../db/schema-agents';
import { errors } from '../errors';
import { recordAudit } from '../identity/events';
import { tenantScope, type Principal, type RequestMeta } from '../identity/principal';
import { dispatch } from './executions';
import { inTransaction } from '../db/transaction';

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === '23505';

export function toApiScript(row: ScriptRow, permitted: ReadonlySet<string>): Script {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    description: row.description,
    shell: row.shell,
    sha256: row.sha256,
    permitted: permitted.has(row.sha256),
    body: row.body,
    createdAt: new Date(row.created_at).toISOString(),
    createdBy: row.created_by,
    updatedAt: new Date(row.updated_at).toISOString(),
    updatedBy: row.updated_by,
  };
}

const permittedSet = async (ctx: ServerContext, tenantId: string) =>
  new Set((await listPermittedHashes(ctx, tenantId)).map((hash) => hash.sha256));

export async function visibleScript(ctx: ServerContext, principal: Principal, id: string): Promise<ScriptRow> {
  const row = await ctx.db.selectFrom('scripts').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  const scope = tenantScope(principal);
  if (!row || (scope && row.tenant_id !== scope)) throw errors.notFound('script');
  return row;
}

export async function getScript(ctx: ServerContext, principal: Principal, id: string) {
  const row = await visibleScript(ctx, principal, id);
  return toApiScript(row, await permittedSet(ctx, row.tenant_id));
}

export async function listScripts(ctx: ServerContext, principal: Principal, tenantId: string | undefined) {
  const scope = tenantScope(principal);
  if (scope && tenantId && tenantId !== scope) throw errors.notFound('tenant');
  let query = ctx.db.selectFrom('scripts').selectAll().where('deleted_at', 'is', null).orderBy('name').limit(1000);
  const tenant = scope ?? tenantId;
  if (tenant) query = query.where('tenant_id', '=', tenant);
  const rows = await query.execute();
  const permitted = new Map<string, Set<string>>();
  for (const id of new Set(rows.map((row) => row.tenant_id))) permitted.set(id, await permittedSet(ctx, id));
  return { scripts: rows.map((row) => toApiScript(row, permitted.get(row.tenant_id) ?? new Set())) };
}

export async function createScript(
  ctx: ServerContext,
  principal: Principal,
  input: { tenantId?: string | undefined; name: string; description: string; shell: ShellName; body: string },
  meta: RequestMeta,
) {
  const tenantId = targetTenant(principal, input.tenantId);
  const tenant = await ctx.db.selectFrom('tenants').select('id').where('id', '=', tenantId).executeTakeFirst();
  if (!tenant) throw errors.notFound('tenant');
  const now = ctx.clock.now();
  const actor = principal.kind === 'user' ? principal.userId : null;
  try {
    const row = await ctx.db
      .insertInto('scripts')
      .values({
        id: randomUUID(),
        tenant_id: tenantId,
        name: input.name,
        description: input.description,
        shell: input.shell,
        body: input.body,
        sha256: sha256Hex(input.body),
        created_at: now,
        created_by: actor,
        updated_at: now,
        updated_by: actor,
        deleted_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(ctx, {
      action: 'script.created',
      principal,
      meta,
      tenantId,
      targetType: 'script',
      targetId: row.id,
      details: { name: row.name, sha256: row.sha256 },
    });
    return toApiScript(row, await permittedSet(ctx, tenantId));
  } catch (error) {
    if (isUniqueViolation(error)) throw errors.conflict(`A script named "${input.name}" already exists in this tenant`);
    throw error;
  }
}

export async function updateScript(
  ctx: ServerContext,
  principal: Principal,
  id: string,
  input: { name?: string | undefined; description?: string | undefined; shell?: ShellName | undefined; body?: string | undefined },
  meta: RequestMeta,
) {
  const before = await visibleScript(ctx, principal, id);
  const sha256 = input.body === undefined ? before.sha256 : sha256Hex(input.body);
  try {
    const row = await ctx.db
      .updateTable('scripts')
      .set({
        ...(input.name === undefined ? {} : { name: input.name }),
        ...(input.description === undefined ? {} : { description: input.description }),
        ...(input.shell === undefined ? {} : { shell: input.shell }),
        ...(input.body === undefined ? {} : { body: input.body, sha256 }),
        updated_at: ctx.clock.now(),
        updated_by: principal.kind === 'user' ? principal.userId : null,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(ctx, {
      action: 'script.updated',
      principal,
      meta,
      tenantId: row.tenant_id,
      targetType: 'script',
      targetId: id,
      details: { name: row.name, fromSha256: before.sha256, toSha256: row.sha256 },
    });
    return toApiScript(row, await permittedSet(ctx, row.tenant_id));
  } catch (error) {
    if (isUniqueViolation(error)) throw errors.conflict(`A script named "${input.name}" already exists in this tenant`);
    throw error;
  }
}

export async function deleteScript(ctx: ServerContext, principal: Principal, id: string, meta: RequestMeta) {
  const row = await visibleScript(ctx, principal, id);
  const now = ctx.clock.now();
  await inTransaction(ctx.db, async (trx) => {
    await trx.updateTable('scripts').set({ deleted_at: now }).where('id', '=', id).execute();
    await trx
      .updateTable('schedules')
      .set({ deleted_at: now, enabled: false })
      .where('script_id', '=', id)
      .where('deleted_at', 'is', null)
      .execute();
    await recordAudit(
      ctx,
      {
        action: 'script.deleted',
        principal,
        meta,
        tenantId: row.tenant_id,
        targetType: 'script',
        targetId: id,
        details: { name: row.name, sha256: row.sha256 },
      },
      trx,
    );
  });
  return { ok: true as const };
}

/** Permit-by-hash through the controls area: the exact current text is permitted, nothing else. */
export async function permitScript(ctx: ServerContext, principal: Principal, id: string, reason: string, meta: RequestMeta) {
  const row = await visibleScript(ctx, principal, id);
  await permitScriptHash(ctx, principal, { tenantId: row.tenant_id, sha256: row.sha256, reason }, meta);
  return toApiScript(row, await permittedSet(ctx, row.tenant_id));
}

/** The endpoints of a run: all must exist in the script's tenant and be enrolled (not revoked). */
export async function runTargets(ctx: ServerContext, tenantId: string, endpointIds: readonly string[]): Promise<EndpointRow[]> {
  const unique = [...new Set(endpointIds)];
  if (unique.length === 0) return [];
  const rows = await ctx.db
    .selectFrom('endpoints')
    .selectAll()
    .where('id', 'in', unique)
    .where('tenant_id', '=', tenantId)
    .where('revoked_at', 'is', null)
    .execute();
  if (rows.length !== unique.length) {
    const found = new Set(rows.map((row) => row.id));
    const missing = unique.filter((endpointId) => !found.has(endpointId));
    throw errors.validation({ endpointIds: `No such endpoint in this tenant: ${missing.slice(0, 5).join(', ')}` });
  }
  return rows;
}

export async function runScript(
  ctx: ServerContext,
  hub: AgentHub,
  principal: Principal,
  id: string,
  input: { endpointIds: string[]; timeoutSeconds: number },
  meta: RequestMeta,
) {
  const script = await visibleScript(ctx, principal, id);
  const endpoints = await runTargets(ctx, script.tenant_id, input.endpointIds);
  return dispatch(ctx, hub, {
    tenantId: script.tenant_id,
    kind: 'script_run',
    action: 'script',
    text: script.body,
    shell: script.shell,
    endpoints,
    timeoutMs: input.timeoutSeconds * 1000,
    principal,
    meta,
    scriptId: script.id,
  });
}

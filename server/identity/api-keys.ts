import { randomUUID } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { ErrorCode } from '../../shared/api/common';
import type { ApiKey, CreateApiKeyRequest } from '../../shared/api/api-keys';
import type { TenantRole } from '../../shared/api/roles';
import type { ServerContext } from '../context';
import { hashToken, newToken, TOKEN_PREFIX } from '../crypto/tokens';
import type { ApiKeyRow } from '../db/schema';
import { ApiError, errors } from '../errors';
import { recordAudit, recordLoginEvent } from './events';
import { tenantScope, type ApiKeyPrincipal, type Principal, type RequestMeta } from './principal';
import { getVisibleTenant } from './tenants';

const iso = (date: Date | null) => (date ? new Date(date).toISOString() : null);

export function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    role: row.role as TenantRole,
    prefix: row.prefix,
    allowedCidrs: row.allowed_cidrs,
    expiresAt: new Date(row.expires_at).toISOString(),
    createdAt: new Date(row.created_at).toISOString(),
    createdBy: row.created_by,
    revokedAt: iso(row.revoked_at),
    lastUsedAt: iso(row.last_used_at),
    lastUsedIp: row.last_used_ip,
  };
}

/** `::ffff:203.0.113.5` and `203.0.113.5` are the same client. */
export function normalizeIp(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped ? mapped[1]! : ip;
}

export function ipAllowed(ip: string, cidrs: readonly string[]): boolean {
  if (cidrs.length === 0) return true;
  const address = normalizeIp(ip);
  const family = isIP(address);
  if (family === 0) return false;
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [base = '', prefix] = cidr.split('/');
    const baseFamily = isIP(base);
    if (baseFamily === 0) continue;
    const type = baseFamily === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(base, type);
    else list.addSubnet(base, Number(prefix), type);
  }
  return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

function resolveTenant(principal: Principal, requested: string | undefined): string {
  const scope = tenantScope(principal);
  if (scope) {
    if (requested && requested !== scope) throw errors.notFound('tenant');
    return scope;
  }
  if (!requested) throw errors.validation({ tenantId: 'Give the tenant the key belongs to' });
  return requested;
}

export async function createApiKey(
  ctx: ServerContext,
  principal: Principal,
  input: CreateApiKeyRequest,
  meta: RequestMeta,
): Promise<{ apiKey: ApiKey; secret: string }> {
  const tenantId = resolveTenant(principal, input.tenantId);
  await getVisibleTenant(ctx, principal, tenantId);
  if (principal.role === 'technician') throw errors.forbidden();
  const secret = newToken(TOKEN_PREFIX.apiKey);
  const now = ctx.clock.now();
  const row: ApiKeyRow = {
    id: randomUUID(),
    tenant_id: tenantId,
    name: input.name,
    role: input.role,
    token_hash: hashToken(secret),
    prefix: secret.slice(0, 10),
    allowed_cidrs: input.allowedCidrs ?? [],
    expires_at: new Date(now.getTime() + input.expiresInDays * 86_400_000),
    created_at: now,
    created_by: principal.kind === 'user' ? principal.userId : null,
    revoked_at: null,
    revoked_by: null,
    last_used_at: null,
    last_used_ip: null,
  };
  await ctx.db.insertInto('api_keys').values(row).execute();
  await recordAudit(ctx, {
    action: 'api_key.created',
    principal,
    meta,
    tenantId,
    targetType: 'api_key',
    targetId: row.id,
    details: { name: row.name, role: row.role, allowedCidrs: row.allowed_cidrs, expiresAt: row.expires_at.toISOString() },
  });
  return { apiKey: toApiKey(row), secret };
}

export async function listApiKeys(ctx: ServerContext, principal: Principal, filter: { tenantId?: string | undefined }): Promise<ApiKey[]> {
  const scope = tenantScope(principal);
  if (scope && filter.tenantId && filter.tenantId !== scope) throw errors.notFound('tenant');
  let query = ctx.db.selectFrom('api_keys').selectAll().orderBy('created_at', 'desc');
  const tenantId = scope ?? filter.tenantId;
  if (tenantId) query = query.where('tenant_id', '=', tenantId);
  return (await query.execute()).map(toApiKey);
}

export async function revokeApiKey(ctx: ServerContext, principal: Principal, id: string, meta: RequestMeta): Promise<ApiKey> {
  let query = ctx.db.selectFrom('api_keys').selectAll().where('id', '=', id);
  const scope = tenantScope(principal);
  if (scope) query = query.where('tenant_id', '=', scope);
  const existing = await query.executeTakeFirst();
  if (!existing) throw errors.notFound('API key');
  if (existing.revoked_at) return toApiKey(existing);
  const row = await ctx.db
    .updateTable('api_keys')
    .set({ revoked_at: ctx.clock.now(), revoked_by: principal.kind === 'user' ? principal.userId : null })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAudit(ctx, { action: 'api_key.revoked', principal, meta, tenantId: row.tenant_id, targetType: 'api_key', targetId: id });
  return toApiKey(row);
}

const LAST_USED_RESOLUTION_MS = 60_000;

/** Resolves an API key; refuses (and records) unknown, revoked, expired and out-of-range uses. */
export async function authenticateApiKey(ctx: ServerContext, token: string, meta: RequestMeta): Promise<ApiKeyPrincipal> {
  const row = await ctx.db
    .selectFrom('api_keys as k')
    .innerJoin('tenants as t', 't.id', 'k.tenant_id')
    .selectAll('k')
    .select('t.state as tenant_state')
    .where('k.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  const now = ctx.clock.now();
  const event = { kind: 'api_key' as const, apiKeyId: row?.id ?? null, tenantId: row?.tenant_id ?? null, meta };
  const invalid = async (reason: string) => {
    await recordLoginEvent(ctx, { ...event, result: 'failure', reason });
    return new ApiError(401, ErrorCode.unauthenticated, 'This API key is not valid (unknown, revoked or expired)');
  };
  if (!row) throw await invalid('unknown_key');
  if (row.revoked_at) throw await invalid('revoked');
  if (new Date(row.expires_at) <= now) throw await invalid('expired');
  if (!ipAllowed(meta.ip, row.allowed_cidrs)) {
    await recordLoginEvent(ctx, { ...event, result: 'failure', reason: 'source_not_allowed' });
    await recordAudit(ctx, {
      action: 'api_key.source_refused',
      principal: null,
      meta,
      tenantId: row.tenant_id,
      targetType: 'api_key',
      targetId: row.id,
      details: { ip: meta.ip, allowedCidrs: row.allowed_cidrs },
    });
    throw new ApiError(403, ErrorCode.apiKeySourceRefused, `This API key may not be used from ${normalizeIp(meta.ip)}`);
  }
  if (row.tenant_state === 'blocked') {
    await recordLoginEvent(ctx, { ...event, result: 'failure', reason: 'tenant_blocked' });
    throw new ApiError(403, ErrorCode.tenantBlocked, "This organisation's access has been blocked");
  }
  if (!row.last_used_at || now.getTime() - new Date(row.last_used_at).getTime() > LAST_USED_RESOLUTION_MS || row.last_used_ip !== meta.ip) {
    await ctx.db.updateTable('api_keys').set({ last_used_at: now, last_used_ip: meta.ip }).where('id', '=', row.id).execute();
  }
  return { kind: 'api_key', apiKeyId: row.id, name: row.name, role: row.role, tenantId: row.tenant_id };
}

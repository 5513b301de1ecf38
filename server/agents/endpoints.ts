import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { AGENT_CREDENTIAL_PREFIX, AGENT_PROTOCOL_VERSION, type Inventory } from '../../shared/agent-protocol/messages';
import type { AgentEnrollRequest, AgentEnrollResponse } from '../../shared/agent-protocol/enroll';
import type { PlatformName } from '../../shared/agent-protocol/policy-wire';
import type { Endpoint } from '../../shared/api/endpoints';
import type { ServerContext } from '../context';
import { hashToken, newToken } from '../crypto/tokens';
import type { EndpointRow } from '../db/schema-agents';
import { ApiError, errors } from '../errors';
import { recordAudit } from '../identity/events';
import { tenantScope, type Principal, type RequestMeta } from '../identity/principal';
import type { AgentHub, AgentIdentity } from './hub';
import { inTransaction } from '../db/transaction';

const iso = (date: Date | null) => (date ? new Date(date).toISOString() : null);

export function osFamilyOf(platform: string): PlatformName {
  if (platform === 'win32') return 'windows';
  if (platform === 'darwin') return 'macos';
  return 'linux';
}

/** The endpoint columns an agent's inventory fills, at enrolment and on every hello. */
export function inventoryColumns(inventory: Inventory) {
  return {
    hostname: inventory.hostname,
    os_platform: inventory.os.platform,
    os_release: inventory.os.release,
    os_version: inventory.os.version,
    arch: inventory.os.arch,
    os_family: osFamilyOf(inventory.os.platform),
    username: inventory.user,
    ips: JSON.stringify(inventory.ips),
    agent_version: inventory.agentVersion,
  };
}

export function toApiEndpoint(row: EndpointRow, online: boolean): Endpoint {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    hostname: row.hostname,
    os: { family: row.os_family, platform: row.os_platform, release: row.os_release, version: row.os_version, arch: row.arch },
    user: row.username,
    ips: Array.isArray(row.ips) ? row.ips : [],
    agentVersion: row.agent_version,
    enrolledAt: new Date(row.enrolled_at).toISOString(),
    enrollTokenId: row.enroll_token_id,
    lastSeenAt: iso(row.last_seen_at),
    online: online && !row.revoked_at,
    revokedAt: iso(row.revoked_at),
    revokedReason: row.revoked_reason,
  };
}

const refuseEnroll = (status: number, code: string, message: string) => new ApiError(status, code, message);

/**
 * Exchanges an enroll token for an endpoint and its agent credential, atomically: the token's
 * use is counted (never past its maximum), the use names the new endpoint, and both are audited.
 */
export async function enrollAgent(
  ctx: ServerContext,
  hub: AgentHub,
  input: AgentEnrollRequest,
  meta: RequestMeta,
): Promise<AgentEnrollResponse> {
  const signer = await hub.signer$();
  const credential = newToken(AGENT_CREDENTIAL_PREFIX);
  const now = ctx.clock.now();
  const endpointId = randomUUID();
  const tenantId = await inTransaction(ctx.db, async (trx) => {
    const token = await trx
      .selectFrom('enroll_tokens')
      .selectAll()
      .where('token_hash', '=', hashToken(input.token))
      .forUpdate()
      .executeTakeFirst();
    if (!token) throw refuseEnroll(401, 'invalid_enroll_token', 'This enroll token is not valid; ask an administrator for a new one');
    if (token.revoked_at)
      throw refuseEnroll(401, 'enroll_token_revoked', 'This enroll token was revoked; ask an administrator for a new one');
    if (new Date(token.expires_at).getTime() <= now.getTime())
      throw refuseEnroll(401, 'enroll_token_expired', 'This enroll token has expired; ask an administrator for a new one');
    if (token.use_count >= token.max_uses) {
      throw refuseEnroll(
        401,
        'enroll_token_used_up',
        `This enroll token has been used ${token.use_count} times, its maximum; ask an administrator for a new one`,
      );
    }
    const tenant = await trx.selectFrom('tenants').select(['state']).where('id', '=', token.tenant_id).executeTakeFirstOrThrow();
    if (tenant.state !== 'active') {
      throw refuseEnroll(
        403,
        tenant.state === 'blocked' ? 'tenant_blocked' : 'tenant_restricted',
        `The tenant is ${tenant.state}: no new agents can enroll`,
      );
    }
    const inventory = input.inventory;
    await trx
      .insertInto('endpoints')
      .values({
        id: endpointId,
        tenant_id: token.tenant_id,
        enroll_token_id: token.id,
        credential_hash: hashToken(credential),
        ...inventoryColumns(inventory),
        enrolled_at: now,
        enrolled_ip: meta.ip.slice(0, 64),
        last_seen_at: null,
        connected_at: null,
        disconnected_at: null,
        revoked_at: null,
        revoked_by: null,
        revoked_reason: null,
      })
      .execute();
    await trx
      .updateTable('enroll_tokens')
      .set({ use_count: sql`use_count + 1`, last_used_at: now, last_used_endpoint_id: endpointId })
      .where('id', '=', token.id)
      .execute();
    await trx
      .insertInto('enroll_token_uses')
      .values({ id: randomUUID(), token_id: token.id, endpoint_id: endpointId, at: now, ip: meta.ip.slice(0, 64) })
      .execute();
    const common = { principal: null, meta, tenantId: token.tenant_id } as const;
    await recordAudit(
      ctx,
      {
        ...common,
        action: 'enroll_token.used',
        targetType: 'enroll_token',
        targetId: token.id,
        details: { endpointId, hostname: inventory.hostname, useCount: token.use_count + 1 },
      },
      trx,
    );
    await recordAudit(
      ctx,
      {
        ...common,
        action: 'endpoint.enrolled',
        targetType: 'endpoint',
        targetId: endpointId,
        details: { hostname: inventory.hostname, os: inventory.os.platform, enrollTokenId: token.id },
      },
      trx,
    );
    return token.tenant_id;
  });
  ctx.logger.info({ endpointId, tenantId }, 'agent enrolled');
  return {
    endpointId,
    tenantId,
    credential,
    serverPublicKey: signer.publicKeyPem,
    serverKeyId: signer.keyId,
    protocol: AGENT_PROTOCOL_VERSION,
  };
}

/** Checks an agent's bearer credential before the WebSocket upgrade. */
export async function authenticateAgent(ctx: ServerContext, authorization: string | undefined): Promise<AgentIdentity> {
  const match = typeof authorization === 'string' ? /^Bearer (bwg_[A-Za-z0-9_-]{20,100})$/.exec(authorization) : null;
  if (!match?.[1]) throw new ApiError(401, 'invalid_agent_credential', 'An agent credential is required (Authorization: Bearer bwg_…)');
  const row = await ctx.db
    .selectFrom('endpoints')
    .innerJoin('tenants', 'tenants.id', 'endpoints.tenant_id')
    .select(['endpoints.id', 'endpoints.tenant_id', 'endpoints.revoked_at', 'tenants.state'])
    .where('endpoints.credential_hash', '=', hashToken(match[1]))
    .executeTakeFirst();
  if (!row) throw new ApiError(401, 'invalid_agent_credential', 'This agent credential is not valid; enroll the agent again');
  if (row.revoked_at)
    throw new ApiError(401, 'endpoint_revoked', 'This endpoint was revoked; enroll the agent again if it should be managed');
  if (row.state === 'blocked') throw new ApiError(403, 'tenant_blocked', "The endpoint's tenant is blocked; agents cannot connect");
  return { endpointId: row.id, tenantId: row.tenant_id };
}

/** An endpoint the principal may see; anything else is "not found". */
export async function getVisibleEndpoint(ctx: ServerContext, principal: Principal, id: string): Promise<EndpointRow> {
  const row = await ctx.db.selectFrom('endpoints').selectAll().where('id', '=', id).executeTakeFirst();
  const scope = tenantScope(principal);
  if (!row || (scope && row.tenant_id !== scope)) throw errors.notFound('endpoint');
  return row;
}

export interface EndpointQuery {
  search?: string | undefined;
  tenantId?: string | undefined;
  online?: 'true' | 'false' | undefined;
  os?: PlatformName | undefined;
  includeRevoked?: 'true' | 'false' | undefined;
  limit: number;
  offset: number;
}

export async function listEndpoints(ctx: ServerContext, hub: AgentHub, principal: Principal, query: EndpointQuery) {
  const scope = tenantScope(principal);
  if (scope && query.tenantId && query.tenantId !== scope) throw errors.notFound('tenant');
  let select = ctx.db.selectFrom('endpoints');
  const tenantId = scope ?? query.tenantId;
  if (tenantId) select = select.where('tenant_id', '=', tenantId);
  if (query.includeRevoked !== 'true') select = select.where('revoked_at', 'is', null);
  if (query.os) select = select.where('os_family', '=', query.os);
  if (query.search) {
    const pattern = `%${query.search.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    select = select.where((eb) =>
      eb.or([eb('hostname', 'ilike', pattern), eb('username', 'ilike', pattern), eb(sql<string>`ips::text`, 'ilike', pattern)]),
    );
  }
  if (query.online) {
    // Online means connected to this instance's hub (the one that can dispatch to it).
    const online = hub.onlineEndpointIds();
    if (query.online === 'true') select = online.length > 0 ? select.where('id', 'in', online) : select.where(sql<boolean>`false`);
    else if (online.length > 0) select = select.where('id', 'not in', online);
  }
  const total = await select.select((eb) => eb.fn.countAll<string>().as('count')).executeTakeFirstOrThrow();
  const rows = await select.selectAll().orderBy('hostname').orderBy('id').limit(query.limit).offset(query.offset).execute();
  return { endpoints: rows.map((row) => toApiEndpoint(row, hub.isOnline(row.id))), total: Number(total.count) };
}

export async function revokeEndpoint(
  ctx: ServerContext,
  hub: AgentHub,
  principal: Principal,
  id: string,
  reason: string,
  meta: RequestMeta,
) {
  const before = await getVisibleEndpoint(ctx, principal, id);
  if (before.revoked_at) return toApiEndpoint(before, false);
  const row = await ctx.db
    .updateTable('endpoints')
    .set({ revoked_at: ctx.clock.now(), revoked_by: principal.kind === 'user' ? principal.userId : null, revoked_reason: reason })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAudit(ctx, {
    action: 'endpoint.revoked',
    principal,
    meta,
    tenantId: row.tenant_id,
    targetType: 'endpoint',
    targetId: id,
    details: { reason, hostname: row.hostname },
  });
  // Other instances notice at the agent's next heartbeat, which re-checks the credential.
  hub.disconnect(id, 'endpoint_revoked', `this endpoint was revoked: ${reason}`);
  return toApiEndpoint(row, false);
}

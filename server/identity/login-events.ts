import type { LoginEvent } from '../../shared/api/audit';
import type { ServerContext } from '../context';
import { errors } from '../errors';
import { tenantScope, type Principal } from './principal';

export async function listLoginEvents(
  ctx: ServerContext,
  principal: Principal,
  filter: {
    tenantId?: string | undefined;
    userId?: string | undefined;
    result?: 'success' | 'failure' | undefined;
    before?: string | undefined;
    limit: number;
  },
): Promise<LoginEvent[]> {
  const scope = tenantScope(principal);
  if (scope && filter.tenantId && filter.tenantId !== scope) throw errors.notFound('tenant');
  let query = ctx.db.selectFrom('login_events').selectAll().orderBy('at', 'desc').orderBy('seq', 'desc').limit(filter.limit);
  const tenantId = scope ?? filter.tenantId;
  if (tenantId) query = query.where('tenant_id', '=', tenantId);
  if (filter.userId) query = query.where('user_id', '=', filter.userId);
  if (filter.result) query = query.where('result', '=', filter.result);
  if (filter.before) query = query.where('at', '<', new Date(filter.before));
  const rows = await query.execute();
  return rows.map((row) => ({
    id: row.id,
    at: new Date(row.at).toISOString(),
    kind: row.kind as LoginEvent['kind'],
    result: row.result,
    reason: row.reason,
    userId: row.user_id,
    email: row.email,
    tenantId: row.tenant_id,
    apiKeyId: row.api_key_id,
    ip: row.ip,
    userAgent: row.user_agent,
  }));
}

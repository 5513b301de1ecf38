import { sql } from 'kysely';
import type { LoginEvent } from '../../shared/api/audit';
import { decodeCursor, encodeCursor } from '../audit/cursor';
import type { ServerContext } from '../context';
import { errors } from '../errors';
import { tenantScope, type Principal } from './principal';

/** Sign-in events newest first, keyset-paged on (at, seq) like every audit list. */
export async function listLoginEvents(
  ctx: ServerContext,
  principal: Principal,
  filter: {
    tenantId?: string | undefined;
    userId?: string | undefined;
    result?: 'success' | 'failure' | undefined;
    /** Older than this time (kept for older clients; `cursor` pages without gaps or repeats). */
    before?: string | undefined;
    cursor?: string | undefined;
    limit: number;
  },
): Promise<{ events: LoginEvent[]; nextCursor: string | null }> {
  const scope = tenantScope(principal);
  if (scope && filter.tenantId && filter.tenantId !== scope) throw errors.notFound('tenant');
  let query = ctx.db
    .selectFrom('login_events')
    .selectAll()
    .orderBy('at', 'desc')
    .orderBy('seq', 'desc')
    .limit(filter.limit + 1);
  const tenantId = scope ?? filter.tenantId;
  if (tenantId) query = query.where('tenant_id', '=', tenantId);
  if (filter.userId) query = query.where('user_id', '=', filter.userId);
  if (filter.result) query = query.where('result', '=', filter.result);
  if (filter.before) query = query.where('at', '<', new Date(filter.before));
  if (filter.cursor) {
    const position = decodeCursor(filter.cursor);
    query = query.where(sql<boolean>`(at, seq) < (${position.at}::timestamptz, ${position.seq}::bigint)`);
  }
  const rows = await query.execute();
  const shown = rows.slice(0, filter.limit);
  const last = shown.at(-1);
  return {
    events: shown.map((row) => ({
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
    })),
    nextCursor: rows.length > filter.limit && last ? encodeCursor({ at: last.at, seq: last.seq }) : null,
  };
}

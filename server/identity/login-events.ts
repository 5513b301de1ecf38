import { sql } from 'kysely';
import type { LoginEvent, LoginEventExportQuery } from '../../shared/api/audit';
import { FileDownload } from '../../shared/api/download';
import { decodeCursor, encodeCursor } from '../audit/cursor';
import { csvRow, jsonLine, type CellValue } from '../audit/export-format';
import { keysetBatches } from '../audit/review';
import type { ServerContext } from '../context';
import { errors } from '../errors';
import { tenantScope, type Principal } from './principal';

/** What the list and the export filter on. */
interface LoginEventFilter {
  tenantId?: string | undefined;
  userId?: string | undefined;
  result?: 'success' | 'failure' | undefined;
  /** At or after this time. */
  from?: string | undefined;
  /** Strictly before this time. */
  to?: string | undefined;
  /** Older than this time (kept for older clients; `cursor` pages without gaps or repeats). */
  before?: string | undefined;
}

/** Tenant admins see their tenant only; asking for another tenant answers 404. */
function filteredQuery(ctx: ServerContext, principal: Principal, filter: LoginEventFilter) {
  const scope = tenantScope(principal);
  if (scope && filter.tenantId && filter.tenantId !== scope) throw errors.notFound('tenant');
  let query = ctx.db.selectFrom('login_events').selectAll();
  const tenantId = scope ?? filter.tenantId;
  if (tenantId) query = query.where('tenant_id', '=', tenantId);
  if (filter.userId) query = query.where('user_id', '=', filter.userId);
  if (filter.result) query = query.where('result', '=', filter.result);
  if (filter.from) query = query.where('at', '>=', new Date(filter.from));
  if (filter.to) query = query.where('at', '<', new Date(filter.to));
  if (filter.before) query = query.where('at', '<', new Date(filter.before));
  return query;
}

type LoginEventQueryBuilder = ReturnType<typeof filteredQuery>;
type LoginEventRow = Awaited<ReturnType<LoginEventQueryBuilder['executeTakeFirstOrThrow']>>;

/** Newest first, keyset-paged on (at, seq) like every audit list. */
function page(query: LoginEventQueryBuilder, cursor: string | undefined, limit: number) {
  let q = query.orderBy('at', 'desc').orderBy('seq', 'desc').limit(limit);
  if (cursor) {
    const position = decodeCursor(cursor);
    q = q.where(sql<boolean>`(at, seq) < (${position.at}::timestamptz, ${position.seq}::bigint)`);
  }
  return q;
}

function toEvent(row: LoginEventRow): LoginEvent {
  return {
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
  };
}

/** Sign-in events newest first, keyset-paged on (at, seq) like every audit list. */
export async function listLoginEvents(
  ctx: ServerContext,
  principal: Principal,
  query: LoginEventFilter & { cursor?: string | undefined; limit: number },
): Promise<{ events: LoginEvent[]; nextCursor: string | null }> {
  const { cursor, limit, ...filter } = query;
  const rows = await page(filteredQuery(ctx, principal, filter), cursor, limit + 1).execute();
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return {
    events: shown.map(toEvent),
    nextCursor: rows.length > limit && last ? encodeCursor({ at: last.at, seq: last.seq }) : null,
  };
}

const CSV_COLUMNS = ['at', 'id', 'kind', 'result', 'reason', 'user_id', 'email', 'tenant_id', 'api_key_id', 'ip', 'user_agent'] as const;

function csvValues(event: LoginEvent): CellValue[] {
  return [
    event.at,
    event.id,
    event.kind,
    event.result,
    event.reason,
    event.userId,
    event.email,
    event.tenantId,
    event.apiKeyId,
    event.ip,
    event.userAgent,
  ];
}

/**
 * The same list as a file, streamed in keyset batches and capped at `limit` rows. Claimed emails
 * and user agents are attacker-written, so CSV cells are formula-neutralised by csvRow.
 */
export function exportLoginEvents(ctx: ServerContext, principal: Principal, query: LoginEventExportQuery): FileDownload {
  const { format, limit, ...filter } = query;
  const filtered = filteredQuery(ctx, principal, filter);
  const rows = keysetBatches((cursor, batch) => page(filtered, cursor, batch).execute(), limit);
  const stamp = ctx.clock.now().toISOString().replace(/[:.]/g, '-');
  async function* lines(): AsyncGenerator<string> {
    if (format === 'csv') yield csvRow(CSV_COLUMNS);
    for await (const row of rows) {
      const event = toEvent(row);
      yield format === 'csv' ? csvRow(csvValues(event)) : jsonLine(event);
    }
  }
  return format === 'csv'
    ? new FileDownload('text/csv; charset=utf-8', `bulwark-login-events-${stamp}.csv`, lines())
    : new FileDownload('application/x-ndjson; charset=utf-8', `bulwark-login-events-${stamp}.jsonl`, lines());
}

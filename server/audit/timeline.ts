import { sql } from 'kysely';
import type { AuditTimelineEntry, AuditTimelineExportQuery, AuditTimelineQuery } from '../../shared/api/audit';
import { FileDownload } from '../../shared/api/download';
import type { ServerContext } from '../context';
import { errors } from '../errors';
import { tenantScope, type Principal } from '../identity/principal';
import { decodeCursor, encodeCursor, containsPattern } from './cursor';
import { csvRow, jsonLine } from './export-format';
import { keysetBatches } from './review';

type TimelineFilter = Omit<AuditTimelineQuery, 'limit' | 'cursor'>;

/**
 * The one audit model as a list: audit events (trust, tenant state, destinations, enroll tokens,
 * session revocations, refused API-key sources…), login events and script logs, newest first.
 */
function filtered(ctx: ServerContext, principal: Principal, filter: TimelineFilter) {
  const scope = tenantScope(principal);
  if (scope && filter.tenantId && filter.tenantId !== scope) throw errors.notFound('tenant');
  const tenantId = scope ?? filter.tenantId;
  let q = ctx.db.selectFrom('audit_timeline').selectAll();
  if (tenantId) q = q.where('tenant_id', '=', tenantId);
  if (filter.source) q = q.where('source', '=', filter.source);
  if (filter.action) {
    q = filter.action.endsWith('.')
      ? q.where(sql<boolean>`action LIKE ${containsPattern(filter.action).slice(1)} ESCAPE '\\'`)
      : q.where('action', '=', filter.action);
  }
  if (filter.actorUserId) q = q.where('actor_user_id', '=', filter.actorUserId);
  if (filter.targetType) q = q.where('target_type', '=', filter.targetType);
  if (filter.targetId) q = q.where('target_id', '=', filter.targetId);
  if (filter.from) q = q.where('at', '>=', new Date(filter.from));
  if (filter.to) q = q.where('at', '<', new Date(filter.to));
  return q;
}

type TimelineQueryBuilder = ReturnType<typeof filtered>;

function page(query: TimelineQueryBuilder, cursor: string | undefined, limit: number) {
  let q = query.orderBy('at', 'desc').orderBy('seq', 'desc').orderBy('source', 'desc').limit(limit);
  if (cursor) {
    const position = decodeCursor(cursor, { withSource: true });
    q = q.where(sql<boolean>`(at, seq, source) < (${position.at}::timestamptz, ${position.seq}::bigint, ${position.source}::text)`);
  }
  return q;
}

type TimelineRow = Awaited<ReturnType<TimelineQueryBuilder['executeTakeFirstOrThrow']>>;

function toEntry(row: TimelineRow): AuditTimelineEntry {
  return {
    source: row.source,
    id: row.id,
    at: new Date(row.at).toISOString(),
    action: row.action,
    tenantId: row.tenant_id,
    actorUserId: row.actor_user_id,
    actorApiKeyId: row.actor_api_key_id,
    ip: row.ip,
    targetType: row.target_type,
    targetId: row.target_id,
    result: row.result,
    reasonCode: row.reason_code,
    details: row.details ?? {},
  };
}

export async function listTimeline(
  ctx: ServerContext,
  principal: Principal,
  query: AuditTimelineQuery,
): Promise<{ events: AuditTimelineEntry[]; nextCursor: string | null }> {
  const { limit, cursor, ...filter } = query;
  const rows = await page(filtered(ctx, principal, filter), cursor, limit + 1).execute();
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return {
    events: shown.map(toEntry),
    nextCursor: rows.length > limit && last ? encodeCursor({ at: last.at, seq: last.seq, source: last.source }) : null,
  };
}

const CSV_COLUMNS = [
  'at',
  'source',
  'id',
  'action',
  'tenant_id',
  'actor_user_id',
  'actor_api_key_id',
  'ip',
  'target_type',
  'target_id',
  'result',
  'reason_code',
  'details',
];

export function exportTimeline(ctx: ServerContext, principal: Principal, query: AuditTimelineExportQuery): FileDownload {
  const { format, limit, ...filter } = query;
  const base = filtered(ctx, principal, filter);
  // The timeline's cursor includes the source; keysetBatches hands back (at, seq) cursors, so
  // the batches carry the source through a wrapper position.
  let lastSource: string | undefined;
  const rows = keysetBatches(async (cursor, batch) => {
    const withSource = cursor && lastSource ? reencode(cursor, lastSource) : undefined;
    const result = await page(base, withSource, batch).execute();
    lastSource = result.at(-1)?.source;
    return result;
  }, limit);
  const stamp = ctx.clock.now().toISOString().replace(/[:.]/g, '-');
  async function* lines(): AsyncGenerator<string> {
    if (format === 'csv') yield csvRow(CSV_COLUMNS);
    for await (const row of rows) {
      const entry = toEntry(row);
      yield format === 'csv'
        ? csvRow([
            entry.at,
            entry.source,
            entry.id,
            entry.action,
            entry.tenantId,
            entry.actorUserId,
            entry.actorApiKeyId,
            entry.ip,
            entry.targetType,
            entry.targetId,
            entry.result,
            entry.reasonCode,
            JSON.stringify(entry.details),
          ])
        : jsonLine(entry);
    }
  }
  return format === 'csv'
    ? new FileDownload('text/csv; charset=utf-8', `bulwark-audit-${stamp}.csv`, lines())
    : new FileDownload('application/x-ndjson; charset=utf-8', `bulwark-audit-${stamp}.jsonl`, lines());
}

function reencode(cursor: string, source: string): string {
  const position = decodeCursor(cursor);
  return encodeCursor({ ...position, source });
}

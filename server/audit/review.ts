import { sql } from 'kysely';
import type { ScriptLogDetail, ScriptLogEntry, ScriptLogExportQuery, ScriptLogQuery, ScriptLogReason } from '../../shared/api/audit';
import { FileDownload } from '../../shared/api/download';
import type { ServerContext } from '../context';
import { errors } from '../errors';
import { tenantScope, type Principal } from '../identity/principal';
import { containsPattern, decodeCursor, encodeCursor } from './cursor';
import { csvRow, jsonLine, type CellValue } from './export-format';

type ScriptLogFilter = Omit<ScriptLogQuery, 'limit' | 'cursor'>;

/**
 * Who sees which script logs: platform staff see every tenant; tenant admins their tenant;
 * technicians their own executions in their tenant. Asking for another tenant answers 404.
 */
function scopedFilter(principal: Principal, filter: ScriptLogFilter): ScriptLogFilter {
  const scope = tenantScope(principal);
  if (scope && filter.tenantId && filter.tenantId !== scope) throw errors.notFound('tenant');
  const scoped: ScriptLogFilter = { ...filter, ...(scope ? { tenantId: scope } : {}) };
  if (principal.role === 'technician') {
    if (principal.kind !== 'user') throw errors.forbidden('Technician API keys cannot review executions');
    if (filter.userId && filter.userId !== principal.userId) throw errors.notFound('user');
    scoped.userId = principal.userId;
  }
  return scoped;
}

function baseQuery(ctx: ServerContext) {
  return ctx.db
    .selectFrom('script_logs as s')
    .leftJoin('tenants as t', 't.id', 's.tenant_id')
    .leftJoin('users as u', 'u.id', 's.user_id')
    .selectAll('s')
    .select(['t.name as tenant_name', 'u.email as user_email']);
}

type ScriptLogQueryBuilder = ReturnType<typeof baseQuery>;
type ScriptLogRow = Awaited<ReturnType<ScriptLogQueryBuilder['executeTakeFirstOrThrow']>>;

function applyFilters(query: ScriptLogQueryBuilder, filter: ScriptLogFilter): ScriptLogQueryBuilder {
  let q = query;
  if (filter.tenantId) q = q.where('s.tenant_id', '=', filter.tenantId);
  if (filter.endpointId) q = q.where('s.endpoint_id', '=', filter.endpointId);
  if (filter.userId) q = q.where('s.user_id', '=', filter.userId);
  if (filter.kind) q = q.where('s.kind', '=', filter.kind);
  if (filter.reasonCode) q = q.where(sql<boolean>`${filter.reasonCode} = ANY(s.reason_codes)`);
  switch (filter.decision) {
    case 'block':
    case 'flag':
    case 'allow':
      q = q.where('s.decision', '=', filter.decision);
      break;
    case 'block_or_flag':
      q = q.where('s.decision', 'in', ['block', 'flag']);
      break;
    case 'any':
      break;
  }
  if (filter.from) q = q.where('s.at', '>=', new Date(filter.from));
  if (filter.to) q = q.where('s.at', '<', new Date(filter.to));
  // A literal substring: the client's % and _ are escaped, never wildcards.
  if (filter.q) q = q.where(sql<boolean>`s.text_excerpt ILIKE ${containsPattern(filter.q)} ESCAPE '\\'`);
  return q;
}

function page(query: ScriptLogQueryBuilder, cursor: string | undefined, limit: number) {
  let q = query.orderBy('s.at', 'desc').orderBy('s.seq', 'desc').limit(limit);
  if (cursor) {
    const position = decodeCursor(cursor);
    q = q.where(sql<boolean>`(s.at, s.seq) < (${position.at}::timestamptz, ${position.seq}::bigint)`);
  }
  return q;
}

function toEntry(row: ScriptLogRow): ScriptLogEntry {
  return {
    id: row.id,
    at: new Date(row.at).toISOString(),
    tenantId: row.tenant_id,
    tenantName: row.tenant_name ?? null,
    endpointId: row.endpoint_id,
    userId: row.user_id,
    userEmail: row.user_email ?? null,
    apiKeyId: row.api_key_id,
    sessionId: row.session_id,
    kind: row.kind,
    excerpt: row.text_excerpt,
    excerptTruncated: row.excerpt_truncated,
    textLength: row.text_length,
    sha256: row.text_sha256,
    decision: row.decision,
    wasBlockedBySecurityPolicy: row.was_blocked_by_security_policy,
    reasonCodes: row.reason_codes,
    reasonText: row.reason_text,
    ip: row.ip,
  };
}

export async function listScriptLogs(
  ctx: ServerContext,
  principal: Principal,
  query: ScriptLogQuery,
): Promise<{ events: ScriptLogEntry[]; nextCursor: string | null }> {
  const { limit, cursor, ...filter } = query;
  const rows = await page(applyFilters(baseQuery(ctx), scopedFilter(principal, filter)), cursor, limit + 1).execute();
  const more = rows.length > limit;
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return { events: shown.map(toEntry), nextCursor: more && last ? encodeCursor({ at: last.at, seq: last.seq }) : null };
}

export async function getScriptLog(ctx: ServerContext, principal: Principal, id: string): Promise<ScriptLogDetail> {
  const filter = scopedFilter(principal, { decision: 'any' });
  const row = await applyFilters(baseQuery(ctx), filter).where('s.id', '=', id).executeTakeFirst();
  if (!row) throw errors.notFound('script log');
  return { ...toEntry(row), reasons: row.reasons as unknown as ScriptLogReason[], userAgent: row.user_agent };
}

const CSV_COLUMNS = [
  'at',
  'id',
  'tenant_id',
  'tenant_name',
  'endpoint_id',
  'user_id',
  'user_email',
  'api_key_id',
  'session_id',
  'kind',
  'decision',
  'was_blocked_by_security_policy',
  'reason_codes',
  'reason_text',
  'sha256',
  'text_length',
  'excerpt_truncated',
  'excerpt',
  'ip',
] as const;

function csvValues(entry: ScriptLogEntry): CellValue[] {
  return [
    entry.at,
    entry.id,
    entry.tenantId,
    entry.tenantName,
    entry.endpointId,
    entry.userId,
    entry.userEmail,
    entry.apiKeyId,
    entry.sessionId,
    entry.kind,
    entry.decision,
    entry.wasBlockedBySecurityPolicy,
    entry.reasonCodes,
    entry.reasonText,
    entry.sha256,
    entry.textLength,
    entry.excerptTruncated,
    entry.excerpt,
    entry.ip,
  ];
}

const EXPORT_BATCH = 500;

/**
 * Walks a keyset-paged query in batches, so an export streams with bounded memory however
 * many rows match, and stops at `limit` rows.
 */
export async function* keysetBatches<Row extends { at: Date | string; seq: string }>(
  fetch: (cursor: string | undefined, batch: number) => Promise<Row[]>,
  limit: number,
): AsyncGenerator<Row> {
  let cursor: string | undefined;
  let remaining = limit;
  while (remaining > 0) {
    const batch = Math.min(EXPORT_BATCH, remaining);
    const rows = await fetch(cursor, batch);
    for (const row of rows) yield row;
    remaining -= rows.length;
    const last = rows.at(-1);
    if (rows.length < batch || !last) return;
    cursor = encodeCursor({ at: last.at, seq: last.seq });
  }
}

export function exportScriptLogs(ctx: ServerContext, principal: Principal, query: ScriptLogExportQuery): FileDownload {
  const { format, limit, ...filter } = query;
  const filtered = applyFilters(baseQuery(ctx), scopedFilter(principal, filter));
  const rows = keysetBatches((cursor, batch) => page(filtered, cursor, batch).execute(), limit);
  const stamp = ctx.clock.now().toISOString().replace(/[:.]/g, '-');
  async function* lines(): AsyncGenerator<string> {
    if (format === 'csv') yield csvRow(CSV_COLUMNS);
    for await (const row of rows) {
      const entry = toEntry(row);
      yield format === 'csv' ? csvRow(csvValues(entry)) : jsonLine({ ...entry, reasons: row.reasons });
    }
  }
  return format === 'csv'
    ? new FileDownload('text/csv; charset=utf-8', `bulwark-script-logs-${stamp}.csv`, lines())
    : new FileDownload('application/x-ndjson; charset=utf-8', `bulwark-script-logs-${stamp}.jsonl`, lines());
}

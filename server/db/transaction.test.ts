import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerContext } from '../context';
import { openMemoryContext } from '../test/memory-context';
import { addAuditSink, type AuditRecord } from '../audit/sinks';
import { recordAudit, recordLoginEvent } from '../identity/events';
import type { DatabaseHandle } from './database';
import { afterCommit, inTransaction } from './transaction';

let database: DatabaseHandle;
let ctx: ServerContext;

beforeAll(async () => {
  ({ ctx, database } = await openMemoryContext());
});
afterAll(async () => {
  await database?.close();
});

const meta = { ip: '192.0.2.1', userAgent: 'test' };

describe('audit records written in a transaction', () => {
  it('reach the sinks only once the transaction has committed', async () => {
    const published: AuditRecord[] = [];
    const remove = addAuditSink(ctx, (r) => published.push(r));
    try {
      let seenInside = -1;
      await inTransaction(ctx.db, async (trx) => {
        await recordAudit(ctx, { action: 'tenant.created', principal: null, meta }, trx);
        await recordLoginEvent(ctx, { kind: 'password', result: 'failure', reason: 'bad_password', meta }, trx);
        seenInside = published.length;
      });
      expect(seenInside).toBe(0);
      expect(published.map((r) => r.action)).toEqual(['tenant.created', 'login.password.failure']);
    } finally {
      remove();
    }
  });

  it('never reach the sinks when the transaction rolls back, and the rows are gone too', async () => {
    const published: AuditRecord[] = [];
    const remove = addAuditSink(ctx, (r) => published.push(r));
    try {
      await expect(
        inTransaction(ctx.db, async (trx) => {
          await recordAudit(ctx, { action: 'trust.approved', principal: null, meta, details: { marker: 'rolled-back' } }, trx);
          throw new Error('a later step failed');
        }),
      ).rejects.toThrow('a later step failed');
      expect(published).toEqual([]);
      const rows = await ctx.db.selectFrom('audit_events').select('id').where('action', '=', 'trust.approved').execute();
      expect(rows).toEqual([]);
    } finally {
      remove();
    }
  });

  it('outside a transaction are published at once', async () => {
    const published: AuditRecord[] = [];
    const remove = addAuditSink(ctx, (r) => published.push(r));
    try {
      await recordAudit(ctx, { action: 'tenant.created', principal: null, meta });
      expect(published).toHaveLength(1);
    } finally {
      remove();
    }
  });

  it('refuses after-commit work on a transaction not opened with inTransaction', async () => {
    // eslint-disable-next-line no-restricted-syntax -- the foreign transaction this test is about
    const outcome = ctx.db.transaction().execute((trx) => {
      afterCommit(trx, () => undefined);
      return Promise.resolve();
    });
    await expect(outcome).rejects.toThrow(/not opened with inTransaction/);
  });
});

import type { Transaction } from 'kysely';
import type { Database, Db, DbOrTransaction } from './database';

/**
 * Transactions with after-commit work. Audit records go to the SIEM and the abuse scorer as soon
 * as they are written; inside a transaction that would announce events that a later rollback
 * erases. So records written in a transaction wait in its outbox and are handed on only once
 * it has committed (a rollback drops them with the rows).
 *
 * Every server transaction is opened here (lint forbids `.transaction()` elsewhere), so a
 * transaction without an outbox is a programming error and fails loudly.
 */
const outboxes = new WeakMap<Transaction<Database>, (() => void)[]>();

export async function inTransaction<T>(db: Db, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  const outbox: (() => void)[] = [];
  // eslint-disable-next-line no-restricted-syntax -- the one place transactions are opened
  const result = await db.transaction().execute((trx) => {
    outboxes.set(trx, outbox);
    return work(trx);
  });
  for (const task of outbox) task();
  return result;
}

/** Runs `task` now outside a transaction, or after `db`'s transaction commits (never if it rolls back). */
export function afterCommit(db: DbOrTransaction, task: () => void): void {
  if (!db.isTransaction) {
    task();
    return;
  }
  const outbox = outboxes.get(db as Transaction<Database>);
  if (!outbox) throw new Error('afterCommit: this transaction was not opened with inTransaction()');
  outbox.push(task);
}

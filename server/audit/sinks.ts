import type { ServerContext } from '../context';
import type { DbOrTransaction } from '../db/database';
import { afterCommit } from '../db/transaction';

/**
 * One recorded event as the exporters see it (SIEM, abuse scoring), whatever table it is in.
 * Built after the row is written; never carries secrets.
 */
export interface AuditRecord {
  source: 'audit' | 'login' | 'script';
  id: string;
  at: Date;
  /** Audit action, `login.<kind>.<result>` or `script.<decision>`. */
  action: string;
  tenantId: string | null;
  actorUserId: string | null;
  actorApiKeyId: string | null;
  /** Email of a login attempt (as claimed) when there is one. */
  actorEmail: string | null;
  ip: string | null;
  targetType: string | null;
  targetId: string | null;
  /** Login result or script decision. */
  result: string | null;
  reasonCodes: string[];
  /** One line for people reading the collector. */
  summary: string;
}

export type AuditSink = (record: AuditRecord) => void;

const sinksByContext = new WeakMap<ServerContext, Set<AuditSink>>();

/** Registers a consumer of every recorded event; returns the function that removes it. */
export function addAuditSink(ctx: ServerContext, sink: AuditSink): () => void {
  let sinks = sinksByContext.get(ctx);
  if (!sinks) sinksByContext.set(ctx, (sinks = new Set()));
  sinks.add(sink);
  return () => sinks.delete(sink);
}

/**
 * Hands a recorded event to every sink: at once, or when `db` is a transaction, once it has
 * committed (a rolled-back event never reaches a collector). Sinks only enqueue (they never
 * wait on the network or the database), so this never slows the request that recorded the
 * event; a failing sink is logged and the others still run.
 */
export function publishAuditRecord(ctx: ServerContext, record: AuditRecord, db: DbOrTransaction): void {
  afterCommit(db, () => {
    const sinks = sinksByContext.get(ctx);
    if (!sinks) return;
    for (const sink of sinks) {
      try {
        sink(record);
      } catch (error) {
        ctx.logger.error({ err: error, action: record.action }, 'an audit sink failed');
      }
    }
  });
}

import { sql } from 'kysely';
import type { Db } from '../db/database';
import { LocalRevocationBus } from './local-pubsub';
import type { RevocationNotice, SharedState, ThrottleRecord } from './shared-state';

/**
 * The embedded default: throttling counters in the database (they survive restarts and
 * are shared by instances on one PostgreSQL), revocation notices in process memory.
 */
export class DatabaseSharedState implements SharedState {
  readonly kind = 'database' as const;
  private readonly bus = new LocalRevocationBus();

  constructor(private readonly db: Db) {}

  async recordFailure(key: string, nowMs: number, windowMs: number): Promise<ThrottleRecord> {
    const now = new Date(nowMs);
    const windowStart = new Date(nowMs - windowMs);
    // One statement, so concurrent failures are all counted.
    const result = await sql<{ failures: number; last_failure_at: Date }>`
      INSERT INTO throttle_counters (key, failures, last_failure_at) VALUES (${key}, 1, ${now})
      ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN throttle_counters.last_failure_at < ${windowStart} THEN 1
                        ELSE throttle_counters.failures + 1 END,
        last_failure_at = GREATEST(throttle_counters.last_failure_at, ${now})
      RETURNING failures, last_failure_at`.execute(this.db);
    const row = result.rows[0]!;
    return { failures: Number(row.failures), lastFailureAt: new Date(row.last_failure_at).getTime() };
  }

  async readThrottle(key: string, nowMs: number, windowMs: number): Promise<ThrottleRecord | null> {
    const row = await this.db
      .selectFrom('throttle_counters')
      .select(['failures', 'last_failure_at'])
      .where('key', '=', key)
      .executeTakeFirst();
    if (!row) return null;
    const lastFailureAt = new Date(row.last_failure_at).getTime();
    if (lastFailureAt < nowMs - windowMs) return null;
    return { failures: Number(row.failures), lastFailureAt };
  }

  async clearThrottle(key: string): Promise<void> {
    await this.db.deleteFrom('throttle_counters').where('key', '=', key).execute();
  }

  publishRevocation(notice: RevocationNotice): Promise<void> {
    this.bus.publish(notice);
    return Promise.resolve();
  }

  subscribeRevocations(handler: (notice: RevocationNotice) => void): Promise<() => Promise<void>> {
    return Promise.resolve(this.bus.subscribe(handler));
  }

  close(): Promise<void> {
    // The database belongs to the caller.
    return Promise.resolve();
  }
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../db/database';
import { DatabaseSharedState } from './database-state';
import { RedisSharedState } from './redis-state';
import type { RevocationNotice, SharedState } from './shared-state';
import { startRedis, type ThrowawayRedis } from '../../test-support/redis';
import { redisAvailability, serviceGate } from '../../test-support/services';

/** The same contract, for every implementation of SharedState. */
function sharedStateContract(name: string, open: () => Promise<{ a: SharedState; b: SharedState; close: () => Promise<void> }>) {
  describe(`SharedState contract: ${name}`, () => {
    let a: SharedState;
    let b: SharedState;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ a, b, close } = await open());
    });
    afterAll(async () => close?.());

    it('counts failures per key atomically and forgets them after the window', async () => {
      const key = `k-${Math.random()}`;
      const t0 = 1_700_000_000_000;
      const results = await Promise.all(Array.from({ length: 10 }, () => a.recordFailure(key, t0, 60_000)));
      expect(results.map((r) => r.failures).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      // Another instance sees the same counter.
      expect(await b.readThrottle(key, t0 + 1000, 60_000)).toEqual({ failures: 10, lastFailureAt: t0 });
      expect(await b.readThrottle(key, t0 + 61_000, 60_000)).toBeNull();
      const fresh = await b.recordFailure(key, t0 + 61_000, 60_000);
      expect(fresh).toEqual({ failures: 1, lastFailureAt: t0 + 61_000 });
      await a.clearThrottle(key);
      expect(await b.readThrottle(key, t0 + 62_000, 60_000)).toBeNull();
    });

    it('delivers revocation notices to every subscriber until they unsubscribe', async () => {
      const receivedA: RevocationNotice[] = [];
      const receivedB: RevocationNotice[] = [];
      const offA = await a.subscribeRevocations((n) => receivedA.push(n));
      const offB = await b.subscribeRevocations((n) => receivedB.push(n));
      const notice: RevocationNotice = { kind: 'session', sessionId: crypto.randomUUID(), userId: crypto.randomUUID(), reason: 'test' };
      await a.publishRevocation(notice);
      await expect.poll(() => receivedA, { timeout: 3000 }).toContainEqual(notice);
      await expect.poll(() => receivedB, { timeout: 3000 }).toContainEqual(notice);
      await offA();
      const second: RevocationNotice = { kind: 'tenant', tenantId: crypto.randomUUID(), reason: 'tenant_blocked' };
      await b.publishRevocation(second);
      await expect.poll(() => receivedB, { timeout: 3000 }).toContainEqual(second);
      expect(receivedA).not.toContainEqual(second);
      await offB();
    });
  });
}

sharedStateContract('database + in-process notices (embedded default)', async () => {
  const handle: DatabaseHandle = await openDatabase({ dataDir: 'memory://' });
  await migrateToLatest(handle.db);
  // One process: both "instances" share the database and the bus.
  const state = new DatabaseSharedState(handle.db);
  return { a: state, b: state, close: () => handle.close() };
});

const redisGate = serviceGate('SharedState on Redis', redisAvailability());
if (redisGate.missing) {
  it('SharedState on Redis has its service', () => {
    throw new Error(`required service missing: ${redisGate.missing}`);
  });
} else if (redisGate.run) {
  sharedStateContract('Redis (two instances)', async () => {
    const redis: ThrowawayRedis = await startRedis();
    const a = await RedisSharedState.connect(redis.url);
    const b = await RedisSharedState.connect(redis.url);
    return {
      a,
      b,
      close: async () => {
        await a.close();
        await b.close();
        await redis.stop();
      },
    };
  });
}

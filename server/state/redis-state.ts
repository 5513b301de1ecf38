import { Redis } from 'ioredis';
import { parseRevocationNotice, type RevocationNotice, type SharedState, type ThrottleRecord } from './shared-state';

const CHANNEL = 'bulwark:revocations';
const PREFIX = 'bulwark:throttle:';

/**
 * Atomically forgets a stale record, counts the failure and sets a TTL so idle keys vanish.
 * KEYS[1] = key; ARGV = now (ms), window (ms).
 */
const RECORD_FAILURE_SCRIPT = `
local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
if last < now - window then
  redis.call('DEL', KEYS[1])
end
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
if now > last then
  last = now
end
redis.call('HSET', KEYS[1], 'last', tostring(last))
redis.call('PEXPIRE', KEYS[1], window * 2)
return {failures, tostring(last)}
`;

/** ioredis exposes a Lua script registered with defineCommand as a method. */
interface ThrottleCommands {
  bulwarkRecordFailure(key: string, nowMs: string, windowMs: string): Promise<[number, string]>;
}

/** Shared state for several server instances: counters and notices in Redis. */
export class RedisSharedState implements SharedState {
  readonly kind = 'redis' as const;
  private subscriber: Redis | null = null;
  private readonly handlers = new Set<(notice: RevocationNotice) => void>();

  private constructor(
    private readonly client: Redis & ThrottleCommands,
    private readonly onError: (error: Error) => void,
  ) {}

  /**
   * Connects (failing fast with a readable message if Redis is unreachable at start).
   * Later connection errors are reported through `onError` while ioredis reconnects.
   */
  static async connect(url: string, onError: (error: Error) => void = () => {}): Promise<RedisSharedState> {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3, enableOfflineQueue: true });
    let firstError: Error | null = null;
    // Without a listener ioredis prints "Unhandled error event" with a stack trace.
    client.on('error', (error: Error) => {
      if (client.status === 'ready' || client.status === 'reconnecting') onError(error);
      else firstError ??= error;
    });
    try {
      await client.connect();
      await client.ping();
    } catch (error) {
      client.disconnect();
      throw new Error(`cannot connect to Redis: ${(firstError ?? (error as Error)).message}`);
    }
    // A server-side Lua script (run by Redis, atomically), not JavaScript evaluation.
    client.defineCommand('bulwarkRecordFailure', { numberOfKeys: 1, lua: RECORD_FAILURE_SCRIPT });
    return new RedisSharedState(client as Redis & ThrottleCommands, onError);
  }

  async recordFailure(key: string, nowMs: number, windowMs: number): Promise<ThrottleRecord> {
    const [failures, last] = await this.client.bulwarkRecordFailure(PREFIX + key, String(nowMs), String(windowMs));
    return { failures: Number(failures), lastFailureAt: Number(last) };
  }

  async readThrottle(key: string, nowMs: number, windowMs: number): Promise<ThrottleRecord | null> {
    const record = await this.client.hgetall(PREFIX + key);
    if (!record.failures || !record.last) return null;
    const lastFailureAt = Number(record.last);
    if (lastFailureAt < nowMs - windowMs) return null;
    return { failures: Number(record.failures), lastFailureAt };
  }

  async clearThrottle(key: string): Promise<void> {
    await this.client.del(PREFIX + key);
  }

  async publishRevocation(notice: RevocationNotice): Promise<void> {
    await this.client.publish(CHANNEL, JSON.stringify(notice));
  }

  async subscribeRevocations(handler: (notice: RevocationNotice) => void): Promise<() => Promise<void>> {
    if (!this.subscriber) {
      // A connection in subscriber mode can do nothing else, hence a second one.
      const subscriber = this.client.duplicate();
      subscriber.on('error', (error: Error) => this.onError(error));
      subscriber.on('message', (channel: string, message: string) => {
        if (channel !== CHANNEL) return;
        const notice = parseRevocationNotice(message);
        if (!notice) return;
        for (const h of this.handlers) {
          try {
            h(notice);
          } catch {
            // A failing subscriber must not stop the others.
          }
        }
      });
      await subscriber.subscribe(CHANNEL);
      this.subscriber = subscriber;
    }
    this.handlers.add(handler);
    return () => {
      this.handlers.delete(handler);
      return Promise.resolve();
    };
  }

  async close(): Promise<void> {
    this.handlers.clear();
    await Promise.allSettled([this.subscriber?.quit(), this.client.quit()]);
  }
}

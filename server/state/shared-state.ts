/**
 * State that several server instances must agree on: login throttling counters and
 * revocation notices. Redis when REDIS_URL is set; otherwise the database (counters)
 * and process memory (notices), which is exact for the single-process embedded default.
 *
 * Revocation itself is enforced by the database on every request; notices only let
 * long-lived connections (agent and console WebSockets) close within seconds.
 */

export interface ThrottleRecord {
  failures: number;
  /** Milliseconds since the epoch. */
  lastFailureAt: number;
}

export type RevocationNotice =
  { kind: 'session'; sessionId: string; userId: string; reason: string } | { kind: 'tenant'; tenantId: string; reason: string };

export interface SharedState {
  readonly kind: 'database' | 'redis' | 'memory';
  /**
   * Counts one failure for `key`. Failures older than `windowMs` (by the caller's clock)
   * are forgotten first. Atomic across instances.
   */
  recordFailure(key: string, nowMs: number, windowMs: number): Promise<ThrottleRecord>;
  /** The current record, or null when there is none or it is older than the window. */
  readThrottle(key: string, nowMs: number, windowMs: number): Promise<ThrottleRecord | null>;
  clearThrottle(key: string): Promise<void>;
  publishRevocation(notice: RevocationNotice): Promise<void>;
  /** Resolves once the subscription is active; returns the unsubscribe function. */
  subscribeRevocations(handler: (notice: RevocationNotice) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Decodes a notice received from another process; anything malformed is dropped. */
export function parseRevocationNotice(text: string): RevocationNotice | null {
  try {
    const value = JSON.parse(text) as Partial<Record<string, unknown>>;
    if (value.kind === 'session' && typeof value.sessionId === 'string' && typeof value.userId === 'string') {
      return { kind: 'session', sessionId: value.sessionId, userId: value.userId, reason: textOrEmpty(value.reason) };
    }
    if (value.kind === 'tenant' && typeof value.tenantId === 'string') {
      return { kind: 'tenant', tenantId: value.tenantId, reason: textOrEmpty(value.reason) };
    }
  } catch {
    // fall through
  }
  return null;
}

const textOrEmpty = (value: unknown) => (typeof value === 'string' ? value : '');

import { isIP } from 'node:net';
import type { ServerContext } from '../context';
import type { ThrottleRecord } from '../state/shared-state';

/**
 * Login throttling per account and per source address. After a number of free failures,
 * each further failure locks the key for a doubling time (exponential back-off), capped.
 * Keys for unknown accounts are throttled exactly like real ones, so lockouts reveal nothing.
 */
export class LoginThrottle {
  constructor(private readonly ctx: ServerContext) {}

  private get settings() {
    return this.ctx.config.throttle;
  }

  private keys(emailNormalized: string | null, ip: string) {
    const keys: { key: string; freeFailures: number }[] = [
      { key: `ip:${throttleAddress(ip)}`, freeFailures: this.settings.ipFreeFailures },
    ];
    if (emailNormalized) keys.push({ key: `account:${emailNormalized}`, freeFailures: this.settings.accountFreeFailures });
    return keys;
  }

  lockedUntil(record: ThrottleRecord | null, freeFailures: number): number | null {
    if (!record || record.failures < freeFailures) return null;
    const exponent = Math.min(record.failures - freeFailures, 30);
    const lockMs = Math.min(this.settings.lockoutBaseSeconds * 2 ** exponent, this.settings.lockoutMaxSeconds) * 1000;
    return record.lastFailureAt + lockMs;
  }

  /** The time until which sign-in is refused for this account or address, or null. */
  async lockedFor(emailNormalized: string | null, ip: string): Promise<{ until: number; scope: 'account' | 'ip' } | null> {
    const now = this.ctx.clock.now().getTime();
    const windowMs = this.settings.windowSeconds * 1000;
    let result: { until: number; scope: 'account' | 'ip' } | null = null;
    for (const { key, freeFailures } of this.keys(emailNormalized, ip)) {
      const until = this.lockedUntil(await this.ctx.state.readThrottle(key, now, windowMs), freeFailures);
      if (until !== null && until > now && (!result || until > result.until)) {
        result = { until, scope: key.startsWith('ip:') ? 'ip' : 'account' };
      }
    }
    return result;
  }

  async recordFailure(emailNormalized: string | null, ip: string): Promise<void> {
    const now = this.ctx.clock.now().getTime();
    const windowMs = this.settings.windowSeconds * 1000;
    await Promise.all(this.keys(emailNormalized, ip).map(({ key }) => this.ctx.state.recordFailure(key, now, windowMs)));
  }

  /**
   * A complete sign-in clears the account's counter. The address counter is left to decay,
   * or an attacker could reset it by signing in to an account of their own between guesses.
   */
  async recordSuccess(emailNormalized: string): Promise<void> {
    await this.ctx.state.clearThrottle(`account:${emailNormalized}`);
  }
}

/**
 * The unit a source address is throttled by: the IPv4 address, or the /64 an IPv6 address
 * belongs to (one customer line usually gets a whole /64, so single addresses are free to rotate).
 */
export function throttleAddress(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::', 2) as [string, string?];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = ip.includes('::') ? (tail ? tail.split(':') : []) : [];
  // An embedded IPv4 tail (::ffff:1.2.3.4) takes two groups; it never reaches the first four.
  const tailLength = tailGroups.reduce((n, group) => n + (group.includes('.') ? 2 : 1), 0);
  const missing = ip.includes('::') ? 8 - headGroups.length - tailLength : 0;
  const groups = [...headGroups, ...Array<string>(Math.max(missing, 0)).fill('0'), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

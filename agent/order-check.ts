import { evaluatePolicy } from '../shared/policy/engine';
import { sha256Hex } from '../shared/policy/hash';
import type { WireReason } from '../shared/agent-protocol/policy-wire';
import type { RefusalCode } from '../shared/agent-protocol/messages';
import { ExecOrder, ORDER_CLOCK_SKEW_MS, type SignedEnvelope } from '../shared/agent-protocol/signing';
import { osFamily } from './inventory';
import type { ServerKey } from './signing';

export type OrderDecision =
  { ok: true; order: ExecOrder; decision: 'allow' | 'flag' } | { ok: false; code: RefusalCode; message: string; reasons?: WireReason[] };

/** Remembers recent order ids so a captured order cannot be replayed while it is still valid. */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  constructor(private readonly limit = 10_000) {}

  /** True the first time an id is seen. */
  claim(id: string, expiresAt: number, now: number): boolean {
    if (this.seen.has(id)) return false;
    if (this.seen.size >= this.limit) {
      for (const [key, expiry] of this.seen) if (expiry + ORDER_CLOCK_SKEW_MS < now) this.seen.delete(key);
      // Still full: forget the oldest; an order that old has expired (TTL is minutes).
      while (this.seen.size >= this.limit) {
        const oldest = this.seen.keys().next().value;
        if (oldest === undefined) break;
        this.seen.delete(oldest);
      }
    }
    this.seen.set(id, expiresAt);
    return true;
  }
}

/**
 * Defence in depth: everything the server sends to run is checked here again. The order must
 * be signed by the server's key, meant for this endpoint, fresh, not replayed, its hash must
 * match its text, and the shared policy engine — run with the policy context the server signed
 * in — must not block it. Time is the later of the agent's clock and the server's signing time,
 * so a slow agent clock cannot resurrect an expired trust.
 */
export function checkExecOrder(input: {
  envelope: SignedEnvelope | undefined;
  execId: string;
  key: ServerKey;
  endpointId: string;
  replay: ReplayGuard;
  now: number;
  platform?: NodeJS.Platform;
}): OrderDecision {
  const verified = input.key.verify(input.envelope, ExecOrder);
  if (!verified.ok) return verified;
  const order = verified.order;
  if (order.execId !== input.execId)
    return { ok: false, code: 'malformed_order', message: 'the signed order is for a different execution id' };
  if (order.endpointId !== input.endpointId)
    return { ok: false, code: 'wrong_endpoint', message: 'the signed order is for another endpoint' };
  if (input.now > order.expiresAt + ORDER_CLOCK_SKEW_MS)
    return { ok: false, code: 'order_expired', message: 'the signed order has expired' };
  if (order.issuedAt > input.now + ORDER_CLOCK_SKEW_MS)
    return { ok: false, code: 'order_expired', message: 'the signed order is dated in the future' };
  if (sha256Hex(order.text) !== order.sha256)
    return { ok: false, code: 'hash_mismatch', message: "the order's text does not match its sha256" };
  const platform = osFamily(input.platform);
  if (order.shell === 'cmd' && platform !== 'windows')
    return { ok: false, code: 'unsupported_shell', message: 'cmd is only available on Windows' };
  if (!input.replay.claim(order.execId, order.expiresAt, input.now))
    return { ok: false, code: 'replayed', message: 'this order was already received' };
  const result = evaluatePolicy({
    text: order.text,
    shell: order.shell,
    platform,
    action: order.action,
    context: { ...order.policy, now: Math.max(input.now, order.policy.now) },
  });
  if (result.decision === 'block') {
    return {
      ok: false,
      code: 'policy_blocked',
      message: 'the policy engine on this endpoint blocks this order; it was not run',
      reasons: result.reasons.map((reason) => ({
        code: reason.code,
        severity: reason.severity,
        ruleId: reason.ruleId,
        message: reason.message,
        spans: reason.spans,
        ...(reason.remedy ? { remedy: reason.remedy } : {}),
      })),
    };
  }
  return { ok: true, order, decision: result.decision };
}

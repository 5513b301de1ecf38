import { z } from 'zod';
import { REASON_CODES, type PolicyContext, type Reason } from '../policy/types';

/**
 * Wire schemas for the policy engine's types, so a context or a reason that crosses a
 * process boundary (server -> agent, server -> console) is validated like everything else.
 */

export const ShellName = z.enum(['powershell', 'cmd', 'bash', 'sh', 'zsh']);
export type ShellName = z.infer<typeof ShellName>;
export const PlatformName = z.enum(['windows', 'linux', 'macos']);
export type PlatformName = z.infer<typeof PlatformName>;

export const WireSpan = z.object({ start: z.number().int().min(0), end: z.number().int().min(0) });

export const WireReason = z.object({
  code: z.enum(REASON_CODES),
  severity: z.enum(['block', 'flag']),
  ruleId: z.string().max(200),
  message: z.string().max(2000),
  spans: z.array(WireSpan).max(200),
  remedy: z.string().max(2000).optional(),
});
export type WireReason = z.infer<typeof WireReason>;

const DestinationRuleWire = z.object({
  id: z.string().max(100),
  kind: z.enum(['domain', 'ip', 'cidr', 'url_prefix']),
  value: z.string().max(2048),
  reason: z.string().max(1000).optional(),
  scope: z.enum(['global', 'tenant']).optional(),
});

const TrustWire = z.discriminatedUnion('level', [
  z.object({ level: z.literal('standard') }),
  z.object({ level: z.literal('extended'), expiresAt: z.number() }),
]);

/** The engine's PolicyContext as signed into execution orders. */
export const WirePolicyContext = z.object({
  tenantState: z.enum(['active', 'restricted', 'blocked']),
  trust: TrustWire,
  now: z.number(),
  blockedDestinations: z.array(DestinationRuleWire).max(100_000),
  destinationAllowlist: z.array(DestinationRuleWire).max(100_000).nullable().optional(),
  permittedScriptHashes: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(100_000),
  history: z.array(z.string()).max(1000),
});

/** Compile-time check that the wire schema and the engine agree in both directions. */
type WireContext = z.infer<typeof WirePolicyContext>;
export const assertContextCompatible = (context: WireContext): PolicyContext => context;
export const assertReasonCompatible = (reason: Reason): WireReason => reason;

/**
 * A tenant's policy context as signed into an order: mutable copies of its lists (what the wire
 * type holds) and no session history — the agent re-checks the one text the order carries.
 */
export function toWirePolicyContext(policy: PolicyContext): WireContext {
  return {
    ...policy,
    blockedDestinations: [...policy.blockedDestinations],
    destinationAllowlist: policy.destinationAllowlist ? [...policy.destinationAllowlist] : null,
    permittedScriptHashes: [...policy.permittedScriptHashes],
    history: [],
  };
}

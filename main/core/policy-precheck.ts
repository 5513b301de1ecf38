/**
 * Policy before sending: the console runs the same engine as the server, with the tenant
 * context the server provides and this session's history, so a blocked line, script run or
 * schedule is explained and never leaves main. The server stays the authority: it checks again.
 */
import type { PolicyContextResponse } from '../../shared/api/controls';
import {
  plainReason,
  evaluatePolicy,
  type ActionKind,
  type Platform,
  type PolicyContext,
  type PolicyResult,
  type ShellOrAuto,
} from '../../shared/policy';
import type { BlockReason, PolicyBlock } from '../../shared/ipc/schemas';
import { createHash } from 'node:crypto';
import { useNativeSha256 } from '../../shared/policy/hash';

// The pre-check hashes every line: use the native sha256 in the main process.
useNativeSha256(createHash);

export type FetchPolicyContext = (tenantId: string) => Promise<PolicyContextResponse>;

export interface PrecheckInput {
  tenantId: string;
  text: string;
  shell: ShellOrAuto;
  platform: Platform;
  action: ActionKind;
  /** Earlier lines sent in the same terminal session, oldest first. */
  history?: readonly string[];
}

export type PrecheckOutcome = { blocked: false; flagged: BlockReason[]; sha256: string } | { blocked: true; block: PolicyBlock };

export function toPolicyContext(snapshot: PolicyContextResponse, history: readonly string[]): PolicyContext {
  const expiresAt = snapshot.trust.expiresAt ? Date.parse(snapshot.trust.expiresAt) : null;
  return {
    tenantState: snapshot.state,
    trust: snapshot.trust.level === 'extended' && expiresAt !== null ? { level: 'extended', expiresAt } : { level: 'standard' },
    // The server's clock, so trust expiry is judged as the server will judge it.
    now: Date.parse(snapshot.now),
    blockedDestinations: snapshot.blockedDestinations.map((rule) => ({
      id: rule.id,
      kind: rule.kind,
      value: rule.value,
      scope: rule.scope,
      ...(rule.reason ? { reason: rule.reason } : {}),
    })),
    destinationAllowlist: snapshot.destinationAllowlist?.map((entry) => ({ id: entry.id, kind: entry.kind, value: entry.value })) ?? null,
    permittedScriptHashes: snapshot.permittedScriptHashes,
    history,
  };
}

export function toBlockReasons(result: Pick<PolicyResult, 'reasons'>): BlockReason[] {
  return result.reasons.map(plainReason);
}

export function blockSummary(reasons: readonly BlockReason[]): string {
  const blocking = reasons.filter((reason) => reason.severity === 'block');
  const first = blocking[0] ?? reasons[0];
  if (!first) return 'Blocked by the security policy.';
  return blocking.length > 1 ? `${first.message} (and ${blocking.length - 1} more)` : first.message;
}

export class PolicyPrecheck {
  constructor(private readonly fetchContext: FetchPolicyContext) {}

  /** Fetches the tenant's current context (rules change; never cached) and evaluates. */
  async check(input: PrecheckInput): Promise<PrecheckOutcome> {
    const snapshot = await this.fetchContext(input.tenantId);
    const result = evaluatePolicy({
      text: input.text,
      shell: input.shell,
      platform: input.platform,
      action: input.action,
      context: toPolicyContext(snapshot, input.history ?? []),
    });
    const reasons = toBlockReasons(result);
    if (result.decision === 'block') {
      return {
        blocked: true,
        block: { source: 'console', text: input.text, sha256: result.sha256, message: blockSummary(reasons), reasons },
      };
    }
    return { blocked: false, flagged: reasons, sha256: result.sha256 };
  }
}

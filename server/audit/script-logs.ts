import { randomUUID } from 'node:crypto';
import { SCRIPT_LOG_EXCERPT_CHARS, SCRIPT_LOG_REASON_TEXT_CHARS, type ScriptLogKind } from '../../shared/api/audit';
import { sha256Hex } from '../../shared/policy/hash';
import { REASON_CODES } from '../../shared/policy/types';
import type { ServerContext } from '../context';
import type { DbOrTransaction } from '../db/database';
import type { StoredScriptLogReason } from '../db/schema-audit';
import type { RequestMeta } from '../identity/principal';
import { publishAuditRecord } from './sinks';
import { boundedText, storableJson, storableText } from './text';

/**
 * A reason as the policy engine returns it (`Reason` of shared/policy), or a tenant-limit
 * reason (`{ code: 'dispatch_limit', message }`): only code and message are required.
 */
export interface ScriptLogReasonInput {
  code: string;
  message: string;
  severity?: 'block' | 'flag';
  ruleId?: string;
  spans?: readonly { start: number; end: number }[];
  remedy?: string;
}

export interface ScriptLogInput {
  tenantId: string;
  endpointId: string | null;
  userId: string | null;
  apiKeyId?: string | null;
  kind: ScriptLogKind;
  /** The full text; only a bounded excerpt and its sha256 are stored. */
  text: string;
  decision: 'allow' | 'flag' | 'block';
  reasons: readonly ScriptLogReasonInput[];
  sessionId?: string | null;
  meta?: RequestMeta | null;
  /**
   * Whether a block came from the security policy (engine reason codes, tenant state) rather
   * than a tenant limit. Default: a block with at least one engine reason code.
   */
  blockedBySecurityPolicy?: boolean;
}

const MAX_REASONS = 32;
const MAX_SPANS_PER_REASON = 16;
const MAX_MESSAGE = 500;
const MAX_REMEDY = 300;
const MAX_ID = 100;
const ENGINE_CODES = new Set<string>(REASON_CODES);

const clip = (text: string | null | undefined, max: number) => (text == null ? null : storableText(boundedText(text, max)));

/**
 * Records one attempted execution (terminal line, command, script run, schedule run) with its
 * decision and reasons. Callers await this BEFORE returning a refusal or dispatching, so there is
 * no execution without its record. Whatever the text, the row stays small: the excerpt, reason
 * text and reason list are bounded; the sha256 and length describe the full text.
 */
export async function recordScriptLog(ctx: ServerContext, input: ScriptLogInput, db: DbOrTransaction = ctx.db): Promise<{ id: string }> {
  const id = randomUUID();
  const at = ctx.clock.now();
  const sha256 = sha256Hex(input.text);
  const excerpt = storableText(boundedText(input.text, SCRIPT_LOG_EXCERPT_CHARS));
  const reasons: StoredScriptLogReason[] = input.reasons.slice(0, MAX_REASONS).map((reason) => ({
    code: clip(reason.code, 64) ?? 'unknown',
    severity: reason.severity ?? null,
    ruleId: clip(reason.ruleId, MAX_ID),
    message: clip(reason.message, MAX_MESSAGE) ?? '',
    // Only spans inside the excerpt can be shown; the rest describe text that was not kept.
    spans: (reason.spans ?? [])
      .filter((span) => span.start >= 0 && span.start < excerpt.length && span.end > span.start)
      .slice(0, MAX_SPANS_PER_REASON)
      .map((span) => ({ start: span.start, end: Math.min(span.end, excerpt.length) })),
    remedy: clip(reason.remedy, MAX_REMEDY),
  }));
  const reasonCodes = [...new Set(reasons.map((reason) => reason.code))];
  const reasonText = boundedText(reasons.map((reason) => `${reason.code}: ${reason.message}`).join('\n'), SCRIPT_LOG_REASON_TEXT_CHARS);
  const blockedByPolicy =
    input.decision === 'block' && (input.blockedBySecurityPolicy ?? reasonCodes.some((code) => ENGINE_CODES.has(code)));
  await db
    .insertInto('script_logs')
    .values({
      id,
      at,
      tenant_id: input.tenantId,
      endpoint_id: clip(input.endpointId, MAX_ID),
      user_id: input.userId,
      api_key_id: input.apiKeyId ?? null,
      session_id: clip(input.sessionId, MAX_ID),
      kind: input.kind,
      text_excerpt: excerpt,
      text_sha256: sha256,
      text_length: input.text.length,
      excerpt_truncated: input.text.length > excerpt.length,
      decision: input.decision,
      was_blocked_by_security_policy: blockedByPolicy,
      reason_codes: reasonCodes,
      reason_text: reasonText,
      reasons: storableJson(reasons),
      ip: clip(input.meta?.ip, 64),
      user_agent: clip(input.meta?.userAgent, 254),
    })
    .execute();
  publishAuditRecord(
    ctx,
    {
      source: 'script',
      id,
      at,
      action: `script.${input.decision}`,
      tenantId: input.tenantId,
      actorUserId: input.userId,
      actorApiKeyId: input.apiKeyId ?? null,
      actorEmail: null,
      ip: input.meta?.ip ?? null,
      targetType: input.endpointId ? 'endpoint' : null,
      targetId: input.endpointId,
      result: input.decision,
      reasonCodes,
      summary: `${input.kind} ${input.decision}${reasonCodes.length > 0 ? ` (${reasonCodes.join(', ')})` : ''} sha256=${sha256}`,
    },
    db,
  );
  return { id };
}

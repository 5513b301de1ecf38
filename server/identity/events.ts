import { randomUUID } from 'node:crypto';
import type { ServerContext } from '../context';
import type { DbOrTransaction } from '../db/database';
import { publishAuditRecord } from '../audit/sinks';
import { storableJson, storableText } from '../audit/text';
import { actorOf, type Principal, type RequestMeta } from './principal';

const MAX_TEXT = 254;
const bounded = (text: string | null | undefined, max = MAX_TEXT) => (text == null ? null : storableText(text.slice(0, max)));

export interface LoginEventInput {
  kind: 'password' | 'mfa' | 'enroll' | 'refresh' | 'step_up' | 'api_key' | 'logout';
  result: 'success' | 'failure';
  reason?: string | null;
  userId?: string | null;
  email?: string | null;
  tenantId?: string | null;
  apiKeyId?: string | null;
  meta: RequestMeta;
}

/** Every sign-in related attempt is recorded, successful or not (who, from where, result, reason). */
export async function recordLoginEvent(ctx: ServerContext, event: LoginEventInput, db: DbOrTransaction = ctx.db) {
  const id = randomUUID();
  const at = ctx.clock.now();
  await db
    .insertInto('login_events')
    .values({
      id,
      at,
      kind: event.kind,
      result: event.result,
      reason: bounded(event.reason ?? null, 100),
      user_id: event.userId ?? null,
      email: bounded(event.email),
      tenant_id: event.tenantId ?? null,
      api_key_id: event.apiKeyId ?? null,
      ip: bounded(event.meta.ip, 64),
      user_agent: bounded(event.meta.userAgent),
    })
    .execute();
  const reason = bounded(event.reason ?? null, 100);
  publishAuditRecord(
    ctx,
    {
      source: 'login',
      id,
      at,
      action: `login.${event.kind}.${event.result}`,
      tenantId: event.tenantId ?? null,
      actorUserId: event.userId ?? null,
      actorApiKeyId: event.apiKeyId ?? null,
      actorEmail: bounded(event.email),
      ip: bounded(event.meta.ip, 64),
      targetType: null,
      targetId: null,
      result: event.result,
      reasonCodes: reason ? [reason] : [],
      summary: `${event.kind} ${event.result}${reason ? ` (${reason})` : ''}`,
    },
    db,
  );
}

export interface AuditInput {
  action: string;
  principal: Principal | null;
  meta: RequestMeta | null;
  tenantId?: string | null;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
}

/**
 * Administrative actions, in the one audit model (names: AUDIT_ACTIONS in shared/api/audit.ts).
 * Each recorded event is also handed to the SIEM exporter and the abuse scorer, which only
 * enqueue, so recording never waits on a collector.
 */
export async function recordAudit(ctx: ServerContext, event: AuditInput, db: DbOrTransaction = ctx.db) {
  const actor = actorOf(event.principal);
  const id = randomUUID();
  const at = ctx.clock.now();
  const details = event.details ?? {};
  await db
    .insertInto('audit_events')
    .values({
      id,
      at,
      action: event.action,
      tenant_id: event.tenantId ?? null,
      actor_user_id: actor.actorUserId,
      actor_api_key_id: actor.actorApiKeyId,
      actor_ip: bounded(event.meta?.ip ?? null, 64),
      target_type: event.targetType ?? null,
      target_id: event.targetId ?? null,
      details: storableJson(details),
    })
    .execute();
  const reasonCode = typeof details.reasonCode === 'string' ? details.reasonCode : null;
  publishAuditRecord(
    ctx,
    {
      source: 'audit',
      id,
      at,
      action: event.action,
      tenantId: event.tenantId ?? null,
      actorUserId: actor.actorUserId,
      actorApiKeyId: actor.actorApiKeyId,
      actorEmail: event.principal?.kind === 'user' ? event.principal.email : null,
      ip: bounded(event.meta?.ip ?? null, 64),
      targetType: event.targetType ?? null,
      targetId: event.targetId ?? null,
      result: null,
      reasonCodes: reasonCode ? [reasonCode] : [],
      summary: auditSummary(event.action, details),
    },
    db,
  );
}

/** A short line for the collector: the action and its plain-valued details (bounded). */
function auditSummary(action: string, details: Record<string, unknown>): string {
  const parts = Object.entries(details)
    .filter(([, value]) => typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    .map(([key, value]) => `${key}=${String(value)}`);
  return bounded([action, ...parts].join(' '), 1000) ?? action;
}

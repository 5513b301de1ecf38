import { randomUUID } from 'node:crypto';
import type { ServerContext } from '../context';
import type { DbOrTransaction } from '../db/database';
import { actorOf, type Principal, type RequestMeta } from './principal';

const MAX_TEXT = 254;
const bounded = (text: string | null | undefined, max = MAX_TEXT) => (text == null ? null : text.slice(0, max));

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
  await db
    .insertInto('login_events')
    .values({
      id: randomUUID(),
      at: ctx.clock.now(),
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

/** Administrative actions, in the one audit model that part 2 extends. */
export async function recordAudit(ctx: ServerContext, event: AuditInput, db: DbOrTransaction = ctx.db) {
  const actor = actorOf(event.principal);
  await db
    .insertInto('audit_events')
    .values({
      id: randomUUID(),
      at: ctx.clock.now(),
      action: event.action,
      tenant_id: event.tenantId ?? null,
      actor_user_id: actor.actorUserId,
      actor_api_key_id: actor.actorApiKeyId,
      actor_ip: bounded(event.meta?.ip ?? null, 64),
      target_type: event.targetType ?? null,
      target_id: event.targetId ?? null,
      details: JSON.stringify(event.details ?? {}),
    })
    .execute();
}

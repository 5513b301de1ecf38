import { z } from 'zod';
import { Id, PageQuery, Timestamp } from './common';

export const LOGIN_EVENT_KINDS = ['password', 'mfa', 'enroll', 'refresh', 'step_up', 'api_key', 'logout'] as const;
export const LoginEventKind = z.enum(LOGIN_EVENT_KINDS);
export const LoginEventResult = z.enum(['success', 'failure']);

/** One sign-in related attempt: who (as claimed), from where, what happened and why. */
export const LoginEvent = z.object({
  id: Id,
  at: Timestamp,
  kind: LoginEventKind,
  result: LoginEventResult,
  /** Stable reason code, e.g. `bad_password`, `unknown_user`, `locked`, `code_replayed`, `source_not_allowed`. */
  reason: z.string().nullable(),
  userId: Id.nullable(),
  email: z.string().nullable(),
  tenantId: Id.nullable(),
  apiKeyId: Id.nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});
export type LoginEvent = z.infer<typeof LoginEvent>;

export const LoginEventQuery = PageQuery.extend({
  tenantId: Id.optional(),
  userId: Id.optional(),
  result: LoginEventResult.optional(),
});
export const LoginEventListResponse = z.object({ events: z.array(LoginEvent) });

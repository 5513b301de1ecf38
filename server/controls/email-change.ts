import { ErrorCode } from '../../shared/api/common';
import type { User } from '../../shared/api/users';
import type { ServerContext } from '../context';
import type { UserRow } from '../db/schema';
import { ApiError, errors } from '../errors';
import { normalizeEmail } from '../identity/auth-flow';
import { recordAudit, recordLoginEvent } from '../identity/events';
import type { Principal, RequestMeta } from '../identity/principal';
import { LoginThrottle } from '../identity/throttle';
import { getVisibleUser, toApiUser } from '../identity/users';
import { assertEmailDomainAllowed } from './destinations';

/**
 * Email changes: the email is the sign-in identifier, so changing your own needs your password
 * again (throttled like sign-in), and every change checks the new domain against the blocked
 * destinations (global, plus the tenant's own) and is audited.
 */

async function applyEmailChange(
  ctx: ServerContext,
  principal: Principal,
  user: UserRow,
  email: string,
  meta: RequestMeta,
  reason: string | null,
): Promise<User> {
  await assertEmailDomainAllowed(ctx, email, user.tenant_id);
  const normalized = normalizeEmail(email);
  if (normalized === user.email_normalized && email.trim() === user.email) return toApiUser(user);
  try {
    const updated = await ctx.db
      .updateTable('users')
      .set({ email: email.trim(), email_normalized: normalized })
      .where('id', '=', user.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(ctx, {
      action: 'user.email_changed',
      principal,
      meta,
      tenantId: user.tenant_id,
      targetType: 'user',
      targetId: user.id,
      details: { from: user.email, to: updated.email, ...(reason ? { reason } : {}) },
    });
    return toApiUser(updated);
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw errors.conflict('A user with this email already exists');
    throw error;
  }
}

export async function changeOwnEmail(
  ctx: ServerContext,
  principal: Principal,
  input: { email: string; password: string },
  meta: RequestMeta,
): Promise<User> {
  if (principal.kind !== 'user') throw errors.forbidden('API keys have no email address');
  const user = await ctx.db.selectFrom('users').selectAll().where('id', '=', principal.userId).executeTakeFirstOrThrow();
  const throttle = new LoginThrottle(ctx);
  const wrongPassword = () =>
    new ApiError(403, ErrorCode.invalidCredentials, 'The password is not correct (or too many attempts; wait a few minutes)');
  if (await throttle.lockedFor(user.email_normalized, meta.ip)) throw wrongPassword();
  if (!(await ctx.passwords.verify(user.password_hash, input.password))) {
    await throttle.recordFailure(user.email_normalized, meta.ip);
    await recordLoginEvent(ctx, {
      kind: 'password',
      result: 'failure',
      reason: 'email_change_bad_password',
      userId: user.id,
      email: user.email,
      tenantId: user.tenant_id,
      meta,
    });
    throw wrongPassword();
  }
  return applyEmailChange(ctx, principal, user, input.email, meta, null);
}

/** Platform admins change anyone's email; tenant admins their own tenant's users (others: 404). */
export async function changeUserEmail(
  ctx: ServerContext,
  principal: Principal,
  userId: string,
  input: { email: string; reason: string },
  meta: RequestMeta,
): Promise<User> {
  if (principal.role !== 'platform_admin' && principal.role !== 'tenant_admin') throw errors.forbidden();
  const user = await getVisibleUser(ctx, principal, userId);
  return applyEmailChange(ctx, principal, user, input.email, meta, input.reason);
}
